"""A video whose source vanishes mid-encode, and a build killed while a video encodes.

Neither leaves a cached video behind (the cache never keeps a half-written output);
the vanished file is a problem naming it while the rest builds, and a rebuild after
the kill publishes exactly what a clean build does.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import TODAY, site_files

from immersion.commands import build
from immersion.media import ffmpeg as ff

REPO = Path(__file__).resolve().parents[2]
AUDIENCES = ("intranet", "kiosk")


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 720p video with sound, long enough that its encode takes a moment."""
    path = tmp_path_factory.mktemp("killed") / "interview.mov"
    subprocess.run(
        [
            ff.find_ffmpeg(), "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc=size=1280x720:rate=25:duration=5",
            "-f", "lavfi", "-i", "sine=f=440:duration=5",
            "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


def _with_video(room: Path, film: Path) -> Path:
    bundle = room / "content/stories/p07"
    shutil.copy(film, bundle / "interview.mov")
    (bundle / "interview.m4a").unlink()
    index = bundle / "index.md"
    index.write_text(
        index.read_text().replace("recording: interview.m4a", "recording: interview.mov")
    )
    return room


def _cached_videos(room: Path) -> list[Path]:
    """Cached objects that are MP4s with a picture (an ftyp box and an avc1 track)."""
    found = []
    for path in (room / "build/.cache/objects").rglob("*"):
        if path.is_file():
            with path.open("rb") as fh:
                head = fh.read(64)
            if head[4:8] == b"ftyp" and b"avc1" in path.read_bytes():
                found.append(path)
    return found


def _build(room: Path) -> tuple[int, str]:
    out = io.StringIO()
    code = build.run(room, today=TODAY, out=out, jobs=1)
    return code, out.getvalue()


def test_a_video_that_vanishes_mid_encode_is_a_problem_and_leaves_nothing(
    room: Path, film: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_video(room, film)
    source = room / "content/stories/p07/interview.mov"
    real = ff.run

    def vanishing(args: list[str], **kwargs: object) -> str:
        if "libx264" in args and source.exists():
            source.unlink()  # the editor moves it away while the picture is encoded
        return real(args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ff, "run", vanishing)
    code, out = _build(room)
    assert code == 1, out
    assert (
        "content/stories/p07/interview.mov: error: cannot convert the video: the file "
        "disappeared while it was being converted: put it back, or take it out of the story, "
        "and build again" in out
    ), out
    assert "Traceback" not in out
    assert _cached_videos(room) == []
    assert not [p for p in (room / "build/.cache").rglob(".partial-*")]


def _group_alive(pgid: int) -> bool:
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False


def test_killed_while_a_video_encodes_then_rebuilt_equals_a_clean_build(
    room: Path, film: Path
) -> None:
    _with_video(room, film)
    code, out = _build(room)
    assert code == 0, out
    clean = {audience: site_files(room, audience) for audience in AUDIENCES}
    assert _cached_videos(room)
    shutil.rmtree(room / "build/.cache")  # cold, so the video is encoded again

    process = subprocess.Popen(
        [sys.executable, "-m", "immersion", "-C", str(room), "build", "--date",
         TODAY.isoformat(), "-j", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    work = room / "build/.cache/work"
    deadline = time.monotonic() + 120
    encoding = False
    while time.monotonic() < deadline and process.poll() is None:
        # The picture's encode is under way once its partial MP4 exists.
        if work.is_dir() and any(work.rglob(".partial-*video.mp4")):
            encoding = True
            break
        time.sleep(0.01)
    assert encoding, "the build ended before its video encode was seen"
    process.kill()  # the build alone, as `kill -9 PID` would
    assert process.wait(timeout=30) == -signal.SIGKILL
    deadline = time.monotonic() + 15
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _group_alive(process.pid), "a worker or its ffmpeg outlived the build"

    assert _cached_videos(room) == []  # no half-written (nor any) video was kept
    assert not [p for p in (room / "build/.cache/objects").rglob(".partial-*")]
    for audience in AUDIENCES:  # the published sites are the clean build's, untouched
        assert site_files(room, audience) == clean[audience], audience

    code, out = _build(room)
    assert code == 0, out
    assert "videos: 1 converted" in out
    for audience in AUDIENCES:
        assert site_files(room, audience) == clean[audience], audience
    assert not (room / "build/.cache/work").exists()
