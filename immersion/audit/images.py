"""The metadata a picture carries, read from its container without decoding a pixel.

Pillow only surfaces what it understands (and a PNG's chunks after the pixels only once
the image is decoded), so the containers are walked here: JPEG segments, PNG chunks,
WebP (RIFF) chunks, GIF blocks and the boxes of AVIF/HEIF, plus Pillow for TIFF tags
and for naming an ICC profile. `metadata(data)` returns what it found, as the words a
report uses: "EXIF", "GPS", "XMP", "IPTC", "ICC profile 'Display P3'", "comment", ...

Allowed: what says how to draw the pixels and nothing about who or where: JFIF and
Adobe segments, PNG gAMA/cHRM/sRGB/pHYs/tIME, GIF animation loops, and an ICC profile
that is sRGB (what every rendition is converted to).
"""

from __future__ import annotations

import io
import mmap
import struct
import zlib
from collections.abc import Callable

Buffer = bytes | mmap.mmap

# A profile whose description names sRGB (e.g. "sRGB IEC61966-2.1", "sRGB built-in").
_SRGB = b"srgb"
_XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
_MAX_BOX = 4 << 20  # a metadata box or chunk larger than this is not read whole
_GPS_TAG = 0x8825
# TIFF tags that say who, where, when or with what a picture was made: EXIF in a TIFF.
_TIFF_EXIF = (0x8769, 0x927C, 0x010E, 0x010F, 0x0110, 0x0131, 0x0132, 0x013B, 0x013C, 0x8298)


def icc_name(profile: bytes) -> str:
    """The profile's description, or "" if it has none that can be read."""
    try:
        from PIL import ImageCms

        return str(ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(profile))))
    except Exception:  # no littlecms, or a profile it cannot parse
        return ""


def icc_finding(profile: bytes) -> list[str]:
    """[] for an sRGB profile, else the words naming the profile."""
    name = icc_name(profile).strip()
    if _SRGB in name.lower().encode() or (not name and _SRGB in profile[:2048].lower()):
        return []
    return [f"ICC profile '{name}'" if name else "an ICC profile that is not sRGB"]


def exif_finding(payload: bytes) -> list[str]:
    """["EXIF"] or ["EXIF", "GPS"] for a TIFF-structured EXIF block (no "Exif\\0\\0")."""
    found = ["EXIF"]
    try:
        order = {b"II": "<", b"MM": ">"}[payload[:2]]
        (ifd,) = struct.unpack(order + "I", payload[4:8])
        (count,) = struct.unpack(order + "H", payload[ifd : ifd + 2])
        for i in range(min(count, 1000)):
            at = ifd + 2 + 12 * i
            (tag,) = struct.unpack(order + "H", payload[at : at + 2])
            if tag == _GPS_TAG:
                found.append("GPS")
                break
    except (KeyError, struct.error):
        pass
    return found


# -- JPEG ----------------------------------------------------------------------------


def _jpeg(data: Buffer) -> list[str]:
    found: list[str] = []
    icc: list[tuple[int, bytes]] = []
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            found.append("data between segments")
            break
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan: the metadata is behind us
            break
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        body = data[at + 4 : at + 2 + length]
        at += 2 + length
        if marker == 0xE1 and body.startswith(b"Exif\x00"):
            found += exif_finding(body[6:])
        elif marker == 0xE1 and body.startswith(b"http://ns.adobe.com/x"):
            found.append("XMP")
        elif marker == 0xE2 and body.startswith(b"ICC_PROFILE\x00"):
            icc.append((body[12], body[14:]))
        elif marker == 0xED:
            found.append("IPTC" if b"8BIM\x04\x04" in body else "Photoshop data")
        elif marker == 0xFE:
            found.append("comment")
        elif 0xE0 <= marker <= 0xEF and not _harmless_app(marker, body):
            ident = body[:12].split(b"\x00")[0].decode("latin-1", "replace").strip()
            found.append(f"APP{marker - 0xE0} data" + (f" '{ident}'" if ident else ""))
    if icc:
        found += icc_finding(b"".join(part for _n, part in sorted(icc)))
    return found


def _harmless_app(marker: int, body: bytes) -> bool:
    """JFIF (APP0) and Adobe (APP14) segments say how to decode, nothing else."""
    return (marker == 0xE0 and body[:5] in (b"JFIF\x00", b"JFXX\x00")) or (
        marker == 0xEE and body.startswith(b"Adobe")
    )


# -- PNG -----------------------------------------------------------------------------

_PNG_TEXT_MEANS = {
    b"xml:com.adobe.xmp": "XMP",
    b"raw profile type exif": "EXIF",
    b"raw profile type app1": "EXIF",
    b"raw profile type iptc": "IPTC",
    b"raw profile type 8bim": "IPTC",
    b"raw profile type xmp": "XMP",
    b"raw profile type icc": "an ICC profile in text",
    b"raw profile type icm": "an ICC profile in text",
}
_PNG_ALLOWED = frozenset(
    {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"pHYs", b"sBIT"}
    | {b"bKGD", b"hIST", b"sPLT", b"tIME", b"acTL", b"fcTL", b"fdAT", b"cICP", b"mDCv", b"cLLi"}
)


def _png(data: Buffer) -> list[str]:
    found: list[str] = []
    at = 8
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        start = at + 8
        at += 12 + length
        if kind in _PNG_ALLOWED:
            if kind == b"IEND":
                break
            continue
        body = data[start : start + min(length, _MAX_BOX)]
        if kind == b"eXIf":
            found += exif_finding(body)
        elif kind == b"iCCP":
            name, _sep, rest = body.partition(b"\x00")
            try:
                profile = zlib.decompressobj().decompress(rest[1:], _MAX_BOX)
            except zlib.error:
                profile = name
            found += icc_finding(profile)
        elif kind in (b"tEXt", b"zTXt", b"iTXt"):
            keyword = body.split(b"\x00", 1)[0]
            label = keyword.decode("latin-1", "replace")
            found.append(_PNG_TEXT_MEANS.get(keyword.lower(), f"text '{label}'"))
        else:
            found.append(f"'{kind.decode('latin-1', 'replace')}' chunk")
    return found


# -- WebP ----------------------------------------------------------------------------


def _webp(data: Buffer) -> list[str]:
    found: list[str] = []
    at = 12
    while at + 8 <= len(data):
        kind, length = struct.unpack("<4sI", data[at : at + 8])
        start = at + 8
        at += 8 + length + (length & 1)
        if kind not in (b"EXIF", b"XMP ", b"ICCP"):
            continue
        body = data[start : start + min(length, _MAX_BOX)]
        if kind == b"EXIF":
            found += exif_finding(body[6:] if body.startswith(b"Exif\x00") else body)
        elif kind == b"XMP ":
            found.append("XMP")
        elif kind == b"ICCP":
            found += icc_finding(body)
    return found


# -- GIF -----------------------------------------------------------------------------


def _sub_blocks(data: Buffer, at: int) -> tuple[bytes, int]:
    """The data of a run of GIF sub-blocks starting at `at`, and where they end."""
    out = bytearray()
    while at < len(data):
        size = data[at]
        at += 1
        if size == 0:
            break
        out += data[at : at + size]
        at += size
    return bytes(out), at


def _gif(data: Buffer) -> list[str]:
    found: list[str] = []
    if len(data) < 13:
        return found
    at = 13
    if data[10] & 0x80:
        at += 3 << ((data[10] & 7) + 1)
    while at < len(data):
        block = data[at]
        if block == 0x3B:  # trailer
            break
        if block == 0x2C:  # an image: descriptor, local colours, LZW size, data
            flags = data[at + 9] if at + 9 < len(data) else 0
            at += 10 + ((3 << ((flags & 7) + 1)) if flags & 0x80 else 0) + 1
            _, at = _sub_blocks(data, at)
        elif block == 0x21 and at + 1 < len(data):
            label = data[at + 1]
            body, at = _sub_blocks(data, at + 2)
            if label == 0xFE:
                found.append("comment")
            elif label == 0xFF:
                app = body[:11]
                if app == b"XMP DataXMP":
                    found.append("XMP")
                elif app == b"ICCRGBG1012":
                    found += icc_finding(body[11:])
                elif app not in (b"NETSCAPE2.0", b"ANIMEXTS1.0"):
                    found.append(f"application data '{app.decode('latin-1', 'replace')}'")
        else:
            break
    return found


# -- AVIF / HEIF (ISO base media boxes) ------------------------------------------------


def _boxes(data: Buffer, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, body start, body end) of the boxes in data[start:end]."""
    out = []
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        head = 8
        if size == 1 and at + 16 <= end:
            (size,) = struct.unpack(">Q", data[at + 8 : at + 16])
            head = 16
        elif size == 0:
            size = end - at
        if size < head:
            break
        out.append((kind, at + head, min(at + size, end)))
        at += size
    return out


def _infe(body: bytes) -> tuple[bytes, bytes]:
    """(item type, content type) of an item info entry (version 2 or 3)."""
    version = body[0]
    if version < 2:
        return b"", b""
    at = 4 + (4 if version == 3 else 2) + 2
    item_type = body[at : at + 4]
    name_end = body.find(b"\x00", at + 4)
    content_type = b""
    if item_type == b"mime" and name_end >= 0:
        content_type = body[name_end + 1 :].split(b"\x00")[0]
    return item_type, content_type


def _bmff(data: Buffer) -> list[str]:
    found: list[str] = []
    for kind, start, end in _boxes(data, 0, len(data)):
        if kind == b"uuid" and data[start : start + 16] == _XMP_UUID:
            found.append("XMP")
        if kind != b"meta":
            continue
        for child, cstart, cend in _boxes(data, start + 4, end):
            if child == b"iinf":
                version = data[cstart]
                skip = 4 + (4 if version else 2)
                for entry, estart, eend in _boxes(data, cstart + skip, cend):
                    if entry != b"infe":
                        continue
                    item_type, content_type = _infe(data[estart:eend])
                    if item_type == b"Exif":
                        found.append("EXIF")
                    elif item_type == b"mime" and (
                        b"xmp" in content_type.lower() or b"rdf" in content_type.lower()
                    ):
                        found.append("XMP")
            elif child == b"iprp":
                for prop, pstart, pend in _boxes(data, cstart, cend):
                    if prop != b"ipco":
                        continue
                    for colr, rstart, rend in _boxes(data, pstart, pend):
                        if colr == b"colr" and data[rstart : rstart + 4] in (b"prof", b"rICC"):
                            found += icc_finding(data[rstart + 4 : rend])
    return found


# -- TIFF ------------------------------------------------------------------------------


def _tiff(data: Buffer) -> list[str]:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            tags = image.getexif()
    except Exception:
        return ["metadata that cannot be read"]
    found = []
    if any(tag in tags for tag in _TIFF_EXIF):
        found.append("EXIF")
    if _GPS_TAG in tags:
        found.append("GPS")
    if 700 in tags:
        found.append("XMP")
    if 33723 in tags:
        found.append("IPTC")
    if 34675 in tags:
        found += icc_finding(bytes(tags[34675]))
    return found


_READERS: dict[str, Callable[[Buffer], list[str]]] = {
    "JPEG": _jpeg,
    "PNG": _png,
    "WebP": _webp,
    "GIF": _gif,
    "AVIF": _bmff,
    "HEIF": _bmff,
    "TIFF": _tiff,
}


def metadata(data: Buffer, fmt: str) -> list[str]:
    """What `data`, a picture in `fmt` (from `sniff`), carries beyond its pixels."""
    """`data` may be an mmap: the walkers touch only the bytes around the metadata."""
    reader = _READERS.get(fmt)
    if reader is None:
        return []
    try:
        found = reader(data)
    except (IndexError, struct.error, ValueError):
        found = ["a structure that cannot be read"]
    return list(dict.fromkeys(found))


def describe(fmt: str, found: list[str]) -> str:
    """`JPEG image carries EXIF, GPS`: the detail of a finding."""
    return f"{fmt} image carries " + ", ".join(found)
