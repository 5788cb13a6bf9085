"""WebVTT transcripts: parsing an editor's file, and writing a clean one back.

Every test of a mistake asserts the exact problem (file, line, message, fix)
and which cues still load (DESIGN habit 5: test the exact message).
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immersion.problems import Problem, Severity
from immersion.transcripts import (
    Cue,
    Transcript,
    fmt_timestamp,
    parse_vtt,
    read_vtt,
    to_vtt,
)

D = "content/stories/p07/interview.vtt"
WARN = Severity.WARNING
BETWEEN = "put a blank line between cues"
EXAMPLE = "write it like 00:01:02.500 (hours, minutes, seconds, milliseconds)"
END_AFTER = "the end time must come after the start time"
UNKNOWN_HINT = (
    "WebVTT tags are <v>, <c>, <i>, <b>, <u>, <lang>, <ruby> and <rt>; "
    "write &lt; for a '<' in the words"
)


def vtt(body: str) -> str:
    """A file: the WEBVTT line, a blank line, then `body` (so its first line is line 3)."""
    return "WEBVTT\n\n" + textwrap.dedent(body).lstrip("\n")


def parse(text: str) -> tuple[Transcript, list[Problem]]:
    transcript, problems = parse_vtt(text, D)
    assert all(isinstance(p, Problem) for p in problems)
    return transcript, problems


def clean(text: str) -> Transcript:
    """Parse a file that must have no problems."""
    transcript, problems = parse(text)
    assert problems == [], "\n".join(p.format() for p in problems)
    return transcript


def summary(transcript: Transcript) -> list[tuple[float, float, str, str | None, int]]:
    return [(c.start, c.end, c.text, c.voice, c.line) for c in transcript.cues]


SIMPLE = vtt(
    """
    00:00:01.000 --> 00:00:04.000
    <v Sam>How did the move go?

    00:00:04.500 --> 00:00:09.250
    <v Leah>Honestly? The quote was a shock.
    """
)


# -- the basics ------------------------------------------------------------------


def test_a_simple_file() -> None:
    transcript = clean(SIMPLE)
    assert transcript.cues == (
        Cue(1.0, 4.0, "How did the move go?", "Sam", 3),
        Cue(4.5, 9.25, "Honestly? The quote was a shock.", "Leah", 6),
    )
    assert transcript.duration == 9.25


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
@pytest.mark.parametrize("bom", ["", "\ufeff"], ids=["plain", "BOM"])
def test_line_endings_and_bom(newline: str, bom: str) -> None:
    text = bom + SIMPLE.replace("\n", newline)
    transcript = clean(text)
    assert summary(transcript) == [
        (1.0, 4.0, "How did the move go?", "Sam", 3),
        (4.5, 9.25, "Honestly? The quote was a shock.", "Leah", 6),
    ]


def test_mixed_line_endings_count_lines_correctly() -> None:
    text = "WEBVTT\r\n\r00:01.000 --> 00:02.000\nfirst\r\n\n00:03.000 --> 00:04.000\rsecond\r"
    assert [c.line for c in clean(text).cues] == [3, 6]


def test_hours_past_99_and_one_digit_hours() -> None:
    transcript = clean(
        vtt(
            """
            1:00:00.000 --> 1:00:01.000
            an hour in

            100:00:00.000 --> 123:59:59.999
            a long day
            """
        )
    )
    assert summary(transcript) == [
        (3600.0, 3601.0, "an hour in", None, 3),
        (360000.0, 446399.999, "a long day", None, 6),
    ]


def test_minutes_and_seconds_form() -> None:
    transcript = clean(vtt("01:02.500 --> 59:59.999\nshort form\n"))
    assert summary(transcript) == [(62.5, 3599.999, "short form", None, 3)]


def test_multi_line_cues_are_joined_with_newlines() -> None:
    transcript = clean(
        vtt(
            """
            00:01.000 --> 00:05.000
              We looked at three flats
            and none of them   \t
            had a lift.
            """
        )
    )
    assert transcript.cues[0].text == "We looked at three flats\nand none of them\nhad a lift."


def test_identifiers() -> None:
    transcript = clean(
        vtt(
            """
            1
            00:01.000 --> 00:02.000
            one

            intro - part two
            00:03.000 --> 00:04.000
            two

            00:05.000 --> 00:06.000
            three
            """
        )
    )
    assert [(c.ident, c.line, c.text) for c in transcript.cues] == [
        ("1", 4, "one"),
        ("intro - part two", 8, "two"),
        ("", 11, "three"),
    ]


def test_cue_settings_are_accepted_and_ignored() -> None:
    transcript = clean(
        vtt("00:01.000 --> 00:02.000 align:start position:10% line:0 size:50%\nhi\n")
    )
    assert summary(transcript) == [(1.0, 2.0, "hi", None, 3)]


def test_no_spaces_around_the_arrow() -> None:
    assert summary(clean(vtt("00:01.000-->00:02.000\nhi\n"))) == [(1.0, 2.0, "hi", None, 3)]


def test_header_lines_are_ignored() -> None:
    text = "WEBVTT - interview with Leah\nKind: captions\nLanguage: en\n\n"
    text += "00:01.000 --> 00:02.000\nhi\n"
    assert summary(clean(text)) == [(1.0, 2.0, "hi", None, 5)]


def test_a_missing_blank_line_after_the_header_is_harmless() -> None:
    text = "WEBVTT\n00:01.000 --> 00:02.000\nhi\n"
    assert summary(clean(text)) == [(1.0, 2.0, "hi", None, 2)]


def test_lines_of_only_spaces_are_blank() -> None:
    text = vtt("00:01.000 --> 00:02.000\none\n   \t\n00:03.000 --> 00:04.000\ntwo\n")
    assert [c.text for c in clean(text).cues] == ["one", "two"]


@pytest.mark.parametrize("text", ["WEBVTT", "WEBVTT\n", "WEBVTT\n\n\n", "WEBVTT\tfile\n\n"])
def test_a_file_with_no_cues(text: str) -> None:
    transcript = clean(text)
    assert transcript.cues == ()
    assert transcript.duration == 0.0
    assert transcript.at(0.0) is None


# -- NOTE, STYLE, REGION -------------------------------------------------------


def test_notes_are_skipped() -> None:
    transcript = clean(
        vtt(
            """
            NOTE recorded at Leah's flat

            NOTE
            Real name: Jane Doe
            Phone: 07700 900123

            00:01.000 --> 00:02.000
            one

            NOTE	the interviewer coughs here

            00:03.000 --> 00:04.000
            two

            NOTE at the end
            """
        )
    )
    assert summary(transcript) == [(1.0, 2.0, "one", None, 9), (3.0, 4.0, "two", None, 14)]


def test_style_and_region_before_cues_are_skipped() -> None:
    transcript = clean(
        vtt(
            """
            STYLE
            ::cue { color: yellow }

            REGION
            id:left width:40% lines:3

            00:01.000 --> 00:02.000
            hi
            """
        )
    )
    assert summary(transcript) == [(1.0, 2.0, "hi", None, 9)]


@pytest.mark.parametrize("keyword", ["STYLE", "REGION"])
def test_style_or_region_after_a_cue_is_a_warning(keyword: str) -> None:
    transcript, problems = parse(
        vtt(f"00:01.000 --> 00:02.000\nhi\n\n{keyword}\n::cue {{ color: red }}\n")
    )
    assert problems == [
        Problem(
            D,
            6,
            f"a {keyword} block after the first cue is ignored",
            f"move the {keyword} block above the first cue",
            WARN,
        )
    ]
    assert [c.text for c in transcript.cues] == ["hi"]


def test_arrow_inside_a_note_is_a_warning() -> None:
    transcript, problems = parse(vtt("NOTE\nchanged A --> B\n\n00:01.000 --> 00:02.000\nhi\n"))
    assert problems == [
        Problem(D, 4, "'-->' cannot appear in a NOTE", "write the arrow another way, e.g. ->", WARN)
    ]
    assert [c.text for c in transcript.cues] == ["hi"]


def test_a_cue_stuck_under_a_note_is_an_error_and_still_read() -> None:
    transcript, problems = parse(vtt("NOTE check this\n00:01.000 --> 00:02.000\nhi\n"))
    assert problems == [
        Problem(
            D,
            4,
            "no blank line between this cue and the NOTE at line 3",
            "put a blank line after the note",
        )
    ]
    assert summary(transcript) == [(1.0, 2.0, "hi", None, 4)]


def test_a_note_stuck_under_a_cue_is_never_read_as_words() -> None:
    transcript, problems = parse(
        vtt(
            """
            00:01.000 --> 00:02.000
            We moved in March.
            NOTE her real name is Jane Doe

            00:03.000 --> 00:04.000
            next
            """
        )
    )
    assert problems == [
        Problem(
            D,
            5,
            "this NOTE has no blank line above it, so it would be read as the text "
            "of the cue at line 3",
            "put a blank line before the NOTE",
        )
    ]
    assert [c.text for c in transcript.cues] == ["next"]
    assert "Jane" not in to_vtt(transcript)


# -- voices ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "voice", "text"),
    [
        ("<v Sam>Hello", "Sam", "Hello"),
        ("<v.loud Sam>Hello", "Sam", "Hello"),
        ("<v.loud.slow Sam Smith>Hello</v>", "Sam Smith", "Hello"),
        ("<v   Sam    Smith  >Hello", "Sam Smith", "Hello"),
        ("<v\tLeah &amp; Raj>Hello", "Leah & Raj", "Hello"),
        ("<V Sam>Hello", "Sam", "Hello"),
        ("<v>Hello", None, "Hello"),
        ("<v.loud>Hello", None, "Hello"),
        ("Hello", None, "Hello"),
        ("<i>Hello</i> <v Sam>there", "Sam", "Hello there"),
    ],
)
def test_voices(line: str, voice: str | None, text: str) -> None:
    cue = clean(vtt(f"00:01.000 --> 00:02.000\n{line}\n")).cues[0]
    assert (cue.voice, cue.text) == (voice, text)


def test_one_cue_two_speakers_is_a_warning() -> None:
    transcript, problems = parse(
        vtt("00:01.000 --> 00:02.000\n<v Sam>Did it?\n<v Leah>It did.\n<v Sam>Right.\n")
    )
    assert problems == [
        Problem(
            D,
            3,
            "one cue, two speakers (Sam, Leah)",
            "give each speaker their own cue so quotes are attributed correctly",
            WARN,
        )
    ]
    assert summary(transcript) == [(1.0, 2.0, "Did it?\nIt did.\nRight.", "Sam", 3)]


def test_one_cue_three_speakers() -> None:
    _, problems = parse(vtt("00:01.000 --> 00:02.000\n<v A>a <v B>b <v C>c\n"))
    assert [p.message for p in problems] == ["one cue, three speakers (A, B, C)"]


# -- text: entities, tags --------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ("Fish &amp; chips", "Fish & chips"),
        ("1 &lt; 2 &gt; 0", "1 < 2 > 0"),
        ("a&nbsp;b", "a\u00a0b"),
        ("&lrm;left&rlm;", "\u200eleft\u200f"),
        ("&#65;&#x42;&#X43;", "ABC"),
        ("&#0; &#xD800; &#x110000;", "\ufffd \ufffd \ufffd"),
        ("&eacute;t&eacute;", "été"),
        ("AT&T &unknown; & &#; &amp", "AT&T &unknown; & &#; &amp"),
        ("&amp;lt;", "&lt;"),
    ],
)
def test_entities_are_decoded(line: str, text: str) -> None:
    assert clean(vtt(f"00:01.000 --> 00:02.000\n{line}\n")).cues[0].text == text


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ("<i>really</i> <b>very</b> <u>much</u>", "really very much"),
        ("<c.yellow.bg_blue>coloured</c>", "coloured"),
        ("<lang en-GB>colour</lang>", "colour"),
        ("<ruby>漢<rt>kan</rt>字<rt>ji</ruby>!", "漢字!"),
        ("one <00:00:01.500>two <00:02.000>three", "one two three"),
        ("<b><i>nested</i></b>", "nested"),
        ("1 < 2 and 3 > 2", "1 < 2 and 3 > 2"),
        ("I <3 it", "I <3 it"),
        ("< b >", "< b >"),
    ],
)
def test_inline_tags_and_timestamps_are_stripped(line: str, text: str) -> None:
    assert clean(vtt(f"00:01.000 --> 00:02.000\n{line}\n")).cues[0].text == text


def test_ruby_text_spanning_lines_is_left_out() -> None:
    cue = clean(vtt("00:01.000 --> 00:02.000\n<ruby>漢<rt>kan\nji</rt>字</ruby>\n")).cues[0]
    assert cue.text == "漢\n字"


def test_a_line_left_empty_by_tags_is_dropped() -> None:
    cue = clean(vtt("00:01.000 --> 00:02.000\none\n<i></i>\n<00:01.500>\ntwo\n")).cues[0]
    assert cue.text == "one\ntwo"


def test_unknown_tags_stay_as_words_with_one_warning_each() -> None:
    transcript, problems = parse(
        vtt(
            """
            00:01.000 --> 00:02.000
            <font color="#fff">Hello</font> <laughs>

            00:03.000 --> 00:04.000
            <font color="#fff">again</font>
            """
        )
    )
    assert problems == [
        Problem(D, 4, "unknown tag <font> is shown as text", UNKNOWN_HINT, WARN),
        Problem(D, 4, "unknown tag <laughs> is shown as text", UNKNOWN_HINT, WARN),
    ]
    assert [c.text for c in transcript.cues] == [
        '<font color="#fff">Hello</font> <laughs>',
        '<font color="#fff">again</font>',
    ]


# -- mistakes in timings ---------------------------------------------------------


def test_comma_timestamps_from_srt() -> None:
    transcript, problems = parse(
        vtt("00:00:01,000 --> 00:00:02,000\nsrt\n\n00:00:03.000 --> 00:00:04.000\nfine\n")
    )
    assert problems == [
        Problem(
            D,
            3,
            "bad timestamp '00:00:01,000': a comma before the milliseconds",
            "use a dot before the milliseconds: 00:01:02.500",
        )
    ]
    assert summary(transcript) == [(3.0, 4.0, "fine", None, 6)]


def test_comma_in_the_end_time_only() -> None:
    _, problems = parse(vtt("00:01.000 --> 00:02,500\nx\n"))
    assert [p.message for p in problems] == [
        "bad timestamp '00:02,500': a comma before the milliseconds"
    ]


BAD = "bad timestamp "


@pytest.mark.parametrize(
    ("timing", "message"),
    [
        ("00:01.5 --> 00:02.000", BAD + "'00:01.5': the milliseconds need three digits"),
        ("00:01.0000 --> 00:02.000", BAD + "'00:01.0000': the milliseconds need three digits"),
        ("1:02.000 --> 1:03.000", BAD + "'1:02.000': minutes and seconds need two digits"),
        (
            "00:1:02.000 --> 00:01:03.000",
            BAD + "'00:1:02.000': minutes and seconds need two digits",
        ),
        ("00:60.000 --> 01:00.000", BAD + "'00:60.000': minutes and seconds go up to 59"),
        ("00:75:00.000 --> 00:76:00.000", BAD + "'00:75:00.000': minutes and seconds go up to 59"),
        ("1234567:00:00.000 --> 1234567:00:01.000", BAD + "'1234567:00:00.000': too many hours"),
        ("00:01 --> 00:02", BAD + "'00:01'"),
        ("0:0:1.000 x --> 00:02.000", BAD + "'0:0:1.000 x'"),
        ("00:01.000 --> soon", BAD + "'soon'"),
        ("00:01.000 --> 00:02.000align:start", BAD + "'00:02.000align:start'"),
        ("1" * 60 + " --> 00:02.000", BAD + f"'{'1' * 37}...'"),
        ("--> 00:02.000", "the timing line has no start time before '-->'"),
        ("00:01.000 -->", "the timing line has no end time after '-->'"),
    ],
)
def test_bad_timing_lines(timing: str, message: str) -> None:
    transcript, problems = parse(vtt(f"{timing}\nwords\n\n00:05.000 --> 00:06.000\nkept\n"))
    hint = EXAMPLE if message.startswith(BAD) else "write it like 00:00:01.000 --> 00:00:04.000"
    assert problems == [Problem(D, 3, message, hint)]
    assert [c.text for c in transcript.cues] == ["kept"]


def test_end_before_start() -> None:
    transcript, problems = parse(vtt("00:00:06.000 --> 00:00:05.000\nbackwards\n"))
    assert problems == [
        Problem(D, 3, "cue ends at 00:00:05.000, before it starts at 00:00:06.000", END_AFTER)
    ]
    assert transcript.cues == ()


def test_end_at_start() -> None:
    _, problems = parse(vtt("00:00:06.000 --> 00:00:06.000\nno time at all\n"))
    assert problems == [Problem(D, 3, "cue ends at 00:00:06.000, the moment it starts", END_AFTER)]


def test_cues_out_of_order() -> None:
    transcript, problems = parse(
        vtt(
            """
            00:00:01.000 --> 00:00:02.000
            first

            00:00:05.000 --> 00:00:06.000
            second

            00:00:03.000 --> 00:00:04.000
            too early

            00:00:05.000 --> 00:00:07.000
            same start is fine
            """
        )
    )
    assert problems == [
        Problem(
            D,
            9,
            "cue at 00:00:03.000 starts before the cue above it (00:00:05.000, line 6)",
            "put the cues in the order they are spoken",
        )
    ]
    assert [c.text for c in transcript.cues] == ["first", "second", "same start is fine"]


def test_overlapping_cues_are_fine() -> None:
    transcript = clean(vtt("00:01.000 --> 00:05.000\na\n\n00:02.000 --> 00:03.000\nb\n"))
    assert [c.text for c in transcript.cues] == ["a", "b"]


def test_missing_blank_line_between_cues() -> None:
    transcript, problems = parse(
        vtt(
            """
            00:00:01.000 --> 00:00:02.000
            <v Sam>Hello
            00:00:03.000 --> 00:00:04.000
            <v Leah>Hi

            00:00:05.000 --> 00:00:06.000
            third
            """
        )
    )
    assert problems == [
        Problem(D, 5, "no blank line between this cue and the cue at line 3", BETWEEN)
    ]
    # The cue that swallowed the next one is left out; the next one is read.
    assert summary(transcript) == [
        (3.0, 4.0, "Hi", "Leah", 5),
        (5.0, 6.0, "third", None, 8),
    ]


def test_missing_blank_line_after_a_bad_timing_reports_both() -> None:
    _, problems = parse(vtt("00:01,000 --> 00:02,000\none\n00:03,000 --> 00:04,000\ntwo\n"))
    assert [(p.line, p.message) for p in problems] == [
        (5, "no blank line between this cue and the cue at line 3"),
        (3, "bad timestamp '00:01,000': a comma before the milliseconds"),
        (5, "bad timestamp '00:03,000': a comma before the milliseconds"),
    ]


def test_arrow_in_the_words_of_a_cue() -> None:
    transcript, problems = parse(vtt("00:01.000 --> 00:02.000\nprice A --> price B\n"))
    assert problems == [
        Problem(
            D,
            4,
            "'-->' cannot appear in the text of a cue",
            "write the arrow another way, e.g. ->",
        )
    ]
    assert transcript.cues == ()


@pytest.mark.parametrize("after", ["", "\n", "\n\n00:05.000 --> 00:06.000\nnext\n"])
def test_a_timing_line_without_words(after: str) -> None:
    transcript, problems = parse(vtt("00:01.000 --> 00:02.000" + after))
    assert problems == [
        Problem(
            D,
            3,
            "cue at 00:00:01.000 has no text",
            "write the words below the timing line, or delete the cue",
            WARN,
        )
    ]
    assert [c.text for c in transcript.cues] == (["next"] if "next" in after else [])


def test_a_cue_of_only_tags_has_no_text() -> None:
    _, problems = parse(vtt("00:01.000 --> 00:02.000\n<v Sam></v>&nbsp;\n"))
    assert [(p.line, p.message, p.severity) for p in problems] == [
        (3, "cue at 00:00:01.000 has no text", WARN)
    ]


def test_text_outside_any_cue() -> None:
    transcript, problems = parse(
        vtt(
            """
            Leah talks about the move.

            intro
            more intro
            00:01.000 --> 00:02.000
            hi
            """
        )
    )
    hint = (
        "put a timing line like 00:00:01.000 --> 00:00:04.000 above it, "
        "or start it with NOTE if it is a comment"
    )
    assert problems == [
        Problem(D, 3, "text outside any cue is ignored", hint, WARN),
        Problem(D, 5, "text outside any cue is ignored", hint, WARN),
    ]
    assert summary(transcript) == [(1.0, 2.0, "hi", None, 7)]


# -- not a WebVTT file -------------------------------------------------------------

NOT_VTT = Problem(
    D,
    1,
    "this is not a WebVTT file: the first line must be WEBVTT",
    "start the file with a line that says WEBVTT",
)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\ufeff",
        "\n\nWEBVTT\n",
        "webvtt\n\n00:01.000 --> 00:02.000\nhi\n",
        "WEBVTTX\n",
        "WEBVTT-file\n",
        " WEBVTT\n",
        "1\n00:00:01,000 --> 00:00:02,000\nan SRT file\n",
    ],
)
def test_not_a_webvtt_file(text: str) -> None:
    transcript, problems = parse(text)
    assert problems == [NOT_VTT]
    assert transcript.cues == ()


# -- reading files -----------------------------------------------------------------


def test_read_vtt_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "interview.vtt"
    path.write_bytes(b"\xef\xbb\xbf" + SIMPLE.replace("\n", "\r\n").encode("utf-8"))
    transcript, problems = read_vtt(path, D)
    assert problems == []
    assert transcript is not None
    assert [c.voice for c in transcript.cues] == ["Sam", "Leah"]


def test_read_vtt_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "interview.vtt"
    path.write_bytes(SIMPLE.replace("Honestly", "Caf\xe9").encode("latin-1"))
    assert read_vtt(path, D) == (
        None,
        [
            Problem(
                D,
                7,
                "the file is not UTF-8 text (byte 0xe9 cannot be read)",
                "save it as UTF-8",
            )
        ],
    )


def test_read_vtt_not_utf8_with_cr_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "interview.vtt"
    path.write_bytes(b"WEBVTT\r\r00:01.000 --> 00:02.000\r\xff\r")
    _, problems = read_vtt(path, D)
    assert [p.line for p in problems] == [4]


def test_read_vtt_utf16(tmp_path: Path) -> None:
    path = tmp_path / "interview.vtt"
    path.write_bytes(SIMPLE.encode("utf-16"))
    assert read_vtt(path, D) == (
        None,
        [Problem(D, 1, "the file is saved as UTF-16, not UTF-8", "save it as UTF-8")],
    )


def test_read_vtt_missing_file(tmp_path: Path) -> None:
    assert read_vtt(tmp_path / "nope.vtt", D) == (
        None,
        [
            Problem(
                D,
                None,
                "the transcript file does not exist",
                "check the file name, and that the file is beside index.md",
            )
        ],
    )


def test_read_vtt_nul_in_path(tmp_path: Path) -> None:
    transcript, problems = read_vtt(tmp_path / "a\0b.vtt", D)
    assert transcript is None
    assert [p.message for p in problems] == ["cannot read the transcript: embedded null byte"]


def test_read_vtt_directory(tmp_path: Path) -> None:
    transcript, problems = read_vtt(tmp_path, D)
    assert transcript is None
    assert len(problems) == 1
    assert problems[0].message.startswith("cannot read the transcript: ")
    assert problems[0].is_error


# -- looking things up -------------------------------------------------------------

LOOKUP = Transcript(
    (
        Cue(1.0, 4.0, "a", None, 3),
        Cue(4.0, 6.0, "b", None, 6),
        Cue(8.0, 8.1, "c", None, 9),
        Cue(10.0, 20.0, "d", None, 12),
    )
)


@pytest.mark.parametrize(
    ("seconds", "index"),
    [
        (0.0, None),
        (0.999, None),
        (1.0, 0),
        (3.999, 0),
        (4.0, 1),
        (5.999, 1),
        (6.0, None),
        (7.0, None),
        (8.0, 2),
        (8.05, 2),
        (8.1, None),
        (15.0, 3),
        (20.0, None),
        (1e9, None),
        (-1.0, None),
    ],
)
def test_at(seconds: float, index: int | None) -> None:
    assert LOOKUP.at(seconds) == index


def test_at_with_overlapping_cues_prefers_the_later_start() -> None:
    transcript = Transcript((Cue(0.0, 10.0, "long", None, 3), Cue(2.0, 3.0, "short", None, 6)))
    assert [transcript.at(t) for t in (1.0, 2.5, 3.5)] == [0, 1, None]


@pytest.mark.parametrize(
    ("start", "end", "texts"),
    [
        (0.0, 1.0, []),
        (0.0, 1.2, []),  # 0.2 s of "a" is less than 0.25
        (0.0, 1.25, ["a"]),
        (3.8, 4.3, ["b"]),  # 0.2 s of "a", 0.3 s of "b"
        (3.0, 5.0, ["a", "b"]),
        (7.9, 8.2, ["c"]),  # "c" is shorter than 0.25 s and wholly inside
        (8.05, 9.0, []),  # only half of "c"
        (12.0, 12.1, ["d"]),  # a span shorter than 0.25 s inside "d"
        (0.0, 100.0, ["a", "b", "c", "d"]),
        (20.0, 30.0, []),
        (5.0, 5.0, []),
    ],
)
def test_within(start: float, end: float, texts: list[str]) -> None:
    assert [c.text for c in LOOKUP.within(start, end)] == texts


def test_within_min_overlap() -> None:
    assert [c.text for c in LOOKUP.within(3.0, 5.0, min_overlap=1.5)] == []
    assert [c.text for c in LOOKUP.within(3.0, 5.0, min_overlap=1.0)] == ["a", "b"]
    # Cues shorter than 5 s count only when wholly inside: "a" is cut at 2 s.
    assert [c.text for c in LOOKUP.within(0.0, 100.0, min_overlap=5.0)] == ["a", "b", "c", "d"]
    assert [c.text for c in LOOKUP.within(2.0, 100.0, min_overlap=5.0)] == ["b", "c", "d"]


def test_duration_is_the_latest_end() -> None:
    assert LOOKUP.duration == 20.0
    assert Transcript((Cue(0.0, 10.0, "a", None, 3), Cue(1.0, 2.0, "b", None, 6))).duration == 10


# -- writing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.0, "00:00:00.000"),
        (1.5, "00:00:01.500"),
        (62.5, "00:01:02.500"),
        (3599.999, "00:59:59.999"),
        (3600.0, "01:00:00.000"),
        (446399.999, "123:59:59.999"),
        (0.0004, "00:00:00.000"),
        (0.0006, "00:00:00.001"),
        (59.9999, "00:01:00.000"),
        (-3.0, "00:00:00.000"),
    ],
)
def test_fmt_timestamp(seconds: float, text: str) -> None:
    assert fmt_timestamp(seconds) == text


def test_to_vtt_writes_a_clean_file() -> None:
    source = vtt(
        """
        NOTE Jane Doe, 07700 900123

        STYLE
        ::cue { color: red }

        intro
        00:00:01.000 --> 00:00:04.000 align:start position:10%
        <v.loud Sam>How did the <i>move</i> go?

        NOTE ask about the van

        00:00:04.500 --> 00:00:09.250
        <v Leah>Fish &amp; chips
        <b>every</b> night.
        """
    )
    out = to_vtt(clean(source))
    assert out == (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:04.000\n"
        "<v Sam>How did the move go?\n\n"
        "00:00:04.500 --> 00:00:09.250\n"
        "<v Leah>Fish &amp; chips\n"
        "every night.\n\n"
    )
    for secret in ("Jane", "07700", "van", "STYLE", "color", "intro", "align"):
        assert secret not in out


def test_to_vtt_of_nothing() -> None:
    assert to_vtt(Transcript(())) == "WEBVTT\n\n"
    assert clean(to_vtt(Transcript(()))).cues == ()


def test_to_vtt_escapes_markup() -> None:
    transcript = clean(
        vtt("00:01.000 --> 00:02.000\n<v Sam &lt;admin&gt;>&lt;script&gt;alert(1)&lt;/script&gt;\n")
    )
    assert transcript.cues[0].text == "<script>alert(1)</script>"
    assert transcript.cues[0].voice == "Sam <admin>"
    out = to_vtt(transcript)
    assert "<script" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "<v Sam &lt;admin&gt;>" in out
    assert clean(out).cues == transcript.cues


def test_to_vtt_of_text_that_looks_like_markup() -> None:
    cues = (
        Cue(1.0, 2.0, "<b>not bold</b> &amp; --> 00:03.000 --> x", "Sam", 0),
        Cue(3.0, 4.0, "NOTE this is spoken\nNOTE\tso is this", None, 0),
    )
    out = to_vtt(Transcript(cues))
    assert "&#78;OTE this is spoken" in out
    assert [(c.text, c.voice) for c in clean(out).cues] == [(c.text, c.voice) for c in cues]


def test_to_vtt_tidies_cues_it_cannot_write_as_they_are() -> None:
    cues = (
        Cue(5.0, 6.0, "later", None, 0),
        Cue(1.0, 1.0001, "  blank\n\n  lines\r\nand CR  ", "  Sam \n Smith ", 0),
        Cue(7.0, 8.0, " \n ", "Sam", 0),  # no words: nothing to write
    )
    out = to_vtt(Transcript(cues))
    assert out == (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:01.001\n<v Sam Smith>blank\nlines\nand CR\n\n"
        "00:00:05.000 --> 00:00:06.000\nlater\n\n"
    )


# -- properties --------------------------------------------------------------------

ROBUST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Text biased towards the characters that matter to the parser.
vtt_alphabet = (
    st.sampled_from(list("0123456789:.,-> <>/&;#vbicNOTESTYLREGIWBV\n\r\t \ufeff\x00é漢"))
    | st.characters()
)


@ROBUST
@given(text=st.text() | st.text(vtt_alphabet))
def test_arbitrary_text_never_raises(text: str) -> None:
    transcript, problems = parse(text)
    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        assert problems == [NOT_VTT]
    assert all(p.path == D and p.field == "" and p.line is not None for p in problems)
    to_vtt(transcript)


@ROBUST
@given(text=st.text() | st.text(vtt_alphabet, max_size=400))
def test_arbitrary_text_after_the_header_never_raises(text: str) -> None:
    transcript, problems = parse("WEBVTT\n\n" + text)
    assert all(p.path == D and p.line is not None and p.line >= 1 for p in problems)
    starts = [c.start for c in transcript.cues]
    assert starts == sorted(starts)
    assert all(c.end > c.start and c.text and c.text == c.text.strip() for c in transcript.cues)
    # Whatever was read, writing it out and reading it back gives the same cues.
    again = clean(to_vtt(transcript))
    assert [(c.start, c.end, c.text, c.voice) for c in again.cues] == [
        (c.start, c.end, c.text, c.voice) for c in transcript.cues
    ]


@ROBUST
@given(
    text=st.text(vtt_alphabet, max_size=200),
    cut=st.integers(min_value=0, max_value=200),
)
def test_arbitrary_text_inside_a_cue_never_raises(text: str, cut: int) -> None:
    body = f"00:01.000 --> 00:02.000\n{text[:cut]}\n\n00:03.000 --> 00:04.000\n{text[cut:]}\n"
    transcript, _ = parse("WEBVTT\n\n" + body)
    assert all(c.text == c.text.strip() for c in transcript.cues)


words_line = (
    st.text(st.characters(exclude_characters="\r\n\x00"), min_size=1).map(str.strip).filter(bool)
)
voices = st.none() | words_line.map(lambda v: " ".join(v.split())).filter(bool)


@st.composite
def transcripts(draw: st.DrawFn) -> Transcript:
    """Valid cues in start order, with any words and speakers."""
    count = draw(st.integers(min_value=0, max_value=8))
    start_ms = 0
    cues = []
    for _ in range(count):
        start_ms += draw(st.integers(min_value=0, max_value=400_000_000))
        length = draw(st.integers(min_value=1, max_value=10_000_000))
        lines = draw(st.lists(words_line, min_size=1, max_size=3))
        cues.append(
            Cue(start_ms / 1000, (start_ms + length) / 1000, "\n".join(lines), draw(voices), 0)
        )
    return Transcript(tuple(cues))


@ROBUST
@given(transcript=transcripts())
def test_valid_cues_round_trip_through_to_vtt(transcript: Transcript) -> None:
    again = clean(to_vtt(transcript))
    assert [(c.start, c.end, c.text, c.voice) for c in again.cues] == [
        (c.start, c.end, c.text, c.voice) for c in transcript.cues
    ]
    assert to_vtt(again) == to_vtt(transcript)


@ROBUST
@given(seconds=st.integers(min_value=0, max_value=10**12).map(lambda ms: ms / 1000))
def test_timestamps_round_trip(seconds: float) -> None:
    text = vtt(f"{fmt_timestamp(seconds)} --> {fmt_timestamp(seconds + 1)}\nx\n")
    assert clean(text).cues[0].start == seconds


# -- size ------------------------------------------------------------------------


@pytest.mark.slow  # about 2-4 s on a busy machine; runs by default
def test_a_hundred_thousand_cues() -> None:
    parts = ["WEBVTT\n\n"]
    for i in range(100_000):
        parts.append(
            f"{fmt_timestamp(i * 2)} --> {fmt_timestamp(i * 2 + 1.5)}\n<v Sam>Line <i>{i}</i>\n\n"
        )
    transcript = clean("".join(parts))
    assert len(transcript.cues) == 100_000
    assert transcript.at(2 * 54_321 + 1) == 54_321


@pytest.mark.parametrize(
    "body",
    [
        "00:01.000 --> 00:02.000\n" + "<" * 200_000,
        "00:01.000 --> 00:02.000\n" + "<a" * 100_000,
        "00:01.000 --> 00:02.000\n" + "&#" * 100_000 + "&" + "a" * 100_000,
        "00:01.000 --> 00:02.000\n<v " + "." * 100_000 + ">",
        "1" * 200_000 + " --> " + "2" * 200_000,
        "0:" * 100_000 + " --> 1",
        "a\n" * 100_000,
        "-->\n" * 50_000,
        "NOTE\n" + "1 --> 2\n" * 50_000,
    ],
    ids=range(9),
)
def test_pathological_input_is_quick(body: str) -> None:
    began = time.process_time()
    parse("WEBVTT\n\n" + body)
    assert time.process_time() - began < 5
