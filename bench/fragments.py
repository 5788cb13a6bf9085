"""Benchmark the audit's fragment check: seven-word runs of excluded text in published text.

Run from the repository root:

    python bench/fragments.py             # 50 excluded stories x 2,000 words; 1,000 pages
    python bench/fragments.py --pages 5000
    python bench/fragments.py --smoke     # a second: what CI runs

A synthetic corpus (seeded: the same words every run) of excluded stories and of
published pages, words drawn from a vocabulary with a few very common words (as
English has), is read the way the audit reads it, timed for:

a. indexing: every run of the excluded texts into the set (`leaks.shingles`);
b. scanning: every page as the audit tokenises it (`leaks.Text`) and looked up with
   `leaks.Fragments.find` (pairs of words that can start a run, then the run);
c. a naive baseline in the same run: every run of every page joined and looked up.

It prints a table and writes bench/results/fragments.json (`--smoke`:
bench/results/smoke/fragments.json).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from immersion.audit.leaks import SHINGLE, Fragments, Origin, Text, shingles  # noqa: E402

COMMON = ["the", "and", "a", "to", "of", "i", "it", "was", "that", "we"]


def corpus(stories: int, pages: int, words: int) -> tuple[list[list[str]], list[str]]:
    rng = random.Random(15)
    vocabulary = [f"w{i}" for i in range(20_000)] + COMMON * 300

    def text() -> list[str]:
        return [rng.choice(vocabulary) for _ in range(words)]

    excluded = [text() for _ in range(stories)]
    published = [" ".join(text()) for _ in range(pages)]
    # One page in ten quotes seven words of an excluded story: the check must find them.
    for i in range(0, pages, 10):
        story = excluded[i % stories]
        published[i] += " " + " ".join(story[100 : 100 + SHINGLE])
    return excluded, published


def run(stories: int, pages: int, words: int) -> dict[str, float | int]:
    excluded, published = corpus(stories, pages, words)
    started = time.perf_counter()
    runs: dict[str, int] = {}
    for at, story in enumerate(excluded):
        for found in shingles(story):
            runs.setdefault(found, at)
    fragments = Fragments(runs, [Origin(f"s{i}", "by consent") for i in range(stories)])
    indexed = time.perf_counter()
    tokens = [Text(page).tokens for page in published]
    tokenised = time.perf_counter()
    hits = sum(len(fragments.find(page)) for page in tokens)
    scanned = time.perf_counter()
    naive = sum(any(r in runs for r in shingles(page)) for page in tokens)
    baseline = time.perf_counter()
    assert hits == naive == len(range(0, pages, 10)), (hits, naive)
    return {
        "stories": stories,
        "pages": pages,
        "words_per_text": words,
        "runs": len(runs),
        "hits": hits,
        "index_s": round(indexed - started, 3),
        "tokenise_s": round(tokenised - indexed, 3),
        "scan_s": round(scanned - tokenised, 3),
        "naive_scan_s": round(baseline - scanned, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=50)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--json", type=Path, help="default: bench/results/fragments.json")
    parser.add_argument("--smoke", action="store_true", help="a second, for CI: 5 x 100 pages")
    args = parser.parse_args()
    if args.smoke:
        args.stories, args.pages = 5, 100
    results = ROOT / "bench/results" / ("smoke" if args.smoke else "")
    out = args.json or results / "fragments.json"
    row = run(args.stories, args.pages, args.words)
    print("| stories | pages | words each | runs | index | tokenise | scan | naive scan |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {row['stories']} | {row['pages']} | {row['words_per_text']} | {row['runs']} | "
        f"{row['index_s']:.2f} s | {row['tokenise_s']:.2f} s | {row['scan_s']:.2f} s | "
        f"{row['naive_scan_s']:.2f} s |"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    machine = {"python": platform.python_version(), "machine": platform.machine()}
    out.write_text(json.dumps({"machine": machine, "results": [row]}, indent=2) + "\n")
    print(f"written: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    main()
