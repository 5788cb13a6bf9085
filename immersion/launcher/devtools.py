"""Chromium's DevTools protocol over `--remote-debugging-pipe`: no port is ever opened.

Chromium reads commands from its fd 3 and writes answers and events to its fd 4, each
message one JSON object followed by a NUL byte. `DevToolsPipe` holds our ends: `send`
writes a command (from one thread: the supervisor's), a reader thread splits what
comes back into messages, and `get` hands them over one at a time.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import threading
from typing import Any

# One message larger than this is dropped (Chromium sends nothing near it for the few
# domains the launcher enables); without a bound a runaway writer would eat the memory.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
_READ_BYTES = 65536

Message = dict[str, Any]


class PipeClosed(Exception):
    """Chromium closed its end: it exited, or is exiting."""


class DevToolsPipe:
    """Our ends of Chromium's DevTools pipe: `commands` (its fd 3), `events` (its fd 4)."""

    def __init__(self, commands: int, events: int) -> None:
        self._commands = commands
        self._events = events
        self._messages: queue.Queue[Message | None] = queue.Queue()
        self._next_id = 0
        self._closed = False
        self._reader = threading.Thread(target=self._read, name="devtools-pipe", daemon=True)
        self._reader.start()

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> int:
        """Send one command; its id, to match the answer. PipeClosed if Chromium is gone."""
        self._next_id += 1
        message: Message = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._commands, data) :]
        except OSError:  # EPIPE (SIGPIPE is ignored in Python), EBADF after close
            raise PipeClosed from None
        return self._next_id

    def get(self, timeout: float) -> Message | None:
        """The next message, or None when none came within `timeout` seconds.

        PipeClosed once Chromium's end is closed and every message before it was read.
        """
        try:
            message = self._messages.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return None
        if message is None:
            self._messages.put(None)  # stays closed for every later call
            raise PipeClosed
        return message

    def wake(self) -> None:
        """Make a waiting `get` return now (with None): the supervisor is asked to stop."""
        self._messages.put({})

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(OSError):
            os.close(self._commands)
        # The reader sees end of file once Chromium's end is closed (it has exited); it
        # closes the events end itself, so a read never meets a reused descriptor.
        self._reader.join(timeout=5)

    def _read(self) -> None:
        pending = bytearray()
        dropping = False
        try:
            while True:
                try:
                    chunk = os.read(self._events, _READ_BYTES)
                except OSError:
                    break
                if not chunk:
                    break
                pending += chunk
                while (end := pending.find(b"\0")) >= 0:
                    raw = bytes(pending[:end])
                    del pending[: end + 1]
                    if dropping:
                        dropping = False
                        continue
                    with contextlib.suppress(ValueError):
                        message = json.loads(raw)
                        if isinstance(message, dict):
                            self._messages.put(message)
                if len(pending) > MAX_MESSAGE_BYTES:
                    pending.clear()
                    dropping = True  # the rest of it, up to its NUL, goes too
        finally:
            with contextlib.suppress(OSError):
                os.close(self._events)
            self._messages.put(None)
