"""The audience filter: consent, audiences, allows and carry-through."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from conftest import TODAY

from immersion.audience import for_audience
from immersion.load import load
from immersion.project import Project


def loaded(room: Path):
    library, problems = load(Project(room), TODAY)
    assert not [p for p in problems if p.is_error], problems
    return library


def test_expired_consent_removes_story_quote_evidence_and_tour_items(room: Path) -> None:
    lib = for_audience(loaded(room), "intranet", TODAY)
    assert "old" not in lib.stories
    assert lib.personas["raj"].quote is None  # the persona stays, the quote goes
    assert "raj" in lib.personas
    pain = lib.personas["maya"].pain_points[0]
    assert [str(r) for r in pain.evidence] == ["p07#hl-1"]
    assert [str(r) for r in lib.insights["quotes-confuse"].evidence] == ["p07#hl-1"]
    assert [str(r) for r in lib.journeys["moving-home"].stages[1].evidence] == []
    tour = lib.room.tours[0]
    assert ("story", "old") not in tour.items and ("story", "p07") in tour.items
    post = next(d for d in lib.room.displays if d.id == "post")
    assert post.playlist.items == (("persona", "maya"), ("story", "p07"))
    assert set(lib.consents) == {"c-001", "c-003"}


def test_intranet_only_consent_is_absent_from_kiosk(room: Path) -> None:
    library = loaded(room)
    assert "letter" in for_audience(library, "intranet", TODAY).stories
    assert "letter" not in for_audience(library, "kiosk", TODAY).stories


def test_consent_runs_until_its_expiry_date(room: Path) -> None:
    library = loaded(room)
    expires = library.consents["c-001"].expires
    assert expires is not None
    assert "p07" in for_audience(library, "intranet", expires - dt.timedelta(days=1)).stories
    assert "p07" not in for_audience(library, "intranet", expires).stories


def test_withdrawn_consent_removes_everything_at_once(room: Path) -> None:
    library = loaded(room)
    consent = replace(library.consents["c-001"], withdrawn=TODAY)
    lib = for_audience(
        library.with_(consents={**library.consents, "c-001": consent}), "intranet", TODAY
    )
    assert "p07" not in lib.stories
    assert lib.personas["maya"].quote is None
    assert lib.insights["quotes-confuse"].evidence == ()


def test_withdrawal_written_ahead_takes_effect_on_its_date(room: Path) -> None:
    library = loaded(room)
    ahead = TODAY + dt.timedelta(days=5)
    consent = replace(library.consents["c-001"], withdrawn=ahead)
    library = library.with_(consents={**library.consents, "c-001": consent})
    for audience in ("intranet", "kiosk"):
        assert "p07" in for_audience(library, audience, ahead - dt.timedelta(days=1)).stories
        assert "p07" not in for_audience(library, audience, ahead).stories
        assert "p07" not in for_audience(library, audience, ahead + dt.timedelta(days=1)).stories


def test_story_audiences_narrow_the_consent(room: Path) -> None:
    library = loaded(room)
    story = replace(library.stories["p07"], audiences=("intranet",))
    narrowed = library.with_(stories={**library.stories, "p07": story})
    assert "p07" in for_audience(narrowed, "intranet", TODAY).stories
    assert "p07" not in for_audience(narrowed, "kiosk", TODAY).stories


def test_allows_trims_voice_face_and_words(room: Path) -> None:
    library = loaded(room)

    def with_allows(*allows: str):
        consent = replace(library.consents["c-001"], allows=allows)
        return for_audience(
            library.with_(consents={**library.consents, "c-001": consent}), "intranet", TODAY
        )

    no_voice = with_allows("face", "words").stories["p07"]
    assert no_voice.recording is None and no_voice.highlights == ()
    assert no_voice.transcript is not None
    no_face = with_allows("voice", "words").stories["p07"]
    assert no_face.inline_images == () and no_face.recording is not None
    no_words = with_allows("voice", "face")
    assert no_words.stories["p07"].transcript is None
    # The highlight went with the words, so the quote that cited it goes too.
    assert no_words.personas["maya"].quote is None
    # Priya's letter is her own words: an email without `words` leaves entirely.
    consent = replace(library.consents["c-003"], allows=("voice",))
    lib = for_audience(
        library.with_(consents={**library.consents, "c-003": consent}), "intranet", TODAY
    )
    assert "letter" not in lib.stories


def test_filter_is_pure(room: Path) -> None:
    library = loaded(room)
    before = repr(library)
    for_audience(library, "kiosk", TODAY)
    assert repr(library) == before


def test_a_quote_needs_words_even_where_the_voice_stays(room: Path) -> None:
    # A diary keeps its entries (their voice) without `words`, but not a verbatim quote.
    from immersion import model as m
    from immersion.schema import EvidenceRef

    library = loaded(room)
    p07 = library.stories["p07"]
    entry = m.DiaryEntry("e1", TODAY, "", p07.recording, None, None, None, "")
    diary = replace(p07, kind_of_story="audio-diary", highlights=(), entries=(entry,))
    maya = library.personas["maya"]
    assert maya.quote is not None
    quote = replace(maya.quote, evidence=EvidenceRef("p07", "e1"))
    consent = replace(library.consents["c-001"], allows=("voice", "face"))
    lib = for_audience(
        library.with_(
            stories={**library.stories, "p07": diary},
            personas={**library.personas, "maya": replace(maya, quote=quote)},
            consents={**library.consents, "c-001": consent},
        ),
        "intranet",
        TODAY,
    )
    assert lib.stories["p07"].entries  # the voice stays
    assert lib.personas["maya"].quote is None  # the words go
