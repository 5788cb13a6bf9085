"""valid_until: the earliest end of the consents a published thing uses."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

from bs4 import BeautifulSoup

from immersion import validity as v
from immersion.model import Consent


def test_a_day_starts_in_the_rooms_timezone() -> None:
    assert v.day_start(dt.date(2030, 12, 10), "Europe/London") == "2030-12-10T00:00:00+00:00"
    assert v.day_start(dt.date(2031, 6, 1), "Europe/London") == "2031-06-01T00:00:00+01:00"
    assert v.earliest([None, "2031-06-01T00:00:00+01:00", "2031-05-31T23:30:00+00:00"]) == (
        "2031-06-01T00:00:00+01:00"  # 23:00 UTC: earlier than 23:30 UTC
    )


def test_a_consent_ends_at_its_expiry_or_withdrawal_whichever_is_first() -> None:
    c = Consent(
        "c",
        "p",
        dt.date(2025, 1, 1),
        dt.date(2031, 1, 1),
        dt.date(2030, 6, 1),
        (),
        (),
        None,  # type: ignore[arg-type]
    )
    assert v.consent_end(c) == dt.date(2030, 6, 1)
    assert v.consent_end(replace(c, withdrawn=None)) == dt.date(2031, 1, 1)
    assert v.consent_end(replace(c, withdrawn=None, expires=None)) is None


def test_page_parts_give_each_slide_its_own_date() -> None:
    html = (
        '<div id="ik-display"><img src="a.png">'
        '<section class="ik-slide" data-ik-valid-until="2031-01-01T00:00:00+00:00">'
        '<img src="b.png"></section>'
        '<section class="ik-slide"><img src="c.png"></section></div>'
    )
    parts = v.page_parts(html)
    assert [d for _f, d in parts] == [None, "2031-01-01T00:00:00+00:00", None]
    # A file lives as long as its longest-lived user; one user without an end: no end.
    assert v.file_dates(
        {
            "b": ["2031-01-01T00:00:00+00:00", "2032-01-01T00:00:00+00:00"],
            "a": [None, "2031-01-01T00:00:00+00:00"],
        }
    ) == {"b": "2032-01-01T00:00:00+00:00"}


def test_the_demo_kiosk_knows_until_when_bex_may_be_shown(demo_site: Path) -> None:
    kiosk = demo_site.parent / "kiosk"
    data = json.loads((kiosk / v.VALID_UNTIL_FILE).read_text())
    assert data["built"] == "2026-11-22T00:00:00+00:00" and data["timezone"] == "Europe/London"
    files = data["files"]
    bex = "2030-12-10T00:00:00+00:00"  # content/consent/c-019.yml: expires 2030-12-10
    assert files["entrance/story/story-p19/index.html"] == bex
    assert [f for f in files if f.startswith("media/") and files[f] == bex]  # her media too
    assert "entrance/index.html" not in files  # the loop itself drops her slide
    # Borrowed words: Raj's page quotes the diary diary-p11 (c-011) and ends with it.
    assert files["entrance/persona/raj/index.html"] == files["entrance/story/diary-p11/index.html"]
    page = BeautifulSoup((kiosk / "entrance" / "index.html").read_text(), "html.parser")
    config = json.loads(page.select_one("#ik-config").get_text())
    slides = page.select(".ik-slide")
    assert config["built"] == data["built"]
    assert config["valid_until"] == [s.get("data-ik-valid-until") for s in slides]
    assert bex in config["valid_until"]
    sw = (kiosk / "entrance" / "sw.js").read_text()
    assert f'"story/story-p19/": "{bex}"' in sw
    item = BeautifulSoup((kiosk / "entrance/story/story-p19/index.html").read_text(), "html.parser")
    assert item.select_one("[data-ik-item-page]")["data-ik-valid-until"] == bex


def test_the_demo_intranet_lists_bex_page_and_photos(demo_site: Path) -> None:
    data = json.loads((demo_site / v.VALID_UNTIL_FILE).read_text())
    files = data["files"]
    bex = "2030-12-10T00:00:00+00:00"
    assert files["stories/story-p19/index.html"] == bex
    assert files["personas/raj/index.html"] == files["stories/diary-p11/index.html"]
    photos = [f for f in files if f.startswith("media/stories/story-p19/")]
    assert photos and all(files[f] == bex for f in photos)
    assert "index.html" not in files and "assets/immersion/page.css" not in files
