"""What a file is, from its first bytes, never from its name.

`sniff(head)` returns `(category, format)`: category is "image", "audio", "gzip",
"text" or "binary". Names only decide how a text file is read (HTML, JSON, CSS...),
because a renamed picture is still a picture and still carries its metadata.
"""

from __future__ import annotations

HEAD = 64  # bytes read to decide

# ISO base media (ftyp) brands of still pictures; any other ftyp is sound or video.
IMAGE_BRANDS = frozenset(
    {b"avif", b"avis", b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
)
TEXT_SUFFIXES = frozenset(
    {
        ".html",
        ".htm",
        ".xhtml",
        ".json",
        ".map",
        ".webmanifest",
        ".js",
        ".mjs",
        ".css",
        ".vtt",
        ".srt",
        ".xml",
        ".svg",
        ".txt",
        ".md",
        ".csv",
        ".yml",
        ".yaml",
    }
)


def _image(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[4:8] == b"ftyp" and head[8:12] in IMAGE_BRANDS:
        return "AVIF" if head[8:12] in (b"avif", b"avis") else "HEIF"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    return None


def _audio(head: bytes) -> str | None:
    if head.startswith(b"OggS"):
        return "Ogg"
    if head.startswith(b"fLaC"):
        return "FLAC"
    if head.startswith(b"ID3"):
        return "MP3"
    if head[:4] == b"RIFF" and head[8:12] in (b"WAVE", b"AVI "):
        return "WAV" if head[8:12] == b"WAVE" else "AVI"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "AIFF"
    if head[4:8] == b"ftyp":
        return "MP4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "Matroska"
    if head.startswith(b"#!AMR"):
        return "AMR"
    if head.startswith(b"caff"):
        return "CAF"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return "ASF"
    return None


def _mpeg_frame(head: bytes) -> bool:
    """An MPEG audio frame (MP3, MP2) or ADTS AAC header at the very start: a weak sign."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    if head[1] & 0xF6 == 0xF0:  # ADTS (AAC): a 12-bit sync, then layer 00
        return True
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 3
    return version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3


def sniff(head: bytes, name: str = "") -> tuple[str, str]:
    """(category, format) of a file whose first bytes are `head`."""
    found = _image(head)
    if found:
        return "image", found
    found = _audio(head)
    if found:
        return "audio", found
    if head.startswith(b"\x1f\x8b"):
        return "gzip", "gzip"
    if _mpeg_frame(head):
        return "audio", "MPEG"
    if b"\x00" in head:
        return "binary", ""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix in TEXT_SUFFIXES:
        return "text", suffix
    if head[:5] in (b"%PDF-",) or head[:4] in (b"wOFF", b"wOF2", b"\x00\x01\x00\x00", b"OTTO"):
        return "binary", ""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A character cut by the end of the head is still text.
        if exc.start < len(head) - 3:
            return "binary", ""
    return "text", suffix
