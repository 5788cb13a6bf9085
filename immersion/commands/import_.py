"""`immersion import transcript|email FILE --story ID`: bring research files into bundles.

Nothing existing is replaced without --force, and nothing is half-written: a
new bundle is built beside content/stories/ and renamed into place.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

from ..importers import bundle
from ..importers.personal import Finding
from ..model import KIND_FOLDERS
from ..problems import EXIT_OK, UsageError
from ..project import Project
from ..schema import ID_RE
from .new import existing_ids


def _story_folder(project: Path, story: str) -> tuple[Project, Path]:
    if not ID_RE.match(story):
        raise UsageError(f"--story '{story}' is not a valid id: use a-z, 0-9, '-' and '_'")
    proj = Project(project)
    if not proj.has_content():
        raise UsageError(f"no content/ folder in {project}; start one with `immersion init DIR`")
    return proj, proj.content / KIND_FOLDERS["story"] / story


def _report(folder: Path, project: Path, found: list[Finding], todo: list[str], name: str) -> None:
    rel = folder.relative_to(project).as_posix()
    out = sys.stderr
    print(f"wrote {rel}/", file=out)
    if found:
        print(
            f"personal data found ({len(found)}), listed under redact: in {rel}/index.md:", file=out
        )
        for f in found:
            where = f"{rel}/{name}:{f.line}" if f.line else f"{rel}/index.md (not in the words)"
            print(f"  {where}: {f.why}: {f.words}", file=out)
    print("still to fill in:", file=out)
    for item in todo:
        print(f"  - {item}", file=out)
    print("then run `immersion check`", file=out)


def transcript(
    project: Path,
    file: Path,
    story: str,
    speakers: list[str],
    interviewer: str | None,
    *,
    force: bool = False,
    today: dt.date | None = None,
) -> int:
    from ..importers import transcript as tr

    proj, folder = _story_folder(project, story)
    imp = tr.convert(file, str(file), tr.parse_mapping(speakers), interviewer)
    vtt = imp.vtt.encode("utf-8")
    day = (today or dt.date.today()).isoformat()
    if (folder / "index.md").exists():
        index = folder / "index.md"
        text = index.read_text(encoding="utf-8")
        if force:  # replace what an earlier import wrote
            text = bundle.drop_keys(text, ("transcript", "interviewer", "redact"))
        bundle.add_front_matter(text, [], "redact", str(index))  # raises if it is there
        current = re.search(r"^interviewer:[ \t]*(.*?)[ \t]*$", text, re.MULTILINE)
        if current is not None and imp.interviewer:
            if current.group(1).strip("\"'") != imp.interviewer:
                raise UsageError(
                    f"{index} names the interviewer {current.group(1)}, the transcript "
                    f"{imp.interviewer}; correct one of them, or add --force"
                )
            text = bundle.drop_keys(text, ("interviewer",))
        text = bundle.add_front_matter(text, tr.added_lines(imp), "transcript", str(index))
        bundle.write_into(folder, {"interview.vtt": vtt, "index.md": text.encode()}, force=force)
        todo = ["the recording beside the transcript, if the bundle has none (recording:)"]
    else:
        ids = existing_ids(proj)
        index_text = tr.index_md(story, imp, ids, day)
        bundle.write_new(
            folder, {"index.md": index_text.encode(), "interview.vtt": vtt}, force=force
        )
        todo = [
            "title, date, participant's persona and consent, journey and stage (marked TODO)",
            "recording: the call's audio or video beside index.md",
            "the summary below the front matter",
        ]
    for note in imp.notes:
        print(f"{file}: {note}", file=sys.stderr)
    print(f"{file}: read as {imp.fmt} ({imp.encoding})", file=sys.stderr)
    _report(folder, project, imp.found, todo, "interview.vtt")
    return EXIT_OK


def add_parser(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    imp = sub.add_parser("import", help="transcripts, emails, recordings, photos into bundles")
    what = imp.add_subparsers(dest="import_what", required=True, parser_class=parser_class)
    t = what.add_parser("transcript", help="a Zoom/Teams/Meet VTT, SRT or Otter text transcript")
    t.add_argument("file", type=Path)
    t.add_argument("--story", required=True, metavar="ID", help="the story (new or existing)")
    t.add_argument(
        "--speaker",
        action="append",
        default=[],
        metavar='"REAL=PSEUDONYM"',
        help="a speaker's name in the file and the pseudonym to show (repeat per speaker)",
    )
    t.add_argument("--interviewer", metavar="NAME", help="the interviewer's name in the file")
    t.add_argument("--force", action="store_true", help="replace files that exist")
    e = what.add_parser("email", help="an .eml file")
    e.add_argument("file", type=Path)
    e.add_argument("--story", required=True, metavar="ID")
    e.add_argument("--persona", required=True, metavar="P")
    e.add_argument("--consent", required=True, metavar="C")
    e.add_argument("--force", action="store_true", help="replace a bundle that exists")
    from . import import_media  # `import recording`, `import photos`

    import_media.add_parsers(what)


def run(project: Path, args: argparse.Namespace) -> int:
    if args.import_what in ("recording", "photos"):
        from . import import_media

        args.import_action = args.import_what
        return import_media.run(args, project)
    if args.import_what == "transcript":
        return transcript(
            project, args.file, args.story, args.speaker, args.interviewer, force=args.force
        )
    from . import import_email

    return import_email.run(
        project, args.file, args.story, args.persona, args.consent, force=args.force
    )
