"""One Project: every place of a room project, and the room's today, from one object."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from conftest import write

from immersion import model as m
from immersion.load import empty_room
from immersion.project import Project
from immersion.render.sites import RENDERERS

# 10:30 UTC: already tomorrow on Kiritimati (UTC+14), still yesterday in Pago Pago (UTC-11).
INSTANT = dt.datetime(2026, 3, 12, 10, 30, tzinfo=dt.UTC)


def fixed(root: Path, instant: dt.datetime = INSTANT) -> Project:
    return Project(root, clock=lambda: instant)


def in_zone(timezone: str) -> m.Room:
    return dataclasses.replace(empty_room(), timezone=timezone)


def test_every_place_comes_from_the_project(tmp_path: Path) -> None:
    p = Project(tmp_path)
    build = tmp_path / "build"
    assert p.content == tmp_path / "content"
    assert p.room_yml == tmp_path / "content" / "room.yml"
    assert p.mkdocs_yml == tmp_path / "mkdocs.yml"
    assert p.themes == tmp_path / "themes"
    assert p.theme("kiosk") == tmp_path / "themes" / "kiosk"
    assert p.build == build
    assert p.cache == build / ".cache"
    assert p.lock == build / ".lock"
    assert p.sites == build / ".sites"
    assert p.films == build / "films"
    assert p.film("p07") == build / "films" / "p07.mp4"
    assert p.site("intranet") == build / "intranet"
    assert p.staging("kiosk") == build / ".staging" / "kiosk"
    assert p.preview("intranet") == build / ".preview" / "intranet"


def test_places_are_shown_as_the_editor_knows_them(tmp_path: Path) -> None:
    p = Project(tmp_path)
    assert p.shown(p.site("kiosk")) == "build/kiosk"
    assert p.shown(p.staging("intranet")) == "build/.staging/intranet"
    assert p.shown(Path("/elsewhere/x")) == "/elsewhere/x"


def test_has_content(tmp_path: Path) -> None:
    assert not Project(tmp_path).has_content()
    (tmp_path / "content").mkdir()
    assert Project(tmp_path).has_content()


def test_projects_with_other_clocks_are_the_same_project(tmp_path: Path) -> None:
    assert fixed(tmp_path) == Project(tmp_path)


@pytest.mark.parametrize(
    ("timezone", "today"),
    [
        ("Pacific/Kiritimati", dt.date(2026, 3, 13)),
        ("Pacific/Pago_Pago", dt.date(2026, 3, 11)),
        ("UTC", dt.date(2026, 3, 12)),
    ],
)
def test_today_is_the_rooms_date(tmp_path: Path, timezone: str, today: dt.date) -> None:
    assert fixed(tmp_path).today(in_zone(timezone)) == today


def test_today_at_the_rooms_midnight(tmp_path: Path) -> None:
    # Consent expires at the room's midnight, not the server's.
    before = dt.datetime(2026, 3, 11, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    after = before + dt.timedelta(minutes=1)
    paris = in_zone("Europe/Paris")
    assert fixed(tmp_path, before).today(paris) == dt.date(2026, 3, 11)
    assert fixed(tmp_path, after).today(paris) == dt.date(2026, 3, 12)


def room_yml(root: Path, timezone_line: str) -> None:
    write(root / "content/room.yml", f"name: Test room\n{timezone_line}\n")


@pytest.mark.parametrize(
    ("line", "today"),
    [
        ("timezone: Pacific/Kiritimati", dt.date(2026, 3, 13)),
        ('timezone: "Pacific/Pago_Pago"', dt.date(2026, 3, 11)),
        # as the loader reads YAML, not as a regular expression would
        ("timezone: >-\n  Pacific/Kiritimati", dt.date(2026, 3, 13)),
        ("# timezone: Pacific/Kiritimati\ntimezone: Pacific/Pago_Pago", dt.date(2026, 3, 11)),
    ],
)
def test_today_from_the_loaded_room(tmp_path: Path, line: str, today: dt.date) -> None:
    room_yml(tmp_path, line)
    assert fixed(tmp_path).room().timezone in line
    assert fixed(tmp_path).today() == today


@pytest.mark.parametrize(
    "text",
    [
        None,  # no room.yml
        "name: Test room\ntimezone: Mars/Olympus\n",  # the loader reports it
        "name: [unclosed\n",  # nor YAML
        "name: Test room\n",  # the default
    ],
)
def test_today_falls_back_to_utc(tmp_path: Path, text: str | None) -> None:
    (tmp_path / "content").mkdir()
    if text is not None:
        write(tmp_path / "content/room.yml", text)
    assert fixed(tmp_path).today() == dt.date(2026, 3, 12)


def test_the_real_clock_is_aware(tmp_path: Path) -> None:
    now = Project(tmp_path).clock()
    assert now.tzinfo is not None


def test_one_audiences_tuple_in_the_order_the_build_publishes() -> None:
    assert m.AUDIENCES == ("intranet", "kiosk")
    assert tuple(RENDERERS) == m.AUDIENCES
