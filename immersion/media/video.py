"""Video sources: probe one, and make its MP4 (H.264) rendition and poster frames.

ffmpeg is the only tool (there is no ffprobe): :func:`probe` reads what
``ffmpeg -i FILE`` prints about the input (duration, the first video stream's
size and display-matrix rotation, whether there is audio). :func:`convert_video`
is the whole job for one video, run like `convert_recording` in a worker: a
path, a frozen :class:`VideoRecipe`, nothing else read, every output written
under a ``.partial-`` name and renamed when complete.

The audio of a video is a recording like any other: the pool makes its
loudness-normalised master with `media/audio.py`, and that master (not the raw
track) is what goes into the MP4, so a video sounds exactly as loud as its
audio-only renditions. No metadata of the source is copied (``-map_metadata -1``,
``-map_chapters -1``, bitexact muxing): a phone's location, make and model stay
in the building.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from immersion.media import ffmpeg as ff
from immersion.media.partials import _partials
from immersion.media.recipes import MediaError

VIDEO = "video.mp4"
POSTER_WEBP = "poster.webp"
POSTER_JPEG = "poster.jpg"
OUTPUTS = (VIDEO, POSTER_WEBP, POSTER_JPEG)

_BITEXACT = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"]


@dataclass(frozen=True)
class VideoRecipe:
    """One video -> an MP4 at ``height`` (never upscaled) and a poster pair."""

    height: int = 720
    crf: int = 23
    preset: str = "veryfast"
    aac_bitrate: str = "96k"
    poster_width: int = 1280
    poster_quality: int = 80
    black_threshold: float = 0.1  # poster: skip frames whose luma mean is under this (0..1)


@dataclass(frozen=True)
class VideoInfo:
    """What :func:`probe` learnt of a file; ``width``/``height`` are as stored (pre-rotation)."""

    duration: float
    width: int
    height: int
    rotation: int  # degrees, 0/90/180/270, from the display matrix
    video_codec: str
    audio_codec: str | None

    @property
    def display_size(self) -> tuple[int, int]:
        """The upright size, as a player shows it."""
        if self.rotation in (90, 270):
            return self.height, self.width
        return self.width, self.height


@dataclass(frozen=True)
class VideoResult:
    width: int  # of the MP4 written
    height: int
    duration: float
    has_audio: bool
    files: dict[str, str]  # "mp4" / "webp" / "jpeg" -> file name in out_dir


_DURATION = re.compile(r"Duration:\s*(\d+):(\d\d):(\d\d(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\d+:\d+[^:]*: Video: (\w+)[^\n]*?, (\d{2,5})x(\d{2,5})")
_AUDIO = re.compile(r"Stream #\d+:\d+[^:]*: Audio: (\w+)")
_ROTATION = re.compile(r"Display Matrix: rotation of (-?\d+(?:\.\d+)?) degrees")
MAX_SIDE = 8192  # a header claiming more is refused before any decode


def _check_source(src: Path) -> None:
    if not src.exists():
        raise MediaError("the file does not exist")
    if not src.is_file():
        raise MediaError("not a file")
    if src.stat().st_size == 0:
        raise MediaError("the file is empty (0 bytes): export the video again")


_BOXES = {b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


def _looks_like_mp4(src: Path) -> bool:
    """Whether the file starts like an MP4/MOV (a box type at byte 4), i.e. was cut off
    rather than never a video (a text file named .mov also lacks a moov atom)."""
    with src.open("rb") as fh:
        return fh.read(8)[4:8] in _BOXES


def probe(src: Path) -> VideoInfo:
    """Duration, video stream and audio stream of ``src``, from ``ffmpeg -i``'s report.

    Raises :class:`MediaError` naming what is wrong and how to fix it.
    """
    src = Path(src)
    _check_source(src)
    # `-i` with no output prints the input report, then exits non-zero ("at least one
    # output file must be specified"): the report is what we want, and an input that
    # ffmpeg cannot open has none.
    try:
        text = ff.run(["-i", str(src)], loglevel="info")
    except ff.FFmpegError as exc:
        text = exc.stderr
        if "Input #0" not in text:
            if "moov atom not found" in text.lower() and _looks_like_mp4(src):
                raise MediaError(
                    "the video is incomplete (its index, the 'moov' atom, is missing: the "
                    "recording was cut off): copy or export it again from the camera or phone"
                ) from exc
            raise MediaError(
                f"ffmpeg cannot read it as video ({exc.detail}): export it again as MP4 (H.264)"
            ) from exc
    video = _VIDEO.search(text)
    if video is None:
        raise MediaError(
            "it has no picture (no video stream): name it as an audio recording, or "
            "export the video again"
        )
    width, height = int(video.group(2)), int(video.group(3))
    if width > MAX_SIDE or height > MAX_SIDE:
        raise MediaError(
            f"its picture claims {width}x{height} pixels, more than the {MAX_SIDE} we convert: "
            "export it at 4K or less"
        )
    dur = _DURATION.search(text)
    duration = (
        int(dur.group(1)) * 3600 + int(dur.group(2)) * 60 + float(dur.group(3)) if dur else 0.0
    )
    if duration <= 0:
        raise MediaError("ffmpeg cannot tell how long it is: export the video again")
    rot = _ROTATION.search(text)
    rotation = round(float(rot.group(1))) % 360 if rot else 0
    audio = _AUDIO.search(text)
    return VideoInfo(
        duration=duration,
        width=width,
        height=height,
        rotation=rotation if rotation in (0, 90, 180, 270) else 0,
        video_codec=video.group(1),
        audio_codec=audio.group(1) if audio else None,
    )


def output_height(info: VideoInfo, recipe: VideoRecipe) -> int:
    """The height of the MP4: the recipe's, but never more than the upright source's."""
    return min(recipe.height, info.display_size[1])


def _scale(height: int) -> str:
    # Even sizes (yuv420p needs them); width follows the aspect ratio.
    return f"scale=-2:{height - height % 2}:flags=bicubic,setsar=1"


def _poster_time(src: Path, info: VideoInfo, recipe: VideoRecipe, at: float | None) -> float:
    """``at`` when given (clamped into the video), else the first frame that is not black."""
    if at is not None:
        return max(0.0, min(float(at), max(0.0, info.duration - 0.05)))
    # blackframe reports each frame that is at least 98% dark; the first frame it does
    # not report is the poster. Only the first few seconds are looked at.
    scan = min(info.duration, 10.0)
    threshold = int(recipe.black_threshold * 255)
    text = ff.run(
        [
            "-t", f"{scan:.3f}", "-i", str(src), "-map", "0:v:0",
            "-vf", f"scale=160:-2,blackframe=amount=98:threshold={threshold}",
            "-f", "null", "-",
        ],
        loglevel="info",
    )  # fmt: skip
    black = {int(n) for n in re.findall(r"\bframe:(\d+) pblack:", text)}
    frame = 0
    while frame in black:
        frame += 1
    fps_match = re.search(r"(\d+(?:\.\d+)?) fps", text)
    fps = float(fps_match.group(1)) if fps_match else 25.0
    return min(frame / fps, max(0.0, info.duration - 0.05))


# -- redaction (a story's `redact:` spans; see immersion/redaction.py) ----------------

REDACT_PAD_S = 0.05  # as the master's silence (media/master.py): a little wider than written


def redacted_picture(spans: tuple[tuple[float, float, str], ...]) -> str:
    """The filters that black out (`blank`) or blur (`blur`) the picture during each
    redacted span, to run first in the chain (source time); '' without spans.

    The poster is taken outside every span (see `_clear_of`)."""
    out = []
    for start, end, picture in spans:
        during = (
            f"enable=between(t\\,{max(0.0, start - REDACT_PAD_S):.3f}\\,{end + REDACT_PAD_S:.3f})"
        )
        if picture == "blur":
            radius = "lr=min(w\\,h)/10:lp=4:cr=min(cw\\,ch)/10:cp=4"
            out.append(f"boxblur={radius}:{during}")
        else:
            out.append(f"drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:{during}")
    return ",".join(out)


def _clear_of(at: float, spans: tuple[tuple[float, float, str], ...], duration: float) -> float:
    """`at`, or the first moment after it (else before it) that no span covers."""
    for _ in spans:  # moving past one span may land in the next
        inside = [
            end for start, end, _p in spans if start - REDACT_PAD_S <= at <= end + REDACT_PAD_S
        ]
        if not inside:
            return at
        at = max(inside) + REDACT_PAD_S + 0.05
    if at < duration - 0.05:
        return at
    starts = [start for start, _e, _p in spans]
    return max(0.0, min(starts) - REDACT_PAD_S - 0.05)


def convert_video(
    src: Path,
    out_dir: Path,
    recipe: VideoRecipe,
    *,
    audio: Path | None = None,
    with_audio: bool = True,
    poster_at: float | None = None,
    redact: tuple[tuple[float, float, str], ...] = (),
) -> VideoResult:
    """Write ``video.mp4``, ``poster.webp`` and ``poster.jpg`` of ``src`` into ``out_dir``.

    ``audio``: the recording's loudness-normalised master (see `media/audio.py`),
    muxed as AAC instead of the source's own track; without it the source's first
    audio track is used as is. ``with_audio=False`` (consent without ``voice``):
    the MP4 has no audio stream at all. Rotation is applied (ffmpeg autorotates), so
    the MP4 is stored upright and carries no display matrix. ``redact``: (start, end,
    blank|blur) spans whose picture is hidden (:func:`redacted_picture`); their sound
    is already silent in ``audio``.
    """
    src, out_dir = Path(src), Path(out_dir)
    info = probe(src)
    out_dir.mkdir(parents=True, exist_ok=True)
    height = output_height(info, recipe)
    inputs = ["-i", str(src)]
    maps = ["-map", "0:v:0"]
    has_audio = False
    if with_audio and audio is not None:
        inputs += ["-i", str(audio)]
        maps += ["-map", "1:a:0"]
        has_audio = True
    elif with_audio and info.audio_codec:
        maps += ["-map", "0:a:0"]
        has_audio = True
    with _partials(out_dir) as partials:
        tmp = partials.new(VIDEO)
        ff.run([
            *inputs, *maps,
            "-vf", ",".join(x for x in (redacted_picture(redact), _scale(height)) if x)
            + ",format=yuv420p",
            "-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p",
            "-preset", recipe.preset, "-crf", str(recipe.crf),
            *(["-c:a", "aac", "-b:a", recipe.aac_bitrate] if has_audio else ["-an"]),
            "-sn", "-dn", "-map_metadata", "-1", "-map_chapters", "-1",
            "-metadata:s:v", "rotate=0", "-movflags", "+faststart",
            *_BITEXACT, "-f", "mp4", "-y", str(tmp),
        ])  # fmt: skip
        partials.keep(tmp, out_dir / VIDEO)
        at = _clear_of(_poster_time(src, info, recipe, poster_at), redact, info.duration)
        poster_h = min(height, round(recipe.poster_width * 9 / 16))
        posters = [(POSTER_WEBP, "webp"), (POSTER_JPEG, "mjpeg")]
        args = ["-ss", f"{at:.3f}", "-i", str(src)]
        made = [(name, partials.new(name)) for name, _ in posters]
        for (_name, tmp_poster), (_, fmt) in zip(made, posters, strict=True):
            codec = (
                ["-c:v", "libwebp", "-quality", str(recipe.poster_quality)]
                if fmt == "webp"
                else ["-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj420p"]
            )
            args += ["-map", "0:v:0", "-frames:v", "1", "-vf", _scale(poster_h), *codec]
            args += ["-map_metadata", "-1", *_BITEXACT, "-f", "image2", "-y", str(tmp_poster)]
        ff.run(args)
        for name, tmp_poster in made:
            partials.keep(tmp_poster, out_dir / name)
    out = probe(out_dir / VIDEO)
    return VideoResult(
        width=out.width,
        height=out.height,
        duration=out.duration,
        has_audio=has_audio,
        files={"mp4": VIDEO, "webp": POSTER_WEBP, "jpeg": POSTER_JPEG},
    )
