"""The displays' reports as the kiosk server takes them: strict, bounded, never a traceback.

Most tests call the endpoints without a socket (what the server hands them: body,
Content-Type, client); those about the body itself (its size, its length) go through
the real server on a free port.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import sqlite3
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from immersion.httpd import StaticServer
from immersion.room import database
from immersion.room import endpoints as endpoints_module
from immersion.room.endpoints import (
    EVENTS,
    HEARTBEAT,
    MAX_BATCH,
    MAX_BODY,
    Invalid,
    RateLimit,
    RoomEndpoints,
)

JSON = "application/json"
DISPLAYS = ["entrance", "post"]


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "build" / ".room" / "room.sqlite"


@pytest.fixture
def logged() -> list[str]:
    return []


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def room(db_path: Path, logged: list[str], clock: Clock) -> Iterator[RoomEndpoints]:
    endpoints = RoomEndpoints(
        lambda: database.connect(db_path, busy_seconds=0.2),
        lambda: list(DISPLAYS),
        logged.append,
        RateLimit(burst=30, rate=1.0, max_clients=64, clock=clock),
        now=lambda: "2026-12-02T10:00:00.000Z",
    )
    yield endpoints
    endpoints.close()


def body(data: Any) -> bytes:
    return json.dumps(data).encode()


def beat(**extra: Any) -> dict[str, Any]:
    return {
        "display": "entrance",
        "build": "abc123def456",
        "slide": "persona:maya",
        "last_error": None,
        "offline_capable": True,
        "screen": "1920x1080",
        "sent_at": "2026-12-02T10:00:00.000Z",
        **extra,
    }


def event(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"{n:032x}",
        "kind": "slide",
        "item": "story:p07",
        "started_at": "2026-12-02T09:59:00.000Z",
        "seconds": 20.5,
        "completed": True,
        "valid_until": "2030-12-10T00:00:00+00:00",
        "build": "abc123def456",
        **extra,
    }


def answer(reply: tuple[int, bytes, dict[str, str]]) -> tuple[int, dict[str, Any]]:
    status, payload, _headers = reply
    assert payload.endswith(b"\n") and payload.count(b"\n") == 1  # one line of JSON
    return status, json.loads(payload)


def test_a_heartbeat_is_stored(room: RoomEndpoints, db_path: Path) -> None:
    assert answer(room.heartbeat(body(beat()), JSON, "127.0.0.1")) == (
        200,
        {"ok": True, "received_at": "2026-12-02T10:00:00.000Z"},
    )
    room.close()  # the server stops: what it kept is written (see test_database)
    with database.connect(db_path) as db:
        row = db.displays()["entrance"]
    assert (row.build, row.slide, row.screen, row.offline_capable) == (
        "abc123def456",
        "persona:maya",
        "1920x1080",
        True,
    )


def test_events_are_stored_and_a_replayed_batch_adds_nothing(
    room: RoomEndpoints, db_path: Path
) -> None:
    batch = body({"display": "post", "events": [event(n) for n in range(10)]})
    assert answer(room.events(batch, JSON, "c")) == (200, {"ok": True, "received": 10, "new": 10})
    assert answer(room.events(batch, JSON, "c")) == (200, {"ok": True, "received": 10, "new": 0})
    with database.connect(db_path) as db:
        stored = db.events()
    assert len(stored) == 10 and {e.display for e in stored} == {"post"}
    assert stored[0].completed is True and stored[0].seconds == 20.5


def test_a_batch_carries_the_minutes_heartbeat(room: RoomEndpoints, db_path: Path) -> None:
    # kiosk.js sends the minute's heartbeat inside its first batch: one request, not two
    batch = {"display": "entrance", "events": [event(n) for n in range(3)], "heartbeat": beat()}
    assert answer(room.events(body(batch), JSON, "c")) == (
        200,
        {"ok": True, "received": 3, "new": 3},
    )
    plain = {**batch, "events": [event(n) for n in range(3, 5)], "heartbeat": beat(slide=None)}
    assert answer(room.events(body(plain), JSON, "c"))[0] == 200
    with database.connect(db_path) as db:  # another process: what the server wrote
        row = db.displays()["entrance"]
        assert db.count_events() == 5
    assert (row.build, row.screen, row.offline_capable, row.beats) == (
        "abc123def456",
        "1920x1080",
        True,
        2,
    )
    assert row.slide is None  # the second minute's, written with its batch


@pytest.mark.parametrize(
    ("carried", "message"),
    [
        (beat(display="post"), "events: the heartbeat's 'display' is not the batch's"),
        (beat(screen="big"), "heartbeat: 'screen' is not a valid screen ('big')"),
        (beat(who="Leah"), "heartbeat: unknown field 'who'"),
        ([beat()], "events: 'heartbeat' must be a JSON object"),
    ],
)
def test_a_wrong_carried_heartbeat_refuses_the_request_whole(
    room: RoomEndpoints, db_path: Path, carried: Any, message: str
) -> None:
    sent = body({"display": "entrance", "events": [event(1)], "heartbeat": carried})
    code, reply = answer(room.events(sent, JSON, "c"))
    assert (code, reply["error"]) == (400, message)
    room.close()
    with database.connect(db_path) as db:
        assert db.count_events() == 0 and db.displays() == {}


def test_times_are_stored_as_the_utc_instants_they_name(room: RoomEndpoints, db_path: Path) -> None:
    sent = [
        event(1, started_at="2026-04-30T23:30:00Z", valid_until="2026-05-01T01:00:00+02:00"),
        event(2, started_at="2026-05-01T00:30:00.250+02:00", valid_until="2026-04-30"),
    ]
    batch = body({"display": "post", "events": sent})
    assert answer(room.events(batch, JSON, "c"))[0] == 200
    with database.connect(db_path) as db:
        stored = [(e.started_at, e.valid_until) for e in db.events()]
    assert stored == [
        ("2026-04-30T22:30:00.250Z", "2026-04-30T00:00:00.000Z"),
        ("2026-04-30T23:30:00.000Z", "2026-04-30T23:00:00.000Z"),
    ]
    refused = body({"display": "post", "events": [event(3, started_at="2026-04-30")]})
    assert answer(room.events(refused, JSON, "c")) == (
        400,
        {"error": "events[0]: 'started_at' is not an ISO time ('2026-04-30')"},
    )


@pytest.mark.parametrize(
    ("sent", "status", "message"),
    [
        (b"not json", 400, "the body is not JSON"),
        (b"[1, 2]", 400, "the body must be a JSON object"),
        (body({"build": "x"}), 400, "heartbeat: 'display' is missing"),
        (body(beat(display=7)), 400, "heartbeat: 'display' must be a non-empty string"),
        (body(beat(offline_capable="yes")), 400, "'offline_capable' must be true, false or null"),
        (body(beat(screen="huge")), 400, "'screen' is not a valid screen ('huge')"),
        (body(beat(slide="<script>")), 400, "'slide' is not a valid slide"),
        (body(beat(sent_at="yesterday")), 400, "'sent_at' is not an ISO time ('yesterday')"),
        (body(beat(last_error="x" * 1001)), 400, "'last_error' is longer than 1000 characters"),
        (body(beat(visitor="Leah")), 400, "heartbeat: unknown field 'visitor'"),
        (body(beat(display="lobby")), 404, "unknown display 'lobby' (not in room.yml)"),
    ],
)
def test_a_wrong_heartbeat_is_refused_with_a_clear_line(
    room: RoomEndpoints, db_path: Path, sent: bytes, status: int, message: str
) -> None:
    code, reply = answer(room.heartbeat(sent, JSON, "127.0.0.1"))
    assert code == status and message in reply["error"]
    with database.connect(db_path) as db:
        assert db.displays() == {}


@pytest.mark.parametrize(
    ("events", "status", "message"),
    [
        ("all", 400, "events: 'events' must be a list"),
        ([event(1, kind="visit")], 400, "events[0]: 'kind' must be one of slide, open, listen"),
        ([event(1), event(2, id="short")], 400, "events[1]: 'id' is not a valid id"),
        ([event(1, seconds=-1)], 400, "events[0]: 'seconds' must be between 0 and 604800"),
        ([event(1, seconds=True)], 400, "events[0]: 'seconds' must be a number"),
        ([event(1, count=1.5)], 400, "events[0]: 'count' must be a whole number from 0"),
        ([event(1, started_at=None)], 400, "events[0]: 'started_at' must be a non-empty string"),
        ([event(1, who="Leah")], 400, "events[0]: unknown field 'who'"),
        ([1], 400, "events[0] must be a JSON object"),
        ([event(n) for n in range(MAX_BATCH + 1)], 413, "at most 500 events a request"),
    ],
)
def test_a_wrong_batch_is_refused_whole(
    room: RoomEndpoints, db_path: Path, events: Any, status: int, message: str
) -> None:
    code, reply = answer(room.events(body({"display": "entrance", "events": events}), JSON, "c"))
    assert code == status and message in reply["error"]
    with database.connect(db_path) as db:
        assert db.count_events() == 0  # nothing of a refused batch is stored


def test_an_unknown_display_and_a_wrong_content_type(room: RoomEndpoints) -> None:
    code, reply = answer(room.events(body({"display": "lobby", "events": []}), JSON, "c"))
    assert (code, reply["error"]) == (404, "unknown display 'lobby' (not in room.yml)")
    code, reply = answer(room.heartbeat(body(beat()), "text/plain", "c"))
    assert code == 415 and "Content-Type: application/json" in reply["error"]


def test_a_flood_is_refused_with_429_and_memory_stays_bounded(
    room: RoomEndpoints, clock: Clock
) -> None:
    sent = body({"display": "entrance", "events": [event(1)]})
    codes = [room.events(sent, JSON, "10.0.0.1")[0] for _ in range(100)]
    assert codes[:30] == [200] * 30 and set(codes[30:]) == {429}
    status, payload, headers = room.events(sent, JSON, "10.0.0.1")
    assert status == 429 and headers["Retry-After"] == "1"
    assert json.loads(payload) == {"error": "too many requests; try again later"}
    assert room.events(sent, JSON, "10.0.0.2")[0] == 200  # another client is not held up
    clock.t += 5  # the bucket refills at its rate
    assert [room.events(sent, JSON, "10.0.0.1")[0] for _ in range(6)] == [200] * 5 + [429]
    # A flood from ever new addresses: the limiter forgets the oldest, it never grows.
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for n in range(20_000):
        room.heartbeat(b"{}", JSON, f"10.1.{n // 256}.{n % 256}")
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(room.limit) == 64
    assert grown < 200_000, grown


def test_a_locked_database_is_503_and_one_line_in_the_log(
    room: RoomEndpoints, db_path: Path, logged: list[str]
) -> None:
    sent = body({"display": "entrance", "events": [event(1)]})
    assert room.events(sent, JSON, "c")[0] == 200
    holder = sqlite3.connect(db_path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        for n in range(3):
            again = body({"display": "entrance", "events": [event(n + 10)]})
            code, reply = answer(room.events(again, JSON, "c"))
            assert code == 503 and "keep the reports and retry" in reply["error"]
        assert answer(room.heartbeat(body(beat()), JSON, "c"))[0] == 503
    finally:
        holder.rollback()
        holder.close()
    assert len(logged) == 1  # one line, however many reports failed
    assert logged[0].startswith(f"room: room database {db_path}: cannot store events:")
    assert "database is locked" in logged[0] and "\n" not in logged[0]
    assert room.events(body({"display": "entrance", "events": [event(10)]}), JSON, "c")[0] == 200
    assert logged[1:] == ["room: the room database works again"]


def test_a_corrupt_database_is_503_and_the_file_is_left_alone(
    room: RoomEndpoints, db_path: Path, logged: list[str]
) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"garbage" * 1000)
    for _ in range(2):
        assert answer(room.heartbeat(body(beat()), JSON, "c"))[0] == 503
    assert len(logged) == 1 and "file is not a database (move the file aside" in logged[0]
    assert db_path.read_bytes() == b"garbage" * 1000


# -- through the server: the body's size and length ------------------------------------


@pytest.fixture
def server(tmp_path: Path, room: RoomEndpoints) -> Iterator[StaticServer]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>k</title>")
    with StaticServer(site, posts=room.routes(), max_body=MAX_BODY) as s:
        yield s


def post(server: StaticServer, path: str, data: bytes, **headers: str) -> tuple[int, bytes]:
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        c.putrequest("POST", path)
        sent = {"Content-Type": JSON, "Content-Length": str(len(data)), **headers}
        for name, value in sent.items():
            if value:
                c.putheader(name, value)
        c.endheaders()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            c.send(data)  # the server may refuse before reading it all
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def test_posts_go_to_the_room_only(server: StaticServer) -> None:
    status, reply = post(server, HEARTBEAT, body(beat()))
    assert status == 200 and json.loads(reply)["ok"] is True
    assert post(server, "/index.html", body(beat()))[0] == 405  # a page takes no POST
    assert post(server, "/_room/other", body(beat()))[0] == 405


def test_a_huge_body_is_413_unread(server: StaticServer, db_path: Path) -> None:
    huge = b'{"display": "entrance", "events": [' + b" " * (MAX_BODY + 1) + b"]}"
    status, reply = post(server, EVENTS, huge)
    assert status == 413 and b"larger than 262144 bytes" in reply
    chunked = {"Content-Length": "", "Transfer-Encoding": "chunked"}
    status, reply = post(server, EVENTS, b"{}", **chunked)
    assert status == 411
    assert post(server, HEARTBEAT, body(beat()))[0] == 200  # and the server goes on


def test_the_launchers_count_replaces_the_pages_for_its_own_display(
    db_path: Path, logged: list[str]
) -> None:
    # `immersion kiosk --launch` knows how often it brought its display back; the page
    # that died cannot. Another display's page served by the same server keeps its own.
    counts = {"entrance": 3}
    endpoints = RoomEndpoints(
        lambda: database.connect(db_path, busy_seconds=0.2),
        lambda: list(DISPLAYS),
        logged.append,
        now=lambda: "2026-12-02T10:00:00.000Z",
        restarts=counts.get,
    )
    try:
        other = next(d for d in DISPLAYS if d != "entrance")
        for display in ("entrance", other):
            reply = endpoints.heartbeat(body(beat(display=display, restarts=1)), JSON, "::1")
            assert answer(reply)[0] == 200
        with database.connect(db_path) as db:
            rows = db.displays()
        assert (rows["entrance"].restarts, rows[other].restarts) == (3, 1)
        # the heartbeat a batch carries, too
        counts["entrance"] = 4
        carried = {"display": "entrance", "events": [], "heartbeat": beat(restarts=1)}
        assert answer(endpoints.events(body(carried), JSON, "::1"))[0] == 200
    finally:
        endpoints.close()
    with database.connect(db_path) as db:
        assert db.displays()["entrance"].restarts == 4


# -- the fast path of a well-formed report agrees with the field-by-field checks --------

ODD_VALUES: list[Any] = [
    None,
    "",
    "x",
    "persona:maya",
    "a" * 201,
    "café\x00",
    "2026-12-02T10:00:00.000Z",
    "2026-02-30T10:00:00.000Z",  # canonical in form, no such day
    "2026-12-02T11:00:00+01:00",
    "2026-12-02",
    "2026-12-02\n",
    "1920x1080",
    "0123456789abcdef",
    "slide",
    0,
    7,
    -1,
    2**31,
    20.5,
    float("nan"),
    float("inf"),
    True,
    False,
    [],
    {},
]


def agree(fast: Any, checked: Any, data: Any) -> None:
    quick = fast(data)
    try:
        strict = checked(data)
    except Invalid:
        assert quick is None, data  # the fast path never takes what the checks refuse
        return
    assert quick is None or quick == strict, data


def fast_event(data: Any) -> Any:
    return endpoints_module._well_formed(data, "entrance")


def checked_event(data: Any) -> Any:
    return endpoints_module._checked_event(data, "entrance", "events[0]")


@pytest.mark.parametrize("key", [*sorted(endpoints_module._EVENT_KEYS), "unknown"])
def test_the_fast_path_of_an_event_agrees_with_its_checks(key: str) -> None:
    for value in ODD_VALUES:
        data = {**event(1), key: value}
        agree(fast_event, checked_event, data)
        if key != "unknown":
            data.pop(key)
            agree(fast_event, checked_event, data)
    assert endpoints_module._well_formed(event(1), "entrance") is not None  # it is taken


@pytest.mark.parametrize("key", [*sorted(endpoints_module._BEAT_KEYS), "unknown"])
def test_the_fast_path_of_a_heartbeat_agrees_with_its_checks(key: str) -> None:
    for value in ODD_VALUES:
        data = {**beat(restarts=2), key: value}
        agree(endpoints_module._well_formed_beat, endpoints_module._checked_beat, data)
        data.pop(key)
        agree(endpoints_module._well_formed_beat, endpoints_module._checked_beat, data)
    assert endpoints_module._well_formed_beat(beat()) is not None
