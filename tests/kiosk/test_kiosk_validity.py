"""Displays drop what is past its valid_until by their own clock (kiosk.js, sw.js).

The demo room's kiosk as built: Bex's written story (`story/story-p19`, consent c-019)
ends at the start of 10 December 2030 in London. The page's time is Playwright's fake
clock; a service worker runs on the real clock, so its test rewrites the dates of a
copy of the site to instants that are past (or, for fail-closed, ahead of a BUILT in
the far future) whatever today is.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium, serve

BEX = "story/story-p19"
BEX_ITEM = "story:story-p19"  # the slide's data-ik-item
BEFORE = "2030-12-09T23:59:58+00:00"  # two seconds before Bex's consent ends (GMT in December)
MORNING = "2030-12-10T10:00:00+00:00"  # the room is open, Bex's consent has ended


@pytest.fixture(scope="module")
def kiosk_site(demo_site: Path) -> Path:
    return demo_site.parent / "kiosk"


@pytest.fixture(scope="module")
def kiosk_url(kiosk_site: Path) -> Iterator[str]:
    with serve(kiosk_site) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    yield p
    context.close()
    assert errors == []


def bex_index(p: Any) -> int:
    items = p.eval_on_selector_all(".ik-slide", "els => els.map(e => e.dataset.ikItem)")
    return int(items.index(BEX_ITEM))


def test_the_slide_leaves_the_cycle_at_the_moment_the_consent_ends(
    page: Any, kiosk_url: str
) -> None:
    page.clock.install(time="2030-12-09T23:59:00+00:00")
    page.goto(kiosk_url + "entrance/")
    page.wait_for_function("window.immersionKiosk")
    page.clock.pause_at(dt_seconds(BEFORE))  # the clock held: page load takes real time
    i = bex_index(page)
    assert page.get_attribute(f".ik-slide >> nth={i}", "data-ik-valid-until") == (
        "2030-12-10T00:00:00+00:00"
    )
    full = page.evaluate("immersionKiosk.cycle()")
    assert i not in page.evaluate("immersionKiosk.state()")["expired"]
    page.clock.run_for(1500)
    assert i not in page.evaluate("immersionKiosk.state()")["expired"]  # 23:59:59.5
    page.clock.run_for(1000)
    assert page.evaluate("immersionKiosk.state()")["expired"] == [i]
    assert len(page.evaluate("immersionKiosk.cycle()")) == len(full) - 1
    # In the morning the loop walks a whole cycle of what is left, and never reaches Bex.
    page.clock.pause_at(dt_seconds(MORNING))
    shown = set()
    for _ in range(len(full) + 1):
        left = page.evaluate("immersionKiosk.turn().end - Date.now()")
        page.clock.run_for(left + 1100)
        shown.add(page.evaluate("immersionKiosk.current()"))
    assert i not in shown and len(shown) == len(full) - 1


def dt_seconds(iso: str) -> float:
    import datetime as dt

    return dt.datetime.fromisoformat(iso).timestamp()


def test_an_item_page_past_its_date_returns_to_the_loop(page: Any, kiosk_url: str) -> None:
    page.clock.install(time=MORNING)
    page.goto(kiosk_url + "entrance/" + BEX + "/")
    page.wait_for_url(kiosk_url + "entrance/")


def test_an_item_page_before_its_date_stays(page: Any, kiosk_url: str) -> None:
    page.clock.install(time="2030-12-09T10:00:00+00:00")
    page.goto(kiosk_url + "entrance/" + BEX + "/")
    page.wait_for_function("window.immersionKiosk")
    page.clock.run_for(5000)
    assert page.url == kiosk_url + "entrance/" + BEX + "/"


def test_a_clock_set_back_never_brings_it_back(browser: Any, kiosk_url: str) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        p = context.new_page()
        p.clock.install(time=MORNING)
        p.goto(kiosk_url + "entrance/")
        p.wait_for_function("window.immersionKiosk")
        i = bex_index(p)
        assert p.evaluate("immersionKiosk.state()")["expired"] == [i]
        p.close()
        # The real-time clock's battery died: the display now reads 1 January 2020,
        # earlier than its build (22 November 2026). Bex stays gone.
        p = context.new_page()
        p.clock.install(time="2020-01-01T10:00:00+00:00")
        p.goto(kiosk_url + "entrance/")
        p.wait_for_function("window.immersionKiosk")
        assert p.evaluate("immersionKiosk.state()")["expired"] == [i]
        p.goto(kiosk_url + "entrance/" + BEX + "/")
        p.wait_for_url(kiosk_url + "entrance/")
    finally:
        context.close()


def test_a_fresh_display_with_its_clock_before_the_build_uses_the_build(
    browser: Any, kiosk_url: str
) -> None:
    context = browser.new_context()
    try:
        p = context.new_page()
        p.clock.install(time="2020-01-01T10:00:00+00:00")
        p.goto(kiosk_url + "entrance/")
        p.wait_for_function("window.immersionKiosk")
        assert p.evaluate("immersionKiosk.state()")["expired"] == []  # valid at the build
    finally:
        context.close()


# ---- the service worker, offline, on the real clock --------------------------------


def rewrite(site: Path, tmp: Path, built: str, until: str) -> Path:
    """A copy of the kiosk whose entrance worker has BUILT `built` and Bex ending `until`."""
    copy = tmp / "kiosk"
    shutil.copytree(site, copy)
    sw = copy / "entrance" / "sw.js"
    text = sw.read_text()
    head = re.search(r"const VALID_UNTIL = (\{.*?\});\n", text)
    assert head is not None
    dates = json.loads(head.group(1))
    bex = [u for u in dates if u.startswith(BEX)]
    assert bex == [BEX + "/"]
    media = [u for u in dates if "/media/stories/story-p19/" in u]
    for u in [*bex, *media]:
        dates[u] = until
    text = text.replace(head.group(0), f"const VALID_UNTIL = {json.dumps(dates)};\n")
    text = re.sub(r'const BUILT = "[^"]*";', f"const BUILT = {json.dumps(built)};", text)
    sw.write_text(text)
    return copy


@pytest.mark.parametrize(
    ("built", "until"),
    [
        ("2026-11-22T00:00:00+00:00", "2001-01-01T00:00:00+00:00"),  # ended long ago
        # Fail closed: the worker's clock reads earlier than its build; the build's instant
        # is past Bex's end, so Bex is gone although the clock says otherwise.
        ("2999-01-02T00:00:00+00:00", "2999-01-01T00:00:00+00:00"),
    ],
)
def test_offline_the_worker_neither_serves_nor_keeps_an_ended_item(
    browser: Any, kiosk_site: Path, tmp_path: Path, built: str, until: str
) -> None:
    site = rewrite(kiosk_site, tmp_path, built, until)
    with serve(site) as base:
        context = browser.new_context()
        try:
            p = context.new_page()
            p.goto(base + "entrance/")
            p.evaluate("navigator.serviceWorker.ready")
            p.reload()
            p.wait_for_function("navigator.serviceWorker.controller !== null")
            keys = p.evaluate(
                "(async () => { const out = []; for (const k of await caches.keys()) "
                "if (k.includes(' /entrance/')) "
                "for (const r of await (await caches.open(k)).keys()) "
                "out.push(r.url); return out; })()"
            )
            assert base + "entrance/" in keys
            assert base + "entrance/" + BEX + "/" not in keys
            assert not [k for k in keys if "/media/stories/story-p19/" in k]
            context.set_offline(True)
            p.goto(base + "entrance/" + BEX + "/")
            p.wait_for_url(base + "entrance/")
            assert p.locator(".ik-slide").count() > 0  # the loop, offline
        finally:
            context.close()
