"""The attract loop of a display: one `section.ik-slide` per playlist item.

A slide shows an item in a few seconds of reading (a face, a quote, a curve, a
letter's first lines) and opens its page when touched; a highlight's or a
diary's slide carries the clip the loop may play. Every slide is `Markup`.
"""

from __future__ import annotations

from markupsafe import Markup

from ... import model as m
from ...schema import EvidenceRef
from .. import players
from ..html import EMPTY, fmt_date, join, tag
from ..staging import rel_url
from ..views import (
    email_header,
    kind_label,
    opening_entry,
    present_persona_names,
    quote_words,
    quoted,
    said_at,
    status_label,
    we_did_label,
)
from .layout import Screen
from .pieces import SLIDE_TEXT_LIMIT, Pieces, cut, excerpt

OPEN_LABELS = {
    "persona": "Meet {name}",
    "journey": "See the journey",
    "highlight": "Hear {name}",
    "story": "Read the story",
    "film": "Watch the film",
    "diary": "Listen to the diary",
    "email": "Read the letter",
    "insight": "See the evidence",
    "action": "See what we did",
}


class Slides(Pieces):
    """The slides of a display's entry page, and what it shows when the room is closed."""

    def stage(self, screen: Screen) -> Markup:
        """Everything the display's root holds after its `ik-config`."""
        room = self.lib.room
        slides = [self.slide(screen, kind, item_id) for kind, item_id in screen.items]
        slides = [s for s in slides if s]
        if not slides:
            slides = [self.welcome_slide(screen.display)]
        quiet = tag("h2", room.name)
        if room.opening_hours:
            quiet += tag("p", f"Open again at {room.opening_hours.open.strftime('%H:%M')}")
        return (
            tag("div", join(slides), class_="ik-stage")
            + tag("section", quiet, class_="ik-quiet", hidden=True, aria_label="The room is closed")
            + tag("nav", "", class_="ik-dots", aria_hidden="true")
        )

    def welcome_slide(self, display: m.Display) -> Markup:
        room = self.lib.room
        inner = tag("h2", room.name, class_="ik-name")
        if display.title:
            inner += tag("p", display.title, class_="ik-segment")
        if room.opening_hours:
            hours = room.opening_hours
            inner += tag(
                "p",
                f"Open {hours.open.strftime('%H:%M')}–{hours.close.strftime('%H:%M')}",
                class_="ik-meta",
            )
        return tag(
            "section",
            tag("div", inner, class_="ik-slide-text"),
            class_="ik-slide ik-slide-welcome",
            aria_roledescription="slide",
            aria_label="Welcome",
        )

    def slide(self, screen: Screen, kind: str, item_id: str) -> Markup:
        item = self.lib.by_kind(kind)[item_id]
        page = screen.entry
        if isinstance(item, m.Persona):
            return self.persona_slide(screen, page, item)
        if isinstance(item, m.Journey):
            return self.journey_slide(screen, page, item)
        if isinstance(item, m.Story):
            return self.story_slide(screen, page, item)
        if isinstance(item, m.Insight):
            return self.insight_slide(screen, page, item)
        if isinstance(item, m.Action):
            return self.action_slide(screen, page, item)
        return EMPTY

    def wrap_slide(
        self,
        screen: Screen,
        slide_kind: str,
        item: tuple[str, str],
        label: str,
        inner: Markup,
        open_text: str,
        clip: dict[str, str] | None = None,
    ) -> Markup:
        kind, item_id = item
        href = rel_url(screen.entry, screen.page(kind, item_id))
        return tag(
            "section",
            inner + tag("a", open_text, href=href, class_="ik-open"),
            class_=f"ik-slide ik-slide-{slide_kind}",
            data_ik_item=f"{kind}/{item_id}",
            data_ik_href=href,
            aria_roledescription="slide",
            aria_label=label,
            **(clip or {}),
        )

    def quote_clip(self, page: str, ref: EvidenceRef | None) -> dict[str, str]:
        """The clip of the highlight a quote points at, if this build has it."""
        found = self.highlight_of(ref)
        if found is None:
            return {}
        story, anchor = found
        return self.clip_attrs(
            page, story.recording, self.media_folder("story", story.id), anchor.id
        )

    def persona_slide(self, screen: Screen, page: str, p: m.Persona) -> Markup:
        pic = EMPTY
        if p.portrait:
            pic = self.photo(
                screen,
                page,
                p.portrait.src,
                self.media_folder("persona", p.id),
                p.portrait.alt,
                "slide",
                "ik-photo",
            )
        text = tag("h2", p.name, class_="ik-name")
        if p.segment:
            text += tag("p", p.segment, class_="ik-segment")
        clip: dict[str, str] = {}
        if p.quote:
            text += tag(
                "blockquote", tag("p", quoted(p.quote.text)), class_="ik-quote ik-quote-big"
            )
            clip = self.quote_clip(page, p.quote.evidence)
        inner = pic + tag("div", text, class_="ik-slide-text")
        return self.wrap_slide(
            screen,
            "persona",
            ("persona", p.id),
            p.name,
            inner,
            OPEN_LABELS["persona"].format(name=p.name),
            clip,
        )

    def journey_slide(self, screen: Screen, page: str, j: m.Journey) -> Markup:
        svg = self.curve(j, lambda ref: None)
        stages = tag(
            "ol",
            join(
                tag("li", s.title, class_="ik-mot" if s.moment_of_truth else None) for s in j.stages
            ),
            class_="ik-stage-names",
        )
        text = tag("h2", j.title, class_="ik-name")
        people = list(present_persona_names(self.lib, j.personas).values())
        if people:
            text += tag("p", ", ".join(people), class_="ik-segment")
        inner = tag("div", text, class_="ik-slide-text")
        inner += tag("figure", svg, class_="ik-curve") + stages
        return self.wrap_slide(
            screen, "journey", ("journey", j.id), j.title, inner, OPEN_LABELS["journey"]
        )

    def story_slide(self, screen: Screen, page: str, s: m.Story) -> Markup:
        if s.kind_of_story == "interview" and s.highlights:
            return self.highlight_slide(screen, page, s, s.highlights[0])
        if s.kind_of_story == "photo-film" and s.frames:
            film = self.film_slide(screen, page, s)
            if film:
                return film
        entry = opening_entry(s) if s.kind_of_story == "audio-diary" else None
        if entry is not None:
            return self.diary_slide(screen, page, s, entry)
        if s.kind_of_story == "email":
            return self.email_slide(screen, s)
        return self.written_slide(screen, page, s)

    def who(self, s: m.Story) -> str:
        """`Bex, story`: who told it, and how."""
        return f"{s.participant.pseudonym}, {kind_label(s).lower()}"

    def highlight_slide(self, screen: Screen, page: str, s: m.Story, h: m.Highlight) -> Markup:
        words = quote_words(self.lib, s, h)
        text = EMPTY
        if words:
            text += tag(
                "blockquote",
                tag("p", quoted(cut(words, SLIDE_TEXT_LIMIT))),
                class_="ik-quote ik-quote-big",
            )
        text += tag("p", self.who(s), class_="ik-who")
        text += tag("p", s.title, class_="ik-meta")
        return self.wrap_slide(
            screen,
            "highlight",
            ("story", s.id),
            s.title,
            tag("div", text, class_="ik-slide-text"),
            OPEN_LABELS["highlight"].format(name=s.participant.pseudonym),
            self.clip_attrs(page, s.recording, self.media_folder("story", s.id), h.id),
        )

    def film_slide(self, screen: Screen, page: str, s: m.Story) -> Markup:
        """The film running silently; nothing when none of its frames has a rendition."""
        frames = self.film_frames(screen, page, self.media_folder("story", s.id), s)
        if not frames:
            return EMPTY
        text = tag("h2", s.title, class_="ik-name")
        text += tag("p", self.who(s), class_="ik-who")
        inner = players.film(frames, s.title, None) + tag("div", text, class_="ik-slide-text")
        return self.wrap_slide(screen, "film", ("story", s.id), s.title, inner, OPEN_LABELS["film"])

    def diary_slide(self, screen: Screen, page: str, s: m.Story, entry: m.DiaryEntry) -> Markup:
        """The entry a diary opens with: its prompt, its words, its voice."""
        text = tag("h2", s.title, class_="ik-name")
        if entry.prompt:
            text += tag("p", entry.prompt, class_="ik-prompt")
        said = said_at(self.lib, EvidenceRef(s.id, entry.id))
        if said:
            text += tag(
                "blockquote", tag("p", quoted(cut(said, SLIDE_TEXT_LIMIT))), class_="ik-quote"
            )
        when = fmt_date(entry.recorded)
        text += tag("p", self.who(s) + (f", {when}" if when else ""), class_="ik-who")
        return self.wrap_slide(
            screen,
            "diary",
            ("story", s.id),
            s.title,
            tag("div", text, class_="ik-slide-text"),
            OPEN_LABELS["diary"],
            self.clip_attrs(page, entry.recording, self.media_folder("story", s.id), None),
        )

    def email_slide(self, screen: Screen, s: m.Story) -> Markup:
        """The letter's sender, subject and first lines."""
        lines = email_header(s).lines(sent=False)
        head = join(tag("div", tag("dt", label) + tag("dd", value)) for label, value in lines)
        text = tag("dl", head, class_="ik-letter-head")
        words = excerpt(s.body)
        if words:
            text += tag("p", words, class_="ik-letter-text")
        return self.wrap_slide(
            screen,
            "email",
            ("story", s.id),
            s.title,
            tag("div", text, class_="ik-letter"),
            OPEN_LABELS["email"],
        )

    def written_slide(self, screen: Screen, page: str, s: m.Story) -> Markup:
        """A written story (or one with nothing to play): its first photo and first lines."""
        folder = self.media_folder("story", s.id)
        pic = EMPTY
        for image in [*s.inline_images, *s.attachments]:
            pic = self.photo(screen, page, image.src, folder, image.alt, "slide", "ik-photo")
            if pic:
                break
        text = tag("h2", s.title, class_="ik-name")
        text += tag("p", self.who(s), class_="ik-who")
        words = excerpt(s.body)
        if words:
            text += tag("p", words, class_="ik-excerpt")
        return self.wrap_slide(
            screen,
            "story",
            ("story", s.id),
            s.title,
            pic + tag("div", text, class_="ik-slide-text"),
            OPEN_LABELS["story"],
        )

    def insight_slide(self, screen: Screen, page: str, i: m.Insight) -> Markup:
        text = tag("h2", i.statement, class_="ik-name ik-statement")
        text += tag("p", i.basis.capitalize(), class_="ik-basis")
        clip: dict[str, str] = {}
        for ref in i.evidence:
            words = said_at(self.lib, ref)
            if not words:
                continue
            story = self.lib.stories[ref.story]
            text += tag(
                "blockquote",
                tag("p", quoted(cut(words, SLIDE_TEXT_LIMIT)))
                + tag("footer", story.participant.pseudonym),
                class_="ik-quote",
            )
            clip = self.quote_clip(page, ref)
            break
        return self.wrap_slide(
            screen,
            "insight",
            ("insight", i.id),
            i.statement,
            tag("div", text, class_="ik-slide-text"),
            OPEN_LABELS["insight"],
            clip,
        )

    def action_slide(self, screen: Screen, page: str, a: m.Action) -> Markup:
        said = tag("dt", "You said") + tag("dd", a.you_said, class_="ik-you-said")
        did = tag("dt", we_did_label(a.status)) + tag("dd", a.we_did, class_="ik-we-did")
        status = tag(
            "p",
            status_label(a.status),
            class_=f"ik-status ik-status-{a.status}",
        )
        return self.wrap_slide(
            screen,
            "action",
            ("action", a.id),
            a.we_did,
            tag("dl", said + did, class_="ik-action") + status,
            OPEN_LABELS["action"],
        )
