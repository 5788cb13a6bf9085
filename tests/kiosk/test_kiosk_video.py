"""Video slides on the kiosk, built from a real filmed interview, in a real Chromium.

The room (conftest.make_room) gets Leah's interview as a video made by ffmpeg: a test
pattern with a face-sized patch where a face would be, a voice-like tone, 7 seconds,
and a highlight of 5 of them. Its displays each loop that one story: a 1080p screen, a
4K wall and a portrait screen (silent), and a listening post (`audio: true`). Chromium
runs as `immersion kiosk` launches it (autoplay allowed without a gesture). Nothing in
the tests calls play(): `HTMLMediaElement.play` is counted and must stay at zero.
Screenshots of the slide at each size go to build/screenshots/kiosk-video/.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import CHROMIUM_FLAGS, chromium_path, serve
from bs4 import BeautifulSoup
from conftest import REPO, TODAY, make_room

from immersion.commands import build
from immersion.render.kiosk.timing import reading_seconds, words_shown

SHOTS = REPO / "build" / "screenshots" / "kiosk-video"
HIGHLIGHT = (1.0, 6.0)  # the highlight the loop plays, seconds of the recording
VTT = """WEBVTT

00:00:00.000 --> 00:00:01.000
<v Sam>How did the move go?

00:00:01.000 --> 00:00:03.500
<v Leah>Honestly, the quote form was a maze.

00:00:03.500 --> 00:00:06.000
<v Leah>I just want one number I can trust.

00:00:06.000 --> 00:00:07.000
<v Sam>Thank you.
"""
DISPLAYS = {  # id: (resolution, audio)
    "screen": ((1920, 1080), False),
    "wall": ((3840, 2160), False),
    "tall": ((1080, 1920), False),
    "post": ((1920, 1080), True),
}
COUNT_PLAYS = """
window.__plays = 0;
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function (...a) { window.__plays++; return play.apply(this, a); };
"""


def room_yml(budget: str | None = None) -> str:
    rows = []
    for ident, ((w, h), audio) in DISPLAYS.items():
        rows.append(
            f"  - id: {ident}\n"
            f"    orientation: {'portrait' if h > w else 'landscape'}\n"
            f"    resolution: [{w}, {h}]\n"
            f"    playlist: {{items: [story/p07]}}\n"
            f"    audio: {'true' if audio else 'false'}\n"
        )
    head = "name: Test Room\ntimezone: Europe/London\nidle_seconds: 90\n"
    if budget:
        head += f"offline_budget: {budget}\n"
    return head + "displays:\n" + "".join(rows)


def filmed(ffmpeg: str, out: Path) -> Path:
    """A 7 s 960x540 interview: a moving pattern, a skin-toned face patch in the upper
    middle (where a face sits in a call recording), a tone for the voice."""
    subprocess.run(
        [
            ffmpeg, "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=960x540:rate=25:duration=7",
            "-f", "lavfi", "-i", "sine=f=220:duration=7",
            "-vf", "drawbox=x=380:y=70:w=200:h=250:color=0xd9a07a:t=fill,"
            "drawbox=x=430:y=150:w=30:h=20:color=black:t=fill,"
            "drawbox=x=500:y=150:w=30:h=20:color=black:t=fill",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(out),
        ],
        check=True,
    )  # fmt: skip
    return out


def video_room(root: Path, tone: Path, ffmpeg: str, budget: str | None = None) -> Path:
    room = make_room(root, tone)
    bundle = room / "content/stories/p07"
    (bundle / "interview.m4a").unlink()
    filmed(ffmpeg, bundle / "interview.mp4")
    (bundle / "interview.vtt").write_text(VTT, encoding="utf-8")
    index = bundle / "index.md"
    text = index.read_text(encoding="utf-8")
    text = text.replace("recording: interview.m4a", "recording: interview.mp4")
    text = re.sub(
        r"- \{id: hl-1, start: [^,]+, end: [^,]+,",
        f'- {{id: hl-1, start: "{HIGHLIGHT[0]}", end: "{HIGHLIGHT[1]}",',
        text,
    )
    index.write_text(text, encoding="utf-8")
    (room / "content/room.yml").write_text(room_yml(budget), encoding="utf-8")
    return room


def run_build(room: Path) -> str:
    out = io.StringIO()
    code = build.run(room, ("kiosk",), today=TODAY, out=out, jobs=1)
    assert code == 0, out.getvalue()
    return out.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, tone: Path, ffmpeg: str) -> tuple[Path, str]:
    room = video_room(tmp_path_factory.mktemp("video-kiosk") / "room", tone, ffmpeg)
    return room / "build" / "kiosk", run_build(room)


@pytest.fixture(scope="module")
def site(built: tuple[Path, str]) -> Path:
    return built[0]


@pytest.fixture(scope="module")
def base(site: Path) -> Iterator[str]:
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def kiosk_browser() -> Iterator[Any]:
    """Chromium as `immersion kiosk` launches it: autoplay needs no gesture."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path(),
            args=[*CHROMIUM_FLAGS, "--autoplay-policy=no-user-gesture-required"],
        )
        try:
            yield browser
        finally:
            browser.close()


class Display:
    def __init__(self, browser: Any, base: str, display: str, path: str = "") -> None:
        (width, height), _audio = DISPLAYS[display]
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.context.add_init_script(COUNT_PLAYS)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.responses: list[Any] = []
        self.context.on("response", lambda r: self.responses.append(r))
        self.base = base + display + "/"
        self.visitor = False  # a visitor pressed play (players.js plays then)
        self.page.goto(self.base + path)

    def js(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)

    def playing(self, past: float) -> None:
        """Wait until the slide's video has played past `past` seconds of the recording."""
        self.page.wait_for_function(
            "(t) => { const v = document.querySelector('.ik-current video.ik-video');"
            " return v && !v.paused && v.currentTime > t; }",
            arg=past,
            timeout=20_000,
        )


@pytest.fixture
def open_display(kiosk_browser: Any, base: str) -> Iterator[Any]:
    opened: list[Display] = []

    def opener(display: str, path: str = "") -> Display:
        d = Display(kiosk_browser, base, display, path)
        opened.append(d)
        return d

    yield opener
    for d in opened:
        errors = d.errors
        plays = d.js("window.__plays")
        d.context.close()
        assert errors == []
        if not d.visitor:
            assert plays == 0  # autoplay by attribute only: never a scripted play()


def slide(site: Path, display: str) -> Any:
    page = BeautifulSoup((site / display / "index.html").read_text(), "html.parser")
    found = page.select_one(".ik-slide-video")
    assert found is not None, display
    return found


# ---- the markup -----------------------------------------------------------------------


def test_a_filmed_interview_is_a_video_slide_of_its_highlight(site: Path) -> None:
    s = slide(site, "screen")
    video = s.select_one("video.ik-video")
    assert video is not None
    # Muted, inline, poster first; the runtime, not the markup, sets autoplay.
    assert video.has_attr("muted") and video.has_attr("playsinline")
    assert not video.has_attr("autoplay") and video["preload"] == "none"
    assert video.has_attr("data-ik-auto")
    source = video.select_one("source")
    assert source["type"] == "video/mp4"
    assert source["src"].endswith(".mp4#t=1.000,6.000")
    assert (site / "screen" / source["src"].split("#")[0]).is_file()
    assert (site / "screen" / video["poster"]).is_file()
    track = video.select_one("track")
    assert track["kind"] == "captions" and track.has_attr("default")
    assert (site / "screen" / track["src"]).is_file()
    # The highlight's 5 s and a breath, or the time to read who and what, if longer.
    reading = reading_seconds(words_shown(str(s.select_one(".ik-slide-text"))))
    seconds = max(6.5, reading)
    assert float(s["data-ik-seconds"]) == seconds
    config = json.loads(BeautifulSoup((site / "screen/index.html").read_text(), "html.parser")
                        .select_one("#ik-config").get_text())  # fmt: skip
    assert config["cycle"] == [seconds]
    assert s.select_one(".ik-open").get_text() == "Touch to watch Leah"
    # No audio clip rides along: the video carries the voice.
    assert not s.has_attr("data-ik-clip")
    assert s.select_one(".ik-now-playing") is None
    assert slide(site, "post").select_one(".ik-now-playing") is not None


def test_item_pages_play_video_muted_only_where_the_display_is_silent(site: Path) -> None:
    for display, ((_w, _h), audio) in DISPLAYS.items():
        page = BeautifulSoup((site / display / "story/p07/index.html").read_text(), "html.parser")
        video = page.select_one(".im-player video")
        assert video is not None, display
        assert video.has_attr("muted") is (not audio), display


def test_the_display_precaches_its_video_poster_and_captions(site: Path) -> None:
    s = slide(site, "screen")
    video = s.select_one("video")
    urls = json.loads((site / "screen/precache.json").read_text())
    for url in (video.select_one("source")["src"].split("#")[0], video["poster"],
                video.select_one("track")["src"]):  # fmt: skip
        assert url in urls, url


# ---- in Chromium ------------------------------------------------------------------------


def test_the_video_slide_plays_muted_with_captions_showing(open_display: Any) -> None:
    d = open_display("screen")
    d.playing(HIGHLIGHT[0] + 0.5)
    state = d.js(
        """() => { const v = document.querySelector('.ik-current video.ik-video');
          const t = v.textTracks[0];
          return {muted: v.muted, autoplay: v.autoplay, poster: v.getAttribute('poster'),
                  kind: t && t.kind, mode: t && t.mode}; }"""
    )
    assert state["muted"] is True and state["autoplay"] is True
    assert (state["kind"], state["mode"]) == ("captions", "showing")
    d.page.wait_for_function(
        "() => { const t = document.querySelector('.ik-current video').textTracks[0];"
        " return t.activeCues && t.activeCues.length > 0; }",
        timeout=10_000,
    )
    cue = d.js("document.querySelector('.ik-current video').textTracks[0].activeCues[0].text")
    assert "quote form" in cue or "one number" in cue
    # The poster is a file the display is served.
    status = d.js("(u) => fetch(u).then((r) => [r.status, r.headers.get('content-type')])",
                  state["poster"])  # fmt: skip
    assert status == [200, "image/jpeg"]


def test_on_a_display_with_sound_the_video_is_heard(open_display: Any) -> None:
    d = open_display("post")
    d.playing(HIGHLIGHT[0] + 0.5)
    assert d.js("document.querySelector('.ik-current video').muted") is False
    d.page.wait_for_function("document.querySelector('.ik-current.ik-playing') !== null")


def test_the_video_stops_at_its_highlight_and_the_turn_starts_it_again(
    open_display: Any,
) -> None:
    d = open_display("screen")
    d.playing(HIGHLIGHT[0] + 0.2)
    # The media fragment's end: it pauses there, however long the recording is.
    d.page.wait_for_function(
        "(e) => { const v = document.querySelector('.ik-current video');"
        " return v.paused && Math.abs(v.currentTime - e) < 0.3; }",
        arg=HIGHLIGHT[1],
        timeout=20_000,
    )
    # A one-slide loop: the next turn plays the span again from its start.
    d.playing(HIGHLIGHT[0] + 0.2)


def test_item_page_video_on_a_silent_display_stays_muted(open_display: Any) -> None:
    d = open_display("screen", "story/p07/")
    # Once the display's worker runs the page (a first visit's video would restart when
    # it takes over: kiosk.js does so for slides; a visitor presses play again).
    d.page.wait_for_function(
        "navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)",
        timeout=30_000,
    )
    d.page.reload()
    d.page.wait_for_function("document.querySelector('.im-player.im-enhanced') !== null")
    d.visitor = True
    assert d.js("document.querySelector('.im-player video').muted") is True
    d.page.locator(".im-player .im-play").first.click()  # a visitor's play: no script's
    d.page.wait_for_function(
        "() => { const v = document.querySelector('.im-player video');"
        " return !v.paused && v.currentTime > 0.3; }",
        timeout=20_000,
    )
    d.js("() => { document.querySelector('.im-player video').muted = false; }")
    d.page.wait_for_function("document.querySelector('.im-player video').muted === true")


def test_offline_the_video_still_plays_from_the_workers_cache(open_display: Any) -> None:
    d = open_display("screen")
    d.page.wait_for_function(
        "navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)",
        timeout=30_000,
    )
    src = d.js("document.querySelector('.ik-slide-video source').src.split('#')[0]")
    # Wait until the install has put the video in the display's cache.
    d.page.wait_for_function("(u) => caches.match(u).then((r) => !!r)", arg=src, timeout=30_000)
    d.context.set_offline(True)
    d.responses.clear()
    d.page.reload()
    d.playing(HIGHLIGHT[0] + 0.5)
    media = [r for r in d.responses if r.url.split("#")[0] == src]
    assert media and all(r.from_service_worker for r in media)
    assert 206 in [r.status for r in media]
    # A Range request is answered 206 by the worker, sliced from the cached body.
    answer = d.js(
        """(u) => fetch(u, {headers: {Range: 'bytes=100-199'}}).then(async (r) =>
            [r.status, r.headers.get('content-range'), (await r.arrayBuffer()).byteLength])""",
        src,
    )
    assert answer[0] == 206 and answer[2] == 100
    assert re.fullmatch(r"bytes 100-199/\d+", answer[1])
    d.context.set_offline(False)


def test_a_video_whose_consent_ended_is_neither_served_nor_kept(
    kiosk_browser: Any, site: Path, tmp_path: Path
) -> None:
    """The worker's own clock: the video ends a few seconds after the worker installs."""
    copy = tmp_path / "kiosk"
    shutil.copytree(site, copy)
    sw = copy / "screen" / "sw.js"
    text = sw.read_text()
    head = re.search(r"const VALID_UNTIL = (\{.*?\});\n", text)
    assert head is not None
    dates = json.loads(head.group(1))
    mp4 = [u for u in dates if u.endswith(".mp4")]
    assert mp4, dates  # the video is dated by its consent, like any clip
    end = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=12)
    for u in mp4:
        dates[u] = end.isoformat()
    sw.write_text(text.replace(head.group(0), f"const VALID_UNTIL = {json.dumps(dates)};\n"))
    with serve(copy) as url:
        context = kiosk_browser.new_context()
        try:
            page = context.new_page()
            page.goto(url + "screen/")
            page.wait_for_function(
                "navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)",
                timeout=30_000,
            )
            src = url + "screen/" + mp4[0]
            page.wait_for_function(
                "(u) => caches.match(u).then((r) => !!r)", arg=src, timeout=10_000
            )
            context.set_offline(True)
            page.wait_for_function("(e) => Date.now() > e", arg=end.timestamp() * 1000 + 1500,
                                   timeout=30_000)  # fmt: skip
            status = page.evaluate(
                "(u) => fetch(u, {headers: {Range: 'bytes=0-99'}}).then((r) => r.status)", src
            )
            assert status == 404
            page.wait_for_function(
                "(u) => caches.match(u).then((r) => !r)", arg=src, timeout=10_000
            )
        finally:
            context.close()


# ---- what a person sees -----------------------------------------------------------------


@pytest.mark.parametrize("display", ["screen", "wall", "tall"])
def test_screenshots_of_the_video_slide(open_display: Any, display: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    d = open_display(display)
    d.page.evaluate("document.fonts.ready")
    # Mid-highlight, on a cue, with the cross-fade over.
    d.playing(HIGHLIGHT[0] + 1.2)
    d.page.wait_for_function(
        "() => { const t = document.querySelector('.ik-current video').textTracks[0];"
        " return t.activeCues && t.activeCues.length > 0; }",
        timeout=10_000,
    )
    d.page.wait_for_timeout(900)  # past the 0.8 s cross-fade, for the picture only
    box = d.js(
        """() => { const s = document.querySelector('.ik-current');
          const r = (e) => { const b = e.getBoundingClientRect();
            return [b.left, b.top, b.right, b.bottom]; };
          const v = s.querySelector('video'), text = s.querySelector('.ik-slide-text'),
                open = s.querySelector('.ik-open');
          return {video: r(v), text: r(text), open: r(open), w: innerWidth, h: innerHeight,
                  name: parseFloat(getComputedStyle(s.querySelector('.ik-name')).fontSize)}; }"""
    )
    d.page.screenshot(path=SHOTS / f"{display}.png")
    # Nothing but the captions lies on the picture: who and the prompt sit under it.
    assert box["text"][1] >= box["video"][3] - 1 and box["open"][1] >= box["video"][3] - 1
    assert box["open"][3] <= box["h"] + 1
    # The video takes most of the screen.
    area = (box["video"][2] - box["video"][0]) * (box["video"][3] - box["video"][1])
    assert area >= 0.7 * box["w"] * box["h"]
    assert box["name"] >= 0.028 * min(box["w"], box["h"]) - 0.01


# ---- the budget ---------------------------------------------------------------------------


def test_a_display_past_its_offline_budget_is_warned_naming_its_largest_items(
    built: tuple[Path, str],
) -> None:
    out = built[1]
    assert "over its budget" not in out  # 2 GB by default: a few seconds of video pass
    room = built[0].parent.parent
    yml = room / "content/room.yml"
    text = yml.read_text()
    yml.write_text(text.replace("  - id: wall\n", "  - id: wall\n    offline_budget: 50 KB\n", 1))
    try:
        again = run_build(room)
    finally:
        yml.write_text(text)
    warnings = [line for line in again.splitlines() if "over its budget" in line]
    assert len(warnings) == 1, again
    line = warnings[0]
    assert line.startswith("content/room.yml:")
    assert "warning [displays[1].offline_budget]" in line
    assert "the display 'wall' keeps" in line and "over its budget of 50 KB" in line
    assert "the largest: story/p07" in line and "interview.mp4" in line
    assert "raise `offline_budget` for this display in room.yml" in line


def test_the_budget_is_checked_and_written_as_a_size(tmp_path: Path) -> None:
    from conftest import write

    from immersion.commands import check

    room = tmp_path / "room"
    (room / "content").mkdir(parents=True)
    write(
        room / "content/room.yml",
        textwrap.dedent(
            """
            name: R
            offline_budget: lots
            displays:
              - id: a
                playlist: {kind: story}
                offline_budget: -3
            """
        ),
    )
    out = io.StringIO()
    check.run(room, today=TODAY, out=out)
    text = out.getvalue()
    assert "content/room.yml:2: error [offline_budget]: 'lots' is not a size" in text, text
    assert 'write a size such as "2 GB" or "500 MB"' in text
    assert "content/room.yml:6: error [displays[0].offline_budget]: -3 is out of range" in text
