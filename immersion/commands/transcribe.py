"""`immersion transcribe STORY_ID | --all`: offline draft transcripts with word timings.

For each recording of the story that has no transcript yet: decode it to 16 kHz mono
(ffmpeg), let the engine hear it, write the product's WebVTT (marked as a machine
transcript, not reviewed) beside the recording, and add it and the personal data
heard in it to index.md. Each file goes through a temporary name and a rename; an
existing transcript is replaced only with --force; a recording with no speech gets
nothing at all.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO

from ..importers import bundle as files
from ..importers import personal
from ..problems import EXIT_CONTENT, EXIT_OK, BuildError, UsageError
from ..project import Project
from ..settings import load_settings, transcribe_settings
from ..transcribe import bundle as story_bundle
from ..transcribe.audio import decode_wav
from ..transcribe.draft import Draft, Heard, draft, heard
from ..transcribe.engine import Transcriber


def add_parser(sub: Any) -> None:
    t = sub.add_parser(
        "transcribe", help="offline draft transcripts (with word timings) of recordings"
    )
    which = t.add_mutually_exclusive_group(required=True)
    which.add_argument("story", nargs="?", metavar="STORY_ID", help="the story to transcribe")
    which.add_argument(
        "--all", action="store_true", help="every recording of every story without a transcript"
    )
    t.add_argument("--force", action="store_true", help="replace transcripts that exist")
    t.add_argument(
        "--real-name",
        action="append",
        default=[],
        metavar="NAME",
        help="a participant's real name to list for redaction if it is heard (repeat)",
    )


def open_transcriber(project: Project) -> Transcriber:
    """The configured engine; BuildError (exit 1) naming mkdocs.yml or the missing extra."""
    settings, problems = load_settings(project)
    config = transcribe_settings(settings, project, problems)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise BuildError("; ".join(p.format() for p in errors))
    from ..transcribe.whisper import open_engine

    return open_engine(config.model, config.language, config.threads)


def run(
    project_dir: Path,
    story: str | None,
    *,
    every: bool = False,
    force: bool = False,
    real_names: tuple[str, ...] = (),
    out: TextIO | None = None,
    engine: Transcriber | None = None,
) -> int:
    stream = out or sys.stderr
    project = Project(project_dir)
    if not project.has_content():
        raise UsageError(f"no content/ folder in {project_dir}; start one with `immersion init`")
    failed = 0
    if every:
        stories = []
        for ident in story_bundle.story_ids(project):
            try:
                stories.append(story_bundle.read_story(project, ident))
            except BuildError as exc:  # one unreadable bundle does not stop the rest
                print(f"skipped {ident}: {exc}", file=stream)
                failed += 1
    else:
        assert story is not None
        stories = [story_bundle.read_story(project, story)]
    work = [(s, t) for s in stories for t in _todo(project, s, force, every)]
    if not work:
        if every:
            print("every recording has a transcript: nothing to do", file=stream)
        return EXIT_CONTENT if failed else EXIT_OK
    engine = engine or open_transcriber(project)
    names = personal.real_names(list(real_names), set())
    for listed, target in work:
        try:
            # Read again: the story's index.md changes with each of its recordings.
            s = story_bundle.read_story(project, listed.id)
            failed += not _one(project, s, target, engine, names, force, stream)
        except BuildError as exc:
            print(f"immersion: error: {exc}", file=stream)
            failed += 1
    return EXIT_CONTENT if failed else EXIT_OK


def _todo(
    project: Project, s: story_bundle.StoryBundle, force: bool, every: bool
) -> list[story_bundle.Target]:
    if not s.targets:
        if every:
            return []
        raise UsageError(
            f"{project.shown(s.index)} names no recording to transcribe "
            "(recording:, entries[].recording or narration.recording, a file beside it)"
        )
    todo = [t for t in s.targets if force or not t.exists(s.folder)]
    if not todo and not every:
        names = ", ".join(project.shown(s.folder / t.transcript) for t in s.targets)
        raise UsageError(f"{names} already exists; add --force to replace it")
    return todo


def _one(
    project: Project,
    s: story_bundle.StoryBundle,
    target: story_bundle.Target,
    engine: Transcriber,
    names: tuple[str, ...],
    force: bool,
    out: TextIO,
) -> bool:
    """Transcribe one recording; False when nothing was written (no speech)."""
    shown = project.shown(target.recording)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="immersion-transcribe-") as tmp:
        wav = Path(tmp) / "speech.wav"
        duration = decode_wav(target.recording, wav, shown)
        segments = engine.transcribe(wav)
    if not any(seg.words for seg in segments):
        print(f"{shown}: no speech found in it; nothing written", file=out)
        return False
    made = draft(segments, duration, s.voice, engine.name, engine.model)
    found = heard(made.cues, duration, names)
    text, by_hand = story_bundle.edited_index(s, target, found)
    if story_bundle.read_story(project, s.id).text != s.text:
        raise BuildError(f"{project.shown(s.index)} changed while transcribing; run it again")
    written = {target.transcript: made.vtt.encode("utf-8")}
    if text is not None and text != s.text:
        written["index.md"] = text.encode("utf-8")
    files.write_into(s.folder, written, force=force)
    took = time.monotonic() - began
    _report(project, s, target, made, found, by_hand, duration, took, out)
    print(f"  ({engine.name}, model {engine.model})", file=out)
    return True


def _report(
    project: Project,
    s: story_bundle.StoryBundle,
    target: story_bundle.Target,
    made: Draft,
    found: list[Heard],
    by_hand: list[str],
    duration: float,
    took: float,
    out: TextIO,
) -> None:
    vtt = project.shown(s.folder / target.transcript)
    index = project.shown(s.index)
    print(
        f"wrote {vtt}: {len(made.cues)} lines from {duration:.0f} s of "
        f"{target.recording_src} in {took:.0f} s",
        file=out,
    )
    if by_hand:
        print(f"add to {index} (it could not be edited safely):", file=out)
        for line in by_hand:
            print(f"    {line}", file=out)
    elif not target.named:
        print(f"added {story_bundle.transcript_line(target)} to {index}", file=out)
    if found:
        print(f"personal data heard ({len(found)}), listed under redact: in {index}:", file=out)
        for h in found:
            print(f"  {vtt}:{h.finding.line}: {h.finding.why}: {h.finding.words}", file=out)
    who = f"every line is given to {s.voice}" if s.voice else "no line has a speaker"
    if s.kind == "interview":
        who += ": mark the interviewer's lines" + (f" <v {s.interviewer}>" if s.interviewer else "")
    print(
        f"to review: read {vtt} against the recording, correct the words ({who}), then "
        f"change reviewed=no to reviewed=yes on line {made.marker_line}; until then the "
        "kiosk shows none of it",
        file=out,
    )
