"""`immersion serve`: the live preview for content editors.

Builds the preview once, serves it, then watches content/, themes/, mkdocs.yml
and room.yml: each settled batch of saves is rebuilt (`preview/session.py`) and
every open page reloads itself or shows the problem over the last good page.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
from pathlib import Path
from typing import TextIO

from ..preview.server import PreviewServer
from ..preview.session import Outcome, PreviewSession
from ..preview.watcher import Debouncer, Watcher
from ..problems import EXIT_OK, UsageError, suggest
from ..project import Project

DEFAULT_PORT = 8000


def display_path(project: Project, display: str | None) -> str:
    """The URL path of a display's entry page; a usage error for an unknown display."""
    if display is None:
        return ""
    ids = [d.id for d in project.room().displays]
    if display not in ids:
        raise UsageError(
            f"room.yml has no display '{display}' ({suggest(display, ids) or 'no displays yet'})"
        )
    return f"{display}/"


def describe(outcome: Outcome) -> str:
    if not outcome.built:
        first = outcome.blocking[0].format() if outcome.blocking else "a problem"
        return f"not rebuilt, the preview shows the last good version: {first}"
    errors = sum(1 for p in outcome.problems if p.is_error)
    what = f"{len(outcome.written)} page{'s' if len(outcome.written) != 1 else ''}"
    tail = f"; {errors} problem{'s' if errors != 1 else ''} shown in the browser" if errors else ""
    return f"rebuilt {what} in {outcome.seconds * 1000:.0f} ms{tail}"


class Preview:
    """Session + server + watcher, with one builder thread between them."""

    def __init__(
        self,
        project: Path,
        audience: str,
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        today: dt.date | None = None,
        out: TextIO | None = None,
        settle: float | None = None,
    ) -> None:
        self.out = out or sys.stderr
        self.session = PreviewSession(Project(project), audience, today=today, out=self.out)
        self.server = PreviewServer(self.session.site, host, port)
        self.debouncer = Debouncer() if settle is None else Debouncer(settle=settle)
        self.watcher = Watcher(self.session.project, self.debouncer.add)
        self.rebuilds = 0
        self._builder: threading.Thread | None = None

    def start(self) -> Outcome:
        """Watch, build once, then serve; returns the first build's outcome.

        The watcher starts first, so a save made during the first build (which
        takes a while on a large room) is the next batch, not lost.
        """
        self.watcher.start()
        outcome = self.session.rebuild()
        self.server.state.publish(outcome.generation, outcome.built, outcome.problems)
        self.server.start()
        self._builder = threading.Thread(target=self._loop, name="preview-builder", daemon=True)
        self._builder.start()
        return outcome

    def _loop(self) -> None:
        while True:
            batch = self.debouncer.take()
            if batch is None:
                return
            try:
                outcome = self.session.rebuild(batch)
            except Exception as exc:  # a bug must not stop the preview: say so and go on
                print(f"preview: rebuild failed: {type(exc).__name__}: {exc}", file=self.out)
                continue
            self.rebuilds += 1
            self.server.state.publish(outcome.generation, outcome.built, outcome.problems)
            print(f"{time.strftime('%H:%M:%S')} {describe(outcome)}", file=self.out, flush=True)

    def stop(self) -> None:
        self.debouncer.close()
        self.watcher.stop()
        self.server.stop()
        if self._builder is not None:
            self._builder.join(timeout=30)


def run(
    project: Path,
    audience: str | None = None,
    display: str | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    today: dt.date | None = None,
    out: TextIO | None = None,
) -> int:
    stream = out or sys.stderr
    if not Project(project).has_content():
        raise UsageError(
            f"there is no content/ folder in {project} "
            "(run the command in a room project, or start one with `immersion init`)"
        )
    if display is not None and audience == "intranet":
        raise UsageError("--display shows a kiosk display: leave out --audience intranet")
    audience = audience or ("kiosk" if display else "intranet")
    path = display_path(Project(project), display)
    try:
        preview = Preview(project, audience, host=host, port=port, today=today, out=stream)
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc} (choose another --port)"
        ) from None
    print(f"building the {audience} preview…", file=stream, flush=True)
    outcome = preview.start()
    print(describe(outcome), file=stream)
    for problem in outcome.problems:
        if problem.is_error:
            print(problem.format(), file=stream)
    print(f"preview: {preview.server.url}{path}  (Ctrl-C to stop)", file=stream, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\npreview stopped", file=stream)
    finally:
        preview.stop()
    return EXIT_OK
