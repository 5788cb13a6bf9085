"""Where the intranet's pages are, and who cites what."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ... import model as m
from ...schema import EvidenceRef
from ..views import SECTION_DIRS

# Sections longer than this list only their index page in the navigation (see `nav`).
NAV_SECTION_LIMIT = 40
# Evidence quoted on insight pages is cut to this many characters (a diary entry is long).
QUOTE_LIMIT = 280


def item_page(kind: str, item_id: str) -> str:
    return f"{SECTION_DIRS[kind]}/{item_id}.md"


@dataclass
class Citations:
    """Who cites what, computed once: the "cited by" lists of every page."""

    story_personas: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    story_insights: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    story_journeys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    persona_stories: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    persona_insights: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    persona_journeys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    journey_stories: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    journey_insights: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    insight_actions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # (story, highlight or entry) -> {(kind, id)} of the items quoting that moment
    anchors: dict[tuple[str, str], set[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(set)
    )

    def cite(self, ref: EvidenceRef, kind: str, item_id: str) -> None:
        if ref.anchor:
            self.anchors[(ref.story, ref.anchor)].add((kind, item_id))

    @classmethod
    def of(cls, lib: m.Library) -> Citations:
        c = cls()
        for p in lib.personas.values():
            refs = [p.quote.evidence] if p.quote and p.quote.evidence else []
            refs += [r for pp in p.pain_points for r in pp.evidence]
            for ref in refs:
                c.story_personas[ref.story].add(p.id)
                c.cite(ref, "persona", p.id)
            for journey_id in p.journeys:
                c.persona_journeys[p.id].add(journey_id)
        for j in lib.journeys.values():
            for pid in j.personas:
                c.persona_journeys[pid].add(j.id)
            for stage in j.stages:
                for ref in stage.evidence:
                    c.story_journeys[ref.story].add(j.id)
                    c.cite(ref, "journey", j.id)
        for s in lib.stories.values():
            if s.participant.persona:
                c.persona_stories[s.participant.persona].add(s.id)
            if s.journey:
                c.journey_stories[s.journey].add(s.id)
        for i in lib.insights.values():
            for ref in i.evidence:
                c.story_insights[ref.story].add(i.id)
                c.cite(ref, "insight", i.id)
            for pid in i.personas:
                c.persona_insights[pid].add(i.id)
            for journey_id, _stage in i.stages:
                c.journey_insights[journey_id].add(i.id)
        for a in lib.actions.values():
            for iid in a.insights:
                c.insight_actions[iid].add(a.id)
        return c
