"""Video slides offline: played from the worker's cache, Range answered 206, and gone
with their consent (video_room.py's room, built once).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import time
from pathlib import Path
from typing import Any

from browser import serve
from video_room import (
    HIGHLIGHT,
    base,
    built,
    kiosk_browser,
    open_display,
    site,
)

__all__ = ["base", "built", "kiosk_browser", "open_display", "site"]  # fixtures, used by name


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
    # The responses are Playwright's events, delivered while the test waits: poll for the
    # 206 with a deadline rather than read the list once (a loaded machine delivers late).
    deadline = time.monotonic() + 20
    while True:
        media = [r for r in d.responses if r.url.split("#")[0] == src]
        if 206 in [r.status for r in media] or time.monotonic() > deadline:
            break
        d.page.wait_for_timeout(100)
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
    end = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=6)
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
