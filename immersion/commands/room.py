"""`immersion room status`: is every display alive and showing the current build?

One line per display of room.yml, from the last heartbeat it sent to `immersion kiosk`
(the room database): how long ago, its build (current, or stale against what is
published in build/kiosk/), its screen, and its problems. A display that never
reported counts as silent. Exit 1 when any display has been silent for longer than
`--silent-after` minutes, so that a monitoring job can alert; 0 otherwise.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ..problems import EXIT_OK, BuildError
from ..project import Project
from ..room import database
from ..room.database import DisplayRow, RoomDatabaseError, parse_time
from .kiosk import entry_config, room_displays

EXIT_SILENT = 1


@dataclass(frozen=True)
class DisplayStatus:
    display: str
    age: float | None  # seconds since its last heartbeat; None: never
    build: str | None
    published: str | None  # the build published for it in build/kiosk/
    screen: str | None
    problems: tuple[str, ...]
    silent: bool


def age_text(seconds: float | None) -> str:
    """ "never", "42 s ago", "7 min ago", "3 h 5 min ago", "2 d 4 h ago"."""
    if seconds is None:
        return "never"
    s = max(0, int(seconds))
    if s < 60:
        return f"{s} s ago"
    if s < 3600:
        return f"{s // 60} min ago"
    if s < 86400:
        return f"{s // 3600} h {s % 3600 // 60} min ago"
    return f"{s // 86400} d {s % 86400 // 3600} h ago"


def judge(
    display: str,
    row: DisplayRow | None,
    published: str | None,
    expected_screen: str | None,
    now: dt.datetime,
    silent_after: float,
) -> DisplayStatus:
    """What is wrong with one display, from its last heartbeat (pure: table-tested)."""
    problems: list[str] = []
    if row is None:
        return DisplayStatus(display, None, None, published, None, ("never reported",), True)
    try:
        age: float | None = (now - parse_time(row.received_at)).total_seconds()
    except ValueError:
        age = None
    silent = age is None or age > silent_after * 60
    if silent:
        problems.append(f"silent for more than {silent_after:g} min")
    if published and row.build and row.build != published:
        problems.append(f"stale build (published: {published})")
    if not row.offline_capable:
        problems.append("not offline-capable (no service worker in control)")
    if expected_screen and row.screen and row.screen != expected_screen:
        problems.append(f"screen {row.screen}, room.yml says {expected_screen}")
    if row.restarts:
        problems.append(f"browser restarted {row.restarts} time(s)")
    if row.last_error:
        problems.append(f"last error: {row.last_error[:120]}")
    return DisplayStatus(display, age, row.build, published, row.screen, tuple(problems), silent)


def statuses(
    project: Project, rows: dict[str, DisplayRow], now: dt.datetime, silent_after: float
) -> list[DisplayStatus]:
    """Every display of room.yml (then any other that reported), in room.yml's order."""
    ids = room_displays(project)
    screens: dict[str, str] = {}
    try:
        for d in project.room().displays:
            screens[d.id] = f"{d.resolution[0]}x{d.resolution[1]}"
    except Exception:  # a room.yml that cannot be read: no screens to compare with
        screens = {}
    site = project.site("kiosk")
    found = []
    for display in ids + sorted(set(rows) - set(ids)):
        build = entry_config(site / display / "index.html").get("build")
        published = build if isinstance(build, str) and build else None
        found.append(
            judge(display, rows.get(display), published, screens.get(display), now, silent_after)
        )
    return found


def table(found: list[DisplayStatus]) -> list[str]:
    head = ("display", "last heartbeat", "build", "screen", "problems")
    rows = [
        (
            s.display,
            age_text(s.age),
            "-"
            if s.build is None
            else s.build + (" (current)" if s.published in (None, s.build) else " (stale)"),
            s.screen or "-",
            "; ".join(s.problems) or "ok",
        )
        for s in found
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    return [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r[:4])) + "  " + r[4]
        for r in [head, *rows]
    ]


def run(
    project: Path,
    database_url: str | None = None,
    silent_after: float = 5.0,
    out: TextIO | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> int:
    stream = out or sys.stdout
    room = Project(project)
    now = clock() if clock is not None else dt.datetime.now(dt.UTC)
    rows: dict[str, DisplayRow] = {}
    note = ""
    try:
        with database.connect(room.room_database, database_url, create=False) as db:
            rows = db.displays()
    except RoomDatabaseError as exc:
        if database_url or room.room_database.exists():
            raise BuildError(str(exc)) from None
        note = "no display has reported yet (start them with: immersion kiosk DISPLAY)"
    found = statuses(room, rows, now, silent_after)
    if not found:
        raise BuildError("room.yml lists no displays; add them under `displays:`")
    for line in table(found):
        print(line.rstrip(), file=stream)
    if note:
        print(note, file=stream)
    silent = [s.display for s in found if s.silent]
    if silent:
        print(f"{len(silent)} of {len(found)} display(s) silent: {', '.join(silent)}", file=stream)
        return EXIT_SILENT
    print(f"all {len(found)} display(s) reporting", file=stream)
    return EXIT_OK
