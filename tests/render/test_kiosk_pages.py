"""The kiosk's pages as a display shows them: parsed from a built test room (docs/kiosk.md)."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag
from conftest import TODAY, jpeg_with_gps, make_room, write

from immersion.audience import for_audience
from immersion.commands import build
from immersion.load import load
from immersion.media.renditions import Renditions
from immersion.model import Playlist
from immersion.project import Project
from immersion.render.kiosk import (
    KioskAssets,
    KioskRenderer,
    Slot,
    config_script,
    excerpt,
    narrowest_covering,
    needed_width,
    slot_for,
)
from immersion.render.staging import Staging

INJECTION = "</script><script>alert(1)</script>"

# ---------------------------------------------------------------- pure maths


@pytest.mark.parametrize(
    ("resolution", "slot", "aspect", "needed"),
    [
        # a full-bleed portrait photo (3:4) on a portrait screen: the screen's width
        ((1080, 1920), Slot(1.0, 1.0), 0.75, 1080),
        # the same photo in half a landscape screen: the height limits it
        ((1920, 1080), Slot(0.5, 1.0), 0.75, 810),
        # a landscape photo (3:2) in half a landscape screen: the width limits it
        ((1920, 1080), Slot(0.5, 1.0), 1.5, 960),
        # the 4K wall needs twice as much
        ((3840, 2160), Slot(0.5, 1.0), 1.5, 1920),
        # fractions round up: never a pixel short
        ((1000, 1000), Slot(0.333, 1.0), 1.0, 333),
    ],
)
def test_needed_width(resolution: tuple[int, int], slot: Slot, aspect: float, needed: int) -> None:
    assert needed_width(resolution, slot, aspect) == needed


@pytest.mark.parametrize(
    ("widths", "needed", "chosen"),
    [
        ([480, 960, 1920, 3840], 810, 960),
        ([480, 960, 1920, 3840], 960, 960),
        ([480, 960, 1920, 3840], 961, 1920),
        ([480, 640], 1080, 640),  # a small original: its widest, never upscaled
        ([1920, 480, 960], 100, 480),
    ],
)
def test_narrowest_covering(widths: list[int], needed: int, chosen: int) -> None:
    assert narrowest_covering(widths, needed) == chosen


def test_a_film_fills_a_16_9_stage_at_full_width() -> None:
    assert slot_for("film", "landscape", (1920, 1080)) == Slot(1.0, 1.0)
    portrait = slot_for("film", "portrait", (1080, 1920))
    assert portrait.width == 1.0 and portrait.height == pytest.approx(1080 * 9 / 16 / 1920)
    assert slot_for("slide", "portrait", (1080, 1920)) == Slot(1.0, 0.5)


def test_config_script_cannot_be_broken_out_of() -> None:
    html = config_script({"title": INJECTION, "x": "a & b > c\u2028"})
    body = html.removeprefix('<script type="application/json" id="ik-config">')
    body = body.removesuffix("</script>")
    assert "<" not in body and ">" not in body and "&" not in body
    assert json.loads(body) == {"title": INJECTION, "x": "a & b > c\u2028"}


def test_excerpt_is_plain_words() -> None:
    text = "# Dear team\n\nMy *bill* [doubled](https://example.com). ![me](me.jpg)\n> again"
    assert excerpt(text) == "Dear team My bill doubled. again"
    long = excerpt("word " * 100, 40)
    assert len(long) <= 40 and long.endswith("…")


# ---------------------------------------------------------------- a built room


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory, tone: Path) -> Path:
    """The test room, built once for this module; returns build/kiosk."""
    room = make_room(tmp_path_factory.mktemp("kiosk") / "room", tone)
    # A portrait large enough to have a choice of widths: 480, 960, 1920 and 2000.
    jpeg_with_gps(room / "content/personas/maya/portrait.jpg", size=(2000, 1500))
    out = io.StringIO()
    assert build.run(room, today=TODAY, out=out) == 0, out.getvalue()
    return room / "build" / "kiosk"


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def config_of(page: BeautifulSoup) -> dict[str, object]:
    script = page.select_one("script#ik-config")
    assert script is not None and script.get("type") == "application/json"
    config = json.loads(script.get_text())
    assert isinstance(config, dict)
    return config


def slides(page: BeautifulSoup) -> list[Tag]:
    return page.select("#ik-display .ik-stage > section.ik-slide")


def test_one_entry_page_per_display_with_its_slides_in_order(kiosk: Path) -> None:
    index = soup(kiosk, "index.html")
    assert [a["href"] for a in index.select(".ik-displays a")] == ["entrance/", "post/"]
    entrance = soup(kiosk, "entrance/index.html")
    # the tour, without the expired story
    assert [(s["data-ik-item"], s["class"][1]) for s in slides(entrance)] == [
        ("persona:maya", "ik-slide-persona"),
        ("journey:moving-home", "ik-slide-journey"),
        ("story:p07", "ik-slide-highlight"),
    ]
    assert [s["data-ik-href"] for s in slides(entrance)] == [
        "persona/maya/",
        "journey/moving-home/",
        "story/p07/",
    ]
    for slide in slides(entrance):
        assert slide["aria-roledescription"] == "slide"
        opener = slide.select_one("a.ik-open")
        assert opener is not None and opener["href"] == slide["data-ik-href"]
    post = soup(kiosk, "post/index.html")
    assert [s["data-ik-item"] for s in slides(post)] == ["persona:maya", "story:p07"]
    root = post.select_one("div#ik-display")
    assert root is not None and root.has_attr("data-ik-display")
    assert root["class"] == ["ik-display", "ik-portrait"]


def test_entry_page_has_the_quiet_slide_and_empty_dots(kiosk: Path) -> None:
    entrance = soup(kiosk, "entrance/index.html")
    quiet = entrance.select_one("#ik-display > section.ik-quiet")
    assert quiet is not None and quiet.has_attr("hidden")
    assert quiet["aria-label"] == "The room is closed"
    assert quiet.get_text(" ", strip=True) == "Test Room Open again at 08:00"
    dots = entrance.select_one("#ik-display > nav.ik-dots")
    assert dots is not None and dots.get_text() == "" and dots["aria-hidden"] == "true"


def test_slides_show_what_a_visitor_reads(kiosk: Path) -> None:
    persona, journey, highlight = slides(soup(kiosk, "entrance/index.html"))
    assert persona.select_one(".ik-name").get_text() == "Maya"
    assert "Young families" in persona.get_text()
    assert "“I just want one number I can trust.”" in persona.get_text()
    portrait = persona.select_one("img")
    assert portrait is not None and portrait["alt"] == "Maya at her kitchen table"
    # the journey as a map: the curve's lines, a mood face per stage, each name once
    assert journey.select_one(".ik-map-curve svg.ik-lines polyline") is not None
    assert [h.get_text() for h in journey.select(".ik-map-stage .ik-stage-title")] == [
        "Planning the move",
        "Moving day",
    ]
    assert journey.get_text().count("Moving day") == 1
    assert not journey.select("svg a")  # a slide is one tap target: no links inside
    quote = highlight.select_one("blockquote p").get_text()
    assert quote == (
        "“Honestly, the quote form was a maze. I just want one number I can trust. "
        "They never called back.”"
    )
    assert "How did the move go?" not in highlight.get_text()  # the interviewer is not quoted
    # honest credit, no kind label; the face beside the quote is the persona's portrait
    assert "Leah said this · one of the people behind Maya" in highlight.get_text()
    assert "interview" not in highlight.get_text().lower()
    assert highlight.select_one(".ik-voice .ik-face img") is not None
    # a persona's quote names its composite and whose words it is
    assert "Maya, a composite · in Leah's words" in persona.get_text()
    assert highlight.select_one("a.ik-open").get_text() == "Touch to hear Leah"


def test_highlight_slides_carry_their_clip(kiosk: Path) -> None:
    highlight = slides(soup(kiosk, "entrance/index.html"))[2]
    assert highlight["data-ik-clip"] == "../media/stories/p07/interview-hl-1.opus"
    assert highlight["data-ik-clip-type"] == 'audio/ogg; codecs="opus"'
    assert highlight["data-ik-clip-fallback"] == "../media/stories/p07/interview-hl-1.m4a"
    for attr in ("data-ik-clip", "data-ik-clip-fallback"):
        assert (kiosk / "entrance" / highlight[attr]).resolve().is_file()


def test_ik_config_holds_the_display_values(kiosk: Path) -> None:
    entrance = config_of(soup(kiosk, "entrance/index.html"))
    build_id = entrance.pop("build")
    assert isinstance(build_id, str) and re.fullmatch(r"[0-9a-f]{12}", build_id)
    # the cycle: one length per slide, in order; the pin (12 s) holds every text slide
    cycle = entrance.pop("cycle")
    slides = soup(kiosk, "entrance/index.html").select("section.ik-slide")
    assert cycle == [float(s["data-ik-seconds"]) for s in slides]
    assert all(seconds >= 12 for seconds in cycle)
    # validity (docs/kiosk.md): each slide's end, and the start of the build's day
    assert entrance.pop("valid_until") == [s.get("data-ik-valid-until") for s in slides]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00[+-]\d\d:\d\d", entrance.pop("built"))
    assert entrance == {
        "display": "entrance",
        "title": "Welcome wall",
        "orientation": "landscape",
        "resolution": [1920, 1080],
        "slide_seconds": 12,
        "idle_seconds": 90,
        "audio": False,
        "timezone": "Europe/London",
        "opening_hours": {"open": "08:00", "close": "19:00"},
        "entry": "./",
        "countdown_seconds": 10,
    }
    post = config_of(soup(kiosk, "post/index.html"))
    assert (post["display"], post["orientation"], post["resolution"]) == (
        "post",
        "portrait",
        [1080, 1920],
    )
    assert post["build"] == build_id  # one build, one id
    item = config_of(soup(kiosk, "post/persona/maya/index.html"))
    post.pop("cycle")  # the loop's: item pages have none
    post.pop("valid_until")  # the slides'; an item page's is its own (or absent)
    root = soup(kiosk, "post/persona/maya/index.html").select_one("[data-ik-item-page]")
    assert item.pop("valid_until", None) == root.get("data-ik-valid-until")
    assert item.pop("item") == root["data-ik-item"] == "persona:maya"  # proof of play names it
    assert item == {**post, "entry": "../../"}


def test_item_pages_exist_for_what_the_playlist_reaches_only(kiosk: Path) -> None:
    pages = sorted(p.parent.relative_to(kiosk).as_posix() for p in kiosk.glob("*/*/*/index.html"))
    assert pages == [
        "entrance/journey/moving-home",
        "entrance/persona/maya",
        "entrance/story/p07",
        "post/persona/maya",
        "post/story/p07",
    ]


def test_item_page_root_back_link_and_text_size(kiosk: Path) -> None:
    page = soup(kiosk, "entrance/persona/maya/index.html")
    root = page.select_one("div#ik-display")
    assert root is not None and root.has_attr("data-ik-item-page")
    assert "ik-item" in root["class"]
    back = root.find("a", class_="ik-back", recursive=False)
    assert back is not None and back["href"] == "../../" and back.get_text() == "Back"
    size = root.find("div", class_="ik-textsize", recursive=False)
    assert size is not None and size["role"] == "group" and size["aria-label"] == "Text size"
    assert size.get_text() == ""  # kiosk.js adds the buttons
    assert root.find("script", id="ik-config", recursive=False) is not None


def test_persona_page_in_large_type(kiosk: Path) -> None:
    page = soup(kiosk, "entrance/persona/maya/index.html")
    root = page.select_one("#ik-display")
    text = root.get_text(" ", strip=True)
    for expected in (
        "Maya",
        "Young families",
        "I just want one number I can trust.",
        "One clear price",
        "Feel in control",
        "Quotes change after the call",
    ):
        assert expected in text
    # One or two screens: the needs and pains that matter, not the goals or the body
    # (the intranet has those). A persona is a composite; the quote is a customer's.
    assert "Move without surprises" not in text and "mother of two" not in text
    assert "Maya, a composite · in the words of" in root.select_one(".ik-quote footer").get_text()
    assert len(root.select(".ik-persona-facts li")) <= 6
    assert "Needs review" not in text and "review" not in text.lower()
    clip = root.select_one(".ik-quote .im-player-clip audio")
    assert clip is not None
    assert [s["src"] for s in clip.find_all("source")] == [
        "../../../media/stories/p07/interview-hl-1.opus",
        "../../../media/stories/p07/interview-hl-1.m4a",
    ]
    source = root.select_one(".ik-quote footer a")
    assert source is not None and source["href"] == "../../story/p07/#hl-1"
    journey = root.find("a", string="Moving home")
    assert journey is not None and journey["href"] == "../../journey/moving-home/"


def test_links_only_to_items_of_the_same_display(kiosk: Path) -> None:
    # The post has no page for the journey: its name is plain text there.
    page = soup(kiosk, "post/persona/maya/index.html")
    assert "Moving home" in page.get_text()
    assert page.find("a", string="Moving home") is None
    story = soup(kiosk, "post/story/p07/index.html")
    assert [a["href"] for a in story.select(".ik-head a")] == ["../../persona/maya/"]


def test_story_page_has_player_highlights_and_transcript(kiosk: Path) -> None:
    page = soup(kiosk, "entrance/story/p07/index.html")
    audio = page.select_one("audio#rec-p07")
    assert audio is not None
    assert audio["data-peaks"] == "../../../media/stories/p07/interview.peaks.json"
    assert audio.find("track")["src"] == "../../../media/stories/p07/interview.vtt"
    card = page.select_one("article.ik-highlight#hl-1")
    assert card is not None and card.select_one(".im-player-clip audio") is not None
    seek = card.select_one("button.im-seek")
    assert seek["data-for"] == "rec-p07" and seek["data-seek"] == "1.500"
    lines = [li.get_text(" ", strip=True) for li in page.select(".im-transcript li.im-cue")]
    assert lines[0].endswith("How did the move go?")
    assert "Leah moved in March." in page.select_one(".ik-body").get_text()


def test_journey_page_has_the_curve_and_stage_cards(kiosk: Path) -> None:
    page = soup(kiosk, "entrance/journey/moving-home/index.html")
    assert page.select_one("figure.ik-curve svg") is not None
    cards = page.select("ol.ik-stages > li.ik-stage-card")
    assert [c["id"] for c in cards] == ["stage-plan", "stage-move"]
    assert "Moment of truth" in cards[0].get_text()
    # the evidence is linked from the cards (the curve's points are too small to touch)
    assert not page.select("svg a")
    assert [a["href"] for a in cards[0].select("a")] == ["../../story/p07/#hl-1"]


def test_photos_are_one_img_no_wider_than_the_display_needs(kiosk: Path) -> None:
    # Maya's 4:3 portrait fills a slide's panel edge to edge (cropped, `cover`): 46% of a
    # 1920x1080 screen by its full height needs 1440 px of width, so the 1920 rendition;
    # the top 52% of a 1080x1920 screen needs 1331, the 1920 again. Her page's portrait
    # slot is 40% of a landscape screen's width (768) or 70% of a portrait one's (756).
    expected = {
        ("entrance/index.html", ".ik-panel img"): 1920,
        ("entrance/persona/maya/index.html", "img"): 960,
        ("post/index.html", ".ik-panel img"): 1920,
        ("post/persona/maya/index.html", "img"): 960,
    }
    for (rel, where), width in expected.items():
        found = soup(kiosk, rel).select(f"#ik-display {where}[alt='Maya at her kitchen table']")
        assert found, (rel, where)
        img = found[0]
        assert img["src"].endswith(f"media/personas/maya/portrait-{width}.webp"), rel
        assert (img["width"], img["height"]) == (str(width), str(width * 3 // 4))
    for html in kiosk.glob("*/**/index.html"):
        for img in BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").find_all("img"):
            assert not img.has_attr("srcset") and img.find_parent("picture") is None
            assert img["alt"] and img.has_attr("width") and img.has_attr("height")
            assert img["style"].startswith("background:url(data:image/")
            assert (html.parent / img["src"]).resolve().is_file(), img["src"]


def test_every_link_stays_inside_the_kiosk_build(kiosk: Path) -> None:
    broken = []
    for html in kiosk.rglob("*.html"):
        page = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for a in page.find_all("a", href=True):
            url = a["href"]
            if url.startswith("#"):
                continue
            parts = urlsplit(url)
            assert not parts.scheme and not parts.netloc, f"{html}: {url}"
            target = (html.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file() or kiosk.resolve() not in target.parents:
                broken.append(f"{html.relative_to(kiosk)} -> {url}")
    assert broken == []


def test_no_url_to_another_host_anywhere(kiosk: Path) -> None:
    for html in kiosk.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, html
        page = BeautifulSoup(text, "html.parser")
        for element in page.find_all(True):
            for name, value in element.attrs.items():
                if name in ("href", "src", "poster", "srcset", "action") or name.startswith(
                    "data-"
                ):
                    for v in value if isinstance(value, list) else [value]:
                        assert not urlsplit(str(v)).netloc, f"{html}: {name}={v}"
                        assert not str(v).startswith("//"), f"{html}: {name}={v}"
    for css in kiosk.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", css.read_text(encoding="utf-8")):
            assert url.startswith("data:") or not urlsplit(url).scheme, f"{css}: {url}"


def test_injected_room_name_and_title_cannot_break_the_config(tmp_path: Path, tone: Path) -> None:
    room = make_room(tmp_path / "room", tone)
    text = (room / "content/room.yml").read_text()
    text = text.replace("name: Test Room", f"name: '{INJECTION}'")
    text = text.replace("title: Welcome wall", f"title: '{INJECTION}'")
    (room / "content/room.yml").write_text(text)
    write(room / "mkdocs.yml", "site_name: x\n")
    out = io.StringIO()
    assert build.run(room, ("kiosk",), today=TODAY, out=out) == 0, out.getvalue()
    site = room / "build" / "kiosk"
    for rel in ("entrance/index.html", "entrance/persona/maya/index.html", "index.html"):
        raw = (site / rel).read_text(encoding="utf-8")
        assert "<script>alert(1)" not in raw, rel
        page = BeautifulSoup(raw, "html.parser")
        scripts = [s for s in page.find_all("script") if s.get("id") != "ik-config"]
        assert not [s for s in scripts if "alert" in s.get_text()], rel
        if rel != "index.html":
            assert config_of(page)["title"] == INJECTION
    entrance = soup(site, "entrance/index.html")
    assert INJECTION in entrance.select_one(".ik-quiet").get_text()


def test_a_display_with_nothing_to_show_gets_a_welcome_slide(tmp_path: Path, tone: Path) -> None:
    room = make_room(tmp_path / "room", tone)
    text = (room / "content/room.yml").read_text()
    # the only email is intranet-only: nothing is left for the kiosk
    text = text.replace(
        "tours:",
        "  - id: letters\n    title: Letters\n    playlist: {kind: email}\ntours:",
    )
    (room / "content/room.yml").write_text(text)
    out = io.StringIO()
    assert build.run(room, ("kiosk",), today=TODAY, out=out) == 0, out.getvalue()
    page = soup(room / "build/kiosk", "letters/index.html")
    (welcome,) = slides(page)
    assert welcome["class"] == ["ik-slide", "ik-slide-welcome"]
    assert not welcome.has_attr("data-ik-href")
    assert welcome.get_text(" ", strip=True) == "Test Room Letters Open 08:00–19:00"
    assert config_of(page)["display"] == "letters"


def test_playlist_by_kind_is_newest_first(tmp_path: Path, tone: Path) -> None:
    room = make_room(tmp_path / "room", tone)
    for name, date in (("p08", "2026-05-01"), ("p09", "2026-05-01"), ("p10", "2025-01-01")):
        bundle = room / "content/stories" / name
        write(
            bundle / "index.md",
            f"""
            ---
            kind: story
            title: "Story {name}"
            participant: {{pseudonym: Leah, persona: maya, consent: c-001}}
            date: {date}
            ---
            Words.
            """,
        )
    library, _problems = load(Project(room), TODAY)
    kiosk_view = for_audience(library, "kiosk", TODAY)
    renderer = KioskRenderer(
        kiosk_view,
        Staging(tmp_path / "staging"),
        KioskAssets(Staging(tmp_path / "staging"), Project(room), Renditions(), []),
        [],
    )
    display = kiosk_view.room.displays[0]
    by = {
        kind: renderer.playlist(replace(display, playlist=Playlist(kind=kind)))
        for kind in ("story", "interview", "persona")
    }
    # dates descending, then ids; the expired story is not there
    assert by["story"] == [
        ("story", "p08"),
        ("story", "p09"),
        ("story", "p07"),
        ("story", "p10"),
    ]
    assert by["interview"] == [("story", "p07")]
    assert by["persona"] == [("persona", "maya"), ("persona", "raj")]
    items = Playlist(items=(("story", "old"), ("persona", "maya"), ("persona", "maya")))
    assert renderer.playlist(replace(display, playlist=items)) == [("persona", "maya")]
