"""`immersion audit`: check built sites for what must never be published."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TextIO

from ..audit import audit, targets
from ..audit.report import print_json, print_lines
from .common import room_today


def run(
    project: Path,
    folders: list[str] | None = None,
    as_json: bool = False,
    today: dt.date | None = None,
    out: TextIO | None = None,
) -> int:
    stream = out or sys.stdout
    sites = targets(project, list(folders or []))
    day = today or room_today(project)
    reports = audit(project, sites, day)
    return print_json(reports, day, stream) if as_json else print_lines(reports, stream)
