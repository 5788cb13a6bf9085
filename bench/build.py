"""Benchmark `immersion build --audience intranet` against a plain mkdocs build.

Run from the repository root:

    python bench/build.py                                  # N = 100 and 1000
    python bench/build.py --sizes 100 --repeat 5
    python bench/build.py --sizes 1000 --profile           # + cProfile of our stages
    python bench/build.py --json bench/results/build.json  # (the default path)
    python bench/build.py --smoke                          # seconds: N = 10, one run (CI)
    python bench/build.py --sizes 1000 --zensical          # + the same with Zensical

For each size N it writes a synthetic text-only corpus with `make_corpus.py`
into bench/corpus/n<N>/ (git-ignored), runs one warm-up build, then R times
(default 3 for N < 1000, 2 from 1000 up; `--repeat` overrides), interleaved:

* **immersion**: `python -m immersion -C DIR build --audience intranet`, a
  subprocess timed by wall clock: what an editor waits for;
* **mkdocs**: `python -m mkdocs build -q -f DIR/build/.staging/intranet/mkdocs.yml
  -d <temp dir in DIR/build>` with NO_MKDOCS_2_WARNING=1: the engine alone, on
  the very staging folder immersion just wrote (the temp site is removed after);
* **stages**: a fresh `python bench/build.py --stages DIR` process that runs the
  build's steps itself (as `immersion.commands.build` does) and times each:
  imports, load (content + settings), filter (audience), media (renditions: none
  to make in a text-only corpus, the cache is still read), render (staging),
  engine (mkdocs in-process, its import included), audit (of the new site, as
  every build does before publishing) and publish (link swap and removal of the
  previous site).

The timed immersion builds above build every page (the record of what the published
site was built from is deleted first). Then, R times, the nightly rebuild is timed
against a whole build in the same run, each a subprocess as above, printed as a
second table with the way the site engine went (from the build's summary):

* **whole**: a build that cannot reuse the published site;
* **no-change**: the same build again: nothing changed, every page is reused;
* **withdrawal**: one consent record (honoured by the intranet) gets a `withdrawn:`
  date, so its participant's stories leave the site; only the pages that changed are
  rendered again (the record is restored afterwards and the site rebuilt, untimed).

With `--zensical` (zensical installed), each run also times
`immersion build --audience intranet --engine zensical` and plain
`python -m zensical build` of the same staging folder (a copy of its config with a
site folder inside it, as Zensical requires; its page cache removed first, because
immersion's adapter always makes a whole build), printed as a second table.

Every figure is the median of the R runs. "ours" is load + filter + media +
render + audit + publish, the work immersion adds on top of mkdocs; "overhead" is immersion
total - mkdocs total, which also counts interpreter start-up and imports.
The table is printed, and everything is written to the JSON file: every run,
with the child's CPU time (user + system) beside its wall time, the machine,
and the load average before and after each size (other work on this 2-core
machine skews wall times). Timed builds are re-builds: the staging folder is
already up to date, as when an editor builds again after a small change.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from make_corpus import make_corpus  # noqa: E402

STAGES = ("imports", "load", "filter", "media", "render", "engine", "audit", "publish")
OURS = ("load", "filter", "media", "render", "audit", "publish")
GOAL_OVERHEAD = 0.15
GOAL_SECONDS_AT_1000 = 15.0
# Rebuilds that reuse the published site (issue 15): nothing changed, one consent withdrawn.
REBUILDS = ("whole", "no-change", "withdrawal")
GOAL_REBUILD_AT_1000 = {"no-change": 3.0, "withdrawal": 5.0}
SMOKE_SIZE = 10


@dataclass
class Result:
    n: int
    repeat: int
    stories_built: int
    pages: int
    immersion_s: float
    mkdocs_s: float
    stages_s: dict[str, float]
    immersion_runs: list[float] = field(default_factory=list)
    mkdocs_runs: list[float] = field(default_factory=list)
    immersion_cpu_runs: list[float] = field(default_factory=list)
    mkdocs_cpu_runs: list[float] = field(default_factory=list)
    stage_runs: list[dict[str, float]] = field(default_factory=list)
    stages_cpu_s: dict[str, float] = field(default_factory=dict)
    stage_cpu_runs: list[dict[str, float]] = field(default_factory=list)
    load_average: dict[str, tuple[float, ...]] = field(default_factory=dict)
    zensical_immersion_runs: list[float] = field(default_factory=list)
    zensical_runs: list[float] = field(default_factory=list)
    rebuild_runs: dict[str, list[float]] = field(default_factory=dict)
    rebuild_cpu_runs: dict[str, list[float]] = field(default_factory=dict)
    rebuild_how: dict[str, list[str]] = field(default_factory=dict)

    def rebuild_s(self, kind: str) -> float:
        return statistics.median(self.rebuild_runs[kind])

    def rebuild_cpu_s(self, kind: str) -> float:
        return statistics.median(self.rebuild_cpu_runs[kind])

    @property
    def ratio(self) -> float:
        return self.immersion_s / self.mkdocs_s

    @property
    def immersion_cpu_s(self) -> float:
        return statistics.median(self.immersion_cpu_runs)

    @property
    def mkdocs_cpu_s(self) -> float:
        return statistics.median(self.mkdocs_cpu_runs)

    @property
    def cpu_ratio(self) -> float:
        """The ratio in CPU time of the child processes: steadier on a busy machine."""
        return self.immersion_cpu_s / self.mkdocs_cpu_s

    @property
    def overhead_s(self) -> float:
        return self.immersion_s - self.mkdocs_s

    @property
    def ours_s(self) -> float:
        return sum(self.stages_s[s] for s in OURS)

    @property
    def other_s(self) -> float:
        """Start-up and reporting: the subprocess total minus its stages (medians of
        different runs, so only a rough figure; kept out of the table)."""
        return self.immersion_s - sum(self.stages_s.values())

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            ratio=self.ratio,
            cpu_ratio=self.cpu_ratio,
            overhead_s=self.overhead_s,
            overhead_pct=100 * self.overhead_s / self.mkdocs_s,
            ours_s=self.ours_s,
            ours_pct=100 * self.ours_s / self.mkdocs_s,
            other_s=self.other_s,
        )
        return data


# -- subprocesses ----------------------------------------------------------------


def env() -> dict[str, str]:
    values = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    values["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), values.get("PYTHONPATH")]))
    return values


@dataclass
class Timed:
    wall: float
    cpu: float  # user + system seconds of the child: steadier than wall on a busy machine
    stdout: str


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: Sequence[str]) -> Timed:
    """Run `cmd` from the repository root; return its wall and CPU time and its stdout."""
    cpu = child_cpu()
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env(), capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).splitlines()[-20:])
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}\n{tail}")
    return Timed(elapsed, child_cpu() - cpu, done.stdout)


def immersion_build(project: Path, engine: str = "mkdocs") -> Timed:
    """A build whose site engine builds every page: the published site is not reused."""
    forget_published(project)
    cmd = [sys.executable, "-m", "immersion", "-C", str(project), "build", "--audience", "intranet"]
    return run([*cmd, "--engine", engine])


def forget_published(project: Path) -> None:
    """Delete the record of what the published site was built from (site_inputs.py)."""
    from immersion.project import Project

    Project(project).site_inputs("intranet").unlink(missing_ok=True)


def reusing_build(project: Path, check: bool = True) -> tuple[Timed, str]:
    """`immersion build --audience intranet` as the nightly job runs it; and how its site
    engine went ("whole", "kept" or "pages", from the summary; "failed" without `check`)."""
    cmd = [sys.executable, "-m", "immersion", "-C", str(project), "build", "--audience", "intranet"]
    cpu = child_cpu()
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env(), capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0 and not check:
        return Timed(elapsed, child_cpu() - cpu, done.stdout), "failed"
    if done.returncode != 0:
        tail = "\n".join(done.stderr.splitlines()[-20:])
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}\n{tail}")
    said = [line for line in done.stderr.splitlines() if line.startswith("site engine: ")]
    how = "whole" if not said else "kept" if "nothing changed" in said[0] else "pages"
    if said and how == "pages":
        how = f"pages ({said[0].split()[2]})"  # "site engine: 14 of 1122 pages ..."
    return Timed(elapsed, child_cpu() - cpu, done.stdout), how


def consents_to_withdraw(project: Path, today: dt.date) -> list[Path]:
    """Consent records the intranet honours today: withdrawing one takes stories out."""
    import yaml

    found = []
    for record in sorted((project / "content" / "consent").glob("*.yml")):
        data = yaml.safe_load(record.read_text(encoding="utf-8"))
        expires = data.get("expires")
        if "intranet" in data.get("audiences", ()) and (expires is None or expires > today):
            found.append(record)
    if not found:
        raise SystemExit(f"no consent to withdraw in {project}")
    return found


def withdrawn_build(project: Path, record: Path) -> tuple[Timed, str]:
    """The build with `record` withdrawn since yesterday (then the record as it was)."""
    original = record.read_bytes()
    # The day before today: withdrawn whatever the room's time zone.
    withdrawn = f"withdrawn: {dt.date.today() - dt.timedelta(days=1)}\n"
    record.write_bytes(original + withdrawn.encode())
    try:
        return reusing_build(project, check=False)
    finally:
        record.write_bytes(original)


def rebuilds(project: Path, repeat: int) -> dict[str, list[tuple[Timed, str]]]:
    """Whole build, then a rebuild with nothing changed, then one with a consent withdrawn
    (undone after, untimed); `repeat` times."""
    # The corpus's stories are made of stock phrases: an insight may share a run of seven
    # words with the story withdrawn, which the audit then refuses to publish (as a whole
    # build would). Such a consent is passed over for the next.
    candidates = consents_to_withdraw(project, dt.date.today())[:10]
    runs: dict[str, list[tuple[Timed, str]]] = {kind: [] for kind in REBUILDS}
    for _ in range(repeat):
        forget_published(project)
        runs["whole"].append(reusing_build(project))
        runs["no-change"].append(reusing_build(project))
        while True:
            timed, how = withdrawn_build(project, candidates[0])
            if how != "failed":
                break
            print(f"  (withdrawing {candidates[0].name} fails the audit; next)", file=sys.stderr)
            candidates.pop(0)
            if not candidates:
                raise SystemExit(f"every withdrawal in {project} fails the audit")
        runs["withdrawal"].append((timed, how))
        reusing_build(project)  # the corpus as generated again
        print(
            "  rebuilds: "
            + ", ".join(f"{k} {v[-1][0].wall:.2f}s ({v[-1][1]})" for k, v in runs.items()),
            file=sys.stderr,
        )
    return runs


def zensical_build(project: Path) -> Timed:
    """Plain Zensical on the staging folder immersion wrote: a copy of its config whose
    site folder lies inside the staging folder (Zensical requires it), cache cleared."""
    import yaml

    staging = project / "build" / ".staging" / "intranet"
    config = yaml.safe_load((staging / "mkdocs.yml").read_text(encoding="utf-8"))
    config["site_dir"] = ".bench-zensical-site"
    copy = staging / ".bench-zensical.yml"
    copy.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    shutil.rmtree(staging / ".cache", ignore_errors=True)
    try:
        return run([sys.executable, "-m", "zensical", "build", "-f", str(copy)])
    finally:
        copy.unlink(missing_ok=True)
        shutil.rmtree(staging / ".bench-zensical-site", ignore_errors=True)
        shutil.rmtree(staging / ".cache", ignore_errors=True)


def mkdocs_build(project: Path) -> Timed:
    config = project / "build" / ".staging" / "intranet" / "mkdocs.yml"
    # Beside the published sites, so both builds write to the same file system.
    site = Path(tempfile.mkdtemp(prefix=".bench-mkdocs-site-", dir=project / "build"))
    try:
        cmd = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)]
        return run(cmd)
    finally:
        shutil.rmtree(site, ignore_errors=True)


def stage_build(project: Path, profile: Path | None = None) -> dict[str, Any]:
    cmd = [sys.executable, str(BENCH / "build.py"), "--stages", str(project)]
    if profile is not None:
        cmd += ["--profile-to", str(profile)]
    return json.loads(run(cmd).stdout)


# -- the stages, in a fresh process ----------------------------------------------


def measure_stages(project: Path, profile_to: Path | None = None) -> dict[str, Any]:
    """Run the intranet build step by step (as immersion.commands.build does), timed.

    With `profile_to`, our stages (not imports, not the engine) are profiled with
    cProfile into `profile_to`, and the engine into `profile_to` + ".engine".
    """
    times: dict[str, float] = {}
    ours = cProfile.Profile()
    theirs = cProfile.Profile()

    def on(prof: cProfile.Profile) -> None:
        if profile_to is not None:
            prof.enable()

    def off(prof: cProfile.Profile) -> None:
        if profile_to is not None:
            prof.disable()

    cpu_times: dict[str, float] = {}
    clock, cpu_clock = time.perf_counter(), time.process_time()

    def lap(stage: str) -> None:
        # CPU time beside wall time: on a shared machine it moves much less.
        nonlocal clock, cpu_clock
        now, cpu_now = time.perf_counter(), time.process_time()
        times[stage], cpu_times[stage] = now - clock, cpu_now - cpu_clock
        clock, cpu_clock = now, cpu_now

    # The build's own entry points. These imports follow the package layout: when a
    # module moves, this is the one place of the benchmark to update.
    from immersion import engine
    from immersion.audience import for_audience
    from immersion.audit import audit_new_site
    from immersion.load import load
    from immersion.media.pool import MediaPipeline
    from immersion.project import Project
    from immersion.publish import discard, new_site_dir, publish
    from immersion.render.sites import render_intranet
    from immersion.settings import load_settings, media_recipes

    lap("imports")
    on(ours)
    proj = Project(project)
    day = proj.today()
    library, problems = load(proj, day)
    settings, setting_problems = load_settings(proj)
    problems += setting_problems
    lap("load")
    filtered = for_audience(library, "intranet", day)
    lap("filter")
    photo, audio = media_recipes(settings, problems)
    renditions = MediaPipeline(proj, photo, audio, os.cpu_count() or 1, problems).run([filtered])
    lap("media")
    rendered = render_intranet(filtered, settings, proj, day, renditions, problems)
    off(ours)
    lap("render")
    on(theirs)
    site = new_site_dir(proj, "intranet")
    engine.build_site(rendered.config, site)
    off(theirs)
    lap("engine")
    on(ours)
    found, _report = audit_new_site(site, "intranet", proj, day, library, filtered)
    lap("audit")
    if found:
        discard(site)
        raise SystemExit(f"the audit found {len(found)} problems in the benchmark's site")
    publish(site, proj, "intranet")
    off(ours)
    lap("publish")
    if profile_to is not None:
        ours.dump_stats(profile_to)
        theirs.dump_stats(f"{profile_to}.engine")
    return {
        "stages": times,
        "stages_cpu": cpu_times,
        "stories": len(filtered.stories),
        "pages": rendered.pages,
    }


# -- the benchmark -----------------------------------------------------------------


def default_repeat(n: int) -> int:
    return 3 if n < 1000 else 2


def bench_size(
    n: int,
    repeat: int,
    corpus_root: Path,
    seed: int,
    profile_dir: Path | None,
    zensical: bool = False,
) -> Result:
    project = corpus_root / f"n{n}"
    counts = make_corpus(n, project, seed)
    made = ", ".join(f"{v} {k}" for k, v in counts.items())
    print(f"N={n}: corpus in {project}: {made}", file=sys.stderr)
    load_before = os.getloadavg()
    warm = immersion_build(project)
    print(f"  warm-up build {warm.wall:.2f}s", file=sys.stderr)
    immersion_runs: list[Timed] = []
    mkdocs_runs: list[Timed] = []
    stage_runs: list[dict[str, float]] = []
    stage_cpu_runs: list[dict[str, float]] = []
    zensical_immersion: list[Timed] = []
    zensical_plain: list[Timed] = []
    info: dict[str, Any] = {}
    for i in range(repeat):
        if zensical:
            zensical_immersion.append(immersion_build(project, "zensical"))
            zensical_plain.append(zensical_build(project))
            print(
                f"  run {i + 1}/{repeat}: immersion --engine zensical "
                f"{zensical_immersion[-1].wall:.2f}s, zensical {zensical_plain[-1].wall:.2f}s",
                file=sys.stderr,
            )
        immersion_runs.append(immersion_build(project))
        mkdocs_runs.append(mkdocs_build(project))
        info = stage_build(project)
        stage_runs.append(info["stages"])
        stage_cpu_runs.append(info["stages_cpu"])
        print(
            f"  run {i + 1}/{repeat}: immersion {immersion_runs[-1].wall:.2f}s "
            f"(cpu {immersion_runs[-1].cpu:.2f}s), mkdocs {mkdocs_runs[-1].wall:.2f}s "
            f"(cpu {mkdocs_runs[-1].cpu:.2f}s), stages {sum(info['stages'].values()):.2f}s",
            file=sys.stderr,
        )
    reused = rebuilds(project, repeat)
    if profile_dir is not None:
        profile_dir.mkdir(parents=True, exist_ok=True)
        target = profile_dir / f"stages-n{n}.prof"
        stage_build(project, profile=target)
        print_profile(target, f"our stages, N={n}")
    return Result(
        n=n,
        repeat=repeat,
        stories_built=info["stories"],
        pages=info["pages"],
        immersion_s=statistics.median(r.wall for r in immersion_runs),
        mkdocs_s=statistics.median(r.wall for r in mkdocs_runs),
        stages_s={s: statistics.median(r[s] for r in stage_runs) for s in STAGES},
        immersion_runs=[r.wall for r in immersion_runs],
        mkdocs_runs=[r.wall for r in mkdocs_runs],
        immersion_cpu_runs=[r.cpu for r in immersion_runs],
        mkdocs_cpu_runs=[r.cpu for r in mkdocs_runs],
        stage_runs=stage_runs,
        stages_cpu_s={s: statistics.median(r[s] for r in stage_cpu_runs) for s in STAGES},
        stage_cpu_runs=stage_cpu_runs,
        load_average={"before": load_before, "after": os.getloadavg()},
        zensical_immersion_runs=[r.wall for r in zensical_immersion],
        zensical_runs=[r.wall for r in zensical_plain],
        rebuild_runs={k: [t.wall for t, _how in v] for k, v in reused.items()},
        rebuild_cpu_runs={k: [t.cpu for t, _how in v] for k, v in reused.items()},
        rebuild_how={k: [how for _t, how in v] for k, v in reused.items()},
    )


def print_profile(path: Path, title: str, top: int = 25) -> None:
    out = io.StringIO()
    stats = pstats.Stats(str(path), stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    print(f"\n== cProfile: {title} ({path}) ==\n{out.getvalue()}", file=sys.stderr)


def table(results: Sequence[Result]) -> str:
    head = (
        f"{'N':>5} {'built':>5} {'pages':>5} {'immersion s':>11} {'mkdocs s':>8} {'ratio':>5} "
        f"{'overhead s':>10} {'overhead %':>10} {'ours s':>6} {'ours %':>6} | "
        + " ".join(f"{s:>7}" for s in STAGES)
    )
    lines = [head, "-" * len(head)]
    for r in results:
        stages = " ".join(f"{r.stages_s[s]:>7.2f}" for s in STAGES)
        lines.append(
            f"{r.n:>5} {r.stories_built:>5} {r.pages:>5} {r.immersion_s:>11.2f} "
            f"{r.mkdocs_s:>8.2f} {r.ratio:>5.2f} {r.overhead_s:>10.2f} "
            f"{100 * r.overhead_s / r.mkdocs_s:>9.1f}% {r.ours_s:>6.2f} "
            f"{100 * r.ours_s / r.mkdocs_s:>5.1f}% | {stages}"
        )
        cpu = " ".join(f"{r.stages_cpu_s.get(s, 0.0):>7.2f}" for s in STAGES)
        label = (
            f"cpu s: immersion {r.immersion_cpu_s:.2f}, mkdocs {r.mkdocs_cpu_s:.2f}, "
            f"ratio {r.cpu_ratio:.2f}"
        )
        lines.append(f"{label:>{len(head) - 8 * len(STAGES) - 2}} | {cpu}")
    return "\n".join(lines)


def rebuild_table(results: Sequence[Result]) -> str:
    """The nightly rebuild: a whole build against the two rebuilds that reuse its pages."""
    head = f"{'N':>5} " + " ".join(f"{k + ' s':>14} {'cpu s':>6}" for k in REBUILDS) + "  how"
    lines = [head, "-" * len(head)]
    for r in results:
        cells = " ".join(f"{r.rebuild_s(k):>14.2f} {r.rebuild_cpu_s(k):>6.2f}" for k in REBUILDS)
        how = ", ".join(f"{k}: {'/'.join(sorted(set(r.rebuild_how[k])))}" for k in REBUILDS)
        lines.append(f"{r.n:>5} {cells}  {how}")
    return "\n".join(lines)


def zensical_table(results: Sequence[Result]) -> str:
    head = f"{'N':>5} {'immersion+zensical s':>20} {'zensical s':>10} {'ratio':>5}"
    lines = [head, "-" * len(head)]
    for r in results:
        if not r.zensical_runs:
            continue
        ours = statistics.median(r.zensical_immersion_runs)
        plain = statistics.median(r.zensical_runs)
        lines.append(f"{r.n:>5} {ours:>20.2f} {plain:>10.2f} {ours / plain:>5.2f}")
    return "\n".join(lines)


def verdicts(results: Sequence[Result]) -> list[str]:
    notes = []
    for r in results:
        if r.ours_s > GOAL_OVERHEAD * r.mkdocs_s:
            notes.append(
                f"N={r.n}: our stages take {100 * r.ours_s / r.mkdocs_s:.1f}% of the mkdocs "
                f"time (goal: at most {100 * GOAL_OVERHEAD:.0f}%)"
            )
        for kind, goal in GOAL_REBUILD_AT_1000.items():
            if r.n >= 1000 and r.rebuild_s(kind) > goal:
                notes.append(
                    f"N={r.n}: the {kind} rebuild takes {r.rebuild_s(kind):.1f}s "
                    f"(goal: under {goal:.0f}s at 1000 stories)"
                )
        if r.n >= 1000 and r.immersion_s > GOAL_SECONDS_AT_1000:
            notes.append(
                f"N={r.n}: the build takes {r.immersion_s:.1f}s "
                f"(goal: under {GOAL_SECONDS_AT_1000:.0f}s at 1000 stories)"
            )
    return notes


def revision() -> str:
    """The commit being measured, with "+dirty" when the working tree differs from it."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    )
    return (head.stdout.strip() or "unknown") + ("+dirty" if dirty.stdout.strip() else "")


def machine() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for dist in ("mkdocs", "mkdocs-material", "zensical", "markdown", "pyyaml"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "versions": versions,
    }


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description="Time immersion's intranet build against mkdocs on synthetic corpora."
    )
    p.add_argument("--sizes", type=int, nargs="+", default=[100, 1000], metavar="N")
    p.add_argument(
        "--repeat", type=int, metavar="R", help="runs per size (default 3, 2 for N≥1000)"
    )
    p.add_argument("--json", type=Path, metavar="FILE", help="default: bench/results/build.json")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--corpus-dir", type=Path, default=BENCH / "corpus", metavar="DIR")
    p.add_argument(
        "--profile",
        action="store_true",
        help="after the timed runs, one more cProfiled stages run per size: our stages "
        "are printed and saved as stages-n<N>.prof beside the JSON file, the engine as "
        "stages-n<N>.prof.engine (profiling roughly doubles the engine's time)",
    )
    p.add_argument(
        "--smoke",
        action="store_true",
        help=f"a few seconds: N={SMOKE_SIZE}, one run, results in bench/results/smoke/ "
        "(CI runs this so that a broken benchmark fails; the figures mean little)",
    )
    p.add_argument(
        "--zensical",
        action="store_true",
        help="also time immersion with --engine zensical against plain zensical build",
    )
    p.add_argument("--stages", type=Path, metavar="DIR", help=argparse.SUPPRESS)
    p.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.stages is not None:  # the child process of stage_build()
        print(json.dumps(measure_stages(args.stages.resolve(), args.profile_to)))
        return 0

    if args.smoke:
        args.sizes, args.repeat = [SMOKE_SIZE], 1
    default_json = BENCH / "results" / ("smoke" if args.smoke else "") / "build.json"
    args.json = args.json or default_json
    commit = revision()
    print(f"measuring immersion at {commit}", file=sys.stderr)
    json_path: Path = args.json.resolve()
    profile_dir = json_path.parent if args.profile else None
    results = [
        bench_size(
            n,
            args.repeat or default_repeat(n),
            args.corpus_dir.resolve(),
            args.seed,
            profile_dir,
            args.zensical,
        )
        for n in args.sizes
    ]
    if revision() != commit:
        commit += f" (changed to {revision()} during the run: re-run for clean figures)"
        print(f"warning: the code changed during the run: {commit}", file=sys.stderr)
    print(table(results))
    print()
    print(rebuild_table(results))
    if args.zensical:
        print()
        print(zensical_table(results))
    for note in verdicts(results):
        print("over goal: " + note)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(
        json.dumps(
            {
                "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "commit": commit,
                "machine": machine(),
                "seed": args.seed,
                "results": [r.summary() for r in results],
                "over_goal": verdicts(results),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"results: {json_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
