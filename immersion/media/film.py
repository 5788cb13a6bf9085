"""A photo film -> one MP4 for plain signage players (SPEC §3, `immersion film export`).

The web player shows a film as timed slides over the narration; a signage player
only plays files. This module makes that file:

* **planning** (pure, table-tested without media): `plan_timeline` turns the
  frames' `seconds` and the narration's duration into shots on the video's frame
  grid. With narration, the film lasts the narration: frames keep their seconds
  and the last frame holds until the narration ends; if the frames run longer,
  the film lasts the frames and the narration is followed by silence. Without
  narration the film lasts the frames.
* **frames**: each photo is decoded once (`images.open_upright_srgb`: a JPEG
  through `draft()` at the smallest scale that covers its place on screen, then
  turned upright by its EXIF orientation, converted to sRGB, every bit of
  metadata dropped), fitted inside the output size and centred on black, and
  written as a PNG at exactly the output size.
* **encoding**: one ffmpeg run. The PNGs go through the concat demuxer with a
  `duration` per entry (the last entry is listed twice: the demuxer does not
  honour the duration of the last one) and the `fps` filter makes a constant 25
  fps H.264 stream (yuv420p, BT.709, faststart). The narration is the pipeline's
  loudness-normalised AAC, copied as it is (re-encoded only when it must be
  followed by more than `TOLERANCE` of silence); captions are a clean WebVTT
  written by `transcripts.to_vtt`, muxed as a `mov_text` track. No metadata of
  the sources is carried (`-map_metadata -1`; the frames never had any).

A video frame (a highlight's clip, `video: story#hl-1`) plays its clip's pictures,
muted, for its shot: with any, each shot is its own input (a looped PNG or the clip)
fitted into the film's size and joined by the `concat` filter (`shots_filter`).

Photos are static: the pan/zoom of the web player costs a re-scale of every
video frame, and a still frame compresses to almost nothing between cuts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import ExifTags, Image

from immersion.media import ffmpeg as ff
from immersion.media.recipes import MediaError

FPS = 25
DEFAULT_SIZE = (1920, 1080)
MIN_SIDE = 180
MAX_SIDE = 7680
MAX_PIXELS = 7680 * 4320  # 8K UHD: beyond it H.264 levels run out
# Narration and frames may disagree by this much before the film pads the
# narration with encoded silence (and the export warns); under it, the audio
# track just ends a moment before the last picture, as every player allows.
TOLERANCE = 0.5

# H.264 for players that play anything: High profile (every player of the last
# decade), yuv420p, BT.709. CRF 20 keeps photos clean on a big screen; on still
# pictures nearly every byte is in the keyframes, so there is one at every cut
# (forced, see `ffmpeg_args`; scene detection off) and otherwise one every 10 s,
# for players that seek. `veryfast` encodes a 1080p film 3x faster than `medium`,
# and (measured on the demo film) to a smaller file: its extra effort goes into
# the near-empty frames between cuts.
VIDEO_CODEC = [
    "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-crf", "20",
    "-profile:v", "high", "-pix_fmt", "yuv420p",
    "-x264-params", f"keyint={10 * FPS}:scenecut=0",
    "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
    "-color_range", "tv",
]  # fmt: skip
# Only when the narration must be padded with silence (so it cannot be copied).
PADDED_AUDIO_BITRATE = "128k"
REQUIRED_ENCODERS = ("libx264", "mov_text", "aac")


# --------------------------------------------------------------------------- sizes


def parse_size(text: str) -> tuple[int, int]:
    """`1920x1080` -> (1920, 1080); ValueError with the rule when it is not a usable size."""
    rule = (
        f"width and height must be even numbers from {MIN_SIDE} to {MAX_SIDE}, "
        "written WxH (for example 1920x1080)"
    )
    match = re.fullmatch(r"\s*(\d{1,5})\s*[xX×]\s*(\d{1,5})\s*", text)
    if not match:
        raise ValueError(f"'{text}' is not a size: {rule}")
    width, height = int(match.group(1)), int(match.group(2))
    for side in (width, height):
        if side % 2 or not MIN_SIDE <= side <= MAX_SIDE:
            raise ValueError(f"'{text}' cannot be used: {rule}")
    if width * height > MAX_PIXELS:
        raise ValueError(f"'{text}' is larger than 8K (7680x4320 pixels in all)")
    return width, height


def fit_inside(width: int, height: int, box_w: int, box_h: int) -> tuple[int, int]:
    """The largest size with the aspect ratio of width x height inside the box (rounded)."""
    if min(width, height, box_w, box_h) < 1:
        raise ValueError(f"sizes must be positive: {width}x{height} in {box_w}x{box_h}")
    if width * box_h >= height * box_w:  # wider than the box: full width
        return box_w, max(1, min(box_h, (2 * height * box_w + width) // (2 * width)))
    return max(1, min(box_w, (2 * width * box_h + height) // (2 * height))), box_h


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class Shot:
    """One frame of the story on screen from `start` to `end` (seconds, on the frame grid)."""

    frame: int  # index into the story's frames
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Timeline:
    shots: tuple[Shot, ...]
    video_frames: int  # frames of video in the whole film
    frames_seconds: float  # what the frames ask for, added up
    narration: float | None  # seconds, None for a silent film
    fps: int = FPS

    @property
    def duration(self) -> float:
        return self.video_frames / self.fps

    @property
    def overrun(self) -> float:
        """Seconds the pictures go on after the narration has ended (0 without narration)."""
        if self.narration is None:
            return 0.0
        return max(0.0, self.duration - self.narration)

    @property
    def pad_audio(self) -> bool:
        """Whether the narration is followed by enough silence to be worth encoding."""
        return self.overrun > TOLERANCE


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5 + 1e-9)


def plan_timeline(seconds: Sequence[float], narration: float | None, fps: int = FPS) -> Timeline:
    """Shots for frames of these `seconds` over a narration of this duration (or none).

    Cuts fall on the video's frame grid: each cut is the frames' running total
    rounded to the nearest video frame, so no error accumulates along the film,
    and every frame gets at least one video frame. With narration the film ends
    at the first video frame that covers all of it, unless the frames run
    longer; the last frame holds until the end.
    """
    if not seconds:
        raise ValueError("a film needs at least one frame")
    if any(not (math.isfinite(s) and s > 0) for s in seconds):
        raise ValueError(f"every frame needs a positive number of seconds: {list(seconds)}")
    if narration is not None and not (math.isfinite(narration) and narration > 0):
        raise ValueError(f"the narration must last a positive time, not {narration}")
    cuts = [0]
    total = 0.0
    for s in seconds:
        total += s
        cuts.append(max(cuts[-1] + 1, _round_half_up(total * fps)))
    if narration is not None:
        cuts[-1] = max(cuts[-1], math.ceil(narration * fps - 1e-6))
    shots = tuple(Shot(i, cuts[i] / fps, cuts[i + 1] / fps) for i in range(len(seconds)))
    return Timeline(shots, cuts[-1], total, narration, fps)


def concat_list(timeline: Timeline, files: Sequence[Path]) -> str:
    """The concat demuxer's script: one entry per shot, its duration on the frame grid.

    `files[i]` is the picture of the story's frame `i`. The last entry is listed
    twice: the demuxer ends a still picture at its start, not after its duration,
    when nothing follows it; the output's `-t` cuts the extra frame.
    """
    lines = ["ffconcat version 1.0"]
    for shot in timeline.shots:
        lines.append(f"file {_quote(files[shot.frame])}")
        frames = round((shot.end - shot.start) * timeline.fps)
        lines.append(f"duration {frames / timeline.fps:.6f}")
    lines.append(f"file {_quote(files[timeline.shots[-1].frame])}")
    return "\n".join(lines) + "\n"


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "'\\''") + "'"


# --------------------------------------------------------------------------- frames


def render_frame(src: Path, size: tuple[int, int]) -> Image.Image:
    """The photo upright, in sRGB, fitted inside `size` and centred on black; no metadata.

    Raises MediaError (with a reason an editor can act on) for a photo that
    cannot be read.
    """
    from immersion.media.images import open_upright_srgb, upright_size

    box_w, box_h = size
    target = box_w
    try:  # the header only: how wide the photo will be on screen, to size the draft
        with Image.open(src) as peek:
            orientation = peek.getexif().get(ExifTags.Base.Orientation, 1)
            if not isinstance(orientation, int) or not 1 <= orientation <= 8:
                orientation = 1
            upright = upright_size(peek.size, orientation)
            target = fit_inside(*upright, box_w, box_h)[0]
    except Exception:
        pass  # open_upright_srgb says what is wrong with it
    image, full = open_upright_srgb(src, [target])
    fitted = fit_inside(*full, box_w, box_h)
    if image.size != fitted:
        image = image.resize(fitted, Image.Resampling.LANCZOS, reducing_gap=3.0)
    canvas = Image.new("RGB", size, (0, 0, 0))
    canvas.paste(image.convert("RGB"), ((box_w - fitted[0]) // 2, (box_h - fitted[1]) // 2))
    return canvas


def write_frames(
    sources: Sequence[Path],
    size: tuple[int, int],
    folder: Path,
    on_frame: Callable[[], None] | None = None,
) -> list[Path]:
    """One PNG per distinct source in `folder`; returns the picture of each source in order.

    Raises MediaError naming the photo (its `src` as given) that failed.
    """
    made: dict[Path, Path] = {}
    pictures: list[Path] = []
    for src in sources:
        if src not in made:
            try:
                image = render_frame(src, size)
            except MediaError as exc:
                raise FrameError(src, str(exc)) from exc
            out = folder / f"frame-{len(made):04d}.png"
            image.save(out, "PNG", compress_level=1)
            made[src] = out
        pictures.append(made[src])
        if on_frame is not None:
            on_frame()
    return pictures


class FrameError(MediaError):
    """A frame's photo could not be read; `src` says which."""

    def __init__(self, src: Path, reason: str) -> None:
        super().__init__(reason)
        self.src = src
        self.reason = reason


# --------------------------------------------------------------------------- encoding


@dataclass(frozen=True)
class FilmInputs:
    """Everything the encode reads, already on disk (in a temporary folder)."""

    concat: Path  # the concat script over the frame pictures
    timeline: Timeline
    size: tuple[int, int]
    audio: Path | None = None  # the normalised AAC narration (M4A)
    captions: Path | None = None  # a clean WebVTT
    # {story frame index: its highlight's cached video clip} for the video frames; with
    # any, `pictures` holds the PNG of every photo frame (by index) and the film is
    # assembled by `shots_filter` instead of the concat script.
    clips: Mapping[int, Path] = field(default_factory=dict)
    pictures: Mapping[int, Path] = field(default_factory=dict)


def shots_filter(inputs: FilmInputs) -> tuple[list[str], str]:
    """The inputs (one per shot) and the filtergraph of a film with video frames.

    A photo is looped, a clip plays from its start; each is fitted inside the film's
    size and centred on black (as `render_frame` does for photos), set to the film's
    fps, held on its last picture if it is shorter than its shot (`tpad`), cut to its
    shot's exact number of frames and muted (its audio is never mapped); then the
    shots are joined (`concat`) into `[v]`.
    """
    width, height = inputs.size
    timeline = inputs.timeline
    args: list[str] = []
    chains: list[str] = []
    for n, shot in enumerate(timeline.shots):
        frames = round(shot.seconds * timeline.fps)
        slack = f"{shot.seconds + 1:.6f}"
        clip = inputs.clips.get(shot.frame)
        if clip is not None:
            args += ["-t", slack, "-i", str(clip)]
            fit = (
                f"scale={width}:{height}:force_original_aspect_ratio=decrease:"
                "out_color_matrix=bt709:out_range=tv,"
                f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2:color=black,"
            )
        else:
            picture = inputs.pictures[shot.frame]
            args += ["-loop", "1", "-framerate", str(timeline.fps), "-t", slack]
            args += ["-i", str(picture)]
            fit = f"scale={width}:{height}:out_color_matrix=bt709:out_range=tv,"
        chains.append(
            f"[{n}:v:0]{fit}format=yuv420p,setsar=1,fps={timeline.fps},"
            f"tpad=stop_mode=clone:stop_duration={shot.seconds + 1:.6f},"
            f"trim=end_frame={frames},setpts=PTS-STARTPTS[s{n}]"
        )
    joined = "".join(f"[s{n}]" for n in range(len(timeline.shots)))
    chains.append(
        f"{joined}concat=n={len(timeline.shots)}:v=1:a=0,"
        "setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv[v]"
    )
    return args, ";".join(chains)


def ffmpeg_args(inputs: FilmInputs, dest: Path) -> list[str]:
    """The ffmpeg arguments (after `ffmpeg.run`'s own) that encode the film into `dest`."""
    timeline = inputs.timeline
    width, height = inputs.size
    video_codec = VIDEO_CODEC
    if inputs.clips:
        args, graph = shots_filter(inputs)
        maps = ["-filter_complex", graph, "-map", "[v]"]
        # Moving pictures: `stillimage` would blur them.
        video_codec = [a for a in VIDEO_CODEC if a not in ("-tune", "stillimage")]
        video_filter: list[str] = []
        n = len(timeline.shots)
    else:
        args = ["-f", "concat", "-safe", "0", "-i", str(inputs.concat)]
        maps = ["-map", "0:v:0"]
        # Converted once per picture, then repeated by `fps` (not converted per video frame).
        video_filter = [
            "-vf",
            f"scale={width}:{height}:out_color_matrix=bt709:out_range=tv,format=yuv420p,"
            "setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv,"
            f"setsar=1,fps={timeline.fps}",
        ]
        n = 1
    codecs: list[str] = []
    if inputs.audio is not None:
        args += ["-i", str(inputs.audio)]
        maps += ["-map", f"{n}:a:0"]
        if timeline.pad_audio:
            codecs += [
                "-af", f"apad=whole_dur={timeline.duration:.6f}",
                "-c:a", "aac", "-b:a", PADDED_AUDIO_BITRATE,
            ]  # fmt: skip
        else:
            codecs += ["-c:a", "copy"]
        n += 1
    if inputs.captions is not None:
        args += ["-f", "webvtt", "-i", str(inputs.captions)]
        maps += ["-map", f"{n}:s:0"]
        codecs += [
            "-c:s", "mov_text",
            "-metadata:s:s:0", "language=eng",
            "-metadata:s:s:0", "handler_name=Captions",
        ]  # fmt: skip
        n += 1
    cuts = ",".join(f"{shot.start:.6f}" for shot in timeline.shots)
    return [
        *args,
        *maps,
        *video_filter,
        *video_codec,
        "-force_key_frames", cuts,
        "-r", str(timeline.fps),
        *codecs,
        "-t", f"{timeline.duration:.6f}",
        "-map_metadata", "-1", "-map_chapters", "-1",
        "-movflags", "+faststart",
        "-progress", "pipe:1",
        "-f", "mp4", "-y", str(dest),
    ]  # fmt: skip


class ProgressReader:
    """Reads ffmpeg's `-progress pipe:1` output, chunk by chunk, into seconds encoded.

    The count of video frames encoded is the measure: `out_time` follows the
    stream muxed last, and caption packets (a few bytes, read far ahead of the
    pictures) push it to the end of each cue long before the video gets there.
    `out_time_us` (or `out_time_ms`, microseconds too despite its name) is used
    only when no frame count is given.
    """

    def __init__(self, on_seconds: Callable[[float], None], fps: int = FPS) -> None:
        self.on_seconds = on_seconds
        self.fps = fps
        self.pending = b""
        self.seconds = 0.0
        self.ended = False
        self.frames_seen = False

    def feed(self, chunk: bytes) -> None:
        self.pending += chunk
        *lines, self.pending = self.pending.split(b"\n")
        for raw in lines:
            key, _, value = raw.decode("ascii", errors="replace").strip().partition("=")
            if key == "frame" and value.isdigit():
                self.frames_seen = True
                self._advance(int(value) / self.fps)
            elif key in ("out_time_us", "out_time_ms") and not self.frames_seen:
                try:
                    micros = int(value)
                except ValueError:  # "N/A" before the first packet
                    continue
                self._advance(micros / 1e6)
            elif key == "progress" and value == "end":
                self.ended = True

    def _advance(self, seconds: float) -> None:
        if seconds > self.seconds:
            self.seconds = seconds
            self.on_seconds(seconds)


def check_encoders() -> None:
    """MediaError with the fix when the ffmpeg found lacks an encoder the film needs."""
    listing = bytearray()
    ff.run(["-encoders"], on_stdout=listing.extend)
    names = {
        parts[1]
        for line in listing.decode("utf-8", errors="replace").splitlines()
        if len(parts := line.split()) > 1
    }
    missing = [name for name in REQUIRED_ENCODERS if name not in names]
    if missing:
        raise MediaError(
            f"the ffmpeg found ({ff.find_ffmpeg()}) cannot encode {', '.join(missing)}, "
            "which the film needs. Fix: install an ffmpeg built with libx264, or "
            "`pip install imageio-ffmpeg` and take it off PATH"
        )


def encode(
    inputs: FilmInputs, dest: Path, on_seconds: Callable[[float], None] | None = None
) -> None:
    """Encode the film into `dest` (overwritten). Raises FFmpegError when ffmpeg fails."""
    reader = ProgressReader(on_seconds or (lambda _s: None), inputs.timeline.fps)
    ff.run(ffmpeg_args(inputs, dest), on_stdout=reader.feed)
