"""The item pages a tap opens: persona, journey, story (by kind), insight, action.

Each page is Markdown: HTML blocks (`block`, `section`, `head`) built from
`Markup` pieces, and the editor's bodies made safe by `safe_markdown`. The
page's root, back link and text-size control come from the theme (`main.html`).
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from ... import model as m
from ...schema import EvidenceRef
from .. import players
from ..html import EMOTION_WORDS, EMPTY, block, chips, fmt_date, fmt_time, join, tag, ul
from ..staging import esc
from ..views import (
    action_facts,
    diary_entries,
    email_header,
    emotion_scores,
    entry_facts,
    highlight_card,
    kind_label,
    present_persona_names,
    quoted,
    stage_name,
    status_label,
    we_did_label,
)
from .layout import Screen
from .pieces import Pieces

# A persona's page shows the needs and pains that matter most, in the editor's order:
# a display is read standing, in a minute, and each item fits one or two screens.
PERSONA_FACTS = 3


def unique(refs: Iterable[EvidenceRef]) -> list[EvidenceRef]:
    """The references in order, each once."""
    seen: list[EvidenceRef] = []
    for ref in refs:
        if ref not in seen:
            seen.append(ref)
    return seen


class ItemPages(Pieces):
    """The Markdown of every item page of a display."""

    def content(self, screen: Screen, page: str, item: m.Item) -> tuple[str, str]:
        """The page's title and its Markdown."""
        if isinstance(item, m.Persona):
            return item.name, self.persona_page(screen, page, item)
        if isinstance(item, m.Journey):
            return item.title, self.journey_page(screen, page, item)
        if isinstance(item, m.Story):
            return item.title, self.story_page(screen, page, item)
        if isinstance(item, m.Insight):
            return item.statement, self.insight_page(screen, page, item)
        return item.we_did, self.action_page(screen, page, item)

    def head(self, title: str, extra: Markup = EMPTY, pic: Markup = EMPTY, cls: str = "") -> str:
        """The page's title block; `cls` names the kind, for the layout (page.css)."""
        inner = tag("div", tag("h1", title) + extra, class_="ik-head-text")
        return block(tag("div", pic + inner, class_="ik-head" + (f" {cls}" if cls else "")))

    def part(self, title: str, inner: Markup, cls: str = "") -> Markup:
        """A titled part of a row of an item page (markup, unlike `section`)."""
        if not inner:
            return EMPTY
        return tag(
            "div", tag("h2", title) + inner, class_="ik-section" + (f" {cls}" if cls else "")
        )

    def cards(self, cards: Markup, count: int) -> Markup:
        """Quote cards side by side: a grid on a landscape screen, a carousel (one card to
        a screen, swiped) on a portrait one (page.css)."""
        if not cards:
            return EMPTY
        label = f"{count} quotes: swipe for more" if count > 1 else "1 quote"
        return tag("div", cards, class_="ik-cards", role="group", aria_label=label, tabindex="0")

    def names(self, screen: Screen, page: str, persona_ids: Iterable[str]) -> list[Markup]:
        """The personas among `persona_ids`, each linked when this display has their page."""
        return [
            self.link(screen, page, "persona", pid, self.lib.personas[pid].name)
            for pid in persona_ids
            if pid in self.lib.personas
        ]

    # -- personas and journeys -------------------------------------------------

    def persona_page(self, screen: Screen, page: str, p: m.Persona) -> str:
        """Who they are at a glance: a large portrait, their words, what they need, what
        hurts, and their voices. The intranet has the rest (goals, behaviours, the body)."""
        pic = self.portrait(screen, page, p, "portrait", "ik-persona-photo")
        facts = tag("p", p.segment, class_="ik-segment") if p.segment else EMPTY
        if p.quote:
            quote = tag("p", quoted(p.quote.text))
            if p.quote.evidence:
                quote += tag("footer", self.attribution(screen, page, p, p.quote.evidence))
                quote += self.evidence_clip(page, p.quote.evidence)
            facts += tag("blockquote", quote, class_="ik-quote ik-quote-big")
        journeys = [
            self.link(screen, page, "journey", j, self.item_title("journey", j))
            for j in p.journeys
            if j in self.lib.journeys
        ]
        if journeys:
            facts += tag("p", "Journeys: " + join(journeys, " · "), class_="ik-meta")
        text = self.head(p.name, facts, pic, "ik-head-persona")
        # The three that matter most: the editor lists them in order of weight.
        needs = [*p.needs.functional, *p.needs.emotional][:PERSONA_FACTS]
        pains = [pp.text for pp in p.pain_points[:PERSONA_FACTS]]
        row = self.part("What they need", ul(needs)) + self.part("What gets in the way", ul(pains))
        # A portrait screen shows the two side by side as a carousel (ik-swipe, page.css).
        facts_row = tag("div", row, class_="ik-row ik-persona-facts", tabindex="0")
        text += block(tag("div", facts_row, class_="ik-swipe")) if row else ""
        refs = [ref for pp in p.pain_points for ref in pp.evidence]
        if p.quote and p.quote.evidence:
            refs = [r for r in refs if r != p.quote.evidence]
        chosen = unique(refs)[:PERSONA_FACTS]
        cards = join(self.quote_card(screen, page, ref) for ref in chosen)
        text += self.section("Hear them", self.cards(cards, len(chosen)), "ik-clips")
        return text

    def attribution(self, screen: Screen, page: str, p: m.Persona, ref: EvidenceRef) -> Markup:
        """Whose words these are: a persona is a composite, the quote is a real customer's."""
        source = self.evidence(screen, page, ref)
        if not source:
            return tag("span", f"{p.name}, a composite")
        return tag("span", f"{p.name}, a composite · in the words of ") + source

    def journey_page(self, screen: Screen, page: str, j: m.Journey) -> str:
        """The curve pinned on top, the stages below it one or two to a screen, swiped
        sideways (a scroll-snap carousel with its own previous/next buttons, page.css)."""
        people = self.names(screen, page, j.personas)
        extra = tag("p", "For " + join(people, ", "), class_="ik-segment") if people else EMPTY
        text = self.head(j.title, extra, cls="ik-head-journey")
        text += self.body(screen, page, "journey", j.id, j.body, cls="ik-body ik-about")

        # The curve's points are too small to touch (12 px): its evidence is linked from the
        # stage cards below instead, with targets of 44 px.
        text += block(tag("figure", self.curve(j, lambda ref: None), class_="ik-curve"))
        names = present_persona_names(self.lib, j.personas)
        count = len(j.stages)
        cards = join(
            self.stage_card(screen, page, stage, names, n, count)
            for n, stage in enumerate(j.stages, start=1)
        )
        if cards:
            stages = tag(
                "ol",
                cards,
                class_="ik-stages",
                aria_label=f"The {count} stages, side by side: swipe for more",
                tabindex="0",
            )
            text += block(tag("div", stages, class_="ik-carousel"))
        return text

    def stage_card(
        self,
        screen: Screen,
        page: str,
        stage: m.Stage,
        names: dict[str, str],
        number: int,
        count: int,
    ) -> Markup:
        head = tag("span", f"Stage {number} of {count}", class_="ik-stage-number") + esc(
            stage.title
        )
        if stage.moment_of_truth:
            head += " " + tag("span", "★ Moment of truth", class_="ik-mot")
        inner = tag("h3", head)
        rows: list[tuple[str, Markup]] = [
            (label, esc(value))
            for label, value in (
                ("Doing", stage.doing),
                ("Thinking", stage.thinking),
                ("Feeling", stage.feeling),
            )
            if value
        ]
        scores = emotion_scores(stage, names)
        if scores:
            words = [
                f"{name}: {EMOTION_WORDS.get(score, score)}"
                if name is not None
                else EMOTION_WORDS.get(score, str(score))
                for name, score in scores
            ]
            rows.append(("Emotion", join(words, ", ")))
        if stage.channels:
            rows.append(("Channels", chips(stage.channels, "ik-chip")))
        if rows:
            inner += tag("dl", join(tag("div", tag("dt", k) + tag("dd", v)) for k, v in rows))
        if stage.pain_points:
            inner += tag("h4", "Pain points") + ul(stage.pain_points)
        if stage.opportunities:
            inner += tag("h4", "Opportunities") + ul(stage.opportunities)
        evidence = [self.evidence(screen, page, ref) for ref in stage.evidence]
        evidence = [e for e in evidence if e]
        if evidence:
            inner += tag("p", "Heard from " + join(evidence, ", "), class_="ik-meta")
        return tag(
            "li",
            inner,
            id=f"stage-{stage.id}",
            class_="ik-stage-card" + (" ik-mot-card" if stage.moment_of_truth else ""),
        )

    # -- stories ---------------------------------------------------------------

    def story_page(self, screen: Screen, page: str, s: m.Story) -> str:
        folder = self.media_folder("story", s.id)
        meta = [
            tag("span", kind_label(s), class_="ik-badge"),
            esc(s.participant.pseudonym),
        ]
        persona = s.participant.persona
        if persona and persona in self.lib.personas:
            meta.append(
                self.link(screen, page, "persona", persona, self.lib.personas[persona].name)
            )
        if s.date:
            meta.append(esc(fmt_date(s.date)))
        journey = self.lib.journeys.get(s.journey or "")
        if journey:
            meta.append(self.link(screen, page, "journey", journey.id, journey.title))
        head_cls = f"ik-head-story ik-story-{s.kind_of_story}"
        text = self.head(s.title, tag("p", join(meta, " · "), class_="ik-meta"), cls=head_cls)
        renderer = {
            "interview": self.interview,
            "audio-diary": self.diary,
            "photo-film": self.film,
            "email": self.email,
            "story": self.written,
        }[s.kind_of_story]
        return text + renderer(screen, page, folder, s)

    def interview(self, screen: Screen, page: str, folder: str, s: m.Story) -> str:
        """One large player with the transcript as captions that follow it, the story's
        introduction, and a card for each highlight with its clip."""
        ident, player, lines = self.recordings.interview(page, folder, s)
        if player:
            listen = tag("div", player, class_="ik-play") + self.captions(lines)
            text = block(tag("div", listen, class_="ik-listen"))
        else:
            text = self.section("Transcript", lines)
        text += self.body(screen, page, "story", s.id, s.body, s.inline_images)
        if s.highlights:
            cards = join(
                self.highlight_card(page, folder, s, h, ident if player else None)
                for h in s.highlights
            )
            cards_list = tag(
                "div",
                cards,
                class_="ik-highlights",
                aria_label=f"{len(s.highlights)} moments: swipe for more",
                role="group",
                tabindex="0",
            )
            text += self.section("What they said", cards_list)
        return text

    def captions(self, lines: Markup) -> Markup:
        """A transcript shown as follow-along captions: the line being said, large."""
        return tag("div", lines, class_="ik-captions") if lines else EMPTY

    def highlight_card(
        self, page: str, folder: str, s: m.Story, h: m.Highlight, ident: str | None
    ) -> Markup:
        card = highlight_card(self.lib, s, h)
        facts = [card.who, card.at, card.stage] if card.stage else [card.who, card.at]
        inner = (
            tag("blockquote", tag("p", quoted(card.words)), class_="ik-quote")
            if card.words
            else EMPTY
        )
        inner += tag("p", join(facts, " · "), class_="ik-meta")
        # The clip, and the same moment in the interview's player (whose captions follow).
        controls = self.recordings.clip(page, folder, s, h, None)
        if ident:
            controls += players.seek_button(ident, h.start, "In context")
        inner += tag("div", controls, class_="ik-clip-row")
        return tag(
            "article",
            inner,
            class_="ik-highlight",
            id=h.id,
            aria_label=f"{card.who} at {card.at}",
        )

    def diary(self, screen: Screen, page: str, folder: str, s: m.Story) -> str:
        text = self.body(screen, page, "story", s.id, s.body, s.inline_images)
        entries = []
        for e in diary_entries(s):
            f = entry_facts(self.lib, s, e)
            facts = [esc(f.date)] if f.date else []
            if e.mood is not None:
                facts.append(f.mood_face)
            if f.place:
                facts.append(esc(f.place))
            if f.stage:
                facts.append(esc(f.stage))
            inner = tag("p", join(facts, " · "), class_="ik-meta") if facts else EMPTY
            if f.prompt:
                inner += tag("p", tag("strong", "Prompt: ") + esc(f.prompt), class_="ik-prompt")
            ident = players.audio_id(s.id, e.id)
            player, lines = self.recordings.spoken(
                page, folder, s, e.recording, e.transcript, ident, f.player_label
            )
            entries.append(
                tag("li", inner + player + self.captions(lines), id=e.id, class_="ik-entry")
            )
        if entries:
            listed = tag(
                "ol",
                join(entries),
                class_="ik-entries",
                aria_label=f"{len(entries)} entries: swipe for more",
                tabindex="0",
            )
            text += self.section("Entries", listed)
        return text

    def film(self, screen: Screen, page: str, folder: str, s: m.Story) -> str:
        text = ""
        ident = players.audio_id(s.id, "narration")
        player, lines = EMPTY, EMPTY
        if s.narration:
            player, lines = self.recordings.spoken(
                page, folder, s, s.narration.recording, s.narration.captions, ident, "Narration"
            )
        frames = self.film_frames(screen, page, folder, s)
        if frames:
            text += block(
                tag(
                    "div",
                    players.film(frames, s.title, ident if player else None) + player,
                    class_="ik-film",
                )
            )
        elif player:
            text += self.section("Narration", player)
        if s.chapters:
            items = []
            for c in s.chapters:
                label = f"{fmt_time(c.at)} {c.title}"
                head = players.seek_button(ident, c.at, label) if player else esc(label)
                stage = stage_name(self.lib, s, c.stage)
                items.append(head + (" · " + esc(stage) if stage else EMPTY))
            chapters = join(tag("li", item) for item in items)
            text += self.section("Chapters", tag("ol", chapters, class_="ik-chapters"))
        text += self.body(screen, page, "story", s.id, s.body, s.inline_images)
        if lines:
            text += block(
                tag("div", tag("h2", "What they say") + lines, class_="ik-section ik-captions")
            )
        return text

    def email(self, screen: Screen, page: str, folder: str, s: m.Story) -> str:
        lines = email_header(s).lines()
        head = join(tag("div", tag("dt", label) + tag("dd", value)) for label, value in lines)
        # The letter as it was: its header and body on one sheet.
        text = self.body(
            screen,
            page,
            "story",
            s.id,
            s.body,
            s.inline_images,
            cls="ik-body ik-letter",
            head=tag("dl", head, class_="ik-letter-head"),
        )
        attachments = join(
            tag(
                "figure",
                picture + (tag("figcaption", a.alt) if a.alt else EMPTY),
                class_="ik-photo",
            )
            for a in s.attachments
            if (picture := self.photo(screen, page, a.src, folder, a.alt, "column"))
        )
        text += self.section("Attachments", attachments)
        return text

    def written(self, screen: Screen, page: str, folder: str, s: m.Story) -> str:
        return self.body(screen, page, "story", s.id, s.body, s.inline_images)

    # -- insights and actions ----------------------------------------------------

    def insight_page(self, screen: Screen, page: str, i: m.Insight) -> str:
        text = self.head(
            i.statement,
            tag("p", tag("span", i.basis.capitalize(), class_="ik-badge")),
            cls="ik-head-insight",
        )
        quotes = join(self.quote_card(screen, page, ref) for ref in i.evidence)
        text += self.section(
            "What we heard", self.cards(quotes, len(i.evidence)), "ik-evidence-list"
        )
        text += self.section("Who it is about", ul(self.names(screen, page, i.personas)))
        body = self.body(screen, page, "insight", i.id, i.body)
        if body:
            text += block(tag("h2", "Notes", class_="ik-body-title")) + body
        done = [
            self.link(screen, page, "action", a.id, a.we_did)
            for a in sorted(self.lib.actions.values(), key=lambda a: a.id)
            if i.id in a.insights
        ]
        text += self.section("What we did", ul(done))
        return text

    def action_page(self, screen: Screen, page: str, a: m.Action) -> str:
        status = tag(
            "span",
            status_label(a.status),
            class_=f"ik-badge ik-status-{a.status}",
        )
        text = self.head(a.we_did, tag("p", status), cls="ik-head-action")
        text += block(
            tag(
                "div",
                tag("p", tag("strong", "You said: ") + esc(a.you_said), class_="ik-you-said")
                + tag(
                    "p",
                    tag("strong", f"{we_did_label(a.status)}: ") + esc(a.we_did),
                    class_="ik-we-did",
                ),
                class_=f"ik-action ik-status-{a.status}",
            )
        )
        facts = action_facts(a)
        if facts:
            text += block(tag("p", join(facts, " · "), class_="ik-meta"))
        because = [
            self.link(screen, page, "insight", iid, self.lib.insights[iid].statement)
            for iid in a.insights
            if iid in self.lib.insights
        ]
        text += self.section("Because of what we heard", ul(because))
        body = self.body(screen, page, "action", a.id, a.body)
        if body:
            text += body
        return text
