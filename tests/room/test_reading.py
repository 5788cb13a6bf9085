"""The room page's figures, read from a database a test wrote, and their day cache."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path

from room_events import at, write_events

from immersion.room.reading import median_of, read_figures

DAY = dt.date(2026, 5, 4)


def test_median_from_a_histogram() -> None:
    assert median_of({}) is None
    assert median_of({30: 1}) == 30
    assert median_of({20: 1, 60: 1}) == 40
    assert median_of({5: 3, 100: 1}) == 5
    assert median_of({1: 1, 2: 1, 9: 1}) == 2


def test_a_late_day_reaches_the_cached_sums(tmp_path: Path) -> None:
    db = tmp_path / "room.sqlite"
    rows: list[dict[str, object]] = [
        {"display": "a", "kind": "slide", "item": "story:p07", "started_at": at(DAY, 0)},
        {
            "display": "a",
            "kind": "open",
            "item": "story:p07",
            "started_at": at(DAY, 3),
            "seconds": 10,
        },
        {"display": "a", "kind": "slide", "item": "story:p07", "started_at": at(DAY, 86400)},
    ]
    write_events(db, rows, legacy=True)  # version 1: no rollups, summed into the cache
    cache = sqlite3.connect(tmp_path / "cache.sqlite")
    con = sqlite3.connect(db)
    first = read_figures(con, cache)
    assert (first.items["story:p07"].shown, first.items["story:p07"].attracted) == (2, 1)
    # A display that was offline sends its first day late: the day is read again.
    con.execute(
        "INSERT INTO events (id, display, kind, item, started_at, received_at)"
        " VALUES ('late', 'b', 'slide', 'persona:maya', ?, ?)",
        (at(DAY, 50), at(DAY, 90000)),
    )
    con.commit()
    again = read_figures(con, cache)
    assert again.items["persona:maya"].shown == 1
    assert again.events == 4
    assert sorted(again.displays) == ["a", "b"]
    # The same sums as a read with no cache at all.
    fresh = read_figures(con)
    assert {k: (t.shown, t.opened, t.attracted) for k, t in fresh.items.items()} == {
        k: (t.shown, t.opened, t.attracted) for k, t in again.items.items()
    }


def test_the_benchmark_runs_at_its_smoke_size(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "room_page.json"
    done = subprocess.run(
        [sys.executable, str(root / "bench/room_page.py"), "--smoke", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert '"events": 5000' in out.read_text()
