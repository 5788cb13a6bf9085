"""Library -> Library for one audience: what this audience may see, and nothing else.

A pure function of (library, audience, day). Everything downstream of it works
on the filtered Library, so a renderer cannot leak what it never receives:
* a story is kept only while its consent is signed, not expired, not
  withdrawn, covers this audience, and the story's own `audiences` (if any)
  covers it too;
* what the consent `allows` trims the story: no `voice` drops recordings (a video
  with `face` keeps its picture, muted),
  no `face` drops photos, no `words` drops transcripts and highlights (and
  emails and written stories entirely, since their body *is* the person's words);
* consent carries through: evidence, persona quotes, tour and playlist items
  that point at a story (or at a highlight/entry) that is gone go with it;
* a film's video frame (a highlight of a filmed interview) is kept only where that
  interview is kept with its picture: its consent allows `face`, covers this audience
  on this day, and the highlight survived its own trimming (`video_frame_kept`);
* last, the kept stories' `redact:` words become `[redacted]` in every text of the
  result (`redaction.redact_library`), so no renderer ever sees them.
* a machine transcript no editor has reviewed yet (`immersion transcribe`) is
  only for the staff who curate the room: the room's audiences get no captions
  and no words from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from . import model as m
from .problems import Problem, Severity
from .redaction import redact_library
from .schema import VIDEO_EXTS, EvidenceRef, MediaRef
from .spoken import transcript_refs
from .transcripts import Transcript


def story_allowed(story: m.Story, consent: m.Consent | None, audience: str, day: dt.date) -> bool:
    if consent is None or not consent.valid_on(day):
        return False
    if audience not in consent.audiences:
        return False
    return story.audiences is None or audience in story.audiences


def trim_story(story: m.Story, allows: tuple[str, ...]) -> m.Story | None:
    """The story reduced to what the participant allowed; None when nothing is left."""
    if "words" not in allows:
        if story.kind_of_story in ("email", "story"):
            return None
        story = replace(
            story,
            transcript=None,
            highlights=(),
            entries=tuple(replace(e, transcript=None) for e in story.entries),
            narration=replace(story.narration, captions=None) if story.narration else None,
        )
    if "voice" not in allows:
        # A video keeps its picture where `face` allows it, with no sound at all
        # (`muted`: no audio rendition, no audio track); captions carry the words if
        # `words` allows. Anything else recorded goes.
        def picture(ref: MediaRef | None) -> MediaRef | None:
            keep = ref is not None and "face" in allows and ref.path.suffix.lower() in VIDEO_EXTS
            return ref if keep else None

        recording = picture(story.recording)
        story = replace(
            story,
            recording=recording,
            highlights=story.highlights if recording else (),
            entries=tuple(replace(e, recording=picture(e.recording)) for e in story.entries),
            narration=None,
            muted=True,
        )
    if "face" not in allows:
        story = replace(story, frames=(), attachments=(), inline_images=())
        if story.kind_of_story == "photo-film":
            return None
    return story


# Who may see a machine transcript before an editor has marked it reviewed=yes.
UNREVIEWED_AUDIENCES = ("intranet",)


def without_unreviewed(story: m.Story, transcripts: Mapping[Path, Transcript]) -> m.Story:
    """The story without its unreviewed machine transcripts (a kiosk shows none of them)."""

    def kept(ref: MediaRef | None) -> MediaRef | None:
        script = transcripts.get(ref.path) if ref is not None else None
        if script is not None and script.machine is not None and not script.machine.reviewed:
            return None
        return ref

    refs = [story.transcript, *(e.transcript for e in story.entries)]
    refs.append(story.narration.captions if story.narration else None)
    if all(kept(ref) is ref for ref in refs):
        return story  # the same object: the audit walks an untouched story once
    return replace(
        story,
        transcript=kept(story.transcript),
        entries=tuple(replace(e, transcript=kept(e.transcript)) for e in story.entries),
        narration=(
            replace(story.narration, captions=kept(story.narration.captions))
            if story.narration
            else None
        ),
    )


def video_frame_kept(
    frame: m.Frame, stories: Mapping[str, m.Story], consents: Mapping[str, m.Consent]
) -> str | None:
    """Why a film's video frame cannot be shown among these (kept) stories; None if it can.

    The same decision as for the interview's own video: its picture is shown only where
    the interview is kept and its consent allows `face`."""
    ref = frame.video
    if ref is None:
        return None
    target = stories.get(ref.story)
    if target is None:
        return f"the story '{ref.story}' is not shown to this audience (its consent or audiences)"
    consent = consents.get(target.participant.consent)
    if consent is None or "face" not in consent.allows:
        return f"consent '{target.participant.consent}' does not allow 'face'"
    if target.recording is None or target.recording != frame.recording:
        return f"the video of '{ref.story}' is not shown to this audience"
    if not any(h.id == ref.anchor for h in target.highlights):
        return f"the highlight '{ref}' is not shown to this audience"
    return None


def with_video_frames(
    stories: dict[str, m.Story], consents: Mapping[str, m.Consent]
) -> dict[str, m.Story]:
    """The stories with every film's video frames that may not be shown left out."""
    out = dict(stories)
    for story_id, story in stories.items():
        if any(f.video is not None for f in story.frames):
            kept = tuple(f for f in story.frames if video_frame_kept(f, stories, consents) is None)
            if len(kept) != len(story.frames):
                out[story_id] = replace(story, frames=kept)
    return out


def dropped_video_frames(library: m.Library, audience: str, day: dt.date) -> list[Problem]:
    """A warning per video frame of a film this audience sees that is left out of it."""
    if not any(f.video is not None for s in library.stories.values() for f in s.frames):
        return []  # the common case: no second pass over the library
    view = for_audience(library, audience, day)
    kept_stories = _kept_stories(library, audience, day)
    problems = []
    for story_id in view.stories:
        film = library.stories[story_id]
        for i, frame in enumerate(film.frames):
            why = video_frame_kept(frame, kept_stories, library.consents)
            if why is not None:
                problems.append(
                    Problem(
                        film.source.path,
                        film.source.line(f"frames[{i}].video"),
                        f"film '{story_id}': the video frame '{frame.video}' is left out "
                        f"of the {audience}: {why}",
                        "the film plays its other frames; replace the frame if it is needed",
                        Severity.WARNING,
                        f"frames[{i}].video",
                    )
                )
    return problems


def _kept_stories(library: m.Library, audience: str, day: dt.date) -> dict[str, m.Story]:
    stories: dict[str, m.Story] = {}
    for story_id, story in library.stories.items():
        consent = library.consents.get(story.participant.consent)
        if consent is None or not story_allowed(story, consent, audience, day):
            continue
        trimmed = trim_story(story, consent.allows)
        if trimmed is not None and audience not in UNREVIEWED_AUDIENCES:
            trimmed = without_unreviewed(trimmed, library.transcripts)
        if trimmed is not None:
            stories[story_id] = trimmed
    return stories


def for_audience(library: m.Library, audience: str, day: dt.date) -> m.Library:
    """The part of `library` that `audience` may see on `day`."""
    stories = with_video_frames(_kept_stories(library, audience, day), library.consents)

    def visible(ref: EvidenceRef) -> bool:
        story = stories.get(ref.story)
        return story is not None and (not ref.anchor or ref.anchor in story.anchors())

    def allows_words(ref: EvidenceRef) -> bool:
        # A quote is the participant's words: a consent without `words` keeps a diary's
        # entries (their voice) but not a verbatim quote of them.
        consent = library.consents.get(stories[ref.story].participant.consent)
        return consent is not None and "words" in consent.allows

    def keep(refs: tuple[EvidenceRef, ...]) -> tuple[EvidenceRef, ...]:
        return tuple(ref for ref in refs if visible(ref))

    personas = {}
    for persona_id, persona in library.personas.items():
        quote = persona.quote
        if (
            quote
            and quote.evidence
            and not (visible(quote.evidence) and allows_words(quote.evidence))
        ):
            quote = None  # the persona stays; the quote goes with its story (or its words)
        personas[persona_id] = replace(
            persona,
            quote=quote,
            pain_points=tuple(replace(p, evidence=keep(p.evidence)) for p in persona.pain_points),
        )

    journeys = {
        journey_id: replace(
            journey,
            stages=tuple(replace(s, evidence=keep(s.evidence)) for s in journey.stages),
        )
        for journey_id, journey in library.journeys.items()
    }
    insights = {
        insight_id: replace(insight, evidence=keep(insight.evidence))
        for insight_id, insight in library.insights.items()
    }
    present: dict[str, Mapping[str, object]] = {
        "persona": personas,
        "journey": journeys,
        "story": stories,
        "insight": insights,
        "action": library.actions,
    }

    def items_present(items: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        return tuple((kind, i) for kind, i in items if i in present.get(kind, {}))

    room = replace(
        library.room,
        tours=tuple(replace(t, items=items_present(t.items)) for t in library.room.tours),
        displays=tuple(
            replace(d, playlist=replace(d.playlist, items=items_present(d.playlist.items)))
            for d in library.room.displays
        ),
    )
    used = {story.participant.consent for story in stories.values()}
    consents = {cid: c for cid, c in library.consents.items() if cid in used}
    # Only the transcripts this audience's stories still name: a dropped story's
    # words must not even be reachable through the library.
    named = {ref.path for story in stories.values() for ref in transcript_refs(story)}
    transcripts = {path: t for path, t in library.transcripts.items() if path in named}
    view = m.Library(
        room=room,
        consents=consents,
        personas=personas,
        journeys=journeys,
        stories=stories,
        insights=insights,
        actions=library.actions,
        transcripts=transcripts,
    )
    return redact_library(view)
