"""The item pages a tap opens: persona, journey, story (by kind), insight, action.

Each page is Markdown: HTML blocks (`block`, `section`, `head`) built from
`Markup` pieces, and the editor's bodies made safe by `safe_markdown`. The
page's root, back link and text-size control come from the theme (`main.html`).
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from ... import model as m
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

    def head(self, title: str, extra: Markup = EMPTY, pic: Markup = EMPTY) -> str:
        inner = tag("div", tag("h1", title) + extra, class_="ik-head-text")
        return block(tag("div", pic + inner, class_="ik-head"))

    def names(self, screen: Screen, page: str, persona_ids: Iterable[str]) -> list[Markup]:
        """The personas among `persona_ids`, each linked when this display has their page."""
        return [
            self.link(screen, page, "persona", pid, self.lib.personas[pid].name)
            for pid in persona_ids
            if pid in self.lib.personas
        ]

    # -- personas and journeys -------------------------------------------------

    def persona_page(self, screen: Screen, page: str, p: m.Persona) -> str:
        folder = self.media_folder("persona", p.id)
        pic = EMPTY
        if p.portrait:
            pic = self.photo(
                screen, page, p.portrait.src, folder, p.portrait.alt, "portrait", "ik-persona-photo"
            )
        facts = tag("p", p.segment, class_="ik-segment") if p.segment else EMPTY
        if p.quote:
            quote = tag("p", quoted(p.quote.text))
            if p.quote.evidence:
                quote += tag("footer", self.evidence(screen, page, p.quote.evidence))
                quote += self.evidence_clip(page, p.quote.evidence)
            facts += tag("blockquote", quote, class_="ik-quote ik-quote-big")
        text = self.head(p.name, facts, pic)
        text += self.section("Goals", ul(p.goals))
        needs = EMPTY
        if p.needs.functional:
            needs += tag("h3", "What they need to get done") + ul(p.needs.functional)
        if p.needs.emotional:
            needs += tag("h3", "How they want to feel") + ul(p.needs.emotional)
        text += self.section("Needs", needs)
        pains = [
            esc(pp.text) + join(" " + self.evidence(screen, page, ref) for ref in pp.evidence)
            for pp in p.pain_points
        ]
        text += self.section("Pain points", ul(pains))
        text += self.section("What they do", ul(p.behaviours))
        journeys = [
            self.link(screen, page, "journey", j, self.item_title("journey", j))
            for j in p.journeys
            if j in self.lib.journeys
        ]
        text += self.section("Journeys", ul(journeys))
        body = self.body(screen, page, "persona", p.id, p.body)
        if body:
            text += block(tag("h2", f"About {p.name}", class_="ik-body-title")) + body
        return text

    def journey_page(self, screen: Screen, page: str, j: m.Journey) -> str:
        people = self.names(screen, page, j.personas)
        extra = tag("p", "For " + join(people, ", "), class_="ik-segment") if people else EMPTY
        text = self.head(j.title, extra)

        # The curve's points are too small to touch (12 px): its evidence is linked from the
        # stage cards below instead, with targets of 44 px.
        text += block(tag("figure", self.curve(j, lambda ref: None), class_="ik-curve"))
        names = present_persona_names(self.lib, j.personas)
        cards = join(self.stage_card(screen, page, stage, names) for stage in j.stages)
        text += self.section("Stages", tag("ol", cards, class_="ik-stages"))
        body = self.body(screen, page, "journey", j.id, j.body)
        if body:
            text += block(tag("h2", "The journey", class_="ik-body-title")) + body
        return text

    def stage_card(
        self, screen: Screen, page: str, stage: m.Stage, names: dict[str, str]
    ) -> Markup:
        head = esc(stage.title)
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
        text = self.head(s.title, tag("p", join(meta, " · "), class_="ik-meta"))
        renderer = {
            "interview": self.interview,
            "audio-diary": self.diary,
            "photo-film": self.film,
            "email": self.email,
            "story": self.written,
        }[s.kind_of_story]
        return text + renderer(screen, page, folder, s)

    def interview(self, screen: Screen, page: str, folder: str, s: m.Story) -> str:
        text = self.body(screen, page, "story", s.id, s.body, s.inline_images)
        ident, player, lines = self.recordings.interview(page, folder, s)
        if player:
            text += self.section("Listen", player)
        if s.highlights:
            cards = join(
                self.highlight_card(page, folder, s, h, ident if player else None)
                for h in s.highlights
            )
            text += self.section("Highlights", tag("div", cards, class_="ik-highlights"))
        if lines:
            text += self.section("Transcript", lines)
        return text

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
        inner += self.recordings.clip(page, folder, s, h, ident)
        return tag(
            "article",
            inner,
            class_="ik-highlight",
            id=h.id,
            aria_label=f"Highlight {h.id}",
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
            entries.append(tag("li", inner + player + lines, id=e.id, class_="ik-entry"))
        if entries:
            text += self.section("Entries", tag("ol", join(entries), class_="ik-entries"))
        return text

    def film(self, screen: Screen, page: str, folder: str, s: m.Story) -> str:
        text = self.body(screen, page, "story", s.id, s.body, s.inline_images)
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
        if lines:
            text += self.section("What they say", lines)
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
            i.statement, tag("p", tag("span", i.basis.capitalize(), class_="ik-badge"))
        )
        quotes = join(self.quote_card(screen, page, ref) for ref in i.evidence)
        text += self.section("What we heard", quotes, "ik-evidence-list")
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
        text = self.head(a.we_did, tag("p", status))
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
