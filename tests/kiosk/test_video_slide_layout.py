"""The video slide as a person sees it at 1920x1080, 3840x2160 and 1080x1920: measured,
and screenshots in build/screenshots/kiosk-video/ (video_room.py's room, built once).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from video_room import (
    HIGHLIGHT,
    SHOTS,
    base,
    built,
    kiosk_browser,
    open_display,
    site,
)

__all__ = ["base", "built", "kiosk_browser", "open_display", "site"]  # fixtures, used by name


@pytest.mark.parametrize("display", ["screen", "wall", "tall"])
def test_screenshots_of_the_video_slide(open_display: Any, display: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    d = open_display(display)
    d.page.evaluate("document.fonts.ready")
    # Once the display's worker runs the page: its takeover restarts the slide's video
    # (kiosk.js), which would undo the hold below and leave stale captions in the picture.
    d.page.wait_for_function(
        "navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)",
        timeout=30_000,
    )
    # Playing by itself, then held (by the test, not the display) on a moment of one cue, so
    # that the picture is the same at every size: 2.5 s, "the quote form was a maze".
    d.playing(HIGHLIGHT[0] + 0.3)
    # A key press is a visitor: the loop holds the slide, so no next turn restarts the video.
    d.page.keyboard.press("Shift")
    d.page.wait_for_function("immersionKiosk.state().engaged")
    # Polled, not awaited on an event: a paused video's frame callback may never come. On a
    # loaded machine the page may still restart the video once after the hold (a late
    # worker takeover): the pause and seek are given again until the moment holds.
    held = (
        "() => { const v = document.querySelector('.ik-current video'), t = v.textTracks[0];"
        " return v.paused && !v.seeking && v.readyState >= 2"
        " && Math.abs(v.currentTime - 2.5) < 0.01 && t.activeCues && t.activeCues.length === 1; }"
    )
    hold = (
        "() => { const v = document.querySelector('.ik-current video');"
        " if (!v.paused || Math.abs(v.currentTime - 2.5) >= 0.01) {"
        " v.pause(); v.currentTime = 2.5; } }"
    )
    deadline = time.monotonic() + 60
    while True:
        d.js(hold)
        try:
            d.page.wait_for_function(held, timeout=5_000)
            break
        except PlaywrightTimeout:
            assert time.monotonic() < deadline, "the video slide never held at 2.5 s"
    d.page.wait_for_timeout(900)  # past the 0.8 s cross-fade, for the picture only
    box = d.js(
        """() => { const s = document.querySelector('.ik-current');
          const r = (e) => { const b = e.getBoundingClientRect();
            return [b.left, b.top, b.right, b.bottom]; };
          const v = s.querySelector('video'), text = s.querySelector('.ik-slide-text'),
                open = s.querySelector('.ik-open');
          const fit = getComputedStyle(v);
          return {video: r(v), text: r(text), open: r(open), w: innerWidth, h: innerHeight,
                  size: [v.videoWidth, v.videoHeight], fit: fit.objectFit,
                  at: fit.objectPosition.split(' ').map(parseFloat),
                  name: parseFloat(getComputedStyle(s.querySelector('.ik-name')).fontSize),
                  cue: parseFloat(getComputedStyle(v, '::cue').fontSize),
                  held: [v.paused, v.currentTime]}; }"""
    )
    d.page.screenshot(path=SHOTS / f"{display}.png")
    assert box["held"][0] and abs(box["held"][1] - 2.5) < 0.05  # the picture is of 2.5 s
    w, h = box["w"], box["h"]
    pic = picture(box)
    # The picture whole: inside the screen, never cropped (give or take the few pixels the
    # display drifts by against burn-in, kiosk.js's --ik-dx/--ik-dy).
    assert box["fit"] == "contain"
    assert pic[0] >= -6 and pic[1] >= -6 and pic[2] <= w + 6 and pic[3] <= h + 6
    # Nothing but the captions lies on the picture: who and the prompt sit under it, and
    # nothing is cut off at the foot.
    assert box["text"][1] >= pic[3] - 1 and box["open"][1] >= pic[3] - 1
    assert box["text"][3] <= box["open"][1] + 1 or box["text"][2] <= box["open"][0] + 1
    assert box["open"][3] <= h + 6
    # The picture is as big as the screen lets a whole 16:9 film be.
    pw, ph = pic[2] - pic[0], pic[3] - pic[1]
    if h > w:  # portrait: the screen's width, at the top (no black field above it)
        assert pw >= 0.98 * w and pic[1] <= 0.02 * h
        # Under it, inside the video's box, a band for the captions: off the picture.
        assert box["video"][3] - pic[3] >= 2.5 * box["cue"]
    else:
        assert ph >= 0.75 * h and pw * ph >= 0.6 * w * h
    assert box["name"] >= 0.028 * min(w, h) - 0.01
    assert box["cue"] >= 0.028 * min(w, h) - 0.01  # captions read from across the room


def picture(box: dict[str, Any]) -> tuple[float, float, float, float]:
    """Where the frame is drawn in the video's box: object-fit contain at object-position."""
    left, top, right, bottom = box["video"]
    bw, bh = right - left, bottom - top
    vw, vh = box["size"]
    scale = min(bw / vw, bh / vh)
    pw, ph = vw * scale, vh * scale
    x = left + (bw - pw) * box["at"][0] / 100
    y = top + (bh - ph) * box["at"][1] / 100
    return (x, y, x + pw, y + ph)


# ---- the budget ---------------------------------------------------------------------------
