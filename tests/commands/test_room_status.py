"""`immersion room status`: every display of room.yml, its last heartbeat, build, problems."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from immersion.cli import main
from immersion.commands import room as status
from immersion.project import Project
from immersion.room import database
from immersion.room.database import Heartbeat

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


def beat(project: Path, display: str, minutes_ago: float, **fields: object) -> None:
    when = database.iso(NOW - dt.timedelta(minutes=minutes_ago))
    with database.connect(Project(project).room_database) as db:
        db.heartbeat(Heartbeat(display, **fields), when)  # type: ignore[arg-type]


def publish(project: Path, display: str, build: str) -> None:
    """A published entry page with its build id, as `immersion build` writes it."""
    page = project / "build" / "kiosk" / display / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    config = json.dumps({"display": display, "build": build})
    page.write_text(f'<script type="application/json" id="ik-config">{config}</script>')


def report(project: Path, **options: object) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = status.run(project, out=out, clock=lambda: NOW, **options)  # type: ignore[arg-type]
    return code, out.getvalue().splitlines()


def test_every_display_alive_and_current_exits_0(room: Path) -> None:
    publish(room, "entrance", "b2")
    beat(room, "entrance", 0.5, build="b2", offline_capable=True, screen="1920x1080")
    beat(room, "post", 4, build="b2", offline_capable=True, screen="1080x1920")
    code, lines = report(room)
    assert code == 0
    assert lines[0].split() == ["display", "last", "heartbeat", "build", "screen", "problems"]
    assert lines[1].split() == ["entrance", "30", "s", "ago", "b2", "(current)", "1920x1080", "ok"]
    assert lines[2].split() == ["post", "4", "min", "ago", "b2", "(current)", "1080x1920", "ok"]
    assert lines[-1] == "all 2 display(s) reporting"


def test_a_display_silent_too_long_exits_1_and_says_what_is_wrong(room: Path) -> None:
    publish(room, "entrance", "b2")
    beat(room, "entrance", 7, build="b1", screen="1280x720", last_error="stall: no slide change")
    beat(room, "post", 1, offline_capable=True, restarts=2)
    code, lines = report(room)
    assert code == 1
    entrance = lines[1]
    assert entrance.startswith("entrance  7 min ago       b1 (stale)")
    for problem in (
        "silent for more than 5 min",
        "stale build (published: b2)",
        "not offline-capable (no service worker in control)",
        "screen 1280x720, room.yml says 1920x1080",
        "last error: stall: no slide change",
    ):
        assert problem in entrance
    assert "browser restarted 2 time(s)" in lines[2] and "silent" not in lines[2]
    assert lines[-1] == "1 of 2 display(s) silent: entrance"
    assert report(room, silent_after=10)[0] == 0  # the threshold is the caller's


def test_a_display_never_seen_counts_as_silent(room: Path) -> None:
    code, lines = report(room)  # no database at all: nothing is made by reading
    assert code == 1
    assert [line.split()[:2] for line in lines[1:3]] == [["entrance", "never"], ["post", "never"]]
    assert "never reported" in lines[1]
    assert "no display has reported yet (start them with: immersion kiosk DISPLAY)" in lines
    assert lines[-1] == "2 of 2 display(s) silent: entrance, post"
    assert not Project(room).room_database.exists()
    beat(room, "entrance", 1, offline_capable=True)
    code, lines = report(room)
    assert code == 1 and lines[-1] == "1 of 2 display(s) silent: post"


def test_the_command_line(room: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(room), "room", "status"]) == 1
    assert "2 of 2 display(s) silent" in capsys.readouterr().out
    with pytest.raises(SystemExit) as usage:
        main(["-C", str(room), "room", "status", "--silent-after", "0"])
    assert usage.value.code == 2
    assert "'0' is not a number of minutes" in capsys.readouterr().err
    assert main(["-C", str(room), "room", "status", "--database", "/tmp/x.sqlite"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("immersion: error: --database '/tmp/x.sqlite' is not a postgresql:// URL")
    assert err.count("\n") == 1


def test_a_corrupt_database_is_one_line(room: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = Project(room).room_database
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not sqlite" * 500)
    assert main(["-C", str(room), "room", "status"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "file is not a database (move the file aside" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "never"), (5, "5 s ago"), (600, "10 min ago"), (3 * 3600 + 300, "3 h 5 min ago")],
)
def test_ages_read_as_words(seconds: float | None, text: str) -> None:
    assert status.age_text(seconds) == text
