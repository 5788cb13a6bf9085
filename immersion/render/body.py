"""Markdown bodies written by editors -> safe HTML.

Bodies are Markdown, but content must never inject markup into the site: raw
HTML is shown as text, links may only be relative, #anchors, http(s) or
mailto, and an image is kept only when the page maps its file to a published
rendition (so a photo the consent excludes is simply not there).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import markdown
from markdown.treeprocessors import Treeprocessor

SAFE_SCHEMES = frozenset({"", "http", "https", "mailto"})


def safe_href(href: str) -> bool:
    # Browsers ignore control characters and spaces inside a scheme ("java\tscript:").
    compact = "".join(ch for ch in href if ch > " ")
    try:
        scheme = urlsplit(compact).scheme.lower()
    except ValueError:
        return False
    return scheme in SAFE_SCHEMES


class _Sanitise(Treeprocessor):
    def __init__(self, md: markdown.Markdown, owner: BodyRenderer) -> None:
        super().__init__(md)
        self.owner = owner

    def run(self, root: ET.Element) -> None:
        for parent in list(root.iter()):
            for child in list(parent):
                if child.tag == "a" and not safe_href(child.get("href", "")):
                    child.attrib.pop("href", None)
                    child.tag = "span"
                elif child.tag == "img":
                    self.owner.replace_image(parent, child)


class BodyRenderer:
    """One reusable Markdown converter (building one per page would dominate build time)."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
        # Without these two, raw HTML in a body is escaped and shown as text.
        self._md.preprocessors.deregister("html_block")
        self._md.inlinePatterns.deregister("html")
        self._md.treeprocessors.register(_Sanitise(self._md, self), "immersion_sanitise", 0)
        self._image: Callable[[str, str], ET.Element | None] = lambda _src, _alt: None

    def replace_image(self, parent: ET.Element, img: ET.Element) -> None:
        new = self._image(img.get("src", ""), img.get("alt", ""))
        index = list(parent).index(img)
        parent.remove(img)
        if new is not None:
            new.tail = img.tail
            parent.insert(index, new)
        elif img.tail:
            # Keep the text that followed the dropped image.
            if index > 0:
                prev = parent[index - 1]
                prev.tail = (prev.tail or "") + img.tail
            else:
                parent.text = (parent.text or "") + img.tail

    def render(
        self, text: str, images: Mapping[str, Callable[[str], ET.Element]] | None = None
    ) -> str:
        """HTML for `text`; `images` maps a file name as written to a builder of its element."""
        found = images or {}

        def image(src: str, alt: str) -> ET.Element | None:
            build = found.get(src)
            return build(alt) if build else None

        self._image = image
        try:
            return self._md.reset().convert(text)
        finally:
            self._image = lambda _src, _alt: None
