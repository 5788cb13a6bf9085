"""How long each slide lasts (render/kiosk/timing.py), and what the build writes of it.

The rule, then the demo room's loops as a visitor meets them (the film runs whole, a
long diary quote stays longer than a short quote, every diary entry is heard on the
listening post), then a pin in the content and the build's summary.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from conftest import TODAY, make_room

from immersion.commands import build
from immersion.render.kiosk.timing import (
    BREATH_SECONDS,
    TEXT_MAX_SECONDS,
    Content,
    captions,
    count_words,
    fmt_length,
    loop_summary,
    reading_seconds,
    round_up,
    slide_seconds,
    words_shown,
)

# ---- the rule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "seconds"),
    [(0, 4.0), (3, 5.0), (6, 6.0), (7, 6.5), (59, 24.0), (10_000, TEXT_MAX_SECONDS)],
)
def test_reading_time_is_4_s_and_3_words_a_second_in_half_seconds(
    words: int, seconds: float
) -> None:
    assert reading_seconds(words) == seconds


def test_round_up_to_half_seconds_without_float_noise() -> None:
    assert [round_up(x) for x in (4.0, 4.01, 4.5, 4.51, 52.25, 0.1 + 0.2 + 3.7)] == [
        4.0,
        4.5,
        4.5,
        5.0,
        52.5,
        4.0,
    ]


def test_a_clip_plays_whole_and_a_breath() -> None:
    assert slide_seconds(Content(words=6, clip=17.1)) == round_up(17.1 + BREATH_SECONDS) == 19.0
    assert slide_seconds(Content(words=60, clip=3.0)) == reading_seconds(60)  # reading is longer


def test_a_film_runs_whole_even_when_pinned_shorter() -> None:
    film = 13.25 + 10.35 + 8.3 + 12.85 + 7.5
    assert slide_seconds(Content(words=5, film=film)) == 52.5
    assert slide_seconds(Content(words=5, film=film), display_pin=12) == 52.5
    assert slide_seconds(Content(words=5, film=film), item_pin=20) == 52.5
    assert slide_seconds(Content(words=5, film=film), item_pin=60) == 60


def test_pins_replace_the_reading_time_the_items_first() -> None:
    long = Content(words=120)
    assert slide_seconds(long) == TEXT_MAX_SECONDS
    assert slide_seconds(long, display_pin=12) == 12
    assert slide_seconds(long, display_pin=12, item_pin=8) == 8
    assert slide_seconds(Content(words=1, clip=30), display_pin=12) == 31.5  # never cut


def test_words_are_what_a_person_reads_on_the_slide() -> None:
    html = (
        '<h2 class="ik-name">Kwame&#39;s diary</h2><img alt="a long description never read">'
        "<p hidden>not shown</p><svg><title>tooltip</title><text>Plan</text></svg>"
        '<p class="ik-now-playing">Now playing: Kwame</p>'
        '<ol class="ik-captions"><li data-start="0">timed by the clip</li></ol>'
        "<p>“Twelve rows so far” · –</p><br>"
    )
    assert words_shown(html) == 2 + 1 + 4
    assert count_words("a · b – c …") == 3


def test_captions_are_on_the_clips_clock() -> None:
    cues = [
        (9.0, 11.0, "before"),
        (11.5, 14.0, "first  line"),
        (14.0, 21.0, "runs past"),
        (30, 31, "after"),
    ]
    found = captions(cues, offset=10.0, length=8.0)
    assert [(c.start, c.end, c.text) for c in found] == [
        (0.0, 1.0, "before"),
        (1.5, 4.0, "first line"),
        (4.0, 8.0, "runs past"),
    ]


def test_the_loop_in_words() -> None:
    assert fmt_length(45) == "45 s"
    assert fmt_length(120) == "2 min"
    assert fmt_length(200) == "3 min 20 s"
    assert fmt_length(67.5) == "1 min 7.5 s"
    assert loop_summary("entrance", [100.0, 100.0]) == "entrance: 2 slides, 3 min 20 s"
    assert loop_summary("post", [9.0]) == "post: 1 slide, 9 s"


# ---- the demo room --------------------------------------------------------------------


def entry(site: Path, display: str) -> BeautifulSoup:
    return BeautifulSoup((site / display / "index.html").read_text(), "html.parser")


def cycle_of(page: BeautifulSoup) -> list[float]:
    script = page.select_one("#ik-config")
    assert script is not None
    cycle = json.loads(script.get_text())["cycle"]
    assert isinstance(cycle, list)
    return cycle


def seconds(slide: Tag) -> float:
    return float(str(slide["data-ik-seconds"]))


@pytest.fixture(scope="module")
def demo_kiosk(demo_site: Path) -> Path:
    return demo_site.parent / "kiosk"


def test_every_slide_carries_its_length_and_the_config_the_cycle(demo_kiosk: Path) -> None:
    for display in ("entrance", "journey-wall", "listening-post"):
        page = entry(demo_kiosk, display)
        slides = page.select(".ik-stage > section.ik-slide")
        assert slides
        assert cycle_of(page) == [seconds(s) for s in slides]
        assert all(s * 2 == int(s * 2) and s >= 4 for s in cycle_of(page))


def test_the_film_slide_lasts_the_whole_film(demo_kiosk: Path) -> None:
    film = entry(demo_kiosk, "entrance").select_one("section.ik-slide-film")
    assert film is not None
    frames = film.select(".im-film-frame")
    assert len(frames) == 5
    whole = float(str(frames[-1]["data-end"]))
    assert whole == pytest.approx(13.25 + 10.35 + 8.3 + 12.85 + 7.5)
    assert seconds(film) == round_up(whole) >= whole
    assert float(str(frames[0]["data-end"])) < seconds(film)  # not frame 1 alone (it was 12 s)


def test_a_long_quote_stays_longer_than_a_short_one(demo_kiosk: Path) -> None:
    page = entry(demo_kiosk, "entrance")
    diary = page.select_one("section.ik-slide-diary")
    dot = page.select_one('section.ik-slide-persona[data-ik-item="persona:dot"]')
    assert diary is not None and dot is not None
    quote = diary.select_one("blockquote")
    assert quote is not None and count_words(quote.get_text()) > 30
    assert seconds(diary) >= reading_seconds(count_words(quote.get_text()))
    assert seconds(dot) < seconds(diary) - 10


def test_the_listening_post_has_a_slide_per_diary_entry(demo_kiosk: Path) -> None:
    slides = entry(demo_kiosk, "listening-post").select("section.ik-slide")
    assert [s.get("data-ik-item") for s in slides] == ["story:diary-p11"] * 3
    clips = [str(s["data-ik-clip"]) for s in slides]
    assert [re.sub(r".*/", "", c) for c in clips] == ["e1.opus", "e2.opus", "e3.opus"]
    for n, s in enumerate(slides, start=1):
        now = s.select_one(".ik-now-playing")
        assert now is not None and now.get_text().startswith(f"Now playing: Kwame, entry {n} of 3")
        cues = s.select(".ik-captions > li")
        assert len(cues) >= 3
        ends = [float(str(c["data-end"])) for c in cues]
        # the slide holds the whole clip (its last words) and a breath
        assert seconds(s) >= max(ends) + BREATH_SECONDS
        starts = [float(str(c["data-start"])) for c in cues]
        assert starts == sorted(starts) and all(a < b for a, b in zip(starts, ends, strict=True))
    # elsewhere the diary shows its opening entry, with captions but no "now playing"
    diary = entry(demo_kiosk, "entrance").select("section.ik-slide-diary")
    assert len(diary) == 1 and str(diary[0]["data-ik-clip"]).endswith("e1.opus")
    assert diary[0].select(".ik-captions > li") and not diary[0].select(".ik-now-playing")


def test_a_highlight_shows_its_words_as_captions(demo_kiosk: Path) -> None:
    slide = entry(demo_kiosk, "entrance").select_one("section.ik-slide-highlight")
    assert slide is not None
    cues = slide.select(".ik-captions > li")
    quote = slide.select_one("blockquote")
    assert cues and quote is not None
    first = cues[0].get_text().split()[:4]
    assert " ".join(first) in quote.get_text()
    assert float(str(cues[0]["data-start"])) >= 0


# ---- a pin in the content, and what the build says ------------------------------------


def test_an_item_pins_its_own_slide_and_the_build_prints_each_loop(
    tmp_path: Path, tone: Path
) -> None:
    room = make_room(tmp_path / "room", tone)
    maya = room / "content/personas/maya/index.md"
    maya.write_text(maya.read_text().replace("name: Maya", "name: Maya\nslide_seconds: 33", 1))
    out = io.StringIO()
    assert build.run(room, today=TODAY, out=out) == 0, out.getvalue()
    kiosk = room / "build" / "kiosk"
    for display in ("entrance", "post"):
        page = entry(kiosk, display)
        maya_slide = page.select_one('section.ik-slide[data-ik-item="persona:maya"]')
        assert maya_slide is not None and seconds(maya_slide) == 33
        lines = [line.strip() for line in out.getvalue().splitlines()]
        cycle = cycle_of(page)
        assert loop_summary(display, cycle) in lines
    assert re.search(r"^  entrance: \d+ slides?, (\d+ min ?)?([\d.]+ s)?$", out.getvalue(), re.M)


def test_a_bad_pin_is_a_problem_at_its_line(tmp_path: Path, tone: Path) -> None:
    room = make_room(tmp_path / "room", tone)
    maya = room / "content/personas/maya/index.md"
    maya.write_text(maya.read_text().replace("name: Maya", "name: Maya\nslide_seconds: 1", 1))
    from immersion.load import load
    from immersion.project import Project

    _library, problems = load(Project(room), TODAY)
    found = [p for p in problems if p.field == "slide_seconds"]
    assert len(found) == 1
    assert found[0].path.endswith("personas/maya/index.md") and found[0].line == 3
    assert "out of range" in found[0].message and "at least 2" in found[0].hint
