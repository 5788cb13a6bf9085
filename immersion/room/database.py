"""The room database: heartbeats and play events from the displays, in SQLite or PostgreSQL.

`connect(project, url)` opens `build/.room/room.sqlite` (the default; made with its
folder and the schema on first use) or a `postgresql://` URL, where several rooms report
to one place (psycopg 3: `pip install 'immersion[postgres]'`). Both speak the SQL of
`schema.py`: `INSERT ... ON CONFLICT`, no engine's own functions.

SQLite runs in WAL mode (the status command and the build read while the kiosk server
writes) with one writer: a `RoomDatabase` serialises its own writes through a lock, and
waits at most `busy_seconds` for another process's write before it gives up with a
`RoomDatabaseError` (the server answers 503; the display keeps its events and sends
them again).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import rollups, schema

BUSY_SECONDS = 5.0
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
POSTGRES_HINT = "install the PostgreSQL driver: pip install 'immersion[postgres]'"
_CANONICAL = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
# Ids looked up in one statement (well under every engine's limit of parameters).
ID_CHUNK = 400
# SQLite's durability of a batch of events: the display deletes its copy once the server
# answers 200, so the answer waits until the batch is on disk. "FULL": the batch commits
# (synchronous NORMAL) and its request then waits for an fsync of the WAL that covers
# its commit, which is what SQLite's own FULL does after each commit; but one fsync
# covers every batch committed before it began (a group commit), so displays reporting
# at once share it instead of queueing for one each (about 0.35 ms here). A heartbeat
# never waits (synced at checkpoints): the next one comes a minute later.
EVENTS_SYNCHRONOUS = "FULL"
# Heartbeats are written behind: kept in memory, the last of each display (a bounded
# dict: one entry a display) with how many came, and written with the next batch of
# events, or on their own once the oldest kept has waited this long by the server's
# clock (at night, when no events come), or this long by the wall clock when no report
# comes at all (`_later`), and before every read and on close; and at once when it
# tells something new (a display first heard since the server started, or another
# build, error, screen, offline state or count of restarts). A display sends one a
# minute and the room counts one as silent after minutes, so a status read by another
# process sees a heartbeat at most this late; a heartbeat lost in a crash of the server
# only makes its display look a minute older. Before: a transaction each, 200,000 of
# the 277,000 a week of 20 displays brings (bench/room.py).
HEARTBEAT_FLUSH_SECONDS = 30.0


class RoomDatabaseError(Exception):
    """The database cannot be opened, read or written: one line, naming it and the fix."""


@dataclass(frozen=True)
class Heartbeat:
    """One display's report that it is alive (kiosk.js sends one a minute)."""

    display: str
    build: str | None = None
    slide: str | None = None  # the item key of the slide on screen
    last_error: str | None = None
    offline_capable: bool = False
    screen: str | None = None  # "1920x1080"
    sent_at: str | None = None  # the display's own clock
    restarts: int = 0


@dataclass(frozen=True)
class Event:
    """One proof-of-play event (`schema.EVENT_KINDS`), with the display's own event id."""

    id: str
    display: str
    kind: str
    started_at: str
    item: str | None = None
    media: str | None = None
    seconds: float | None = None
    completed: bool | None = None
    count: int | None = None
    valid_until: str | None = None
    build: str | None = None


@dataclass(frozen=True)
class DisplayRow:
    """The last heartbeat of a display, as stored."""

    display: str
    received_at: str
    sent_at: str | None
    build: str | None
    slide: str | None
    last_error: str | None
    offline_capable: bool
    screen: str | None
    restarts: int
    beats: int


def utc_now() -> str:
    """Now, as the database writes times: ISO 8601 UTC with a trailing "Z"."""
    return iso(dt.datetime.now(dt.UTC))


def iso(when: dt.datetime) -> str:
    # isoformat, not strftime: the same text at a tenth of the cost (the server stamps
    # every report it receives)
    return when.astimezone(dt.UTC).isoformat(timespec="milliseconds")[:23] + "Z"


def parse_time(value: str) -> dt.datetime:
    """An ISO instant ("Z" or an offset) as an aware datetime; ValueError if it is none."""
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"'{value}' has no time zone")
    return parsed


def parse_until(value: str) -> dt.datetime:
    """A `valid_until`: an ISO instant, or a date ("2026-05-01"), which ends where that
    day begins in UTC (as kiosk.js reads it: `Date.parse`, the moment it stops showing
    the item)."""
    text = value.strip()
    if _DATE.fullmatch(text):
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(0), tzinfo=dt.UTC)
    return parse_time(text)


def instant(value: str, until: bool = False) -> str:
    """The one form the database stores a time in, "2026-04-30T23:00:00.000Z": the UTC
    instant `value` names, whatever its offset ("+02:00", "Z") or precision. In this
    fixed-width form, text order is time order. ValueError when it names none."""
    if _CANONICAL.fullmatch(value):
        dt.datetime.fromisoformat(value)  # already in that form (the kiosk's): a real date?
        return value
    return _converted(value, until)


@functools.lru_cache(maxsize=1024)
def _converted(value: str, until: bool) -> str:
    """`instant` of a time in another form. Cached: a room's events carry the same few
    `valid_until`s (as the items' files write them, with their offset) over and over,
    and converting one costs more than the rest of checking its event."""
    return iso(parse_until(value) if until else parse_time(value))


def is_canonical(value: str) -> bool:
    return bool(_CANONICAL.fullmatch(value))


def normalised(event: Event) -> Event:
    """The event with its times as the database stores them (`instant`)."""
    if _CANONICAL.fullmatch(event.started_at) and (
        event.valid_until is None or _CANONICAL.fullmatch(event.valid_until)
    ):
        return event  # as the endpoints hand them on (checked there)
    started = instant(event.started_at)
    until = None if event.valid_until is None else instant(event.valid_until, until=True)
    if started == event.started_at and until == event.valid_until:
        return event
    return replace(event, started_at=started, valid_until=until)


def is_postgres(url: str | None) -> bool:
    return bool(url) and str(url).lower().startswith(POSTGRES_SCHEMES)


_DISPLAY_COLUMNS = (
    "display, received_at, sent_at, build, slide, last_error, offline_capable, screen,"
    " restarts, beats"
)
_UPSERT_DISPLAY = (
    f"INSERT INTO displays ({_DISPLAY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (display) DO UPDATE SET received_at = excluded.received_at,"
    " sent_at = excluded.sent_at, build = excluded.build, slide = excluded.slide,"
    " last_error = excluded.last_error, offline_capable = excluded.offline_capable,"
    " screen = excluded.screen, restarts = excluded.restarts,"
    " beats = displays.beats + excluded.beats"
)
_EVENT_COLUMNS = (
    "id, display, kind, item, media, started_at, seconds, completed, count, valid_until,"
    " build, received_at"
)
# A replayed batch (the display never heard our answer) adds nothing: `add_events` leaves
# out the ids already stored, in its transaction. Were one stored meanwhile all the same
# (it cannot be, with one writer a display), the insert fails and rolls back rather than
# count it twice in the rollups; the display sends the batch again.
_INSERT_EVENT = f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


def _event_row(e: Event, received_at: str) -> tuple[Any, ...]:
    return (
        e.id,
        e.display,
        e.kind,
        e.item,
        e.media,
        e.started_at,
        e.seconds,
        None if e.completed is None else int(e.completed),
        e.count,
        e.valid_until,
        e.build,
        received_at,
    )


@dataclass
class _Batch:
    """One request's events on their way in, and what became of them."""

    events: dict[str, Event]  # by id
    when: str
    new: int = 0
    commit: int = 0
    error: RoomDatabaseError | None = None
    done: bool = False


class RoomDatabase:
    """An open room database. Thread-safe: the kiosk server's threads share one."""

    def __init__(self, connection: Any, where: str, postgres: bool = False) -> None:
        self._db = connection
        self.where = where  # what messages call it: a path, or the URL without its password
        self.postgres = postgres
        self._lock = threading.Lock()
        # The group commit (SQLite): commits counted under `_lock`, the WAL synced under
        # `_sync_lock` through all commits counted when the sync began.
        self._wal: Path | None = None
        self._wal_fd: int | None = None
        self._committed = 0
        self._synced = 0
        self._sync_lock = threading.Lock()
        # Heartbeats written behind (HEARTBEAT_FLUSH_SECONDS), under `_beats_lock`: a display's
        # last row with its count of beats, and when the oldest kept one came.
        self._beats: dict[str, tuple[tuple[Any, ...], int]] = {}
        self._beats_since: dt.datetime | None = None
        self._told: dict[str, tuple[Any, ...]] = {}  # what each display's last one said
        self._taken: dict[str, tuple[tuple[Any, ...], int]] = {}  # in a transaction now
        self._taken_since: dt.datetime | None = None
        self._beats_lock = threading.Lock()  # inside `_lock` when both are held
        self._later: threading.Timer | None = None
        self._closed = False
        # The group commit's turns (`add_events`): the batches waiting for the next.
        self._queue: list[_Batch] = []
        # Each display's last stored slide or open (`rollups.Batch.read_neighbours`):
        # one entry a display. Only the server that display reports to stores its
        # events, so what this one wrote is what is stored.
        self._latest: dict[str, rollups.Step] = {}
        self._turn = threading.Condition()
        self._writing = False

    # -- the SQL, in one paramstyle ("?"), translated for psycopg ("%s") -------------------

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.postgres else statement

    def _failed(self, exc: Exception, doing: str) -> RoomDatabaseError:
        return RoomDatabaseError(f"room database {self.where}: cannot {doing}: {_reason(exc)}")

    def create(self) -> None:
        """The tables, on first use; a database of version 1 brought up to this one (its
        times normalised, its rollups computed from its events, in one transaction);
        refuses a database made by a newer immersion."""
        with self._lock:
            try:
                cur = self._db.cursor()
                for statement in schema.statements(self.postgres):
                    cur.execute(statement)
                self._db.commit()
                self._begin(cur)
                if self.postgres:  # two rooms' servers starting at once: one migrates
                    cur.execute("LOCK TABLE schema_version IN EXCLUSIVE MODE")
                cur.execute("SELECT version FROM schema_version")
                rows = cur.fetchall()
                found = max(int(r[0]) for r in rows) if rows else schema.VERSION
                if not rows:
                    insert = self._sql("INSERT INTO schema_version VALUES (?)")
                    cur.execute(insert, (schema.VERSION,))
                elif found < schema.VERSION:
                    self._migrate(cur)
                self._db.commit()
            except Exception as exc:
                self._rollback()
                raise self._failed(exc, "create its tables") from None
        if found > schema.VERSION:
            raise RoomDatabaseError(
                f"room database {self.where} has schema version {found}, newer than this "
                f"immersion's {schema.VERSION}; upgrade immersion"
            )

    def _begin(self, cur: Any) -> None:
        """Start the write transaction now (SQLite: take the writer's lock before reading
        what the write depends on; PostgreSQL's first statement starts one)."""
        if not self.postgres:
            cur.execute("BEGIN IMMEDIATE")

    def _migrate(self, cur: Any) -> None:
        """Version 1 to 2: every time in its one stored form, then the rollups computed."""
        canonical = "(length({0}) = 24 AND substr({0}, 11, 1) = 'T' AND substr({0}, 24, 1) = 'Z')"
        cur.execute(
            "SELECT id, started_at, valid_until FROM events WHERE NOT "
            + canonical.format("started_at")
            + " OR (valid_until IS NOT NULL AND NOT "
            + canonical.format("valid_until")
            + ")"
        )
        fixed = []
        for event_id, started, until in cur.fetchall():
            try:
                fixed.append(
                    (
                        instant(started),
                        None if until is None else instant(until, until=True),
                        event_id,
                    )
                )
            except ValueError:
                continue  # never accepted by the server: left as it is, counted as it reads
        if self.postgres:  # version 1 made it a REAL (6 digits) there
            cur.execute("ALTER TABLE events ALTER COLUMN seconds TYPE DOUBLE PRECISION")
        if fixed:
            cur.executemany(
                self._sql("UPDATE events SET started_at = ?, valid_until = ? WHERE id = ?"),
                fixed,
            )
        rollups.rebuild(cur, self.postgres)
        cur.execute(self._sql("UPDATE schema_version SET version = ?"), (schema.VERSION,))

    def _rollback(self) -> None:
        try:
            self._db.rollback()
        except Exception:  # the connection itself is gone: nothing to undo
            return

    def _write(self, statement: str, rows: Sequence[Sequence[Any]], doing: str) -> int:
        with self._lock:
            try:
                cur = self._db.cursor()
                cur.executemany(self._sql(statement), rows)
                changed = cur.rowcount
                cur.close()  # under the lock (see add_events)
                self._db.commit()
            except Exception as exc:
                self._rollback()
                raise self._failed(exc, doing) from None
        return max(int(changed), 0)

    def _read(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            self._flush_beats()  # what this process was sent, it reads
            try:
                cur = self._db.cursor()
                cur.execute(self._sql(statement), params)
                rows = [tuple(r) for r in cur.fetchall()]
                cur.close()  # under the lock (see add_events)
                self._db.commit()  # end the read transaction (PostgreSQL opens one)
            except Exception as exc:
                self._rollback()
                raise self._failed(exc, "read it") from None
        return rows

    # -- writes ------------------------------------------------------------------------

    def heartbeat(self, beat: Heartbeat, received_at: str | None = None) -> None:
        """Keep a display's heartbeat, to be written behind (HEARTBEAT_FLUSH_SECONDS):
        the display's last, counted with those before it. Raises when a write that was
        due fails (the heartbeat stays kept, and is written once the database works)."""
        received = received_at or utc_now()
        row = (
            beat.display,
            received,
            beat.sent_at,
            beat.build,
            beat.slide,
            beat.last_error,
            int(beat.offline_capable),
            beat.screen,
            beat.restarts,
        )
        when = _server_time(received)
        # what a status reader must see at once; the rest (the slide, the times) can wait
        told = (beat.build, beat.last_error, beat.offline_capable, beat.screen, beat.restarts)
        # Kept under a lock of their own: a heartbeat never waits for a batch's write.
        with self._beats_lock:
            kept = self._beats.get(beat.display)
            self._beats[beat.display] = (row, kept[1] + 1 if kept else 1)
            news = self._told.get(beat.display) != told
            if news:
                due = True
            elif self._beats_since is None or when is None:
                self._beats_since, due = when, False
                self._write_later()
            else:
                due = (when - self._beats_since).total_seconds() >= HEARTBEAT_FLUSH_SECONDS
        if due:
            self.flush()
            if news:
                with self._beats_lock:  # once written: else tried again next time
                    self._told[beat.display] = told

    def _write_beats(self, cur: Any) -> bool:
        """The kept heartbeats, taken out and written in the caller's transaction (under
        `_lock`); `_beats_written` after its commit, `_beats_lost` after a rollback."""
        with self._beats_lock:
            self._taken, self._beats = self._beats, {}
            self._taken_since, self._beats_since = self._beats_since, None
        if not self._taken:
            return False
        rows = [(*row, n) for row, n in self._taken.values()]
        cur.executemany(self._sql(_UPSERT_DISPLAY), rows)
        return True

    def _beats_written(self) -> None:
        self._taken = {}

    def _beats_lost(self) -> None:
        """The transaction that wrote them rolled back: kept again, with any newer one."""
        with self._beats_lock:
            for display, (row, n) in self._taken.items():
                newer = self._beats.get(display)
                self._beats[display] = (newer[0], newer[1] + n) if newer else (row, n)
            if self._taken:
                since = self._beats_since
                if since is None or (self._taken_since is not None and self._taken_since < since):
                    self._beats_since = self._taken_since  # due as they were
                self._write_later()
        self._taken = {}

    def _write_later(self) -> None:
        """The wall-clock bound (under `_beats_lock`): when no report comes to write the
        kept heartbeats with, a timer writes them."""
        if self._later is None and not self._closed:
            self._later = threading.Timer(HEARTBEAT_FLUSH_SECONDS, self._written_later)
            self._later.daemon = True
            self._later.start()

    def _written_later(self) -> None:
        with self._beats_lock:
            self._later = None
        with contextlib.suppress(RoomDatabaseError):  # kept again, another timer set
            self.flush()

    def flush(self) -> None:
        """Write the kept heartbeats now (reads and `close` call it)."""
        with self._lock:
            self._flush_beats()

    def _flush_beats(self) -> None:
        """Under `_lock`: the kept heartbeats in a transaction of their own."""
        cur = None
        try:
            cur = self._db.cursor()
            wrote = self._write_beats(cur)
            cur.close()  # under the lock (see add_events)
            if not wrote:
                return
            self._db.commit()
        except Exception as exc:
            if cur is not None:
                with contextlib.suppress(Exception):
                    cur.close()
            self._rollback()
            self._beats_lost()
            raise self._failed(exc, "store a heartbeat") from None
        self._beats_written()

    def add_events(self, events: Iterable[Event], received_at: str | None = None) -> int:
        """Store events, their times normalised (`instant`), and add them to the day
        rollups in the same transaction; those already there (same id) are left alone.
        Returns how many were new.

        A group commit: one request at a time writes (a turn: its transaction, then the
        sync of the WAL that covers it), and every batch that arrives meanwhile waits
        for the next turn, which writes them all in one transaction and one sync.
        Displays reporting at once share both; a display alone pays for its own."""
        when = received_at or utc_now()
        batch: dict[str, Event] = {}
        for e in events:
            batch.setdefault(e.id, normalised(e))  # the first of an id, as the table keeps
        if not batch:
            return 0
        job = _Batch(batch, when)
        with self._turn:
            self._queue.append(job)
            while not job.done:
                if self._writing:  # another request's turn: ours may be in the next one
                    self._turn.wait()
                    continue
                self._writing = True
                jobs, self._queue = self._queue, []
                self._turn.release()  # others queue up while this turn writes and syncs
                try:
                    self._take_turn(jobs)
                finally:
                    self._turn.acquire()
                    self._writing = False
                    for done in jobs:
                        done.done = True
                    self._turn.notify_all()
        if job.error is not None:
            raise job.error
        return job.new

    def _take_turn(self, jobs: list[_Batch]) -> None:
        with self._lock:
            self._write_batches(jobs)
        if jobs[0].error is None and self._wal is not None and EVENTS_SYNCHRONOUS != "NORMAL":
            try:
                # A replay waits too, for the sync of its first sending's commit: that
                # request may still be waiting for it (the display gave up on its answer).
                self._sync_through(jobs[0].commit)
            except RoomDatabaseError as exc:
                for job in jobs:
                    job.error = exc

    def _write_batches(self, jobs: list[_Batch]) -> None:
        """The queued batches in one transaction (under `_lock`): each told how many of
        its events were new and which commit holds them, or the error."""
        cur: Any = None
        try:
            cur = self._db.cursor()
            self._begin(cur)
            ids, known = [i for job in jobs for i in job.events], set[str]()
            for n in range(0, len(ids), ID_CHUNK):
                chunk = ids[n : n + ID_CHUNK]
                marks = ", ".join("?" for _ in chunk)
                cur.execute(self._sql(f"SELECT id FROM events WHERE id IN ({marks})"), chunk)
                known.update(str(r[0]) for r in cur.fetchall())
            new: list[Event] = []
            rows: list[tuple[Any, ...]] = []
            for job in jobs:
                mine = [e for e in job.events.values() if e.id not in known]
                known.update(e.id for e in mine)  # a replay in the same transaction: once
                job.new = len(mine)
                new.extend(mine)
                rows.extend(_event_row(e, job.when) for e in mine)
            if new:
                added = rollups.Batch(new)
                added.read_neighbours(cur, self._sql, self._latest)
                cur.executemany(self._sql(_INSERT_EVENT), rows)
                added.add(cur, self._sql)
                self._write_beats(cur)  # the kept heartbeats ride along
            self._db.commit()
            if new:
                added.note_stored(self._latest)
                self._committed += 1
                self._beats_written()
        except Exception as exc:
            self._rollback()
            self._beats_lost()
            self._latest.clear()  # read again: what it held may not have been stored
            error = self._failed(exc, "store events")
            for job in jobs:
                job.error = error
        finally:
            # Under the lock: a cursor freed later, by whichever thread drops it while
            # another writes, resets its statement under that one (API misuse).
            if cur is not None:
                cur.close()
            for job in jobs:
                job.commit = self._committed  # what its turn syncs through

    def _sync_through(self, commit: int) -> None:
        """Return once the WAL is on disk up to the `commit`-th commit: fsync it, unless
        a sync that began after that commit (an earlier turn's) already did."""
        with self._sync_lock:
            if self._synced >= commit:
                return  # covered by the sync this request waited for
            with self._lock:
                through = self._committed  # every commit so far is in the WAL file
            assert self._wal is not None
            try:
                if self._wal_fd is None:
                    # Opened once and kept: closing a descriptor of a file SQLite has open
                    # drops the process's POSIX locks on it (SQLite's own warning), and
                    # the writer's connection keeps the WAL file in place while it lives.
                    self._wal_fd = os.open(self._wal, os.O_RDONLY)
                os.fdatasync(self._wal_fd)  # what SQLite itself calls on Linux
            except OSError as exc:
                raise self._failed(exc, "store events (sync them to disk)") from None
            self._synced = through

    def schema_version(self) -> int:
        return int(self._read("SELECT MAX(version) FROM schema_version")[0][0] or 0)

    # -- reads ---------------------------------------------------------------------------

    def displays(self) -> dict[str, DisplayRow]:
        """The last heartbeat of every display that has sent one."""
        rows = self._read(f"SELECT {_DISPLAY_COLUMNS} FROM displays")
        return {
            str(r[0]): DisplayRow(
                display=str(r[0]),
                received_at=str(r[1]),
                sent_at=r[2],
                build=r[3],
                slide=r[4],
                last_error=r[5],
                offline_capable=bool(r[6]),
                screen=r[7],
                restarts=int(r[8] or 0),
                beats=int(r[9] or 0),
            )
            for r in rows
        }

    def events(self, display: str | None = None) -> list[Event]:
        """Every event (of one display), oldest first: for tests and small reports."""
        where, params = (" WHERE display = ?", (display,)) if display else ("", ())
        rows = self._read(
            "SELECT id, display, kind, started_at, item, media, seconds, completed, count,"
            f" valid_until, build FROM events{where} ORDER BY started_at, id",
            params,
        )
        return [
            Event(
                id=r[0],
                display=r[1],
                kind=r[2],
                started_at=r[3],
                item=r[4],
                media=r[5],
                seconds=None if r[6] is None else float(r[6]),
                completed=None if r[7] is None else bool(r[7]),
                count=r[8],
                valid_until=r[9],
                build=r[10],
            )
            for r in rows
        ]

    def count_events(self) -> int:
        return int(self._read("SELECT COUNT(*) FROM events")[0][0])

    def close(self) -> None:
        with self._sync_lock, self._lock:
            with self._beats_lock:
                self._closed = True
                if self._later is not None:
                    self._later.cancel()
                    self._later = None
            # The kept heartbeats, unless the database fails: then they go (a heartbeat
            # is the display's state, and its next one comes a minute later).
            with contextlib.suppress(RoomDatabaseError):
                self._flush_beats()
            with contextlib.suppress(Exception):  # a broken connection: nothing more to do
                self._db.close()
            if self._wal_fd is not None:  # after the connection: no lock of it is left
                os.close(self._wal_fd)
                self._wal_fd = None

    def __enter__(self) -> RoomDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _server_time(received_at: str) -> dt.datetime | None:
    """When the server received a report (its clock, as the database writes it); None
    for a time that is not one (the heartbeat is then written by the timer)."""
    try:
        return dt.datetime.fromisoformat(received_at)
    except ValueError:
        return None


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if "locked" in text or "busy" in text:
        return f"{text} (another program holds it; try again, or stop that program)"
    if "not a database" in text or "malformed" in text:
        return f"{text} (move the file aside: the kiosk starts a new one)"
    return text


def connect_sqlite(
    path: Path, busy_seconds: float = BUSY_SECONDS, create: bool = True
) -> RoomDatabase:
    """The SQLite room database at `path`, in WAL mode; made with the schema if `create`.

    Without `create` (readers: `immersion room status`) a missing file is an error, not a
    new empty database.
    """
    if not create and not path.is_file():
        raise RoomDatabaseError(f"room database {path} does not exist yet (no display reported)")
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            path, timeout=busy_seconds, check_same_thread=False, isolation_level="DEFERRED"
        )
    except (OSError, sqlite3.Error) as exc:
        raise RoomDatabaseError(f"room database {path}: cannot open it: {_reason(exc)}") from None
    db = RoomDatabase(connection, str(path))
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(busy_seconds * 1000)}")
        if create:
            connection.execute("PRAGMA journal_mode = WAL")
            # WAL: synced at checkpoints; a batch of events before its answer (_sync_through)
            connection.execute("PRAGMA synchronous = NORMAL")
            db._wal = path.with_name(path.name + "-wal")
    except sqlite3.Error as exc:
        db.close()
        raise RoomDatabaseError(f"room database {path}: cannot open it: {_reason(exc)}") from None
    if create:
        try:
            db.create()
        except RoomDatabaseError:
            db.close()
            raise
    return db


def shown_url(url: str) -> str:
    """The URL as messages show it: without its password."""
    scheme, sep, rest = url.partition("://")
    auth, at, host = rest.rpartition("@")
    if not at:
        return url
    user = auth.partition(":")[0]
    return f"{scheme}{sep}{user}:***@{host}" if ":" in auth else url


def connect_postgres(url: str, busy_seconds: float = BUSY_SECONDS) -> RoomDatabase:
    """The room database at a PostgreSQL URL; its tables made on first use."""
    try:
        import psycopg
    except ImportError:
        raise RoomDatabaseError(
            f"cannot use {shown_url(url)}: the PostgreSQL driver (psycopg) is not installed; "
            f"{POSTGRES_HINT}"
        ) from None
    try:
        connection = psycopg.connect(
            url,
            connect_timeout=max(1, int(busy_seconds)),
            options=f"-c lock_timeout={int(busy_seconds * 1000)}",
        )
    except Exception as exc:
        raise RoomDatabaseError(
            f"room database {shown_url(url)}: cannot connect: {_reason(exc)}"
        ) from None
    db = RoomDatabase(connection, shown_url(url), postgres=True)
    try:
        db.create()
    except RoomDatabaseError:
        db.close()
        raise
    return db


def connect(
    default: Path, url: str | None = None, busy_seconds: float = BUSY_SECONDS, create: bool = True
) -> RoomDatabase:
    """The room database: a PostgreSQL `url` if given, else the SQLite file `default`
    (`Project.room_database`: the server never writes outside the room's folder)."""
    if url:
        if not is_postgres(url):
            raise RoomDatabaseError(
                f"--database '{shown_url(url)}' is not a postgresql:// URL (without --database "
                "the room uses its own SQLite file, build/.room/room.sqlite)"
            )
        return connect_postgres(url, busy_seconds)
    return connect_sqlite(default, busy_seconds, create)
