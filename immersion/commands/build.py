"""`immersion build`: content/ -> build/<audience>/, top to bottom.

load -> audience filter -> media renditions -> render into staging -> site engine
-> publish.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .. import engine
from ..audience import for_audience
from ..audit import audit_new_site
from ..load import load
from ..media.pool import MediaPipeline
from ..media.recipes import AudioRecipe, PhotoRecipe
from ..media.renditions import Renditions
from ..model import AUDIENCES as ALL_AUDIENCES
from ..model import Library
from ..problems import EXIT_CONTENT, EXIT_OK, BuildError, Problem, Severity, relpath, report
from ..publish import build_lock, discard, new_site_dir, publish
from ..render.assets import Assets
from ..render.intranet import IntranetRenderer
from ..render.kiosk import KioskAssets, KioskRenderer
from ..render.kiosk_offline import summary, write_offline
from ..render.site_config import copy_theme, site_config, write_config
from ..render.staging import Staging
from ..settings import Settings, load_settings, media_recipes
from ..spoken import check_durations
from .common import room_today

AUDIENCES = ("intranet", "kiosk")


@dataclass
class Rendered:
    audience: str
    staging: Path
    config: Path
    pages: int
    # Runs on the built site before it is published; returns lines for the summary.
    finish: Callable[[Path], list[str]] | None = None
    notes: list[str] = field(default_factory=list)


def render_intranet(
    library: Library,
    settings: Settings,
    project: Path,
    today: dt.date,
    renditions: Renditions,
    problems: list[Problem],
    *,
    staging: Staging | None = None,
    only: Collection[str] | None = None,
) -> Rendered:
    """Write the intranet staging folder (Markdown, renditions, theme, mkdocs.yml).

    The live preview passes its own `staging` and, for a small change, `only` the
    pages it touches; files not written this time are then kept, not pruned.
    """
    audience = "intranet"
    staging = staging or Staging(project / "build" / ".staging" / audience)
    assets = Assets(staging, project, renditions, problems)
    renderer = IntranetRenderer(library, staging, assets, today, only)
    renderer.render(settings.site_name or library.room.name)
    theme_assets = copy_theme(staging, audience, project)
    config = write_config(
        staging, site_config(settings, library.room.name, renderer.nav(), theme_assets, audience)
    )
    if only is None:
        staging.prune()
    return Rendered(audience, staging.root, config, renderer.pages)


def render_kiosk(
    library: Library,
    settings: Settings,
    project: Path,
    today: dt.date,
    renditions: Renditions,
    problems: list[Problem],
    *,
    staging: Staging | None = None,
    only: Collection[str] | None = None,
) -> Rendered:
    """Write the kiosk staging folder: the displays' pages, renditions, theme, mkdocs.yml.

    The built site then gets each display's precache list and service worker
    (`render/kiosk_offline.py`) before it is published. The kiosk is a few dozen
    pages: `only` is ignored and it is always rendered whole.
    """
    audience = "kiosk"
    staging = staging or Staging(project / "build" / ".staging" / audience)
    assets = KioskAssets(staging, project, renditions, problems)
    renderer = KioskRenderer(library, staging, assets, problems)
    renderer.render(settings.site_name or library.room.name)
    theme_assets = copy_theme(staging, audience, project)
    config = write_config(
        staging, site_config(settings, library.room.name, ["index.md"], theme_assets, audience)
    )
    renderer.finish()
    staging.prune()
    displays = [screen.id for screen in renderer.screens]

    def offline(site: Path) -> list[str]:
        return summary(
            write_offline(
                site,
                displays,
                docs=staging.root / "docs",
                memo=staging.root.parent / f"{audience}.digests.json",
            )
        )

    return Rendered(audience, staging.root, config, renderer.pages, finish=offline)


RENDERERS = {"intranet": render_intranet, "kiosk": render_kiosk}


def engine_and_publish(
    rendered: Rendered,
    project: Path,
    problems: list[Problem],
    library: Library | None = None,
    view: Library | None = None,
    day: dt.date | None = None,
) -> None:
    """Build the staging folder into a fresh site folder, finish it, audit it, swap it in.

    A finding of the audit (docs/audit.md) keeps the published site as it is: the new
    one is discarded and the findings are reported as errors.
    """
    site = new_site_dir(project / "build", rendered.audience)
    try:
        for warning in engine.build_site(rendered.config, site):
            problems.append(
                Problem(
                    f"build/.staging/{rendered.audience}",
                    None,
                    f"site engine: {warning}",
                    severity=Severity.WARNING,
                )
            )
        if rendered.finish is not None:
            rendered.notes += rendered.finish(site)
        found, audited = audit_new_site(
            site, rendered.audience, project, day or room_today(project), library, view
        )
    except BaseException:
        discard(site)
        raise
    if found:
        discard(site)
        problems += found
        raise BuildError(
            f"nothing published for {rendered.audience}: the new site failed the audit "
            f"({len(found)} finding{'' if len(found) == 1 else 's'}); "
            f"build/{rendered.audience} is unchanged"
        )
    rendered.notes.append(audited.summary())
    publish(site, project / "build", rendered.audience)


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


def withdraw_films(project: Path, library: Library, day: dt.date) -> list[Problem]:
    """Delete exported films (build/films/ID.mp4) that no audience may see any more.

    `immersion film export` writes them outside the published sites, so without
    this an MP4 would outlive the consent of the people in it.
    """
    folder = project / "build" / "films"
    if not folder.is_dir():
        return []
    visible = {
        story.id
        for audience in ALL_AUDIENCES
        for story in for_audience(library, audience, day).stories.values()
        if story.kind_of_story == "photo-film"
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
                    f"build/films/{film.name}",
                    None,
                    f"cannot delete this film, which no audience may see: {exc.strerror or exc}",
                    "delete it by hand",
                )
            )
            continue
        notes.append(
            Problem(
                f"build/films/{film.name}",
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
) -> int:
    stream = out or sys.stderr
    started = time.perf_counter()
    day = today or room_today(project)
    library, problems = load(project, day)
    settings, setting_problems = load_settings(project)
    problems += setting_problems
    # Without content/ there is nothing to build; any other broken file is left out.
    if not (project / "content").is_dir() or blocking(problems, strict):
        return refuse(problems, strict, stream)
    views = {audience: for_audience(library, audience, day) for audience in audiences}
    problems += withdraw_films(project, library, day)
    photo, audio = media_recipes(settings, problems)
    try:
        with build_lock(project / "build"):
            return _build(
                project,
                library,
                views,
                settings,
                (photo, audio),
                day,
                strict,
                jobs,
                problems,
                stream,
                started,
            )
    except BuildError as exc:
        report(problems, strict, stream)
        print(f"error: {exc}", file=stream)
        return EXIT_CONTENT
    except OSError as exc:  # build/ read-only, the disk full: the published sites stay
        report(problems, strict, stream)
        written = exc.filename2 or exc.filename  # for a link or a rename: the new name
        named = isinstance(written, str | bytes)
        where = f" ({relpath(Path(os.fsdecode(written)), project)})" if named else ""
        print(f"error: cannot write in build/: {exc.strerror or exc}{where}", file=stream)
        return EXIT_CONTENT


def _build(
    project: Path,
    library: Library,
    views: dict[str, Library],
    settings: Settings,
    recipes: tuple[PhotoRecipe, AudioRecipe],
    day: dt.date,
    strict: bool,
    jobs: int | None,
    problems: list[Problem],
    stream: TextIO,
    started: float,
) -> int:
    """Media, render, engine and publish, under the build lock."""
    photo, audio = recipes
    audiences = tuple(views)
    renditions = MediaPipeline(
        project, photo, audio, jobs or os.cpu_count() or 1, problems, stream
    ).run(views.values())
    problems += check_durations(library, renditions.duration, project)
    if blocking(problems, strict):
        return refuse(problems, strict, stream)
    results = []
    for audience in audiences:
        render = RENDERERS[audience]
        rendered = render(views[audience], settings, project, day, renditions, problems)
        engine_and_publish(rendered, project, problems, library, views[audience], day)
        results.append(rendered)
    code = report(problems, strict, stream)
    print(renditions.stats.summary(), file=stream)
    for r in results:
        print(f"{r.audience}: {r.pages} pages -> build/{r.audience}/", file=stream)
        for note in r.notes:
            print(note, file=stream)
    print(f"{library.summary()}; built in {time.perf_counter() - started:.1f}s", file=stream)
    return code if code else EXIT_OK
