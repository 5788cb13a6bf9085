"""Text files as research tools write them: UTF-8 with or without a BOM, else Windows-1252."""

from __future__ import annotations

import codecs


def decode_text(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read as.

    Otter and Word exports on Windows are often Windows-1252; every byte string
    decodes as cp1252 except five unused bytes, which are then replaced.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace").lstrip("\ufeff"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "windows-1252"
