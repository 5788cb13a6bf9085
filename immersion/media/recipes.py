"""What a rendition is made from: frozen recipes, their hashes, and the results.

A recipe holds every setting that changes an output, and nothing else; the
pipeline keys each output by the settings it uses (see `media/keys.py`), so
changing one width changes only that width's key. Workers receive a source path and a
recipe, never the library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# What a recording's `redact:` spans are, for its master and its keys: defined with the
# rest of redaction (a layer below media/), a recipe like the others here.
from ..redaction import NOTHING_REDACTED as NOTHING_REDACTED
from ..redaction import Redacted as Redacted

# Bump when the code changes what an existing recipe produces.
PIPELINE_VERSION = 1
# Bump when the code changes what an existing recording's highlight clip is (2: faded by
# ffmpeg's afade in the encoding run, where pydub faded a WAV before): only clip keys.
CLIP_VERSION = 2

DEFAULT_WIDTHS = (480, 960, 1920, 3840)


@dataclass(frozen=True)
class PhotoRecipe:
    """One photo -> responsive widths, each as WebP and JPEG, plus a placeholder."""

    widths: tuple[int, ...] = DEFAULT_WIDTHS
    webp_quality: int = 80
    jpeg_quality: int = 82
    placeholder_width: int = 16


@dataclass(frozen=True)
class AudioRecipe:
    """One recording -> loudness-normalised AAC (M4A) and Opus, duration, waveform peaks."""

    target_lufs: float = -16.0
    true_peak: float = -1.0
    loudness_range: float = 11.0
    sample_rate: int = 48000
    aac_bitrate: str = "96k"
    opus_bitrate: str = "48k"
    peaks_samples_per_pixel: int = 512  # at the 8 kHz decode used for peaks
    clip_fade_ms: int = 150


@dataclass(frozen=True)
class Clip:
    """A highlight cut from a normalised recording."""

    id: str
    start: float
    end: float


@dataclass(frozen=True)
class PhotoOutput:
    width: int
    height: int
    format: str  # "webp" | "jpeg"
    file: str  # file name inside the output folder


@dataclass(frozen=True)
class PhotoResult:
    """What the page needs: the upright size, every rendition, and the inline placeholder."""

    width: int
    height: int
    outputs: tuple[PhotoOutput, ...]
    placeholder: str  # a data: URI of a few hundred bytes


@dataclass(frozen=True)
class AudioResult:
    duration: float  # seconds
    files: dict[str, str] = field(default_factory=dict)  # "m4a"/"opus" -> file name
    peaks: str = ""  # file name of the audiowaveform-v2 JSON
    clips: dict[str, dict[str, str]] = field(default_factory=dict)  # clip id -> format -> file
    measured_lufs: float = 0.0  # integrated loudness of the input, from the first pass


class MediaError(Exception):
    """A source that cannot be converted; the message says why, in an editor's words."""


def check_source(src: Path, empty: str = "the file is empty") -> None:
    """Refuse a source that is missing, not a file, or empty, before ffmpeg sees it.

    `empty`: the editor's message for a 0-byte file (a video's says how to fix it)."""
    if not src.exists():
        raise MediaError("the file does not exist")
    if not src.is_file():
        raise MediaError("not a file")
    if src.stat().st_size == 0:
        raise MediaError(empty)
