"""The render entry points: one audience's library -> its staging folder, ready for the engine.

`immersion build` and the live preview call these same functions; what each
writes is the Markdown, the renditions, the theme and the `mkdocs.yml` of one
site. The build then runs the site engine, `Rendered.finish`, the audit and
publishes (`commands/build.py`); the preview runs its warm engine only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..media.renditions import Renditions
from ..model import ITEM_KINDS, Library, Room
from ..problems import Problem
from ..project import Project
from ..settings import Settings
from ..validity import Validity, day_start, site_dates, write_valid_until
from .assets import Assets
from .intranet import IntranetRenderer
from .intranet.pages import item_page
from .intranet.room import PAGE as ROOM_PAGE
from .intranet.room import room_state
from .kiosk import KioskAssets, KioskRenderer
from .kiosk.budget import over_budget
from .kiosk.identity import STYLESHEET, identity
from .kiosk.offline import Precache, summary, write_offline
from .site_config import ThemeAssets, copy_theme, site_config, write_config
from .staging import Staging


@dataclass
class Rendered:
    audience: str
    staging: Path
    config: Path
    pages: int
    # Runs on the built site before it is published; returns lines for the summary.
    finish: Callable[[Path], list[str]] | None = None
    notes: list[str] = field(default_factory=list)


def theme_and_config(
    staging: Staging,
    audience: str,
    project: Project,
    settings: Settings,
    library: Library,
    nav: list[Any],
    extra_css: Sequence[str] = (),
) -> Path:
    """The audience's theme (ours, then the project's) and the generated mkdocs.yml.

    `extra_css`: stylesheets the render wrote itself, loaded after the theme's.
    """
    theme_assets = copy_theme(staging, audience, project)
    theme_assets = ThemeAssets([*theme_assets.css, *extra_css], theme_assets.js)
    copy_logo(staging, project, settings)
    return write_config(
        staging, site_config(settings, library.room.name, nav, theme_assets, audience)
    )


def copy_logo(staging: Staging, project: Project, settings: Settings) -> None:
    """The project's `theme.logo` next to the pages, where the theme looks for it.

    Material resolves the logo against the site's docs folder, which is our staging
    folder: without the copy the header shows a broken image. Only a file inside the
    project is copied (the kiosk's identity reports any other value).
    """
    value = settings.theme.get("logo")
    if not isinstance(value, str) or not value or "://" in value:
        return
    root = project.root.resolve()
    source = (root / value).resolve()
    if root in source.parents and source.is_file():
        staging.write_bytes(f"docs/{source.relative_to(root).as_posix()}", source.read_bytes())


def render_intranet(
    library: Library,
    settings: Settings,
    project: Project,
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
    staging = staging or Staging(project.staging(audience))
    assets = Assets(staging, project, renditions, problems)
    assets.redacting(library)
    # The room database is read only when the room page is written (not for a preview
    # of one story).
    state = room_state(project, problems) if only is None or ROOM_PAGE in only else None
    renderer = IntranetRenderer(library, staging, assets, today, only, state)
    renderer.render(settings.site_name or library.room.name)
    if only is None:
        assets.write_redacted()
    config = theme_and_config(staging, audience, project, settings, library, renderer.nav())
    if only is None:
        staging.prune()
    return Rendered(
        audience,
        staging.root,
        config,
        renderer.pages,
        finish=intranet_validity(library, today, staging.root.parent / f"{audience}.loads.json"),
    )


def intranet_validity(
    library: Library, today: dt.date, memo: Path | None = None
) -> Callable[[Path], list[str]]:
    """The intranet's `valid-until.json` (validity.py), written into the built site.

    `memo` remembers what each page loads (`site_dates`) between builds."""

    def finish(site: Path) -> list[str]:
        dates = Validity(library)
        pages = {
            f"{item_page(kind, item_id)[: -len('.md')]}/index.html": dates.until(kind, item_id)
            for kind in ITEM_KINDS
            for item_id in library.by_kind(kind)
        }
        tz = library.room.timezone
        write_valid_until(site, day_start(today, tz), tz, site_dates(site, pages, memo))
        return []

    return finish


def render_kiosk(
    library: Library,
    settings: Settings,
    project: Project,
    today: dt.date,
    renditions: Renditions,
    problems: list[Problem],
    *,
    staging: Staging | None = None,
    only: Collection[str] | None = None,
) -> Rendered:
    """Write the kiosk staging folder: the displays' pages, renditions, theme, mkdocs.yml.

    The built site then gets each display's precache list and service worker
    (`render/kiosk/offline.py`) before it is published. The kiosk is a few dozen
    pages: `only` is ignored and it is always rendered whole.
    """
    audience = "kiosk"
    staging = staging or Staging(project.staging(audience))
    assets = KioskAssets(staging, project, renditions, problems)
    assets.redacting(library)
    renderer = KioskRenderer(library, staging, assets, problems)
    renderer.built = day_start(today, library.room.timezone)
    # The room's colours and logo (mkdocs.yml), written before the pages that show the logo.
    renderer.slides.logo = identity(settings, project, staging, problems).logo
    renderer.render(settings.site_name or library.room.name)
    config = theme_and_config(
        staging, audience, project, settings, library, ["index.md"], [STYLESHEET]
    )
    renderer.finish()
    assets.write_redacted()
    staging.prune()
    displays = [screen.id for screen in renderer.screens]

    def offline(site: Path) -> list[str]:
        results = write_offline(
            site,
            displays,
            docs=staging.root / "docs",
            memo=staging.root.parent / f"{audience}.digests.json",
            built=renderer.built,
            timezone=library.room.timezone,
        )
        problems.extend(offline_budgets(library.room, results))
        return summary(results)

    # Each display's loop (slides, length) for the build's summary, beside its offline line.
    loops = [f"  {line}" for line in renderer.loop_summaries()]
    return Rendered(audience, staging.root, config, renderer.pages, finish=offline, notes=loops)


def offline_budgets(room: Room, results: list[Precache]) -> list[Problem]:
    """A warning for every display whose offline payload passes its budget (budget.py)."""
    found = []
    for index, display in enumerate(room.displays):
        result = next((r for r in results if r.display == display.id), None)
        if result is not None and (problem := over_budget(room, index, display, result.sizes)):
            found.append(problem)
    return found


class Render(Protocol):
    def __call__(
        self,
        library: Library,
        settings: Settings,
        project: Project,
        today: dt.date,
        renditions: Renditions,
        problems: list[Problem],
        *,
        staging: Staging | None = None,
        only: Collection[str] | None = None,
    ) -> Rendered: ...


# By audience (every one of model.AUDIENCES has its renderer; tests/test_project.py checks).
RENDERERS: dict[str, Render] = {"intranet": render_intranet, "kiosk": render_kiosk}
