"""Benchmark video conversion against plain ffmpeg commands doing the same encodes, in one run.

Run from the repository root:

    python bench/video.py                          # 10 sources x 2 min, 1080p H.264 and HEVC
    python bench/video.py --sources 4 --seconds 30 # a quicker look
    python bench/video.py --smoke                  # seconds: 2 sources of 3 s, small (CI)
    python bench/video.py --two-hours              # peak memory converting a 2-hour video

It generates a corpus in bench/corpus/video/ (git-ignored; reused when present):
1080p sources with speech-like sound, alternately H.264 and 10-bit HEVC (when the
ffmpeg has libx265), each with two highlights. Then, on a fresh cache, source by
source, the two take turns (plain first for even sources, ours first for odd ones), so
a machine whose load changes during the run slows both alike:

* plain: ffmpeg commands per source, as a careful person would type them for the same
  files with the same encoder settings: loudnorm measure, loudnorm apply into a FLAC
  master; AAC (`-aac_coder fast`, as ours) + Opus + an 8 kHz decode for peaks from it;
  one decode split into 720p and 1080p H.264 MP4s with the master as AAC; a poster
  (WebP + JPEG, the same quality and size, at the frame ours picks: the first, as none
  of these sources starts black); each highlight cut as a 720p MP4 faded in and out,
  and as an audio-only M4A + Opus pair faded in and out;
* ours: `MediaPipeline` with 1 worker for that one source (every ffmpeg run it makes
  is timed and sorted by what it produces; what is left of its time is `python`);
* at the end, a no-op rebuild of the whole corpus (everything cached), counting the
  ffmpeg runs it makes (a decode is an ffmpeg run: 0 runs, 0 decodes).

What ours does that plain does not: it checks every audio encode's true peak (and
would redo one over -1 dBTP), looks for the first frame that is not black, probes each
source and output, hashes the sources and writes the cache. Rows: `loudness` (the
master), `audio` (M4A, Opus, peaks, and the clips' audio-only pairs), `video` (the
MP4s), `poster`, `clips` (the highlight MP4s), `probe`, `python` (ours outside ffmpeg).

Printed: seconds (wall and CPU: ffmpeg children plus our process) and the real-time
factor per row, ours / plain, and the load average; bench/results/video.json
(--smoke: bench/corpus/video-smoke/ and bench/results/smoke/video.json). The
machine may be shared: CPU seconds move far less with the load than wall seconds. The
goals are printed, never enforced.

--two-hours generates one 2-hour source cheaply (320x180 at 5 fps, H.264 ultrafast,
pink noise shaped like speech as mono AAC; bench/corpus/video-2h/), converts it with
`MediaPipeline` (1 worker: every job runs in the measuring process, two highlight
clips) in a fresh Python process, and reports that process's peak RSS
(`getrusage(RUSAGE_SELF)`) and, separately, the largest of its ffmpeg children's
(`RUSAGE_CHILDREN`), plus a sampler of the process's RSS over the run; written to
bench/results/video-2h.json. Goal: our process under 150 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from immersion.media import ffmpeg as ff
from immersion.media.pool import MediaPipeline
from immersion.media.recipes import AudioRecipe, Clip
from immersion.media.video import VideoRecipe, VideoWants, planned_heights
from immersion.project import Project
from immersion.schema import MediaRef

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = ("loudness", "audio", "video", "poster", "clips", "probe", "python")


def has_encoder(ffmpeg: str, name: str) -> bool:
    listing = subprocess.run(
        [ffmpeg, "-hide_banner", "-encoders"], capture_output=True, text=True, check=False
    ).stdout
    return f" {name} " in listing


def make_sources(
    folder: Path, count: int, seconds: int, size: str, ffmpeg: str
) -> list[tuple[Path, str]]:
    """`count` sources of `seconds` each, alternately H.264 and HEVC 10-bit (if available)."""
    folder.mkdir(parents=True, exist_ok=True)
    hevc = has_encoder(ffmpeg, "libx265")
    found = []
    for index in range(count):
        codec = "hevc" if hevc and index % 2 else "h264"
        path = folder / f"v{index:02d}-{codec}-{size}-{seconds}s.mp4"
        if not path.is_file():
            video = (
                ["-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le",
                 "-x265-params", "log-level=error", "-tag:v", "hvc1"]
                if codec == "hevc"
                else ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]
            )  # fmt: skip
            level = -30 + 6 * (index % 4)
            tmp = path.with_name(f".{path.name}")
            subprocess.run(
                [
                    ffmpeg, "-v", "error", "-y",
                    "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=30:duration={seconds}",
                    "-f", "lavfi", "-i", f"anoisesrc=color=pink:duration={seconds}:seed={index}",
                    "-af", f"bandpass=f=800:width_type=h:w=1500,volume={level}dB,"
                    "apulsator=hz=0.7:amount=0.8",
                    "-ac", "1", *video, "-c:a", "aac", "-b:a", "96k", "-shortest",
                    "-f", "mp4", str(tmp),
                ],
                check=True,
            )  # fmt: skip
            tmp.rename(path)
        found.append((path, codec))
    return found


def highlights(seconds: int) -> tuple[Clip, ...]:
    """Two highlights: a tenth of the source each, from a fifth and from the middle."""
    length = max(1.0, seconds / 10)
    return (
        Clip("hl-1", seconds / 5, seconds / 5 + length),
        Clip("hl-2", seconds / 2, seconds / 2 + length),
    )


# -- timing ------------------------------------------------------------------------


class Clock:
    """Wall and CPU seconds by row; CPU is ffmpeg's (children) plus, for ours, ours."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)

    @contextmanager
    def child(self, row: str) -> Iterator[None]:
        """Time one ffmpeg run (a child process, waited for inside the block)."""
        started, before = time.perf_counter(), _children_cpu()
        try:
            yield
        finally:
            self.wall[row] += time.perf_counter() - started
            self.cpu[row] += _children_cpu() - before

    def total(self, kind: str) -> float:
        return sum((self.wall if kind == "wall" else self.cpu).values())


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the baseline: plain ffmpeg ------------------------------------------------


def _height(src: Path, ffmpeg: str) -> int:
    """The source's height, as a person would read it off `ffmpeg -i` before encoding."""
    report = subprocess.run(
        [ffmpeg, "-hide_banner", "-i", str(src)], capture_output=True, text=True, check=False
    ).stderr
    match = re.search(r"Video: .*?, (\d{2,5})x(\d{2,5})", report)
    return int(match.group(2)) if match else 1080


def plain(src: Path, codec: str, seconds: int, out: Path, ffmpeg: str, clock: Clock) -> None:
    """The same files as ours for one source, by plain ffmpeg commands."""
    quiet = [ffmpeg, "-v", "error", "-nostdin", "-y"]
    audio, video = AudioRecipe(), VideoRecipe()

    def timed(what: str, args: Sequence[str], capture: bool = False) -> str:
        with clock.child(what):
            proc = subprocess.run(args, capture_output=True, text=True, check=True)
        return proc.stderr if capture else ""

    stem = out / src.stem
    report = timed(
        "loudness",
        [ffmpeg, "-nostdin", "-hide_banner", "-i", str(src), "-map", "0:a:0", "-af",
         "loudnorm=I=-16:TP=-2:LRA=11:print_format=json", "-f", "null", "-"],
        capture=True,
    )  # fmt: skip
    found = json.loads(report[report.rindex("{") : report.rindex("}") + 1])
    master = stem.with_suffix(".flac")
    timed(
        "loudness",
        [*quiet, "-i", str(src), "-map", "0:a:0", "-af",
         f"loudnorm=I=-16:TP=-2:LRA=11:measured_I={found['input_i']}"
         f":measured_TP={found['input_tp']}:measured_LRA={found['input_lra']}"
         f":measured_thresh={found['input_thresh']}:linear=true",
         "-ac", "1", "-ar", "48000", "-c:a", "flac", str(master)],
    )  # fmt: skip
    aac = ["-c:a", "aac", "-aac_coder", "fast", "-b:a", audio.aac_bitrate]
    opus = ["-c:a", "libopus", "-b:a", audio.opus_bitrate]
    timed(
        "audio",
        [*quiet, "-i", str(master),
         "-map", "0:a:0", *aac, "-movflags", "+faststart", f"{stem}.m4a",
         "-map", "0:a:0", *opus, f"{stem}.opus",
         "-map", "0:a:0", "-ac", "1", "-ar", "8000", "-f", "s16le", f"{stem}.pcm"],
    )  # fmt: skip
    h264 = ["-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p",
            "-preset", video.preset, "-crf", str(video.crf), "-c:a", "aac",
            "-b:a", video.aac_bitrate, "-movflags", "+faststart"]  # fmt: skip
    tone = "format=yuv420p," if codec == "hevc" else ""
    # The same heights as ours: 720p and 1080p, never more than the source has.
    with clock.child("probe"):
        height = _height(src, ffmpeg)
    plan = planned_heights(height, (720, 1080))
    small = min(plan.values())
    split = f"[0:v:0]{tone}split={len(plan)}" + "".join(f"[s{h}]" for h in plan.values())
    graph = ";".join([split, *(f"[s{h}]scale=-2:{h},format=yuv420p[v{h}]" for h in plan.values())])
    outputs: list[str] = []
    for h in plan.values():
        outputs += ["-map", f"[v{h}]", "-map", "1:a:0", *h264, f"{stem}-{h}.mp4"]
    timed("video", [*quiet, "-i", str(src), "-i", str(master), "-filter_complex", graph, *outputs])
    # The frame ours picks: the first that is not black, here the first.
    timed(
        "poster",
        [*quiet, "-i", str(src),
         "-map", "0:v:0", "-frames:v", "1", "-vf", f"scale=-2:{small}", "-c:v", "libwebp",
         "-quality", str(video.poster_quality), f"{stem}.webp",
         "-map", "0:v:0", "-frames:v", "1", "-vf", f"scale=-2:{small}", "-q:v", "3",
         f"{stem}.jpg"],
    )  # fmt: skip
    for clip in highlights(seconds):
        length = clip.end - clip.start
        span = ["-ss", f"{clip.start}", "-t", f"{length}"]
        fade = video.clip_fade_ms / 1000
        fades = f"fade=t=in:d={fade},fade=t=out:st={length - fade}:d={fade}"
        afades = f"afade=t=in:d={fade},afade=t=out:st={length - fade}:d={fade}"
        timed(
            "clips",
            [*quiet, *span, "-i", str(src), *span, "-i", str(master),
             "-map", "0:v:0", "-map", "1:a:0", "-vf", f"scale=-2:{small},{fades},format=yuv420p",
             "-af", afades, *h264, f"{stem}-{clip.id}.mp4"],
        )  # fmt: skip
        # ... and its audio-only pair, as recordings' highlights get
        timed(
            "audio",
            [*quiet, *span, "-i", str(master), "-map", "0:a:0", "-af", afades, *aac,
             f"{stem}-{clip.id}.m4a", "-map", "0:a:0", "-af", afades, *opus,
             f"{stem}-{clip.id}.opus"],
        )  # fmt: skip


# -- ours ----------------------------------------------------------------------


def kind_of(args: Sequence[str]) -> str:
    """What an ffmpeg run of the pipeline produces, from its arguments."""
    joined = " ".join(args)
    if "libx264" in joined:
        return "clips" if "clip-" in joined else "video"
    if "libwebp" in joined or "mjpeg" in joined:
        return "poster"
    if "loudnorm" in joined or "alimiter" in joined or ("flac" in joined and "-f flac" in joined):
        return "loudness"
    if len(args) == 2 and args[0] == "-i":
        return "probe"
    return "audio"  # M4A, Opus, peaks, the clips' audio-only pairs, their checks


def ours(
    project: Path,
    sources: list[tuple[Path, str]],
    seconds: int,
    clock: Clock | None = None,
    collect: bool = True,
) -> tuple[float, int, str]:
    """One pipeline run over `sources`: its seconds, its ffmpeg runs and its summary."""
    clock = clock or Clock()
    runs = 0
    real = ff.run

    def timed(args: Sequence[str], **kwargs: Any) -> str:
        nonlocal runs
        runs += 1
        with clock.child(kind_of(args)):
            return real(args, **kwargs)

    clips = highlights(seconds)
    refs = [MediaRef(src.name, src) for src, _codec in sources]
    wants = VideoWants(heights=(720, 1080), clips=clips)
    pipeline = MediaPipeline(
        Project(project),
        _photo(),
        AudioRecipe(),
        1,
        [],
        open(os.devnull, "w"),  # noqa: SIM115
        VideoRecipe(),
    )
    ff.run = timed  # type: ignore[assignment]  # 1 worker: the jobs run in this process
    started, cpu = time.perf_counter(), _self_cpu()
    in_ffmpeg = clock.total("wall") - clock.wall["python"]
    try:
        result = pipeline.run_sources(
            [],
            [(ref, clips) for ref in refs],
            videos=[(ref, wants) for ref in refs],
            collect=collect,
        )
    finally:
        ff.run = real  # type: ignore[assignment]
    elapsed = time.perf_counter() - started
    ffmpeg_wall = clock.total("wall") - clock.wall["python"] - in_ffmpeg
    clock.wall["python"] += elapsed - ffmpeg_wall
    clock.cpu["python"] += _self_cpu() - cpu
    return elapsed, runs, result.stats.summary()


def _photo() -> Any:
    from immersion.media.recipes import PhotoRecipe

    return PhotoRecipe()


# -- peak memory for a 2-hour video ---------------------------------------------------

TWO_HOURS = 7200
MEMORY_GOAL_MB = 150


def make_long_source(folder: Path, seconds: int, ffmpeg: str) -> Path:
    """One long source, cheap to make: 320x180 at 5 fps, mono AAC of speech-like noise."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"long-320x180-5fps-{seconds}s.mp4"
    if not path.is_file():
        tmp = path.with_name(f".{path.name}")
        subprocess.run(
            [
                ffmpeg, "-v", "error", "-y",
                "-f", "lavfi", "-i", f"testsrc2=size=320x180:rate=5:duration={seconds}",
                "-f", "lavfi", "-i",
                f"anoisesrc=color=pink:sample_rate=48000:duration={seconds}:seed=3",
                "-af", "bandpass=f=800:width_type=h:w=1500,volume=-24dB,"
                "apulsator=hz=0.7:amount=0.8",
                "-ac", "1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "64k", "-shortest", "-f", "mp4", str(tmp),
            ],
            check=True,
        )  # fmt: skip
        tmp.rename(path)
    return path


def _rss_mb() -> float:
    """This process's resident set now, from /proc (Linux), in MB; 0 elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def memory_of(src: Path, seconds: int) -> dict[str, Any]:
    """Convert `src` (in this process, 1 worker) and report peak memory: run in a fresh
    interpreter, since ru_maxrss is a lifetime peak."""
    import resource
    import threading

    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            samples.append(_rss_mb())

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with tempfile.TemporaryDirectory() as tmp:
        clips = (Clip("hl-1", seconds / 6, seconds / 6 + 30), Clip("hl-2", seconds * 5 / 6,
                 seconds * 5 / 6 + 30))  # fmt: skip
        ref = MediaRef(src.name, src)
        pipeline = MediaPipeline(
            Project(Path(tmp)), _photo(), AudioRecipe(), 1, [], open(os.devnull, "w"),  # noqa: SIM115
            VideoRecipe(),
        )  # fmt: skip
        started = time.perf_counter()
        result = pipeline.run_sources(
            [], [(ref, clips)], videos=[(ref, VideoWants(heights=(720, 1080), clips=clips))]
        )
        elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    return {
        "source": src.name,
        "seconds": seconds,
        "elapsed_s": elapsed,
        "summary": result.stats.summary(),
        "problems": [str(p) for p in pipeline.problems],
        "python_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "python_rss_at_start_mb": before,
        "python_rss_sampled_max_mb": max(samples, default=0.0),
        "ffmpeg_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def two_hours(seconds: int, json_path: Path) -> None:
    ffmpeg = ff.find_ffmpeg()
    print(f"corpus: one video of {seconds} s at 320x180, 5 fps ...", flush=True)
    src = make_long_source(ROOT / "bench/corpus/video-2h", seconds, ffmpeg)
    print(f"  converting {src.name} in a fresh process ...", flush=True)
    proc = subprocess.run(
        [sys.executable, __file__, "--memory-of", str(src), "--seconds", str(seconds)],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    load = os.getloadavg()
    found["load_average"] = list(load)
    print(f"\n{found['source']}: {seconds / 3600:.1f} h converted in {found['elapsed_s']:.0f} s")
    print(f"  {found['summary']}")
    for problem in found["problems"]:
        print(f"  problem: {problem}")
    print(
        f"  our process, peak RSS (goal < {MEMORY_GOAL_MB} MB): "
        f"{found['python_peak_rss_mb']:.0f} MB"
        f" (at start {found['python_rss_at_start_mb']:.0f} MB, sampled max "
        f"{found['python_rss_sampled_max_mb']:.0f} MB)"
    )
    print(f"  largest ffmpeg child, peak RSS: {found['ffmpeg_peak_rss_mb']:.0f} MB")
    print(f"  load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(found, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--json", type=Path, help="default: bench/results/video.json")
    parser.add_argument("--smoke", action="store_true", help="seconds, for CI: a tiny corpus")
    parser.add_argument(
        "--two-hours", action="store_true", help="peak memory converting one 2-hour video"
    )
    parser.add_argument("--memory-of", type=Path, help=argparse.SUPPRESS)  # --two-hours' child
    args = parser.parse_args()
    if args.memory_of:
        print(json.dumps(memory_of(args.memory_of, args.seconds)))
        return
    if args.two_hours:
        seconds = TWO_HOURS if args.seconds == 120 else args.seconds
        two_hours(seconds, args.json or ROOT / "bench/results/video-2h.json")
        return
    corpus = ROOT / "bench/corpus/video"
    if args.smoke:
        # Its own corpus: the real one is reused between runs and must keep its size.
        args.sources, args.seconds, args.size = 2, 3, "640x360"
        corpus = ROOT / "bench/corpus/video-smoke"
    args.json = args.json or ROOT / "bench/results" / ("smoke" if args.smoke else "") / "video.json"
    ffmpeg = ff.find_ffmpeg()
    print(f"corpus: {args.sources} x {args.seconds} s at {args.size} ...", flush=True)
    sources = make_sources(corpus, args.sources, args.seconds, args.size, ffmpeg)
    media_seconds = len(sources) * args.seconds
    mine, theirs = Clock(), Clock()

    with tempfile.TemporaryDirectory() as tmp:
        out, project = Path(tmp) / "plain", Path(tmp) / "project"
        for index, (src, codec) in enumerate(sources):
            # Turn about, so a change of load halfway through slows both alike.
            order = ("plain", "ours") if index % 2 == 0 else ("ours", "plain")
            for who in order:
                if who == "plain":
                    out.mkdir()
                    plain(src, codec, args.seconds, out, ffmpeg, theirs)
                    shutil.rmtree(out)
                else:
                    # Each source on its own; the others' renditions are kept (collect=False).
                    ours(project, [(src, codec)], args.seconds, mine, collect=False)
            print(
                f"  {src.name}: plain {sum(theirs.wall.values()):.1f} s, "
                f"ours {sum(mine.wall.values()):.1f} s so far",
                flush=True,
            )
        noop, noop_runs, noop_summary = ours(project, sources, args.seconds)

    load = os.getloadavg()

    def rtf(seconds: float) -> str:
        return f"{media_seconds / seconds:.1f}x" if seconds else "-"

    print(
        f"\n{len(sources)} sources x {args.seconds} s at {args.size} ({media_seconds} s of video),"
        f" load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} CPUs)"
    )
    head = ("plain s", "ours s", "ratio", "plain cpu", "ours cpu", "ratio", "ours RTF")
    print(f"{'output':9} " + " ".join(f"{h:>9}" for h in head))
    ratios = {}
    for name in (*OUTPUTS, "total"):
        row = []
        for kind in ("wall", "cpu"):
            table = {"wall": (theirs.wall, mine.wall), "cpu": (theirs.cpu, mine.cpu)}[kind]
            if name == "total":
                a, b = theirs.total(kind), mine.total(kind)
                ratios[kind] = b / a
            else:
                a, b = table[0].get(name, 0.0), table[1].get(name, 0.0)
            ratio = f"{b / a:.2f}" if a else ""
            row += [f"{a:.2f}" if a else "-", f"{b:.2f}", ratio]
        wall = mine.total("wall") if name == "total" else mine.wall.get(name, 0.0)
        print(f"{name:9} " + " ".join(f"{c:>9}" for c in (*row, rtf(wall))))
    print(f"ours / plain ffmpeg (goal <= 1.10): {ratios['wall']:.2f} wall, {ratios['cpu']:.2f} CPU")
    print(f"no-op rebuild (goal < 1 s, 0 decodes): {noop:.2f} s, {noop_runs} ffmpeg runs")
    print(f"  {noop_summary}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "sources": len(sources),
                "codecs": [codec for _p, codec in sources],
                "seconds_each": args.seconds,
                "size": args.size,
                "smoke": args.smoke,
                "load_average": list(load),
                "plain_s": {**theirs.wall, "total": theirs.total("wall")},
                "ours_s": {**mine.wall, "total": mine.total("wall")},
                "plain_cpu_s": {**theirs.cpu, "total": theirs.total("cpu")},
                "ours_cpu_s": {**mine.cpu, "total": mine.total("cpu")},
                "ratio": ratios["wall"],
                "ratio_cpu": ratios["cpu"],
                "noop_rebuild_s": noop,
                "noop_ffmpeg_runs": noop_runs,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
