"""Recordings: one source -> a loudness-normalised master, AAC + Opus, peaks, clips.

``convert_recording`` is the whole job for one recording, run in a worker: it is
given a path and a frozen :class:`AudioRecipe`, reads nothing else, and writes
only into ``out_dir``. Every output is written under a ``.partial-`` name and
renamed when complete, so a final name never holds half a file (a build killed
mid-way leaves only ``.partial-*`` files, which the cache may sweep).

Memory: the recording never passes through Python whole. ffmpeg reads and writes
the files; the waveform is computed from an 8 kHz 16-bit stream read from a pipe
a chunk at a time; pydub only ever holds one highlight clip.

Loudness (two-pass ``loudnorm``, applied linearly)
--------------------------------------------------
Pass 1 measures the input (integrated loudness I, true peak TP, loudness range
LRA, gating threshold). Pass 2 applies one constant gain, ``target - I``, with
``loudnorm ... linear=true`` and we check that it reports ``"linear"``.

A constant gain can only reach the target if the peaks fit: ``TP + gain`` must
stay under the ceiling. Speech often has a peak-to-loudness ratio above the 15 dB
that -16 LUFS / -1 dBTP allows (espeak's is about 18 dB; plosives do it in real
interviews), and then ffmpeg silently falls back to its "dynamic" mode, a
3-second AGC that rides the level and changes the speech's dynamics. We never let
it: when the peaks do not fit,

* by at most ``LOWER_TARGET_MAX_LU`` we lower the target by that much (pure
  gain, still inside the +-1 LU the outputs are held to), else
* we tame just the peaks first: a look-ahead limiter (``alimiter`` run at
  192 kHz, so sample peaks are true peaks) in front of ``loudnorm``, whose
  ceiling is chosen from a measurement of the limited signal (limiting lowers
  the loudness a little, which the gain must make up without pushing the peaks
  back over). ``loudnorm`` then still applies one constant gain and reports
  "linear"; the limiter only touches the short peaks above the ceiling.

The loudness range target is a gate in ``loudnorm``'s linear mode (it refuses
linear when the input's LRA exceeds it) and a constant gain never changes LRA, so
pass 2 gets ``LRA = max(recipe.loudness_range, measured LRA)``.

Should ffmpeg report "dynamic" anyway (a build with different rules), the output
is kept (dynamic mode also meets the loudness and peak targets) and that is
recorded as the normalisation in the master's tags (see :func:`read_master`) and
logged as a warning.

Headroom for the lossy encodes: AAC and Opus overshoot the true peak of what
they are given (measured on speech: up to 0.3 dB for AAC with the "fast" coder,
1.5 dB with the default "twoloop" one, up to 0.6 dB for Opus at 48k), so the
master's ceiling is ``recipe.true_peak - CODEC_HEADROOM_DB`` and the encodes land
at or under ``recipe.true_peak``.

Silence, or a recording under 0.4 s (too short for a loudness block), has no
integrated loudness (ffmpeg says -inf): it is passed through with no gain and
reported as ``measured_lufs = -70.0``, the EBU R128 absolute gate, i.e. "at or
below the quietest level that counts".

Mono: speech recordings carry no stereo image worth keeping (a phone, a
lavalier, a table mic); mono halves the data for the same quality at a given
bitrate, and a recording with the voice on one channel only plays in both ears
on a kiosk headset instead of one. Loudness is measured on the mono signal (as
ffmpeg's ``ebur128`` measures a mono file).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import math
import os
import re
import shutil
import sys
import uuid
import warnings
from array import array
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from immersion.media import ffmpeg as ff
from immersion.media.recipes import AudioRecipe, AudioResult, Clip, MediaError

log = logging.getLogger(__name__)

MASTER = "normalised.flac"
M4A = "audio.m4a"
OPUS = "audio.opus"
PEAKS = "peaks.json"

PEAKS_RATE = 8000  # Hz of the decode the waveform is computed from
CODEC_HEADROOM_DB = 1.0  # master ceiling = recipe.true_peak - this (see module doc)
LOWER_TARGET_MAX_LU = 0.5  # peaks this far over: lower the target instead of limiting
LIMIT_PROBES_DB = (0.0, 3.0)  # limiter ceilings measured in pass 1b, below the naive one
PROBE_RATE = 48000  # pass 1b runs its limiters here: within 0.05 LU of 192 kHz, 2.3x faster
LIMITED_TOLERANCE_LU = 0.5  # a limited pass 2 further off target than this is redone once
TP_GATE_SLACK_DB = 0.05  # see _apply_filter
TRIM_DB = 0.1  # an encode over the true-peak limit is redone this much more quietly
MAX_TRIM_DB = 0.8  # ... but never more than this,
LOUDNESS_TOLERANCE_LU = 1.0  # ... nor below target - this
AAC_CODER = "fast"  # 2.7x faster than "twoloop", less peak overshoot; ample at 96k mono
SILENT_LUFS = -70.0
TAG = "IMMERSION_"  # prefix of the master's Vorbis comments

# Warnings that mean the file is not what its header says: a WAV or MP3 cut short
# ("Packet corrupt", "filesize and duration do not match"). Anything logged at
# error level while decoding counts too. An Ogg file, or an MP3 cut on a frame
# boundary without a Xing header, cannot be told from a shorter recording.
DAMAGE_WARNINGS = ("corrupt", "ended prematurely", "truncat", "filesize and duration do not match")

_CLIP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
# "Measure only": loudnorm in linear mode with a gain of 0 dB. Its input statistics
# are the same as in its default (dynamic) mode, but it skips the dynamic
# processing, which takes ~2x as long (3.1 s instead of 5.5 s for 5 minutes of speech).
_MEASURE = (
    "loudnorm=I=-24:TP=-2:LRA=50:measured_I=-24:measured_TP=-30:measured_LRA=1"
    ":measured_thresh=-34:offset=0:linear=true:print_format=json"
)


# --------------------------------------------------------------------------- names


def clip_names(clip_id: str) -> tuple[str, str]:
    """The M4A and Opus file names of a clip."""
    return f"clip-{clip_id}.m4a", f"clip-{clip_id}.opus"


def output_names(clips: Sequence[Clip] = ()) -> list[str]:
    """Every file :func:`convert_recording` can write for these clips (the ``only`` names)."""
    names = [MASTER, M4A, OPUS, PEAKS]
    for clip in clips:
        names.extend(clip_names(clip.id))
    return names


# --------------------------------------------------------------------------- loudness


@dataclass(frozen=True)
class Loudness:
    """What ``loudnorm`` printed about its input (and output)."""

    i: float
    tp: float
    lra: float
    thresh: float
    output_i: float = math.nan
    output_tp: float = math.nan
    normalization: str = ""

    @property
    def silent(self) -> bool:
        # ffmpeg says -inf (and a threshold of -70) when no 400 ms block passes the gate.
        return not math.isfinite(self.i) or self.i <= SILENT_LUFS


@dataclass(frozen=True)
class MasterInfo:
    """What the normalised master says about itself (its FLAC header and our tags)."""

    duration: float
    sample_rate: int
    samples: int
    measured_lufs: float  # input integrated loudness (pass 1); -70 for silence
    normalization: str  # "linear", "linear+limiter", "lowered", "silent" or "dynamic"
    gain_db: float


_JSON_BLOCK = re.compile(r"\[Parsed_loudnorm_(\d+) @[^\]]*\][^\n]*\n\s*(\{.*?\})", re.S)


def parse_loudnorm(stderr: str) -> list[Loudness]:
    """Every loudnorm JSON report in ``stderr``, in filter-graph order."""
    found: list[tuple[int, Loudness]] = []
    for index, block in _JSON_BLOCK.findall(stderr):
        try:
            data = json.loads(block)
        except json.JSONDecodeError:
            continue
        if not isinstance(data, dict) or "input_i" not in data:
            continue
        found.append(
            (
                int(index),
                Loudness(
                    i=_num(data.get("input_i")),
                    tp=_num(data.get("input_tp")),
                    lra=_num(data.get("input_lra")),
                    thresh=_num(data.get("input_thresh")),
                    output_i=_num(data.get("output_i")),
                    output_tp=_num(data.get("output_tp")),
                    normalization=str(data.get("normalization_type", "")),
                ),
            )
        )
    return [loudness for _, loudness in sorted(found, key=lambda pair: pair[0])]


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _mono(sample_rate: int | None = None) -> str:
    chain = "aformat=channel_layouts=mono"
    return f"{chain},aresample={sample_rate}" if sample_rate else chain


def _limiter(ceiling_db: float) -> str:
    """A look-ahead peak limiter at ``ceiling_db`` dBFS, for any ceiling.

    alimiter's own limit only goes down to -24 dB, so the signal is scaled to
    put the ceiling at -6 dB, limited there, and scaled back (in double
    precision, exact). ``latency=1`` removes the look-ahead delay; ``level=0``
    stops alimiter from "auto-levelling" its output to 0 dBFS.
    """
    shift = -6.0 - ceiling_db
    return (
        f"volume={shift:.4f}dB:precision=double,"
        "alimiter=limit=0.5:attack=5:release=50:level=0:latency=1,"
        f"volume={-shift:.4f}dB:precision=double"
    )


def _apply_filter(
    target_i: float, ceiling: float, lra_target: float, m: Loudness, measured_tp: float
) -> str:
    measured_i = min(m.i, -0.01)  # loudnorm takes 0 to mean "not measured"
    # In linear mode TP is only the gate "measured_TP + gain <= TP" (loudnorm limits
    # nothing); our plan puts the peaks exactly on the ceiling, so a little slack
    # keeps the 0.01 dB rounding of the arguments from tipping it into dynamic mode.
    gate = min(ceiling + TP_GATE_SLACK_DB, 0.0)
    return (
        f"loudnorm=I={max(target_i, -70.0):.2f}:TP={max(gate, -9.0):.2f}"
        f":LRA={min(max(lra_target, 1.0), 50.0):.2f}"
        f":measured_I={max(measured_i, -99.0):.2f}:measured_TP={measured_tp:.2f}"
        # LRA 0 (under 3 s of audio, or a steady tone) means "unmeasured" to loudnorm
        f":measured_LRA={min(max(m.lra, 0.1), 50.0):.2f}"
        f":measured_thresh={max(m.thresh, -99.0):.2f}:offset=0:linear=true:print_format=json"
    )


def _solve_ceiling(naive: float, points: Sequence[tuple[float, float]]) -> float:
    """The limiter ceiling h with ``h + loss(h) = naive``.

    ``points`` are measured (ceiling, loudness lost to the limiter) pairs. With the
    limiter at h, the gain that reaches the target is ``naive - h`` dB more than
    ``h`` leaves room for unless it also makes up ``loss(h)``; the root puts the
    final peaks exactly at the master's ceiling. ``h + loss(h)`` rises with h
    (slope 1 + loss', between 0 and 1), so interpolate between bracketing
    points, else extrapolate from the nearest two.
    """
    values = sorted((h, h + loss - naive) for h, loss in points)
    if len(values) == 1:
        h, f = values[0]
        return h - f
    for (ha, fa), (hb, fb) in itertools.pairwise(values):
        if fa <= 0.0 <= fb:
            return ha if fb == fa else ha + (0.0 - fa) * (hb - ha) / (fb - fa)
    (ha, fa), (hb, fb) = (values[0], values[1]) if values[0][1] > 0 else (values[-2], values[-1])
    slope = max((fb - fa) / (hb - ha), 0.1) if hb != ha else 1.0
    return ha - fa / slope


# --------------------------------------------------------------------------- source checks


def _editor_reason(error: ff.FFmpegError) -> str:
    detail = error.detail
    lower = detail.lower()
    if "matches no streams" in lower or "does not contain any stream" in lower:
        return "it has no audio track"
    if "no such file" in lower:
        return "the file does not exist"
    if "permission denied" in lower:
        return "the file cannot be read (permission denied)"
    return f"not a recording ffmpeg can read ({detail})"


def _check_source(src: Path) -> None:
    if not src.exists():
        raise MediaError("the file does not exist")
    if not src.is_file():
        raise MediaError("not a file")
    if src.stat().st_size == 0:
        raise MediaError("the file is empty")


def _measure(src: Path) -> Loudness:
    """Pass 1: the input's loudness, true peak, LRA and gate, as loudnorm sees them.

    At 192 kHz, so loudnorm's (sample) peak is the true peak. Also where an
    unreadable, damaged or truncated file is caught: ffmpeg logs decoding errors
    and carries on, so any error-level line here means the recording is damaged.
    """
    args = [
        "-i",
        str(src),
        "-map",
        "0:a:0",
        "-af",
        f"{_mono(192000)},{_MEASURE}",
        "-f",
        "null",
        "-",
    ]
    try:
        stderr = ff.run(args, loglevel="info")
    except ff.FFmpegError as error:
        raise MediaError(_editor_reason(error)) from error
    damage = ff.error_lines(stderr) + [
        line
        for line in ff.logged(stderr, ("warning",))
        if any(sign in line.lower() for sign in DAMAGE_WARNINGS)
    ]
    if damage:
        raise MediaError(f"the recording is damaged or cut short ({damage[0]})")
    reports = parse_loudnorm(stderr)
    if not reports:
        raise MediaError("it contains no audio")
    return reports[0]


def _measure_limited(src: Path, ceilings: Sequence[float]) -> list[Loudness]:
    """Pass 1b: the loudness of the input peak-limited at each ceiling, in one decode.

    Only loudness is wanted here (what limiting costs), so the limiters run at
    PROBE_RATE rather than 192 kHz; pass 2 checks the result and corrects once.
    """
    branches = [f"[s{n}]{_limiter(h)},{_MEASURE}[o{n}]" for n, h in enumerate(ceilings)]
    graph = f"[0:a:0]{_mono(PROBE_RATE)},asplit={len(ceilings)}" + "".join(
        f"[s{n}]" for n in range(len(ceilings))
    )
    args = ["-i", str(src), "-filter_complex", ";".join([graph, *branches])]
    for n in range(len(ceilings)):
        args += ["-map", f"[o{n}]", "-f", "null", "-"]
    reports = parse_loudnorm(ff.run(args, loglevel="info"))
    if len(reports) != len(ceilings):
        raise MediaError("ffmpeg did not report the loudness of the limited signal")
    return reports


# --------------------------------------------------------------------------- master


def _normalise(src: Path, dest: Path, recipe: AudioRecipe, partials: _Partials) -> None:
    """Measure ``src`` and write the loudness-normalised mono master to ``dest``."""
    m = _measure(src)
    target = recipe.target_lufs
    ceiling = recipe.true_peak - CODEC_HEADROOM_DB
    rate = recipe.sample_rate
    tags: dict[str, str] = {}

    def metadata() -> list[str]:
        pairs = [("-metadata", f"{TAG}{key}={value}") for key, value in tags.items()]
        return ["-map_metadata", "-1", "-map_chapters", "-1", *[x for p in pairs for x in p]]

    def write(graph: str) -> Loudness:
        """Pass 2: apply ``graph`` to the source into the master; loudnorm's report."""
        tmp = partials.new(dest.name)
        stderr = ff.run(
            [
                "-i", str(src), "-map", "0:a:0", "-af", graph,
                "-c:a", "flac", "-sample_fmt", "s16", "-ar", str(rate),
                *metadata(), *_BITEXACT, "-f", "flac", "-y", str(tmp),
            ],
            loglevel="info",
        )  # fmt: skip
        reports = parse_loudnorm(stderr)
        if "loudnorm=" in graph and not reports:
            raise MediaError("ffmpeg did not report the loudness of the normalised recording")
        partials.keep(tmp, dest)
        report = reports[-1] if reports else m
        if report.normalization == "dynamic":
            # Our plan should make this impossible; keep the output (dynamic mode also
            # meets the targets) but say so in the master, by a cheap stream copy.
            log.warning("%s: loudnorm fell back to dynamic normalisation: %s", src.name, report)
            tags["NORMALIZATION"] = "dynamic"
            retagged = partials.new(dest.name)
            ff.run(["-i", str(dest), "-map", "0:a:0", "-c", "copy", *metadata(), *_BITEXACT,
                    "-f", "flac", "-y", str(retagged)])  # fmt: skip
            partials.keep(retagged, dest)
        log.debug("%s: %s, pass 2 reported %s", src.name, tags, report)
        return report

    if m.silent:
        tags.update(MEASURED_LUFS=f"{SILENT_LUFS:.2f}", NORMALIZATION="silent", GAIN_DB="0.00")
        write(_mono())
        return

    gain = target - m.i
    over = m.tp + gain - ceiling  # dB the peaks would exceed the ceiling at plain gain
    tags["MEASURED_LUFS"] = f"{m.i:.2f}"
    lra_target = max(recipe.loudness_range, m.lra)

    if over <= LOWER_TARGET_MAX_LU:
        mode = "linear"
        if over > 0:
            # A little too peaky: give up `over` LU of loudness rather than limit.
            mode, target = "lowered", target - over
        tags.update(NORMALIZATION=mode, GAIN_DB=f"{target - m.i:.2f}")
        write(f"{_mono()},{_apply_filter(target, ceiling, lra_target, m, m.tp)}")
        return

    # Peaks too high for a constant gain: measure what a limiter costs in loudness,
    # pick the ceiling whose make-up gain lands the peaks on the master ceiling.
    naive = ceiling - gain  # the limiter ceiling (input domain) if limiting cost nothing
    probes = [naive - d for d in LIMIT_PROBES_DB]
    points = [(h, m.i - r.i) for h, r in zip(probes, _measure_limited(src, probes), strict=True)]
    for attempt in range(2):
        h = _solve_ceiling(naive, points)
        measured_i = m.i - (naive - h)  # the limited signal's predicted loudness
        tags.update(
            NORMALIZATION="linear+limiter",
            GAIN_DB=f"{target - measured_i:.2f}",
            LIMIT_DB=f"{h:.2f}",
        )
        limited = dataclasses.replace(m, i=measured_i)
        report = write(
            f"{_mono(192000)},{_limiter(h)},"
            f"{_apply_filter(target, ceiling, lra_target, limited, h)},aresample={rate}"
        )
        off = report.output_i - target
        if attempt or report.normalization != "linear" or abs(off) <= LIMITED_TOLERANCE_LU:
            break
        # The limiter cost more (or less) than predicted: add what it really cost, retry once.
        points.append((h, m.i - (measured_i + off)))


# --------------------------------------------------------------------------- FLAC header


def read_master(path: Path) -> MasterInfo:
    """Duration and our tags from a normalised master, reading only its FLAC header."""
    try:
        with open(path, "rb") as fh:
            if fh.read(4) != b"fLaC":
                raise ValueError("not FLAC")
            rate = samples = 0
            comments: dict[str, str] = {}
            last = False
            while not last:
                header = fh.read(4)
                if len(header) < 4:
                    raise ValueError("truncated header")
                last = bool(header[0] & 0x80)
                kind = header[0] & 0x7F
                length = int.from_bytes(header[1:4], "big")
                body = fh.read(length)
                if len(body) < length:
                    raise ValueError("truncated block")
                if kind == 0:  # STREAMINFO
                    bits = int.from_bytes(body[10:18], "big")
                    rate = bits >> 44
                    samples = bits & ((1 << 36) - 1)
                elif kind == 4:  # VORBIS_COMMENT (little-endian lengths)
                    comments = _vorbis_comments(body)
    except (OSError, ValueError, IndexError) as error:
        raise MediaError(f"the normalised recording {path.name} is unreadable ({error})") from error
    if not rate:
        raise MediaError(f"the normalised recording {path.name} has no stream information")

    def number(key: str, default: float) -> float:
        value = _num(comments.get(TAG + key))
        return value if math.isfinite(value) else default

    return MasterInfo(
        duration=samples / rate,
        sample_rate=rate,
        samples=samples,
        measured_lufs=number("MEASURED_LUFS", math.nan),
        normalization=comments.get(TAG + "NORMALIZATION", ""),
        gain_db=number("GAIN_DB", math.nan),
    )


def _vorbis_comments(body: bytes) -> dict[str, str]:
    pos = 4 + int.from_bytes(body[0:4], "little")  # skip the vendor string
    count = int.from_bytes(body[pos : pos + 4], "little")
    pos += 4
    comments: dict[str, str] = {}
    for _ in range(count):
        size = int.from_bytes(body[pos : pos + 4], "little")
        key, _, value = body[pos + 4 : pos + 4 + size].decode("utf-8", "replace").partition("=")
        comments[key.upper()] = value
        pos += 4 + size
    return comments


# --------------------------------------------------------------------------- encodes


_BITEXACT = ["-fflags", "+bitexact", "-flags:a", "+bitexact"]  # same input -> same bytes


def _aac(recipe: AudioRecipe) -> list[str]:
    return [
        "-c:a", "aac", "-aac_coder", AAC_CODER, "-b:a", recipe.aac_bitrate,
        "-movflags", "+faststart", "-map_metadata", "-1", "-map_chapters", "-1",
        *_BITEXACT, "-f", "ipod",
    ]  # fmt: skip


def _opus(recipe: AudioRecipe) -> list[str]:
    return [
        "-c:a", "libopus", "-b:a", recipe.opus_bitrate,
        "-map_metadata", "-1", "-map_chapters", "-1", *_BITEXACT, "-f", "ogg",
    ]  # fmt: skip


class _Peaks:
    """Min/max pairs per ``spp`` samples of a s16le stream, fed chunk by chunk."""

    def __init__(self, spp: int) -> None:
        self.spp = spp
        self.samples = 0
        self.data = array("b")
        self._pending = bytearray()

    def feed(self, chunk: bytes) -> None:
        self._pending += chunk
        step = 2 * self.spp
        usable = len(self._pending) - len(self._pending) % step
        if usable:
            self._add(bytes(self._pending[:usable]))
            del self._pending[:usable]

    def finish(self) -> None:
        tail = len(self._pending) - len(self._pending) % 2
        if tail:
            self._add(bytes(self._pending[:tail]))
        self._pending.clear()

    def _add(self, raw: bytes) -> None:
        samples = array("h")
        samples.frombytes(raw)
        if sys.byteorder == "big":
            samples.byteswap()
        self.samples += len(samples)
        spp = self.spp
        data = self.data
        for start in range(0, len(samples), spp):
            window = samples[start : start + spp]
            data.append(min(window) >> 8)  # 16 -> 8 bits, floor: -32768 -> -128
            data.append(max(window) >> 8)

    def document(self) -> dict[str, Any]:
        """The audiowaveform v2 JSON layout (one channel, 8-bit)."""
        return {
            "version": 2,
            "channels": 1,
            "sample_rate": PEAKS_RATE,
            "samples_per_pixel": self.spp,
            "bits": 8,
            "length": len(self.data) // 2,
            "data": self.data.tolist(),
        }


def _encode(
    source: Path,
    out_dir: Path,
    names: Sequence[str],
    recipe: AudioRecipe,
    partials: _Partials,
    peaks_spp: int | None = None,
) -> None:
    """Encode ``source`` to the named M4A/Opus outputs in one ffmpeg run.

    With ``peaks_spp``, the same run also streams an 8 kHz decode over a pipe
    for ``peaks.json``. Each encode's true peak is checked before it is renamed
    into place (see :func:`_hold_true_peak`).
    """
    args = ["-i", str(source)]
    encodes = [(name, partials.new(name)) for name in names]
    for name, tmp in encodes:
        args += ["-map", "0:a:0", *_codec(name, recipe), "-y", str(tmp)]
    peaks = _Peaks(peaks_spp) if peaks_spp else None
    if peaks is not None:
        args += ["-map", "0:a:0", "-ac", "1", "-ar", str(PEAKS_RATE)]
        args += ["-c:a", "pcm_s16le", "-f", "s16le", "pipe:1"]
    if not encodes and peaks is None:
        return
    ff.run(args, on_stdout=peaks.feed if peaks else None)
    if encodes:
        _hold_true_peak(source, encodes, recipe)
    for name, tmp in encodes:
        partials.keep(tmp, out_dir / name)
    if peaks is not None:
        peaks.finish()
        tmp = partials.new(PEAKS)
        tmp.write_text(json.dumps(peaks.document(), separators=(",", ":")), encoding="utf-8")
        partials.keep(tmp, out_dir / PEAKS)


def _codec(name: str, recipe: AudioRecipe) -> list[str]:
    return _aac(recipe) if name.endswith(".m4a") else _opus(recipe)


_EBUR128 = re.compile(
    r"\[Parsed_ebur128_(\d+) @[^\]]*\][^\n]*Summary:.*?\bI:\s+(\S+) LUFS.*?Peak:\s+(\S+) dBFS", re.S
)


def measure_outputs(paths: Sequence[Path]) -> list[tuple[float, float]]:
    """(integrated LUFS, true peak dBTP) of each file, by ffmpeg's ebur128, in one run."""
    args: list[str] = []
    for path in paths:
        args += ["-i", str(path)]
    graph = ";".join(f"[{n}:a:0]ebur128=peak=true:framelog=quiet[e{n}]" for n in range(len(paths)))
    args += ["-filter_complex", graph]
    for n in range(len(paths)):
        args += ["-map", f"[e{n}]", "-f", "null", "-"]
    found = sorted(
        (int(n), _num(i), _num(tp)) for n, i, tp in _EBUR128.findall(ff.run(args, loglevel="info"))
    )
    if len(found) != len(paths):
        raise MediaError("ffmpeg did not report the loudness of the encoded recording")
    return [(i, tp) for _, i, tp in found]


def _hold_true_peak(source: Path, encodes: Sequence[tuple[str, Path]], recipe: AudioRecipe) -> None:
    """Measure each encode; re-encode, slightly quieter, any whose true peak is over.

    CODEC_HEADROOM_DB covers AAC and Opus on speech; noise-like material (a busy
    street, a hiss) can make a low-bitrate Opus overshoot by 2 dB. Such an output
    is encoded again TRIM_DB quieter than its overshoot (at most MAX_TRIM_DB, and
    never below the loudness tolerance); the cost of the check is one decode of
    the (small) encoded files.
    """
    measured = measure_outputs([tmp for _, tmp in encodes])
    redo: list[str] = []
    for (name, tmp), (lufs, peak) in zip(encodes, measured, strict=True):
        over = peak - recipe.true_peak
        if over <= 0:
            continue
        room = lufs - (recipe.target_lufs - LOUDNESS_TOLERANCE_LU)  # LU it may lose
        trim = min(over + TRIM_DB, MAX_TRIM_DB, room)
        if trim < TRIM_DB:
            # Lossy coding already cost this output its loudness (Opus does that to
            # noise); a quieter encode would trade one target for the other.
            log.warning("%s: true peak %.1f dBTP at %.1f LUFS, left as is", name, peak, lufs)
        else:
            log.info("%s: true peak %.1f dBTP, re-encoding %.2f dB quieter", name, peak, trim)
            redo += ["-map", "0:a:0", "-af", f"volume=-{trim:.2f}dB", *_codec(name, recipe)]
            redo += ["-y", str(tmp)]
    if redo:
        ff.run(["-i", str(source), *redo])


# --------------------------------------------------------------------------- clips


def _pydub() -> Any:
    """pydub's AudioSegment, pointed at our ffmpeg; imported quietly.

    pydub imports the deprecated ``audioop`` and warns when no ffmpeg is on PATH;
    neither matters here (we hand it our ffmpeg and only WAV).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        from pydub import AudioSegment
    AudioSegment.converter = ff.find_ffmpeg()
    return AudioSegment


def _cut_clip(
    master: Path,
    duration: float,
    clip: Clip,
    out_dir: Path,
    wanted: Collection[str],
    recipe: AudioRecipe,
    partials: _Partials,
) -> dict[str, str]:
    names = [n for n in clip_names(clip.id) if n in wanted]
    if not names:
        return {}
    start = max(0.0, float(clip.start))
    if start >= duration:
        raise MediaError(
            f"highlight {clip.id!r} starts at {clip.start:.1f} s, after the recording ends "
            f"({duration:.1f} s)"
        )
    end = min(float(clip.end), duration)
    if end <= start:
        raise MediaError(
            f"highlight {clip.id!r} ends ({clip.end} s) before it starts ({clip.start} s)"
        )
    # Only this stretch is decoded (FLAC seeks), so pydub never holds the recording.
    cut = partials.new(f"clip-{clip.id}.wav")
    ff.run([
        "-ss", f"{start:.6f}", "-t", f"{end - start:.6f}", "-i", str(master), "-map", "0:a:0",
        "-c:a", "pcm_s16le", *_BITEXACT, "-f", "wav", "-y", str(cut),
    ])  # fmt: skip
    segment = _pydub().from_wav(str(cut))
    fade = min(recipe.clip_fade_ms, len(segment) // 4)  # never more than a quarter each way
    if fade > 0:
        segment = segment.fade_in(fade).fade_out(fade)
    faded = partials.new(f"clip-{clip.id}-faded.wav")
    segment.export(str(faded), format="wav")
    partials.discard(cut)
    _encode(faded, out_dir, names, recipe, partials)
    partials.discard(faded)
    return {name.rsplit(".", 1)[1]: name for name in names}


def _check_clips(clips: Sequence[Clip]) -> None:
    seen: set[str] = set()
    for clip in clips:
        if not _CLIP_ID.match(clip.id):
            raise MediaError(
                f"highlight id {clip.id!r} cannot name a file (use letters, digits, '.', '_', '-')"
            )
        if clip.id in seen:
            raise MediaError(f"highlight id {clip.id!r} is used twice")
        if not clip.end > clip.start:
            raise MediaError(
                f"highlight {clip.id!r} ends ({clip.end} s) before it starts ({clip.start} s)"
            )
        seen.add(clip.id)


# --------------------------------------------------------------------------- temp files


class _Partials:
    """Temporary ``.partial-`` files in ``out_dir``: renamed into place, or removed."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.open: set[Path] = set()

    def new(self, name: str) -> Path:
        path = self.out_dir / f".partial-{os.getpid()}-{uuid.uuid4().hex[:8]}-{name}"
        self.open.add(path)
        return path

    def keep(self, tmp: Path, final: Path) -> None:
        os.replace(tmp, final)
        self.open.discard(tmp)

    def discard(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        self.open.discard(path)

    def cleanup(self) -> None:
        for path in list(self.open):
            self.discard(path)


@contextmanager
def _partials(out_dir: Path) -> Iterator[_Partials]:
    partials = _Partials(out_dir)
    try:
        yield partials
    finally:
        partials.cleanup()


# --------------------------------------------------------------------------- the job


def convert_recording(
    src: Path,
    out_dir: Path,
    recipe: AudioRecipe,
    clips: Sequence[Clip] = (),
    only: Collection[str] | None = None,
    normalised: Path | None = None,
) -> AudioResult:
    """Convert one recording into ``out_dir``; see the module doc for the how and why.

    Writes (names in ``out_dir``): ``normalised.flac`` (the mono master at
    ``recipe.sample_rate``, loudness-normalised), ``audio.m4a`` (AAC-LC,
    faststart), ``audio.opus`` (Opus in Ogg), ``peaks.json`` (audiowaveform v2)
    and for each clip ``clip-{id}.m4a`` and ``clip-{id}.opus``.

    ``only``: the names to write (None: all of them, see :func:`output_names`).
    ``normalised``: a master from an earlier run (e.g. the cache's copy); when
    given, ``src`` is not read and nothing is measured.

    The result lists what this call wrote (``files``/``peaks``/``clips``), the
    duration (from the master's FLAC header, exact to the sample) and the input's
    integrated loudness (from pass 1, or from the master's tags when reused).
    Raises :class:`MediaError` with an editor-facing reason.
    """
    src, out_dir = Path(src), Path(out_dir)
    _check_clips(clips)
    known = output_names(clips)
    wanted = set(known) if only is None else set(only)
    unknown = wanted - set(known)
    if unknown:
        raise ValueError(f"unknown output names: {sorted(unknown)}")
    out_dir.mkdir(parents=True, exist_ok=True)

    with _partials(out_dir) as partials:
        if normalised is not None:
            master = Path(normalised)
            if not master.is_file():
                raise MediaError(f"the normalised recording {master} is missing")
            final = out_dir / MASTER
            if MASTER in wanted and not (final.exists() and final.samefile(master)):
                tmp = partials.new(MASTER)
                shutil.copyfile(master, tmp)
                partials.keep(tmp, final)
        else:
            _check_source(src)
            master = out_dir / MASTER if MASTER in wanted else partials.new(MASTER)
            _normalise(src, master, recipe, partials)

        info = read_master(master)
        if info.samples == 0:
            raise MediaError("it contains no audio")

        encodes = [name for name in (M4A, OPUS) if name in wanted]
        spp = recipe.peaks_samples_per_pixel if PEAKS in wanted else None
        _encode(master, out_dir, encodes, recipe, partials, spp)

        clip_files: dict[str, dict[str, str]] = {}
        for clip in clips:
            made = _cut_clip(master, info.duration, clip, out_dir, wanted, recipe, partials)
            if made:
                clip_files[clip.id] = made

    return AudioResult(
        duration=info.duration,
        files={name.rsplit(".", 1)[1]: name for name in encodes},
        peaks=PEAKS if PEAKS in wanted else "",
        clips=clip_files,
        measured_lufs=info.measured_lufs,
    )
