"""`immersion import recording` and `immersion import photos`: media in, a new bundle out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from ..importers.newbundle import Imported
from ..importers.photos import KINDS as PHOTO_KINDS
from ..importers.photos import import_photos
from ..importers.recording import KINDS as RECORDING_KINDS
from ..importers.recording import import_recording
from ..problems import EXIT_OK
from ..project import Project

ACTIONS = ("recording", "photos")


def add_parsers(subparsers: Any) -> None:
    """Add `recording` and `photos` to the `import` command's sub-subparsers."""
    rec = subparsers.add_parser("recording", help="a recording -> a new interview or audio diary")
    rec.add_argument("file", type=Path, metavar="FILE")
    rec.add_argument("--story", required=True, metavar="ID", help="the new story's id")
    rec.add_argument("--kind", required=True, choices=RECORDING_KINDS)
    rec.add_argument("--force", action="store_true", help="replace an existing bundle")
    photos = subparsers.add_parser(
        "photos", help="a folder of photos -> a new photo film or story, in the order taken"
    )
    photos.add_argument("dir", type=Path, metavar="DIR")
    photos.add_argument("--story", required=True, metavar="ID", help="the new story's id")
    photos.add_argument("--kind", choices=PHOTO_KINDS, default="photo-film")
    photos.add_argument("--force", action="store_true", help="replace an existing bundle")


def run(args: argparse.Namespace, project: Path, out: TextIO | None = None) -> int:
    proj = Project(project)
    if args.import_action == "recording":
        done = import_recording(proj, args.file, args.story, args.kind, force=args.force)
    else:
        done = import_photos(proj, args.dir, args.story, args.kind, force=args.force)
    report(proj, done, out or sys.stdout)
    return EXIT_OK


def report(project: Project, done: Imported, out: TextIO) -> None:
    index = project.shown(done.bundle / "index.md")
    print(f"wrote {project.shown(done.bundle)}/", file=out)
    for note in done.notes:
        print(f"  note: {note}", file=out)
    print(f"still to fill in, in {index}:", file=out)
    for item in done.to_fill:
        print(f"  {index}:{item.line}: {item.field}: {item.what}", file=out)
    print("then run `immersion check`", file=out)
