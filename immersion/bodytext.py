"""Markdown bodies written by editors, made safe as Markdown source.

A body reaches the site as Markdown inside the generated page, so the site
engine renders it once (rendering it ourselves first doubled the Markdown work
of a build). It must never become markup of its own. Rather than re-implement
the Markdown parser to find the places where markup could start (an earlier
version did, and a review found inputs it paired differently from
Python-Markdown), the constructs that could carry markup are made impossible:

* every `<` becomes `&lt;`: no raw HTML, inline tag or autolink can exist;
* every backtick becomes `&#96;`: there are no code spans, so no text is ever
  read differently by us and by Markdown (a code span's text can even end up in
  an `href`);
* every `![` becomes `&#33;[` except the item's own photos, which are replaced
  by our `<img>` of their published rendition (or dropped when there is none):
  content can never load an image from elsewhere;
* every `]:` becomes `]&#58;`: no reference definitions, whose destinations
  could hide in blockquotes or lists;
* every inline link destination (each `](`, nested or not, across lines) whose
  scheme is not relative, `#`, http(s) or mailto gets a `#` in front, which
  turns it into a harmless fragment.

Each entity reads as the character it stands for on the page. The image
pattern is shared with the loader, which reports the same photos.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import urlsplit

# `![alt](file)`, `![alt](<file with spaces.jpg>)`, optionally with a "title"; not `\![...]`.
INLINE_IMAGE = re.compile(
    r"(?<!\\)!\[(?P<alt>[^\]]*)\]\(\s*(?:<(?P<angled>[^>\n]+)>|(?P<src>[^)\s]+))"
    r"(?:\s+\"[^\"]*\")?\s*\)"
)
# `![alt][ref]`: reference-style images are not published.
REFERENCE_IMAGE = re.compile(r"(?<!\\)!\[[^\]]*\]\[[^\]]*\]")

SAFE_SCHEMES = frozenset({"", "http", "https", "mailto"})
# Every `](`, overlapping ones included; the destination runs to the next `)`.
_DESTINATION = re.compile(r"\]\((?=(?P<dest>[^)]*))")


# `[text](destination)`, innermost brackets first; what is left of a `](` is escaped.
_INLINE_LINK = re.compile(r"\[([^\[\]]*)\]\([^)]*\)")


def image_src(match: re.Match[str]) -> str:
    return match.group("angled") or match.group("src")


def safe_href(href: str) -> bool:
    """Relative, #anchor, http(s) or mailto, as a browser would read the attribute."""
    decoded = html.unescape(html.unescape(href))
    # Browsers drop whitespace and control characters inside a URL ("java\nscript:");
    # Markdown drops backslash escapes.
    compact = "".join(ch for ch in decoded if ch > " " and ch != "\\").lstrip("<")
    if compact.startswith("#"):
        return True
    try:
        scheme = urlsplit(compact).scheme.lower()
    except ValueError:
        return False
    return scheme in SAFE_SCHEMES


def _links(text: str) -> str:
    pieces, last = [], 0
    for match in _DESTINATION.finditer(text):
        if not safe_href(match.group("dest")):
            pieces += [text[last : match.end()], "#"]
            last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def safe_markdown(text: str, image: Callable[[str, str], str | None], links: bool = True) -> str:
    """The body as Markdown that can only render as text, safe links and our photos.

    `image(src, alt)` returns the HTML of a published photo, or None to drop it.
    With `links=False` (the kiosk, where nothing may lead out of a display) a link
    keeps its text and loses its destination.
    """
    token = "IMMERSIONPHOTO"
    while token in text:
        token += "X"
    photos: list[str] = []

    def photo(match: re.Match[str]) -> str:
        element = image(image_src(match), match.group("alt"))
        if element is None:
            return ""
        photos.append(element)
        return f"{token}{len(photos) - 1}Z"

    safe = INLINE_IMAGE.sub(photo, text)
    safe = safe.replace("<", "&lt;").replace("`", "&#96;").replace("]:", "]&#58;")
    safe = REFERENCE_IMAGE.sub(lambda m: m.group(0)[1:], safe).replace("![", "&#33;[")
    safe = _links(safe) if links else _INLINE_LINK.sub(r"\1", safe).replace("](", "]&#40;")
    for index, element in enumerate(photos):
        safe = safe.replace(f"{token}{index}Z", element, 1)
    return safe
