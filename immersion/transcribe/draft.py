"""Timed words -> the product's WebVTT draft, and the personal data heard in it.

Pure: no engine, no files. A cue is a sentence, or at most `MAX_WORDS` words or
`MAX_SECONDS` seconds of one (a line a reader can take in). Each word after the
first carries its time as a WebVTT timestamp tag (`<00:00:01.200>word`), which
players may use for karaoke-style captions and `transcripts.py` reads as words.
The file starts with the machine marker, so everyone downstream knows what it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..importers import personal
from ..transcripts import fmt_timestamp, machine_note
from .engine import Segment, Word

MAX_WORDS = 16
MAX_SECONDS = 7.0
# Heard words are timed to a few tens of milliseconds: a redacted span takes a little
# either side, so the first and last sound of a phone number are silenced too.
SPAN_PAD = 0.2
_SENTENCE_END = re.compile(r"[.!?…][\"')\]]*$")
# An engine writes a number said aloud in pieces ("0770 ,000, 100, 100"), which the
# importers' patterns cannot see whole: a run of number words with this many digits
# or more is listed too.
_NUMBER_WORD = re.compile(r"^[(+]?[\d][\d,.\-)]*[,.]?$|^[,.]\d[\d,.\-]*$")
RUN_DIGITS = 8


@dataclass(frozen=True)
class DraftCue:
    start: float
    end: float
    words: tuple[Word, ...]
    voice: str | None
    line: int  # the file line of the cue's words

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True)
class Draft:
    vtt: str
    cues: tuple[DraftCue, ...]
    marker_line: int


@dataclass(frozen=True)
class Heard:
    """A piece of personal data heard in the recording: the words, and when."""

    finding: personal.Finding
    start: float
    end: float


def _tidy(words: Sequence[Word], duration: float, last: float) -> list[Word]:
    """Times clamped into the recording and never going back (engines overlap words)."""
    out: list[Word] = []
    for w in words:
        start = min(max(w.start, last), duration)
        end = min(max(w.end, start), duration)
        out.append(Word(w.text, start, end))
        last = start
    return out


def _lines(segments: Sequence[Segment], duration: float) -> list[tuple[list[Word], str | None]]:
    """The words split into cues: at sentence ends, and before a cue grows too long."""
    cues: list[tuple[list[Word], str | None]] = []
    last = 0.0
    for segment in segments:
        current: list[Word] = []
        tidy = _tidy(segment.words, duration, last)
        last = tidy[-1].start if tidy else last
        for word in tidy:
            if current and (len(current) >= MAX_WORDS or word.end - current[0].start > MAX_SECONDS):
                cues.append((current, segment.speaker))
                current = []
            current.append(word)
            if _SENTENCE_END.search(word.text) and len(current) >= 3:
                cues.append((current, segment.speaker))
                current = []
        if current:
            cues.append((current, segment.speaker))
    return cues


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def draft(
    segments: Sequence[Segment], duration: float, voice: str | None, engine: str, model: str
) -> Draft:
    """The WebVTT of `segments`; `voice` (the participant) for segments without a speaker."""
    head = [
        "WEBVTT",
        "",
        machine_note(engine, model),
        "Written by `immersion transcribe`. Read it against the recording, correct the",
        "words and who says them (<v Name>), then change reviewed=no to reviewed=yes above.",
        "",
    ]
    lines = list(head)
    marker = 3
    cues: list[DraftCue] = []
    previous_end = 0.0
    for heard_words, speaker in _lines(segments, duration):
        start = max(heard_words[0].start, previous_end)
        # A word heard before the previous line ended starts where this line starts.
        words = [Word(w.text, max(w.start, start), max(w.end, w.start, start)) for w in heard_words]
        end = min(max(words[-1].end, start + 0.001), max(duration, 0.001))
        start = min(start, end - 0.001)  # a cue lasts at least a millisecond
        who = speaker or voice
        text = _escape(words[0].text)
        tagged = start
        for w in words[1:]:
            # A timestamp tag must fall strictly inside the cue and after the one before
            # (to the millisecond the file holds).
            at = round(w.start, 3)
            if tagged < at < end:
                text += f" <{fmt_timestamp(at)}>{_escape(w.text)}"
                tagged = at
            else:
                text += f" {_escape(w.text)}"
        if text.startswith("NOTE"):
            text = "&#78;" + text[1:]  # a line starting NOTE would read as a note
        lines.append(f"{fmt_timestamp(start)} --> {fmt_timestamp(end)}")
        lines.append(f"<v {_escape(who)}>{text}" if who else text)
        cues.append(DraftCue(start, end, tuple(words), who, len(lines)))
        lines.append("")
        previous_end = end
    return Draft("\n".join(lines) + "\n", tuple(cues), marker)


def _number_runs(words: Sequence[Word]) -> list[personal.Finding]:
    """Runs of number words holding `RUN_DIGITS` digits or more, as findings."""
    found: list[personal.Finding] = []
    run: list[Word] = []
    for w in [*words, Word("", 0, 0)]:
        if w.text and _NUMBER_WORD.match(w.text):
            run.append(w)
            continue
        if sum(ch.isdigit() for r in run for ch in r.text) >= RUN_DIGITS:
            said = " ".join(r.text for r in run)
            found.append(personal.Finding(said, "a long number said aloud", 0))
        run = []
    return found


def heard(cues: Sequence[DraftCue], duration: float, names: tuple[str, ...] = ()) -> list[Heard]:
    """The importers' personal data search over each cue's words, with when it was said.

    Every occurrence is its own entry, since each is a span of the recording to silence.
    """
    found: list[Heard] = []
    for cue in cues:
        text = cue.text
        # Where each word sits in `text`, to turn a match back into times.
        places: list[tuple[int, int, Word]] = []
        at = 0
        for w in cue.words:
            places.append((at, at + len(w.text), w))
            at += len(w.text) + 1
        findings = personal.find(text, names) + _number_runs(cue.words)
        for finding in findings:
            for match in re.finditer(re.escape(finding.words), text, re.IGNORECASE):
                inside = [w for s, e, w in places if s < match.end() and match.start() < e]
                if not inside:
                    continue
                start = max(0.0, inside[0].start - SPAN_PAD)
                end = min(duration, inside[-1].end + SPAN_PAD)
                where = personal.Finding(finding.words, finding.why, cue.line)
                found.append(Heard(where, start, end))
    return found
