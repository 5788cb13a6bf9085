"""`immersion film export`: a real MP4 from a small room, checked as a player would see it.

Films are made here: solid-colour JPEGs with EXIF (one stored rotated, under
orientation 6; all with a camera, a GPS position and a distinctive description),
a narration made by ffmpeg, and captions with a researcher's NOTE block.
"""

from __future__ import annotations

import io
import struct
import subprocess
from pathlib import Path

import pytest
from conftest import TODAY, make_room, write
from PIL import Image

from immersion.cli import main
from immersion.commands import build
from immersion.commands import film as film_command
from immersion.media import film as film_module
from immersion.media.ffmpeg import FFmpegError

SIZE = (320, 180)
RED, GREEN, BLUE, YELLOW, BLACK = (255, 0, 0), (0, 200, 0), (0, 0, 255), (255, 255, 0), (0, 0, 0)
EXIF_MARKER = "EXIF-DESCRIPTION-okapi"
NOTE_MARKER = "RESEARCHER-NOTE-walrus"
NARRATION_SECONDS = 4.0
# film-x: red 1.0 s, green 1.6 s, then the rotated two-tone photo 1.4 s (on the 25 fps grid)
WINDOWS = [(0.0, 1.0), (1.0, 2.6), (2.6, 4.0)]

CAPTIONS = """WEBVTT

NOTE {note} the participant cried here; do not publish

00:00:00.200 --> 00:00:01.800
<v Leah>Hello from the kitchen.

00:00:02.000 --> 00:00:03.900
<v Leah>This is where the bills live.
"""


def photo(path: Path, upright: Image.Image, orientation: int = 1) -> None:
    """A JPEG as a camera stores it: rotated under orientation 6, with EXIF and GPS."""
    stored = upright.transpose(Image.Transpose.ROTATE_90) if orientation == 6 else upright
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    exif[0x010E] = EXIF_MARKER
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 0.0)
    path.parent.mkdir(parents=True, exist_ok=True)
    stored.save(path, "JPEG", exif=exif, quality=92)


def two_tone() -> Image.Image:
    """3:2, left half blue, right half yellow: shows which way up it came out."""
    image = Image.new("RGB", (480, 320), BLUE)
    image.paste(YELLOW, (240, 0, 480, 320))
    return image


def narration(path: Path, ffmpeg: str, seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            ffmpeg, "-v", "error", "-f", "lavfi", "-i", f"sine=frequency=220:duration={seconds}",
            "-c:a", "aac", "-b:a", "48k", "-y", str(path),
        ],
        check=True,
    )  # fmt: skip


def add_film(
    room: Path,
    ident: str,
    seconds: list[float],
    ffmpeg: str,
    consent: str = "c-001",
    narrated: bool = True,
) -> Path:
    bundle = room / "content/stories" / ident
    pictures = [Image.new("RGB", (480, 320), RED), Image.new("RGB", (480, 320), GREEN)]
    frames = []
    for i, s in enumerate(seconds):
        name = f"{i + 1:02d}.jpg"
        if i < len(pictures):
            photo(bundle / name, pictures[i])
        else:
            photo(bundle / name, two_tone(), orientation=6)
        frames.append(f'  - {{src: {name}, alt: "Photo {i + 1}", seconds: {s}}}')
    narration_block = ""
    if narrated:
        narration(bundle / "narration.m4a", ffmpeg, NARRATION_SECONDS)
        write(bundle / "narration.vtt", CAPTIONS.format(note=NOTE_MARKER))
        narration_block = "narration: {recording: narration.m4a, captions: narration.vtt}\n"
    frames_block = "\n".join(frames)
    write(
        bundle / "index.md",
        "---\n"
        "kind: photo-film\n"
        f'title: "A film {ident}"\n'
        f"participant: {{pseudonym: Leah, persona: maya, consent: {consent}}}\n"
        "date: 2026-06-15\n"
        f"frames:\n{frames_block}\n"
        f"{narration_block}"
        "---\n"
        "Leah shows us where the household admin happens.\n",
    )
    return bundle


def export(room: Path, ident: str) -> tuple[int, str]:
    out = io.StringIO()
    code = film_command.run(room, ident, size=SIZE, today=TODAY, out=out)
    return code, out.getvalue()


def info(ffmpeg: str, path: Path) -> str:
    """What ffmpeg says about a file (stderr of `ffmpeg -i`): streams, duration, tags."""
    return subprocess.run(
        [ffmpeg, "-hide_banner", "-i", str(path)], capture_output=True, text=True, check=False
    ).stderr


def duration(log: str) -> float:
    hms = log.split("Duration: ", 1)[1].split(",", 1)[0]
    hours, minutes, seconds = hms.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def audio_seconds(ffmpeg: str, path: Path) -> float:
    pcm = subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(path), "-map", "0:a:0", "-ac", "1", "-ar", "8000",
         "-f", "s16le", "-"],
        capture_output=True,
        check=True,
    ).stdout  # fmt: skip
    return len(pcm) / 16000


def video_frames(ffmpeg: str, path: Path) -> list[Image.Image]:
    """Every video frame, decoded to RGB at the film's size."""
    raw = subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(path), "-map", "0:v:0", "-f", "rawvideo",
         "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout  # fmt: skip
    step = SIZE[0] * SIZE[1] * 3
    return [Image.frombytes("RGB", SIZE, raw[i : i + step]) for i in range(0, len(raw), step)]


def frame_at(ffmpeg: str, path: Path, seconds: float) -> Image.Image:
    png = subprocess.run(
        [ffmpeg, "-v", "error", "-ss", f"{seconds:.3f}", "-i", str(path), "-frames:v", "1",
         "-f", "image2", "-c:v", "png", "-"],
        capture_output=True,
        check=True,
    ).stdout  # fmt: skip
    return Image.open(io.BytesIO(png)).convert("RGB")


def near(colour: object, want: tuple[int, int, int], tolerance: int = 40) -> bool:
    assert isinstance(colour, tuple)
    return all(abs(a - b) <= tolerance for a, b in zip(colour[:3], want, strict=True))


def top_level_boxes(path: Path) -> list[str]:
    names = []
    data = path.read_bytes()
    at = 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        if size == 1:
            size = struct.unpack(">Q", data[at + 8 : at + 16])[0]
        elif size == 0:
            size = len(data) - at
        names.append(kind.decode("latin-1"))
        at += size
    return names


# --------------------------------------------------------------------------- one room


@pytest.fixture(scope="module")
def films(tmp_path_factory: pytest.TempPathFactory, tone: Path, ffmpeg: str) -> Path:
    room = make_room(tmp_path_factory.mktemp("films") / "room", tone)
    add_film(room, "film-x", [1.0, 1.6, 1.4], ffmpeg)
    add_film(room, "film-quiet", [1.0, 1.2], ffmpeg, narrated=False)
    add_film(room, "film-long", [2.0, 2.0, 2.0], ffmpeg)
    add_film(room, "film-old", [1.0], ffmpeg, consent="c-002", narrated=False)
    return room


@pytest.fixture(scope="module")
def film_x(films: Path) -> tuple[Path, str]:
    code, said = export(films, "film-x")
    assert code == 0, said
    return films / "build/films/film-x.mp4", said


def test_export_says_what_it_made(film_x: tuple[Path, str]) -> None:
    mp4, said = film_x
    assert said.splitlines()[-1] == (
        f"film-x: 4.0 s, 3 frames, 320x180 -> build/films/film-x.mp4 "
        f"({round(mp4.stat().st_size / 1000)} kB)"
    )
    assert "warning" not in said and "error" not in said  # the room's own warnings stay out
    assert "100% encoded" in said  # plain lines, not a bar, when not on a terminal


def test_streams(film_x: tuple[Path, str], ffmpeg: str) -> None:
    log = info(ffmpeg, film_x[0])
    assert "Video: h264 (High)" in log and "yuv420p(tv, bt709" in log and "320x180" in log
    assert "25 fps" in log
    assert "Audio: aac (LC)" in log
    assert "(eng): Subtitle: mov_text" in log
    assert "handler_name    : Captions" in log
    assert abs(duration(log) - NARRATION_SECONDS) < 0.5


def test_faststart(film_x: tuple[Path, str]) -> None:
    boxes = top_level_boxes(film_x[0])
    assert boxes[0] == "ftyp"
    assert boxes.index("moov") < boxes.index("mdat")


def test_every_frame_on_screen_for_its_seconds(film_x: tuple[Path, str], ffmpeg: str) -> None:
    frames = video_frames(ffmpeg, film_x[0])
    assert len(frames) == 100  # 4.0 s at 25 fps
    expected = [RED, GREEN, BLUE]  # at the left of the picture (x=80)
    for n, frame in enumerate(frames):
        window = next(i for i, (start, end) in enumerate(WINDOWS) if start <= n / 25 < end)
        assert near(frame.getpixel((80, 90)), expected[window]), (n, frame.getpixel((80, 90)))
        assert near(frame.getpixel((5, 90)), BLACK, 12)  # 3:2 in 16:9: pillarboxed
    # and as a player seeking into the file sees it: the middle and edges of each window
    for (start, end), colour in zip(WINDOWS, expected, strict=True):
        for t in (start + 0.04, (start + end) / 2, end - 0.08):
            assert near(frame_at(ffmpeg, film_x[0], t).getpixel((80, 90)), colour), t


def test_the_rotated_photo_comes_out_upright(film_x: tuple[Path, str], ffmpeg: str) -> None:
    last = frame_at(ffmpeg, film_x[0], 3.3)
    assert near(last.getpixel((80, 90)), BLUE)  # left half
    assert near(last.getpixel((240, 90)), YELLOW)  # right half
    assert near(last.getpixel((160, 4)), BLUE) or near(last.getpixel((160, 4)), YELLOW)


def test_no_metadata_or_notes_in_the_mp4(film_x: tuple[Path, str]) -> None:
    data = film_x[0].read_bytes()
    for secret in (EXIF_MARKER, "TestCam", NOTE_MARKER, "participant cried"):
        assert secret.encode() not in data
    assert b"Exif\x00\x00" not in data


def test_captions_are_the_cues_only(film_x: tuple[Path, str], ffmpeg: str) -> None:
    vtt = subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(film_x[0]), "-map", "0:s:0", "-f", "webvtt", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Hello from the kitchen." in vtt and "This is where the bills live." in vtt
    assert "00:00.200 --> 00:01.800" in vtt
    assert NOTE_MARKER not in vtt and "NOTE" not in vtt and "<v" not in vtt


def test_a_film_without_narration_is_silent(films: Path, ffmpeg: str) -> None:
    code, said = export(films, "film-quiet")
    assert code == 0, said
    log = info(ffmpeg, films / "build/films/film-quiet.mp4")
    assert "Audio" not in log and "Subtitle" not in log
    assert duration(log) == pytest.approx(2.2, abs=0.05)
    assert said.splitlines()[-1].startswith("film-quiet: 2.2 s, 2 frames, 320x180 -> ")


def test_frames_longer_than_the_narration(films: Path, ffmpeg: str) -> None:
    code, said = export(films, "film-long")
    assert code == 0, said
    assert "content/stories/film-long/index.md:" in said
    assert "warning: the frames last 6.0 s but the narration 'narration.m4a' lasts 4.0 s" in said
    mp4 = films / "build/films/film-long.mp4"
    assert duration(info(ffmpeg, mp4)) == pytest.approx(6.0, abs=0.1)
    assert audio_seconds(ffmpeg, mp4) == pytest.approx(6.0, abs=0.1)  # padded with silence


# --------------------------------------------------------------------------- refusals


def test_expired_consent_writes_nothing(films: Path) -> None:
    code, said = export(films, "film-old")
    assert code == 1
    assert (
        "content/stories/film-old/index.md:4: error: film-old cannot be exported for the "
        "kiosk: consent 'c-002' expired on 2025-01-10 "
        "(see content/consent/c-002.yml; nothing was written)"
    ) in said
    assert not (films / "build/films/film-old.mp4").exists()


def test_unknown_id_suggests_a_film(films: Path) -> None:
    code, said = export(films, "flim-quiet")
    assert code == 1
    assert said.strip() == (
        "error: there is no story 'flim-quiet' in content/stories/ (did you mean 'film-quiet'?)"
    )


def test_not_a_film(films: Path) -> None:
    code, said = export(films, "p07")
    assert code == 1
    assert said.strip() == (
        "content/stories/p07/index.md:2: error: 'p07' is an interview (kind: interview), "
        "not a photo film; "
        "only photo films can be exported as MP4"
    )


def test_cli_exit_codes(films: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["-C", str(films), "film", "export", "film-x", "--size", "321x180"])
    assert exc.value.code == 2
    assert "argument --size: '321x180' cannot be used: width and height must be even" in (
        capsys.readouterr().err
    )
    inside = str(films / "content/stories/film-x/film.mp4")
    assert main(["-C", str(films), "film", "export", "film-x", "--out", inside]) == 2
    assert "content/ is read-only to immersion" in capsys.readouterr().err
    assert not Path(inside).exists()
    assert main(["-C", str(films), "film", "export", "nope", "--date", "2026-11-22"]) == 1


def test_a_failed_encode_leaves_the_previous_film(
    films: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = films / "build/films/film-quiet.mp4"
    if not done.exists():
        assert export(films, "film-quiet")[0] == 0
    before = done.read_bytes()

    def broken(inputs: object, dest: Path, on_seconds: object = None) -> None:
        dest.write_bytes(b"half an mp4")
        raise FFmpegError("Conversion failed", returncode=1, stderr="")

    monkeypatch.setattr(film_module, "encode", broken)
    code, said = export(films, "film-quiet")
    assert code == 1 and "nothing was written" in said
    assert done.read_bytes() == before
    assert [p.name for p in done.parent.iterdir() if p.name.startswith(".")] == []

    def interrupted(inputs: object, dest: Path, on_seconds: object = None) -> None:
        dest.write_bytes(b"half an mp4")
        raise KeyboardInterrupt

    monkeypatch.setattr(film_module, "encode", interrupted)
    code, said = export(films, "film-quiet")
    assert code == 130 and "stopped; nothing was written" in said
    assert done.read_bytes() == before
    assert [p.name for p in done.parent.iterdir() if p.name.startswith(".")] == []


# --------------------------------------------------------------------------- the cache


def test_export_keeps_the_rooms_cache(room: Path, ffmpeg: str) -> None:
    add_film(room, "film-x", [1.0, 1.6, 1.4], ffmpeg)
    out = io.StringIO()
    assert build.run(room, today=TODAY, out=out, jobs=1) == 0, out.getvalue()
    cache = room / "build/.cache/objects"
    before = sorted(p.name for p in cache.rglob("*") if p.is_file())
    assert len(before) > 10  # photos, the interview, the narration
    code, said = export(room, "film-x")
    assert code == 0, said
    assert "converted" not in said  # the narration came from the cache
    assert sorted(p.name for p in cache.rglob("*") if p.is_file()) == before


def test_errors_in_the_films_own_files_stop_it(room: Path, ffmpeg: str) -> None:
    bundle = add_film(room, "film-x", [1.0], ffmpeg, narrated=False)
    index = bundle / "index.md"
    index.write_text(index.read_text().replace("persona: maya", "persona: mya"))
    code, said = export(room, "film-x")
    assert code == 1
    assert "content/stories/film-x/index.md:4: error" in said and "did you mean 'maya'?" in said
    assert said.splitlines()[-1] == "error: film-x not exported: fix the error(s) above first"
    (bundle / "01.jpg").unlink()
    code, said = export(room, "film-x")
    assert code == 1 and "'01.jpg' does not exist" in said
    index.write_text("---\nkind: photo-film\ntitle: [unclosed\n---\n")  # cannot be loaded
    code, said = export(room, "film-x")
    assert code == 1 and "content/stories/film-x/index.md:" in said
    assert said.splitlines()[-1] == "error: film-x could not be read; fix the problem(s) above"
    assert not (room / "build/films").exists()
