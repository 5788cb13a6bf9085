"""`immersion audit`: check a built site for what must never be published.

It reads the built files themselves, not how they were made: pictures with
metadata (`images`), recordings with tags (`audio`), copies of originals
(`originals`), the words, files and pages of content an audience's consent excludes
(`leaks`), URLs to other hosts, inline event handlers and `javascript:` URLs
(`urls`). `site.audit_site` walks one site; `report` prints the result.

`immersion build` runs `audit_new_site` on every freshly built site before it
publishes it, and refuses to publish one with a finding.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from .. import model as m
from ..model import AUDIENCES
from ..problems import Problem, UsageError
from ..project import Project
from .findings import EXCLUDED_TEXT, Finding, SiteReport
from .site import PASTED, Context, audit_site, context

__all__ = [
    "Context",
    "Finding",
    "SiteReport",
    "Target",
    "audit",
    "audit_new_site",
    "targets",
]


@dataclass(frozen=True)
class Target:
    """One built site to audit: where it is, whose it is, how to name it."""

    root: Path
    audience: str
    folder: str  # as the user knows it: build/kiosk


def audience_of(path: Path) -> str:
    """The audience of a built site: from its name, else from what it holds."""
    for name in (path.name, path.resolve().name):
        for audience in AUDIENCES:
            if name == audience or name.startswith(f"{audience}-"):
                return audience
    if (path / "assets" / "immersion" / "javascripts" / "kiosk.js").is_file():
        return "kiosk"
    return "intranet"


def targets(project: Project, folders: list[str]) -> list[Target]:
    """The sites to audit: the folders given (relative to the project), or every
    published audience in build/.

    Raises UsageError (exit 2) for a folder that does not exist or is not a built site.
    """
    if not project.has_content():
        raise UsageError(
            f"there is no content/ folder in {project.root}: the audit compares a site with the "
            "room's content; run it in the room project, or give the project with -C DIR"
        )
    if not folders:
        found = [
            Target(project.site(a), a, project.shown(project.site(a)))
            for a in AUDIENCES
            if project.site(a).is_dir()
        ]
        if not found:
            raise UsageError(
                f"nothing to audit: there is no build/intranet or build/kiosk in {project.root}; "
                "run `immersion build` first"
            )
        return found
    out = []
    for given in folders:
        path = project.root / given  # as if started in the project (-C), like git -C
        if not path.exists():
            raise UsageError(f"no such folder: {given}")
        if not path.is_dir():
            raise UsageError(f"{given} is not a folder: give a built site, like build/kiosk")
        if not (path / "index.html").is_file():
            raise UsageError(
                f"{given} is not a built site (it has no index.html): give build/intranet or "
                "build/kiosk, after `immersion build`"
            )
        absolute = Path(os.path.abspath(path))
        shown = project.shown(absolute) if absolute.is_relative_to(project.root) else given
        out.append(Target(absolute, audience_of(absolute), shown.rstrip("/")))
    return out


def audit(
    project: Project,
    sites: list[Target],
    day: dt.date,
    library: m.Library | None = None,
    views: dict[str, m.Library] | None = None,
) -> list[SiteReport]:
    """Audit each site against the room's content as of `day`."""
    ctx: Context = context(project, day, tuple({t.audience for t in sites}), library, views)
    try:
        return [audit_site(t.root.resolve(), t.audience, t.folder, ctx) for t in sites]
    finally:
        ctx.memo.close()


def audit_new_site(
    site: Path,
    audience: str,
    project: Project,
    day: dt.date,
    library: m.Library | None = None,
    view: m.Library | None = None,
) -> tuple[list[Problem], SiteReport]:
    """Audit a site built but not yet published, as `build/<audience>` would be.

    Returns an error Problem per blocking finding (notices are left out: a build
    reports what stops it), and the report for the summary line.
    """
    views = {audience: view} if view is not None else None
    folder = project.shown(project.site(audience))
    (report,) = audit(project, [Target(site, audience, folder)], day, library, views)
    return [x.problem(folder) for x in report.blocking if not _seam(x)], report


def _seam(finding: Finding) -> bool:
    """Seven excluded words that no content file holds: in a page the build itself wrote,
    they are words of two kept items side by side (a list of titles, a search entry), not
    a quote pasted by hand. `immersion audit` still reports them; the build does not stop.
    Whole sentences and pasted quotes (traced to their content line) still stop it."""
    return (
        finding.kind == EXCLUDED_TEXT
        and finding.detail.startswith('the words "')
        and PASTED not in finding.detail
    )
