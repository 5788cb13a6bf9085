"""WebVTT transcripts: read an editor's file into cues, write a clean one back.

Parsing follows the W3C WebVTT spec in spirit: lenient where an editor's file
is harmless (blank lines with spaces in them, CR line endings, a missing blank
line after the header, one-digit hours), strict where it would mislead (a
comma before the milliseconds, cues out of order, a cue that swallows the next
one, a NOTE that would be published as a cue's words).

Nothing here raises on bad content: every mistake becomes a `Problem` naming
the file and line, and the cue it spoils is left out.

`to_vtt` writes only what the site may publish: timings, the speaker and the
words, escaped so they can never be markup. Researchers' NOTE blocks, styles,
regions, cue settings and identifiers are never written out.
"""

from __future__ import annotations

import bisect
import functools
import html.entities
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from immersion.problems import Problem, Severity

__all__ = [
    "MACHINE_NOTE",
    "Cue",
    "Machine",
    "Transcript",
    "fmt_timestamp",
    "machine_note",
    "parse_vtt",
    "read_vtt",
    "to_vtt",
]


# -- the model -----------------------------------------------------------------


@dataclass(frozen=True)
class Cue:
    """One timed piece of the transcript: who says what, when."""

    start: float  # seconds
    end: float  # seconds
    text: str  # plain words: no tags, entities decoded, lines joined with "\n"
    voice: str | None  # the speaker from <v Name>, None without one
    line: int  # 1-based line of the cue's timing line in the file
    ident: str = ""  # the optional identifier line above the timing


@dataclass(frozen=True)
class Machine:
    """A transcript written by a speech engine (`immersion transcribe`), from its NOTE line.

    Until an editor has read it against the recording and written `reviewed=yes`,
    `check` warns, the intranet labels it and the kiosk shows none of it.
    """

    engine: str
    model: str
    reviewed: bool
    line: int  # the NOTE line, 1-based


@dataclass(frozen=True)
class Transcript:
    """Cues in the order of their start times (the parser guarantees it)."""

    cues: tuple[Cue, ...] = ()
    machine: Machine | None = None  # the `NOTE immersion: machine transcript` marker
    # Derived once so `at` is a binary search, not a scan.
    _starts: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cues", tuple(self.cues))
        object.__setattr__(self, "_starts", tuple(cue.start for cue in self.cues))

    def at(self, seconds: float) -> int | None:
        """The index of the cue being spoken at `seconds`, None between cues.

        That is the last cue starting at or before `seconds`, if it has not
        ended yet (a cue covers [start, end)).
        """
        index = bisect.bisect_right(self._starts, seconds) - 1
        if index >= 0 and seconds < self.cues[index].end:
            return index
        return None

    def within(self, start: float, end: float, min_overlap: float = 0.25) -> list[Cue]:
        """The cues that overlap [start, end] by at least `min_overlap` seconds.

        A cue shorter than `min_overlap` counts when it lies wholly inside the
        span, and a span shorter than it counts when a cue covers it wholly, so
        a short "yes" or a short highlight is not lost.
        """
        found: list[Cue] = []
        # Cues starting at or after `end` cannot overlap; ends are not sorted,
        # so everything before that point has to be looked at.
        stop = bisect.bisect_left(self._starts, end)
        for cue in self.cues[:stop]:
            overlap = min(cue.end, end) - max(cue.start, start)
            needed = min(min_overlap, cue.end - cue.start, end - start)
            if overlap > 0 and overlap >= needed - 1e-9:
                found.append(cue)
        return found

    @property
    def duration(self) -> float:
        """When the last words end (0.0 for an empty transcript)."""
        return max((cue.end for cue in self.cues), default=0.0)


# -- the machine transcript marker ----------------------------------------------

# The one line that marks a machine transcript; `immersion transcribe` writes it and
# the parser reads it back. An editor marks the transcript reviewed by changing `no`
# to `yes` (any other value counts as not reviewed, and the parser says so).
MACHINE_NOTE = "NOTE immersion: machine transcript"


def machine_note(engine: str, model: str, reviewed: bool = False) -> str:
    """The marker line for a transcript written by `engine` with `model`."""
    return f"{MACHINE_NOTE}, engine={engine}, model={model}, reviewed={'yes' if reviewed else 'no'}"


def _machine(line: str, number: int) -> tuple[Machine, str | None] | None:
    """The marker in a NOTE line (None if it is another note), and what is wrong with it."""
    if not line.startswith(MACHINE_NOTE):
        return None
    fields: dict[str, str] = {}
    for part in line[len(MACHINE_NOTE) :].split(","):  # no regex: a hostile line stays linear
        key, sep, value = part.partition("=")
        if sep:
            fields.setdefault(key.strip(), value.strip())
    reviewed = fields.get("reviewed", "").lower()
    trouble = None if reviewed in ("yes", "no") else reviewed or "missing"
    machine = Machine(
        fields.get("engine", "?"), fields.get("model", "?"), reviewed == "yes", number
    )
    return machine, trouble


# -- timestamps ----------------------------------------------------------------


def fmt_timestamp(seconds: float) -> str:
    """Seconds as 'HH:MM:SS.mmm' (hours grow past 99 when they must)."""
    if not math.isfinite(seconds):
        raise ValueError(f"not a time: {seconds!r}")
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


@dataclass(frozen=True)
class _Bad:
    """Why a timing line could not be read."""

    message: str
    hint: str


# Hours may run past 99 (a long day of recordings), but not absurdly far.
_STRICT_TIMESTAMP = re.compile(r"(?:([0-9]{1,6}):)?([0-5][0-9]):([0-5][0-9])\.([0-9]{3})")
_STRICT_TIMING = re.compile(
    rf"\s*{_STRICT_TIMESTAMP.pattern}\s*-->\s*{_STRICT_TIMESTAMP.pattern}(?:\s.*)?"
)
# The loose shape, only to say what is wrong with a timestamp that is not strict.
_TIMESTAMP = re.compile(r"(?:([0-9]+):)?([0-9]+):([0-9]+)\.([0-9]+)")
_EXAMPLE = "write it like 00:01:02.500 (hours, minutes, seconds, milliseconds)"
_TIMING_EXAMPLE = "write it like 00:00:01.000 --> 00:00:04.000"


def _quote(token: str) -> str:
    return token if len(token) <= 40 else token[:37] + "..."


def _timestamp(token: str) -> float | _Bad:
    """`hh:mm:ss.ttt` or `mm:ss.ttt` as seconds, or why it is not one."""
    strict = _STRICT_TIMESTAMP.fullmatch(token)
    if strict is not None:  # the common case, checked in one step
        hours, minutes, secs, fraction = strict.groups()
        millis = (int(hours or 0) * 3600 + int(minutes) * 60 + int(secs)) * 1000 + int(fraction)
        return millis / 1000
    # Otherwise find out what is wrong, to say so.
    shown = f"bad timestamp '{_quote(token)}'"
    match = _TIMESTAMP.fullmatch(token) if len(token) <= 40 else None
    if match is None:
        # SRT files write 00:01:02,500; it is by far the most common mistake.
        if "," in token and _TIMESTAMP.fullmatch(token.replace(",", ".")):
            return _Bad(
                f"{shown}: a comma before the milliseconds",
                "use a dot before the milliseconds: 00:01:02.500",
            )
        return _Bad(shown, _EXAMPLE)
    hours, minutes, secs, fraction = match.groups()
    if len(minutes) != 2 or len(secs) != 2:
        return _Bad(f"{shown}: minutes and seconds need two digits", _EXAMPLE)
    if len(fraction) != 3:
        return _Bad(f"{shown}: the milliseconds need three digits", _EXAMPLE)
    if int(minutes) > 59 or int(secs) > 59:
        return _Bad(f"{shown}: minutes and seconds go up to 59", _EXAMPLE)
    if hours is not None and len(hours) > 6:
        return _Bad(f"{shown}: too many hours", _EXAMPLE)
    return _Bad(shown, _EXAMPLE)  # not reached: anything else matches the strict form


def _timing(line: str) -> tuple[float, float] | _Bad:
    """`start --> end [settings]`; the settings are accepted and ignored."""
    match = _STRICT_TIMING.fullmatch(line)
    if match is not None:  # the common case, read in one step
        h1, m1, s1, f1, h2, m2, s2, f2 = match.groups()
        start_ms = (int(h1 or 0) * 3600 + int(m1) * 60 + int(s1)) * 1000 + int(f1)
        end_ms = (int(h2 or 0) * 3600 + int(m2) * 60 + int(s2)) * 1000 + int(f2)
        return start_ms / 1000, end_ms / 1000
    before, _, after = line.partition("-->")
    start_token = before.strip()
    rest = after.split(None, 1)
    if not start_token:
        return _Bad("the timing line has no start time before '-->'", _TIMING_EXAMPLE)
    if not rest:
        return _Bad("the timing line has no end time after '-->'", _TIMING_EXAMPLE)
    start = _timestamp(start_token)
    if isinstance(start, _Bad):
        return start
    end = _timestamp(rest[0])
    if isinstance(end, _Bad):
        return end
    return start, end


# -- cue text ------------------------------------------------------------------

# A tag is `<...>` on one line; an entity is `&name;` or `&#123;` / `&#x1F;`.
# Both alternatives are linear: no nested quantifiers.
_MARKUP = re.compile(
    r"<([^<>\n]*)>|&(#[0-9]{1,8}|#[xX][0-9A-Fa-f]{1,8}|[A-Za-z][A-Za-z0-9]{0,31});"
)
_ENTITY = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9A-Fa-f]{1,8}|[A-Za-z][A-Za-z0-9]{0,31});")
_TAG_NAME = re.compile(r"(/?)([A-Za-z][A-Za-z0-9]*)")
_INLINE_TIME = re.compile(r"[0-9][0-9:.]*")  # <00:00:01.000> karaoke timestamps
_KNOWN_TAGS = frozenset({"c", "i", "b", "u", "v", "lang", "ruby", "rt"})


def _entity(name: str, raw: str) -> str:
    if name.startswith(("#x", "#X")):
        number = int(name[2:], 16)
    elif name.startswith("#"):
        number = int(name[1:])
    else:
        return html.entities.html5.get(name + ";", raw)
    if number == 0 or number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
        return "\ufffd"
    return chr(number)


def _decode(text: str) -> str:
    return _ENTITY.sub(lambda m: _entity(m.group(1), m.group(0)), text)


@dataclass
class _Words:
    """What the text lines of one cue say, once the markup is taken out."""

    text: str
    voices: list[str]
    unknown_tags: list[tuple[str, int]]  # (tag name as written, 0-based line index)


# What a tag does to the words: nothing, hide/show ruby text, name a voice,
# or (not a known tag) stay in the words as written.
_SKIP, _RT_OPEN, _RT_CLOSE, _VOICE, _LITERAL, _UNKNOWN = range(6)


@functools.lru_cache(maxsize=4096)
def _tag(inner: str) -> tuple[int, str]:
    """Classify the inside of `<...>`; cached because cues repeat the same few tags."""
    if _INLINE_TIME.fullmatch(inner):
        return _SKIP, ""
    name_match = _TAG_NAME.match(inner)
    if name_match is None:  # "< 5 >", "<>": a literal '<', not a tag
        return _LITERAL, "<" + _decode(inner) + ">"
    closing, name = name_match.group(1) == "/", name_match.group(2)
    rest = inner[name_match.end() :]
    if name.lower() not in _KNOWN_TAGS or (rest and not (rest[0] == "." or rest[0].isspace())):
        # <font color=...> from SRT, <laughs>, <br/>: keep the words, warn once.
        return _UNKNOWN, name
    name = name.lower()
    if name == "rt":
        return (_RT_CLOSE if closing else _RT_OPEN), ""
    if name == "ruby" and closing:
        return _RT_CLOSE, ""
    if name == "v" and not closing:
        # <v.class Some Name>: the classes come first, then the name.
        annotation = rest.split(None, 1)[1:] if rest.startswith(".") else [rest]
        return _VOICE, " ".join(_decode("".join(annotation)).split())
    return _SKIP, ""


def _words(lines: list[str], first: int, stop: int) -> _Words:
    voices: list[str] = []
    unknown: list[tuple[str, int]] = []
    plain_lines: list[str] = []
    in_rt = False  # ruby annotations (<rt>) are reading aids, not words
    for index in range(first, stop):
        raw = lines[index]
        if "<" not in raw and "&" not in raw:  # the common case: plain words
            plain_lines.append("" if in_rt else raw.strip())
            continue
        # split() gives [words, tag, entity, words, tag, entity, ..., words].
        pieces = _MARKUP.split(raw)
        parts: list[str] = []
        for at in range(0, len(pieces) - 1, 3):
            if not in_rt:
                parts.append(pieces[at])
            inner, entity = pieces[at + 1], pieces[at + 2]
            if entity is not None:
                if not in_rt:
                    parts.append(_entity(entity, "&" + entity + ";"))
                continue
            action, value = _tag(inner)
            if action == _RT_OPEN:
                in_rt = True
            elif action == _RT_CLOSE:
                in_rt = False
            elif action == _VOICE and value:
                voices.append(value)
            elif action == _LITERAL and not in_rt:
                parts.append(value)
            elif action == _UNKNOWN:
                unknown.append((value, index))
                if not in_rt:
                    parts.append("<" + _decode(inner) + ">")
        if not in_rt:
            parts.append(pieces[-1])
        plain_lines.append("".join(parts).strip())
    text = "\n".join(line for line in plain_lines if line)
    return _Words(text, voices, unknown)


# -- the parser ----------------------------------------------------------------

_NOT_VTT = "this is not a WebVTT file: the first line must be WEBVTT"
_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _split_lines(text: str) -> list[str]:
    """LF, CRLF and a lone CR all end a line (old Mac editors still write CR)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _blank(line: str) -> bool:
    return not line.strip()


def _is_note(line: str) -> bool:
    return line == "NOTE" or line.startswith(("NOTE ", "NOTE\t"))


def _looks_like_timing(line: str) -> bool:
    """A line with '-->' that starts with a digit is a timing line, not prose."""
    stripped = line.lstrip()
    return bool(stripped) and stripped[0] in "0123456789"


class _Parser:
    def __init__(self, display: str) -> None:
        self.display = display
        self.problems: list[Problem] = []
        self.cues: list[Cue] = []
        self.seen_cue = False  # STYLE and REGION blocks must come before any cue
        self.unknown_seen: set[str] = set()
        self.machine: Machine | None = None

    def report(
        self, index: int, message: str, hint: str, severity: Severity = Severity.ERROR
    ) -> None:
        self.problems.append(Problem(self.display, index + 1, message, hint, severity))

    def run(self, text: str) -> Transcript:
        if text.startswith("\ufeff"):
            text = text[1:]
        lines = _split_lines(text.replace("\0", "\ufffd"))
        first = lines[0]
        if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
            self.report(0, _NOT_VTT, "start the file with a line that says WEBVTT")
            return Transcript(())
        # The header runs to the first blank line; a timing line ends it early
        # (a forgotten blank line after WEBVTT is harmless).
        index = 1
        count = len(lines)
        while index < count and not _blank(lines[index]) and "-->" not in lines[index]:
            index += 1
        while index < count:
            if not lines[index].strip():
                index += 1
                continue
            stop = index + 1
            while stop < count and lines[stop].strip():
                stop += 1
            start: int | None = index
            while start is not None:  # a block can hide the start of the next one
                start = self.block(lines, start, stop)
            index = stop
        return Transcript(tuple(self.cues), self.machine)

    def block(self, lines: list[str], first: int, stop: int) -> int | None:
        """Read lines[first:stop]; return where another block starts inside it."""
        head = lines[first]
        if _is_note(head):
            self.note(head, first)
            return self.skip(lines, first, stop, "NOTE")
        if "-->" in head:
            return self.cue(lines, first, first, stop)
        if first + 1 < stop and "-->" in lines[first + 1]:
            return self.cue(lines, first, first + 1, stop)
        keyword = head.rstrip()
        if keyword in ("STYLE", "REGION"):
            if self.seen_cue:
                self.report(
                    first,
                    f"a {keyword} block after the first cue is ignored",
                    f"move the {keyword} block above the first cue",
                    Severity.WARNING,
                )
            return self.skip(lines, first, stop, keyword)
        self.report(
            first,
            "text outside any cue is ignored",
            "put a timing line like 00:00:01.000 --> 00:00:04.000 above it, "
            "or start it with NOTE if it is a comment",
            Severity.WARNING,
        )
        for index in range(first + 2, stop):
            if "-->" in lines[index]:
                return index
        return None

    def note(self, head: str, index: int) -> None:
        """Remember the first machine transcript marker; say when its `reviewed=` is unclear."""
        found = _machine(head.rstrip(), index + 1)
        if found is None or self.machine is not None:
            return
        self.machine, trouble = found
        if trouble is not None:
            self.report(
                index,
                f"reviewed={trouble} in the machine transcript note: read as not reviewed",
                "write reviewed=yes once an editor has checked it against the recording, "
                "or reviewed=no",
                Severity.WARNING,
            )

    def skip(self, lines: list[str], first: int, stop: int, kind: str) -> int | None:
        """Skip a NOTE, STYLE or REGION block, unless a cue is stuck to its end."""
        what, after = {
            "NOTE": ("the NOTE", "the note"),
            "STYLE": ("the STYLE block", "the STYLE block"),
            "REGION": ("the REGION block", "the REGION block"),
        }[kind]
        warned = False
        for index in range(first + 1, stop):
            line = lines[index]
            if "-->" not in line:
                continue
            if _looks_like_timing(line):
                self.report(
                    index,
                    f"no blank line between this cue and {what} at line {first + 1}",
                    f"put a blank line after {after}",
                )
                return index
            if kind == "NOTE" and not warned:
                # Video players end a note at '-->' and may show the rest.
                self.report(
                    index,
                    "'-->' cannot appear in a NOTE",
                    "write the arrow another way, e.g. ->",
                    Severity.WARNING,
                )
                warned = True
        return None

    def cue(self, lines: list[str], first: int, timing_at: int, stop: int) -> int | None:
        self.seen_cue = True
        ident = lines[first].strip() if timing_at > first else ""
        timing = _timing(lines[timing_at])
        # Where the cue's text ends: a NOTE or a timing line inside the text
        # means a blank line is missing (a note there would be published).
        restart: int | None = None
        spoilt = False
        for index in range(timing_at + 1, stop):
            line = lines[index]
            if _is_note(line):
                self.report(
                    index,
                    "this NOTE has no blank line above it, so it would be read "
                    f"as the text of the cue at line {timing_at + 1}",
                    "put a blank line before the NOTE",
                )
                restart = index
                break
            if "-->" in line:
                if _looks_like_timing(line):
                    self.report(
                        index,
                        f"no blank line between this cue and the cue at line {timing_at + 1}",
                        "put a blank line between cues",
                    )
                    restart = index
                    break
                self.report(
                    index,
                    "'-->' cannot appear in the text of a cue",
                    "write the arrow another way, e.g. ->",
                )
                spoilt = True
        if isinstance(timing, _Bad):
            self.report(timing_at, timing.message, timing.hint)
            return restart
        start, end = timing
        if end <= start:
            if end == start:
                when = "the moment it starts"
            else:
                when = f"before it starts at {fmt_timestamp(start)}"
            self.report(
                timing_at,
                f"cue ends at {fmt_timestamp(end)}, {when}",
                "the end time must come after the start time",
            )
            return restart
        if spoilt or restart is not None:
            return restart
        words = _words(lines, timing_at + 1, stop)
        for name, index in words.unknown_tags:
            if name.lower() not in self.unknown_seen:
                self.unknown_seen.add(name.lower())
                self.report(
                    index,
                    f"unknown tag <{name}> is shown as text",
                    "WebVTT tags are <v>, <c>, <i>, <b>, <u>, <lang>, <ruby> and <rt>; "
                    "write &lt; for a '<' in the words",
                    Severity.WARNING,
                )
        if not words.text:
            self.report(
                timing_at,
                f"cue at {fmt_timestamp(start)} has no text",
                "write the words below the timing line, or delete the cue",
                Severity.WARNING,
            )
            return None
        if self.cues and start < self.cues[-1].start:
            above = self.cues[-1]
            self.report(
                timing_at,
                f"cue at {fmt_timestamp(start)} starts before the cue above it "
                f"({fmt_timestamp(above.start)}, line {above.line})",
                "put the cues in the order they are spoken",
            )
            return None
        speakers = list(dict.fromkeys(words.voices))
        if len(speakers) > 1:
            count = _NUMBERS[len(speakers)] if len(speakers) < len(_NUMBERS) else len(speakers)
            self.report(
                timing_at,
                f"one cue, {count} speakers ({', '.join(speakers)})",
                "give each speaker their own cue so quotes are attributed correctly",
                Severity.WARNING,
            )
        voice = speakers[0] if speakers else None
        self.cues.append(Cue(start, end, words.text, voice, timing_at + 1, ident))
        return None


def parse_vtt(text: str, display: str) -> tuple[Transcript, list[Problem]]:
    """Parse WebVTT text; `display` is the path shown in problems.

    Never raises: each mistake is a problem, and the cue it spoils is left out.
    """
    parser = _Parser(display)
    transcript = parser.run(text)
    return transcript, parser.problems


def read_vtt(path: Path, display: str) -> tuple[Transcript | None, list[Problem]]:
    """Read and parse a .vtt file; None when it cannot be read as UTF-8 text.

    Never raises: a missing or unreadable file is a problem too.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, [
            Problem(
                display,
                None,
                "the transcript file does not exist",
                "check the file name, and that the file is beside index.md",
            )
        ]
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        reason = getattr(error, "strerror", None) or str(error)
        return None, [
            Problem(
                display,
                None,
                f"cannot read the transcript: {reason}",
                "check that the file is readable",
            )
        ]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [
            Problem(display, 1, "the file is saved as UTF-16, not UTF-8", "save it as UTF-8")
        ]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        return None, [
            Problem(
                display,
                before.count(b"\n") + 1,
                f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} cannot be read)",
                "save it as UTF-8",
            )
        ]
    return parse_vtt(text, display)


# -- writing -------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(transcript: Transcript) -> str:
    """A clean WebVTT file holding only what may be published.

    Timings, the voice and the words; no NOTE/STYLE/REGION blocks, cue
    settings or identifiers. The words are escaped so they are never markup.
    What the file format cannot hold is tidied: cues are put in start order,
    blank lines inside a cue's words dropped, a cue without words left out,
    and a cue given at least a millisecond. Times must be finite.
    `parse_vtt(to_vtt(t))` gives back the cues of `t` (but for line numbers
    and identifiers) with no problems.
    """
    parts = ["WEBVTT\n\n"]
    for cue in sorted(transcript.cues, key=lambda c: c.start):  # players need start order
        lines = [_escape(line.strip()) for line in _split_lines(cue.text.replace("\0", "\ufffd"))]
        lines = [line for line in lines if line]  # a blank line would end the cue
        if not lines:
            continue  # a cue without words cannot be written
        # A line starting with NOTE would be taken for a researcher's note: &#78; is "N".
        lines = ["&#78;" + line[1:] if _is_note(line) else line for line in lines]
        voice = " ".join((cue.voice or "").split())
        if voice:
            lines[0] = f"<v {_escape(voice)}>{lines[0]}"
        start = max(0, round(cue.start * 1000))
        end = max(round(cue.end * 1000), start + 1)
        parts.append(f"{fmt_timestamp(start / 1000)} --> {fmt_timestamp(end / 1000)}\n")
        parts.append("\n".join(lines) + "\n\n")
    return "".join(parts)
