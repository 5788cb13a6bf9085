"""The build pipeline kept warm: one preview of one audience, rebuilt per batch.

The same stages as `immersion build` (load -> audience -> media -> render ->
engine), each doing only what a batch of changed paths asks for (`plan.py`):
the loader keeps every item it read (`load.ItemCache`) and forgets the changed
bundles; media converts the changed bundles' sources; the intranet renderer
writes the touched pages (the whole site when items appear, disappear or change
audience); the staging folder remembers what it wrote, so the warm engine
(`engine.WarmSite`) rebuilds only the pages whose Markdown changed.

Nothing is published: the preview lives in build/.preview/<audience>/ and never
touches build/<audience>/. An error in a file of the batch keeps the last good
site (the browser shows the problem over it) until the file is fixed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .. import model as m
from ..audience import for_audience
from ..engine import WarmSite
from ..load import ItemCache, load
from ..media.keys import kiosk_video_heights, photo_sources, recording_sources, video_sources
from ..media.pool import MediaPipeline
from ..media.recipes import AudioRecipe, Clip, PhotoRecipe
from ..media.renditions import Renditions
from ..media.video import DEFAULT_HEIGHT
from ..model import AUDIENCES
from ..problems import BuildError, Problem, Severity
from ..project import Project
from ..publish import build_lock
from ..redaction import spans_by_source
from ..render.sites import RENDERERS
from ..render.staging import Staging
from ..schema import MediaRef
from ..settings import load_settings, media_recipes
from ..spoken import check_durations
from .plan import Work, links_of, plan


@dataclass
class Outcome:
    """What one rebuild did, for the browser and the terminal."""

    generation: int  # bumped whenever the site changed
    built: bool  # False: an error in the batch kept the last good site
    full: bool
    problems: list[Problem]
    written: list[str] = field(default_factory=list)  # site URLs
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    blocking: list[Problem] = field(default_factory=list)  # why `built` is False


class PreviewSession:
    def __init__(
        self,
        project: Project,
        audience: str = "intranet",
        *,
        today: dt.date | None = None,
        jobs: int | None = None,
        out: TextIO | None = None,
    ) -> None:
        if audience not in AUDIENCES:
            raise ValueError(f"unknown audience {audience!r}")
        self.project = project
        self.audience = audience
        self.fixed_day = today
        self.jobs = jobs or os.cpu_count() or 1
        self.out = out or sys.stderr
        self.root = self.project.preview(audience)
        self.staging = Staging(self.root / "staging", remember=True)
        self.site = self.root / "site"
        self.engine = WarmSite(self.staging.root / "mkdocs.yml", self.site)
        self.cache = ItemCache()
        self.renditions = Renditions()
        self.links: dict[tuple[str, str], set[tuple[str, str]]] = {}
        self.visible: dict[str, frozenset[str]] | None = None
        self.library: m.Library | None = None
        self.day: dt.date | None = None
        self.pending: set[str] = set()
        self.generation = 0
        self.engine_failed = False
        self.problems: list[Problem] = []
        self._room: tuple[tuple[int, int, int] | None, m.Room] | None = None

    # -- one rebuild ------------------------------------------------------------

    def rebuild(self, paths: Iterable[str] | None = None) -> Outcome:
        """Bring the preview up to date with `paths` changed (None: everything)."""
        started = time.perf_counter()
        stages: dict[str, float] = {}
        lap = [started]

        def mark(name: str) -> None:
            now = time.perf_counter()
            stages[name] = stages.get(name, 0.0) + now - lap[0]
            lap[0] = now

        day = self.fixed_day or self._today()
        everything = paths is None or self.visible is None or day != self.day
        batch = set(self.pending) | set(paths or ())
        work = plan(batch, self.links)
        if work.empty and not everything:
            return self._outcome(False, [], started, stages)
        if everything or work.everything:
            self.cache.clear()
        else:
            for rel in work.paths:
                self.cache.forget(rel)
        library, problems = load(self.project, day, self.cache)
        settings, setting_problems = load_settings(self.project)
        problems += setting_problems
        mark("load")
        if not self.project.has_content():
            return self._blocked(problems, batch, started, stages)
        # An error in a file this batch changed: keep the last good site under the overlay.
        blocking = [p for p in problems if p.is_error and _in_batch(p.path, work.paths)]
        if blocking and self.visible is not None:
            return self._blocked(problems, batch, started, stages, blocking)
        view = for_audience(library, self.audience, day)
        visible = _visible(view)
        full = everything or work.everything or work.room or visible != self.visible
        mark("filter")
        photo, audio = media_recipes(settings, problems)
        try:
            with build_lock(self.project):
                self._media(view, None if full else work, photo, audio, problems)
        except BuildError as exc:
            problems.append(
                Problem(
                    self.project.shown(self.project.build),
                    None,
                    str(exc),
                    "the preview updates after it",
                )
            )
            return self._blocked(problems, batch, started, stages)
        problems += check_durations(library, self.renditions.duration, self.project.root)
        mark("media")
        self.staging.begin()
        render = RENDERERS[self.audience]
        links = links_of(view)
        only = None
        if not full:
            body_only = _body_only(self.library, library, work.reload)
            only = _pages(plan(batch, self.links, body_only), plan(batch, links, body_only))
        render(
            view,
            settings,
            self.project,
            day,
            self.renditions,
            problems,
            staging=self.staging,
            only=only,
        )
        mark("render")
        changed = set(self.staging.changed)
        written: list[str] = []
        if changed or self.engine_stale():
            try:
                result = self.engine.build(None if self.engine_stale() else changed)
            except BuildError as exc:
                # The staging folder is ahead of the site now and will not report these
                # files as changed again: the next build of the engine must be whole.
                self.engine_failed = True
                problems.append(Problem(self.project.shown(self.root), None, str(exc)))
                return self._blocked(problems, batch, started, stages)
            self.engine_failed = False
            written = result.written
            full = full or result.full
            problems += [
                Problem(
                    self.project.shown(self.root),
                    None,
                    f"site engine: {w}",
                    severity=Severity.WARNING,
                )
                for w in result.warnings
            ]
            self.generation += 1
        mark("engine")
        self.pending = set()
        self.visible = visible
        self.links = links
        self.library = library
        self.day = day
        return self._outcome(full, written, started, stages, problems=problems)

    def _today(self) -> dt.date:
        """The room's today; room.yml is read again only when it changed (one stat a
        rebuild: reading it is a few milliseconds of the save-to-reload time)."""
        try:
            st = self.project.room_yml.stat()
            key: tuple[int, int, int] | None = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            key = None
        if self._room is None or key is None or self._room[0] != key:
            self._room = (key, self.project.room())
        return self.project.today(self._room[1])

    def engine_stale(self) -> bool:
        return self.generation == 0 or self.engine_failed or not self.site.exists()

    # -- stages -------------------------------------------------------------------

    def _media(
        self,
        view: m.Library,
        work: Work | None,
        photo: PhotoRecipe,
        audio: AudioRecipe,
        problems: list[Problem],
    ) -> None:
        """Convert the sources of the changed bundles (all of them for a full build)."""
        photos: dict[Path, MediaRef] = {}
        recordings: dict[Path, tuple[MediaRef, tuple[Clip, ...]]] = {}
        bundles = None
        if work is not None:
            bundles = {
                self.project.content / m.KIND_FOLDERS[kind] / ident for kind, ident in work.reload
            }
        for ref in photo_sources(view):
            if bundles is None or _inside(ref.path, bundles):
                photos.setdefault(ref.path, ref)
        for ref, clips in recording_sources(view):
            if bundles is None or _inside(ref.path, bundles):
                recordings[ref.path] = (ref, clips)
        heights: tuple[int, ...] = (DEFAULT_HEIGHT,)
        if self.audience == "kiosk":
            heights = tuple(sorted({DEFAULT_HEIGHT, *kiosk_video_heights(view)}))
        videos = [
            (ref, wants)
            for ref, wants in video_sources(view, heights)
            if bundles is None or _inside(ref.path, bundles)
        ]
        if not photos and not recordings and not videos:
            return
        pipeline = MediaPipeline(
            self.project,
            photo,
            audio,
            self.jobs,
            problems,
            self.out,
        )
        # collect=False: the preview must never sweep renditions that a build still uses.
        fresh = pipeline.run_sources(
            list(photos.values()),
            list(recordings.values()),
            collect=False,
            redacted=spans_by_source(view),
            videos=videos,
        )
        self.renditions.photos.update(fresh.photos)
        self.renditions.recordings.update(fresh.recordings)
        self.renditions.videos.update(fresh.videos)
        self.renditions.stats = fresh.stats

    # -- outcomes -----------------------------------------------------------------

    def _blocked(
        self,
        problems: list[Problem],
        batch: set[str],
        started: float,
        stages: dict[str, float],
        blocking: list[Problem] | None = None,
    ) -> Outcome:
        self.pending = batch
        outcome = self._outcome(False, [], started, stages, problems=problems, built=False)
        outcome.blocking = blocking if blocking is not None else [p for p in problems if p.is_error]
        return outcome

    def _outcome(
        self,
        full: bool,
        written: list[str],
        started: float,
        stages: dict[str, float],
        *,
        problems: list[Problem] | None = None,
        built: bool = True,
    ) -> Outcome:
        if problems is not None:
            self.problems = problems
        return Outcome(
            self.generation,
            built,
            full,
            list(self.problems),
            written,
            time.perf_counter() - started,
            stages,
        )


def _in_batch(path: str, batch: frozenset[str]) -> bool:
    return any(path == rel or path.startswith(rel + "/") for rel in batch)


def _visible(view: m.Library) -> dict[str, frozenset[str]]:
    return {
        "persona": frozenset(view.personas),
        "journey": frozenset(view.journeys),
        "story": frozenset(view.stories),
        "insight": frozenset(view.insights),
        "action": frozenset(view.actions),
    }


def _body_only(
    old: m.Library | None, new: m.Library, keys: Iterable[tuple[str, str]]
) -> set[tuple[str, str]]:
    """The items whose change is in their Markdown body (and its photos) alone."""
    if old is None:
        return set()
    found = set()
    for kind, ident in keys:
        before = old.by_kind(kind).get(ident)
        after = new.by_kind(kind).get(ident)
        if before is None or after is None or type(before) is not type(after):
            continue
        if _without_body(before) == _without_body(after):
            found.add((kind, ident))
    return found


def _without_body(item: object) -> object:
    changes: dict[str, object] = {"body": "", "source": None}
    if hasattr(item, "inline_images"):
        changes["inline_images"] = ()
    return dataclasses.replace(item, **changes)  # type: ignore[type-var]


def _pages(*works: Work) -> frozenset[str]:
    return frozenset(page for work in works for page in work.pages)


def _inside(path: Path, bundles: set[Path]) -> bool:
    return any(path.is_relative_to(bundle) for bundle in bundles)
