"""Word error rate: how far a machine transcript is from what was said.

(substitutions + deletions + insertions) / words said, over words compared without
case or punctuation; a number said in pieces counts as one ("0770 900" = "0770900").
Used to measure engines and models (bench/transcribe.py) and in the tests.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[\w']+")


def words(text: str) -> list[str]:
    """The words of `text`, lower case, without punctuation; digit runs joined."""
    plain = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    out: list[str] = []
    for word in _WORD.findall(plain):
        word = word.strip("'")
        if not word:
            continue
        if word.isdigit() and out and out[-1].isdigit():
            out[-1] += word
        else:
            out.append(word)
    return out


def edits(said: list[str], heard: list[str]) -> int:
    """The fewest substitutions, deletions and insertions from `said` to `heard`."""
    previous = list(range(len(heard) + 1))
    for i, s in enumerate(said, start=1):
        current = [i]
        for j, h in enumerate(heard, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (s != h)))
        previous = current
    return previous[-1]


def wer(said: str, heard: str) -> float:
    """The word error rate of `heard` against `said` (0.0 for a perfect transcript)."""
    reference = words(said)
    if not reference:
        return 0.0 if not words(heard) else 1.0
    return edits(reference, words(heard)) / len(reference)
