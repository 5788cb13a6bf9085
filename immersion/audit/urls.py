"""URLs that leave the site, inline event handlers and `javascript:` URLs.

Every URL is read as a browser reads it (tabs and newlines dropped, backslashes as
slashes, entities decoded by `markup`) and sorted into:

* a *load*: what the page fetches by itself (`src`, `srcset`, `poster`, `<object
  data>`, `<link rel=stylesheet|icon|preload|preconnect...>`, SVG `href`, `data-*`
  URLs the players fetch, form targets, CSS `url()` and `@import`, a service
  worker's precache list). One to another host fails every audience;
* a *link*: what a visitor may follow (`<a href>`, `<area href>`, `<link
  rel=canonical|alternate...>`, `<meta http-equiv=refresh>`). One to another host
  (or any other scheme, `mailto:` included) fails the kiosk; on the intranet a link
  to another host is allowed and only listed, as a notice.

A `javascript:` (or `vbscript:`, or `data:text/html`) URL and an `on*=` attribute fail
everywhere, with one exemption taken verbatim from mkdocs-material's templates
(`THEME_EXEMPTIONS`), which content can never produce.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from . import findings as f
from .markup import Page, Tag, parse_html

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

# <link rel> values that name a page to go to, not a file the page loads.
NAVIGATION_RELS = frozenset(
    {"canonical", "alternate", "author", "license", "help", "next", "prev", "bookmark", "me"}
    | {"search", "tag", "noopener", "noreferrer", "nofollow", "external"}
)
LOAD_ATTRIBUTES = frozenset(
    {"src", "poster", "data", "background", "manifest", "lowsrc", "dynsrc", "codebase"}
    | {"action", "formaction", "icon", "profile", "longdesc"}
)
URL_ATTRIBUTES = LOAD_ATTRIBUTES | {"href", "xlink:href"}
SRCSET_ATTRIBUTES = frozenset({"srcset", "imagesrcset"})
LINK_TAGS = frozenset({"a", "area"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_STRIP = re.compile(r"[\t\n\r]")
_HANDLER = re.compile(r"^on[a-z]")
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)")
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


def clean(url: str) -> str:
    """The URL as a browser resolves it: no tabs or newlines, trimmed, `\\` as `/`."""
    return (
        _STRIP.sub("", url)
        .strip(
            " \x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
            "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c"
            "\x1d\x1e\x1f"
        )
        .replace("\\", "/")
    )


def classify(url: str) -> str:
    """ "" (this site), "host" (another host), "script" or "scheme" (mailto:, file:...)."""
    url = clean(url)
    if url.startswith("//"):
        return "host"
    match = _SCHEME.match(url)
    if not match:
        return ""
    scheme = match.group(1).lower()
    if scheme in ("javascript", "vbscript"):
        return "script"
    if scheme == "data":
        markup = url[5:].lstrip().lower().startswith(("text/html", "application/xhtml"))
        return "script" if markup else ""
    if scheme in ("blob", "about"):
        return ""
    if scheme in ("http", "https", "ws", "wss", "ftp"):
        return "host"
    return "scheme"


def shown(url: str) -> str:
    url = clean(url)
    return url if len(url) <= 120 else url[:117] + "..."


def srcset_urls(value: str) -> list[str]:
    """The URLs of a `srcset`: each candidate's first token (a URL may hold commas)."""
    urls = []
    at = 0
    while at < len(value):
        while at < len(value) and (value[at].isspace() or value[at] == ","):
            at += 1
        start = at
        while at < len(value) and not value[at].isspace():
            at += 1
        url = value[start:at]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            depth = 0
            while at < len(value) and (value[at] != "," or depth):
                depth += {"(": 1, ")": -1}.get(value[at], 0)
                at += 1
        if url:
            urls.append(url)
    return urls


def css_urls(text: str) -> list[str]:
    """Every `url(...)` and `@import` of CSS, comments and escapes taken out."""
    text = _CSS_COMMENT.sub(" ", text)
    if "\\" in text:
        text = _CSS_ESCAPE.sub(
            lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), text
        )
    found = [next(g for g in m.groups() if g is not None) for m in _CSS_URL.finditer(text)]
    found += [m.group(1) or m.group(2) for m in _CSS_IMPORT.finditer(text)]
    return [u for u in found if u.strip()]


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
            yield UrlFinding(f.SCRIPT_URL, f"{what} is a {_scheme(url)}: URL")
        elif verdict == "host":
            yield UrlFinding(f.EXTERNAL_URL, f"{what} loads {shown(url)} from another host")
        elif verdict == "scheme":
            yield UrlFinding(f.EXTERNAL_URL, f"{what} loads {shown(url)} from outside the site")

    def link(self, what: str, url: str) -> Iterator[UrlFinding]:
        verdict = classify(url)
        if verdict == "script":
            yield UrlFinding(f.SCRIPT_URL, f"{what} is a {_scheme(url)}: URL")
        elif verdict == "host" or (verdict == "scheme" and self.kiosk):
            where = "out of the kiosk" if self.kiosk else "another site"
            yield UrlFinding(
                f.EXTERNAL_LINK, f"{what} links to {shown(url)} ({where})", blocking=self.kiosk
            )

    def css(self, what: str, text: str) -> Iterator[UrlFinding]:
        for url in css_urls(text):
            yield from self.load(f"{what}url()", url)

    def tag(self, tag: Tag) -> Iterator[UrlFinding]:
        name = tag.name
        for attr, value in tag.attrs:
            if attr[:2] == "on" and _HANDLER.match(attr):
                yield UrlFinding(f.INLINE_HANDLER, f"<{name} {attr}> is an inline event handler")
                continue
            if attr in URL_ATTRIBUTES:
                if _plain(value) or _exempt(tag, attr, value):
                    continue
                what = f"<{name} {attr}>"
                if attr in ("href", "xlink:href") and (
                    name in LINK_TAGS or (name == "link" and _navigation(tag))
                ):
                    yield from self.link(what, value)
                else:
                    yield from self.load(what, value)
            elif attr in SRCSET_ATTRIBUTES or attr == "ping":
                urls = srcset_urls(value) if attr != "ping" else value.split()
                for url in urls:
                    if not _plain(url):
                        yield from self.load(f"<{name} {attr}>", url)
            elif attr == "class":
                for token in value.split():
                    fetch = THEME_FETCHES.get(token)
                    if fetch and fetch[0] in ("", name):
                        yield UrlFinding(
                            f.EXTERNAL_URL,
                            f"<{name} class={token}> makes the theme's script load {fetch[1]}",
                        )
            elif attr == "style":
                if "(" in value or "@" in value:
                    yield from self.css(f"<{name} style> ", value)
            elif attr.startswith("data-"):
                if not _plain(value) and classify(value) in ("host", "script"):
                    yield from self.load(f"<{name} {attr}>", value)
            elif attr == "srcdoc":
                for inner in parse_html(value).tags:
                    yield from self.tag(inner)
            elif attr == "content" and name == "meta" and _refresh(tag):
                target = re.split(r"url\s*=\s*", value, maxsplit=1, flags=re.IGNORECASE)
                if len(target) == 2:
                    yield from self.link("<meta http-equiv=refresh>", target[1].strip("'\" "))
            elif attr in ("to", "from", "values") and _animates_href(tag):
                for url in value.split(";"):
                    yield from self.load(f"<{name} {attr}>", url)

    def page(self, page: Page) -> Iterator[UrlFinding]:
        seen = self._tags
        for tag in page.tags:
            found = seen.get(tag)
            if found is None:
                found = seen[tag] = tuple(self.tag(tag))
            yield from found
        for style in page.styles:
            yield from self.css("<style> ", style)
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


def _plain(url: str) -> bool:
    """True for a URL that obviously stays in the site (no scheme, not `//host`): the
    common case, decided without cleaning or parsing it."""
    if not url.isprintable() or ":" in url:
        return False
    head = url.lstrip(" ")[:2]
    return head not in ("//", "\\\\", "/\\", "\\/")


def _scheme(url: str) -> str:
    match = _SCHEME.match(clean(url))
    return match.group(1).lower() if match else ""


def _navigation(tag: Tag) -> bool:
    rels = set((tag.get("rel") or "").lower().split())
    return bool(rels) and rels <= NAVIGATION_RELS


def _animates_href(tag: Tag) -> bool:
    """SVG <animate>/<set> that changes a link's target."""
    target = (tag.get("attributename") or "").lower()
    return tag.name in ("animate", "set") and target in ("href", "xlink:href")


def _refresh(tag: Tag) -> bool:
    return (tag.get("http-equiv") or "").strip().lower() == "refresh"
