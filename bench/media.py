"""Benchmark the media pipeline against plain Pillow and plain ffmpeg, in one run.

Run from the repository root:

    python bench/media.py                         # 200 photos of 12 MP, 30 min of audio
    python bench/media.py --photos 40 --minutes 6 # a quicker look
    python bench/media.py --smoke                 # seconds: 3 small photos, 10 s of audio (CI)

It generates a corpus in bench/corpus/media/ (git-ignored; reused when present),
then times, each on a fresh cache:

* photos, baseline: one process, a plain Pillow loop doing the same work
  (open, draft, upright, every width, WebP + JPEG save);
* photos, ours: `MediaPipeline` with 1 worker, then with 2 workers;
* recordings, baseline: plain ffmpeg commands (loudnorm measure, loudnorm apply
  to FLAC, AAC + Opus encodes, an 8 kHz decode for peaks);
* recordings, ours: `MediaPipeline` with 1 worker;
* a no-op rebuild of the whole corpus (everything cached).

It prints a table and writes bench/results/media.json (--smoke: its own corpus in
bench/corpus/media-smoke/ and bench/results/smoke/media.json; the goals are printed,
never enforced).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageOps

from immersion.media.ffmpeg import find_ffmpeg
from immersion.media.images import JPEG_OPTIMIZE, JPEG_PROGRESSIVE, WEBP_METHOD, planned_widths
from immersion.media.pool import MediaPipeline
from immersion.media.recipes import AudioRecipe, PhotoRecipe
from immersion.project import Project
from immersion.schema import MediaRef

ROOT = Path(__file__).resolve().parent.parent


def make_photos(folder: Path, count: int, size: tuple[int, int]) -> list[Path]:
    """`count` distinct 12 MP JPEGs: a few real encodes, then unique comment segments."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = sorted(folder.glob("p*.jpg"))
    if len(paths) >= count:
        return paths[:count]
    rng = random.Random(7)
    bases = []
    for n in range(4):
        noise = Image.effect_noise(size, 40 + 10 * n).convert("RGB")
        tint = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
        image = Image.blend(noise, tint, 0.6)
        exif = Image.Exif()
        exif[0x0112] = (1, 6, 3, 8)[n]  # orientations, so transposing is part of the work
        path = folder / f"base{n}.jpg"
        image.save(path, "JPEG", quality=90, exif=exif)
        bases.append(path.read_bytes())
    for index in range(count):
        data = bases[index % len(bases)]
        comment = f"bench photo {index}".encode()
        # A COM segment right after SOI makes every file's bytes (and sha256) distinct.
        segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
        (folder / f"p{index:04d}.jpg").write_bytes(data[:2] + segment + data[2:])
    for path in folder.glob("base*.jpg"):
        path.unlink()
    return sorted(folder.glob("p*.jpg"))[:count]


def make_recordings(folder: Path, minutes: int, ffmpeg: str, seconds: int = 300) -> list[Path]:
    """Speech-like recordings of `seconds` each (noise shaped like a voice), as AAC."""
    folder.mkdir(parents=True, exist_ok=True)
    count = max(1, minutes * 60 // seconds)
    paths = []
    for index in range(count):
        path = folder / f"r{index:02d}.m4a"
        if not path.is_file():
            level = -30 + 6 * (index % 4)
            subprocess.run(
                [
                    ffmpeg,
                    "-v",
                    "error",
                    "-y",
                    "-f",
                    "lavfi",
                    "-i",
                    f"anoisesrc=color=pink:duration={seconds}:seed={index}",
                    "-af",
                    f"bandpass=f=800:width_type=h:w=1500,volume={level}dB,"
                    "apulsator=hz=0.7:amount=0.8",
                    "-ac",
                    "1",
                    "-c:a",
                    "aac",
                    "-b:a",
                    "64k",
                    str(path),
                ],
                check=True,
            )
        paths.append(path)
    return paths


def baseline_photos(paths: list[Path], recipe: PhotoRecipe, out: Path) -> float:
    started = time.perf_counter()
    for path in paths:
        with Image.open(path) as image:
            stored_w, stored_h = image.size
            turned = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)
            upright_w, upright_h = (stored_h, stored_w) if turned else (stored_w, stored_h)
            widths = planned_widths(upright_w, recipe.widths)
            need_w, need_h = max(widths), round(max(widths) * upright_h / upright_w)
            image.draft("RGB", (need_h, need_w) if turned else (need_w, need_h))
            upright = ImageOps.exif_transpose(image).convert("RGB")
            for width in widths:
                height = round(upright.height * width / upright.width)
                small = upright.resize((width, height), Image.Resampling.LANCZOS)
                # The same encoder settings as ours: only the work around them differs.
                small.save(
                    out / f"{path.stem}-{width}.webp",
                    "WEBP",
                    quality=recipe.webp_quality,
                    method=WEBP_METHOD,
                )
                small.save(
                    out / f"{path.stem}-{width}.jpg",
                    "JPEG",
                    quality=recipe.jpeg_quality,
                    optimize=JPEG_OPTIMIZE,
                    progressive=JPEG_PROGRESSIVE,
                )
    return time.perf_counter() - started


def baseline_recordings(paths: list[Path], recipe: AudioRecipe, out: Path, ffmpeg: str) -> float:
    target = f"I={recipe.target_lufs}:TP={recipe.true_peak}:LRA={recipe.loudness_range}"
    started = time.perf_counter()
    for path in paths:
        measured = subprocess.run(
            [
                ffmpeg,
                "-hide_banner",
                "-nostdin",
                "-i",
                str(path),
                "-af",
                f"loudnorm={target}:print_format=json",
                "-f",
                "null",
                "-",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        values = json.loads(measured[measured.rindex("{") : measured.rindex("}") + 1])
        apply = (
            f"loudnorm={target}:measured_I={values['input_i']}:measured_TP="
            f"{values['input_tp']}:measured_LRA={values['input_lra']}:measured_thresh="
            f"{values['input_thresh']}:offset={values['target_offset']}:linear=true,"
            f"aresample={recipe.sample_rate}"
        )
        flac = out / f"{path.stem}.flac"
        quiet = [ffmpeg, "-v", "error", "-y", "-i"]
        subprocess.run([*quiet, str(path), "-af", apply, "-ac", "1", str(flac)], check=True)
        # The three outputs of the master: AAC, Opus, and the 8 kHz decode for peaks.
        for args in (
            ["-c:a", "aac", "-b:a", recipe.aac_bitrate, "-movflags", "+faststart", ".m4a"],
            ["-c:a", "libopus", "-b:a", recipe.opus_bitrate, ".opus"],
            ["-ac", "1", "-ar", "8000", "-f", "s16le", ".pcm"],
        ):
            *options, suffix = args
            subprocess.run(
                [*quiet, str(flac), *options, str(out / f"{path.stem}{suffix}")], check=True
            )
    return time.perf_counter() - started


def ours(
    project: Path,
    photos: list[Path],
    recordings: list[Path],
    jobs: int,
    photo: PhotoRecipe,
    audio: AudioRecipe,
    fresh: bool = True,
) -> tuple[float, str]:
    if fresh:
        shutil.rmtree(project / "build", ignore_errors=True)
    pipeline = MediaPipeline(Project(project), photo, audio, jobs, [], open(os.devnull, "w"))  # noqa: SIM115
    started = time.perf_counter()
    result = pipeline.run_sources(
        [MediaRef(p.name, p) for p in photos], [(MediaRef(r.name, r), ()) for r in recordings]
    )
    return time.perf_counter() - started, result.stats.summary()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--size", default="4000x3000")
    parser.add_argument("--json", type=Path, help="default: bench/results/media.json")
    parser.add_argument("--smoke", action="store_true", help="seconds, for CI: a tiny corpus")
    args = parser.parse_args()
    corpus = ROOT / "bench/corpus/media"
    clip_seconds = 300
    if args.smoke:
        # Its own corpus: the real one is reused between runs and must keep its size.
        args.photos, args.size, clip_seconds = 3, "800x600", 10
        args.minutes = 1
        corpus = ROOT / "bench/corpus/media-smoke"
    args.json = args.json or ROOT / "bench/results" / ("smoke" if args.smoke else "") / "media.json"
    size = tuple(int(v) for v in args.size.split("x"))
    ffmpeg = find_ffmpeg()
    photos = make_photos(corpus / "photos", args.photos, (size[0], size[1]))
    recordings = make_recordings(corpus / "audio", args.minutes, ffmpeg, clip_seconds)
    audio_minutes = len(recordings) * clip_seconds / 60
    photo, audio = PhotoRecipe(), AudioRecipe()
    rows: dict[str, float] = {}

    def done(name: str, seconds: float) -> float:
        print(f"  {name}: {seconds:.2f} s", flush=True)
        return seconds

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        rows["photos_baseline_s"] = done("photos baseline", baseline_photos(photos, photo, out))
        shutil.rmtree(out)
        out.mkdir()
        project = out / "project"
        rows["photos_ours_1_s"], _ = ours(project, photos, [], 1, photo, audio)
        rows["photos_ours_2_s"], _ = ours(project, photos, [], 2, photo, audio)
        rows["recordings_baseline_s"] = baseline_recordings(recordings, audio, out, ffmpeg)
        rows["recordings_ours_1_s"], _ = ours(project, [], recordings, 1, photo, audio)
        ours(project, photos, recordings, 2, photo, audio)  # everything cached
        rows["noop_rebuild_s"], summary = ours(
            project, photos, recordings, 2, photo, audio, fresh=False
        )
    n = len(photos)
    table = [
        ("photos: plain Pillow loop, 1 process", rows["photos_baseline_s"], n),
        ("photos: immersion, 1 worker", rows["photos_ours_1_s"], n),
        ("photos: immersion, 2 workers", rows["photos_ours_2_s"], n),
        ("recordings: plain ffmpeg commands", rows["recordings_baseline_s"], 0),
        ("recordings: immersion, 1 worker", rows["recordings_ours_1_s"], 0),
        ("no-op rebuild (all cached)", rows["noop_rebuild_s"], 0),
    ]
    print(f"{len(photos)} photos of {size[0]}x{size[1]}, {audio_minutes:g} min of audio")
    print(f"{'':42} {'seconds':>8} {'photos/s':>9}")
    for label, seconds, count in table:
        rate = f"{count / seconds:9.1f}" if count else " " * 9
        print(f"{label:42} {seconds:8.2f} {rate}")
    ratios = {
        "photos_ours_vs_baseline": rows["photos_ours_1_s"] / rows["photos_baseline_s"],
        "photos_speedup_2_workers": rows["photos_ours_1_s"] / rows["photos_ours_2_s"],
        "recordings_ours_vs_baseline": rows["recordings_ours_1_s"] / rows["recordings_baseline_s"],
    }
    print(f"ours / Pillow loop (goal <= 1.10): {ratios['photos_ours_vs_baseline']:.2f}")
    print(f"1 worker / 2 workers (goal >= 1.7): {ratios['photos_speedup_2_workers']:.2f}")
    print(f"ours / ffmpeg (goal <= 1.15): {ratios['recordings_ours_vs_baseline']:.2f}")
    print(f"no-op rebuild (goal < 2 s): {rows['noop_rebuild_s']:.2f} s; {summary}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "photos": n,
                "size": size,
                "minutes": audio_minutes,
                "smoke": args.smoke,
                "seconds": rows,
                "ratios": ratios,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
