"""A rebuild that changed nothing is audited from the memo (build/.cache/audit.sqlite):
every file's checks, and what the audience must not see, are answered from it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY

from immersion.audit import site as audit_site_module
from immersion.audit.findings import SiteReport
from immersion.audit.site import Context, audit_site, context
from immersion.project import Project


@pytest.fixture
def room(demo_site: Path, tmp_path: Path) -> Path:
    """A copy of the demo room with its published sites and media cache, no audit memo."""
    copy = tmp_path / "room"
    shutil.copytree(demo_site.parent.parent, copy, symlinks=True)
    for name in ("audit.sqlite", "audit.sqlite-wal", "audit.sqlite-shm"):
        (copy / "build" / ".cache" / name).unlink(missing_ok=True)
    return copy


def audit_once(room: Path) -> tuple[Context, SiteReport]:
    ctx = context(Project(room), TODAY, ("intranet",))
    try:
        report = audit_site((room / "build" / "intranet").resolve(), "intranet", "x", ctx)
    finally:
        ctx.memo.close()
    return ctx, report


def findings(report: SiteReport) -> list[tuple[str, str, str]]:
    return sorted((f.path, f.kind, f.detail) for f in report.findings)


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The audiences whose exclusions were computed, not remembered."""
    calls: list[str] = []
    real = audit_site_module.excluded

    def counting(*args: Any) -> Any:
        calls.append(args[3])
        return real(*args)

    monkeypatch.setattr(audit_site_module, "excluded", counting)
    return calls


def test_a_second_audit_of_an_unchanged_site_is_answered_from_the_memo(
    room: Path, computed: list[str]
) -> None:
    first_ctx, first = audit_once(room)
    checked = first.texts + first.recordings
    assert checked > 10
    assert (first_ctx.memo.hits, first_ctx.memo.misses) == (0, checked)
    assert computed == ["intranet"]

    again_ctx, again = audit_once(room)
    assert (again_ctx.memo.hits, again_ctx.memo.misses) == (checked, 0)
    assert computed == ["intranet"], "the exclusions are remembered too"
    assert findings(again) == findings(first)
    remembered, fresh = again_ctx.excluded("intranet"), first_ctx.excluded("intranet")
    assert remembered.needles == fresh.needles
    assert remembered.stories == fresh.stories
    assert remembered.sources == fresh.sources
    assert remembered.renditions == fresh.renditions
    assert remembered.matcher.index == fresh.matcher.index
    assert remembered.digest == fresh.digest


def test_a_changed_page_is_read_again_and_a_changed_content_file_recomputes(
    room: Path, computed: list[str]
) -> None:
    _ctx, first = audit_once(room)
    page = (room / "build" / "intranet").resolve() / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- changed -->\n", encoding="utf-8")
    ctx, _report = audit_once(room)
    assert ctx.memo.misses == 1
    assert computed == ["intranet"]

    consent = next((room / "content" / "consent").glob("*.yml"))
    stat = consent.stat()
    os.utime(consent, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    ctx, again = audit_once(room)
    assert computed == ["intranet", "intranet"], "content changed: the exclusions are computed"
    assert findings(again) == findings(first)
