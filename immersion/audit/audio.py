"""The tags a recording carries, as ffmpeg reads them (there is no ffprobe).

ffmpeg given many inputs and no output describes every input, with its global,
stream and chapter metadata, then stops: one process reads a hundred files.
`tags(paths)` returns {path: tag names}, without the technical tags ffmpeg's own
renditions carry (below), and a path ffmpeg cannot open maps to None.

Tag values are never reported: they are what must not leak (a name, a place).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from ..media.ffmpeg import find_ffmpeg

# Written by ffmpeg into every M4A/Opus it makes; they say how, never who or where.
TECHNICAL = frozenset(
    {"encoder", "major_brand", "minor_version", "compatible_brands", "handler_name", "vendor_id"}
)
BATCH = 100
_INPUT = re.compile(r"^Input #(\d+), ")
_ATTACHED = "(attached pic)"


def _parse(stderr: str) -> dict[int, set[str]]:
    """{input number: tag names} from ffmpeg's description of its inputs."""
    found: dict[int, set[str]] = {}
    current: int | None = None
    meta_indent: int | None = None
    for line in stderr.splitlines():
        match = _INPUT.match(line)
        if match:
            current = int(match.group(1))
            found[current] = set()
            meta_indent = None
            continue
        if current is None:
            continue
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" "))
        if meta_indent is not None and indent > meta_indent and stripped:
            key = stripped.partition(":")[0].strip()
            if key and key.lower() not in TECHNICAL:
                found[current].add(key)
            continue
        meta_indent = indent if stripped == "Metadata:" else None
        if stripped.startswith("Stream #") and _ATTACHED in stripped:
            found[current].add("attached picture")
        if not line.startswith(" "):  # a line of its own (an error): this input is done
            current = None
    return found


def _run(paths: Sequence[Path]) -> str:
    """ffmpeg's description of its inputs (its stderr), or why it could not run."""
    args = [find_ffmpeg(), "-hide_banner", "-nostdin"]
    for path in paths:
        args += ["-i", f"file:{path}"]
    try:
        proc = subprocess.run(
            args, stdin=subprocess.DEVNULL, capture_output=True, timeout=300, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    return proc.stderr.decode("utf-8", errors="replace")


def _each(
    paths: Sequence[Path], parse: Callable[[str], dict[int, set[str]]]
) -> dict[Path, set[str] | None]:
    """`parse` of ffmpeg's description of each file, a hundred files a run; None for one
    ffmpeg cannot open (it stops at that input: the rest go to the next run)."""
    result: dict[Path, set[str] | None] = {}
    pending = list(paths)
    while pending:
        batch = pending[:BATCH]
        parsed = parse(_run(batch))
        done = 0
        while done in parsed:
            result[batch[done]] = parsed[done]
            done += 1
        if done < len(batch):
            result[batch[done]] = None
            done += 1
        pending = pending[done:]
    return result


def tags(paths: Sequence[Path]) -> dict[Path, set[str] | None]:
    """The non-technical tags of each recording; None for one ffmpeg cannot open.

    Raises FFmpegNotFound (a MediaError) when no ffmpeg runs.
    """
    return _each(paths, _parse)


_STREAM = re.compile(r"^\s+Stream #(\d+):\d+\S*: (Video|Audio): ")


def _parse_streams(stderr: str) -> dict[int, set[str]]:
    """{input number: its kinds of stream, "audio" and "video"} from ffmpeg's description.

    A cover picture (an attached pic) is a video stream: a picture of whoever it shows."""
    found: dict[int, set[str]] = {}
    for line in stderr.splitlines():
        if match := _INPUT.match(line):
            found[int(match.group(1))] = set()
        elif (stream := _STREAM.match(line)) and int(stream.group(1)) in found:
            found[int(stream.group(1))].add(stream.group(2).lower())
    return found


def streams(paths: Sequence[Path]) -> dict[Path, set[str] | None]:
    """The kinds of stream ("audio", "video") each file holds; None for one ffmpeg
    cannot open. One ffmpeg run per hundred files, as for `tags`.

    Raises FFmpegNotFound (a MediaError) when no ffmpeg runs.
    """
    return _each(paths, _parse_streams)


def describe(fmt: str, names: set[str]) -> str:
    """`Ogg recording carries tags: artist, title`: the detail of a finding."""
    return f"{fmt} recording carries tags: " + ", ".join(sorted(names, key=str.lower))
