"""The loader and bad input: one planted mistake per test, on the valid `room`.

Each test asserts the exact problem (file, line, message, fix), that the rest
of the room still loads, and for a sample that content/ is left byte for byte
as it was (SPEC §8: content/ is read-only; DESIGN habit 5: test the exact
message; habit 6: one bad file never stops the rest).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path

import pytest
import yaml
from conftest import TODAY, jpeg_with_gps, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immersion import formats
from immersion import model as m
from immersion.load import load
from immersion.problems import Problem, Severity
from immersion.project import Project
from immersion.schema import INVALID

Snapshot = Callable[[Path], dict[str, bytes]]

# What the valid room reports on its own: one expired consent, one stale persona.
BASELINE = [
    Problem(
        "content/consent/c-002.yml",
        3,
        "consent expired on 2025-01-10: everything of Olu is left out of every build",
        "renew the consent or delete their stories",
        Severity.NOTE,
        "expires",
    ),
    Problem(
        "content/personas/raj/index.md",
        5,
        "persona 'Raj' needs review (last reviewed 2024-05-01)",
        "check it against recent research and set reviewed: to today",
        Severity.WARNING,
        "reviewed",
    ),
]

ALL_ITEMS = {
    "persona": {"maya", "raj"},
    "journey": {"moving-home"},
    "story": {"p07", "old", "letter"},
    "insight": {"quotes-confuse"},
    "action": {"one-price"},
}
ALL_CONSENTS = {"c-001", "c-002", "c-003"}

MAYA = "personas/maya/index.md"
P07 = "stories/p07/index.md"
JOURNEY = "journeys/moving-home/index.md"
INSIGHT = "insights/quotes-confuse/index.md"
ROOM = "room.yml"
C001 = "consent/c-001.yml"


# -- helpers ------------------------------------------------------------------


def edit(room: Path, rel: str, old: str, new: str) -> None:
    """Replace `old` (which must occur exactly once) in content/`rel`."""
    path = room / "content" / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def planted(room: Path, snapshot: Snapshot | None = None) -> tuple[m.Library, list[Problem]]:
    """Load the room; return the Library and the problems beyond the baseline.

    With `snapshot`, also prove that loading left content/ byte for byte as it was.
    """
    before = snapshot(room / "content") if snapshot else None
    library, problems = load(Project(room), TODAY)
    if snapshot:
        assert snapshot(room / "content") == before, "the loader wrote to content/"
    assert all(isinstance(p, Problem) for p in problems)
    return library, [p for p in problems if p not in BASELINE]


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(p.format() for p in problems)
    return problems[0]


def assert_rest_loads(
    library: m.Library,
    missing: dict[str, set[str]] | None = None,
    consents_missing: AbstractSet[str] = frozenset(),
    room: bool = True,
) -> None:
    """Every item of the valid room is in the Library except those named in `missing`."""
    missing = missing or {}
    for kind, ids in ALL_ITEMS.items():
        assert set(library.by_kind(kind)) == ids - missing.get(kind, set()), kind
    assert set(library.consents) == ALL_CONSENTS - consents_missing
    if room:
        assert library.room.name == "Test Room"
        assert [d.id for d in library.room.displays] == ["entrance", "post"]


def test_the_valid_room_reports_only_its_baseline(room: Path, snapshot: Snapshot) -> None:
    library, problems = planted(room, snapshot)
    assert problems == []
    assert sorted(load(Project(room), TODAY)[1]) == sorted(BASELINE)
    assert_rest_loads(library)


# -- invalid YAML -----------------------------------------------------------------


def test_invalid_yaml_in_front_matter_names_the_line(room: Path, snapshot: Snapshot) -> None:
    edit(room, MAYA, "goals: [Move without surprises]", "goals: [Move without surprises")
    library, problems = planted(room, snapshot)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        7,
        "invalid YAML: while parsing a flow sequence, expected ',' or ']', but got ':'",
        "check the indentation and quote text that contains ': ' or '#'",
    )
    # Maya is left out; nobody else is, and the references to her are not reported again.
    assert_rest_loads(library, {"persona": {"maya"}})


def test_invalid_yaml_in_room_yml(room: Path, snapshot: Snapshot) -> None:
    edit(room, ROOM, "    title: Welcome wall\n", "    title: Welcome: wall\n")
    library, problems = planted(room, snapshot)
    assert only(problems) == Problem(
        "content/room.yml",
        7,
        "invalid YAML: mapping values are not allowed here",
        "check the indentation and quote text that contains ': ' or '#'",
    )
    assert_rest_loads(library, room=False)
    assert library.room.displays == ()


def test_invalid_yaml_in_a_consent_record(room: Path) -> None:
    edit(room, C001, "audiences: [kiosk, intranet]", "audiences: [kiosk, intranet")
    library, problems = planted(room)
    problem = only(problems)
    assert (problem.path, problem.line) == ("content/consent/c-001.yml", 5)
    assert problem.message.startswith("invalid YAML: ")
    # p07 still loads; its consent reference is not reported a second time.
    assert_rest_loads(library, consents_missing={"c-001"})


def test_duplicate_key_in_front_matter(room: Path) -> None:
    edit(room, MAYA, "tags: [families]", "segment: Renters")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        13,
        "invalid YAML: the key 'segment' appears twice (first on line 3)",
        "keep one of them, or check the indentation",
    )
    assert_rest_loads(library, {"persona": {"maya"}})


def test_aliases_in_content_are_refused(room: Path) -> None:
    edit(room, MAYA, "goals: [Move without surprises]", "goals: &g [Move]\nbehaviours2: *g")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        7,
        "invalid YAML: aliases (*name) are not allowed in content; write the value out",
        "check the indentation and quote text that contains ': ' or '#'",
    )
    assert_rest_loads(library, {"persona": {"maya"}})


# -- wrong types --------------------------------------------------------------------


def test_goals_is_a_number(room: Path, snapshot: Snapshot) -> None:
    edit(room, MAYA, "goals: [Move without surprises]", "goals: 5")
    library, problems = planted(room, snapshot)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        6,
        "expected a list, found a number",
        "write [5] or one '- item' per line",
        field="goals",
    )
    # An optional field that is wrong falls back to its default; Maya still loads.
    assert_rest_loads(library)
    assert library.personas["maya"].goals == ()


def test_emotion_out_of_range(room: Path) -> None:
    edit(room, JOURNEY, "emotion: -2", "emotion: 7")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/journeys/moving-home/index.md",
        13,
        "7 is out of range",
        "use a number from -2 to 2",
        field="stages[1].emotion",
    )
    assert_rest_loads(library)
    assert library.journeys["moving-home"].stages[1].emotion is None


def test_emotion_per_persona_out_of_range(room: Path) -> None:
    edit(room, JOURNEY, "emotion: {maya: -1, raj: 1}", "emotion: {maya: -1, raj: 3}")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/journeys/moving-home/index.md",
        8,
        "3 is out of range",
        "use a number from -2 to 2",
        field="stages[0].emotion.raj",
    )


def test_emotion_is_text(room: Path) -> None:
    edit(room, JOURNEY, "emotion: -2", "emotion: sad")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/journeys/moving-home/index.md",
        13,
        "expected a whole number, found text",
        field="stages[1].emotion",
    )


def test_reviewed_is_not_a_date(room: Path, snapshot: Snapshot) -> None:
    edit(room, MAYA, "reviewed: 2026-10-01", "reviewed: yesterday")
    library, problems = planted(room, snapshot)
    # One error, and no "needs review (never reviewed)" warning on top of it.
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        12,
        "expected a date, found 'yesterday'",
        "write an ISO date such as 2026-03-12",
        field="reviewed",
    )
    assert_rest_loads(library)


def test_impossible_date(room: Path) -> None:
    edit(room, P07, "date: 2026-03-12", "date: 2026-02-30")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        5,
        "expected a date, found '2026-02-30'",
        "write an ISO date such as 2026-03-12",
        field="date",
    )
    assert_rest_loads(library)


def test_yes_and_no_are_text(room: Path) -> None:
    # YAML 1.1 would read these as booleans; a participant may well be called "No".
    edit(room, P07, 'title: "Leah on moving home"', "title: yes")
    edit(room, "personas/maya/index.md", "name: Maya", "name: No")
    library, problems = planted(room)
    assert [p for p in problems if p.is_error] == []
    assert library.stories["p07"].title == "yes"
    assert library.personas["maya"].name == "No"


def test_true_as_a_title_says_to_quote_it(room: Path) -> None:
    edit(room, P07, 'title: "Leah on moving home"', "title: true")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        3,
        "expected text, found true (YAML reads it as true/false)",
        'put it in quotes: title: "true"',
        field="title",
    )
    # A required field that is wrong leaves the story out, and only it.
    assert_rest_loads(library, {"story": {"p07"}})


def test_participant_is_text_not_a_mapping(room: Path) -> None:
    edit(
        room,
        P07,
        "participant: {pseudonym: Leah, persona: maya, consent: c-001}",
        "participant: Leah",
    )
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        4,
        "expected a mapping, found text",
        "write it as {pseudonym: ..., consent: ...}",
        field="participant",
    )
    assert_rest_loads(library, {"story": {"p07"}})


def test_pain_point_that_is_not_text(room: Path) -> None:
    edit(
        room,
        MAYA,
        '  - {text: "Quotes change after the call", evidence: [p07#hl-1, old#hl-1]}',
        "  - Plain words\n  - [1, 2]",
    )
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        10,
        "expected text, found a list",
        "write it on one line, in quotes if it contains ': '",
        field="pain_points[1]",
    )
    assert library.personas["maya"].pain_points == (m.PainPoint("Plain words"),)
    no_invalid_inside(library)


def test_highlights_written_as_a_mapping(room: Path) -> None:
    edit(room, P07, "highlights:\n  - {id: hl-1", "highlights:\n  {id: hl-1")
    _, problems = planted(room)
    first = min(problems, key=lambda p: (p.path != "content/stories/p07/index.md", p.line))
    assert first == Problem(
        "content/stories/p07/index.md",
        11,
        "expected a list, found a mapping",
        "put '- ' before each item, one per line",
        field="highlights",
    )


def test_non_finite_numbers_are_refused(room: Path) -> None:
    edit(room, ROOM, "slide_seconds: 12", "slide_seconds: .nan")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/room.yml", 11, "expected a number, found nan", field="displays[0].slide_seconds"
    )


def test_front_matter_that_is_a_list(room: Path) -> None:
    (room / "content" / P07).write_text("---\n- a\n- b\n---\nbody\n", encoding="utf-8")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        2,
        "expected a mapping, found a list",
        "write it as {kind: ..., title: ..., participant: ...}",
    )
    assert_rest_loads(library, {"story": {"p07"}})


def test_front_matter_with_no_fields(room: Path) -> None:
    (room / "content" / P07).write_text("---\n---\nbody\n", encoding="utf-8")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        1,
        "the file has no fields",
        "`immersion new` writes a full example",
    )
    assert_rest_loads(library, {"story": {"p07"}})


# -- unknown fields and kinds ------------------------------------------------------------


def test_unknown_field_suggests_the_closest(room: Path, snapshot: Snapshot) -> None:
    edit(room, MAYA, "segment: Young families", "segmnt: Young families")
    library, problems = planted(room, snapshot)
    problem = only(problems)
    assert problem == Problem(
        "content/personas/maya/index.md",
        3,
        "unknown field 'segmnt'",
        "did you mean 'segment'?",
        field="segmnt",
    )
    assert problem.format() == (
        "content/personas/maya/index.md:3: error [segmnt]: unknown field 'segmnt' "
        "(did you mean 'segment'?)"
    )
    assert_rest_loads(library)


def test_unknown_field_far_from_any_lists_the_fields(room: Path) -> None:
    edit(room, INSIGHT, "basis: observed", "basis: observed\nzzz: 1")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/insights/quotes-confuse/index.md",
        4,
        "unknown field 'zzz'",
        "fields here are: basis, evidence, personas, slide_seconds, stages, statement, tags",
        field="zzz",
    )


def test_unknown_field_in_a_nested_mapping(room: Path) -> None:
    edit(room, ROOM, "playlist: {tour: meet}", "playlist: {tuor: meet, tour: meet}")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/room.yml",
        10,
        "unknown field 'tuor'",
        "did you mean 'tour'?",
        field="displays[0].playlist.tuor",
    )


def test_unknown_story_kind(room: Path, snapshot: Snapshot) -> None:
    edit(room, P07, "kind: interview", "kind: interveiw")
    library, problems = planted(room, snapshot)
    # One problem: the six references to p07 are not reported again.
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        2,
        "unknown story kind 'interveiw'",
        "did you mean 'interview'?",
        field="kind",
    )
    assert_rest_loads(library, {"story": {"p07"}})


def test_missing_story_kind(room: Path) -> None:
    edit(room, P07, "kind: interview\n", "")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        2,
        "the field 'kind' is missing",
        "add 'kind:' with one of: interview, audio-diary, photo-film, email, story",
        field="kind",
    )
    assert_rest_loads(library, {"story": {"p07"}})


def test_field_of_another_story_kind(room: Path) -> None:
    edit(room, P07, "interviewer: Sam\n", "interviewer: Sam\nframes: [{src: kitchen.jpg}]\n")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        11,
        "'frames' belongs to photo-film stories, not interview",
        "remove it, or change kind to photo-film",
        field="frames",
    )
    assert_rest_loads(library)
    assert library.stories["p07"].frames == ()


def test_unknown_choice_suggests_the_closest(room: Path) -> None:
    edit(room, "actions/one-price/index.md", "status: done", "status: dne")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/actions/one-price/index.md",
        6,
        "'dne' is not allowed here",
        "did you mean 'done'?",
        field="status",
    )
    assert_rest_loads(library, {"action": {"one-price"}})


def test_unknown_audience_lists_the_choices(room: Path) -> None:
    edit(room, C001, "audiences: [kiosk, intranet]", "audiences: [kiosk, tv]")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/consent/c-001.yml",
        4,
        "'tv' is not allowed here",
        "use one of: kiosk, intranet",
        field="audiences[1]",
    )


# -- missing required fields ---------------------------------------------------------


def test_missing_persona_name(room: Path, snapshot: Snapshot) -> None:
    edit(room, MAYA, "name: Maya\n", "")
    library, problems = planted(room, snapshot)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        2,
        "the field 'name' is missing",
        "add 'name:' to this file",
        field="name",
    )
    assert_rest_loads(library, {"persona": {"maya"}})


def test_missing_field_in_a_nested_mapping(room: Path) -> None:
    edit(
        room,
        P07,
        "participant: {pseudonym: Leah, persona: maya, consent: c-001}",
        "participant: {pseudonym: Leah, persona: maya}",
    )
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        4,
        "the field 'consent' is missing",
        "add 'consent:' to this mapping",
        field="participant.consent",
    )
    assert_rest_loads(library, {"story": {"p07"}})


# -- broken references ---------------------------------------------------------------


def test_broken_journey_reference(room: Path, snapshot: Snapshot) -> None:
    edit(room, MAYA, "journeys: [moving-home]", "journeys: [moving-hme]")
    library, problems = planted(room, snapshot)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        11,
        "no journey 'moving-hme'",
        "did you mean 'moving-home'?",
        field="journeys[0]",
    )
    assert_rest_loads(library)


def test_broken_evidence_anchor(room: Path) -> None:
    edit(room, INSIGHT, "evidence: [p07#hl-1, old#hl-1]", "evidence: [p07#hl-9, old#hl-1]")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/insights/quotes-confuse/index.md",
        4,
        "story 'p07' has no highlight or entry 'hl-9'",
        "did you mean 'hl-1'?",
        field="evidence[0]",
    )
    assert_rest_loads(library)


def test_broken_evidence_story(room: Path) -> None:
    edit(room, MAYA, "evidence: p07#hl-1}", "evidence: p7#hl-1}")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        5,
        "no story 'p7' for the evidence 'p7#hl-1'",
        "did you mean 'p07'?",
        field="quote.evidence",
    )


def test_evidence_that_is_not_a_reference(room: Path) -> None:
    edit(room, INSIGHT, "evidence: [p07#hl-1, old#hl-1]", "evidence: [p07#hl-1, 'P07 hl1']")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/insights/quotes-confuse/index.md",
        4,
        "'P07 hl1' is not a valid evidence reference",
        "write story-id#highlight-id or story-id#entry-id, e.g. p07#hl-3",
        field="evidence[1]",
    )


def test_broken_consent_reference(room: Path) -> None:
    edit(room, P07, "consent: c-001", "consent: c-999")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        4,
        "no consent 'c-999'",
        "known: c-001, c-002, c-003",
        field="participant.consent",
    )
    assert_rest_loads(library)


def test_broken_persona_reference_suggests_the_closest_id(room: Path) -> None:
    edit(room, JOURNEY, "personas: [maya, raj]", "personas: [mya, raj]")
    library, problems = planted(room)
    # Only the reference: the per-persona emotion {maya: ...} is not blamed as well.
    assert only(problems) == Problem(
        "content/journeys/moving-home/index.md",
        3,
        "no persona 'mya'",
        "did you mean 'maya'?",
        field="personas[0]",
    )
    assert_rest_loads(library)


def test_broken_persona_reference_on_a_separate_line(room: Path) -> None:
    edit(room, INSIGHT, "personas: [maya]", "personas:\n  - raj\n  - mya")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/insights/quotes-confuse/index.md",
        7,
        "no persona 'mya'",
        "did you mean 'maya'?",
        field="personas[1]",
    )


def test_broken_stage_reference(room: Path) -> None:
    edit(room, INSIGHT, "stages: [moving-home/plan]", "stages: [moving-home/plna]")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/insights/quotes-confuse/index.md",
        6,
        "journey 'moving-home' has no stage 'plna'",
        "did you mean 'plan'?",
        field="stages[0]",
    )


def test_story_stage_without_journey(room: Path) -> None:
    edit(room, P07, "journey: moving-home\n", "")
    _, problems = planted(room)
    assert [(p.line, p.message, p.field) for p in problems] == [
        (6, "stage 'plan' without a journey", "stage"),
        (11, "stage 'plan' without a journey", "highlights[0].stage"),
    ]
    assert {p.hint for p in problems} == {"add journey: <journey-id> to this story"}


def test_emotion_for_a_persona_not_in_the_journey(room: Path) -> None:
    edit(room, JOURNEY, "emotion: {maya: -1, raj: 1}", "emotion: {maya: -1, rj: 1}")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/journeys/moving-home/index.md",
        8,
        "'rj' is not one of this journey's personas",
        "did you mean 'raj'?",
        field="stages[0].emotion.rj",
    )


def test_references_to_an_item_that_failed_to_load_are_not_repeated(room: Path) -> None:
    # The journey fails as a whole (its stages are not a list): four files point at it.
    edit(room, JOURNEY, "stages:\n  - id: plan", "stages: 5\nold_stages:\n  - id: plan")
    library, problems = planted(room)
    assert {p.path for p in problems} == {"content/journeys/moving-home/index.md"}
    assert_rest_loads(library, {"journey": {"moving-home"}})


# -- duplicate ids ----------------------------------------------------------------------------


def test_duplicate_highlight_ids(room: Path, snapshot: Snapshot) -> None:
    edit(
        room,
        P07,
        "  - {id: hl-1, start",
        '  - {id: hl-1, start: "00:00:01.600", end: "00:00:02.000"}\n  - {id: hl-1, start',
    )
    library, problems = planted(room, snapshot)
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        13,
        "duplicate highlight or entry id 'hl-1'",
        "give each one its own id",
    )
    assert_rest_loads(library)


def test_duplicate_stage_ids(room: Path) -> None:
    edit(room, JOURNEY, "  - id: move", "  - id: plan")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/journeys/moving-home/index.md",
        11,
        "duplicate stage id 'plan'",
        "give each one its own id",
    )
    assert_rest_loads(library)


def test_duplicate_display_ids(room: Path) -> None:
    edit(room, ROOM, "  - id: post", "  - id: entrance")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/room.yml", 13, "duplicate display id 'entrance'", "give each one its own id"
    )


def test_duplicate_tour_ids(room: Path) -> None:
    (room / "content" / ROOM).write_text(
        (room / "content" / ROOM).read_text(encoding="utf-8")
        + "  - id: meet\n    title: Again\n    items: [persona/raj]\n",
        encoding="utf-8",
    )
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/room.yml", 22, "duplicate tour id 'meet'", "give each one its own id"
    )


def test_consent_yml_and_yaml_with_the_same_id(room: Path, snapshot: Snapshot) -> None:
    consent = room / "content" / "consent"
    shutil.copy(consent / "c-001.yml", consent / "c-001.yaml")
    library, problems = planted(room, snapshot)
    assert only(problems) == Problem(
        "content/consent/c-001.yml",
        None,
        "a second consent record with the id 'c-001'",
        "keep one of the .yml and .yaml files",
    )
    assert_rest_loads(library)


# -- media ----------------------------------------------------------------------------


def test_missing_media_file(room: Path, snapshot: Snapshot) -> None:
    (room / "content/stories/p07/interview.m4a").unlink()
    library, problems = planted(room, snapshot)
    # The highlight is not blamed for "no recording": the recording is named, just absent.
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        8,
        "'interview.m4a' does not exist",
        "add the file beside index.md or fix the name",
        field="recording",
    )
    assert_rest_loads(library)
    assert library.stories["p07"].recording is None


def test_misspelt_media_file_suggests_the_one_present(room: Path) -> None:
    edit(room, MAYA, "src: portrait.jpg", "src: portrait.jpeg")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        4,
        "'portrait.jpeg' does not exist",
        "did you mean 'portrait.jpg'?",
        field="portrait.src",
    )
    assert library.personas["maya"].portrait is None


def test_media_path_that_is_a_folder(room: Path) -> None:
    (room / "content/personas/maya/portrait.jpg").unlink()
    (room / "content/personas/maya/portrait.jpg").mkdir()
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        4,
        "'portrait.jpg' is a folder, not a file",
        "name the file inside this item's folder",
        field="portrait.src",
    )


def test_media_path_outside_the_bundle(room: Path, snapshot: Snapshot) -> None:
    edit(room, MAYA, "src: portrait.jpg", "src: ../../x.jpg")
    library, problems = planted(room, snapshot)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        4,
        "'../../x.jpg' points outside this item's folder",
        "copy the file into this item's folder and write its name",
        field="portrait.src",
    )
    assert_rest_loads(library)
    assert library.personas["maya"].portrait is None


def test_media_path_outside_content(room: Path) -> None:
    edit(room, MAYA, "src: portrait.jpg", "src: ../../../../../../etc/passwd.jpg")
    _, problems = planted(room)
    assert only(problems).message == ("'../../../../../../etc/passwd.jpg' points outside content/")


@pytest.mark.parametrize(
    ("src", "message", "hint"),
    [
        (
            "/etc/x.jpg",
            "'/etc/x.jpg' is not a path inside this item's folder",
            "put the file beside index.md and write its name",
        ),
        (
            "C:/photos/x.jpg",
            "'C:/photos/x.jpg' is not a path inside this item's folder",
            "put the file beside index.md and write its name",
        ),
        (
            "https://example.org/x.jpg",
            "'https://example.org/x.jpg' points to another site",
            "download the file into this item's folder and write its name",
        ),
        (
            "index.md",
            "'index.md' is not a supported file type",
            "use one of: .bmp, .gif, .heic, .heif, .jpeg, .jpg, .png, .tif, .tiff, .webp",
        ),
    ],
)
def test_media_paths_that_are_not_photos_here(
    room: Path, src: str, message: str, hint: str
) -> None:
    edit(room, MAYA, "src: portrait.jpg", f'src: "{src}"')
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/personas/maya/index.md", 4, message, hint, field="portrait.src"
    )
    assert_rest_loads(library)


# -- symlinks -----------------------------------------------------------------------------


def test_bundle_folder_that_links_outside_content(
    room: Path, tmp_path: Path, snapshot: Snapshot
) -> None:
    outside = tmp_path / "outside"
    write(outside / "index.md", "---\nname: Intruder SECRET-OUTSIDE\n---\n")
    os.symlink(outside, room / "content/personas/evil", target_is_directory=True)
    library, problems = planted(room, snapshot)
    assert only(problems) == Problem(
        "content/personas/evil",
        None,
        "this is a link to a place outside content/",
        "copy the real files into content/ instead of linking to them",
    )
    assert_rest_loads(library)
    assert all(p.name != "Intruder SECRET-OUTSIDE" for p in library.personas.values())


def test_media_file_that_links_outside_content(room: Path, tmp_path: Path) -> None:
    secret = jpeg_with_gps(tmp_path / "outside" / "secret.jpg")
    portrait = room / "content/personas/maya/portrait.jpg"
    portrait.unlink()
    os.symlink(secret, portrait)
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        4,
        "'portrait.jpg' points outside content/",
        "copy the file into this item's folder and write its name",
        field="portrait.src",
    )
    assert_rest_loads(library)
    assert library.personas["maya"].portrait is None


def test_index_md_that_links_outside_content(room: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside" / "index.md"
    outside.parent.mkdir()
    shutil.move(room / "content" / MAYA, outside)
    os.symlink(outside, room / "content" / MAYA)
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        None,
        "this is a link to a place outside content/",
        "copy the real files into content/ instead of linking to them",
    )
    assert_rest_loads(library, {"persona": {"maya"}})


def test_room_yml_that_links_outside_content(room: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside" / "room.yml"
    outside.parent.mkdir()
    shutil.move(room / "content" / ROOM, outside)
    os.symlink(outside, room / "content" / ROOM)
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/room.yml",
        None,
        "this is a link to a place outside content/",
        "copy the real files into content/ instead of linking to them",
    )
    assert_rest_loads(library, room=False)


def test_consent_record_that_links_outside_content(room: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside" / "c-009.yml"
    outside.parent.mkdir()
    shutil.copy(room / "content" / C001, outside)
    os.symlink(outside, room / "content/consent/c-009.yml")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/consent/c-009.yml",
        None,
        "this is a link to a place outside content/",
        "copy the real files into content/ instead of linking to them",
    )
    assert_rest_loads(library)


def test_media_symlink_loop(room: Path) -> None:
    os.symlink("loop.jpg", room / "content/personas/maya/loop.jpg")
    edit(room, MAYA, "src: portrait.jpg", "src: loop.jpg")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        4,
        "'loop.jpg' cannot be resolved (a symlink loop?)",
        "replace it with the real file",
        field="portrait.src",
    )


def test_symlink_inside_content_to_another_bundle(room: Path) -> None:
    os.symlink(room / "content/personas/maya/portrait.jpg", room / "content/stories/p07/maya.jpg")
    edit(room, P07, "(kitchen.jpg)", "(maya.jpg)")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        15,
        "'maya.jpg' points outside this item's folder",
        "copy the file into this item's folder and write its name",
        field="body",
    )


# -- files and folders ------------------------------------------------------------------


def test_non_utf8_index_md(room: Path, snapshot: Snapshot) -> None:
    path = room / "content" / MAYA
    path.write_bytes(path.read_bytes().replace(b"Young families", b"Young f\xe9milies"))
    library, problems = planted(room, snapshot)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        3,
        "the file is not UTF-8 text",
        "save it as UTF-8 in your editor (File > Save with encoding)",
    )
    assert_rest_loads(library, {"persona": {"maya"}})


def test_windows_line_endings_and_bom_load_with_the_same_lines(room: Path) -> None:
    path = room / "content" / MAYA
    text = path.read_text(encoding="utf-8").replace("segment:", "segmnt:")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    library, problems = planted(room)
    assert (only(problems).line, only(problems).message) == (3, "unknown field 'segmnt'")
    assert library.personas["maya"].body == "Maya is a *mother* of two who plans everything.\n"


def test_empty_index_md(room: Path, snapshot: Snapshot) -> None:
    (room / "content" / MAYA).write_text("", encoding="utf-8")
    library, problems = planted(room, snapshot)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        1,
        "the file is empty",
        "start it with a '---' line, the YAML fields, and a closing '---'; "
        "`immersion new` writes a complete example",
    )
    assert_rest_loads(library, {"persona": {"maya"}})


def test_index_md_without_front_matter(room: Path) -> None:
    (room / "content" / MAYA).write_text("Maya is a mother of two.\n", encoding="utf-8")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        1,
        "the file does not start with YAML front matter",
        "make the first line '---', then the fields, then a closing '---'",
    )
    assert_rest_loads(library, {"persona": {"maya"}})


def test_index_md_with_unclosed_front_matter(room: Path) -> None:
    edit(room, MAYA, "tags: [families]\n---\n", "tags: [families]\n")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        1,
        "the front matter is never closed",
        "add a line with just '---' after the last field",
    )
    assert_rest_loads(library, {"persona": {"maya"}})


def test_folder_without_index_md(room: Path, snapshot: Snapshot) -> None:
    jpeg_with_gps(room / "content/personas/sam/portrait.jpg")
    library, problems = planted(room, snapshot)
    assert only(problems) == Problem(
        "content/personas/sam",
        None,
        "this folder has no index.md",
        "run `immersion new persona sam` to write one",
    )
    assert_rest_loads(library)


def test_invalid_folder_id(room: Path, snapshot: Snapshot) -> None:
    write(room / "content/personas/Maya Smith/index.md", "---\nname: Maya Smith\n---\n")
    library, problems = planted(room, snapshot)
    assert only(problems) == Problem(
        "content/personas/Maya Smith",
        None,
        "'Maya Smith' is not a valid id",
        "rename it to 'maya-smith' (lower-case letters, digits, '-' and '_')",
    )
    assert_rest_loads(library)


def test_invalid_consent_file_name(room: Path) -> None:
    shutil.copy(room / "content" / C001, room / "content/consent/C 1.yml")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/consent/C 1.yml",
        None,
        "'C 1' is not a valid id",
        "rename it to 'c-1' (lower-case letters, digits, '-' and '_')",
    )
    assert_rest_loads(library)


def test_loose_file_and_unknown_folder(room: Path) -> None:
    write(room / "content/stories/notes.md", "notes\n")
    (room / "content/persona").mkdir()
    library, problems = planted(room)
    assert sorted(problems) == [
        Problem("content/persona", None, "unknown folder 'persona'", "did you mean 'personas'?"),
        Problem(
            "content/stories/notes.md",
            None,
            "a loose file in stories/",
            "each item is a folder: stories/<id>/index.md",
        ),
    ]
    assert_rest_loads(library)


def test_missing_room_yml(room: Path) -> None:
    (room / "content" / ROOM).unlink()
    library, problems = planted(room)
    # Without the room, its tours and displays are unknown; the items all load.
    assert only(problems) == Problem(
        "content/room.yml",
        None,
        "room.yml is missing",
        "create content/room.yml with the room's name and displays "
        "(`immersion init` writes an example)",
    )
    assert_rest_loads(library, room=False)


def test_no_content_folder(tmp_path: Path) -> None:
    library, problems = load(Project(tmp_path), TODAY)
    assert problems == [
        Problem(
            "content",
            None,
            "there is no content/ folder here",
            "run the command in a room project, or start one with `immersion init`",
        )
    ]
    assert library.counts() == dict.fromkeys(m.ITEM_KINDS, 0)


# -- room.yml --------------------------------------------------------------------------


def test_playlist_names_a_missing_item(room: Path, snapshot: Snapshot) -> None:
    edit(
        room,
        ROOM,
        "items: [persona/maya, story/p07, story/old]",
        "items: [persona/maya, story/p99, story/old]",
    )
    library, problems = planted(room, snapshot)
    assert only(problems) == Problem(
        "content/room.yml",
        17,
        "no story 'p99' for the playlist item 'story/p99'",
        "known: letter, old, p07",
        field="displays[1].playlist.items[1]",
    )
    assert_rest_loads(library)


def test_tour_item_of_an_unknown_kind(room: Path) -> None:
    edit(
        room,
        ROOM,
        "items: [persona/maya, journey/moving-home",
        "items: [persna/maya, journey/moving-home",
    )
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/room.yml",
        21,
        "unknown kind 'persna' in 'persna/maya'",
        "did you mean 'persona'?",
        field="tours[0].items[0]",
    )
    assert_rest_loads(library)


def test_playlist_item_without_a_kind(room: Path) -> None:
    edit(room, ROOM, "items: [persona/maya, story/p07, story/old]", "items: [maya]")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/room.yml",
        17,
        "'maya' is not a valid reference",
        "write it as kind/id, e.g. persona/maya",
        field="displays[1].playlist.items[0]",
    )


def test_playlist_with_both_tour_and_items(room: Path) -> None:
    edit(room, ROOM, "playlist: {tour: meet}", "playlist: {tour: meet, items: [persona/maya]}")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/room.yml",
        10,
        "display 'entrance' needs exactly one of tour, items or kind in its playlist "
        "(found tour, items)",
        "for example playlist: {tour: meet-our-customers}",
        field="displays[0].playlist",
    )
    assert_rest_loads(library)


def test_playlist_names_an_unknown_tour(room: Path) -> None:
    edit(room, ROOM, "playlist: {tour: meet}", "playlist: {tour: meat}")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/room.yml",
        10,
        "no tour 'meat'",
        "did you mean 'meet'?",
        field="displays[0].playlist.tour",
    )


def test_invalid_timezone(room: Path, snapshot: Snapshot) -> None:
    edit(room, ROOM, "timezone: Europe/London", "timezone: Europe/Londn")
    library, problems = planted(room, snapshot)
    assert only(problems) == Problem(
        "content/room.yml",
        2,
        "'Europe/Londn' is not a known time zone",
        "did you mean 'Europe/London'?",
        field="timezone",
    )
    assert_rest_loads(library)


@pytest.mark.parametrize("zone", ["../../etc/passwd", "Mars/Olympus", "''", "/tmp"])
def test_timezone_that_is_no_zone_at_all(room: Path, zone: str) -> None:
    edit(room, ROOM, "timezone: Europe/London", f"timezone: {zone}")
    _, problems = planted(room)
    problem = only(problems)
    assert (problem.line, problem.field) == (2, "timezone")
    assert problem.message.endswith("is not a known time zone")


def test_opening_hours_out_of_range(room: Path) -> None:
    edit(room, ROOM, 'close: "19:00"', "close: 25:00")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/room.yml",
        3,
        "expected a time of day, found '25:00'",
        'write it in quotes as "HH:MM", for example "08:00"',
        field="opening_hours.close",
    )


def test_resolution_needs_two_numbers(room: Path) -> None:
    edit(room, ROOM, "resolution: [1920, 1080]", "resolution: [1920]")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/room.yml",
        9,
        "expected [width, height]",
        "for example [1920, 1080]",
        field="displays[0].resolution",
    )


# -- warnings and notes --------------------------------------------------------------------


def test_missing_alt_text_is_a_warning(room: Path, snapshot: Snapshot) -> None:
    edit(room, MAYA, ', alt: "Maya at her kitchen table"', "")
    library, problems = planted(room, snapshot)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        4,
        "the photo 'portrait.jpg' has no alt text",
        'describe what it shows, for people who cannot see it: alt: "..."',
        Severity.WARNING,
        "portrait",
    )
    assert_rest_loads(library)
    assert library.personas["maya"].portrait is not None


def test_missing_alt_text_of_an_inline_photo_names_its_line(room: Path) -> None:
    edit(
        room,
        P07,
        "Leah moved in March. ![Leah's kitchen](kitchen.jpg)",
        "Leah moved.\n\n![](kitchen.jpg)",
    )
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        17,
        "the photo 'kitchen.jpg' has no alt text",
        "write it as ![what it shows](file.jpg)",
        Severity.WARNING,
        "body",
    )


def test_missing_alt_text_of_a_frame_names_the_frame(room: Path) -> None:
    bundle = room / "content/stories/film"
    jpeg_with_gps(bundle / "01.jpg")
    jpeg_with_gps(bundle / "02.jpg")
    write(
        bundle / "index.md",
        """
        ---
        kind: photo-film
        title: A day
        participant: {pseudonym: Leah, consent: c-001}
        frames:
          - {src: 01.jpg, alt: "A kitchen"}
          - {src: 02.jpg, caption: "Later"}
        ---
        """,
    )
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/stories/film/index.md",
        7,
        "the frame '02.jpg' has no alt text",
        'describe what it shows: alt: "..."',
        Severity.WARNING,
        "frames[1].alt",
    )
    assert "film" in library.stories


def test_recording_without_transcript_is_a_warning(room: Path) -> None:
    edit(room, P07, "transcript: interview.vtt\n", "")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        8,
        "the recording 'interview.m4a' has no transcript",
        "add a WebVTT transcript beside it and name it in transcript:",
        Severity.WARNING,
        "recording",
    )
    assert_rest_loads(library)


def test_consent_expiring_within_30_days_is_a_warning(room: Path) -> None:
    edit(room, C001, "expires: 2027-09-12", "expires: 2026-12-10")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/consent/c-001.yml",
        3,
        "consent expires in 18 day(s), on 2026-12-10",
        "renew it, or plan to take their stories out of the room",
        Severity.WARNING,
        "expires",
    )
    assert_rest_loads(library)


@pytest.mark.parametrize(("expires", "warned"), [("2026-12-22", True), ("2026-12-23", False)])
def test_consent_expiry_warning_starts_30_days_ahead(
    room: Path, expires: str, warned: bool
) -> None:
    edit(room, C001, "expires: 2027-09-12", f"expires: {expires}")
    _, problems = planted(room)
    assert bool(problems) is warned


def test_expired_consent_is_a_note(room: Path) -> None:
    edit(room, C001, "expires: 2027-09-12", "expires: 2026-11-01")
    library, problems = planted(room)
    problem = only(problems)
    assert problem == Problem(
        "content/consent/c-001.yml",
        3,
        "consent expired on 2026-11-01: everything of Leah is left out of every build",
        "renew the consent or delete their stories",
        Severity.NOTE,
        "expires",
    )
    assert not problem.is_error
    # The loader keeps the story: leaving it out is the audience filter's job.
    assert_rest_loads(library)


def test_withdrawn_consent_is_a_note(room: Path) -> None:
    edit(room, C001, "expires: 2027-09-12", "expires: 2027-09-12\nwithdrawn: 2026-10-01")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/consent/c-001.yml",
        4,
        "consent withdrawn on 2026-10-01: everything of Leah is left out of every build",
        "delete their stories from content/ when you can",
        Severity.NOTE,
        "withdrawn",
    )


def test_consent_that_expires_before_it_was_signed(room: Path) -> None:
    edit(room, C001, "expires: 2027-09-12", "expires: 2026-03-01")
    _, problems = planted(room)
    assert (
        Problem(
            "content/consent/c-001.yml",
            3,
            "the consent expires before it was signed",
            "expires (2026-03-01) must come after signed (2026-03-12): correct the one "
            "that was mistyped (until then nothing of Leah is shown)",
            field="expires",
        )
        in problems
    )


def test_consent_withdrawn_before_it_was_signed(room: Path) -> None:
    edit(room, C001, "expires: 2027-09-12", "expires: 2027-09-12\nwithdrawn: 2026-03-01")
    library, problems = planted(room)
    assert (
        Problem(
            "content/consent/c-001.yml",
            4,
            "the consent is withdrawn before it was signed",
            "withdrawn (2026-03-01) must be on or after signed (2026-03-12): correct the "
            "one that was mistyped (until then nothing of Leah is shown)",
            field="withdrawn",
        )
        in problems
    )
    # Fail closed: the record is never valid, on no day at all.
    consent = library.consents["c-001"]
    assert not any(consent.valid_on(dt.date(2026, 1, 1) + dt.timedelta(days=d)) for d in range(900))


def test_withdrawal_in_the_future_is_a_note_and_counts_from_its_date(room: Path) -> None:
    edit(room, C001, "expires: 2027-09-12", "expires: 2027-09-12\nwithdrawn: 2026-12-01")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/consent/c-001.yml",
        4,
        "consent withdrawn from 2026-12-01: everything of Leah is left out of every "
        "build from that day",
        "rebuild on that day (`immersion schedule` prints a nightly job)",
        Severity.NOTE,
        "withdrawn",
    )
    consent = library.consents["c-001"]
    assert consent.valid_on(dt.date(2026, 11, 30))
    assert not consent.valid_on(dt.date(2026, 12, 1))
    assert not consent.valid_on(dt.date(2027, 1, 1))


def test_persona_not_reviewed_in_12_months_is_a_warning(room: Path) -> None:
    edit(room, MAYA, "reviewed: 2026-10-01", "reviewed: 2025-11-21")
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        12,
        "persona 'Maya' needs review (last reviewed 2025-11-21)",
        "check it against recent research and set reviewed: to today",
        Severity.WARNING,
        "reviewed",
    )
    assert_rest_loads(library)


def test_persona_reviewed_exactly_12_months_ago_is_fine(room: Path) -> None:
    edit(room, MAYA, "reviewed: 2026-10-01", "reviewed: 2025-11-22")
    _, problems = planted(room)
    assert problems == []


def test_persona_never_reviewed(room: Path) -> None:
    edit(room, MAYA, "reviewed: 2026-10-01\n", "")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/personas/maya/index.md",
        None,
        "persona 'Maya' needs review (never reviewed)",
        "check it against recent research and set reviewed: to today",
        Severity.WARNING,
        "reviewed",
    )


def test_story_audiences_wider_than_its_consent(room: Path) -> None:
    edit(
        room, "stories/letter/index.md", "from: Priya", "audiences: [kiosk, intranet]\nfrom: Priya"
    )
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/stories/letter/index.md",
        5,
        "audiences ['kiosk'] are wider than consent 'c-003' allows (['intranet'])",
        "the story is shown only where both allow it; narrow audiences:",
        Severity.WARNING,
        "audiences",
    )


# -- HTML and script in text -------------------------------------------------------------


def test_html_and_script_in_text_fields_load_as_plain_text(room: Path, snapshot: Snapshot) -> None:
    script = "<script>alert('x')</script>"
    edit(room, MAYA, "name: Maya", f'name: "Maya {script}"')
    edit(room, MAYA, "I just want one number I can trust.", "<b>bold</b> & <i onmouseover=x>")
    edit(room, MAYA, "Maya is a *mother*", f"{script}<iframe src=x></iframe> Maya is a *mother*")
    edit(room, P07, 'title: "Leah on moving home"', 'title: "<img src=x onerror=alert(1)>"')
    edit(room, P07, "![Leah's kitchen]", '![<script>alert("alt")</script>]')
    library, problems = planted(room, snapshot)
    # The markup is not what Leah said, and that is the only thing wrong with it.
    assert [p.message for p in problems] == ["the quote is not what was said at p07#hl-1"]
    maya = library.personas["maya"]
    assert maya.name == f"Maya {script}"
    assert maya.quote is not None
    assert maya.quote.text == "<b>bold</b> & <i onmouseover=x>"
    assert maya.body.startswith(f"{script}<iframe src=x></iframe> Maya")
    p07 = library.stories["p07"]
    assert p07.title == "<img src=x onerror=alert(1)>"
    assert [i.alt for i in p07.inline_images] == ['<script>alert("alt")</script>']


def test_html_in_a_consent_pseudonym_and_room_name(room: Path) -> None:
    edit(room, C001, "participant: Leah", 'participant: "<svg onload=alert(1)>"')
    edit(room, ROOM, "name: Test Room", 'name: "</title><script>x()</script>"')
    library, problems = planted(room)
    assert problems == []
    assert library.consents["c-001"].participant == "<svg onload=alert(1)>"
    assert library.room.name == "</title><script>x()</script>"


# -- photos in a story body ------------------------------------------------------------------


def test_inline_photo_that_does_not_exist_names_the_body_line(
    room: Path, snapshot: Snapshot
) -> None:
    edit(
        room,
        P07,
        "Leah moved in March. ![Leah's kitchen](kitchen.jpg)",
        "Leah moved in March.\n\nShe sent a photo:\n\n![The garden](garden-view.png)",
    )
    library, problems = planted(room, snapshot)
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        19,
        "'garden-view.png' does not exist",
        "add the file beside index.md or fix the name",
        field="body",
    )
    assert_rest_loads(library)
    assert library.stories["p07"].inline_images == ()


def test_inline_photo_misspelt_suggests_the_file(room: Path) -> None:
    edit(room, P07, "(kitchen.jpg)", "(kitchn.jpg)")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        15,
        "'kitchn.jpg' does not exist",
        "did you mean 'kitchen.jpg'?",
        field="body",
    )


def test_inline_photo_from_another_site(room: Path) -> None:
    edit(room, P07, "(kitchen.jpg)", "(https://example.org/k.jpg)")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        15,
        "the photo 'https://example.org/k.jpg' is not in this item's folder",
        "download it into the folder and write its file name",
        field="body",
    )


def test_inline_photo_outside_the_bundle(room: Path) -> None:
    edit(room, P07, "(kitchen.jpg)", "(../../personas/maya/portrait.jpg)")
    _, problems = planted(room)
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        15,
        "'../../personas/maya/portrait.jpg' points outside this item's folder",
        "copy the file into this item's folder and write its name",
        field="body",
    )


def test_photos_written_in_backticks_are_still_photos(room: Path) -> None:
    # Bodies have no code spans (see bodytext.py): what looks like a photo is one.
    edit(
        room,
        P07,
        "Leah moved in March. ![Leah's kitchen](kitchen.jpg)",
        "To add a photo write `![alt](photo.jpg)` in the text.\n",
    )
    _, problems = planted(room)
    problem = only(problems)
    assert (problem.line, problem.message) == (15, "'photo.jpg' does not exist")


def test_a_missing_photo_after_a_code_block_keeps_its_line(room: Path) -> None:
    edit(
        room,
        P07,
        "Leah moved in March. ![Leah's kitchen](kitchen.jpg)",
        "Some text.\n\n![Porch](nothere.jpg)\n",
    )
    _, problems = planted(room)
    problem = only(problems)
    assert (problem.line, problem.message) == (17, "'nothere.jpg' does not exist")


# -- all problems together --------------------------------------------------------------------


def test_all_problems_are_reported_together(room: Path, snapshot: Snapshot) -> None:
    edit(room, MAYA, "segment: Young families", "segmnt: Young families")
    edit(room, JOURNEY, "emotion: -2", "emotion: 7")
    edit(room, ROOM, "timezone: Europe/London", "timezone: Europe/Londn")
    library, problems = planted(room, snapshot)
    assert sorted((p.path, p.line, p.message) for p in problems) == [
        ("content/journeys/moving-home/index.md", 13, "7 is out of range"),
        ("content/personas/maya/index.md", 3, "unknown field 'segmnt'"),
        ("content/room.yml", 2, "'Europe/Londn' is not a known time zone"),
    ]
    assert_rest_loads(library)


def test_problems_of_every_level_in_one_run(room: Path) -> None:
    (room / "content" / P07).write_text("", encoding="utf-8")  # file level
    edit(room, MAYA, "goals: [Move without surprises]", "goals: [Move")  # YAML level
    edit(room, INSIGHT, "personas: [maya]", "personas: [raj, nobody]")  # reference level
    edit(room, C001, "expires: 2027-09-12", "expires: 2026-12-01")  # warning
    library, problems = planted(room)
    assert sorted((p.path, p.line, p.severity) for p in problems) == [
        ("content/consent/c-001.yml", 3, Severity.WARNING),
        ("content/insights/quotes-confuse/index.md", 5, Severity.ERROR),
        ("content/personas/maya/index.md", 7, Severity.ERROR),
        ("content/stories/p07/index.md", 1, Severity.ERROR),
    ]
    assert_rest_loads(library, {"persona": {"maya"}, "story": {"p07"}})


# -- robustness: arbitrary input never raises -----------------------------------------------

FIELD_NAMES = sorted(
    {
        *formats.CONSENT_FIELDS,
        *formats.PERSONA_FIELDS,
        *formats.STAGE_FIELDS,
        *formats.JOURNEY_FIELDS,
        *formats.COMMON_STORY_FIELDS,
        *(name for fields in formats.STORY_KIND_FIELDS.values() for name in fields),
        *formats.INSIGHT_FIELDS,
        *formats.ACTION_FIELDS,
        *formats.PLAYLIST_FIELDS,
        *formats.DISPLAY_FIELDS,
        *formats.ROOM_FIELDS,
        *("src", "alt", "text", "pseudonym", "persona", "consent", "start", "end", "open"),
        *("close", "functional", "emotional", "recorded", "mood", "caption", "seconds", "at"),
    }
)
KINDS = ["interview", "audio-diary", "photo-film", "email", "story", "nonsense"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.sampled_from(
        ["p07#hl-1", "persona/maya", "maya", "kitchen.jpg", "../x.jpg", "c-001", "12:04", ""]
    ),
    st.sampled_from(KINDS),
    st.text(max_size=20),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=20,
)
documents = st.dictionaries(st.sampled_from(FIELD_NAMES), values, max_size=8)


def no_invalid_inside(value: object, where: str = "library") -> None:
    """The schema's INVALID marker never leaks into a loaded item."""
    assert value is not INVALID, where
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            no_invalid_inside(getattr(value, f.name), f"{where}.{f.name}")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            no_invalid_inside(item, f"{where}[{key!r}]")
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            no_invalid_inside(item, f"{where}[{index}]")


def assert_only_problems(room: Path) -> None:
    library, problems = load(Project(room), TODAY)
    assert isinstance(library, m.Library)
    no_invalid_inside(library)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.path.startswith("content")
        assert problem.line is None or problem.line >= 1
        assert problem.message
        problem.format()


ROBUST = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@ROBUST
@given(text=st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
def test_arbitrary_text_as_index_md_never_raises(room: Path, text: str) -> None:
    (room / "content" / P07).write_bytes(text.encode("utf-8", "surrogatepass"))
    assert_only_problems(room)


@ROBUST
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_as_room_yml_never_raise(room: Path, data: bytes) -> None:
    (room / "content" / ROOM).write_bytes(data)
    assert_only_problems(room)


@ROBUST
@given(text=st.text(max_size=300))
def test_arbitrary_text_as_room_yml_never_raises(room: Path, text: str) -> None:
    (room / "content" / ROOM).write_text(text, encoding="utf-8")
    assert_only_problems(room)


@ROBUST
@given(meta=documents, kind=st.sampled_from(KINDS), body=st.text(max_size=60))
def test_arbitrary_fields_in_a_story_never_raise(
    room: Path, meta: dict[str, object], kind: str, body: str
) -> None:
    meta = {"kind": kind, **meta}
    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body
    (room / "content" / P07).write_text(text, encoding="utf-8")
    assert_only_problems(room)


@ROBUST
@given(meta=documents)
def test_arbitrary_fields_in_a_persona_journey_and_room_never_raise(
    room: Path, meta: dict[str, object]
) -> None:
    dumped = yaml.safe_dump(meta, allow_unicode=True)
    for rel in (MAYA, JOURNEY):
        (room / "content" / rel).write_text(f"---\n{dumped}---\nbody\n", encoding="utf-8")
    (room / "content" / ROOM).write_text(dumped, encoding="utf-8")
    (room / "content" / C001).write_text(dumped, encoding="utf-8")
    assert_only_problems(room)


def test_inline_photo_forms(room: Path) -> None:
    shutil.copy(room / "content/stories/p07/kitchen.jpg", room / "content/stories/p07/my photo.jpg")
    edit(
        room,
        P07,
        "Leah moved in March. ![Leah's kitchen](kitchen.jpg)",
        "Leah moved in March. ![Leah's kitchen](kitchen.jpg)\n\n"
        "![The hall](<my photo.jpg>) and \\![not a photo](nowhere.jpg)\n\n![by reference][k]",
    )
    library, problems = planted(room)
    assert only(problems) == Problem(
        "content/stories/p07/index.md",
        19,
        "the photo '![by reference][k]' is written as a reference",
        "write it inline as ![what it shows](file.jpg)",
        field="body",
    )
    assert [i.src.src for i in library.stories["p07"].inline_images] == [
        "kitchen.jpg",
        "my photo.jpg",
    ]


@pytest.mark.parametrize("character", ["\\x80", "\\ud800", "\\x1b"])
def test_invisible_characters_in_text_are_named(room: Path, character: str) -> None:
    edit(room, P07, 'title: "Leah on moving home"', f'title: "Leah{character} on moving"')
    _, problems = planted(room)
    problem = only(problems)
    code = int(character[2:], 16)
    assert (problem.line, problem.field) == (3, "title")
    assert problem.message == f"the text contains the invisible character U+{code:04X}"
