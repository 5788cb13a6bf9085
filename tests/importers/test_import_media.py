"""`immersion import recording` and `immersion import photos` on a copy of the demo room."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from immersion.cli import main
from immersion.importers.recording import parse_probe
from immersion.load import load
from immersion.project import Project

REPO = Path(__file__).resolve().parents[2]
DAY = dt.date(2026, 6, 1)
# Every field an import leaves to the editor; check may complain of nothing else.
FILL_FIELDS = ("participant", "alt", "caption", "transcript")


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    root = tmp_path / "room"
    root.mkdir()
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


def story_problems(root: Path, story: str) -> list[str]:
    _library, problems = load(Project(root), DAY)
    return [p.format() for p in problems if f"stories/{story}/" in str(p.path)]


def assert_only_fill_fields(problems: list[str]) -> None:
    assert problems, "the import left participant to fill: check must say so"
    for text in problems:
        assert any(f in text for f in FILL_FIELDS), text


def fill_participant(root: Path, story: str) -> None:
    """Do what the import asks of the editor, with the demo room's Leah."""
    index = root / "content" / "stories" / story / "index.md"
    text = index.read_text(encoding="utf-8")
    done = text.replace(
        "# participant: {pseudonym: NAME, persona: PERSONA_ID, consent: CONSENT_ID}",
        "participant: {pseudonym: Leah, persona: maya, consent: c-017}",
    )
    assert done != text
    index.write_text(done, encoding="utf-8")
    # What is left is warnings about fields the import listed (alt text, transcript).
    for text in story_problems(root, story):
        assert "warning" in text and any(f in text for f in FILL_FIELDS), text


def jpeg(path: Path, taken: str | None, colour: tuple[int, int, int]) -> Path:
    im = Image.new("RGB", (320, 240), colour)
    exif = Image.Exif()
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken  # Exif IFD: DateTimeOriginal
    im.save(path, "JPEG", exif=exif.tobytes())
    return path


def test_photos_ordered_by_exif_time_corrupt_file_skipped(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "phone"
    src.mkdir()
    # File names in the opposite order to the times they were taken.
    jpeg(src / "a.jpg", "2026:05:03 09:00:00", (200, 0, 0))
    jpeg(src / "b.jpg", "2026:05:02 18:30:00", (0, 200, 0))
    jpeg(src / "c.jpg", "2026:05:01 07:15:00", (0, 0, 200))
    no_exif = jpeg(src / "D.JPG", None, (90, 90, 90))
    stamp = dt.datetime(2026, 5, 4, 12, 0).timestamp()
    os.utime(no_exif, (stamp, stamp))
    good = (src / "a.jpg").read_bytes()
    (src / "broken.jpg").write_bytes(good[: len(good) // 2])  # cut short
    (src / "notes.txt").write_text("not a photo", encoding="utf-8")

    assert main(["-C", str(demo), "import", "photos", str(src), "--story", "phone-film"]) == 0
    out = capsys.readouterr().out
    bundle = demo / "content" / "stories" / "phone-film"
    assert sorted(p.name for p in bundle.iterdir()) == [
        "01-c.jpg",
        "02-b.jpg",
        "03-a.jpg",
        "04-d.jpg",
        "index.md",
    ]
    assert (bundle / "01-c.jpg").read_bytes() == (src / "c.jpg").read_bytes()
    assert "broken.jpg" in out and "notes.txt" in out and "D.JPG" in out
    text = (bundle / "index.md").read_text(encoding="utf-8")
    assert "date: 2026-05-01" in text
    srcs = [line.split()[2] for line in text.splitlines() if line.startswith("  - src:")]
    assert srcs == ["01-c.jpg", "02-b.jpg", "03-a.jpg", "04-d.jpg"]
    # Every line the report names is the line the editor must edit.
    lines = text.splitlines()
    named = [line.strip() for line in out.splitlines() if line.startswith("  content/")]
    assert len(named) == 3 + 2 * 4  # title, participant, summary; caption and alt per frame
    for entry in named:
        _path, number, field, _what = entry.split(":", 3)
        word = {"title": "title:", "participant": "# participant:", "summary": "Write it"}
        assert word.get(field.strip(), field.split()[-1]) in lines[int(number) - 1], entry
    assert_only_fill_fields(story_problems(demo, "phone-film"))
    fill_participant(demo, "phone-film")


def test_photos_as_story(demo: Path, tmp_path: Path) -> None:
    src = tmp_path / "phone"
    src.mkdir()
    jpeg(src / "z.jpg", "2026:01:02 10:00:00", (1, 2, 3))
    jpeg(src / "y.jpg", "2026:01:03 10:00:00", (3, 2, 1))
    argv = ["-C", str(demo), "import", "photos", str(src), "--story", "s1", "--kind", "story"]
    assert main(argv) == 0
    text = (demo / "content" / "stories" / "s1" / "index.md").read_text(encoding="utf-8")
    assert text.index("01-z.jpg") < text.index("02-y.jpg")
    assert_only_fill_fields(story_problems(demo, "s1"))


def test_photos_refuses_existing_bundle_and_folder_of_nothing(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (demo / "content" / "stories" / "film-p14" / "index.md").read_bytes()
    src = tmp_path / "phone"
    src.mkdir()
    jpeg(src / "a.jpg", "2026:05:03 09:00:00", (200, 0, 0))
    assert main(["-C", str(demo), "import", "photos", str(src), "--story", "film-p14"]) == 2
    assert "--force" in capsys.readouterr().err
    assert (demo / "content" / "stories" / "film-p14" / "index.md").read_bytes() == before
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "x.jpg").write_bytes(b"garbage")
    assert main(["-C", str(demo), "import", "photos", str(empty), "--story", "nope"]) == 2
    assert "x.jpg" in capsys.readouterr().err
    assert not (demo / "content" / "stories" / "nope").exists()
    assert not [p for p in (demo / "content" / "stories").iterdir() if p.name.startswith(".")]
    # --force replaces it whole.
    argv = ["-C", str(demo), "import", "photos", str(src), "--story", "film-p14", "--force"]
    assert main(argv) == 0
    assert sorted(p.name for p in (demo / "content" / "stories" / "film-p14").iterdir()) == [
        "01-a.jpg",
        "index.md",
    ]


@pytest.fixture(scope="module")
def sine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from immersion.media.ffmpeg import find_ffmpeg

    path = tmp_path_factory.mktemp("rec") / "Call 1.m4a"
    subprocess.run(
        [
            *(find_ffmpeg(), "-v", "error", "-f", "lavfi", "-i", "sine=f=440:d=2"),
            *("-metadata", "creation_time=2026-04-02T10:00:00Z", str(path)),
        ],
        check=True,
    )
    return path


def test_recording_interview_dated_from_its_tag(
    demo: Path, sine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["-C", str(demo), "import", "recording", str(sine), "--story", "call-1"]
    assert main([*argv, "--kind", "interview"]) == 0
    out = capsys.readouterr().out
    bundle = demo / "content" / "stories" / "call-1"
    assert (bundle / "call-1.m4a").read_bytes() == sine.read_bytes()
    text = (bundle / "index.md").read_text(encoding="utf-8")
    assert "date: 2026-04-02" in text and "creation_time" in text
    assert "recording: call-1.m4a" in text and "# transcript: call-1.vtt" in text
    assert "participant" in out
    assert_only_fill_fields(story_problems(demo, "call-1"))
    fill_participant(demo, "call-1")


def test_recording_diary_dated_from_mtime(demo: Path, sine: Path, tmp_path: Path) -> None:
    plain = tmp_path / "diary.wav"
    from immersion.media.ffmpeg import find_ffmpeg

    subprocess.run(
        [find_ffmpeg(), "-v", "error", "-i", str(sine), "-map_metadata", "-1", str(plain)],
        check=True,
    )
    stamp = dt.datetime(2025, 11, 20, 12, 0).timestamp()
    os.utime(plain, (stamp, stamp))
    argv = ["-C", str(demo), "import", "recording", str(plain), "--story", "d1"]
    assert main([*argv, "--kind", "audio-diary"]) == 0
    text = (demo / "content" / "stories" / "d1" / "index.md").read_text(encoding="utf-8")
    assert "date: 2025-11-20" in text and "modification time" in text
    assert "recorded: 2025-11-20" in text
    assert_only_fill_fields(story_problems(demo, "d1"))
    fill_participant(demo, "d1")


def test_unreadable_recording_is_a_problem_and_writes_nothing(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "broken.m4a"
    bad.write_bytes(b"\x00" * 4000)
    argv = ["-C", str(demo), "import", "recording", str(bad), "--story", "bad"]
    assert main([*argv, "--kind", "interview"]) == 1
    err = capsys.readouterr().err
    assert "broken.m4a" in err and "not a recording" in err
    assert not (demo / "content" / "stories" / "bad").exists()


def test_parse_probe() -> None:
    report = (
        "Input #0, mov,mp4,m4a, from 'x.m4a':\n  Metadata:\n"
        "    creation_time   : 2026-03-12T09:58:01.000000Z\n"
        "  Duration: 01:02:03.50, start: 0.0, bitrate: 69 kb/s\n"
        "  Stream #0:0[0x1](und): Audio: aac (LC), 44100 Hz, mono\n"
    )
    found = parse_probe(report)
    assert found is not None
    assert found.duration == pytest.approx(3723.5)
    assert found.created == dt.date(2026, 3, 12)
    assert parse_probe("Input #0, image2\n  Stream #0:0: Video: mjpeg\n") is None


def test_a_failed_forced_import_leaves_the_old_bundle(tmp_path: Path) -> None:
    from immersion.importers.newbundle import write_bundle

    target = tmp_path / "stories" / "s"
    target.mkdir(parents=True)
    (target / "index.md").write_text("old", encoding="utf-8")

    def fail(folder: Path) -> None:
        (folder / "index.md").write_text("half", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_bundle(target, fail)
    assert (target / "index.md").read_text(encoding="utf-8") == "old"
    assert [p.name for p in target.parent.iterdir()] == ["s"]
