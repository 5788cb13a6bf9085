"""A room database written the way the server writes it, for tests that read it."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from immersion.room import database
from immersion.room.schema import V1_STATEMENTS

VALID = "2031-03-12T00:00:00.000Z"


def at(day: dt.date, seconds: float) -> str:
    """A time of `day` (10:00 UTC + seconds) as the schema stores it."""
    t = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def filled(n: int, row: dict[str, Any]) -> dict[str, Any]:
    values = {
        "id": f"ev-{n:06d}",
        "media": None,
        "seconds": None,
        "completed": None,
        "count": None,
        "valid_until": VALID,
        "build": "b1",
        **row,
    }
    values.setdefault("received_at", values["started_at"])
    return values


def write_events(path: Path, rows: Iterable[dict[str, Any]], legacy: bool = False) -> Path:
    """A new room database at `path` holding `rows` (column -> value; defaults filled in).

    Through the server's own `RoomDatabase.add_events` (schema version 2, its rollups),
    or, `legacy`, as the previous version wrote it: version 1, the rows as given (times
    not normalised), no rollups.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob(path.name + "*"):
        old.unlink()
    filled_rows = [filled(n, row) for n, row in enumerate(rows)]
    if not legacy:
        with database.connect(path) as db:
            for values in filled_rows:
                received = values.pop("received_at")
                completed = values.pop("completed")
                event = database.Event(
                    **values, completed=None if completed is None else bool(completed)
                )
                db.add_events([event], received)
        return path
    con = sqlite3.connect(path)
    try:
        for statement in V1_STATEMENTS:
            con.execute(statement)
        con.execute("INSERT INTO schema_version VALUES (1)")
        for values in filled_rows:
            columns = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            con.execute(f"INSERT INTO events ({columns}) VALUES ({marks})", list(values.values()))
        con.commit()
    finally:
        con.close()
    return path
