"""`immersion check`: validate content/, convert and write nothing."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TextIO

from ..load import load
from ..problems import report
from ..project import Project
from ..settings import load_settings


def run(
    project: Path, strict: bool = False, today: dt.date | None = None, out: TextIO | None = None
) -> int:
    stream = out or sys.stderr
    proj = Project(project)
    library, problems = load(proj, today or proj.today())
    problems += load_settings(proj)[1]
    code = report(problems, strict, stream)
    counts = library.summary()
    print(f"checked {counts}: {'ok' if code == 0 else 'problems found'}", file=stream)
    return code
