"""A room database written the way the server writes it, for tests that read it."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from immersion.room.schema import STATEMENTS

VALID = "2031-03-12T00:00:00.000Z"


def at(day: dt.date, seconds: float) -> str:
    """A time of `day` (10:00 UTC + seconds) as the schema stores it."""
    t = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def write_events(path: Path, rows: Iterable[dict[str, object]]) -> Path:
    """A new room database at `path` holding `rows` (column -> value; defaults filled in)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    try:
        for statement in STATEMENTS:
            con.execute(statement)
        for n, row in enumerate(rows):
            values = {
                "id": f"ev-{n}",
                "media": None,
                "seconds": None,
                "completed": None,
                "count": None,
                "valid_until": VALID,
                "build": "b1",
                **row,
            }
            values.setdefault("received_at", values["started_at"])
            columns = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            con.execute(f"INSERT INTO events ({columns}) VALUES ({marks})", list(values.values()))
        con.commit()
    finally:
        con.close()
    return path
