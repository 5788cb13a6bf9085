"""The audit proves what a consent decides of a filmed story: without `voice`, no audio
stream in any published file of the story (and no audio rendition); without `face`, no
video stream. A real build of a phone video (clean as built), then a planted file."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import TODAY
from test_audit_planted import audit, line

from immersion.audit import audio
from immersion.commands import build
from immersion.media.ffmpeg import find_ffmpeg

STORY = "p07"  # Leah's interview in the test room, filmed here


def ffmpeg(*args: str) -> None:
    subprocess.run([find_ffmpeg(), "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def phone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4-second phone-like video with sound (320x240, a tone)."""
    out = tmp_path_factory.mktemp("consent") / "interview.mov"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=4",
        "-f", "lavfi", "-i", "sine=f=440:duration=4",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
        "-shortest", str(out),
    )  # fmt: skip
    return out


def filmed(room: Path, phone: Path, allows: str) -> Path:
    """The test room with the interview as a video, its consent allowing `allows`, built."""
    bundle = room / "content/stories" / STORY
    shutil.copy(phone, bundle / "interview.mov")
    (bundle / "interview.m4a").unlink()
    index = bundle / "index.md"
    index.write_text(
        index.read_text().replace("recording: interview.m4a", "recording: interview.mov")
    )
    consent = room / "content/consent/c-001.yml"
    consent.write_text(consent.read_text().replace("allows: [voice, face, words]", allows))
    out = io.StringIO()
    assert build.run(room, today=TODAY, out=out, jobs=1) == 0, out.getvalue()
    return room


def published(room: Path, site: str, suffix: str) -> list[Path]:
    return sorted(p for p in (room / "build" / site).rglob(f"*{suffix}") if STORY in str(p))


def with_sound(mp4: Path) -> None:
    """`mp4` again, its picture as it was, with a tone added as an audio stream."""
    tmp = mp4.with_name(f"planted-{mp4.name}")
    ffmpeg(
        "-i", str(mp4), "-f", "lavfi", "-i", "sine=f=300:duration=1",
        "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", "aac", "-shortest", str(tmp),
    )  # fmt: skip
    mp4.unlink()  # the site's file may be a hard link to the cache: never write through it
    tmp.rename(mp4)


def test_without_voice_a_planted_audio_stream_is_found(
    room: Path, phone: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filmed(room, phone, "allows: [face, words]")
    code, out = audit(room, capsys)
    assert code == 0, out  # as built: muted MP4s, no audio rendition
    mp4s = published(room, "kiosk", ".mp4")
    assert mp4s and all(audio.streams(mp4s)[p] == {"video"} for p in mp4s)

    with_sound(mp4s[0])
    m4a = mp4s[0].with_name("planted.m4a")
    ffmpeg("-f", "lavfi", "-i", "sine=f=300:duration=1", "-c:a", "aac", str(m4a))
    code, out = audit(room, capsys)
    assert code == 1
    site = room / "build/kiosk"
    detail = f"has an audio stream, but the consent of story '{STORY}' does not allow the voice"
    for planted in (mp4s[0], m4a):
        rel = planted.relative_to(site).as_posix()
        assert line("kiosk", rel, "voice-not-allowed", detail) in out.splitlines(), out
    assert "voice-not-allowed" not in out.split("build/intranet", 1)[-1].split("audit:")[0]


def test_without_face_a_planted_video_stream_is_found(
    room: Path, phone: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filmed(room, phone, "allows: [voice, words]")
    code, out = audit(room, capsys)
    assert code == 0, out  # as built: sound only
    m4as = published(room, "intranet", ".m4a")
    assert m4as and not published(room, "intranet", ".mp4")
    planted = m4as[0].with_name("planted.mp4")
    shutil.copy(phone, planted)
    code, out = audit(room, capsys)
    assert code == 1
    rel = planted.relative_to(room / "build/intranet").as_posix()
    detail = f"has a video stream, but the consent of story '{STORY}' does not allow the face"
    assert line("intranet", rel, "face-not-allowed", detail) in out.splitlines(), out


def test_streams_lists_what_each_file_holds(phone: Path, tmp_path: Path) -> None:
    mute = tmp_path / "mute.mp4"
    ffmpeg("-i", str(phone), "-an", "-c", "copy", str(mute))
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    found = audio.streams([phone, mute, text, phone])
    assert found == {phone: {"audio", "video"}, mute: {"video"}, text: None}
