"""Video slides on the kiosk: the markup, playing muted or heard, item pages, the budget.

The room is video_room.py's (a filmed interview on four displays), built once.
"""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from conftest import TODAY
from video_room import (
    DISPLAYS,
    HIGHLIGHT,
    base,
    built,
    copy_room,
    kiosk_browser,
    open_display,
    run_build,
    site,
    slide,
)

from immersion.render.kiosk.timing import reading_seconds, words_shown

__all__ = ["base", "built", "kiosk_browser", "open_display", "site"]  # fixtures, used by name


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
    # The cue's text is read in the same poll that finds it showing: read afterwards, on a
    # loaded machine the cue may have ended (activeCues[0] undefined).
    cue = d.page.wait_for_function(
        "() => { const t = document.querySelector('.ik-current video').textTracks[0];"
        " return t.activeCues && t.activeCues.length > 0 && t.activeCues[0].text; }",
        timeout=10_000,
    ).json_value()
    assert "quote form" in cue or "one number" in cue
    # The poster is a file the display is served.
    status = d.js("(u) => fetch(u).then((r) => [r.status, r.headers.get('content-type')])",
                  state["poster"])  # fmt: skip
    assert status == [200, "image/jpeg"]
    # The media fragment's end: it pauses there, however long the recording is; and as
    # the loop has one slide, the next turn plays the span again from its start.
    d.page.wait_for_function(
        "(e) => { const v = document.querySelector('.ik-current video');"
        " return v.paused && Math.abs(v.currentTime - e) < 0.3; }",
        arg=HIGHLIGHT[1],
        timeout=20_000,
    )
    d.playing(HIGHLIGHT[0] + 0.2)
    assert d.js("document.querySelector('.ik-current video').muted") is True


def test_on_a_display_with_sound_the_video_is_heard(open_display: Any) -> None:
    d = open_display("post")
    d.playing(HIGHLIGHT[0] + 0.5)
    assert d.js("document.querySelector('.ik-current video').muted") is False
    d.page.wait_for_function("document.querySelector('.ik-current.ik-playing') !== null")


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


def test_a_display_past_its_offline_budget_is_warned_naming_its_largest_items(
    built: tuple[Path, str], tmp_path: Path
) -> None:
    assert "over its budget" not in built[1]  # 2 GB by default: seconds of video pass
    room = copy_room(built[0], tmp_path)
    yml = room / "content/room.yml"
    text = yml.read_text()
    yml.write_text(text.replace("  - id: wall\n", "  - id: wall\n    offline_budget: 50 KB\n", 1))
    again = run_build(room)
    assert "videos: 0 converted, 1 reused" in again  # the copy's cache: nothing converted
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
