"""A room with a filmed interview, built once per session, for the kiosk's video tests.

The room (conftest.make_room) gets Leah's interview as a video made by ffmpeg: a test
pattern with a face-sized patch where a face would be, a tone for the voice, 7 seconds,
and a highlight of 5 of them. Its displays each loop that one story: a 1080p screen, a
4K wall and a portrait screen (silent), and a listening post (`audio: true`). Chromium
runs as `immersion kiosk` launches it (autoplay allowed without a gesture), and
`HTMLMediaElement.play` is counted: a display's own video must never need it.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import CHROMIUM_FLAGS, chromium_path, serve
from bs4 import BeautifulSoup
from conftest import REPO, TODAY, make_room

from immersion.commands import build

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
    """A 7 s 640x360 interview: a moving pattern, a skin-toned face patch in the upper
    middle (where a face sits in a call recording), a tone for the voice."""
    subprocess.run(
        [
            ffmpeg, "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=7",
            "-f", "lavfi", "-i", "sine=f=220:duration=7",
            "-vf", "drawbox=x=253:y=47:w=133:h=167:color=0xd9a07a:t=fill,"
            "drawbox=x=287:y=100:w=20:h=13:color=black:t=fill,"
            "drawbox=x=333:y=100:w=20:h=13:color=black:t=fill",
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
    code = build.run(room, ("kiosk",), today=TODAY, out=out)
    assert code == 0, out.getvalue()
    return out.getvalue()


_built: dict[str, tuple[Path, str]] = {}


def video_kiosk(
    tmp_path_factory: pytest.TempPathFactory, tone: Path, ffmpeg: str
) -> tuple[Path, str]:
    """The room with the filmed interview, built once per test session: its kiosk site and
    what the build printed. Tests that change the room work on a copy (`copy_room`)."""
    if "kiosk" not in _built:
        room = video_room(tmp_path_factory.mktemp("video-kiosk") / "room", tone, ffmpeg)
        _built["kiosk"] = (room / "build" / "kiosk", run_build(room))
    return _built["kiosk"]


def copy_room(site: Path, to: Path) -> Path:
    """A copy of the built room (content and media cache): a rebuild converts nothing."""
    room = site.parent.parent
    copy = to / "room"
    copy.mkdir(parents=True)
    shutil.copytree(room / "content", copy / "content")
    shutil.copy(room / "mkdocs.yml", copy / "mkdocs.yml")
    shutil.copytree(room / "build" / ".cache", copy / "build" / ".cache")
    return copy


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, tone: Path, ffmpeg: str) -> tuple[Path, str]:
    return video_kiosk(tmp_path_factory, tone, ffmpeg)


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
