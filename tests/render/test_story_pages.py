"""Story pages as a person reads them: parsed from the built demo room and a test room."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from bs4 import BeautifulSoup
from conftest import TODAY

from immersion.commands import build
from immersion.transcripts import parse_vtt


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def test_the_interview_transcript_is_text_on_the_page(demo_site: Path) -> None:
    page = soup(demo_site, "stories/p07/index.html")
    vtt = (demo_site / "media/stories/p07/interview.vtt").read_text()
    script, problems = parse_vtt(vtt, "published.vtt")
    assert problems == []
    box = page.select_one(".im-transcript[data-for=rec-p07]")
    assert box is not None
    lines = box.select("li.im-cue")
    assert len(lines) == len(script.cues) == 15
    for line, cue in zip(lines, script.cues, strict=True):
        assert float(line["data-start"]) == round(cue.start, 3)
        assert line.select_one(".im-cue-text").get_text() == " ".join(cue.text.split())
        assert line.select_one(".im-voice").get_text() == cue.voice
        assert ("im-cue-interviewer" in line["class"]) == (cue.voice == "Sam")
    # Lines inside a highlight say which one; the interviewer's never do.
    quoted = [li for li in lines if "im-cue-quoted" in li["class"]]
    assert quoted and all(li.select_one(".im-voice").get_text() == "Leah" for li in quoted)
    assert {li["data-highlight"] for li in quoted} == {"hl-1", "hl-2", "hl-3", "hl-4", "hl-5"}


def test_the_player_has_sources_peaks_and_default_captions(demo_site: Path) -> None:
    page = soup(demo_site, "stories/p07/index.html")
    audio = page.select_one("div.im-player[data-im-player] > audio#rec-p07")
    assert audio is not None
    assert audio.has_attr("controls")  # the fallback without JavaScript
    assert [s["type"] for s in audio.select("source")] == ['audio/ogg; codecs="opus"', "audio/mp4"]
    track = audio.select_one("track")
    assert track["kind"] == "captions" and track.has_attr("default")
    assert (demo_site / "stories/p07" / track["src"]).resolve().is_file()
    peaks = json.loads((demo_site / "stories/p07" / audio["data-peaks"]).read_text())
    assert peaks["version"] == 2 and len(peaks["data"]) == 2 * peaks["length"]
    assert abs(float(audio["data-duration"]) - 85.0) < 1.0


def test_search_finds_words_spoken_in_interviews(demo_site: Path) -> None:
    index = json.loads((demo_site / "search/search_index.json").read_text())
    hits = [d["location"] for d in index["docs"] if "toddler on my hip" in d["text"]]
    assert any(location.startswith("stories/p07/") for location in hits)
    spoken_in_diary = "put the kettle on"  # said in the intranet-only p21 interview
    assert any(spoken_in_diary in d["text"] for d in index["docs"])


def test_quote_cards_play_the_customers_voice_and_seek_the_interview(demo_site: Path) -> None:
    page = soup(demo_site, "stories/p07/index.html")
    cards = page.select("article.im-highlight")
    assert [c["id"] for c in cards] == ["hl-1", "hl-2", "hl-3", "hl-4", "hl-5"]
    card = page.select_one("#hl-2")
    assert (
        card.select_one("blockquote").get_text().startswith("“Honestly? Like I was being set up.")
    )
    assert card["data-seek"] == "39.758" and card["data-for"] == "rec-p07"
    clip = card.select_one(".im-player-clip audio")
    assert clip is not None and clip["preload"] == "none"
    assert all("interview-hl-2." in s["src"] for s in clip.select("source"))
    # One control to hear it; "In context" goes to the transcript line it starts on.
    assert card.select("button.im-seek") == []
    context = card.select_one("a.im-in-context")
    assert context["href"] == "#rec-p07-8"
    assert page.select_one("#rec-p07-8")["data-start"] == "39.758"
    stage = card.select_one(".im-meta a")
    assert stage.get_text() == "Getting a quote for the new home"
    assert stage["href"] == "../../journeys/moving-home/#stage-quote"
    cited = card.select(".im-meta")[-1]
    assert cited.get_text().startswith("Cited by") and cited.select_one("a[href$='maya/']")


def test_every_quote_in_the_site_links_to_a_moment_that_seeks(demo_site: Path) -> None:
    anchors = 0
    for html in demo_site.rglob("*.html"):
        page = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for link in page.select("article a[href*='stories/'][href*='#']"):
            path, _, anchor = link["href"].partition("#")
            if anchor.startswith("stage-") or anchor.startswith("__"):
                continue
            target_file = (html.parent / path / "index.html").resolve()
            target = BeautifulSoup(target_file.read_text(encoding="utf-8"), "html.parser")
            moment = target.find(id=anchor)
            assert moment is not None, f"{html}: {link['href']}"
            if "im-cue" in moment.get("class", []):  # a transcript line: seeks its box's audio
                player = moment.find_parent(class_="im-transcript")["data-for"]
                assert moment.has_attr("data-start"), link["href"]
            else:
                assert moment.has_attr("data-seek") and moment.has_attr("data-for"), link["href"]
                player = moment["data-for"]
            assert target.find(id=player).name == "audio"
            anchors += 1
    assert anchors >= 10


def test_insight_evidence_quotes_the_words(demo_site: Path) -> None:
    page = soup(demo_site, "insights/one-number-to-trust/index.html")
    quotes = page.select("article.im-quote-card blockquote.im-quote")
    assert quotes, "no quoted evidence"
    assert any("three different prices" in q.get_text() for q in quotes)


def test_the_diary_is_a_timeline_of_entries(demo_site: Path) -> None:
    page = soup(demo_site, "stories/diary-p11/index.html")
    entries = page.select("ol.im-timeline > li.im-entry")
    assert [e["id"] for e in entries] == ["e1", "e2", "e3"]
    dates = [e.select_one("time")["datetime"] for e in entries]
    assert dates == sorted(dates)
    for entry in entries:
        audio = entry.select_one("audio")
        assert audio["id"] == f"rec-diary-p11-{entry['id']}" == entry["data-for"]
        assert entry.select_one(".im-prompt").get_text().startswith("Prompt:")
        assert entry.select(".im-transcript li.im-cue")
        assert entry.select_one("[role=img][aria-label^='mood:']")


def test_the_film_is_frames_on_a_timeline_with_chapters(demo_site: Path) -> None:
    page = soup(demo_site, "stories/film-p14/index.html")
    film = page.select_one(".im-film[data-im-film]")
    assert film["data-for"] == "rec-film-p14-narration"
    assert page.select_one(f"audio#{film['data-for']}") is not None
    frames = film.select("figure.im-film-frame")
    seconds = [13.25, 10.35, 8.3, 12.85, 7.5]
    at = 0.0
    for frame, length in zip(frames, seconds, strict=True):
        assert float(frame["data-start"]) == round(at, 3)
        at += length
        assert float(frame["data-end"]) == round(at, 3)
        assert frame.select_one("img")["alt"] and frame.select_one("figcaption")
    chapters = page.select("ol.im-chapters button[data-seek]")
    assert [b["data-seek"] for b in chapters] == ["0.000", "13.252", "23.587", "31.888", "44.735"]
    assert page.select_one("ol.im-chapters a[href$='#stage-arrives']")


def test_the_email_is_a_letter_and_the_story_has_pull_quotes(demo_site: Path) -> None:
    letter = soup(demo_site, "stories/email-p16/index.html").select_one("article.im-letter")
    head = {dt.get_text(): dt.find_next_sibling("dd").get_text() for dt in letter.select("dt")}
    assert set(head) == {"From", "Sent", "Subject"}
    assert letter.select("p")  # the body, rendered inside the letter
    story = soup(demo_site, "stories/story-p19/index.html").select_one(".im-story-body")
    assert story.select_one("blockquote").get_text(strip=True) == (
        "I didn't know any of it had actually happened."
    )
    assert len(story.select("picture img")) == 3


def test_published_transcripts_carry_cues_only(room: Path) -> None:
    vtt = room / "content/stories/p07/interview.vtt"
    vtt.write_text(
        vtt.read_text().replace(
            "WEBVTT\n", "WEBVTT\n\nNOTE Leah's real name is Leah Hargreaves, 14 Elm Road\n"
        )
        + "\nNOTE interviewer's aside: she cried here\n"
    )
    out = io.StringIO()
    assert build.run(room, today=TODAY, out=out) == 0, out.getvalue()
    site = room / "build/intranet"
    published = (site / "media/stories/p07/interview.vtt").read_text()
    assert published.startswith("WEBVTT\n")
    assert "Hargreaves" not in published and "cried" not in published
    assert "<v Leah>Honestly, the quote form was a maze." in published
    everything = b"".join(p.read_bytes() for p in site.rglob("*") if p.is_file())
    assert b"Hargreaves" not in everything
    assert not re.search(rb"NOTE ", everything)
