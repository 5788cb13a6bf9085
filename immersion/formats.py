"""The content format of SPEC §2, declared once per file kind.

Each `*_FIELDS` table is the public interface: the field names editors write.
`struct(...)` turns a table into a converter that reports unknown fields,
wrong types and missing required fields at their lines.
"""

from __future__ import annotations

from typing import Any

from . import model as m
from .schema import (
    INVALID,
    F,
    audio_file,
    boolean,
    choice,
    clock,
    date,
    either,
    evidence,
    ident,
    image_file,
    integer,
    list_of,
    mapping_of,
    number,
    ref,
    slashed,
    struct,
    text,
    timecode,
    vtt_file,
)

texts = list_of(text)
tags = list_of(text)
# Offered in the order a consent form lists them (`audiences: [kiosk, intranet]`).
audiences = list_of(choice(*reversed(m.AUDIENCES)))

image = struct({"src": F(image_file, required=True), "alt": F(text, default="")}, m.Image)

CONSENT_FIELDS = {
    "participant": F(text, required=True),
    "signed": F(date, required=True),
    "expires": F(date),
    "withdrawn": F(date),
    "audiences": F(audiences, required=True),
    "allows": F(list_of(choice(*m.ALLOWS)), default=m.ALLOWS),
}


def _plain_pain_point(value: Any, ctx: Any, fld: str, line: int) -> Any:
    """A pain point written as plain text; INVALID (already reported) if it is not text."""
    said = text(value, ctx, fld, line)
    return INVALID if said is INVALID else m.PainPoint(said)


PERSONA_FIELDS = {
    "name": F(text, required=True),
    "segment": F(text, default=""),
    "portrait": F(image),
    "quote": F(struct({"text": F(text, required=True), "evidence": F(evidence)}, m.Quote)),
    "goals": F(texts, default=()),
    "needs": F(
        struct({"functional": F(texts, default=()), "emotional": F(texts, default=())}, m.Needs),
        default=m.Needs(),
    ),
    "pain_points": F(
        list_of(
            either(
                struct(
                    {"text": F(text, required=True), "evidence": F(list_of(evidence), default=())},
                    m.PainPoint,
                ),
                _plain_pain_point,
                lambda v: isinstance(v, dict),
            )
        ),
        default=(),
    ),
    "behaviours": F(texts, default=()),
    "journeys": F(list_of(ref("journey")), default=()),
    "reviewed": F(date),
    "tags": F(tags, default=()),
}

emotion_score = integer(-2, 2)

STAGE_FIELDS = {
    "id": F(ident, required=True),
    "title": F(text, required=True),
    "doing": F(text, default=""),
    "thinking": F(text, default=""),
    "feeling": F(text, default=""),
    "emotion": F(either(mapping_of(emotion_score), emotion_score, lambda v: isinstance(v, dict))),
    "channels": F(texts, default=()),
    "touchpoints": F(texts, default=()),
    "pain_points": F(texts, default=()),
    "opportunities": F(texts, default=()),
    "moment_of_truth": F(boolean, default=False),
    "evidence": F(list_of(evidence), default=()),
}

JOURNEY_FIELDS = {
    "title": F(text, required=True),
    "personas": F(list_of(ref("persona")), default=()),
    "stages": F(list_of(struct(STAGE_FIELDS, m.Stage)), required=True),
    "tags": F(tags, default=()),
}

PARTICIPANT = struct(
    {
        "pseudonym": F(text, required=True),
        "persona": F(ref("persona")),
        "consent": F(ref("consent"), required=True),
    },
    m.Participant,
)

COMMON_STORY_FIELDS = {
    "kind": F(choice(*m.STORY_KINDS), required=True, attr="kind_of_story"),
    "title": F(text, required=True),
    "participant": F(PARTICIPANT, required=True),
    "date": F(date),
    "journey": F(ref("journey")),
    "stage": F(ident),
    "tags": F(tags, default=()),
    "audiences": F(audiences),
}

HIGHLIGHT = struct(
    {
        "id": F(ident, required=True),
        "start": F(timecode, required=True),
        "end": F(timecode, required=True),
        "tags": F(tags, default=()),
        "stage": F(ident),
    },
    m.Highlight,
)

DIARY_ENTRY = struct(
    {
        "id": F(ident, required=True),
        "recorded": F(date),
        "prompt": F(text, default=""),
        "recording": F(audio_file),
        "transcript": F(vtt_file),
        "mood": F(emotion_score),
        "stage": F(ident),
        "place": F(text, default=""),
    },
    m.DiaryEntry,
)

FRAME = struct(
    {
        "src": F(image_file, required=True),
        "caption": F(text, default=""),
        "alt": F(text, default=""),
        "seconds": F(number(lo=0.5), default=6.0),
    },
    m.Frame,
)

STORY_KIND_FIELDS: dict[str, dict[str, F]] = {
    "interview": {
        "recording": F(audio_file),
        "transcript": F(vtt_file),
        "interviewer": F(text, default=""),
        "highlights": F(list_of(HIGHLIGHT), default=()),
    },
    "audio-diary": {"entries": F(list_of(DIARY_ENTRY), required=True)},
    "photo-film": {
        "frames": F(list_of(FRAME), required=True),
        "narration": F(
            struct(
                {"recording": F(audio_file, required=True), "captions": F(vtt_file)}, m.Narration
            )
        ),
        "chapters": F(
            list_of(
                struct(
                    {
                        "at": F(timecode, required=True),
                        "title": F(text, required=True),
                        "stage": F(ident),
                    },
                    m.Chapter,
                )
            ),
            default=(),
        ),
    },
    "email": {
        "from": F(text, default="", attr="sender"),
        "subject": F(text, default=""),
        "sent": F(date),
        "attachments": F(list_of(image), default=()),
    },
    "story": {},
}

INSIGHT_FIELDS = {
    "statement": F(text, required=True),
    "basis": F(choice("observed", "interpreted"), required=True),
    "evidence": F(list_of(evidence), default=()),
    "personas": F(list_of(ref("persona")), default=()),
    "stages": F(list_of(slashed("stage", "journey-id/stage-id")), default=()),
    "tags": F(tags, default=()),
}

ACTION_FIELDS = {
    "you_said": F(text, required=True),
    "we_did": F(text, required=True),
    "insights": F(list_of(ref("insight")), default=()),
    "owner": F(text, default=""),
    "status": F(choice(*m.ACTION_STATUSES), required=True),
    "due": F(date),
    "reported_back": F(date),
    "tags": F(tags, default=()),
}

playlist_item = slashed("playlist-item", "kind/id, e.g. persona/maya")


def _resolution(value: Any, ctx: Any, fld: str, line: int) -> Any:
    pair = list_of(integer(160, 16384))(value, ctx, fld, line)
    if pair is INVALID or (isinstance(pair, tuple) and len(pair) == 2):
        return pair
    return ctx.error(line, fld, "expected [width, height]", "for example [1920, 1080]")


PLAYLIST_FIELDS = {
    "tour": F(ref("tour")),
    "items": F(list_of(playlist_item), default=()),
    "kind": F(choice(*m.ITEM_KINDS, *m.STORY_KINDS)),
}

DISPLAY_FIELDS = {
    "id": F(ident, required=True),
    "title": F(text, default=""),
    "orientation": F(choice("landscape", "portrait"), default="landscape"),
    "resolution": F(_resolution, default=(1920, 1080)),
    "playlist": F(struct(PLAYLIST_FIELDS, m.Playlist), required=True),
    "slide_seconds": F(number(lo=2), default=12.0),
    "audio": F(boolean, default=False),
}

TOUR_FIELDS = {
    "id": F(ident, required=True),
    "title": F(text, required=True),
    "items": F(list_of(playlist_item), required=True),
}

ROOM_FIELDS = {
    "name": F(text, required=True),
    "timezone": F(text, default="UTC"),
    "opening_hours": F(
        struct({"open": F(clock, required=True), "close": F(clock, required=True)}, m.OpeningHours)
    ),
    "idle_seconds": F(integer(10, 3600), default=90),
    "displays": F(list_of(struct(DISPLAY_FIELDS, m.Display)), default=()),
    "tours": F(list_of(struct(TOUR_FIELDS, m.Tour)), default=()),
}
