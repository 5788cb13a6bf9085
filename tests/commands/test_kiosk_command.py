"""`immersion kiosk DISPLAY`: serving a display, its Chromium command, its systemd unit."""

from __future__ import annotations

import io
import os
import queue
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import TODAY

from immersion.cli import main
from immersion.commands import build, kiosk
from immersion.httpd import StaticServer

FLAGS = (
    "--noerrdialogs --disable-session-crashed-bubble --disable-pinch "
    "--overscroll-history-navigation=0 --check-for-update-interval=31536000 "
    "--disable-features=Translate --no-first-run --window-position=0,0"
)


@pytest.fixture
def built(room: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The test room with a listening post that may play sound, built for the kiosk."""
    text = (room / "content/room.yml").read_text()
    text = text.replace(
        "    playlist: {items: [persona/maya, story/p07, story/old]}",
        "    playlist: {items: [persona/maya, story/p07, story/old]}\n    audio: true",
    )
    (room / "content/room.yml").write_text(text)
    out = io.StringIO()
    assert build.run(room, ("kiosk",), today=TODAY, out=out) == 0, out.getvalue()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    return room


Runner = Callable[..., tuple[StaticServer, io.StringIO]]


@pytest.fixture
def running() -> Iterator[Runner]:
    """Start `kiosk.run` in a thread; stop every server it started at the end."""
    started: list[tuple[StaticServer, threading.Thread]] = []

    def start(project: Path, display: str, **options: object) -> tuple[StaticServer, io.StringIO]:
        ready: queue.Queue[StaticServer] = queue.Queue()
        out = io.StringIO()
        thread = threading.Thread(
            target=kiosk.run,
            args=(project, display),
            kwargs={"port": 0, "out": out, "ready": ready.put, **options},
            daemon=True,
        )
        thread.start()
        server = ready.get(timeout=20)
        started.append((server, thread))
        return server, out

    yield start
    for server, thread in started:
        server.stop()
        thread.join(timeout=20)
        assert not thread.is_alive()


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def test_prints_the_exact_chromium_command(built: Path, running: Runner, tmp_path: Path) -> None:
    profiles = tmp_path / "home/.local/share/immersion/kiosk-profiles"
    server, out = running(built, "entrance", chromium=Path("/usr/bin/true"))
    url = f"http://127.0.0.1:{server.port}/entrance/"
    assert out.getvalue().splitlines() == [
        f"serving build/kiosk/ at http://127.0.0.1:{server.port}/ (Ctrl-C to stop)",
        f"display 'entrance': {url}",
        "start the display with:",
        f"  /usr/bin/true --kiosk --app={url} --user-data-dir={profiles}/entrance {FLAGS} "
        "--window-size=1920,1080",
    ]
    server, out = running(built, "post", chromium=Path("/usr/bin/true"))
    url = f"http://127.0.0.1:{server.port}/post/"
    assert out.getvalue().splitlines()[-1] == (
        f"  /usr/bin/true --kiosk --app={url} --user-data-dir={profiles}/post {FLAGS} "
        "--autoplay-policy=no-user-gesture-required --window-size=1080,1920"
    )


def test_serves_pages_recordings_with_ranges_and_fresh_workers(
    built: Path, running: Runner
) -> None:
    server, _out = running(built, "entrance")
    root = f"http://127.0.0.1:{server.port}/"
    base = root + "entrance/"
    status, headers, body = fetch(base)
    assert status == 200 and b'id="ik-config"' in body
    assert headers["Cache-Control"] == "no-cache"
    status, headers, body = fetch(
        root + "media/stories/p07/interview.opus", {"Range": "bytes=100-199"}
    )
    assert status == 206 and len(body) == 100
    assert headers["Content-Range"].startswith("bytes 100-199/")
    for name in ("sw.js", "precache.json"):
        status, headers, body = fetch(base + name)
        assert status == 200 and headers["Cache-Control"] == "no-cache", name
    assert fetch(base + "sw.js")[1]["Content-Type"].startswith("text/javascript")
    # media may be cached by the browser as usual
    assert "Cache-Control" not in fetch(root + "media/stories/p07/interview.m4a")[1]


def test_print_unit(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(built), "kiosk", "post", "--print-unit"]) == 0
    unit = capsys.readouterr().out
    command = f"{sys.executable} -m immersion -C {built} kiosk post --launch --port 8701"
    assert f"\nExecStart={command}\n" in unit
    for line in (
        "[Unit]",
        "Description=immersion kiosk: Listening post (post)",
        "After=graphical-session.target",
        "[Service]",
        "Restart=always",
        "RestartSec=5",
        "[Install]",
        "WantedBy=graphical-session.target",
    ):
        assert f"\n{line}\n" in unit
    assert main(["-C", str(built), "kiosk", "entrance", "--print-unit", "--port", "9000"]) == 0
    assert "kiosk entrance --launch --port 9000\n" in capsys.readouterr().out


def test_unknown_display_is_a_clear_error(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(built), "kiosk", "entrnce"]) == 1
    assert capsys.readouterr().err == (
        "immersion: error: unknown display 'entrnce' (did you mean 'entrance'?)\n"
    )
    assert main(["-C", str(built), "kiosk", "zzz", "--print-unit"]) == 1
    assert "unknown display 'zzz' (known: entrance, post)" in capsys.readouterr().err


def test_missing_build_is_a_clear_error(room: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(room), "kiosk", "entrance"]) == 1
    assert capsys.readouterr().err == (
        "immersion: error: display 'entrance' has not been built yet; "
        "build the kiosk first: immersion build --audience kiosk\n"
    )


def test_launch_starts_chromium_and_stops_it_with_the_server(
    built: Path, running: Runner, tmp_path: Path
) -> None:
    record = tmp_path / "args.txt"
    fake = tmp_path / "chromium"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {record}\nexec sleep 60\n')
    fake.chmod(0o755)
    server, out = running(built, "post", launch=True, chromium=fake, refuse_root=False)
    deadline = time.monotonic() + 10
    while not record.is_file() and time.monotonic() < deadline:
        time.sleep(0.05)
    args = record.read_text().splitlines()
    assert args[:2] == ["--kiosk", f"--app=http://127.0.0.1:{server.port}/post/"]
    assert "--autoplay-policy=no-user-gesture-required" in args
    profile = tmp_path / "home/.local/share/immersion/kiosk-profiles/post"
    assert f"--user-data-dir={profile}" in args and profile.is_dir()
    pid = int(out.getvalue().split("started Chromium (pid ")[1].split(")")[0])
    server.stop()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("Chromium was left running")


def test_launch_without_chromium_is_a_clear_error(
    built: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "no-chromium"
    assert main(["-C", str(built), "kiosk", "post", "--launch", "--chromium", str(missing)]) == 1
    err = capsys.readouterr().err
    assert f"cannot find {missing} to launch" in err and "--chromium PATH" in err


def test_a_port_in_use_is_a_clear_error(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with StaticServer(built / "build/kiosk") as other:
        assert main(["-C", str(built), "kiosk", "post", "--port", str(other.port)]) == 1
    assert f"cannot serve on 127.0.0.1:{other.port}" in capsys.readouterr().err


def test_default_ports_are_stable_per_display() -> None:
    room = ["entrance", "wall", "post"]
    assert [kiosk.default_port(d, room, []) for d in room] == [8700, 8701, 8702]
    # a display built but since removed from room.yml still gets a port of its own
    assert kiosk.default_port("old", room, ["entrance", "old"]) == 8703


def test_systemd_quoting() -> None:
    assert kiosk.systemd_quote("/usr/bin/python3") == "/usr/bin/python3"
    assert kiosk.systemd_quote("/srv/our room") == '"/srv/our room"'
    assert kiosk.systemd_quote("/srv/100%") == "/srv/100%%"
    assert kiosk.systemd_quote('a"b') == '"a\\"b"'
