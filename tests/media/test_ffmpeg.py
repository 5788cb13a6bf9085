"""Finding ffmpeg (PATH first, then the imageio-ffmpeg wheel) and running it."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from immersion.media import ffmpeg as ff
from immersion.media.recipes import MediaError

imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
WHEEL = imageio_ffmpeg.get_ffmpeg_exe()


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    ff.clear_cache()
    yield
    ff.clear_cache()


def fake_ffmpeg(folder: Path, script: str) -> Path:
    """An executable ``ffmpeg`` shell script in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "ffmpeg"
    exe.write_text("#!/bin/sh\n" + script)
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe


def only_on_path(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.setenv("PATH", str(folder))


def test_finds_a_working_ffmpeg_and_its_version() -> None:
    exe = ff.find_ffmpeg()
    assert os.access(exe, os.X_OK)
    assert ff.ffmpeg_version().startswith("ffmpeg version ")
    assert ff.find_ffmpeg() is exe  # found once, then cached


def test_without_ffmpeg_on_path_the_wheel_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    only_on_path(monkeypatch, tmp_path / "empty")
    assert ff.find_ffmpeg() == WHEEL
    assert ff.ffmpeg_version().startswith("ffmpeg version ")


def test_a_working_ffmpeg_on_path_is_preferred(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    exe = fake_ffmpeg(tmp_path / "bin", f'exec "{WHEEL}" "$@"\n')
    only_on_path(monkeypatch, tmp_path / "bin")
    assert ff.find_ffmpeg() == str(exe)


@pytest.mark.parametrize(
    "script",
    [
        "exit 1\n",  # broken install
        'echo "not ffmpeg at all"\n',  # something else called ffmpeg
        # runs, but built without libopus or loudnorm
        'case "$1" in -version) echo "ffmpeg version 2.8";; *) echo " A..... aac  AAC";; esac\n',
    ],
    ids=["fails", "impostor", "missing-encoders"],
)
def test_an_unusable_ffmpeg_on_path_is_passed_over(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, script: str
) -> None:
    fake_ffmpeg(tmp_path / "bin", script)
    only_on_path(monkeypatch, tmp_path / "bin")
    assert ff.find_ffmpeg() == WHEEL


def test_an_ffmpeg_on_path_without_loopback_decoders_is_passed_over(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Everything we use, but an FFmpeg before 7 refuses `-dec`: the true-peak checks need it.
    script = (
        'for a in "$@"; do [ "$a" = -dec ] && { echo "Unrecognized option dec" >&2; exit 8; }; '
        f'done\nexec "{WHEEL}" "$@"\n'
    )
    fake_ffmpeg(tmp_path / "bin", script)
    only_on_path(monkeypatch, tmp_path / "bin")
    assert ff.find_ffmpeg() == WHEEL


def test_when_nothing_runs_the_message_says_how_to_fix_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_ffmpeg(tmp_path / "bin", "exit 127\n")
    only_on_path(monkeypatch, tmp_path / "bin")

    def no_binary() -> str:
        raise RuntimeError("No ffmpeg exe could be found.")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", no_binary)
    with pytest.raises(ff.FFmpegNotFound) as caught:
        ff.find_ffmpeg()
    message = str(caught.value)
    assert isinstance(caught.value, MediaError)
    assert "pip install imageio-ffmpeg" in message
    assert "install ffmpeg" in message
    assert "does not run" in message  # says what was tried
    with pytest.raises(ff.FFmpegNotFound):
        ff.ffmpeg_version()


def test_when_the_wheel_is_not_installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    only_on_path(monkeypatch, tmp_path / "empty")
    monkeypatch.setattr(ff, "_wheel_ffmpeg", lambda: None)
    with pytest.raises(ff.FFmpegNotFound, match="pip install imageio-ffmpeg"):
        ff.find_ffmpeg()


# --------------------------------------------------------------------------- run


def test_run_returns_the_log_and_marks_levels() -> None:
    stderr = ff.run(
        ["-f", "lavfi", "-i", "anullsrc=d=0.1", "-f", "null", "-"],
        loglevel="info",
    )
    assert "[info]" in stderr
    assert ff.error_lines(stderr) == []


def test_run_failure_names_the_reason(tmp_path: Path) -> None:
    with pytest.raises(ff.FFmpegError) as caught:
        ff.run(["-i", str(tmp_path / "missing.wav"), "-f", "null", "-"])
    assert caught.value.detail == "No such file or directory"
    assert caught.value.returncode != 0
    assert isinstance(caught.value, MediaError)

    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    with pytest.raises(ff.FFmpegError, match="Invalid data found when processing input"):
        ff.run(["-i", str(text), "-f", "null", "-"])


def test_run_streams_stdout_in_chunks() -> None:
    chunks: list[int] = []
    ff.run(
        [
            *("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000:duration=3"),
            *("-ac", "1", "-c:a", "pcm_s16le", "-f", "s16le", "pipe:1"),
        ],
        on_stdout=lambda chunk: chunks.append(len(chunk)),
        chunk_size=4096,
    )
    assert sum(chunks) == 3 * 8000 * 2
    assert max(chunks) <= 4096 and len(chunks) >= 6


def test_run_streaming_failure_raises_and_does_not_hang(tmp_path: Path) -> None:
    with pytest.raises(ff.FFmpegError, match="No such file"):
        ff.run(
            ["-i", str(tmp_path / "nope.wav"), "-f", "s16le", "pipe:1"], on_stdout=lambda _: None
        )


def test_an_exception_in_the_consumer_stops_ffmpeg() -> None:
    def consume(_: bytes) -> None:
        raise KeyError("stop")

    with pytest.raises(KeyError):
        ff.run(
            ["-f", "lavfi", "-i", "sine=duration=600", "-f", "s16le", "pipe:1"],
            on_stdout=consume,
        )


def test_run_passes_the_quiet_flags(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen = tmp_path / "args.txt"
    fake_ffmpeg(tmp_path / "bin", f'echo "$@" >> "{seen}"\necho "ffmpeg version test"\n')
    monkeypatch.setattr(ff, "find_ffmpeg", lambda: str(tmp_path / "bin" / "ffmpeg"))
    ff.run(["-i", "x.wav", "-f", "null", "-"])
    quiet = ["-hide_banner", "-nostdin", "-nostats", "-v", "level+error"]
    assert seen.read_text().split() == [*quiet, "-i", "x.wav", "-f", "null", "-"]


@pytest.mark.parametrize(
    ("stderr", "reason"),
    [
        (
            "[in#0 @ 0x55] [error] Error opening input: Invalid data found when processing input\n"
            "[error] Error opening input file notes.txt.\n"
            "[fatal] Error opening input files: Invalid data found when processing input\n",
            "Invalid data found when processing input",
        ),
        (
            "[fatal] Stream map '' matches no streams.\n"
            "To ignore this, add a trailing '?' to the map.\n"
            "[error] Failed to set value '0:a:0' for option 'map': Invalid argument\n"
            "[error] Error parsing options for output file -.\n"
            "[fatal] Error opening output files: Invalid argument\n",
            "Stream map '' matches no streams.",
        ),
        (
            "[aac @ 0x1] [error] Too many bits per frame requested\nConversion failed!\n",
            "Too many bits per frame requested",
        ),
        ("", "no message"),
    ],
    ids=["text-file", "no-audio", "encoder", "silent"],
)
def test_last_meaningful_line(stderr: str, reason: str) -> None:
    assert ff.last_meaningful_line(stderr) == reason


def test_level_parsing() -> None:
    log = (
        "[mp3float @ 0x5] [error] invalid new backstep -1\n"
        "[aist#0:0/amr_nb @ 0x1] [dec:amrnb @ 0x2] [error] Corrupt bitstream\n"
        "[in#0 @ 0x3] [warning] Packet corrupt (stream = 0, dts = NOPTS).\n"
        "[info] Input #0, wav, from 'x.wav':\n"
        '\t"input_i" : "-19.97",\n'
    )
    assert ff.error_lines(log) == ["invalid new backstep -1", "Corrupt bitstream"]
    assert ff.logged(log, ("warning",)) == ["Packet corrupt (stream = 0, dts = NOPTS)."]
