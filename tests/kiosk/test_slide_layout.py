# ruff: noqa: E501  (the measuring script is JavaScript, kept readable as one block)
"""Every loop slide of the demo room, current in turn, measured in Chromium at its size.

The demo room is built once per session (demo_displays.py) with test-only displays (the entrance's
tour on a 4K wall and on a portrait screen), so every kind of slide is seen at 1920x1080,
3840x2160 and 1080x1920. For every slide: no overflow, body and quote text at least
2.8 % of the screen's height (every other word at least 2.8 % of its short side), the
content spread over most of the screen, a face beside every quote, and a screenshot
in build/screenshots/kiosk-slides/ for a person to look at.
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
from demo_displays import SIZES as ALL_SIZES
from demo_displays import demo_kiosk

OPEN = "2026-11-23T10:00:00+00:00"  # a Monday, 10:00 in London: the room is open
SHOTS = REPO / "build" / "screenshots" / "kiosk-slides"
# The displays whose loops are measured (the letters' displays are for the item pages).
SIZES = {d: size for d, size in ALL_SIZES.items() if not d.startswith("letters-")}
# The words a visitor reads on a slide (not the labels around them).
BODY = (
    ".ik-quote > p, .ik-excerpt, .ik-letter-text, .ik-statement, .ik-you-said, .ik-we-did,"
    " .ik-stage-title, .ik-pinned-quote > p, .ik-name, .ik-captions > li"
)

MEASURE = """
(i) => {
  const slide = document.querySelectorAll('.ik-slide')[i];
  const W = innerWidth, H = innerHeight;
  const shown = (e) => {
    const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none'
      && !e.closest('.im-film-frame:not(.im-frame-current)');
  };
  const texts = [...slide.querySelectorAll('*')].filter((e) =>
    [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) && shown(e)
    && !e.closest('svg'));
  const small = texts.filter((e) => parseFloat(getComputedStyle(e).fontSize) < 0.028 * Math.min(W, H) - 0.01)
    .map((e) => [e.className || e.tagName, e.textContent.trim().slice(0, 40), getComputedStyle(e).fontSize]);
  const body = [...slide.querySelectorAll(BODY)].filter(shown);
  const smallBody = body.filter((e) => parseFloat(getComputedStyle(e).fontSize) < 0.028 * H - 0.01)
    .map((e) => [e.className || e.tagName, e.textContent.trim().slice(0, 40), getComputedStyle(e).fontSize]);
  // Overflow: the slide's own, and that of every box that clips text (not the photos).
  const clipped = [slide, ...slide.querySelectorAll('*')].filter((e) => {
    const cs = getComputedStyle(e);
    return e === slide || (cs.overflow !== 'visible' && !e.closest('.ik-panel, .ik-bleed, .im-film, svg')
      && e.tagName !== 'svg' && e.tagName !== 'IMG');
  }).filter((e) => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1)
    .map((e) => [e.className || e.tagName, e.scrollHeight, e.clientHeight, e.scrollWidth, e.clientWidth]);
  const sr = slide.getBoundingClientRect();
  const outside = texts.filter((e) => {
    const r = e.getBoundingClientRect();
    return r.bottom > sr.bottom + 1 || r.right > sr.right + 1 || r.top < sr.top - 1 || r.left < sr.left - 1;
  }).map((e) => e.textContent.trim().slice(0, 40));
  // The share of the screen the content covers: the box around every word and picture.
  const content = [...texts, ...slide.querySelectorAll('img')].filter((e) => shown(e) && !e.closest('.ik-open'));
  let l = W, t = H, r = 0, b = 0;
  for (const e of content) {
    const x = e.getBoundingClientRect();
    l = Math.min(l, Math.max(0, x.left)); t = Math.min(t, Math.max(0, x.top));
    r = Math.max(r, Math.min(W, x.right)); b = Math.max(b, Math.min(H, x.bottom));
  }
  const cover = r > l && b > t ? ((r - l) * (b - t)) / (W * H) : 0;
  const quotes = [...slide.querySelectorAll('blockquote')].filter(shown).length;
  const faces = [...slide.querySelectorAll('img')].filter((e) => shown(e) && e.complete && e.naturalWidth > 0).length;
  const open = slide.querySelector('a.ik-open');
  return {small, smallBody, clipped, outside, cover, quotes, faces,
          bodies: body.length, open: open ? open.textContent : null,
          openHref: open ? open.getAttribute('href') : null, href: slide.dataset.ikHref || null,
          kind: [...slide.classList].find((c) => c.startsWith('ik-slide-')).slice(9)};
}
""".replace("BODY", repr(BODY))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_kiosk(tmp_path_factory)


@pytest.fixture(scope="module")
def measured(site: Path) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """Every slide of every display, made current by the clock, measured, photographed."""
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    SHOTS.mkdir(parents=True)
    found: dict[str, list[dict[str, Any]]] = {}
    with serve(site) as base, chromium() as browser:
        for display, (width, height) in SIZES.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.clock.install(time=OPEN)
            page.goto(f"{base}{display}/")
            page.wait_for_selector(".ik-slide.ik-current", state="attached")
            # CSS transitions run on real time, not the fake clock: a cut, so that each
            # screenshot shows its slide alone (the pan and zoom stay).
            page.add_style_tag(
                content=".ik-slide, .ik-slide.ik-current { transition: none !important; }"
            )
            page.evaluate("document.fonts.ready")
            count = page.locator(".ik-slide").count()
            results = []
            for i in range(count):
                # The first moment, from now on, at which the loop shows slide i.
                wait = page.evaluate(
                    "(i) => { const t = Date.now(); for (let s = 1; s < 6 * 3600; s++)"
                    " if (immersionKiosk.slot(t + s * 1000) === i) return s * 1000; return -1; }",
                    i,
                )
                if page.evaluate("immersionKiosk.current()") != i:
                    assert wait > 0, (display, i)
                    page.clock.run_for(wait)
                page.wait_for_function("(i) => immersionKiosk.current() === i", arg=i)
                page.clock.run_for(1500)  # past the cross-fade
                page.evaluate(
                    "Promise.all([...document.querySelectorAll('.ik-current img')]"
                    ".map((im) => im.decode().catch(() => null)))"
                )
                result = page.evaluate(MEASURE, i)
                result["index"] = i
                page.screenshot(path=SHOTS / f"{display}-{i + 1}-{result['kind']}.png")
                results.append(result)
            found[display] = results
            (SHOTS / f"{display}.json").write_text(json.dumps(results, indent=1))
            assert errors == [], (display, errors)
            context.close()
    yield found


def every_slide(measured: dict[str, list[dict[str, Any]]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for display, slides in measured.items():
        for slide in slides:
            yield f"{display}-{slide['index'] + 1}-{slide['kind']}", slide


def test_every_display_and_every_kind_is_seen(measured: dict[str, list[dict[str, Any]]]) -> None:
    kinds = {s["kind"] for _name, s in every_slide(measured)}
    assert {
        "persona",
        "journey",
        "highlight",
        "story",
        "film",
        "diary",
        "email",
        "insight",
    } <= kinds
    assert {"action"} <= kinds
    assert len(measured["tour-wall"]) == len(measured["entrance"]) == 11


def test_no_slide_overflows(measured: dict[str, list[dict[str, Any]]]) -> None:
    problems = {n: (s["clipped"], s["outside"]) for n, s in every_slide(measured)}
    assert {n: p for n, p in problems.items() if p != ([], [])} == {}


def test_text_is_large_enough_to_read_across_the_room(
    measured: dict[str, list[dict[str, Any]]],
) -> None:
    assert {n: s["smallBody"] for n, s in every_slide(measured) if s["smallBody"]} == {}
    assert {n: s["small"] for n, s in every_slide(measured) if s["small"]} == {}
    assert all(s["bodies"] > 0 for _n, s in every_slide(measured))


def test_the_content_fills_the_screen(measured: dict[str, list[dict[str, Any]]]) -> None:
    thin = {n: round(s["cover"], 2) for n, s in every_slide(measured) if s["cover"] < 0.6}
    assert thin == {}


def test_every_quote_has_a_face(measured: dict[str, list[dict[str, Any]]]) -> None:
    faceless = [n for n, s in every_slide(measured) if s["quotes"] and not s["faces"]]
    assert faceless == []
    # The demo's persona and highlight slides all carry a quote (Dot's borrowed).
    for name, s in every_slide(measured):
        if s["kind"] in ("persona", "highlight", "diary", "insight"):
            assert s["quotes"] >= 1, name


def test_the_whole_slide_opens_its_item_with_a_prompt(
    measured: dict[str, list[dict[str, Any]]],
) -> None:
    for name, s in every_slide(measured):
        if s["href"] is None:
            continue
        assert s["open"] and s["open"].startswith("Touch to "), name
        assert s["openHref"] == s["href"], name


def test_screenshots_are_written(measured: dict[str, list[dict[str, Any]]]) -> None:
    shots = sorted(p.name for p in SHOTS.glob("*.png"))
    assert len(shots) == sum(len(v) for v in measured.values())
    assert "journey-wall-3-journey.png" in shots
