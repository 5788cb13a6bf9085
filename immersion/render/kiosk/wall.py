"""A journey as a map the size of its screen: every stage across, the curve, the voices.

On a wall (a landscape display at least `WALL_WIDTH` pixels wide) each stage carries
a quote pinned under it, taken from the stage's evidence, with the face and name of
who said it. On a smaller landscape screen the map keeps the stages, the curve and
the moments of truth; on a portrait screen the stages run down the screen, each with
its mood faces.

The curve is drawn here, not by `render/charts.py` (the intranet's chart, with its
labels inside the SVG): on a display every label is HTML text in the display's unit
(`--ik-u`), so it is as large as the rest of the slide, and stage names are written
once, under their column. The SVG holds only the lines; its viewBox is one unit per
percent so that the points (HTML, positioned in percent) sit exactly on them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup

from ... import model as m
from ..charts import EMOTION_MAX, EMOTION_MIN, EMOTION_WORDS, Series, runs, series_for
from ..html import EMPTY, join, tag
from ..icons import mood_icon
from ..views import present_persona_names
from .layout import Screen, is_wall
from .pieces import cut
from .voices import told_by

if TYPE_CHECKING:
    from .voices import Voices

# A wall-pinned quote is read standing a few steps away: at most this many characters.
PINNED_LIMIT = 60
# The curve's band: the best score at TOP percent of its height, the worst at BOTTOM.
TOP, BOTTOM = 14.0, 86.0
MOMENT_OF_TRUTH = "Moment of truth"


def stage_x(index: int, count: int) -> float:
    """The centre of a stage's column, in percent of the map's width."""
    return (index + 0.5) * 100.0 / count


def score_top(score: int) -> float:
    """Where a score sits in the curve's band, in percent from its top."""
    clamped = max(EMOTION_MIN, min(EMOTION_MAX, score))
    return BOTTOM - (clamped - EMOTION_MIN) * (BOTTOM - TOP) / (EMOTION_MAX - EMOTION_MIN)


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def curve(series: list[Series], count: int, names: dict[str, str], moments: list[int]) -> Markup:
    """The lines (SVG), the points (mood faces, HTML) and the moments of truth's bands."""
    lines: list[Markup] = []
    points: list[Markup] = [
        tag(
            "span",
            "",
            class_="ik-mot-band",
            style=f"left:{_num(i * 100.0 / count)}%;width:{_num(100.0 / count)}%",
        )
        for i in moments
    ]
    for k, line in enumerate(series):
        name = names.get(line.persona or "", "") if line.persona else ""
        for run in runs(line.values):
            coords = " ".join(f"{_num(stage_x(i, count))},{_num(score_top(v))}" for i, v in run)
            lines.append(
                Markup(
                    f'<polyline class="ik-line ik-line-{k}" points="{coords}" fill="none" '
                    'vector-effect="non-scaling-stroke"/>'
                )
            )
        for i, v in enumerate(line.values):
            if v is None:
                continue
            label = f"{name}: {EMOTION_WORDS[v]}" if name else EMOTION_WORDS[v]
            points.append(
                tag(
                    "span",
                    mood_icon(v, "ik-mood"),
                    class_=f"ik-point ik-point-{k}",
                    style=f"left:{_num(stage_x(i, count))}%;top:{_num(score_top(v))}%",
                    title=label,
                )
            )
    # Our own numbers only: nothing an editor wrote is in the drawing.
    svg = Markup(
        '<svg class="ik-lines" viewBox="0 0 100 100" preserveAspectRatio="none" '
        f'aria-hidden="true" focusable="false">{join(lines)}</svg>'
    )
    return tag("div", svg + join(points), class_="ik-map-curve", aria_hidden="true")


def legend(series: list[Series], names: dict[str, str]) -> Markup:
    named = [(k, names.get(s.persona or "")) for k, s in enumerate(series) if s.persona]
    if len(named) < 2:
        return EMPTY
    return tag(
        "ul",
        join(
            tag("li", tag("span", "", class_=f"ik-key ik-key-{k}") + (name or ""))
            for k, name in named
        ),
        class_="ik-legend",
    )


def moods(stage_index: int, series: list[Series], names: dict[str, str]) -> Markup:
    """A stage's mood faces, with whose they are: the portrait screen's curve."""
    faces = []
    for k, line in enumerate(series):
        v = line.values[stage_index]
        if v is None:
            continue
        who = names.get(line.persona or "", "") if line.persona else ""
        faces.append(
            tag(
                "span",
                mood_icon(v, "ik-mood") + (tag("span", who) if who and len(series) > 1 else EMPTY),
                class_=f"ik-stage-mood ik-point-{k}",
            )
        )
    return tag("span", join(faces), class_="ik-stage-moods") if faces else EMPTY


def pinned(voices: Voices, screen: Screen, page: str, stage: m.Stage) -> Markup:
    """The first thing someone said at this stage, with their face and name."""
    for ref in stage.evidence:
        voice = voices.said(ref)
        if voice is None or voice.story is None:
            continue
        quote = tag(
            "blockquote",
            tag("p", f"“{cut(voice.words, PINNED_LIMIT)}”")
            + tag("footer", told_by(voice.story), class_="ik-who"),
            class_="ik-quote ik-pinned-quote",
        )
        return tag("div", voices.face(screen, page, voice.story) + quote, class_="ik-pinned")
    if stage.feeling:
        # No one's words to pin: what the research says this stage feels like, not a quote.
        return tag("p", cut(stage.feeling, PINNED_LIMIT), class_="ik-feeling")
    return EMPTY


def journey_map(voices: Voices, screen: Screen, page: str, j: m.Journey) -> Markup:
    """The inner composition of a journey's slide."""
    series = series_for(j)
    names = present_persona_names(voices.lib, [s.persona for s in series if s.persona])
    names.update(present_persona_names(voices.lib, j.personas))
    wall = is_wall(screen)
    head = tag("h2", j.title, class_="ik-name")
    people = [names[p] for p in j.personas if p in names]
    if people:
        head += tag("p", " and ".join(people), class_="ik-segment")
    head += legend(series, names)
    count = len(j.stages)
    stages = []
    for index, stage in enumerate(j.stages):
        inner = tag("h3", stage.title, class_="ik-stage-title")
        inner += moods(index, series, names)
        if stage.moment_of_truth:
            inner += tag("p", MOMENT_OF_TRUTH, class_="ik-mot-mark")
        if wall:
            inner += pinned(voices, screen, page, stage)
        cls = "ik-map-stage ik-mot" if stage.moment_of_truth else "ik-map-stage"
        stages.append(tag("li", inner, class_=cls))
    return tag(
        "div",
        tag("header", head, class_="ik-map-head")
        + curve(series, count, names, [i for i, s in enumerate(j.stages) if s.moment_of_truth])
        + tag("ol", join(stages), class_="ik-map-stages"),
        class_="ik-map ik-wall" if wall else "ik-map",
        style=f"--ik-stages:{count}",
    )
