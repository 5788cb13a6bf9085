"""`immersion kiosk DISPLAY --launch` keeps the display alive by itself.

A real headless Chromium against a real kiosk build: its browser process killed, then
its tab's renderer killed; each time the display must be showing again within 10 s,
as the launcher reads it through the DevTools pipe (the page loaded again and
`window.immersionKiosk` runs there), served at `/_room/launcher`. The tests run as root
in a container, so they launch through the Python API with the root check off and pass
`--headless --no-sandbox` in IMMERSION_KIOSK_CHROMIUM_FLAGS (docs/kiosk.md).
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser import CHROMIUM_FLAGS, chromium_path
from conftest import make_kiosk_room

from immersion.cli import main
from immersion.commands import kiosk
from immersion.httpd import StaticServer
from immersion.launcher import profile as launcher_profile
from immersion.launcher.backoff import Backoff, Streak
from immersion.launcher.browser import Browser
from immersion.launcher.devtools import DevToolsPipe
from immersion.launcher.state import LauncherState
from immersion.launcher.supervisor import Supervisor
from immersion.launcher.watchdog import Limits
from immersion.problems import BuildError

BACK_WITHIN = 10.0  # seconds: the promise, from the kill to the display showing
FIRST_START = 60.0  # a first Chromium start on a loaded machine (profile created)


@pytest.fixture(scope="module")
def kiosk_room(tmp_path_factory: pytest.TempPathFactory, tone: Path) -> Path:
    """The small test room, built for the kiosk once for this file."""
    return make_kiosk_room(tmp_path_factory.mktemp("room"), tone)


def processes() -> dict[int, bytes]:
    """Every live process's command line (zombies have none)."""
    found = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/cmdline", "rb") as file:
                    found[int(name)] = file.read()
            except OSError:
                continue
    return found


def group_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            return int(file.read().rsplit(b")", 1)[1].split()[2])
    except (OSError, IndexError, ValueError):
        return None


@dataclass
class Launched:
    server: StaticServer
    out: io.StringIO
    profile: bytes  # the profile folder, as it appears in every Chromium command line

    def report(self) -> dict[str, Any]:
        url = f"http://127.0.0.1:{self.server.port}{kiosk.LAUNCHER_PATH}"
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.headers["Content-Type"] == "application/json"
            return dict(json.load(response))

    def wait_for(self, holds: Callable[[dict[str, Any]], bool], timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            report = self.report()
            if holds(report):
                return report
            if time.monotonic() > deadline:
                pytest.fail(f"not within {timeout} s: {report}\n{self.out.getvalue()}")
            time.sleep(0.1)

    def chromium(self) -> list[int]:
        """Our Chromium's processes (browser, zygotes, GPU, renderers) now running."""
        return [pid for pid, line in processes().items() if self.profile in line]


@pytest.fixture
def launched(
    kiosk_room: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Launched]:
    """`kiosk.run(..., launch=True)` in a thread with a real headless Chromium."""
    data = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv(kiosk.EXTRA_FLAGS_ENV, " ".join(CHROMIUM_FLAGS))
    ready: queue.Queue[StaticServer] = queue.Queue()
    out = io.StringIO()
    thread = threading.Thread(
        target=kiosk.run,
        args=(kiosk_room, "entrance"),
        kwargs={
            "port": 0,
            "launch": True,
            "chromium": Path(chromium_path()),
            "out": out,
            "ready": ready.put,
            "refuse_root": False,
        },
        daemon=True,
    )
    thread.start()
    server = ready.get(timeout=30)
    profile = str(kiosk.profile_dir("entrance")).encode()
    launched = Launched(server, out, profile)
    try:
        yield launched
    finally:
        server.stop()
        thread.join(timeout=30)
        # A process sent SIGKILL takes a moment to be gone (its command line then empty).
        deadline = time.monotonic() + 5
        while launched.chromium() and time.monotonic() < deadline:
            time.sleep(0.05)
        left = {pid: processes().get(pid, b"")[:200] for pid in launched.chromium()}
        for pid in left:  # never leave a browser behind, even when the product did
            group = group_of(pid)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL) if group else os.kill(pid, signal.SIGKILL)
    assert not thread.is_alive()
    assert left == {}, f"Chromium processes were left running: {left}"


def test_a_killed_browser_is_started_again(launched: Launched) -> None:
    first = launched.wait_for(lambda r: r["showing"], FIRST_START)
    assert first["running"] and first["browser_restarts"] == 0
    pid = first["pid"]
    assert group_of(pid) == pid  # Chromium leads a process group of its own
    os.kill(pid, signal.SIGKILL)
    # `showing` is false from the new browser's start until the launcher has asked its
    # page, over the new pipe, and the page was the display's with kiosk.js running.
    again = launched.wait_for(lambda r: r["pid"] not in (None, pid) and r["showing"], BACK_WITHIN)
    assert again["browser_restarts"] == 1 and again["restarts"] == 1
    assert again["tab_reloads"] == 0
    assert again["last_problem"] == "Chromium was killed by signal 9 (SIGKILL)"
    lines = launched.out.getvalue().splitlines()
    assert lines[2] == f"started Chromium (pid {pid})"
    assert (
        "Chromium was killed by signal 9 (SIGKILL): starting it again in 1 s (restart 1)" in lines
    )
    # The old browser's renderers went with it: only the new Chromium's group is left.
    assert {group_of(p) for p in launched.chromium()} == {again["pid"]}


def test_a_crashed_tab_is_reloaded(launched: Launched) -> None:
    first = launched.wait_for(lambda r: r["showing"], FIRST_START)
    pid = first["pid"]
    renderers = [
        p
        for p, line in processes().items()
        if launched.profile in line and b"--type=renderer" in line and group_of(p) == pid
    ]
    assert renderers, "found no renderer of the display's Chromium"
    for renderer in renderers:
        os.kill(renderer, signal.SIGKILL)
    again = launched.wait_for(
        lambda r: r["tab_reloads"] == 1 and r["showing"] and r["loads"] > first["loads"],
        BACK_WITHIN,
    )
    assert again["pid"] == pid and again["browser_restarts"] == 0 and again["restarts"] == 1
    assert again["last_problem"] == "the display's tab crashed (killed, code 9)"
    assert (
        "the display's tab crashed (killed, code 9): reloading it in 1 s (reload 1)"
        in launched.out.getvalue().splitlines()
    )


def test_launch_as_root_is_refused_in_one_line(
    kiosk_room: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.geteuid() != 0:
        monkeypatch.setattr(os, "geteuid", lambda: 0)
    args = ["-C", str(kiosk_room), "kiosk", "entrance", "--launch", "--port", "0"]
    assert main([*args, "--chromium", "/usr/bin/true"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "immersion: error: will not launch Chromium as root (its sandbox does not run as "
        "root, and a display should not); run it as a kiosk user: a dedicated account that "
        "logs in to the display's session, with `immersion kiosk entrance --print-unit` "
        "installed as that account's systemd user unit (docs/kiosk.md)\n"
    )


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 30), (7, 30), (10**6, 30)],
)
def test_the_back_off_schedule(failures: int, seconds: float) -> None:
    assert Backoff().delay(failures) == seconds


# (started at, failed at) in a row -> the wait after each failure; None: never started
STREAKS = [
    ("quick failures double", [(0, 0.5), (1.5, 2), (4, 4.1), (8.1, 9)], [1, 2, 4, 8]),
    ("a stable run starts again at 1 s", [(0, 1), (2, 3), (5, 65), (66, 66)], [1, 2, 1, 2]),
    ("just short of stable", [(0, 1), (2, 61.9)], [1, 2]),
    ("never started", [(None, 0), (None, 1), (None, 3)], [1, 2, 4]),
    ("capped", [(t, t) for t in range(10)], [1, 2, 4, 8, 16, 30, 30, 30, 30, 30]),
]


@pytest.mark.parametrize(("runs", "waits"), [s[1:] for s in STREAKS], ids=[s[0] for s in STREAKS])
def test_crash_bookkeeping(runs: Sequence[tuple[float | None, float]], waits: list[float]) -> None:
    backoff, streak, seen = Backoff(), Streak(), []
    for started, failed in runs:
        if started is not None:
            streak = streak.started(started)
        streak = streak.failed(failed, backoff)
        seen.append(streak.delay(backoff))
    assert seen == waits


def test_a_chromium_that_cannot_start_is_tried_less_and_less_often() -> None:
    """Spawning fails (say the executable went away with an upgrade): each try is a
    failure with its wait, the loop goes on, and our own stop ends it uncounted."""
    out = io.StringIO()
    state = LauncherState("entrance")
    tries: list[Sequence[str]] = []
    quick = Backoff(first=0.001, cap=0.004)

    def cannot_start(command: Sequence[str]) -> Browser:
        tries.append(command)
        if len(tries) == 4:
            supervisor.stop()
        raise OSError(errno.ENOENT, "No such file or directory")

    supervisor = Supervisor(
        ["chromium"], "http://x/", state, out, quick, start_browser=cannot_start
    )
    supervisor.run()
    assert out.getvalue().splitlines() == [
        "Chromium could not be started: No such file or directory: "
        f"starting it again in {wait:g} s (restart {n})"
        for n, wait in ((1, 0.001), (2, 0.002), (3, 0.004))
    ]
    report = state.report()
    assert len(tries) == 4 and not report.running
    assert report.last_problem == "Chromium could not be started: No such file or directory"


def test_flags_that_open_a_devtools_port_are_refused() -> None:
    assert kiosk.extra_flags({kiosk.EXTRA_FLAGS_ENV: "--headless '--lang=en GB'"}) == [
        "--headless",
        "--lang=en GB",
    ]
    with pytest.raises(BuildError, match="--remote-debugging-port would open a DevTools"):
        kiosk.extra_flags({kiosk.EXTRA_FLAGS_ENV: "--remote-debugging-port=9222"})


# -- the tab watch, against a DevTools peer on real pipes, with a fake clock ------------


class FakeBrowser(Browser):
    """A Browser whose far end is the test: `exited` ends it, `end` closes our pipe."""

    def __init__(self, pipe: DevToolsPipe, events: int) -> None:
        super().__init__(0, pipe)
        self._events = events
        self.exited: int | None = None

    def poll(self) -> int | None:
        return self.exited

    def end(self, grace: float = 5.0) -> None:
        with contextlib.suppress(OSError):
            os.close(self._events)  # Chromium's end of the events pipe: the reader ends
        self.pipe.close()


class Peer:
    """What a Chromium says on its DevTools pipe, and what it is told."""

    def __init__(self) -> None:
        told_read, told_write = os.pipe()
        events_read, events_write = os.pipe()
        self._told = told_read
        self._events = events_write
        self._buffer = b""
        self.browser = FakeBrowser(DevToolsPipe(told_write, events_read), events_write)

    def say(self, method: str, params: dict[str, Any], session: str | None = None) -> None:
        message: dict[str, Any] = {"method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._events, json.dumps(message).encode() + b"\0")

    def answer(self, command: dict[str, Any], result: dict[str, Any]) -> None:
        message = {"id": command["id"], "result": result, "sessionId": command.get("sessionId")}
        os.write(self._events, json.dumps(message).encode() + b"\0")

    def told(self) -> dict[str, Any]:
        """The next command the supervisor sent (the pipe blocks until there is one)."""
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._told], [], [], 10)
            assert ready, "the supervisor sent nothing within 10 s"
            self._buffer += os.read(self._told, 65536)
        raw, _, self._buffer = self._buffer.partition(b"\0")
        return dict(json.loads(raw))

    def expect(self, method: str, session: str | None = None) -> dict[str, Any]:
        command = self.told()
        assert (command["method"], command.get("sessionId")) == (method, session), command
        return command


def lines_of(out: io.StringIO, count: int) -> list[str]:
    deadline = time.monotonic() + 10
    while len(out.getvalue().splitlines()) < count:
        assert time.monotonic() < deadline, out.getvalue()
        time.sleep(0.01)
    return out.getvalue().splitlines()


def test_the_tab_watch_reloads_once_per_crash_with_its_own_back_off() -> None:
    url = "http://127.0.0.1:8700/entrance/"
    peer, out, state, now = Peer(), io.StringIO(), LauncherState("entrance"), [100.0]
    supervisor = Supervisor(
        ["chromium"], url, state, out, clock=lambda: now[0], start_browser=lambda _: peer.browser
    )
    supervisor.start()
    try:
        peer.expect("Target.setDiscoverTargets")
        page = {"targetId": "T1", "type": "page", "url": url}
        peer.say("Target.targetCreated", "not an object")  # type: ignore[arg-type]
        peer.say("Target.targetCreated", {"targetInfo": page})
        peer.say("Target.targetInfoChanged", {"targetInfo": page})  # attached once only
        assert peer.expect("Target.attachToTarget")["params"] == {"targetId": "T1", "flatten": True}
        peer.say("Target.attachedToTarget", {"sessionId": "S1", "targetInfo": page})
        peer.expect("Inspector.enable", "S1")
        peer.expect("Page.enable", "S1")
        peer.answer(peer.expect("Runtime.evaluate", "S1"), {"result": {"value": [url, True]}})
        peer.say("Page.loadEventFired", {}, "S1")
        peer.answer(peer.expect("Runtime.evaluate", "S1"), {"result": {"value": [url, True]}})
        # The page's session hears first, the browser says why: one reload, its reason.
        peer.say("Inspector.targetCrashed", {}, "S1")
        peer.say("Target.targetCrashed", {"targetId": "T1", "status": "oom", "errorCode": 0})
        assert lines_of(out, 2)[1:] == [
            "the display's tab crashed (oom, code 0): reloading it in 1 s (reload 1)"
        ]
        now[0] = 101.0
        assert peer.expect("Page.navigate", "S1")["params"] == {"url": url}
        # Again within a minute: twice the wait; and only the page's session told of it,
        # so the reason is awaited a moment (the clock moves on until it is given up).
        now[0] = 110.0
        peer.say("Inspector.targetCrashed", {}, "S1")
        deadline = time.monotonic() + 10
        while len(out.getvalue().splitlines()) < 3 and time.monotonic() < deadline:
            now[0] += 0.05
            time.sleep(0.02)
        assert lines_of(out, 3)[2] == (
            "the display's tab crashed (crashed): reloading it in 2 s (reload 2)"
        )
        now[0] += 2
        peer.expect("Page.navigate", "S1")
        # The last page closed: a new one is opened.
        peer.say("Target.targetDestroyed", {"targetId": "T1"})
        assert lines_of(out, 4)[3] == (
            "the display's tab was closed: opening a new one in 4 s (reload 3)"
        )
        now[0] += 4
        assert peer.expect("Target.createTarget")["params"] == {"url": url}
        report = state.report()
        assert (report.tab_reloads, report.browser_restarts, report.loads) == (3, 0, 1)
        assert report.last_problem == "the display's tab was closed"
    finally:
        supervisor.stop()
    assert lines_of(out, 4)[0] == "started Chromium (pid 0)" and len(lines_of(out, 4)) == 4
    assert not state.report().running


def attach(peer: Peer, url: str, showing: bool) -> None:
    """Chromium's first page appears, is attached, and answers the first question."""
    peer.expect("Target.setDiscoverTargets")
    page = {"targetId": "T1", "type": "page", "url": url}
    peer.say("Target.targetCreated", {"targetInfo": page})
    peer.expect("Target.attachToTarget")
    peer.say("Target.attachedToTarget", {"sessionId": "S1", "targetInfo": page})
    peer.expect("Inspector.enable", "S1")
    peer.expect("Page.enable", "S1")
    peer.answer(peer.expect("Runtime.evaluate", "S1"), {"result": {"value": [url, showing]}})


def test_a_page_that_never_shows_is_reloaded_then_chromium_restarted() -> None:
    """The watchdog (tests/launcher/test_watchdog.py) driven through the supervisor: a
    page without the kiosk runtime is reloaded, then Chromium is ended and started
    again; the new one's page shows, then hangs (no answer): Chromium is ended at once."""
    url = "http://127.0.0.1:8700/entrance/"
    peers, out, state = [Peer(), Peer(), Peer()], io.StringIO(), LauncherState("entrance")
    now = [100.0]
    started = list(peers)
    limits = Limits(show_within=30, ask_every=10, answer_within=15, reloads=1)
    supervisor = Supervisor(
        ["chromium"],
        url,
        state,
        out,
        clock=lambda: now[0],
        start_browser=lambda _: peers.pop(0).browser,
        limits=limits,
    )
    supervisor.start()
    try:
        first = started[0]
        attach(first, url, showing=False)  # the display's address, no kiosk runtime
        now[0] = 130.0
        assert lines_of(out, 2)[1] == (
            "the display's page did not show within 30 s: reloading it in 1 s (reload 1)"
        )
        assert state.report().stalls == 1 and not state.report().showing
        now[0] = 131.0
        assert first.expect("Page.navigate", "S1")["params"] == {"url": url}
        first.say("Page.loadEventFired", {}, "S1")
        first.answer(first.expect("Runtime.evaluate", "S1"), {"result": {"value": [url, False]}})
        # Moved on only once the supervisor has the answer (its next question then comes
        # at 141): else it may judge 161 first, and take the page for hung.
        deadline = time.monotonic() + 10
        while supervisor._watchdog.next_time() != 141.0:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        now[0] = 161.0  # the second miss, after `reloads` (1) reload: Chromium restarted
        assert lines_of(out, 3)[2] == (
            "Chromium was ended (the display's page did not show within 30 s, 2 times in a "
            "row): starting it again in 1 s (restart 1)"
        )
        second = started[1]
        attach(second, url, showing=True)
        deadline = time.monotonic() + 10
        while not state.report().showing:
            assert time.monotonic() < deadline, state.report()
            time.sleep(0.01)
        now[0] = 171.0  # ask_every later: asked again, and it never answers (hung)
        second.expect("Runtime.evaluate", "S1")
        # Moved on only once the supervisor has noted the question (at 171): the clock
        # it reads after sending must not be the test's next one.
        deadline = time.monotonic() + 10
        while supervisor._watchdog.next_time() != 186.0:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        now[0] = 186.0
        # The browser's streak: a failure 25 s after its start, the second in a row: 2 s.
        assert lines_of(out, 4)[3] == (
            "Chromium was ended (the display's page did not answer for 15 s): "
            "starting it again in 2 s (restart 2)"
        )
        started[2].expect("Target.setDiscoverTargets")
        report = state.report()
        assert (report.stalls, report.tab_reloads, report.browser_restarts) == (3, 1, 2)
        assert report.restarts == 3  # what the heartbeat carries
        assert report.last_problem == (
            "Chromium was ended (the display's page did not answer for 15 s)"
        )
    finally:
        supervisor.stop()
    assert len(lines_of(out, 4)) == 4


# -- the profile made free before each start ----------------------------------------


def sleeper(profile: Path) -> subprocess.Popen[bytes]:
    """A process whose command line names the profile, as a Chromium left on it would."""
    code = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(60)"
    )
    args = [sys.executable, "-c", code, f"--user-data-dir={profile}"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline() == b"ready\n"
    return process


def test_a_lock_of_another_computer_is_removed_and_said(tmp_path: Path) -> None:
    """Left as it is, Chromium would stop on its "profile in use ... on another
    computer" dialog and the display would show no room until someone clicks it."""
    profile = tmp_path / "entrance"
    profile.mkdir()
    (profile / "SingletonLock").symlink_to("old-kiosk.example-12345")
    (profile / "SingletonSocket").symlink_to("/tmp/org.chromium.Chromium.gone/SingletonSocket")
    (profile / "SingletonCookie").symlink_to("8442879881311633419")
    (profile / "Preferences").write_text("{}")
    assert launcher_profile.lock_owner(profile) == ("old-kiosk.example", 12345)
    said: list[str] = []
    launcher_profile.free(profile, said.append)
    assert said == [
        "removed the profile lock of Chromium pid 12345 on another computer "
        "(old-kiosk.example): only this display's launcher uses its profile"
    ]
    assert sorted(p.name for p in profile.iterdir()) == ["Preferences"]
    # Our own host's lock (a browser we killed) goes without a word: Chromium copes too.
    (profile / "SingletonLock").symlink_to(f"{os.uname().nodename}-1")
    launcher_profile.free(profile, said.append)
    assert len(said) == 1 and not (profile / "SingletonLock").is_symlink()
    launcher_profile.free(profile, said.append)  # nothing there: nothing done
    assert len(said) == 1


def test_a_chromium_left_on_the_profile_is_ended_first(tmp_path: Path) -> None:
    """A Chromium still running on the display's profile would take the new one's URL
    and let it exit: the display would be shown by a browser nobody watches."""
    profile = tmp_path / "entrance"
    profile.mkdir()
    other = sleeper(tmp_path / "another-display")
    left = sleeper(profile)
    try:
        assert launcher_profile.users_of(profile) == [left.pid]
        said: list[str] = []
        launcher_profile.free(profile, said.append, grace=0.2)  # it ignores SIGTERM
        assert said == [f"ending a Chromium left running on the display's profile (pid {left.pid})"]
        assert left.wait(timeout=10) == -signal.SIGKILL
        assert other.poll() is None  # another profile's process is left alone
    finally:
        for process in (left, other):
            process.kill()
            process.wait()
