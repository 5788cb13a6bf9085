"""The room page's pictures: bar charts as inline, accessible SVG.

Pure: no I/O. Each chart is drawn at a fixed size in CSS pixels (it scrolls
sideways in a narrow window rather than shrinking), so every label stays at
`FONT_SIZE` px however wide the screen is. Each has a `<title>` and a `<desc>`
that says in words what the bars show; the numbers are in the tables beside them.

Like `charts.py`, the SVG is one line, safe to sit in a Markdown HTML block.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

FONT_SIZE = 13
CHAR_WIDTH = 8.0  # rough advance of a 13 px sans-serif glyph (DejaVu Sans), for layout only
BAR = "#0072B2"  # Okabe–Ito blue, as the emotion curve's first line
BAR_ALT = "#D55E00"
ROW = 26
LABEL_CHARS = 28

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return html.escape(" ".join(_XML_ILLEGAL.sub("", value).split()), quote=True)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def clip(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as a person reads it: "42 %", "1:05"
    href: str | None = None  # the bar's label links to the item's page


def bar_scale(values: Sequence[float], length: float) -> list[float]:
    """Bar lengths for `values`, the largest filling `length`; nothing drawn for 0."""
    top = max((v for v in values if v > 0), default=0)
    return [length * v / top if top and v > 0 else 0.0 for v in values]


def bar_chart(uid: str, title: str, desc: str, bars: Sequence[Bar], *, width: int = 680) -> Markup:
    """Horizontal bars, one row each: the label, the bar, the value in words."""
    label_width = 8 + LABEL_CHARS * CHAR_WIDTH
    value_width = 64
    length = max(width - label_width - value_width - 16, 80)
    height = 8 + ROW * max(len(bars), 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" role="img" aria-labelledby="{uid}-t {uid}-d"'
        f' class="im-room-chart" font-size="{FONT_SIZE}">',
        f'<title id="{uid}-t">{_text(title)}</title>',
        f'<desc id="{uid}-d">{_text(desc)}</desc>',
    ]
    for i, (bar, size) in enumerate(
        zip(bars, bar_scale([b.value for b in bars], length), strict=True)
    ):
        y = 4 + i * ROW
        middle = _num(y + ROW / 2)
        label = _text(clip(bar.label))
        text = (
            f'<text x="{_num(label_width - 8)}" y="{middle}" dy="0.35em" text-anchor="end"'
            f' fill="currentColor">{label}</text>'
        )
        if bar.href:
            text = f'<a href="{_text(bar.href)}">{text}</a>'
        out.append(text)
        out.append(
            f'<rect x="{_num(label_width)}" y="{_num(y + 5)}" width="{_num(max(size, 1))}"'
            f' height="{ROW - 10}" fill="{BAR}"><title>{_text(bar.label)}: {_text(bar.shown)}'
            "</title></rect>"
        )
        out.append(
            f'<text x="{_num(label_width + size + 6)}" y="{middle}" dy="0.35em"'
            f' fill="currentColor">{_text(bar.shown)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))  # every text above went through _text


@dataclass(frozen=True)
class Column:
    label: str  # the tick's label ("5 Jan"), or "" for no tick
    value: float
    title: str  # the column's tooltip: "Week of 5 January 2026: 1,204 showings"
    second: float = 0.0  # a second, narrower column in front (opens beside showings)


def column_chart(
    uid: str,
    title: str,
    desc: str,
    columns: Sequence[Column],
    legend: tuple[str, str],
    *,
    height: int = 240,
) -> Markup:
    """Vertical columns (one a week), with a second series drawn in front of the first.

    The two series have their own scales (showings are counted in thousands, opens in
    tens), each labelled at the top of its axis, so both shapes can be read.
    """
    step = 16
    left, right, top, bottom = 64, 64, 60, height - 36
    width = left + right + step * max(len(columns), 1)
    first = max((c.value for c in columns), default=0)
    second = max((c.second for c in columns), default=0)
    plot = bottom - top
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" role="img" aria-labelledby="{uid}-t {uid}-d"'
        f' class="im-room-chart" font-size="{FONT_SIZE}">',
        f'<title id="{uid}-t">{_text(title)}</title>',
        f'<desc id="{uid}-d">{_text(desc)}</desc>',
        # The legend: a swatch and words for each series, above the plot.
        f'<rect x="{left}" y="8" width="14" height="14" fill="{BAR}" fill-opacity="0.45"/>'
        f'<text x="{left + 20}" y="15" dy="0.35em" fill="currentColor">{_text(legend[0])}'
        f" (left scale)</text>",
        f'<rect x="{left}" y="30" width="14" height="14" fill="{BAR_ALT}"/>'
        f'<text x="{left + 20}" y="37" dy="0.35em" fill="currentColor">{_text(legend[1])}'
        f" (right scale)</text>",
        f'<line x1="{left}" y1="{bottom}" x2="{width - right}" y2="{bottom}"'
        ' stroke="currentColor" stroke-opacity="0.6"/>',
        f'<text x="{left - 6}" y="{top}" dy="0.35em" text-anchor="end" fill="currentColor">'
        f"{_text(f'{first:,.0f}')}</text>",
        f'<text x="{left - 6}" y="{bottom}" dy="0.35em" text-anchor="end" fill="currentColor">'
        "0</text>",
        f'<text x="{width - right + 6}" y="{top}" dy="0.35em" fill="currentColor">'
        f"{_text(f'{second:,.0f}')}</text>",
        f'<text x="{width - right + 6}" y="{bottom}" dy="0.35em" fill="currentColor">0</text>',
    ]
    for i, c in enumerate(columns):
        x = left + i * step
        h1 = plot * c.value / first if first else 0
        h2 = plot * c.second / second if second else 0
        out.append(
            f"<g><title>{_text(c.title)}</title>"
            f'<rect x="{_num(x + 1)}" y="{_num(bottom - h1)}" width="{step - 2}"'
            f' height="{_num(h1)}" fill="{BAR}" fill-opacity="0.45"/>'
            f'<rect x="{_num(x + 5)}" y="{_num(bottom - h2)}" width="{step - 10}"'
            f' height="{_num(h2)}" fill="{BAR_ALT}"/></g>'
        )
        if c.label:
            out.append(
                f'<text x="{_num(x + step / 2)}" y="{bottom + 16}" dy="0.35em"'
                f' text-anchor="middle" fill="currentColor">{_text(c.label)}</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))  # every text above went through _text
