"""A build killed at any moment, then run again, equals a clean build; Ctrl-C stops one
cleanly. Both leave the published sites whole and nothing behind.

`immersion build` runs as a subprocess of its own process group (as from a terminal).
Its phases are found from what it leaves on disk and prints: conversion (a cold media
cache, so it lasts), rendering (after the last "media: N/N"), the site engine (a new
`build/.sites/intranet-*`), publishing and the kiosk's rendering (the `build/intranet`
link swapped), the kiosk's engine and publishing (`.sites/kiosk-*`). Kills are aimed at
a seeded random moment inside each, as long as it lasted in a clean build.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import sigint_default, site_files

REPO = Path(__file__).resolve().parents[2]
ARGS = ["build", "--date", "2026-11-22", "-j", "2"]
AUDIENCES = ("intranet", "kiosk")
INTERRUPTED = "immersion: stopped; the published site is unchanged"


def staging_files(project: Path) -> set[str]:
    staging = project / "build" / ".staging"
    return {p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()}


@dataclass
class Run:
    """One `immersion build` in its own process group, watched from the outside."""

    project: Path
    process: subprocess.Popen[str] = field(init=False)
    lines: list[tuple[float, str]] = field(default_factory=list)
    began: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.sites_before = set(os.listdir(self.project / "build" / ".sites"))
        self.link_before = self.link()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "immersion", "-C", str(self.project), *ARGS],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            preexec_fn=sigint_default,  # the Ctrl-C tests, even from a nohup'd test run
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append((time.monotonic(), line.rstrip("\n")))

    def link(self) -> str | None:
        try:
            return os.readlink(self.project / "build" / "intranet")
        except OSError:
            return None

    def new_site(self, audience: str) -> bool:
        names = set(os.listdir(self.project / "build" / ".sites")) - self.sites_before
        return any(name.startswith(f"{audience}-") for name in names)

    # What marks the start of each phase (all polled from outside the build).
    def media(self) -> bool:
        work = self.project / "build" / ".cache" / "work"
        return work.is_dir() and any(work.iterdir())

    def rendering(self) -> bool:
        return any(_converted_all(text) for _t, text in self.lines)

    def engine(self) -> bool:
        return self.new_site("intranet")

    def kiosk(self) -> bool:
        return self.new_site("kiosk")

    def published(self) -> bool:
        return self.link() != self.link_before

    def wait_for(self, event: Callable[[], bool], timeout: float = 60) -> float | None:
        """Seconds since the start when `event` first held; None if the build ended first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if event():
                return time.monotonic() - self.began
            if self.process.poll() is not None:
                return None
            time.sleep(0.003)
        raise AssertionError(f"no {event.__name__} phase within {timeout} s")

    def finish(self, timeout: float = 120) -> int:
        code = self.process.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return code

    def stderr(self) -> list[str]:
        return [text for _t, text in self.lines]


def _converted_all(text: str) -> bool:
    """The last progress line of the conversion: "media: 3/3 converted"."""
    words = text.split()
    if len(words) != 3 or words[0] != "media:" or words[2] != "converted":
        return False
    done, _, total = words[1].partition("/")
    return done == total


# In the order they come: the intranet is built and published before the kiosk is rendered.
PHASES = ("media", "rendering", "engine", "published", "kiosk")


def timeline(project: Path) -> dict[str, float]:
    """A build from a cold media cache, watched: when each phase starts, and the end."""
    run = Run(project)
    times: dict[str, float] = {}
    for phase in PHASES:
        at = run.wait_for(getattr(run, phase))
        assert at is not None, (phase, run.stderr())
        times[phase] = at
    assert run.finish() == 0, run.stderr()
    times["end"] = time.monotonic() - run.began
    return times


def group_alive(pgid: int) -> list[str]:
    """Processes still in the build's process group (forkserver, workers, ffmpeg)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(f"{entry} {stat.split(')')[0]})")
    return found


def assert_nothing_left_running(pgid: int) -> None:
    deadline = time.monotonic() + 10
    while group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert group_alive(pgid) == []


def assert_no_stale_lock(project: Path) -> None:
    with open(project / "build" / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if still held
        fcntl.flock(handle, fcntl.LOCK_UN)


def leftovers(project: Path) -> list[str]:
    build = project / "build"
    found = [
        p.relative_to(build).as_posix()
        for p in build.rglob("*")
        if p.name.endswith(".tmp")
        or p.name.startswith((".partial-", ".intranet.link", ".kiosk.link"))
    ]
    if (build / ".cache" / "work").exists():
        found.append(".cache/work")
    sites = sorted(name.split("-")[0] for name in os.listdir(build / ".sites"))
    if sites != sorted(AUDIENCES):
        found.append(f".sites holds {sorted(os.listdir(build / '.sites'))}")
    return found


@dataclass
class Clean:
    project: Path
    files: dict[str, dict[str, bytes]]
    staging: set[str]
    times: dict[str, float]


@pytest.fixture
def clean(room: Path) -> Clean:
    """The room built once from scratch: the reference every killed build must reach."""
    (room / "build" / ".sites").mkdir(parents=True)
    timeline(room)
    files = {a: site_files(room, a) for a in AUDIENCES}
    # The kills land in rebuilds, which reuse the published site's pages (a much shorter
    # engine phase than a first build's): their phases are timed on a rebuild, from a cold
    # media cache as the media and rendering kills have it. It must write the same sites.
    shutil.rmtree(room / "build" / ".cache")
    times = timeline(room)
    assert {a: site_files(room, a) for a in AUDIENCES} == files
    return Clean(room, files, staging_files(room), times)


def assert_like_clean(clean: Clean, why: str) -> None:
    for audience in AUDIENCES:
        assert site_files(clean.project, audience) == clean.files[audience], (why, audience)


# -- SIGKILL -----------------------------------------------------------------------------

KILLS = ("media", "media", "media", "rendering", "rendering", "engine", "engine", "kiosk",
         "kiosk", "published")  # fmt: skip


def test_killed_at_ten_random_moments_then_rebuilt_equals_a_clean_build(clean: Clean) -> None:
    rng = random.Random(20261122)
    times = clean.times
    # How long each phase lasted in the clean build: the window a kill is aimed into.
    following = {**dict(itertools.pairwise(PHASES)), PHASES[-1]: "end"}
    windows = {p: max(times[following[p]] - times[p], 0.02) for p in PHASES}
    hit: list[str] = []
    for phase in rng.sample(KILLS, len(KILLS)):
        # The windows come from one clean build; on a loaded machine a phase can end
        # sooner than it did then, and the kill lands after the build has finished. Aim
        # again into a third of the window, twice at most: a missed kill is retried,
        # not a lost case.
        aim = 0.9 * windows[phase]
        for _attempt in range(3):
            if kill_and_rebuild(clean, phase, rng.uniform(0, aim), hit):
                break
            aim /= 3
    assert len(hit) >= 8, hit  # nearly every kill landed while the build was running


def kill_and_rebuild(clean: Clean, phase: str, delay: float, hit: list[str]) -> bool:
    """Kill a build `delay` s into `phase`, check what it left, rebuild and check again.
    True when the kill landed while the build was running (then noted in `hit`)."""
    project = clean.project
    if phase in ("media", "rendering"):
        shutil.rmtree(project / "build" / ".cache")  # cold: conversion takes a while
    run = Run(project)
    at = run.wait_for(getattr(run, phase))
    time.sleep(delay)
    run.process.kill()  # the build alone, as the OOM killer or `kill -9 PID` would
    code = run.finish()
    where = f"{phase} +{delay:.2f}s (at {at}s)"
    killed = code == -signal.SIGKILL
    if killed:
        hit.append(where)

    # Right after the kill: both published names still lead to a whole site (the
    # one before, or this build's once it was swapped in), no lock is held, and no
    # worker or ffmpeg outlives the build.
    assert_like_clean(clean, where)
    assert_no_stale_lock(project)
    assert_nothing_left_running(run.process.pid)

    again = Run(project)
    assert again.finish() == 0, (where, again.stderr())
    assert_like_clean(clean, where)
    assert leftovers(project) == [], where
    assert staging_files(project) == clean.staging, where
    return killed


# -- Ctrl-C --------------------------------------------------------------------------------


@pytest.mark.parametrize("phase", ["media", "rendering", "engine"])
def test_ctrl_c_stops_cleanly_with_one_line(clean: Clean, phase: str) -> None:
    project = clean.project
    if phase in ("media", "rendering"):
        shutil.rmtree(project / "build" / ".cache")
    run = Run(project)
    assert run.wait_for(getattr(run, phase)) is not None
    time.sleep(random.Random(phase).uniform(0, 0.1))
    os.killpg(run.process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    code = run.finish(timeout=30)
    interrupted = time.monotonic() - run.began

    assert code == 130, run.stderr()
    said = [line for line in run.stderr() if not line.startswith("media: ")]
    assert said == [INTERRUPTED]  # one line, no traceback from the build or its workers
    assert interrupted < 30
    assert_nothing_left_running(run.process.pid)
    assert_like_clean(clean, f"Ctrl-C in {phase}")
    assert leftovers(project) == []
    assert_no_stale_lock(project)
