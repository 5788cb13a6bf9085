"""The intranet's journey pages: the index, and per journey its map.

A journey page is a map, so it takes the screen's width: no table of contents and
no navigation sidebar (`hide`), and journeys.css widens the page grid. The map is
one table: a column per stage, the emotion curve drawn across the stage columns
(`charts.emotion_strip_svg`, so each point is over its column's centre), then a
row per facet. It scrolls sideways as one piece on a narrow screen, the row
labels staying put.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from markupsafe import Markup

from ... import model as m
from ...schema import EvidenceRef
from .. import charts, views
from ..html import EMOTION_WORDS, EMPTY, block, chips, join, tag, ul, void
from ..icons import mood_icon
from ..staging import front_matter, md_text
from .pages import item_page

if TYPE_CHECKING:
    from .site import IntranetRenderer


def write_pages(r: IntranetRenderer) -> None:
    index = "journeys/index.md"
    if r.wants(index):
        rows = []
        for j in sorted(r.lib.journeys.values(), key=lambda j: j.title.lower()):
            people = ", ".join(views.present_persona_names(r.lib, j.personas).values())
            meta = f"{len(j.stages)} stages" + (f" · {people}" if people else "")
            rows.append(
                join([r.link(index, "journey", j.id), tag("span", meta, class_="im-meta")], " ")
            )
        r.write(index, front_matter("Journeys") + "# Journeys\n" + block(ul(rows)))
    for journey in r.lib.journeys.values():
        write_page(r, journey)


def write_page(r: IntranetRenderer, j: m.Journey) -> None:
    page = item_page("journey", j.id)
    if not r.wants(page):
        return
    names = views.persona_names(r.lib, j.personas)
    # Full width: the stages need it more than a table of contents or the nav does.
    text = front_matter(j.title, j.tags, hide=["navigation", "toc"])
    crumbs = join(
        [
            tag("span", "‹", aria_hidden="true"),
            tag("a", "All journeys", href=r.href(page, "journeys/index.md")),
        ],
        " ",
    )
    text += block(tag("nav", crumbs, class_="im-crumbs", aria_label="Breadcrumb"))
    text += f"# {md_text(j.title)}\n"
    text += block(tag("p", facts(r, page, j), class_="im-meta im-journey-facts"))
    if j.body.strip():
        text += r.body(page, "journey", j.id, j.body)
    text += "## Stages and emotion\n" + block(journey_map(r, page, j, names))
    text += r.section(
        "Stories on this journey", r.cited(page, "story", r.cites.journey_stories[j.id])
    )
    text += r.section("Insights", r.cited(page, "insight", r.cites.journey_insights[j.id]))
    r.write(page, text)


def facts(r: IntranetRenderer, page: str, j: m.Journey) -> Markup:
    """ "For Maya, Raj · 6 stages · 2 moments of truth"."""
    parts: list[Markup | str] = []
    people = [r.link(page, "persona", pid) for pid in j.personas]
    if people:
        parts.append(join(["For ", join(people, ", ")]))
    parts.append(_count(len(j.stages), "stage"))
    moments = sum(1 for s in j.stages if s.moment_of_truth)
    if moments:
        parts.append(_count(moments, "moment of truth", "moments of truth"))
    return join(parts, " · ")


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def journey_href(r: IntranetRenderer, page: str) -> Callable[[EvidenceRef], str | None]:
    """Evidence as a link to the moment in its story, or None when the story is not here."""

    def href(ref: EvidenceRef) -> str | None:
        if ref.story not in r.lib.stories:
            return None
        return r.href(
            page, item_page("story", ref.story) + (f"#{ref.anchor}" if ref.anchor else "")
        )

    return href


def emotion(stage: m.Stage, names: dict[str, str]) -> Markup:
    """A face and a word for one score; `Maya: negative`, one a line, for several."""
    scores = views.emotion_scores(stage, names)

    def word(score: int) -> Markup:
        # The face is decoration beside the word, so readers hear the word once.
        face = tag("span", mood_icon(score), aria_hidden="true", class_="im-emotion-face")
        return join([face, EMOTION_WORDS.get(score, str(score))], " ")

    if len(scores) == 1 and scores[0][0] is None:
        return tag("span", word(scores[0][1]), class_="im-emotion")
    return join(
        (
            tag(
                "span",
                join([tag("span", f"{name}:", class_="im-emotion-who"), word(score)], " "),
                class_="im-emotion",
            )
            for name, score in scores
        ),
        void("br"),
    )


def legend(j: m.Journey, names: dict[str, str]) -> Markup:
    """What each line is (colour, dash and marker), and the moment-of-truth mark."""
    items = [
        join([charts.swatch_svg(style), label], " ")
        for label, style in charts.legend_entries(j, names)
    ]
    if any(s.moment_of_truth for s in j.stages):
        items.append(
            join(
                [tag("span", "★", class_="im-legend-mot", aria_hidden="true"), "Moment of truth"],
                " ",
            )
        )
    return ul(items, cls="im-legend")


def journey_map(r: IntranetRenderer, page: str, j: m.Journey, names: dict[str, str]) -> Markup:
    """The legend, then the stage table with the curve as its first row, scrollable as one."""
    count = len(j.stages)
    hint = (
        tag("p", f"Scroll sideways to see all {count} stages.", class_="im-scroll-hint")
        if count > 1
        else EMPTY
    )
    scroller = tag(
        "div",
        stage_table(r, page, j, names),
        class_="im-stages-scroll",
        tabindex="0",
        role="region",
        aria_label=f"Journey map: {_count(count, 'stage')}",
    )
    return tag("div", join([legend(j, names), hint, scroller]), class_="im-journey-map")


def curve_row(r: IntranetRenderer, page: str, j: m.Journey, names: dict[str, str]) -> Markup:
    """The strip across every stage column, its axis words in the row's label cell.

    The words are HTML at the page's type size, placed at the strip's gridlines
    (the same `charts.axis_marks`), so they never shrink with the drawing.
    """
    marks = join(
        tag("span", word, style=f"top:{y:.1f}px", class_=f"im-axis-{score + 2}")
        for score, word, y in charts.axis_marks()
    )
    label = join(
        [
            tag("span", "Emotion curve", class_="im-sr"),
            tag(
                "span",
                marks,
                class_="im-axis",
                aria_hidden="true",
                style=f"height:{charts.STRIP_HEIGHT}px",
            ),
        ]
    )
    strip = charts.emotion_strip_svg(j, names, journey_href(r, page))
    return tag(
        "tr",
        tag("th", label, scope="row", class_="im-axis-cell")
        + tag("td", strip, colspan=max(len(j.stages), 1), class_="im-strip"),
        class_="im-curve-row",
    )


def stage_table(r: IntranetRenderer, page: str, j: m.Journey, names: dict[str, str]) -> Markup:
    """The stages as the columns of a table: the curve, then one row per facet a stage has.

    The columns are equal (`table-layout: fixed` in journeys.css) and the curve's
    cell spans exactly them, so the strip's percentages are the columns' centres.
    """
    rows: list[tuple[str, Callable[[m.Stage], Markup]]] = [
        ("Emotion", lambda s: emotion(s, names)),
        ("Doing", lambda s: join([s.doing])),
        ("Thinking", lambda s: join([s.thinking])),
        ("Feeling", lambda s: join([s.feeling])),
        ("Channels", lambda s: chips(s.channels)),
        ("Touchpoints", lambda s: ul(s.touchpoints)),
        ("Pain points", lambda s: ul(s.pain_points)),
        ("Opportunities", lambda s: ul(s.opportunities)),
        ("Evidence", lambda s: r.evidence_list(page, s.evidence)),
    ]

    def mot(s: m.Stage) -> str | None:
        return "im-mot-col" if s.moment_of_truth else None

    heads = join(
        tag(
            "th",
            join(
                [
                    tag("span", s.title, class_="im-stage-title"),
                    tag("span", "★ Moment of truth", class_="im-mot") if s.moment_of_truth else "",
                ]
            ),
            scope="col",
            id=f"stage-{s.id}",
            class_=mot(s),
        )
        for s in j.stages
    )
    body = curve_row(r, page, j, names) + join(
        tag(
            "tr",
            tag("th", label, scope="row")
            + join(tag("td", cell(s), class_=mot(s)) for s in j.stages),
        )
        for label, cell in rows
        if any(cell(s) for s in j.stages)
    )
    cols = tag(
        "colgroup",
        void("col", class_="im-axis-col") + void("col", span=max(len(j.stages), 1)),
    )
    return tag(
        "table",
        cols + tag("thead", tag("tr", tag("td", EMPTY) + heads)) + tag("tbody", body),
        class_="im-stages",
        # The table's least width grows with the stages: journeys.css reads this.
        style=f"--im-stages:{max(len(j.stages), 1)}",
    )
