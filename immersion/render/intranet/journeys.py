"""The intranet's journey pages: the index, and per journey its curve and stage table."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from markupsafe import Markup

from ... import model as m
from .. import charts, views
from ..html import EMOTION_WORDS, EMPTY, block, chips, fmt_score, join, tag, ul, void
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
    text = front_matter(j.title, j.tags) + f"# {md_text(j.title)}\n"
    people = [r.link(page, "persona", pid) for pid in j.personas]
    if people:
        text += block(tag("p", join(["For ", join(people, ", ")]), class_="im-meta"))
    svg = charts.emotion_curve_svg(
        j,
        names,
        lambda ref: (
            r.href(page, item_page("story", ref.story) + (f"#{ref.anchor}" if ref.anchor else ""))
            if ref.story in r.lib.stories
            else None
        ),
    )
    text += "## Emotion curve\n" + block(tag("figure", svg, class_="im-curve"))
    text += "## Stages\n" + block(stage_table(r, page, j, names))
    if j.body.strip():
        text += "## The journey\n" + r.body(page, "journey", j.id, j.body)
    text += r.section(
        "Stories on this journey", r.cited(page, "story", r.cites.journey_stories[j.id])
    )
    text += r.section("Insights", r.cited(page, "insight", r.cites.journey_insights[j.id]))
    r.write(page, text)


def emotion(stage: m.Stage, names: dict[str, str]) -> Markup:
    """`+1 good` for one score; `Name: +1` per persona, one a line, for several."""
    scores = views.emotion_scores(stage, names)
    if len(scores) == 1 and scores[0][0] is None:
        score = scores[0][1]
        return join([f"{fmt_score(score)} {EMOTION_WORDS[score]}"])
    return join((f"{name}: {fmt_score(score)}" for name, score in scores), void("br"))


def stage_table(r: IntranetRenderer, page: str, j: m.Journey, names: dict[str, str]) -> Markup:
    """The stages as the columns of a table, one row per facet a stage has."""
    rows: list[tuple[str, Callable[[m.Stage], Markup]]] = [
        ("Doing", lambda s: join([s.doing])),
        ("Thinking", lambda s: join([s.thinking])),
        ("Feeling", lambda s: join([s.feeling])),
        ("Emotion", lambda s: emotion(s, names)),
        ("Channels", lambda s: chips(s.channels)),
        ("Touchpoints", lambda s: ul(s.touchpoints)),
        ("Pain points", lambda s: ul(s.pain_points)),
        ("Opportunities", lambda s: ul(s.opportunities)),
        ("Evidence", lambda s: r.evidence_list(page, s.evidence)),
    ]
    heads = join(
        tag(
            "th",
            join(
                [
                    s.title,
                    tag("span", "★ Moment of truth", class_="im-mot") if s.moment_of_truth else "",
                ]
            ),
            scope="col",
            id=f"stage-{s.id}",
            class_="im-mot-col" if s.moment_of_truth else None,
        )
        for s in j.stages
    )
    body = join(
        tag("tr", tag("th", label, scope="row") + join(tag("td", cell(s)) for s in j.stages))
        for label, cell in rows
        if any(cell(s) for s in j.stages)
    )
    table = tag(
        "table",
        tag("thead", tag("tr", tag("td", EMPTY) + heads)) + tag("tbody", body),
        class_="im-stages",
    )
    return tag(
        "div",
        table,
        class_="im-stages-scroll",
        tabindex="0",
        role="region",
        aria_label="Journey stages",
    )
