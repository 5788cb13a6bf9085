"""The map from changed paths to work: a pure function, tested as a table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from immersion.load import load
from immersion.preview.plan import Work, ignored, links_of, plan, watched
from immersion.project import Project

LINKS = {
    ("story", "p07"): {("persona", "maya"), ("journey", "moving-home"), ("insight", "trust")},
    ("persona", "maya"): {("story", "p07")},
    ("insight", "trust"): {("story", "p07"), ("action", "one-price")},
}

LISTINGS = {
    "index.md",
    "tags.md",
    "personas/index.md",
    "journeys/index.md",
    "stories/index.md",
    "insights/index.md",
    "actions/index.md",
}
STORY_PAGES = {"stories/p07.md"} | LISTINGS
STORY_NEIGHBOURS = {"personas/maya.md", "journeys/moving-home.md", "insights/trust.md"}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # the story's text: that story, the pages listing it, and the pages citing it
        (
            "content/stories/p07/index.md",
            Work(
                reload=frozenset({("story", "p07")}),
                pages=frozenset(STORY_PAGES | STORY_NEIGHBOURS),
            ),
        ),
        # a new or changed photo: convert it, and write the pages that show it
        (
            "content/stories/p07/kitchen.jpg",
            Work(
                reload=frozenset({("story", "p07")}),
                media=frozenset({"content/stories/p07/kitchen.jpg"}),
                pages=frozenset(STORY_PAGES | STORY_NEIGHBOURS),
            ),
        ),
        # a file in a sub-folder of a bundle is still the bundle's
        (
            "content/stories/p07/photos/a.jpg",
            Work(
                reload=frozenset({("story", "p07")}),
                media=frozenset({"content/stories/p07/photos/a.jpg"}),
                pages=frozenset(STORY_PAGES | STORY_NEIGHBOURS),
            ),
        ),
        # a story nothing cites yet: its own pages only
        (
            "content/stories/new/index.md",
            Work(
                reload=frozenset({("story", "new")}),
                pages=frozenset({"stories/new.md"} | LISTINGS),
            ),
        ),
        # a bundle folder appearing or going away
        (
            "content/personas/maya",
            Work(
                reload=frozenset({("persona", "maya")}),
                pages=frozenset({"personas/maya.md", "stories/p07.md"} | LISTINGS),
            ),
        ),
        # actions share one page
        (
            "content/actions/one-price/index.md",
            Work(
                reload=frozenset({("action", "one-price")}),
                pages=frozenset(LISTINGS),
            ),
        ),
        (
            "content/insights/trust/index.md",
            Work(
                reload=frozenset({("insight", "trust")}),
                pages=frozenset({"insights/trust.md", "stories/p07.md"} | LISTINGS),
            ),
        ),
        # room.yml: the home page and (always whole) the kiosk's entry pages
        ("content/room.yml", Work(room=True, pages=frozenset({"index.md"}))),
        # site-wide inputs: everything
        ("mkdocs.yml", Work(settings=True, everything=True)),
        ("content/consent/c-001.yml", Work(consents=True, everything=True)),
        # a theme file rebuilds the theme of its audience only
        ("themes/intranet/main.html", Work(themes=frozenset({"intranet"}))),
        ("themes/kiosk/stylesheets/extra.css", Work(themes=frozenset({"kiosk"}))),
        # nothing to do
        ("content/stories/.index.md.swp", Work()),
        ("content/stories/p07/.index.md.swp", Work()),
        ("content/stories/p07/index.md~", Work()),
        ("content/stories/p07/4913", Work()),
        ("content/stories/p07/.#index.md", Work()),
        ("content/stories/p07/kitchen.jpg.tmp", Work()),
        ("content/stories/p07/kitchen.jpg.part", Work()),
        ("content/.DS_Store", Work()),
        ("build/intranet/index.html", Work()),
        ("build/.preview/intranet/staging/docs/index.md", Work()),
        ("README.md", Work()),
        ("themes/README.md", Work()),
    ],
)
def test_each_path_maps_to_the_smallest_work(path: str, expected: Work) -> None:
    assert plan([path], LINKS) == expected


def test_a_batch_is_the_union_of_its_paths() -> None:
    work = plan(
        [
            "content/stories/p07/index.md",
            "content/stories/p07/.index.md.swp",
            "content/stories/p07/kitchen.jpg",
            "themes/intranet/main.html",
        ],
        LINKS,
    )
    assert work.reload == {("story", "p07")}
    assert work.media == {"content/stories/p07/kitchen.jpg"}
    assert work.themes == {"intranet"}
    assert not work.everything
    assert work.paths == {
        "content/stories/p07/index.md",
        "content/stories/p07/kitchen.jpg",
        "themes/intranet/main.html",
    }


def test_an_empty_batch_is_no_work() -> None:
    assert plan([], LINKS).empty
    assert plan(["content/stories/p07/4913", "build/x"], LINKS).empty
    assert not plan(["content/room.yml"], LINKS).empty


@pytest.mark.parametrize(
    ("path", "is_ignored", "is_watched"),
    [
        ("content/stories/p07/index.md", False, True),
        ("content/room.yml", False, True),
        ("mkdocs.yml", False, True),
        ("room.yml", False, True),
        ("themes/kiosk/main.html", False, True),
        ("content/stories/p07/.index.md.swp", True, False),
        ("content/stories/p07/.index.md.swx", True, False),
        ("content/stories/p07/index.md.swp", True, False),
        ("content/stories/p07/index.md~", True, False),
        ("content/stories/p07/.#index.md", True, False),
        ("content/stories/p07/4913", True, False),
        ("content/stories/p07/photo.jpg.tmp", True, False),
        ("content/stories/p07/photo.jpg.crdownload", True, False),
        ("content/.DS_Store", True, False),
        ("content/stories/Thumbs.db", True, False),
        ("build/intranet/index.html", True, False),
        ("build", True, False),
        (".git/index", True, False),
        ("docs/architecture.md", False, False),
        ("pyproject.toml", False, False),
    ],
)
def test_scratch_files_and_build_are_ignored(path: str, is_ignored: bool, is_watched: bool) -> None:
    assert ignored(path) is is_ignored
    assert watched(path) is is_watched


def test_links_go_both_ways_on_a_real_room(room: Path) -> None:
    library, _problems = load(Project(room), dt.date(2026, 11, 22))
    links = links_of(library)
    # p07 is Maya's, on the moving-home journey, quoted by an insight
    assert {
        ("persona", "maya"),
        ("journey", "moving-home"),
        ("insight", "quotes-confuse"),
    } <= links[("story", "p07")]
    assert ("story", "p07") in links[("persona", "maya")]
    assert ("story", "p07") in links[("insight", "quotes-confuse")]
    assert ("action", "one-price") in links[("insight", "quotes-confuse")]
    assert ("insight", "quotes-confuse") in links[("action", "one-price")]
    work = plan(["content/stories/p07/index.md"], links)
    assert {
        "personas/maya.md",
        "journeys/moving-home.md",
        "insights/quotes-confuse.md",
    } <= work.pages
    assert "stories/letter.md" not in work.pages


def test_a_change_to_the_body_alone_rewrites_the_items_page_alone() -> None:
    path = "content/stories/p07/index.md"
    assert plan([path], LINKS, body_only={("story", "p07")}).pages == {"stories/p07.md"}
    # a new photo placed in the body: its own page, and the photo converted
    work = plan([path, "content/stories/p07/box.jpg"], LINKS, body_only={("story", "p07")})
    assert work.pages == {"stories/p07.md"}
    assert work.media == {"content/stories/p07/box.jpg"}
    # another item in the batch keeps its listings
    both = plan([path, "content/personas/maya/index.md"], LINKS, body_only={("story", "p07")})
    assert {"personas/maya.md", "personas/index.md", "stories/p07.md"} <= both.pages
