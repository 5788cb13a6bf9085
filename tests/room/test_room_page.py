"""The intranet's room page, built by `immersion build` from a room database a test wrote.

The figures are read off the published HTML, as a person reads them.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import MARKER, TODAY, make_room
from room_events import at, write_events

from immersion.commands import build

WEEK1 = dt.date(2026, 11, 9)  # a Monday
WEEK2 = dt.date(2026, 11, 17)  # the Tuesday of the next week


def events() -> list[dict[str, object]]:
    e = "entrance"
    return [
        # Week 1, the entrance: Maya shown, then opened from her slide (attracted).
        {
            "display": e,
            "kind": "slide",
            "item": "persona:maya",
            "started_at": at(WEEK1, 0),
            "seconds": 12,
        },
        {
            "display": e,
            "kind": "open",
            "item": "persona:maya",
            "started_at": at(WEEK1, 5),
            "seconds": 30,
        },
        # p07 shown, then the journey shown, then p07 opened: not from its showing.
        {"display": e, "kind": "slide", "item": "story:p07", "started_at": at(WEEK1, 100)},
        {
            "display": e,
            "kind": "slide",
            "item": "journey:moving-home",
            "started_at": at(WEEK1, 112),
        },
        {
            "display": e,
            "kind": "open",
            "item": "story:p07",
            "started_at": at(WEEK1, 120),
            "seconds": 20,
        },
        {
            "display": e,
            "kind": "listen",
            "item": "story:p07",
            "media": "p07/interview",
            "started_at": at(WEEK1, 121),
            "seconds": 3,
            "completed": 1,
        },
        # The expired story: shown and opened (its title must never appear).
        {"display": e, "kind": "slide", "item": "story:old", "started_at": at(WEEK1, 200)},
        {
            "display": e,
            "kind": "open",
            "item": "story:old",
            "started_at": at(WEEK1, 203),
            "seconds": 90,
        },
        {"display": e, "kind": "idle", "started_at": at(WEEK1, 400)},
        # Week 2, the listening post: p07 shown and opened from it; a listen cut short.
        {"display": "post", "kind": "slide", "item": "story:p07", "started_at": at(WEEK2, 0)},
        {
            "display": "post",
            "kind": "listen",
            "item": "story:p07",
            "media": "p07/interview",
            "started_at": at(WEEK2, 1),
            "seconds": 1,
            "completed": 0,
        },
        {
            "display": "post",
            "kind": "open",
            "item": "story:p07",
            "started_at": at(WEEK2, 2),
            "seconds": 60,
        },
        {"display": "post", "kind": "slide", "item": "persona:maya", "started_at": at(WEEK2, 70)},
        # Shown after its end: proof of non-play must count and list it.
        {
            "display": "post",
            "kind": "slide",
            "item": "story:p07",
            "started_at": at(WEEK2, 90),
            "valid_until": at(WEEK2, 80),
        },
    ]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, tone: Path) -> Path:
    return make_room(tmp_path_factory.mktemp("roompage") / "room", tone)


def build_page(project: Path) -> tuple[BeautifulSoup, str]:
    out = io.StringIO()
    code = build.run(project, ("intranet",), today=TODAY, out=out)
    assert code == 0, out.getvalue()
    html = (project / "build/intranet/room/index.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser"), out.getvalue()


def table(soup: BeautifulSoup, heading: str) -> list[list[str]]:
    """The rows of the table under `heading`, as the cells' text."""
    h2 = next(h for h in soup.select("article h2") if h.get_text(strip=True).rstrip("¶") == heading)
    found = h2.find_next("table")
    assert found is not None
    return [
        [cell.get_text(" ", strip=True) for cell in tr.find_all("td")]
        for tr in found.select("tbody tr")
    ]


@pytest.mark.parametrize("legacy", [False, True], ids=["rollups", "version-1"])
def test_the_page_shows_the_figures_the_displays_reported(project: Path, legacy: bool) -> None:
    # The server's database (its day rollups), and one the previous version wrote (no
    # rollups: the build sums its events): the same figures.
    write_events(project / "build/.room/room.sqlite", events(), legacy=legacy)
    soup, log = build_page(project)
    article = soup.select_one("article")
    assert article is not None
    text = article.get_text(" ", strip=True)
    assert MARKER not in str(soup)  # the expired story is never named
    assert "room database" not in log

    stats = {
        s.get_text(" ", strip=True).removeprefix(s.strong.get_text()).strip(): s.strong.get_text()
        for s in soup.select(".im-room-stat")
        if s.strong
    }
    # p07 x3 (one of them late), Maya x2, the journey and the expired story:
    assert stats["showings"] == "7"
    assert stats["items opened"] == "4"
    assert stats["attraction"] == "43 %"  # 3 of 7 showings led to an open of that item
    assert stats["recordings heard to the end"] == "1"
    assert stats["shown after their end"] == "1"

    items = {row[0]: row[1:] for row in table(soup, "Items")}
    #        showings, opened, opened from a showing, attraction, holding power
    assert items["Maya"] == ["2", "1", "1", "50 %", "0:30"]
    assert items["Leah on moving home"] == ["3", "2", "1", "33 %", "0:40"]
    assert items["Moving home"] == ["1", "0", "0", "0 %", "–"]
    assert items["an item no longer in the room"] == ["1", "1", "1", "100 %", "1:30"]

    displays = {row[0]: row[1:] for row in table(soup, "Displays")}
    assert displays["Welcome wall"] == ["4", "3", "50 %"]
    assert displays["Listening post"] == ["3", "1", "33 %"]

    weeks = table(soup, "Week by week")
    assert weeks == [["Week of 16 November 2026", "3", "1"], ["Week of 9 November 2026", "4", "3"]]

    recordings = table(soup, "Recordings listened to the end")
    assert recordings == [["Leah on moving home", "interview", "2", "1", "50 %"]]

    late = table(soup, "Proof of non-play")
    assert late == [["post", "slide", "Leah on moving home", at(WEEK2, 90), at(WEEK2, 80)]]

    personas = {row[0]: row[1:] for row in table(soup, "Personas that drew most attention")}
    assert personas["Maya"] == ["3", "1:50"]  # her page, and Leah's story (30 + 20 + 60 s)
    stages = {row[0]: row[1:] for row in table(soup, "Journey stages that drew most attention")}
    assert stages["Moving home: Planning the move"] == ["2", "1:20"]

    # Items link to their pages; the one no longer in the room links nowhere.
    link = soup.find("a", string="Leah on moving home")
    assert link is not None and link["href"].endswith("stories/p07/")
    gone = soup.find(string="an item no longer in the room")
    assert gone is not None and gone.find_parent("a") is None
    assert "Attraction" in text and "median time spent" in text

    # The charts are SVG pictures with a title, a description and readable labels.
    charts = soup.select("article svg")
    assert len(charts) >= 3
    for svg in charts:
        assert svg.find("title") and svg.find("desc")
        assert int(svg["font-size"]) >= 12
    # The page is in the navigation.
    assert any(a.get_text(strip=True) == "The room" for a in soup.select("nav a"))


def test_without_a_database_the_page_says_how_to_start(project: Path) -> None:
    (project / "build/.room/room.sqlite").unlink(missing_ok=True)
    soup, _log = build_page(project)
    text = soup.select_one("article").get_text(" ", strip=True)  # type: ignore[union-attr]
    assert "there is no room database" in text
    assert "immersion kiosk" in text
    assert not soup.select("article table")


def test_a_corrupt_database_is_one_warning_and_the_build_goes_on(project: Path) -> None:
    db = project / "build/.room/room.sqlite"
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b"this is not a database, it was cut short by a full disk" * 100)
    soup, log = build_page(project)
    warnings = [line for line in log.splitlines() if "room database" in line]
    assert len(warnings) == 1, log
    assert "build/.room/room.sqlite" in warnings[0]
    text = soup.select_one("article").get_text(" ", strip=True)  # type: ignore[union-attr]
    assert "could not be read" in text
    assert (project / "build/intranet/index.html").is_file()


def test_the_room_page_is_not_on_the_kiosk(project: Path) -> None:
    write_events(project / "build/.room/room.sqlite", events())
    out = io.StringIO()
    assert build.run(project, ("kiosk",), today=TODAY, out=out) == 0, out.getvalue()
    kiosk = (project / "build/kiosk").resolve()
    assert not list(kiosk.rglob("room/index.html"))
    assert not any(re.search(rb"Proof of non-play", p.read_bytes()) for p in kiosk.rglob("*.html"))
