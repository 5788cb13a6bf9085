"""A rebuild reuses the published site's pages, and writes what a clean build writes.

Every test builds the room, changes something (or nothing), builds again, then builds
the same content from scratch in another folder and compares both sites file by file,
byte for byte. The summary says which way the site engine went, so a test cannot pass
by a whole build.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from conftest import TODAY, site_files

from immersion.commands import build

REPO = Path(__file__).resolve().parents[2]
AUDIENCES = ("intranet", "kiosk")
KEPT = "site engine: nothing changed since the published site; its pages reused"
DAY = 1795000000  # 2026-11-18 UTC, mkdocs' build date (the sitemap's lastmod)


@pytest.fixture(autouse=True)
def build_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(DAY))


def run(project: Path) -> list[str]:
    out = io.StringIO()
    assert build.run(project, today=TODAY, out=out) == 0, out.getvalue()
    return out.getvalue().splitlines()


def engine_lines(lines: list[str]) -> dict[str, str]:
    """{audience: how its site engine reused the published site} (a whole build: none)."""
    found, audience = {}, None
    for line in lines:
        name = line.partition(":")[0]
        if name in AUDIENCES and line.endswith(f"-> build/{name}/"):
            audience = name
        elif audience and line.startswith("site engine: "):
            found[audience] = line
    return found


def clean_build(project: Path, elsewhere: Path) -> dict[str, dict[str, bytes]]:
    """The same content built from nothing in another folder."""
    elsewhere.mkdir()
    for name in ("content", "themes"):
        if (project / name).is_dir():
            shutil.copytree(project / name, elsewhere / name)
    shutil.copy(project / "mkdocs.yml", elsewhere / "mkdocs.yml")
    assert engine_lines(run(elsewhere)) == {}
    return {a: site_files(elsewhere, a) for a in AUDIENCES}


def assert_like_clean(project: Path, tmp_path: Path) -> None:
    clean = clean_build(project, tmp_path / "clean")
    for audience in AUDIENCES:
        rebuilt = site_files(project, audience)
        assert sorted(rebuilt) == sorted(clean[audience]), audience
        differ = [rel for rel in rebuilt if rebuilt[rel] != clean[audience][rel]]
        assert differ == [], audience


def test_a_rebuild_with_nothing_changed_reuses_every_page(room: Path, tmp_path: Path) -> None:
    assert engine_lines(run(room)) == {}  # the first build is whole
    first = {a: (room / "build" / a).resolve() for a in AUDIENCES}

    assert engine_lines(run(room)) == {"intranet": KEPT, "kiosk": KEPT}

    for audience in AUDIENCES:
        site = (room / "build" / audience).resolve()
        assert site != first[audience] and not first[audience].exists()  # a new folder
    assert_like_clean(room, tmp_path)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A text-only room of 60 stories: more than the navigation lists (NAV_SECTION_LIMIT)."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from make_corpus import make_corpus
    finally:
        sys.path.remove(str(REPO / "bench"))
    project = tmp_path / "corpus"
    make_corpus(60, project, seed=3, today=TODAY)
    return project


def withdraw(project: Path, story: str) -> str:
    """Withdraw the consent of the participant of `stories/<story>/`; its id."""
    text = (project / "content" / "stories" / story / "index.md").read_text()
    consent = re.search(r"consent: (c\d+)", text)
    assert consent, text
    record = project / "content" / "consent" / f"{consent[1]}.yml"
    record.write_text(record.read_text() + "withdrawn: 2026-11-20\n")
    return consent[1]


def test_a_withdrawn_consent_renders_only_the_pages_it_touched(
    corpus: Path, tmp_path: Path
) -> None:
    run(corpus)
    before = site_files(corpus, "intranet")
    pages = sum(1 for rel in before if rel.endswith(".html"))
    story = sorted(p.name for p in (corpus / "content" / "stories").iterdir())[3]
    assert f"stories/{story}/index.html" in before
    withdraw(corpus, story)

    lines = engine_lines(run(corpus))

    rendered = int(lines["intranet"].split()[2])
    assert 0 < rendered < pages // 3, lines
    after = site_files(corpus, "intranet")
    assert f"stories/{story}/index.html" not in after
    assert_like_clean(corpus, tmp_path)


def test_a_withdrawn_story_listed_in_the_navigation_builds_the_site_whole(
    room: Path, tmp_path: Path
) -> None:
    run(room)
    assert "stories/letter/index.html" in site_files(room, "intranet")
    record = room / "content/consent/c-003.yml"
    record.write_text(record.read_text() + "withdrawn: 2026-11-20\n")

    lines = engine_lines(run(room))

    assert lines == {"kiosk": KEPT}, lines  # the kiosk never showed Priya
    assert "stories/letter/index.html" not in site_files(room, "intranet")
    assert_like_clean(room, tmp_path)


def test_a_changed_story_is_rendered_again_and_searched_anew(room: Path, tmp_path: Path) -> None:
    run(room)
    story = room / "content/stories/letter/index.md"
    story.write_text(story.read_text().replace("my bill doubled", "my bill tripled overnight"))

    lines = engine_lines(run(room))

    # The story, and the tags listing (it shows every tagged page's title).
    assert lines["intranet"].startswith("site engine: 2 of "), lines
    index = site_files(room, "intranet")["search/search_index.json"]
    assert b"tripled overnight" in index and b"my bill doubled" not in index
    assert_like_clean(room, tmp_path)


def test_a_changed_title_in_the_navigation_builds_the_site_whole(
    room: Path, tmp_path: Path
) -> None:
    run(room)
    journey = room / "content/journeys/moving-home/index.md"
    journey.write_text(journey.read_text().replace("title: Moving home", "title: Moving house"))

    lines = engine_lines(run(room))

    assert "intranet" not in lines, lines
    assert_like_clean(room, tmp_path)


def test_a_new_day_with_nothing_changed_dates_the_sitemap_anew(
    room: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(room)
    # Without a site_url the sitemap lists nothing, but its gzip copy is dated.
    before = site_files(room, "intranet")["sitemap.xml.gz"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(DAY + 86400))

    lines = engine_lines(run(room))

    assert lines["intranet"].startswith("site engine: 1 of "), lines  # the tags listing
    assert site_files(room, "intranet")["sitemap.xml.gz"] != before
    assert_like_clean(room, tmp_path)


def test_a_published_site_changed_by_hand_is_not_reused(room: Path, tmp_path: Path) -> None:
    run(room)
    # Another folder published by hand (or an older immersion): its manifest names another.
    link = room / "build" / "intranet"
    copy = room / "build" / ".sites" / "intranet-by-hand"
    shutil.copytree(link.resolve(), copy)
    link.unlink()
    os.symlink(os.path.relpath(copy, link.parent), link)

    lines = engine_lines(run(room))

    assert lines == {"kiosk": KEPT}, lines
    assert_like_clean(room, tmp_path)
