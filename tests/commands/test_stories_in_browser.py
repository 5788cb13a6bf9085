"""Every kind of story in a real Chromium, on the demo room the test builds.

Transcript lines seek the recording (which needs the server's 206 answers to
Range requests), the current line follows playback, the film shows the frame
of the narration's second, captions are on, quotes land on their second, and
axe-core finds nothing serious on a page of every kind.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium, serve

STORY_PAGES = {
    "interview": "stories/p07/",
    "audio-diary": "stories/diary-p11/",
    "photo-film": "stories/film-p14/",
    "email": "stories/email-p16/",
    "story": "stories/story-p19/",
}


@pytest.fixture(scope="module")
def site_url(demo_site: Path) -> Iterator[str]:
    with serve(demo_site) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


class Page:
    """A page with its console errors and the responses it received."""

    def __init__(self, browser: Any, url: str, reduced_motion: bool = False) -> None:
        self.context = browser.new_context(reduced_motion="reduce" if reduced_motion else None)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.responses: list[tuple[str, int]] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("response", lambda r: self.responses.append((r.url, r.status)))
        self.page.goto(url)
        self.page.wait_for_load_state("load")

    def js(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser: Any, site_url: str) -> Iterator[Any]:
    pages: list[Page] = []

    def opener(path: str, **kwargs: Any) -> Page:
        page = Page(browser, site_url + path, **kwargs)
        pages.append(page)
        return page

    yield opener
    for page in pages:
        errors = page.errors
        page.close()
        assert errors == [], errors


def test_the_server_answers_range_requests_with_206(demo_site: Path, site_url: str) -> None:
    m4a = demo_site / "media/stories/p07/interview.m4a"
    data = m4a.read_bytes()
    request = urllib.request.Request(
        site_url + "media/stories/p07/interview.m4a", headers={"Range": "bytes=100-199"}
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 206
        assert response.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
        assert response.read() == data[100:200]


def test_clicking_a_transcript_line_seeks_to_it(open_page: Any) -> None:
    p = open_page(STORY_PAGES["interview"])
    cues = p.page.locator(".im-transcript[data-for=rec-p07] li.im-cue")
    assert cues.count() >= 10
    for n in (4, 9):  # two lines, so a lucky first seek proves nothing
        line = cues.nth(n)
        start = float(line.get_attribute("data-start"))
        line.locator(".im-cue-text").click()
        p.page.wait_for_function(
            "([s]) => { const a = document.getElementById('rec-p07');"
            " return !a.seeking && Math.abs(a.currentTime - s) < 0.25; }",
            arg=[start],
            timeout=5000,
        )
    # The player asked for parts of the file, and got them.
    media = [status for url, status in p.responses if "/media/stories/p07/interview." in url]
    assert 206 in media


def test_the_current_line_follows_playback(open_page: Any) -> None:
    p = open_page(STORY_PAGES["interview"])
    lines = p.page.locator(".im-transcript[data-for=rec-p07] li.im-cue")
    first = lines.nth(1)
    first.locator(".im-cue-text").click()  # plays from line 2
    p.page.wait_for_function(
        "() => document.querySelector('.im-cue-current')?.id === 'rec-p07-2'", timeout=5000
    )
    # Jump near the end of line 2 while it plays: line 3 must take over by itself.
    end = float(first.get_attribute("data-end"))
    p.js("(t) => { document.getElementById('rec-p07').currentTime = t; }", end - 0.4)
    p.page.wait_for_function(
        "() => document.querySelector('.im-cue-current')?.id === 'rec-p07-3'", timeout=5000
    )
    assert p.js("() => document.querySelectorAll('.im-cue-current').length") == 1
    assert p.js("() => !document.getElementById('rec-p07').paused")


def test_captions_are_attached_and_showing(open_page: Any) -> None:
    p = open_page(STORY_PAGES["interview"])
    track = p.js(
        "() => { const t = document.getElementById('rec-p07').textTracks[0];"
        " return t && [t.kind, t.mode]; }"
    )
    assert track == ["captions", "showing"]


def test_a_persona_quote_lands_on_its_second(open_page: Any) -> None:
    p = open_page("personas/maya/")
    # The quote card's one way in: "In context", to the transcript line the words start on.
    p.page.locator(".im-persona-quote a.im-in-context").click()
    p.page.wait_for_url("**/stories/p07/#rec-p07-*")
    line = p.page.url.rsplit("#", 1)[1]
    assert p.page.locator(f"#{line}").get_attribute("data-highlight") == "hl-2"
    start = float(p.page.locator(f"#{line}").get_attribute("data-start"))
    p.page.wait_for_function(
        "([s]) => Math.abs(document.getElementById('rec-p07').currentTime - s) < 0.25",
        arg=[start],
        timeout=5000,
    )
    assert p.js("() => document.getElementById('rec-p07').paused")  # seeks; never autoplays


def test_the_film_shows_the_frame_of_the_narrations_second(open_page: Any) -> None:
    p = open_page(STORY_PAGES["photo-film"])
    frames = p.page.locator(".im-film-frame")
    count = frames.count()
    assert count == 5
    narration = p.page.locator(".im-film").get_attribute("data-for")
    # The page downloads no audio until asked (preload="none"): load the narration as a
    # visitor's first play would, so that setting currentTime below is a real seek.
    p.js(
        "(id) => { const a = document.getElementById(id); a.preload = 'auto'; a.load(); }",
        narration,
    )
    p.page.wait_for_function("(id) => document.getElementById(id).readyState >= 1", arg=narration)
    for k in (2, 0, 4, 3):
        frame = frames.nth(k)
        start = float(frame.get_attribute("data-start"))
        end = float(frame.get_attribute("data-end"))
        inside = (start + end) / 2
        p.js("([id, t]) => { document.getElementById(id).currentTime = t; }", [narration, inside])
        p.page.wait_for_function(
            "(k) => document.querySelectorAll('.im-film-frame')[k]"
            ".classList.contains('im-frame-current')",
            arg=k,
            timeout=5000,
        )
        # Once the cross-fade is over, frame K is the only one on screen.
        p.page.wait_for_function(
            "(id) => { const shown = [...document.querySelectorAll('.im-film-frame')]"
            ".filter(f => getComputedStyle(f).visibility !== 'hidden'"
            " && getComputedStyle(f).opacity !== '0'); "
            "return shown.length === 1 && shown[0].id === id; }",
            arg=f"frame-{k + 1}",
            timeout=5000,
        )


def test_the_film_does_not_move_for_people_who_asked_for_less_motion(open_page: Any) -> None:
    moving = open_page(STORY_PAGES["photo-film"])
    still = open_page(STORY_PAGES["photo-film"], reduced_motion=True)
    script = "() => getComputedStyle(document.querySelector('.im-frame-current img')).animationName"
    assert moving.js(script) != "none"
    assert still.js(script) == "none"


def test_diary_entries_are_a_timeline_with_players_and_transcripts(open_page: Any) -> None:
    p = open_page(STORY_PAGES["audio-diary"])
    entries = p.page.locator("ol.im-timeline > li.im-entry")
    assert entries.count() == 3
    for i in range(3):
        entry = entries.nth(i)
        assert entry.locator("audio").count() == 1
        assert entry.locator("li.im-cue").count() >= 1
        assert entry.locator("time").count() == 1


@pytest.mark.parametrize("kind", list(STORY_PAGES))
def test_no_serious_accessibility_violations(open_page: Any, kind: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    p = open_page(STORY_PAGES[kind])
    results = Axe().run(p.page)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
