"""Recordings: one source -> a loudness-normalised master, AAC + Opus, peaks, clips.

``convert_recording`` is the whole job for one recording, run in a worker: it is
given a path and a frozen :class:`AudioRecipe`, reads nothing else, and writes
only into ``out_dir``. Every output is written under a ``.partial-`` name and
renamed when complete, so a final name never holds half a file (a build killed
mid-way leaves only ``.partial-*`` files, which the cache may sweep).

Memory: the recording never passes through Python at all, but for its waveform:
ffmpeg reads and writes the files, and the peaks are computed from an 8 kHz 16-bit
stream read from a pipe a chunk at a time (a 2-hour video's conversion peaks
around 40 MB of RSS: `python bench/video.py --two-hours`).

The master and its loudness (two-pass ``loudnorm``, applied linearly, with a
ceiling under the true-peak limit that leaves headroom for the lossy codecs) are
made in `media/master.py`, with the pure maths in `media/loudness.py`; the names
other modules used from here are imported back. Every encode of a recording, its
highlight clips (each a seek into the master, faded by ffmpeg) and the 8 kHz decode
for the peaks are one ffmpeg run (:func:`_encode`); that run also decodes each encode
again and measures its true peak, and an encode over the limit is redone a little
quieter (:func:`_hold_true_peak`).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import sys
from array import array
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from immersion.media import ffmpeg as ff
from immersion.media.loudness import (
    SILENT_LUFS,
    Loudness,
    _apply_filter,
    _num,
    _solve_ceiling,
    parse_loudnorm,
)
from immersion.media.master import (
    _BITEXACT,
    CODEC_HEADROOM_DB,
    LOWER_TARGET_MAX_LU,
    MasterInfo,
    _normalise,
    read_master,
)
from immersion.media.partials import _Partials, _partials
from immersion.media.recipes import (
    NOTHING_REDACTED,
    AudioRecipe,
    AudioResult,
    Clip,
    MediaError,
    Redacted,
    check_source,
)

# What other modules and the tests import from here, wherever it is defined now.
__all__ = [
    "CODEC_HEADROOM_DB",
    "LOWER_TARGET_MAX_LU",
    "M4A",
    "MASTER",
    "OPUS",
    "PEAKS",
    "SILENT_LUFS",
    "Loudness",
    "MasterInfo",
    "_Peaks",
    "_apply_filter",
    "_solve_ceiling",
    "clip_names",
    "convert_recording",
    "measure_outputs",
    "output_names",
    "parse_loudnorm",
    "read_master",
]

log = logging.getLogger(__name__)

MASTER = "normalised.flac"
M4A = "audio.m4a"
OPUS = "audio.opus"
PEAKS = "peaks.json"

PEAKS_RATE = 8000  # Hz of the decode the waveform is computed from
TRIM_DB = 0.1  # an encode over the true-peak limit is redone this much more quietly
MAX_TRIM_DB = 0.8  # ... but never more than this,
LOUDNESS_TOLERANCE_LU = 1.0  # ... nor below target - this
AAC_CODER = "fast"  # 2.7x faster than "twoloop", less peak overshoot; ample at 96k mono

_CLIP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


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


# --------------------------------------------------------------------------- encodes


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


@dataclass(frozen=True)
class _Output:
    """One M4A or Opus file of a recording: of the whole master, or a clip of it, faded."""

    name: str  # its name in out_dir (audio.m4a, clip-ID.opus...)
    tmp: Path  # the partial it is written to
    start: float = 0.0  # a clip: where in the master it starts, and how long it lasts
    length: float | None = None  # None: the whole master
    fade: float = 0.0  # seconds faded in at the start and out at the end

    def input(self, master: Path) -> list[str]:
        """The master as this output's input (FLAC seeks: a clip reads only its stretch)."""
        if self.length is None:
            return ["-i", str(master)]
        return ["-ss", f"{self.start:.6f}", "-t", f"{self.length:.6f}", "-i", str(master)]

    def filters(self, then: str = "") -> list[str]:
        """``-af`` with the clip's fades (linear, as pydub's were), then ``then``."""
        chain = []
        if self.fade > 0 and self.length is not None:
            out_at = max(0.0, self.length - self.fade)
            chain += [
                "asetpts=PTS-STARTPTS",
                f"afade=t=in:st=0:d={self.fade:.6f}",
                f"afade=t=out:st={out_at:.6f}:d={self.fade:.6f}",
            ]
        if then:
            chain.append(then)
        return ["-af", ",".join(chain)] if chain else []


def _inputs(master: Path, outputs: Sequence[_Output], whole: bool) -> tuple[list[str], list[int]]:
    """The ``-i`` arguments for these outputs (one per distinct span of the master; the
    whole master first when ``whole``) and the input number of each output."""
    specs: list[list[str]] = [["-i", str(master)]] if whole else []
    numbers = []
    for out in outputs:
        spec = out.input(master)
        if spec not in specs:
            specs.append(spec)
        numbers.append(specs.index(spec))
    return [arg for spec in specs for arg in spec], numbers


def _encode(
    master: Path, outputs: Sequence[_Output], recipe: AudioRecipe, peaks_spp: int | None = None
) -> _Peaks | None:
    """Every M4A/Opus output of a recording (clips included), checked, in one ffmpeg run.

    Each clip is its own input, a seek into the master, faded by ``afade``. Each
    encoder's output is decoded again inside the same run (a loopback decoder,
    ``-dec``) and measured by ``ebur128``, so the true-peak check (see
    :func:`_hold_true_peak`) costs no process and no read of the files of its own,
    and runs alongside the encoders. With ``peaks_spp``, the run also streams an
    8 kHz decode over a pipe for ``peaks.json``: the finished peaks are returned.
    """
    peaks = _Peaks(peaks_spp) if peaks_spp else None
    if not outputs and peaks is None:
        return None
    args, numbers = _inputs(master, outputs, whole=peaks is not None)
    for out, n in zip(outputs, numbers, strict=True):
        args += ["-map", f"{n}:a:0", *out.filters(), *_codec(out.name, recipe), "-y", str(out.tmp)]
    if peaks is not None:
        args += ["-map", "0:a:0", "-ac", "1", "-ar", str(PEAKS_RATE)]
        args += ["-c:a", "pcm_s16le", "-f", "s16le", "pipe:1"]
    # Output files 0..n-1 are the encodes: decode each back, measure it, to nowhere.
    for n in range(len(outputs)):
        args += ["-dec", f"{n}:0"]
    if outputs:
        args += ["-filter_complex", _measuring(f"dec:{n}" for n in range(len(outputs)))]
        for n in range(len(outputs)):
            args += ["-map", f"[e{n}]", "-f", "null", "-"]
    stderr = ff.run(args, loglevel="info", on_stdout=peaks.feed if peaks else None)
    if outputs:
        _hold_true_peak(master, outputs, _loudness_of(stderr, len(outputs)), recipe)
    if peaks is not None:
        peaks.finish()
    return peaks


def _codec(name: str, recipe: AudioRecipe) -> list[str]:
    return _aac(recipe) if name.endswith(".m4a") else _opus(recipe)


_EBUR128 = re.compile(
    r"\[Parsed_ebur128_(\d+) @[^\]]*\][^\n]*Summary:.*?\bI:\s+(\S+) LUFS.*?Peak:\s+(\S+) dBFS", re.S
)


def _measuring(streams: Iterable[str]) -> str:
    """A filter graph measuring each of ``streams`` (loudness and true peak), as [eN]."""
    return ";".join(
        f"[{stream}]ebur128=peak=true:framelog=quiet[e{n}]" for n, stream in enumerate(streams)
    )


def _loudness_of(stderr: str, count: int) -> list[tuple[float, float]]:
    """(integrated LUFS, true peak dBTP) of each of the ``count`` measured streams."""
    found = sorted((int(n), _num(i), _num(tp)) for n, i, tp in _EBUR128.findall(stderr))
    if len(found) != count:
        raise MediaError("ffmpeg did not report the loudness of the encoded recording")
    return [(i, tp) for _, i, tp in found]


def measure_outputs(paths: Sequence[Path]) -> list[tuple[float, float]]:
    """(integrated LUFS, true peak dBTP) of each file, by ffmpeg's ebur128, in one run."""
    args: list[str] = []
    for path in paths:
        args += ["-i", str(path)]
    args += ["-filter_complex", _measuring(f"{n}:a:0" for n in range(len(paths)))]
    for n in range(len(paths)):
        args += ["-map", f"[e{n}]", "-f", "null", "-"]
    return _loudness_of(ff.run(args, loglevel="info"), len(paths))


def _hold_true_peak(
    master: Path,
    outputs: Sequence[_Output],
    measured: Sequence[tuple[float, float]],
    recipe: AudioRecipe,
) -> None:
    """Re-encode, slightly quieter, any output whose measured true peak is over.

    CODEC_HEADROOM_DB covers AAC and Opus on speech; noise-like material (a busy
    street, a hiss) can make a low-bitrate Opus overshoot by 2 dB. Such an output
    is encoded again TRIM_DB quieter than its overshoot (at most MAX_TRIM_DB, and
    never below the loudness tolerance). The measurement is made by the encoding
    run itself (see :func:`_encode`); only a redo costs a run of its own.
    """
    redo: list[tuple[_Output, float]] = []
    for out, (lufs, peak) in zip(outputs, measured, strict=True):
        over = peak - recipe.true_peak
        if over <= 0:
            continue
        room = lufs - (recipe.target_lufs - LOUDNESS_TOLERANCE_LU)  # LU it may lose
        trim = min(over + TRIM_DB, MAX_TRIM_DB, room)
        if trim < TRIM_DB:
            # Lossy coding already cost this output its loudness (Opus does that to
            # noise); a quieter encode would trade one target for the other.
            log.warning("%s: true peak %.1f dBTP at %.1f LUFS, left as is", out.name, peak, lufs)
        else:
            log.info("%s: true peak %.1f dBTP, re-encoding %.2f dB quieter", out.name, peak, trim)
            redo.append((out, trim))
    if not redo:
        return
    args, numbers = _inputs(master, [out for out, _trim in redo], whole=False)
    for (out, trim), n in zip(redo, numbers, strict=True):
        args += ["-map", f"{n}:a:0", *out.filters(f"volume=-{trim:.2f}dB")]
        args += [*_codec(out.name, recipe), "-y", str(out.tmp)]
    ff.run(args)


# --------------------------------------------------------------------------- clips


def _clip_outputs(
    duration: float,
    clip: Clip,
    wanted: Collection[str],
    recipe: AudioRecipe,
    partials: _Partials,
) -> list[_Output]:
    """The wanted M4A/Opus outputs of one highlight: its span of the master, faded in and
    out (never more than a quarter of it each way), clamped to the recording's end."""
    names = [n for n in clip_names(clip.id) if n in wanted]
    if not names:
        return []
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
    fade = min(recipe.clip_fade_ms / 1000, (end - start) / 4)
    return [_Output(name, partials.new(name), start, end - start, fade) for name in names]


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


# --------------------------------------------------------------------------- the job


def convert_recording(
    src: Path,
    out_dir: Path,
    recipe: AudioRecipe,
    clips: Sequence[Clip] = (),
    only: Collection[str] | None = None,
    normalised: Path | None = None,
    redacted: Redacted = NOTHING_REDACTED,
) -> AudioResult:
    """Convert one recording into ``out_dir``; see the module doc for the how and why.

    Writes (names in ``out_dir``): ``normalised.flac`` (the mono master at
    ``recipe.sample_rate``, loudness-normalised), ``audio.m4a`` (AAC-LC,
    faststart), ``audio.opus`` (Opus in Ogg), ``peaks.json`` (audiowaveform v2)
    and for each clip ``clip-{id}.m4a`` and ``clip-{id}.opus``.

    ``only``: the names to write (None: all of them, see :func:`output_names`).
    ``normalised``: a master from an earlier run (e.g. the cache's copy); when
    given, ``src`` is not read and nothing is measured.
    ``redacted``: spans silenced in the master (so in every output made from it).

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
            check_source(src)
            master = out_dir / MASTER if MASTER in wanted else partials.new(MASTER)
            _normalise(src, master, recipe, partials, redacted)

        info = read_master(master)
        if info.samples == 0:
            raise MediaError("it contains no audio")

        encodes = [name for name in (M4A, OPUS) if name in wanted]
        outputs = [_Output(name, partials.new(name)) for name in encodes]
        clip_files: dict[str, dict[str, str]] = {}
        for clip in clips:
            cut = _clip_outputs(info.duration, clip, wanted, recipe, partials)
            outputs += cut
            if cut:
                clip_files[clip.id] = {out.name.rsplit(".", 1)[1]: out.name for out in cut}
        spp = recipe.peaks_samples_per_pixel if PEAKS in wanted else None
        peaks = _encode(master, outputs, recipe, spp)
        for out in outputs:
            partials.keep(out.tmp, out_dir / out.name)
        if peaks is not None:
            tmp = partials.new(PEAKS)
            tmp.write_text(json.dumps(peaks.document(), separators=(",", ":")), encoding="utf-8")
            partials.keep(tmp, out_dir / PEAKS)

    return AudioResult(
        duration=info.duration,
        files={name.rsplit(".", 1)[1]: name for name in encodes},
        peaks=PEAKS if PEAKS in wanted else "",
        clips=clip_files,
        measured_lufs=info.measured_lufs,
    )
