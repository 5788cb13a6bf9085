"""Video sources: probing, the MP4 + poster rendition, metadata stripped, rotation applied."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from immersion.media import ffmpeg as ff
from immersion.media.recipes import MediaError
from immersion.media.video import VideoRecipe, convert_video, probe

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
    empty = d / "empty.mp4"
    empty.write_bytes(b"")
    text = d / "notes.mov"
    text.write_text("this is not a video\n")
    truncated = d / "cut.mp4"
    truncated.write_bytes(base.read_bytes()[: base.stat().st_size // 2])
    return {
        "base": base, "phone": phone, "silent": silent, "empty": empty,
        "text": text, "truncated": truncated,
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


def test_a_phone_video_interview_builds_once(room: Path, sources: dict[str, Path]) -> None:
    _video_room(room, sources["phone"], "allows: [voice, face, words]")
    first = _build(room)
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


def test_in_chromium_a_transcript_line_seeks_the_video(
    room: Path, sources: dict[str, Path]
) -> None:
    from browser import chromium, serve

    _video_room(room, sources["phone"], "allows: [voice, face, words]")
    _build(room)
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
        page.wait_for_timeout(500)
        assert page.evaluate("document.querySelector('video').currentTime") > 1.0
        assert 206 in ranges
