"""Icons drawn as inline SVG, so they look the same on every screen.

Emoji depend on the fonts of the machine that shows them: a kiosk without an
emoji font draws an empty box where a mood face should be. An inline SVG needs no
font and no request, takes the text's colour (`currentColor`) and scales with it.
"""

from __future__ import annotations

from markupsafe import Markup

from .charts import EMOTION_WORDS
from .html import tag

# The mouth of each mood, as a quadratic curve from (7, y0) through control y1 to (17, y0):
# a frown for the lowest score, a wide smile for the highest.
_MOUTHS: dict[int, tuple[float, float]] = {
    -2: (17.5, 12.5),
    -1: (16.5, 14.0),
    0: (15.5, 15.5),
    1: (14.5, 17.5),
    2: (14.0, 19.5),
}


def mood_icon(score: int, cls: str = "im-mood") -> Markup:
    """A face for a mood score (-2..2), named in words for screen readers."""
    score = max(-2, min(2, int(score)))
    y0, y1 = _MOUTHS[score]
    word = EMOTION_WORDS[score]
    # Only our own numbers go into the drawing: nothing an editor wrote.
    drawing = Markup(
        '<circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="1.8"/>'
        '<circle cx="8.5" cy="9.5" r="1.3" fill="currentColor"/>'
        '<circle cx="15.5" cy="9.5" r="1.3" fill="currentColor"/>'
        f'<path d="M7 {y0} Q12 {y1} 17 {y0}" fill="none" stroke="currentColor" '
        'stroke-width="1.8" stroke-linecap="round"/>'
    )
    return tag(
        "svg",
        drawing,
        class_=f"{cls} {cls}-{word.replace(' ', '-')}",
        viewBox="0 0 24 24",
        width="1.2em",
        height="1.2em",
        role="img",
        aria_label=f"mood: {word}",
        focusable="false",
    )
