"""`immersion build`: content/ -> build/<audience>/, top to bottom.

load -> audience filter -> render into staging -> site engine -> publish.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .. import engine
from ..audience import for_audience
from ..load import load
from ..model import Library
from ..problems import EXIT_CONTENT, EXIT_OK, BuildError, Problem, Severity, report
from ..publish import discard, new_site_dir, publish
from ..render.assets import Assets
from ..render.intranet import IntranetRenderer
from ..render.site_config import copy_theme, site_config, write_config
from ..render.staging import Staging
from ..settings import Settings, load_settings
from .common import room_today

AUDIENCES = ("intranet",)


@dataclass
class Rendered:
    audience: str
    staging: Path
    config: Path
    pages: int
    converted: int
    reused: int


def render_intranet(
    library: Library, settings: Settings, project: Path, today: dt.date, problems: list[Problem]
) -> Rendered:
    """Write the intranet staging folder (Markdown, media, theme, mkdocs.yml)."""
    audience = "intranet"
    staging = Staging(project / "build" / ".staging" / audience)
    assets = Assets(staging, project, problems)
    renderer = IntranetRenderer(library, staging, assets, today)
    renderer.render(settings.site_name or library.room.name)
    css = copy_theme(staging, audience, project)
    config = write_config(
        staging, site_config(settings, library.room.name, renderer.nav(), css, audience)
    )
    staging.prune()
    return Rendered(audience, staging.root, config, renderer.pages, assets.converted, assets.reused)


def build_audience(
    library: Library,
    settings: Settings,
    project: Path,
    audience: str,
    today: dt.date,
    problems: list[Problem],
) -> Rendered:
    rendered = render_intranet(
        for_audience(library, audience, today), settings, project, today, problems
    )
    site = new_site_dir(project / "build", audience)
    try:
        for warning in engine.build_site(rendered.config, site):
            problems.append(
                Problem(
                    f"build/.staging/{audience}",
                    None,
                    f"site engine: {warning}",
                    severity=Severity.WARNING,
                )
            )
    except BaseException:
        discard(site)
        raise
    publish(site, project / "build", audience)
    return rendered


def run(
    project: Path,
    audiences: tuple[str, ...] = AUDIENCES,
    strict: bool = False,
    today: dt.date | None = None,
    out: TextIO | None = None,
) -> int:
    stream = out or sys.stderr
    started = time.perf_counter()
    day = today or room_today(project)
    library, problems = load(project, day)
    settings, setting_problems = load_settings(project)
    problems += setting_problems
    # Without content/ there is nothing to build; any other broken file is left out.
    fatal = not (project / "content").is_dir()
    if fatal or (strict and any(p.severity is not Severity.NOTE for p in problems)):
        code = report(problems, strict, stream)
        print(
            "nothing published" + (" (--strict: fix every problem first)" if strict else ""),
            file=stream,
        )
        return code or EXIT_CONTENT
    results = []
    try:
        for audience in audiences:
            results.append(build_audience(library, settings, project, audience, day, problems))
    except BuildError as exc:
        report(problems, strict, stream)
        print(f"error: {exc}", file=stream)
        return EXIT_CONTENT
    code = report(problems, strict, stream)
    counts = library.summary()
    for r in results:
        print(
            f"{r.audience}: {r.pages} pages; media converted {r.converted}, reused "
            f"{r.reused} -> build/{r.audience}/",
            file=stream,
        )
    print(f"{counts}; built in {time.perf_counter() - started:.1f}s", file=stream)
    return code if code else EXIT_OK
