"""index.md gets the transcript and the findings as text, checked by reading it back."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from immersion.importers.personal import Finding
from immersion.project import Project
from immersion.transcribe.bundle import edited_index, read_story
from immersion.transcribe.draft import Heard

PHONE = Heard(Finding("07700 900123", "phone number", 7), 3.1, 5.25)


def story(tmp_path: Path, front: str, files: tuple[str, ...] = ("call.m4a",)) -> Project:
    folder = tmp_path / "content" / "stories" / "p40"
    folder.mkdir(parents=True)
    for name in files:
        (folder / name).write_bytes(b"not read here")
    (folder / "index.md").write_text(
        "---\n" + textwrap.dedent(front).strip() + "\n---\nThe summary.\n", encoding="utf-8"
    )
    return Project(tmp_path)


def front(text: str) -> str:
    return text.split("---\n")[1]


def test_the_line_import_recording_left_commented_is_filled_in(tmp_path: Path) -> None:
    project = story(
        tmp_path,
        """
        kind: interview
        # participant: {pseudonym: NAME, persona: PERSONA_ID, consent: CONSENT_ID}
        recording: call.m4a
        # Its WebVTT transcript, once you have one.
        # transcript: call.vtt
        highlights: []
        """,
    )
    s = read_story(project, "p40")
    assert [(t.where, t.transcript, t.named) for t in s.targets] == [
        ("recording", "call.vtt", False)
    ]
    assert s.voice is None
    text, by_hand = edited_index(s, s.targets[0], [PHONE])
    assert by_hand == [] and text is not None
    assert front(text) == textwrap.dedent(
        """\
        kind: interview
        # participant: {pseudonym: NAME, persona: PERSONA_ID, consent: CONSENT_ID}
        recording: call.m4a
        # Its WebVTT transcript, once you have one.
        transcript: call.vtt
        highlights: []
        # Personal data heard by `immersion transcribe`: the words and the span of the
        # recording where they are said. Delete an entry only if it is not personal data.
        redact:
        """
    ) + (
        '  - {words: "07700 900123", start: "00:00:03.100", end: "00:00:05.250", '
        'why: "phone number, heard in call.vtt"}\n'
    )
    assert text.endswith("---\nThe summary.\n")


def test_a_diary_entry_gets_its_transcript_beside_its_recording(tmp_path: Path) -> None:
    project = story(
        tmp_path,
        """
        kind: audio-diary
        participant: {pseudonym: Leah, persona: maya, consent: c-001}
        entries:
          - id: e1
            recording: e1.mp4
            mood: 0
          - {id: e2, recording: e2.m4a}
        redact: []
        """,
        ("e1.mp4", "e2.m4a"),
    )
    s = read_story(project, "p40")
    assert s.voice == "Leah"
    first, second = s.targets
    assert (first.where, first.entry, first.transcript) == ("entries[0]", "e1", "e1.vtt")
    text, by_hand = edited_index(s, first, [PHONE])
    assert by_hand == [] and text is not None
    assert "    recording: e1.mp4\n    transcript: e1.vtt\n    mood: 0\n" in text
    assert (
        'redact:\n  - {words: "07700 900123", start: "00:00:03.100", end: "00:00:05.250", '
        'entry: e1, why: "phone number, heard in e1.vtt"}\n---' in text
    )
    # A flow mapping cannot take a new key safely: the editor is told the line to add.
    text, by_hand = edited_index(s, second, [])
    assert text is None and by_hand == ["transcript: e2.vtt"]


def test_findings_go_at_the_end_of_an_existing_redact_list(tmp_path: Path) -> None:
    project = story(
        tmp_path,
        """
        kind: interview
        recording: call.m4a
        transcript: call.vtt
        redact:
            - {words: "Smith", why: "real name"}
            - {words: "07700 900123", start: "00:00:03.100", end: "00:00:05.250"}
        tags: [moving]
        """,
    )
    s = read_story(project, "p40")
    other = Heard(Finding("SW1A 1AA", "postcode", 9), 7.0, 8.0)
    text, by_hand = edited_index(s, s.targets[0], [PHONE, other])
    assert by_hand == [] and text is not None
    lines = front(text).splitlines()
    # The phone number at that span is listed already; the postcode is new.
    assert lines[4:8] == [
        '    - {words: "Smith", why: "real name"}',
        '    - {words: "07700 900123", start: "00:00:03.100", end: "00:00:05.250"}',
        '    - {words: "SW1A 1AA", start: "00:00:07.000", end: "00:00:08.000", '
        'why: "postcode, heard in call.vtt"}',
        "tags: [moving]",
    ]


def test_a_flow_list_is_left_to_the_editor(tmp_path: Path) -> None:
    project = story(
        tmp_path,
        """
        kind: interview
        recording: call.m4a
        redact: [{words: "Smith"}]
        """,
    )
    s = read_story(project, "p40")
    text, by_hand = edited_index(s, s.targets[0], [PHONE])
    assert text is None
    assert by_hand[0] == "transcript: call.vtt"
    assert by_hand[1] == "redact:" and "07700 900123" in by_hand[2]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("recording: call.m4a\ntranscript: ../other/x.vtt", "is not a .vtt file beside index.md"),
        ("recording: call.m4a\ntranscript: call.txt", "is not a .vtt file beside index.md"),
    ],
)
def test_a_transcript_name_outside_the_bundle_is_refused(
    tmp_path: Path, field: str, message: str
) -> None:
    project = story(tmp_path, "kind: interview\n" + field)
    with pytest.raises(Exception, match=message):
        read_story(project, "p40")
