"""Recordings: loudness, formats, peaks, clips, bad inputs, partial and reused runs.

Fixtures are made on the fly: a real sentence spoken by espeak-ng, rendered very
quiet and near full scale and re-encoded to each input format. Every loudness
figure is measured independently of the code under test, with ffmpeg's
``ebur128`` filter (ITU-R BS.1770 integrated loudness and 4x-oversampled true
peak), never with ``loudnorm``.
"""

from __future__ import annotations

import json
import math
import os
import re
import resource
import shutil
import subprocess
import time
import wave
from array import array
from pathlib import Path

import pytest

from immersion.media import audio, master
from immersion.media import ffmpeg as ff
from immersion.media.audio import (
    M4A,
    MASTER,
    OPUS,
    PEAKS,
    _Peaks,
    _solve_ceiling,
    convert_recording,
    output_names,
    parse_loudnorm,
    read_master,
)
from immersion.media.recipes import AudioRecipe, Clip, MediaError

SENTENCE = (
    "We waited at the counter for twenty minutes, and nobody told us why. "
    "Next time I will order on the app, because the queue was far too long."
)
RECIPE = AudioRecipe()
CLIP = Clip("queue", 0.4, 5.4)  # most of the first sentence: its loudness is the recording's
TARGET = RECIPE.target_lufs
# Integrated loudness of every output: the recipe's +-1 LU.
LUFS_TOLERANCE = 1.0
# True peak: no tolerance. The master is made CODEC_HEADROOM_DB under the limit
# so that AAC's and Opus's overshoot (on speech: up to 0.3 and 0.6 dB) stays
# under it, and every encode is measured and, if over, redone a little quieter.
TP_MAX = RECIPE.true_peak

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


# --------------------------------------------------------------------------- helpers


def ffmpeg_cli(*args: str) -> None:
    subprocess.run([ff.find_ffmpeg(), "-v", "error", "-nostdin", "-y", *args], check=True)


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of ``path``, by ffmpeg's ebur128 filter."""
    proc = subprocess.run(
        [
            *(ff.find_ffmpeg(), "-hide_banner", "-nostats", "-nostdin", "-i", str(path)),
            *("-af", "ebur128=peak=true:framelog=quiet", "-f", "null", "-"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = proc.stderr[proc.stderr.rindex("Summary:") :]
    i = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    tp = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert i and tp, summary
    return float(i.group(1)), float(tp.group(1))


def pcm(path: Path, rate: int = 8000) -> array:
    """``path`` decoded to mono s16 at ``rate`` (small test files only)."""
    raw = subprocess.run(
        [
            *(ff.find_ffmpeg(), "-v", "error", "-nostdin", "-i", str(path)),
            *("-ac", "1", "-ar", str(rate), "-f", "s16le", "-"),
        ],
        capture_output=True,
        check=True,
    ).stdout
    samples = array("h")
    samples.frombytes(raw)
    return samples


def seconds(path: Path) -> float:
    return len(pcm(path, 48000)) / 48000


def rms(samples: array) -> float:
    return math.sqrt(sum(s * s for s in samples) / max(len(samples), 1))


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def partials(out_dir: Path) -> list[str]:
    return [p.name for p in out_dir.iterdir() if p.name.startswith(".partial-")]


class Spy:
    """Records every ffmpeg invocation made through ``ffmpeg.run`` (args, stderr)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[list[str], str]] = []
        real = ff.run

        def run(args, **kwargs):  # type: ignore[no-untyped-def]
            stderr = real(args, **kwargs)
            self.calls.append((list(args), stderr))
            return stderr

        monkeypatch.setattr(ff, "run", run)

    def graphs(self) -> list[str]:
        return [
            a[a.index(opt) + 1]
            for a, _ in self.calls
            for opt in ("-af", "-filter_complex")
            if opt in a
        ]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 9 s of a real sentence from espeak-ng, mono 22.05 kHz WAV."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("needs espeak-ng")
    out = tmp_path_factory.mktemp("speech") / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(out), SENTENCE], check=True)
    return out


LEVELS = {"quiet": "volume=-35dB", "loud": "volume=1.6dB"}  # espeak peaks at -1.8 dBFS
FORMATS = {
    "wav": ["-c:a", "pcm_s16le"],
    "m4a": ["-c:a", "aac", "-b:a", "64k"],
    "mp3": ["-c:a", "libmp3lame", "-b:a", "64k"],
    "opus": ["-c:a", "libopus", "-b:a", "32k"],
    "ogg": ["-c:a", "libvorbis", "-q:a", "3"],
    "flac": ["-c:a", "flac"],
    "webm": ["-c:a", "libopus", "-b:a", "32k"],
    "amr": ["-ar", "8000", "-c:a", "libopencore_amrnb", "-b:a", "12.2k"],
}
CASES = [
    ("loud", "wav", 1),
    ("quiet", "wav", 1),
    ("quiet", "mp3", 1),
    ("loud", "m4a", 2),  # stereo in: downmixed
    ("quiet", "opus", 1),
    ("loud", "ogg", 1),  # Vorbis
    ("loud", "flac", 1),
    ("quiet", "webm", 1),
    ("loud", "amr", 1),
]


def render(speech: Path, dest: Path, level: str, fmt: str, channels: int = 1) -> Path:
    ffmpeg_cli(
        "-i", str(speech), "-af", LEVELS[level], "-ac", str(channels), *FORMATS[fmt], str(dest)
    )
    return dest


class Converted:
    def __init__(self, src: Path, out: Path, result, calls, source_seconds: float) -> None:  # type: ignore[no-untyped-def]
        self.src, self.out, self.result, self.calls = src, out, result, calls
        self.source_seconds = source_seconds


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}ch")
def converted(
    request: pytest.FixtureRequest, speech: Path, tmp_path_factory: pytest.TempPathFactory
) -> Converted:
    level, fmt, channels = request.param
    work = tmp_path_factory.mktemp(f"{level}-{fmt}")
    src = render(speech, work / f"in.{fmt}", level, fmt, channels)
    with pytest.MonkeyPatch.context() as mp:
        spy = Spy(mp)
        result = convert_recording(src, work / "out", RECIPE, clips=[CLIP])
    return Converted(src, work / "out", result, spy.calls, wav_seconds(speech))


# --------------------------------------------------------------------------- the main path


def test_every_output_measures_the_target_loudness_and_peak(converted: Converted) -> None:
    for name in (M4A, OPUS, "clip-queue.m4a", "clip-queue.opus"):
        lufs, peak = ebur128(converted.out / name)
        assert abs(lufs - TARGET) <= LUFS_TOLERANCE, (name, lufs)
        assert peak <= TP_MAX, (name, peak)
    master_lufs, master_peak = ebur128(converted.out / MASTER)
    assert abs(master_lufs - TARGET) <= 0.3
    assert master_peak <= RECIPE.true_peak - audio.CODEC_HEADROOM_DB + 0.1


def test_second_pass_ran_linear(converted: Converted) -> None:
    pass2 = [stderr for args, stderr in converted.calls if "flac" in args and "-af" in args]
    assert pass2, "no pass 2"
    reports = parse_loudnorm(pass2[-1])
    assert [r.normalization for r in reports] == ["linear"]
    assert abs(reports[0].output_i - TARGET) <= 0.5
    info = read_master(converted.out / MASTER)
    assert info.normalization in ("linear", "linear+limiter", "lowered")
    assert info.measured_lufs == converted.result.measured_lufs


def test_measured_input_loudness_reflects_the_level(converted: Converted) -> None:
    level = converted.src.parent.name.split("-")[0]
    measured = converted.result.measured_lufs
    # espeak speaks at about -20 LUFS; "quiet" is 35 dB down, "loud" 1.6 dB up.
    expected = {"quiet": -55.0, "loud": -18.4}[level]
    if converted.src.suffix == ".m4a":  # stereo pair of identical channels, averaged to mono
        expected = -18.4
    assert abs(measured - expected) <= 1.5, measured


def test_durations_match_the_source(converted: Converted) -> None:
    want = converted.source_seconds
    assert abs(converted.result.duration - want) <= 0.05
    for name in (M4A, OPUS, MASTER):
        assert abs(seconds(converted.out / name) - want) <= 0.05, name


def test_peaks_are_audiowaveform_v2(converted: Converted) -> None:
    doc = json.loads((converted.out / PEAKS).read_text())
    assert set(doc) == {
        "version",
        "channels",
        "sample_rate",
        "samples_per_pixel",
        "bits",
        "length",
        "data",
    }
    assert (doc["version"], doc["channels"], doc["sample_rate"], doc["bits"]) == (2, 1, 8000, 8)
    spp = doc["samples_per_pixel"]
    assert spp == RECIPE.peaks_samples_per_pixel
    assert len(doc["data"]) == 2 * doc["length"]
    expected = converted.result.duration * 8000 / spp
    assert abs(doc["length"] - math.ceil(expected)) <= 1
    assert all(isinstance(v, int) and -128 <= v <= 127 for v in doc["data"])
    mins, maxes = doc["data"][0::2], doc["data"][1::2]
    assert all(lo <= hi for lo, hi in zip(mins, maxes, strict=True))
    assert max(maxes) >= 64 and min(mins) <= -64  # speech at -16 LUFS, peaks near -2 dBFS


def test_result_names_the_files(converted: Converted) -> None:
    r = converted.result
    assert r.files == {"m4a": M4A, "opus": OPUS}
    assert r.peaks == PEAKS
    assert r.clips == {"queue": {"m4a": "clip-queue.m4a", "opus": "clip-queue.opus"}}
    assert sorted(p.name for p in converted.out.iterdir()) == sorted(output_names([CLIP]))


def test_clip_has_its_length_and_fades(converted: Converted) -> None:
    for name in ("clip-queue.m4a", "clip-queue.opus"):
        samples = pcm(converted.out / name)
        assert abs(len(samples) / 8000 - (CLIP.end - CLIP.start)) <= 0.1, name
        edge = 80  # 10 ms at 8 kHz
        mid = len(samples) // 2
        middle = rms(samples[mid - 4000 : mid + 4000])
        assert rms(samples[:edge]) < middle / 4, name
        assert rms(samples[-edge:]) < middle / 4, name


def test_output_containers(converted: Converted) -> None:
    m4a = (converted.out / M4A).read_bytes()
    assert m4a[4:8] == b"ftyp" and m4a[8:11] == b"M4A"
    assert m4a.find(b"moov") < m4a.find(b"mdat")  # +faststart: the index comes first
    assert (converted.out / OPUS).read_bytes()[:4] == b"OggS"
    assert b"OpusHead" in (converted.out / OPUS).read_bytes()[:200]


# --------------------------------------------------------------------------- edge cases


def test_silence_gives_valid_outputs(tmp_path: Path) -> None:
    src = tmp_path / "silence.wav"
    ffmpeg_cli("-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo", "-t", "3", str(src))
    result = convert_recording(src, tmp_path / "out", RECIPE, clips=[Clip("hush", 1, 2)])
    assert result.measured_lufs == audio.SILENT_LUFS  # documented: "at or below the gate"
    assert read_master(tmp_path / "out" / MASTER).normalization == "silent"
    assert abs(result.duration - 3.0) <= 0.05
    for name in (M4A, OPUS, "clip-hush.m4a"):
        assert abs(seconds(tmp_path / "out" / name) - (1.0 if "clip" in name else 3.0)) <= 0.05
    doc = json.loads((tmp_path / "out" / PEAKS).read_text())
    assert doc["length"] == math.ceil(3 * 8000 / doc["samples_per_pixel"])
    assert set(doc["data"]) <= {-1, 0}


@needs_espeak
def test_stereo_with_voice_on_one_side_plays_in_both(speech: Path, tmp_path: Path) -> None:
    src = tmp_path / "left.wav"
    ffmpeg_cli("-i", str(speech), "-af", "pan=stereo|c0=c0|c1=0*c0", str(src))
    convert_recording(src, tmp_path / "out", RECIPE, only={M4A})
    lufs, _ = ebur128(tmp_path / "out" / M4A)
    assert abs(lufs - TARGET) <= LUFS_TOLERANCE


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.write_bytes(b""), "the file is empty"),
        (
            lambda p: p.write_text("Interview notes, not a recording.\n"),
            "not a recording ffmpeg can read",
        ),
        (lambda p: p.write_bytes(os.urandom(4096)), "not a recording ffmpeg can read"),
        (lambda p: None, "the file does not exist"),
    ],
    ids=["zero-byte", "text", "random-bytes", "missing"],
)
def test_unreadable_inputs_raise_media_error(tmp_path: Path, make, reason: str) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "recording.m4a"
    make(src)
    with pytest.raises(MediaError, match=re.escape(reason)):
        convert_recording(src, tmp_path / "out", RECIPE)
    assert not list((tmp_path / "out").iterdir()) if (tmp_path / "out").exists() else True


@needs_espeak
@pytest.mark.parametrize(
    ("fmt", "reason"),
    [
        ("m4a", "not a recording ffmpeg can read"),  # the index (moov) is at the end
        ("flac", "the recording is damaged or cut short"),
        ("mp3", "the recording is damaged or cut short"),
        ("wav", "the recording is damaged or cut short"),
        ("webm", "the recording is damaged or cut short"),
    ],
)
def test_truncated_inputs_raise_media_error(
    speech: Path, tmp_path: Path, fmt: str, reason: str
) -> None:
    full = render(speech, tmp_path / f"full.{fmt}", "loud", fmt)
    data = full.read_bytes()
    src = tmp_path / f"cut.{fmt}"
    # Mid-frame: a cut on a frame boundary of an MP3 (or anywhere in an Ogg file)
    # cannot be told from a shorter recording, by ffmpeg or anyone.
    src.write_bytes(data[: len(data) // 2 + 37])
    with pytest.raises(MediaError, match=re.escape(reason)):
        convert_recording(src, tmp_path / "out", RECIPE)
    assert partials(tmp_path / "out") == []


def test_a_picture_has_no_audio_track(tmp_path: Path) -> None:
    src = tmp_path / "photo.png"
    ffmpeg_cli("-f", "lavfi", "-i", "color=red:s=16x16", "-frames:v", "1", str(src))
    with pytest.raises(MediaError, match="no audio track"):
        convert_recording(src, tmp_path / "out", RECIPE)


# ------------------------------------------------------------------ only=, normalised=, clips


@pytest.fixture(scope="module")
def done(speech: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One full conversion of the loud WAV, for the tests that reuse its master."""
    work = tmp_path_factory.mktemp("done")
    src = render(speech, work / "in.wav", "loud", "wav")
    convert_recording(src, work / "out", RECIPE, clips=[CLIP])
    return src, work / "out"


def test_only_writes_only_the_named_files(
    done: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, _ = done
    result = convert_recording(src, tmp_path / "a", RECIPE, clips=[CLIP], only={PEAKS})
    assert [p.name for p in (tmp_path / "a").iterdir()] == [PEAKS]
    assert result.files == {} and result.clips == {} and result.peaks == PEAKS
    assert result.duration > 8

    result = convert_recording(
        src, tmp_path / "b", RECIPE, clips=[CLIP], only={OPUS, "clip-queue.m4a"}
    )
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["audio.opus", "clip-queue.m4a"]
    assert result.files == {"opus": OPUS} and result.clips == {"queue": {"m4a": "clip-queue.m4a"}}

    with pytest.raises(ValueError, match="unknown output"):
        convert_recording(src, tmp_path / "c", RECIPE, only={"audio.mp3"})


def test_reusing_the_normalised_master_measures_nothing(
    done: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, first = done
    spy = Spy(monkeypatch)
    later = Clip("later", 6.0, 8.0)
    result = convert_recording(
        tmp_path / "gone.wav",  # the source is not even read
        tmp_path / "out",
        RECIPE,
        clips=[CLIP, later],
        only={M4A, "clip-later.m4a", "clip-later.opus"},
        normalised=first / MASTER,
    )
    assert not any("loudnorm" in g for g in spy.graphs())
    assert not any(str(tmp_path / "gone.wav") in args for args, _ in spy.calls)
    # One run: the encode, the clip (a seek into the master, faded), each checked by a
    # loopback decoder; no cut to a WAV, no second process to measure the files.
    ((main, _stderr),) = spy.calls
    assert main.count("-i") == 2 and main.count(str(first / MASTER)) == 2
    assert main[main.index("-ss") + 1] == "6.000000" and main.count("-dec") == 3
    assert any(a.startswith("asetpts=PTS-STARTPTS,afade=t=in") for a in main)
    assert result.measured_lufs == read_master(first / MASTER).measured_lufs
    assert result.clips == {"later": {"m4a": "clip-later.m4a", "opus": "clip-later.opus"}}
    lufs, peak = ebur128(tmp_path / "out" / M4A)
    assert abs(lufs - TARGET) <= LUFS_TOLERANCE and peak <= TP_MAX


@needs_espeak
def test_an_encode_over_the_true_peak_is_redone_quieter(
    speech: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(master, "CODEC_HEADROOM_DB", 0.0)  # master peaks right at -1 dBTP
    src = render(speech, tmp_path / "in.wav", "loud", "wav")
    spy = Spy(monkeypatch)
    convert_recording(src, tmp_path / "out", RECIPE, only={M4A, OPUS})
    redone = [args for args, _ in spy.calls if any(a.startswith("volume=-") for a in args)]
    assert redone, "the codecs' overshoot was not caught"
    for name in (M4A, OPUS):
        lufs, peak = ebur128(tmp_path / "out" / name)
        assert peak <= TP_MAX, (name, peak)
        assert abs(lufs - TARGET) <= LUFS_TOLERANCE, (name, lufs)


def test_conversion_is_deterministic(done: tuple[Path, Path], tmp_path: Path) -> None:
    src, first = done
    convert_recording(src, tmp_path, RECIPE, clips=[CLIP])
    for name in output_names([CLIP]):
        assert (tmp_path / name).read_bytes() == (first / name).read_bytes(), name


def test_clip_past_the_end_is_clamped_and_one_after_it_is_an_error(
    done: tuple[Path, Path], tmp_path: Path
) -> None:
    _, first = done
    duration = read_master(first / MASTER).duration
    tail = Clip("tail", duration - 1.5, duration + 30)
    convert_recording(
        Path("unused"),
        tmp_path,
        RECIPE,
        clips=[tail],
        only={"clip-tail.m4a"},
        normalised=first / MASTER,
    )
    assert abs(seconds(tmp_path / "clip-tail.m4a") - 1.5) <= 0.1

    after = Clip("epilogue", duration + 1, duration + 5)
    with pytest.raises(MediaError, match="'epilogue'"):
        convert_recording(
            Path("unused"), tmp_path, RECIPE, clips=[after], normalised=first / MASTER
        )
    assert partials(tmp_path) == []


def test_very_short_clip_gets_a_shorter_fade(done: tuple[Path, Path], tmp_path: Path) -> None:
    _, first = done
    convert_recording(
        Path("unused"), tmp_path, RECIPE, clips=[Clip("blip", 2.0, 2.2)], only={"clip-blip.opus"},
        normalised=first / MASTER,
    )  # fmt: skip
    samples = pcm(tmp_path / "clip-blip.opus")
    assert abs(len(samples) / 8000 - 0.2) <= 0.05
    assert rms(samples[70:90]) > 0  # a 150 ms fade each way would leave no sound at all


@needs_espeak
def test_speech_whose_peaks_fit_gets_a_plain_linear_gain(
    speech: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Peak-limited speech: peak-to-loudness 12 dB, under the 14 dB a gain to -16 allows.
    src = tmp_path / "compressed.wav"
    ffmpeg_cli("-i", str(speech), "-af", "aresample=48000,alimiter=limit=0.25:level=0", str(src))
    spy = Spy(monkeypatch)
    convert_recording(src, tmp_path / "out", RECIPE, only={MASTER, M4A})
    assert read_master(tmp_path / "out" / MASTER).normalization == "linear"
    assert not any("alimiter" in g for g in spy.graphs())  # no probes, no limiter
    lufs, peak = ebur128(tmp_path / "out" / M4A)
    assert abs(lufs - TARGET) <= 0.3 and peak <= TP_MAX


@needs_espeak
def test_peaks_a_little_over_lower_the_target_instead_of_limiting(
    speech: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(master, "LOWER_TARGET_MAX_LU", 6.0)  # espeak's peaks are ~4 dB over
    src = render(speech, tmp_path / "in.wav", "loud", "wav")
    spy = Spy(monkeypatch)
    convert_recording(src, tmp_path / "out", RECIPE, only={MASTER})
    info = read_master(tmp_path / "out" / MASTER)
    assert info.normalization == "lowered"
    assert not any("alimiter" in g for g in spy.graphs())
    lufs, peak = ebur128(tmp_path / "out" / MASTER)
    assert lufs == pytest.approx(info.measured_lufs + info.gain_db, abs=0.2) and lufs < TARGET - 2
    assert peak <= RECIPE.true_peak - audio.CODEC_HEADROOM_DB + 0.1


def test_a_clip_ending_before_it_starts_is_refused_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="'backwards' ends"):
        convert_recording(tmp_path / "x.wav", tmp_path, RECIPE, clips=[Clip("backwards", 5, 4)])


@needs_espeak
def test_a_dynamic_fallback_is_kept_and_recorded(
    speech: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Stand in for an ffmpeg whose loudnorm refuses linear mode for our plan.
    monkeypatch.setattr(
        master, "_apply_filter", lambda *_: "loudnorm=I=-16:TP=-2:LRA=11:print_format=json"
    )
    src = render(speech, tmp_path / "in.wav", "loud", "wav")
    convert_recording(src, tmp_path / "out", RECIPE, only={MASTER, M4A})
    assert read_master(tmp_path / "out" / MASTER).normalization == "dynamic"
    assert "fell back to dynamic" in caplog.text
    lufs, peak = ebur128(tmp_path / "out" / M4A)
    assert abs(lufs - TARGET) <= LUFS_TOLERANCE and peak <= TP_MAX


@pytest.mark.parametrize("clip_id", ["../escape", "a b", "", "x/y"])
def test_clip_ids_must_be_safe_file_names(tmp_path: Path, clip_id: str) -> None:
    with pytest.raises(MediaError, match="cannot name a file"):
        convert_recording(tmp_path / "x.wav", tmp_path, RECIPE, clips=[Clip(clip_id, 0, 1)])


# --------------------------------------------------------------------------- units


def test_peaks_accumulator_is_exact_across_odd_chunks() -> None:
    values = array("h", [((i * 7919) % 65536) - 32768 for i in range(1000)])
    raw = values.tobytes()
    peaks = _Peaks(64)
    for start in range(0, len(raw), 37):  # chunks that split samples and pixels
        peaks.feed(raw[start : start + 37])
    peaks.finish()
    doc = peaks.document()
    assert doc["length"] == math.ceil(1000 / 64)
    want: list[int] = []
    for start in range(0, 1000, 64):
        window = values[start : start + 64]
        want += [min(window) >> 8, max(window) >> 8]
    assert doc["data"] == want
    assert peaks.samples == 1000


def test_parse_loudnorm_copes_with_noise_around_the_json() -> None:
    stderr = (
        "[info] Input #0, wav, from 'x.wav':\n"
        "[Parsed_loudnorm_6 @ 0x55] [info] \n"
        '{\n\t"input_i" : "-inf",\n\t"input_tp" : "-inf",\n\t"input_lra" : "0.00",\n'
        '\t"input_thresh" : "-70.00",\n\t"output_i" : "-inf",\n\t"output_tp" : "-inf",\n'
        '\t"output_lra" : "0.00",\n\t"output_thresh" : "-70.00",\n'
        '\t"normalization_type" : "dynamic",\n\t"target_offset" : "inf"\n}\n'
        "[Parsed_loudnorm_3 @ 0x56] [info] \n"
        '{\n\t"input_i" : "-19.97",\n\t"input_tp" : "-1.83",\n\t"input_lra" : "2.00",\n'
        '\t"input_thresh" : "-30.02",\n\t"output_i" : "-16.00",\n\t"output_tp" : "-2.00",\n'
        '\t"output_lra" : "2.00",\n\t"output_thresh" : "-26.0",\n'
        '\t"normalization_type" : "linear",\n\t"target_offset" : "0.00"\n}\n'
        "[out#0/null @ 0x57] [info] video:0KiB audio:3297KiB\n"
    )
    first, second = parse_loudnorm(stderr)  # graph order, not log order
    assert (first.i, first.tp, first.normalization) == (-19.97, -1.83, "linear")
    assert second.i == -math.inf and second.silent
    assert parse_loudnorm("no json here {not: json}") == []


def test_solve_ceiling() -> None:
    # loss(h) = 0.5 * (-4 - h) below -4 dB: h + loss(h) = -6 at h = -8.
    points = [(-6.0, 1.0), (-9.0, 2.5)]
    assert _solve_ceiling(-6.0, points) == pytest.approx(-8.0)
    # Extrapolates when both probes are above the root.
    # loss(h) = 2.5 - 0.5 h: h + loss(h) = 0.5 h + 2.5 = -4 at h = -13.
    assert _solve_ceiling(-4.0, [(-1.0, 3.0), (-2.0, 3.5)]) == pytest.approx(-13.0)
    assert _solve_ceiling(-6.0, [(-6.0, 0.0)]) == -6.0


def test_read_master_rejects_a_non_flac(tmp_path: Path) -> None:
    bogus = tmp_path / "normalised.flac"
    bogus.write_bytes(b"RIFF....WAVE")
    with pytest.raises(MediaError, match="unreadable"):
        read_master(bogus)


# --------------------------------------------------------------------------- 2 hours (slow)


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("IMMERSION_SLOW") != "1", reason="set IMMERSION_SLOW=1")
def test_two_hour_recording_streams_in_bounded_memory(tmp_path: Path) -> None:
    """Peak RSS of this process stays under 300 MB while converting 2 h of audio.

    Run alone (``IMMERSION_SLOW=1 pytest -k two_hour -s``): ru_maxrss is the
    process's lifetime peak, so earlier tests in the same process count too.
    """
    src = tmp_path / "two-hours.opus"
    # Cheap to make: noise shaped like a voice (pink noise, gated by a slow tremolo).
    ffmpeg_cli(
        "-f", "lavfi", "-i", "anoisesrc=color=pink:sample_rate=16000:amplitude=0.3:duration=7200",
        "-af", "tremolo=f=0.7:d=0.9,volume=-12dB", "-ac", "2",
        "-c:a", "libopus", "-b:a", "12k", str(src),
    )  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = convert_recording(src, tmp_path / "out", RECIPE, clips=[Clip("late", 7000, 7030)])
    elapsed = time.perf_counter() - started
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        f"\n2 h recording: {elapsed:.0f} s; peak RSS: python {self_kb / 1024:.0f} MB "
        f"(before {before / 1024:.0f} MB), largest ffmpeg {children_kb / 1024:.0f} MB; "
        f"{read_master(tmp_path / 'out' / MASTER)}"
    )
    assert abs(result.duration - 7200) <= 0.05
    assert self_kb < 300 * 1024
    assert children_kb < 300 * 1024
    doc = json.loads((tmp_path / "out" / PEAKS).read_text())
    assert doc["length"] == math.ceil(7200 * 8000 / doc["samples_per_pixel"])
