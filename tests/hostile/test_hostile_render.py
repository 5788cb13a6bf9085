"""The intranet renderer's own output for the hostile corpus, without an engine.

Every text field of every kind carries the payload (`hostile_corpus.markup_items`).
The staged Markdown is parsed as HTML, as the engine passes its HTML blocks on:
no element or attribute may come from content, and each field's payload must read
back exactly as written (escaped once: not markup, and not double-escaped).
"""

from __future__ import annotations

import re
from pathlib import Path

import conftest
from bs4 import BeautifulSoup
from conftest import TODAY
from hostile_corpus import KIOSK_ITEMS, PAYLOAD, markup_items, write_room_yml

from immersion.audience import for_audience
from immersion.load import load
from immersion.media.keys import photo_sources
from immersion.media.renditions import AudioRendition, PhotoRendition, Renditions
from immersion.project import Project
from immersion.render.assets import Assets
from immersion.render.intranet import IntranetRenderer
from immersion.render.staging import Staging

# Fields only in a page's front matter (tags, which the engine's tags plugin draws) or
# nowhere on the intranet (the consent's name, the tour's title).
NOT_IN_HTML = {
    "tags",
    "journey.tags",
    "story.tags",
    "insight.tags",
    "action.tags",
    "consent.participant",
    "tour.title",
    "room.name",  # the home page's heading, in Markdown
}


def fake_renditions(lib: object, cache: Path) -> Renditions:
    """A rendition of every photo and recording, as small files (no decoding here)."""
    cache.mkdir()
    blob = cache / "blob"
    blob.write_bytes(b"x")
    found = Renditions()
    for ref in photo_sources(lib):  # type: ignore[arg-type]
        files = {(320, "jpeg"): blob, (320, "webp"): blob}
        found.photos[ref.path] = PhotoRendition(320, 240, "data:image/gif;base64,R0l", files)
    for story in lib.stories.values():  # type: ignore[attr-defined]
        refs = [story.recording, *(e.recording for e in story.entries)]
        refs += [story.narration.recording] if story.narration else []
        for ref in refs:
            if ref is not None:
                clips = {h.id: {"m4a": blob} for h in story.highlights}
                found.recordings[ref.path] = AudioRendition(3.0, {"m4a": blob}, None, clips)
    return found


def test_every_field_is_text_in_the_staged_pages(tmp_path: Path) -> None:
    tone = tmp_path / "tone.m4a"
    tone.write_bytes(b"not decoded here")
    project = conftest.make_room(tmp_path / "room", tone)
    content = project / "content"
    markup_items(content, tone.read_bytes())
    write_room_yml(content, KIOSK_ITEMS)
    library, _problems = load(Project(project), TODAY)
    lib = for_audience(library, "intranet", TODAY)
    staging = Staging(tmp_path / "staging")
    problems: list = []
    assets = Assets(staging, Project(project), fake_renditions(lib, tmp_path / "cache"), problems)
    renderer = IntranetRenderer(lib, staging, assets, TODAY)
    renderer.render("Site")

    shown: list[str] = []
    bad: list[str] = []
    pages = sorted((staging.root / "docs").rglob("*.md"))
    assert len(pages) > 15
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        rel = path.relative_to(staging.root)
        for element in soup.find_all(True):
            if element.name in ("script", "iframe", "object", "embed"):
                bad.append(f"{rel}: <{element.name}>")
            if element.name == "img" and element.get("src") == "x":
                bad.append(f"{rel}: <img src=x>")
            for name, value in element.attrs.items():
                text = " ".join(value) if isinstance(value, list) else str(value)
                if name.lower().startswith("on"):
                    bad.append(f"{rel}: <{element.name} {name}>")
                if re.match(r"\s*(javascript|vbscript|data:text)", text, re.I):
                    bad.append(f"{rel}: <{element.name} {name}={text[:30]}>")
                shown.append(text)
        shown.append(soup.get_text(" "))
    assert bad == []
    words = "\n".join(shown)
    # Escaped once: what reads back is what was written, never an entity.
    for entity in ("&lt;", "&gt;", "&quot;", "&amp;", "&#"):
        assert entity not in words
    corpus = "\n".join(p.read_text() for p in content.rglob("*.md")) + (
        (content / "room.yml").read_text()
    )
    fields = set(re.findall(r"F-([\w.-]+) <script>", corpus)) - {"cue", "captions"}
    # Bodies are Markdown for the engine (tests/hostile/test_hostile_content.py builds them);
    # an inline photo's alt has its brackets changed, so it carries less of the payload.
    fields = {f for f in fields if not f.startswith("body-")} - {"inline.alt"}
    assert 'F-inline.alt <script>alert("pwned")</script> "><img src=x' in words
    missing = sorted(f for f in fields if f"F-{f} {PAYLOAD}" not in words)
    assert missing == sorted(NOT_IN_HTML & fields)
