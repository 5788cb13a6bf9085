"""Every item page of the demo room's kiosk, at its display's own resolution, in Chromium.

The demo room is built with test-only displays (demo_displays.py) so that every kind of
item, and every kind of story, is seen at 1920x1080, 3840x2160 and 1080x1920. A page
whose item and size another display already showed is not measured twice.

What a visitor sees on the wall: text sized in the display's height (body >= 2.8%,
the title >= 6%), the page within two screens, the screen's width used, no sideways
overflow, A+ making the text larger, and the journey's stages swiped one at a time.
Screenshots go to build/screenshots/kiosk-pages/<display>-<kind>-<id>.png for a person.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium, serve
from conftest import REPO
from demo_displays import SIZES, demo_kiosk

SHOTS = REPO / "build" / "screenshots" / "kiosk-pages"
# What a visitor can open: each kind of item, each story by its own kind.
KINDS = {"persona", "journey", "insight", "action"} | {
    f"story:{k}" for k in ("interview", "audio-diary", "photo-film", "email", "story")
}
OPEN = "2026-11-23T10:00:00+00:00"  # the room is open: no quiet overlay

# Body text: every element whose own text a visitor reads (not the chart's labels,
# which are an SVG of their own, nor the hidden time buttons of captions).
MEASURE = """() => {
  const vh = innerHeight, vw = innerWidth, root = document.querySelector('.ik-item');
  const visible = (e) => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const read = 'p, li, dd, dt, blockquote, .im-cue-text, .ik-back, .ik-textsize button';
  const texts = [...root.querySelectorAll(read)]
    .filter((e) => !e.closest('svg') && visible(e) &&
      [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()));
  const sizes = texts.map((e) => [parseFloat(getComputedStyle(e).fontSize),
    e.className || e.tagName, e.textContent.trim().slice(0, 40)]);
  const smallest = sizes.reduce((a, b) => (b[0] < a[0] ? b : a), [1e9, '', '']);
  let left = vw, right = 0;
  for (const e of root.children) {
    if (!visible(e) || e.matches('script, .ik-back, .ik-textsize')) continue;
    const r = e.getBoundingClientRect();
    left = Math.min(left, r.left); right = Math.max(right, r.right);
  }
  const h1 = root.querySelector('h1');
  const story = root.querySelector('.ik-head-story');
  const storyKind = story && [...story.classList].find((c) => c.startsWith('ik-story-'));
  const kind = story ? 'story:' + storyKind.slice(9) : location.pathname.split('/').at(-3);
  return { vh, vw, smallest, count: texts.length, kind,
    h1: h1 ? parseFloat(getComputedStyle(h1).fontSize) : 0,
    height: document.scrollingElement.scrollHeight, width: document.scrollingElement.scrollWidth,
    used: (right - left) / vw };
}"""


def pages(site: Path) -> list[tuple[str, str, str]]:
    """(display, kind, id) of every item page, each item once per screen size."""
    found, seen = [], set()
    for display, size in SIZES.items():
        for page in sorted((site / display).glob("*/*/index.html")):
            kind, ident = page.parent.parent.name, page.parent.name
            if (size, kind, ident) not in seen:
                seen.add((size, kind, ident))
                found.append((display, kind, ident))
    return found


@pytest.fixture(scope="module")
def kiosk_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = demo_kiosk(tmp_path_factory)
    assert (site / "index.html").is_file()
    return site


@pytest.fixture(scope="module")
def kiosk_url(kiosk_site: Path) -> Iterator[str]:
    with serve(kiosk_site) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def measured(browser: Any, kiosk_url: str, kiosk_site: Path) -> dict[str, dict[str, Any]]:
    """Each page opened once at its display's size: its figures, and its screenshot."""
    if SHOTS.exists():
        shutil.rmtree(SHOTS)  # no screenshot of a page that is gone
    SHOTS.mkdir(parents=True)
    figures: dict[str, dict[str, Any]] = {}
    found = pages(kiosk_site)
    for display, (width, height) in SIZES.items():
        mine = [p for p in found if p[0] == display]
        if not mine:
            continue
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.clock.install(time=OPEN)
        for _, kind, ident in mine:
            name = f"{display}-{kind}-{ident}"
            page.goto(f"{kiosk_url}{display}/{kind}/{ident}/")
            page.wait_for_load_state("load")
            page.evaluate("document.fonts.ready")
            figures[name] = page.evaluate(MEASURE)
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        context.close()
    (SHOTS / "pages.json").write_text(json.dumps(figures, indent=1))
    return figures


def test_every_kind_is_seen_at_every_size(measured: dict[str, dict[str, Any]]) -> None:
    for size in set(SIZES.values()):
        seen = {f["kind"] for f in measured.values() if (f["vw"], f["vh"]) == size}
        assert seen == KINDS, size


def test_text_is_sized_in_the_displays_height(measured: dict[str, dict[str, Any]]) -> None:
    small = {
        name: (f["smallest"], round(f["vh"] * 0.028, 1))
        for name, f in measured.items()
        if f["count"] == 0 or f["smallest"][0] < f["vh"] * 0.028 - 0.01
    }
    assert small == {}
    titles = {n: f["h1"] for n, f in measured.items() if f["h1"] < f["vh"] * 0.06 - 0.01}
    assert titles == {}


def test_every_page_fits_two_screens(measured: dict[str, dict[str, Any]]) -> None:
    """On landscape screens every page, and on the demo's own portrait display (the
    listening post) its diary, fits two screens. Not yet every kind on a portrait
    screen: journeys, interviews, films, written stories, insights and actions there
    are 2.3 to 3.3 screens (docs/kiosk.md, known limits); pages.json has the figures."""
    fits = {
        n: f for n, f in measured.items() if f["vw"] > f["vh"] or n.startswith("listening-post-")
    }
    assert len(fits) >= 18
    tall = {
        n: round(f["height"] / f["vh"], 2) for n, f in fits.items() if f["height"] > 2 * f["vh"]
    }
    assert tall == {}


def test_no_page_overflows_sideways(measured: dict[str, dict[str, Any]]) -> None:
    wide = {n: f["width"] for n, f in measured.items() if f["width"] > f["vw"]}
    assert wide == {}


def test_the_content_uses_the_screens_width(measured: dict[str, dict[str, Any]]) -> None:
    # landscape pages lay out in columns; a portrait page is one column edge to edge
    narrow = {n: round(f["used"], 2) for n, f in measured.items() if f["used"] < 0.85}
    assert narrow == {}


def test_a_plus_makes_the_text_larger(browser: Any, kiosk_url: str) -> None:
    context = browser.new_context(viewport={"width": 3840, "height": 2160})
    page = context.new_page()
    page.goto(kiosk_url + "journey-wall/persona/maya/")
    size = "() => parseFloat(getComputedStyle(document.querySelector('.ik-item li')).fontSize)"
    before = page.evaluate(size)
    page.get_by_role("button", name="Larger text").click()
    page.get_by_role("button", name="Larger text").click()
    assert page.evaluate(size) == pytest.approx(before * 1.5, rel=0.01)
    page.get_by_role("button", name="Smaller text").click()
    assert page.evaluate(size) == pytest.approx(before * 1.25, rel=0.01)
    context.close()


@pytest.mark.parametrize("display", ["journey-wall", "entrance"])
def test_the_journeys_stages_scroll_one_at_a_time(
    browser: Any, kiosk_url: str, display: str
) -> None:
    width, height = SIZES[display]
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True)
    page = context.new_page()
    page.goto(f"{kiosk_url}{display}/journey/moving-home/")
    stages = page.locator(".ik-stages")
    figures = stages.evaluate(
        """(ol) => { const cs = getComputedStyle(ol), cards = [...ol.children];
          return { snap: cs.scrollSnapType, overflow: cs.overflowX, touch: cs.touchAction,
            perScreen: ol.clientWidth / cards[0].getBoundingClientRect().width,
            lefts: cards.map((c) => c.offsetLeft - ol.firstElementChild.offsetLeft),
            curve: getComputedStyle(document.querySelector('.ik-curve')).position }; }"""
    )
    assert figures["snap"].startswith("x mandatory") and figures["overflow"] == "auto"
    assert "pan-x" in figures["touch"]
    assert 1.9 < figures["perScreen"] < 2.2  # two stage cards to a landscape screen
    assert figures["curve"] == "sticky"  # the curve stays above the stages
    # A nudge snaps to the next stage's start, not somewhere between two stages.
    stages.evaluate(
        "(ol) => { ol.style.scrollBehavior = 'auto';"
        " ol.scrollLeft = ol.children[1].offsetLeft * 0.7; }"
    )
    page.wait_for_function(
        "(lefts) => { const ol = document.querySelector('.ik-stages');"
        " return lefts.some((l) => Math.abs(ol.scrollLeft - l) < 2); }",
        arg=figures["lefts"],
    )
    at = stages.evaluate("(ol) => ol.scrollLeft")
    assert min(abs(at - left) for left in figures["lefts"]) < 2
    assert at > 0
    # The next button (the browser's own ::scroll-button) moves by a stage, by touch too.
    stages.evaluate("(ol) => { ol.scrollLeft = 0; ol.style.scrollBehavior = 'auto'; }")
    box = stages.bounding_box()
    assert box is not None
    # The buttons sit in the bar above the cards, the next one at its right end; the bar
    # is as tall as the back link.
    bar = page.evaluate("document.querySelector('.ik-back').getBoundingClientRect().height")
    gap = height * 0.035
    page.touchscreen.tap(box["x"] + box["width"] - bar * 0.75, box["y"] - gap / 2 - bar / 2)
    page.wait_for_function("document.querySelector('.ik-stages').scrollLeft > 0")
    at = stages.evaluate("(ol) => ol.scrollLeft")
    assert min(abs(at - left) for left in figures["lefts"][1:]) < 2
    context.close()


def test_no_ids_in_labels(kiosk_site: Path) -> None:
    from bs4 import BeautifulSoup

    for html in kiosk_site.glob("*/*/*/index.html"):
        for element in BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").select(
            "[aria-label]"
        ):
            assert "hl-" not in element["aria-label"], (html, element["aria-label"])
