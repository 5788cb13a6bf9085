"""What a story's `redact:` list took out, checked in the built site itself.

* Words: no phrase of the `redact:` lists of the stories an audience sees may be in any
  text file of its site (HTML as the reader sees it, WebVTT, the search index, JSON,
  scripts). The phrases are matched as the build replaces them (`redaction.Phrases`:
  whole words, any case, any white space between them).
* Sound: the build lists each published recording that has redacted spans, with the
  spans in that file's own time, in `redacted.json` at the site's root. Each span is
  decoded from the published file by ffmpeg and measured here, apart from how the build
  made it: a silenced span must be under `SILENT_DBFS` (RMS); a bleeped one must hold
  nothing but the tone (under `BLEEP_RESIDUE_DBFS` once 1 kHz is notched out).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from ..media import ffmpeg as ff
from ..media.recipes import MediaError
from ..redaction import REDACTED_JSON

SILENT_DBFS = -60.0
BLEEP_RESIDUE_DBFS = -40.0
_RMS = re.compile(r"RMS level dB:\s*(-?inf|-?[\d.]+)")
# The tone notched out twice (a steep band-reject), so only what is not the tone is left.
_NOTCH = "bandreject=f=1000:width_type=h:w=300," * 2


@dataclass(frozen=True)
class Loud:
    """A redacted span of a published recording that is not silent."""

    path: str  # relative to the site
    start: float
    end: float
    rms_dbfs: float
    sound: str

    @property
    def detail(self) -> str:
        level = f"{self.rms_dbfs:.1f} dBFS"
        what = (
            f"is not silent (RMS {level}, over {SILENT_DBFS:.0f})"
            if self.sound != "bleep"
            else f"holds more than the bleep (RMS {level} without the tone, over "
            f"{BLEEP_RESIDUE_DBFS:.0f})"
        )
        return f"the redacted span {_clock(self.start)}-{_clock(self.end)} {what}"


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes):02d}:{rest:06.3f}"


def listed(root: Path) -> tuple[dict[str, tuple[str, list[tuple[float, float]]]], str]:
    """{file: (sound, spans)} from the site's `redacted.json`, and why it cannot be read."""
    path = root / REDACTED_JSON
    if not path.is_file():
        return {}, ""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data["files"]
        out = {
            str(rel): (
                str(entry.get("sound", "silence")),
                [(float(a), float(b)) for a, b in entry["spans"]],
            )
            for rel, entry in files.items()
        }
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return {}, f"{REDACTED_JSON} cannot be read ({exc}): redacted sound is unchecked"
    return out, ""


def rms_dbfs(path: Path, start: float, end: float, notch: bool = False) -> float:
    """The RMS level (dBFS) of the first audio stream of `path` from `start` to `end`;
    -inf for digital silence, NaN when the span holds no audio."""
    graph = f"{_NOTCH if notch else ''}astats=measure_perchannel=none:measure_overall=RMS_level"
    text = ff.run(
        [
            "-ss", f"{start:.3f}", "-t", f"{max(0.001, end - start):.3f}", "-i", str(path),
            "-map", "0:a:0", "-af", graph, "-f", "null", "-",
        ],
        loglevel="info",
    )  # fmt: skip
    found = _RMS.findall(text)
    if not found:
        return math.nan
    value = found[-1]
    return -math.inf if value.endswith("inf") else float(value)


def loud_spans(root: Path, rel: str, sound: str, spans: list[tuple[float, float]]) -> list[Loud]:
    """The spans of one listed file that are not silent (or not only the bleep).

    Raises MediaError when ffmpeg cannot run or read the file.
    """
    path = root / rel
    out = []
    for start, end in spans:
        try:
            level = rms_dbfs(path, start, end, notch=sound == "bleep")
        except ff.FFmpegError as exc:
            raise MediaError(f"cannot be decoded to measure its redacted spans ({exc})") from exc
        limit = BLEEP_RESIDUE_DBFS if sound == "bleep" else SILENT_DBFS
        # NaN: the span is past the end of this file, where nothing can be heard.
        if not math.isnan(level) and level >= limit:
            out.append(Loud(rel, start, end, level, sound))
    return out
