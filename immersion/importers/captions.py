"""Call transcripts as Zoom, Teams, Google Meet, SRT and Otter write them, read into turns.

Every format comes down to the same thing: who spoke, from when to when, and
what they said. Problems name the file and line and say how to fix it.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass

from ..transcripts import fmt_timestamp


@dataclass
class Turn:
    start: float
    end: float | None
    speaker: str
    text: str
    line: int  # line of its timing in the source file


class ImportProblem(Exception):
    """A source file that cannot be imported: the message names the file and line."""


_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_VOICE = re.compile(r"^<v(?:\.[\w.-]+)?\s+([^>]+)>(.*?)(?:</v>)?$")
# "Leah Smith: words" — a name of one to four words, no digits, before a colon.
_NAMED = re.compile(r"^([^\W\d_][\w'.-]*(?: [^\W\d_][\w'.-]*){0,3})\s*:\s*(.*)$")
_OTTER = re.compile(r"^(\S.*?)\s{2,}(?:(\d+):)?(\d{1,2}):(\d{2})\s*$")
_TAGS = re.compile(r"<[^>]*>")


def _seconds(h: str | None, m: str, s: str, frac: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(frac.ljust(3, "0")) / 1000


def parse(text: str, display: str) -> tuple[list[Turn], str]:
    """The turns of a transcript and the name of its format."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if any(_TIMING.match(line) for line in lines[:200]):
        fmt = "WebVTT" if lines and lines[0].lstrip().startswith("WEBVTT") else "SRT"
        return _cues(lines, display), fmt
    if any(_OTTER.match(line) for line in lines[:50]):
        return _otter(lines, display), "Otter text"
    raise ImportProblem(
        f"{display}: no timings found; expected a WebVTT or SRT file (lines like "
        "'00:00:01.000 --> 00:00:04.000') or an Otter text export (lines like 'Leah Smith  0:03')"
    )


def _cues(lines: list[str], display: str) -> list[Turn]:
    timings = [i for i, line in enumerate(lines) if _TIMING.match(line)]
    turns: list[Turn] = []
    speaker = ""
    for n, i in enumerate(timings):
        m = _TIMING.match(lines[i])
        assert m is not None
        g = m.groups()
        start, end = _seconds(*g[:4]), _seconds(*g[4:])
        stop = timings[n + 1] if n + 1 < len(timings) else len(lines)
        body = [ln.strip() for ln in lines[i + 1 : stop]]
        # The next cue's number (Zoom, SRT) or a NOTE block sits before its timing.
        while body and (body[-1] == "" or body[-1].isdigit()):
            body.pop()
        if "NOTE" in body:
            body = body[: body.index("NOTE")]
        words: list[str] = []
        for ln in body:
            if not ln or ln.startswith("NOTE "):
                continue  # Meet leaves blank lines inside a cue
            voice = _VOICE.match(ln)
            named = _NAMED.match(ln) if voice is None else None
            if voice is not None:
                speaker, ln = voice.group(1).strip(), voice.group(2)
            elif named is not None and len(named.group(1)) <= 40:
                speaker, ln = named.group(1).strip(), named.group(2)
            ln = html.unescape(_TAGS.sub("", ln)).strip()
            if ln:
                words.append(ln)
        if not words:
            continue
        if not speaker:
            raise ImportProblem(
                f"{display}:{i + 1}: this cue names no speaker; the import needs each speaker "
                "as 'Name: words' or '<v Name>words' at least where the speaker changes"
            )
        if end <= start:
            raise ImportProblem(
                f"{display}:{i + 1}: the cue ends ({fmt_timestamp(end)}) before it starts "
                f"({fmt_timestamp(start)}); fix the timing line"
            )
        turns.append(Turn(start, end, speaker, " ".join(words), i + 1))
    return turns


def _otter(lines: list[str], display: str) -> list[Turn]:
    turns: list[Turn] = []
    for i, line in enumerate(lines):
        m = _OTTER.match(line)
        if m is not None:
            h, mi, s = m.group(2), m.group(3), m.group(4)
            turns.append(Turn(_seconds(h, mi, s, "0"), None, m.group(1).strip(), "", i + 1))
        elif line.strip() and turns:
            turns[-1].text = (turns[-1].text + " " + line.strip()).strip()
        elif line.strip() and not line.lower().startswith(("transcribed by", "unknown")):
            raise ImportProblem(
                f"{display}:{i + 1}: words before the first speaker line; Otter's export starts "
                "each turn with 'Name  0:03' on its own line"
            )
    turns = [t for t in turns if t.text]
    for a, b in itertools.pairwise(turns):
        a.end = b.start
    if turns:
        # The last turn: about 2.5 words a second of speech, at least two seconds.
        turns[-1].end = turns[-1].start + max(2.0, len(turns[-1].text.split()) / 2.5)
    return turns


def tidy(turns: list[Turn]) -> list[str]:
    """Sort the turns and clip overlaps (the product's reader rejects them); what was changed."""
    notes: list[str] = []
    turns.sort(key=lambda t: t.start)
    for a, b in itertools.pairwise(turns):
        assert a.end is not None
        if a.end > b.start:
            shown = fmt_timestamp(b.start)
            notes.append(f"line {a.line}: cue overlapped the next one; it now ends at {shown}")
            a.end = b.start if b.start > a.start else a.start + 0.001
    return notes


def _escape(words: str) -> str:
    return words.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(turns: list[Turn]) -> str:
    """The product's WebVTT: numbered cues, each with its speaker as <v Name>."""
    out = ["WEBVTT", ""]
    for n, t in enumerate(turns, start=1):
        assert t.end is not None
        out += [
            str(n),
            f"{fmt_timestamp(t.start)} --> {fmt_timestamp(t.end)}",
            f"<v {t.speaker}>{_escape(t.text)}",
            "",
        ]
    return "\n".join(out)
