"""The room's figures, read from its database: what the room page draws.

Takes an open DB-API connection (sqlite3, or a PostgreSQL driver) and asks it only
portable SQL: GROUP BY aggregates, `substr`, `ROUND`, `CASE` and the `LAG` window
function, with parameters bound by position (`?`, turned into `%s` for drivers
whose paramstyle wants it). The database does the counting; Python only folds the
few thousand aggregate rows it returns into weeks and tables.

What the figures mean (the page says the same in words):

* **shown**: `slide` events, one per time an item came up in a display's loop.
* **opened**: `open` events, one per time a visitor opened an item's page.
* **attraction**: of an item's showings on a display, the share after which a
  visitor opened that same item on that same display before the display showed or
  opened anything else: the open is the next `slide`/`open` event of that display
  after the showing (by `started_at`). Opens reached from another page (a persona's
  story) are opens, but not attracted by a showing.
* **holding power**: the median of the seconds spent on an item's opened pages, to
  the nearest second (`ROUND(seconds)`: the median is read from that histogram).
* **listened to the end**: `listen` events with `completed` = 1, by item and media.
* **proof of non-play**: events whose `started_at` is at or after their own
  `valid_until`, compared as instants: the server stores both in one UTC form
  (`database.instant`), where text order is time order; rows of a version 1 database
  (times as the display sent them, "+02:00" offsets, dates) are compared by parsing.

Days are UTC dates; an attracted open is looked for within the day of its showing
(a room is closed at midnight). Events of the same display at the same instant are
ordered by their id.

A database of version 2 (`schema.VERSION`) holds the server's day rollups
(`rollups.py`): the figures are summed from those, a few hundred thousand rows for a
year. One written by the previous version has none, and a build never writes the
displays' database: its days are summed from the events into the build's cache.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .database import instant
from .schema import DROPPED, LISTEN, OPEN, SLIDE

# Events listed by the page when some were shown after their end (the count is whole).
LATE_LISTED = 50


class Connection(Protocol):
    def cursor(self) -> Any: ...


@dataclass
class Tally:
    """How often something was shown and opened, and how many opens a showing led to."""

    shown: int = 0
    opened: int = 0
    attracted: int = 0  # opens that followed a showing of the same item on the display
    open_seconds: float = 0.0

    def add(self, other: Tally) -> None:
        self.shown += other.shown
        self.opened += other.opened
        self.attracted += other.attracted
        self.open_seconds += other.open_seconds

    @property
    def attraction(self) -> float | None:
        """The share of showings followed by an open of that item (None: never shown)."""
        return self.attracted / self.shown if self.shown else None


@dataclass
class ItemTally(Tally):
    # seconds spent (rounded) -> how many opens lasted that long
    held: dict[int, int] = field(default_factory=dict)

    @property
    def holding(self) -> float | None:
        """The median seconds spent on an opened page of the item (None: never opened)."""
        return median_of(self.held)


@dataclass(frozen=True)
class Recording:
    item: str
    media: str
    started: int
    to_the_end: int


@dataclass(frozen=True)
class LateEvent:
    """An event that says it happened at or after its item's consent ended."""

    id: str
    display: str
    kind: str
    item: str
    started_at: str
    valid_until: str


@dataclass
class Figures:
    """Everything the room page shows, read in one go."""

    events: int = 0
    first: str | None = None
    last: str | None = None
    weeks: dict[dt.date, Tally] = field(default_factory=dict)  # by the week's Monday
    displays: dict[str, Tally] = field(default_factory=dict)
    items: dict[str, ItemTally] = field(default_factory=dict)
    # (display, item) -> tally: an item's figures on each display
    placed: dict[tuple[str, str], Tally] = field(default_factory=dict)
    recordings: list[Recording] = field(default_factory=list)
    idle_resets: int = 0
    dropped: int = 0  # events the displays' offline stores had to drop
    late_count: int = 0
    late: list[LateEvent] = field(default_factory=list)


def median_of(histogram: Mapping[int, int]) -> float | None:
    """The median of values given as {value: how many}; None when there are none."""
    total = sum(histogram.values())
    if not total:
        return None
    ordered = sorted(histogram.items())

    def nth(n: int) -> int:  # the n-th value, counting from 0
        seen = 0
        for value, count in ordered:
            seen += count
            if n < seen:
                return value
        return ordered[-1][0]

    middle = total // 2
    if total % 2:
        return float(nth(middle))
    return (nth(middle - 1) + nth(middle)) / 2


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


# -- the queries --------------------------------------------------------------------

# Every figure is summed from one day at a time (a range of the `started_at` index):
# a day is tens of thousands of events, sorted in memory, where the whole table would
# be millions sorted on disk. The sums of each day are kept in a small cache of the
# build's own (`Project.room_summary`), so a nightly build reads again only the days
# whose number of events changed (a display that was offline sends its days late)
# and the last one; a year of events is then read in well under a second.

# Each display's slides and opens in time order: an open right after a showing of the
# same item is one that showing attracted. Other kinds are partitioned apart, so a
# `listen` on an opened page does not stand between a showing and the next one.
DAY = f"""
SELECT display, item, kind, media, COUNT(*), SUM(seconds), SUM(completed), SUM(count),
       SUM(CASE WHEN kind = '{OPEN}' AND before_kind = '{SLIDE}' AND before_item = item
                THEN 1 ELSE 0 END),
       SUM({{late}})
FROM (
    SELECT display, item, kind, media, seconds, completed, count, started_at, valid_until,
           LAG(kind) OVER (PARTITION BY display, CASE WHEN kind IN ('{SLIDE}', '{OPEN}')
                           THEN 1 ELSE 0 END ORDER BY started_at, id) AS before_kind,
           LAG(item) OVER (PARTITION BY display, CASE WHEN kind IN ('{SLIDE}', '{OPEN}')
                           THEN 1 ELSE 0 END ORDER BY started_at, id) AS before_item
    FROM events
    WHERE started_at >= ? AND started_at < ?
) AS ordered
GROUP BY display, item, kind, media
"""

DAY_HELD = f"""
SELECT item, ROUND(seconds), COUNT(*)
FROM events
WHERE started_at >= ? AND started_at < ? AND kind = '{OPEN}' AND seconds IS NOT NULL
GROUP BY item, ROUND(seconds)
"""

DAY_COUNT = "SELECT COUNT(*) FROM events WHERE started_at >= ? AND started_at < ?"
SPAN = "SELECT MIN(started_at) FROM events"
SPAN_END = "SELECT MAX(started_at) FROM events"

LATE = """
SELECT id, display, kind, item, started_at, valid_until FROM events
WHERE started_at >= ? AND started_at < ? AND {late} = 1
ORDER BY started_at, id
"""

# Shown at or after its end: one UTC form, text order is time order (version 2). Rows of
# a version 1 database may carry any offset: SQLite asks `room_late` (`late_by_instant`).
LATE_BY_TEXT = "CASE WHEN valid_until IS NOT NULL AND started_at >= valid_until THEN 1 ELSE 0 END"
LATE_BY_INSTANT = "room_late(started_at, valid_until)"

# The cache of each day's sums (always SQLite: a file of the build, or in memory). Its
# `user_version`: a cache of another version (late events compared as text) starts again.
CACHE_VERSION = 2
CACHE = (
    "CREATE TABLE IF NOT EXISTS days (day TEXT PRIMARY KEY, events INTEGER NOT NULL,"
    " late INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sums (day TEXT NOT NULL, display TEXT, item TEXT, kind TEXT,"
    " media TEXT, n INTEGER, seconds REAL, completed INTEGER, dropped INTEGER,"
    " attracted INTEGER)",
    "CREATE INDEX IF NOT EXISTS sums_by_day ON sums (day)",
    "CREATE TABLE IF NOT EXISTS held (day TEXT NOT NULL, item TEXT, seconds INTEGER, n INTEGER)",
    "CREATE INDEX IF NOT EXISTS held_by_day ON held (day)",
)


def _rows(
    con: Connection, sql: str, params: Sequence[object] = (), mark: str = "?"
) -> Sequence[Sequence[Any]]:
    cursor = con.cursor()
    try:
        cursor.execute(sql.replace("?", mark) if mark != "?" else sql, tuple(params))
        return cursor.fetchall()
    finally:
        cursor.close()


def days_between(first: str, last: str) -> list[str]:
    """Every UTC date from `first` to `last` (ISO times), as "YYYY-MM-DD"."""
    start, end = dt.date.fromisoformat(first[:10]), dt.date.fromisoformat(last[:10])
    return [(start + dt.timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


def next_day(day: str) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


def late_by_instant(started_at: str | None, valid_until: str | None) -> int:
    """1 when an event started at or after its `valid_until`, as instants (any offsets)."""
    if started_at is None or valid_until is None:
        return 0
    try:
        return int(instant(started_at) >= instant(valid_until, until=True))
    except ValueError:  # never accepted by the server; compared as it reads
        return int(started_at >= valid_until)


def late_test(con: Connection) -> str:
    if isinstance(con, sqlite3.Connection):
        con.create_function("room_late", 2, late_by_instant, deterministic=True)
        return LATE_BY_INSTANT
    return LATE_BY_TEXT


def refresh(con: Connection, cache: sqlite3.Connection, mark: str = "?") -> list[str]:
    """Bring the cache's sums up to the database's days; the days it holds events for."""
    if cache.execute("PRAGMA user_version").fetchone()[0] != CACHE_VERSION:
        for table in ("days", "sums", "held"):
            cache.execute(f"DROP TABLE IF EXISTS {table}")
        cache.execute(f"PRAGMA user_version = {CACHE_VERSION}")
    for statement in CACHE:
        cache.execute(statement)
    day_sql = DAY.format(late=late_test(con))
    first = _rows(con, SPAN)[0][0]
    last = _rows(con, SPAN_END)[0][0]
    if first is None or last is None:
        cache.execute("DELETE FROM days")
        cache.execute("DELETE FROM sums")
        cache.execute("DELETE FROM held")
        cache.commit()
        return []
    known = dict(cache.execute("SELECT day, events FROM days").fetchall())
    days = days_between(str(first), str(last))
    final = days[-1]
    kept = []
    for day in days:
        bounds = (day, next_day(day))
        events = int(_rows(con, DAY_COUNT, bounds, mark)[0][0] or 0)
        if events and known.get(day) == events and day != final:
            kept.append(day)
            continue
        cache.execute("DELETE FROM sums WHERE day = ?", (day,))
        cache.execute("DELETE FROM held WHERE day = ?", (day,))
        cache.execute("DELETE FROM days WHERE day = ?", (day,))
        if not events:
            continue
        rows = _rows(con, day_sql, bounds, mark)
        late = sum(int(r[9] or 0) for r in rows)
        cache.executemany(
            "INSERT INTO sums VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(day, *r[:9]) for r in rows],
        )
        cache.executemany(
            "INSERT INTO held VALUES (?, ?, ?, ?)",
            [(day, item, int(sec), n) for item, sec, n in _rows(con, DAY_HELD, bounds, mark)],
        )
        cache.execute("INSERT INTO days VALUES (?, ?, ?)", (day, events, late))
        kept.append(day)
    # Days the database no longer has (pruned, or another database): forgotten.
    cache.execute("DELETE FROM sums WHERE day < ? OR day > ?", (days[0], final))
    cache.execute("DELETE FROM held WHERE day < ? OR day > ?", (days[0], final))
    cache.execute("DELETE FROM days WHERE day < ? OR day > ?", (days[0], final))
    cache.commit()
    return kept


def schema_version(con: Connection) -> int:
    """The database's `schema_version`; 0 when it has none (written by hand, or empty)."""
    try:
        found = _rows(con, "SELECT MAX(version) FROM schema_version")
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return 0
        raise
    return int(found[0][0] or 0) if found else 0


# What the page sums, from the server's rollups (version 2) or the build's cache.
ROLLUP_READS = {
    "items": "SELECT display, NULLIF(item, ''), kind, NULLIF(media, ''), SUM(n), SUM(seconds),"
    " SUM(completed), SUM(dropped), SUM(attracted) FROM day_sums"
    " GROUP BY display, item, kind, media",
    "days": "SELECT day, display, kind, SUM(n) FROM day_sums GROUP BY day, display, kind",
    "held": "SELECT item, seconds, SUM(n) FROM day_held GROUP BY item, seconds",
    "events": "SELECT day, late FROM day_events WHERE events > 0 ORDER BY day",
}
CACHE_READS = {
    "items": "SELECT display, item, kind, media, SUM(n), SUM(seconds), SUM(completed),"
    " SUM(dropped), SUM(attracted) FROM sums GROUP BY display, item, kind, media",
    "days": "SELECT day, display, kind, SUM(n) FROM sums GROUP BY day, display, kind",
    "held": "SELECT item, seconds, SUM(n) FROM held GROUP BY item, seconds",
    "events": "SELECT day, late FROM days ORDER BY day",
}


def read_figures(
    con: Connection, cache: sqlite3.Connection | None = None, mark: str = "?"
) -> Figures:
    """The room's figures from an open connection to its database.

    Version 2: read from the server's rollups, the cache unused. Version 1: each day
    summed from the events into `cache`, the build's cache of each day's sums (in memory
    when not given). `mark`: the driver's parameter mark ("%s" for PostgreSQL drivers).
    Raises the driver's own errors (a corrupt file, a missing table): the caller turns
    them into one line.
    """
    if schema_version(con) >= 2:
        return summed(con, lambda sql: _rows(con, sql), ROLLUP_READS, LATE_BY_TEXT, mark)
    own = cache is None
    memo = sqlite3.connect(":memory:") if cache is None else cache
    try:
        if not refresh(con, memo, mark):
            return Figures()
        return summed(
            con, lambda sql: memo.execute(sql).fetchall(), CACHE_READS, late_test(con), mark
        )
    finally:
        if own:
            memo.close()


def summed(
    con: Connection,
    read: Callable[[str], Sequence[Sequence[Any]]],
    reads: Mapping[str, str],
    late: str,
    mark: str,
) -> Figures:
    """The figures from day sums (`reads`, through `read`); the late events listed from
    the database's own rows (`late`: how they are told)."""
    figures = Figures()
    days = read(reads["events"])
    if not days:
        return figures
    figures.first, figures.last = str(days[0][0]), str(days[-1][0])
    fold_items(figures, read(reads["items"]))
    fold_days(figures, read(reads["days"]))
    for item, seconds, n in read(reads["held"]):
        if item is None:
            continue
        tally = figures.items.setdefault(item, ItemTally())
        tally.held[int(seconds)] = tally.held.get(int(seconds), 0) + int(n)
    listing = LATE.format(late=late)
    for day, count in days:
        if not count:
            continue
        figures.late_count += int(count)
        if len(figures.late) < LATE_LISTED:
            rows = _rows(con, listing, (day, next_day(str(day))), mark)
            figures.late += [
                LateEvent(*(str(v) if v is not None else "" for v in row))
                for row in rows[: LATE_LISTED - len(figures.late)]
            ]
    return figures


def fold_items(figures: Figures, rows: Iterable[Sequence[Any]]) -> None:
    """The rows of BY_ITEM into per-item, per-display and per-recording figures."""
    heard: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for display, item, kind, media, count, seconds, completed, dropped, attracted in rows:
        count, attracted = int(count), int(attracted or 0)
        figures.events += count
        if kind == DROPPED:
            figures.dropped += int(dropped or 0)
            continue
        if kind == "idle":
            figures.idle_resets += count
            continue
        if item is None:
            continue
        tally = Tally()
        if kind == SLIDE:
            tally.shown = count
        elif kind == OPEN:
            tally.opened, tally.attracted = count, attracted
            tally.open_seconds = float(seconds or 0)
        elif kind == LISTEN:
            pair = heard[(item, media or "")]
            pair[0] += count
            pair[1] += int(completed or 0)
            continue
        else:
            continue
        figures.items.setdefault(item, ItemTally()).add(tally)
        figures.placed.setdefault((display, item), Tally()).add(tally)
    figures.recordings = sorted(
        (
            Recording(item, media, started, ended)
            for (item, media), (started, ended) in heard.items()
        ),
        key=lambda r: (-r.to_the_end, -r.started, r.item, r.media),
    )


def fold_days(figures: Figures, rows: Iterable[Sequence[Any]]) -> None:
    """The rows of BY_DAY into weeks (by their Monday) and displays."""
    for day, display, kind, count in rows:
        if kind not in (SLIDE, OPEN):
            continue
        try:
            week = monday(dt.date.fromisoformat(str(day)))
        except ValueError:
            continue  # a time the server should never have stored; counted nowhere
        for tally in (
            figures.weeks.setdefault(week, Tally()),
            figures.displays.setdefault(str(display), Tally()),
        ):
            if kind == SLIDE:
                tally.shown += int(count)
            else:
                tally.opened += int(count)
    # A display's attracted opens come from the item rows (the weeks do not split them).
    for (display, _item), tally in figures.placed.items():
        figures.displays.setdefault(display, Tally()).attracted += tally.attracted
