"""`immersion letters`: one letter per participant, with only their own words."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import REPO, TODAY, tree_snapshot

from immersion.cli import main
from immersion.commands import letters

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "room"))
from room_events import at, write_events

LEAH, MARGARET, TOM = "c-017", "c-016", "c-009"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "content", tmp_path / "room" / "content")
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "room" / "mkdocs.yml")
    return tmp_path / "room"


def write(demo: Path, *ids: str, out: Path | None = None) -> tuple[int, str]:
    stream = io.StringIO()
    code = letters.run(demo, list(ids), out=out, today=TODAY, stream=stream)
    return code, stream.getvalue()


def letter(demo: Path, cid: str) -> BeautifulSoup:
    return BeautifulSoup((demo / "build/letters" / f"{cid}.html").read_text(), "html.parser")


def quotes(soup: BeautifulSoup) -> list[str]:
    return [q.get_text(" ", strip=True).strip("“”") for q in soup.select("blockquote")]


def changes(soup: BeautifulSoup) -> list[str]:
    return [li.get_text(" ", strip=True) for li in soup.select("ul.changes li")]


def test_each_letter_has_only_its_participants_words(demo: Path) -> None:
    before = tree_snapshot(demo / "content")
    code, log = write(demo, LEAH, MARGARET)
    assert code == 0, log
    leah, margaret = letter(demo, LEAH), letter(demo, MARGARET)
    assert leah.h1.get_text() == "Dear Leah,"
    assert margaret.h1.get_text() == "Dear Margaret,"
    hers, others = quotes(leah), quotes(margaret)
    assert any("one number I can trust" in q for q in hers)
    assert any("five amounts" in q for q in others)
    leah_text = leah.get_text(" ", strip=True)
    margaret_text = margaret.get_text(" ", strip=True)
    for words in others:
        assert words[:60] not in leah_text
    for words in hers:
        assert words[:60] not in margaret_text
    # The interviewer's questions are not their words.
    assert "How did" not in " ".join(hers)
    # What changed: the actions answering the insights their words are evidence for.
    leah_changes = changes(leah)
    assert len(leah_changes) == 3
    assert any(c.startswith("Done on 1 September 2026:") for c in leah_changes)
    margaret_changes = changes(margaret)
    assert len(margaret_changes) == 1
    assert margaret_changes[0].startswith("Open, due 30 June 2027:")
    assert "one box: what to pay" in margaret_changes[0]
    assert "not yet recorded" in leah_text  # no room database yet
    assert tree_snapshot(demo / "content") == before


def test_the_room_database_says_how_often_they_were_heard(demo: Path) -> None:
    day = TODAY
    write_events(
        demo / "build/.room/room.sqlite",
        [
            {"display": "entrance", "kind": "open", "item": "story:p07", "started_at": at(day, 1)},
            {"display": "post", "kind": "open", "item": "story:p07", "started_at": at(day, 9)},
            {
                "display": "post",
                "kind": "listen",
                "item": "story:p07",
                "started_at": at(day, 10),
                "completed": 1,
            },
            {"display": "post", "kind": "open", "item": "story:p21", "started_at": at(day, 20)},
            {"display": "post", "kind": "slide", "item": "story:p07", "started_at": at(day, 30)},
        ],
    )
    assert write(demo, LEAH)[0] == 0
    text = letter(demo, LEAH).get_text(" ", strip=True)
    assert "opened your story on the room's screens 2 times" in text
    assert "played your recordings 1 time (1 to the very end)" in text


def test_every_valid_participant_gets_a_letter_and_a_pdf(demo: Path) -> None:
    code, log = write(demo)
    assert code == 0, log
    folder = demo / "build/letters"
    names = sorted(p.name for p in folder.iterdir())
    # Tom's consent expired: no letter. Everyone else's is valid on TODAY.
    valid = ("c-011", "c-014", "c-016", "c-017", "c-019")
    assert names == sorted(f"{c}.{ext}" for c in valid for ext in ("html", "pdf"))
    assert (folder / f"{LEAH}.pdf").read_bytes().startswith(b"%PDF")


def test_no_letter_for_an_ended_consent_nor_an_unknown_one(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, log = write(demo, TOM)
    assert code == 1
    assert "content/consent/c-009.yml: no letter for c-009" in log
    assert not (demo / "build/letters" / f"{TOM}.html").exists()
    assert main(["-C", str(demo), "letters", "c-0177", "--date", "2026-11-22"]) == 2
    assert "did you mean c-017?" in capsys.readouterr().err
    inside = demo / "content" / "letters"
    assert main(["-C", str(demo), "letters", "--out", str(inside)]) == 2
    assert "never written there" in capsys.readouterr().err
    assert not inside.exists()
