"""Finding and running ffmpeg: the one external program the media pipeline needs.

ffmpeg comes with the Python install (the ``imageio-ffmpeg`` wheel ships a static
build), and an ``ffmpeg`` on PATH is preferred when it runs and has what we use.
Nothing here needs ffprobe.

Every call goes through :func:`run`, so errors always read the same way and tests
can count or inspect invocations by patching one function.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Collection, Sequence

from immersion.media.recipes import MediaError

# What the pipeline uses; a PATH ffmpeg lacking any of these (or loopback decoders,
# FFmpeg 7+) is passed over for the wheel's, which has them all.
REQUIRED_ENCODERS = ("aac", "libopus", "flac", "pcm_s16le")
REQUIRED_FILTERS = ("loudnorm", "alimiter", "aresample", "aformat", "asplit")

FIX = (
    "install ffmpeg (`apt install ffmpeg`, `brew install ffmpeg`, https://ffmpeg.org/download.html)"
    " or `pip install imageio-ffmpeg`"
)


class FFmpegNotFound(MediaError):
    """No ffmpeg that runs: neither on PATH nor from the imageio-ffmpeg wheel."""


class FFmpegError(MediaError):
    """ffmpeg ran and failed. ``detail`` is its last meaningful complaint."""

    def __init__(self, detail: str, *, returncode: int | None, stderr: str) -> None:
        super().__init__(f"ffmpeg failed: {detail}")
        self.detail = detail
        self.returncode = returncode
        self.stderr = stderr


def _version_line(exe: str) -> str | None:
    """The first line of ``exe -version`` if it runs and says it is ffmpeg, else None."""
    try:
        proc = subprocess.run(
            [exe, "-version"],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    first = proc.stdout.splitlines()[0].strip() if proc.stdout.strip() else ""
    if proc.returncode != 0 or not first.startswith("ffmpeg version"):
        return None
    return first


def _has_everything(exe: str) -> bool:
    """Whether ``exe`` has the encoders and filters the pipeline uses."""
    for listing, wanted in (("-encoders", REQUIRED_ENCODERS), ("-filters", REQUIRED_FILTERS)):
        try:
            proc = subprocess.run(
                [exe, "-hide_banner", listing],
                capture_output=True,
                text=True,
                errors="replace",
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return False
        names = {parts[1] for line in proc.stdout.splitlines() if len(parts := line.split()) > 1}
        if proc.returncode != 0 or not set(wanted) <= names:
            return False
    return _has_loopback(exe)


def _has_loopback(exe: str) -> bool:
    """Whether ``exe`` has loopback decoders (``-dec``, FFmpeg 7 and later): a
    recording's encodes are decoded again in their own run to check their true peak."""
    try:
        proc = subprocess.run(
            [
                exe, "-hide_banner", "-nostdin", "-v", "error", "-f", "lavfi",
                "-i", "anullsrc=d=0.05", "-c:a", "pcm_s16le", "-f", "null", "-",
                "-dec", "0:0", "-filter_complex", "[dec:0]anull[o]", "-map", "[o]",
                "-f", "null", "-",
            ],
            capture_output=True,
            timeout=30,
            check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0


def _wheel_ffmpeg() -> str | None:
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except Exception:  # the wheel raises RuntimeError (or worse) when its binary is missing
        return None


@functools.cache
def _find() -> tuple[str, str]:
    tried: list[str] = []
    on_path = shutil.which("ffmpeg")
    if on_path:
        line = _version_line(on_path)
        if line and _has_everything(on_path):
            return on_path, line
        tried.append(
            f"{on_path} (on PATH) "
            + ("lacks an encoder or filter we need" if line else "does not run")
        )
    wheel = _wheel_ffmpeg()
    if wheel:
        line = _version_line(wheel)
        if line:
            return wheel, line
        tried.append(f"{wheel} (imageio-ffmpeg) does not run")
    else:
        tried.append("the imageio-ffmpeg wheel is not installed or has no binary")
    raise FFmpegNotFound(
        "ffmpeg is needed to convert recordings and none runs here ("
        + "; ".join(tried)
        + f"). Fix: {FIX}."
    )


def find_ffmpeg() -> str:
    """The ffmpeg executable to use, found once per process.

    An ``ffmpeg`` on PATH that runs ``-version`` and has every encoder and filter
    we use, else the one in the ``imageio-ffmpeg`` wheel. Raises
    :class:`FFmpegNotFound` (a :class:`MediaError`) with the fix when neither runs.
    """
    return _find()[0]


def ffmpeg_version() -> str:
    """ffmpeg's version line (``ffmpeg version n7.1 ...``), part of every audio cache key."""
    return _find()[1]


def clear_cache() -> None:
    """Forget the ffmpeg found (tests; or after installing one mid-session)."""
    _find.cache_clear()


_PREFIX = re.compile(r"^(?:\[[^\]]*\]\s*)+")  # "[in#0 @ 0x55] [error] " and the like
_LEVEL = re.compile(r"\[(panic|fatal|error|warning|info|verbose|debug|trace)\]")
# Lines that only say "it failed", never why.
_GENERIC = (
    "conversion failed",
    "error opening input file ",
    "error opening output file",
    "exiting with exit code",
    "nothing was written",
    "error parsing options",
    "failed to set value",
    "to ignore this",
)


def message_of(line: str) -> str:
    """A log line without its ``[component @ 0x..] [level]`` prefixes."""
    return _PREFIX.sub("", line).strip()


def level_of(line: str) -> str | None:
    """The level tag of a line logged with ``-v level+...`` (``"error"``...), if any."""
    prefix = _PREFIX.match(line)
    match = _LEVEL.search(prefix.group(0)) if prefix else None
    return match.group(1) if match else None


def logged(stderr: str, levels: Collection[str] = ("error", "fatal", "panic")) -> list[str]:
    """Messages ffmpeg logged at one of ``levels`` (from a ``-v level+...`` log)."""
    return [
        message_of(line)
        for line in stderr.splitlines()
        if level_of(line) in levels and message_of(line)
    ]


def error_lines(stderr: str) -> list[str]:
    """Messages ffmpeg logged at error level or worse."""
    return logged(stderr)


def last_meaningful_line(stderr: str) -> str:
    """The line that best says why ffmpeg failed: the last one that is not boilerplate."""
    lines = [message_of(line) for line in stderr.splitlines()]
    lines = [line for line in lines if line]
    for line in reversed(lines):
        lower = line.lower()
        if any(lower.startswith(generic) for generic in _GENERIC):
            continue
        # "Error opening input files: Invalid data found ..." -> the reason only.
        head, sep, reason = line.partition(": ")
        if sep and head.lower().startswith(("error opening", "error while")) and reason:
            return reason.strip()
        return line
    return lines[-1] if lines else "no message"


def run(
    args: Sequence[str],
    *,
    loglevel: str = "error",
    on_stdout: Callable[[bytes], None] | None = None,
    chunk_size: int = 1 << 16,
    timeout: float | None = None,
) -> str:
    """Run ffmpeg with ``args`` and return what it logged (stderr, as text).

    ffmpeg gets ``-hide_banner -nostdin -nostats -v level+LOGLEVEL`` first, so
    every log line carries its level (see :func:`error_lines`). With
    ``on_stdout``, ffmpeg's standard output is streamed to it in chunks of at
    most ``chunk_size`` bytes as it is produced (nothing is held whole); stderr
    goes to a temporary file meanwhile, so neither pipe can fill and stall.
    A non-zero exit raises :class:`FFmpegError` with the last meaningful line.
    """
    cmd = [
        find_ffmpeg(),
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-v",
        f"level+{loglevel}",
        *args,
    ]
    if on_stdout is None:
        try:
            proc = subprocess.run(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise FFmpegError(
                f"gave up after {timeout} s", returncode=None, stderr=_text(exc.stderr)
            ) from exc
        stderr = _text(proc.stderr)
        returncode = proc.returncode
    else:
        with tempfile.TemporaryFile() as err:
            popen = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err
            )
            try:
                assert popen.stdout is not None
                fd = popen.stdout.fileno()
                while chunk := os.read(fd, chunk_size):
                    on_stdout(chunk)
                returncode = popen.wait(timeout=timeout)
            except BaseException:
                popen.kill()
                popen.wait()
                raise
            finally:
                if popen.stdout is not None:
                    popen.stdout.close()
            err.seek(0)
            stderr = _text(err.read())
    if returncode != 0:
        raise FFmpegError(last_meaningful_line(stderr), returncode=returncode, stderr=stderr)
    return stderr


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    if isinstance(data, str):
        return data
    return data.decode("utf-8", errors="replace")
