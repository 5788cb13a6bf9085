"""Library -> Renditions: every photo and recording an audience will see, converted once.

For each source: its sha256 (from the cache's fast pre-check), the keys of the
outputs its recipe asks for (`media/keys.py`), and which of them the cache lacks.
Only sources with something missing become jobs; jobs run in a process pool and
receive a path, a frozen recipe and the names of the outputs to make, never the
library. The main process alone writes the cache, so SQLite sees one writer.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import select
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, TypeVar

from .. import model as m
from ..problems import Problem, relpath
from ..project import Project
from ..redaction import spans_by_source
from ..schema import VIDEO_EXTS, MediaRef
from .cache import MediaCache
from .keys import (
    audio_keys,
    audio_meta_key,
    kiosk_video_heights,
    merge_wants,
    photo_keys,
    photo_meta_key,
    photo_sources,
    recording_sources,
    tool_versions,
    video_keys,
    video_meta_key,
    video_sources,
)
from .recipes import (
    NOTHING_REDACTED,
    AudioRecipe,
    AudioResult,
    Clip,
    MediaError,
    PhotoRecipe,
    PhotoResult,
    Redacted,
)
from .renditions import PhotoRendition, Renditions, VideoRendition, audio_rendition
from .video import DEFAULT_HEIGHT, VideoRecipe, VideoResult, VideoWants, sizes_of

# -- workers (top level, so a process pool can pickle them) ------------------

VANISHED = (
    "the file disappeared while it was being converted: put it back, or take it out of "
    "the story, and build again"
)


def _reason(exc: MediaError, src: str) -> str:
    """The editor's reason for a failed conversion: a source deleted or moved away
    mid-way makes ffmpeg fail in many ways, which all mean the same thing."""
    return str(exc) if Path(src).exists() else VANISHED


def _photo_job(
    src: str, out_dir: str, recipe: PhotoRecipe, only: frozenset[tuple[int, str]] | None
) -> PhotoResult | str:
    from .images import convert_photo

    try:
        return convert_photo(Path(src), Path(out_dir), recipe, only)
    except MediaError as exc:
        return str(exc)


def _audio_job(
    src: str,
    out_dir: str,
    recipe: AudioRecipe,
    clips: tuple[Clip, ...],
    only: frozenset[str] | None,
    normalised: str | None,
    redacted: Redacted = NOTHING_REDACTED,
) -> AudioResult | str:
    from .audio import convert_recording
    from .video import probe

    try:
        if Path(src).suffix.lower() in VIDEO_EXTS:
            probe(Path(src))  # an unreadable or 10-hour video is refused from its header
        normal = Path(normalised) if normalised else None
        return convert_recording(Path(src), Path(out_dir), recipe, clips, only, normal, redacted)
    except MediaError as exc:
        return _reason(exc, src)


def _video_job(
    src: str,
    out_dir: str,
    video: VideoRecipe,
    audio: AudioRecipe,
    wants: VideoWants,
    only: frozenset[str] | None,
    redacted: Redacted,
    master: str | None,
) -> VideoResult | str:
    """The MP4s, posters and clips of one video; its audio is the recording's master
    (`master`, when the recording job made it or the cache has it), else normalised here.
    `redacted`: its spans, silent in the master, hidden in the picture.
    """
    from .master import _normalise
    from .partials import _partials
    from .video import convert_video, probe

    try:
        info = probe(Path(src))
        with _partials(Path(out_dir)) as partials:
            normalised = Path(master) if master else None
            if wants.with_audio and info.audio_codec and normalised is None:
                normalised = partials.new("normalised.flac")
                _normalise(Path(src), normalised, audio, partials, redacted)
            return convert_video(
                Path(src),
                Path(out_dir),
                video,
                audio=normalised if wants.with_audio else None,
                with_audio=wants.with_audio,
                poster_at=wants.poster_at,
                heights=wants.heights,
                clips=wants.clips,
                only=only,
                redact=redacted.spans,
                info=info,
            )
    except MediaError as exc:
        return _reason(exc, src)


def _recording_and_video_job(
    audio_args: tuple[Any, ...], video_args: tuple[Any, ...]
) -> tuple[AudioResult | str, VideoResult | str]:
    """A video's recording and its picture in one worker: the video's audio is the
    master the recording job has just written (one loudness measurement, not two)."""
    recorded = _audio_job(*audio_args)
    out_dir, normalised = Path(audio_args[1]), audio_args[5]
    master = out_dir / "normalised.flac"
    found = str(master) if master.is_file() else normalised
    if isinstance(recorded, str):
        found = None  # the video's own normalisation says what is wrong, or succeeds
    return recorded, _video_job(*(*video_args[:-1], found))


# -- the pipeline ------------------------------------------------------------


@dataclass
class _Job:
    kind: str  # "photo" | "recording" | "video"
    ref: MediaRef
    sha: str
    submit: Callable[[Any], Future[Any]]
    finish: Callable[[Any], None]
    args: tuple[Any, ...] = ()  # what `submit` hands the worker (to run two jobs as one)


K = TypeVar("K")


class MediaPipeline:
    def __init__(
        self,
        project: Project,
        photo: PhotoRecipe,
        audio: AudioRecipe,
        jobs: int,
        problems: list[Problem],
        out: TextIO | None = None,
        video: VideoRecipe | None = None,
    ) -> None:
        self.project = project
        self.photo_recipe = photo
        self.audio_recipe = audio
        self.jobs = max(1, jobs)
        self.problems = problems
        self.out = out or sys.stderr
        self.video_recipe = video or VideoRecipe()
        self.cache = MediaCache(project.cache)
        self.work = self.cache.root / "work"
        self.result = Renditions()
        # {recording: its `redact:` spans}, from the libraries being built (see `plan`).
        self.redacted: dict[Path, Redacted] = {}

    def fail(self, kind: str, ref: MediaRef, reason: str) -> None:
        self.result.stats.failed[kind] += 1
        what = kind if kind in ("photo", "video") else "recording"
        self.problems.append(
            Problem(
                relpath(ref.path, self.project.root),
                None,
                f"cannot convert the {what}: {reason}",
                "replace the file with one that opens on your computer",
            )
        )

    def finisher(
        self, kind: str, ref: MediaRef, out_dir: Path, keep: Callable[[Any], None]
    ) -> Callable[[Any], None]:
        """What every job does with its worker's result: a problem for a reason, else
        `keep` (which stores the outputs), the source counted; the work folder removed."""

        def finish(result: Any) -> None:
            try:
                if isinstance(result, str):
                    self.fail(kind, ref, result)
                    return
                keep(result)
                self.result.stats.converted[kind] += 1
                self.result.stats.bytes_in += _size(ref.path)
            finally:
                shutil.rmtree(out_dir, ignore_errors=True)

        return finish

    def store(
        self,
        out_dir: Path,
        keys: Mapping[K, str],
        produced: Mapping[K, str],
        found: Mapping[K, Path | None],
    ) -> dict[K, Path]:
        """Move what the worker wrote (`produced`: output -> file name in `out_dir`) into
        the cache under its key; what it did not write comes from the cache (`found`)."""
        files: dict[K, Path] = {}
        for spec, key in keys.items():
            name = produced.get(spec)
            made = out_dir / name if name else None
            if made is not None and made.is_file():
                self.result.stats.bytes_out += made.stat().st_size
                files[spec] = self.cache.put(key, made)
            elif (cached := found.get(spec)) is not None:
                files[spec] = cached
        return files

    # photos ------------------------------------------------------------------

    def plan_photo(self, ref: MediaRef, sha: str, versions: str) -> _Job | None:
        meta_key = photo_meta_key(self.photo_recipe, sha, versions)
        meta = self.cache.get_meta(meta_key)
        only: frozenset[tuple[int, str]] | None = None
        found: dict[tuple[int, str], Path | None] = {}
        if meta is not None:
            keys = photo_keys(self.photo_recipe, sha, meta["width"], versions)
            found = {spec: self.cache.get(key) for spec, key in keys.items()}
            if all(found.values()):
                self.result.photos[ref.path] = PhotoRendition(
                    meta["width"],
                    meta["height"],
                    meta["placeholder"],
                    {spec: path for spec, path in found.items() if path},
                )
                self.result.stats.reused["photo"] += 1
                return None
            only = frozenset(spec for spec, path in found.items() if path is None)
        out_dir = Path(tempfile.mkdtemp(dir=self.work))

        def keep(result: PhotoResult) -> None:
            self.cache.put_meta(
                meta_key,
                {"width": result.width, "height": result.height, "placeholder": result.placeholder},
            )
            keys = photo_keys(self.photo_recipe, sha, result.width, versions)
            produced = {(o.width, o.format): o.file for o in result.outputs}
            cached = {spec: self.cache.get(key) for spec, key in keys.items()}
            files = self.store(out_dir, keys, produced, cached)
            self.result.photos[ref.path] = PhotoRendition(
                result.width, result.height, result.placeholder, files
            )

        return _Job(
            "photo",
            ref,
            sha,
            lambda pool: pool(_photo_job, str(ref.path), str(out_dir), self.photo_recipe, only),
            self.finisher("photo", ref, out_dir, keep),
        )

    # recordings --------------------------------------------------------------

    def plan_recording(
        self, ref: MediaRef, clips: tuple[Clip, ...], sha: str, versions: str
    ) -> _Job | None:
        meta_key = audio_meta_key(self.audio_recipe, sha, versions)
        meta = self.cache.get_meta(meta_key)
        redacted = self.redacted.get(ref.path, NOTHING_REDACTED)
        keys = audio_keys(self.audio_recipe, sha, clips, versions, redacted)
        found = {name: self.cache.get(key) for name, key in keys.items()}
        if meta is not None and all(found.values()):
            self.result.recordings[ref.path] = audio_rendition(
                meta, {n: p for n, p in found.items() if p}, clips
            )
            self.result.stats.reused["recording"] += 1
            return None
        normalised = found.get("normalised.flac") if meta is not None else None
        only = None if meta is None else frozenset(n for n, p in found.items() if p is None)
        out_dir = Path(tempfile.mkdtemp(dir=self.work))

        def keep(result: AudioResult) -> None:
            new_meta = {"duration": result.duration, "lufs": result.measured_lufs}
            if meta is not None and result.duration <= 0:
                new_meta = meta
            self.cache.put_meta(meta_key, new_meta)
            files = self.store(out_dir, keys, {name: name for name in keys}, found)
            self.result.recordings[ref.path] = audio_rendition(new_meta, files, clips)

        args = (
            str(ref.path),
            str(out_dir),
            self.audio_recipe,
            clips,
            only,
            str(normalised) if normalised else None,
            redacted,
        )
        return _Job(
            "recording",
            ref,
            sha,
            lambda pool: pool(_audio_job, *args),
            self.finisher("recording", ref, out_dir, keep),
            args,
        )

    # videos ------------------------------------------------------------------

    def plan_video(
        self, ref: MediaRef, wants: VideoWants, sha: str, versions: str, master: Path | None
    ) -> _Job | None:
        """`master`: the recording's normalised master, when the cache has it."""
        meta_key = video_meta_key(sha, versions)
        meta = self.cache.get_meta(meta_key)
        redacted = self.redacted.get(ref.path, NOTHING_REDACTED)
        source_height = int(meta["source_height"]) if meta else None
        keys = video_keys(
            self.video_recipe, self.audio_recipe, sha, wants, source_height, versions, redacted
        )
        found = {name: self.cache.get(key) for name, key in keys.items()}
        if meta is not None and all(found.values()):
            self.result.videos[ref.path] = self.video_rendition(meta, found, wants)
            self.result.stats.reused["video"] += 1
            return None
        only = None if meta is None else frozenset(n for n, p in found.items() if p is None)
        out_dir = Path(tempfile.mkdtemp(dir=self.work))

        def keep(result: VideoResult) -> None:
            sizes = {**(sizes_of(meta) if meta else {}), **result.sizes}
            new_meta = {
                "duration": result.duration,
                "source_height": result.source_height,
                "sizes": {name: list(size) for name, size in sizes.items()},
            }
            self.cache.put_meta(meta_key, new_meta)
            final = video_keys(
                self.video_recipe,
                self.audio_recipe,
                sha,
                wants,
                result.source_height,
                versions,
                redacted,
            )
            cached = {name: self.cache.get(key) for name, key in final.items()}
            files = self.store(out_dir, final, result.files, cached)
            self.result.videos[ref.path] = self.video_rendition(new_meta, files, wants)

        args = (
            str(ref.path),
            str(out_dir),
            self.video_recipe,
            self.audio_recipe,
            wants,
            only,
            redacted,
            str(master) if master else None,  # last: `_recording_and_video_job` replaces it
        )
        return _Job(
            "video",
            ref,
            sha,
            lambda pool: pool(_video_job, *args),
            self.finisher("video", ref, out_dir, keep),
            args,
        )

    def video_rendition(
        self, meta: Mapping[str, Any], files: Mapping[str, Path | None], wants: VideoWants
    ) -> VideoRendition:
        sizes = sizes_of(meta)
        default = sizes.get("video.mp4") or next(iter(sizes.values()), (0, 0))
        return VideoRendition(
            default[0],
            default[1],
            float(meta["duration"]),
            {n: p for n, p in files.items() if p},
            sizes,
            wants.with_audio,
        )

    def together(self, recording: _Job, video: _Job) -> _Job:
        """One job for a video's recording and picture (see `_recording_and_video_job`)."""
        audio_args, video_args = recording.args, video.args

        def finish(results: tuple[Any, Any] | str) -> None:
            if isinstance(results, str):  # the worker itself failed: both with it
                results = (results, results)
            recording.finish(results[0])
            video.finish(results[1])

        return _Job(
            "video",
            video.ref,
            video.sha,
            lambda pool: pool(_recording_and_video_job, audio_args, video_args),
            finish,
        )

    # running -----------------------------------------------------------------

    def plan(self, libraries: Iterable[m.Library] | Mapping[str, m.Library]) -> list[_Job]:
        """Jobs for every source any of these (filtered) libraries shows.

        Given by audience (`{"kiosk": ..., "intranet": ...}`), the kiosk's videos are
        also made at the heights its displays play; without names, 720p only."""
        named = (
            libraries.items()
            if isinstance(libraries, Mapping)
            else ((None, lib) for lib in libraries)
        )
        photos: dict[Path, MediaRef] = {}
        recordings: dict[Path, tuple[MediaRef, tuple[Clip, ...]]] = {}
        videos: dict[Path, tuple[MediaRef, VideoWants]] = {}
        for audience, lib in named:
            # Every audience's view holds the same stories' spans: the last one wins.
            self.redacted.update(spans_by_source(lib))
            heights: tuple[int, ...] = (DEFAULT_HEIGHT,)
            if audience == "kiosk":
                heights = tuple(sorted({DEFAULT_HEIGHT, *kiosk_video_heights(lib)}))
            for ref, wants in video_sources(lib, heights):
                known_video = videos.get(ref.path)
                videos[ref.path] = (
                    ref,
                    merge_wants(known_video[1], wants) if known_video else wants,
                )
            for ref in photo_sources(lib):
                photos.setdefault(ref.path, ref)
            for ref, clips in recording_sources(lib):
                known = recordings.get(ref.path)
                merged = tuple({c.id: c for c in (*(known[1] if known else ()), *clips)}.values())
                recordings[ref.path] = (ref, merged)
        return self.plan_sources(
            list(photos.values()), list(recordings.values()), list(videos.values())
        )

    def plan_sources(
        self,
        photos: list[MediaRef],
        recordings: list[tuple[MediaRef, tuple[Clip, ...]]],
        videos: list[tuple[MediaRef, VideoWants]] | None = None,
    ) -> list[_Job]:
        jobs: list[_Job] = []
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True, exist_ok=True)
        photo_versions = tool_versions(audio=False)
        for ref in photos:
            try:
                job = self.plan_photo(ref, self.cache.sha256(ref.path), photo_versions)
            except OSError as exc:
                self.fail("photo", ref, f"cannot read it ({exc.strerror or exc})")
                continue
            if job:
                jobs.append(job)
        if not recordings and not videos:
            return jobs
        try:
            audio_versions = tool_versions(audio=True)
        except MediaError as exc:
            self.problems.append(Problem("ffmpeg", None, str(exc)))
            self.result.stats.failed["recording"] += len(recordings)
            self.result.stats.failed["video"] += len(videos or ())
            return jobs
        recording_jobs: dict[Path, _Job] = {}
        for ref, clips in recordings:
            try:
                job = self.plan_recording(ref, clips, self.cache.sha256(ref.path), audio_versions)
            except OSError as exc:
                self.fail("recording", ref, f"cannot read it ({exc.strerror or exc})")
                continue
            if job:
                recording_jobs[ref.path] = job
        for ref, wants in videos or ():
            try:
                sha = self.cache.sha256(ref.path)
                master = self.cached_master(ref, sha, audio_versions) if wants.with_audio else None
                job = self.plan_video(ref, wants, sha, audio_versions, master)
            except OSError as exc:
                self.fail("video", ref, f"cannot read it ({exc.strerror or exc})")
                continue
            if job is None:
                continue
            recording = recording_jobs.pop(ref.path, None)
            jobs.append(
                self.together(recording, job)
                if recording and master is None and wants.with_audio
                else job
            )
            if recording is not None and not (master is None and wants.with_audio):
                jobs.append(recording)
        jobs.extend(recording_jobs.values())
        return jobs

    def cached_master(self, ref: MediaRef, sha: str, versions: str) -> Path | None:
        """The recording's normalised master of this source (its spans silenced), if the
        cache has it."""
        redacted = self.redacted.get(ref.path, NOTHING_REDACTED)
        key = audio_keys(self.audio_recipe, sha, (), versions, redacted)["normalised.flac"]
        return self.cache.get(key)

    def run(self, libraries: Iterable[m.Library] | Mapping[str, m.Library]) -> Renditions:
        """Convert what is missing, collect what is no longer used, return every rendition."""
        return self.run_jobs(lambda: self.plan(libraries))

    def run_sources(
        self,
        photos: list[MediaRef],
        recordings: list[tuple[MediaRef, tuple[Clip, ...]]],
        *,
        collect: bool = True,
        redacted: Mapping[Path, Redacted] | None = None,
        videos: list[tuple[MediaRef, VideoWants]] | None = None,
    ) -> Renditions:
        """The same for explicit sources (the benchmark, tests and `film export` use it).

        `collect=False` keeps every cached rendition this run did not use: a run
        over a few sources (one film) must not sweep the rest of the room's cache.
        `redacted`: the recordings' `redact:` spans (`redaction.spans_by_source`).
        """
        self.redacted.update(redacted or {})
        return self.run_jobs(lambda: self.plan_sources(photos, recordings, videos), collect=collect)

    def run_jobs(self, planner: Callable[[], list[_Job]], *, collect: bool = True) -> Renditions:
        started = time.perf_counter()
        try:
            # Planning makes the work folder: a Ctrl-C while it hashes must remove it too.
            jobs = planner()
            if jobs:
                self.execute(jobs)
            if collect:
                self.cache.collect()
            self.cache.forget_missing_sources()
        finally:
            shutil.rmtree(self.work, ignore_errors=True)
            self.cache.close()
        self.result.stats.seconds = time.perf_counter() - started
        return self.result

    def execute(self, jobs: list[_Job]) -> None:
        # Recordings first: they are the long jobs, so the pool finishes evenly.
        jobs.sort(key=lambda j: j.kind not in ("recording", "video"))
        progress = Progress(len(jobs), self.out)
        if self.jobs == 1 or len(jobs) == 1:
            for job in jobs:
                job.finish(job.submit(_run_inline).result())
                progress.step(job)
            progress.close()
            return
        retry: list[_Job] = []
        with _pool(min(self.jobs, len(jobs))) as pool:
            futures = [(job, job.submit(pool.submit)) for job in jobs]
            for job, future in futures:
                try:
                    result = future.result()
                except BrokenProcessPool:
                    # A worker died (out of memory, a crashing decoder): every pending job
                    # fails with it. Retry those alone, so only the culprit fails.
                    retry.append(job)
                    continue
                except Exception as exc:  # one failed file, not a crashed build
                    result = f"the converter stopped unexpectedly ({type(exc).__name__})"
                job.finish(result)
                progress.step(job)
        for job in retry:
            with _pool(1) as alone:
                try:
                    result = job.submit(alone.submit).result()
                except Exception as exc:
                    result = f"the converter crashed on this file ({type(exc).__name__})"
            job.finish(result)
            progress.step(job)
        progress.close()


@contextlib.contextmanager
def _pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A process pool that never outlives the build, nor waits for it when interrupted.

    On Ctrl-C (or any error) the queued jobs are cancelled and the workers stopped at
    once; leaving the `with` of a plain pool would first run every queued job.
    """
    _start_forkserver()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_CONTEXT,
        initializer=_worker_started,
        initargs=(os.getpid(),),
    )
    try:
        yield pool
    except BaseException:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()  # the worker ends its ffmpeg too (_end_worker)
        for process in processes:
            process.join(timeout=5)
        raise
    pool.shutdown()


def _start_forkserver() -> None:
    """Start the server the workers fork from, deaf to Ctrl-C and silent.

    A Ctrl-C reaches every process of the terminal's group. One that lands while the
    server's interpreter starts kills it with a "Fatal Python error"; one that stops
    the build while a worker is still unpacking its start-up message leaves that
    worker a traceback to print. So the server starts with SIGINT blocked (the signal mask
    is kept across exec, and its workers inherit it) and with standard
    error pointed at /dev/null: a worker's failures come back to the build as results,
    which reports them per file. Only the main thread may change signal handlers;
    elsewhere (the preview's builder thread) the server starts without that part.
    """
    from multiprocessing import forkserver

    main = threading.current_thread() is threading.main_thread()
    # SIGINT blocked, not ignored: the server inherits the mask (so it never sees a
    # Ctrl-C), and a Ctrl-C that lands meanwhile waits for the unblock and then stops
    # the build as usual, instead of being lost.
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if main else None
    sys.stderr.flush()
    saved = os.dup(2)
    quiet = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(quiet, 2)
        forkserver.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(quiet)
        if previous is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _worker_started(build_pid: int) -> None:
    """In each worker: leave Ctrl-C to the build, and never outlive the build.

    Ctrl-C reaches every process of the terminal's group; a worker interrupted while it
    waits for work would print a traceback, so the build alone handles it and stops the
    pool. A build killed outright (SIGKILL, out of memory) tells its workers nothing and
    they would wait for work forever, each holding the pool's processes open: a thread
    watches the build and ends the worker, and its ffmpeg, when the build is gone.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda _signum, _frame: _end_worker())
    threading.Thread(target=_watch_build, args=(build_pid,), daemon=True).start()


def _watch_build(build_pid: int) -> None:
    try:
        handle = os.pidfd_open(build_pid)  # Linux: readable once the process has ended
    except ProcessLookupError:
        _end_worker()
    except (AttributeError, OSError):
        while _alive(build_pid):  # elsewhere: look every second
            time.sleep(1)
    else:
        select.select([handle], [], [])
    _end_worker()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _end_worker() -> None:
    """End this worker now, and the ffmpeg it may be running (Linux lists children)."""
    for listing in Path("/proc/self/task").glob("*/children"):
        with contextlib.suppress(OSError, ValueError):
            for pid in listing.read_text().split():
                os.kill(int(pid), signal.SIGKILL)
    os._exit(1)


def _forkserver() -> multiprocessing.context.BaseContext:
    # Workers start from a clean server process, not a fork of the build: a forked worker
    # would inherit the build lock and the SQLite connection, and outlive a killed build
    # still holding the lock.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["immersion.media.images", "immersion.media.audio"])
    return context


_CONTEXT = _forkserver()


def _size(path: Path) -> int:
    """The size of a source for the summary; 0 if it was deleted since it was converted."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _run_inline(fn: Callable[..., Any], *args: Any) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_result(fn(*args))
    return future


class Progress:
    """A tqdm bar on a terminal; plain lines (every tenth, and the last) elsewhere."""

    def __init__(self, total: int, out: TextIO) -> None:
        self.total = total
        self.out = out
        self.done = 0
        self.bar: Any = None
        if out.isatty() and not os.environ.get("CI"):
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="file", desc="media", file=out, leave=False)

    def step(self, job: _Job) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        elif self.done == self.total or self.done % max(1, self.total // 10) == 0:
            print(f"media: {self.done}/{self.total} converted", file=self.out)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
