"""Timed words -> the draft WebVTT, personal data heard in it, word error rate (pure)."""

from __future__ import annotations

import itertools
import re

import pytest

from immersion.transcribe.draft import Draft, draft, heard
from immersion.transcribe.engine import Segment, Word
from immersion.transcribe.wer import wer
from immersion.transcripts import parse_vtt

TAG = re.compile(r"<(\d\d:\d\d:\d\d\.\d\d\d)>")


def seg(text: str, start: float, step: float = 0.3, speaker: str | None = None) -> Segment:
    words = text.split()
    return Segment(
        tuple(
            Word(w, start + i * step, start + i * step + step * 0.8) for i, w in enumerate(words)
        ),
        speaker,
    )


def made(*segments: Segment, duration: float = 60.0, voice: str | None = "Leah") -> Draft:
    return draft(segments, duration, voice, "faster-whisper", "tiny.en")


def test_the_draft_reads_back_as_the_products_webvtt() -> None:
    out = made(seg("We moved in March. The quote changed twice.", 0.5), seg("Yes.", 9.0))
    transcript, problems = parse_vtt(out.vtt, "x.vtt")
    assert problems == []
    assert [c.text for c in transcript.cues] == [
        "We moved in March.",
        "The quote changed twice.",
        "Yes.",
    ]
    assert {c.voice for c in transcript.cues} == {"Leah"}
    assert transcript.machine is not None
    assert (transcript.machine.engine, transcript.machine.model) == ("faster-whisper", "tiny.en")
    assert not transcript.machine.reviewed
    assert out.vtt.split("\n")[out.marker_line - 1].startswith("NOTE immersion: machine")
    # Marking it reviewed is one word on that line.
    reviewed, _ = parse_vtt(out.vtt.replace("reviewed=no", "reviewed=yes"), "x.vtt")
    assert reviewed.machine is not None and reviewed.machine.reviewed


def test_each_word_after_the_first_carries_its_time_inside_its_cue() -> None:
    out = made(seg("one two three four", 2.0))
    cue_line = out.vtt.split("\n")[out.cues[0].line - 1]
    times = [float(t[6:]) + 60 * int(t[3:5]) for t in TAG.findall(cue_line)]
    assert times == pytest.approx([2.3, 2.6, 2.9])
    assert out.cues[0].start < times[0] and times[-1] < out.cues[0].end


def test_a_long_run_of_words_is_split_into_readable_lines() -> None:
    out = made(seg(" ".join(f"w{i}" for i in range(40)), 0.0, step=0.25))
    assert len(out.cues) >= 3
    assert all(len(c.words) <= 16 and c.end - c.start <= 7.5 for c in out.cues)


def test_overlapping_engine_times_never_go_back_and_stay_in_the_recording() -> None:
    words = (Word("a", 1.0, 1.5), Word("b", 0.8, 1.2), Word("c", 1.5, 1.6), Word("d", 1.4, 9.0))
    out = made(Segment(words), Segment((Word("e.", 0.5, 0.6),)), duration=3.0)
    starts = [w.start for c in out.cues for w in c.words]
    assert starts == sorted(starts)
    assert all(c.end <= 3.0 for c in out.cues)
    assert [c.start for c in out.cues] == sorted(c.start for c in out.cues)
    assert parse_vtt(out.vtt, "x.vtt")[1] == []
    for cue in out.cues:  # timestamp tags strictly inside their cue, strictly rising
        tags = [float(t[6:]) for t in TAG.findall(out.vtt.split("\n")[cue.line - 1])]
        assert all(cue.start < t < cue.end for t in tags)
        assert all(a < b for a, b in itertools.pairwise(tags))
    assert "<00:00:01.500>d" not in out.vtt  # heard with "c": no tag of its own


def test_a_speaker_the_engine_knows_is_the_voice_and_words_are_never_markup() -> None:
    out = made(seg("<b>hi</b> & NOTE", 0.0, speaker="Sam"), seg("NOTE this.", 3.0), voice=None)
    transcript, problems = parse_vtt(out.vtt, "x.vtt")
    assert problems == []
    assert [(c.voice, c.text) for c in transcript.cues] == [
        ("Sam", "<b>hi</b> & NOTE"),
        (None, "NOTE this."),
    ]


def test_personal_data_heard_is_listed_with_its_line_and_its_span() -> None:
    out = made(
        seg("Hello there.", 0.0),
        seg("Write to leah@example.com or ring 0770 ,000, 100, 100 please.", 2.0),
        seg("I am Leah Smith.", 8.0),
    )
    found = heard(out.cues, 60.0, ("Leah Smith", "Smith"))
    by_why = {h.finding.why: h for h in found}
    email = by_why["e-mail address"]
    assert email.finding.words == "leah@example.com"
    assert email.finding.line == out.cues[1].line
    # "leah@example.com" is the 3rd word of the cue starting at 2.0 (0.3 s a word).
    assert email.start == pytest.approx(2.6 - 0.2) and email.end == pytest.approx(2.84 + 0.2)
    number = by_why["a long number said aloud"]
    assert number.finding.words == "0770 ,000, 100, 100"
    assert number.end - number.start == pytest.approx(0.3 * 3 + 0.24 + 0.4)
    assert by_why["real name"].finding.words == "Leah Smith"
    assert by_why["real name"].start == pytest.approx(8.6 - 0.2)


@pytest.mark.parametrize(
    ("said", "heard_", "rate"),
    [
        ("The quote changed twice.", "the quote changed twice", 0.0),
        ("The quote changed twice.", "the quote changed", 0.25),
        ("The quote changed twice.", "a quote changed twice twice", 0.5),
        ("Call 07700 900123.", "call 0770 0900 123", 0.0),
        ("", "", 0.0),
    ],
)
def test_word_error_rate(said: str, heard_: str, rate: float) -> None:
    assert wer(said, heard_) == pytest.approx(rate)


@pytest.mark.parametrize(
    ("note", "reviewed", "warned"),
    [
        ("NOTE immersion: machine transcript, engine=e, model=m, reviewed=yes", True, False),
        ("NOTE immersion: machine transcript, engine=e, model=m, reviewed=YES ", True, False),
        ("NOTE immersion: machine transcript, engine=e, model=m, reviewed=maybe", False, True),
        ("NOTE immersion: machine transcript, engine=e, model=m", False, True),
        ("NOTE immersion: machine transcript, " + "a" * 1_000_000, False, True),  # stays linear
    ],
)
def test_the_marker_is_reviewed_only_when_it_says_yes(
    note: str, reviewed: bool, warned: bool
) -> None:
    transcript, problems = parse_vtt(
        f"WEBVTT\n\n{note}\n\n00:00:00.000 --> 00:00:01.000\nHi.\n", "x"
    )
    assert transcript.machine is not None and transcript.machine.reviewed is reviewed
    assert transcript.machine.line == 3
    assert bool(problems) is warned


def test_another_note_is_no_marker() -> None:
    text = "WEBVTT\n\nNOTE interviewed by Sam\n\n00:00:00.000 --> 00:00:01.000\nHi.\n"
    assert parse_vtt(text, "x")[0].machine is None
