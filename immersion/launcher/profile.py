"""The display's Chromium profile made free before each start: its lock, a leftover.

Chromium marks a profile in use with `SingletonLock`, a symbolic link to "HOST-PID".
A browser killed with SIGKILL (by us, by the out-of-memory killer, by a power cut)
leaves it behind. Chromium copes with a lock of its own host naming a dead process, but
not with the others, and a display then shows no room at all:

* a lock naming another host (the machine renamed, its disk cloned to the next
  display, a container with a new hostname each start) stops Chromium on a modal
  "The profile appears to be in use by another Chromium process ... on another
  computer" dialog, which waits for someone to click it;
* a lock naming a pid that, after a reboot, is another display's Chromium makes
  Chromium hand its URL to that browser (or kill it as unresponsive) and exit.

The profile is the display's own (`kiosk-profiles/DISPLAY`), and only the launcher
starts Chromium on it, so before each start the launcher ends a Chromium still running
on this profile (what a previous launcher left, or one started by hand) and removes the
lock files. Linux only, like the kiosk: processes are read from /proc.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable, Iterable
from pathlib import Path

LOCK_FILES = ("SingletonLock", "SingletonSocket", "SingletonCookie")
_POLL_SECONDS = 0.05


def lock_owner(profile: Path) -> tuple[str, int] | None:
    """(host, pid) the profile's SingletonLock names; None when there is none (or junk)."""
    try:
        target = os.readlink(profile / "SingletonLock")
    except OSError:
        return None
    host, _, pid = target.rpartition("-")  # a hostname may have dashes, a pid has none
    return (host, int(pid)) if host and pid.isdigit() else ("", 0)


def users_of(profile: Path, proc: Path = Path("/proc")) -> list[int]:
    """The processes whose command line names this profile (any Chromium process on it)."""
    flag = f"--user-data-dir={profile}".encode()
    found = []
    for entry in _entries(proc):
        with contextlib.suppress(OSError):
            if flag in (entry / "cmdline").read_bytes().split(b"\0"):
                found.append(int(entry.name))
    return sorted(found)


def _entries(proc: Path) -> Iterable[Path]:
    try:
        return [p for p in proc.iterdir() if p.name.isdigit()]
    except OSError:
        return []


def end(pids: list[int], grace: float = 5.0) -> None:
    """SIGTERM, then SIGKILL to whatever is still there after `grace` seconds."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(_POLL_SECONDS)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    """Running, not a zombie (a killed process whose parent has not reaped it yet)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            return file.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return False


def free(
    profile: Path, say: Callable[[str], None], proc: Path = Path("/proc"), grace: float = 5.0
) -> None:
    """Make `profile` free for a new Chromium: end what still runs on it, drop its lock.

    Called only while no Chromium of ours runs (before each start), so whatever runs on
    the profile then is a leftover. One line is said for each thing done.
    """
    leftovers = [pid for pid in users_of(profile, proc) if _alive(pid)]
    if leftovers:
        shown = ", ".join(map(str, leftovers))
        say(f"ending a Chromium left running on the display's profile (pid {shown})")
        end(leftovers, grace)
    owner = lock_owner(profile)
    for name in LOCK_FILES:
        with contextlib.suppress(FileNotFoundError):
            (profile / name).unlink()
    if owner is not None and owner[0] and owner[0] != os.uname().nodename:
        # Chromium would stop on a dialog for this one; our own host's it would clear.
        say(
            f"removed the profile lock of Chromium pid {owner[1]} on another computer "
            f"({owner[0]}): only this display's launcher uses its profile"
        )
