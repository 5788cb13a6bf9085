"""Who said it, and their face: the voice behind every quote the loop shows.

A persona is a composite; its quote was said by a participant, found through the
quote's evidence ("Maya, a composite · in Leah's words"). A persona without a quote
of its own in this build (its evidence may be left out for consent) borrows one from
the evidence of its pain points, then from the stories of its participants, and says
whose words they are. Every quote gets a face: a photo of the story it comes from,
else the portrait of the persona its participant stands for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup

from ... import model as m
from ...schema import EvidenceRef, MediaRef
from ..html import EMPTY, tag
from ..views import quote_words, said_at
from .layout import Screen
from .pieces import Pieces


@dataclass(frozen=True)
class Voice:
    """Words someone said, the story they come from, and where in it."""

    words: str
    story: m.Story | None = None
    ref: EvidenceRef | None = None


def plain_title(s: m.Story) -> str:
    """A story's title without the teller's name it often starts with ("Leah: three ...").

    The slide names the teller already; the title must not say it twice.
    """
    name = s.participant.pseudonym
    title = s.title.strip()
    for sep in (":", " -", " –", ","):
        prefix = f"{name}{sep}"
        if title.lower().startswith(prefix.lower()):
            rest = title[len(prefix) :].strip(" :-–,")
            return rest[:1].upper() + rest[1:] if rest else title
    return title


# What a visitor reads under a story's words: who, and how they told it (never a kind label).
TOLD = {
    "interview": "{name} said this",
    "audio-diary": "{name} recorded this",
    "photo-film": "{name}'s photos, {name}'s words",
    "email": "{name} wrote to us",
    "story": "{name} wrote this",
}


def told_by(s: m.Story) -> str:
    return TOLD.get(s.kind_of_story, "{name} said this").format(name=s.participant.pseudonym)


class Voices(Pieces):
    """Quotes with their teller and a face, for slides and the wall."""

    def persona_of(self, s: m.Story) -> m.Persona | None:
        pid = s.participant.persona
        return self.lib.personas.get(pid) if pid else None

    def behind(self, s: m.Story) -> str:
        """ "one of the people behind Maya": how a participant relates to the persona shown."""
        persona = self.persona_of(s)
        return f"one of the people behind {persona.name}" if persona else ""

    def said(self, ref: EvidenceRef) -> Voice | None:
        story = self.lib.stories.get(ref.story)
        if story is None:
            return None
        words = said_at(self.lib, ref)
        return Voice(words, story, ref) if words else None

    def persona_voice(self, p: m.Persona) -> Voice | None:
        """The persona's quote and who said it; a borrowed one when it has none here."""
        if p.quote:
            story = self.lib.stories.get(p.quote.evidence.story) if p.quote.evidence else None
            return Voice(p.quote.text, story, p.quote.evidence)
        return next(self.borrowed(p), None)

    def borrowed(self, p: m.Persona) -> Iterator[Voice]:
        """Words the persona's evidence holds, in the order an editor would look for them."""
        for pain in p.pain_points:
            for ref in pain.evidence:
                if found := self.said(ref):
                    yield found
        for s in sorted(self.lib.stories.values(), key=lambda s: s.id):
            if s.participant.persona != p.id:
                continue
            for h in s.highlights:
                if words := quote_words(self.lib, s, h):
                    yield Voice(words, s, EvidenceRef(s.id, h.id))
            for e in s.entries:
                if found := self.said(EvidenceRef(s.id, e.id)):
                    yield found
            if s.narration and (words := self.first_words(s.narration.captions)):
                yield Voice(words, s)

    def first_words(self, ref: MediaRef | None) -> str:
        """The first sentence or two a film's narration says (a caption cue, whole)."""
        script = self.lib.transcript(ref)
        if script is None:
            return ""
        return " ".join(" ".join(c.text.split()) for c in script.cues[:1])

    def persona_credit(self, p: m.Persona, voice: Voice) -> str:
        """ "Maya, a composite · in Leah's words" (a persona never speaks for itself)."""
        credit = f"{p.name}, a composite"
        if voice.story is not None:
            credit += f" · in {voice.story.participant.pseudonym}'s words"
        return credit

    # -- faces -----------------------------------------------------------------

    def story_photo(self, s: m.Story) -> m.Image | None:
        for image in [*s.inline_images, *s.attachments]:
            return image
        return None

    def face(self, screen: Screen, page: str, s: m.Story | None) -> Markup:
        """A round face beside a quote: the story's own photo, else its persona's portrait."""
        if s is None:
            return EMPTY
        pic = EMPTY
        folder = self.media_folder("story", s.id)
        if (image := self.story_photo(s)) is not None:
            pic = self.photo(screen, page, image.src, folder, image.alt, "face", "ik-face-img")
        elif (frame := next((f for f in s.frames if f.src is not None), None)) and frame.src:
            pic = self.photo(screen, page, frame.src, folder, frame.alt, "face", "ik-face-img")
        persona = self.persona_of(s)
        if not pic and persona is not None:
            pic = self.portrait(screen, page, persona, "face", "ik-face-img")
        return tag("figure", pic, class_="ik-face") if pic else EMPTY


def length_class(words: str) -> str:
    """`ik-len-s` .. `ik-len-xl`: short words are set bigger, as on an exhibit's wall."""
    n = len(words)
    if n <= 60:
        return "ik-len-s"
    if n <= 120:
        return "ik-len-m"
    if n <= 180:
        return "ik-len-l"
    return "ik-len-xl"
