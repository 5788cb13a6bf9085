"""The kiosk's offline precache and the audit read "what a page loads" alike."""

from __future__ import annotations

import re
from pathlib import Path

from immersion.audit import findings as f
from immersion.audit.markup import parse_html
from immersion.audit.urls import Checker
from immersion.pageloads import page_loads
from immersion.render.kiosk.offline import collect

PAGE = """<!doctype html><html><head>
<link rel="stylesheet" href="{u}/site.css">
<link rel="canonical" href="{u}/other.html">
<style>.hero {{ background: url("{u}/hero.png") }} /* url({u}/commented.png) */</style>
</head><body>
<img src="{u}/photo.jpg" srcset="{u}/photo-480.webp 480w, {u}/photo-960.webp 960w" alt="">
<video poster="{u}/poster.jpg"></video>
<div style="background-image: url('{u}/tile.png')"></div>
<audio src="{u}/talk.m4a" data-peaks="{u}/talk.json"></audio>
<a href="{u}/page.html">a link, not a load</a>
<!-- <img src="{u}/in-a-comment.jpg"> -->
</body></html>"""

LOADS = {
    "site.css",
    "hero.png",
    "photo.jpg",
    "photo-480.webp",
    "photo-960.webp",
    "poster.jpg",
    "tile.png",
    "talk.m4a",
    "talk.json",
}
# Files that exist beside the loads but that the page only links to, or only mentions.
NOT_LOADS = {"other.html", "page.html", "commented.png", "in-a-comment.jpg"}


def precached(tmp_path: Path) -> set[str]:
    """The media files the offline precache takes for a page that loads them from its site."""
    site = tmp_path / "site"
    media = site / "entrance" / "media"
    media.mkdir(parents=True)
    for name in LOADS | NOT_LOADS:
        (media / name).write_bytes(b"x")
    (site / "entrance" / "index.html").write_text(PAGE.format(u="media"), encoding="utf-8")
    needed, pages = collect(site, "entrance")
    assert pages == 1
    return {
        path.removeprefix("entrance/media/") for path in needed if path.startswith("entrance/")
    } - {"entrance/index.html"}


def audited(host: str) -> set[str]:
    """The files the audit says the same page loads, when they are on another host."""
    page = parse_html(PAGE.format(u=f"https://{host}/media"))
    found = [x for x in Checker("intranet").page(page) if x.kind == f.EXTERNAL_URL]
    return {re.sub(r".*/media/(\S+) from another host$", r"\1", x.detail) for x in found}


def test_the_precache_and_the_audit_agree_on_what_a_page_loads(tmp_path: Path) -> None:
    assert precached(tmp_path) == LOADS
    assert audited("cdn.example") == LOADS
    assert {url.rsplit("/", 1)[1] for url in page_loads(PAGE.format(u="media"))} == LOADS
