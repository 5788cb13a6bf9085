"""URLs that leave the site, inline event handlers and `javascript:` URLs.

Which URLs of a page are *loads* (what the page fetches by itself) and which are
*links* (what a visitor may follow) is `pageloads`' to say, the same reading the
kiosk's offline precache uses; every URL is read as a browser reads it (tabs and
newlines dropped, backslashes as slashes, entities decoded). Here:

* a load to another host fails every audience; so do the absolute URLs a script
  writes as string literals (a service worker's precache list, `importScripts()`)
  and the URLs of JSON data blocks;
* a link to another host (or any other scheme, `mailto:` included) fails the kiosk;
  on the intranet a link to another host is allowed and only listed, as a notice.

A `javascript:` (or `vbscript:`, or `data:text/html`) URL and an `on*=` attribute fail
everywhere, with one exemption taken verbatim from mkdocs-material's templates
(`THEME_EXEMPTIONS`), which content can never produce.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..pageloads import (
    Tag,
    classify,
    clean,
    css_urls,
    plain,
    read_page,
    scheme,
    srcset_urls,
    style_references,
    tag_references,
)
from . import findings as f
from .markup import Page

__all__ = ["Checker", "UrlFinding", "classify", "clean", "css_urls", "srcset_urls"]

# mkdocs-material 9.x, partials/search.html, with the `search.share` feature: the share
# button is `<a href="javascript:void(0)" class="md-search__icon md-icon" ...
# data-md-component="search-share">`; material's bundle handles the click. Exempt only
# that exact element: the tag, the URL, the class and the component, all as written there.
# Content cannot write a tag or an attribute (bodytext.py), so it cannot forge it.
THEME_EXEMPTIONS: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "a",
        "href",
        "javascript:void(0)",
        (("class", "md-search__icon md-icon"), ("data-md-component", "search-share")),
    ),
)

# Classes that make the theme's own script fetch a library from another host (mkdocs-
# material's and Zensical's bundles: `pre.mermaid` -> unpkg.com/mermaid, `.glightbox` ->
# unpkg.com/glightbox, `.pyodide` -> unpkg.com/ace-builds and cdn.jsdelivr.net/pyodide).
# The page's HTML names no URL for these, so they are found by their class.
THEME_FETCHES = {
    "mermaid": ("pre", "mermaid from unpkg.com"),
    "glightbox": ("", "glightbox from unpkg.com"),
    "pyodide": ("", "an editor and Pyodide from unpkg.com and cdn.jsdelivr.net"),
}
_HANDLER = re.compile(r"^on[a-z]")
_ABSOLUTE_IN_SCRIPT = re.compile(r"""["'`]((?:https?:|wss?:)?//[a-zA-Z0-9][^"'`\s]*)""")
_IMPORT_SCRIPTS = re.compile(r"importScripts\s*\(([^)]*)\)")
# URLs that name an XML vocabulary, never fetched.
_NAMESPACES = ("http://www.w3.org/", "https://www.w3.org/", "http://www.sitemaps.org/schemas/")
SCRIPT_TYPES = frozenset(
    {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}
)
DATA_TYPES = frozenset({"application/json", "application/ld+json", "importmap", "speculationrules"})


@dataclass(frozen=True)
class UrlFinding:
    kind: str
    detail: str
    blocking: bool = True


def shown(url: str) -> str:
    url = clean(url)
    return url if len(url) <= 120 else url[:117] + "..."


def _exempt(tag: Tag, attr: str, value: str) -> bool:
    for name, key, url, required in THEME_EXEMPTIONS:
        if (tag.name, attr, value) == (name, key, url) and all(
            tag.get(k) == v for k, v in required
        ):
            return True
    return False


class Checker:
    """The URL findings of one audience's files."""

    def __init__(self, audience: str) -> None:
        self.kiosk = audience == "kiosk"
        # Pages repeat the theme's tags: each distinct tag is checked once.
        self._tags: dict[Tag, tuple[UrlFinding, ...]] = {}

    def load(self, what: str, url: str) -> Iterator[UrlFinding]:
        verdict = classify(url)
        if verdict == "script":
            yield UrlFinding(f.SCRIPT_URL, f"{what} is a {scheme(url)}: URL")
        elif verdict == "host":
            yield UrlFinding(f.EXTERNAL_URL, f"{what} loads {shown(url)} from another host")
        elif verdict == "scheme":
            yield UrlFinding(f.EXTERNAL_URL, f"{what} loads {shown(url)} from outside the site")

    def link(self, what: str, url: str) -> Iterator[UrlFinding]:
        verdict = classify(url)
        if verdict == "script":
            yield UrlFinding(f.SCRIPT_URL, f"{what} is a {scheme(url)}: URL")
        elif verdict == "host" or (verdict == "scheme" and self.kiosk):
            where = "out of the kiosk" if self.kiosk else "another site"
            yield UrlFinding(
                f.EXTERNAL_LINK, f"{what} links to {shown(url)} ({where})", blocking=self.kiosk
            )

    def css(self, what: str, text: str) -> Iterator[UrlFinding]:
        for url in css_urls(text):
            yield from self.load(f"{what}url()", url)

    def tag(self, tag: Tag) -> Iterator[UrlFinding]:
        yield from _handlers(tag)
        yield from _theme_fetches(tag)
        for ref in tag_references(tag):
            if plain(ref.url) or (ref.tag is not None and _exempt(ref.tag, ref.attr, ref.url)):
                continue
            if ref.load:
                yield from self.load(ref.what, ref.url)
            else:
                yield from self.link(ref.what, ref.url)

    def page(self, page: Page) -> Iterator[UrlFinding]:
        seen = self._tags
        for tag in page.tags:
            found = seen.get(tag)
            if found is None:
                found = seen[tag] = tuple(self.tag(tag))
            yield from found
        for style in page.styles:
            for ref in style_references(style):
                yield from self.load(ref.what, ref.url)
        for tag, body in page.scripts:
            kind = (tag.get("type") or "").strip().lower()
            if tag.get("src") is not None:
                continue
            if kind in SCRIPT_TYPES:
                yield from self.script("inline <script>", body)
            elif kind in DATA_TYPES:
                yield from self.json_urls(f"<script type={kind}>", body)

    def script(self, what: str, text: str) -> Iterator[UrlFinding]:
        """Absolute URLs written as string literals in a script (a service worker, inline)."""
        for match in _ABSOLUTE_IN_SCRIPT.finditer(text):
            url = match.group(1)
            if not url.startswith(_NAMESPACES):
                yield from self.load(what, url)
        for match in _IMPORT_SCRIPTS.finditer(text):
            for literal in re.findall(r"""["'`]([^"'`]*)["'`]""", match.group(1)):
                yield from self.load(f"{what} importScripts()", literal)

    def json_urls(self, what: str, text: str) -> Iterator[UrlFinding]:
        """Strings of a JSON document that are, whole, a URL somewhere else."""
        try:
            value = json.loads(text)
        except ValueError:
            return
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                stack += list(item.values())
            elif isinstance(item, list):
                stack += item
            elif isinstance(item, str) and classify(item) in ("host", "script"):
                yield from self.load(what, item)


def _handlers(tag: Tag) -> Iterator[UrlFinding]:
    """Inline event handlers of a tag, and of the page its `srcdoc` holds."""
    for attr, value in tag.attrs:
        if attr[:2] == "on" and _HANDLER.match(attr):
            yield UrlFinding(f.INLINE_HANDLER, f"<{tag.name} {attr}> is an inline event handler")
        elif attr == "srcdoc":
            for inner in read_page(value).tags:
                yield from _handlers(inner)


def _theme_fetches(tag: Tag) -> Iterator[UrlFinding]:
    """A class that makes the theme's script fetch a library from another host."""
    for token in (tag.get("class") or "").split():
        fetch = THEME_FETCHES.get(token)
        if fetch and fetch[0] in ("", tag.name):
            yield UrlFinding(
                f.EXTERNAL_URL,
                f"<{tag.name} class={token}> makes the theme's script load {fetch[1]}",
            )
