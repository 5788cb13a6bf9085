"""What a library's media needs, and the cache key of every output: pure functions.

The pool (`media/pool.py`) asks the cache for these keys before it converts
anything, and the audit (`audit/leaks.py`) recomputes them to find an excluded
source's renditions; both use these functions, so they cannot disagree. A key
depends on the source's sha256, the recipe settings of that one output and the
tool versions, nothing else: changing one width changes only that width's keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import PIL

from .. import model as m
from ..schema import VIDEO_EXTS, MediaRef
from .cache import output_key
from .recipes import (
    CLIP_VERSION,
    NOTHING_REDACTED,
    PIPELINE_VERSION,
    AudioRecipe,
    Clip,
    PhotoRecipe,
    Redacted,
)
from .video import (
    DEFAULT_HEIGHT,
    POSTER_JPEG,
    POSTER_WEBP,
    VideoRecipe,
    VideoWants,
    clip_name,
    display_video_height,
    mp4_names,
)

PHOTO_FORMATS = ("webp", "jpeg")
AUDIO_OUTPUTS = ("normalised.flac", "audio.m4a", "audio.opus", "peaks.json")
CLIP_FORMATS = ("m4a", "opus")


def photo_sources(lib: m.Library) -> Iterator[MediaRef]:
    """Every photo the library shows: portraits, frames, attachments, inline images."""
    for persona in lib.personas.values():
        if persona.portrait:
            yield persona.portrait.src
    for story in lib.stories.values():
        yield from (frame.src for frame in story.frames if frame.src is not None)
        yield from (attachment.src for attachment in story.attachments)
        yield from (image.src for image in story.inline_images)


def recording_sources(lib: m.Library) -> Iterator[tuple[MediaRef, tuple[Clip, ...]]]:
    """Every recording the library plays, with the highlight clips cut from it."""
    for story in lib.stories.values():
        if story.muted:  # no `voice`: a video kept for its picture has no sound to convert
            continue
        if story.recording:
            clips = tuple(Clip(h.id, h.start, h.end) for h in story.highlights)
            yield story.recording, clips
        for entry in story.entries:
            if entry.recording:
                yield entry.recording, ()
        if story.narration:
            yield story.narration.recording, ()


def tool_versions(audio: bool) -> str:
    """The versions of the tools that shape an output (ffmpeg only for recordings)."""
    versions = f"pillow {PIL.__version__}"
    if audio:
        from .ffmpeg import ffmpeg_version

        versions += f"; {ffmpeg_version()}"
    return versions


def photo_meta_key(recipe: PhotoRecipe, sha: str, versions: str) -> str:
    """The key of a photo's size and placeholder."""
    return output_key("photo-meta", PIPELINE_VERSION, sha, recipe.placeholder_width, versions)


def photo_keys(
    recipe: PhotoRecipe, sha: str, width: int, versions: str
) -> dict[tuple[int, str], str]:
    """{(width, format): key} of every rendition of a photo `width` pixels wide."""
    from .images import planned_widths

    quality = {"webp": recipe.webp_quality, "jpeg": recipe.jpeg_quality}
    planned = planned_widths(width, recipe.widths)
    # A file depends on its own width and format, and on the decode, whose draft
    # scale follows the widest planned width: nothing else (see images.py).
    decode = max(planned)
    return {
        (w, fmt): output_key("photo", PIPELINE_VERSION, sha, w, fmt, quality[fmt], decode, versions)
        for w in planned
        for fmt in PHOTO_FORMATS
    }


def audio_meta_key(recipe: AudioRecipe, sha: str, versions: str) -> str:
    """The key of a recording's duration and measured loudness."""
    return output_key("audio-meta", PIPELINE_VERSION, sha, recipe, versions)


def _redacted(redacted: Redacted) -> tuple[Redacted, ...]:
    # Only a recording with spans gets them in its keys: the others keep their renditions.
    return (redacted,) if redacted else ()


def audio_keys(
    recipe: AudioRecipe,
    sha: str,
    clips: tuple[Clip, ...],
    versions: str,
    redacted: Redacted = NOTHING_REDACTED,
) -> dict[str, str]:
    """{output name: key} of a recording's outputs and of each clip cut from it.

    `redacted`: the spans silenced in the master, which every output inherits.
    """
    more = _redacted(redacted)
    keys = {
        name: output_key("audio", PIPELINE_VERSION, sha, recipe, name, versions, *more)
        for name in AUDIO_OUTPUTS
    }
    for clip in clips:
        for ext in CLIP_FORMATS:
            name = f"clip-{clip.id}.{ext}"
            keys[name] = output_key(
                "clip", PIPELINE_VERSION, CLIP_VERSION, sha, recipe, clip.start, clip.end, name,
                versions, *more,
            )  # fmt: skip
    return keys


def is_video(ref: MediaRef) -> bool:
    return ref.path.suffix.lower() in VIDEO_EXTS


def kiosk_video_heights(lib: m.Library) -> tuple[int, ...]:
    """The MP4 heights the room's displays play (`display_video_height` of each)."""
    return tuple(sorted({display_video_height(d.resolution) for d in lib.room.displays}))


def video_sources(
    lib: m.Library, heights: tuple[int, ...] = (DEFAULT_HEIGHT,)
) -> Iterator[tuple[MediaRef, VideoWants]]:
    """Every video recording whose picture the (filtered) library may show, and what of it.

    The picture of a person is their face: a consent whose ``allows`` lacks
    ``face`` gets no video rendition and no poster at all; the recording is then
    published as audio only, like any recording (see `recording_sources`). A consent
    without ``voice`` gets videos with no audio track (`VideoWants.with_audio`).
    ``heights``: the MP4s this audience plays (720p, plus what its displays need).
    """
    for story in lib.stories.values():
        consent = lib.consents.get(story.participant.consent)
        if consent is None or "face" not in consent.allows:
            continue
        with_audio = "voice" in consent.allows and not story.muted
        if story.recording is not None and is_video(story.recording):
            clips = tuple(Clip(h.id, h.start, h.end) for h in story.highlights)
            yield story.recording, VideoWants(heights, with_audio, story.poster, clips)
        for entry in story.entries:
            if entry.recording is not None and is_video(entry.recording):
                yield entry.recording, VideoWants(heights, with_audio, entry.poster)


def merge_wants(a: VideoWants, b: VideoWants) -> VideoWants:
    """One source seen by two audiences: every height and clip either needs."""
    clips = tuple({c.id: c for c in (*a.clips, *b.clips)}.values())
    heights = tuple(sorted({*a.heights, *b.heights}))
    return replace(a, heights=heights, clips=clips, with_audio=a.with_audio and b.with_audio)


def video_meta_key(sha: str, versions: str) -> str:
    """The key of a video's own facts (duration, upright height, the size of each MP4)."""
    return output_key("video-meta", PIPELINE_VERSION, sha, versions)


def video_keys(
    recipe: VideoRecipe,
    audio: AudioRecipe,
    sha: str,
    wants: VideoWants,
    source_height: int | None,
    versions: str,
    redacted: Redacted = NOTHING_REDACTED,
) -> dict[str, str]:
    """{output name: key} of a video's MP4s, posters and clips.

    An MP4 depends on its height, the encoder's settings and (with audio) the audio
    recipe; a poster on its time and the poster settings; a clip on its span. So a
    display asking for 1080p adds the 1080p MP4 and leaves every other key alone.
    `redacted`: its spans' sound and picture (and the poster's time), in every key.
    """
    more = _redacted(redacted)
    sound = (wants.with_audio, audio if wants.with_audio else None)
    encode = (recipe.crf, recipe.preset, recipe.aac_bitrate, recipe.tone_map, *sound)
    keys = {
        name: output_key("video", PIPELINE_VERSION, sha, encode, name, versions, *more)
        for name in mp4_names(wants, source_height)
    }
    poster = (
        wants.poster_at, recipe.height, recipe.poster_width, recipe.poster_quality,
        recipe.black_threshold, recipe.tone_map,
        # A poster chosen by its face (the `faces` extra) is another poster; without the
        # extra the key is as it always was, so no cache is converted again for it.
        *(("faces",) if recipe.faces and wants.poster_at is None else ()),
    )  # fmt: skip
    for name in (POSTER_WEBP, POSTER_JPEG):
        keys[name] = output_key("poster", PIPELINE_VERSION, sha, poster, name, versions, *more)
    for clip in wants.clips:
        name = clip_name(clip.id)
        keys[name] = output_key(
            "video-clip", PIPELINE_VERSION, sha, encode, recipe.height, recipe.clip_fade_ms,
            clip.start, clip.end, name, versions, *more,
        )  # fmt: skip
    return keys
