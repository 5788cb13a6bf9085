"""The intranet's quote cards, evidence, transcript lines and search, as a person meets them:
parsed from the built demo room, then used in headless Chromium (1280x800 and 390x844).

Screenshots of the interview, insight and persona pages go to
build/screenshots/intranet-evidence/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browser import CHROMIUM_FLAGS, chromium_path, serve
from bs4 import BeautifulSoup

from immersion.render.intranet.search_lines import line_entries

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "build" / "screenshots" / "intranet-evidence"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
# What ids look like in the demo room: highlight, entry, story and player ids.
ID_LIKE = re.compile(r"\b(hl-\d+|e\d+|p\d\d|rec-[\w-]+|diary-p\d+)\b")


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


# ---- the markup


def test_highlight_cards_have_one_player_an_in_context_link_and_inline_chips(
    demo_site: Path,
) -> None:
    page = soup(demo_site, "stories/p07/index.html")
    cards = page.select(".im-highlights > article.im-quote-card")
    assert len(cards) == 5
    for card in cards:
        assert len(card.select("[data-im-player]")) == 1
        assert card.select("button.im-seek, button[data-seek]") == []  # one control only
        audio = card.select_one("audio")
        assert audio["preload"] == "none" and audio["data-peaks"].endswith("peaks.json")
        start, end = float(audio["data-peaks-start"]), float(audio["data-peaks-end"])
        assert float(card["data-seek"]) == start and end > start
        links = card.select("a.im-in-context")
        assert len(links) == 1 and links[0].get_text(" ", strip=True).startswith("In context")
        line = page.select_one(links[0]["href"])  # "#rec-p07-5": a transcript line here
        assert line is not None and "im-cue" in line["class"]
        assert float(line["data-start"]) <= start + 0.5 < float(line["data-end"]) + 0.5
        chips = card.select("ul.im-chips > li.im-chip")
        assert [c.get_text() for c in chips] and card.select("span.im-chip") == []
        assert card["aria-label"].startswith("Leah, ") and " to " in card["aria-label"]


def test_the_interview_downloads_no_audio_until_played(demo_site: Path) -> None:
    page = soup(demo_site, "stories/p07/index.html")
    assert {a["preload"] for a in page.select("audio")} == {"none"}
    main = page.select_one("audio#rec-p07")
    assert float(main["data-duration"]) > 80 and main["data-peaks"]
    scripts = [s for s in page.select("script[src]")]
    assert scripts and all(s.has_attr("defer") for s in scripts)


def test_no_aria_label_names_an_id(demo_site: Path) -> None:
    for rel in (
        "stories/p07/index.html",
        "stories/diary-p11/index.html",
        "insights/one-number-to-trust/index.html",
        "personas/maya/index.html",
        "index.html",
    ):
        page = soup(demo_site, rel)
        labels = [e["aria-label"] for e in page.select("[aria-label]")]
        assert labels, rel
        assert [label for label in labels if ID_LIKE.search(label)] == [], rel


def test_insight_evidence_is_counted_clip_cards(demo_site: Path) -> None:
    page = soup(demo_site, "insights/one-number-to-trust/index.html")
    cards = page.select(".im-quote-cards > article.im-quote-card")
    who = {c.select_one(".im-meta").get_text().split(" · ")[0] for c in cards}
    assert len(cards) >= 3 and who >= {"Leah", "Kwame"}
    count = page.select_one(".im-evidence-count").get_text()
    assert count == f"{len(cards)} clips from {len(who)} participants"
    for card in cards:
        assert card.select_one("blockquote.im-quote").get_text().startswith("“")
        assert len(card.select("[data-im-player]")) == 1
        href = card.select_one("a.im-in-context")["href"]
        assert href.startswith("../../stories/")
        story, _, fragment = href.partition("#")
        target = soup(demo_site, "insights/one-number-to-trust/" + story + "index.html")
        assert target.find(id=fragment) is not None, href
    # A diary entry is heard whole, with its own peaks; a highlight from its recording's.
    diary = [c for c in cards if "/diary-p11/" in c.select_one("a.im-in-context")["href"]]
    assert diary and not diary[0].select_one("audio").has_attr("data-peaks-start")


def test_a_persona_quote_is_a_quote_card(demo_site: Path) -> None:
    page = soup(demo_site, "personas/maya/index.html")
    card = page.select_one(".im-persona-head article.im-quote-card")
    assert card is not None
    assert "I just want one number I can trust." in card.select_one("blockquote").get_text()
    assert len(card.select("[data-im-player]")) == 1
    assert card.select_one("a.im-in-context")["href"].startswith("../../stories/p07/#rec-p07-")


def test_the_home_page_lcp_photo_is_eager_and_first(demo_site: Path) -> None:
    imgs = soup(demo_site, "index.html").select(".im-cards img")
    assert imgs[0].get("fetchpriority") == "high" and not imgs[0].has_attr("loading")
    assert all(not i.has_attr("fetchpriority") for i in imgs[1:])


def test_search_has_one_entry_per_transcript_line(demo_site: Path) -> None:
    docs = json.loads((demo_site / "search/search_index.json").read_text())["docs"]
    page = soup(demo_site, "stories/p07/index.html")
    cues = page.select(".im-transcript li.im-cue")
    lines = [d for d in docs if d["location"].startswith("stories/p07/#rec-p07-")]
    assert [d["location"].split("#")[1] for d in lines] == [li["id"] for li in cues]
    for doc, li in zip(lines, cues, strict=True):
        assert doc["text"] == li.select_one(".im-cue-text").get_text()
        assert (
            doc["title"]
            == f"{li.select_one('.im-voice').get_text()} at "
            + li.select_one(".im-cue-time").get_text()
        )
        assert "tags" not in doc
    # The page comes first (material takes a page's first entry for the page itself),
    # and the transcript section no longer carries every line.
    p07 = [d for d in docs if d["location"].startswith("stories/p07/")]
    assert p07[0]["location"] == "stories/p07/"
    section = next(d for d in p07 if d["location"] == "stories/p07/#transcript")
    assert "toddler" not in section["text"]
    hits = [d for d in docs if "toddler on my hip" in d["text"]]
    assert any(d["location"] == "stories/p07/#rec-p07-11" and len(d["text"]) < 200 for d in hits)
    assert "data-search-exclude" not in (demo_site / "stories/p07/index.html").read_text()


def test_line_entries_reads_the_players_markup() -> None:
    html = (
        '<div class="im-transcript" data-for="rec-x"><ol class="im-cues">'
        '<li class="im-cue" id="rec-x-1" data-start="1.000" data-end="2.000">'
        '<button type="button" class="im-cue-time">0:01</button> '
        '<span class="im-voice">Ana</span> <span class="im-cue-text">Fish &amp; chips</span></li>'
        '<li class="im-cue" id="rec-x-2"><span class="im-cue-time">0:04</span> '
        '<span class="im-cue-text"> </span></li></ol></div>'
    )
    assert line_entries("s/x/", html) == [
        {"location": "s/x/#rec-x-1", "title": "Ana at 0:01", "text": "Fish &amp; chips"}
    ]


# ---- in Chromium


@pytest.fixture(scope="module")
def base(demo_site: Path) -> Iterator[str]:
    with serve(demo_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=chromium_path(),
            args=[*CHROMIUM_FLAGS, "--autoplay-policy=no-user-gesture-required"],
        )
        yield b
        b.close()


def open_page(browser: Browser, url: str, size: str = "desktop") -> tuple[Page, list[str]]:
    w, h = SIZES[size]
    page = browser.new_page(viewport={"width": w, "height": h})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on(
        "console",
        lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error",) else None,
    )
    page.goto(url)
    page.wait_for_function("window.immersionPlayers")
    return page, problems


def drawn(page: Page, selector: str) -> list[int]:
    """Non-transparent pixels of the first waveform canvas of each element."""
    result: list[int] = page.evaluate(
        """sel => [...document.querySelectorAll(sel)].map(card => {
            const c = card.querySelector('canvas.im-wave');
            if (!c || !c.width) return 0;
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
            return n;
        })""",
        selector,
    )
    return result


@pytest.mark.parametrize("size", list(SIZES))
def test_quote_cards_in_the_browser(browser: Browser, base: str, size: str) -> None:
    page, problems = open_page(browser, base + "/stories/p07/", size)
    page.wait_for_function(
        "[...document.querySelectorAll('.im-highlights .im-player')]"
        ".every(p => p.querySelector('canvas.im-wave'))"
    )
    page.wait_for_timeout(200)  # the ResizeObserver's first draw
    assert all(n > 200 for n in drawn(page, ".im-highlights .im-quote-card"))
    # Chips are as wide as their word (plus padding), never the card's width.
    chips: list[dict[str, float]] = page.evaluate(
        """() => [...document.querySelectorAll('.im-chips > .im-chip')].map(c => {
            const r = document.createRange(); r.selectNodeContents(c);
            return {w: c.getBoundingClientRect().width, text: r.getBoundingClientRect().width,
                    col: c.closest('.im-quote-card').getBoundingClientRect().width};
        })"""
    )
    assert chips
    for chip in chips:
        assert chip["w"] < chip["text"] + 24 and chip["w"] < chip["col"] / 2
    # Nothing of the card spills out of it.
    spill = page.evaluate(
        """() => [...document.querySelectorAll('.im-quote-card')].filter(c =>
            c.scrollWidth > c.clientWidth + 1).length"""
    )
    assert spill == 0
    # No audio was fetched to show the page (preload="none"; peaks draw the waves).
    media = page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => /\\.(opus|m4a)$/.test(n))"
    )
    assert media == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"interview-{size}.png"), full_page=True)
    for rel, name in (
        ("/insights/one-number-to-trust/", "insight"),
        ("/personas/maya/", "persona"),
    ):
        page.goto(base + rel)
        page.wait_for_function(
            "[...document.querySelectorAll('.im-quote-card .im-player')]"
            ".every(p => p.querySelector('canvas.im-wave'))"
        )
        page.wait_for_timeout(200)
        assert all(n > 200 for n in drawn(page, ".im-quote-card"))
        page.screenshot(path=str(SHOTS / f"{name}-{size}.png"), full_page=True)
    page.close()
    assert problems == []


def audio_state(page: Page, ident: str = "rec-p07") -> dict[str, Any]:
    state: dict[str, Any] = page.evaluate(
        """id => { const a = document.getElementById(id);
            return {time: a.currentTime, paused: a.paused,
                    marked: [...document.querySelectorAll('.im-cue-current')].map(e => e.id)}; }""",
        ident,
    )
    return state


def test_clicking_the_words_of_a_line_seeks_and_a_drag_does_not(
    browser: Browser, base: str
) -> None:
    page, problems = open_page(browser, base + "/stories/p07/")
    words = page.locator("#rec-p07-8 .im-cue-text")
    box = words.bounding_box()
    assert box is not None
    # A drag across the words selects them, to copy a quote: no seek.
    page.mouse.move(box["x"] + 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
    assert page.evaluate("getSelection().toString().length") > 10
    assert audio_state(page)["time"] == 0
    page.evaluate("getSelection().removeAllRanges()")
    words.click()
    page.wait_for_function("document.getElementById('rec-p07').currentTime >= 39.7")
    state = audio_state(page)
    assert state["marked"] == ["rec-p07-8"] and not state["paused"]
    page.close()
    assert problems == []


@pytest.mark.parametrize("size", list(SIZES))
def test_a_search_result_lands_on_its_line(browser: Browser, base: str, size: str) -> None:
    page, problems = open_page(browser, base + "/", size)
    if size == "phone":
        page.locator("label[for=__search]").first.click()
    else:
        page.keyboard.press("/")
    page.keyboard.type("survey")
    page.wait_for_selector(".md-search-result__item")
    page.wait_for_timeout(300)
    item = page.locator(".md-search-result__item", has_text="Leah: three prices").first
    head = item.locator("a.md-search-result__link").first
    # The result's head goes to the line, not the top of the page with an empty ?h=.
    assert re.search(r"/stories/p07/\?h=survey#rec-p07-6$", head.get_attribute("href") or "")
    line = item.locator("a.md-search-result__link", has_text="Leah at 0:30")
    teaser = line.inner_text()
    assert "survey" in teaser and len(teaser) < 200  # one line, not the transcript
    head.click()
    page.wait_for_url(re.compile(r"#rec-p07-6$"))
    page.wait_for_function("window.immersionPlayers")
    page.wait_for_function("document.getElementById('rec-p07').readyState >= 1")
    state = audio_state(page)
    start = float(page.get_attribute("#rec-p07-6", "data-start") or "nan")
    assert abs(state["time"] - start) < 0.05 and state["marked"] == ["rec-p07-6"]
    top, bottom = page.evaluate(
        "(() => { const r = document.getElementById('rec-p07-6').getBoundingClientRect();"
        " return [r.top, r.bottom]; })()"
    )
    assert top >= 48 and bottom <= SIZES[size][1]  # in view, below the sticky header
    page.screenshot(path=str(SHOTS / f"search-landed-{size}.png"))
    page.close()
    assert problems == []


def test_in_context_from_an_insight_lands_on_the_line(browser: Browser, base: str) -> None:
    page, problems = open_page(browser, base + "/insights/one-number-to-trust/")
    link = page.locator(".im-quote-card a.im-in-context").first
    href = link.get_attribute("href") or ""
    link.click()
    fragment = href.split("#")[1]
    page.wait_for_url(re.compile("#" + fragment + "$"))
    page.wait_for_function("document.getElementById('rec-p07').readyState >= 1")
    state = audio_state(page)
    start = float(page.get_attribute("#" + fragment, "data-start") or "nan")
    assert abs(state["time"] - start) < 0.05 and state["marked"] == [fragment]
    page.close()
    assert problems == []
