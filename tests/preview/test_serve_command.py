"""`immersion serve` as an editor runs it: a process, a URL, Ctrl-C."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from conftest import sigint_default

from immersion.cli import main


def start(room: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "immersion", "-C", str(room), "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=sigint_default,  # stop() sends Ctrl-C, even from a nohup'd test run
    )
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(r"preview: (http://\S+)", line)
        if found:
            return process, found.group(1)
    process.wait(10)
    raise AssertionError("the preview never printed its address")


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=30)
    assert process.returncode == 0, rest
    return rest


def test_serve_prints_its_address_serves_and_stops_cleanly_on_ctrl_c(room: Path) -> None:
    process, url = start(room, "--date", "2026-11-22")
    try:
        assert url.startswith("http://127.0.0.1:")
        page = urllib.request.urlopen(url + "stories/letter/", timeout=10).read().decode()
        assert "my bill doubled" in page
    finally:
        rest = stop(process)
    assert "preview stopped" in rest
    assert "Traceback" not in rest
    assert not (room / "build" / "intranet").exists()  # nothing was published


def test_a_display_is_previewed_from_its_entry_page(room: Path) -> None:
    process, url = start(room, "--display", "post", "--date", "2026-11-22")
    try:
        assert url.endswith("/post/")
        page = urllib.request.urlopen(url, timeout=10).read().decode()
        assert 'id="ik-config"' in page or "ik-config" in page
        assert "/.immersion/reload.js" in page
    finally:
        stop(process)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--display", "entrnce"], "room.yml has no display 'entrnce' (did you mean 'entrance'?)"),
        (["--display", "post", "--audience", "intranet"], "--display shows a kiosk display"),
    ],
)
def test_usage_errors_exit_2(
    room: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-C", str(room), "serve", "--port", "0", *args]) == 2
    assert message in capsys.readouterr().err


def test_a_busy_port_is_a_usage_error(room: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["-C", str(room), "serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "--port" in err
