"""Renditions placed in the staging folder, under names the pages link to.

Files come from the media cache (`media/pool.py`) and are hard-linked
into `docs/media/...` (copied where links are impossible), so placing a
thousand photos costs no bytes and a rebuild with nothing changed touches
nothing. Originals are never placed: only renditions, and transcripts
re-written from their parsed cues.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .. import model as m
from ..media.recipes import Redacted
from ..media.renditions import Renditions
from ..problems import Problem
from ..project import Project
from ..redaction import REDACTED_JSON, manifest, spans_by_source
from ..schema import MediaRef
from ..transcripts import Transcript, to_vtt
from .staging import Staging

EXTENSIONS = {"webp": "webp", "jpeg": "jpg"}


@dataclass(frozen=True)
class PlacedPhoto:
    width: int
    height: int
    placeholder: str
    sources: dict[str, list[tuple[str, int]]]  # format -> [(site path, width)], narrow first

    def fallback(self) -> str:
        """The JPEG an old browser shows: the widest up to 1920 px."""
        jpegs = self.sources.get("jpeg", [])
        fitting = [path for path, w in jpegs if w <= 1920]
        return (fitting or [path for path, _w in jpegs])[-1]


@dataclass(frozen=True)
class PlacedAudio:
    duration: float
    sources: dict[str, str]  # "opus" / "m4a" -> site path
    peaks: str | None
    clips: dict[str, dict[str, str]]  # clip id -> format -> site path


def _plain_stem(src: str) -> str:
    stem = "-".join(PurePosixPath(src).with_suffix("").parts)
    # The stem becomes part of a URL: a space would end it inside `srcset`, `#` and `?` would
    # cut it short, `%` would be decoded and a leading dot hides the file from the site.
    return re.sub(r"[^\w.-]+", "-", stem).lstrip(".-") or "file"


class Assets:
    def __init__(
        self, staging: Staging, project: Project, renditions: Renditions, problems: list[Problem]
    ) -> None:
        self.staging = staging
        self.project = project
        self.renditions = renditions
        self.problems = problems
        # (folder, kind, stem) -> the source that has it
        self.stems: dict[tuple[str, str, str], str] = {}
        # What `redacted.json` lists (see `redacting`): the recordings' spans, the
        # clips' times, and each placed file's (spans, start, end) in its source.
        self.spans: dict[Path, Redacted] = {}
        self.clip_times: dict[tuple[Path, str], tuple[float, float]] = {}
        self.silenced: dict[str, tuple[Redacted, float, float | None]] = {}

    def redacting(self, library: m.Library) -> None:
        """Remember the `redact:` spans of `library`'s recordings, to list the files that
        carry them in `redacted.json`, which the audit measures."""
        self.spans = spans_by_source(library)
        self.clip_times = {
            (story.recording.path, h.id): (h.start, h.end)
            for story in library.stories.values()
            if story.recording is not None
            for h in story.highlights
        }

    def write_redacted(self) -> None:
        """`docs/redacted.json`: every placed recording with a redacted span (its times in
        that file), for the audit; nothing when no file has one."""
        listed = manifest(self.silenced)
        if listed["files"]:
            text = json.dumps(listed, indent=1, sort_keys=True) + "\n"
            self.staging.write_text(f"docs/{REDACTED_JSON}", text)

    def _silenced(self, ref: MediaRef, rel: str, clip: str | None = None) -> None:
        spans = self.spans.get(ref.path)
        if not spans:
            return
        if clip is None:
            self.silenced[rel] = (spans, 0.0, None)
        elif (times := self.clip_times.get((ref.path, clip))) is not None:
            self.silenced[rel] = (spans, times[0], times[1])

    def stem(self, folder: str, src: str, kind: str) -> str:
        """A readable file stem for `src`, unique in its folder.

        `a.jpg` and `a.png`, or `sub/a.jpg` and `sub-a.jpg`, would share one; the
        second gets a short hash of its name instead of replacing the first.
        """
        stem = _plain_stem(src)
        owner = self.stems.setdefault((folder, kind, stem), src)
        if owner == src:
            return stem
        return f"{stem}-{hashlib.sha256(src.encode()).hexdigest()[:8]}"

    def place(self, cached: Path, rel: str) -> str:
        """Hard-link a cached file to `docs/<rel>` unless it is already there."""
        dest = self.staging.claim(f"docs/{rel}")
        try:
            if dest.exists() and os.path.samefile(dest, cached):
                return rel
        except OSError:
            pass
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.tmp")
        tmp.unlink(missing_ok=True)
        try:
            try:
                os.link(cached, tmp)
            except OSError:  # another file system, or links not allowed: copy instead
                shutil.copyfile(cached, tmp)
            os.replace(tmp, dest)
        except BaseException:  # Ctrl-C between the two: no stray name left in staging
            tmp.unlink(missing_ok=True)
            raise
        self.staging.placed(f"docs/{rel}")
        return rel

    def photo(self, ref: MediaRef, folder: str) -> PlacedPhoto | None:
        rendition = self.renditions.photo(ref)
        if rendition is None or not any(fmt == "jpeg" for _w, fmt in rendition.files):
            return None
        stem = self.stem(folder, ref.src, "photo")
        sources: dict[str, list[tuple[str, int]]] = {}
        for (width, fmt), cached in sorted(rendition.files.items()):
            rel = self.place(cached, f"{folder}/{stem}-{width}.{EXTENSIONS[fmt]}")
            sources.setdefault(fmt, []).append((rel, width))
        return PlacedPhoto(rendition.width, rendition.height, rendition.placeholder, sources)

    def recording(self, ref: MediaRef, folder: str) -> PlacedAudio | None:
        rendition = self.renditions.recording(ref)
        if rendition is None:
            return None
        stem = self.stem(folder, ref.src, "recording")
        sources = {
            fmt: self.place(path, f"{folder}/{stem}.{fmt}") for fmt, path in rendition.files.items()
        }
        if not sources:
            return None
        for rel in sources.values():
            self._silenced(ref, rel)
        peaks = (
            self.place(rendition.peaks, f"{folder}/{stem}.peaks.json") if rendition.peaks else None
        )
        clips = {
            clip_id: {
                fmt: self.place(path, f"{folder}/{stem}-{clip_id}.{fmt}")
                for fmt, path in files.items()
            }
            for clip_id, files in rendition.clips.items()
        }
        for clip_id, files in clips.items():
            for rel in files.values():
                self._silenced(ref, rel, clip_id)
        return PlacedAudio(rendition.duration, sources, peaks, clips)

    def video(
        self, ref: MediaRef, folder: str, height: int | None = None, clip: str | None = None
    ) -> tuple[str, str, str] | None:
        """A video recording's MP4, WebP and JPEG poster (site paths), if it was made:
        only where its consent allows a face (see `media/keys.video_sources`).

        `height`: a display's (`media/video.display_video_height`); None: 720p. `clip`: a
        highlight's own MP4 instead of the whole video (None when it was not made)."""
        rendition = self.renditions.video(ref, height)
        if rendition is None or not {"video.mp4", "poster.jpg"} <= set(rendition.files):
            return None
        stem = self.stem(folder, ref.src, "video")
        if clip is not None:
            cut = rendition.clip(clip)
            if cut is None:
                return None
            mp4 = self.place(cut, f"{folder}/{stem}-{clip}.mp4")
            self._silenced(ref, mp4, clip)
        else:
            tall = rendition.height if height is not None else None
            suffix = (
                f"-{tall}p" if tall and rendition.files["video.mp4"] != self._default(ref) else ""
            )
            mp4 = self.place(rendition.files["video.mp4"], f"{folder}/{stem}{suffix}.mp4")
            self._silenced(ref, mp4)
        jpg = self.place(rendition.files["poster.jpg"], f"{folder}/{stem}.jpg")
        webp = rendition.files.get("poster.webp")
        return mp4, self.place(webp, f"{folder}/{stem}.webp") if webp else jpg, jpg

    def film_clip(self, frame: m.Frame, folder: str) -> tuple[str, str] | None:
        """A film's video frame: its highlight's clip and the recording's poster (site
        paths), if the build made the clip."""
        if frame.recording is None or frame.video is None:
            return None
        placed = self.video(frame.recording, folder, None, frame.video.anchor)
        return None if placed is None else (placed[0], placed[1])

    def _default(self, ref: MediaRef) -> Path | None:
        found = self.renditions.video(ref)
        return found.files.get("video.mp4") if found else None

    def video_duration(self, ref: MediaRef) -> float | None:
        found = self.renditions.video(ref)
        return found.duration if found else None

    def transcript(self, ref: MediaRef, folder: str, script: Transcript) -> str:
        """A transcript, re-written from what `load` parsed: cues only.

        Never the editor's file: its NOTE blocks are researchers' notes (names,
        observations) and its markup is not ours to publish.
        """
        stem = self.stem(folder, ref.src, "text")
        rel = f"{folder}/{stem}.vtt"
        self.staging.write_text(f"docs/{rel}", to_vtt(script))
        return rel
