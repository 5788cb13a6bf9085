"""Benchmark `immersion transcribe`'s engine: real-time factor, peak memory, word error rate.

Run from the repository root (needs the transcribe extra and espeak-ng):

    python bench/transcribe.py                  # 30 min of speech, the demo room's recordings
    python bench/transcribe.py --minutes 3      # a quicker look
    python bench/transcribe.py --model models/base.en   # another model folder too (repeat)
    python bench/transcribe.py --smoke          # seconds: 10 s of speech, one recording (CI)

The corpus is speech made by espeak-ng from research-like sentences in several English
voices, in bench/corpus/transcribe/ (git-ignored; reused when present), with the text
it was made from. Each measurement runs in its own process, so its peak memory
(ru_maxrss from wait4) is its own:

* raw: faster-whisper as its README calls it (`WhisperModel(...).transcribe(wav)`,
  beam 5, no voice activity detection, no word timings) on a 16 kHz WAV: the baseline;
* ours: what `immersion transcribe` does (ffmpeg decode to 16 kHz mono, VAD, word
  timings, the draft WebVTT and its personal data search), through the same classes;
* sample: ours on every recording of the demo room (content/stories/), word error rate
  against the transcript it was made with.

Real-time factor = seconds of work / seconds of audio (model loading apart, shown on
its own). It prints a table and writes bench/results/transcribe.json (--smoke:
bench/results/smoke/transcribe.json). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from immersion.media.ffmpeg import find_ffmpeg  # noqa: E402
from immersion.transcribe.wer import wer  # noqa: E402

VOICES = ("en-gb", "en-us", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbclan")
SENTENCES = (
    "We moved house in March and the quote changed twice before we could pay.",
    "I rang the helpline three times and nobody could tell me why.",
    "In the end I wrote every price down in a notebook by the kettle.",
    "The bill came again today and it was higher than last month.",
    "My husband deals with the letters, but I am the one who worries about them.",
    "The app asked me for the same details it had asked for yesterday.",
    "When the engineer finally came, he was kind and explained everything.",
    "I just want one number I can trust, and I want it before I sign.",
    "We compared four companies on a Sunday night with the children asleep.",
    "Nobody told us the price would go up after the first year.",
    "The lady on the phone was patient, but she could not change anything.",
    "I keep the receipts in a shoebox under the stairs, just in case.",
    "It took forty minutes on hold before anyone answered the call.",
    "My daughter set up the account for me because the form kept failing.",
    "We only found the cheaper tariff because a neighbour mentioned it.",
    "Honestly, the letter read like it was written for somebody else.",
    "I would pay a little more to speak to the same person every time.",
    "The meter reading on the website was not the one I had sent them.",
    "After the move we had no hot water for two days and no answer.",
    "The text message said the payment had failed, but the bank said it had not.",
    "I felt stupid asking, so I waited until the end of the month.",
    "The new flat is smaller, but the heating costs half as much.",
    "They sent a survey after the call, and I did not have the energy to fill it in.",
    "What I remember most is the relief when the final bill was right.",
)


def ffmpeg(*args: str) -> None:
    subprocess.run([find_ffmpeg(), "-v", "error", "-y", *args], check=True)


def duration_of(wav: Path) -> float:
    with wave.open(str(wav)) as handle:
        return handle.getnframes() / handle.getframerate()


def make_corpus(folder: Path, seconds: float) -> tuple[Path, str]:
    """A WAV of about `seconds` of speech in turns of several voices, and its text."""
    wav, text_file = folder / f"speech-{seconds:.0f}s.wav", folder / f"speech-{seconds:.0f}s.txt"
    if wav.is_file() and text_file.is_file():
        return wav, text_file.read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(16)
    parts: list[Path] = []
    said: list[str] = []
    total = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        while total < seconds:
            turn = " ".join(rng.sample(SENTENCES, 4))
            part = Path(tmp) / f"{len(parts):04d}.wav"
            voice = VOICES[len(parts) % len(VOICES)]
            subprocess.run(["espeak-ng", "-v", voice, "-w", str(part), turn], check=True)
            parts.append(part)
            said.append(turn)
            total += duration_of(part)
        listing = Path(tmp) / "parts.txt"
        listing.write_text("".join(f"file '{p}'\n" for p in parts))
        ffmpeg("-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(wav))
    text_file.write_text(" ".join(said), encoding="utf-8")
    return wav, " ".join(said)


# -- the measured work, each in its own process ----------------------------------------


def worker(mode: str, model: str, inputs: list[str]) -> dict[str, Any]:
    from immersion.transcribe.audio import decode_wav
    from immersion.transcribe.draft import draft, heard
    from immersion.transcribe.whisper import open_engine, packaged_model

    folder = None if model == "tiny.en" else Path(model)
    began = time.perf_counter()
    if mode == "raw":
        from faster_whisper import WhisperModel

        raw = WhisperModel(
            str(folder or packaged_model()),
            device="cpu",
            compute_type="int8",
            cpu_threads=os.cpu_count() or 1,
        )
    else:
        engine = open_engine(folder)
    loaded = time.perf_counter() - began
    results = []
    for source in inputs:
        began = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "speech.wav"
            seconds = decode_wav(Path(source), wav, source)
            if mode == "raw":
                segments, _ = raw.transcribe(str(wav), language="en")
                text = " ".join(s.text.strip() for s in segments)
            else:
                found = engine.transcribe(wav)
                made = draft(found, seconds, "Leah", engine.name, engine.model)
                heard(made.cues, seconds)
                text = " ".join(c.text for c in made.cues)
        results.append(
            {
                "source": source,
                "audio_s": seconds,
                "work_s": time.perf_counter() - began,
                "text": text,
            }
        )
    return {"load_s": loaded, "files": results}


def measure(mode: str, model: str, inputs: list[Path]) -> dict[str, Any]:
    """Run `worker` in a child process; its result and its own peak memory."""
    cmd = [sys.executable, __file__, "--worker", mode, model, *map(str, inputs)]
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(cmd, stdout=out, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"{mode} {model} failed (exit {child.returncode})")
        out.seek(0)
        result = json.loads(out.read().decode().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024
    return result


def reference_of(recording: Path) -> str | None:
    from immersion.transcripts import read_vtt

    vtt = recording.with_suffix(".vtt")
    transcript, _ = read_vtt(vtt, vtt.name) if vtt.is_file() else (None, [])
    return " ".join(c.text for c in transcript.cues) if transcript else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="minutes of speech")
    parser.add_argument("--model", action="append", default=[], help="a model folder (repeat)")
    parser.add_argument("--json", type=Path, help="default: bench/results/transcribe.json")
    parser.add_argument("--smoke", action="store_true", help="seconds, for CI")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        mode, model, *inputs = args.worker
        print(json.dumps(worker(mode, model, inputs)))
        return
    if shutil.which("espeak-ng") is None:
        raise SystemExit("bench/transcribe.py needs espeak-ng (apt-get install espeak-ng)")
    seconds = 10.0 if args.smoke else args.minutes * 60
    corpus, said = make_corpus(ROOT / "bench/corpus/transcribe", seconds)
    sample = sorted(
        p for p in (ROOT / "content/stories").glob("*/*") if p.suffix in (".m4a", ".mp3")
    )
    sample = [p for p in sample if reference_of(p) is not None]
    if args.smoke:
        sample = sorted(sample, key=lambda p: p.stat().st_size)[:1]
    rows = []
    for model in ["tiny.en", *args.model]:
        for mode in ("raw", "ours"):
            got = measure(mode, model, [corpus])
            f = got["files"][0]
            rows.append(
                {
                    "model": model,
                    "what": f"{mode}, corpus",
                    "audio_s": f["audio_s"],
                    "load_s": got["load_s"],
                    "rtf": f["work_s"] / f["audio_s"],
                    "peak_mb": got["peak_mb"],
                    "wer": wer(said, f["text"]),
                }
            )
        got = measure("ours", model, sample)
        said_all = " ".join(reference_of(p) or "" for p in sample)
        heard_all = " ".join(f["text"] for f in got["files"])
        audio = sum(f["audio_s"] for f in got["files"])
        rows.append(
            {
                "model": model,
                "what": f"ours, sample ({len(sample)} recordings)",
                "audio_s": audio,
                "load_s": got["load_s"],
                "rtf": sum(f["work_s"] for f in got["files"]) / audio,
                "peak_mb": got["peak_mb"],
                "wer": wer(said_all, heard_all),
                "files": {
                    Path(f["source"]).relative_to(ROOT).as_posix(): round(
                        wer(reference_of(Path(f["source"])) or "", f["text"]), 4
                    )
                    for f in got["files"]
                },
            }
        )
    print(
        f"{'model':<10} {'run':<28} {'audio':>8} {'load':>6} {'x real time':>11} "
        f"{'peak MB':>8} {'WER':>7}"
    )
    for r in rows:
        print(
            f"{r['model']:<10} {r['what']:<28} {r['audio_s']:>7.0f}s {r['load_s']:>5.1f}s "
            f"{r['rtf']:>11.2f} {r['peak_mb']:>8.0f} {r['wer']:>6.1%}"
        )
    target = (
        args.json or ROOT / "bench/results" / ("smoke" if args.smoke else "") / "transcribe.json"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        json.dumps(
            {"smoke": args.smoke, "cores": os.cpu_count(), "load": os.getloadavg(), "rows": rows},
            indent=2,
        )
    )
    print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")


if __name__ == "__main__":
    main()
