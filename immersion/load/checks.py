"""Checks that need several items at once, or that only warn.

Run after the references are resolved: stage ids unique within a journey, emotions
of a journey's own personas, story stages and highlight times, alt text,
transcripts and captions, review dates, audiences wider than a story's consent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .. import model as m
from ..problems import Severity, suggest
from .files import Reader


def check_unique(reader: Reader, ids: Iterable[str], display: str, line_of: Any, what: str) -> None:
    seen: set[str] = set()
    for index, ident in enumerate(ids):
        if ident in seen:
            reader.problem(
                display,
                line_of(index),
                f"duplicate {what} id '{ident}'",
                "give each one its own id",
            )
        seen.add(ident)


def check_items(reader: Reader, library: m.Library) -> None:
    """Every check of this module over the whole library."""
    for persona in library.personas.values():
        check_image(reader, persona.portrait, persona.source, "portrait")
        # A `reviewed:` that is not a date is already an error at its own line.
        unreadable = persona.reviewed is None and persona.source.line("reviewed") is not None
        if not unreadable and (
            persona.reviewed is None or reader.today - persona.reviewed > m.REVIEW_AFTER
        ):
            when = f"last reviewed {persona.reviewed}" if persona.reviewed else "never reviewed"
            reader.problem(
                persona.source.path,
                persona.source.line("reviewed"),
                f"persona '{persona.name}' needs review ({when})",
                "check it against recent research and set reviewed: to today",
                Severity.WARNING,
                "reviewed",
            )
    for journey in library.journeys.values():
        check_unique(
            reader,
            [s.id for s in journey.stages],
            journey.source.path,
            lambda i, j=journey: j.source.line(f"stages[{i}].id"),
            "stage",
        )
        # With a broken `personas:` reference, the list is not the one the editor meant.
        personas_known = all(p in library.personas for p in journey.personas)
        for index, stage in enumerate(journey.stages):
            if isinstance(stage.emotion, Mapping) and personas_known:
                for persona_id in stage.emotion:
                    if persona_id not in journey.personas:
                        reader.problem(
                            journey.source.path,
                            journey.source.line(f"stages[{index}].emotion"),
                            f"'{persona_id}' is not one of this journey's personas",
                            suggest(persona_id, journey.personas),
                            fld=f"stages[{index}].emotion.{persona_id}",
                        )
    for story in library.stories.values():
        check_story(reader, story, library)


def check_image(reader: Reader, image: m.Image | None, source: m.Source, fld: str) -> None:
    if image is not None and not image.alt:
        reader.problem(
            source.path,
            source.line(fld),
            f"the photo '{image.src.src}' has no alt text",
            'describe what it shows, for people who cannot see it: alt: "..."',
            Severity.WARNING,
            fld,
        )


def check_story(reader: Reader, story: m.Story, library: m.Library) -> None:
    src = story.source
    stages: list[str] = []
    journey = library.journeys.get(story.journey or "")
    if journey is not None:
        stages = [s.id for s in journey.stages]

    def check_stage(stage: str | None, fld: str) -> None:
        if stage is None:
            return
        if story.journey is None:
            reader.problem(
                src.path,
                src.line(fld),
                f"stage '{stage}' without a journey",
                "add journey: <journey-id> to this story",
                fld=fld,
            )
        elif stages and stage not in stages:
            reader.problem(
                src.path,
                src.line(fld),
                f"journey '{story.journey}' has no stage '{stage}'",
                suggest(stage, stages),
                fld=fld,
            )

    check_stage(story.stage, "stage")
    anchors = [h.id for h in story.highlights] + [e.id for e in story.entries]
    check_unique(
        reader,
        anchors,
        src.path,
        lambda i: (
            src.line(f"highlights[{i}].id") or src.line(f"entries[{i - len(story.highlights)}].id")
        ),
        "highlight or entry",
    )
    for i, highlight in enumerate(story.highlights):
        check_stage(highlight.stage, f"highlights[{i}].stage")
        if highlight.end <= highlight.start:
            reader.problem(
                src.path,
                src.line(f"highlights[{i}].end"),
                f"highlight '{highlight.id}' ends before it starts",
                "check its start and end times",
                fld=f"highlights[{i}].end",
            )
        if story.recording is None and src.line("recording") is None:
            reader.problem(
                src.path,
                src.line(f"highlights[{i}]"),
                f"highlight '{highlight.id}' has no recording to point into",
                "add recording: to this interview",
                fld=f"highlights[{i}]",
            )
    for i, entry in enumerate(story.entries):
        check_stage(entry.stage, f"entries[{i}].stage")
        if entry.recording and not entry.transcript:
            missing_transcript(reader, src, f"entries[{i}].recording", entry.recording.src)
    for i, chapter in enumerate(story.chapters):
        check_stage(chapter.stage, f"chapters[{i}].stage")
    if story.recording and not story.transcript:
        missing_transcript(reader, src, "recording", story.recording.src)
    if story.narration and not story.narration.captions:
        reader.problem(
            src.path,
            src.line("narration"),
            f"the narration '{story.narration.recording.src}' has no captions",
            "add captions: narration.vtt so the film can be followed without sound",
            Severity.WARNING,
            "narration",
        )
    for i, frame in enumerate(story.frames):
        if not frame.alt:
            reader.problem(
                src.path,
                src.line(f"frames[{i}]"),
                f"the frame '{frame.name}' has no alt text",
                'describe what it shows: alt: "..."',
                Severity.WARNING,
                f"frames[{i}].alt",
            )
    for i, attachment in enumerate(story.attachments):
        check_image(reader, attachment, src, f"attachments[{i}]")
    for i, image in enumerate(story.inline_images):
        if not image.alt:
            reader.problem(
                src.path,
                src.line(f"body[{i}]"),
                f"the photo '{image.src.src}' has no alt text",
                "write it as ![what it shows](file.jpg)",
                Severity.WARNING,
                "body",
            )
    if story.participant.consent not in library.consents:
        return
    if story.audiences:
        allowed = library.consents[story.participant.consent].audiences
        wider = [a for a in story.audiences if a not in allowed]
        if wider:
            reader.problem(
                src.path,
                src.line("audiences"),
                f"audiences {wider} are wider than consent "
                f"'{story.participant.consent}' allows ({list(allowed)})",
                "the story is shown only where both allow it; narrow audiences:",
                Severity.WARNING,
                "audiences",
            )


def missing_transcript(reader: Reader, src: m.Source, fld: str, name: str) -> None:
    reader.problem(
        src.path,
        src.line(fld),
        f"the recording '{name}' has no transcript",
        "add a WebVTT transcript beside it and name it in transcript:",
        Severity.WARNING,
        fld,
    )
