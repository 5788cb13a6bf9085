"""How long a slide of the attract loop lasts, from what it shows (pure).

The rule (docs/kiosk.md, "Timing"):

* a slide of text lasts `BASE_SECONDS` plus its words at `WORDS_PER_SECOND`,
  rounded up to half a second, at most `TEXT_MAX_SECONDS`;
* a pin replaces that reading time: the item's own `slide_seconds` first, else
  the display's;
* media are never cut short: a slide with a clip lasts at least the clip and a
  breath (`BREATH_SECONDS`), a photo film at least the whole film. A video slide's
  clip is the span its video plays (slides.py passes it as `Content.clip`).

Lengths are multiples of half a second, so every display computes the same
boundaries from the same wall clock (the cycle is summed in milliseconds).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

BASE_SECONDS = 4.0  # to notice the slide, find the face, start reading
WORDS_PER_SECOND = 3.0  # a comfortable reading pace for large type, standing
TEXT_MAX_SECONDS = 40.0  # a visitor who wants more touches the slide
BREATH_SECONDS = 1.5  # after a voice stops, before the next slide comes in
STEP = 0.5  # lengths are whole or half seconds

# A word has a letter or a digit: "·", "–" and "…" are not read.
_WORD = re.compile(r"\w", re.UNICODE)
# Inside these, nothing is read on the slide: captions are timed by their clip, the
# "now playing" line shows only while it plays, SVG titles are tooltips.
_NOT_READ_TAGS = frozenset({"script", "style", "title", "desc", "template"})
_NOT_READ_CLASSES = frozenset({"ik-captions", "ik-now-playing"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"})
_VOID |= {"source", "track", "wbr"}


@dataclass(frozen=True)
class Content:
    """What a slide shows that takes time: words to read, a clip to hear, a film to watch."""

    words: int = 0
    clip: float | None = None  # seconds of the clip the slide carries
    film: float | None = None  # seconds of the film it runs (the sum of its frames)


def round_up(seconds: float) -> float:
    """Up to the next whole or half second (a hair of float error does not add a step)."""
    return math.ceil(seconds / STEP - 1e-9) * STEP


def reading_seconds(words: int) -> float:
    """The time to notice a slide and read `words` of it, capped."""
    return min(TEXT_MAX_SECONDS, round_up(BASE_SECONDS + max(0, words) / WORDS_PER_SECOND))


def slide_seconds(
    content: Content, display_pin: float | None = None, item_pin: float | None = None
) -> float:
    """How long a slide stays: read, or pinned; never shorter than its clip or film."""
    pin = item_pin if item_pin is not None else display_pin
    length = round_up(pin) if pin is not None else reading_seconds(content.words)
    if content.clip is not None and content.clip > 0:
        length = max(length, round_up(content.clip + BREATH_SECONDS))
    if content.film is not None and content.film > 0:
        length = max(length, round_up(content.film))
    return length


def count_words(text: str) -> int:
    return sum(1 for token in text.split() if _WORD.search(token))


class _Reader(HTMLParser):
    """Collects the text a person reads on a slide (see `_NOT_READ_*`)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[bool] = []  # per open element: is its content not read?
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        skipped = (
            tag in _NOT_READ_TAGS
            or bool(classes & _NOT_READ_CLASSES)
            or any(name == "hidden" for name, _ in attrs)
            or bool(self.open and self.open[-1])
        )
        self.open.append(skipped)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # `<br/>`, `<img/>`: nothing to read, nothing to close

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if not (self.open and self.open[-1]):
            self.parts.append(data)


def words_shown(html: str) -> int:
    """The words a person reads on a slide's markup: text, not attributes (alt, aria)."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return count_words(" ".join(reader.parts))


# ---------------------------------------------------------------- captions


@dataclass(frozen=True)
class Caption:
    """One line of follow-along captions, on the clip's own clock (0 = the clip starts)."""

    start: float
    end: float
    text: str


def captions(
    cues: Iterable[tuple[float, float, str]], offset: float = 0.0, length: float | None = None
) -> list[Caption]:
    """Cues `(start, end, text)` of a recording as captions of the clip from `offset`.

    A cue that starts before the clip or ends after it is clamped to the clip;
    one wholly outside it is left out.
    """
    found: list[Caption] = []
    for start, end, text in cues:
        words = " ".join(text.split())
        a, b = start - offset, end - offset
        if length is not None:
            b = min(b, length)
        a = max(0.0, a)
        if words and b > a:
            found.append(Caption(round(a, 3), round(b, 3), words))
    return found


# ---------------------------------------------------------------- the loop


def cycle_seconds(lengths: Sequence[float]) -> float:
    return sum(lengths)


def fmt_length(seconds: float) -> str:
    """`3 min 20 s`, `45 s`, `2 min`, `1 min 7.5 s`."""
    half_seconds = round(seconds * 2)
    minutes, rest = divmod(half_seconds, 120)
    secs = rest / 2
    sec_text = f"{secs:g} s"
    if not minutes:
        return sec_text
    return f"{minutes} min" + (f" {sec_text}" if rest else "")


def loop_summary(display: str, lengths: Sequence[float]) -> str:
    """`entrance: 11 slides, 3 min 20 s`: what `immersion build` says of a display's loop."""
    n = len(lengths)
    return f"{display}: {n} slide{'' if n == 1 else 's'}, {fmt_length(cycle_seconds(lengths))}"
