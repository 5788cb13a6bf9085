"""The video slide as a person sees it at 1920x1080, 3840x2160 and 1080x1920: measured,
and screenshots in build/screenshots/kiosk-video/ (video_room.py's room, built once).
"""

from __future__ import annotations

from typing import Any

import pytest
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
    # Playing by itself, then held (by the test, not the display) on a moment of one cue, so
    # that the picture is the same at every size: 2.5 s, "the quote form was a maze".
    d.playing(HIGHLIGHT[0] + 0.3)
    d.js(
        """() => new Promise((done) => {
            const v = document.querySelector('.ik-current video');
            v.pause();
            v.addEventListener('seeked', () => v.requestVideoFrameCallback(() => done()),
                               {once: true});
            v.currentTime = 2.5;
        })"""
    )
    d.page.wait_for_function(
        "() => { const t = document.querySelector('.ik-current video').textTracks[0];"
        " return t.activeCues && t.activeCues.length === 1; }",
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
