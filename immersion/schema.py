"""A small typed schema for front matter, consent records and room.yml.

Each field is declared once (`F(conv, required=...)`); a converter checks one
value and either returns it in its Python form or reports a `Problem` at the
value's own line and returns `INVALID`. `struct` applies a set of fields to a
mapping and reports unknown fields with a "did you mean" hint.

References to other items cannot be checked until every item is loaded, so
converters only *record* them (`Ctx.refs`); `load.py` resolves them later with
the line they were written on.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .problems import Problem, Severity, did_you_mean, known_list
from .yamlio import LDict, LList

INVALID: Any = object()

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Ref:
    """A reference written in content, to be resolved once everything is loaded."""

    kind: str  # persona, journey, story, consent, insight, evidence, stage, playlist-item, tour
    target: str
    field: str
    line: int


@dataclass(frozen=True)
class MediaRef:
    """A media file named by content, resolved inside its bundle."""

    src: str  # as written, relative to the bundle
    path: Path  # absolute, checked to exist inside the bundle


@dataclass
class Ctx:
    """Where we are while checking one file: its path, bundle, problems and references."""

    display: str
    content_root: Path
    bundle: Path | None = None
    problems: list[Problem] = field(default_factory=list)
    refs: list[Ref] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)

    def error(self, line: int | None, fld: str, message: str, hint: str = "") -> Any:
        self.problems.append(Problem(self.display, line, message, hint, Severity.ERROR, fld))
        return INVALID

    def warn(self, line: int | None, fld: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.display, line, message, hint, Severity.WARNING, fld))


Conv = Callable[[Any, Ctx, str, int], Any]


@dataclass(frozen=True)
class F:
    conv: Conv
    required: bool = False
    default: Any = None
    attr: str = ""  # the Python attribute when the field name is a keyword (`from`)


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, LDict | dict):
        return "a mapping"
    if isinstance(value, LList | list):
        return "a list"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    if value is None:
        return "nothing"
    return "text"


_UNSAFE_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"
)


# Embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI). The plain marks
# U+200E/U+200F change no text around them and stay.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def text(value: Any, ctx: Ctx, fld: str, line: int) -> Any:
    if isinstance(value, bool):
        return ctx.error(
            line,
            fld,
            f"expected text, found {str(value).lower()} (YAML reads it as true/false)",
            f'put it in quotes: {fld.rsplit(".", 1)[-1]}: "{str(value).lower()}"',
        )
    if isinstance(value, str):
        bad = _UNSAFE_CHARACTERS.search(value)
        if bad:
            # Lone surrogates cannot be written as UTF-8 and C1 controls break the
            # generated front matter; neither is ever meant in research text.
            return ctx.error(
                line,
                fld,
                f"the text contains the invisible character U+{ord(bad.group(0)):04X}",
                "delete it; it is often left behind by copying from another program",
            )
        bidi = _BIDI_CONTROLS.search(value)
        if bidi:
            # An override reverses the text after it, up to the end of the paragraph:
            # on a page, "by Leah" or a file name would read backwards (spoofing). Text in a
            # right-to-left language needs none of them; it is shown without.
            ctx.warn(
                line,
                fld,
                f"the text contains the direction override U+{ord(bidi.group(0)):04X}, "
                "which would reverse the text around it on the page; it is left out",
                "delete it; right-to-left languages are shown the right way without it",
            )
            value = _BIDI_CONTROLS.sub("", value)
        return value.strip()
    if isinstance(value, int | float | dt.date):
        return str(value)
    return ctx.error(
        line,
        fld,
        f"expected text, found {_type_name(value)}",
        "write it on one line, in quotes if it contains ': '",
    )


def ident(value: Any, ctx: Ctx, fld: str, line: int) -> Any:
    value = text(value, ctx, fld, line)
    if value is INVALID:
        return value
    if not ID_RE.match(value):
        return ctx.error(
            line, fld, f"'{value}' is not a valid id", "use lower-case letters, digits, '-' and '_'"
        )
    return value


def integer(lo: int | None = None, hi: int | None = None) -> Conv:
    def conv(value: Any, ctx: Ctx, fld: str, line: int) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            return ctx.error(line, fld, f"expected a whole number, found {_type_name(value)}")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            return ctx.error(
                line,
                fld,
                f"{value} is out of range",
                f"use a number from {lo} to {hi}"
                if hi is not None
                else f"use a number of at least {lo}",
            )
        return value

    return conv


def number(lo: float | None = None) -> Conv:
    def conv(value: Any, ctx: Ctx, fld: str, line: int) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return ctx.error(line, fld, f"expected a number, found {_type_name(value)}")
        if not math.isfinite(value):
            return ctx.error(line, fld, f"expected a number, found {value}")
        if lo is not None and value < lo:
            return ctx.error(line, fld, f"{value} is out of range", f"use at least {lo}")
        return float(value)

    return conv


# Sizes as people write them: decimal units, as disks and networks count.
SIZE_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


def parse_size(value: str) -> int | None:
    """`"2 GB"` -> 2000000000, `"500MB"`, `"1.5 gb"`; None when it is not a size."""
    match = _SIZE.match(value)
    if match is None:
        return None
    unit = SIZE_UNITS.get(match.group(2).lower() or "b")
    return None if unit is None else round(float(match.group(1)) * unit)


def size(value: Any, ctx: Ctx, fld: str, line: int) -> Any:
    """A number of bytes: `2 GB`, `500 MB`, `750 KB`, or a whole number of bytes."""
    hint = 'write a size such as "2 GB" or "500 MB"'
    if isinstance(value, bool) or not isinstance(value, int | str):
        return ctx.error(line, fld, f"expected a size, found {_type_name(value)}", hint)
    found = value if isinstance(value, int) else parse_size(value)
    if found is None:
        return ctx.error(line, fld, f"'{value}' is not a size", hint)
    if found <= 0:
        return ctx.error(line, fld, f"{value} is out of range", "use a size above 0")
    return found


def boolean(value: Any, ctx: Ctx, fld: str, line: int) -> Any:
    if isinstance(value, bool):
        return value
    return ctx.error(line, fld, f"expected true or false, found {_type_name(value)}")


def date(value: Any, ctx: Ctx, fld: str, line: int) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    return ctx.error(
        line, fld, f"expected a date, found {value!r}", "write an ISO date such as 2026-03-12"
    )


def clock(value: Any, ctx: Ctx, fld: str, line: int) -> Any:
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value.strip())
        except ValueError:
            pass
    return ctx.error(
        line,
        fld,
        f"expected a time of day, found {value!r}",
        'write it in quotes as "HH:MM", for example "08:00"',
    )


_TIMECODE = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d{1,3})?)$")


def parse_timecode(value: str) -> float | None:
    """Seconds from 'HH:MM:SS.mmm', 'MM:SS' or a plain number; None when malformed."""
    value = value.strip()
    match = _TIMECODE.match(value)
    if match:
        hours, minutes, seconds = match.groups()
        if int(minutes) >= 60 or float(seconds) >= 60:
            return None
        return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    try:
        seconds_only = float(value)
    except ValueError:
        return None
    return seconds_only if math.isfinite(seconds_only) and seconds_only >= 0 else None


def timecode(value: Any, ctx: Ctx, fld: str, line: int) -> Any:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if is_number and math.isfinite(value) and value >= 0:
        return float(value)
    if isinstance(value, str):
        seconds = parse_timecode(value)
        if seconds is not None:
            return seconds
    return ctx.error(
        line,
        fld,
        f"expected a time in the recording, found {value!r}",
        'write "HH:MM:SS.mmm" in quotes, or a number of seconds',
    )


def choice(*options: str) -> Conv:
    def conv(value: Any, ctx: Ctx, fld: str, line: int) -> Any:
        value = text(value, ctx, fld, line)
        if value is INVALID:
            return value
        if value not in options:
            hint = did_you_mean(value, options) or f"use one of: {', '.join(options)}"
            return ctx.error(line, fld, f"'{value}' is not allowed here", hint)
        return value

    return conv


def list_of(conv: Conv) -> Conv:
    def list_conv(value: Any, ctx: Ctx, fld: str, line: int) -> Any:
        if value is None:
            return ()
        if not isinstance(value, list):
            return ctx.error(
                line,
                fld,
                f"expected a list, found {_type_name(value)}",
                "put '- ' before each item, one per line"
                if isinstance(value, dict)
                else f"write [{value}] or one '- item' per line",
            )
        out = []
        for index, item in enumerate(value):
            item_line = value.line_of(index) if isinstance(value, LList) else line
            ctx.lines[f"{fld}[{index}]"] = item_line
            converted = conv(item, ctx, f"{fld}[{index}]", item_line)
            if converted is not INVALID:
                out.append(converted)
        return tuple(out)

    return list_conv


def mapping_of(conv: Conv) -> Conv:
    def map_conv(value: Any, ctx: Ctx, fld: str, line: int) -> Any:
        if not isinstance(value, dict):
            return ctx.error(line, fld, f"expected a mapping, found {_type_name(value)}")
        out = {}
        for key, item in value.items():
            key_line = value.line_of(key) if isinstance(value, LDict) else line
            converted = conv(item, ctx, f"{fld}.{key}", key_line)
            if converted is not INVALID:
                out[key] = converted
        return out

    return map_conv


def either(first: Conv, second: Conv, when_first: Callable[[Any], bool]) -> Conv:
    """Use `first` when `when_first(value)`, else `second` (e.g. one score or per persona)."""

    def conv(value: Any, ctx: Ctx, fld: str, line: int) -> Any:
        return (first if when_first(value) else second)(value, ctx, fld, line)

    return conv


def ref(kind: str) -> Conv:
    def conv(value: Any, ctx: Ctx, fld: str, line: int) -> Any:
        value = ident(value, ctx, fld, line)
        if value is not INVALID:
            ctx.refs.append(Ref(kind, value, fld, line))
        return value

    return conv


@dataclass(frozen=True)
class EvidenceRef:
    """`story-id#anchor`: a highlight of an interview or an entry of a diary."""

    story: str
    anchor: str

    def __str__(self) -> str:
        return f"{self.story}#{self.anchor}" if self.anchor else self.story


def evidence(value: Any, ctx: Ctx, fld: str, line: int) -> Any:
    value = text(value, ctx, fld, line)
    if value is INVALID:
        return value
    story, _, anchor = value.partition("#")
    if not ID_RE.match(story) or (anchor and not ID_RE.match(anchor)):
        return ctx.error(
            line,
            fld,
            f"'{value}' is not a valid evidence reference",
            "write story-id#highlight-id or story-id#entry-id, e.g. p07#hl-3",
        )
    ctx.refs.append(Ref("evidence", value, fld, line))
    return EvidenceRef(story, anchor)


def slashed(kind: str, example: str) -> Conv:
    """`journey/stage` or `kind/id`: two ids joined by a slash, resolved later."""

    def conv(value: Any, ctx: Ctx, fld: str, line: int) -> Any:
        value = text(value, ctx, fld, line)
        if value is INVALID:
            return value
        left, sep, right = value.partition("/")
        if not sep or not ID_RE.match(left) or not ID_RE.match(right):
            return ctx.error(
                line, fld, f"'{value}' is not a valid reference", f"write it as {example}"
            )
        ctx.refs.append(Ref(kind, value, fld, line))
        return (left, right)

    return conv


IMAGE_EXTS = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif", ".heic", ".heif"}
)
AUDIO_EXTS = frozenset(
    {".wav", ".m4a", ".mp3", ".ogg", ".oga", ".opus", ".flac", ".amr", ".webm", ".aac"}
)
# Video is accepted wherever a recording is: its audio is the recording, and the
# picture gets its own renditions (media/video.py) where consent allows a face.
VIDEO_EXTS = frozenset({".mp4", ".m4v", ".mov", ".webm", ".mkv"})
VTT_EXTS = frozenset({".vtt"})


def resolve_media(src: str, ctx: Ctx, fld: str, line: int, exts: frozenset[str]) -> Any:
    """Check a media path names an existing file inside its bundle, inside content/."""
    assert ctx.bundle is not None, "media fields only appear in bundles"
    if not src:
        return ctx.error(line, fld, "the file name is empty", "name a file in this folder")
    if src.startswith(("/", "\\")) or re.match(r"^[a-zA-Z]:", src) or "\\" in src:
        return ctx.error(
            line,
            fld,
            f"'{src}' is not a path inside this item's folder",
            "put the file beside index.md and write its name",
        )
    if "://" in src:
        return ctx.error(
            line,
            fld,
            f"'{src}' points to another site",
            "download the file into this item's folder and write its name",
        )
    candidate = ctx.bundle / src
    bundle_real = ctx.bundle.resolve()
    try:
        real = candidate.resolve()
    except (OSError, RuntimeError):
        return ctx.error(
            line,
            fld,
            f"'{src}' cannot be resolved (a symlink loop?)",
            "replace it with the real file",
        )
    if not real.is_relative_to(bundle_real):
        where = (
            "outside content/"
            if not real.is_relative_to(ctx.content_root.resolve())
            else "outside this item's folder"
        )
        return ctx.error(
            line,
            fld,
            f"'{src}' points {where}",
            "copy the file into this item's folder and write its name",
        )
    suffix = Path(src).suffix.lower()
    if suffix not in exts:
        return ctx.error(
            line,
            fld,
            f"'{src}' is not a supported file type",
            f"use one of: {', '.join(sorted(exts))}",
        )
    if real.is_dir():
        return ctx.error(
            line, fld, f"'{src}' is a folder, not a file", "name the file inside this item's folder"
        )
    if not real.is_file():
        present = (
            [p.name for p in ctx.bundle.iterdir() if p.suffix.lower() in exts and p.is_file()]
            if ctx.bundle.is_dir()
            else []
        )
        hint = did_you_mean(src, present) or "add the file beside index.md or fix the name"
        return ctx.error(line, fld, f"'{src}' does not exist", hint)
    return MediaRef(src, real)


def media(exts: frozenset[str]) -> Conv:
    def conv(value: Any, ctx: Ctx, fld: str, line: int) -> Any:
        value = text(value, ctx, fld, line)
        if value is INVALID:
            return value
        return resolve_media(value, ctx, fld, line, exts)

    return conv


image_file = media(IMAGE_EXTS)
audio_file = media(AUDIO_EXTS | VIDEO_EXTS)
vtt_file = media(VTT_EXTS)


def struct(fields: Mapping[str, F], build: Callable[..., Any] | None = None) -> Conv:
    """Check a mapping against `fields`; build the result with `build(**values)`.

    A missing required field or an invalid required value makes the whole struct
    INVALID (so an item is never rendered half-known); an invalid optional value
    falls back to its default after being reported.
    """

    def conv(value: Any, ctx: Ctx, fld: str, line: int) -> Any:
        if not isinstance(value, dict):
            example = ", ".join(f"{k}: ..." for k, f in fields.items() if f.required)
            return ctx.error(
                line,
                fld,
                f"expected a mapping, found {_type_name(value)}",
                f"write it as {{{example}}}" if example else "",
            )
        key_line = value.line_of if isinstance(value, LDict) else (lambda _k: line)
        prefix = f"{fld}." if fld else ""
        ok = True
        for key in value:
            if key not in fields:
                hint = did_you_mean(key, fields) or known_list(fields).replace(
                    "known:", "fields here are:"
                )
                ctx.error(key_line(key), f"{prefix}{key}", f"unknown field '{key}'", hint)
        values: dict[str, Any] = {}
        for name, spec in fields.items():
            attr = spec.attr or name
            path = f"{prefix}{name}"
            if name not in value or value[name] is None:
                if spec.required:
                    ctx.error(
                        line,
                        path,
                        f"the field '{name}' is missing",
                        f"add '{name}:' to this {'mapping' if fld else 'file'}",
                    )
                    ok = False
                values[attr] = spec.default
                continue
            ctx.lines[path] = key_line(name)
            converted = spec.conv(value[name], ctx, path, key_line(name))
            if converted is INVALID:
                ok = ok and not spec.required
                values[attr] = spec.default
            else:
                values[attr] = converted
        if not ok:
            return INVALID
        return build(**values) if build else values

    return conv
