"""What both sites say about an item, computed once and the same for every audience.

The intranet and the kiosk draw the same facts differently: the stage a moment
belongs to, a letter's header, an action's status, the words a highlight quotes.
These are computed here, from the model (`immersion.model`), as plain text:
no HTML, nothing escaped. The renderers escape when they draw (`render.html`).
Nothing here knows which site asks, so both sites can never disagree.

The names here are an API both renderers use: add to it, do not rename.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from markupsafe import Markup

from .. import model as m
from .. import spoken
from ..schema import EvidenceRef
from .html import EMOTION_WORDS, EMPTY, fmt_date, fmt_time
from .icons import mood_icon

STORY_KIND_LABELS = {
    "interview": "Interview",
    "audio-diary": "Audio diary",
    "photo-film": "Photo film",
    "email": "Email",
    "story": "Story",
}
# The headings of a list of each kind: English plurals are not always `label + "s"`.
STORY_KIND_PLURALS = {
    "interview": "Interviews",
    "audio-diary": "Audio diaries",
    "photo-film": "Photo films",
    "email": "Emails",
    "story": "Written stories",  # under the page's own "Stories" heading
}
# The order the intranet lists actions in (what is done first), with their labels.
STATUS_ORDER = (
    ("done", "Done"),
    ("in-progress", "In progress"),
    ("open", "Open"),
    ("dropped", "Dropped"),
)
STATUS_LABELS = dict(STATUS_ORDER)
# The folder of each item kind's pages (and media) in a site: the kind's folder in
# content/, so a page's address mirrors the file an editor wrote.
SECTION_DIRS = dict(m.KIND_FOLDERS)


def kind_label(story: m.Story) -> str:
    """`Interview`, `Audio diary`, ...: what kind of story this is, for a badge."""
    return STORY_KIND_LABELS[story.kind_of_story]


def status_label(status: str) -> str:
    """`in-progress` -> `In progress`; an unknown status as it is."""
    return STATUS_LABELS.get(status, status)


def we_did_label(status: str) -> str:
    """What the room says of an action: only a done one is "We did"."""
    if status == "done":
        return "We did"
    return "We decided not to" if status == "dropped" else "We will"


def quoted(words: str) -> str:
    """Words in typographic quotes, as both sites show a quote: `“...”`."""
    return f"“{words}”"


# ---------------------------------------------------------------- journeys and stages


def find_stage(lib: m.Library, journey_id: str | None, stage_id: str | None) -> m.Stage | None:
    """The stage `stage_id` of the journey `journey_id`, if both are in this build."""
    journey = lib.journeys.get(journey_id or "")
    if not stage_id or journey is None:
        return None
    return next((stage for stage in journey.stages if stage.id == stage_id), None)


def stage_name(lib: m.Library, story: m.Story, stage_id: str | None) -> str:
    """The title of the stage (of the story's journey) a moment belongs to, or ``""``."""
    stage = find_stage(lib, story.journey, stage_id)
    return stage.title if stage else ""


def persona_names(lib: m.Library, ids: Iterable[str]) -> dict[str, str]:
    """Persona id -> name; a persona not in this build keeps its id."""
    return {pid: lib.personas[pid].name if pid in lib.personas else pid for pid in ids}


def present_persona_names(lib: m.Library, ids: Iterable[str]) -> dict[str, str]:
    """Persona id -> name, for the personas of `ids` that are in this build only."""
    return {pid: lib.personas[pid].name for pid in ids if pid in lib.personas}


# ---------------------------------------------------------------- moments and quotes


def moment_label(story: m.Story, anchor_id: str) -> str:
    """Who said it and where: `Leah, interview at 0:39`, `Kwame, audio diary, 2 May 2026`."""
    anchor = story.anchors().get(anchor_id) if anchor_id else None
    where = kind_label(story).lower()
    if isinstance(anchor, m.Highlight):
        where += f" at {fmt_time(anchor.start)}"
    elif isinstance(anchor, m.DiaryEntry) and anchor.recorded:
        where += f", {fmt_date(anchor.recorded)}"
    return f"{story.participant.pseudonym}, {where}"


def quote_words(lib: m.Library, story: m.Story, highlight: m.Highlight) -> str:
    """The customer's words a highlight quotes (the interviewer's left out), or ``""``."""
    script = lib.transcript(story.transcript)
    return spoken.quote_text(spoken.quoted(story, script, highlight)) if script else ""


def said_at(lib: m.Library, ref: EvidenceRef) -> str:
    """The words spoken at the moment a reference points to, or ``""``."""
    return (spoken.said_at(lib, ref.story, ref.anchor) if ref.anchor else None) or ""


@dataclass(frozen=True)
class HighlightCard:
    """A highlight as a quote card: the words, who said them, when, and on which stage."""

    highlight: m.Highlight
    words: str  # "" when there is no transcript to quote
    who: str
    at: str  # `1:23`, the second it starts
    span: str  # `1:23–1:41`
    stage_id: str | None  # the stage's id, when the stage is in this build
    stage: str  # the stage's title, or ""

    @property
    def id(self) -> str:
        return self.highlight.id

    @property
    def tags(self) -> tuple[str, ...]:
        return self.highlight.tags


def highlight_card(lib: m.Library, story: m.Story, highlight: m.Highlight) -> HighlightCard:
    stage = stage_name(lib, story, highlight.stage)
    return HighlightCard(
        highlight=highlight,
        words=quote_words(lib, story, highlight),
        who=story.participant.pseudonym,
        at=fmt_time(highlight.start),
        span=f"{fmt_time(highlight.start)}–{fmt_time(highlight.end)}",
        stage_id=highlight.stage if stage else None,
        stage=stage,
    )


def highlight_cards(lib: m.Library, story: m.Story) -> tuple[HighlightCard, ...]:
    """The story's highlights as cards, in the story's order."""
    return tuple(highlight_card(lib, story, h) for h in story.highlights)


# ---------------------------------------------------------------- diaries


def diary_entries(story: m.Story) -> list[m.DiaryEntry]:
    """A diary's entries in the order they were recorded (undated ones first, then by id)."""
    return sorted(story.entries, key=lambda e: (e.recorded or dt.date.min, e.id))


def opening_entry(story: m.Story) -> m.DiaryEntry | None:
    """The entry a diary opens with on a slide: the earliest dated one (undated last)."""
    entries = sorted(story.entries, key=lambda e: (e.recorded or dt.date.max, e.id))
    return entries[0] if entries else None


@dataclass(frozen=True)
class EntryFacts:
    """The facts line of a diary entry, as text."""

    entry: m.DiaryEntry
    date: str  # `2 May 2026`, or ""
    mood_face: Markup  # a face drawn in SVG (never an emoji: fonts lack them), or EMPTY
    mood_word: str  # `good`, or "" without a mood
    place: str
    stage_id: str | None  # the stage's id, when the stage is in this build
    stage: str  # the stage's title, or ""
    player_label: str  # the accessible name of the entry's player

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def prompt(self) -> str:
        return self.entry.prompt


def entry_facts(lib: m.Library, story: m.Story, entry: m.DiaryEntry) -> EntryFacts:
    mood = entry.mood
    date = fmt_date(entry.recorded)
    stage = stage_name(lib, story, entry.stage)
    return EntryFacts(
        entry=entry,
        date=date,
        mood_face=mood_icon(mood) if mood is not None else EMPTY,
        mood_word=str(EMOTION_WORDS.get(mood, mood)) if mood is not None else "",
        place=entry.place,
        stage_id=entry.stage if stage else None,
        stage=stage,
        player_label=f"Diary entry, {date or entry.id}",
    )


# ---------------------------------------------------------------- letters


@dataclass(frozen=True)
class EmailHeader:
    """A letter's header: who sent it, when, and its subject (each "" when unknown)."""

    sender: str
    sent: str  # `2 May 2026`
    subject: str

    def lines(self, sent: bool = True) -> tuple[tuple[str, str], ...]:
        """`(label, value)` for each line there is: From, Sent (unless `sent=False`), Subject."""
        rows = (("From", self.sender), ("Sent", self.sent if sent else ""))
        return tuple((label, value) for label, value in (*rows, ("Subject", self.subject)) if value)


def email_header(story: m.Story) -> EmailHeader:
    return EmailHeader(
        sender=story.sender or story.participant.pseudonym,
        sent=fmt_date(story.sent or story.date),
        subject=story.subject,
    )


# ---------------------------------------------------------------- personas and actions


def review_note(persona: m.Persona, today: dt.date) -> str | None:
    """`last reviewed 2 May 2026` / `never reviewed` when a persona needs review, else None."""
    if persona.reviewed is not None and today - persona.reviewed <= m.REVIEW_AFTER:
        return None
    return f"last reviewed {fmt_date(persona.reviewed)}" if persona.reviewed else "never reviewed"


def needs_review(persona: m.Persona, today: dt.date) -> bool:
    return review_note(persona, today) is not None


@dataclass(frozen=True)
class PersonaFacts:
    """What a persona page says about them, beyond their name: text only."""

    name: str
    segment: str
    quote: str  # their quote's words, "" without one
    quote_evidence: EvidenceRef | None
    goals: tuple[str, ...]
    functional_needs: tuple[str, ...]
    emotional_needs: tuple[str, ...]
    behaviours: tuple[str, ...]


def persona_facts(persona: m.Persona) -> PersonaFacts:
    quote = persona.quote
    return PersonaFacts(
        name=persona.name,
        segment=persona.segment,
        quote=quote.text if quote else "",
        quote_evidence=quote.evidence if quote else None,
        goals=persona.goals,
        functional_needs=persona.needs.functional,
        emotional_needs=persona.needs.emotional,
        behaviours=persona.behaviours,
    )


def action_facts(action: m.Action) -> tuple[str, ...]:
    """`Owner: ...`, `Due 2 May 2026`, `Reported back ...`: the ones there are."""
    facts = [f"Owner: {action.owner}"] if action.owner else []
    if action.due:
        facts.append(f"Due {fmt_date(action.due)}")
    if action.reported_back:
        facts.append(f"Reported back {fmt_date(action.reported_back)}")
    return tuple(facts)


def actions_by_status(actions: Iterable[m.Action]) -> list[tuple[str, str, list[m.Action]]]:
    """`(status, label, actions)` in STATUS_ORDER, each sorted by due date then id; no empties."""
    pending = list(actions)
    groups = []
    for status, label in STATUS_ORDER:
        found = sorted(
            (a for a in pending if a.status == status), key=lambda a: (a.due or dt.date.max, a.id)
        )
        if found:
            groups.append((status, label, found))
    return groups


def emotion_scores(stage: m.Stage, names: Mapping[str, str]) -> tuple[tuple[str | None, int], ...]:
    """A stage's emotion as `(persona name or None, score)` pairs: one for a single score."""
    if stage.emotion is None:
        return ()
    if isinstance(stage.emotion, int):
        return ((None, stage.emotion),)
    return tuple((names.get(pid, pid), score) for pid, score in stage.emotion.items())
