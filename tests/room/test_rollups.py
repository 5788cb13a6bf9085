"""The server's day rollups agree with the events they sum, in SQLite and PostgreSQL.

Events arrive as displays send them: in order, late (a display offline for hours sends
its day after others were stored), in batches sent twice, with two events at the same
instant, across midnight. Whatever the order, the rollups must equal what a from-scratch
computation over the stored events gives (`rollups.FRESH_*`), and the room page's
figures read from them must equal those summed from the events themselves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pg_server import postgres_url  # noqa: F401  (the fixture)
from room_events import write_events

from immersion.room import database, rollups
from immersion.room.database import Event, RoomDatabase
from immersion.room.reading import Figures, read_figures

Opener = Callable[[], RoomDatabase]
ITEMS = ["persona:maya", "story:p07", "journey:moving-home", None]
DAY = dt.datetime(2026, 5, 4, 22, 0, tzinfo=dt.UTC)  # two hours before midnight


@pytest.fixture(params=["sqlite", "postgres"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    if request.param == "sqlite":
        path = tmp_path / "room.sqlite"
        yield lambda: database.connect(path)
        return
    url = request.getfixturevalue("postgres_url")
    import psycopg

    with psycopg.connect(url, autocommit=True) as c:
        for table in ("events", "displays", "schema_version", "day_sums", "day_held", "day_events"):
            c.execute(f"DROP TABLE IF EXISTS {table}")
    yield lambda: database.connect(tmp_path / "unused.sqlite", url)


def room_events(seed: int, n: int = 600) -> list[Event]:
    """Three displays' events over four hours across midnight, a few at the same instant,
    times in mixed offsets, some shown after their end."""
    rng = random.Random(seed)
    found = []
    clock = {d: DAY for d in ("entrance", "post", "wall")}
    for k in range(n):
        display = rng.choice(list(clock))
        if rng.random() > 0.1:  # else: at the same instant as this display's last event
            clock[display] += dt.timedelta(seconds=rng.choice((0.5, 3, 9, 40, 700)))
        at = clock[display]
        kind = rng.choice(["slide"] * 5 + ["open"] * 3 + ["listen", "idle", "dropped"])
        item = None if kind in ("idle", "dropped") else rng.choice(ITEMS)
        offset = dt.timezone(dt.timedelta(hours=rng.choice((0, 2, -5))))
        until = at + dt.timedelta(seconds=rng.choice((-60, 30, 86400)))
        found.append(
            Event(
                id=f"event-{seed}-{k:05d}",
                display=display,
                kind=kind,
                started_at=at.astimezone(offset).isoformat(),
                item=item,
                media=rng.choice(("p07/interview", None)) if kind in ("listen", "open") else None,
                seconds=None if kind in ("idle", "dropped") else round(rng.uniform(0, 90), 1),
                completed=rng.random() < 0.5 if kind == "listen" else None,
                count=rng.randrange(1, 9) if kind == "dropped" else None,
                valid_until=rng.choice(
                    (until.astimezone(offset).isoformat(), until.date().isoformat(), None)
                ),
            )
        )
    return found


def batches(events: list[Event], rng: random.Random) -> list[list[Event]]:
    """Sent the way displays send them: mostly in order, a display's hours late, replays."""
    late = [e for e in events if e.display == "wall"]  # offline: sent after everything else
    rest = [e for e in events if e.display != "wall"]
    sent: list[list[Event]] = []
    for events_now in (rest, late):
        k = 0
        while k < len(events_now):
            size = rng.randrange(1, 40)
            batch = events_now[k : k + size]
            sent.append(batch)
            if rng.random() < 0.2:
                sent.append(batch + events_now[k + size : k + size + 3])  # never heard back
            k += size
    shuffled = sent[len(sent) // 2 :]
    rng.shuffle(shuffled)  # the second half out of order (several offline stores)
    return sent[: len(sent) // 2] + shuffled + [sent[0]]  # and a replay at the very end


def table(db: RoomDatabase, statement: str, keys: int) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Rows keyed by their first `keys` columns, from any engine."""
    return {tuple(r[:keys]): tuple(r[keys:]) for r in db._read(statement)}


def same(a: dict[Any, tuple[Any, ...]], b: dict[Any, tuple[Any, ...]]) -> bool:
    if a.keys() != b.keys():
        return False
    for key, values in a.items():
        for x, y in zip(values, b[key], strict=True):
            if isinstance(x, float) or isinstance(y, float):
                if not math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-6):
                    return False
            elif int(x) != int(y):
                return False
    return True


def assert_rollups_are_fresh(db: RoomDatabase) -> None:
    stored = {
        "sums": table(db, "SELECT * FROM day_sums", 5),
        "held": table(db, "SELECT day, item, seconds, n FROM day_held", 3),
        "days": table(db, "SELECT day, events, late FROM day_events", 1),
    }
    fresh = {
        "sums": table(db, rollups.FRESH_SUMS, 5),
        "held": table(db, rollups.fresh_held(db.postgres), 3),
        "days": table(db, rollups.FRESH_DAYS, 1),
    }
    for name in stored:
        assert stored[name], name
        differ = {
            k: (stored[name].get(k), fresh[name].get(k))
            for k in stored[name].keys() | fresh[name].keys()
            if not same({k: stored[name].get(k, ())}, {k: fresh[name].get(k, ())})
        }
        assert not differ, name


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_agree_with_the_events_whatever_order_they_arrive_in(
    opener: Opener, seed: int
) -> None:
    events = room_events(seed)
    rng = random.Random(seed)
    with opener() as db:
        for batch in batches(events, rng):
            db.add_events(batch)
        assert db.count_events() == len(events)  # replays added nothing
        assert_rollups_are_fresh(db)
        # Something was attracted, across late arrivals; and shown after its end.
        sums = db._read("SELECT SUM(attracted) FROM day_sums")[0][0]
        late = db._read("SELECT SUM(late) FROM day_events")[0][0]
        assert sums > 0 and late > 0
        days = db._read("SELECT day FROM day_events ORDER BY day")
        assert [d[0] for d in days] == ["2026-05-04", "2026-05-05"]  # across midnight


def test_one_event_landing_between_two_moves_an_attraction(opener: Opener) -> None:
    def ev(n: int, kind: str, item: str, second: int) -> Event:
        at = (DAY + dt.timedelta(seconds=second)).isoformat()
        return Event(f"between-{n:04d}", "entrance", kind, at, item=item, seconds=5.0)

    with opener() as db:
        db.add_events([ev(1, "slide", "persona:maya", 0), ev(3, "open", "persona:maya", 20)])
        assert db._read("SELECT SUM(attracted) FROM day_sums")[0][0] == 1
        # The display's own record, sent late: another slide came between them.
        db.add_events([ev(2, "slide", "story:p07", 10)])
        assert db._read("SELECT SUM(attracted) FROM day_sums")[0][0] == 0
        # And a showing of Maya just before her open: attracted again.
        db.add_events([ev(4, "slide", "persona:maya", 15)])
        assert db._read("SELECT SUM(attracted) FROM day_sums")[0][0] == 1
        assert_rollups_are_fresh(db)


def test_a_server_started_again_finds_the_last_showing_it_did_not_write(opener: Opener) -> None:
    """The server knows each display's last stored slide or open from its own writes;
    after a restart it reads it, so an open right after the restart is still attracted."""

    def ev(n: int, kind: str, second: int) -> Event:
        at = (DAY + dt.timedelta(seconds=second)).isoformat()
        return Event(f"again-{n:04d}", "entrance", kind, at, item="persona:maya", seconds=5.0)

    with opener() as db:
        db.add_events([ev(1, "slide", 0), ev(2, "idle", 5)])
    with opener() as db:  # the kiosk server started again
        db.add_events([ev(3, "open", 20)])
        db.add_events([ev(4, "slide", 7300)])  # past midnight: the day before is not its day
        db.add_events([ev(5, "open", 7310)])
        assert db._read("SELECT SUM(attracted) FROM day_sums")[0][0] == 2
        assert_rollups_are_fresh(db)


def comparable(f: Figures) -> dict[str, Any]:
    plain = dataclasses.asdict(f)
    for tally in plain["items"].values():
        tally["open_seconds"] = round(tally["open_seconds"], 6)
    for group in ("weeks", "displays", "placed"):
        for tally in plain[group].values():
            tally["open_seconds"] = round(tally["open_seconds"], 6)
    return plain


def test_the_page_reads_from_rollups_what_it_sums_from_events(tmp_path: Path) -> None:
    events = room_events(7, 900)
    path = tmp_path / "room.sqlite"
    with database.connect(path) as db:
        for batch in batches(events, random.Random(7)):
            db.add_events(batch)
    # The same events, as version 1 stored them: as the displays sent them, no rollups.
    rows = [
        {k: v for k, v in dataclasses.asdict(e).items()} | {"received_at": e.started_at}
        for e in events
    ]
    legacy = write_events(tmp_path / "v1" / "room.sqlite", rows, legacy=True)
    # Version 1 rows carry "+02:00" offsets: their days would not be UTC days, so this
    # compares the stored forms the migration writes (below), read both ways.
    with sqlite3.connect(path) as con:
        from_rollups = read_figures(con)
    with database.connect(legacy) as migrated:  # the server opens it: version 2
        assert migrated.schema_version() == 2
        assert_rollups_are_fresh(migrated)
        migrated._write("DELETE FROM schema_version", [()], "test")  # read as version 1
    with sqlite3.connect(legacy) as con:
        from_events = read_figures(con)
    assert from_rollups.late_count > 0 and from_rollups.items
    assert comparable(from_rollups) == comparable(from_events)


def test_proof_of_non_play_compares_instants_not_text(tmp_path: Path) -> None:
    """23:30 UTC is after 01:00 at +02:00 the next day (23:00 UTC), though "2026-04-30"
    sorts before "2026-05-01" as text; a date ends where its UTC day begins."""
    rows: list[dict[str, Any]] = [
        {
            "display": "entrance",
            "kind": "slide",
            "item": "story:p07",
            "started_at": "2026-04-30T23:30:00Z",
            "valid_until": "2026-05-01T01:00:00+02:00",
        },
        {  # before its end, though it sorts after it as text
            "display": "entrance",
            "kind": "slide",
            "item": "persona:maya",
            "started_at": "2026-05-01T00:30:00+02:00",
            "valid_until": "2026-04-30T23:00:00Z",
        },
        {  # a date: ended where 30 April began
            "display": "entrance",
            "kind": "slide",
            "item": "journey:moving-home",
            "started_at": "2026-04-30T10:00:00.000Z",
            "valid_until": "2026-04-30",
        },
        {
            "display": "entrance",
            "kind": "slide",
            "item": "persona:raj",
            "started_at": "2026-04-29T23:59:59.999Z",
            "valid_until": "2026-04-30",
        },
    ]
    for legacy in (False, True):  # the server's rows, and version 1's as the display sent
        path = write_events(tmp_path / str(legacy) / "room.sqlite", rows, legacy=legacy)
        with sqlite3.connect(path) as con:
            figures = read_figures(con)
        assert figures.late_count == 2, legacy
        assert sorted(e.item for e in figures.late) == ["journey:moving-home", "story:p07"]
    with database.connect(path) as db:  # the server's form of each stored time
        stored = {e.item: (e.started_at, e.valid_until) for e in db.events()}
    assert stored["story:p07"] == ("2026-04-30T23:30:00.000Z", "2026-04-30T23:00:00.000Z")
    assert stored["journey:moving-home"][1] == "2026-04-30T00:00:00.000Z"


def test_a_version_1_database_is_brought_up_to_date_when_the_server_opens_it(
    opener: Opener,
) -> None:
    with opener() as db:  # made as version 1 was: no rollups, times as the display sent
        for name in ("day_sums", "day_held", "day_events"):
            db._write(f"DROP TABLE {name}", [()], "test")
        db._write("UPDATE schema_version SET version = 1", [()], "test")
        db._write(
            "INSERT INTO events (id, display, kind, item, started_at, seconds, valid_until,"
            " received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (f"old-{n:04d}", "entrance", kind, "story:p07", at, 4.5, until, at)
                for n, (kind, at, until) in enumerate(
                    [
                        ("slide", "2026-05-01T01:00:00+02:00", "2026-05-01"),
                        ("open", "2026-04-30T23:00:03Z", "2026-05-01T01:00:00+02:00"),
                    ]
                )
            ],
            "test",
        )
    with opener() as db:
        assert db.schema_version() == 2
        stored = [(e.kind, e.started_at, e.valid_until) for e in db.events()]
        assert stored == [
            ("slide", "2026-04-30T23:00:00.000Z", "2026-05-01T00:00:00.000Z"),
            ("open", "2026-04-30T23:00:03.000Z", "2026-04-30T23:00:00.000Z"),
        ]
        assert_rollups_are_fresh(db)
        assert db._read("SELECT SUM(attracted) FROM day_sums")[0][0] == 1
        assert db._read("SELECT late FROM day_events")[0][0] == 1
