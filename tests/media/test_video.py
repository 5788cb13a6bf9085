"""Video sources: probing, the MP4 + poster rendition, metadata stripped, rotation applied."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from immersion.media import ffmpeg as ff
from immersion.media.recipes import MediaError
from immersion.media.renditions import VideoRendition
from immersion.media.video import (
    VideoRecipe,
    convert_video,
    display_video_height,
    planned_heights,
    probe,
)

LEAKS = (b"iPhone 15", b"Apple", b"+51.5074", b"000.1278")


def _ffmpeg(*args: str) -> None:
    subprocess.run([ff.find_ffmpeg(), "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("video")
    base = d / "base.mp4"
    # 320x240, 3 s, a red marker square top-left, a first second of black, a tone.
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=3",
        "-f", "lavfi", "-i", "sine=f=440:duration=3",
        "-vf", "drawbox=x=0:y=0:w=40:h=40:color=red:t=fill,"
        "drawbox=x=0:y=0:w=320:h=240:color=black:t=fill:enable='lt(t,1)'",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(base),
    )  # fmt: skip
    phone = d / "phone.mov"
    _ffmpeg(
        "-display_rotation", "90", "-i", str(base), "-c", "copy",
        "-metadata", "location=+51.5074-000.1278/", "-metadata", "make=Apple",
        "-metadata", "model=iPhone 15", str(phone),
    )  # fmt: skip
    silent = d / "silent.webm"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=2",
        "-c:v", "libvpx-vp9", "-deadline", "realtime", str(silent),
    )  # fmt: skip
    hd = d / "hd.mp4"
    # 1920x1080, 3 s: black for 1 s, then the pattern; red all over from 2 s (a poster: time).
    # 10 fps: every test of it is about heights and times, and 1080p frames cost the most.
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=1920x1080:rate=10:duration=3",
        "-f", "lavfi", "-i", "sine=f=440:duration=3",
        "-vf", "drawbox=x=0:y=0:w=1920:h=1080:color=black:t=fill:enable='lt(t,1)',"
        "drawbox=x=0:y=0:w=1920:h=1080:color=red:t=fill:enable='gte(t,2)'",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
        "-shortest", str(hd),
    )  # fmt: skip
    hdr = d / "hdr.mp4"
    # A phone's HDR: 10-bit HEVC tagged PQ / bt2020, a red marker top-left.
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25:duration=2",
        "-vf", "drawbox=x=0:y=0:w=80:h=80:color=red:t=fill,"
        "setparams=color_primaries=bt2020:color_trc=smpte2084:colorspace=bt2020nc,"
        "format=yuv420p10le",
        "-c:v", "libx265", "-preset", "ultrafast",
        "-x265-params", "log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc",
        str(hdr),
    )  # fmt: skip
    short = d / "short.mp4"
    _ffmpeg("-f", "lavfi", "-i", "color=c=black:s=64x64:r=1:d=11", "-c:v", "libx264", str(short))
    long = d / "long.mp4"
    # Ten hours of nothing, made in no time: the same 11 frames, 3600 times slower.
    _ffmpeg("-itsscale", "3600", "-i", str(short), "-c", "copy", str(long))
    empty = d / "empty.mp4"
    empty.write_bytes(b"")
    text = d / "notes.mov"
    text.write_text("this is not a video\n")
    truncated = d / "cut.mp4"
    truncated.write_bytes(base.read_bytes()[: base.stat().st_size // 2])
    return {
        "base": base, "phone": phone, "silent": silent, "empty": empty,
        "text": text, "truncated": truncated, "hd": hd, "hdr": hdr, "long": long,
    }  # fmt: skip


def test_probe_reads_size_rotation_duration_and_audio(sources: dict[str, Path]) -> None:
    info = probe(sources["phone"])
    assert (info.width, info.height, info.rotation) == (320, 240, 90)
    assert info.display_size == (240, 320)
    assert info.duration == pytest.approx(3.0, abs=0.1)
    assert info.video_codec == "h264" and info.audio_codec == "aac"
    assert probe(sources["silent"]).audio_codec is None


def test_phone_video_is_upright_h264_aac_without_metadata(
    sources: dict[str, Path], tmp_path: Path
) -> None:
    assert all(leak in sources["phone"].read_bytes() for leak in LEAKS[:3])  # the fixture leaks
    result = convert_video(sources["phone"], tmp_path, VideoRecipe())
    out = probe(tmp_path / "video.mp4")
    assert (out.video_codec, out.audio_codec) == ("h264", "aac")
    assert (out.width, out.height, out.rotation) == (240, 320, 0)  # rotated, not upscaled
    assert (result.width, result.height) == (240, 320)
    report = subprocess.run(
        [ff.find_ffmpeg(), "-hide_banner", "-i", str(tmp_path / "video.mp4")],
        capture_output=True, text=True, check=False,
    ).stderr  # fmt: skip
    assert "High" in report and "yuv420p" in report
    for name in ("video.mp4", "poster.webp", "poster.jpg"):
        data = (tmp_path / name).read_bytes()
        assert data, name
        for leak in LEAKS:
            assert leak not in data, (name, leak)
    # +faststart: the index (moov) comes before the media data (mdat).
    data = (tmp_path / "video.mp4").read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")


def test_rotation_keeps_the_marker_where_the_phone_showed_it(
    sources: dict[str, Path], tmp_path: Path
) -> None:
    """The source's display matrix turns the picture; the output is stored turned."""
    convert_video(sources["phone"], tmp_path, VideoRecipe(), poster_at=2.0)
    from PIL import Image

    with Image.open(tmp_path / "poster.jpg") as im:
        rgb = im.convert("RGB")
        w, h = rgb.size
        assert (w, h) == (240, 320)
        corners = {
            "top-left": rgb.getpixel((5, 5)),
            "top-right": rgb.getpixel((w - 6, 5)),
            "bottom-left": rgb.getpixel((5, h - 6)),
            "bottom-right": rgb.getpixel((w - 6, h - 6)),
        }
    red = [k for k, (r, g, b) in corners.items() if r > 180 and g < 80 and b < 80]
    # 90 degrees counter-clockwise (the display matrix's sense) takes top-left to bottom-left.
    assert red == ["bottom-left"], corners


def test_poster_skips_black_frames(sources: dict[str, Path], tmp_path: Path) -> None:
    convert_video(sources["base"], tmp_path, VideoRecipe())
    from PIL import Image

    with Image.open(tmp_path / "poster.jpg") as im:
        assert im.convert("L").getextrema()[1] > 100  # not the black first second


def test_without_voice_the_video_has_no_audio(sources: dict[str, Path], tmp_path: Path) -> None:
    result = convert_video(sources["base"], tmp_path, VideoRecipe(), with_audio=False)
    assert not result.has_audio
    assert probe(tmp_path / "video.mp4").audio_codec is None


def test_video_only_webm_converts(sources: dict[str, Path], tmp_path: Path) -> None:
    result = convert_video(sources["silent"], tmp_path, VideoRecipe(height=120))
    assert (result.height, result.has_audio) == (120, False)


@pytest.mark.parametrize(
    ("name", "words"),
    [("empty", "empty"), ("text", "cannot read"), ("truncated", "moov")],
)
def test_bad_files_are_problems(sources: dict[str, Path], name: str, words: str) -> None:
    with pytest.raises(MediaError, match=words):
        probe(sources[name])


def _report(path: Path) -> str:
    return subprocess.run(
        [ff.find_ffmpeg(), "-hide_banner", "-i", str(path)],
        capture_output=True, text=True, check=False,
    ).stderr  # fmt: skip


def _rgb(path: Path, x: int, y: int) -> tuple[int, int, int]:
    from PIL import Image

    with Image.open(path) as im:
        pixel = im.convert("RGB").getpixel((x, y))
    assert isinstance(pixel, tuple)
    return pixel[0], pixel[1], pixel[2]


def test_hdr_phone_video_is_tone_mapped_to_sdr(sources: dict[str, Path], tmp_path: Path) -> None:
    info = probe(sources["hdr"])
    assert info.hdr and info.colour[1:] == ("bt2020nc", "bt2020", "smpte2084")
    convert_video(sources["hdr"], tmp_path, VideoRecipe(), poster_at=1.0)
    report = _report(tmp_path / "video.mp4")
    assert "h264 (High)" in report and "yuv420p(tv, bt709" in report, report
    assert not probe(tmp_path / "video.mp4").hdr
    r, g, b = _rgb(tmp_path / "poster.jpg", 10, 10)
    assert r > 120 and g < 80 and b < 80, (r, g, b)  # the marker is still red, top-left


def test_heights_are_never_upscaled() -> None:
    assert planned_heights(1080, (720, 1080)) == {"video.mp4": 720, "video-1080.mp4": 1080}
    assert planned_heights(720, (720, 1080)) == {"video.mp4": 720}
    assert planned_heights(900, (720, 1080)) == {"video.mp4": 720}
    assert planned_heights(321, (720, 1080)) == {"video.mp4": 320}
    assert [display_video_height(r) for r in ((1280, 720), (1920, 1080), (1080, 1920))] == [
        720, 1080, 1080,
    ]  # fmt: skip
    assert display_video_height((3840, 2160)) == 1080


def test_one_decode_makes_720p_and_1080p(sources: dict[str, Path], tmp_path: Path) -> None:
    calls: list[list[str]] = []
    real = ff.run

    def counting(args: list[str], **kw: object) -> str:
        calls.append(list(args))
        return real(args, **kw)  # type: ignore[arg-type]

    import immersion.media.video as video

    video.ff.run = counting  # type: ignore[assignment]
    try:
        result = convert_video(sources["hd"], tmp_path, VideoRecipe(), heights=(720, 1080))
    finally:
        video.ff.run = real  # type: ignore[assignment]
    assert result.sizes == {"video.mp4": (1280, 720), "video-1080.mp4": (1920, 1080)}
    encodes = [c for c in calls if "libx264" in c]
    assert len(encodes) == 1 and encodes[0].count("libx264") == 2  # one decode, two encodes
    small = convert_video(sources["base"], tmp_path / "small", VideoRecipe(), heights=(720, 1080))
    assert set(small.sizes) == {"video.mp4"}  # a 240p source gets no 1080p


def test_a_display_gets_the_height_it_needs() -> None:
    rendition = VideoRendition(
        1280, 720, 3.0,
        {"video.mp4": Path("a720"), "video-1080.mp4": Path("b1080"), "poster.jpg": Path("p")},
        {"video.mp4": (1280, 720), "video-1080.mp4": (1920, 1080)},
    )  # fmt: skip
    assert rendition.at_height(720).files["video.mp4"] == Path("a720")
    assert rendition.at_height(1080).files["video.mp4"] == Path("b1080")
    assert rendition.at_height(1080).height == 1080
    only = VideoRendition(1280, 720, 3.0, {"video.mp4": Path("a720")}, {"video.mp4": (1280, 720)})
    assert only.at_height(1080).files["video.mp4"] == Path("a720")


def test_poster_at_a_settable_time(sources: dict[str, Path], tmp_path: Path) -> None:
    convert_video(sources["hd"], tmp_path / "first", VideoRecipe())
    convert_video(sources["hd"], tmp_path / "late", VideoRecipe(), poster_at=2.5)
    r, g, b = _rgb(tmp_path / "first/poster.jpg", 640, 360)
    assert not (r > 180 and g < 80), (r, g, b)  # the first bright frame: the pattern
    assert max(_rgb(tmp_path / "first/poster.jpg", 300, 200)) > 60  # not black
    r, g, b = _rgb(tmp_path / "late/poster.jpg", 640, 360)
    assert r > 180 and g < 80 and b < 80, (r, g, b)  # 2.5 s: all red


def test_highlight_clips_last_their_highlight(sources: dict[str, Path], tmp_path: Path) -> None:
    from immersion.media.recipes import Clip

    clips = (Clip("hl-1", 0.5, 2.3), Clip("hl-2", 1.25, 2.0))
    result = convert_video(sources["base"], tmp_path, VideoRecipe(), clips=clips)
    for clip in clips:
        name = f"clip-{clip.id}.mp4"
        assert result.files[name] == name
        out = probe(tmp_path / name)
        assert out.duration == pytest.approx(clip.end - clip.start, abs=0.1), name
        assert (out.video_codec, out.audio_codec) == ("h264", "aac")
        assert not any(leak in (tmp_path / name).read_bytes() for leak in LEAKS)


def test_a_ten_hour_video_is_refused_from_its_header(sources: dict[str, Path]) -> None:
    calls: list[list[str]] = []
    real = ff.run

    def counting(args: list[str], **kw: object) -> str:
        calls.append(list(args))
        return real(args, **kw)  # type: ignore[arg-type]

    import immersion.media.video as video

    video.ff.run = counting  # type: ignore[assignment]
    try:
        with pytest.raises(MediaError, match=r"lasts 10 h 0 min, longer than the 4 h"):
            convert_video(sources["long"], Path("unused"), VideoRecipe())
    finally:
        video.ff.run = real  # type: ignore[assignment]
    assert calls == [["-i", str(sources["long"])]]  # read its header, decoded nothing


# -- through a real build ----------------------------------------------------


def _video_room(room: Path, phone: Path, allows: str) -> Path:
    """The test room with Leah's interview filmed on a phone (a rotated MOV)."""
    import shutil

    bundle = room / "content/stories/p07"
    shutil.copy(phone, bundle / "interview.mov")
    (bundle / "interview.m4a").unlink()
    index = bundle / "index.md"
    index.write_text(
        index.read_text().replace("recording: interview.m4a", "recording: interview.mov")
    )
    consent = room / "content/consent/c-001.yml"
    consent.write_text(consent.read_text().replace("allows: [voice, face, words]", allows))
    return room


def _build(room: Path) -> str:
    import io

    from conftest import TODAY

    from immersion.commands import build

    out = io.StringIO()
    assert build.run(room, today=TODAY, out=out, jobs=1) == 0, out.getvalue()
    return out.getvalue()


def _cached_videos(room: Path) -> list[bytes]:
    """The cached objects that are MP4s with a picture (an ftyp box and an avc1 track)."""
    found = []
    for path in (room / "build/.cache/objects").rglob("*"):
        data = path.read_bytes() if path.is_file() else b""
        if data[4:8] == b"ftyp" and b"avc1" in data:
            found.append(data)
    return found


@pytest.fixture(scope="module")
def phone_room(
    tmp_path_factory: pytest.TempPathFactory, tone: Path, sources: dict[str, Path]
) -> tuple[Path, str]:
    """The room with the phone interview and every consent, built once for the tests that
    only read what it made (a build is most of their time): the room, what it printed."""
    from conftest import make_room

    room = _video_room(
        make_room(tmp_path_factory.mktemp("phone") / "room", tone),
        sources["phone"],
        "allows: [voice, face, words]",
    )
    return room, _build(room)


def test_a_phone_video_interview_builds_once(phone_room: tuple[Path, str]) -> None:
    room, first = phone_room
    assert "videos: 1 converted, 0 reused, 0 failed" in first
    assert "recordings: 1 converted" in first  # its audio, as any recording's
    videos = _cached_videos(room)
    assert len(videos) == 2  # the interview (720p: no display gets more than the source) + hl-1
    assert not any(leak in video for video in videos for leak in LEAKS)
    pages = [p for p in (room / "build/intranet").rglob("*.html") if "<video" in p.read_text()]
    assert pages, "no intranet page plays the video"
    html = pages[0].read_text()
    assert 'preload="metadata"' in html and "poster=" in html and 'type="video/mp4"' in html
    assert "<track" in html and "default" in html
    published = [p for p in (room / "build/intranet").rglob("*.mp4")]
    assert published and not any(leak in published[0].read_bytes() for leak in LEAKS)
    second = _build(room)
    assert "videos: 0 converted, 1 reused, 0 failed" in second
    assert "recordings: 0 converted, 1 reused, 0 failed" in second


def test_without_face_no_frame_is_made(room: Path, sources: dict[str, Path]) -> None:
    _video_room(room, sources["phone"], "allows: [voice, words]")
    out = _build(room)
    assert "videos:" not in out
    assert not [p for p in (room / "build").rglob("*.html") if "<video" in p.read_text()]
    assert _cached_videos(room) == []
    for site in ("intranet", "kiosk"):
        published = [p for p in (room / "build" / site).rglob("*") if p.is_file()]
        assert not [
            p for p in published if p.suffix in (".mp4", ".mov", ".webp") and "p07" in str(p)
        ]


def test_a_broken_video_is_a_problem_and_the_rest_builds(
    room: Path, sources: dict[str, Path]
) -> None:
    _video_room(room, sources["text"], "allows: [voice, face, words]")
    import io

    from conftest import TODAY

    from immersion.commands import build

    out = io.StringIO()
    build.run(room, today=TODAY, out=out, jobs=1)
    text = out.getvalue()
    assert "interview.mov" in text and "cannot convert the video" in text, text
    assert (room / "build/intranet").is_dir()


def test_in_chromium_a_transcript_line_seeks_the_video(phone_room: tuple[Path, str]) -> None:
    from browser import chromium, serve

    room = phone_room[0]
    with chromium() as browser, serve(room / "build/intranet") as base:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        ranges: list[int] = []
        page.on("response", lambda r: ranges.append(r.status) if r.url.endswith(".mp4") else None)
        page.goto(base + "/stories/p07/")
        page.wait_for_function("document.querySelector('video').readyState >= 1")
        size = page.evaluate(
            "[document.querySelector('video').videoWidth,"
            " document.querySelector('video').videoHeight]"
        )
        assert size == [240, 320]  # upright
        assert page.evaluate("document.querySelector('video').currentTime") == 0
        page.locator(".im-cue").nth(1).locator("a, button").first.click()
        # Waited for, not read once after a sleep (a loaded machine seeks late).
        page.wait_for_function("document.querySelector('video').currentTime > 1.0", timeout=20_000)
        deadline = time.monotonic() + 20  # Range answers arrive as events, while we wait
        while 206 not in ranges and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert 206 in ranges


def _published(room: Path, site: str, suffix: str) -> list[Path]:
    return sorted(p for p in (room / "build" / site).rglob(f"*{suffix}") if "p07" in str(p))


def test_without_voice_the_video_plays_muted_with_captions(
    room: Path, sources: dict[str, Path]
) -> None:
    _video_room(room, sources["phone"], "allows: [face, words]")
    out = _build(room)
    assert "videos: 1 converted" in out, out
    for site in ("intranet", "kiosk"):
        assert not _published(room, site, ".m4a") and not _published(room, site, ".opus")
        mp4s = _published(room, site, ".mp4")
        assert mp4s, site
        for mp4 in mp4s:
            assert probe(mp4).audio_codec is None, mp4  # no sound anywhere
    html = (room / "build/intranet/stories/p07/index.html").read_text()
    assert "<video" in html and "<track" in html and "<audio" not in html
    assert "im-cue" in html  # the transcript, whose lines seek the picture
    assert "peaks" not in html.split("<video", 1)[1].split(">", 1)[0]


def test_without_voice_or_words_a_muted_video_has_no_captions(
    room: Path, sources: dict[str, Path]
) -> None:
    _video_room(room, sources["phone"], "allows: [face]")
    _build(room)
    html = (room / "build/intranet/stories/p07/index.html").read_text()
    assert "<video" in html and "<track" not in html and "im-cue" not in html
    assert not _published(room, "intranet", ".vtt")


def _hd_room(room: Path, hd: Path) -> Path:
    _video_room(room, hd, "allows: [voice, face, words]")
    index = room / "content/stories/p07/index.md"
    index.write_text(
        index.read_text().replace("interviewer: Sam\n", 'interviewer: Sam\nposter: "00:02.5"\n')
    )
    return room


def test_kiosk_displays_get_1080p_the_intranet_720p(room: Path, sources: dict[str, Path]) -> None:
    _hd_room(room, sources["hd"])
    _build(room)
    intranet = _published(room, "intranet", ".mp4")
    kiosk = _published(room, "kiosk", ".mp4")
    whole = [p for p in intranet if "hl-1" not in p.name]
    assert [probe(p).height for p in whole] == [720]
    assert 1080 in {probe(p).height for p in kiosk}, kiosk
    story = next((room / "build/kiosk/entrance").rglob("story/p07/index.html")).read_text()
    assert "1080p.mp4" in story
    # The poster is taken at poster: "00:02.5", where the picture is all red.
    poster = next(p for p in _published(room, "intranet", ".jpg") if "kitchen" not in p.name)
    r, g, b = _rgb(poster, 100, 100)
    assert r > 180 and g < 80 and b < 80, (poster, r, g, b)


def test_an_intranet_only_room_makes_no_1080p(room: Path, sources: dict[str, Path]) -> None:
    _hd_room(room, sources["hd"])
    rooms = room / "content/room.yml"
    rooms.write_text(
        rooms.read_text()
        .replace("[1920, 1080]", "[1280, 720]")
        .replace("[1080, 1920]", "[720, 1280]")
    )
    _build(room)
    heights = {probe(p).height for p in (room / "build/.cache/objects").rglob("*.mp4")}
    assert heights == {720}


def test_intranet_highlight_cards_play_the_video_clip(phone_room: tuple[Path, str]) -> None:
    from bs4 import BeautifulSoup

    room = phone_room[0]
    soup = BeautifulSoup(
        (room / "build/intranet/stories/p07/index.html").read_text(), "html.parser"
    )
    clips = [v for v in soup.select("video") if "hl-1" in str(v)]
    assert clips, "no highlight card plays a video"
    src = clips[0].select_one("source")
    assert src is not None and src["type"] == "video/mp4"
    clip = room / "build/intranet/stories/p07" / str(src["src"])
    assert probe(clip.resolve()).duration == pytest.approx(1.5, abs=0.1)  # 1.5 s to 3 s


def test_only_the_missing_outputs_are_made(sources: dict[str, Path], tmp_path: Path) -> None:
    """A cache that lost a poster asks for it alone: no MP4 is encoded again."""
    result = convert_video(sources["base"], tmp_path, VideoRecipe(), only={"poster.jpg"})
    assert result.files == {"poster.jpg": "poster.jpg"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["poster.jpg"]
    assert max(_rgb(tmp_path / "poster.jpg", 160, 120)) > 60  # past the black first second
