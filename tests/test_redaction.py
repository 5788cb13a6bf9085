"""`redact:` applied to the library (words) and planned for the media (spans)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TODAY

from immersion.audience import for_audience
from immersion.load import load
from immersion.media.keys import audio_keys, video_keys
from immersion.media.recipes import AudioRecipe, Clip, Redacted
from immersion.media.video import VideoRecipe, VideoWants
from immersion.problems import Problem, Severity
from immersion.project import Project
from immersion.redaction import Phrases, clip_spans, manifest, spans_by_source, story_spans

P07 = "content/stories/p07/index.md"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call 07700 900123 now", "Call [redacted] now"),
        ("call 07700\n   900123.", "call [redacted]."),  # across a line break
        ("LEAH SMITH's form", "[redacted]'s form"),
        ("Smithson and Smith", "Smithson and [redacted]"),  # whole words only
        ("Leah Smith, Smith", "[redacted], [redacted]"),  # the longer phrase whole
        ("+44 7700 900456", "[redacted]"),  # a phrase that starts with no word character
        ("a+44 7700 900456", "a+44 7700 900456"),
        ("nothing here", "nothing here"),
    ],
)
def test_phrases_replace_whole_words_in_any_case(text: str, expected: str) -> None:
    phrases = Phrases(["07700 900123", "Leah Smith", "Smith", "+44 7700 900456"])
    assert phrases.sub(text) == expected


def test_phrases_find_names_what_was_listed() -> None:
    phrases = Phrases(["Leah  Smith", "07700 900123", "leah smith"])
    assert phrases.phrases == ("07700 900123", "leah smith") or phrases.phrases == (
        "07700 900123",
        "Leah Smith",
    )
    assert phrases.find("hello LEAH\nSMITH") == [p for p in phrases.phrases if "eah" in p]
    assert phrases.find("Leah Smithers") == []
    assert not Phrases([]) and Phrases([]).sub("x") == "x"


def _redact(room: Path, entries: str) -> None:
    path = room / P07
    text = path.read_text()
    path.write_text(text.replace("tags: [moving]\n", f"tags: [moving]\nredact:\n{entries}"))


def test_the_view_has_every_text_redacted_and_the_library_keeps_the_words(room: Path) -> None:
    _redact(room, '  - {words: "one number"}\n  - {words: "Leah"}\n')
    library, problems = load(Project(room), TODAY)
    assert [p for p in problems if p.field == "redact"] == []
    view = for_audience(library, "intranet", TODAY)
    story = view.stories["p07"]
    assert story.title == "[redacted] on moving home"
    assert story.body.startswith("[redacted] moved in March.")
    script = view.transcript(story.transcript)
    assert script is not None
    assert "I just want [redacted] I can trust." in script.cues[1].text
    assert {c.voice for c in script.cues} == {"Sam", "[redacted]"}
    persona = view.personas["maya"]
    assert persona.quote is not None and persona.quote.text == "I just want [redacted] I can trust."
    # The phrases of one story reach what the others say too (Olu's story is left out here).
    assert "[redacted]" not in view.journeys["moving-home"].stages[0].doing
    # The loaded library, which the checks and the audit compare with, keeps the words.
    assert "Leah" in library.stories["p07"].body
    assert library.personas["maya"].quote.text == "I just want one number I can trust."  # type: ignore[union-attr]
    assert story.redact == library.stories["p07"].redact


def test_a_phrase_found_nowhere_is_a_note(room: Path) -> None:
    _redact(room, '  - {words: "Leah Smiht"}\n')
    library, problems = load(Project(room), TODAY)
    assert [p for p in problems if p.field == "redact"] == [
        Problem(
            P07,
            15,
            "'Leah Smiht' is to be redacted but occurs nowhere in this story",
            "check the spelling (it is matched as whole words, in any case); it is still "
            "applied to any later text",
            Severity.NOTE,
            "redact",
        )
    ]
    assert "p07" in library.stories


def test_words_with_the_span_where_they_are_said_are_both_applied(room: Path) -> None:
    # What `immersion transcribe` writes for personal data it heard.
    _redact(room, '  - {words: "Leah", start: 1, end: 2}\n')
    library, problems = load(Project(room), TODAY)
    assert [p for p in problems if p.is_error] == []
    story = library.stories["p07"]
    assert story.recording is not None
    assert story_spans(story)[story.recording.path].spans == ((1.0, 2.0, "blank"),)


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        ("{start: 2, end: 1}", "redact", "this time span ends before it starts"),
        ("{start: 2}", "redact", "this time span has no end"),
        ('{words: "Leah", start: 2, end: 1}', "redact", "this time span ends before it starts"),
        ("{why: nothing}", "redact", "this redaction names nothing"),
        ("{start: 1, end: 2, entry: day-1}", "redact", "there is no entry 'day-1' in this story"),
        (
            "{start: 1, end: 2, picture: blurry}",
            "redact[0].picture",
            "'blurry' is not allowed here",
        ),
    ],
)
def test_an_entry_the_build_cannot_apply_leaves_the_story_out(
    room: Path, entry: str, field: str, message: str
) -> None:
    _redact(room, f"  - {entry}\n")
    library, problems = load(Project(room), TODAY)
    errors = [p for p in problems if p.is_error]
    assert [(p.path, p.line, p.field, p.message) for p in errors] == [(P07, 15, field, message)]
    assert "p07" not in library.stories
    left = [p for p in problems if p.severity is Severity.NOTE and p.field == "redact"]
    assert [p.message for p in left] == [
        "story 'p07' is left out of both sites until its redact: list is fixed"
    ]
    if "picture" in field:
        assert "'blur'" in errors[0].hint, errors[0].hint


def test_spans_go_to_the_recording_they_are_in(room: Path) -> None:
    _redact(room, "  - {start: 2, end: 2.5, picture: blur}\n  - {start: 0.5, end: 1}\n")
    (room / P07).write_text(
        (room / P07).read_text().replace("tags: [moving]", "redact_sound: bleep")
    )
    library, _problems = load(Project(room), TODAY)
    found = spans_by_source(library)
    path = library.stories["p07"].recording.path  # type: ignore[union-attr]
    assert found == {path: Redacted(((0.5, 1.0, "blank"), (2.0, 2.5, "blur")), "bleep")}


def test_a_clip_gets_the_spans_inside_it_in_its_own_time() -> None:
    spans = Redacted(((1.0, 2.0, "blank"), (5.0, 9.0, "blank")), "silence")
    assert clip_spans(spans, 1.5, 6.0) == [(0.0, 0.5), (3.5, 4.5)]
    assert clip_spans(spans, 2.5, 4.0) == []
    listed = manifest(
        {"a.m4a": (spans, 0.0, None), "b-hl.m4a": (spans, 4.0, 6.0), "c": (spans, 3, 4)}
    )
    assert listed == {
        "files": {
            "a.m4a": {"sound": "silence", "spans": [[1.0, 2.0], [5.0, 9.0]]},
            "b-hl.m4a": {"sound": "silence", "spans": [[1.0, 2.0]]},
        }
    }


def test_spans_change_the_keys_only_of_a_recording_that_has_them() -> None:
    recipe, clips = AudioRecipe(), (Clip("hl-1", 1.0, 2.0),)
    plain = audio_keys(recipe, "sha", clips, "v")
    assert audio_keys(recipe, "sha", clips, "v", Redacted()) == plain
    one = audio_keys(recipe, "sha", clips, "v", Redacted(((1.0, 2.0, "blank"),)))
    other = audio_keys(recipe, "sha", clips, "v", Redacted(((1.0, 2.5, "blank"),)))
    bleep = audio_keys(recipe, "sha", clips, "v", Redacted(((1.0, 2.0, "blank"),), "bleep"))
    for name in plain:
        assert len({plain[name], one[name], other[name], bleep[name]}) == 4, name
    video, wants = VideoRecipe(), VideoWants(clips=clips)
    blank = video_keys(video, recipe, "sha", wants, 720, "v", Redacted(((1.0, 2.0, "blank"),)))
    blur = video_keys(video, recipe, "sha", wants, 720, "v", Redacted(((1.0, 2.0, "blur"),)))
    plain_video = video_keys(video, recipe, "sha", wants, 720, "v")
    assert plain_video == video_keys(video, recipe, "sha", wants, 720, "v", Redacted())
    for name in plain_video:  # the MP4s, the posters (moved clear of spans) and the clips
        assert len({plain_video[name], blank[name], blur[name]}) == 3, name
    assert blank["video.mp4"] != blur["video.mp4"]
