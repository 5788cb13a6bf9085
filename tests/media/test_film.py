"""The photo film's MP4: the pure planning (timeline, sizes, concat script, progress),
then frames and a tiny encode checked by what a viewer would see."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image
from PIL.JpegImagePlugin import JpegImageFile

from immersion.media import film
from immersion.media.film import (
    FilmInputs,
    ProgressReader,
    Shot,
    concat_list,
    fit_inside,
    parse_size,
    plan_timeline,
    render_frame,
    write_frames,
)
from immersion.media.recipes import MediaError

# --------------------------------------------------------------------------- timeline


@pytest.mark.parametrize(
    ("seconds", "narration", "shots", "duration", "pad"),
    [
        # no narration: the frames' own seconds
        ([2, 3, 1.6], None, [(0, 2), (2, 5), (5, 6.6)], 6.6, False),
        # off the 25 fps grid: the cut is rounded to the nearest video frame
        ([2, 3, 1.5], None, [(0, 2), (2, 5), (5, 6.52)], 6.52, False),
        # narration longer: the last frame holds until it ends (on the next video frame)
        ([2, 3], 7.3, [(0, 2), (2, 7.32)], 7.32, False),
        ([2, 3], 7.32, [(0, 2), (2, 7.32)], 7.32, False),
        # equal
        ([1, 1.6, 1.4], 4.0, [(0, 1), (1, 2.6), (2.6, 4)], 4.0, False),
        # narration a little shorter: frames keep their seconds, audio just ends first
        ([2, 3], 4.8, [(0, 2), (2, 5)], 5.0, False),
        # narration much shorter: frames keep their seconds, silence is encoded after it
        ([2, 3, 4], 6.0, [(0, 2), (2, 5), (5, 9)], 9.0, True),
        # cuts are rounded to the 25 fps grid without drift
        ([1.01, 1.01, 1.01], None, [(0, 1.0), (1.0, 2.04), (2.04, 3.04)], 3.04, False),
        # the demo film: five frames over 52.25 s of narration
        (
            [13.25, 10.35, 8.3, 12.85, 7.5],
            52.25,
            [(0, 13.24), (13.24, 23.6), (23.6, 31.92), (31.92, 44.76), (44.76, 52.28)],
            52.28,
            False,
        ),
    ],
)
def test_plan_timeline(
    seconds: list[float],
    narration: float | None,
    shots: list[tuple[float, float]],
    duration: float,
    pad: bool,
) -> None:
    timeline = plan_timeline(seconds, narration)
    got = [t for s in timeline.shots for t in (s.start, s.end)]
    assert got == pytest.approx([t for span in shots for t in span])
    assert [s.frame for s in timeline.shots] == list(range(len(seconds)))
    assert timeline.duration == pytest.approx(duration)
    assert timeline.video_frames == round(duration * 25)
    assert timeline.pad_audio is pad
    if narration is not None:
        assert timeline.duration >= narration  # the narration is never cut
        assert timeline.duration - narration < 0.5 or timeline.pad_audio


def test_timeline_facts() -> None:
    long = plan_timeline([2, 3, 4], 6.0)
    assert long.frames_seconds == 9 and long.overrun == pytest.approx(3.0)
    assert plan_timeline([2, 3], None).overrun == 0.0
    assert plan_timeline([2, 3], 9.0).overrun == 0.0
    assert Shot(0, 1.0, 2.5).seconds == 1.5


def test_every_frame_gets_a_video_frame() -> None:
    timeline = plan_timeline([0.01, 0.01, 0.01], None)
    assert [round(s.seconds * 25) for s in timeline.shots] == [1, 1, 1]


@pytest.mark.parametrize(
    ("seconds", "narration"),
    [([], None), ([1, 0], None), ([1, -2], None), ([float("nan")], None), ([1], 0.0)],
)
def test_timeline_refuses_nonsense(seconds: list[float], narration: float | None) -> None:
    with pytest.raises(ValueError):
        plan_timeline(seconds, narration)


def test_concat_list_repeats_the_last_picture() -> None:
    timeline = plan_timeline([1, 1.6, 1.4], 4.0)
    files = [Path("/w/a.png"), Path("/w/b.png"), Path("/w/it's.png")]
    assert concat_list(timeline, files).splitlines() == [
        "ffconcat version 1.0",
        "file '/w/a.png'",
        "duration 1.000000",
        "file '/w/b.png'",
        "duration 1.600000",
        "file '/w/it'\\''s.png'",
        "duration 1.400000",
        "file '/w/it'\\''s.png'",
    ]


# --------------------------------------------------------------------------- sizes


@pytest.mark.parametrize(
    ("text", "size"),
    [("1920x1080", (1920, 1080)), ("1080X1920", (1080, 1920)), (" 320x180 ", (320, 180))],
)
def test_parse_size(text: str, size: tuple[int, int]) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("1921x1080", "even numbers from 180 to 7680"),
        ("7682x4320", "even numbers from 180 to 7680"),
        ("100x100", "even numbers from 180 to 7680"),
        ("big", "'big' is not a size"),
        ("1920", "is not a size"),
        ("-1920x1080", "is not a size"),
        ("7680x7680", "larger than 8K"),
    ],
)
def test_parse_size_refuses(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_size(text)


@pytest.mark.parametrize(
    ("size", "box", "fitted"),
    [
        ((1440, 960), (1920, 1080), (1620, 1080)),  # 3:2 in 16:9: pillarboxed
        ((960, 1440), (1920, 1080), (720, 1080)),  # portrait
        ((4000, 1000), (1920, 1080), (1920, 480)),  # panorama: letterboxed
        ((1920, 1080), (1920, 1080), (1920, 1080)),
        ((640, 360), (1920, 1080), (1920, 1080)),  # small photos are scaled up to fit
        ((3000, 1), (320, 180), (320, 1)),  # never 0 px
    ],
)
def test_fit_inside(size: tuple[int, int], box: tuple[int, int], fitted: tuple[int, int]) -> None:
    assert fit_inside(*size, *box) == fitted


# --------------------------------------------------------------------------- progress


def test_progress_reads_frames_across_chunks() -> None:
    seen: list[float] = []
    reader = ProgressReader(seen.append, fps=25)
    reader.feed(b"frame=0\nout_time_us=N/A\nprogress=continue\nfra")
    reader.feed(b"me=50\nout_time_us=9000000\nprogress=continue\n")
    reader.feed(b"frame=50\nframe=100\nprogress=end\n")
    assert seen == [2.0, 4.0]
    assert reader.ended


def test_progress_falls_back_to_out_time() -> None:
    seen: list[float] = []
    reader = ProgressReader(seen.append)
    reader.feed(b"out_time_us=N/A\nout_time_us=1500000\nout_time_ms=2500000\n")
    assert seen == [1.5, 2.5]


# --------------------------------------------------------------------------- frames


def exif_jpeg(path: Path, upright: Image.Image, orientation: int = 1) -> Path:
    """Save `upright` as a camera would store it under `orientation` (1 or 6), with EXIF."""
    stored = upright.transpose(Image.Transpose.ROTATE_90) if orientation == 6 else upright
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010E] = "EXIF-DESCRIPTION-okapi"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 0.0)
    stored.save(path, "JPEG", exif=exif, quality=95)
    return path


def two_tone(size: tuple[int, int]) -> Image.Image:
    """Left half blue, right half yellow."""
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 255, 0), (size[0] // 2, 0, size[0], size[1]))
    return image


def near(colour: tuple[int, ...], want: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour[:3], want, strict=True))


def test_render_frame_upright_fitted_on_black(tmp_path: Path) -> None:
    src = exif_jpeg(tmp_path / "rotated.jpg", two_tone((1200, 800)), orientation=6)
    frame = render_frame(src, (320, 180))
    assert frame.size == (320, 180) and frame.mode == "RGB"
    assert not frame.info and not frame.getexif()
    # 3:2 in 16:9: 270x180 centred, black bars of 25 px each side
    assert near(frame.getpixel((5, 90)), (0, 0, 0), 8)
    assert near(frame.getpixel((314, 90)), (0, 0, 0), 8)
    assert near(frame.getpixel((80, 90)), (0, 0, 255))
    assert near(frame.getpixel((240, 90)), (255, 255, 0))
    assert near(frame.getpixel((160, 5)), (0, 0, 255)) or near(
        frame.getpixel((160, 5)), (255, 255, 0)
    )  # the picture reaches the top: no letterbox


def test_render_frame_drafts_big_jpegs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = exif_jpeg(tmp_path / "big.jpg", two_tone((4000, 3000)))
    requested: list[tuple[int, int]] = []
    original = JpegImageFile.draft

    def draft(self: JpegImageFile, mode: str | None, size: tuple[int, int] | None) -> object:
        requested.append(size or (0, 0))
        return original(self, mode, size)

    monkeypatch.setattr(JpegImageFile, "draft", draft)
    frame = render_frame(src, (320, 180))
    assert frame.size == (320, 180)
    assert requested and requested[0][0] <= 320  # decoded at 1/8 scale, not 4000 px


def test_write_frames_shares_repeated_photos(tmp_path: Path) -> None:
    a = exif_jpeg(tmp_path / "a.jpg", Image.new("RGB", (300, 200), (255, 0, 0)))
    b = exif_jpeg(tmp_path / "b.jpg", Image.new("RGB", (300, 200), (0, 255, 0)))
    out = tmp_path / "out"
    out.mkdir()
    ticks: list[int] = []
    pictures = write_frames([a, b, a], (320, 180), out, lambda: ticks.append(1))
    assert pictures[0] == pictures[2] != pictures[1]
    assert len(list(out.iterdir())) == 2 and len(ticks) == 3
    with Image.open(pictures[1]) as png:
        assert png.size == (320, 180) and not png.getexif()
        assert near(png.getpixel((160, 90)), (0, 255, 0), 8)


def test_a_broken_photo_names_itself(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff not really a jpeg")
    with pytest.raises(film.FrameError) as exc:
        write_frames([bad], (320, 180), tmp_path)
    assert exc.value.src == bad and isinstance(exc.value, MediaError)
    assert "not an image" in exc.value.reason or "damaged" in exc.value.reason


# --------------------------------------------------------------------------- encoding


def test_ffmpeg_args_copy_narration_and_mux_captions(tmp_path: Path) -> None:
    timeline = plan_timeline([1, 2], 3.0)
    args = film.ffmpeg_args(
        FilmInputs(tmp_path / "c", timeline, (320, 180), tmp_path / "a.m4a", tmp_path / "c.vtt"),
        tmp_path / "out.mp4",
    )
    text = " ".join(args)
    assert "-c:a copy" in text and "apad" not in text
    assert "-c:s mov_text" in text and "language=eng" in text
    assert "-map_metadata -1" in text and "-movflags +faststart" in text
    assert "-force_key_frames 0.000000,1.000000" in text
    assert "-t 3.000000" in text and args[-1] == str(tmp_path / "out.mp4")


def test_ffmpeg_args_pad_a_short_narration(tmp_path: Path) -> None:
    timeline = plan_timeline([2, 3], 3.0)
    text = " ".join(
        film.ffmpeg_args(
            FilmInputs(tmp_path / "c", timeline, (320, 180), tmp_path / "a.m4a"), tmp_path / "o"
        )
    )
    assert "apad=whole_dur=5.000000" in text and "-c:a aac" in text and "mov_text" not in text


def test_ffmpeg_args_silent_film(tmp_path: Path) -> None:
    timeline = plan_timeline([2, 3], None)
    args = film.ffmpeg_args(FilmInputs(tmp_path / "c", timeline, (320, 180)), tmp_path / "o")
    assert "-c:a" not in args and "1:a:0" not in args


def test_encode_a_tiny_silent_film(tmp_path: Path, ffmpeg: str) -> None:
    colours = [(255, 0, 0), (0, 200, 0)]
    sources = [
        exif_jpeg(tmp_path / f"{i}.jpg", Image.new("RGB", (320, 180), c))
        for i, c in enumerate(colours)
    ]
    timeline = plan_timeline([0.4, 0.6], None)
    pictures = write_frames(sources, (320, 180), tmp_path)
    concat = tmp_path / "frames.ffconcat"
    concat.write_text(concat_list(timeline, pictures), encoding="utf-8")
    seen: list[float] = []
    film.check_encoders()
    film.encode(FilmInputs(concat, timeline, (320, 180)), tmp_path / "out.mp4", seen.append)
    assert seen and seen[-1] == pytest.approx(1.0)
    log = subprocess.run(
        [ffmpeg, "-hide_banner", "-i", str(tmp_path / "out.mp4")],
        capture_output=True,
        text=True,
        check=False,
    ).stderr
    assert "Duration: 00:00:01.00" in log
    assert "Video: h264" in log and "yuv420p" in log and "Audio" not in log
