"""`immersion schedule`: the systemd units and the cron line, parsed (and verified by
systemd-analyze where it is installed)."""

from __future__ import annotations

import configparser
import io
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from immersion.cli import main
from immersion.commands import schedule
from immersion.problems import UsageError

USER = "nobody"  # a plain account every Debian host has
VERIFY = [
    "systemd-analyze",
    "verify",
    "immersion-build-Room-5.service",
    "immersion-build-Room-5.timer",
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "Room 5%"  # a space and a % that systemd and cron must both survive
    (root / "content").mkdir(parents=True)
    (root / "content" / "room.yml").write_text("name: R\ntimezone: America/New_York\n")
    return root


def printed(project: Path, unit: str | None = "both", cron: bool = False) -> str:
    out = io.StringIO()
    assert schedule.run(project, unit, cron, USER, out) == 0
    return out.getvalue()


def ini(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return parser


def test_the_service_runs_the_build_once_as_a_plain_account(project: Path) -> None:
    unit = ini(printed(project, "service"))
    service = unit["Service"]
    assert service["Type"] == "oneshot"
    assert service["User"] == USER
    # systemd's quoting, with % doubled: the words are the build command of this project.
    words = shlex.split(service["ExecStart"].replace("%%", "%"))
    assert words == [sys.executable, "-m", "immersion", "-C", str(project), "build"]
    assert service["WorkingDirectory"] == str(project).replace("%", "%%")


def test_the_timer_is_nightly_in_the_rooms_zone_and_persistent(project: Path) -> None:
    timer = ini(printed(project, "timer"))
    assert timer["Timer"]["OnCalendar"] == "*-*-* 00:05:00 America/New_York"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Timer"]["Unit"] == "immersion-build-Room-5.service"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_both_units_print_with_their_names_and_how_to_install(project: Path) -> None:
    text = printed(project)
    parts = re.split(r"^# ==> (\S+) <==\n", text, flags=re.M)
    header, names, bodies = parts[0], parts[1::2], parts[2::2]
    assert names == ["immersion-build-Room-5.service", "immersion-build-Room-5.timer"]
    assert bodies == [printed(project, "service"), printed(project, "timer")]
    assert "sudo systemctl enable --now immersion-build-Room-5.timer" in header


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_the_units(project: Path, tmp_path: Path) -> None:
    units = tmp_path / "units"
    units.mkdir()
    for kind in ("service", "timer"):
        (units / f"immersion-build-Room-5.{kind}").write_text(printed(project, kind))
    done = subprocess.run(
        VERIFY,
        cwd=units,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # The check is real: a unit whose command is not a path fails it.
    (units / "immersion-build-Room-5.service").write_text("[Service]\nExecStart=build\n")
    bad = subprocess.run(
        VERIFY,
        cwd=units,
        capture_output=True,
        check=False,
    )
    assert bad.returncode != 0


def test_the_cron_line_runs_the_build_at_five_past_midnight(project: Path) -> None:
    lines = [line for line in printed(project, None, cron=True).splitlines() if line]
    assert lines[-2] == "CRON_TZ=America/New_York"
    fields = lines[-1].split(" ", 5)
    assert fields[:5] == ["5", "0", "*", "*", "*"]
    # cron reads an unescaped % as a newline: every % is escaped, then it is sh.
    assert re.search(r"(?<!\\)%", fields[5]) is None
    words = shlex.split(fields[5].replace("\\%", "%"))
    assert words[:6] == [sys.executable, "-m", "immersion", "-C", str(project), "build"]
    assert words[6:] == [">>", str(project / "build" / "nightly.log"), "2>&1"]


def test_root_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UsageError, match="must not run as root"):
        schedule.run(project, "both", False, "root", io.StringIO())
    with pytest.raises(UsageError, match="there is no account 'no-such-person'"):
        schedule.run(project, "both", False, "no-such-person", io.StringIO())


def test_the_command_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(project), "schedule", "--print-unit", "timer", "--user", USER]) == 0
    assert "Persistent=true" in capsys.readouterr().out
    assert main(["-C", str(project.parent), "schedule", "--print-cron"]) == 2
    assert "is not a room project" in capsys.readouterr().err
