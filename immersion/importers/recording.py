"""`immersion import recording`: one interview or audio diary recording -> a new bundle.

The recording is probed with `ffmpeg -i` (the product has no ffprobe): a file
with no audio stream ffmpeg can decode is refused before anything is written.
The story's date is the recording's own `creation_time` tag when it has one
(phones and recorders write it), else the file's modification time, and the
index says which, so the editor knows how far to trust it.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..media.ffmpeg import find_ffmpeg
from ..problems import BuildError, UsageError
from ..project import Project
from ..schema import AUDIO_EXTS
from .newbundle import Imported, IndexWriter, bundle_path, safe_name, write_bundle, yaml_str

KINDS = ("interview", "audio-diary")

_DURATION = re.compile(r"Duration:\s*(\d+):(\d\d):(\d\d(?:\.\d+)?)")
_CREATION = re.compile(r"creation_time\s*:\s*(\d{4}-\d\d-\d\d)")
_AUDIO = re.compile(r"Stream #\S+.*?: Audio: ")


@dataclass(frozen=True)
class Probe:
    """What `ffmpeg -i` says of a recording."""

    duration: float | None
    created: dt.date | None


def parse_probe(stderr: str) -> Probe | None:
    """The duration and creation date in `ffmpeg -i`'s report; None if it has no audio."""
    if not _AUDIO.search(stderr):
        return None
    duration = None
    if match := _DURATION.search(stderr):
        h, mnt, s = match.groups()
        duration = int(h) * 3600 + int(mnt) * 60 + float(s)
    created = None
    if match := _CREATION.search(stderr):
        try:
            created = dt.date.fromisoformat(match.group(1))
        except ValueError:
            created = None  # a tag like 0000-00-00: no date, fall back to the file's
    return Probe(duration, created)


def probe(path: Path) -> Probe:
    """Probe `path`; BuildError naming the file when ffmpeg finds no audio in it."""
    # `ffmpeg -i FILE` with no output always exits 1; the report on stderr is what we want.
    proc = subprocess.run(
        [find_ffmpeg(), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=60,
        check=False,
    )
    found = parse_probe(proc.stderr)
    if found is None or not found.duration:
        raise BuildError(
            f"{path}: not a recording ffmpeg can read (no audio stream found); "
            "export it again from the recorder as m4a, mp3 or wav"
        )
    return found


def recording_date(path: Path, found: Probe) -> tuple[dt.date, str]:
    """The story's date and where it came from."""
    if found.created is not None:
        return found.created, "the recording's creation_time tag"
    mtime = dt.datetime.fromtimestamp(path.stat().st_mtime)
    return mtime.date(), "the file's modification time (the recording has no creation_time tag)"


def title_of(story_id: str) -> str:
    return story_id.replace("-", " ").replace("_", " ").capitalize()


def render_index(kind: str, story_id: str, name: str, day: dt.date, source: str) -> IndexWriter:
    w = IndexWriter()
    w.add("---", "# interview | audio-diary", f"kind: {kind}")
    w.add("# What the story is about, in a few words the room will read.")
    w.fill(f"title: {yaml_str(title_of(story_id))}", "title", "a title for the story")
    w.add(
        "# Who spoke: a pseudonym (never a real name), their persona's id, and the id of",
        "# their consent record (content/consent/ID.yml), which decides where this may appear.",
    )
    w.fill(
        "# participant: {pseudonym: NAME, persona: PERSONA_ID, consent: CONSENT_ID}",
        "participant",
        "the pseudonym, persona and consent (remove the '# ')",
    )
    w.add(f"# From {source}.", f"date: {day.isoformat()}")
    w.add("# The journey and stage this story belongs to (optional).")
    w.add("# journey: JOURNEY_ID", "# stage: STAGE_ID", "tags: []")
    if kind == "interview":
        w.add(
            "# The recording beside this file, copied in by the import.",
            f"recording: {name}",
            "# Its WebVTT transcript with speakers as <v Name>, once you have one.",
        )
        w.fill(
            f"# transcript: {Path(name).stem}.vtt",
            "transcript",
            "a WebVTT transcript beside the recording (then remove the '# ')",
        )
        w.add(
            "# The interviewer's name as the transcript writes it; their voice is never quoted.",
            "# interviewer: Sam",
            '# Moments worth hearing: times as "HH:MM:SS.mmm" or seconds.',
            "highlights: []",
            '#  - {id: hl-1, start: "00:12:04.200", end: "00:12:31.000", tags: [pain]}',
            "---",
        )
    else:
        w.add(
            "# One entry per recording; recorded is a date, mood -2..+2.",
            "entries:",
            "  - id: e1",
            f"    recorded: {day.isoformat()}",
        )
        w.fill('    prompt: ""', "entries[0].prompt", "the question the participant answered")
        w.add(
            "    # The recording beside this file, copied in by the import.",
            f"    recording: {name}",
            "    # Its WebVTT transcript, once you have one.",
        )
        w.fill(
            f"    # transcript: {Path(name).stem}.vtt",
            "entries[0].transcript",
            "a WebVTT transcript beside the recording (then remove the '# ')",
        )
        w.add(
            "    mood: 0",
            "    # stage: STAGE_ID",
            "---",
        )
    w.fill(
        "A short summary: who, where, what stood out. (Write it here.)",
        "summary",
        "the summary below the front matter",
    )
    return w


def import_recording(
    project: Project, source: Path, story_id: str, kind: str, force: bool = False
) -> Imported:
    if kind not in KINDS:
        raise UsageError(f"--kind must be one of {', '.join(KINDS)}, not '{kind}'")
    if not source.is_file():
        raise UsageError(f"{source}: no such file")
    name = safe_name(source.name)
    if Path(name).suffix not in AUDIO_EXTS:
        raise UsageError(
            f"{source}: a recording must be one of {', '.join(sorted(AUDIO_EXTS))}; "
            "convert it first (for a video, take its audio: ffmpeg -i IN -vn OUT.m4a)"
        )
    target = bundle_path(project, story_id, force)
    found = probe(source)
    day, said = recording_date(source, found)
    index = render_index(kind, story_id, name, day, said)

    def fill(folder: Path) -> None:
        shutil.copy2(source, folder / name)
        (folder / "index.md").write_text(index.text(), encoding="utf-8")

    write_bundle(target, fill)
    notes = (f"the date {day.isoformat()} is from {said}",)
    return Imported(target, tuple(index.to_fill), notes)
