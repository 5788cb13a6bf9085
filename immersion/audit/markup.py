"""A built page as the audit reads it: the tags that can point somewhere, and its words.

Regular expressions, not a DOM: the audit reads thousands of pages and needs only
* the start tags with attributes, their values decoded as a browser does (read with
  `pageloads`' expressions, so the audit sees the tags the offline precache sees);
* the raw text of `<script>` and `<style>` elements (never read as tags);
* the page's words: text between tags, the values of attributes people read (`alt`,
  `title`, `aria-label`, `content`, `data-*`...), comments, scripts and styles, as one
  string whose runs are separated by NUL, which the leak check never matches across.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .. import pageloads
from ..pageloads import START_TAG, Tag, attributes, unescape

RUN = "\x00"  # between runs of text that are not one sentence

_ANY_TAG = re.compile(r"""</?[a-zA-Z!?][^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>""")
# Attributes whose values people read (or scripts show): searched for excluded words.
TEXT_ATTRIBUTES = frozenset(
    {"alt", "title", "aria-label", "aria-description", "content", "placeholder", "label"}
    | {"summary", "value", "srcdoc", "style"}  # style: a picture's inline placeholder
)
_WORD = re.compile(r"\w+")


@dataclass
class Page(pageloads.Page):
    """A page as `pageloads` reads it (the same tags), with its words."""

    text: str = ""  # the page's words: runs separated by RUN


# The same tag, attribute for attribute, recurs on every page (the theme's header,
# navigation and icons): each distinct one is read once per run.
_SEEN: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]] = {}
_SEEN_MAX = 200_000


def _attributes_and_words(raw: str) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    found = _SEEN.get(raw)
    if found is None:
        attrs = attributes(raw)
        values = tuple(
            value
            for key, value in attrs
            if value and (key in TEXT_ATTRIBUTES or key[:5] == "data-")
        )
        if len(_SEEN) >= _SEEN_MAX:
            _SEEN.clear()
        found = _SEEN[raw] = (attrs, values)
    return found


def strip_tags(source: str) -> str:
    """Text between tags (entities decoded), as one run."""
    return unescape(_ANY_TAG.sub(" ", source))


def parse_html(source: str) -> Page:
    """The tags, scripts, styles and words of an HTML (or SVG) page."""
    page = Page()
    markup, runs = pageloads.read_raw_elements(source, page)
    tags = page.tags
    for name, raw in START_TAG.findall(markup):
        if raw:
            attrs, values = _attributes_and_words(raw)
            tags.append(Tag(name.lower(), attrs))
            runs += values
    page.text = RUN.join([strip_tags(markup), *runs])
    return page


def words(text: str) -> list[str]:
    """Lower-case words: what the leak check compares (punctuation and markup ignored)."""
    return _WORD.findall(text.casefold())


def json_strings(value: Any) -> Iterator[str]:
    """Every string in a parsed JSON value, keys included."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for key, inner in item.items():
                yield str(key)
                stack.append(inner)
        elif isinstance(item, list):
            stack.extend(item)


def file_text(source: str, suffix: str) -> str:
    """The words of a text file that is not a page, as runs separated by RUN.

    JSON: every string, each read as HTML too (the search index holds page text with
    some markup). WebVTT, XML and anything else: the text between tags and the values
    people read. Scripts and stylesheets: as they are.
    """
    if suffix in (".js", ".mjs", ".css"):
        return source
    if suffix in (".json", ".map", ".webmanifest"):
        try:
            parsed = json.loads(source)
        except ValueError:
            return strip_tags(source)
        return strip_tags(RUN.join(json_strings(parsed)))
    return strip_tags(source)
