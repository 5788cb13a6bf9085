"""Kiosk displays in Chromium: first paint, loop start, runtime size, memory over 8 hours.

    python bench/kiosk.py [--project DIR] [--hours 8]
    python bench/kiosk.py --smoke          # seconds: one load, a simulated hour (CI)

Builds the kiosk of the project (default: the bundled demo room) unless
build/kiosk exists, serves it on loopback with immersion's own server, and for
every display at its own resolution measures:

* LCP: the largest contentful paint of the entry page (PerformanceObserver), on a
  copy of the room without opening hours (so it is open whenever this runs);
* loop start: when the first slide became current (a MutationObserver installed
  before any script of the page runs);
* memory: JS heap and DOM nodes after a forced GC, 10 simulated minutes in and
  again after `--hours` simulated hours of looping on Playwright's fake clock.

The baseline of the memory figure is the same page, the same run, 10 minutes in.
Prints a table and writes bench/results/kiosk.json (--smoke:
bench/results/smoke/kiosk.json).
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import CHROMIUM_FLAGS  # noqa: E402

from immersion.commands import build  # noqa: E402
from immersion.httpd import StaticServer  # noqa: E402

WATCH = """
(() => {
  window.__ik = {loop: null, lcp: 0};
  new MutationObserver((records, observer) => {
    if (document.querySelector('.ik-slide.ik-current')) {
      window.__ik.loop = performance.now();
      observer.disconnect();
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ['class'],
                        childList: true});
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__ik.lcp = entry.startTime;
  }).observe({type: 'largest-contentful-paint', buffered: true});
})();
"""


def displays(site: Path) -> list[dict[str, Any]]:
    found = []
    for entry in sorted(site.glob("*/index.html")):
        html = entry.read_text(encoding="utf-8")
        start = html.find('id="ik-config"')
        if start < 0:
            continue
        body = html[html.index(">", start) + 1 : html.index("</script>", start)]
        found.append(json.loads(body))
    return found


def heap(page: Any) -> dict[str, float]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    cdp.send("HeapProfiler.collectGarbage")
    used = cdp.send("Runtime.getHeapUsage")["usedSize"]
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    cdp.detach()
    return {"heap_mb": used / 1e6, "nodes": metrics.get("Nodes", 0.0)}


def measure(
    browser: Any, url: str, config: dict[str, Any], hours: float, loads: int = 3
) -> dict[str, Any]:
    width, height = config["resolution"]
    # Paint and loop start on the real clock, three loads, the median.
    paints, loops = [], []
    for _ in range(loads):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.add_init_script(WATCH)
        page.goto(url)
        page.wait_for_function("window.__ik.loop !== null", timeout=10_000)
        page.wait_for_timeout(2000)  # LCP is reported once the page has painted it
        result = page.evaluate("window.__ik")
        paints.append(result["lcp"])
        loops.append(result["loop"])
        context.close()
    # Memory on a fake clock, opened at 10:00 in the room so the loop runs.
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.clock.install(time=_ten_am(config))
    page.goto(url)
    page.wait_for_selector(".ik-slide.ik-current", state="attached")
    page.clock.run_for(10 * 60 * 1000)
    before = heap(page)
    started = time.perf_counter()
    for _ in range(int(hours * 4)):
        page.clock.run_for(15 * 60 * 1000)
    after = heap(page)
    wall = time.perf_counter() - started
    slide = page.evaluate("window.immersionKiosk && window.immersionKiosk.current()")
    context.close()
    return {
        "display": config["display"],
        "resolution": f"{width}x{height}",
        "lcp_ms": statistics.median(paints),
        "loop_ms": statistics.median(loops),
        "heap_10min_mb": before["heap_mb"],
        "heap_end_mb": after["heap_mb"],
        "heap_growth_pct": 100 * (after["heap_mb"] - before["heap_mb"]) / before["heap_mb"],
        "nodes_10min": before["nodes"],
        "nodes_end": after["nodes"],
        "simulated_hours": hours,
        "simulation_wall_s": wall,
        "slide_at_end": slide,
    }


def _ten_am(config: dict[str, Any]) -> str:
    # 10:00 in the room's own zone, written as an ISO time Playwright accepts.
    import datetime as dt
    import zoneinfo

    zone = zoneinfo.ZoneInfo(config.get("timezone") or "UTC")
    return dt.datetime(2026, 11, 23, 10, 0, tzinfo=zone).isoformat()


def open_all_day(project: Path) -> Path:
    """A copy of the room without opening hours, so the loop runs whenever this is run.

    Paint and loop start are timed on the real clock (a fake clock fakes
    `performance.now()` too); a closed room would only show its quiet slide.
    """
    copy = ROOT / "bench" / "corpus" / "kiosk-open"
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--project", type=Path, default=ROOT)
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--loads", type=int, default=3, help="page loads per display")
    parser.add_argument("--json", type=Path, help="default: bench/results/kiosk.json")
    parser.add_argument("--smoke", action="store_true", help="seconds, for CI: 1 load, 1 hour")
    args = parser.parse_args()
    if args.smoke:
        args.hours, args.loads = 1.0, 1
    results = ROOT / "bench" / "results" / ("smoke" if args.smoke else "")
    args.json = args.json or results / "kiosk.json"
    project = open_all_day(args.project)
    site = project / "build" / "kiosk"
    out = io.StringIO()
    code = build.run(project, audiences=("kiosk",), out=out)
    if code:
        print(out.getvalue())
        return code
    from playwright.sync_api import sync_playwright

    runtime = site / "assets/immersion/javascripts/kiosk.js"
    rows = []
    with StaticServer(site) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_FLAGS)
        for config in displays(site):
            url = server.url + config["display"] + "/"
            rows.append(measure(browser, url, config, args.hours, args.loads))
        browser.close()
    print(f"kiosk.js: {runtime.stat().st_size} bytes")
    print(
        f"{'display':16} {'size':>10} {'LCP ms':>8} {'loop ms':>8} "
        f"{'heap 10min':>11} {'heap end':>9} {'growth':>7} {'nodes':>11}"
    )
    for r in rows:
        print(
            f"{r['display']:16} {r['resolution']:>10} {r['lcp_ms']:8.0f} {r['loop_ms']:8.0f} "
            f"{r['heap_10min_mb']:9.2f}MB {r['heap_end_mb']:7.2f}MB "
            f"{r['heap_growth_pct']:6.1f}% {r['nodes_10min']:5.0f}->{r['nodes_end']:<5.0f}"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    report = {"kiosk_js_bytes": runtime.stat().st_size, "displays": rows, "smoke": args.smoke}
    args.json.write_text(json.dumps(report, indent=2))
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
