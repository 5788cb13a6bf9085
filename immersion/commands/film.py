"""`immersion film export ID`: one photo film as an MP4 for plain signage players.

load -> the film, as the audience may see it -> its narration (through the media
pipeline and its cache) and captions -> timeline -> frames -> ffmpeg -> rename
into place. Nothing is written unless the whole film is.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any, TextIO

from .. import model as m
from ..audience import dropped_video_frames, for_audience
from ..load import load
from ..media import film
from ..media.ffmpeg import FFmpegError
from ..media.pool import MediaPipeline
from ..media.recipes import Clip, MediaError, Redacted
from ..media.video import DEFAULT_HEIGHT, VideoWants
from ..problems import (
    EXIT_CONTENT,
    EXIT_OK,
    BuildError,
    Problem,
    Severity,
    UsageError,
    did_you_mean,
    report,
)
from ..project import Project
from ..publish import build_lock
from ..redaction import story_spans
from ..schema import MediaRef
from ..settings import load_settings, media_recipes

DEFAULT_AUDIENCE = "kiosk"  # signage lives in the room
EXIT_INTERRUPTED = 130


class Refused(Exception):
    """The film cannot be exported; the lines say why (already formatted)."""

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def default_output(project: Project, story_id: str) -> Path:
    return project.film(story_id)


def run(
    project: Path,
    story_id: str,
    size: tuple[int, int] = film.DEFAULT_SIZE,
    output: Path | None = None,
    audience: str = DEFAULT_AUDIENCE,
    today: dt.date | None = None,
    out: TextIO | None = None,
) -> int:
    """Export the photo film `story_id` to `output` (default build/films/ID.mp4).

    Returns the exit code; raises UsageError for a bad size, audience or output.
    """
    stream = out or sys.stderr
    if audience not in m.AUDIENCES:
        raise UsageError(f"unknown audience '{audience}' (choose kiosk or intranet)")
    try:
        film.parse_size(f"{size[0]}x{size[1]}")
    except ValueError as exc:
        raise UsageError(f"--size {exc}") from None
    proj = Project(project)
    dest = output_path(proj, story_id, output)
    day = today or proj.today()
    try:
        story, problems, seen = film_to_export(proj, story_id, audience, day, stream)
        return export(proj, story, problems, size, dest, stream, seen)
    except Refused as refused:
        for line in refused.lines:
            print(line, file=stream)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        print(f"{story_id}: stopped; nothing was written", file=stream)
        return EXIT_INTERRUPTED


def output_path(project: Project, story_id: str, output: Path | None) -> Path:
    """Where the MP4 goes: never into content/, which is read-only to immersion."""
    if output is None:
        dest = default_output(project, story_id)
    else:
        dest = output.expanduser()
        if not dest.is_absolute():
            dest = Path.cwd() / dest
        if dest.is_dir():
            dest = dest / f"{story_id}.mp4"
    content = project.content.resolve()
    resolved = dest.resolve()
    if resolved == content or content in resolved.parents:
        raise UsageError(
            f"--out {output}: content/ is read-only to immersion; write the film under "
            "build/ or anywhere outside content/"
        )
    return dest


# -- which film ----------------------------------------------------------------


def film_to_export(
    project: Project, story_id: str, audience: str, day: dt.date, stream: TextIO
) -> tuple[m.Story, list[Problem], m.Library]:
    """The story as `audience` may see it on `day`, the problems that concern it, and
    the library that audience sees (for the interviews of its video frames).

    Problems elsewhere in the room do not stop the film; errors in its own files
    (or its consent record) do, and are listed the way `immersion check` lists them.
    """
    library, problems = load(project, day)
    bundle = project.shown(project.content / m.KIND_FOLDERS["story"] / story_id) + "/"
    story = library.stories.get(story_id)
    if story is None:
        own = [p for p in problems if p.path.startswith(bundle)]
        if own:
            report(own, False, stream)
            raise Refused(f"error: {story_id} could not be read; fix the problem(s) above")
        raise Refused(unknown_story(project, story_id, library))
    if story.kind_of_story != "photo-film":
        raise Refused(
            Problem(
                story.source.path,
                story.source.line("kind"),
                f"'{story_id}' is {_KINDS.get(story.kind_of_story, 'a story')} "
                f"(kind: {story.kind_of_story}), not a photo film; "
                "only photo films can be exported as MP4",
            ).format()
        )
    consent = library.consents.get(story.participant.consent)
    files = {story.source.path, *_consent_files(story.participant.consent, consent)}
    prefix = str(PurePosixPath(story.source.path).parent) + "/"
    own = [p for p in problems if p.path in files or p.path.startswith(prefix)]
    if any(p.is_error for p in own):
        report(own, False, stream)
        raise Refused(f"error: {story_id} not exported: fix the error(s) above first")
    seen = for_audience(library, audience, day)
    view = seen.stories.get(story_id)
    if view is None:
        why = refusal(story, consent, audience, day)
        raise Refused(
            Problem(
                story.source.path,
                story.source.line("participant.consent") or story.source.line("participant"),
                f"{story_id} cannot be exported for the {audience}: {why}",
                f"see {consent.source.path if consent else 'content/consent/'}; "
                "nothing was written",
            ).format()
        )
    own += [p for p in dropped_video_frames(library, audience, day) if p.path == story.source.path]
    if own:
        report(own, False, stream)
    if not view.frames:
        raise Refused(
            Problem(
                story.source.path,
                story.source.line("frames"),
                "the film has no frames",
                "list its photos under frames:",
            ).format()
        )
    cid = story.participant.consent
    if story.narration and view.narration is None:
        print(
            f"{story_id}: no narration: consent '{cid}' does not allow 'voice'; the film is silent",
            file=stream,
        )
    elif (
        story.narration
        and story.narration.captions
        and view.narration
        and view.narration.captions is None
    ):
        print(f"{story_id}: no captions: consent '{cid}' does not allow 'words'", file=stream)
    return view, own, seen


def _consent_files(cid: str, consent: m.Consent | None) -> set[str]:
    if consent is not None:
        return {consent.source.path}
    return {f"content/consent/{cid}.yml", f"content/consent/{cid}.yaml"}


_KINDS = {
    "interview": "an interview",
    "audio-diary": "an audio diary",
    "email": "an email",
    "story": "a written story",
}


def unknown_story(project: Project, story_id: str, library: m.Library) -> str:
    films = films_in(library)
    folders = project.content / m.KIND_FOLDERS["story"]
    others = {p.name for p in folders.iterdir() if p.is_dir()} if folders.is_dir() else set()
    hint = did_you_mean(story_id, films) or did_you_mean(story_id, others | set(library.stories))
    if not hint:
        hint = f"photo films: {', '.join(films)}" if films else "there are no photo films yet"
    return f"error: there is no story '{story_id}' in content/stories/ ({hint})"


def refusal(story: m.Story, consent: m.Consent | None, audience: str, day: dt.date) -> str:
    """Why `audience` may not see `story` on `day`, in an editor's words."""
    cid = story.participant.consent
    if consent is None:
        return f"its consent '{cid}' does not exist or cannot be read"
    if consent.withdrawn is not None and day >= consent.withdrawn:
        return f"consent '{cid}' was withdrawn on {consent.withdrawn}"
    if consent.signed > day:
        return f"consent '{cid}' is only signed from {consent.signed}"
    if consent.expires is not None and day >= consent.expires:
        return f"consent '{cid}' expired on {consent.expires}"
    if audience not in consent.audiences:
        allowed = ", ".join(consent.audiences) or "no audience"
        return f"consent '{cid}' does not allow the {audience} (it allows: {allowed})"
    if story.audiences is not None and audience not in story.audiences:
        return f"the story's audiences ({', '.join(story.audiences)}) leave out the {audience}"
    if "face" not in consent.allows:
        return f"consent '{cid}' does not allow showing photos ('face' is not in its allows)"
    return f"consent '{cid}' does not allow it"


# -- export ----------------------------------------------------------------------


def export(
    project: Project,
    story: m.Story,
    problems: list[Problem],
    size: tuple[int, int],
    dest: Path,
    stream: TextIO,
    seen: m.Library | None = None,
) -> int:
    try:
        film.check_encoders()  # before any work: ffmpeg missing, or without libx264
    except MediaError as exc:
        raise Refused(f"error: {exc}") from None
    with tempfile.TemporaryDirectory(prefix="immersion-film-") as work_dir:
        work = Path(work_dir)
        audio, narration = narration_audio(project, story, work, stream)
        captions = captions_file(project, story, work, problems, stream)
        clips = clip_files(project, story, seen, work, stream)
        timeline = film.plan_timeline([f.seconds for f in story.frames], narration)
        if timeline.pad_audio and story.narration is not None:
            print(
                Problem(
                    story.source.path,
                    story.source.line("frames"),
                    f"the frames last {timeline.frames_seconds:.1f} s but the narration "
                    f"'{story.narration.recording.src}' lasts {narration:.1f} s: "
                    f"the last {timeline.overrun:.1f} s of the film are silent",
                    "make the frames' seconds add up to the narration",
                    Severity.WARNING,
                ).format(),
                file=stream,
            )
        try:
            progress = Progress(story.id, timeline.duration, stream)
            try:
                progress.phase("frames", len(story.frames))
                photos = [i for i, f in enumerate(story.frames) if f.src is not None]
                pictures = film.write_frames(
                    [f.src.path for f in story.frames if f.src is not None],
                    size,
                    work,
                    progress.frame,
                )
                concat = work / "frames.ffconcat"
                if clips:
                    concat.write_text("", encoding="utf-8")  # the shots are inputs instead
                else:
                    concat.write_text(film.concat_list(timeline, pictures), encoding="utf-8")
                inputs = film.FilmInputs(
                    concat,
                    timeline,
                    size,
                    audio,
                    captions,
                    clips=clips,
                    pictures=dict(zip(photos, pictures, strict=True)),
                )
                progress.phase("encode", 0)
                write_atomically(dest, lambda tmp: film.encode(inputs, tmp, progress.seconds))
            finally:
                progress.close()
        except film.FrameError as exc:
            raise Refused(
                Problem(
                    project.shown(exc.src),
                    None,
                    f"cannot use this frame's photo: {exc.reason}",
                    "replace the file with one that opens on your computer; nothing was written",
                ).format()
            ) from None
        except FFmpegError as exc:
            raise Refused(f"error: {story.id}: {exc}; nothing was written") from None
        except MediaError as exc:
            raise Refused(f"error: {exc}") from None
        except OSError as exc:  # a full disk, a folder that cannot be written
            where = f" ({exc.filename})" if exc.filename else ""
            raise Refused(
                f"error: {story.id}: {exc.strerror or exc}{where}; nothing was written"
            ) from None
    print(
        f"{story.id}: {timeline.duration:.1f} s, {len(story.frames)} "
        f"frame{'' if len(story.frames) == 1 else 's'}, {size[0]}x{size[1]} -> "
        f"{_shown(dest, project)} ({_megabytes(dest.stat().st_size)})",
        file=stream,
    )
    return EXIT_OK


def write_atomically(dest: Path, write: Callable[[Path], None]) -> None:
    """Call `write(tmp)` for a temporary name beside `dest`, then rename it into place.

    On any failure or interruption the temporary file is removed and `dest` is
    left as it was: a player never finds half an MP4.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.{secrets.token_hex(4)}.partial")
    try:
        write(tmp)
        if not tmp.is_file() or tmp.stat().st_size == 0:
            raise MediaError("ffmpeg wrote no film")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def narration_audio(
    project: Project, story: m.Story, work: Path, stream: TextIO
) -> tuple[Path | None, float | None]:
    """The narration's normalised AAC (copied into `work`) and its duration, or (None, None).

    The media pipeline makes it, or finds it in build/.cache from an earlier build,
    exactly as the site plays it. Only this recording is planned, and nothing else
    in the cache is collected: exporting one film leaves the room's cache alone.
    """
    if story.narration is None:
        return None, None
    recording = story.narration.recording
    settings, ignored = load_settings(project)
    photo, audio = media_recipes(settings, ignored)
    problems: list[Problem] = []
    pipeline = MediaPipeline(project, photo, audio, 1, problems, stream)
    try:
        with build_lock(project):
            renditions = pipeline.run_sources(
                [], [(recording, ())], collect=False, redacted=story_spans(story)
            )
            rendition = renditions.recordings.get(recording.path)
            m4a = rendition.files.get("m4a") if rendition else None
            if rendition is None or m4a is None:
                report(problems, False, stream)
                raise Refused(f"error: {story.id}: the narration could not be converted")
            # A copy: a build running while ffmpeg encodes may collect the cached file.
            local = work / "narration.m4a"
            shutil.copyfile(m4a, local)
    except BuildError as exc:
        raise Refused(f"error: {exc}") from None
    return local, rendition.duration


def clip_files(
    project: Project, story: m.Story, view: m.Library | None, work: Path, stream: TextIO
) -> dict[int, Path]:
    """{frame index: a copy in `work` of its highlight's video clip} for the video frames.

    The clips are the ones the sites play, made (or found in build/.cache) by the media
    pipeline with the same wants a build gives the interview, so an export after a
    build converts nothing; the interview's `redact:` spans are in them as on the sites.
    """
    wanted = [(i, f) for i, f in enumerate(story.frames) if f.video is not None]
    if not wanted:
        return {}
    if view is None:
        raise Refused(f"error: {story.id}: the film's video frames could not be resolved")
    videos: dict[Path, tuple[MediaRef, VideoWants]] = {}
    spans: dict[Path, Redacted] = {}
    for _i, frame in wanted:
        assert frame.video is not None and frame.recording is not None
        target = view.stories[frame.video.story]
        consent = view.consents[target.participant.consent]
        with_audio = "voice" in consent.allows and not target.muted
        clip = Clip(frame.video.anchor, frame.start, frame.end)
        ref, wants = videos.get(
            frame.recording.path,
            (frame.recording, VideoWants((DEFAULT_HEIGHT,), with_audio, target.poster, ())),
        )
        videos[ref.path] = (ref, replace(wants, clips=(*wants.clips, clip)))
        spans.update(story_spans(target))
    settings, ignored = load_settings(project)
    photo, audio = media_recipes(settings, ignored)
    problems: list[Problem] = []
    pipeline = MediaPipeline(project, photo, audio, 1, problems, stream)
    found: dict[int, Path] = {}
    try:
        with build_lock(project):
            renditions = pipeline.run_sources(
                [], [], collect=False, redacted=spans, videos=list(videos.values())
            )
            for i, frame in wanted:
                assert frame.video is not None and frame.recording is not None
                rendition = renditions.videos.get(frame.recording.path)
                cut = rendition.clip(frame.video.anchor) if rendition else None
                if cut is None:
                    report(problems, False, stream)
                    raise Refused(
                        f"error: {story.id}: the video frame '{frame.video}' could not be "
                        "converted; nothing was written"
                    )
                # A copy: a build running while ffmpeg encodes may collect the cached file.
                local = work / f"clip-{i:04d}.mp4"
                shutil.copyfile(cut, local)
                found[i] = local
    except BuildError as exc:
        raise Refused(f"error: {exc}") from None
    return found


def captions_file(
    project: Project, story: m.Story, work: Path, problems: list[Problem], stream: TextIO
) -> Path | None:
    """A clean WebVTT of the narration's captions in `work` (never the editor's own file)."""
    from ..transcripts import read_vtt, to_vtt

    if story.narration is None or story.narration.captions is None:
        return None
    ref = story.narration.captions
    display = project.shown(ref.path)
    transcript, found = read_vtt(ref.path, display)
    new = [p for p in found if p not in set(problems)]
    if transcript is None or any(p.is_error for p in new):
        report(new, False, stream)
        raise Refused(
            f"error: {story.id}: the captions cannot be used; fix {display} "
            "(or remove captions: to export the film without them)"
        )
    if new:
        report(new, False, stream)
    if not transcript.cues:
        print(f"{story.id}: the captions {display} have no cues; none are added", file=stream)
        return None
    text = to_vtt(transcript)
    # to_vtt writes a cue line starting with "NOTE" as "&#78;OTE" so a browser never
    # takes it for a note; ffmpeg's WebVTT reader knows no numeric entities, and
    # inside a cue such a line is just words.
    text = text.replace("&#78;", "N")
    path = work / "captions.vtt"
    path.write_text(text, encoding="utf-8")
    return path


# -- output ------------------------------------------------------------------------


def _shown(path: Path, project: Project) -> str:
    """Like `Project.shown`, through links: the MP4 may be named by a linked folder."""
    try:
        return path.resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{max(1, round(size / 1e3))} kB"


_BAR = "{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total:.1f} s [{elapsed}<{remaining}]"


class Progress:
    """A tqdm bar on a terminal; in CI or a log, a plain line at most every 10 %."""

    def __init__(self, label: str, total: float, out: TextIO) -> None:
        self.label = label
        self.total = max(total, 1e-6)
        self.out = out
        self.tty = out.isatty() and not os.environ.get("CI")
        self.bar: Any = None
        self.tenths = 0

    def phase(self, name: str, count: int) -> None:
        self.close()
        if not self.tty:
            return
        from tqdm import tqdm

        if name == "frames":
            self.bar = tqdm(
                total=count, unit="frame", desc=f"{self.label} frames", file=self.out, leave=False
            )
        else:
            self.bar = tqdm(
                total=round(self.total, 1),
                unit="s",
                desc=f"{self.label} encode",
                file=self.out,
                leave=False,
                bar_format=_BAR,
            )

    def frame(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def seconds(self, done: float) -> None:
        done = min(done, self.total)
        if self.bar is not None:
            self.bar.n = round(done, 1)
            self.bar.refresh()
            return
        tenths = int(done / self.total * 10 + 1e-9)
        if tenths > self.tenths:
            self.tenths = tenths
            print(f"{self.label}: {tenths * 10}% encoded", file=self.out)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def films_in(library: m.Library) -> list[str]:
    return sorted(s.id for s in library.stories.values() if s.kind_of_story == "photo-film")
