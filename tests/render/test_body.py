"""Editor Markdown becomes safe HTML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from immersion.render.body import BodyRenderer, safe_href


@pytest.mark.parametrize(
    ("href", "ok"),
    [
        ("../a/", True),
        ("#x", True),
        ("https://example.org", True),
        ("mailto:a@b.c", True),
        ("javascript:alert(1)", False),
        ("JaVa\tScRiPt:alert(1)", False),
        ("data:text/html,x", False),
        ("vbscript:x", False),
    ],
)
def test_safe_href(href: str, ok: bool) -> None:
    assert safe_href(href) is ok


def test_raw_html_is_shown_as_text_and_never_becomes_markup() -> None:
    html = BodyRenderer().render(
        'Hi <script>alert(1)</script>\n\n<div onclick="x">d</div>\n\n<img src=x onerror=alert(1)>'
    )
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None and soup.find("div") is None and soup.find("img") is None
    assert "<script>alert(1)</script>" in soup.get_text()
    assert '<div onclick="x">d</div>' in soup.get_text()


def test_unsafe_links_lose_their_href_and_keep_their_text() -> None:
    soup = BeautifulSoup(
        BodyRenderer().render("[click](javascript:alert(1)) [ok](../x/)"), "html.parser"
    )
    assert [a["href"] for a in soup.find_all("a")] == ["../x/"]
    assert "click" in soup.get_text()


def test_images_are_replaced_by_renditions_or_dropped() -> None:
    renderer = BodyRenderer()
    html = renderer.render(
        "See ![a kitchen](kitchen.jpg) and ![gone](secret.jpg) end",
        {"kitchen.jpg": lambda alt: ET.Element("img", src="media/k.jpg", alt=alt)},
    )
    soup = BeautifulSoup(html, "html.parser")
    assert [(i["src"], i["alt"]) for i in soup.find_all("img")] == [("media/k.jpg", "a kitchen")]
    assert "secret.jpg" not in html
    assert soup.get_text(" ", strip=True).split() == ["See", "and", "end"]
    # The converter is reused: no image mapping leaks into the next body.
    assert "<img" not in renderer.render("![a kitchen](kitchen.jpg)")
