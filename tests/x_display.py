"""`immersion kiosk DISPLAY --launch` on a real X display (Xvfb), seen from outside.

Shared by the launcher's tests (tests/launcher/test_launcher_x.py) and its benchmark
(bench/launcher.py): Xvfb started on a free display number; the built project copied
where the kiosk user owns it and launched there as that user (as root: `kiosk`,
created if missing, when it can run a Python with this source; else through the
Python API's root escape hatch with `--no-sandbox`, said in `Kiosk.mode`). A display
is "back" when, seen from outside the launcher, both hold:

* **heartbeat**: the kiosk server has received a heartbeat from a newly loaded page
  (`displays.beats` in the room database went up: room.js sends one as it starts);
* **screen**: a screenshot of the X display (Pillow's ImageGrab over XCB) is not blank:
  not the white root window (Xvfb `-wr`: the bare desktop), not Chromium's empty
  window, not the white "Aw, Snap" page (one light colour on 90% of the screen or
  more). The kiosk theme is dark, so the display's page never is.

Needs Xvfb (`apt-get install xvfb`) and Chromium.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from immersion.launcher import profile as launcher_profile  # noqa: E402

SCREEN = (1920, 1080)
BLANK_SHARE = 0.9  # one colour on this much of the screen ...
BLANK_LUMA = 200  # ... and a light one: the root, an empty window, the "Aw, Snap" page
FIRST_START = 60.0  # a first start on a loaded machine (profile created, caches filled)
GIVE_UP = 30.0  # a kill not back by then is recorded as not back
POLL = 0.05
ANOTHER_COMPUTER = "old-kiosk.example-12345"  # a lock Chromium would stop on
KIOSK_USER = "kiosk"  # the display's account, as docs/kiosk.md has it


def grab(display: str) -> Any:
    from PIL import ImageGrab

    return ImageGrab.grab(xdisplay=display)


def blank(image: Any) -> bool:
    """One light colour on most of the screen: nothing of the display is shown."""
    small = image.convert("RGB").resize((192, 108))
    count, (r, g, b) = max(small.getcolors(192 * 108))
    return count >= BLANK_SHARE * 192 * 108 and (299 * r + 587 * g + 114 * b) / 1000 >= BLANK_LUMA


@contextlib.contextmanager
def xvfb(size: tuple[int, int] = SCREEN) -> Iterator[str]:
    """A fresh X display (a free number, chosen by Xvfb) with a white root window."""
    exe = shutil.which("Xvfb")
    if exe is None:
        raise RuntimeError("Xvfb is not installed (apt-get install xvfb)")
    read, write = os.pipe()
    screen = f"{size[0]}x{size[1]}x24"
    # -noreset: an X server resets when its last client goes, and refuses connections
    # while it does ("X connection failed", "Missing X server or $DISPLAY"): a killed
    # Chromium, the only client, would make the next one, or a screenshot, fail at once.
    # A display's session has other clients (its window manager) and never resets so.
    command = [exe, "-displayfd", str(write), "-screen", "0", screen, "-nolisten", "tcp"]
    command += ["-wr", "-noreset"]
    process = subprocess.Popen(
        command, pass_fds=[write], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    os.close(write)
    try:
        with os.fdopen(read) as file:
            number = file.readline().strip()  # written once it accepts connections
        if not number.isdigit():
            raise RuntimeError(f"Xvfb did not start (exit {process.wait(5)})")
        yield f":{number}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def proc_lines() -> dict[int, bytes]:
    found = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError):
                found[int(name)] = (Path("/proc") / name / "cmdline").read_bytes()
    return found


@dataclass
class Kiosk:
    """`immersion kiosk DISPLAY --launch` running as `user` on X display `x`."""

    process: subprocess.Popen[bytes]
    x: str
    user: str
    mode: str  # "as <user>" or "as root (escape hatch, --no-sandbox)"
    project: Path
    profile: Path
    log: Path
    display: str = "entrance"
    port: int = 0
    kills: list[dict[str, Any]] = field(default_factory=list)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def lines(self) -> list[str]:
        """The launcher's own lines (Chromium's noise on the same stream left out)."""
        return [line for line in self.output().splitlines() if not line.startswith(("[", "/"))]

    def report(self) -> dict[str, Any]:
        url = f"http://127.0.0.1:{self.port}/_room/launcher"
        with urllib.request.urlopen(url, timeout=10) as response:
            return dict(json.load(response))

    def beats(self) -> int:
        """Heartbeats the server has stored for the display (0 before the first)."""
        path = self.project / "build/.room/room.sqlite"
        if not path.exists():
            return 0
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
            try:
                row = db.execute(
                    "SELECT beats FROM displays WHERE display = ?", (self.display,)
                ).fetchone()
            finally:
                db.close()
        except sqlite3.Error:
            return 0
        return int(row[0]) if row else 0

    def renderers(self, browser: int) -> list[int]:
        flag = str(self.profile).encode()
        return [
            pid
            for pid, line in proc_lines().items()
            if b"--type=renderer" in line and flag in line and group_of(pid) == browser
        ]

    def wait(self, holds: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not holds():
            if self.process.poll() is not None:
                raise RuntimeError(f"the launcher exited ({self.process.returncode}): {what}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"not within {timeout:g} s: {what}")
            time.sleep(POLL)

    def serving(self, timeout: float = FIRST_START) -> None:
        """Wait for the kiosk server to listen (its port, from its first line)."""
        serving = re.compile(r"serving build/kiosk/ at http://[^:]+:(\d+)/")

        def listening() -> bool:
            match = serving.search(self.output())
            self.port = int(match.group(1)) if match else 0
            return bool(match)

        self.wait(listening, timeout, "the kiosk server listening")

    def shown(self) -> bool:
        """The display on screen, as seen from outside (not blank), and by the launcher."""
        return not blank(grab(self.x)) and bool(self.report()["showing"])

    def started(self, timeout: float = FIRST_START) -> dict[str, Any]:
        """Wait for the server, then the display on screen with its first heartbeat."""
        self.serving(timeout)
        self.wait(
            lambda: self.beats() > 0 and not blank(grab(self.x)),
            timeout,
            "the display on screen with a heartbeat",
        )
        return self.report()

    def kill(self, what: str, timeout: float = GIVE_UP) -> dict[str, Any]:
        """SIGKILL the browser ("browser") or its tab's renderers ("renderer"); measure.

        The seconds from the kill until a heartbeat from a new page has arrived and the
        screen shows the display, each timed on its own too.
        """
        before = self.report()
        beats = self.beats()
        victims = [before["pid"]] if what == "browser" else self.renderers(before["pid"])
        deadline = time.monotonic() + 10
        while not victims and time.monotonic() < deadline:
            time.sleep(POLL)
            before = self.report()
            victims = self.renderers(before["pid"]) if before["pid"] else []
        if not victims:
            raise RuntimeError(f"no {what} process of the display's Chromium to kill")
        t0 = time.monotonic()
        for pid in victims:
            os.kill(pid, signal.SIGKILL)
        went_blank = heartbeat = None
        back = None
        while time.monotonic() - t0 < timeout:
            new_beat = self.beats() > beats  # read before the screenshot: the page is up
            shown = not blank(grab(self.x))
            now = time.monotonic() - t0
            if not shown and went_blank is None:
                went_blank = now
            if new_beat and heartbeat is None:
                heartbeat = now
            if new_beat and shown:
                back = now
                break
            time.sleep(POLL)
        after = self.report()
        record = {
            "kill": what,
            "killed": victims,
            "back_s": None if back is None else round(back, 3),
            "heartbeat_s": None if heartbeat is None else round(heartbeat, 3),
            "went_blank_s": None if went_blank is None else round(went_blank, 3),
            "browser_restarts": after["browser_restarts"] - before["browser_restarts"],
            "tab_reloads": after["tab_reloads"] - before["tab_reloads"],
            "pid": after["pid"],
        }
        self.kills.append(record)
        return record


def group_of(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[2])
    except (OSError, IndexError, ValueError):
        return None


def _can_run_as(user: str, python: str) -> bool:
    """Can `user` run `python` with this source tree (and what `immersion kiosk` needs)?"""
    try:
        done = subprocess.run(
            [python, "-c", "import immersion.cli, immersion.commands.kiosk"],
            user=user,
            env={"PYTHONPATH": str(ROOT), "HOME": "/", "PATH": "/usr/bin:/bin"},
            cwd="/",
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def ensure_user(user: str = KIOSK_USER) -> bool:
    """Make sure `user` exists (as root: a system account without a home or a shell, as a
    fresh CI machine has none); True when it was created here."""
    with contextlib.suppress(KeyError):
        pwd.getpwnam(user)
        return False
    if os.geteuid() != 0 or shutil.which("useradd") is None:
        raise RuntimeError(f"there is no user {user!r}, and it cannot be created here")
    command = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"useradd {user} failed: {done.stderr.strip()}")
    return True


def remove_user(user: str) -> None:
    subprocess.run(["userdel", user], capture_output=True)


def choose(user: str = KIOSK_USER) -> tuple[str | None, str]:
    """(the user to run as, the Python): ourselves when not root; else `user` (created
    if missing) if it can run a Python with this source; else None (root, through the
    escape hatch)."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name, sys.executable
    ensure_user(user)
    for python in (sys.executable, "/usr/bin/python3"):
        if os.path.exists(python) and _can_run_as(user, python):
            return user, python
    return None, sys.executable


@contextlib.contextmanager
def launched(
    built: Path,
    x: str,
    display: str = "entrance",
    limits: dict[str, float] | None = None,
    before: Callable[[Path], None] | None = None,
) -> Iterator[Kiosk]:
    """The built project copied where the kiosk user owns it, and launched there.

    The profile starts with a lock of another computer, which Chromium would stop on.
    `limits` are the watchdog's (`immersion.launcher.watchdog.Limits` fields), given
    through the Python API (the command line has no way); `before(project)` may change
    the copy before the launch.
    """
    user, python = choose()
    base = Path(tempfile.mkdtemp(prefix="immersion-launcher-"))
    os.chmod(base, 0o755)
    project = base / "room"
    shutil.copytree(built / "content", project / "content", symlinks=True)
    shutil.copytree(built / "build", project / "build", symlinks=True)
    with contextlib.suppress(FileNotFoundError):
        shutil.copy2(built / "mkdocs.yml", project / "mkdocs.yml")
    shutil.rmtree(project / "build/.room", ignore_errors=True)  # its own room database
    home = base / "home"
    profile = home / ".local/share/immersion/kiosk-profiles" / display
    profile.mkdir(parents=True)
    (profile / "SingletonLock").symlink_to(ANOTHER_COMPUTER)
    if before is not None:
        before(project)
    env = {
        "HOME": str(home),
        "DISPLAY": x,
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "LANG": "C.UTF-8",
    }
    log = base / "kiosk.log"
    command = [python, "-m", "immersion", "-C", str(project), "kiosk", display, "--launch"]
    command += ["--port", "0"]
    if user is None or limits:
        # The Python API: the root check off (as root), the watchdog's limits given.
        code = (
            "import json, sys; from pathlib import Path; from immersion.commands import kiosk; "
            "from immersion.launcher.watchdog import Limits; "
            "kiosk.run(Path(sys.argv[1]), sys.argv[2], port=0, launch=True, "
            "refuse_root=sys.argv[3] == 'refuse', limits=Limits(**json.loads(sys.argv[4])))"
        )
        refuse = "refuse" if user is not None else "allow"
        command = [python, "-c", code, str(project), display, refuse, json.dumps(limits or {})]
    if user is None:
        mode = "as root (escape hatch, --no-sandbox)"
        env["IMMERSION_KIOSK_CHROMIUM_FLAGS"] = "--no-sandbox"
    else:
        mode = f"as {user}"
        if os.geteuid() == 0:
            for path in [base, *base.rglob("*")]:
                os.lchown(path, pwd.getpwnam(user).pw_uid, pwd.getpwnam(user).pw_gid)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=project,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            user=user if os.geteuid() == 0 and user is not None else None,
            start_new_session=True,
        )
    kiosk = Kiosk(process, x, user or "root", mode, project, profile, log, display)
    try:
        yield kiosk
    finally:
        process.terminate()  # the launcher ends Chromium (SIGTERM, then SIGKILL)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        left = launcher_profile.users_of(profile)
        launcher_profile.end(left, grace=1.0)
        if left:  # the launcher should have ended them all: the report says it did not
            kiosk.kills.append({"left_running": left})
        shutil.rmtree(base, ignore_errors=True)
