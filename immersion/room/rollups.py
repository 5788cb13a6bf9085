"""The room database's day rollups: what the room page reads, kept as the events arrive.

The server adds each batch's sums to `day_sums`, `day_held` and `day_events`
(`schema.ROLLUP_STATEMENTS`) in the transaction that stores the batch's new events, so
the rollups always hold exactly the events the table holds: a replayed batch adds
nothing to either (its ids are already there), a batch that fails adds nothing to
either. `FRESH_*` compute the same rows from the events alone; `rebuild` writes them
(a database of version 1, which had no rollups, is brought up to date that way, once).

Sums are plain additions, except **attracted**: an open is attracted when the event
just before it among its display's slides and opens of that UTC day (in the order of
`started_at`, then `id`) is a showing of the same item. A display that was offline
sends its events late, so a new event may land between two stored ones: the pairs of
the few stored neighbours around the new events (the last one before them, those
among them, the first one after) are counted before and after, and the difference
is added. Pairs further out are untouched, since their neighbours did not change.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .schema import OPEN, SLIDE

Sql = Callable[[str], str]  # the statement in the driver's parameter marks
# (started_at, id, kind, item, media): what ordering and attraction need of an event.
Step = tuple[str, str, str, str | None, str | None]
SumKey = tuple[str, str, str, str, str]  # day, display, item, kind, media ('' for none)

ORDERED_KINDS = f"('{SLIDE}', '{OPEN}')"
_STEP = "SELECT started_at, id, kind, item, media FROM events"
_BEFORE = (
    f"{_STEP} WHERE display = ? AND started_at >= ? AND started_at < ?"
    f" AND kind IN {ORDERED_KINDS} ORDER BY started_at DESC, id DESC LIMIT 1"
)
_LATEST = (
    f"{_STEP} WHERE display = ? AND kind IN {ORDERED_KINDS} ORDER BY started_at DESC, id DESC"
    " LIMIT 1"
)
# Those among the new ones, and the first one after them: read in time order up to it.
_FROM = (
    f"{_STEP} WHERE display = ? AND started_at >= ? AND started_at < ?"
    f" AND kind IN {ORDERED_KINDS} ORDER BY started_at, id"
)

ADD_SUMS = (
    "INSERT INTO day_sums (day, display, item, kind, media, n, seconds, completed, dropped,"
    " attracted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (day, display, item, kind, media) DO UPDATE SET n = day_sums.n + excluded.n,"
    " seconds = day_sums.seconds + excluded.seconds,"
    " completed = day_sums.completed + excluded.completed,"
    " dropped = day_sums.dropped + excluded.dropped,"
    " attracted = day_sums.attracted + excluded.attracted"
)
ADD_HELD = (
    "INSERT INTO day_held (day, item, seconds, n) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (day, item, seconds) DO UPDATE SET n = day_held.n + excluded.n"
)
ADD_DAYS = (
    "INSERT INTO day_events (day, events, late) VALUES (?, ?, ?)"
    " ON CONFLICT (day) DO UPDATE SET events = day_events.events + excluded.events,"
    " late = day_events.late + excluded.late"
)

# -- the same rows from the events alone (portable SQL: the rebuild, and the tests) ------

_ORDER = (
    f"OVER (PARTITION BY display, substr(started_at, 1, 10), CASE WHEN kind IN {ORDERED_KINDS}"
    " THEN 1 ELSE 0 END ORDER BY started_at, id)"
)
FRESH_SUMS = f"""
SELECT day, display, item, kind, media, COUNT(*), COALESCE(SUM(seconds), 0),
       COALESCE(SUM(completed), 0), COALESCE(SUM(count), 0),
       SUM(CASE WHEN kind = '{OPEN}' AND before_kind = '{SLIDE}' AND before_item = item
                AND item <> '' THEN 1 ELSE 0 END)
FROM (
    SELECT substr(started_at, 1, 10) AS day, display, COALESCE(item, '') AS item, kind,
           COALESCE(media, '') AS media, seconds, completed, count,
           LAG(kind) {_ORDER} AS before_kind, LAG(item) {_ORDER} AS before_item
    FROM events
) AS ordered
GROUP BY day, display, item, kind, media
"""


def fresh_held(postgres: bool) -> str:
    # Half up, as SQLite's ROUND and `held_seconds` do (PostgreSQL's ROUND of a double
    # rounds half to even).
    rounded = "FLOOR(seconds + 0.5)" if postgres else "ROUND(seconds)"
    return f"""
SELECT substr(started_at, 1, 10), item, CAST({rounded} AS INTEGER), COUNT(*)
FROM events WHERE kind = '{OPEN}' AND seconds IS NOT NULL AND item IS NOT NULL
GROUP BY substr(started_at, 1, 10), item, CAST({rounded} AS INTEGER)
"""


FRESH_DAYS = """
SELECT substr(started_at, 1, 10), COUNT(*),
       SUM(CASE WHEN valid_until IS NOT NULL AND started_at >= valid_until THEN 1 ELSE 0 END)
FROM events GROUP BY substr(started_at, 1, 10)
"""


def rebuild(cur: Any, postgres: bool) -> None:
    """The rollups computed again from the events (in the caller's transaction)."""
    for table in ("day_sums", "day_held", "day_events"):
        cur.execute(f"DELETE FROM {table}")
    cur.execute(
        "INSERT INTO day_sums (day, display, item, kind, media, n, seconds, completed,"
        f" dropped, attracted) {FRESH_SUMS}"
    )
    cur.execute(f"INSERT INTO day_held (day, item, seconds, n) {fresh_held(postgres)}")
    cur.execute(f"INSERT INTO day_events (day, events, late) {FRESH_DAYS}")


# -- a batch's sums ----------------------------------------------------------------------


def held_seconds(seconds: float) -> int:
    """Seconds to the nearest whole one, half up: what SQLite's ROUND gives for x >= 0."""
    return int(seconds + 0.5)


def next_day(day: str) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


def attracted(steps: Iterable[Step], day: str, display: str) -> Counter[SumKey]:
    """Opens that follow a showing of their item, in `steps` (one display's, in order)."""
    found: Counter[SumKey] = Counter()
    before: Step | None = None
    for step in steps:
        _at, _id, kind, item, media = step
        if (
            before is not None
            and kind == OPEN
            and before[2] == SLIDE
            and item is not None
            and before[3] == item
        ):
            found[(day, display, item, OPEN, media or "")] += 1
        before = step
    return found


class Batch:
    """The new events of one request (normalised: `database.instant` times), and what
    their arrival adds to the rollups."""

    def __init__(self, events: Sequence[Any]) -> None:
        self.events = events
        # (display, day) -> the new slides and opens of that display that day
        self.ordered: dict[tuple[str, str], list[Step]] = defaultdict(list)
        for e in events:
            if e.kind in (SLIDE, OPEN):
                step = (e.started_at, e.id, e.kind, e.item, e.media)
                self.ordered[(e.display, e.started_at[:10])].append(step)
        self.stored: dict[tuple[str, str], list[Step]] = {}

    def read_neighbours(self, cur: Any, sql: Sql, latest: dict[str, Step] | None = None) -> None:
        """The stored slides and opens around the new ones: call before they are stored.

        `latest`: the last stored slide or open of each display, as far as the caller
        knows (read here when it does not; `note_stored` after the commit). A display
        sends its events in time order, so its new ones nearly always come after all it
        stored: then the one before them is that last one, or none that day, and nothing
        comes after, with no query. Else the stored ones around them are read."""
        for (display, day), steps in self.ordered.items():
            first, last = min(steps)[0], max(steps)[0]
            if latest is not None:
                if display not in latest:
                    cur.execute(sql(_LATEST), (display,))
                    row = cur.fetchone()
                    if row is not None:
                        latest[display] = tuple(row)
                known = latest.get(display)
                if known is None or known[0] < first:  # all stored come before the new
                    self.stored[(display, day)] = [known] if known and known[0][:10] == day else []
                    continue
            cur.execute(sql(_BEFORE), (display, day, first))
            found: list[Step] = [tuple(r) for r in cur.fetchall()]
            cur.execute(sql(_FROM), (display, first, next_day(day)))
            for row in cur:  # in time order: stop at the first one after the new ones
                found.append(tuple(row))
                if row[0] > last:
                    break
            self.stored[(display, day)] = sorted(set(found))

    def note_stored(self, latest: dict[str, Step]) -> None:
        """After the commit: each display's last stored slide or open, with the new ones."""
        for (display, _day), steps in self.ordered.items():
            newest = max(steps)
            known = latest.get(display)
            latest[display] = newest if known is None or newest > known else known

    def sums(self) -> list[tuple[Any, ...]]:
        rows: dict[SumKey, list[Any]] = defaultdict(lambda: [0, 0.0, 0, 0, 0])
        for e in self.events:
            row = rows[(e.started_at[:10], e.display, e.item or "", e.kind, e.media or "")]
            row[0] += 1
            row[1] += e.seconds or 0.0
            row[2] += int(bool(e.completed))
            row[3] += e.count or 0
        for (display, day), steps in self.ordered.items():
            stored = self.stored.get((display, day), [])
            now = attracted(sorted(stored + steps), day, display)
            now.subtract(attracted(stored, day, display))
            for key, change in now.items():
                if change:
                    rows[key][4] += change
        return [(*key, *values) for key, values in rows.items()]

    def held(self) -> list[tuple[str, str, int, int]]:
        found: Counter[tuple[str, str, int]] = Counter()
        for e in self.events:
            if e.kind == OPEN and e.seconds is not None and e.item is not None:
                found[(e.started_at[:10], e.item, held_seconds(e.seconds))] += 1
        return [(*key, n) for key, n in found.items()]

    def days(self) -> list[tuple[str, int, int]]:
        found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for e in self.events:
            day = found[e.started_at[:10]]
            day[0] += 1
            day[1] += int(e.valid_until is not None and e.started_at >= e.valid_until)
        return [(day, events, late) for day, (events, late) in found.items()]

    def add(self, cur: Any, sql: Sql) -> None:
        """The batch's sums added to the rollups (after its events are stored)."""
        for statement, rows in (
            (ADD_SUMS, self.sums()),
            (ADD_HELD, self.held()),
            (ADD_DAYS, self.days()),
        ):
            if rows:
                cur.executemany(sql(statement), rows)
