"""The preview pipeline: each save rebuilds the smallest part, and the result is
the site a clean build of the same content would give."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import TODAY, write
from PIL import Image

from immersion import engine
from immersion.preview.session import PreviewSession
from immersion.project import Project

LETTER = "content/stories/letter/index.md"


def session(room: Path, audience: str = "intranet") -> PreviewSession:
    s = PreviewSession(Project(room), audience, today=TODAY, jobs=1)
    first = s.rebuild()
    assert first.built and first.full
    return s


def html(s: PreviewSession, url: str) -> BeautifulSoup:
    return BeautifulSoup((s.site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def article(s: PreviewSession, url: str) -> str:
    return html(s, url).select_one("article").get_text(" ", strip=True)


def edit(room: Path, rel: str, old: str, new: str) -> None:
    path = room / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def search_docs(site: Path) -> list[tuple[str, str]]:
    data = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return sorted((d["location"], d["text"]) for d in data["docs"])


def pages(site: Path) -> dict[str, bytes]:
    # sitemap.xml and 404.html are written on full builds only (a preview needs neither)
    root = site.resolve()
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*.html"))
        if p.name != "404.html"
    }


def markdown(staging: Path) -> dict[str, str]:
    return {
        p.relative_to(staging).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted((staging / "docs").rglob("*.md"))
    }


def fresh_render(room: Path) -> dict[str, str]:
    """The staging Markdown `immersion build` writes for the room as it is now."""
    from immersion.commands import build

    assert build.run(room, ("intranet",), today=TODAY, out=io.StringIO()) in (0, 1)
    return markdown(room / "build" / ".staging" / "intranet")


def clean_build(s: PreviewSession, tmp_path: Path) -> Path:
    out = tmp_path / "clean-site"
    shutil.rmtree(out, ignore_errors=True)
    engine.build_site(s.staging.root / "mkdocs.yml", out)
    return out


def test_a_saved_body_rebuilds_that_story_and_not_the_room(room: Path) -> None:
    s = session(room)
    assert "doubled" in article(s, "stories/letter")
    edit(room, LETTER, "my bill doubled", "my bill tripled overnight")
    outcome = s.rebuild([LETTER])
    assert outcome.built and not outcome.full
    assert "tripled overnight" in article(s, "stories/letter")
    assert "stories/letter/" in outcome.written
    assert "stories/p07/" not in outcome.written
    assert "personas/maya/" not in outcome.written
    # the search finds the new words at once
    assert any("tripled overnight" in text for _loc, text in search_docs(s.site))


def test_nothing_changed_writes_nothing(room: Path) -> None:
    s = session(room)
    generation = s.generation
    outcome = s.rebuild([LETTER])  # an event without a change (touch, a save of the same text)
    assert outcome.built and outcome.written == []
    assert s.generation == generation


def test_after_many_kinds_of_change_the_preview_equals_a_clean_build(
    room: Path, tmp_path: Path
) -> None:
    s = session(room)
    # a text edit, a tag change, a new story, a story removed, a persona renamed
    edit(room, LETTER, "Dear team", "Hello team")
    s.rebuild([LETTER])
    edit(room, "content/stories/p07/index.md", "tags: [moving]", "tags: [moving, billing]")
    s.rebuild(["content/stories/p07/index.md"])
    write(
        room / "content/stories/note/index.md",
        """
        ---
        kind: email
        title: "A second letter"
        participant: {pseudonym: Priya, consent: c-003}
        from: Priya
        subject: "Still waiting"
        sent: 2026-03-01
        tags: [billing]
        ---
        Nobody has answered my letter about the zeppelin invoice.
        """,
    )
    s.rebuild(["content/stories/note/index.md"])
    shutil.rmtree(room / "content/stories/letter")
    s.rebuild(["content/stories/letter/index.md", "content/stories/letter"])
    edit(room, "content/personas/maya/index.md", "name: Maya", "name: Maya-Jane")
    outcome = s.rebuild(["content/personas/maya/index.md"])
    assert outcome.built
    path = "content/insights/quotes-confuse/index.md"
    edit(room, path, "do not trust quotes", "distrust quotes")
    assert s.rebuild([path]).built
    path = "content/journeys/moving-home/index.md"
    edit(room, path, "title: Planning the move", "title: Packing up")
    assert s.rebuild([path]).built

    # the pages written piecemeal are the pages a full render writes...
    assert markdown(s.staging.root) == fresh_render(room)
    # ... and the site built piecemeal is the site a clean engine build makes of them
    clean = clean_build(s, tmp_path)
    assert pages(s.site) == pages(clean)
    assert search_docs(s.site) == search_docs(clean)
    assert not (s.site / "stories/letter").exists()
    assert "zeppelin invoice" in article(s, "stories/note")
    tags = html(s, "tags").get_text(" ", strip=True)
    assert "billing" in tags and "A second letter" in tags


def test_a_broken_file_keeps_the_last_good_site_until_it_is_fixed(
    room: Path, snapshot: Callable[[Path], dict[str, bytes]]
) -> None:
    s = session(room)
    before = pages(s.site)
    good = (room / LETTER).read_text(encoding="utf-8")
    (room / LETTER).write_text(good.replace('subject: "My bill"', 'subject: "My bill'), "utf-8")
    content = snapshot(room / "content")
    outcome = s.rebuild([LETTER])
    assert not outcome.built
    assert [(p.path, p.line) for p in outcome.blocking] == [(LETTER, 6)]
    assert "invalid YAML" in outcome.blocking[0].message
    assert pages(s.site) == before  # the last good page stays
    # other saves meanwhile wait with it, and build with the fix
    edit(room, "content/stories/p07/index.md", "Leah moved in March.", "Leah moved in April.")
    assert not s.rebuild(["content/stories/p07/index.md"]).built
    (room / LETTER).write_text(good.replace("Dear team", "Dear support team"), "utf-8")
    fixed = s.rebuild([LETTER])
    assert fixed.built and not fixed.blocking
    assert "Dear support team" in article(s, "stories/letter")
    assert "moved in April" in article(s, "stories/p07")
    assert snapshot(room / "content") != content  # (the test edited it) ...
    assert not list((room / "content").rglob("*.tmp"))  # ... the preview never wrote there


def test_a_new_photo_is_converted_and_shown(room: Path) -> None:
    s = session(room)
    story = "content/stories/p07/index.md"
    # a 12-megapixel photo, dropped into the bundle and placed in the text
    Image.new("RGB", (4000, 3000), (200, 40, 40)).save(room / "content/stories/p07/box.jpg")
    edit(
        room, story, "Leah moved in March.", "Leah moved in March.\n\n![Boxes in the hall](box.jpg)"
    )
    outcome = s.rebuild([story, "content/stories/p07/box.jpg"])
    assert outcome.built and not outcome.full
    image = html(s, "stories/p07").select_one("article img[alt='Boxes in the hall']")
    assert image is not None
    src = str(image["src"])
    assert not src.endswith("box.jpg")  # a rendition, never the original
    assert (s.site / "stories/p07" / src).resolve().is_file()


def test_expiring_consent_takes_the_story_out_of_pages_and_search(room: Path) -> None:
    s = session(room)
    assert (s.site / "stories/letter/index.html").exists()
    edit(room, "content/consent/c-003.yml", "expires: 2027-12-10", "expires: 2026-01-20")
    outcome = s.rebuild(["content/consent/c-003.yml"])
    assert outcome.built and outcome.full
    assert not (s.site / "stories/letter/index.html").exists()
    assert not any(loc.startswith("stories/letter/") for loc, _ in search_docs(s.site))
    assert "doubled" not in (s.site / "stories/index.html").read_text(encoding="utf-8")


def test_a_theme_change_rebuilds_with_the_new_template(room: Path) -> None:
    s = session(room)
    write(
        room / "themes/intranet/main.html",
        """
        {% extends "base.html" %}
        {% block announce %}Preview of the new look{% endblock %}
        """,
    )
    outcome = s.rebuild(["themes/intranet/main.html"])
    assert outcome.built and outcome.full
    assert "Preview of the new look" in html(s, "stories/letter").get_text(" ")


@pytest.mark.parametrize("audience", ["kiosk"])
def test_the_kiosk_preview_has_every_display_and_no_service_worker(
    room: Path, audience: str
) -> None:
    s = session(room, audience)
    assert (s.site / "entrance/index.html").is_file()
    assert (s.site / "post/index.html").is_file()
    assert not list(s.site.resolve().rglob("sw.js"))  # offline caching would fight live reload
    edit(room, "content/room.yml", "title: Welcome wall", "title: Hello wall")
    outcome = s.rebuild(["content/room.yml"])
    assert outcome.built
    assert "entrance/" in outcome.written


def test_the_preview_never_touches_the_published_site(room: Path) -> None:
    s = session(room)
    assert not (room / "build" / "intranet").exists()
    assert s.site.resolve().is_relative_to(room / "build" / ".preview")


def test_a_title_change_reaches_every_page_that_shows_the_title(room: Path, tmp_path: Path) -> None:
    s = session(room)
    edit(room, "content/stories/p07/index.md", "Leah on moving home", "Leah on moving flat")
    outcome = s.rebuild(["content/stories/p07/index.md"])
    assert outcome.built
    for url in ("stories/p07", "stories", "personas/maya", "journeys/moving-home"):
        assert "Leah on moving flat" in html(s, url).get_text(" "), url
    assert markdown(s.staging.root) == fresh_render(room)
    assert pages(s.site) == pages(clean_build(s, tmp_path))


def test_after_an_engine_failure_the_next_build_is_whole(room: Path) -> None:
    s = session(room)
    # a theme template with a Jinja error: the engine fails, the site stays as it was
    write(room / "themes/intranet/main.html", '{% extends "base.html" %}{% block content %}{{ }')
    edit(room, LETTER, "my bill doubled", "my bill went up by half")
    failed = s.rebuild(["themes/intranet/main.html", LETTER])
    assert not failed.built
    assert any("site engine failed" in p.message for p in failed.problems)
    assert "went up by half" not in article(s, "stories/letter")
    (room / "themes/intranet/main.html").unlink()
    fixed = s.rebuild(["themes/intranet/main.html"])
    assert fixed.built and fixed.full
    assert "went up by half" in article(s, "stories/letter")
