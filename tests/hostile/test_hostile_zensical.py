"""The hostile corpus built with Zensical: content stays text in both sites and in
Zensical's search index (`search.json`), exactly as with mkdocs."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest
import test_hostile_content as checks  # its checks, called on this build (not collected twice)
from conftest import TODAY, tree_snapshot
from hostile_corpus import make_hostile_room
from test_hostile_content import AUDIENCES, Built

from immersion.commands import build


@pytest.fixture(scope="module")
def hostile_zensical(tmp_path_factory: pytest.TempPathFactory, tone: Path) -> Built:
    root = tmp_path_factory.mktemp("hostile-zensical")
    project, cases, pages = make_hostile_room(root, tone)
    before = tree_snapshot(project / "content")
    outside = tree_snapshot(root / "outside")
    out = io.StringIO()
    started = time.perf_counter()
    code = build.run(project, today=TODAY, out=out, jobs=2, engine="zensical")
    seconds = time.perf_counter() - started
    return Built(
        project, code, out.getvalue(), seconds, {c.name: c for c in cases}, pages, before, outside
    )


def test_both_sites_are_published_and_audited(hostile_zensical: Built) -> None:
    assert hostile_zensical.code == 1  # the corpus' own errors, listed
    assert "Traceback" not in hostile_zensical.output
    for audience in AUDIENCES:
        assert f"audit: build/{audience}: " in hostile_zensical.output
        assert (hostile_zensical.project / "build" / audience).is_symlink()


@pytest.mark.parametrize("audience", AUDIENCES)
def test_nothing_becomes_markup(hostile_zensical: Built, audience: str) -> None:
    checks.test_nothing_from_content_becomes_markup(hostile_zensical, audience)


def test_every_text_field_shows_as_text(hostile_zensical: Built) -> None:
    checks.test_markup_from_every_text_field_shows_as_text(hostile_zensical)


def test_the_search_index_holds_no_markup(hostile_zensical: Built) -> None:
    index = json.loads((hostile_zensical.site("intranet") / "search.json").read_text())
    for item in index["items"]:
        for key in ("title", "text"):
            assert "<script" not in item[key] and "<img" not in item[key], item["location"]
    assert any("&lt;script&gt;alert" in item["text"] for item in index["items"])
