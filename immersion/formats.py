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
    size,
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

# An item's own length on a display's loop (render/kiosk/timing.py): at least 2 s, like the
# display's; a clip or film on the slide still plays whole.
SLIDE_SECONDS = F(number(lo=2))

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
    "slide_seconds": SLIDE_SECONDS,
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
    "slide_seconds": SLIDE_SECONDS,
}

PARTICIPANT = struct(
    {
        "pseudonym": F(text, required=True),
        "persona": F(ref("persona")),
        "consent": F(ref("consent"), required=True),
    },
    m.Participant,
)

REDACTION = struct(
    {
        "words": F(text, default=""),
        "start": F(timecode),
        "end": F(timecode),
        "entry": F(ident),
        "picture": F(choice("blur", "blank"), default="blank"),
        "why": F(text, default=""),
    },
    m.Redaction,
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
    "slide_seconds": SLIDE_SECONDS,
    "redact": F(list_of(REDACTION), default=()),
    "redact_sound": F(choice("silence", "bleep"), default="silence"),
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
        "poster": F(timecode),
    },
    m.DiaryEntry,
)

# A frame is a photo (`src:`) or a highlight of a filmed interview (`video:
# story-id#highlight-id`), which lasts its highlight: `load/films.py` checks that it
# is exactly one of them and resolves the highlight once the library is loaded.
FRAME = struct(
    {
        "src": F(image_file),
        "video": F(evidence),
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
        "poster": F(timecode),
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
    "slide_seconds": SLIDE_SECONDS,
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
    "slide_seconds": SLIDE_SECONDS,
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
    "slide_seconds": F(number(lo=2)),
    "audio": F(boolean, default=False),
    "offline_budget": F(size),
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
    "offline_budget": F(size, default=m.Room.offline_budget),
}

# What each field means, for the editors' reference (docs/content.md, written by
# `immersion.reference`): per file kind, by path (`quote.text`, `stages[].id`).
FIELD_NOTES: dict[str, dict[str, str]] = {
    "room": {
        "name": "The room's name, shown on both sites unless mkdocs.yml sets `site_name`.",
        "timezone": 'The room\'s time zone (e.g. `Europe/London`): what "today" and the '
        "opening hours mean.",
        "opening_hours": "When the room is open; outside these hours the displays dim to a "
        "quiet slide. Without it, the displays never dim.",
        "opening_hours.open": "Opening time, in quotes.",
        "opening_hours.close": "Closing time, in quotes.",
        "idle_seconds": 'Seconds without a touch before a display asks "still there?" and '
        "returns to its attract loop.",
        "displays": "The screens of the room; each gets its own kiosk page, build/kiosk/ID/.",
        "displays[].id": "The display's id: its folder in the kiosk site and the name "
        "`immersion kiosk ID` takes.",
        "displays[].title": "A name for people, e.g. Welcome wall.",
        "displays[].orientation": "How the screen is mounted.",
        "displays[].resolution": "The screen's size in pixels.",
        "displays[].playlist": "What the display loops through: exactly one of `tour`, "
        "`items` or `kind`.",
        "displays[].playlist.tour": "Show one of the `tours` below.",
        "displays[].playlist.items": "Show these items, in order.",
        "displays[].playlist.kind": "Show every item of this kind (or story kind), e.g. "
        "`audio-diary`.",
        "displays[].slide_seconds": "Pins every slide of text to this many seconds. Without "
        "it, a slide lasts as long as its content needs (4 s and about 3 words a second); a "
        "clip or a film always plays whole.",
        "displays[].audio": "May this display play sound unprompted? Visitors can always "
        "start a recording themselves; a video plays with sound only on a display with "
        "`audio: true` (elsewhere it is muted, with its captions).",
        "displays[].offline_budget": "How much this display may keep offline (its pages "
        'and media, e.g. "500 MB") before `immersion build` warns; without it, the '
        "room's `offline_budget`.",
        "offline_budget": 'How much each display may keep offline (e.g. "2 GB", the '
        "default): a display whose pages and media pass it gets a warning at build naming "
        "its largest items. A display may set its own.",
        "tours": "Named sequences of items that displays can share; displays showing the "
        "same tour stay in step.",
        "tours[].id": "The tour's id, for `playlist: {tour: ID}`.",
        "tours[].title": "The tour's name, shown on the display.",
        "tours[].items": "The items of the tour, in order.",
    },
    "consent": {
        "participant": "The participant's pseudonym, never a real name.",
        "signed": "The day the consent was signed; nothing of theirs appears before it.",
        "expires": "The day the consent ends: from that day on their content leaves every "
        "site. `immersion check` warns 30 days before.",
        "withdrawn": "The day the participant withdrew (a later day counts from then): "
        "from that day their content leaves every site. `immersion withdraw ID` writes it "
        "and rebuilds both sites.",
        "audiences": "Where their content may appear: `intranet`, `kiosk` or both.",
        "allows": "What of them may be shown: `voice` (recordings), `face` (photos), "
        "`words` (transcripts, quotes, emails and written stories).",
    },
    "persona": {
        "name": "The persona's first name, as the room shows it.",
        "segment": "The customer segment they stand for.",
        "portrait": "A photo of the persona.",
        "portrait.src": "The photo's file name.",
        "portrait.alt": "What the photo shows, for people who cannot see it.",
        "quote": "One quote that sums them up.",
        "quote.text": "The words quoted.",
        "quote.evidence": "Where the words were said; the quote disappears with that "
        "story's consent.",
        "goals": "What they are trying to achieve.",
        "needs": "What they need.",
        "needs.functional": "Practical needs.",
        "needs.emotional": "Emotional needs.",
        "pain_points": "What gets in their way: plain text, or a mapping with evidence.",
        "pain_points[].text": "The pain point.",
        "pain_points[].evidence": "Where it was heard.",
        "behaviours": "What they do.",
        "journeys": "The journeys this persona goes through.",
        "reviewed": "When the research team last checked this persona; after 12 months "
        'the intranet shows a "needs review" badge.',
        "tags": "Free words for the tags page.",
        "slide_seconds": "How long this item's slide stays on a display's loop, instead of "
        "the time its words need; its clip or film still plays whole.",
    },
    "journey": {
        "title": "The journey's name.",
        "personas": "The personas who go through it.",
        "stages": "The stages, in order.",
        "stages[].id": "The stage's id, unique in this journey; stories and insights name it.",
        "stages[].title": "The stage's name.",
        "stages[].doing": "What the customer does at this stage.",
        "stages[].thinking": "What they think.",
        "stages[].feeling": "What they feel.",
        "stages[].emotion": "How it feels, from -2 to +2; or one score per persona, e.g. "
        "`{maya: -1, raj: 1}`. Drawn as the emotion curve.",
        "stages[].channels": "Where it happens (web, phone, shop…).",
        "stages[].touchpoints": "What of ours they touch.",
        "stages[].pain_points": "What goes wrong here.",
        "stages[].opportunities": "What we could do better.",
        "stages[].moment_of_truth": "A moment that makes or breaks the relationship; "
        "marked on the journey.",
        "stages[].evidence": "The stories behind this stage.",
        "tags": "Free words for the tags page.",
        "slide_seconds": "How long this item's slide stays on a display's loop, instead of "
        "the time its words need; its clip or film still plays whole.",
    },
    "story": {
        "kind": "What kind of story this is; each kind has its own fields below.",
        "title": "The story's title.",
        "participant": "Who told it.",
        "participant.pseudonym": "The participant's pseudonym, never a real name.",
        "participant.persona": "The persona they stand for.",
        "participant.consent": "Their consent record (content/consent/ID.yml): it decides "
        "where this story may appear.",
        "date": "When the story was collected.",
        "journey": "The journey it belongs to.",
        "stage": "The stage of that journey.",
        "tags": "Free words for the tags page.",
        "audiences": "Narrower than the consent allows, e.g. `[intranet]`; never wider.",
        "slide_seconds": "How long this item's slide stays on a display's loop, instead of "
        "the time its words need; its clip or film still plays whole.",
        "redact": "Personal data to take out before publishing: `{words: ...}` or "
        "`{start, end}` spans of the recording, each with an optional `why`.",
        "redact_sound": "How redacted spans sound: `silence` (default) or `bleep` (a 1 kHz tone).",
        "redact[].words": "A word or phrase to take out before publishing: the build writes "
        "`[redacted]` instead, in any case, as whole words, across line breaks, in every text "
        "of both sites (body, transcript, captions, quotes, search).",
        "redact[].start": "The start of a span of the recording to silence (in every rendition, "
        "clip and video of it).",
        "redact[].end": "Where the span ends.",
        "redact[].entry": "An audio-diary entry's id: the span is in its recording.",
        "redact[].picture": "Video only: `blur` or `blank` (default) the picture in the span.",
        "redact[].why": "A note for the editor: why this is redacted.",
    },
    "interview": {
        "recording": "The interview's recording (wav, m4a, mp3, ogg, flac, amr, webm…), or its "
        "video (mp4, m4v, mov, webm, mkv: shown only where consent allows `face`, else played as "
        "audio).",
        "transcript": "Its transcript, with speakers written as `<v Name>`.",
        "interviewer": "The interviewer's name in the transcript: their voice is never quoted.",
        "highlights": "Moments worth hearing; quotes and evidence point at them.",
        "highlights[].id": "The highlight's id, for evidence: `story-id#highlight-id`.",
        "highlights[].start": "Where the moment starts in the recording.",
        "highlights[].end": "Where it ends.",
        "highlights[].tags": "Free words for the tags page.",
        "highlights[].stage": "The stage of the story's journey it belongs to.",
        "poster": "A video recording's poster frame: the second it is taken at (`75`, "
        '`"01:15"` or `"00:01:15.500"`). Without it, the first frame that is not black; '
        'with the `faces` extra installed (`pip install "immersion[faces]"`), of a few '
        "frames from there on (the first 10 s), the one with the largest face.",
    },
    "audio-diary": {
        "entries": "The diary's recordings, one entry each.",
        "entries[].id": "The entry's id, for evidence: `story-id#entry-id`.",
        "entries[].recorded": "When it was recorded.",
        "entries[].prompt": "The question the participant answered.",
        "entries[].recording": "The entry's recording.",
        "entries[].transcript": "Its transcript.",
        "entries[].mood": "The participant's mood, from -2 to +2.",
        "entries[].stage": "The stage of the story's journey it belongs to.",
        "entries[].place": "Where it was recorded.",
        "entries[].poster": "A video entry's poster frame, as for an interview's `poster`.",
    },
    "photo-film": {
        "frames": "The photos (and video clips), shown in order.",
        "frames[].src": "The photo's file name (a frame has `src` or `video`).",
        "frames[].video": "Instead of a photo, a highlight of a filmed interview "
        "(`story-id#highlight-id`, whose `recording:` is a video): its clip plays, muted, "
        "for the highlight's length. It is left out (with a warning) wherever that "
        "interview's consent does not allow `face` or the interview is not shown.",
        "frames[].caption": "A caption shown with the photo.",
        "frames[].alt": "What the photo shows, for people who cannot see it.",
        "frames[].seconds": "How long the photo is shown (a video frame lasts its highlight; "
        "`seconds` is ignored there, with a warning).",
        "narration": "A recording played in step with the frames.",
        "narration.recording": "The narration's recording.",
        "narration.captions": "Its captions.",
        "chapters": "Named points in the film.",
        "chapters[].at": "Where the chapter starts.",
        "chapters[].title": "The chapter's title.",
        "chapters[].stage": "The stage of the story's journey it belongs to.",
    },
    "email": {
        "from": "The sender's pseudonym.",
        "subject": "The subject line.",
        "sent": "When it was sent.",
        "attachments": "Photos that came with it.",
        "attachments[].src": "The photo's file name.",
        "attachments[].alt": "What the photo shows, for people who cannot see it.",
    },
    "insight": {
        "statement": "The finding, in one sentence.",
        "basis": "`observed` (seen or heard) or `interpreted` (our reading of it).",
        "evidence": "The stories behind it; it loses what goes with their consent.",
        "personas": "The personas it concerns.",
        "stages": "The journey stages it concerns.",
        "tags": "Free words for the tags page.",
        "slide_seconds": "How long this item's slide stays on a display's loop, instead of "
        "the time its words need; its clip or film still plays whole.",
    },
    "action": {
        "you_said": "What the customers said, in their words.",
        "we_did": "What the company did about it.",
        "insights": "The insights that led to it.",
        "owner": "The team or person responsible.",
        "status": "Where it stands.",
        "due": "When it should be done.",
        "reported_back": "When we told the customers who raised it.",
        "tags": "Free words for the tags page.",
        "slide_seconds": "How long this item's slide stays on a display's loop, instead of "
        "the time its words need; its clip or film still plays whole.",
    },
}
