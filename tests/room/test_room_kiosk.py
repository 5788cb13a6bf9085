"""A display reports to `immersion kiosk` by itself, offline first (room.js), in Chromium.

The demo room's kiosk as built, served by the real kiosk command (its /_room/ endpoints
writing build/.room/room.sqlite). The page's time is Playwright's fake clock: an hour
of the loop, twenty minutes offline and back, runs in seconds; the IndexedDB store and
the requests run on the real clock, so the test waits for the database, never sleeps.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium

from immersion.commands import kiosk
from immersion.commands import room as room_command
from immersion.httpd import StaticServer
from immersion.project import Project
from immersion.room import database

START = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)  # a Wednesday, the room is open


@pytest.fixture(scope="module")
def project(demo_site: Path) -> Path:
    return demo_site.parent.parent


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


class Kiosk:
    """`immersion kiosk entrance` on a free port, in a thread, with what it printed."""

    def __init__(self, project: Path) -> None:
        self.out = io.StringIO()
        started = threading.Event()
        self.server: StaticServer | None = None

        def ready(server: StaticServer) -> None:
            self.server = server
            started.set()

        self.thread = threading.Thread(
            target=kiosk.run,
            args=(project, "entrance"),
            kwargs={"port": 0, "out": self.out, "ready": ready},
            daemon=True,
        )
        self.thread.start()
        assert started.wait(30)
        assert self.server is not None
        self.url = self.server.url

    def stop(self) -> None:
        assert self.server is not None
        self.server.stop()
        self.thread.join(10)


@pytest.fixture
def served(project: Path) -> Iterator[Kiosk]:
    db = project / "build" / ".room"
    for f in db.glob("room.sqlite*"):
        f.unlink()  # each test starts with an empty room database
    k = Kiosk(project)
    yield k
    k.stop()


def wait_for(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def open_display(browser: Any, url: str, display: str) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))
    page.clock.install(time=START)
    page.goto(url + display + "/")
    page.wait_for_function("window.immersionKiosk && window.immersionRoom")
    return context, page, loads


def showing(page: Any) -> dict[str, Any]:
    return dict(
        page.evaluate(
            """() => {
                const k = immersionKiosk, t = k.turn();
                const s = document.querySelectorAll('.ik-slide')[k.current()];
                return { item: s.dataset.ikItem, start: t.start, end: t.end, now: Date.now() };
            }"""
        )
    )


def run_loop(page: Any, minutes: float, shown: list[dict[str, Any]]) -> None:
    """Run the fake clock turn by turn for `minutes`, noting each slide the page shows."""
    end = page.evaluate("Date.now()") + minutes * 60_000
    while True:
        now = showing(page)
        if not shown or (now["item"], now["start"]) != (shown[-1]["item"], shown[-1]["start"]):
            shown.append(now)
        if now["now"] >= end:
            return
        page.clock.run_for(int(min(now["end"], end) - now["now"]) + 50)


def slide_events(project: Path) -> list[database.Event]:
    with database.connect(project.joinpath("build", ".room", "room.sqlite")) as db:
        return [e for e in db.events("entrance") if e.kind == "slide"]


def test_an_hour_of_the_loop_and_twenty_minutes_offline_are_all_in_the_database(
    browser: Any, served: Kiosk, project: Path
) -> None:
    context, page, loads = open_display(browser, served.url, "entrance")
    try:
        # The service worker installs on the real clock: the display becomes offline-capable.
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=90_000)
        shown: list[dict[str, Any]] = []
        run_loop(page, 60, shown)
        context.set_offline(True)
        run_loop(page, 20, shown)
        assert page.evaluate("immersionRoom.stored()") > 40  # kept while the server was away
        context.set_offline(False)
        run_loop(page, 2, shown)  # the next heartbeat finds the server: the store is sent
        finished = shown[:-1]  # the last one is still on screen
        assert len(finished) > 150

        def arrived() -> list[database.Event] | None:
            # The fake clock keeps running while we wait: a batch the server turned away
            # (busy, 429) is sent again after a pause the page measures on that clock.
            page.clock.run_for(2_000)
            events = slide_events(project)
            return events[: len(finished)] if len(events) >= len(finished) else None

        got = wait_for(arrived)
        assert got, f"{len(slide_events(project))} of {len(finished)} slides arrived"
        # Every slide shown, exactly once, in order, at the moment it began (fake clock).
        assert [e.item for e in got] == [s["item"] for s in finished]
        assert len({e.id for e in got}) == len(got)
        for event, seen in zip(got[1:], finished[1:], strict=True):  # the first: page load
            began = database.parse_time(event.started_at).timestamp() * 1000
            assert abs(began - seen["start"]) < 100, event
            assert event.seconds is not None and event.build
            if event.item == "story:story-p19":
                # proof of non-play: the UTC instant the page said, as the database keeps it
                assert event.valid_until == "2030-12-10T00:00:00.000Z"
        lengths = {s["item"]: (s["end"] - s["start"]) / 1000 for s in finished[1:]}
        assert all(abs(e.seconds - lengths[e.item]) < 1.5 for e in got[1:-1])  # type: ignore[operator]
        assert loads == [served.url + "entrance/"]  # the watchdog never reloaded a healthy loop
        assert wait_for(lambda: page.evaluate("immersionRoom.stored()") == 0)  # all sent
    finally:
        context.close()

    # The status command sees the display, then, once it stops, calls it silent.
    out = io.StringIO()
    assert room_command.run(project, out=out) == 1  # the room's other displays never reported
    lines = out.getvalue().splitlines()
    entrance = next(line for line in lines if line.startswith("entrance "))
    assert " s ago" in entrance and "(current)" in entrance and entrance.endswith("  ok")
    others = [d for d in kiosk.room_displays(Project(project)) if d != "entrance"]
    assert others and lines[-1].endswith(" display(s) silent: " + ", ".join(others))
    later = io.StringIO()
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=6)
    assert room_command.run(project, out=later, clock=lambda: soon) == 1
    entrance = next(line for line in later.getvalue().splitlines() if line.startswith("entrance "))
    assert "6 min ago" in entrance and "silent for more than 5 min" in entrance
    last = later.getvalue().splitlines()[-1]
    assert last.endswith(" silent: " + ", ".join(["entrance", *others]))


def test_the_watchdog_reloads_a_page_that_stops_advancing(browser: Any, served: Kiosk) -> None:
    context, page, loads = open_display(browser, served.url, "entrance")
    try:
        page.clock.pause_at((page.evaluate("Date.now()") + 1000) / 1000)
        first = showing(page)
        # The loop dies: its slides can no longer change (the kiosk keeps choosing them).
        page.evaluate(
            "() => { DOMTokenList.prototype.toggle = function () { throw new Error('stuck'); }; }"
        )
        longest = max(page.evaluate("immersionKiosk.cycle()"))
        for _ in range(int(3 * longest) + 5):
            if len(loads) > 1:
                break
            try:
                page.clock.run_for(1000)
            except Exception:  # the page is being reloaded under the clock
                break
        wait_for(lambda: len(loads) > 1, 10)
        assert loads == [served.url + "entrance/"] * 2
        page.wait_for_function("window.immersionKiosk && immersionKiosk.current() >= 0")
        assert page.evaluate("DOMTokenList.prototype.toggle.toString()").find("stuck") < 0
        assert first["item"]
    finally:
        context.close()


def test_a_full_store_drops_the_oldest_and_says_how_many(
    browser: Any, served: Kiosk, project: Path
) -> None:
    context, page, _loads = open_display(browser, served.url, "entrance")
    try:
        page.clock.pause_at((page.evaluate("Date.now()") + 1000) / 1000)
        page.evaluate("() => { immersionRoom.cap = 5; }")  # 50,000 on a display
        context.set_offline(True)
        shown: list[dict[str, Any]] = []
        run_loop(page, 10, shown)
        assert wait_for(lambda: page.evaluate("immersionRoom.stored()") == 5)
        context.set_offline(False)
        run_loop(page, 2, shown)
        assert wait_for(lambda: page.evaluate("immersionRoom.stored()") == 0)
        with database.connect(project / "build" / ".room" / "room.sqlite") as db:
            events = db.events("entrance")
        dropped = [e for e in events if e.kind == "dropped"]
        slides = [e for e in events if e.kind == "slide"]
        finished = shown[:-1]
        assert len(dropped) == 1 and dropped[0].count is not None
        assert len(slides) + dropped[0].count == len(finished)  # none lost without a count
        # The oldest went: what is kept is the end of what was shown.
        assert [e.item for e in slides] == [s["item"] for s in finished[-len(slides) :]]
    finally:
        context.close()


def step_seconds(page: Any, seconds: int, shown: list[dict[str, Any]]) -> None:
    """Second by second, each time until the page has sent what it was sending, so
    the fake clock never runs ahead of a request on the real one."""
    for _ in range(seconds):
        page.clock.run_for(1000)
        wait_for(lambda: not page.evaluate("immersionRoom.busy()"))
        now = showing(page)
        if not shown or (now["item"], now["start"]) != (shown[-1]["item"], shown[-1]["start"]):
            shown.append(now)


def test_the_minutes_heartbeat_rides_with_its_events(
    browser: Any, served: Kiosk, project: Path
) -> None:
    context, page, _loads = open_display(browser, served.url, "entrance")
    posts: list[tuple[str, dict[str, Any]]] = []
    refuse = {"carried": False}

    def seen(route: Any) -> None:
        sent = route.request.post_data_json
        posts.append((route.request.url.rsplit("/", 1)[1], sent))
        if refuse["carried"] and "heartbeat" in sent:
            route.fulfill(status=400, content_type="application/json", body='{"error":"no"}\n')
        else:
            route.continue_()

    try:
        page.clock.pause_at((page.evaluate("Date.now()") + 1000) / 1000)
        assert wait_for(lambda: page.evaluate("immersionRoom.beats") == 1)  # as it starts
        page.route("**/_room/*", seen)
        shown: list[dict[str, Any]] = []
        step_seconds(page, 5 * 60, shown)
        # Each minute is one request: the events since the last, carrying its heartbeat.
        assert len(posts) == 5
        assert all(path == "events" and sent["events"] for path, sent in posts)
        assert all(sent["heartbeat"]["display"] == "entrance" for _, sent in posts)
        assert page.evaluate("immersionRoom.beats") == 1 + 5

        # The server refuses a batch carrying a heartbeat: the heartbeat goes alone, the
        # batch again without it, and nothing is counted dropped.
        refuse["carried"] = True
        step_seconds(page, 60, shown)
        assert [path for path, _ in posts[5:]] == ["events", "heartbeat", "events"]
        assert "heartbeat" not in posts[-1][1] and posts[-1][1]["events"] == posts[5][1]["events"]
        assert page.evaluate("immersionRoom.beats") == 1 + 6
        assert page.evaluate("immersionRoom.stored()") == 0
    finally:
        context.close()
    sent = [e["id"] for _, body in posts[:5] + posts[-1:] for e in body["events"]]
    with database.connect(project / "build" / ".room" / "room.sqlite") as db:
        got = db.events("entrance")
        assert db.displays()["entrance"].beats == 1 + 6
    assert sorted(e.id for e in got) == sorted(sent)
    assert not [e for e in got if e.kind == "dropped"]
