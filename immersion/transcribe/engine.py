"""The transcriber interface: what any speech engine gives the product.

An engine turns a 16 kHz mono WAV into segments of timed words. Everything after
that (cues, voices, the machine marker, personal data) is the product's, so another
engine (a bigger model, another library) replaces this one by implementing
`Transcriber` and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..problems import BuildError


@dataclass(frozen=True)
class Word:
    """One word as heard: its text (with its punctuation) and when it was said."""

    text: str
    start: float  # seconds from the start of the recording
    end: float


@dataclass(frozen=True)
class Segment:
    """A stretch of speech the engine heard as one; `speaker` when the engine knows it."""

    words: tuple[Word, ...]
    speaker: str | None = None

    @property
    def start(self) -> float:
        return self.words[0].start if self.words else 0.0

    @property
    def end(self) -> float:
        return self.words[-1].end if self.words else 0.0


class Transcriber(Protocol):
    """A speech engine: `name` and `model` are written into the transcript's marker."""

    name: str
    model: str

    def transcribe(self, wav: Path) -> list[Segment]:
        """The speech in `wav` (16 kHz mono PCM) as segments of timed words, in order.

        No speech at all is an empty list, never an error.
        """
        ...


class EngineMissing(BuildError):
    """The optional engine (or its model) is not installed."""


INSTALL = "pip install 'immersion[transcribe]'"
