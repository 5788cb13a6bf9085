"""Recordings: one source -> a loudness-normalised master, AAC + Opus, peaks, clips.

``convert_recording`` is the whole job for one recording, run in a worker: it is
given a path and a frozen :class:`AudioRecipe`, reads nothing else, and writes
only into ``out_dir``. Every output is written under a ``.partial-`` name and
renamed when complete, so a final name never holds half a file (a build killed
mid-way leaves only ``.partial-*`` files, which the cache may sweep).

Memory: the recording never passes through Python whole. ffmpeg reads and writes
the files; the waveform is computed from an 8 kHz 16-bit stream read from a pipe
a chunk at a time; pydub only ever holds one highlight clip.

The master and its loudness (two-pass ``loudnorm``, applied linearly, with a
ceiling under the true-peak limit that leaves headroom for the lossy codecs) are
made in `media/master.py`, with the pure maths in `media/loudness.py`; the names
other modules used from here are imported back. Each encode's true peak is
measured and, if over the limit, the encode is redone a little quieter
(:func:`_hold_true_peak`).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import sys
import warnings
from array import array
from collections.abc import Collection, Sequence
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
