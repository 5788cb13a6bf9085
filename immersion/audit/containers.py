"""What a video (or sound) container says about where, on what and by whom it was made.

Phones write a place (`©xyz`, `com.apple.quicktime.location.ISO6709`, 3GPP `loci`,
Matroska's `LOCATION`), the device (`©mak`/`©mod`, `com.apple.quicktime.make`/`model`),
the time and the software into the container, not the streams. ffmpeg shows some of
these (`audio.tags`); this module reads the container itself, so an atom ffmpeg skips is
found too:

* ISO base media / QuickTime (MP4, MOV, M4V, M4A): the boxes under `moov` (and each
  `trak`): `udta` (its `©...` atoms and the 3GPP ones), `meta` with its `ilst` (items
  named by `©...` types, or by index into a `keys` box of `mdta` names);
* Matroska / WebM (EBML): the segment's `Info` (title, date) and every `SimpleTag`'s
  name under `Tags`.

`metadata(data, fmt)` returns what was found, described without values (the values are
what must not leak). What ffmpeg writes into every file it makes (its `Lavf`/`Lavc`
encoder name, a track's duration) says how, never who or where, and is not reported.
Any byte string is read without raising: a truncated or corrupt file is read as far as
its structure holds.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Iterator

Buffer = bytes | mmap.mmap

_MAX_DEPTH = 12
# Boxes that hold boxes, and where we look for metadata (mdat, the media, is skipped).
_MP4_CONTAINERS = frozenset({b"moov", b"trak", b"udta", b"ilst", b"mdia", b"minf", b"edts"})
_FFMPEG = (b"Lavf", b"Lavc", b"lavf", b"lavc")
# 3GPP user-data atoms (TS 26.244): each holds a person's words or a place.
_3GPP = {
    b"loci": "location",
    b"titl": "title",
    b"auth": "author",
    b"perf": "performer",
    b"cprt": "copyright",
    b"dscp": "description",
    b"albm": "album",
    b"gnre": "genre",
    b"yrrc": "recording year",
    b"kywd": "keywords",
    b"rtng": "rating",
    b"clsf": "classification",
}


_LOCATION = ("location", "iso6709", "gps", "xyz", "loci", "latitude", "longitude")
_DEVICE = frozenset({"mak", "mod", "make", "model", "device", "camera", "lens", "serial"})
_DATE = frozenset({"day", "date", "creationdate", "creation_time", "dateutc", "date_recorded"})
_SOFTWARE = frozenset({"too", "swr", "software", "encoder", "encoded_by", "writingapp"})


def kind_of(name: str) -> str:
    """What a tag's name says it holds: location, device, date, software, or tag."""
    whole = name.lower()
    short = whole.rsplit(".", 1)[-1].lstrip("©")  # com.apple.quicktime.model -> model
    if any(word in whole for word in _LOCATION):
        return "location"
    if short in _DEVICE or short.startswith(("make", "model", "camera")):
        return "device"
    if short in _DATE or "date" in short:
        return "date"
    if short in _SOFTWARE or short in ("muxingapp",):
        return "software"
    return "tag"


def _label(name: str) -> str:
    return f"{kind_of(name)} ({name})"


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").strip("\x00 ")


def _is_ffmpeg(value: bytes) -> bool:
    return value.lstrip(b"\x00").startswith(_FFMPEG)


# -- ISO base media / QuickTime ------------------------------------------------------------


def _boxes(data: Buffer, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, body start, body end) of each box in data[start:end], until one does not fit."""
    at = start
    end = min(end, len(data))
    while at + 8 <= end:
        size = struct.unpack(">I", bytes(data[at : at + 4]))[0]
        kind = bytes(data[at + 4 : at + 8])
        head = 8
        if size == 1:
            if at + 16 > end:
                return
            size = struct.unpack(">Q", bytes(data[at + 8 : at + 16]))[0]
            head = 16
        elif size == 0:
            size = end - at
        if size < head or at + size > end:
            # A box longer than what holds it: the file is cut short. What it holds is
            # still read, as far as the bytes go.
            yield kind, at + head, end
            return
        yield kind, at + head, at + size
        at += size


def _meta_start(data: Buffer, start: int, end: int) -> int:
    """Where a `meta` box's children start: ISO's is a full box (4 bytes of version and
    flags first), QuickTime's is not (its first child, `hdlr`, follows at once)."""
    if bytes(data[start + 4 : start + 8]) in (b"hdlr", b"keys", b"ilst"):
        return start
    return start + 4


def _keys(data: Buffer, start: int, end: int) -> list[str]:
    """The names of a `keys` box (full box, count, then size + namespace + name each)."""
    names: list[str] = []
    at = start + 8
    while at + 8 <= end:
        size = struct.unpack(">I", bytes(data[at : at + 4]))[0]
        if size < 8 or at + size > end:
            break
        names.append(_text(bytes(data[at + 8 : at + size])))
        at += size
    return names


def _item_value(data: Buffer, start: int, end: int) -> bytes:
    """The payload of an `ilst` item's `data` box (after type and locale), if any."""
    for kind, body, stop in _boxes(data, start, end):
        if kind == b"data":
            return bytes(data[body + 8 : stop])
    return bytes(data[start:end])


def _mp4(data: Buffer) -> list[str]:
    found: list[str] = []

    def walk(start: int, end: int, depth: int, keys: list[str]) -> None:
        if depth > _MAX_DEPTH:
            return
        for kind, body, stop in _boxes(data, start, end):
            if kind == b"meta":
                child = _meta_start(data, body, stop)
                inner_keys = [
                    name
                    for k, b, s in _boxes(data, child, stop)
                    if k == b"keys"
                    for name in _keys(data, b, s)
                ]
                walk(child, stop, depth + 1, inner_keys)
            elif kind == b"ilst":
                _ilst(body, stop, keys)
            elif kind in _MP4_CONTAINERS:
                walk(body, stop, depth + 1, keys)
            elif depth and kind[:1] == b"\xa9":  # a QuickTime user-data atom: ©xyz, ©mak...
                _atom(kind, bytes(data[body:stop]))
            elif depth and kind in _3GPP:
                found.append(f"{_3GPP[kind]} ({kind.decode('latin-1')})")

    def _atom(kind: bytes, value: bytes) -> None:
        name = kind.decode("latin-1")
        # ©too, ©swr: ffmpeg names itself in every MOV it writes (after size and language).
        if kind_of(name) == "software" and _is_ffmpeg(value[4:]):
            return
        found.append(_label(name))

    def _ilst(start: int, end: int, keys: list[str]) -> None:
        for kind, body, stop in _boxes(data, start, end):
            index = struct.unpack(">I", kind)[0]
            if kind[:1] == b"\xa9" or not (1 <= index <= len(keys)):
                name = kind.decode("latin-1")
            else:
                name = keys[index - 1]
            value = _item_value(data, body, stop)
            if kind_of(name) == "software" and _is_ffmpeg(value):
                continue  # ffmpeg's own name, in every file it writes
            found.append(_label(name))

    walk(0, len(data), 0, [])
    return list(dict.fromkeys(found))


# -- Matroska / WebM -------------------------------------------------------------------------

_SEGMENT = 0x18538067
_EBML_MASTERS = frozenset(
    {
        _SEGMENT,
        0x1254C367,  # Tags
        0x7373,  # Tag
        0x67C8,  # SimpleTag (nested SimpleTags are its children)
        0x1549A966,  # Info
    }
)
_CLUSTER = 0x1F43B675  # the media: skipped, unless its size is unknown (then read through)
_TAG_NAME = 0x45A3
_TAG_STRING = 0x4487
_INFO_TEXTS = {0x7BA9: "title", 0x4461: "DateUTC", 0x4D80: "MuxingApp", 0x5741: "WritingApp"}
# Written by ffmpeg (and mkvmerge's statistics) into every file: how, never who or where.
_MKV_TECHNICAL = frozenset(
    {"duration", "bps", "number_of_frames", "number_of_bytes", "handler_name", "vendor_id"}
)


def _vint(data: Buffer, at: int, keep_marker: bool) -> tuple[int, int, bool] | None:
    """(value, length, all ones) of the EBML variable-length integer at `at`."""
    if at >= len(data):
        return None
    first = data[at]
    length = 1
    mask = 0x80
    while length <= 8 and not first & mask:
        mask >>= 1
        length += 1
    if length > 8 or at + length > len(data):
        return None
    value = first if keep_marker else first & (mask - 1)
    ones = (first & (mask - 1)) == mask - 1
    for byte in bytes(data[at + 1 : at + length]):
        value = (value << 8) | byte
        ones = ones and byte == 0xFF
    return value, length, ones


def _elements(data: Buffer, start: int, end: int) -> Iterator[tuple[int, int, int, bool]]:
    """(id, body start, body end, size unknown) of each element in data[start:end]."""
    at = start
    end = min(end, len(data))
    while at < end:
        ident = _vint(data, at, keep_marker=True)
        if ident is None or ident[1] > 4:
            return
        size = _vint(data, at + ident[1], keep_marker=False)
        if size is None:
            return
        body = at + ident[1] + size[1]
        unknown = size[2]
        stop = end if unknown else min(body + size[0], end)
        yield ident[0], body, stop, unknown
        if unknown:
            return  # its children follow, then whatever comes after it: read by the caller
        at = stop


def _matroska(data: Buffer) -> list[str]:
    found: list[str] = []

    def walk(start: int, end: int, depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        at = start
        while at < end:
            last = at
            for ident, body, stop, unknown in _elements(data, at, end):
                if ident == 0x67C8:
                    simple_tag(body, stop, depth)
                elif ident in _EBML_MASTERS or (ident == _CLUSTER and unknown):
                    if unknown:
                        # A segment or cluster of unknown size (a live recording): its
                        # children are read as if they followed it.
                        at = body
                        break
                    walk(body, stop, depth + 1)
                elif ident in _INFO_TEXTS:
                    value = bytes(data[body:stop])
                    name = _INFO_TEXTS[ident]
                    if name in ("MuxingApp", "WritingApp") and (
                        _is_ffmpeg(value) or value.startswith((b"libebml", b"libwebm"))
                    ):
                        continue
                    found.append(_label(name))
                at = stop
            if at <= last:
                return

    def simple_tag(start: int, end: int, depth: int) -> None:
        name = value = b""
        for ident, body, stop, _unknown in _elements(data, start, end):
            if ident == _TAG_NAME:
                name = bytes(data[body:stop])
            elif ident == _TAG_STRING:
                value = bytes(data[body:stop])
            elif ident == 0x67C8 and depth < _MAX_DEPTH:
                simple_tag(body, stop, depth + 1)
        text = _text(name)
        if not text or text.lower() in _MKV_TECHNICAL or text.lower().startswith("_statistics"):
            return
        if text.lower() in ("encoder", "encoded_by") and _is_ffmpeg(value):
            return
        found.append(_label(text))

    walk(0, len(data), 0)
    return list(dict.fromkeys(found))


def is_container(head: bytes) -> bool:
    """An ISO/QuickTime or Matroska file, from its first bytes (a MOV may start with any
    of QuickTime's top-level atoms instead of `ftyp`)."""
    return head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip") or head.startswith(
        b"\x1a\x45\xdf\xa3"
    )


def metadata(data: Buffer, fmt: str = "") -> list[str]:
    """What the container at `data` says about place, device, time, software or people:
    ["location (©xyz)", "device (©mak)", ...], in the order found; [] for a clean file."""
    try:
        if bytes(data[:4]) == b"\x1a\x45\xdf\xa3":
            return _matroska(data)
        return _mp4(data)
    except (struct.error, IndexError, ValueError, RecursionError):
        return []  # a structure the walk cannot follow further: nothing more to read


def describe(fmt: str, found: list[str]) -> str:
    """`MP4 file carries location (©xyz), device (©mak)`: the detail of a finding."""
    return f"{fmt} container carries " + ", ".join(found)
