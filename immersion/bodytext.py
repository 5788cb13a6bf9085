"""Markdown bodies written by editors, made safe as Markdown source.

A body reaches the site as Markdown inside the generated page, so the site
engine renders it once (rendering it ourselves first doubled the Markdown work
of a build). It must never become markup of its own, so before it is written:

* every `<` becomes `&lt;`: without `<` there is no raw HTML, no inline tag and
  no autolink; the text still reads `<` on the page;
* a link whose destination is not relative, `#`, http(s) or mailto is pointed
  at `#` (entities and control characters are decoded first, as a browser would);
* a photo written `![alt](file.jpg)` becomes the page's own `<img>` for its
  published rendition, or disappears when there is none (a photo the consent
  excludes, a missing file); any other `![` is made literal, so content can
  never load an image from elsewhere.

Inside a code span (found exactly as Python-Markdown finds one) `<` and `![`
are left as written, since Markdown shows them as text there. The site enables
no fenced code blocks, so fences are prose like the rest. The image patterns
are shared with the loader, which reports the same photos the page shows.
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
# A code span as Python-Markdown finds one (its BACKTICK_RE, without the `\\`` case):
# inside it Markdown shows `<` and `![` as text, so they are left as written.
CODE_SPAN = re.compile(r"(?<!\\)(`+)(.+?)(?<!`)\1(?!`)")

SAFE_SCHEMES = frozenset({"", "http", "https", "mailto"})
_INLINE_DESTINATION = re.compile(r"\]\(\s*(?P<dest>[^\s)]*)")
_REFERENCE_DESTINATION = re.compile(r"^[ ]{0,3}\[[^\[\]]*\]:[ ]*\n?[ ]*(?P<dest>\S+)", re.MULTILINE)


def blank_code(text: str) -> str:
    """`text` with code spans blanked out, so positions and lines stay right."""
    return CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text)


def image_src(match: re.Match[str]) -> str:
    return match.group("angled") or match.group("src")


def safe_href(href: str) -> bool:
    """Relative, #anchor, http(s) or mailto, as a browser would read the attribute."""
    decoded = html.unescape(html.unescape(href))
    # Browsers ignore control characters and spaces inside a scheme ("java\tscript:"), and
    # Markdown drops the backticks of a code span inside a link ("java`script:`").
    compact = "".join(ch for ch in decoded if ch > " " and ch not in "`\\").lstrip("<")
    try:
        scheme = urlsplit(compact).scheme.lower()
    except ValueError:
        return False
    return scheme in SAFE_SCHEMES


def _neutralise(match: re.Match[str]) -> str:
    dest = match.group("dest")
    if safe_href(dest):
        return match.group(0)
    start, end = match.span("dest")
    offset = match.start()
    whole = match.group(0)
    return whole[: start - offset] + "#" + whole[end - offset :]


def _prose(text: str) -> str:
    text = text.replace("<", "&lt;")
    return REFERENCE_IMAGE.sub(lambda m: m.group(0)[1:], text).replace("![", "&#33;[")


def _outside_code(text: str, change: Callable[[str], str]) -> str:
    pieces, last = [], 0
    for match in CODE_SPAN.finditer(text):
        pieces += [change(text[last : match.start()]), match.group(0)]
        last = match.end()
    pieces.append(change(text[last:]))
    return "".join(pieces)


def safe_markdown(text: str, image: Callable[[str, str], str | None]) -> str:
    """The body as Markdown that can only render as text, safe links and our photos.

    `image(src, alt)` returns the HTML of a published photo, or None to drop it.
    """
    token = "IMMERSIONPHOTO"
    while token in text:
        token += "X"
    photos: list[str] = []
    blanked = blank_code(text)
    pieces: list[str] = []
    last = 0
    for match in INLINE_IMAGE.finditer(blanked):
        start, end = match.span()
        pieces.append(text[last:start])
        original = INLINE_IMAGE.match(text, start)
        element = image(image_src(original), original.group("alt")) if original else None
        if element is not None:
            pieces.append(f"{token}{len(photos)}Z")
            photos.append(element)
        last = end
    pieces.append(text[last:])
    # Outside code spans: no `<` (so no raw HTML) and no `![` (so no image of our choosing).
    # `&#33;` reads "!" but can never start image syntax, whatever precedes it.
    safe = _outside_code("".join(pieces), _prose)
    # Link destinations are checked everywhere: Markdown puts code-span text into an href.
    safe = _INLINE_DESTINATION.sub(_neutralise, safe)
    safe = _REFERENCE_DESTINATION.sub(_neutralise, safe)
    for index, element in enumerate(photos):
        safe = safe.replace(f"{token}{index}Z", element, 1)
    return safe
