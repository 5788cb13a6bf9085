"""`immersion withdraw CONSENT_ID [--date D]`: a participant taken out of the room in one go.

The one command that edits content/: it writes the withdrawal date into the consent
record (that one line, every other byte kept), then rebuilds and publishes both
sites through `build.run`, and prints what the audience filter no longer lets out
(stories, the pages and media files the published sites lost, the quotes and
evidence other items borrowed from those stories).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from ..audience import for_audience
from ..load import load
from ..model import AUDIENCES, Library
from ..problems import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, BuildError, did_you_mean, known_list
from ..project import Project
from ..publish import build_lock
from ..yamlio import ContentError, parse_yaml
from . import build

# How long to wait for a running build before giving up (a full build of a large
# room takes tens of seconds; the nightly one may be running).
LOCK_WAIT = 300.0

# `withdrawn:` with no value (empty, ~ or null), keeping a trailing comment.
_EMPTY = re.compile(r"^withdrawn:[ \t]*(?:~|null|Null|NULL)?[ \t]*(#.*)?$")


class Refused(Exception):
    """Nothing was changed; the message says why and what to do."""


@dataclass(frozen=True)
class TakenOut:
    stories: dict[str, list[str]]  # audience -> story ids it no longer shows
    files: dict[str, list[str]]  # audience -> published files gone (site-relative)
    borrowed: list[str]  # "persona maya: quote (p07#hl-2)"
    films: list[str] = field(default_factory=list)  # build/films/ID.mp4 the build deleted

    def lines(self) -> list[str]:
        """The report, one thing a line (indented under its heading)."""
        out: list[str] = []
        ids = sorted({s for ids in self.stories.values() for s in ids})
        out.append("stories: " + (", ".join(ids) if ids else "none"))
        for audience, files in self.files.items():
            pages = [f for f in files if f.endswith(".html")]
            media = [f for f in files if f.startswith("media/") or "/media/" in f]
            out.append(
                f"{audience}: {plural(len(pages), 'page')}, {plural(len(media), 'media file')}"
            )
            out += [f"  {f}" for f in pages + media]
        out.append(
            "borrowed by other items: "
            + plural(len(self.borrowed), "quote or evidence", "quotes or evidence")
        )
        out += [f"  {b}" for b in self.borrowed]
        if self.films:
            out.append("exported films deleted: " + ", ".join(self.films))
        return out


def plural(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def record_path(project: Project, consent_id: str) -> Path:
    """content/consent/<id>.yml (or .yaml), or Refused with a did-you-mean."""
    for suffix in (".yml", ".yaml"):
        path = project.consents / f"{consent_id}{suffix}"
        if path.is_file():
            return path
    folder = project.consents
    known = (
        [p.stem for p in folder.iterdir() if p.suffix in (".yml", ".yaml")]
        if folder.is_dir()
        else []
    )
    hint = did_you_mean(consent_id, known) or f"consent records: {known_list(known)}"
    raise Refused(f"there is no consent '{consent_id}' in {project.shown(folder)}/ ({hint})")


def with_withdrawal(text: str, day: dt.date, display: str) -> tuple[str, int]:
    """`text` with `withdrawn: DAY` written in; the new text and the line written.

    Only that line changes: an empty `withdrawn:` line gets the date (its comment
    kept); without one, a line is added after `expires:` (else after `signed:`, else
    at the end). Line endings follow the file's own.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    try:
        data = parse_yaml(read_normalised(text), display)
    except ContentError as exc:
        raise Refused(f"{exc.problem.format()}: fix the record first") from None
    if not hasattr(data, "key_lines"):
        raise Refused(f"{display} is not a consent record (a mapping of fields): fix it first")
    value = f"withdrawn: {day.isoformat()}"
    if "withdrawn" in data:
        index = data.line_of("withdrawn") - 1
        match = _EMPTY.match(lines[index].rstrip("\r"))
        if match is None:
            raise Refused(
                f"{display}:{index + 1}: the withdrawn line is not a plain date: "
                "write the date there by hand"
            )
        comment = match.group(1)
        lines[index] = value + (f"  {comment}" if comment else "")
        return newline.join(lines), index + 1
    for key in ("expires", "signed"):
        if key in data:
            after = data.line_of(key)
            # A value continued on following lines (rare for a date) ends where the next
            # top-level key or comment starts.
            while after < len(lines) and lines[after][:1] in (" ", "\t"):
                after += 1
            lines.insert(after, value)
            return newline.join(lines), after + 1
    body = text if text.endswith(newline) or not text else text + newline
    return body + value + newline, len(lines) + (0 if text.endswith(newline) else 1)


def read_normalised(text: str) -> str:
    """The text as the YAML reader sees it (a BOM dropped, one kind of line end)."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` over `path` by a rename, keeping its mode: all of it or none of it."""
    mode = stat.S_IMODE(path.stat().st_mode)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def published_files(project: Project, audience: str) -> set[str]:
    site = project.site(audience)
    if not site.is_dir():
        return set()
    root = site.resolve()
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def published_link(project: Project, audience: str) -> str | None:
    """Where build/<audience> points now: a new target means a new site was published."""
    try:
        return os.readlink(project.site(audience))
    except OSError:
        return None


def exported_films(project: Project) -> set[str]:
    """build/films/*.mp4 as shown: the build deletes those no audience may see."""
    folder = project.films
    return {project.shown(f) for f in folder.glob("*.mp4")} if folder.is_dir() else set()


def borrowed_from(view: Library, gone: set[str]) -> list[str]:
    """What items other than the stories themselves borrowed from the stories in `gone`."""
    found: list[str] = []
    for persona in view.personas.values():
        quote = persona.quote
        if quote and quote.evidence and quote.evidence.story in gone:
            found.append(f"persona {persona.id}: quote ({quote.evidence})")
        for pain in persona.pain_points:
            for ref in pain.evidence:
                if ref.story in gone:
                    found.append(f"persona {persona.id}: pain point evidence ({ref})")
    for journey in view.journeys.values():
        for stage in journey.stages:
            for ref in stage.evidence:
                if ref.story in gone:
                    found.append(f"journey {journey.id}, stage {stage.id}: evidence ({ref})")
    for insight in view.insights.values():
        for ref in insight.evidence:
            if ref.story in gone:
                found.append(f"insight {insight.id}: evidence ({ref})")
    return sorted(set(found))


@contextlib.contextmanager
def locked(project: Project, wait: float, stderr: TextIO) -> Iterator[None]:
    """The build lock, waited for up to `wait` seconds (saying so) when a build holds it."""
    try:
        with build_lock(project):
            busy = False
    except BuildError:
        busy = True
    if busy and wait > 0:
        # Only the message depends on this first look; the wait below is the lock itself.
        print(
            f"a build is running in this project: waiting up to {wait:.0f}s for it to finish",
            file=stderr,
        )
    with build_lock(project, wait=wait):
        yield


def run(
    project: Path,
    consent_id: str,
    on: dt.date | None = None,
    today: dt.date | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    wait: float = LOCK_WAIT,
) -> int:
    """Withdraw `consent_id` from `on` (default: today in the room's time zone)."""
    stdout, stderr = out or sys.stdout, err or sys.stderr
    proj = Project(project)
    day = today or proj.today()
    when = on or day
    path = proj.consents / f"{consent_id}.yml"
    shown = proj.shown(path)
    try:
        path = record_path(proj, consent_id)
        shown = proj.shown(path)
        before_library, problems = load(proj, day)
        consent = before_library.consents.get(consent_id)
        if consent is None:
            mine = [p.format() for p in problems if p.path == shown]
            raise Refused(
                "\n".join([*mine, f"{shown} cannot be read as a consent record: fix it first"])
            )
        if consent.withdrawn is not None:
            print(
                f"consent '{consent_id}' ({consent.participant}) is already withdrawn, on "
                f"{consent.withdrawn} ({shown}:{consent.source.line('withdrawn')}); "
                "nothing changed",
                file=stdout,
            )
            return EXIT_OK
        if when < consent.signed:
            raise Refused(
                f"{when} is before the consent was signed ({consent.signed}): "
                "give the date the participant withdrew"
            )
        if path.is_symlink():
            # Renaming over it would replace the link, not the record it points to.
            raise Refused(f"{shown} is a link: write the date in the file it points to")
        if not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222:
            # A rename would replace even a read-only file (and root may write any):
            # a file with no write permission at all is the editor's lock, honoured.
            raise Refused(
                f"{shown} is read-only: make it writable (chmod u+w {shown}) and run "
                "again; nothing changed"
            )
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        new_text, line = with_withdrawal(text, when, shown)
        before = {a: set(for_audience(before_library, a, day).stories) for a in AUDIENCES}
        before_views = {a: for_audience(before_library, a, day) for a in AUDIENCES}
        before_files = {a: published_files(proj, a) for a in AUDIENCES}
        # The record is written under the build lock, so a running build (which read
        # content/ before this) finishes first and this one then sees the new date.
        with locked(proj, wait, stderr):
            write_atomically(path, new_text.encode("utf-8"))
    except Refused as exc:
        print(f"immersion withdraw: error: {exc}", file=stderr)
        return EXIT_USAGE
    except UnicodeDecodeError:
        print(f"immersion withdraw: error: {shown} is not UTF-8 text; nothing changed", file=stderr)
        return EXIT_CONTENT
    except BuildError as exc:
        print(
            f"immersion withdraw: error: {exc} (waited {wait:.0f}s); nothing changed", file=stderr
        )
        return EXIT_CONTENT
    except OSError as exc:
        print(
            f"immersion withdraw: error: cannot write {proj.shown(path.parent)}/: "
            f"{exc.strerror or exc}; nothing changed",
            file=stderr,
        )
        return EXIT_CONTENT

    print(
        f"consent '{consent_id}' ({consent.participant}) withdrawn from {when}: {shown}:{line}",
        file=stdout,
    )
    if when > day:
        print(
            f"the withdrawal counts from {when}: until then both sites keep showing "
            f"{consent.participant}; the build on that day takes everything out",
            file=stdout,
        )
    links = {a: published_link(proj, a) for a in AUDIENCES}
    films = exported_films(proj)
    code = build.run(project, AUDIENCES, today=day, out=stderr)
    stale = [a for a in AUDIENCES if published_link(proj, a) in (links[a], None)]
    if stale:
        # Problems in other files still publish (the build leaves them out); a refused
        # build (an audit finding, a full disk) does not, and that must not go unnoticed.
        sites = ", ".join(proj.shown(proj.site(a)) + "/" for a in stale)
        print(
            f"the consent record is written, but {sites} was not published again (see "
            f"above): fix that and run `immersion build`; until then it still shows "
            f"{consent.participant}",
            file=stdout,
        )
        return code or EXIT_CONTENT
    after_library, _ = load(proj, day)
    stories = {
        a: sorted(before[a] - set(for_audience(after_library, a, day).stories)) for a in AUDIENCES
    }
    files = {a: sorted(before_files[a] - published_files(proj, a)) for a in AUDIENCES}
    gone = {s for ids in stories.values() for s in ids}
    borrowed = sorted({b for v in before_views.values() for b in borrowed_from(v, gone)})
    sites = ", ".join(proj.shown(proj.site(a)) + "/" for a in AUDIENCES)
    print(f"rebuilt and published: {sites}", file=stdout)
    print("taken out:", file=stdout)
    taken = TakenOut(stories, files, borrowed, sorted(films - exported_films(proj)))
    for text_line in taken.lines():
        print(f"  {text_line}", file=stdout)
    if code != EXIT_OK:
        print("the build reported problems in other files (above)", file=stdout)
    return code
