"""`immersion import transcript`: each tool's format into a bundle `immersion check` accepts."""
# ruff: noqa: F811  (each test names the imported `room` fixture as a parameter)

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from import_room import check, room, run  # noqa: F401 (room: the fixture the tests name)

from immersion.load import load
from immersion.project import Project
from immersion.transcripts import read_vtt

ZOOM = """WEBVTT

1
00:00:01.000 --> 00:00:04.500
Sam Patel: So tell me about the move.

2
00:00:05.000 --> 00:00:09.000
Leah Smith: It was chaos. Ring me on 07700 900123 or leah.smith@example.com.

3
00:00:09.500 --> 00:00:12.000
Leah Smith: We are at SW1A 1AA now, and my card 4111 1111 1111 1111 got charged twice.
"""

TEAMS = """WEBVTT

a1b2c3-0
0:0:0.210 --> 0:0:3.900
<v Sam Patel>So tell me about the move.</v>

a1b2c3-1
0:0:4.100 --> 0:0:8.5
<v Leah Smith>Three prices &amp; none of them fixed.</v>
"""

MEET = """WEBVTT

00:00:01.000 --> 00:00:04.000
Sam Patel: So tell me about the move.

00:00:04.500 --> 00:00:09.000
Leah Smith: It started in February.

We had about forty things to sort.

00:00:09.000 --> 00:00:11.000
Mostly the energy, to be honest.
"""

SRT = """1
00:00:01,000 --> 00:00:04,000
Sam Patel: So tell me about the move.

2
00:00:04,500 --> 00:00:08,000
Leah Smith: My number is 020 7946 0958, call after six.
"""

OTTER = """Sam Patel  0:03
So tell me about the move.

Leah Smith  0:07
It was the caf\u00e9 round the corner \u2013 that\u2019s where I rang you.

Transcribed by https://otter.ai
"""

MAP = ("--speaker", "Leah Smith=Leah", "--interviewer", "Sam Patel")


def _import(room: Path, name: str, data: bytes, *extra: str) -> int:
    source = room.parent / name
    source.write_bytes(data)
    return run(room, "import", "transcript", str(source), "--story", "call-1", *extra)


@pytest.mark.parametrize(
    ("name", "data", "cues"),
    [
        ("zoom.vtt", ZOOM.encode(), 3),
        ("teams.vtt", b"\xef\xbb\xbf" + TEAMS.encode(), 2),
        ("meet.vtt", MEET.encode(), 3),
        ("call.srt", SRT.replace("\n", "\r\n").encode(), 2),
        ("otter.txt", OTTER.encode("cp1252"), 2),
    ],
)
def test_each_format_becomes_a_bundle_check_accepts(
    room: Path, capsys: pytest.CaptureFixture[str], name: str, data: bytes, cues: int
) -> None:
    assert _import(room, name, data, *MAP) == 0
    folder = room / "content" / "stories" / "call-1"
    transcript, problems = read_vtt(folder / "interview.vtt", "interview.vtt")
    assert problems == [] and transcript is not None
    assert len(transcript.cues) == cues
    assert {c.voice for c in transcript.cues} == {"Sam Patel", "Leah"}
    assert "Smith" not in "".join(c.voice or "" for c in transcript.cues)
    assert transcript.cues[0].voice == "Sam Patel"
    index = (folder / "index.md").read_text(encoding="utf-8")
    assert 'interviewer: "Sam Patel"' in index
    assert 'pseudonym: "Leah"' in index
    out = check(room, capsys)
    # Nothing about the imported story but, at most, notes about redactions the import
    # listed that the words never say (real names): `check --strict` passes.
    about = [line for line in out.splitlines() if "call-1" in line]
    assert all("note [redact]" in line for line in about), about


def test_teams_unpadded_times_and_entities(room: Path) -> None:
    assert _import(room, "teams.vtt", TEAMS.encode(), *MAP) == 0
    cues = read_vtt(room / "content/stories/call-1/interview.vtt", "x")[0]
    assert cues is not None
    assert (cues.cues[0].start, cues.cues[1].end) == (0.21, 8.5)
    assert cues.cues[1].text == "Three prices & none of them fixed."


def test_meet_blank_lines_inside_a_cue_and_speaker_carried(room: Path) -> None:
    assert _import(room, "meet.vtt", MEET.encode(), *MAP) == 0
    cues = read_vtt(room / "content/stories/call-1/interview.vtt", "x")[0]
    assert cues is not None
    assert cues.cues[1].text == "It started in February. We had about forty things to sort."
    assert cues.cues[2].voice == "Leah"


def test_otter_cp1252_is_decoded(room: Path) -> None:
    assert _import(room, "otter.txt", OTTER.encode("cp1252"), *MAP) == 0
    cues = read_vtt(room / "content/stories/call-1/interview.vtt", "x")[0]
    assert cues is not None
    assert "café round the corner – that’s" in cues.cues[1].text
    assert (cues.cues[0].start, cues.cues[0].end, cues.cues[1].start) == (3.0, 7.0, 7.0)


def test_personal_data_goes_into_redact_with_its_line(
    room: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(room, "zoom.vtt", ZOOM.encode(), *MAP) == 0
    err = capsys.readouterr().err
    index = (room / "content/stories/call-1/index.md").read_text(encoding="utf-8")
    for words, why in [
        ("07700 900123", "phone number"),
        ("leah.smith@example.com", "e-mail address"),
        ("SW1A 1AA", "postcode"),
        ("4111 1111 1111 1111", "card or account number"),
        ("Smith", "real name"),
    ]:
        assert f'{{words: "{words}", why: "{why}"}}' in index
    assert "content/stories/call-1/interview.vtt:9: phone number: 07700 900123" in err
    assert "still to fill in:" in err
    # The loader reads the entries as redactions.
    library, _ = load(Project(room), dt.date(2026, 6, 1))
    story = library.stories["call-1"]
    assert "SW1A 1AA" in {r.words for r in story.redact}


def test_an_unmapped_speaker_lists_every_name_and_writes_nothing(
    room: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(room, "zoom.vtt", ZOOM.encode(), "--interviewer", "Sam Patel") == 2
    err = capsys.readouterr().err
    assert "speakers found: Sam Patel, Leah Smith" in err
    assert '--speaker "Leah Smith=PSEUDONYM"' in err
    assert not (room / "content/stories/call-1").exists()
    assert not [p for p in (room / "content/stories").iterdir() if p.name.startswith(".")]


def test_never_overwrites_without_force(room: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _import(room, "zoom.vtt", ZOOM.encode(), *MAP) == 0
    vtt = room / "content/stories/call-1/interview.vtt"
    before = vtt.read_bytes()
    assert _import(room, "srt.srt", SRT.encode(), *MAP) == 2
    assert vtt.read_bytes() == before
    assert _import(room, "srt.srt", SRT.encode(), *MAP, "--force") == 0
    assert vtt.read_bytes() != before
    index = (room / "content/stories/call-1/index.md").read_text(encoding="utf-8")
    assert index.count("transcript:") == 1 and index.count("redact:") == 1
    check(room, capsys)


def test_adds_a_transcript_to_an_existing_bundle(
    room: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(room, "new", "interview", "call-2") == 0
    index = room / "content/stories/call-2/index.md"
    text = index.read_text(encoding="utf-8")
    source = room.parent / "zoom.vtt"
    source.write_text(ZOOM, encoding="utf-8")
    args = (
        "import",
        "transcript",
        str(source),
        "--story",
        "call-2",
        "--speaker",
        "Leah Smith=Leah",
    )
    # The scaffold names the interviewer Sam; the file says Sam Patel.
    assert run(room, *args, "--interviewer", "Sam Patel") == 2
    assert "names the interviewer Sam" in capsys.readouterr().err
    assert index.read_text(encoding="utf-8") == text
    assert run(room, *args, "--speaker", "Sam Patel=Sam", "--interviewer", "Sam Patel") == 0
    new = index.read_text(encoding="utf-8")
    assert "transcript: interview.vtt" in new and "redact:" in new
    assert new.count("interviewer:") == 1
    assert new.split("---")[2] == text.split("---")[2]  # the body is untouched
    check(room, capsys)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"just some words\n", "no timings found"),
        (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nno speaker here\n", "names no speaker"),
        (b"WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nSam Patel: hi\n", "before it starts"),
    ],
)
def test_bad_transcripts_are_clear_problems(
    room: Path, capsys: pytest.CaptureFixture[str], data: bytes, message: str
) -> None:
    assert _import(room, "bad.vtt", data, *MAP) == 2
    err = capsys.readouterr().err
    assert message in err and "bad.vtt" in err
    assert not (room / "content/stories/call-1").exists()


def test_overlapping_cues_are_clipped(room: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ZOOM.replace("00:00:01.000 --> 00:00:04.500", "00:00:01.000 --> 00:00:06.000")
    assert _import(room, "zoom.vtt", data.encode(), *MAP) == 0
    assert "overlapped the next one" in capsys.readouterr().err
    cues = read_vtt(room / "content/stories/call-1/interview.vtt", "x")[0]
    assert cues is not None and cues.cues[0].end == 5.0
