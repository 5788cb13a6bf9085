"""`render.views`: the facts both sites show, as plain text."""

from __future__ import annotations

import datetime as dt

from immersion import model as m
from immersion.load import empty_library
from immersion.render import views


def story(**extra: object) -> m.Story:
    values: dict[str, object] = {
        "id": "s",
        "kind_of_story": "email",
        "title": "T",
        "participant": m.Participant("Leah <b>", None, "c-1"),
        "date": dt.date(2026, 5, 2),
        "journey": None,
        "stage": None,
        "tags": (),
        "audiences": None,
        "body": "",
        "source": m.Source("x.md"),
    }
    return m.Story(**{**values, **extra})  # type: ignore[arg-type]


def entry(entry_id: str, recorded: dt.date | None) -> m.DiaryEntry:
    return m.DiaryEntry(entry_id, recorded, "", None, None, None, None, "")


def test_the_email_header_is_text_with_the_lines_there_are() -> None:
    header = views.email_header(story(subject="Re: <bill>"))
    assert header.lines() == (
        ("From", "Leah <b>"),
        ("Sent", "2 May 2026"),
        ("Subject", "Re: <bill>"),
    )
    assert header.lines(sent=False) == (("From", "Leah <b>"), ("Subject", "Re: <bill>"))
    assert views.email_header(story(sender="Kwame", date=None)).lines() == (("From", "Kwame"),)


def test_labels() -> None:
    assert views.status_label("in-progress") == "In progress"
    assert views.status_label("odd") == "odd"
    assert views.kind_label(story(kind_of_story="audio-diary")) == "Audio diary"
    assert [status for status, _label in views.STATUS_ORDER] == [
        "done",
        "in-progress",
        "open",
        "dropped",
    ]


def test_diary_entries_in_page_order_and_the_slide_opens_with_the_earliest_dated() -> None:
    s = story(
        kind_of_story="audio-diary",
        entries=(
            entry("b", dt.date(2026, 5, 9)),
            entry("u", None),
            entry("a", dt.date(2026, 5, 2)),
        ),
    )
    assert [e.id for e in views.diary_entries(s)] == ["u", "a", "b"]
    first = views.opening_entry(s)
    assert first is not None and first.id == "a"
    assert views.opening_entry(story()) is None
    facts = views.entry_facts(empty_library(), s, s.entries[1])
    assert (facts.date, facts.mood_face, facts.stage, facts.player_label) == (
        "",
        "",
        "",
        "Diary entry, u",
    )


def test_a_mood_is_a_face_drawn_in_svg_named_in_words() -> None:
    """No emoji: a display without an emoji font would show an empty box."""
    from immersion.render.icons import mood_icon

    low, high = mood_icon(-2), mood_icon(2)
    assert low.startswith("<svg") and 'aria-label="mood: very negative"' in low
    assert 'role="img"' in high and 'aria-label="mood: very positive"' in high
    assert low != high  # a frown is not a smile
    assert not any(ord(ch) > 0x2000 for ch in low + high)


def test_only_a_done_action_is_something_we_did() -> None:
    assert views.we_did_label("done") == "We did"
    assert views.we_did_label("open") == views.we_did_label("in-progress") == "We will"
    assert views.we_did_label("dropped") == "We decided not to"


def test_every_story_kind_has_a_plural_heading() -> None:
    assert views.STORY_KIND_PLURALS.keys() == views.STORY_KIND_LABELS.keys()
    assert views.STORY_KIND_PLURALS["audio-diary"] == "Audio diaries"
    # No heading is the label with an "s" stuck on ("Storys").
    assert "Storys" not in views.STORY_KIND_PLURALS.values()
