"""What the kiosk server answers to the displays' reports: `POST /_room/heartbeat` and
`POST /_room/events` (JSON), checked strictly before anything is stored. A batch of
events may carry the minute's heartbeat (`heartbeat`), so a display with something to
send makes one request a minute, not two.

Every answer is one line of JSON: `{"ok": true, ...}` or `{"error": "..."}` with
400 (wrong shape: the message names the field), 404 (a display not in room.yml),
413 (a body over MAX_BODY or a batch over MAX_BATCH: the server's `max_body` and
this module), 415 (not JSON), 429 (too many requests from one client: `Retry-After`)
or 503 (the database cannot be written: the display keeps its events and sends them
again; the server's log gets one line when it starts failing, and another once it
works again).

Memory stays bounded whatever clients send: the body is capped before it is read,
and the rate limiter keeps at most MAX_CLIENTS buckets (the least recently seen
client is forgotten first).
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import schema
from .database import (
    Event,
    Heartbeat,
    RoomDatabase,
    RoomDatabaseError,
    instant,
    is_canonical,
    utc_now,
)

HEARTBEAT = "/_room/heartbeat"
EVENTS = "/_room/events"
MAX_BODY = 256 * 1024
MAX_BATCH = 500  # events a request (kiosk.js sends at most this many)
# Per client: a bucket of BURST requests refilled at RATE a second. A display sends a
# heartbeat a minute and a batch a minute; back online after a day it sends its store
# in batches, one after the other, well within this.
BURST = 120
RATE = 2.0
MAX_CLIENTS = 1024
# Field limits: long enough for what a display sends, short enough that nothing grows.
MAX_TEXT = 200
MAX_ERROR = 1000
MAX_SECONDS = 7 * 24 * 3600.0
_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
_ITEM = re.compile(r"[a-z]+:[A-Za-z0-9][A-Za-z0-9._-]{0,120}")
_SCREEN = re.compile(r"\d{1,5}x\d{1,5}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Answer = tuple[int, bytes, dict[str, str]]
Clock = Callable[[], float]


class Invalid(ValueError):
    """A report the server refuses: (status, message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def answer(status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Answer:
    return status, (json.dumps(payload, separators=(",", ":")) + "\n").encode(), headers or {}


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Answer:
    return answer(status, {"error": message}, headers)


class RateLimit:
    """A token bucket per client, at most `max_clients` of them (oldest forgotten first)."""

    def __init__(
        self,
        burst: float = BURST,
        rate: float = RATE,
        max_clients: int = MAX_CLIENTS,
        clock: Clock = time.monotonic,
    ) -> None:
        self.burst, self.rate, self.max_clients, self.clock = burst, rate, max_clients, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, when
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """0 when the client may go on, else the seconds until it may try again."""
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / self.rate
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait

    def __len__(self) -> int:
        return len(self._buckets)


# -- checking what was sent -------------------------------------------------------------


def _object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Invalid(400, "the body is not JSON") from None
    if not isinstance(data, dict):
        raise Invalid(400, "the body must be a JSON object")
    return data


def _keys(data: dict[str, Any], where: str, required: set[str], allowed: set[str]) -> None:
    keys = data.keys()
    if required <= keys <= allowed:
        return  # what every display sends: no lists sorted for a message
    missing = sorted(required - keys)
    if missing:
        raise Invalid(400, f"{where}: '{missing[0]}' is missing")
    extra = sorted(keys - allowed)
    if extra:
        raise Invalid(400, f"{where}: unknown field '{extra[0][:40]}'")


def _text(
    data: dict[str, Any],
    key: str,
    where: str,
    limit: int = MAX_TEXT,
    pattern: re.Pattern[str] | None = None,
    optional: bool = True,
) -> str | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        raise Invalid(400, f"{where}: '{key}' must be a non-empty string")
    if len(value) > limit:
        raise Invalid(400, f"{where}: '{key}' is longer than {limit} characters")
    if pattern is not None:
        if not pattern.fullmatch(value):
            raise Invalid(400, f"{where}: '{key}' is not a valid {key} ('{value[:40]}')")
        return value  # every pattern leaves out control characters
    if _CONTROL.search(value):
        raise Invalid(400, f"{where}: '{key}' has control characters")
    return value


def _instant(
    data: dict[str, Any], key: str, where: str, optional: bool = True, until: bool = False
) -> str | None:
    """An ISO instant with its offset (`until`: or a date), as the database stores it:
    the UTC instant it names (`database.instant`), so instants compare as text."""
    value = _text(data, key, where, 40, optional=optional)
    if value is None:
        return None
    try:
        return instant(value, until=until)
    except ValueError:
        raise Invalid(400, f"{where}: '{key}' is not an ISO time ('{value}')") from None


def _flag(data: dict[str, Any], key: str, where: str) -> bool | None:
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise Invalid(400, f"{where}: '{key}' must be true, false or null")


def _number(data: dict[str, Any], key: str, where: str, limit: float) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid(400, f"{where}: '{key}' must be a number")
    if not 0 <= value <= limit:
        raise Invalid(400, f"{where}: '{key}' must be between 0 and {limit:g}")
    return float(value)


def _count(data: dict[str, Any], key: str, where: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
        raise Invalid(400, f"{where}: '{key}' must be a whole number from 0")
    return value


_BEAT_KEYS = {
    "display",
    "build",
    "slide",
    "last_error",
    "offline_capable",
    "screen",
    "sent_at",
    "restarts",
}


def parse_heartbeat(body: bytes) -> Heartbeat:
    data = _object(body)
    return _well_formed_beat(data) or _checked_beat(data)


def _well_formed_beat(data: dict[str, Any]) -> Heartbeat | None:
    """The heartbeat, in the form kiosk.js sends it; else None (as `_well_formed`)."""
    if not {"display"} <= data.keys() <= _BEAT_KEYS:
        return None
    get = data.get
    display, slide, screen, sent_at = data["display"], get("slide"), get("screen"), get("sent_at")
    offline, restarts = get("offline_capable"), get("restarts")
    if not (
        display is not None
        and _plain(display, MAX_TEXT)
        and _plain(get("build"), 64)
        and (
            slide is None
            or (type(slide) is str and len(slide) <= MAX_TEXT and _ITEM.fullmatch(slide))
        )
        and _plain(get("last_error"), MAX_ERROR)
        and (offline is None or type(offline) is bool)
        and (
            screen is None
            or (type(screen) is str and len(screen) <= 11 and _SCREEN.fullmatch(screen))
        )
        and _plain(sent_at, 40)
        and (restarts is None or (type(restarts) is int and 0 <= restarts < 2**31))
    ):
        return None
    try:
        sent = None if sent_at is None else instant(sent_at)
    except ValueError:
        return None
    return Heartbeat(
        display=display,
        build=get("build"),
        slide=slide,
        last_error=get("last_error"),
        offline_capable=bool(offline),
        screen=screen,
        sent_at=sent,
        restarts=restarts or 0,
    )


def _checked_beat(data: dict[str, Any]) -> Heartbeat:
    """A heartbeat checked field by field: the message names the first field wrong."""
    where = "heartbeat"
    _keys(data, where, {"display"}, _BEAT_KEYS)
    display = _text(data, "display", where, optional=False)
    assert display is not None
    return Heartbeat(
        display=display,
        build=_text(data, "build", where, 64),
        slide=_text(data, "slide", where, MAX_TEXT, _ITEM),
        last_error=_text(data, "last_error", where, MAX_ERROR),
        offline_capable=bool(_flag(data, "offline_capable", where)),
        screen=_text(data, "screen", where, 11, _SCREEN),
        sent_at=_instant(data, "sent_at", where),
        restarts=_count(data, "restarts", where) or 0,
    )


_EVENT_KEYS = {
    "id",
    "kind",
    "item",
    "media",
    "started_at",
    "seconds",
    "completed",
    "count",
    "valid_until",
    "build",
}


_EVENT_REQUIRED = {"id", "kind", "started_at"}
_KINDS = frozenset(schema.EVENT_KINDS)


def _plain(value: Any, limit: int) -> bool:
    """None, or what `_text` takes without a pattern: a short string, no control chars."""
    return value is None or (
        type(value) is str and 0 < len(value) <= limit and not _CONTROL.search(value)
    )


def _well_formed(data: Any, display: str) -> Event | None:
    """The event, when it is in the form kiosk.js sends (canonical times, every field
    of its type): the same checks as `_checked_event`, without a call or a message a
    field, at a third of its cost. None for anything else, which `_checked_event` then
    takes or refuses with its message. The two must agree on every event this one
    takes (tests/room/test_endpoints.py tries them side by side)."""
    if type(data) is not dict or not _EVENT_REQUIRED <= data.keys() <= _EVENT_KEYS:
        return None
    get = data.get
    event_id, kind, started = data["id"], data["kind"], data["started_at"]
    item, media, seconds = get("item"), get("media"), get("seconds")
    completed, count, until, build = (
        get("completed"),
        get("count"),
        get("valid_until"),
        get("build"),
    )
    if not (
        type(event_id) is str
        and _ID.fullmatch(event_id)
        and type(kind) is str
        and kind in _KINDS
        and type(started) is str
        and is_canonical(started)
        and (
            item is None or (type(item) is str and len(item) <= MAX_TEXT and _ITEM.fullmatch(item))
        )
        and _plain(media, 300)
        and (
            seconds is None
            or (type(seconds) in (int, float) and 0 <= seconds <= MAX_SECONDS)  # NaN: False
        )
        and (completed is None or type(completed) is bool)
        and (count is None or (type(count) is int and 0 <= count < 2**31))
        and _plain(until, 40)
        and _plain(build, 64)
    ):
        return None
    try:
        started = instant(started)  # canonical in form: is it a real date?
        until = None if until is None else instant(until, until=True)
    except ValueError:
        return None
    return Event(
        id=event_id,
        display=display,
        kind=kind,
        started_at=started,
        item=item,
        media=media,
        seconds=None if seconds is None else float(seconds),
        completed=completed,
        count=count,
        valid_until=until,
        build=build,
    )


def _checked_event(data: Any, display: str, where: str) -> Event:
    """An event checked field by field: the message names the first field that is wrong."""
    if not isinstance(data, dict):
        raise Invalid(400, f"{where} must be a JSON object")
    _keys(data, where, {"id", "kind", "started_at"}, _EVENT_KEYS)
    kind = data.get("kind")
    if kind not in schema.EVENT_KINDS:
        raise Invalid(400, f"{where}: 'kind' must be one of {', '.join(schema.EVENT_KINDS)}")
    event_id = _text(data, "id", where, 64, _ID, optional=False)
    started = _instant(data, "started_at", where, optional=False)
    assert event_id is not None and started is not None
    return Event(
        id=event_id,
        display=display,
        kind=str(kind),
        started_at=started,
        item=_text(data, "item", where, MAX_TEXT, _ITEM),
        media=_text(data, "media", where, 300),
        seconds=_number(data, "seconds", where, MAX_SECONDS),
        completed=_flag(data, "completed", where),
        count=_count(data, "count", where),
        valid_until=_instant(data, "valid_until", where, until=True),
        build=_text(data, "build", where, 64),
    )


def parse_events(body: bytes) -> tuple[str, list[Event], Heartbeat | None]:
    """The display, its batch and the minute's heartbeat when the batch carries it
    (`heartbeat`: the object `POST /_room/heartbeat` takes, for the same display)."""
    data = _object(body)
    _keys(data, "events", {"display", "events"}, {"display", "events", "heartbeat"})
    display = _text(data, "display", "events", optional=False)
    assert display is not None
    batch = data["events"]
    if not isinstance(batch, list):
        raise Invalid(400, "events: 'events' must be a list")
    if len(batch) > MAX_BATCH:
        raise Invalid(413, f"events: at most {MAX_BATCH} events a request (got {len(batch)})")
    beat = None
    carried = data.get("heartbeat")
    if carried is not None:
        if not isinstance(carried, dict):
            raise Invalid(400, "events: 'heartbeat' must be a JSON object")
        beat = _well_formed_beat(carried) or _checked_beat(carried)
        if beat.display != display:
            raise Invalid(400, "events: the heartbeat's 'display' is not the batch's")
    return (
        display,
        [
            _well_formed(e, display) or _checked_event(e, display, f"events[{i}]")
            for i, e in enumerate(batch)
        ],
        beat,
    )


# -- the endpoints ----------------------------------------------------------------------


class RoomEndpoints:
    """The two POST routes of the kiosk server, over one room database.

    `open_database()` is called on the first report (and again after a failure), so a
    database that cannot be opened never stops the kiosk from serving its pages.
    `known()` lists the display ids of room.yml. `log` gets one line when the database
    fails and one when it works again.
    """

    def __init__(
        self,
        open_database: Callable[[], RoomDatabase],
        known: Callable[[], list[str]],
        log: Callable[[str], None],
        limit: RateLimit | None = None,
        now: Callable[[], str] = utc_now,
        restarts: Callable[[str], int | None] | None = None,
    ) -> None:
        self._open = open_database
        # The launcher of this process knows how often it brought its display back; the
        # page cannot (it is the thing that died), so its count replaces the page's.
        self._restarts = restarts
        self._known = known
        self._log = log
        self.limit = limit if limit is not None else RateLimit()
        self._now = now
        self._db: RoomDatabase | None = None
        self._failing: str | None = None  # the line last logged, while the database fails
        self._lock = threading.Lock()

    def routes(self) -> dict[str, Callable[[bytes, str, str], Answer]]:
        return {HEARTBEAT: self.heartbeat, EVENTS: self.events}

    def close(self) -> None:
        with self._lock:
            db, self._db = self._db, None
        if db is not None:
            db.close()

    def _database(self) -> RoomDatabase:
        db = self._db  # open: no lock for what every report asks
        if db is not None:
            return db
        with self._lock:
            if self._db is None:
                self._db = self._open()
            return self._db

    def _checked(self, content_type: str, client: str) -> Answer | None:
        wait = self.limit.take(client)
        if wait > 0:
            seconds = str(max(1, math.ceil(wait)))
            return error(429, "too many requests; try again later", {"Retry-After": seconds})
        if content_type.split(";")[0].strip().lower() != "application/json":
            return error(415, "send JSON (Content-Type: application/json)")
        return None

    def _display(self, display: str) -> None:
        known = self._known()
        if display not in known:
            raise Invalid(404, f"unknown display '{display[:40]}' (not in room.yml)")

    def _store(self, write: Callable[[RoomDatabase], int]) -> Answer | int:
        try:
            stored = write(self._database())
        except RoomDatabaseError as exc:
            if self._failing is None:  # one line when it starts failing, not one a request
                self._failing = str(exc)
                self._log(f"room: {exc}; the displays keep their reports until it works")
            self.close()  # open it afresh next time: the file may have been replaced
            return error(503, "the room database is unavailable; keep the reports and retry")
        if self._failing is not None:
            self._failing = None
            self._log("room: the room database works again")
        return stored

    def _launched(self, beat: Heartbeat) -> Heartbeat:
        """The beat with this process's launcher count, when it launched that display."""
        restarts = self._restarts(beat.display) if self._restarts is not None else None
        return beat if restarts is None else replace(beat, restarts=restarts)

    def heartbeat(self, body: bytes, content_type: str, client: str) -> Answer:
        refused = self._checked(content_type, client)
        if refused is not None:
            return refused
        try:
            beat = parse_heartbeat(body)
            self._display(beat.display)
        except Invalid as exc:
            return error(exc.status, str(exc))
        received = self._now()
        beat = self._launched(beat)

        def write(db: RoomDatabase) -> int:
            db.heartbeat(beat, received)
            return 1

        stored = self._store(write)
        if not isinstance(stored, int):
            return stored
        # `received` is the server's own time (no character JSON would escape): the
        # answer a display gets every minute, without an encoder
        return 200, b'{"ok":true,"received_at":"%s"}\n' % received.encode(), {}

    def events(self, body: bytes, content_type: str, client: str) -> Answer:
        refused = self._checked(content_type, client)
        if refused is not None:
            return refused
        try:
            display, batch, beat = parse_events(body)
            self._display(display)
        except Invalid as exc:
            return error(exc.status, str(exc))
        received = self._now()

        def write(db: RoomDatabase) -> int:
            if beat is not None:  # kept first: the batch's transaction writes it too
                db.heartbeat(self._launched(beat), received)
            return db.add_events(batch, received)

        stored = self._store(write)
        if not isinstance(stored, int):
            return stored
        return 200, b'{"ok":true,"received":%d,"new":%d}\n' % (len(batch), stored), {}


class KnownDisplays:
    """The display ids of room.yml, read again only when the file changes."""

    def __init__(self, path: Path, read: Callable[[], list[str]]) -> None:
        self._path = path
        self._read = read
        self._stamp: tuple[int, int] | None = None
        self._ids: list[str] = []
        self._lock = threading.Lock()

    def __call__(self) -> list[str]:
        try:
            info = self._path.stat()
            stamp = (info.st_mtime_ns, info.st_size)
        except OSError:
            stamp = (0, 0)
        with self._lock:
            if stamp != self._stamp:
                self._ids = self._read()
                self._stamp = stamp
            return list(self._ids)
