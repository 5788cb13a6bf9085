"""Benchmark the intranet's room page: a year of the displays' events read and drawn.

Run from the repository root:

    python bench/room_page.py                  # 5,000,000 events: a year of 20 displays
    python bench/room_page.py --events 500000
    python bench/room_page.py --smoke          # 5,000 events: what CI runs
    python bench/room_page.py --legacy         # a database of version 1 (no rollups)

A synthetic room database (seeded: the same events every run) is written the way
the server writes it, with the room schema (`immersion/room/schema.py`): 20 displays
in opening hours, a slide every 30 to 90 seconds, one showing in twenty tapped, one
opened page in five with a recording started. It is written with `executemany`,
the indexes made after the rows (as a bulk load would), then its day rollups, which
the server keeps as it stores events, are computed from scratch as the server does for
a database of version 1 (`rollups.rebuild`; timed apart). Then it times:

a. the page's reading (`immersion.render.intranet.room.read_database`: the rollups;
   `--legacy`: each day's sums into the build's cache) and drawing (`figures_text`,
   the demo room's items naming the rows): what `immersion build` does for the page,
   twice: the first build (an empty cache) and the next one (`--legacy`: the cache
   holds every day but the last, which is read again, as a nightly build does);
b. a raw baseline in the same run: one `SELECT COUNT(*), SUM(seconds)` over the
   table, the least any reading of every row must cost.

It prints a table and writes bench/results/room_page.json (`--smoke`:
bench/results/smoke/room_page.json). The database is kept in bench/results/ between
runs with the same size (delete it to generate again).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from immersion.room import rollups  # noqa: E402
from immersion.room.schema import V1_STATEMENTS, VERSION  # noqa: E402
from immersion.room.schema import statements as schema_for  # noqa: E402

DISPLAYS = 20
# The demo room's items (the page names them), and one no longer in the room.
ITEMS = (
    [f"story:{s}" for s in ("p07", "diary-p11", "email-p11", "film-p14", "story-p19", "p21")]
    + ["persona:maya", "persona:raj", "persona:dot", "journey:moving-home", "journey:paying-bills"]
    + ["insight:one-number-to-trust", "action:single-moving-price", "story:gone"]
)
YEAR_START = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)  # a Monday
OPEN_HOURS = (8, 19)
Row = tuple[object, ...]


def stamp(t: float) -> str:
    """The schema's time: ISO 8601 UTC, milliseconds, a trailing Z."""
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def events(total: int, seed: int = 17) -> Iterator[Row]:
    """`total` events, in time order: slides, and the taps and listens they lead to."""
    rng = random.Random(seed)
    # Spread over a year's opening hours: the gap between slides on one display.
    open_seconds = 365 * (OPEN_HOURS[1] - OPEN_HOURS[0]) * 3600
    step = open_seconds * DISPLAYS / total
    n = 0
    clock = [0.0] * DISPLAYS
    valid = "2031-01-01T00:00:00.000Z"
    while n < total:
        d = n % DISPLAYS
        clock[d] += step * rng.uniform(0.5, 1.5)
        day, within = divmod(clock[d], (OPEN_HOURS[1] - OPEN_HOURS[0]) * 3600)
        t = YEAR_START.timestamp() + day * 86400 + OPEN_HOURS[0] * 3600 + within
        item = ITEMS[int(rng.triangular(0, len(ITEMS), 0))]
        display = f"display-{d:02d}"
        seconds = round(rng.uniform(8, 20), 1)
        yield (
            f"e{n}",
            display,
            "slide",
            item,
            None,
            stamp(t),
            seconds,
            1,
            None,
            valid,
            "b1",
            stamp(t),
        )
        n += 1
        if rng.random() < 0.05 and n < total:
            at = t + rng.uniform(0, seconds)
            spent = round(rng.expovariate(1 / 60), 1)
            yield (
                f"e{n}",
                display,
                "open",
                item,
                None,
                stamp(at),
                spent,
                None,
                None,
                valid,
                "b1",
                stamp(at),
            )
            n += 1
            if rng.random() < 0.2 and n < total:
                heard = round(rng.uniform(1, 90), 1)
                yield (
                    f"e{n}",
                    display,
                    "listen",
                    item,
                    "interview",
                    stamp(at + 2),
                    heard,
                    int(heard > 60),
                    None,
                    valid,
                    "b1",
                    stamp(at + 2),
                )
                n += 1


def write_database(path: Path, total: int, legacy: bool = False) -> float:
    """The events, written fast: one transaction, `executemany`, indexes after the rows;
    then the day rollups the server keeps as it stores events, computed the way the
    server computes them for a database of version 1 (`rollups.rebuild`), unless
    `legacy` (a database of version 1: no rollups). Returns the seconds of the rollups."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    con = sqlite3.connect(partial)
    summed = 0.0
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        statements = V1_STATEMENTS if legacy else schema_for(postgres=False)
        tables = [s for s in statements if "CREATE INDEX" not in s]
        indexes = [s for s in statements if "CREATE INDEX" in s]
        for statement in tables:
            con.execute(statement)
        con.execute("INSERT INTO schema_version VALUES (?)", (1 if legacy else VERSION,))
        con.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", events(total))
        for statement in indexes:
            con.execute(statement)
        if not legacy:
            started = time.perf_counter()
            rollups.rebuild(con.cursor(), postgres=False)
            summed = time.perf_counter() - started
        con.commit()
    finally:
        con.close()
    partial.rename(path)
    return summed


def baseline(path: Path) -> float:
    started = time.perf_counter()
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        con.execute("SELECT COUNT(*), SUM(seconds) FROM events").fetchone()
    finally:
        con.close()
    return time.perf_counter() - started


def renderer(scratch: Path) -> object:
    """The intranet renderer of the demo room (its items name the page's rows)."""
    from immersion.audience import for_audience
    from immersion.load import load
    from immersion.media.renditions import Renditions
    from immersion.project import Project
    from immersion.render.assets import Assets
    from immersion.render.intranet import IntranetRenderer
    from immersion.render.staging import Staging

    day = dt.date(2026, 11, 22)
    library, _problems = load(Project(ROOT), day)
    view = for_audience(library, "intranet", day)
    staging = Staging(scratch)
    assets = Assets(staging, Project(ROOT), Renditions(), [])
    return IntranetRenderer(view, staging, assets, day)


def page(path: Path, scratch: Path, summary: Path) -> tuple[float, float, int]:
    """Seconds to read the figures, seconds to draw the page, the page's size."""
    from immersion.render.intranet.room import figures_text, read_database

    r = renderer(scratch)
    started = time.perf_counter()
    figures = read_database(path, summary)
    read = time.perf_counter()
    text = figures_text(r, figures)  # type: ignore[arg-type]
    drawn = time.perf_counter()
    return read - started, drawn - read, len(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--json", type=Path, help="default: bench/results/room_page.json")
    parser.add_argument("--smoke", action="store_true", help="a second, for CI: 5,000 events")
    parser.add_argument(
        "--legacy",
        action="store_true",
        help="a database of version 1 (no rollups): the build sums its events, a day at a time",
    )
    args = parser.parse_args()
    if args.smoke:
        args.events = 5_000
    results = ROOT / "bench/results" / ("smoke" if args.smoke else "")
    out = args.json or results / "room_page.json"
    name = f"room-{args.events}{'-v1' if args.legacy else '-v2'}"
    db = results / f"{name}.sqlite"
    generated = summed = 0.0
    if not db.exists():
        started = time.perf_counter()
        summed = write_database(db, args.events, args.legacy)
        generated = time.perf_counter() - started
    raw = baseline(db)
    summary = results / f"{name}.summary.sqlite"
    summary.unlink(missing_ok=True)
    cold, drawn, size = page(db, results / "staging", summary)
    # The next build. Version 1: every day's sums come from the cache, the last day is
    # read again; version 2 reads the rollups again.
    warm, drawn_again, _size = page(db, results / "staging", summary)
    row = {
        "events": args.events,
        "database": "version 1 (no rollups)" if args.legacy else "version 2 (rollups)",
        "generate_s": round(generated, 2),
        "rollups_from_scratch_s": round(summed, 2),
        "baseline_scan_s": round(raw, 3),
        "cold_read_s": round(cold, 3),
        "warm_read_s": round(warm, 3),
        "draw_s": round(drawn, 3),
        "first_page_s": round(cold + drawn, 3),
        "warm_page_s": round(warm + drawn_again, 3),
        "page_kb": round(size / 1024, 1),
    }
    print(
        "| events | database | generate | raw scan | read (first build) | read (next build) |"
        " draw | page (first build) | page (next build) | page size |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {row['events']:,} | {row['database']} | {row['generate_s']:.1f} s | "
        f"{row['baseline_scan_s']:.2f} s | "
        f"{row['cold_read_s']:.2f} s | {row['warm_read_s']:.2f} s | {row['draw_s']:.3f} s | "
        f"{row['first_page_s']:.2f} s | "
        f"{row['warm_page_s']:.2f} s | {row['page_kb']} KB |"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    machine = {"python": platform.python_version(), "machine": platform.machine()}
    out.write_text(json.dumps({"machine": machine, "results": [row]}, indent=2) + "\n")
    print(f"written: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    main()
