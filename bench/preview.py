"""Benchmark `immersion serve` against `mkdocs serve` on the same site.

    python bench/preview.py                          # N = 100, 500, 1000; 20 edits each
    python bench/preview.py --sizes 100 --edits 5    # quicker
    python bench/preview.py --json bench/results/preview.json
    python bench/preview.py --smoke                  # seconds: N = 10, 2 edits, few photos (CI)

For each size N, `make_corpus.py` writes a text-only room (bench/corpus/n<N>/,
git-ignored). Then, in one run, on this machine:

* **save -> reload** (p50/p95 over E edits): a headless Chromium has a story page
  open; the bench saves the story with a new word and times until the reloaded
  page holding the word first paints (`first-contentful-paint` of that document,
  on the wall clock, like the save). For immersion the file saved is
  the story's `content/stories/<id>/index.md`, served by `immersion serve`; for
  mkdocs it is that story's page in a copy of the Markdown immersion generates
  (build/.preview/intranet/staging), served by `mkdocs serve --livereload` (full
  rebuilds, its default) and `mkdocs serve --livereload --dirty`;
* **new photo** (N = 100 only): a 12-megapixel JPEG with EXIF is copied into a
  story's folder and placed in its text; time until the browser has decoded it;
* **200 photos** (N = 100 only): 200 JPEGs dropped into a story folder as a file
  manager would copy them; the rebuilds `immersion serve` reports are counted;
* **idle CPU** (largest N, with extra files so that >= 3,000 are watched): the
  serve process's CPU time over 30 s of nothing happening, as % of one core.

Prints a table and writes everything to the JSON file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "tests"))

from browser import CHROMIUM_FLAGS, chromium_path  # noqa: E402

TODAY = dt.date.today()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def corpus(n: int) -> Path:
    out = BENCH / "corpus" / f"n{n}"
    if not (out / "content").is_dir():
        subprocess.run(
            [sys.executable, str(BENCH / "make_corpus.py"), "--stories", str(n), "--out", str(out)],
            check=True,
        )
    return out


def env() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONUNBUFFERED": "1"}


class Server:
    """A serve process; its output lines are kept (immersion prints one per rebuild)."""

    def __init__(self, cmd: list[str], ready: str, cwd: Path | None = None) -> None:
        self.lines: list[tuple[float, str]] = []
        self.process = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env(),
            cwd=cwd,
        )
        self._ready = threading.Event()
        self._pattern = re.compile(ready)
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(900):
            self.stop()
            raise RuntimeError(f"{cmd[:4]} never became ready:\n" + self.output())

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append((time.monotonic(), line.rstrip()))
            if self._pattern.search(line):
                self._ready.set()

    def output(self) -> str:
        return "\n".join(line for _t, line in self.lines)

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def pick_story(project: Path) -> str:
    staging = project / "build" / ".preview" / "intranet" / "staging" / "docs" / "stories"
    ids = sorted(p.stem for p in staging.glob("s*.md"))
    return ids[len(ids) // 2]


# In every document: the wall-clock time of its first contentful paint, the moment a
# reloaded page shows anything (its text arrives with the HTML, so: the new text).
FIRST_PAINT = """
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.name === "first-contentful-paint") {
      window.__firstPaint = performance.timeOrigin + entry.startTime;
    }
  }
}).observe({ type: "paint", buffered: true });
"""


def time_edits(page: Any, url: str, source: Path, edits: int, label: str) -> list[float]:
    """Save `source` with a new word `edits` times; seconds from each save until the
    reloaded page that holds the new word first paints (same measure for every server)."""
    page.add_init_script(FIRST_PAINT)
    page.goto(url)
    page.wait_for_load_state("load")
    original = source.read_text(encoding="utf-8")
    times = []
    try:
        for i in range(edits):
            word = f"Zqx{label}{i}Word"
            text = original.rstrip("\n") + f"\n\nEdited: {word}.\n"
            started = time.time()
            source.write_text(text, encoding="utf-8")
            page.wait_for_function(
                "w => document.body && document.body.innerText.includes(w) && window.__firstPaint",
                arg=word,
                polling="raf",
                timeout=120_000,
            )
            painted = page.evaluate("window.__firstPaint") / 1000
            times.append(painted - started)
            page.wait_for_load_state("load")
            time.sleep(0.3)  # an editor does not save twice within a debounce window
    finally:
        source.write_text(original, encoding="utf-8")
    return times


def stats(times: list[float]) -> dict[str, Any]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000),
        "p95_ms": round(p95 * 1000),
        "runs_ms": [round(t * 1000) for t in times],
    }


def immersion_serve(project: Path) -> tuple[Server, str]:
    port = free_port()
    server = Server(
        [
            sys.executable,
            "-m",
            "immersion",
            "-C",
            str(project),
            "serve",
            "--port",
            str(port),
            "--date",
            TODAY.isoformat(),
        ],
        ready=r"preview: http://",
    )
    return server, f"http://127.0.0.1:{port}/"


def mkdocs_serve(staging: Path, dirty: bool) -> tuple[Server, str]:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "mkdocs",
        "serve",
        "-f",
        str(staging / "mkdocs.yml"),
        "-a",
        f"127.0.0.1:{port}",
        "--livereload",
    ]
    if dirty:
        cmd.append("--dirty")
    return Server(cmd, ready=r"Serving on"), f"http://127.0.0.1:{port}/"


def bench_size(browser: Any, n: int, edits: int) -> dict[str, Any]:
    project = corpus(n)
    result: dict[str, Any] = {"n": n, "edits": edits}
    server, url = immersion_serve(project)
    try:
        story = pick_story(project)
        page = browser.new_page()
        source = project / "content" / "stories" / story / "index.md"
        result["story"] = story
        result["immersion"] = stats(
            time_edits(page, f"{url}stories/{story}/", source, edits, "imm")
        )
        page.close()
        result["immersion_first_build_s"] = round(server.lines[-1][0] - server.lines[0][0], 2)
    finally:
        server.stop()
    # mkdocs serves a copy of the very Markdown immersion generated for this room.
    staging = project / "build" / ".preview" / "mkdocs-staging"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(project / "build" / ".preview" / "intranet" / "staging", staging)
    for label, dirty in (("mkdocs", False), ("mkdocs_dirty", True)):
        server, url = mkdocs_serve(staging, dirty)
        try:
            page = browser.new_page()
            source = staging / "docs" / "stories" / f"{story}.md"
            result[label] = stats(time_edits(page, f"{url}stories/{story}/", source, edits, label))
            page.close()
        finally:
            server.stop()
    shutil.rmtree(staging, ignore_errors=True)
    result["ratio_p50"] = round(
        result["mkdocs"]["p50_ms"] / max(1, result["immersion"]["p50_ms"]), 1
    )
    result["ratio_p50_dirty"] = round(
        result["mkdocs_dirty"]["p50_ms"] / max(1, result["immersion"]["p50_ms"]), 1
    )
    return result


def twelve_megapixels(path: Path, seed: int = 0) -> None:
    import random

    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    image = Image.new("RGB", (4000, 3000), (rnd.randrange(256), 120, 90))
    draw = ImageDraw.Draw(image)
    for _ in range(300):  # texture, so the JPEG is photo-sized, not a flat colour
        x, y = rnd.randrange(4000), rnd.randrange(3000)
        draw.ellipse((x, y, x + 200, y + 150), fill=(rnd.randrange(256), rnd.randrange(256), 60))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate
    exif[0x010F] = "BenchCam"
    image.save(path, quality=92, exif=exif)


def bench_photos(browser: Any, n: int, new: int = 3, dropped: int = 200) -> dict[str, Any]:
    project = corpus(n)
    out: dict[str, Any] = {}
    server, url = immersion_serve(project)
    try:
        story = pick_story(project)
        bundle = project / "content" / "stories" / story
        source = bundle / "index.md"
        original = source.read_text(encoding="utf-8")
        page = browser.new_page()
        page.goto(f"{url}stories/{story}/")
        photo_times = []
        try:
            for i in range(new):
                # a photo the media cache has never seen (a new seed per run and photo)
                scratch = BENCH / "corpus" / f"photo-12mp-{i}.jpg"
                twelve_megapixels(scratch, seed=time.time_ns() + i)
                started = time.monotonic()
                shutil.copyfile(scratch, bundle / f"new-{i}.jpg")
                text = original.rstrip("\n") + f"\n\n![Boxes in the hall {i}](new-{i}.jpg)\n"
                source.write_text(text, encoding="utf-8")
                page.wait_for_function(
                    "alt => { const i = document.querySelector(`img[alt='${alt}']`);"
                    " return i && i.complete && i.naturalWidth > 0; }",
                    arg=f"Boxes in the hall {i}",
                    polling="raf",
                    timeout=120_000,
                )
                photo_times.append(time.monotonic() - started)
                time.sleep(0.5)
        finally:
            source.write_text(original, encoding="utf-8")
            for i in range(new):
                (bundle / f"new-{i}.jpg").unlink(missing_ok=True)
        out["new_12mp_photo"] = stats(photo_times)
        time.sleep(2)

        # 200 photos dropped into the story's folder
        small = BENCH / "corpus" / "photo-small.jpg"
        from PIL import Image

        Image.new("RGB", (1600, 1200), (90, 120, 160)).save(small, quality=85)
        before = len(server.lines)
        drop = bundle / "drop"
        drop.mkdir(exist_ok=True)
        started = time.monotonic()
        for i in range(dropped):
            shutil.copyfile(small, drop / f"IMG_{i:04}.jpg")
        copied = time.monotonic() - started
        time.sleep(4)
        rebuilds = [
            line for _t, line in server.lines[before:] if re.search(r"rebuilt|not rebuilt", line)
        ]
        shutil.rmtree(drop)
        out["drop_200_photos"] = {
            "photos": dropped,
            "copy_seconds": round(copied, 2),
            "rebuilds": len(rebuilds),
            "lines": rebuilds,
        }
        page.close()
    finally:
        server.stop()
    return out


def bench_idle(n: int, seconds: float = 30.0) -> dict[str, Any]:
    project = corpus(n)
    # Researchers keep raw files beside the stories: make sure >= 3,000 files are watched.
    extra = 0
    for bundle in sorted((project / "content" / "stories").iterdir()):
        for k in range(2):
            path = bundle / f"notes-{k}.txt"
            if not path.exists():
                path.write_text("field notes\n", encoding="utf-8")
        extra += 2
    watched = sum(len(files) for _d, _s, files in os.walk(project / "content"))
    server, _url = immersion_serve(project)
    try:
        time.sleep(3)
        cpu0, t0 = server.cpu_seconds(), time.monotonic()
        time.sleep(seconds)
        cpu1, t1 = server.cpu_seconds(), time.monotonic()
    finally:
        server.stop()
        for bundle in (project / "content" / "stories").iterdir():
            for k in range(2):
                (bundle / f"notes-{k}.txt").unlink(missing_ok=True)
    return {
        "files_watched": watched,
        "seconds": seconds,
        "cpu_seconds": round(cpu1 - cpu0, 3),
        "cpu_percent": round(100 * (cpu1 - cpu0) / (t1 - t0), 2),
    }


def table(results: list[dict[str, Any]]) -> str:
    rows = [
        "| stories | immersion serve p50 / p95 | mkdocs serve p50 / p95 | "
        "mkdocs serve --dirty p50 / p95 | ratio (full / dirty) |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        rows.append(
            f"| {r['n']} | {r['immersion']['p50_ms']} / {r['immersion']['p95_ms']} ms "
            f"| {r['mkdocs']['p50_ms']} / {r['mkdocs']['p95_ms']} ms "
            f"| {r['mkdocs_dirty']['p50_ms']} / {r['mkdocs_dirty']['p95_ms']} ms "
            f"| {r['ratio_p50']}x / {r['ratio_p50_dirty']}x |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 1000])
    p.add_argument("--edits", type=int, default=20)
    p.add_argument("--idle-seconds", type=float, default=30.0)
    p.add_argument("--skip-photos", action="store_true")
    p.add_argument("--json", type=Path, help="default: bench/results/preview.json")
    p.add_argument(
        "--smoke",
        action="store_true",
        help="seconds, for CI: N = 10, 2 edits, 1 new photo, 10 dropped, 2 s idle",
    )
    args = p.parse_args(argv)
    photos = {"new": 3, "dropped": 200}
    if args.smoke:
        args.sizes, args.edits, args.idle_seconds = [10], 2, 2.0
        photos = {"new": 1, "dropped": 10}
    args.json = args.json or BENCH / "results" / ("smoke" if args.smoke else "") / "preview.json"
    from playwright.sync_api import sync_playwright

    report: dict[str, Any] = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "sizes": [],
    }
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            for n in args.sizes:
                print(f"n={n}: save -> reload, {args.edits} edits each…", flush=True)
                report["sizes"].append(bench_size(browser, n, args.edits))
                print(table(report["sizes"][-1:]), flush=True)
            if not args.skip_photos:
                print("photos…", flush=True)
                report["photos"] = bench_photos(browser, min(args.sizes), **photos)
        finally:
            browser.close()
    print("idle CPU…", flush=True)
    report["idle"] = bench_idle(max(args.sizes), args.idle_seconds)
    print()
    print(table(report["sizes"]))
    if "photos" in report:
        ph = report["photos"]
        print(
            f"new 12 MP photo visible: p50 {ph['new_12mp_photo']['p50_ms']} ms, "
            f"max {max(ph['new_12mp_photo']['runs_ms'])} ms"
        )
        print(
            f"{ph['drop_200_photos']['photos']} photos dropped in "
            f"{ph['drop_200_photos']['copy_seconds']} s: "
            f"{ph['drop_200_photos']['rebuilds']} rebuild(s)"
        )
    idle = report["idle"]
    print(
        f"idle: {idle['cpu_percent']} % of a core over {idle['seconds']} s "
        f"with {idle['files_watched']} files watched"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"-> {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
