"""A photo film's video frames (`video: story-id#highlight-id`), resolved to their clip.

Run once every item is loaded and the references are resolved: a video frame must
name a highlight of a story whose `recording:` is a video. Such a frame gets the
recording and the highlight's span, and lasts the highlight. One that names a
diary entry, a whole story or a highlight of an audio recording is an error at its
own line (`resolve` already reported a story or highlight that does not exist), and
the frame is left out: the film keeps its other frames.
"""

from __future__ import annotations

from dataclasses import replace

from .. import model as m
from ..problems import Severity
from ..schema import VIDEO_EXTS
from .files import Reader

FIX = "name a highlight of an interview whose recording: is a video, e.g. p07#hl-1"


def resolve_video_frames(reader: Reader, library: m.Library) -> m.Library:
    """The library with every film's video frames resolved (and the broken ones left out)."""
    changed: dict[str, m.Story] = {}
    for story in library.stories.values():
        if all(f.src is not None and f.video is None for f in story.frames):
            continue
        frames = []
        for i, frame in enumerate(story.frames):
            if frame.video is None:
                if frame.src is not None:
                    frames.append(frame)
                elif f"frames[{i}].src" not in story.source.lines:
                    reader.problem(
                        story.source.path,
                        story.source.line(f"frames[{i}]"),
                        "this frame has neither a photo nor a video",
                        "add src: photo.jpg, or video: story-id#highlight-id",
                        fld=f"frames[{i}]",
                    )
                continue  # else: its photo has its own problem
            if frame.src is not None or f"frames[{i}].src" in story.source.lines:
                reader.problem(
                    story.source.path,
                    story.source.line(f"frames[{i}].video"),
                    "a frame is a photo (src:) or a video (video:), not both",
                    "make them two frames, or remove one of them",
                    fld=f"frames[{i}]",
                )
                continue
            if (line := story.source.lines.get(f"frames[{i}].seconds")) is not None:
                reader.problem(
                    story.source.path,
                    line,
                    "a video frame lasts its highlight: seconds: is ignored",
                    "remove seconds:, or change the highlight's start and end",
                    Severity.WARNING,
                    f"frames[{i}].seconds",
                )
            resolved = _resolve(reader, library, story, i, frame)
            if resolved is not None:
                frames.append(resolved)
        changed[story.id] = replace(story, frames=tuple(frames))
    if not changed:
        return library
    return library.with_(stories={**library.stories, **changed})


def _resolve(
    reader: Reader, library: m.Library, film: m.Story, index: int, frame: m.Frame
) -> m.Frame | None:
    ref = frame.video
    assert ref is not None
    line = film.source.line(f"frames[{index}].video")
    fld = f"frames[{index}].video"
    target = library.stories.get(ref.story)
    if target is None:
        return None  # `resolve` reported it (or the story's own file has its problem)
    if not ref.anchor:
        reader.problem(
            film.source.path, line, f"'{ref}' names a whole story, not a highlight", FIX, fld=fld
        )
        return None
    highlight = next((h for h in target.highlights if h.id == ref.anchor), None)
    if highlight is None:
        if ref.anchor in target.anchors():  # a diary entry
            reader.problem(
                film.source.path, line, f"'{ref}' is a diary entry, not a highlight", FIX, fld=fld
            )
        return None  # otherwise `resolve` reported the missing highlight
    recording = target.recording
    if recording is None or recording.path.suffix.lower() not in VIDEO_EXTS:
        what = f"'{recording.src}' is not a video" if recording else "it has no recording"
        reader.problem(
            film.source.path,
            line,
            f"'{ref}' cannot be a video frame: {what}",
            FIX,
            fld=fld,
        )
        return None
    if highlight.end <= highlight.start:
        return None  # the interview has its own problem for it
    return replace(
        frame,
        recording=recording,
        start=highlight.start,
        end=highlight.end,
        seconds=highlight.end - highlight.start,
    )
