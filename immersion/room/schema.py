"""The room database's tables: what the displays report and what the room page reads.

One schema for SQLite (the default, `build/.room/room.sqlite`) and PostgreSQL (several
rooms reporting to one place), so it keeps to the SQL both speak: TEXT times in ISO
8601 UTC with a trailing "Z" (they sort as they read), INTEGER flags, REAL seconds.

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

VERSION: Final = 1

STATEMENTS: Final = (
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
        seconds REAL,
        completed INTEGER,
        count INTEGER,
        valid_until TEXT,
        build TEXT,
        received_at TEXT NOT NULL
    )""",
    """CREATE INDEX IF NOT EXISTS events_by_time ON events (started_at)""",
    """CREATE INDEX IF NOT EXISTS events_by_item ON events (item, kind)""",
)


def item_key(kind: str, item_id: str) -> str:
    """How an event names what it is about: the model's kind and the item's id."""
    return f"{kind}:{item_id}"
