"""File-system events -> batches of changed paths.

A watchdog observer (inotify on Linux, FSEvents on macOS: native events, no
polling) watches content/ and themes/ recursively and the project folder itself
for mkdocs.yml and room.yml. Paths become project-relative; scratch files and
build/ are dropped (`plan.watched`). The `Debouncer` turns bursts into batches:
a batch is handed out once no event came for `settle` seconds (or `longest`
seconds after its first event, so a long copy still shows progress), and events
that arrive while a batch is being built form exactly one next batch.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from ..project import Project
from .plan import TREES, watched

SETTLE_SECONDS = 0.06
LONGEST_SECONDS = 2.0


class Debouncer:
    """Collects paths; `take()` blocks until a burst has settled and returns it."""

    def __init__(
        self,
        settle: float = SETTLE_SECONDS,
        longest: float = LONGEST_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settle = settle
        self.longest = longest
        self.clock = clock
        self._paths: set[str] = set()
        self._first = 0.0
        self._last = 0.0
        self._closed = False
        self._cond = threading.Condition()

    def add(self, paths: Iterable[str]) -> None:
        with self._cond:
            fresh = set(paths) - self._paths
            if not fresh:
                if self._paths:
                    self._last = self.clock()  # the burst goes on
                return
            now = self.clock()
            if not self._paths:
                self._first = now
            self._last = now
            self._paths |= fresh
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def take(self, timeout: float | None = None) -> set[str] | None:
        """The next settled batch; None when closed (or after `timeout` with nothing)."""
        deadline = None if timeout is None else self.clock() + timeout
        with self._cond:
            while True:
                if self._closed:
                    return None
                now = self.clock()
                if self._paths:
                    due = min(self._last + self.settle, self._first + self.longest)
                    if now >= due:
                        batch, self._paths = self._paths, set()
                        return batch
                    wait = due - now
                else:
                    wait = 3600.0
                if deadline is not None:
                    if now >= deadline:
                        return None
                    wait = min(wait, deadline - now)
                self._cond.wait(wait)


def relative(path: str | bytes, root: str) -> str | None:
    """A watchdog path as a project-relative POSIX path, None if outside the project."""
    text = os.fsdecode(path)
    rel = os.path.relpath(text, root)
    if rel == "." or rel.startswith(".." + os.sep) or rel == "..":
        return None
    return rel.replace(os.sep, "/")


class Watcher:
    """Feeds a Debouncer with the watched paths that change under `project`."""

    def __init__(self, project: Project, sink: Callable[[Iterable[str]], None]) -> None:
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        self.folder = project.root.resolve()
        self.root = str(self.folder)
        self.sink = sink
        self.observer = Observer()
        self._scheduled: set[str] = set()
        watcher = self

        class _Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                watcher.on_event(event)

        self._handler: Any = _Handler()

    def start(self) -> None:
        # The project folder itself, not recursively: mkdocs.yml, room.yml, and the
        # appearance of content/ or themes/ (then watched recursively).
        self.observer.schedule(self._handler, self.root, recursive=False)
        for name in TREES:
            self._watch_tree(name)
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)

    def _watch_tree(self, name: str) -> None:
        folder = self.folder / name
        if name in self._scheduled or not folder.is_dir():
            return
        self.observer.schedule(self._handler, str(folder), recursive=True)
        self._scheduled.add(name)

    def on_event(self, event: Any) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reads, not changes
        if event.is_directory and event.event_type == "modified":
            return  # a folder's mtime moves whenever a file in it does
        paths = [event.src_path]
        if getattr(event, "dest_path", None):
            paths.append(event.dest_path)
        kept = []
        for path in paths:
            rel = relative(path, self.root)
            if rel is None:
                continue
            if rel in TREES and event.is_directory:
                self._watch_tree(rel)
            if watched(rel) and not (rel in TREES and event.event_type == "modified"):
                kept.append(rel)
        if kept:
            self.sink(kept)
