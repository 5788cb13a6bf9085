"""The audit's report: lines for a person, or JSON for a machine.

Lines: every finding as `build/kiosk/PATH: error [KIND]: WHAT (FIX)`, sorted, then
a count and one summary line per site. Notices (intranet links to other sites) never
fail: the summary counts them and `--json` lists them.

JSON (`--json`), on standard output:

    {"ok": false, "date": "2026-11-22",
     "sites": [{"audience": "kiosk", "folder": "build/kiosk", "files": 174, "images": 40,
                "recordings": 26, "text": 96, "findings": 1, "notices": 0, "seconds": 0.31}],
     "findings": [{"audience": "kiosk", "folder": "build/kiosk", "path": "index.html",
                   "kind": "external-url", "detail": "...", "fix": "..."}],
     "notices": [...same shape...]}
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TextIO

from ..problems import EXIT_CONTENT, EXIT_OK, report
from .findings import SiteReport


def exit_code(reports: list[SiteReport]) -> int:
    return EXIT_CONTENT if any(r.blocking for r in reports) else EXIT_OK


def print_lines(reports: list[SiteReport], stream: TextIO, verbose: bool = False) -> int:
    problems = [f.problem(r.folder) for r in reports for f in r.blocking]
    report(problems, strict=False, out=stream)
    for r in reports:
        if verbose:
            for note in r.notes:
                print(note, file=stream)
        print(r.summary(), file=stream)
    return exit_code(reports)


def as_json(reports: list[SiteReport], day: dt.date) -> dict[str, Any]:
    return {
        "ok": exit_code(reports) == EXIT_OK,
        "date": day.isoformat(),
        "sites": [
            {
                "audience": r.audience,
                "folder": r.folder,
                "files": r.files,
                "images": r.images,
                "recordings": r.recordings,
                "text": r.texts,
                "findings": len(r.blocking),
                "notices": len(r.notices),
                "seconds": round(r.seconds, 3),
            }
            for r in reports
        ],
        "findings": [f.as_json(r.folder) for r in reports for f in sorted(r.blocking)],
        "notices": [f.as_json(r.folder) for r in reports for f in sorted(r.notices)],
    }


def print_json(reports: list[SiteReport], day: dt.date, stream: TextIO) -> int:
    json.dump(as_json(reports, day), stream, indent=2)
    stream.write("\n")
    return exit_code(reports)
