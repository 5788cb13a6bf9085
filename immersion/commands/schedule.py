"""`immersion schedule --print-unit | --print-cron`: the nightly rebuild, as a host runs it.

A consent ends at the room's midnight, but a published intranet page cannot hide
itself: only a new build takes it out. So the build runs itself every night, just
after midnight in the room's time zone. `immersion build` publishes both sites by
an atomic swap (publish.py), so the job is that one command; displays pick the new
build up at their next idle reset. The job never runs as root: the account that
owns the project (or `--user`) builds it.
"""

from __future__ import annotations

import pwd
import re
import shlex
import sys
from pathlib import Path
from typing import TextIO

from ..problems import EXIT_OK, UsageError
from ..project import Project, zone
from .kiosk import systemd_quote

# Five past midnight in the room's time zone: the day's consents have ended by then.
HOUR, MINUTE = 0, 5


def job_name(project: Path) -> str:
    """`immersion-build-<folder>`: one job per room project on a host."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", project.name).strip("-.") or "room"
    return f"immersion-build-{slug}"


def build_command(project: Path) -> list[str]:
    # The Python running now: the one that has immersion installed (a venv included).
    return [sys.executable, "-m", "immersion", "-C", str(project), "build"]


def run_as(project: Path, user: str | None) -> str:
    """The account that builds: `user`, else the project's owner; never root."""
    if user is None:
        try:
            user = pwd.getpwuid(project.stat().st_uid).pw_name
        except (KeyError, OSError):
            user = ""
    if not user or user == "root":
        raise UsageError(
            f"the nightly build must not run as root, and {project} is owned by "
            f"{user or 'an unknown account'}: pass --user NAME (the account that edits "
            "the room), and give it the project folder"
        )
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        raise UsageError(f"there is no account '{user}' on this host") from None
    if entry.pw_uid == 0:
        raise UsageError(f"'{user}' is root: the nightly build must run as a plain account")
    return user


def service(project: Path, user: str, timezone: str) -> str:
    name = job_name(project)
    path = str(project).replace("%", "%%")
    return "\n".join(
        [
            "[Unit]",
            f"Description=immersion: rebuild and publish the room in {path}",
            "",
            "[Service]",
            "Type=oneshot",
            f"User={user}",
            f"WorkingDirectory={path}",
            "ExecStart=" + " ".join(systemd_quote(a) for a in build_command(project)),
            # Out of the way of anything interactive on the host.
            "Nice=10",
            "IOSchedulingClass=idle",
            # The build needs no privilege and writes only the project's build/ (and
            # temporary files): /usr, /boot and /etc are read-only to it.
            "NoNewPrivileges=yes",
            "ProtectSystem=full",
            f"# Started by {name}.timer every night at 00:05 {timezone}.",
            "",
        ]
    )


def timer(project: Path, timezone: str) -> str:
    name = job_name(project)
    return "\n".join(
        [
            "[Unit]",
            f"Description=immersion: nightly rebuild of {str(project).replace('%', '%%')}",
            "",
            "[Timer]",
            # In the room's zone, whatever the host's: consent ends at the room's midnight.
            f"OnCalendar=*-*-* {HOUR:02d}:{MINUTE:02d}:00 {timezone}",
            # A host that was off at midnight builds as soon as it is back.
            "Persistent=true",
            "AccuracySec=1min",
            f"Unit={name}.service",
            "",
            "[Install]",
            "WantedBy=timers.target",
            "",
        ]
    )


def units(project: Path, user: str, timezone: str) -> str:
    name = job_name(project)
    me = shlex.quote(str(project))
    install = "/etc/systemd/system"
    header = [
        f"# The nightly rebuild of the room in {project}, as {user}. Install with:",
        f"#   immersion -C {me} schedule --print-unit service --user {user}"
        f" | sudo tee {install}/{name}.service",
        f"#   immersion -C {me} schedule --print-unit timer --user {user}"
        f" | sudo tee {install}/{name}.timer",
        f"#   sudo systemctl daemon-reload && sudo systemctl enable --now {name}.timer",
    ]
    return "".join(
        [
            "\n".join(header) + "\n",
            f"# ==> {name}.service <==\n",
            service(project, user, timezone),
            f"# ==> {name}.timer <==\n",
            timer(project, timezone),
        ]
    )


def cron_line(project: Path, timezone: str) -> str:
    log = project / "build" / "nightly.log"
    command = " ".join(shlex.quote(a) for a in build_command(project))
    # cron turns an unescaped % into a newline.
    command = f"{command} >> {shlex.quote(str(log))} 2>&1".replace("%", "\\%")
    return "\n".join(
        [
            f"# The nightly rebuild of {project}: add to the crontab of the account that",
            "# edits the room (crontab -e; never root's). CRON_TZ is honoured by cronie;",
            "# other crons run the line at 00:05 in the host's own time zone.",
            f"CRON_TZ={timezone}",
            f"{MINUTE} {HOUR} * * * {command}",
            "",
        ]
    )


def run(
    project: Path,
    unit: str | None = None,
    cron: bool = False,
    user: str | None = None,
    out: TextIO | None = None,
) -> int:
    """Print the systemd units (`unit`: both, service or timer) or the cron line."""
    stream = out or sys.stdout
    proj = Project(project)
    if not proj.has_content():
        raise UsageError(f"{project} is not a room project (it has no content/ folder)")
    # The zone as the build reads it (one it cannot read counts as UTC there too).
    timezone = str(getattr(zone(proj.room()), "key", "UTC"))
    if cron:
        print(cron_line(project, timezone), file=stream, end="")
        return EXIT_OK
    account = run_as(project, user)
    if unit == "service":
        text = service(project, account, timezone)
    elif unit == "timer":
        text = timer(project, timezone)
    else:
        text = units(project, account, timezone)
    print(text, file=stream, end="")
    return EXIT_OK
