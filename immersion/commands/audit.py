"""`immersion audit`: check built sites for what must never be published."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TextIO

from ..audit import audit, targets
from ..audit.report import print_json, print_lines
from ..project import Project


def run(
    project: Path,
    folders: list[str] | None = None,
    as_json: bool = False,
    today: dt.date | None = None,
    out: TextIO | None = None,
    verbose: bool = False,
) -> int:
    stream = out or sys.stdout
    proj = Project(project)
    sites = targets(proj, list(folders or []))
    day = today or proj.today()
    reports = audit(proj, sites, day)
    if as_json:
        return print_json(reports, day, stream)
    return print_lines(reports, stream, verbose)
