"""Place, device and people in a video container's own boxes: real files written by
ffmpeg, boxes built by hand for what ffmpeg does not write, and broken files that
never make the walk fail."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import pytest
from test_audit_planted import audit, line, project

from immersion.audit import containers
from immersion.media.ffmpeg import find_ffmpeg

__all__ = ["project"]  # the fixture: a copy of the built demo room

WHERE = "+51.5074-000.1278/"
SOURCE = ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=0.5"]


def make(path: Path, *args: str) -> Path:
    subprocess.run(
        [find_ffmpeg(), "-y", "-v", "error", *SOURCE, "-c:v", "libx264", *args, str(path)],
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return path


def found(path: Path) -> list[str]:
    return containers.metadata(path.read_bytes())


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def test_a_phone_like_mov_names_its_place_and_device(tmp_path: Path) -> None:
    mov = make(
        tmp_path / "a.mov",
        *("-metadata", f"location={WHERE}", "-metadata", "make=Apple"),
        *("-metadata", "model=iPhone", "-movflags", "use_metadata_tags"),
    )
    assert found(mov) == [
        "location (location)",
        "device (make)",
        "device (model)",
        "location (loci)",
    ]


def test_apple_keys_in_an_mp4(tmp_path: Path) -> None:
    mp4 = make(
        tmp_path / "b.mp4",
        *("-metadata", f"com.apple.quicktime.location.ISO6709={WHERE}"),
        *("-metadata", "com.apple.quicktime.make=Apple", "-metadata", "title=Bex at home"),
        *("-movflags", "use_metadata_tags"),
    )
    assert found(mp4) == [
        "location (com.apple.quicktime.location.ISO6709)",
        "device (com.apple.quicktime.make)",
        "tag (title)",
    ]


def test_an_mkv_names_its_tags(tmp_path: Path) -> None:
    mkv = make(
        tmp_path / "c.mkv",
        *("-metadata", f"LOCATION={WHERE}", "-metadata", "DATE_RECORDED=2026-11-01"),
    )
    assert found(mkv) == ["location (LOCATION)", "date (DATE_RECORDED)"]


@pytest.mark.parametrize("suffix", [".mp4", ".mov", ".mkv"])
def test_a_file_written_without_metadata_has_none(tmp_path: Path, suffix: str) -> None:
    tagged = make(tmp_path / f"tagged{suffix}", "-metadata", f"location={WHERE}")
    assert found(tagged)  # the same file with its tags is found: the check can fail
    clean = tmp_path / f"clean{suffix}"
    strip = ["-map_metadata", "-1", "-c", "copy", str(clean)]
    subprocess.run(
        [find_ffmpeg(), "-y", "-v", "error", "-i", str(tagged), *strip],
        check=True,
        stdin=subprocess.DEVNULL,
    )
    assert found(clean) == []


def test_quicktime_user_data_atoms_built_by_hand() -> None:
    udta = box(
        b"udta",
        box(b"\xa9xyz", b"\x00\x12\x15\xc7" + WHERE.encode())
        + box(b"\xa9mak", b"\x00\x05\x15\xc7Apple")
        + box(b"\xa9too", b"\x00\x0c\x15\xc7Lavf62.3.100")  # ffmpeg's own: not reported
        + box(b"auth", b"\x00" * 6 + b"Sam"),
    )
    data = box(b"ftyp", b"qt  \x00\x00\x00\x00") + box(b"moov", box(b"trak", udta))
    assert containers.metadata(data) == ["location (©xyz)", "device (©mak)", "author (auth)"]


def test_broken_files_never_fail(tmp_path: Path) -> None:
    mov = make(tmp_path / "d.mov", "-metadata", f"location={WHERE}", "-movflags", "+faststart")
    mkv = make(tmp_path / "d.mkv", "-metadata", f"LOCATION={WHERE}")
    for data in (mov.read_bytes(), mkv.read_bytes()):
        for cut in range(0, len(data), max(1, len(data) // 97)):
            containers.metadata(data[:cut])
        garbage = bytearray(data)
        for at in range(0, len(garbage), 13):
            garbage[at] ^= 0xFF
        containers.metadata(bytes(garbage))
    # A place early in the file is still found when the rest is cut off.
    assert containers.metadata(mov.read_bytes()[:2000]) == ["location (©xyz)"]
    for data in (b"", b"\x00\x00\x00\x01moov", b"\xff" * 64, b"\x1a\x45\xdf\xa3\xff"):
        assert containers.metadata(data) == []


def test_the_site_audit_reports_a_video_like_a_photo(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    media = project / "build/kiosk/media"
    make(media / "clip.mp4", "-metadata", f"location={WHERE}", "-movflags", "use_metadata_tags")
    make(media / "clean.mp4", "-map_metadata", "-1")
    # A MOV that starts with its movie atom (no ftyp): still read.
    (media / "old.mov").write_bytes(
        box(b"moov", box(b"udta", box(b"\xa9mod", b"\x00\x02\x15\xc7X1")))
    )
    code, out = audit(project, capsys)
    assert code == 1
    lines = out.splitlines()
    assert (
        line(
            "kiosk",
            "media/clip.mp4",
            "container-metadata",
            "MP4 container carries location (location), location (loci)",
        )
        in lines
    )
    assert (
        line(
            "kiosk",
            "media/old.mov",
            "container-metadata",
            "QuickTime container carries device (©mod)",
        )
        in lines
    )
    assert not [ln for ln in lines if "clean.mp4" in ln]
