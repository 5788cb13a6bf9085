"""The intranet's persona pages: the index of cards, and one page per persona."""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup

from ... import model as m
from .. import views
from ..html import EMPTY, block, join, tag, ul
from ..staging import front_matter, md_text
from . import quotes
from .pages import item_page

if TYPE_CHECKING:
    from ..assets import PlacedPhoto
    from .site import IntranetRenderer


def sorted_personas(lib: m.Library) -> list[m.Persona]:
    return sorted(lib.personas.values(), key=lambda p: p.name.lower())


# Only the first portrait is eager: on a phone the others are below the fold, and
# fetched with it they would share the bandwidth the page's LCP image needs.
EAGER_CARDS = 1
# The width a card photo is shown at: one card a row on a phone (the page's inline
# margins and the card's padding, 4 rem of 16 px, are not photo), a grid cell above.
CARD_SIZES = "(max-width: 40em) calc(100vw - 4rem), 16rem"


def cards(r: IntranetRenderer, page: str, people: list[m.Persona]) -> Markup:
    """Persona cards in a grid: the first portrait (the page's largest image on a
    phone, its LCP) eager and fetched before anything else, the others lazy."""
    return tag(
        "div",
        join(
            card(r, page, p, lazy=i >= EAGER_CARDS, priority=i == 0) for i, p in enumerate(people)
        ),
        class_="im-cards",
    )


def lcp_portrait(r: IntranetRenderer, people: list[m.Persona]) -> PlacedPhoto | None:
    """The first card's portrait (`cards` fetches it first): the page's LCP on a phone."""
    first = people[0] if people else None
    if first is None or first.portrait is None:
        return None
    return r.assets.photo(first.portrait.src, r.media_folder("persona", first.id))


def card(
    r: IntranetRenderer, page: str, persona: m.Persona, lazy: bool = True, priority: bool = False
) -> Markup:
    """A persona as a card linking to their page: portrait, name, segment, quote."""
    pic = EMPTY
    if persona.portrait:
        placed = r.assets.photo(persona.portrait.src, r.media_folder("persona", persona.id))
        if placed:
            pic = r.img(
                page,
                placed,
                persona.portrait.alt,
                "im-card-photo",
                lazy=lazy,
                sizes=CARD_SIZES,
                priority=priority,
            )
    quote = tag("q", persona.quote.text) if persona.quote else EMPTY
    inner = join(
        [
            pic,
            tag("span", persona.name, class_="im-card-title"),
            tag("span", persona.segment, class_="im-card-meta"),
            quote,
        ]
    )
    return tag("a", inner, href=r.href(page, item_page("persona", persona.id)), class_="im-card")


def write_pages(r: IntranetRenderer) -> None:
    index = "personas/index.md"
    if r.wants(index):
        grid = cards(r, index, sorted_personas(r.lib))
        r.write(index, front_matter("Personas") + "# Personas\n" + block(grid))
    for persona in r.lib.personas.values():
        write_page(r, persona)


def head(r: IntranetRenderer, page: str, p: m.Persona) -> Markup:
    """The head of a persona page: portrait, segment, review badge, quote."""
    facts = views.persona_facts(p)
    pic = EMPTY
    if p.portrait:
        pic = r.figure(
            page,
            p.portrait.src,
            r.media_folder("persona", p.id),
            p.portrait.alt,
            lazy=False,
            sizes="(max-width: 40em) 100vw, 18rem",
        )
    lines = tag("p", facts.segment, class_="im-segment") if facts.segment else EMPTY
    review = views.review_note(p, r.today)
    if review is not None:
        badge = tag("span", "Needs review", class_="im-badge im-badge-review")
        lines += tag("p", join([badge, review], " "), class_="im-review")
    if p.quote:
        evidence = facts.quote_evidence
        mo = quotes.moment(r, evidence) if evidence else None
        if mo is not None:  # the persona's words as a quote card: who said them, hear them
            lines += quotes.card(r, page, mo, words=p.quote.text, cls="im-persona-quote")
        else:
            lines += tag("blockquote", tag("p", facts.quote), class_="im-quote")
    return tag("div", pic + tag("div", lines, class_="im-facts"), class_="im-persona-head")


def needs(facts: views.PersonaFacts) -> Markup:
    inner = EMPTY
    if facts.functional_needs:
        inner += tag("h3", "Functional") + ul(facts.functional_needs)
    if facts.emotional_needs:
        inner += tag("h3", "Emotional") + ul(facts.emotional_needs)
    return tag("div", inner, class_="im-needs") if inner else EMPTY


def write_page(r: IntranetRenderer, p: m.Persona) -> None:
    page = item_page("persona", p.id)
    if not r.wants(page):
        return
    facts = views.persona_facts(p)
    text = front_matter(p.name, p.tags) + f"# {md_text(p.name)}\n"
    text += block(head(r, page, p))
    text += r.section("Goals", facts.goals)
    wants = needs(facts)
    if wants:
        text += "## Needs\n" + block(wants)
    text += r.section(
        "Pain points",
        [
            join([pp.text, r.evidence_list(page, pp.evidence)], " ") if pp.evidence else pp.text
            for pp in p.pain_points
        ],
    )
    text += r.section("Behaviours", facts.behaviours)
    text += r.section("Journeys", r.cited(page, "journey", r.cites.persona_journeys[p.id]))
    if p.body.strip():
        text += f"## About {md_text(p.name)}\n" + r.body(page, "persona", p.id, p.body)
    text += r.section("Stories", r.cited(page, "story", r.cites.persona_stories[p.id]))
    text += r.section("Insights", r.cited(page, "insight", r.cites.persona_insights[p.id]))
    r.write(page, text)
