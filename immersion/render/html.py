"""Small HTML pieces shared by the page renderers.

Every piece escapes what it is given; callers pass content text as it is.
HTML blocks are emitted as single lines so that Markdown never mistakes
indented markup for a code block.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .charts import EMOTION_WORDS as EMOTION_WORDS
from .staging import esc

AUDIO_TYPES = {"opus": 'audio/ogg; codecs="opus"', "m4a": "audio/mp4"}

MOOD_FACES = {-2: "😣", -1: "🙁", 0: "😐", 1: "🙂", 2: "😄"}


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


def attrs(**values: object) -> str:
    parts = []
    for name, value in values.items():
        if value is None or value is False:
            continue
        key = name.rstrip("_").replace("_", "-")
        parts.append(key if value is True else f'{key}="{esc(value)}"')
    return (" " + " ".join(parts)) if parts else ""


def tag(name: str, inner: str = "", **values: object) -> str:
    """An element; `inner` is trusted HTML (build it from esc()'d text)."""
    return f"<{name}{attrs(**values)}>{inner}</{name}>"


def ul(items: Iterable[str], cls: str | None = None) -> str:
    """A list of already-safe HTML items."""
    body = "".join(f"<li>{item}</li>" for item in items)
    return tag("ul", body, class_=cls) if body else ""


def chips(words: Iterable[str], cls: str = "im-chip") -> str:
    return "".join(tag("span", esc(word), class_=cls) for word in words)


def block(html: str) -> str:
    """An HTML block in a Markdown page: alone, between blank lines, on one line."""
    return "\n\n" + html.replace("\n", " ") + "\n\n" if html else ""
