"""What the launcher did for one display, read by the kiosk server in the same process.

The supervisor's thread writes it; the server's threads read `report()` (the
`/_room/launcher` endpoint, and the heartbeat writer, which stores `restarts` in the
room database's `displays` table). Counts start at zero with the `immersion kiosk`
process: systemd's restarts of the whole command are in its own journal.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(when: dt.datetime) -> str:
    """ISO 8601 UTC with a trailing Z, as the room database stores times."""
    return when.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class LauncherReport:
    """A snapshot: plain values, safe to hand to another thread or to JSON."""

    display: str
    browser_restarts: int = 0  # Chromium started again after it exited (or failed to start)
    tab_reloads: int = 0  # the display's tab reloaded (its renderer crashed, or stalled)
    # Times the display's page did not show in time after a (re)start or reload, or
    # stopped answering (watchdog.py): each reloaded the tab or restarted Chromium.
    stalls: int = 0
    running: bool = False  # a Chromium of ours is running now
    pid: int | None = None  # its browser process
    started_at: str | None = None  # when the running Chromium started
    loads: int = 0  # times the display's page finished loading, over all Chromiums
    loaded_at: str | None = None  # the last of them
    showing: bool = False  # the last loaded page runs the kiosk runtime
    last_problem: str | None = None  # "Chromium exited (killed by signal 9)", ...
    last_problem_at: str | None = None

    @property
    def restarts(self) -> int:
        """What the heartbeat's `restarts` counts: every time the display was brought back."""
        return self.browser_restarts + self.tab_reloads

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "restarts": self.restarts}


class LauncherState:
    """The launcher's counts for one display; every method is thread-safe."""

    def __init__(self, display: str, clock: Clock = utc_now) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._report = LauncherReport(display)

    def report(self) -> LauncherReport:
        with self._lock:
            return self._report

    def _update(self, **changes: Any) -> None:
        with self._lock:
            self._report = replace(self._report, **changes)

    def browser_restarting(self) -> None:
        """Chromium is started again (counted whether or not the start succeeds)."""
        with self._lock:
            r = self._report
            self._report = replace(r, browser_restarts=r.browser_restarts + 1)

    def browser_started(self, pid: int) -> None:
        self._update(running=True, pid=pid, started_at=iso(self._clock()), showing=False)

    def browser_exited(self, reason: str) -> None:
        self._update(
            running=False,
            pid=None,
            showing=False,
            last_problem=reason,
            last_problem_at=iso(self._clock()),
        )

    def browser_stopped(self) -> None:
        """Ended by us (the command stops): not a problem."""
        self._update(running=False, pid=None, showing=False)

    def tab_crashed(self, reason: str) -> None:
        self._update(showing=False, last_problem=reason, last_problem_at=iso(self._clock()))

    def page_stalled(self, reason: str) -> None:
        """The watchdog found the page not showing: a reload or a restart follows."""
        with self._lock:
            r = self._report
            self._report = replace(
                r,
                stalls=r.stalls + 1,
                showing=False,
                last_problem=reason,
                last_problem_at=iso(self._clock()),
            )

    def tab_reloaded(self) -> None:
        with self._lock:
            self._report = replace(self._report, tab_reloads=self._report.tab_reloads + 1)

    def page_seen(self, showing: bool) -> None:
        """The display's page was found already loaded (when the launcher attached)."""
        self._update(showing=showing)

    def page_loaded(self, showing: bool) -> None:
        with self._lock:
            r = self._report
            self._report = replace(
                r, loads=r.loads + 1, loaded_at=iso(self._clock()), showing=showing
            )
