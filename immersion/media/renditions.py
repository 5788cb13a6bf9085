"""What the media pipeline hands the renderers: the cached files of every source.

Plain result types, so that `render/` can read renditions without importing the
process pool (`media/pool.py`) that makes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..schema import MediaRef
from .keys import CLIP_FORMATS
from .recipes import Clip
from .video import VIDEO, clip_name, nominal_height


@dataclass(frozen=True)
class PhotoRendition:
    width: int
    height: int
    placeholder: str
    files: dict[tuple[int, str], Path]  # (width, format) -> cached file


@dataclass(frozen=True)
class AudioRendition:
    duration: float
    files: dict[str, Path]  # "m4a" / "opus" -> cached file
    peaks: Path | None
    clips: dict[str, dict[str, Path]]  # clip id -> format -> cached file


@dataclass(frozen=True)
class VideoRendition:
    """A video's cached files by output name: ``video.mp4`` (720p, or the source's
    height when less), ``video-1080.mp4`` where a display needs it and the source has
    it, ``poster.webp``/``poster.jpg``, ``clip-ID.mp4`` per highlight. ``width`` and
    ``height`` are those of ``video.mp4``."""

    width: int
    height: int
    duration: float
    files: dict[str, Path]
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # MP4 name -> size
    has_audio: bool = True

    def at_height(self, height: int) -> VideoRendition:
        """The same rendition with ``video.mp4`` standing for the MP4 a player of this
        height plays: the tallest made that is not taller, else the shortest."""
        mp4s = sorted((nominal_height(n), n) for n in self.files if _is_mp4(n))
        if not mp4s:
            return self
        fitting = [name for h, name in mp4s if h <= height]
        name = fitting[-1] if fitting else mp4s[0][1]
        width, tall = self.sizes.get(name, (self.width, self.height))
        files = {**self.files, VIDEO: self.files[name]}
        return replace(self, width=width, height=tall, files=files)

    def clip(self, clip_id: str) -> Path | None:
        return self.files.get(clip_name(clip_id))


def _is_mp4(name: str) -> bool:
    return name == VIDEO or (name.startswith("video-") and name.endswith(".mp4"))


def audio_rendition(
    meta: dict[str, Any], files: dict[str, Path], clips: tuple[Clip, ...]
) -> AudioRendition:
    """A recording's rendition from its cached meta and its files by output name."""
    return AudioRendition(
        duration=float(meta["duration"]),
        files={ext: files[f"audio.{ext}"] for ext in CLIP_FORMATS if f"audio.{ext}" in files},
        peaks=files.get("peaks.json"),
        clips={
            c.id: {
                ext: files[f"clip-{c.id}.{ext}"]
                for ext in CLIP_FORMATS
                if f"clip-{c.id}.{ext}" in files
            }
            for c in clips
        },
    )


@dataclass
class Stats:
    converted: dict[str, int] = field(
        default_factory=lambda: {"photo": 0, "recording": 0, "video": 0}
    )
    reused: dict[str, int] = field(default_factory=lambda: {"photo": 0, "recording": 0, "video": 0})
    failed: dict[str, int] = field(default_factory=lambda: {"photo": 0, "recording": 0, "video": 0})
    bytes_in: int = 0
    bytes_out: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        parts = []
        for kind in ("photo", "recording", "video"):
            done = self.converted[kind] + self.reused[kind] + self.failed[kind]
            if done:
                parts.append(
                    f"{kind}s: {self.converted[kind]} converted, {self.reused[kind]} "
                    f"reused, {self.failed[kind]} failed"
                )
        size = (
            f"; {self.bytes_in / 1e6:.1f} MB in, {self.bytes_out / 1e6:.1f} MB out"
            if self.bytes_in
            else ""
        )
        return ("media: " + "; ".join(parts) + size) if parts else "media: none"


@dataclass
class Renditions:
    photos: dict[Path, PhotoRendition] = field(default_factory=dict)
    recordings: dict[Path, AudioRendition] = field(default_factory=dict)
    videos: dict[Path, VideoRendition] = field(default_factory=dict)
    stats: Stats = field(default_factory=Stats)

    def photo(self, ref: MediaRef) -> PhotoRendition | None:
        return self.photos.get(ref.path)

    def recording(self, ref: MediaRef) -> AudioRendition | None:
        return self.recordings.get(ref.path)

    def video(self, ref: MediaRef, height: int | None = None) -> VideoRendition | None:
        """The MP4s, posters and clips of a video recording, if its consent allows a face.

        ``files["video.mp4"]`` is the 720p MP4; with ``height`` (a display's, see
        `media/video.display_video_height`) it is the one that display plays."""
        found = self.videos.get(ref.path)
        return found.at_height(height) if found is not None and height is not None else found

    def duration(self, ref: MediaRef) -> float | None:
        """The measured length of a converted recording (or of a muted video), in seconds."""
        found = self.recordings.get(ref.path)
        if found is not None:
            return found.duration
        video = self.videos.get(ref.path)
        return video.duration if video else None
