"""The demo room's journey map, home page and stories index in Chromium, at the
intranet's two sizes: what a person sees, measured, and screenshots to look at.

Screenshots go to build/screenshots/intranet-journeys/ of the repository (CI keeps it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium, serve
from conftest import REPO

SHOTS = REPO / "build" / "screenshots" / "intranet-journeys"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
JOURNEY = "journeys/moving-home/"
SITE_NAME = "Customer Immersion Room"
EMOTION = re.compile(r"^(?:[^:]+: )?(?:very )?(?:negative|neutral|positive)$")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def base(demo_site: Path) -> Iterator[str]:
    with serve(demo_site) as url:
        yield url


@pytest.fixture(params=list(SIZES))
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    width, height = SIZES[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    p = context.new_page()
    p.size_name = request.param  # for the screenshots' names
    try:
        yield p
    finally:
        context.close()


def open_page(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def shot(page: Any, name: str, full: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    width, height = SIZES[page.size_name]
    page.screenshot(path=str(SHOTS / f"{name}-{width}x{height}.png"), full_page=full)


# What the map shows, read in the page: one pass, so the tests below stay fast.
MEASURE = r"""() => {
  const map = document.querySelector('.im-journey-map');
  const scroller = map.querySelector('.im-stages-scroll');
  const px = el => parseFloat(getComputedStyle(el).fontSize);
  const visible = el => !!el && el.offsetParent !== null &&
    getComputedStyle(el).visibility !== 'hidden';
  const labels = [...map.querySelectorAll(
    '.im-legend li, .im-axis span, thead th, tbody th[scope=row], .im-emotion')];
  const heads = [...map.querySelectorAll('thead th')].map(th => {
    const r = th.getBoundingClientRect();
    return {title: th.querySelector('.im-stage-title').textContent,
            centre: r.left + r.width / 2, right: r.right};
  });
  const points = [...map.querySelectorAll('.im-strip circle.point')].map(c => {
    const r = c.getBoundingClientRect();
    const title = (c.closest('a') || c).querySelector('title').textContent;
    return {title, centre: r.left + r.width / 2};
  });
  const emotionRow = [...map.querySelectorAll('tbody tr')]
    .find(tr => tr.querySelector('th').textContent === 'Emotion');
  return {
    sizes: labels.map(el => [el.textContent.trim().slice(0, 30), px(el)]),
    svgText: map.querySelectorAll('svg text').length,
    heads, points,
    emotions: [...emotionRow.querySelectorAll('.im-emotion')]
      .map(e => e.textContent.replace(/\s+/g, ' ').trim()),
    scroll: {width: scroller.scrollWidth, client: scroller.clientWidth},
    pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
    toc: visible(document.querySelector('.md-sidebar--secondary')),
    nav: visible(document.querySelector('.md-sidebar--primary')),
    viewport: window.innerWidth,
  };
}"""


def test_journey_map_reads_at_every_size(page: Any, base: str) -> None:
    open_page(page, base + JOURNEY)
    shot(page, "journey", full=True)
    m = page.evaluate(MEASURE)

    # Every label of the chart and the map is text of at least 12 CSS px.
    small = [(text, size) for text, size in m["sizes"] if size < 12]
    assert small == [], small
    assert m["svgText"] == 0  # nothing written inside the drawing, where it would shrink

    # Each stage's points are over the centre of its column (the lines' nudge is 3 px).
    assert len(m["heads"]) == 6
    for head in m["heads"]:
        mine = [p for p in m["points"] if f" at {head['title']}:" in p["title"]]
        assert mine, head["title"]
        for point in mine:
            assert abs(point["centre"] - head["centre"]) <= 4, (head, point)

    # Emotions in words, never "-1 / +1".
    assert m["emotions"] and all(EMOTION.match(e) for e in m["emotions"]), m["emotions"]
    assert not any(re.search(r"[+-]\d", p["title"]) for p in m["points"])

    # No table of contents; the page itself never scrolls sideways.
    assert m["toc"] is False
    assert m["pageOverflow"] <= 0
    if page.size_name == "desktop":
        # The whole map in view: no nav sidebar, no sideways scrolling, all six stages.
        assert m["nav"] is False
        assert m["scroll"]["width"] <= m["scroll"]["client"], m["scroll"]
        assert all(h["right"] <= m["viewport"] for h in m["heads"])
    else:
        assert m["scroll"]["width"] > m["scroll"]["client"]


def test_phone_map_scrolls_as_one_with_its_curve(page: Any, base: str) -> None:
    if page.size_name != "phone":
        pytest.skip("the desktop map does not scroll")
    open_page(page, base + JOURNEY)
    before = page.evaluate(MEASURE)
    scroller = page.locator(".im-stages-scroll")
    scroller.evaluate("el => el.scrollBy({left: 400, behavior: 'instant'})")
    scrolled = scroller.evaluate("el => el.scrollLeft")
    assert scrolled > 100
    after = page.evaluate(MEASURE)
    # Heads and points moved by the same distance: still aligned, column by column.
    for b, a in zip(before["heads"], after["heads"], strict=True):
        assert abs((b["centre"] - a["centre"]) - scrolled) <= 1
    for b, a in zip(before["points"], after["points"], strict=True):
        assert abs((b["centre"] - a["centre"]) - scrolled) <= 1
    for head in after["heads"]:
        for point in (p for p in after["points"] if f" at {head['title']}:" in p["title"]):
            assert abs(point["centre"] - head["centre"]) <= 4
    # The row labels and the curve's axis stay in view while the stages move.
    axis = page.locator(".im-axis-cell").bounding_box()
    assert axis is not None and 0 <= axis["x"] <= 20
    page.locator(".im-journey-map").scroll_into_view_if_needed()
    page.wait_for_timeout(400)  # the header's title swap is animated; shoot it settled
    shot(page, "journey-scrolled")


def test_home_and_stories_are_named_once(page: Any, base: str) -> None:
    open_page(page, base)
    assert page.title() == SITE_NAME
    shot(page, "home")
    open_page(page, base + "stories/")
    assert page.title() == f"Stories - {SITE_NAME}"
    heading = page.locator("article h1").evaluate("h => h.firstChild.textContent")
    assert heading == "Stories"
    sub = page.locator("article h2").evaluate_all("hs => hs.map(h => h.firstChild.textContent)")
    assert "Storys" not in sub and "Written stories" in sub
    shot(page, "stories")
