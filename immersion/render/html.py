"""Small HTML pieces shared by the page renderers: markup safe by construction.

Every piece returns `markupsafe.Markup` and treats every plain `str` it is given
as text: `tag("p", story.title)` escapes the title, `tag("p", tag("b", x))` nests.
A plain string can only become markup through `Markup(...)`, written at the
place that has made it safe, so a reviewer can grep for every one of them.
`Markup + str` and `Markup.join` escape the `str` too; `"".join(...)` and
f-strings do not, which is why `join` is here.

HTML blocks are emitted as single lines so that Markdown never mistakes
indented markup for a code block.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
from collections.abc import Iterable

from markupsafe import Markup

from .charts import EMOTION_WORDS as EMOTION_WORDS
from .staging import esc

AUDIO_TYPES = {"opus": 'audio/ogg; codecs="opus"', "m4a": "audio/mp4"}

EMPTY = Markup("")


def fmt_time(seconds: float) -> str:
    """`754.2` -> `12:34`; hours only when there are some."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def fmt_date(day: dt.date | None) -> str:
    return day.strftime("%-d %B %Y") if day else ""


def fmt_score(score: int) -> str:
    return f"{score:+d}" if score else "0"


def safe(content: object) -> Markup:
    """Markup stays markup; anything else is text."""
    return content if isinstance(content, Markup) else esc(content)


def join(parts: Iterable[object], sep: object = "") -> Markup:
    """Concatenate pieces of markup, `sep` between them; plain strings are text."""
    return safe(sep).join(safe(part) for part in parts)


@functools.lru_cache(maxsize=512)
def _key(name: str) -> str:
    return name.rstrip("_").replace("_", "-")


def _attrs(values: dict[str, object]) -> str:
    # Plain text on purpose: this runs for every element of every page, and the
    # callers below wrap the whole element in one Markup.
    parts = []
    for name, value in values.items():
        if value is None or value is False:
            continue
        key = _key(name)
        parts.append(key if value is True else f'{key}="{html.escape(str(value), quote=True)}"')
    return (" " + " ".join(parts)) if parts else ""


def attrs(**values: object) -> Markup:
    """` key="value"` pairs: `class_` -> `class`, `data_x` -> `data-x`, True -> bare."""
    # Keys are our own identifiers; every value is escaped (as `esc` does).
    return Markup(_attrs(values))


def tag(name: str, inner: object = "", **values: object) -> Markup:
    """An element around `inner` (markup as it is, anything else as text)."""
    return Markup(f"<{name}{_attrs(values)}>{safe(inner)}</{name}>")  # name: ours


def void(name: str, **values: object) -> Markup:
    """An element without content: `<img ...>`, `<source ...>`, `<track ...>`."""
    return Markup(f"<{name}{_attrs(values)}>")  # name: ours, attrs escaped


def ul(items: Iterable[object], cls: str | None = None) -> Markup:
    """A list; items are markup or text."""
    body = join(tag("li", item) for item in items)
    return tag("ul", body, class_=cls) if body else EMPTY


def ol(items: Iterable[object], cls: str | None = None) -> Markup:
    """A numbered list; items are markup or text."""
    body = join(tag("li", item) for item in items)
    return tag("ol", body, class_=cls) if body else EMPTY


def chips(words: Iterable[str], cls: str = "im-chip") -> Markup:
    return join(tag("span", word, class_=cls) for word in words)


def markdown_block(name: str, markdown: str, head: Markup = EMPTY, **values: object) -> str:
    """An element of ours whose content the engine renders as Markdown (md_in_html).

    `markdown` is page text already made safe (`bodytext.safe_markdown`); `head`
    is markup that opens the element, on one line. Content cannot write `<`, so
    only our own elements carry `markdown`.
    """
    opening = f"<{name}{attrs(**values, markdown=True)}>"  # name: ours, attrs escaped
    top = str(head).replace("\n", " ") + "\n" if head else ""
    return f"\n\n{opening}\n{top}{markdown}\n</{name}>\n\n"


def block(markup: Markup) -> str:
    """An HTML block in a Markdown page: alone, between blank lines, on one line."""
    return "\n\n" + str(markup).replace("\n", " ") + "\n\n" if markup else ""
