"""URLs between pages, text escaping, and the write-if-changed staging folder."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest

from immersion.render.staging import Staging, md_text, page_url, rel_url


@pytest.mark.parametrize(
    ("src", "url"),
    [
        ("index.md", ""),
        ("personas/index.md", "personas/"),
        ("personas/maya.md", "personas/maya/"),
        ("tags.md", "tags/"),
    ],
)
def test_page_url(src: str, url: str) -> None:
    assert page_url(src) == url


@pytest.mark.parametrize(
    ("page", "to", "url"),
    [
        ("index.md", "personas/maya.md", "personas/maya/"),
        ("personas/maya.md", "stories/p07.md#hl-1", "../../stories/p07/#hl-1"),
        ("personas/maya.md", "personas/index.md", "../"),
        ("personas/index.md", "personas/maya.md", "maya/"),
        ("stories/p07.md", "media/stories/p07/a.jpg", "../../media/stories/p07/a.jpg"),
        ("index.md", "media/x.jpg", "media/x.jpg"),
        ("stories/p07.md", "stories/p07.md#hl-1", "./#hl-1"),
        ("personas/maya.md", "index.md", "../../"),
    ],
)
def test_rel_url(page: str, to: str, url: str) -> None:
    assert rel_url(page, to) == url


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "**bold** _it_ [x](javascript:alert(1))",
        "# not a heading",
        "a | b",
        "\\`code`\\",
        '"><img src=x onerror=alert(1)>',
        "1. not a list",
        "{: .x}",
    ],
)
def test_md_text_renders_as_the_same_text(text: str) -> None:
    html = markdown.markdown(md_text(text), extensions=["tables", "attr_list"])
    assert "<script" not in html and "<img" not in html and "<a" not in html
    assert "<strong" not in html and "<h1" not in html and "<ol" not in html
    from bs4 import BeautifulSoup

    assert BeautifulSoup(html, "html.parser").get_text() == text


def test_staging_writes_only_changes_and_prunes(tmp_path: Path) -> None:
    first = Staging(tmp_path)
    first.write_text("docs/a.md", "A")
    first.write_text("docs/b.md", "B")
    assert first.written == 2
    second = Staging(tmp_path)
    second.write_text("docs/a.md", "A")
    assert second.written == 0
    assert second.prune() == 1
    assert sorted(p.name for p in tmp_path.rglob("*.md")) == ["a.md"]
    assert not list(tmp_path.rglob("*.tmp"))
