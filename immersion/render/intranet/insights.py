"""The intranet's insight pages (index and one per insight) and its actions page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from markupsafe import Markup

from ... import model as m
from ...contributions import credits
from .. import views
from ..html import EMPTY, block, join, tag, ul
from ..staging import front_matter, md_text
from . import quotes
from .pages import item_page

if TYPE_CHECKING:
    from .site import IntranetRenderer


def write_insight_pages(r: IntranetRenderer) -> None:
    index = "insights/index.md"
    if r.wants(index):
        items = [
            join([r.link(index, "insight", i.id), tag("span", i.basis, class_="im-chip")], " ")
            for i in sorted(r.lib.insights.values(), key=lambda i: i.statement.lower())
        ]
        r.write(index, front_matter("Insights") + "# Insights\n" + block(ul(items)))
    for insight in r.lib.insights.values():
        write_insight_page(r, insight)


def stage_links(r: IntranetRenderer, page: str, insight: m.Insight) -> list[Markup]:
    """`Journey: Stage`, linked to the stage's column, for the stages in this build."""
    links = []
    for journey_id, stage_id in insight.stages:
        journey = r.lib.journeys.get(journey_id)
        stage = views.find_stage(r.lib, journey_id, stage_id)
        if journey and stage:
            label = f"{journey.title}: {stage.title}"
            links.append(tag("a", label, href=r.stage_href(page, journey_id, stage_id)))
    return links


def write_insight_page(r: IntranetRenderer, insight: m.Insight) -> None:
    page = item_page("insight", insight.id)
    if not r.wants(page):
        return
    text = front_matter(insight.statement, insight.tags)
    text += f"# {md_text(insight.statement)}\n"
    badge = tag("span", insight.basis.capitalize(), class_="im-badge")
    text += block(tag("p", badge, class_="im-meta"))
    evidence = quotes.evidence_cards(r, page, insight.evidence)
    if evidence:
        text += "## Evidence\n" + block(evidence)
    text += r.section("Personas", r.cited(page, "persona", insight.personas))
    text += r.section("Journey stages", stage_links(r, page, insight))
    if insight.body.strip():
        text += "## Notes\n" + r.body(page, "insight", insight.id, insight.body)
    text += r.section(
        "What we did",
        [r.lib.actions[a].we_did for a in sorted(r.cites.insight_actions[insight.id])],
    )
    r.write(page, text)


def action_card(
    r: IntranetRenderer, page: str, a: m.Action, people: Sequence[tuple[str, str]] = ()
) -> Markup:
    """What they said, what we did, the facts, the insights it answers, and whose words."""
    linked = [r.link(page, "insight", i) for i in a.insights if i in r.lib.insights]
    because = (
        tag("p", join(["Because of: ", join(linked, ", ")]), class_="im-meta") if linked else EMPTY
    )
    # The participants whose words are the insights' evidence, each to their story.
    names = [
        tag("a", pseudonym, href=r.href(page, item_page("story", story_id)))
        for pseudonym, story_id in people
    ]
    whose = (
        tag("p", join(["From what they told us: ", join(names, ", ")]), class_="im-meta im-credits")
        if names
        else EMPTY
    )
    inner = join(
        [
            tag("p", join([tag("strong", "You said: "), a.you_said]), class_="im-you-said"),
            tag(
                "p",
                join([tag("strong", f"{views.we_did_label(a.status)}: "), a.we_did]),
                class_="im-we-did",
            ),
            tag("p", join(views.action_facts(a), " · "), class_="im-meta"),
            because,
            whose,
        ]
    )
    return tag("article", inner, class_=f"im-action im-status-{a.status}", id=a.id)


def write_actions_page(r: IntranetRenderer) -> None:
    page = "actions/index.md"
    if not r.wants(page):
        return
    text = front_matter("You said, we did") + "# You said, we did\n"
    people = credits(r.lib)
    for _status, label, actions in views.actions_by_status(r.lib.actions.values()):
        cards = join(action_card(r, page, a, people.get(a.id, [])) for a in actions)
        text += f"## {label}\n" + block(tag("div", cards, class_="im-actions"))
    r.write(page, text)
