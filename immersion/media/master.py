"""A recording's loudness-normalised mono master (FLAC): measure, normalise, read back.

The I/O half of the loudness work; the pure maths (loudnorm's report, the filter
strings, the limiter ceiling) is in `media/loudness.py`.

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
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from immersion.media import ffmpeg as ff
from immersion.media.loudness import (
    SILENT_LUFS,
    Loudness,
    _apply_filter,
    _limiter,
    _mono,
    _num,
    _solve_ceiling,
    parse_loudnorm,
)
from immersion.media.partials import _Partials
from immersion.media.recipes import NOTHING_REDACTED, AudioRecipe, MediaError, Redacted

log = logging.getLogger(__name__)

CODEC_HEADROOM_DB = 1.0  # master ceiling = recipe.true_peak - this (see module doc)
LOWER_TARGET_MAX_LU = 0.5  # peaks this far over: lower the target instead of limiting
LIMIT_PROBES_DB = (0.0, 3.0)  # limiter ceilings measured in pass 1b, below the naive one
PROBE_RATE = 48000  # pass 1b runs its limiters here: within 0.05 LU of 192 kHz, 2.3x faster
LIMITED_TOLERANCE_LU = 0.5  # a limited pass 2 further off target than this is redone once
TAG = "IMMERSION_"  # prefix of the master's Vorbis comments

# Warnings that mean the file is not what its header says: a WAV or MP3 cut short
# ("Packet corrupt", "filesize and duration do not match"). Anything logged at
# error level while decoding counts too. An Ogg file, or an MP3 cut on a frame
# boundary without a Xing header, cannot be told from a shorter recording.
DAMAGE_WARNINGS = ("corrupt", "ended prematurely", "truncat", "filesize and duration do not match")

# "Measure only": loudnorm in linear mode with a gain of 0 dB. Its input statistics
# are the same as in its default (dynamic) mode, but it skips the dynamic
# processing, which takes ~2x as long (3.1 s instead of 5.5 s for 5 minutes of speech).
_MEASURE = (
    "loudnorm=I=-24:TP=-2:LRA=50:measured_I=-24:measured_TP=-30:measured_LRA=1"
    ":measured_thresh=-34:offset=0:linear=true:print_format=json"
)
# Redacted spans are silenced a little wider than written: a transcript's times are
# rounded, and the lossy codecs smear a step over a frame (about 21 ms for AAC).
REDACT_PAD_S = 0.05
BLEEP_HZ = 1000
BLEEP_AMPLITUDE = 0.1  # -20 dBFS: clearly heard, far under the true-peak ceiling
# Same input -> same bytes (the master here, the encodes and clips in audio.py).
_BITEXACT = ["-fflags", "+bitexact", "-flags:a", "+bitexact"]


@dataclass(frozen=True)
class MasterInfo:
    """What the normalised master says about itself (its FLAC header and our tags)."""

    duration: float
    sample_rate: int
    samples: int
    measured_lufs: float  # input integrated loudness (pass 1); -70 for silence
    normalization: str  # "linear", "linear+limiter", "lowered", "silent" or "dynamic"
    gain_db: float


# --------------------------------------------------------------------------- pass 1


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


def redaction_filter(redacted: Redacted) -> str:
    """The filter that silences (or bleeps) a recording's redacted spans; '' for none.

    It runs last in pass 2, on the normalised signal, so the master and everything made
    from it (AAC, Opus, clips, a video's audio, a film's soundtrack) carry the gap.
    Loudness is measured on the whole recording first: taking a few seconds out must
    not make the rest louder.
    """
    if not redacted:
        return ""
    during = "+".join(
        f"between(t\\,{max(0.0, a - REDACT_PAD_S):.3f}\\,{b + REDACT_PAD_S:.3f})"
        for a, b, _picture in redacted.spans
    )
    if redacted.sound == "bleep":
        tone = f"{BLEEP_AMPLITUDE}*sin(2*PI*{BLEEP_HZ}*t)"
        return f"aeval=exprs=if({during}\\,{tone}\\,val(0)):channel_layout=mono"
    return f"volume=volume=0:enable={during}"


def _normalise(
    src: Path,
    dest: Path,
    recipe: AudioRecipe,
    partials: _Partials,
    redacted: Redacted = NOTHING_REDACTED,
) -> None:
    """Measure ``src`` and write the loudness-normalised mono master to ``dest``, with
    ``redacted``'s spans silenced (see :func:`redaction_filter`)."""
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
        if taken_out := redaction_filter(redacted):
            graph = f"{graph},{taken_out}"
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
