"""Problems found in content, how they are reported, and the exit codes.

Every check in the loader produces a `Problem` instead of raising, so that all
of them can be listed together: an editor fixes ten mistakes in one pass
rather than one per run.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TextIO

EXIT_OK = 0
EXIT_CONTENT = 1
EXIT_USAGE = 2


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # worth knowing, never a failure (e.g. content left out for expired consent)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content: where it is, what it is, how to fix it."""

    path: str
    line: int | None
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    field: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        field = f" [{self.field}]" if self.field else ""
        text = f"{where}: {self.severity.value}{field}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return printable(text)


# Control characters in a file name or a quoted value would drive the terminal (an escape
# sequence can retitle the window or hide lines), a newline would fake another problem, and a
# direction override would print the line backwards: they are shown as escapes instead.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with control characters and direction overrides written as `\\x1b`, `\\u202e`."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group(0))[1:-1], text)


class UsageError(Exception):
    """A mistake in how the command was called (exit code 2)."""


class BuildError(Exception):
    """Something outside the content stopped the build (the engine, the disk)."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A "did you mean …" hint naming the closest choice, or "" if none is close."""
    pool = sorted(set(choices))
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return ""


def known_list(choices: Iterable[str], limit: int = 8) -> str:
    pool = sorted(set(choices))
    if not pool:
        return "none exist yet"
    shown = ", ".join(pool[:limit])
    more = f" and {len(pool) - limit} more" if len(pool) > limit else ""
    return f"known: {shown}{more}"


def suggest(word: str, choices: Iterable[str]) -> str:
    """The closest match if there is one, else the list of valid choices."""
    pool = list(choices)
    return did_you_mean(word, pool) or known_list(pool)


def relpath(path: Path, root: Path) -> str:
    """A path as the editor knows it: relative to the project, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def sort_key(problem: Problem) -> tuple[str, int, str]:
    return (problem.path, problem.line or 0, problem.message)


def report(problems: Iterable[Problem], strict: bool, out: TextIO | None = None) -> int:
    """Print every problem, sorted by file and line, then a count; return the exit code."""
    stream = out or sys.stderr
    items = sorted(problems, key=sort_key)
    for problem in items:
        print(problem.format(), file=stream)
    errors = sum(1 for p in items if p.is_error)
    warnings = sum(1 for p in items if p.severity is Severity.WARNING)
    if items:
        print(f"{errors} error(s), {warnings} warning(s)", file=stream)
    if errors or (strict and warnings):
        return EXIT_CONTENT
    return EXIT_OK
