"""`immersion build`: content/ -> build/<audience>/, top to bottom.

load -> audience filter -> media renditions -> render into staging -> site engine
-> audit -> publish. `run` reads the room and holds the lock; `_build` is the rest,
in order.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .. import engine, site_inputs
from ..audience import dropped_video_frames, for_audience
from ..audit import audit_new_site
from ..engine import missing
from ..load import load
from ..media.pool import MediaPipeline
from ..media.recipes import AudioRecipe, PhotoRecipe
from ..media.renditions import Renditions
from ..model import AUDIENCES, Library
from ..problems import (
    EXIT_CONTENT,
    EXIT_OK,
    EXIT_USAGE,
    BuildError,
    Problem,
    Severity,
    report,
)
from ..project import Project
from ..publish import build_lock, discard, new_site_dir, publish, uninterrupted
from ..render.sites import RENDERERS, Rendered
from ..settings import Settings, load_settings, media_recipes
from ..spoken import check_durations

__all__ = ["AUDIENCES", "BuildContext", "run"]


@dataclass(frozen=True)
class BuildContext:
    """What every stage of one build reads, and where it reports.

    `problems` is the build's one list: stages append to it (never rebind it).
    """

    project: Project
    day: dt.date
    settings: Settings
    strict: bool
    jobs: int
    problems: list[Problem]
    stream: TextIO
    started: float  # time.perf_counter() when the build started, for the summary


def refuse(problems: list[Problem], strict: bool, stream: TextIO) -> int:
    code = report(problems, strict, stream)
    print(
        "nothing published" + (" (--strict: fix every problem first)" if strict else ""),
        file=stream,
    )
    return code or EXIT_CONTENT


def blocking(problems: list[Problem], strict: bool) -> bool:
    """With --strict, any error or warning keeps the published site as it is."""
    return strict and any(p.severity is not Severity.NOTE for p in problems)


def withdraw_films(project: Project, library: Library, day: dt.date) -> list[Problem]:
    """Delete exported films (build/films/ID.mp4) that no audience may see any more.

    `immersion film export` writes them outside the published sites, so without
    this an MP4 would outlive the consent of the people in it.
    """
    folder = project.films
    if not folder.is_dir():
        return []
    # A film that has lost a video frame everywhere (that interview's consent withdrawn,
    # expired or without `face`) goes too: its MP4 may hold the clip.
    visible = {
        story.id
        for audience in AUDIENCES
        for story in for_audience(library, audience, day).stories.values()
        if story.kind_of_story == "photo-film"
        and sum(f.video is not None for f in story.frames)
        == sum(f.video is not None for f in library.stories[story.id].frames)
    }
    notes = []
    for film in sorted(folder.glob("*.mp4")):
        if film.stem in visible:
            continue
        try:
            film.unlink()
        except OSError as exc:
            notes.append(
                Problem(
                    project.shown(film),
                    None,
                    f"cannot delete this film, which no audience may see: {exc.strerror or exc}",
                    "delete it by hand",
                )
            )
            continue
        notes.append(
            Problem(
                project.shown(film),
                None,
                "deleted: no audience may see this film any more (consent, or the story is gone)",
                severity=Severity.NOTE,
            )
        )
    return notes


def run(
    project: Path,
    audiences: tuple[str, ...] = AUDIENCES,
    strict: bool = False,
    today: dt.date | None = None,
    out: TextIO | None = None,
    jobs: int | None = None,
    engine: str | None = None,
) -> int:
    stream = out or sys.stderr
    started = time.perf_counter()
    proj = Project(project)
    day = today or proj.today()
    library, problems = load(proj, day)
    settings, setting_problems = load_settings(proj, engine)
    problems += setting_problems
    if unavailable := missing(settings.engine):
        report(problems, strict, stream)
        print(f"error: {unavailable}", file=stream)
        return EXIT_USAGE
    # Without content/ there is nothing to build; any other broken file is left out.
    if not proj.has_content() or blocking(problems, strict):
        return refuse(problems, strict, stream)
    views = {audience: for_audience(library, audience, day) for audience in audiences}
    problems += [p for a in audiences for p in dropped_video_frames(library, a, day)]
    problems += withdraw_films(proj, library, day)
    recipes = media_recipes(settings, problems)
    jobs = jobs or os.cpu_count() or 1
    ctx = BuildContext(proj, day, settings, strict, jobs, problems, stream, started)
    try:
        with build_lock(proj):
            return _build(ctx, library, views, recipes)
    except BuildError as exc:
        report(problems, strict, stream)
        print(f"error: {exc}", file=stream)
        return EXIT_CONTENT
    except OSError as exc:  # build/ read-only, the disk full: the published sites stay
        report(problems, strict, stream)
        written = exc.filename2 or exc.filename  # for a link or a rename: the new name
        named = isinstance(written, str | bytes)
        at = f" ({proj.shown(Path(os.fsdecode(written)))})" if named else ""
        print(
            f"error: cannot write in {proj.shown(proj.build)}/: {exc.strerror or exc}{at}",
            file=stream,
        )
        return EXIT_CONTENT


def _build(
    ctx: BuildContext,
    library: Library,
    views: dict[str, Library],
    recipes: tuple[PhotoRecipe, AudioRecipe],
) -> int:
    """Media, then per audience render, engine, audit and publish, under the build lock."""
    photo, audio = recipes
    renditions = MediaPipeline(ctx.project, photo, audio, ctx.jobs, ctx.problems, ctx.stream).run(
        views
    )
    ctx.problems.extend(check_durations(library, renditions.duration, ctx.project.root))
    if blocking(ctx.problems, ctx.strict):
        return refuse(ctx.problems, ctx.strict, ctx.stream)
    results = []
    for audience, view in views.items():
        render = RENDERERS[audience]
        rendered = render(view, ctx.settings, ctx.project, ctx.day, renditions, ctx.problems)
        engine_and_publish(ctx, rendered, library, view)
        results.append(rendered)
    return summary(ctx, library, renditions, results)


def engine_and_publish(
    ctx: BuildContext, rendered: Rendered, library: Library, view: Library
) -> None:
    """Build the staging folder into a fresh site folder, finish it, audit it, swap it in.

    A finding of the audit (docs/audit.md) keeps the published site as it is: the new
    one is discarded and the findings are reported as errors.
    """
    project, audience = ctx.project, rendered.audience
    # What the published site was built from: what did not change is reused, not rebuilt.
    inputs = site_inputs.staged(rendered.staging)
    key = site_inputs.engine_key(ctx.settings.engine, rendered.config)
    reuse = site_inputs.reusable(project, audience, inputs, key)
    site = new_site_dir(project, audience)
    try:
        built = engine.build_reusing(rendered.config, site, ctx.settings.engine, reuse)
        for warning in built.warnings:
            ctx.problems.append(
                Problem(
                    project.shown(rendered.staging),
                    None,
                    f"site engine: {warning}",
                    severity=Severity.WARNING,
                )
            )
        if rendered.finish is not None:
            rendered.notes += rendered.finish(site)
        found, audited = audit_new_site(site, audience, project, ctx.day, library, view)
    except BaseException:
        discard(site)
        raise
    if found:
        discard(site)
        ctx.problems.extend(found)
        raise BuildError(
            f"nothing published for {audience}: the new site failed the audit "
            f"({len(found)} finding{'' if len(found) == 1 else 's'}); "
            f"{project.shown(project.site(audience))} is unchanged"
        )
    rendered.notes.append(audited.summary())
    if built.how != "whole":
        rendered.notes.append(reused(built))
    with uninterrupted():
        publish(site, project, audience)
        site_inputs.remember(project, audience, site, inputs, key, built)


def reused(built: engine.Built) -> str:
    """The summary line of a build that reused the published site's pages."""
    if built.how == "kept":
        return "site engine: nothing changed since the published site; its pages reused"
    return (
        f"site engine: {built.rendered} of {built.pages} pages rendered again, "
        "the others reused from the published site"
    )


def summary(
    ctx: BuildContext, library: Library, renditions: Renditions, results: list[Rendered]
) -> int:
    """Report the problems and what was published; the exit code."""
    code = report(ctx.problems, ctx.strict, ctx.stream)
    print(renditions.stats.summary(), file=ctx.stream)
    for r in results:
        published = ctx.project.shown(ctx.project.site(r.audience))
        print(f"{r.audience}: {r.pages} pages -> {published}/", file=ctx.stream)
        for note in r.notes:
            print(note, file=ctx.stream)
    seconds = time.perf_counter() - ctx.started
    print(f"{library.summary()}; built in {seconds:.1f}s", file=ctx.stream)
    return code if code else EXIT_OK
