"""A display's memory over 8 simulated hours, reporting to `immersion kiosk` (room.js).

    python bench/kiosk_memory.py [--hours 8] [--display entrance]
    python bench/kiosk_memory.py --smoke     # seconds: 20 simulated minutes (CI)

Builds the kiosk of a copy of the bundled demo room without opening hours (so its loop
runs whenever this is run), then runs one display's loop in headless Chromium on
Playwright's fake clock (`page.clock`, as tests/room/test_room_kiosk.py drives it),
a simulated minute at a time, three ways:

* **baseline**: the built site served by immersion's plain static server: the page
  carries no `<meta name="immersion-room">`, so room.js reports nothing;
* **online**: served by `immersion kiosk` (its /_room/ endpoints and room database):
  a heartbeat a minute, every slide shown stored in IndexedDB and sent (after each
  simulated minute the run waits, in real time, until the store is empty again: the
  requests are real; the server's per-client rate limit, which counts real seconds, is
  lifted for this run, since the display runs hundreds of times faster than real);
* **offline**: the same server, the browser offline the whole time, so the store
  fills up to its cap (lowered to `--cap` events, from 50,000, so it fills within the
  run: the oldest are dropped and counted from then on).

JS heap (`Runtime.getHeapUsage` after `HeapProfiler.collectGarbage`), DOM nodes and
event listeners (`Performance.getMetrics`) are read at the start and every simulated
hour. The added memory of a run is its heap at the end less its heap at the start;
the issue's goal is under 1 MB over 8 hours. Prints a table and writes
bench/results/kiosk_memory.json (--smoke: bench/results/smoke/kiosk_memory.json).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import shutil
import sys
import threading
import time
import zoneinfo
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from browser import CHROMIUM_FLAGS  # noqa: E402

from immersion.commands import build, kiosk  # noqa: E402
from immersion.httpd import StaticServer  # noqa: E402
from immersion.room import endpoints  # noqa: E402

MINUTE = 60_000


def open_all_day(project: Path, copy: Path) -> Path:
    """A copy of the room without opening hours: its loop runs at any hour."""
    for name in ("content", "themes"):
        shutil.rmtree(copy / name, ignore_errors=True)
        shutil.copytree(project / name, copy / name)
    shutil.copy(project / "mkdocs.yml", copy / "mkdocs.yml")
    room = copy / "content" / "room.yml"
    room.write_text(
        "".join(
            line
            for line in room.read_text().splitlines(keepends=True)
            if not line.startswith("opening_hours:")
        )
    )
    return copy


def config_of(site: Path, display: str) -> dict[str, Any]:
    html = (site / display / "index.html").read_text(encoding="utf-8")
    start = html.index('id="ik-config"')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return dict(json.loads(body))


def ten_am(config: dict[str, Any]) -> str:
    zone = zoneinfo.ZoneInfo(config.get("timezone") or "UTC")
    return dt.datetime(2026, 11, 23, 10, 0, tzinfo=zone).isoformat()


def memory(page: Any) -> dict[str, float]:
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("Performance.enable")
        cdp.send("HeapProfiler.collectGarbage")
        used = cdp.send("Runtime.getHeapUsage")["usedSize"]
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    finally:
        cdp.detach()
    return {
        "heap_bytes": float(used),
        "nodes": metrics.get("Nodes", 0.0),
        "listeners": metrics.get("JSEventListeners", 0.0),
    }


class Served:
    """`immersion kiosk DISPLAY` on a free port, in a thread (as the room tests run it)."""

    def __init__(self, project: Path, display: str) -> None:
        for f in (project / "build" / ".room").glob("room.sqlite*"):
            f.unlink()
        self.out = io.StringIO()
        started = threading.Event()
        self.server: StaticServer | None = None

        def ready(server: StaticServer) -> None:
            self.server = server
            started.set()

        self.thread = threading.Thread(
            target=kiosk.run,
            args=(project, display),
            kwargs={"port": 0, "out": self.out, "ready": ready},
            daemon=True,
        )
        self.thread.start()
        if not started.wait(60):
            raise SystemExit(f"immersion kiosk {display} did not start:\n{self.out.getvalue()}")
        assert self.server is not None
        self.url: str = self.server.url

    def stop(self) -> None:
        assert self.server is not None
        self.server.stop()
        self.thread.join(10)


def lift_rate_limit() -> None:
    """The fake clock runs a display hundreds of times faster than real time, while the
    server's per-client limit counts real seconds: it would turn the display away (429)
    and the store would only grow. Lifted here, for this server alone."""
    defaults = endpoints.RateLimit.__init__.__defaults__
    assert defaults is not None and len(defaults) == 4
    endpoints.RateLimit.__init__.__defaults__ = (1e9, 1e9, *defaults[2:])


def settle(page: Any, offline: bool, before: dict[str, int]) -> None:
    """Online: wait (real time) until this minute's heartbeat is answered and the batch
    it sends has reached the server, as it would within the minute at the room's pace
    (the fake clock fires the page's timers, the requests take real time); offline,
    until the store has what the minute finished."""
    if offline:
        page.evaluate("immersionRoom.stored()")
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        now = page.evaluate(
            "async () => ({beats: immersionRoom.beats, sent: immersionRoom.sent,"
            " stored: await immersionRoom.stored()})"
        )
        if now["beats"] > before["beats"] and (now["sent"] > before["sent"] or not now["stored"]):
            return
        time.sleep(0.01)


def run(
    browser: Any,
    url: str,
    config: dict[str, Any],
    hours: float,
    every: int,
    reports: bool,
    offline: bool = False,
    cap: int | None = None,
) -> dict[str, Any]:
    """The loop for `hours` simulated hours; memory at the start and every `every`
    simulated minutes."""
    width, height = config["resolution"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))
    page.clock.install(time=ten_am(config))
    page.goto(url)
    page.wait_for_function("window.immersionKiosk && immersionKiosk.current() >= 0")
    if reports:
        page.wait_for_function("window.immersionRoom && immersionRoom.beats > 0", timeout=30_000)
        if cap is not None:
            page.evaluate(f"() => {{ immersionRoom.cap = {cap}; }}")
    if offline:
        context.set_offline(True)
    samples = [{"minute": 0, **memory(page)}]
    began = time.perf_counter()
    for minute in range(1, int(hours * 60) + 1):
        before = (
            page.evaluate("({beats: immersionRoom.beats, sent: immersionRoom.sent})")
            if reports
            else {}
        )
        page.clock.run_for(MINUTE)
        if reports:  # the store's writes and the requests are real (not faked) work
            settle(page, offline, before)
        if minute % every == 0:
            samples.append({"minute": minute, **memory(page)})
    wall = time.perf_counter() - began
    room = (
        page.evaluate(
            "async () => ({stored: await immersionRoom.stored(), sent: immersionRoom.sent,"
            " beats: immersionRoom.beats, reloads: immersionRoom.reloads,"
            " dropped: JSON.parse(localStorage.getItem("
            f"'ik-room-dropped {config['display']}') || 'null')}})"
        )
        if reports
        else None
    )
    context.close()
    first, last = samples[0], samples[-1]
    return {
        "samples": samples,
        "added_bytes": last["heap_bytes"] - first["heap_bytes"],
        "peak_added_bytes": max(s["heap_bytes"] for s in samples) - first["heap_bytes"],
        "nodes": [first["nodes"], last["nodes"]],
        "listeners": [first["listeners"], last["listeners"]],
        "reloads": len(loads) - 1,
        "room": room,
        "wall_s": wall,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--every", type=int, default=60, help="simulated minutes a sample")
    parser.add_argument("--display", default="entrance")
    parser.add_argument("--cap", type=int, default=1000, help="the offline store's cap")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--json", type=Path, help="default: bench/results/kiosk_memory.json")
    parser.add_argument("--smoke", action="store_true", help="seconds, for CI: 20 minutes")
    args = parser.parse_args(argv)
    if args.smoke:
        args.hours, args.every, args.cap = 20 / 60, 10, 50
    results = ROOT / "bench" / "results" / ("smoke" if args.smoke else "")
    args.json = args.json or results / "kiosk_memory.json"
    project = open_all_day(ROOT, ROOT / "bench" / "corpus" / "kiosk-memory")
    out = io.StringIO()
    if build.run(project, audiences=("kiosk",), out=out):
        print(out.getvalue())
        raise SystemExit(1)
    site = project / "build" / "kiosk"
    config = config_of(site, args.display)
    from playwright.sync_api import sync_playwright

    runs: dict[str, dict[str, Any]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_FLAGS)
        try:
            with StaticServer(site) as plain:
                url = plain.url + args.display + "/"
                runs["baseline"] = run(browser, url, config, args.hours, args.every, False)
            lift_rate_limit()
            served = Served(project, args.display)
            try:
                url = served.url + args.display + "/"
                runs["online"] = run(browser, url, config, args.hours, args.every, True)
                runs["offline"] = run(
                    browser, url, config, args.hours, args.every, True, True, args.cap
                )
            finally:
                served.stop()
        finally:
            browser.close()
    load = os.getloadavg()
    print(
        f"display {args.display}, {args.hours:g} simulated hours, a sample every "
        f"{args.every} simulated minutes; load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f}"
    )
    print(
        f"{'run':<10}{'heap start':>12}{'heap end':>11}{'added':>10}{'peak added':>12}"
        f"{'nodes':>12}{'listeners':>11}{'reloads':>9}{'wall s':>8}"
    )
    for name, r in runs.items():
        first, last = r["samples"][0], r["samples"][-1]
        print(
            f"{name:<10}{first['heap_bytes'] / 1e6:>10.2f}MB{last['heap_bytes'] / 1e6:>9.2f}MB"
            f"{r['added_bytes'] / 1e3:>8.0f}kB{r['peak_added_bytes'] / 1e3:>10.0f}kB"
            f"{r['nodes'][0]:>6.0f}->{r['nodes'][1]:<5.0f}"
            f"{r['listeners'][0]:>5.0f}->{r['listeners'][1]:<5.0f}"
            f"{r['reloads']:>9}{r['wall_s']:>8.1f}"
        )
    for name in ("online", "offline"):
        print(f"{name}: {runs[name]['room']}")
    report = {
        "display": args.display,
        "hours": args.hours,
        "every_minutes": args.every,
        "offline_cap": args.cap,
        "load_average": [round(x, 2) for x in load],
        "runs": runs,
        "smoke": args.smoke,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")
    return report


if __name__ == "__main__":
    main()
