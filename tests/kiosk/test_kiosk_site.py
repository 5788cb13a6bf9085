"""The demo room's kiosk build in Chromium: every display, its items, offline, axe.

The runtime's behaviours are tested one by one on small pages in
test_kiosk_runtime.py; here the real build is driven end to end at each
display's own resolution, with the room open (10:00 in London on a fake clock).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium, serve
from bs4 import BeautifulSoup

OPEN = "2026-11-23T10:00:00+00:00"  # a Monday, 10:00 in London: the room is open


@pytest.fixture(scope="module")
def kiosk_site(demo_site: Path) -> Path:
    site = demo_site.parent / "kiosk"
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


def config(site: Path, display: str) -> dict[str, Any]:
    page = BeautifulSoup((site / display / "index.html").read_text(), "html.parser")
    found = page.select_one("#ik-config")
    assert found is not None
    return json.loads(found.get_text())


def displays(site: Path) -> list[str]:
    return sorted(p.parent.name for p in site.glob("*/sw.js"))


class Display:
    """One display's browser context at its resolution, with what it logged and fetched."""

    def __init__(self, browser: Any, base: str, conf: dict[str, Any], viewport: Any = None):
        width, height = conf["resolution"]
        self.context = browser.new_context(viewport=viewport or {"width": width, "height": height})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None,
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.base = base

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_display(browser: Any, kiosk_url: str, kiosk_site: Path) -> Iterator[Any]:
    opened: list[Display] = []

    def opener(display: str, viewport: Any = None, clock: bool = True) -> Display:
        d = Display(browser, kiosk_url, config(kiosk_site, display), viewport)
        if clock:
            d.page.clock.install(time=OPEN)
        d.page.goto(kiosk_url + display + "/")
        opened.append(d)
        return d

    yield opener
    for d in opened:
        errors, requests = d.errors, d.requests
        d.close()
        assert errors == []
        assert [u for u in requests if not u.startswith(kiosk_url)] == []


def test_every_display_starts_its_loop(open_display: Any, kiosk_site: Path) -> None:
    names = displays(kiosk_site)
    assert names == ["entrance", "journey-wall", "listening-post"]
    for name in names:
        d = open_display(name)
        d.page.wait_for_selector(".ik-slide.ik-current", state="attached")
        state = d.page.evaluate("immersionKiosk.state()")
        assert state["closed"] is False and state["slide"] >= 0
        slides = d.page.locator(".ik-slide").count()
        cycle = config(kiosk_site, name)["cycle"]
        assert len(cycle) == slides
        # Hold the clock while the slide and its turn are read: with time flowing, the turn
        # may end between two reads (the slide at 10:00 plus the page's load time varies).
        d.page.clock.pause_at((d.page.evaluate("Date.now()") + 1000) / 1000)  # seconds
        first, left = d.page.evaluate(
            "() => [immersionKiosk.current(), immersionKiosk.turn().end - Date.now()]"
        )
        # Past the turn's end by more than the runtime's one-second beat, so a beat falls in it.
        d.page.clock.run_for(left + 1100)
        assert d.page.evaluate("immersionKiosk.current()") == (first + 1) % slides


def test_a_tap_opens_the_item_and_back_returns(open_display: Any) -> None:
    d = open_display("entrance")
    # Hold the clock: slides have their own lengths now, and one may end mid-click.
    d.page.clock.pause_at((d.page.evaluate("Date.now()") + 1000) / 1000)  # seconds
    current = d.page.locator(".ik-slide.ik-current")
    href = current.get_attribute("data-ik-href")
    current.locator(".ik-open").click()
    d.page.wait_for_url("**/entrance/" + href)
    assert d.page.locator("[data-ik-item-page]").count() == 1
    d.page.locator(".ik-back").click()
    d.page.wait_for_url("**/entrance/")


def test_every_link_stays_inside_the_kiosk(kiosk_site: Path) -> None:
    pages = list(kiosk_site.rglob("*.html"))
    assert len(pages) > 10
    for html in pages:
        for link in BeautifulSoup(html.read_text(), "html.parser").select("a[href]"):
            href = link["href"]
            assert "://" not in href and not href.startswith("//"), (html, href)
            target = (html.parent / href.partition("#")[0]).resolve()
            assert target.is_relative_to(kiosk_site.resolve()), (html, href)


def test_the_display_keeps_going_offline(open_display: Any, kiosk_site: Path) -> None:
    # The installed clock keeps running at real speed from 10:00, so timers still fire.
    d = open_display("entrance")
    d.page.wait_for_function(
        "navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)",
        timeout=20_000,
    )
    hrefs = d.page.evaluate(
        "[...document.querySelectorAll('.ik-slide')].map(s => s.dataset.ikHref)"
    )
    assert len(hrefs) == config_slides(kiosk_site, "entrance")
    d.context.set_offline(True)
    d.page.reload()
    d.page.wait_for_selector(".ik-slide.ik-current", state="attached")
    for href in hrefs:
        d.page.goto(d.base + "entrance/" + href)
        assert d.page.locator("[data-ik-item-page]").count() == 1, href
    # A recording still seeks: the worker answers Range requests from its cache.
    d.page.goto(d.base + "entrance/story/p07/")
    d.page.evaluate(
        """() => new Promise((resolve, reject) => {
            const a = document.getElementById('rec-p07');
            a.addEventListener('seeked', resolve, {once: true});
            a.addEventListener('error', () => reject('error'), {once: true});
            const go = () => { a.currentTime = 40; };
            if (a.readyState >= 1) go(); else { a.addEventListener('loadedmetadata', go,
                {once: true}); a.load(); }
        })"""
    )
    assert abs(d.page.evaluate("document.getElementById('rec-p07').currentTime") - 40) < 0.5
    d.context.set_offline(False)


def config_slides(site: Path, display: str) -> int:
    page = BeautifulSoup((site / display / "index.html").read_text(), "html.parser")
    return len(page.select(".ik-slide"))


ITEM_PAGES = {
    "persona": "entrance/persona/maya/",
    "journey": "entrance/journey/moving-home/",
    "interview": "entrance/story/p07/",
    "story": "entrance/story/story-p19/",
    "audio-diary": "entrance/story/diary-p11/",
    "photo-film": "entrance/story/film-p14/",
    "email": "journey-wall/story/email-p11/",
    "insight": "entrance/insight/one-number-to-trust/",
    "action": "entrance/action/single-moving-price/",
}
ORIENTATIONS = {"landscape": (1920, 1080), "portrait": (1080, 1920)}


def serious(page: Any) -> list[Any]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("orientation", list(ORIENTATIONS))
def test_no_serious_accessibility_violations(
    open_display: Any, kiosk_site: Path, orientation: str
) -> None:
    width, height = ORIENTATIONS[orientation]
    viewport = {"width": width, "height": height}
    d = open_display("entrance" if orientation == "landscape" else "listening-post", viewport)
    d.page.wait_for_selector(".ik-slide.ik-current", state="attached")
    found = {"entry": serious(d.page)}
    for kind, path in ITEM_PAGES.items():
        assert (kiosk_site / path / "index.html").is_file(), path
        d.page.goto(d.base + path)
        found[kind] = serious(d.page)
    assert found == {kind: [] for kind in found}


def test_every_target_is_big_enough_to_touch(open_display: Any) -> None:
    # 43.9, not 44: the burn-in drift moves the page by fractions of a pixel, and a
    # moved 44 px box can measure 43.99.
    d = open_display("entrance")
    small = []
    for path in ("entrance/", *ITEM_PAGES.values()):
        d.page.goto(d.base + path)
        small += d.page.evaluate(
            """(path) => [...document.querySelectorAll(
                'a[href], button, [role=button], input, select, [tabindex]:not([tabindex="-1"])')]
              .filter(e => e.offsetParent !== null || getComputedStyle(e).position === 'fixed')
              .map(e => [path, e.className || e.tagName, e.getBoundingClientRect()])
              .filter(([, , r]) => r.width > 0 && (r.width < 43.9 || r.height < 43.9))
              .map(([p, c, r]) => `${p} ${c} ${Math.round(r.width)}x${Math.round(r.height)}`)""",
            path,
        )
    assert small == []
