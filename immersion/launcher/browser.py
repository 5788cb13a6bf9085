"""One Chromium process with its DevTools pipe on fds 3 and 4, in its own process group.

`posix_spawn` places the pipe's ends on the child's fds 3 and 4 (what
`--remote-debugging-pipe` reads and writes) without running Python code between fork
and exec, which is not safe with the server's threads running. The browser leads a
process group of its own, so its zygote, GPU and renderer processes can be ended with
it, and a Ctrl-C at the terminal reaches only us (we end Chromium ourselves).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from .devtools import DevToolsPipe

PIPE_FLAG = "--remote-debugging-pipe"
_FIRST_FREE_FD = 10  # our ends are moved above the child's 0-4 before the dup2s
_POLL_SECONDS = 0.05


def describe(status: int) -> str:
    """A wait status in words: "exited with code 1", "was killed by signal 9 (SIGKILL)"."""
    code = os.waitstatus_to_exitcode(status)
    if code >= 0:
        return f"exited with code {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        return f"was killed by signal {-code}"
    return f"was killed by signal {-code} ({name})"


class Browser:
    """A running Chromium: its pid (also its process group) and its DevTools pipe."""

    def __init__(self, pid: int, pipe: DevToolsPipe) -> None:
        self.pid = pid
        self.pipe = pipe
        self.status: int | None = None  # the wait status, once it has exited

    def poll(self) -> int | None:
        """The wait status if the browser process has exited (reaped), else None."""
        if self.status is None:
            with contextlib.suppress(ChildProcessError):
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid == self.pid:
                    self.status = status
        return self.status

    def wait(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while self.poll() is None and time.monotonic() < deadline:
            time.sleep(_POLL_SECONDS)
        return self.status

    def end(self, grace: float = 5.0) -> None:
        """Stop Chromium: SIGTERM (it saves its profile), SIGKILL after `grace` seconds;
        then whatever is left of its process group (renderers of a killed browser)."""
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            if self.wait(grace) is None:
                self.kill_group()
                self.wait(grace)
        self.kill_group()
        self.pipe.close()

    def kill_group(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)


def spawn(command: Sequence[str], env: Mapping[str, str] | None = None) -> Browser:
    """Start `command` (a Chromium command line) with the DevTools pipe added.

    OSError when it cannot be started (the executable is missing, not executable).
    """
    args = list(command)
    if PIPE_FLAG not in args:
        args.append(PIPE_FLAG)
    child_reads, to_child = os.pipe()  # its fd 3: the commands we write
    from_child, child_writes = os.pipe()  # its fd 4: the answers and events we read
    try:
        high_read = fcntl.fcntl(child_reads, fcntl.F_DUPFD_CLOEXEC, _FIRST_FREE_FD)
        high_write = fcntl.fcntl(child_writes, fcntl.F_DUPFD_CLOEXEC, _FIRST_FREE_FD)
        try:
            pid = os.posix_spawn(
                str(Path(args[0])),
                args,
                dict(os.environ if env is None else env),
                file_actions=[
                    (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                    (os.POSIX_SPAWN_DUP2, high_read, 3),
                    (os.POSIX_SPAWN_DUP2, high_write, 4),
                ],
                setpgroup=0,
            )
        finally:
            os.close(high_read)
            os.close(high_write)
    except BaseException:
        for fd in (to_child, from_child):
            os.close(fd)
        raise
    finally:
        os.close(child_reads)
        os.close(child_writes)
    return Browser(pid, DevToolsPipe(to_child, from_child))
