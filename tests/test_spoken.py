"""What was said: transcripts checked against highlights, the interviewer, quotes and durations."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

from conftest import TODAY, write

from immersion import model as m
from immersion.commands import build
from immersion.load import load
from immersion.problems import Problem, Severity
from immersion.project import Project
from immersion.spoken import check_durations

P07 = "content/stories/p07/index.md"
MAYA = "content/personas/maya/index.md"


def edit(room: Path, rel: str, old: str, new: str) -> None:
    path = room / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new))


def problems_of(room: Path) -> list[Problem]:
    """Problems, without the two the room is made with (an expired consent, a stale persona)."""
    _library, problems = load(Project(room), TODAY)
    return [p for p in problems if p.field not in ("expires", "reviewed")]


def test_the_room_as_made_has_nothing_to_say(room: Path) -> None:
    assert problems_of(room) == []


def test_a_highlight_over_the_interviewer_is_an_error(room: Path) -> None:
    edit(room, P07, 'start: "00:00:01.500"', 'start: "00:00:00.200"')
    assert problems_of(room) == [
        Problem(
            P07,
            12,
            "highlight 'hl-1' (0:00–0:03) quotes the interviewer Sam (interview.vtt line 3)",
            "a quote is the customer's own words: move its start or end off the interviewer's line",
            Severity.ERROR,
            "highlights[0]",
        )
    ]


def test_a_highlight_between_lines_covers_nothing(room: Path) -> None:
    write(
        room / "content/stories/p07/interview.vtt",
        """
        WEBVTT

        00:00:00.000 --> 00:00:01.000
        <v Sam>How did the move go?

        00:00:03.500 --> 00:00:04.000
        <v Leah>Fine.
        """,
    )
    # Maya's quote is no longer in the transcript either; only the highlight matters here.
    messages = [p.message for p in problems_of(room) if p.path == P07]
    assert messages == ["highlight 'hl-1' (0:01–0:03) covers no line of interview.vtt"]


def test_an_interviewer_who_never_speaks_is_probably_misspelt(room: Path) -> None:
    edit(room, P07, "interviewer: Sam", "interviewer: Sma")
    assert problems_of(room) == [
        Problem(
            P07,
            10,
            "the interviewer 'Sma' never speaks in interview.vtt (speakers: Leah, Sam)",
            "did you mean 'Sam'?",
            Severity.WARNING,
            "interviewer",
        )
    ]


def test_a_transcript_without_speakers_cannot_protect_the_interviewer(room: Path) -> None:
    vtt = room / "content/stories/p07/interview.vtt"
    vtt.write_text(vtt.read_text().replace("<v Sam>", "").replace("<v Leah>", ""))
    [problem] = problems_of(room)
    assert problem.message == (
        "interview.vtt names no speakers, so the interviewer's lines cannot be told apart"
    )
    assert problem.severity is Severity.WARNING


def test_a_quote_must_be_what_was_said(room: Path) -> None:
    edit(room, MAYA, "I just want one number I can trust.", "I want one price I can trust.")
    [problem] = problems_of(room)
    assert problem.path == MAYA and problem.line == 5
    assert problem.message == "the quote is not what was said at p07#hl-1"
    assert problem.hint.startswith('quote the words as spoken: "Honestly, the quote form')
    assert problem.severity is Severity.WARNING


def test_case_punctuation_and_marked_cuts_are_fine(room: Path) -> None:
    edit(
        room,
        MAYA,
        '"I just want one number I can trust."',
        "'honestly -- the quote form... one NUMBER I can trust!'",
    )
    assert problems_of(room) == []


def test_a_cut_must_keep_the_order(room: Path) -> None:
    edit(
        room,
        MAYA,
        '"I just want one number I can trust."',
        '"one number I can trust … the quote form was a maze"',
    )
    assert [p.message for p in problems_of(room)] == ["the quote is not what was said at p07#hl-1"]


def test_parse_problems_of_a_transcript_name_its_file_and_line(room: Path) -> None:
    write(
        room / "content/stories/p07/interview.vtt",
        """
        WEBVTT

        00:00:00.000 --> 00:00:01.500
        <v Sam>How did the move go?

        00:00:01,500 --> 00:00:03.000
        <v Leah>Honestly, the quote form was a maze. I just want one number I can trust.
        """,
    )
    problems = problems_of(room)
    vtt = [p for p in problems if p.path == "content/stories/p07/interview.vtt"]
    assert [(p.line, p.severity) for p in vtt] == [(6, Severity.ERROR)]
    assert "00:00:01,500" in vtt[0].message


def test_lines_and_highlights_past_the_end_of_the_recording(room: Path) -> None:
    library, _problems = load(Project(room), TODAY)
    story = library.stories["p07"]
    assert story.recording is not None
    # The recording is 3 s; pretend it is 2 s long.
    found = check_durations(library, lambda ref: 2.0 if ref == story.recording else None, room)
    assert found == [
        Problem(
            "content/stories/p07/interview.vtt",
            6,
            "this line ends at 0:03, after the end of 'interview.m4a' (0:02)",
            "check that the transcript belongs to this recording",
        ),
        Problem(
            P07,
            12,
            "highlight 'hl-1' ends at 0:03, after the end of the recording (0:02)",
            "set its end inside the recording",
            field="highlights[0].end",
        ),
    ]
    assert check_durations(library, lambda ref: 3.0, room) == []


def test_the_build_checks_durations_it_measured(room: Path) -> None:
    edit(room, P07, 'end: "00:00:03.000"', 'end: "00:00:09.000"')
    vtt = room / "content/stories/p07/interview.vtt"
    vtt.write_text(
        vtt.read_text().replace("00:00:01.500 --> 00:00:03.000", "00:00:01.500 --> 00:00:09.000")
    )
    out = io.StringIO()
    assert build.run(room, today=TODAY, out=out) == 1
    text = out.getvalue()
    assert (
        "content/stories/p07/interview.vtt:6: error: this line ends at 0:09, after the end of "
        "'interview.m4a' (0:03)" in text
    )
    assert "highlight 'hl-1' ends at 0:09, after the end of the recording (0:03)" in text


def test_an_empty_transcript_is_a_warning_not_a_transcript(room: Path) -> None:
    (room / "content/stories/p07/interview.vtt").write_text("WEBVTT\n")
    messages = [(p.path, p.message, p.severity) for p in problems_of(room)]
    assert (
        "content/stories/p07/interview.vtt",
        "this transcript has no lines",
        Severity.WARNING,
    ) in messages
    assert all("the quote is not" not in message for _path, message, _s in messages)


def test_a_file_that_is_not_webvtt_is_one_problem(room: Path) -> None:
    (room / "content/stories/p07/interview.vtt").write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nHi\n"
    )
    problems = problems_of(room)
    assert [p.message for p in problems] == [
        "this is not a WebVTT file: the first line must be WEBVTT"
    ]


def test_a_hint_never_repeats_the_words_of_an_expired_story(room: Path) -> None:
    # Raj quotes the expired story `old`: the quote is wrong, and the hint must not say
    # what Olu said.
    edit(room, "content/personas/raj/index.md", "they never called back", "they rang twice")
    [problem] = [p for p in problems_of(room) if p.field == "quote.text"]
    assert problem.message == "the quote is not what was said at old#hl-1"
    assert problem.hint == "quote the words as spoken in the transcript"
    assert "maze" not in problem.format()


def test_frames_and_narration_must_end_together(room: Path) -> None:
    library, _problems = load(Project(room), TODAY)
    story = library.stories["p07"]
    film = dataclasses.replace(
        story,
        kind_of_story="photo-film",
        recording=None,
        highlights=(),
        frames=(m.Frame(story.inline_images[0].src, "", "a kitchen", 5.0),),
        narration=m.Narration(story.recording, None),
    )
    library = library.with_(stories={"p07": film})
    [problem] = check_durations(library, lambda ref: 3.0, room)
    assert problem.message == "the frames last 5.0 s but the narration 3.0 s"
    assert problem.severity is Severity.WARNING
    assert check_durations(library, lambda ref: 4.8, room) == []
