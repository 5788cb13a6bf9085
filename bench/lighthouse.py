"""Lighthouse (mobile) on the intranet: performance and accessibility of the home page
and an interview page.

    python bench/lighthouse.py [--project DIR] [--runs 3]
    python bench/lighthouse.py --smoke        # one run of each page, fewer audits (CI)

Builds the intranet of the project (default: the bundled demo room), serves it on
loopback with immersion's own server, and runs Lighthouse 12.2.3 (it runs on Node 20)
with Debian's Chromium, mobile form factor and Lighthouse's default simulated
throttling. Lighthouse is installed with npm into build/cache/lighthouse/ the first
time; without npm (or node) the script says so and stops.

The figure of a page is the median of `--runs` runs (Lighthouse's own advice: one run
varies by a few points). Prints a table and writes bench/results/lighthouse.json
(--smoke: bench/results/smoke/lighthouse.json).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import CHROMIUM_FLAGS  # noqa: E402

from immersion.commands import build  # noqa: E402
from immersion.httpd import StaticServer  # noqa: E402

VERSION = "12.2.3"
PAGES = {"home": "", "interview": "stories/p07/"}
# The audits that explain a performance score, reported beside it.
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI",
}


def lighthouse(cache: Path) -> Path | str:
    """The lighthouse CLI in `cache`, installed if missing; or why it cannot be."""
    cli = cache / "node_modules" / ".bin" / "lighthouse"
    if cli.is_file():
        return cli
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        return (
            "npm and node are needed to install Lighthouse "
            f"(apt-get install nodejs npm), then: npm i -E lighthouse@{VERSION}"
        )
    cache.mkdir(parents=True, exist_ok=True)
    print(f"installing lighthouse@{VERSION} into {cache} ...", flush=True)
    done = subprocess.run(
        [npm, "i", "-E", f"lighthouse@{VERSION}", "--no-audit", "--no-fund"],
        cwd=cache,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not cli.is_file():
        return f"npm could not install lighthouse@{VERSION}: {done.stderr.strip()[-400:]}"
    return cli


def run_once(
    cli: Path, url: str, chromium: str, smoke: bool, keep: Path | None = None
) -> dict[str, Any]:
    flags = " ".join(CHROMIUM_FLAGS)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [
            str(cli),
            url,
            "--only-categories=performance,accessibility",
            "--form-factor=mobile",
            f"--chrome-flags={flags}",
            "--output=json",
            f"--output-path={report}",
            "--quiet",
        ]
        if smoke:  # the two scores still come; no screenshots filmstrip
            command.append(
                "--skip-audits=screenshot-thumbnails,final-screenshot,full-page-screenshot"
            )
        done = subprocess.run(
            command,
            env={**os.environ, "CHROME_PATH": chromium},
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not report.is_file():
            raise RuntimeError(f"lighthouse failed on {url}: {done.stderr.strip()[-600:]}")
        data = json.loads(report.read_text())
        if keep is not None:  # the whole report, to read its opportunities and diagnostics
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(report, keep)
    audits = data["audits"]
    failed_a11y = [
        ref["id"]
        for ref in data["categories"]["accessibility"]["auditRefs"]
        if ref.get("weight") and audits[ref["id"]].get("score") not in (None, 1)
    ]
    return {
        "performance": round(100 * (data["categories"]["performance"]["score"] or 0)),
        "accessibility": round(100 * (data["categories"]["accessibility"]["score"] or 0)),
        **{short: audits[key].get("numericValue") for key, short in METRICS.items()},
        "transfer_kib": (audits["total-byte-weight"].get("numericValue") or 0) / 1024,
        "failed_accessibility_audits": failed_a11y,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--project", type=Path, default=ROOT)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--runs", type=int, default=3, help="runs per page (the median counts)")
    parser.add_argument("--json", type=Path, help="default: bench/results/lighthouse.json")
    parser.add_argument("--smoke", action="store_true", help="for CI: one run per page")
    parser.add_argument(
        "--reports", type=Path, help="keep each run's full Lighthouse JSON in this folder"
    )
    parser.add_argument(
        "--page", choices=sorted(PAGES), action="append", help="only these pages (repeatable)"
    )
    args = parser.parse_args()
    if args.smoke:
        args.runs = 1
    results = ROOT / "bench" / "results" / ("smoke" if args.smoke else "")
    args.json = args.json or results / "lighthouse.json"
    cli = lighthouse(ROOT / "build" / "cache" / "lighthouse")
    if isinstance(cli, str):
        print(f"lighthouse: {cli}", file=sys.stderr)
        return 2
    out = io.StringIO()
    code = build.run(args.project, audiences=("intranet",), out=out)
    if code:
        print(out.getvalue())
        return code
    site = args.project / "build" / "intranet"
    rows = []
    with StaticServer(site) as server:
        for name, path in PAGES.items():
            if args.page and name not in args.page:
                continue
            runs = [
                run_once(
                    cli,
                    server.url + path,
                    args.chromium,
                    args.smoke,
                    args.reports / f"{name}-{i + 1}.json" if args.reports else None,
                )
                for i in range(args.runs)
            ]
            best = sorted(runs, key=lambda r: r["performance"])[len(runs) // 2]  # median run
            rows.append(
                {
                    "page": name,
                    "url": "/" + path,
                    **best,
                    "performance_runs": [r["performance"] for r in runs],
                    "performance_median": statistics.median(r["performance"] for r in runs),
                }
            )
    print(
        f"{'page':10} {'perf':>5} {'a11y':>5} {'FCP ms':>7} {'LCP ms':>7} {'TBT ms':>7} "
        f"{'CLS':>6} {'KiB':>7}  runs"
    )
    for r in rows:
        print(
            f"{r['page']:10} {r['performance']:5d} {r['accessibility']:5d} {r['FCP']:7.0f} "
            f"{r['LCP']:7.0f} {r['TBT']:7.0f} {r['CLS']:6.3f} {r['transfer_kib']:7.0f}  "
            f"{r['performance_runs']}"
            + (
                f"  a11y fails: {r['failed_accessibility_audits']}"
                if r["accessibility"] < 100
                else ""
            )
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    report = {"lighthouse": VERSION, "form_factor": "mobile", "pages": rows, "smoke": args.smoke}
    args.json.write_text(json.dumps(report, indent=2))
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
