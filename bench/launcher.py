"""How long a display is dark after its Chromium or its tab dies, on a real X display.

    python bench/launcher.py [--trials 5] [--project DIR]
    python bench/launcher.py --smoke          # one kill of each (about 20 s)

Starts Xvfb, then `immersion kiosk entrance --launch` on the project's kiosk build as an
unprivileged user (as root: `kiosk`, created if missing, when it can run this Python and
read the source; else with the Python API's root escape hatch and `--no-sandbox`, said
in the table), non-headless, in kiosk mode. Then, `--trials` times each: SIGKILL to
Chromium's browser process, and SIGKILL to the renderers of the display's tab, each
timed until the display is "back" (a heartbeat from a new page, and a screen that is
not blank). The harness is tests/x_display.py, which the launcher's tests on a real
display (tests/launcher/test_launcher_x.py) drive too.

Prints a table and writes bench/results/launcher.json (--smoke:
bench/results/smoke/launcher.json). Needs Xvfb (`apt-get install xvfb`) and Chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from x_display import SCREEN, launched, xvfb  # noqa: E402


def build_demo(project: Path) -> None:
    if (project / "build/kiosk/entrance/index.html").is_file():
        return
    command = [sys.executable, "-m", "immersion", "-C", str(project), "build"]
    subprocess.run([*command, "--audience", "kiosk"], check=True, env={**os.environ})


def summary(kills: list[dict[str, Any]], what: str) -> dict[str, Any]:
    times = [k["back_s"] for k in kills if k.get("kill") == what and k["back_s"] is not None]
    missed = sum(1 for k in kills if k.get("kill") == what and k["back_s"] is None)
    return {
        "kill": what,
        "trials": len(times) + missed,
        "not_back": missed,
        "median_s": round(statistics.median(times), 2) if times else None,
        "max_s": round(max(times), 2) if times else None,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="one kill of each")
    parser.add_argument("--project", type=Path, default=ROOT, help="default: the demo room")
    parser.add_argument("--json", type=Path, help="default: bench/results/launcher.json")
    args = parser.parse_args(argv)
    trials = 1 if args.smoke else args.trials
    results = ROOT / "bench/results" / ("smoke" if args.smoke else "")
    args.json = args.json or results / "launcher.json"
    build_demo(args.project)
    with xvfb() as x, launched(args.project, x) as kiosk:
        t0 = time.monotonic()
        kiosk.started()
        first = round(time.monotonic() - t0, 2)
        for _ in range(trials):
            for what in ("browser", "renderer"):
                kiosk.kill(what)
                time.sleep(1.0)  # let the page settle before the next kill
        mode, lines = kiosk.mode, kiosk.lines()
    kills = [k for k in kiosk.kills if "kill" in k]
    report = {
        "mode": mode,
        "first_start_s": first,
        "load_average": os.getloadavg(),
        "summary": [summary(kills, "browser"), summary(kills, "renderer")],
        "kills": kills,
        "left_running": [k for k in kiosk.kills if "left_running" in k],
        "launcher_lines": lines,
    }
    print(f"launcher on Xvfb {SCREEN[0]}x{SCREEN[1]}, {mode}; first start {first} s")
    print(f"load average {' '.join(f'{v:.2f}' for v in report['load_average'])}")
    print(f"{'kill':10} {'trials':>6} {'median s':>9} {'max s':>7} {'not back':>9}")
    for row in report["summary"]:
        print(
            f"{row['kill']:10} {row['trials']:>6} {row['median_s']!s:>9} "
            f"{row['max_s']!s:>7} {row['not_back']:>9}"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {args.json}")
    return report


if __name__ == "__main__":
    main()
