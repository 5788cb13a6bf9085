"""The room database's tables: what the displays report and what the room page reads.

One schema for SQLite (the default, `build/.room/room.sqlite`) and PostgreSQL (several
rooms reporting to one place), so it keeps to the SQL both speak: TEXT times, INTEGER
flags, DOUBLE PRECISION seconds (SQLite's REAL; PostgreSQL's REAL
would keep only 6 digits). Every time is stored as one form of the UTC instant it names,
"2026-05-01T23:00:00.000Z" (`database.instant`), whatever offset the display sent: in
that one fixed-width form, text order is time order, so comparing two of them compares
the instants.

Nothing here identifies a visitor: an event says what a display showed or what was
touched on it, never who touched it.
"""

from __future__ import annotations

from typing import Final

# The kinds of event a display records (kiosk.js) and the server accepts.
SLIDE: Final = "slide"  # a loop slide was on screen: item, start, seconds, media to the end
OPEN: Final = "open"  # a visitor opened an item page: item, start, seconds spent
LISTEN: Final = "listen"  # a recording or clip started on an item page: how far it got
IDLE: Final = "idle"  # the display went back to its loop after nobody touched it
DROPPED: Final = "dropped"  # the display's offline store was full: `count` events lost
EVENT_KINDS: Final = (SLIDE, OPEN, LISTEN, IDLE, DROPPED)

# 1: events and displays. 2: the day rollups, kept by the server in the transaction that
# stores the events (`rollups.py`), and every time stored as the UTC instant it names.
VERSION: Final = 2

# The tables of version 1 (a database written by the previous immersion has only these).
V1_STATEMENTS: Final = (
    """CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)""",
    # The last heartbeat of each display (one row a display: status reads this).
    """CREATE TABLE IF NOT EXISTS displays (
        display TEXT PRIMARY KEY,
        received_at TEXT NOT NULL,
        sent_at TEXT,
        build TEXT,
        slide TEXT,
        last_error TEXT,
        offline_capable INTEGER NOT NULL DEFAULT 0,
        screen TEXT,
        restarts INTEGER NOT NULL DEFAULT 0,
        beats INTEGER NOT NULL DEFAULT 0
    )""",
    # Proof of play. `id` is the display's own event id, so a batch sent twice (a
    # display that lost the answer) adds nothing. `item` is the item's key,
    # "<kind>:<id>" as in `immersion.room.schema.item_key`; `valid_until` is the
    # item's end date as the display knew it when it showed it ("proof of non-play").
    """CREATE TABLE IF NOT EXISTS events (
        id TEXT PRIMARY KEY,
        display TEXT NOT NULL,
        kind TEXT NOT NULL,
        item TEXT,
        media TEXT,
        started_at TEXT NOT NULL,
        seconds DOUBLE PRECISION,
        completed INTEGER,
        count INTEGER,
        valid_until TEXT,
        build TEXT,
        received_at TEXT NOT NULL
    )""",
    """CREATE INDEX IF NOT EXISTS events_by_time ON events (started_at)""",
    """CREATE INDEX IF NOT EXISTS events_by_item ON events (item, kind)""",
)

# Version 2: what the room page reads, a row a day (UTC) and what it counts, kept up to
# date by the server as it stores events (`rollups.py`), so a year of events is read as
# a few hundred thousand sums, never as millions of rows. A key column with no value is
# '' (PostgreSQL keys cannot be NULL, and SQLite's NULLs never conflict).
ROLLUP_STATEMENTS: Final = (
    # A display's events of a day, by what they were about: how many, their seconds,
    # recordings heard to the end, events the display dropped (`count` of `dropped`),
    # and opens that followed a showing of the same item (`rollups.py`: "attracted").
    """CREATE TABLE IF NOT EXISTS day_sums (
        day TEXT NOT NULL,
        display TEXT NOT NULL,
        item TEXT NOT NULL,
        kind TEXT NOT NULL,
        media TEXT NOT NULL,
        n INTEGER NOT NULL,
        seconds DOUBLE PRECISION NOT NULL,
        completed INTEGER NOT NULL,
        dropped INTEGER NOT NULL,
        attracted INTEGER NOT NULL,
        PRIMARY KEY (day, display, item, kind, media)
    )""",
    # The seconds spent on opened pages (rounded half up), item by item: holding power.
    """CREATE TABLE IF NOT EXISTS day_held (
        day TEXT NOT NULL,
        item TEXT NOT NULL,
        seconds INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (day, item, seconds)
    )""",
    # Each day's events, and how many of them started at or after their `valid_until`.
    """CREATE TABLE IF NOT EXISTS day_events (
        day TEXT PRIMARY KEY,
        events INTEGER NOT NULL,
        late INTEGER NOT NULL
    )""",
    # A display's events in time order: the neighbours of a late event (attraction).
    """CREATE INDEX IF NOT EXISTS events_by_display ON events (display, started_at)""",
)

STATEMENTS: Final = V1_STATEMENTS + ROLLUP_STATEMENTS


def statements(postgres: bool) -> tuple[str, ...]:
    """The schema for one engine. In SQLite the rollups are tables WITHOUT ROWID: one
    b-tree each, in the order of their key, where a table with a composite key is a
    table and an index; each batch of events writes those pages at its commit."""
    if postgres:
        return STATEMENTS
    return V1_STATEMENTS + tuple(
        f"{s} WITHOUT ROWID" if s.startswith("CREATE TABLE") else s for s in ROLLUP_STATEMENTS
    )


def item_key(kind: str, item_id: str) -> str:
    """How an event names what it is about: the model's kind and the item's id."""
    return f"{kind}:{item_id}"
