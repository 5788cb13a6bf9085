"""kiosk.js, kiosk.css and the kiosk service worker in a real Chromium.

Hand-written pages follow docs/kiosk.md (entry pages, item pages, ik-config); the
service worker is generated from the template as the build does (two constants
prepended); audio is real (ffmpeg) and served with Range by immersion.httpd. Time is
Playwright's fake clock, so idle_seconds and slide_seconds take no real time. Every
test fails on a console error or warning, or an uncaught page error.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browser import CHROMIUM_FLAGS, chromium_path
from PIL import Image

from immersion.httpd import StaticServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright

THEME = Path(__file__).resolve().parents[2] / "immersion" / "theme"
SW_TEMPLATE = THEME / "kiosk-sw" / "sw.js"
UTC = dt.UTC
NOON = dt.datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)  # London is on GMT in November
RECORDING = 20.0  # seconds of the interview
CLIP = 8.0  # seconds of the highlight clip
OPUS = 'audio/ogg; codecs="opus"'
ASSETS = ["kiosk.js", "kiosk.css", "captions.css", "page.css", "players.js", "players.css"]
MISSING_404 = re.compile(r"Failed to load resource: the server responded with a status of 404")


def ms(when: dt.datetime) -> int:
    return int(when.timestamp() * 1000)


# ---- the site: what the build would write, by hand ----------------------------------


def config(display: str, **over: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "display": display,
        "title": display.title(),
        "orientation": "landscape",
        "resolution": [1280, 720],
        "slide_seconds": 12,
        "idle_seconds": 90,
        "audio": False,
        "timezone": "Europe/London",
        "opening_hours": {"open": "08:00", "close": "19:00"},
        "entry": "./",
        "build": "b1",
        "countdown_seconds": 10,
    }
    cfg.update(over)
    return cfg


def config_script(cfg: dict[str, Any]) -> str:
    text = json.dumps(cfg).replace("<", "\\u003c")
    return f'<script type="application/json" id="ik-config">{text}</script>'


def page_html(title: str, depth: int, body: str) -> str:
    up = "../" * depth
    css = "".join(
        f'<link rel="stylesheet" href="{up}assets/immersion/{n}">' for n in ASSETS if ".css" in n
    )
    js = "".join(f'<script src="{up}assets/immersion/{n}"></script>' for n in ASSETS if ".js" in n)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="icon" href="data:,"><title>{title}</title>{css}</head>'
        f"<body><main>{body}</main>{js}</body></html>"
    )


def entry_page(cfg: dict[str, Any], slides: list[str], marker: str = "") -> str:
    hours = cfg.get("opening_hours") or {}
    body = (
        f'<div class="ik-display ik-{cfg["orientation"]}" id="ik-display" data-ik-display>'
        + config_script(cfg)
        + f'<h1 class="ik-title" hidden>{cfg["title"]}{marker}</h1>'
        + '<div class="ik-stage">'
        + "".join(slides)
        + "</div>"
        + '<section class="ik-quiet" hidden aria-label="The room is closed">'
        f"<h2>Test Room</h2><p>Open again at {hours.get('open', '08:00')}</p></section>"
        + '<nav class="ik-dots" aria-hidden="true"></nav></div>'
    )
    return page_html(cfg["title"], 1, body)


def slide(kind: str, href: str, label: str, inner: str, **data: str) -> str:
    extra = "".join(f' data-ik-{k.replace("_", "-")}="{escape(v)}"' for k, v in data.items())
    item = href.rstrip("/").replace("/", ":")  # "persona:maya", as the build names it
    return (
        f'<section class="ik-slide ik-slide-{kind}" data-ik-item="{item}" '
        f'data-ik-href="{href}"{extra} aria-roledescription="slide" aria-label="{label}">'
        f'{inner}<a class="ik-open" href="{href}">Open {label}</a></section>'
    )


def frames(up: str, n: int = 3, seconds: float = 4.0) -> str:
    figures = "".join(
        f'<figure class="im-film-frame" id="frame-{i}" data-start="{(i - 1) * seconds:.3f}" '
        f'data-end="{i * seconds:.3f}"><picture><img src="{up}media/f{i % 3}.jpg" width="320" '
        f'height="180" alt="Photo {i}"></picture><figcaption>Caption {i}</figcaption></figure>'
        for i in range(1, n + 1)
    )
    return (
        f'<div class="im-film" data-im-film data-duration="{n * seconds:.3f}" role="region" '
        f'aria-label="Photo film: Moving day"><div class="im-film-stage">{figures}</div></div>'
    )


def entrance_slides(broken: int | None = None) -> list[str]:
    def img(name: str, i: int) -> str:
        src = "missing.jpg" if i == broken else name
        return f'<img src="../media/{src}" width="640" height="480" alt="Photo {i}">'

    return [
        slide(
            "persona",
            "persona/maya/",
            "Maya",
            img("p1.jpg", 0) + "<h2>Maya</h2><p class='ik-segment'>Young families</p>"
            "<blockquote><p>I just want one number I can trust.</p></blockquote>",
        ),
        slide(
            "highlight",
            "story/p07/",
            "Leah on moving home",
            "<blockquote><p>Honestly, the quote form was a maze.</p></blockquote>"
            "<p class='ik-who'>Leah, moving home</p>",
            clip="../media/clip.opus",
            clip_type=OPUS,
        ),
        slide(
            "story",
            "story/p07/",
            "A story",
            img("p2.jpg", 2) + "<h2>Leah on moving home</h2><p class='ik-meta'>Interview</p>",
        ),
        slide("film", "story/p07/", "Moving day", frames("../") + "<h2>Moving day</h2>"),
    ]


def transcript(ident: str, n: int = 8, step: float = 2.4) -> str:
    items = "".join(
        f'<li class="im-cue" id="{ident}-{i}" data-start="{(i - 1) * step:.3f}" '
        f'data-end="{i * step:.3f}"><button type="button" class="im-cue-time" '
        f'aria-label="Play from 0:0{i}">0:0{i}</button> <span class="im-voice">Leah</span> '
        f'<span class="im-cue-text">Line {i} of what was said.</span></li>'
        for i in range(1, n + 1)
    )
    return (
        f'<div class="im-transcript" data-for="{ident}" role="region" aria-label="Transcript" '
        f'tabindex="0"><ol class="im-cues">{items}</ol></div>'
    )


def item_page(cfg: dict[str, Any], title: str, content: str) -> str:
    body = (
        '<div class="ik-item" id="ik-display" data-ik-item-page>'
        + config_script(cfg | {"entry": "../../"})
        + '<a class="ik-back" href="../../">Back</a>'
        + '<div class="ik-textsize" role="group" aria-label="Text size"></div>'
        + f"<h1>{title}</h1>{content}</div>"
    )
    return page_html(title, 3, body)


def story_content() -> str:
    return (
        '<div class="im-player" data-im-player><audio id="rec-p07" controls preload="metadata" '
        f'aria-label="Interview with Leah" data-duration="{RECORDING:.3f}">'
        f"<source src=\"../../../media/tone.opus\" type='{OPUS}'>"
        '<source src="../../../media/tone.m4a" type="audio/mp4"></audio></div>'
        + transcript("rec-p07")
        + "<h2>Moving day</h2>"
        + frames("../../../")
        + '<p>Leah is <a href="../../persona/maya/">Maya</a>.</p>'
    )


def sw_js(version: str, precache: list[str]) -> str:
    head = f"const VERSION = {json.dumps(version)};\nconst PRECACHE = {json.dumps(precache)};\n"
    return head + SW_TEMPLATE.read_text(encoding="utf-8")


PRECACHE = [
    "./",
    "persona/maya/",
    "story/p07/",
    *(f"../assets/immersion/{n}" for n in ASSETS),
    "../media/tone.opus",
    "../media/tone.m4a",
    "../media/clip.opus",
    "../media/clip.m4a",
    "../media/p1.jpg",
    "../media/p2.jpg",
    "../media/f0.jpg",
    "../media/f1.jpg",
    "../media/f2.jpg",
    "../media/not-there.opus",  # a missing file never stops the install
]


def write_display(
    root: Path, name: str, cfg: dict[str, Any], slides: list[str], marker: str = ""
) -> None:
    folder = root / name
    for sub in ("persona/maya", "story/p07"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(entry_page(cfg, slides, marker))
    maya = '<img src="../../../media/p1.jpg" width="640" height="480" alt="Maya"><p>Plans.</p>'
    (folder / "persona/maya/index.html").write_text(item_page(cfg, "Maya", maya))
    (folder / "story/p07/index.html").write_text(item_page(cfg, "Leah", story_content()))
    (folder / "sw.js").write_text(sw_js(cfg["build"], PRECACHE))


def encode(folder: Path, stem: str, seconds: float) -> list[subprocess.Popen[bytes]]:
    import imageio_ffmpeg

    exe = imageio_ffmpeg.get_ffmpeg_exe()
    source = ["-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=48000:duration={seconds}"]
    return [
        subprocess.Popen([exe, "-v", "error", "-y", *source, *codec, str(folder / f"{stem}.{ext}")])
        for ext, codec in (("opus", ["-c:a", "libopus"]), ("m4a", ["-c:a", "aac", "-b:a", "48k"]))
    ]


def make_site(root: Path) -> Path:
    media = root / "media"
    media.mkdir(parents=True)
    jobs = encode(media, "tone", RECORDING) + encode(media, "clip", CLIP)
    assets = root / "assets" / "immersion"
    assets.mkdir(parents=True)
    for name in ASSETS:
        if name.startswith("players"):
            shutil.copy(THEME / "players" / name, assets / name)
        else:
            sub = "javascripts" if name.endswith(".js") else "stylesheets"
            shutil.copy(THEME / "kiosk" / sub / name, assets / name)
    # kiosk.css finds its typeface at ../fonts/ (as in the build: assets/immersion/fonts/).
    shutil.copytree(THEME / "kiosk" / "fonts", root / "assets" / "fonts")
    colours = ((200, 120, 60), (40, 90, 160), (90, 160, 80))
    for i, colour in enumerate(colours):
        Image.new("RGB", (640, 480), colour).save(media / f"p{i}.jpg", quality=80)
        Image.new("RGB", (320, 180), colour).save(media / f"f{i}.jpg", quality=80)
    write_display(root, "entrance", config("entrance"), entrance_slides())
    long = "".join(f"<p>Paragraph {i} of a long letter to scroll.</p>" for i in range(60))
    listen = slide(
        "highlight",
        "story/p07/",
        "Leah",
        "<blockquote><p>The quote form was a maze.</p></blockquote>" + long,
        clip="../media/clip.opus",
        clip_type=OPUS,
        clip_fallback="../media/clip.m4a",
    )
    write_display(
        root,
        "listen",
        config("listen", audio=True, opening_hours=None, idle_seconds=30, countdown_seconds=5),
        [listen],
    )
    fallback = slide(
        "highlight",
        "story/p07/",
        "Leah",
        "<blockquote><p>The quote form was a maze.</p></blockquote>",
        clip="../media/gone.opus",
        clip_type=OPUS,
        clip_fallback="../media/clip.m4a",
    )
    write_display(root, "fallback", config("fallback", audio=True, opening_hours=None), [fallback])
    late = config("late", opening_hours={"open": "18:00", "close": "02:00"})
    write_display(root, "late", late, entrance_slides()[:2])
    broken_at = (ms(NOON) // 12_000) % 3  # the slide the clock would show first
    write_display(root, "broken", config("broken"), entrance_slides(broken_at)[:3])
    assert all(job.wait() == 0 for job in jobs)
    return root


def no_cache_sw(path: str) -> dict[str, str]:
    return {"Cache-Control": "no-cache"} if path.endswith("/sw.js") else {}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_site(tmp_path_factory.mktemp("kiosk"))


@pytest.fixture(scope="module")
def base(site: Path) -> Iterator[str]:
    with StaticServer(site, headers=no_cache_sw) as server:
        yield server.url


@pytest.fixture(scope="module")
def pw_session() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    chromium_path()  # skips (or fails in CI) without a browser
    with sync_playwright() as pw:
        yield pw


def launch(pw: Playwright, *extra: str) -> Iterator[Browser]:
    b = pw.chromium.launch(executable_path=chromium_path(), args=[*CHROMIUM_FLAGS, *extra])
    yield b
    b.close()


@pytest.fixture(scope="module")
def browser(pw_session: Playwright) -> Iterator[Browser]:
    yield from launch(pw_session)


@pytest.fixture(scope="module")
def autoplay_browser(pw_session: Playwright) -> Iterator[Browser]:
    yield from launch(pw_session, "--autoplay-policy=no-user-gesture-required")


class Visits:
    """New contexts and pages whose console is watched; checked at the end of the test."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.allowed: list[re.Pattern[str]] = []
        self.contexts: list[BrowserContext] = []

    def context(self, browser: Browser, at: dt.datetime | None = None) -> BrowserContext:
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        context.set_default_timeout(10_000)
        if at is not None:  # the fake clock stands still at `at` until a test moves it
            context.clock.install(time=at - dt.timedelta(seconds=1))
            context.clock.pause_at(at)
        self.contexts.append(context)
        return context

    def page(self, context: BrowserContext) -> Page:
        p = context.new_page()

        def console(message: ConsoleMessage) -> None:
            if message.type in ("error", "warning") and not any(
                a.search(message.text) for a in self.allowed
            ):
                self.problems.append(f"{message.type}: {message.text}")

        p.on("console", console)
        p.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        return p

    def open(self, browser: Browser, url: str, at: dt.datetime | None = None) -> Page:
        p = self.page(self.context(browser, at))
        p.goto(url)
        p.wait_for_function("window.immersionKiosk && document.readyState === 'complete'")
        return p

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def visits() -> Iterator[Visits]:
    v = Visits()
    yield v
    v.close()
    assert v.problems == [], "\n".join(v.problems)


def state(p: Page) -> dict[str, Any]:
    return p.evaluate("immersionKiosk.state()")


def shown(p: Page) -> dict[str, Any]:
    """What the page shows: the marked slide, aria-hidden, dots, quiet slide."""
    return p.evaluate(
        """() => {
        const slides = [...document.querySelectorAll('.ik-slide')];
        return {
          current: slides.flatMap((s, i) => s.classList.contains('ik-current') ? [i] : []),
          visible: slides.flatMap((s, i) => s.getAttribute('aria-hidden') === 'false' ? [i] : []),
          dots: [...document.querySelectorAll('.ik-dot')].flatMap(
            (d, i) => d.classList.contains('ik-dot-current') ? [i] : []),
          quiet: !document.querySelector('.ik-quiet').hidden,
          api: immersionKiosk.current(),
        };
      }"""
    )


def settle(p: Page, at: dt.datetime) -> None:
    """Move the (paused) fake clock on to `at`, running the timers due on the way."""
    p.clock.pause_at(at)


# ---- the attract loop -------------------------------------------------------------------


def test_attract_loop_follows_the_wall_clock(browser: Browser, base: str, visits: Visits) -> None:
    p = visits.open(browser, base + "entrance/", at=NOON)
    settle(p, NOON + dt.timedelta(seconds=1))
    first = (ms(NOON) // 12_000) % 4
    assert shown(p) == {
        "current": [first],
        "visible": [first],
        "dots": [first],
        "quiet": False,
        "api": first,
    }
    assert p.evaluate(f"immersionKiosk.slot({ms(NOON)})") == first
    assert p.evaluate(f"immersionKiosk.slot({ms(NOON) + 12_000})") == (first + 1) % 4
    assert p.locator(".ik-slide.ik-current .ik-open").is_visible()
    p.clock.run_for(10_000)  # 11 s into the slot: still the same slide
    assert shown(p)["current"] == [first]
    p.clock.run_for(1_100)  # past the boundary
    assert shown(p)["current"] == [(first + 1) % 4]
    p.clock.run_for(12_000)
    view = shown(p)
    assert view["current"] == view["visible"] == view["dots"] == [(first + 2) % 4]
    # the film slide, when current, runs its frames on its own clock (no sound)
    film = 3
    p.clock.run_for(((film - (first + 2)) % 4) * 12_000)
    assert shown(p)["current"] == [film]
    assert p.evaluate("document.querySelector('.ik-slide-film .im-film.im-playing') !== null")
    p.clock.run_for(4_500)
    assert p.evaluate("immersionPlayers.currentFrame(document.querySelector('.ik-slide .im-film'))")
    p.clock.run_for(12_000)  # the next slide: the film stops
    assert p.evaluate("document.querySelector('.im-film.im-playing') === null")
    # audio is false on this display: a highlight slide never gets a clip
    assert p.evaluate("document.querySelector('.ik-clip') === null")


def test_two_displays_agree_at_the_same_moment(browser: Browser, base: str, visits: Visits) -> None:
    a = visits.open(browser, base + "entrance/", at=NOON)
    b = visits.open(browser, base + "entrance/", at=NOON + dt.timedelta(seconds=5))
    later = NOON + dt.timedelta(seconds=30)
    for p in (a, b):
        settle(p, later)
    expected = (ms(later) // 12_000) % 4
    assert state(a)["slide"] == state(b)["slide"] == expected
    assert shown(a)["current"] == shown(b)["current"] == [expected]
    for p in (a, b):
        p.clock.run_for(7_000)
    assert state(a)["slide"] == state(b)["slide"] == (expected + 1) % 4


def test_a_tap_opens_the_item_and_a_swipe_does_not(
    browser: Browser, base: str, visits: Visits
) -> None:
    p = visits.open(browser, base + "entrance/", at=NOON)
    settle(p, NOON + dt.timedelta(seconds=1))
    current = p.locator(".ik-slide.ik-current")
    href = current.get_attribute("data-ik-href")
    box = current.locator("h2, blockquote").first.bounding_box()
    assert box is not None and href
    x, y = box["x"] + 5, box["y"] + box["height"] / 2
    p.mouse.move(x, y)
    p.mouse.down()
    p.mouse.move(x + 60, y, steps=4)  # a swipe
    p.mouse.up()
    p.clock.run_for(500)
    assert p.url == base + "entrance/"
    assert state(p)["engaged"]  # a visitor: the loop holds the slide
    p.clock.run_for(30_000)
    assert shown(p)["current"] == [p.evaluate("immersionKiosk.current()")]
    assert p.locator(".ik-slide.ik-current").get_attribute("data-ik-href") == href
    p.mouse.click(x, y)
    p.wait_for_url(base + "entrance/" + href)
    p.wait_for_function("window.immersionKiosk")
    assert p.locator("h1").first.is_visible()


# ---- idle ------------------------------------------------------------------------------------


def overlay(p: Page) -> dict[str, Any]:
    return p.evaluate(
        """() => {
        const o = document.querySelector('.ik-idle');
        return o ? {shown: !o.hidden, role: o.getAttribute('role'),
          modal: o.getAttribute('aria-modal'), title: o.querySelector('h2').textContent,
          count: o.querySelector('.ik-countdown').textContent,
          button: o.querySelector('button').textContent} : {shown: false};
      }"""
    )


def test_idle_on_an_item_page_counts_down_then_goes_back(
    browser: Browser, base: str, visits: Visits
) -> None:
    p = visits.open(browser, base + "entrance/persona/maya/", at=NOON)
    settle(p, NOON + dt.timedelta(seconds=1))
    larger = p.get_by_role("button", name="Larger text")
    larger.click()
    larger.click()
    assert state(p)["textSize"] == 150
    assert p.evaluate("sessionStorage.getItem('ik-text-size')") == "150"
    assert p.evaluate("getComputedStyle(document.documentElement).fontSize") == "30px"
    p.get_by_role("button", name="Smaller text").click()
    assert state(p)["textSize"] == 125
    p.clock.run_for(85_000)
    assert not overlay(p)["shown"]
    p.clock.run_for(6_000)  # idle_seconds (90) have passed since the last click
    o = overlay(p)
    assert o == {
        "shown": True,
        "role": "alertdialog",
        "modal": "true",
        "title": "Still there?",
        "count": o["count"],
        "button": "I'm still here",
    }
    assert o["count"] in ("9", "10")  # countdown_seconds: 10
    assert state(p)["idleShown"]
    p.clock.run_for(3_000)
    assert overlay(p)["count"] in ("6", "7")
    p.mouse.click(5, 5)  # any touch keeps the visit going
    assert not overlay(p)["shown"]
    p.clock.run_for(89_000)
    assert not overlay(p)["shown"]
    p.clock.run_for(2_000)
    assert overlay(p)["shown"]
    p.clock.run_for(10_500)
    p.wait_for_url(base + "entrance/")
    p.wait_for_function("window.immersionKiosk")
    assert p.evaluate("sessionStorage.getItem('ik-text-size')") is None
    assert state(p)["textSize"] == 100


def test_idle_on_the_entry_page_resets_scroll_and_stops_the_clip(
    autoplay_browser: Browser, base: str, visits: Visits
) -> None:
    p = visits.open(autoplay_browser, base + "listen/", at=NOON)
    settle(p, NOON + dt.timedelta(seconds=1))
    p.wait_for_function(
        "(a => a && !a.paused && a.currentTime > 0)(document.querySelector('.ik-clip'))"
    )
    p.evaluate("window.clip = document.querySelector('.ik-clip')")
    p.mouse.move(640, 360)
    p.mouse.wheel(0, 600)
    p.wait_for_function("document.querySelector('.ik-slide').scrollTop > 0")
    assert state(p)["engaged"]
    p.clock.run_for(31_000)  # idle_seconds: 30; the attract clip is not the visitor's
    assert overlay(p)["shown"]
    assert overlay(p)["count"] in ("4", "5")
    assert p.evaluate("!clip.paused")
    p.clock.run_for(5_500)
    assert not overlay(p)["shown"]
    assert p.evaluate("clip.paused")
    assert p.evaluate("document.querySelector('.ik-slide').scrollTop") == 0
    assert not state(p)["engaged"]
    assert p.url == base + "listen/"


def test_no_reset_while_the_visitors_recording_plays(
    browser: Browser, base: str, visits: Visits
) -> None:
    p = visits.open(browser, base + "entrance/story/p07/", at=NOON)
    settle(p, NOON + dt.timedelta(seconds=1))
    p.wait_for_function("document.getElementById('rec-p07').readyState >= 1")
    p.locator(".im-player .im-play").click()
    p.wait_for_function("!document.getElementById('rec-p07').paused")
    p.clock.run_for(120_000)
    assert not overlay(p)["shown"]
    assert p.evaluate("!document.getElementById('rec-p07').paused")
    p.evaluate("document.getElementById('rec-p07').pause()")
    p.clock.run_for(88_000)
    assert not overlay(p)["shown"]  # idle counts from when the recording stopped
    p.clock.run_for(3_500)
    assert overlay(p)["shown"]


# ---- locked in, touch targets, accessibility --------------------------------------------------


def test_locked_in(browser: Browser, base: str, visits: Visits) -> None:
    p = visits.open(browser, base + "entrance/", at=NOON)
    settle(p, NOON + dt.timedelta(seconds=1))
    prevented = p.evaluate(
        """() => {
        const on = document.querySelector('.ik-slide.ik-current h2, .ik-slide.ik-current p');
        const fire = (e) => { on.dispatchEvent(e); return e.defaultPrevented; };
        const ev = (type, init = {}) => new Event(type, {bubbles: true, cancelable: true, ...init});
        return {
          contextmenu: fire(new MouseEvent('contextmenu', {bubbles: true, cancelable: true})),
          selectstart: fire(ev('selectstart')),
          dragstart: fire(ev('dragstart')),
          gesturestart: fire(ev('gesturestart')),
          dblclick: fire(new MouseEvent('dblclick', {bubbles: true, cancelable: true})),
          ctrlWheel: fire(new WheelEvent('wheel', {bubbles: true, cancelable: true,
            ctrlKey: true, deltaY: -100})),
          wheel: fire(new WheelEvent('wheel', {bubbles: true, cancelable: true, deltaY: 100})),
          ctrlPlus: fire(new KeyboardEvent('keydown', {bubbles: true, cancelable: true,
            ctrlKey: true, key: '+'})),
          ctrlZero: fire(new KeyboardEvent('keydown', {bubbles: true, cancelable: true,
            ctrlKey: true, key: '0'})),
          plainKey: fire(new KeyboardEvent('keydown', {bubbles: true, cancelable: true, key: 'a'})),
        };
      }"""
    )
    assert prevented == {
        "contextmenu": True,
        "selectstart": True,
        "dragstart": True,
        "gesturestart": True,
        "dblclick": True,
        "ctrlWheel": True,
        "wheel": False,
        "ctrlPlus": True,
        "ctrlZero": True,
        "plainKey": False,
    }
    style = p.evaluate(
        """() => { const s = getComputedStyle(document.querySelector('.ik-slide'));
        return [s.userSelect, s.touchAction, getComputedStyle(document.body).touchAction,
          getComputedStyle(document.querySelector('.ik-display')).position]; }"""
    )
    assert style == ["none", "pan-y", "pan-y", "fixed"]
    # an error in some script is swallowed (no console noise) and the loop goes on
    swallowed = p.evaluate(
        """() => { const e = new ErrorEvent('error', {cancelable: true, message: 'boom'});
        window.dispatchEvent(e); return e.defaultPrevented; }"""
    )
    assert swallowed
    p.evaluate(  # a listener that throws (a reported error) and an unhandled rejection
        """() => { const t = new EventTarget();
        t.addEventListener('x', () => { throw Error('boom'); }); t.dispatchEvent(new Event('x'));
        Promise.reject(Error('no')); }"""
    )
    p.wait_for_timeout(100)  # neither reaches the console (`visits` fails on a page error)
    assert state(p)["engaged"]  # (the events above count as a visitor: the loop holds)
    p.evaluate("immersionKiosk.reset()")
    assert not state(p)["engaged"]
    before = state(p)["slide"]
    p.clock.run_for(12_000)
    assert state(p)["slide"] == (before + 1) % 4
    # a link out of the kiosk build goes nowhere
    p.evaluate(
        """() => { const a = document.createElement('a'); a.href = 'https://example.org/';
        a.textContent = 'out'; a.id = 'out';
        document.querySelector('.ik-slide.ik-current').prepend(a); }"""
    )
    assert p.evaluate(
        """() => { const e = new MouseEvent('click', {bubbles: true, cancelable: true});
        document.getElementById('out').dispatchEvent(e); return e.defaultPrevented; }"""
    )


SMALL_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, [role=button], [role=slider], input, select, textarea,' +
    ' [tabindex]:not([tabindex="-1"])')]
  .filter(e => e.checkVisibility({visibilityProperty: true, opacityProperty: true})
    && !e.closest('[inert]'))
  .map(e => { const r = e.getBoundingClientRect();
    return {w: r.width, h: r.height, what: e.outerHTML.slice(0, 90)}; })
  .filter(x => x.w < 43.99 || x.h < 43.99)"""  # 43.99: float error of the drift's translate

COUNT_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, [role=button], [role=slider], [tabindex]:not([tabindex="-1"])')]
  .filter(e => e.checkVisibility({visibilityProperty: true}) && !e.closest('[inert]')).length"""


def test_every_touch_target_is_at_least_44px(browser: Browser, base: str, visits: Visits) -> None:
    p = visits.open(browser, base + "entrance/", at=NOON)
    settle(p, NOON + dt.timedelta(seconds=1))
    for _ in range(4):  # every slide in turn
        assert p.evaluate(COUNT_TARGETS) >= 1
        assert p.evaluate(SMALL_TARGETS) == []
        p.clock.run_for(12_000)
    p.goto(base + "entrance/story/p07/")
    p.wait_for_function("document.querySelector('.im-player.im-enhanced .im-play')")
    assert p.evaluate(COUNT_TARGETS) >= 10  # back, text size, player, transcript, film
    assert p.evaluate(SMALL_TARGETS) == []
    p.clock.run_for(91_000)
    assert overlay(p)["shown"]
    assert p.evaluate(SMALL_TARGETS) == []
    assert p.evaluate("document.activeElement.className") == "ik-stay"


def test_no_serious_accessibility_violations(browser: Browser, base: str, visits: Visits) -> None:
    from axe_playwright_python.sync_playwright import Axe

    for path in ("entrance/", "entrance/story/p07/"):
        p = visits.open(browser, base + path, at=NOON)
        settle(p, NOON + dt.timedelta(seconds=2))
        p.clock.resume()  # axe waits on timers
        results = Axe().run(p)
        bad = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == [], path


# ---- care for the room ------------------------------------------------------------------------


def test_outside_opening_hours_the_quiet_slide_shows(
    browser: Browser, base: str, visits: Visits
) -> None:
    night = dt.datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # 23:00 in London
    p = visits.open(browser, base + "entrance/", at=night)
    settle(p, night + dt.timedelta(seconds=1))
    s = state(p)
    assert s["closed"] and s["slide"] == -1
    assert p.locator(".ik-quiet").is_visible()
    assert not p.locator(".ik-stage").is_visible()
    assert p.evaluate("document.getElementById('ik-display').classList.contains('ik-closed')")
    assert shown(p)["current"] == []
    morning = dt.datetime(2026, 11, 23, 8, 0, 30, tzinfo=UTC)
    p.clock.pause_at(morning)
    p.clock.run_for(31_000)  # re-checked within 30 s
    s = state(p)
    assert not s["closed"] and s["slide"] >= 0
    assert not p.locator(".ik-quiet").is_visible()
    # hours past midnight: open 18:00 to 02:00
    late = visits.open(browser, base + "late/", at=night)
    settle(late, night + dt.timedelta(seconds=1))
    assert not state(late)["closed"]
    late.clock.pause_at(dt.datetime(2026, 11, 23, 2, 30, tzinfo=UTC))
    late.clock.run_for(31_000)
    assert state(late)["closed"]
    assert late.locator(".ik-quiet").is_visible()


def test_the_drift_moves_the_display_a_few_pixels(
    browser: Browser, base: str, visits: Visits
) -> None:
    p = visits.open(browser, base + "entrance/", at=NOON)
    settle(p, NOON + dt.timedelta(seconds=1))
    seen = set()
    for _ in range(5):
        dx, dy = p.evaluate(
            """() => { const s = document.getElementById('ik-display').style;
            return [parseFloat(s.getPropertyValue('--ik-dx')),
                    parseFloat(s.getPropertyValue('--ik-dy'))]; }"""
        )
        assert abs(dx) <= 4 and abs(dy) <= 4
        seen.add((dx, dy))
        p.clock.run_for(60_000)
    assert len(seen) >= 4
    moved = "getComputedStyle(document.getElementById('ik-display')).translate"
    fade = "getComputedStyle(document.querySelector('.ik-slide')).transitionDuration"
    assert p.evaluate(moved) not in ("none", "0px")
    assert p.evaluate(fade).startswith("0.8s")
    p.emulate_media(reduced_motion="reduce")  # no drift, no fades
    assert p.evaluate(moved) in ("none", "0px")
    assert p.evaluate(fade).startswith("0s")
    p.clock.run_for(60_000)
    drift = "document.getElementById('ik-display').style.getPropertyValue('--ik-dx')"
    assert p.evaluate(drift) == "0.0px"


def test_a_broken_slide_is_skipped(browser: Browser, base: str, visits: Visits) -> None:
    visits.allowed.append(MISSING_404)
    p = visits.open(browser, base + "broken/", at=NOON)
    settle(p, NOON + dt.timedelta(milliseconds=300))
    p.clock.run_for(1_000)
    bad = (ms(NOON) // 12_000) % 3
    s = state(p)
    assert s["broken"] == [bad]
    assert s["slide"] not in (-1, bad)
    marked = f"document.querySelectorAll('.ik-slide')[{bad}].classList.contains('ik-broken')"
    assert p.evaluate(marked)
    assert shown(p)["current"] == [s["slide"]]
    # a clip or image that fails later, on the current slide: skipped within a second
    now = s["slide"]
    p.evaluate(
        """() => { const i = document.createElement('img'); i.alt = '';
        i.src = '../media/also-missing.jpg';
        document.querySelector('.ik-slide.ik-current').prepend(i); }"""
    )
    p.wait_for_function(f"immersionKiosk.state().broken.includes({now})")
    p.clock.run_for(1_000)
    s = state(p)
    assert s["slide"] not in (-1, bad, now)
    # every slide broken: the quiet slide, never a black screen
    p.evaluate(
        """() => { for (const s of document.querySelectorAll('.ik-slide:not(.ik-broken)')) {
          const i = document.createElement('img'); i.alt = ''; i.src = '../media/gone.jpg';
          s.prepend(i); } }"""
    )
    p.wait_for_function("immersionKiosk.state().broken.length === 3")
    p.clock.run_for(1_000)
    assert state(p)["slide"] == -1
    assert p.locator(".ik-quiet").is_visible()
    assert not state(p)["closed"]


# ---- autoplay: the browser's policy decides --------------------------------------------------


def clip_state(p: Page) -> dict[str, Any]:
    return p.evaluate(
        """() => { const a = document.querySelector('.ik-clip');
        return a && {paused: a.paused, time: a.currentTime, autoplay: a.autoplay,
          sources: [...a.querySelectorAll('source')].map(
            s => [s.getAttribute('src'), s.getAttribute('type')])}; }"""
    )


def test_autoplay_clip_plays_when_the_browser_allows(
    autoplay_browser: Browser, base: str, visits: Visits
) -> None:
    p = visits.open(autoplay_browser, base + "listen/")
    p.wait_for_function(
        "(a => a && !a.paused && a.currentTime > 0.2)(document.querySelector('.ik-clip'))"
    )
    c = clip_state(p)
    assert c["autoplay"]
    assert c["sources"] == [["../media/clip.opus", OPUS], ["../media/clip.m4a", None]]
    # the clip is missing but its fallback plays: the slide is not broken
    visits.allowed.append(MISSING_404)
    p = visits.open(autoplay_browser, base + "fallback/")
    p.wait_for_function(
        "(a => a && !a.paused && a.currentTime > 0.2)(document.querySelector('.ik-clip'))"
    )
    assert p.evaluate("document.querySelector('.ik-clip').currentSrc").endswith("/clip.m4a")
    assert state(p)["broken"] == [] and state(p)["slide"] == 0


def test_autoplay_clip_stays_paused_when_the_browser_blocks(
    browser: Browser, base: str, visits: Visits
) -> None:
    # The clock stands still: the slide's next turn (a new clip, which this Chromium lets
    # play once the page has been up a while) never comes during the test.
    p = visits.open(browser, base + "listen/", at=NOON)
    p.wait_for_function("(a => a && a.readyState >= 3)(document.querySelector('.ik-clip'))")
    p.wait_for_timeout(800)
    c = clip_state(p)
    assert c["autoplay"] and c["paused"] and c["time"] == 0


# ---- the service worker: offline, Range, updates ------------------------------------------------


def controlled(p: Page) -> None:
    """Wait until the service worker is active (precache done) and controls the page."""
    assert p.evaluate("navigator.serviceWorker.ready.then(r => !!r.active)")
    if not p.evaluate("!!navigator.serviceWorker.controller"):
        p.reload()
    p.wait_for_function("!!navigator.serviceWorker.controller")


RANGES = """async (url) => {
  const get = async (range) => {
    const r = await fetch(url, range ? {headers: {Range: range}} : {});
    const body = new Uint8Array(await r.arrayBuffer());
    return {status: r.status, range: r.headers.get('Content-Range'),
            length: r.headers.get('Content-Length'), accept: r.headers.get('Accept-Ranges'),
            type: r.headers.get('Content-Type'), bytes: body.length, first: body[0]};
  };
  const all = await get(null);
  return {all, mid: await get('bytes=100-199'), open: await get('bytes=1000-'),
          tail: await get('bytes=-50'), past: await get(`bytes=${all.bytes + 10}-`)};
}"""


def test_offline_the_display_runs_from_its_cache(
    browser: Browser, base: str, site: Path, visits: Visits
) -> None:
    visits.allowed.append(re.compile(r"status of 416 \(Range Not Satisfiable\)"))  # asked for
    p = visits.open(browser, base + "entrance/", at=NOON)  # (open hours: any time of day)
    controlled(p)
    caches = p.evaluate("caches.keys()")
    assert caches == ["immersion-kiosk-b1 /entrance/"]
    context = p.context
    context.set_offline(True)
    p.reload()
    p.wait_for_function("window.immersionKiosk && immersionKiosk.current() >= 0")
    assert p.locator(".ik-slide").count() == 4
    p.goto(base + "entrance/story/p07/")
    p.wait_for_function(
        "window.immersionKiosk && document.querySelector('.im-player.im-enhanced') &&"
        " document.getElementById('rec-p07').readyState >= 1"
    )
    size = (site / "media" / "tone.opus").stat().st_size
    got = p.evaluate(RANGES, "../../../media/tone.opus")
    assert got["all"]["status"] == 200 and got["all"]["bytes"] == size
    assert got["mid"] == {
        "status": 206,
        "range": f"bytes 100-199/{size}",
        "length": "100",
        "accept": "bytes",
        "type": "audio/ogg",
        "bytes": 100,
        "first": (site / "media" / "tone.opus").read_bytes()[100],
    }
    assert got["open"]["range"] == f"bytes 1000-{size - 1}/{size}"
    assert got["open"]["bytes"] == size - 1000
    assert got["tail"]["range"] == f"bytes {size - 50}-{size - 1}/{size}"
    assert got["tail"]["bytes"] == 50
    assert got["past"]["status"] == 416 and got["past"]["range"] == f"bytes */{size}"
    # the recording seeks offline (the media element asks for ranges of the cached file)
    seeked = p.evaluate(
        """() => new Promise((done) => {
        const a = document.getElementById('rec-p07');
        a.addEventListener('seeked', () => done([a.currentTime, a.readyState, a.error]),
          {once: true});
        a.currentTime = 12.5; })"""
    )
    assert abs(seeked[0] - 12.5) < 0.1 and seeked[1] >= 1 and seeked[2] is None
    p.locator(".im-player .im-play").click()
    p.wait_for_function("document.getElementById('rec-p07').currentTime > 12.7")
    # a page that was never cached falls back to the entry page, never an error page
    p.goto(base + "entrance/journey/nowhere/")
    p.wait_for_function("window.immersionKiosk && immersionKiosk.current() >= 0")
    assert p.url == base + "entrance/"
    assert p.locator(".ik-display").count() == 1


def test_an_update_waits_for_an_idle_reset(
    browser: Browser, site: Path, tmp_path: Path, visits: Visits
) -> None:
    root = tmp_path / "site"
    root.mkdir()
    for sub in ("assets", "media"):
        shutil.copytree(site / sub, root / sub)
    write_display(root, "entrance", config("entrance", build="b1"), entrance_slides(), " one")
    with StaticServer(root, headers=no_cache_sw) as server:
        url = server.url + "entrance/"
        p = visits.open(browser, url, at=NOON)
        controlled(p)
        settle(p, NOON + dt.timedelta(seconds=5))
        title = "document.querySelector('.ik-title').textContent"
        assert p.evaluate(title).endswith(" one")
        # the next build
        write_display(root, "entrance", config("entrance", build="b2"), entrance_slides(), " two")
        p.evaluate("navigator.serviceWorker.getRegistration().then(r => (window.R = r).update())")
        p.wait_for_function("R.waiting && R.waiting.state === 'installed'")
        p.clock.run_for(30_000)
        assert p.evaluate(title).endswith(" one")  # the display keeps its build ...
        assert p.evaluate("R.waiting && R.waiting.state") == "installed"
        assert p.evaluate("caches.keys()") == [
            "immersion-kiosk-b1 /entrance/",
            "immersion-kiosk-b2 /entrance/",
        ]
        with p.expect_navigation():
            # ... until the idle reset at 90 s (nobody is here, so no countdown): the page
            # asks the new worker to take over and reloads when it has (in real time)
            p.clock.run_for(57_000)
        p.wait_for_function("window.immersionKiosk")
        assert p.evaluate(title).endswith(" two")
        assert p.evaluate("caches.keys()") == ["immersion-kiosk-b2 /entrance/"]
        p.context.set_offline(True)
        p.reload()
        p.wait_for_function("window.immersionKiosk")
        assert p.evaluate(title).endswith(" two")
