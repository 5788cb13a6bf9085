"""Benchmark players.js on a 2-hour interview transcript (2,000 cues) in Chromium.

Run from the repository root:

    python bench/transcript.py                 # 2,000 cues over 7,200 s, 500 seeks
    python bench/transcript.py --cues 5000     # a longer look

It makes a 2-hour silent Opus recording (6 kb/s, reused from bench/corpus/transcript/,
git-ignored) and a page in the build's markup (player + transcript), serves it with
`immersion.httpd.StaticServer` (Range, so the recording seeks; cross-origin isolated,
so `performance.now()` has 5 µs resolution instead of 100 µs) and measures, in the page:

a. enhancing the page: players.js run as an inline script on the loaded page (parse +
   `init`), median of several loads, then the first style/layout that follows;
b. the timeupdate handler: 500 seeks to random times; after each `currentTime` is set
   (and awaiting `seeked`) the handler (`immersionPlayers._sync`) is timed alone and
   with the forced style/layout it leaves behind (players.js itself never forces one).
   Each of these calls is the worst case (a new line and a new second); a second call
   at the same time is the usual tick, where nothing changed;
c. a naive baseline in the same run: a loop over every `li` toggling a class by its
   start/end (the same CSS), timed the same two ways.

It prints a table and writes bench/results/transcript.json (`--smoke`: a few
seconds, bench/results/smoke/transcript.json; what CI runs).
"""

from __future__ import annotations

import argparse
import html
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import CHROMIUM_FLAGS  # noqa: E402

from immersion.httpd import StaticServer  # noqa: E402
from immersion.media.ffmpeg import find_ffmpeg  # noqa: E402

THEME = ROOT / "immersion/theme/players"
PROSE = (
    "the quote changed after I rang them and nobody could tell me why so I "
    "wrote it all down in the notebook by the kettle every single time"
)

MEASURE = """async (times) => {
  const a = document.getElementById('rec-long');
  const flush = () => document.body.offsetHeight;  // forces style + layout
  const naive = (t) => {
    for (const li of document.querySelectorAll('.im-transcript li.im-cue')) {
      const on = parseFloat(li.dataset.start) <= t && t < parseFloat(li.dataset.end);
      li.classList.toggle('im-naive-current', on);
    }
  };
  const out = {ours: [], ours_layout: [], ours_steady: [], naive: [], naive_layout: []};
  for (const t of times) {
    const seeked = new Promise((r) => a.addEventListener('seeked', r, {once: true}));
    a.currentTime = t;
    flush();
    let t0 = performance.now();
    immersionPlayers._sync(a);
    let t1 = performance.now();
    flush();
    let t2 = performance.now();
    out.ours.push(t1 - t0);
    out.ours_layout.push(t2 - t0);
    t0 = performance.now();
    immersionPlayers._sync(a);  // again: the usual tick, where nothing changed
    out.ours_steady.push(performance.now() - t0);
    t0 = performance.now();
    naive(t);
    t1 = performance.now();
    flush();
    t2 = performance.now();
    out.naive.push(t1 - t0);
    out.naive_layout.push(t2 - t0);
    await seeked;
  }
  const li = document.querySelector('.im-cue-current');
  out.check = {
    current: immersionPlayers.currentCue('rec-long'),
    marked: document.querySelectorAll('.im-cue-current').length,
    naive_marked: document.querySelectorAll('.im-naive-current').length,
    same: !!li && li.classList.contains('im-naive-current'),
    isolated: crossOriginIsolated,
  };
  return out;
}"""

INIT = """(source) => {
  const s = document.createElement('script');
  s.textContent = source;
  const t0 = performance.now();
  document.body.append(s);  // an inline script runs now; readyState is complete: init()
  const t1 = performance.now();
  document.body.offsetHeight;
  const t2 = performance.now();
  return {init: t1 - t0, layout: t2 - t1, bars: document.querySelectorAll('.im-bar').length};
}"""


def make_audio(folder: Path, seconds: int) -> Path:
    out = folder / f"silent-{seconds}.opus"
    if not out.exists():
        folder.mkdir(parents=True, exist_ok=True)
        source = "anullsrc=r=8000:cl=mono"
        cmd = [find_ffmpeg(), "-v", "error", "-y", "-f", "lavfi", "-i", source, "-t", str(seconds)]
        cmd += ["-c:a", "libopus", "-b:a", "6k", str(out) + ".part.opus"]
        subprocess.run(cmd, check=True)
        Path(str(out) + ".part.opus").rename(out)
    return out


def make_page(folder: Path, audio: Path, cues: int, seconds: int) -> None:
    """The build's markup: one player and its transcript, cues with gaps and overlaps."""
    rng = random.Random(2000)
    words = PROSE.split(" ")
    step = seconds / cues
    items = []
    for i in range(cues):
        start = i * step + rng.uniform(0, step * 0.2)
        end = start + step * rng.uniform(0.6, 1.1)  # some gaps, some overlaps
        voice = "Sam" if i % 3 == 0 else "Leah"
        text = " ".join(rng.choice(words) for _ in range(rng.randint(8, 30)))
        mm = f"{int(start) // 60}:{int(start) % 60:02d}"
        cls = "im-cue im-cue-interviewer" if voice == "Sam" else "im-cue"
        items.append(
            f'<li class="{cls}" id="rec-long-{i + 1}" data-start="{start:.3f}" '
            f'data-end="{end:.3f}"><button type="button" class="im-cue-time" '
            f'aria-label="Play from {mm}">{mm}</button> <span class="im-voice">{voice}</span> '
            f'<span class="im-cue-text">{html.escape(text)}</span></li>'
        )
    body = (
        '<div class="im-player" data-im-player><audio id="rec-long" controls '
        f'preload="metadata" aria-label="Interview" data-duration="{seconds:.3f}">'
        f'<source src="{audio.name}" type="audio/ogg; codecs=opus"></audio></div>'
        '<div class="im-transcript" data-for="rec-long"><ol class="im-cues">'
        + "".join(items)
        + "</ol></div>"
    )
    naive_css = (
        ".im-transcript .im-cues .im-naive-current { background: #e8eaf6;"
        " box-shadow: inset 4px 0 0 #4051b5; }"
    )
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title>'
        f'<link rel="icon" href="data:,"><link rel="stylesheet" href="players.css">'
        f"<style>{naive_css}</style></head><body><main>{body}</main></body></html>"
    )
    (folder / "index.html").write_text(page, encoding="utf-8")
    shutil.copy(THEME / "players.css", folder / "players.css")


def stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "p50": statistics.median(ordered),
        "p95": pick(0.95),
        "max": ordered[-1],
        "mean": statistics.fmean(ordered),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cues", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=7200)
    parser.add_argument("--seeks", type=int, default=500)
    parser.add_argument("--loads", type=int, default=7, help="page loads for the init timing")
    parser.add_argument("--json", type=Path, help="default: bench/results/transcript.json")
    parser.add_argument("--smoke", action="store_true", help="seconds, for CI: 50 cues, 20 seeks")
    args = parser.parse_args()
    if args.smoke:
        args.cues, args.seconds, args.seeks, args.loads = 50, 60, 20, 1
    results = ROOT / "bench/results" / ("smoke" if args.smoke else "")
    args.json = args.json or results / "transcript.json"

    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not installed")
    corpus = ROOT / "bench/corpus/transcript"
    started = time.perf_counter()
    audio = make_audio(corpus, args.seconds)
    make_page(corpus, audio, args.cues, args.seconds)
    print(f"corpus ready in {time.perf_counter() - started:.1f} s: {audio.stat().st_size} bytes")
    source = (THEME / "players.js").read_text(encoding="utf-8")
    isolate = {
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Embedder-Policy": "require-corp",
    }
    rng = random.Random(500)
    times = [round(rng.uniform(0, args.seconds - 1), 3) for _ in range(args.seeks)]

    with (
        StaticServer(corpus, headers=lambda _path: isolate) as server,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("console", lambda m: problems.append(f"{m.type}: {m.text}"))
        inits, layouts = [], []
        for _ in range(args.loads):
            page.goto(server.url)
            result = page.evaluate(INIT, source)
            assert result["bars"] == 1, result
            inits.append(result["init"])
            layouts.append(result["layout"])
        page.wait_for_function("document.getElementById('rec-long').readyState >= 1")
        started = time.perf_counter()
        out = page.evaluate(MEASURE, times)
        wall = time.perf_counter() - started
        version = browser.version
        browser.close()

    check = out.pop("check")
    assert check["marked"] == 1 and check["naive_marked"] == 1 and check["same"], check
    assert problems == [], problems
    rows = {name: stats(values) for name, values in out.items()}
    ratio = rows["naive"]["p50"] / max(rows["ours"]["p50"], 1e-6)
    ratio_layout = rows["naive_layout"]["p50"] / max(rows["ours_layout"]["p50"], 1e-6)
    init = {"init_ms": statistics.median(inits), "first_layout_ms": statistics.median(layouts)}

    print(f"Chromium {version}; {args.cues} cues over {args.seconds} s; {args.seeks} seeks")
    print(f"timer resolution: {'5 µs (isolated)' if check['isolated'] else '100 µs'}")
    print(f"(a) enhance the page: {init['init_ms']:.2f} ms (median of {args.loads} loads),")
    print(f"    then the first style/layout: {init['first_layout_ms']:.2f} ms")
    print(f"(b, c) per timeupdate, ms {'p50':>8} {'p95':>8} {'max':>8} {'mean':>8}")
    labels = {
        "ours": "players.js handler",
        "ours_layout": "  + the style/layout it causes",
        "ours_steady": "  a tick where nothing changed",
        "naive": "naive loop over every li",
        "naive_layout": "  + the style/layout it causes",
    }
    for key, label in labels.items():
        r = rows[key]
        print(f"{label:32} {r['p50']:8.3f} {r['p95']:8.3f} {r['max']:8.3f} {r['mean']:8.3f}")
    print(f"naive / ours, p50: handler {ratio:.1f}x, with style/layout {ratio_layout:.1f}x")
    print(f"({args.seeks} seeks took {wall:.1f} s of wall time)")

    args.json.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "chromium": version,
        "cues": args.cues,
        "seconds": args.seconds,
        "seeks": args.seeks,
        "cross_origin_isolated": check["isolated"],
        "players_js_bytes": len(source.encode()),
        **init,
        "per_timeupdate_ms": rows,
        "naive_over_ours_p50": ratio,
        "naive_over_ours_p50_with_layout": ratio_layout,
    }
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
