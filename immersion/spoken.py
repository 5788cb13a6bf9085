"""What was said: transcripts read for the library, and the checks that need them.

A highlight is a quote, so it must cover lines of the transcript and never the
interviewer's; a persona's quote must be words the customer actually said; no
line of a transcript may run past the end of its recording. The first checks
run in `load` (they need only the files); the last needs each recording's
duration, so the build runs it once the media pipeline has measured them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import model as m
from .problems import Problem, Severity, relpath, suggest
from .redaction import Phrases
from .schema import MediaRef
from .transcripts import Cue, Transcript, read_vtt

# A cue's end may overshoot the decoded duration by this much (encoder padding,
# rounding in the editor's tool) before it counts as past the end.
END_TOLERANCE = 0.5
# About 11 hours of speech at 2 s a line: far more than any one recording of the room.
MAX_CUES = 20_000


@dataclass(frozen=True)
class Spoken:
    """One recording and the transcript that goes with it, inside a story."""

    recording: MediaRef
    transcript: MediaRef | None
    field: str  # where the story names the recording, for problem lines


def spoken_in(story: m.Story) -> Iterator[Spoken]:
    if story.recording:
        yield Spoken(story.recording, story.transcript, "recording")
    for i, entry in enumerate(story.entries):
        if entry.recording:
            yield Spoken(entry.recording, entry.transcript, f"entries[{i}].recording")
    if story.narration:
        yield Spoken(story.narration.recording, story.narration.captions, "narration.recording")


def transcript_refs(story: m.Story) -> Iterator[MediaRef]:
    if story.transcript:
        yield story.transcript
    for entry in story.entries:
        if entry.transcript:
            yield entry.transcript
    if story.narration and story.narration.captions:
        yield story.narration.captions


def read_transcripts(
    library: m.Library, project: Path
) -> tuple[dict[Path, Transcript], list[Problem]]:
    """Parse every transcript the stories name, once each; problems name file and line."""
    found: dict[Path, Transcript] = {}
    problems: list[Problem] = []
    for story in library.stories.values():
        for ref in transcript_refs(story):
            if ref.path in found:
                continue
            display = relpath(ref.path, project)
            transcript, trouble = read_vtt(ref.path, display)
            problems += trouble
            if transcript is None or (not transcript.cues and any(p.is_error for p in trouble)):
                continue  # unreadable, or not WebVTT at all: one problem says so, not one per use
            if len(transcript.cues) > MAX_CUES:
                # A page of 100,000 lines takes the site engine a minute to build and a
                # browser longer to show; no recording of the room is that long.
                problems.append(
                    Problem(
                        display,
                        None,
                        f"this transcript has {len(transcript.cues):,} lines, more than "
                        f"the {MAX_CUES:,} one page can show; it is left out",
                        "check that it is the right file, or split the recording and "
                        "its transcript in parts",
                    )
                )
                continue
            if not transcript.cues:
                problems.append(
                    Problem(
                        display,
                        None,
                        "this transcript has no lines",
                        "write what was said as cues, or remove the transcript from the story",
                        Severity.WARNING,
                    )
                )
            if transcript.machine is not None and not transcript.machine.reviewed:
                problems.append(unreviewed(display, transcript))
            found[ref.path] = transcript
    return found, problems


def unreviewed(display: str, transcript: Transcript) -> Problem:
    """The warning a machine transcript carries until an editor has reviewed it."""
    machine = transcript.machine
    assert machine is not None
    return Problem(
        display,
        machine.line,
        f"a machine transcript ({machine.engine}, {machine.model}) not yet reviewed: "
        "the intranet labels it automatic and the kiosk shows none of it",
        "read it against the recording, correct the words and who says them, then "
        f"change reviewed=no to reviewed=yes on line {machine.line}",
        Severity.WARNING,
    )


def quoted(story: m.Story, transcript: Transcript, highlight: m.Highlight) -> list[Cue]:
    """The lines a highlight quotes: those it overlaps, the interviewer's left out."""
    interviewer = story.interviewer.casefold()
    return [
        cue
        for cue in transcript.within(highlight.start, highlight.end)
        if not interviewer or (cue.voice or "").casefold() != interviewer
    ]


def quote_text(cues: list[Cue]) -> str:
    return " ".join(" ".join(cue.text.split()) for cue in cues)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    h, rest = divmod(whole, 3600)
    mm, ss = divmod(rest, 60)
    return f"{h}:{mm:02d}:{ss:02d}" if h else f"{mm}:{ss:02d}"


def check_story(story: m.Story, transcripts: dict[Path, Transcript]) -> list[Problem]:
    """Highlights against the interview's transcript; the interviewer's name against it."""
    problems: list[Problem] = []
    src = story.source
    transcript = transcripts.get(story.transcript.path) if story.transcript else None
    if story.kind_of_story != "interview" or transcript is None or story.transcript is None:
        return problems
    name = PurePosixPath(story.transcript.src).name
    voices = sorted({cue.voice for cue in transcript.cues if cue.voice})
    interviewer = story.interviewer.casefold()
    if story.interviewer and transcript.cues:
        if not voices:
            problems.append(
                Problem(
                    src.path,
                    src.line("interviewer"),
                    f"{name} names no speakers, so the interviewer's lines cannot be told apart",
                    "mark each line with its speaker: <v Leah>... and <v Sam>...",
                    Severity.WARNING,
                    "interviewer",
                )
            )
        elif interviewer not in {v.casefold() for v in voices}:
            problems.append(
                Problem(
                    src.path,
                    src.line("interviewer"),
                    f"the interviewer '{story.interviewer}' never speaks in {name} "
                    f"(speakers: {', '.join(voices)})",
                    suggest(story.interviewer, voices),
                    Severity.WARNING,
                    "interviewer",
                )
            )
    for i, highlight in enumerate(story.highlights):
        fld = f"highlights[{i}]"
        span = f"{_clock(highlight.start)}–{_clock(highlight.end)}"
        overlapping = transcript.within(highlight.start, highlight.end)
        if not overlapping:
            problems.append(
                Problem(
                    src.path,
                    src.line(fld),
                    f"highlight '{highlight.id}' ({span}) covers no line of {name}",
                    "set its start and end to the times of the lines it quotes",
                    Severity.ERROR,
                    fld,
                )
            )
            continue
        if interviewer:
            theirs = [c for c in overlapping if (c.voice or "").casefold() == interviewer]
            if theirs:
                problems.append(
                    Problem(
                        src.path,
                        src.line(fld),
                        f"highlight '{highlight.id}' ({span}) quotes the interviewer "
                        f"{story.interviewer} ({name} line {theirs[0].line})",
                        "a quote is the customer's own words: move its start or end "
                        "off the interviewer's line",
                        Severity.ERROR,
                        fld,
                    )
                )
    return problems


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def _words(text: str) -> str:
    """Text reduced to its words, so punctuation and case do not decide a match."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    return " ".join(re.findall(r"[\w']+", text))


def _said(quote: str, spoken: str) -> bool:
    """True when the quote's words were said, in order; "..." or "…" marks a cut."""
    heard = " " + _words(spoken) + " "
    at = 0
    for part in re.split(r"\.\.\.|…", quote):
        words = _words(part)
        if not words:
            continue
        found = heard.find(" " + words + " ", at)
        if found < 0:
            return False
        at = found + len(words) + 1
    return True


def said_at(library: m.Library, story_id: str, anchor: str) -> str | None:
    """The words spoken at `story#anchor`, or None where there is no transcript to ask."""
    story = library.stories.get(story_id)
    if story is None:
        return None
    target = story.anchors().get(anchor)
    if isinstance(target, m.Highlight):
        transcript = library.transcript(story.transcript)
        words = quote_text(quoted(story, transcript, target)) if transcript else ""
    elif isinstance(target, m.DiaryEntry):
        transcript = library.transcript(target.transcript)
        words = quote_text(list(transcript.cues)) if transcript else ""
    else:
        words = ""
    return words or None


def check_quotes(library: m.Library, today: dt.date) -> list[Problem]:
    """A persona's quote must be what the customer said at the second it points to.

    The hint shows the words as spoken, except for a story whose consent is no
    longer valid: its words must not reach a build log either.
    """
    problems: list[Problem] = []
    for persona in library.personas.values():
        quote = persona.quote
        if quote is None or quote.evidence is None or not quote.evidence.anchor:
            continue
        spoken = said_at(library, quote.evidence.story, quote.evidence.anchor)
        if spoken is None or not quote.text.strip():
            continue
        if not _said(quote.text, spoken):
            shown = spoken if len(spoken) <= 120 else spoken[:117] + "..."
            story = library.stories[quote.evidence.story]
            consent = library.consents.get(story.participant.consent)
            if consent is None or not consent.valid_on(today):
                hint = "quote the words as spoken in the transcript"
            else:
                hint = f'quote the words as spoken: "{shown}"'
            problems.append(
                Problem(
                    persona.source.path,
                    persona.source.line("quote.text") or persona.source.line("quote"),
                    f"the quote is not what was said at {quote.evidence.story}#"
                    f"{quote.evidence.anchor}",
                    hint,
                    Severity.WARNING,
                    "quote.text",
                )
            )
    return problems


def _film_length(story: m.Story, narration: float) -> list[Problem]:
    """Frames and narration must end together, or the film and its export disagree."""
    frames = sum(frame.seconds for frame in story.frames)
    if abs(frames - narration) <= END_TOLERANCE:
        return []
    src = story.source
    return [
        Problem(
            src.path,
            src.line("frames"),
            f"the frames last {frames:.1f} s but the narration {narration:.1f} s",
            "make the frames' seconds add up to the length of the narration",
            Severity.WARNING,
            "frames",
        )
    ]


def check_durations(
    library: m.Library, duration_of: Callable[[MediaRef], float | None], project: Path
) -> list[Problem]:
    """Transcripts and highlights against the real length of their recordings."""
    problems: list[Problem] = []
    for story in library.stories.values():
        src = story.source
        for spoken in spoken_in(story):
            duration = duration_of(spoken.recording)
            if duration is None:
                continue
            limit = duration + END_TOLERANCE
            transcript = library.transcript(spoken.transcript)
            if transcript is not None and spoken.transcript is not None:
                late = [cue for cue in transcript.cues if cue.end > limit]
                if late:
                    more = f" (and {len(late) - 1} more)" if len(late) > 1 else ""
                    problems.append(
                        Problem(
                            relpath(spoken.transcript.path, project),
                            late[0].line,
                            f"this line ends at {_clock(late[0].end)}, after the end of "
                            f"'{spoken.recording.src}' ({_clock(duration)}){more}",
                            "check that the transcript belongs to this recording",
                        )
                    )
            if spoken.field == "narration.recording" and story.frames:
                problems += _film_length(story, duration)
            if spoken.field != "recording":
                continue
            for i, highlight in enumerate(story.highlights):
                if highlight.end > limit:
                    problems.append(
                        Problem(
                            src.path,
                            src.line(f"highlights[{i}].end") or src.line(f"highlights[{i}]"),
                            f"highlight '{highlight.id}' ends at {_clock(highlight.end)}, after "
                            f"the end of the recording ({_clock(duration)})",
                            "set its end inside the recording",
                            field=f"highlights[{i}].end",
                        )
                    )
    return problems


def check_redactions(story: m.Story, transcripts: dict[Path, Transcript]) -> list[Problem]:
    """`redact:` entries the build cannot apply, and words that match nothing.

    The build applies the list (`redaction.py`). An entry it cannot apply (a span with
    no end, an unknown diary entry) is an error, and the loader leaves the story out of
    both sites until it is fixed: personal data is never published because of a typo in
    the list that was meant to take it out. Words found nowhere in the story's texts are
    a note, not a warning: the import lists real names even where they are never said
    (a later edit might say them), but a typo looks the same, so it is shown.
    """
    problems: list[Problem] = []
    src = story.source

    def error(i: int, fld: str, message: str, hint: str) -> None:
        line = src.line(f"redact[{i}].{fld}") or src.line(f"redact[{i}]") or src.line("redact")
        problems.append(Problem(src.path, line, message, hint, Severity.ERROR, "redact"))

    refs = [story.transcript, *(e.transcript for e in story.entries)]
    if story.narration and story.narration.captions:
        refs.append(story.narration.captions)
    texts = [story.title, story.subject, story.body]
    texts += [e.prompt for e in story.entries] + [f.caption for f in story.frames]
    for ref in refs:
        found = transcripts.get(ref.path) if ref is not None else None
        if found is not None:
            texts += [cue.text for cue in found.cues]
            texts += [cue.voice for cue in found.cues if cue.voice]
    entries = {e.id: e for e in story.entries}
    own = story.recording or (story.narration.recording if story.narration else None)
    for i, entry in enumerate(story.redact):
        span = entry.start is not None or entry.end is not None
        # Words with the span where they are said (as `immersion transcribe` writes them):
        # the words leave every text and the span is silenced; both are checked.
        if entry.words:
            phrase = Phrases([entry.words])
            if not any(phrase.find(text) for text in texts if text):
                problems.append(
                    Problem(
                        src.path,
                        src.line(f"redact[{i}].words") or src.line("redact"),
                        f"'{entry.words}' is to be redacted but occurs nowhere in this story",
                        "check the spelling (it is matched as whole words, in any case); "
                        "it is still applied to any later text",
                        Severity.NOTE,
                        "redact",
                    )
                )
            if not span:
                continue
        if not span:
            error(i, "words", "this redaction names nothing", "give words: or start: and end:")
            continue
        if entry.start is None or entry.end is None:
            error(
                i,
                "start" if entry.start is None else "end",
                f"this time span has no {'start' if entry.start is None else 'end'}",
                "give both start: and end:, as times in the recording",
            )
            continue
        if entry.end <= entry.start:
            error(i, "end", "this time span ends before it starts", "set end: after start:")
            continue
        if entry.entry is not None:
            known = entries.get(entry.entry)
            if known is None:
                error(
                    i,
                    "entry",
                    f"there is no entry '{entry.entry}' in this story",
                    suggest(entry.entry, list(entries)) or "name one of the story's entries",
                )
            elif known.recording is None:
                error(i, "entry", f"entry '{entry.entry}' has no recording", "remove entry:")
        elif own is None:
            error(
                i,
                "start",
                "this story has no recording of its own for the span to silence"
                if not entries
                else "an audio diary's span must say which entry's recording it is in",
                "remove the span" if not entries else "add entry: with the entry's id",
            )
    return problems


def unredactable(problems: list[Problem]) -> set[str]:
    """The files whose `redact:` list has an error: their stories are not published."""
    return {
        p.path
        for p in problems
        if p.is_error and (p.field == "redact" or p.field.startswith(("redact[", "redact_sound")))
    }
