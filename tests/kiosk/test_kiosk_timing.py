"""kiosk.js timing in a real Chromium: slides of their own lengths, walked from the wall clock.

Hand-written entry pages as the build writes them (docs/kiosk.md): every slide carries
`data-ik-seconds` and `ik-config` the cycle. The loop is driven by Playwright's fake
clock; the listening post plays real (1 s) clips in real time and is heard through the
media elements' own events, never by calling play() from the test.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from test_kiosk_runtime import (
    NOON,
    OPUS,
    Visits,
    config,
    encode,
    entry_page,
    launch,
    ms,
    slide,
)
from test_kiosk_runtime import make_site as make_runtime_site

from immersion.httpd import StaticServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

TEXT = [2.0, 5.0, 3.5]  # the text slides' lengths
FRAME = 1.5  # seconds of each of the film's three frames
FILM = 3 * FRAME
CLIP = 1.0  # seconds of each listening-post clip
POST = 2.5  # seconds of each listening-post slide: the clip and a breath


def film(up: str) -> str:
    figures = "".join(
        f'<figure class="im-film-frame" id="frame-{i}" data-start="{(i - 1) * FRAME:.3f}" '
        f'data-end="{i * FRAME:.3f}"><img src="{up}media/f{i % 3}.jpg" width="320" '
        f'height="180" alt="Photo {i}"><figcaption>Caption {i}</figcaption></figure>'
        for i in range(1, 4)
    )
    return (
        f'<div class="im-film" data-im-film data-duration="{FILM:.3f}" role="region" '
        f'aria-label="Photo film: Moving day"><div class="im-film-stage">{figures}</div></div>'
    )


def timed_slides(broken: int | None = None) -> list[str]:
    def img(i: int) -> str:
        src = "missing.jpg" if i == broken else f"p{i % 3}.jpg"
        return f'<img src="../media/{src}" width="640" height="480" alt="Photo {i}">'

    out = [
        slide(
            "persona",
            f"persona/p{i}/",
            f"Slide {i}",
            img(i) + f"<h2>Slide {i}</h2>",
            seconds=f"{s:g}",
        )
        for i, s in enumerate(TEXT)
    ]
    out.append(
        slide("film", "story/film/", "Film", film("../") + "<h2>Film</h2>", seconds=f"{FILM:g}")
    )
    return out


def captioned(n: int, clip: str) -> str:
    cues = "".join(
        f'<li data-start="{i * 0.5:.3f}" data-end="{(i + 1) * 0.5:.3f}">Entry {n} line {i}</li>'
        for i in range(3)
    )
    return slide(
        "diary",
        "story/diary/",
        f"Entry {n}",
        f"<h2>Diary</h2><blockquote><p>Entry {n}.</p></blockquote>"
        f'<div class="ik-listen"><p class="ik-now-playing">Now playing: Kwame, entry {n} of 2</p>'
        f'<ol class="ik-captions" aria-label="Captions">{cues}</ol></div>',
        seconds=f"{POST:g}",
        clip=f"../media/{clip}.opus",
        clip_type=OPUS,
    )


def write(root: Path, name: str, cfg: dict[str, Any], slides: list[str]) -> None:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(entry_page(cfg, slides))
    (folder / "sw.js").write_text("")  # registered, does nothing: these tests are online


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_runtime_site(tmp_path_factory.mktemp("timing"))  # assets, media, photos
    jobs = encode(root / "media", "e1", CLIP) + encode(root / "media", "e2", CLIP)
    cycle = [*TEXT, FILM]
    write(root, "timed", config("timed", opening_hours=None, cycle=cycle), timed_slides())
    bad = 1
    write(root, "gap", config("gap", opening_hours=None, cycle=cycle), timed_slides(bad))
    post = config(
        "post", audio=True, opening_hours=None, orientation="portrait", cycle=[POST, POST]
    )
    write(root, "post", post, [captioned(1, "e1"), captioned(2, "e2")])
    write(
        root,
        "silent",
        config("silent", opening_hours=None, cycle=[POST, POST]),
        [captioned(1, "e1"), captioned(2, "e2")],
    )
    assert all(job.wait() == 0 for job in jobs)
    return root


@pytest.fixture(scope="module")
def base(site: Path) -> Iterator[str]:
    with StaticServer(site) as server:
        yield server.url


@pytest.fixture(scope="module")
def pw_session() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(pw_session: Playwright) -> Iterator[Browser]:
    yield from launch(pw_session)


@pytest.fixture(scope="module")
def autoplay_browser(pw_session: Playwright) -> Iterator[Browser]:
    yield from launch(pw_session, "--autoplay-policy=no-user-gesture-required")


@pytest.fixture
def visits() -> Iterator[Visits]:
    v = Visits()
    yield v
    v.close()
    assert v.problems == [], "\n".join(v.problems)


def expected(t_ms: int, lengths: list[float], healthy: list[int]) -> int:
    """The slide at t: t mod the healthy cycle, walked through the cumulative lengths."""
    cycle = [(i, round(lengths[i] * 1000)) for i in healthy]
    r = t_ms % sum(d for _, d in cycle)
    for i, d in cycle:
        if r < d:
            return i
        r -= d
    raise AssertionError("not reached")


def current(p: Page) -> int:
    return int(p.evaluate("immersionKiosk.current()"))


# ---- the cycle --------------------------------------------------------------------------


def test_slots_follow_the_cumulative_durations(browser: Browser, base: str, visits: Visits) -> None:
    p = visits.open(browser, base + "timed/", at=NOON)
    lengths = [*TEXT, FILM]
    assert p.evaluate("immersionKiosk.cycle()") == lengths
    start = ms(NOON)
    for step in range(0, 2 * 15_000, 250):  # two whole cycles, every quarter second
        t = start + step
        assert p.evaluate(f"immersionKiosk.slot({t})") == expected(t, lengths, [0, 1, 2, 3]), t
    # and the page itself changes slide at each boundary, not on a fixed beat
    # Every boundary is a multiple of half a second: look 100 ms after each.
    seen = []
    p.clock.pause_at(NOON + dt.timedelta(milliseconds=100))
    for _ in range(60):
        p.clock.run_for(500)
        now = int(p.evaluate("Date.now()"))
        assert now % 500 == 100
        assert current(p) == expected(now, lengths, [0, 1, 2, 3]), now
        seen.append(current(p))
    changes = [b for a, b in itertools.pairwise(seen) if a != b]
    assert len(changes) >= 7 and set(seen) == {0, 1, 2, 3}
    turn = p.evaluate("immersionKiosk.turn()")
    assert turn["end"] - turn["start"] == round(lengths[turn["i"]] * 1000)


def test_two_pages_at_the_same_moment_agree(browser: Browser, base: str, visits: Visits) -> None:
    at = NOON + dt.timedelta(seconds=7, milliseconds=100)  # never on a boundary (x.0, x.5 s)
    one = visits.open(browser, base + "timed/", at=at)
    two = visits.open(browser, base + "timed/", at=at)
    for _ in range(20):
        assert (
            current(one)
            == current(two)
            == expected(int(one.evaluate("Date.now()")), [*TEXT, FILM], [0, 1, 2, 3])
        )
        one.clock.run_for(1_000)
        two.clock.run_for(1_000)


def test_a_broken_slide_drops_out_and_displays_still_agree(
    browser: Browser, base: str, visits: Visits
) -> None:
    visits.allowed.append(__import__("re").compile("Failed to load resource"))
    one = visits.open(browser, base + "gap/", at=NOON)
    two = visits.open(browser, base + "gap/", at=NOON)
    for p in (one, two):
        p.clock.run_for(1_000)
        p.wait_for_function("immersionKiosk.state().broken.length === 1")
        assert p.evaluate("immersionKiosk.state().broken") == [1]
        assert p.evaluate("immersionKiosk.cycle()") == [TEXT[0], TEXT[2], FILM]
    lengths = [*TEXT, FILM]
    for _ in range(25):
        now = int(one.evaluate("Date.now()"))
        assert now == int(two.evaluate("Date.now()"))
        assert current(one) == current(two) == expected(now, lengths, [0, 2, 3])
        assert current(one) != 1
        one.clock.run_for(700)
        two.clock.run_for(700)


def test_a_film_slide_shows_every_frame_in_its_turn(
    browser: Browser, base: str, visits: Visits
) -> None:
    p = visits.open(browser, base + "timed/", at=NOON)
    cycle_ms = round((sum(TEXT) + FILM) * 1000)
    start = ms(NOON)
    turn = start - start % cycle_ms + round(sum(TEXT) * 1000)  # the film's turn
    if turn < start:
        turn += cycle_ms
    frame = "(document.querySelector('.ik-slide.ik-current .im-frame-current') || {}).id || null"
    for _ in range(2):  # two cycles: the film runs whole each time it comes round
        p.clock.run_for(turn - int(p.evaluate("Date.now()")) + 50)
        assert current(p) == 3
        shown = []
        while int(p.evaluate("Date.now()")) < turn + round(FILM * 1000):
            shown.append(p.evaluate(frame))
            p.clock.run_for(100)
        # every frame in order, each for about its seconds, within the slide's turn
        runs = [(f, sum(1 for x in shown if x == f)) for f in dict.fromkeys(shown)]
        assert [f for f, _ in runs] == ["frame-1", "frame-2", "frame-3"], shown
        assert all(abs(n - FRAME * 10) <= 2 for _, n in runs), runs
        p.clock.run_for(200)
        assert current(p) == 0  # the turn is over: the next slide
        turn += cycle_ms


def test_silent_captions_advance_by_the_slide_clock(
    browser: Browser, base: str, visits: Visits
) -> None:
    start = ms(NOON) - ms(NOON) % round(2 * POST * 1000)  # a turn of slide 0 begins here
    at = dt.datetime.fromtimestamp(start / 1000, dt.UTC) + dt.timedelta(milliseconds=50)
    p = visits.open(browser, base + "silent/", at=at)
    assert current(p) == 0
    said = []
    p.clock.run_for(250)
    for _ in range(4):  # half a second a cue; looked at in the middle of each
        said.append(
            p.evaluate(
                "[...document.querySelectorAll('.ik-current .ik-captions li')]"
                ".findIndex(l => l.classList.contains('ik-cue-current'))"
            )
        )
        p.clock.run_for(500)
    assert said == [0, 1, 2, 2]
    assert p.locator(".ik-current .ik-captions li.ik-cue-current").is_visible()
    assert not p.locator(".ik-current .ik-now-playing").is_visible()  # nothing plays


# ---- the listening post -----------------------------------------------------------------

HEAR = """window.heard = [];
document.addEventListener('playing', (e) => {
  const a = e.target, s = a.closest && a.closest('.ik-slide');
  window.heard.push({src: a.currentSrc.replace(/.*\\//, ''), at: Date.now(),
    now: !!(s && s.classList.contains('ik-playing'))});
}, true);
document.addEventListener('timeupdate', (e) => {
  const s = e.target.closest && e.target.closest('.ik-slide');
  const c = s && s.querySelector('.ik-captions li.ik-cue-current');
  if (c) (window.cues = window.cues || new Set()).add(c.textContent);
  const n = s && s.querySelector('.ik-now-playing');
  if (n && getComputedStyle(n).visibility === 'visible') window.nowShown = n.textContent;
}, true);"""


def test_the_listening_post_plays_each_entry_every_time_it_comes_round(
    autoplay_browser: Browser, base: str, visits: Visits
) -> None:
    context = autoplay_browser.new_context(viewport={"width": 540, "height": 960})
    visits.contexts.append(context)
    p = visits.page(context)
    p.add_init_script(HEAR)  # listens before the page runs: the test never calls play()
    p.goto(base + "post/")
    # real time: two cycles of two 2.5 s slides, and a little
    p.wait_for_function(
        """() => { const n = {}; for (const h of window.heard || []) n[h.src] = (n[h.src] || 0) + 1;
        return (n['e1.opus'] || 0) >= 2 && (n['e2.opus'] || 0) >= 2; }""",
        timeout=20_000,
    )
    heard = p.evaluate("window.heard")
    srcs = [h["src"] for h in heard]
    # in turn, each start in its own slide's turn
    assert srcs[:4] in (["e1.opus", "e2.opus"] * 2, ["e2.opus", "e1.opus"] * 2), heard
    # a clip starts at each turn (the first one may be cut short: the page opened mid-turn)
    gaps = [b["at"] - a["at"] for a, b in itertools.pairwise(heard)]
    assert all(abs(g - POST * 1000) < 700 for g in gaps[1:3]), gaps
    assert p.locator("audio.ik-clip").count() == 1  # the clip of the slide on show, only
    p.wait_for_function("window.nowShown && window.cues && window.cues.size >= 4", timeout=10_000)
    assert p.evaluate("window.nowShown").startswith("Now playing: Kwame, entry")
    assert json.dumps(p.evaluate("[...window.cues]"))  # captions followed the clip
