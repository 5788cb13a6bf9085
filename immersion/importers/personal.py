"""Likely personal data in imported words, as `redact:` entries for the editor to review.

Safe by default: a false alarm costs the editor one deleted line; a miss puts a
customer's phone number on a wall screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    words: str
    why: str
    line: int  # 1-based line in the written file


_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("e-mail address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    # UK mobiles and landlines, with or without +44, spaces or brackets; others with +.
    (
        "phone number",
        re.compile(
            r"(?<![\w+])(?:(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}"
            r"|\+\d{1,3}[\s-]?\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4})(?!\w)"
        ),
    ),
    (
        "postcode",
        re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2}\b"),
    ),
    ("sort code", re.compile(r"\b\d{2}-\d{2}-\d{2}\b")),
    # Card numbers (13-19 digits, spaced or not) and bank account numbers (8 digits).
    ("card or account number", re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])|\b\d{8}\b")),
)


def find(text: str, names: tuple[str, ...] = ()) -> list[Finding]:
    """Every likely piece of personal data in `text`, once each, in reading order."""
    found: list[Finding] = []
    seen: set[str] = set()
    taken: list[tuple[int, int, int]] = []  # (line, start, end) already claimed

    def add(words: str, why: str, line: int, start: int, end: int) -> None:
        if any(ln == line and s < end and start < e for ln, s, e in taken):
            return  # part of something already found (a phone inside a card number)
        taken.append((line, start, end))
        if words.lower() not in seen:
            seen.add(words.lower())
            found.append(Finding(words, why, line))

    name_res = [(n, re.compile(rf"\b{re.escape(n)}\b", re.IGNORECASE)) for n in names if n]
    for number, line in enumerate(text.splitlines(), start=1):
        # Patterns first: a name inside an e-mail address must not hide the address.
        for why, rx in _PATTERNS:
            for match in rx.finditer(line):
                add(match.group(0).strip(), why, number, match.start(), match.end())
        for name, rx in name_res:
            for match in rx.finditer(line):
                add(name, "real name", number, match.start(), match.end())
    return found


def real_names(full_names: list[str], pseudonyms: set[str]) -> tuple[str, ...]:
    """The full real names and each part of them that is not a pseudonym (a surname)."""
    out: list[str] = []
    for full in full_names:
        out.append(full)
        parts = full.split()
        if len(parts) > 1:
            out.extend(p for p in parts if len(p) > 2 and p not in pseudonyms)
    return tuple(dict.fromkeys(out))
