"""The offline budget (render/kiosk/budget.py): pure, table-tested without a build."""

from __future__ import annotations

import pytest

from immersion import model as m
from immersion.render.kiosk.budget import THEME, fmt_size, item_of, over_budget, weigh


@pytest.mark.parametrize(
    ("size", "shown"),
    [(900, "900 B"), (18_400, "18 KB"), (310_000_000, "310 MB"), (2_400_000_000, "2.4 GB")],
)
def test_sizes_read_as_people_write_them(size: int, shown: str) -> None:
    assert fmt_size(size) == shown


@pytest.mark.parametrize(
    ("path", "item"),
    [
        ("media/stories/p07/interview.mp4", "story/p07"),
        ("media/personas/maya/portrait-960.webp", "persona/maya"),
        ("wall/story/p07/index.html", "story/p07"),
        ("wall/index.html", THEME),
        ("other/story/p07/index.html", THEME),  # another display's folder: not this one's
        ("assets/immersion/javascripts/kiosk.js", THEME),
    ],
)
def test_each_file_counts_for_its_item(path: str, item: str) -> None:
    assert item_of(path, "wall") == item


SIZES = {
    "wall/index.html": 40_000,
    "assets/immersion/kiosk.css": 30_000,
    "media/stories/p07/interview.mp4": 1_700_000_000,
    "media/stories/p07/interview.jpg": 90_000,
    "wall/story/p07/index.html": 20_000,
    "media/stories/p11/e1.mp4": 400_000_000,
    "media/personas/maya/portrait-960.webp": 80_000,
    "media/stories/p12/interview.opus": 5_000_000,
}


def room(budget: int, own: int | None = None) -> m.Room:
    display = m.Display("wall", "", "landscape", (3840, 2160), m.Playlist(), None, False, own)
    lines = {"displays[0].id": 7, "displays[0].offline_budget": 9}
    return m.Room("R", "UTC", None, 90, (display,), (), m.Source("content/room.yml", lines), budget)


def test_items_are_weighed_heaviest_first() -> None:
    found = weigh(SIZES, "wall")
    assert [w.item for w in found][:3] == ["story/p07", "story/p11", "story/p12"]
    assert found[0].size == 1_700_110_000
    assert found[0].largest == ("interview.mp4", 1_700_000_000)


def test_under_the_budget_nothing_is_said() -> None:
    r = room(3 * 10**9)
    assert over_budget(r, 0, r.displays[0], SIZES) is None
    r = room(sum(SIZES.values()))  # exactly at it: still within
    assert over_budget(r, 0, r.displays[0], SIZES) is None


def test_over_the_rooms_budget_the_display_is_warned_at_its_line() -> None:
    r = room(2 * 10**9 // 2)
    problem = over_budget(r, 0, r.displays[0], SIZES)
    assert problem is not None and not problem.is_error
    assert (problem.path, problem.line, problem.field) == ("content/room.yml", 7, "displays[0]")
    assert problem.message == (
        "the display 'wall' keeps 2.1 GB offline, over its budget of 1.0 GB; the largest: "
        "story/p07 1.7 GB (interview.mp4 1.7 GB), story/p11 400 MB (e1.mp4 400 MB), "
        "story/p12 5.0 MB (interview.opus 5.0 MB)"
    )
    assert "raise `offline_budget` (for this display or the room) in room.yml" in problem.hint


def test_a_displays_own_budget_wins_and_is_named() -> None:
    r = room(10**12, own=10**9)
    problem = over_budget(r, 0, r.displays[0], SIZES)
    assert problem is not None
    assert (problem.line, problem.field) == (9, "displays[0].offline_budget")
    assert "raise `offline_budget` for this display" in problem.hint
    r = room(10**6, own=10**12)
    assert over_budget(r, 0, r.displays[0], SIZES) is None
