"""What a built page loads and links to: the one reading both the kiosk's offline
precache (`render/kiosk_offline.py`) and the audit (`audit/urls.py`) use.

A page is read as a browser reads it: start tags outside `<script>`, `<style>` and
comments, attribute values with entities decoded, URLs with tabs and newlines
dropped and backslashes as slashes. Each URL it holds is a `Reference`:

* a *load*: what the page fetches by itself: `src`, `srcset`, `poster`, `<object
  data>`, `<link href>` unless its `rel` names only pages (stylesheets, icons,
  preloads...), SVG `href`, the `data-*` URLs the players fetch, form targets,
  `url()` and `@import` of inline styles and `<style>`;
* a *link*: what a visitor may follow: `<a href>`, `<area href>`, `<link
  rel=canonical|alternate...>`, `<meta http-equiv=refresh>`.

The precache keeps the loads that are files of the site; the audit fails the loads
that leave it (and, on the kiosk, the links). Because both read pages here, a file
the precache leaves out is one the audit would also not count as loaded.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

# <link rel> values that name a page to go to, not a file the page loads.
NAVIGATION_RELS = frozenset(
    {"canonical", "alternate", "author", "license", "help", "next", "prev", "bookmark", "me"}
    | {"search", "tag", "noopener", "noreferrer", "nofollow", "external"}
)
# Attributes whose value is one URL the page loads by itself.
LOAD_ATTRIBUTES = frozenset(
    {"src", "poster", "data", "background", "manifest", "lowsrc", "dynsrc", "codebase"}
    | {"action", "formaction", "icon", "profile", "longdesc"}
)
URL_ATTRIBUTES = LOAD_ATTRIBUTES | {"href", "xlink:href"}
SRCSET_ATTRIBUTES = frozenset({"srcset", "imagesrcset"})
# The `data-*` attributes whose URL the players (theme/players, theme/kiosk) fetch:
# waveform peaks, highlight clips and lazily loaded pictures.
PLAYER_DATA_ATTRIBUTES = frozenset(
    {"data-peaks", "data-ik-clip", "data-ik-clip-fallback", "data-src"}
)
LINK_TAGS = frozenset({"a", "area"})

_RAW = re.compile(
    r"""<!--(.*?)(?:-->|\Z)
      | <(script|style)\b((?:[^>"']|"[^"]*"|'[^']*')*)>(.*?)(?:</\2\s*>|\Z)""",
    re.DOTALL | re.IGNORECASE | re.VERBOSE,
)
# A start tag and its attributes (quoted values may hold ">").
_TAG = re.compile(r"""<([a-zA-Z][^\s/>]*)([^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*)>""")
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_STRIP = re.compile(r"[\t\n\r]")
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)")

# Raw elements (comments, scripts, styles) and start tags, for readers of a page that
# also want its words (`audit/markup.py`): the same expressions, so the same tags.
RAW_ELEMENT = _RAW
START_TAG = _TAG


class Tag(NamedTuple):
    name: str  # lower case
    attrs: tuple[tuple[str, str], ...]  # names lower case, values decoded

    def get(self, name: str) -> str | None:
        for key, value in self.attrs:
            if key == name:
                return value
        return None


@dataclass
class Page:
    tags: list[Tag] = field(default_factory=list)  # the tags that have attributes, in order
    scripts: list[tuple[Tag, str]] = field(default_factory=list)  # <script> and its body
    styles: list[str] = field(default_factory=list)  # <style> bodies


class Reference(NamedTuple):
    what: str  # where it was written, for a message: "<img srcset>", "<style> url()"
    tag: Tag | None  # the tag it is an attribute of (None for a <style> body)
    attr: str  # the attribute ("" for a <style> body)
    url: str  # as written (entities decoded)
    load: bool  # fetched by the page itself (True) or followed by a visitor (False)


def unescape(value: str) -> str:
    return html.unescape(value) if "&" in value else value


def attributes(raw: str) -> tuple[tuple[str, str], ...]:
    """A start tag's attributes, names in lower case and values decoded."""
    return tuple(
        (name.lower(), unescape(double or single or bare))
        for name, double, single, bare in _ATTR.findall(raw)
    )


def read_raw_elements(source: str, page: Page) -> tuple[str, list[str]]:
    """Take the comments, `<script>` and `<style>` elements out of `source`.

    Their tags and bodies go into `page`; returned are the rest of the markup (each
    element replaced by a space, so nothing inside one is read as a tag) and the raw
    text of the comments and elements, in order, for a reader that wants the words.
    """
    rest: list[str] = []
    runs: list[str] = []
    last = 0
    for match in _RAW.finditer(source):
        rest.append(source[last : match.start()])
        rest.append(" ")
        last = match.end()
        comment, raw, raw_attrs, body = match.groups()
        if comment is not None:
            runs.append(comment)
            continue
        tag = Tag(raw.lower(), attributes(raw_attrs or ""))
        page.tags.append(tag)
        if tag.name == "script":
            page.scripts.append((tag, body))
        else:
            page.styles.append(body)
        runs.append(body)
    rest.append(source[last:])
    return "".join(rest), runs


def read_page(source: str) -> Page:
    """The tags, scripts and styles of an HTML (or SVG) page."""
    page = Page()
    markup, _runs = read_raw_elements(source, page)
    for name, raw in _TAG.findall(markup):
        if raw:
            page.tags.append(Tag(name.lower(), attributes(raw)))
    return page


# -- URLs ------------------------------------------------------------------------


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


def scheme(url: str) -> str:
    """The URL's scheme in lower case ("" for none)."""
    match = _SCHEME.match(clean(url))
    return match.group(1).lower() if match else ""


def classify(url: str) -> str:
    """ "" (this site), "host" (another host), "script" or "scheme" (mailto:, file:...)."""
    url = clean(url)
    if url.startswith("//"):
        return "host"
    match = _SCHEME.match(url)
    if not match:
        return ""
    name = match.group(1).lower()
    if name in ("javascript", "vbscript"):
        return "script"
    if name == "data":
        markup = url[5:].lstrip().lower().startswith(("text/html", "application/xhtml"))
        return "script" if markup else ""
    if name in ("blob", "about"):
        return ""
    if name in ("http", "https", "ws", "wss", "ftp"):
        return "host"
    return "scheme"


def plain(url: str) -> bool:
    """True for a URL that obviously stays in the site (no scheme, not `//host`): the
    common case, decided without cleaning or parsing it."""
    if not url.isprintable() or ":" in url:
        return False
    head = url.lstrip(" ")[:2]
    return head not in ("//", "\\\\", "/\\", "\\/")


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


# -- what a page refers to -------------------------------------------------------------


def tag_references(tag: Tag) -> Iterator[Reference]:
    """Every URL of one start tag, as a load or a link."""
    name = tag.name
    for attr, value in tag.attrs:
        what = f"<{name} {attr}>"
        if attr in URL_ATTRIBUTES:
            if attr in ("href", "xlink:href") and (
                name in LINK_TAGS or (name == "link" and _navigation(tag))
            ):
                yield Reference(what, tag, attr, value, False)
            else:
                yield Reference(what, tag, attr, value, True)
        elif attr in SRCSET_ATTRIBUTES:
            for url in srcset_urls(value):
                yield Reference(what, tag, attr, url, True)
        elif attr == "ping":
            for url in value.split():
                yield Reference(what, tag, attr, url, True)
        elif attr == "style":
            if "(" in value or "@" in value:
                for url in css_urls(value):
                    yield Reference(f"<{name} style> url()", tag, attr, url, True)
        elif attr in PLAYER_DATA_ATTRIBUTES:
            yield Reference(what, tag, attr, value, True)
        elif attr.startswith("data-"):
            # Another script's data: a load only when it names another place outright.
            if not plain(value) and classify(value) in ("host", "script"):
                yield Reference(what, tag, attr, value, True)
        elif attr == "srcdoc":
            for inner in read_page(value).tags:
                yield from tag_references(inner)
        elif attr == "content" and name == "meta" and _refresh(tag):
            target = re.split(r"url\s*=\s*", value, maxsplit=1, flags=re.IGNORECASE)
            if len(target) == 2:
                url = target[1].strip("'\" ")
                yield Reference("<meta http-equiv=refresh>", tag, attr, url, False)
        elif attr in ("to", "from", "values") and _animates_href(tag):
            for url in value.split(";"):
                yield Reference(what, tag, attr, url, True)


def style_references(text: str) -> Iterator[Reference]:
    """The loads of a `<style>` body."""
    for url in css_urls(text):
        yield Reference("<style> url()", None, "", url, True)


def page_references(page: Page) -> Iterator[Reference]:
    """Every URL of a page's tags and `<style>` bodies (scripts are the audit's to read)."""
    for tag in page.tags:
        yield from tag_references(tag)
    for style in page.styles:
        yield from style_references(style)


def page_loads(source: str) -> list[str]:
    """The URLs an HTML page loads by itself, in order, as written."""
    return [ref.url for ref in page_references(read_page(source)) if ref.load and ref.url.strip()]


def _navigation(tag: Tag) -> bool:
    rels = set((tag.get("rel") or "").lower().split())
    return bool(rels) and rels <= NAVIGATION_RELS


def _animates_href(tag: Tag) -> bool:
    """SVG <animate>/<set> that changes a link's target."""
    target = (tag.get("attributename") or "").lower()
    return tag.name in ("animate", "set") and target in ("href", "xlink:href")


def _refresh(tag: Tag) -> bool:
    return (tag.get("http-equiv") or "").strip().lower() == "refresh"
