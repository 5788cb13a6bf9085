"""Who said what, and what changed because of it: one participant's part in the room.

A participant is a consent record. Their words are the stories that name that record
(and only the lines they spoke: the interviewer's, or anyone else's, are left out);
what changed because of them are the actions answering an insight whose evidence
points into one of their stories. The letters (`immersion letters`) and the intranet's
"you said, we did" page (each action credited to its participants, by pseudonym) both
ask here, so they cannot disagree.

Pure: works on a Library, reads no file.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from . import model as m
from .spoken import quoted

QUOTE_LIMIT = 600  # a diary entry or an email is long: a letter quotes its opening


@dataclass(frozen=True)
class Said:
    """Words of the participant, and where they said them."""

    story: str
    anchor: str | None
    words: str
    kind: str  # the story's kind: interview, audio-diary, ...
    when: object  # dt.date | None: the day it was said or sent


@dataclass(frozen=True)
class Contribution:
    consent: m.Consent
    pseudonym: str
    stories: tuple[str, ...]
    said: tuple[Said, ...]
    insights: tuple[str, ...]
    actions: tuple[str, ...]


def stories_of(lib: m.Library, consent_id: str) -> list[m.Story]:
    return sorted(
        (s for s in lib.stories.values() if s.participant.consent == consent_id),
        key=lambda s: (str(s.date or ""), s.id),
    )


def _cut(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= QUOTE_LIMIT:
        return text
    return text[: QUOTE_LIMIT - 1].rsplit(" ", 1)[0] + " …"


_MARKDOWN_NOISE = re.compile(r"!\[[^\]]*\]\([^)]*\)|[*_`#>]")


def plain_body(body: str) -> str:
    """A written story's or email's own words as plain text (photos and marks dropped)."""
    return " ".join(_MARKDOWN_NOISE.sub("", body).split())


def words_of(lib: m.Library, story: m.Story) -> list[Said]:
    """The participant's own words in one story of theirs, as `lib` still holds them.

    Give the audience's library (`for_audience`): what consent does not allow it to
    show (a story without `words`, a withdrawn one) is then not there to quote.
    """
    own = story.participant.pseudonym.casefold()
    interviewer = story.interviewer.casefold()

    def theirs(voice: str | None) -> bool:
        if voice is None:
            return True
        voice = voice.casefold()
        return voice == own and voice != interviewer

    found: list[Said] = []
    script = lib.transcript(story.transcript)
    for h in story.highlights:
        if script is None:
            break
        cues = [c for c in quoted(story, script, h) if theirs(c.voice)]
        words = " ".join(" ".join(c.text.split()) for c in cues)
        if words:
            found.append(Said(story.id, h.id, _cut(words), story.kind_of_story, story.date))
    for entry in story.entries:
        transcript = lib.transcript(entry.transcript)
        if transcript is None:
            continue
        words = " ".join(" ".join(c.text.split()) for c in transcript.cues if theirs(c.voice))
        if words:
            found.append(Said(story.id, entry.id, _cut(words), story.kind_of_story, entry.recorded))
    if story.kind_of_story in ("email", "story"):
        words = plain_body(story.body)
        if words:
            when = story.sent or story.date
            found.append(Said(story.id, None, _cut(words), story.kind_of_story, when))
    return found


def contribution(lib: m.Library, consent: m.Consent) -> Contribution:
    """One participant's words in `lib`, the insights they are evidence for, the actions."""
    stories = stories_of(lib, consent.id)
    ids = {s.id for s in stories}
    pseudonym = stories[0].participant.pseudonym if stories else consent.participant
    said = tuple(w for s in stories for w in words_of(lib, s))
    insights = tuple(
        sorted(i.id for i in lib.insights.values() if any(r.story in ids for r in i.evidence))
    )
    cited = set(insights)
    actions = tuple(
        sorted(a.id for a in lib.actions.values() if any(i in cited for i in a.insights))
    )
    return Contribution(consent, pseudonym, tuple(s.id for s in stories), said, insights, actions)


def credits(lib: m.Library) -> dict[str, list[tuple[str, str]]]:
    """action id -> (pseudonym, story id) of each participant whose words led to it.

    Through the insights it answers and their evidence, in `lib` as given: on the
    intranet, only participants whose stories this audience may see are named. The
    story is the first of theirs the evidence cites (the link from their name).
    """
    by_insight: dict[str, dict[str, str]] = defaultdict(dict)
    for insight in lib.insights.values():
        for ref in insight.evidence:
            story = lib.stories.get(ref.story)
            if story is not None:
                by_insight[insight.id].setdefault(story.participant.pseudonym, story.id)
    found: dict[str, list[tuple[str, str]]] = {}
    for a in lib.actions.values():
        people: dict[str, str] = {}
        for i in a.insights:
            for pseudonym, story_id in by_insight.get(i, {}).items():
                people.setdefault(pseudonym, story_id)
        found[a.id] = sorted(people.items(), key=lambda p: p[0].casefold())
    return found
