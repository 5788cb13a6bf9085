"""The item kinds as frozen dataclasses, and the `Library` that holds them all.

Everything downstream of `load` works on these types; nothing re-reads YAML.
Field names follow the content format in SPEC §2 (the public interface), with
`sender` standing in for the Python keyword `from`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .schema import EvidenceRef, MediaRef
from .transcripts import Transcript

# In the order the build renders and publishes them (the intranet first).
AUDIENCES = ("intranet", "kiosk")
ALLOWS = ("voice", "face", "words")
STORY_KINDS = ("interview", "audio-diary", "photo-film", "email", "story")
ITEM_KINDS = ("persona", "journey", "story", "insight", "action")
# The folder of content/ each item kind lives in (content/personas/<id>/index.md), and back.
KIND_DIRS = {
    "personas": "persona",
    "journeys": "journey",
    "stories": "story",
    "insights": "insight",
    "actions": "action",
}
KIND_FOLDERS = {kind: folder for folder, kind in KIND_DIRS.items()}
ACTION_STATUSES = ("open", "in-progress", "done", "dropped")
# A persona not reviewed for this long shows "needs review" (intranet) and warns in check.
REVIEW_AFTER = dt.timedelta(days=365)


@dataclass(frozen=True)
class Source:
    """Where an item came from: its file (relative to the project) and field lines."""

    path: str
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, hash=False)

    def line(self, fld: str) -> int | None:
        # Fall back to the parent field: `stages[2].evidence[0]` -> `stages[2].evidence`.
        while fld:
            if fld in self.lines:
                return self.lines[fld]
            cut = max(fld.rfind("."), fld.rfind("["))
            fld = fld[:cut] if cut > 0 else ""
        return None


@dataclass(frozen=True)
class Image:
    src: MediaRef
    alt: str = ""


@dataclass(frozen=True)
class Consent:
    id: str
    participant: str
    signed: dt.date
    expires: dt.date | None
    withdrawn: dt.date | None
    audiences: tuple[str, ...]
    allows: tuple[str, ...]
    source: Source

    def valid_on(self, day: dt.date) -> bool:
        # A withdrawal counts from its date on: one written ahead (a participant who
        # asked to be taken out at the end of the month) leaves the room on that day.
        if self.withdrawn is not None and day >= self.withdrawn:
            return False
        if self.signed > day:
            return False
        # Consent runs up to, not including, its expiry date.
        return self.expires is None or day < self.expires


@dataclass(frozen=True)
class Quote:
    text: str
    evidence: EvidenceRef | None = None


@dataclass(frozen=True)
class PainPoint:
    text: str
    evidence: tuple[EvidenceRef, ...] = ()


@dataclass(frozen=True)
class Needs:
    functional: tuple[str, ...] = ()
    emotional: tuple[str, ...] = ()


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    segment: str
    portrait: Image | None
    quote: Quote | None
    goals: tuple[str, ...]
    needs: Needs
    pain_points: tuple[PainPoint, ...]
    behaviours: tuple[str, ...]
    journeys: tuple[str, ...]
    reviewed: dt.date | None
    tags: tuple[str, ...]
    body: str
    source: Source
    slide_seconds: float | None = None  # pins its slide on a loop

    kind = "persona"

    @property
    def title(self) -> str:
        return self.name


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    doing: str
    thinking: str
    feeling: str
    emotion: int | Mapping[str, int] | None
    channels: tuple[str, ...]
    touchpoints: tuple[str, ...]
    pain_points: tuple[str, ...]
    opportunities: tuple[str, ...]
    moment_of_truth: bool
    evidence: tuple[EvidenceRef, ...]

    def emotion_for(self, persona: str) -> int | None:
        if isinstance(self.emotion, Mapping):
            return self.emotion.get(persona)
        return self.emotion


@dataclass(frozen=True)
class Journey:
    id: str
    title: str
    personas: tuple[str, ...]
    stages: tuple[Stage, ...]
    tags: tuple[str, ...]
    body: str
    source: Source
    slide_seconds: float | None = None  # pins its slide on a loop

    kind = "journey"


@dataclass(frozen=True)
class Participant:
    pseudonym: str
    persona: str | None
    consent: str


@dataclass(frozen=True)
class Highlight:
    id: str
    start: float
    end: float
    tags: tuple[str, ...] = ()
    stage: str | None = None


@dataclass(frozen=True)
class DiaryEntry:
    id: str
    recorded: dt.date | None
    prompt: str
    recording: MediaRef | None
    transcript: MediaRef | None
    mood: int | None
    stage: str | None
    place: str
    poster: float | None = None  # a video entry's poster frame, in seconds


@dataclass(frozen=True)
class Frame:
    """A photo on screen for `seconds`, or (`video`) a highlight's video clip for its length.

    A video frame has no `src`: after loading, `recording` is the video the highlight
    is cut from, `start`/`end` its span, and `seconds` its length."""

    src: MediaRef | None
    caption: str
    alt: str
    seconds: float
    video: EvidenceRef | None = None  # `story-id#highlight-id`: that highlight's clip
    recording: MediaRef | None = None  # the video of that story, once resolved
    start: float = 0.0
    end: float = 0.0

    @property
    def name(self) -> str:
        """How an editor names the frame: its photo, or its `story#highlight`."""
        return self.src.src if self.src is not None else str(self.video)


@dataclass(frozen=True)
class Narration:
    recording: MediaRef
    captions: MediaRef | None


@dataclass(frozen=True)
class Chapter:
    at: float
    title: str
    stage: str | None


@dataclass(frozen=True)
class Redaction:
    """One `redact:` entry: words to replace, or a span of the recording to silence."""

    words: str = ""
    start: float | None = None
    end: float | None = None
    entry: str | None = None
    picture: str = "blank"
    why: str = ""


@dataclass(frozen=True)
class Story:
    id: str
    kind_of_story: str  # interview | audio-diary | photo-film | email | story
    title: str
    participant: Participant
    date: dt.date | None
    journey: str | None
    stage: str | None
    tags: tuple[str, ...]
    audiences: tuple[str, ...] | None
    body: str
    source: Source
    # interview
    recording: MediaRef | None = None
    transcript: MediaRef | None = None
    interviewer: str = ""
    highlights: tuple[Highlight, ...] = ()
    # audio diary
    entries: tuple[DiaryEntry, ...] = ()
    # photo film
    frames: tuple[Frame, ...] = ()
    narration: Narration | None = None
    chapters: tuple[Chapter, ...] = ()
    # email
    sender: str = ""
    subject: str = ""
    sent: dt.date | None = None
    attachments: tuple[Image, ...] = ()
    # written story (and any body): photos written inline as ![alt](file)
    inline_images: tuple[Image, ...] = ()
    slide_seconds: float | None = None  # pins its slide on a loop
    # Personal data to take out before publishing (written by `immersion import`).
    redact: tuple[Redaction, ...] = ()
    redact_sound: str = "silence"
    poster: float | None = None  # a video recording's poster frame, in seconds
    # Set by the audience filter when the consent lacks `voice` but a video is kept for
    # its picture (`face`): the recording is then published with no sound at all.
    muted: bool = False

    kind = "story"

    def anchors(self) -> dict[str, Highlight | DiaryEntry]:
        found: dict[str, Highlight | DiaryEntry] = {h.id: h for h in self.highlights}
        found.update({e.id: e for e in self.entries})
        return found


@dataclass(frozen=True)
class Insight:
    id: str
    statement: str
    basis: str
    evidence: tuple[EvidenceRef, ...]
    personas: tuple[str, ...]
    stages: tuple[tuple[str, str], ...]
    tags: tuple[str, ...]
    body: str
    source: Source
    slide_seconds: float | None = None  # pins its slide on a loop

    kind = "insight"

    @property
    def title(self) -> str:
        return self.statement


@dataclass(frozen=True)
class Action:
    id: str
    you_said: str
    we_did: str
    insights: tuple[str, ...]
    owner: str
    status: str
    due: dt.date | None
    reported_back: dt.date | None
    tags: tuple[str, ...]
    body: str
    source: Source
    slide_seconds: float | None = None  # pins its slide on a loop

    kind = "action"

    @property
    def title(self) -> str:
        return self.we_did


@dataclass(frozen=True)
class Playlist:
    """Exactly one of: a tour id, explicit `kind/id` items, or a kind filter."""

    tour: str | None = None
    items: tuple[tuple[str, str], ...] = ()
    kind: str | None = None


@dataclass(frozen=True)
class OpeningHours:
    open: dt.time
    close: dt.time


@dataclass(frozen=True)
class Display:
    id: str
    title: str
    orientation: str
    resolution: tuple[int, int]
    playlist: Playlist
    slide_seconds: float | None  # pins slides of text; None: from their content
    audio: bool
    offline_budget: int | None = None  # bytes; None: the room's


@dataclass(frozen=True)
class Tour:
    id: str
    title: str
    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Room:
    name: str
    timezone: str
    opening_hours: OpeningHours | None
    idle_seconds: int
    displays: tuple[Display, ...]
    tours: tuple[Tour, ...]
    source: Source
    # The bytes a display may keep offline before the build warns (a display may set its own).
    offline_budget: int = 2 * 10**9


Item = Persona | Journey | Story | Insight | Action


@dataclass(frozen=True)
class Library:
    """Every item of a room, by kind and id. Filtered copies are made with `replace`."""

    room: Room
    consents: Mapping[str, Consent]
    personas: Mapping[str, Persona]
    journeys: Mapping[str, Journey]
    stories: Mapping[str, Story]
    insights: Mapping[str, Insight]
    actions: Mapping[str, Action]
    # Every readable WebVTT file a story names, parsed once by `load`, by its path.
    transcripts: Mapping[Path, Transcript] = field(default_factory=dict)

    def transcript(self, ref: MediaRef | None) -> Transcript | None:
        return self.transcripts.get(ref.path) if ref is not None else None

    def by_kind(self, kind: str) -> Mapping[str, Any]:
        return {
            "persona": self.personas,
            "journey": self.journeys,
            "story": self.stories,
            "insight": self.insights,
            "action": self.actions,
        }[kind]

    def with_(self, **changes: Any) -> Library:
        return replace(self, **changes)

    def counts(self) -> dict[str, int]:
        return {kind: len(self.by_kind(kind)) for kind in ITEM_KINDS}

    def summary(self) -> str:
        """`3 personas, 1 journey, ...` for the end-of-run line."""
        return ", ".join(
            f"{n} {kind}{'' if n == 1 else 's'}".replace("storys", "stories")
            for kind, n in self.counts().items()
        )
