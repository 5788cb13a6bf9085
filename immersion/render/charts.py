"""The journey emotion curve as an inline, accessible SVG (SPEC §4), drawn two ways.

`emotion_curve_svg` is a picture with its own labels that scales as a whole (the
kiosk's displays size it to the screen). `emotion_strip_svg` is the intranet's: a
strip with no text at all, laid across the stage columns of the journey table.
Its x positions are percentages of its own width and its y positions CSS pixels,
so at any width each point sits over the centre of its stage's column, while
every label (stage names, the axis words, the legend) is HTML text sized in CSS
px by the page, never shrunk with the drawing.

Pure: no I/O and no mkdocs. The page renderer passes the persona names and a
function that turns an evidence reference into a URL (or None when the evidence
is not in this build, e.g. its consent has gone), and embeds the string we return.

The string is one line with no indentation, so it can sit inside Markdown as raw
HTML (a blank line or a 4-space indent would end or re-interpret the HTML block).
Python-Markdown does not treat `<svg>` as block-level, so the caller should wrap
it in a block element such as `<figure>` or `<div>`.

The maths (which lines to draw, scaling, wrapping, legend layout) lives in
small pure functions so it can be table-tested without parsing SVG.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from markupsafe import Markup

from ..model import Journey, Stage
from ..schema import EvidenceRef

EMOTION_MIN = -2
EMOTION_MAX = 2
EMOTION_WORDS = {
    -2: "very negative",
    -1: "negative",
    0: "neutral",
    1: "positive",
    2: "very positive",
}
ALL_PERSONAS = "All personas"
MOMENT_OF_TRUTH = "moment of truth"

# Okabe–Ito colours (distinguishable with the common colour-vision deficiencies),
# each paired with its own dash pattern and marker fill so no line relies on
# colour alone. Black is left out: it vanishes on a dark (slate) page.
STYLES: tuple[tuple[str, str, bool], ...] = (
    # (stroke colour, stroke-dasharray ("" = solid), marker filled?)
    ("#0072B2", "", True),
    ("#D55E00", "8 4", False),
    ("#009E73", "2 4", True),
    ("#CC79A7", "12 4 2 4", False),
    ("#E69F00", "4 4", True),
    ("#56B4E9", "1 3", False),
)

FONT_SIZE = 12
CHAR_WIDTH = 6.6  # rough average advance of a 12px sans-serif glyph, for layout only
POINT_RADIUS = 6
LEFT = 96  # room for "very negative"
RIGHT = 16
LABEL_LINES = 2
LEGEND_ROW = 20


# ---------------------------------------------------------------- pure maths


@dataclass(frozen=True)
class Series:
    """One line of the chart: `persona` is None when it stands for every persona."""

    persona: str | None
    values: tuple[int | None, ...]  # one per stage; None is a gap


def persona_ids(journey: Journey) -> tuple[str, ...]:
    """The journey's personas, then any persona scored in a stage but not listed.

    The loader reports unlisted ones; we still draw them rather than lose data.
    """
    ids = list(journey.personas)
    for stage in journey.stages:
        if isinstance(stage.emotion, Mapping):
            ids.extend(p for p in stage.emotion if p not in ids)
    return tuple(ids)


def series_for(journey: Journey) -> list[Series]:
    """One shared line unless some persona's scores differ; then one per persona.

    A single-int stage applies to every persona; a persona missing from a
    stage's mapping has no score there (a gap), which counts as a difference.
    """
    stages = journey.stages
    per_persona: dict[str, tuple[int | None, ...]] = {}
    if any(isinstance(s.emotion, Mapping) for s in stages):
        per_persona = {
            p: tuple(_plain(s.emotion_for(p)) for s in stages) for p in persona_ids(journey)
        }
    if len(set(per_persona.values())) > 1:
        lines = [Series(p, values) for p, values in per_persona.items()]
    else:
        # Nobody differs (or nobody is named): one line of the stages' own scores.
        shared = next(iter(per_persona.values()), tuple(_plain(s.emotion) for s in stages))
        lines = [Series(None, shared)]
    # A line with no score anywhere would be a legend entry with nothing drawn.
    return [line for line in lines if any(v is not None for v in line.values)]


def _plain(value: object) -> int | None:
    # Only real ints are scores (a stray mapping or bool is not drawable).
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def runs(values: Sequence[int | None]) -> list[list[tuple[int, int]]]:
    """Split `(stage index, score)` pairs into unbroken runs at each missing score."""
    out: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for i, v in enumerate(values):
        if v is None:
            if current:
                out.append(current)
            current = []
        else:
            current.append((i, v))
    if current:
        out.append(current)
    return out


def column_x(index: int, count: int, left: float, right: float) -> float:
    """The centre of stage `index` when `count` stages share [left, right] as columns."""
    return left + (index + 0.5) * (right - left) / count


def score_y(score: int, top: float, bottom: float) -> float:
    """SVG y of a score: +2 at `top`, -2 at `bottom` (SVG y grows downwards)."""
    clamped = max(EMOTION_MIN, min(EMOTION_MAX, score))
    return bottom - (clamped - EMOTION_MIN) * (bottom - top) / (EMOTION_MAX - EMOTION_MIN)


def series_offset(k: int, count: int, step: float = 7.0) -> float:
    """A small sideways nudge per line so equal scores don't hide each other's points."""
    return (k - (count - 1) / 2) * step if count > 1 else 0.0


def wrap_label(text: str, max_chars: int, max_lines: int = LABEL_LINES) -> list[str]:
    """Greedy word wrap to `max_lines`, ending with '…' when the text does not fit."""
    max_chars = max(max_chars, 2)
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= max_chars:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
    if current:
        lines.append(current)
    # Long single words are cut too, so no line spills into the next column.
    fitted = [line if len(line) <= max_chars else line[: max_chars - 1] + "…" for line in lines]
    if len(fitted) > max_lines:
        # Words were dropped: say so on the last line that is kept.
        last = fitted[max_lines - 1].rstrip("…")[: max_chars - 1]
        fitted = [*fitted[: max_lines - 1], last.rstrip() + "…"]
    return fitted


def legend_layout(widths: Sequence[float], start: float, end: float) -> list[tuple[float, int]]:
    """(x, row) for legend entries of the given widths, flowing onto new rows as needed."""
    placed: list[tuple[float, int]] = []
    x, row = start, 0
    for w in widths:
        if x > start and x + w > end:
            x, row = start, row + 1
        placed.append((x, row))
        x += w
    return placed


def describe_score(score: int) -> str:
    """'negative', 'neutral', 'very positive': words, because "-1" means little to a reader."""
    return EMOTION_WORDS.get(score, "out of range")


def summary(journey: Journey, series: Sequence[Series], labels: Sequence[str]) -> str:
    """A sentence or two a screen reader can use instead of the picture."""
    stages = journey.stages
    if not stages:
        return "This journey has no stages yet."
    parts = [f"Emotion across {len(stages)} stages."]
    scored = False
    for line, label in zip(series, labels, strict=True):
        points = [(v, stages[i].title) for i, v in enumerate(line.values) if v is not None]
        if not points:
            continue
        scored = True
        low = min(points, key=lambda p: p[0])  # first lowest, in stage order
        high = max(points, key=lambda p: p[0])
        parts.append(
            f"{label}: lowest at {low[1]}, {describe_score(low[0])};"
            f" highest at {high[1]}, {describe_score(high[0])}."
        )
    if not scored:
        parts.append("No emotion scores are recorded.")
    moments = [s.title for s in stages if s.moment_of_truth]
    if moments:
        parts.append(f"Moments of truth: {', '.join(moments)}.")
    return " ".join(parts)


# ---------------------------------------------------------------- SVG text

# Characters XML 1.0 forbids; a stray one would make the whole SVG unparseable.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Only web links and in-site paths become hrefs; `javascript:` and `data:` never do.
_SAFE_HREF = re.compile(r"^(?:https?:|mailto:|[^:]*$)", re.IGNORECASE)


def _text(value: str) -> str:
    """Content text, escaped, on one line: a newline could end the Markdown HTML block."""
    return html.escape(" ".join(_XML_ILLEGAL.sub("", value).split()), quote=True)


def _safe_href(url: str | None) -> str | None:
    if not url:
        return None
    url = _XML_ILLEGAL.sub("", url).strip()
    if not url or any(c.isspace() for c in url) or not _SAFE_HREF.match(url):
        return None
    return html.escape(url, quote=True)


def _num(value: float) -> str:
    # Short, stable numbers keep the SVG small and the output diff-friendly.
    return f"{value:.1f}".rstrip("0").rstrip(".")


def emotion_curve_svg(
    journey: Journey,
    persona_names: Mapping[str, str],
    evidence_href: Callable[[EvidenceRef], str | None],
    *,
    width: int = 960,
    height: int = 280,
) -> Markup:
    """The journey's emotion curve: one line, or one per persona where scores differ."""
    stages = journey.stages
    series = series_for(journey)
    labels = [_series_label(s.persona, journey, persona_names) for s in series]
    uid = "ec-" + re.sub(r"[^a-z0-9_-]", "-", journey.id.lower())

    # Legend entries: a line swatch per series, then the moment-of-truth band.
    has_moments = any(s.moment_of_truth for s in stages)
    legend_texts = [_text(_clip(label, 28)) for label in labels]
    widths = [40 + len(html.unescape(t)) * CHAR_WIDTH + 20 for t in legend_texts]
    if has_moments:
        widths.append(40 + len(MOMENT_OF_TRUTH) * CHAR_WIDTH + 20)
    placed = legend_layout(widths, LEFT, width - RIGHT)
    legend_rows = (placed[-1][1] + 1) if placed else 0

    # Below the legend: room for the moment-of-truth star above the +2 gridline.
    top = 12 + legend_rows * LEGEND_ROW + 16
    bottom = height - (LABEL_LINES * (FONT_SIZE + 2) + 14)
    left, right = LEFT, width - RIGHT
    bottom = max(bottom, top + 40)  # a tiny height still leaves a readable plot

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
        f' role="group" aria-labelledby="{uid}-title {uid}-desc" class="emotion-curve"'
        f' font-size="{FONT_SIZE}">',
        f'<title id="{uid}-title">Emotion curve: {_text(journey.title)}</title>',
        f'<desc id="{uid}-desc">{_text(summary(journey, series, labels))}</desc>',
    ]

    count = max(len(stages), 1)
    xs = [column_x(i, count, left, right) for i in range(len(stages))]
    column = (right - left) / count

    # Moments of truth first, so lines and points are drawn over the band.
    for i, stage in enumerate(stages):
        if stage.moment_of_truth:
            out.append(
                f'<g class="moment-of-truth"><title>{MOMENT_OF_TRUTH.capitalize()}:'
                f" {_text(stage.title)}</title>"
                f'<rect x="{_num(xs[i] - column / 2)}" y="{_num(top - 16)}"'
                f' width="{_num(column)}" height="{_num(bottom - top + 16)}" fill="currentColor"'
                f' fill-opacity="0.07" stroke="currentColor" stroke-opacity="0.5"'
                f' stroke-dasharray="4 4"/>'
                f'<text x="{_num(xs[i])}" y="{_num(top - 8)}" dy="0.35em" text-anchor="middle"'
                f' fill="currentColor" aria-hidden="true">★</text></g>'
            )

    # Gridlines with words rather than numbers: "-1" means little to a visitor.
    out.append('<g class="grid">')
    for score in range(EMOTION_MIN, EMOTION_MAX + 1):
        gy = _num(score_y(score, top, bottom))
        zero = score == 0
        out.append(
            f'<line x1="{left}" y1="{gy}" x2="{right}" y2="{gy}" stroke="currentColor"'
            + (
                ' stroke-opacity="0.6" stroke-width="1.5"/>'
                if zero
                else ' stroke-opacity="0.2" stroke-dasharray="2 3"/>'
            )
            + f'<text x="{left - 8}" y="{gy}" dy="0.35em" text-anchor="end"'
            f' fill="currentColor">{EMOTION_WORDS[score]}</text>'
        )
    out.append("</g>")

    # Stage labels: always present, even for stages with no score.
    max_chars = int(column / CHAR_WIDTH) - 1
    out.append('<g class="stages">')
    for i, stage in enumerate(stages):
        lines = wrap_label(" ".join(stage.title.split()), max_chars)
        tspans = "".join(
            f'<tspan x="{_num(xs[i])}" dy="{0 if n == 0 else FONT_SIZE + 2}">{_text(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        # The whole title as a tooltip, when the label had to be cut short.
        cut = " ".join(lines) != " ".join(stage.title.split())
        full = f"<title>{_text(stage.title)}</title>" if cut else ""
        out.append(
            f'<text x="{_num(xs[i])}" y="{_num(bottom + 18)}" text-anchor="middle"'
            f' fill="currentColor">{full}{tspans}</text>'
        )
    out.append("</g>")

    # The lines and their points.
    for k, (line, label) in enumerate(zip(series, labels, strict=True)):
        colour, dash, filled = STYLES[k % len(STYLES)]
        dx = series_offset(k, len(series))
        out.append(f'<g class="series" data-persona="{_text(line.persona or "")}">')
        for run in runs(line.values):
            if len(run) < 2:
                continue  # a lone point is still drawn below, just without a line
            pts = " ".join(f"{_num(xs[i] + dx)},{_num(score_y(v, top, bottom))}" for i, v in run)
            out.append(
                f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2.5"'
                + (f' stroke-dasharray="{dash}"' if dash else "")
                + ' stroke-linejoin="round"/>'
            )
        for i, v in enumerate(line.values):
            if v is not None:
                out.append(
                    _point(
                        stages[i],
                        label,
                        v,
                        xs[i] + dx,
                        score_y(v, top, bottom),
                        colour,
                        filled,
                        evidence_href,
                    )
                )
        out.append("</g>")

    # Legend last so it draws on top; same swatch styling as the lines.
    out.append('<g class="legend">')
    for k, (text, (x, row)) in enumerate(
        zip(legend_texts, placed[: len(legend_texts)], strict=True)
    ):
        colour, dash, filled = STYLES[k % len(STYLES)]
        y = 12 + row * LEGEND_ROW
        out.append(
            f'<g class="legend-item"><line x1="{_num(x)}" y1="{y}" x2="{_num(x + 32)}" y2="{y}"'
            f' stroke="{colour}" stroke-width="2.5"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + f'/><circle cx="{_num(x + 16)}" cy="{y}" r="4" stroke="{colour}" stroke-width="2"'
            f' fill="{colour if filled else "none"}"/>'
            f'<text x="{_num(x + 40)}" y="{y}" dy="0.35em" fill="currentColor">{text}</text></g>'
        )
    if has_moments:
        x, row = placed[-1]
        y = 12 + row * LEGEND_ROW
        out.append(
            f'<g class="legend-item legend-moment"><rect x="{_num(x)}" y="{y - 7}" width="32"'
            f' height="14" fill="currentColor" fill-opacity="0.07" stroke="currentColor"'
            f' stroke-opacity="0.5" stroke-dasharray="4 4"/>'
            f'<text x="{_num(x + 16)}" y="{y}" dy="0.35em" text-anchor="middle"'
            f' fill="currentColor" aria-hidden="true">★</text>'
            f'<text x="{_num(x + 40)}" y="{y}" dy="0.35em" fill="currentColor">'
            f"{MOMENT_OF_TRUTH}</text></g>"
        )
    out.append("</g></svg>")
    # Every piece of content above went through `_text` or `_safe_href`; the rest
    # is our own numbers and words.
    return Markup("".join(out))


# ---------------------------------------------------------------- the strip

STRIP_HEIGHT = 200  # CSS px: the strip is this tall at every width
STRIP_PAD = 16  # CSS px above "very positive" and below "very negative", for the points
SERIES_STEP = 6.0  # CSS px between lines' points at one stage, so equal scores both show


def strip_x(index: int, count: int) -> float:
    """The centre of stage `index` of `count`, in percent of the strip's width."""
    return column_x(index, max(count, 1), 0.0, 100.0)


def axis_marks(height: int = STRIP_HEIGHT) -> list[tuple[int, str, float]]:
    """(score, word, y in CSS px) of each gridline, best first: where the HTML axis goes."""
    top, bottom = STRIP_PAD, height - STRIP_PAD
    return [
        (score, EMOTION_WORDS[score], score_y(score, top, bottom))
        for score in range(EMOTION_MAX, EMOTION_MIN - 1, -1)
    ]


def legend_entries(journey: Journey, persona_names: Mapping[str, str]) -> list[tuple[str, int]]:
    """(label, style index) of each line the strip draws, in drawing order."""
    return [
        (_series_label(line.persona, journey, persona_names), k)
        for k, line in enumerate(series_for(journey))
    ]


def swatch_svg(style: int) -> Markup:
    """A line's sample for an HTML legend: its colour, dash and marker (hidden from readers)."""
    colour, dash, filled = STYLES[style % len(STYLES)]
    return Markup(
        '<svg width="36" height="14" viewBox="0 0 36 14" aria-hidden="true" focusable="false"'
        ' class="im-swatch">'
        f'<line x1="2" y1="7" x2="34" y2="7" stroke="{colour}" stroke-width="2.5"'
        + (f' stroke-dasharray="{dash}"' if dash else "")
        + f'/><circle cx="18" cy="7" r="4" stroke="{colour}" stroke-width="2"'
        f' fill="{colour if filled else "none"}"/></svg>'
    )


def emotion_strip_svg(
    journey: Journey,
    persona_names: Mapping[str, str],
    evidence_href: Callable[[EvidenceRef], str | None],
    *,
    height: int = STRIP_HEIGHT,
) -> Markup:
    """The curve as a text-free strip for the stage table: x in percent, y in CSS px.

    There is no viewBox on purpose: the strip is as wide as the table cell it
    sits in, so stage `i`'s points are at `strip_x(i)` percent of the stage
    columns, which is the centre of column `i` whatever the screen's width, and
    nothing in it shrinks. Lines are drawn segment by segment because `<line>`
    takes percentages and `<polyline>` does not.
    """
    stages = journey.stages
    series = series_for(journey)
    labels = [_series_label(s.persona, journey, persona_names) for s in series]
    uid = "es-" + re.sub(r"[^a-z0-9_-]", "-", journey.id.lower())
    top, bottom = STRIP_PAD, height - STRIP_PAD
    count = max(len(stages), 1)
    xs = [strip_x(i, count) for i in range(len(stages))]

    def pct(value: float) -> str:
        return _num(value) + "%"

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="{height}"'
        f' role="group" aria-labelledby="{uid}-title {uid}-desc" class="emotion-strip">',
        f'<title id="{uid}-title">Emotion curve: {_text(journey.title)}</title>',
        f'<desc id="{uid}-desc">{_text(summary(journey, series, labels))}</desc>',
    ]
    # The moment-of-truth band continues the highlighted column of the table.
    for i, stage in enumerate(stages):
        if stage.moment_of_truth:
            out.append(
                f'<rect class="moment-of-truth" x="{pct(i * 100 / count)}" y="0"'
                f' width="{pct(100 / count)}" height="100%" fill="currentColor"'
                ' fill-opacity="0.07"/>'
            )
    out.append('<g class="grid">')
    for score, _word, y in axis_marks(height):
        out.append(
            f'<line x1="0" y1="{_num(y)}" x2="100%" y2="{_num(y)}" stroke="currentColor"'
            + (
                ' stroke-opacity="0.55" stroke-width="1.5"/>'
                if score == 0
                else ' stroke-opacity="0.18" stroke-dasharray="2 3"/>'
            )
        )
    out.append("</g>")
    for k, (line, label) in enumerate(zip(series, labels, strict=True)):
        colour, dash, filled = STYLES[k % len(STYLES)]
        dx = series_offset(k, len(series), SERIES_STEP)
        # The nudge is in px (a transform), so it stays small on a wide screen.
        shift = f' transform="translate({_num(dx)} 0)"' if dx else ""
        out.append(f'<g class="series" data-persona="{_text(line.persona or "")}"{shift}>')
        for run in runs(line.values):
            for (i, a), (j, b) in pairwise(run):
                out.append(
                    f'<line x1="{pct(xs[i])}" y1="{_num(score_y(a, top, bottom))}"'
                    f' x2="{pct(xs[j])}" y2="{_num(score_y(b, top, bottom))}"'
                    f' stroke="{colour}" stroke-width="2.5" stroke-linecap="round"'
                    + (f' stroke-dasharray="{dash}"' if dash else "")
                    + "/>"
                )
        for i, v in enumerate(line.values):
            if v is not None:
                out.append(
                    _point(
                        stages[i],
                        label,
                        v,
                        pct(xs[i]),
                        score_y(v, top, bottom),
                        colour,
                        filled,
                        evidence_href,
                    )
                )
        out.append("</g>")
    out.append("</svg>")
    # As in emotion_curve_svg: content went through `_text` or `_safe_href`.
    return Markup("".join(out))


def _series_label(persona: str | None, journey: Journey, names: Mapping[str, str]) -> str:
    if persona is None:
        # A shared line of a one-persona journey is simply that persona.
        if len(journey.personas) == 1:
            return names.get(journey.personas[0]) or journey.personas[0]
        return ALL_PERSONAS
    return names.get(persona) or persona


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _point(
    stage: Stage,
    label: str,
    score: int,
    x: float | str,
    y: float,
    colour: str,
    filled: bool,
    evidence_href: Callable[[EvidenceRef], str | None],
) -> str:
    """One score as a circle with a tooltip, linked to its first evidence when it has a URL."""
    title = f"{label} at {stage.title}: {describe_score(score)}"
    if stage.moment_of_truth:
        title += f" – {MOMENT_OF_TRUTH}"
    # Hollow markers still catch clicks and hovers on their inside.
    circle = (
        f'<circle cx="{x if isinstance(x, str) else _num(x)}" cy="{_num(y)}"'
        f' r="{POINT_RADIUS}" stroke="{colour}"'
        f' stroke-width="2.5" fill="{colour if filled else "none"}" pointer-events="all"'
    )
    href = _safe_href(evidence_href(stage.evidence[0])) if stage.evidence else None
    if href is None:
        return f'{circle} class="point"><title>{_text(title)}</title></circle>'
    # The title sits on the link so it is the link's accessible name and tooltip.
    return (
        f'<a href="{href}" class="point-link"><title>{_text(title)}</title>'
        f'{circle} class="point"/></a>'
    )
