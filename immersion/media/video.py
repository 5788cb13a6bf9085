"""Video sources: probe one, and make its MP4s (H.264), poster frames and highlight clips.

ffmpeg is the only tool (there is no ffprobe): :func:`probe` reads what
``ffmpeg -i FILE`` prints about the input (duration, the first video stream's
size, colour and display-matrix rotation, whether there is audio).
:func:`convert_video` is the whole job for one video, run like
`convert_recording` in a worker: a path, a frozen :class:`VideoRecipe`, nothing
else read, every output written under a ``.partial-`` name and renamed when
complete.

One decode makes every height: the picture is decoded once, turned upright and
(for HDR) tone-mapped once, then split into one scaler and encoder per height
(720p always, 1080p when a display needs it, never more than the source has), and
a small branch of the first seconds finds the first frame that is not black for
the poster. The poster is then one seek into the source; each highlight clip is a
seek and a few seconds' decode of its own.

The audio of a video is a recording like any other: the pool makes its
loudness-normalised master with `media/audio.py`, and that master (not the raw
track) is what goes into the MP4s and clips, so a video sounds exactly as loud as
its audio-only renditions. No metadata of the source is copied (``-map_metadata
-1``, ``-map_chapters -1``, bitexact muxing): a phone's location, make and model
stay in the building.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from immersion.media import ffmpeg as ff
from immersion.media.faces import SAMPLE_WIDTH, SAMPLES, pick_face_frame
from immersion.media.faces import available as faces_available
from immersion.media.partials import _partials
from immersion.media.recipes import Clip, MediaError, check_source

DEFAULT_HEIGHT = 720  # what the intranet plays, and `Renditions.video(ref)` returns
HEIGHTS = (720, 1080)  # the heights a display may ask for
VIDEO = "video.mp4"  # the default height's MP4
POSTER_WEBP = "poster.webp"
POSTER_JPEG = "poster.jpg"
OUTPUTS = (VIDEO, POSTER_WEBP, POSTER_JPEG)  # what every video gets

# A video longer than this is refused from its header, before anything is decoded: a
# camera left running all day would otherwise hold a worker for hours (and a 10-hour
# silent file is a mistake, not an interview). Two-hour interviews convert.
MAX_SECONDS = 4 * 3600
MAX_SIDE = 8192  # a header claiming more is refused before any decode
POSTER_SCAN_SECONDS = 10.0  # the first non-black frame is looked for this far in

_BITEXACT = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"]
_SDR_TAGS = ["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709"]


def video_name(height: int) -> str:
    """The file of the MP4 at ``height``: the default height keeps the plain name."""
    return VIDEO if height == DEFAULT_HEIGHT else f"video-{height}.mp4"


def clip_name(clip_id: str) -> str:
    return f"clip-{clip_id}.mp4"


@dataclass(frozen=True)
class VideoRecipe:
    """One video -> MP4s at the heights asked for (never upscaled), a poster pair, clips."""

    height: int = DEFAULT_HEIGHT  # the default height
    crf: int = 23
    preset: str = "veryfast"
    aac_bitrate: str = "96k"
    poster_width: int = 1280
    poster_quality: int = 80
    black_threshold: float = 0.1  # poster: skip frames whose luma mean is under this (0..1)
    # poster: prefer a frame with a face (media/faces.py), when the `faces` extra is there
    faces: bool = field(default_factory=faces_available)
    clip_fade_ms: int = 150
    tone_map: str = "hable"  # HDR -> SDR operator (ffmpeg's tonemap filter)


@dataclass(frozen=True)
class VideoWants:
    """What the audiences need of one video, beyond the recipe (merged over audiences)."""

    heights: tuple[int, ...] = (DEFAULT_HEIGHT,)
    with_audio: bool = True  # False: the consent lacks `voice`, no audio track anywhere
    poster_at: float | None = None  # seconds; None: the first frame that is not black
    clips: tuple[Clip, ...] = ()


@dataclass(frozen=True)
class VideoInfo:
    """What :func:`probe` learnt of a file; ``width``/``height`` are as stored (pre-rotation)."""

    duration: float
    width: int
    height: int
    rotation: int  # degrees, 0/90/180/270, from the display matrix
    video_codec: str
    audio_codec: str | None
    pix_fmt: str = ""
    # (range, matrix, primaries, transfer) as ffmpeg names them; "" when not tagged
    colour: tuple[str, str, str, str] = ("", "", "", "")

    @property
    def display_size(self) -> tuple[int, int]:
        """The upright size, as a player shows it."""
        if self.rotation in (90, 270):
            return self.height, self.width
        return self.width, self.height

    @property
    def hdr(self) -> bool:
        """PQ (smpte2084) or HLG (arib-std-b67): a phone's HDR, which needs tone mapping."""
        return self.colour[3] in ("smpte2084", "arib-std-b67")


@dataclass(frozen=True)
class VideoResult:
    width: int  # of the default-height MP4 (or the largest made, without one)
    height: int
    duration: float
    has_audio: bool
    files: dict[str, str]  # output name -> file name in out_dir (what this call wrote)
    source_height: int = 0  # the upright source's height: which heights it can have
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # MP4 name -> size


_DURATION = re.compile(r"Duration:\s*(\d+):(\d\d):(\d\d(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\d+:\d+[^:]*: Video: (\w+)[^\n]*?, (\d{2,5})x(\d{2,5})")
_PIX = re.compile(r"Stream #\d+:\d+[^:]*: Video: [^\n]*?, (\w+)(?:\(([^)]*)\))?, \d{2,5}x\d{2,5}")
_AUDIO = re.compile(r"Stream #\d+:\d+[^:]*: Audio: (\w+)")
_ROTATION = re.compile(r"Display Matrix: rotation of (-?\d+(?:\.\d+)?) degrees")
_BOXES = {b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


def _looks_like_mp4(src: Path) -> bool:
    """Whether the file starts like an MP4/MOV (a box type at byte 4), i.e. was cut off
    rather than never a video (a text file named .mov also lacks a moov atom)."""
    with src.open("rb") as fh:
        return fh.read(8)[4:8] in _BOXES


def _colour(tags: str | None) -> tuple[str, str, str, str]:
    """ffmpeg's ``(tv, bt2020nc/bt2020/smpte2084, progressive)``: range, matrix, primaries,
    transfer. One name stands for all three when they agree (``(tv, bt709)``)."""
    if not tags:
        return ("", "", "", "")
    parts = [p.strip() for p in tags.split(",")]
    rng = parts[0] if parts and parts[0] in ("tv", "pc") else ""
    rest = [p for p in parts if "/" in p or p.startswith(("bt", "smpte", "arib"))]
    if not rest:
        return (rng, "", "", "")
    names = rest[0].split("/")
    if len(names) == 1:
        names = names * 3
    matrix, primaries, transfer = ((n if n != "unknown" else "") for n in names[:3])
    return (rng, matrix, primaries, transfer)


def _length(seconds: float) -> str:
    hours, rest = divmod(round(seconds), 3600)
    return f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min {rest % 60} s"


def probe(src: Path) -> VideoInfo:
    """Duration, video stream and audio stream of ``src``, from ``ffmpeg -i``'s report.

    Raises :class:`MediaError` naming what is wrong and how to fix it: among others a
    video longer than :data:`MAX_SECONDS`, refused from its header alone.
    """
    src = Path(src)
    check_source(src, "the file is empty (0 bytes): export the video again")
    # `-i` with no output prints the input report, then exits non-zero ("at least one
    # output file must be specified"): the report is what we want, and an input that
    # ffmpeg cannot open has none.
    try:
        text = ff.run(["-i", str(src)], loglevel="info")
    except ff.FFmpegError as exc:
        text = exc.stderr
        if "Input #0" not in text:
            if "no such file" in text.lower() and not src.exists():
                raise MediaError("the file disappeared while it was being read") from exc
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
    if duration > MAX_SECONDS:
        raise MediaError(
            f"it lasts {_length(duration)}, longer than the {MAX_SECONDS // 3600} h a video "
            "may last: cut it into parts, or trim what was recorded by mistake"
        )
    rot = _ROTATION.search(text)
    rotation = round(float(rot.group(1))) % 360 if rot else 0
    audio = _AUDIO.search(text)
    pix = _PIX.search(text)
    return VideoInfo(
        duration=duration,
        width=width,
        height=height,
        rotation=rotation if rotation in (0, 90, 180, 270) else 0,
        video_codec=video.group(1),
        audio_codec=audio.group(1) if audio else None,
        pix_fmt=pix.group(1) if pix else "",
        colour=_colour(pix.group(2) if pix else None),
    )


# -------------------------------------------------------------------- planning (pure)


def planned_heights(source_height: int, wanted: Collection[int]) -> dict[str, int]:
    """{MP4 name: height} for an upright source this tall: every wanted height it can
    fill, never upscaled; a source shorter than all of them gets one MP4 at its own
    height, under the default name (a 720p source asked for 720 and 1080 gets 720 only).
    """
    even = source_height - source_height % 2
    fitting = {video_name(h): h for h in sorted(set(wanted)) if h <= source_height}
    return fitting or {VIDEO: even}


def display_video_height(resolution: tuple[int, int]) -> int:
    """The MP4 height a display plays: the smallest of :data:`HEIGHTS` that fills its
    shorter side (a 1920x1080 screen, landscape or portrait, plays 1080p; a 1280x720
    one 720p; anything larger the largest there is)."""
    needed = min(resolution)
    return next((h for h in HEIGHTS if h >= needed), HEIGHTS[-1])


def nominal_height(name: str) -> int:
    """The height an MP4's name stands for: ``video.mp4`` is the default's."""
    if name == VIDEO:
        return DEFAULT_HEIGHT
    return int(name.removeprefix("video-").removesuffix(".mp4"))


def output_height(info: VideoInfo, recipe: VideoRecipe) -> int:
    """The height of the default MP4: the recipe's, but never more than the upright source's."""
    return min(recipe.height, info.display_size[1])


def picture_filter(info: VideoInfo, recipe: VideoRecipe) -> str:
    """What every picture of the video goes through first: HDR tone-mapped to SDR bt709.

    zscale needs to know what it converts from; a phone's HEVC often tags only some of
    its colour (or the tags are lost between decoder and filter), and then the graph
    fails with "no path between colorspaces". So the input's transfer, matrix,
    primaries and range are given explicitly, from the probe (bt2020 where untagged).
    """
    if not info.hdr:
        return ""
    rng, matrix, primaries, transfer = info.colour
    return (
        f"zscale=tin={transfer}:min={matrix or 'bt2020nc'}:pin={primaries or 'bt2020'}"
        f":rin={'full' if rng == 'pc' else 'limited'}:t=linear:npl=100,format=gbrpf32le,"
        f"zscale=p=bt709,tonemap={recipe.tone_map}:desat=0,"
        "zscale=t=bt709:m=bt709:r=limited,format=yuv420p,"
    )


def _scale(height: int) -> str:
    # Even sizes (yuv420p needs them); width follows the aspect ratio.
    return f"scale=-2:{height - height % 2}:flags=bicubic,setsar=1"


def _x264(recipe: VideoRecipe, hdr: bool) -> list[str]:
    return [
        "-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-preset", recipe.preset, "-crf", str(recipe.crf), *(_SDR_TAGS if hdr else []),
    ]  # fmt: skip


def _container() -> list[str]:
    return [
        "-sn", "-dn", "-map_metadata", "-1", "-map_chapters", "-1",
        "-metadata:s:v", "rotate=0", "-movflags", "+faststart", *_BITEXACT, "-f", "mp4",
    ]  # fmt: skip


def _first_bright_frame(log: str, info: VideoInfo) -> float:
    """The time of the first frame blackframe did not report (it reports the dark ones)."""
    black = {int(n) for n in re.findall(r"\bframe:(\d+) pblack:", log)}
    frame = 0
    while frame in black:
        frame += 1
    fps_match = re.search(r"(\d+(?:\.\d+)?) fps", log)
    fps = float(fps_match.group(1)) if fps_match else 25.0
    return min(frame / fps, max(0.0, info.duration - 0.05))


def _face_frame(
    src: Path,
    info: VideoInfo,
    pre: str,
    redact: tuple[tuple[float, float, str], ...],
    start: float,
    out_dir: Path,
) -> float:
    """The poster's time: among a few frames from the first bright one on, the one with
    the largest face (media/faces.py), else `start`. One small decode of the first
    POSTER_SCAN_SECONDS, each sample a greyscale PGM in a partial folder."""
    end = min(info.duration, max(start, 0.0) + POSTER_SCAN_SECONDS)
    span = end - start
    if span <= 0.05:
        return start
    step = span / SAMPLES
    # A partial folder (removed however this ends; a killed worker's is swept as any).
    with tempfile.TemporaryDirectory(prefix=".partial-faces-", dir=out_dir) as tmp:
        folder = Path(tmp)
        ff.run(
            [
                "-ss", f"{start:.3f}", "-t", f"{span:.3f}", "-i", str(src), "-map", "0:v:0",
                "-vf", f"{pre}{_shifted_picture(redact, start)}fps=1/{step:.6f}:start_time=0,"
                f"scale={SAMPLE_WIDTH}:-2,format=gray",
                "-frames:v", str(SAMPLES), "-an", "-y", str(folder / "f%02d.pgm"),
            ]
        )  # fmt: skip
        frames = sorted(folder.glob("f*.pgm"))
        found = pick_face_frame([(start + i * step, path) for i, path in enumerate(frames)])
    return start if found is None else min(found, max(0.0, info.duration - 0.05))


# -- redaction (a story's `redact:` spans; see immersion/redaction.py) ----------------

REDACT_PAD_S = 0.05  # as the master's silence (media/master.py): a little wider than written


def redacted_picture(spans: tuple[tuple[float, float, str], ...]) -> str:
    """The filters that black out (`blank`) or blur (`blur`) the picture during each
    redacted span, to run right after `picture_filter` (source time); '' without spans.

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


def _shifted_picture(spans: tuple[tuple[float, float, str], ...], offset: float) -> str:
    """`redacted_picture` for an output whose input was seeked to `offset` (its time
    starts at 0 there), with a trailing comma; '' without spans."""
    moved = tuple((start - offset, end - offset, picture) for start, end, picture in spans)
    hide = redacted_picture(tuple(span for span in moved if span[1] + REDACT_PAD_S > 0))
    return f"{hide}," if hide else ""


def _clamp(at: float, info: VideoInfo) -> float:
    return max(0.0, min(float(at), max(0.0, info.duration - 0.05)))


# -------------------------------------------------------------------- the job


def convert_video(
    src: Path,
    out_dir: Path,
    recipe: VideoRecipe,
    *,
    audio: Path | None = None,
    with_audio: bool = True,
    poster_at: float | None = None,
    redact: tuple[tuple[float, float, str], ...] = (),
    heights: Sequence[int] | None = None,
    clips: Sequence[Clip] = (),
    only: Collection[str] | None = None,
    info: VideoInfo | None = None,
) -> VideoResult:
    """Write the MP4s, ``poster.webp``/``poster.jpg`` and clips of ``src`` into ``out_dir``.

    ``heights``: the MP4s wanted (default: the recipe's height), see
    :func:`planned_heights`. ``audio``: the recording's loudness-normalised master
    (see `media/audio.py`), muxed as AAC instead of the source's own track; without it
    the source's first audio track is used as is. ``with_audio=False`` (consent without
    ``voice``): no MP4 or clip has an audio stream at all. ``poster_at``: the poster's
    second (None: the first frame that is not black). ``clips``: each a ``clip-ID.mp4``
    at the default height, faded in and out. ``only``: the names to write (None: all).
    Rotation is applied (ffmpeg autorotates), so every output is stored upright and
    carries no display matrix. ``redact``: (start, end, blank|blur) spans whose picture
    is hidden (:func:`redacted_picture`, right after :func:`picture_filter`, in every
    MP4, clip and poster); their sound is already silent in ``audio``; the poster is
    taken clear of them (:func:`_clear_of`). ``info``: what :func:`probe` said of
    ``src``, when the caller has just asked (one ``ffmpeg -i`` fewer).
    """
    src, out_dir = Path(src), Path(out_dir)
    info = info or probe(src)
    out_dir.mkdir(parents=True, exist_ok=True)
    upright = info.display_size[1]
    default = output_height(info, recipe)
    plan = planned_heights(upright, heights or (recipe.height,))
    if heights is None:
        plan = {VIDEO: default}
    wanted = None if only is None else set(only)

    def want(name: str) -> bool:
        return wanted is None or name in wanted

    audio_in: list[str] = []
    audio_map: list[str] = []
    if with_audio and audio is not None:
        audio_in, audio_map = ["-i", str(audio)], ["-map", "1:a:0"]
    elif with_audio and info.audio_codec:
        audio_map = ["-map", "0:a:0"]
    has_audio = bool(audio_map)
    aac = ["-c:a", "aac", "-b:a", recipe.aac_bitrate] if has_audio else ["-an"]
    pre = picture_filter(info, recipe)
    # The redacted spans' picture hidden right after the tone-mapping, in source time.
    blanked = pre + (f"{hide}," if (hide := redacted_picture(redact)) else "")
    made: dict[str, str] = {}
    with _partials(out_dir) as partials:
        mp4s = [(name, h) for name, h in plan.items() if want(name)]
        scan = poster_at is None and (want(POSTER_JPEG) or want(POSTER_WEBP))
        at = _clamp(poster_at, info) if poster_at is not None else 0.0
        if mp4s or scan:
            # One decode: upright (and tone-mapped) once, split into each height and,
            # for the poster, a look at the first seconds in miniature.
            branches = len(mp4s) + (1 if scan else 0)
            graph = [
                f"[0:v:0]{blanked}split={branches}" + "".join(f"[s{i}]" for i in range(branches))
            ]
            args = ["-i", str(src), *audio_in]
            outputs: list[str] = []
            for i, (name, h) in enumerate(mp4s):
                graph.append(f"[s{i}]{_scale(h)},format=yuv420p[v{i}]")
                tmp = partials.new(name)
                outputs += ["-map", f"[v{i}]", *audio_map, *_x264(recipe, info.hdr), *aac]
                outputs += [*_container(), "-y", str(tmp)]
                made[name] = str(tmp)
            if scan:
                threshold = int(recipe.black_threshold * 255)
                graph.append(
                    f"[s{len(mp4s)}]trim=end={min(info.duration, POSTER_SCAN_SECONDS):.3f},"
                    f"scale=160:-2,blackframe=amount=98:threshold={threshold},nullsink"
                )
            if not outputs:  # only the poster is missing: the scan alone, to nowhere
                outputs = ["-map", "[scan]", "-f", "null", "-"]
                graph[-1] = graph[-1].removesuffix(",nullsink") + "[scan]"
            log = ff.run([*args, "-filter_complex", ";".join(graph), *outputs], loglevel="info")
            if scan:
                at = _first_bright_frame(log, info)
                if recipe.faces:
                    at = _face_frame(src, info, pre, redact, at, out_dir)
            for name, _h in mp4s:
                partials.keep(Path(made[name]), out_dir / name)
                made[name] = name
        posters = [(n, f) for n, f in ((POSTER_WEBP, "webp"), (POSTER_JPEG, "mjpeg")) if want(n)]
        if posters:
            at = _clear_of(at, redact, info.duration)
            # A seek starts the poster's own time at 0: the spans follow it.
            poster_pre = pre + _shifted_picture(redact, at)
            poster_h = min(default, round(recipe.poster_width * 9 / 16))
            args = ["-ss", f"{at:.3f}", "-i", str(src)]
            tmps = []
            for name, fmt in posters:
                codec = (
                    ["-c:v", "libwebp", "-quality", str(recipe.poster_quality)]
                    if fmt == "webp"
                    else ["-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj420p"]
                )
                tmp = partials.new(name)
                tmps.append((name, tmp))
                args += [
                    "-map",
                    "0:v:0",
                    "-frames:v",
                    "1",
                    "-vf",
                    f"{poster_pre}{_scale(poster_h)}",
                ]
                args += [*codec, "-map_metadata", "-1", *_BITEXACT, "-f", "image2", "-y", str(tmp)]
            ff.run(args)
            for name, tmp in tmps:
                partials.keep(tmp, out_dir / name)
                made[name] = name
        for clip in clips:
            name = clip_name(clip.id)
            if want(name):
                tmp = partials.new(name)
                sound = (audio or src) if has_audio else None
                clip_pre = pre + _shifted_picture(redact, max(0.0, float(clip.start)))
                _cut_clip(src, info, clip, default, recipe, tmp, clip_pre, sound)
                partials.keep(tmp, out_dir / name)
                made[name] = name
    sizes = {name: _size_of(out_dir / name) for name in plan if name in made}
    first = sizes.get(VIDEO) or next(iter(sizes.values()), (0, 0))
    return VideoResult(
        width=first[0],
        height=first[1],
        duration=info.duration,
        has_audio=has_audio,
        files=made,
        source_height=upright,
        sizes=sizes,
    )


def _size_of(path: Path) -> tuple[int, int]:
    out = probe(path)
    return out.display_size


def _cut_clip(
    src: Path,
    info: VideoInfo,
    clip: Clip,
    height: int,
    recipe: VideoRecipe,
    dest: Path,
    pre: str,
    sound: Path | None,
) -> None:
    """A highlight as its own short MP4: only its stretch is decoded, faded in and out.

    ``sound``: the master (or the source itself) whose first audio track the clip
    carries; None for a clip with no sound."""
    start = max(0.0, float(clip.start))
    if start >= info.duration:
        raise MediaError(
            f"highlight {clip.id!r} starts at {clip.start:.1f} s, after the video ends "
            f"({info.duration:.1f} s)"
        )
    end = min(float(clip.end), info.duration)
    length = end - start
    if length <= 0:
        raise MediaError(
            f"highlight {clip.id!r} ends ({clip.end} s) before it starts ({clip.start} s)"
        )
    fade = min(recipe.clip_fade_ms / 1000, length / 4)  # never more than a quarter each way
    out_at = max(0.0, length - fade)
    span = ["-ss", f"{start:.6f}", "-t", f"{length:.6f}"]
    args = [*span, "-i", str(src)]
    maps = ["-map", "0:v:0"]
    audio: list[str] = ["-an"]
    if sound is not None:
        if sound != src:
            args += [*span, "-i", str(sound)]
        maps += ["-map", f"{0 if sound == src else 1}:a:0"]
        audio = [
            "-af", f"asetpts=PTS-STARTPTS,afade=t=in:st=0:d={fade:.3f},"
            f"afade=t=out:st={out_at:.3f}:d={fade:.3f}",
            "-c:a", "aac", "-b:a", recipe.aac_bitrate,
        ]  # fmt: skip
    picture = (
        f"{pre}setpts=PTS-STARTPTS,{_scale(height)},fade=t=in:st=0:d={fade:.3f},"
        f"fade=t=out:st={out_at:.3f}:d={fade:.3f},format=yuv420p"
    )
    ff.run([
        *args, *maps, "-vf", picture, *_x264(recipe, bool(pre)), *audio,
        "-t", f"{length:.6f}", *_container(), "-y", str(dest),
    ])  # fmt: skip


def mp4_names(wants: VideoWants, source_height: int | None) -> list[str]:
    """The names of every MP4 a video with these wants gets (all heights while the
    source's height is unknown: the worker then makes what the source can fill)."""
    if source_height is None:
        return [video_name(h) for h in sorted(set(wants.heights))]
    return list(planned_heights(source_height, wants.heights))


def sizes_of(meta: Mapping[str, object]) -> dict[str, tuple[int, int]]:
    """The cached {MP4 name: (width, height)} of a video's meta."""
    raw = meta.get("sizes")
    if not isinstance(raw, dict):
        return {}
    return {str(k): (int(v[0]), int(v[1])) for k, v in raw.items()}
