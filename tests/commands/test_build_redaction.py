"""`redact:` carried through a real build: words, sound and picture, proven on the sites.

A small room whose interview says a phone number and a real name (in the transcript,
across a line break, in the body and in a persona's quote), with a time span; and a
video whose span is bleeped and blanked. Every check reads the published files
themselves: HTML parsed, WebVTT and search index read, each span measured with ffmpeg
here (astats, blackdetect), apart from the product's own code.
"""

from __future__ import annotations

import io
import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import TODAY, write

from immersion.commands import audit, build

PHRASES = ("07700 900123", "Leah Smith")
SPAN = (3.5, 5.5)  # silenced in interview.m4a (and its clip hl-1, 3-6 s)
VIDEO_SPAN = (2.0, 4.0)  # bleeped and blanked in call.mp4
TEXT_SUFFIXES = {".html", ".vtt", ".json", ".js", ".xml", ".txt", ".css", ".svg", ".md"}


def _ff(ffmpeg: str, *args: str) -> str:
    done = subprocess.run(
        [ffmpeg, "-hide_banner", "-nostdin", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stderr


def rms(ffmpeg: str, path: Path, start: float, end: float, pre: str = "") -> float:
    """RMS level (dBFS) of `path` from `start` to `end`, by ffmpeg's astats."""
    text = _ff(
        ffmpeg, "-ss", f"{start}", "-t", f"{end - start}", "-i", str(path), "-map", "0:a:0",
        "-af", f"{pre}astats=measure_perchannel=none:measure_overall=RMS_level",
        "-f", "null", "-",
    )  # fmt: skip
    value = re.findall(r"RMS level dB:\s*(\S+)", text)[-1]
    return -math.inf if "inf" in value else float(value)


def make_room(root: Path, ffmpeg: str) -> Path:
    c = root / "content"
    write(
        c / "room.yml",
        """
        name: Redaction Room
        timezone: Europe/London
        displays:
          - id: post
            title: Listening post
            orientation: landscape
            resolution: [1920, 1080]
            playlist: {items: [story/p50, persona/maya, story/v51]}
        """,
    )
    write(
        c / "consent/c-001.yml",
        """
        participant: Leah
        signed: 2026-01-10
        expires: 2027-12-10
        audiences: [kiosk, intranet]
        allows: [voice, face, words]
        """,
    )
    write(
        c / "personas/maya/index.md",
        """
        ---
        name: Maya
        segment: Young families
        quote: {text: "Call me on 07700 900123 any time.", evidence: p50#hl-1}
        reviewed: 2026-10-01
        ---
        Maya plans everything.
        """,
    )
    p50 = c / "stories/p50"
    p50.mkdir(parents=True)
    _ff(ffmpeg, "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=8",
        "-c:a", "aac", "-b:a", "96k", str(p50 / "interview.m4a"))  # fmt: skip
    write(
        p50 / "interview.vtt",
        """
        WEBVTT

        00:00:00.000 --> 00:00:03.000
        <v Sam>Hello LEAH smith, thanks for joining.

        00:00:03.000 --> 00:00:06.000
        <v Leah>Call me on 07700
        900123 any time.

        00:00:06.000 --> 00:00:08.000
        <v Leah>The form was a maze.
        """,
    )
    write(
        p50 / "index.md",
        """
        ---
        kind: interview
        title: "Leah: the form was a maze"
        participant: {pseudonym: Leah, persona: maya, consent: c-001}
        date: 2026-03-12
        recording: interview.m4a
        transcript: interview.vtt
        interviewer: Sam
        highlights:
          - {id: hl-1, start: 3, end: 6}
        redact:
          - {words: "07700 900123", why: phone number}
          - {words: "Leah Smith", why: real name}
          - {start: 3.5, end: 5.5, why: "the number, said aloud"}
        ---
        Leah Smith gave us her number, 07700 900123, twice.
        """,
    )
    v51 = c / "stories/v51"
    v51.mkdir(parents=True)
    _ff(ffmpeg, "-v", "error",
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=6",
        "-f", "lavfi", "-i", "sine=frequency=440:duration=6",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
        str(v51 / "call.mp4"))  # fmt: skip
    write(
        v51 / "index.md",
        """
        ---
        kind: interview
        title: "Leah on video"
        participant: {pseudonym: Leah, persona: maya, consent: c-001}
        date: 2026-03-12
        recording: call.mp4
        redact_sound: bleep
        redact:
          - {start: "00:00:02.000", end: "00:00:04.000", picture: blank}
        ---
        On video.
        """,
    )
    write(root / "mkdocs.yml", "site_name: Redaction Room\n")
    return root


def run_build(room: Path) -> tuple[int, str]:
    out = io.StringIO()
    code = build.run(room, today=TODAY, out=out, jobs=2)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, ffmpeg: str) -> Path:
    room = make_room(tmp_path_factory.mktemp("redact") / "room", ffmpeg)
    code, out = run_build(room)
    assert code == 0, out
    return room


def _phrase_re(phrase: str) -> re.Pattern[str]:
    # The test's own matcher: any case, any white space between the words.
    return re.compile(r"\s+".join(map(re.escape, phrase.split())), re.IGNORECASE)


def _texts(site: Path) -> dict[str, str]:
    """Every text file of a site; HTML also as a reader sees it (entities decoded)."""
    out = {}
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            raw = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".html":
                raw += "\n" + BeautifulSoup(raw, "html.parser").get_text(" ")
            out[path.relative_to(site).as_posix()] = raw
    return out


@pytest.mark.parametrize("audience", ["intranet", "kiosk"])
def test_no_redacted_phrase_in_any_published_file(built: Path, audience: str) -> None:
    site = (built / "build" / audience).resolve()
    texts = _texts(site)
    found = [
        (rel, phrase)
        for rel, text in texts.items()
        for phrase in PHRASES
        if _phrase_re(phrase).search(text)
    ]
    assert found == []
    # Nor in any binary file (a phrase could only hide in a text, but look anyway).
    raw = [p for p in site.rglob("*") if p.is_file() and b"900123" in p.read_bytes()]
    assert raw == []
    marked = [rel for rel, text in texts.items() if "[redacted]" in text]
    assert any(rel.endswith(".vtt") for rel in marked), marked
    assert any(rel.endswith(".html") for rel in marked), marked


def test_the_words_around_stay_and_every_text_is_marked(built: Path) -> None:
    site = (built / "build" / "intranet").resolve()
    story = BeautifulSoup(
        (site / "stories/p50/index.html").read_text(encoding="utf-8"), "html.parser"
    )
    text = " ".join(story.get_text(" ").split())
    assert "[redacted] gave us her number, [redacted], twice." in text
    assert "Call me on [redacted] any time." in text  # the transcript line, across its break
    vtt = next(site.rglob("*.vtt")).read_text(encoding="utf-8")
    assert "Hello [redacted], thanks for joining." in vtt
    assert "Call me on [redacted] any time." in " ".join(vtt.split())
    persona = BeautifulSoup(
        (site / "personas/maya/index.html").read_text(encoding="utf-8"), "html.parser"
    )
    assert "Call me on [redacted] any time." in " ".join(persona.get_text(" ").split())
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    words = " ".join(doc["text"] + " " + doc["title"] for doc in index["docs"])
    assert "[redacted]" in words
    assert not _phrase_re("07700 900123").search(words)


def _published_audio(site: Path, stem: str) -> list[Path]:
    return sorted(
        p for p in site.rglob(f"*{stem}*") if p.suffix in (".m4a", ".opus") and p.is_file()
    )


@pytest.mark.parametrize("audience", ["intranet", "kiosk"])
def test_redacted_span_is_silent_in_every_published_recording(
    built: Path, audience: str, ffmpeg: str
) -> None:
    site = (built / "build" / audience).resolve()
    files = _published_audio(site, "interview")
    whole = [p for p in files if "hl-1" not in p.name]
    clips = [p for p in files if "hl-1" in p.name]
    assert whole and clips, files
    for path in whole:
        assert rms(ffmpeg, path, *SPAN) < -60, path
        # The rest still plays: the measurement can tell sound from silence.
        assert rms(ffmpeg, path, 0.5, 3.0) > -30, path
        assert rms(ffmpeg, path, 6.0, 7.5) > -30, path
    for path in clips:  # the clip starts at 3 s: the span is 0.5-2.5 s in it
        assert rms(ffmpeg, path, SPAN[0] - 3, SPAN[1] - 3) < -60, path
        assert rms(ffmpeg, path, 2.7, 2.95) > -40, path


def test_a_video_span_is_bleeped_and_black(built: Path, ffmpeg: str) -> None:
    site = (built / "build" / "intranet").resolve()
    (video,) = [p for p in site.rglob("*.mp4")]
    a, b = VIDEO_SPAN
    tone = "bandpass=f=1000:width_type=h:w=100,bandpass=f=1000:width_type=h:w=100,"
    speech = "bandpass=f=440:width_type=h:w=100,bandpass=f=440:width_type=h:w=100,"
    assert rms(ffmpeg, video, a, b, tone) > -30  # the 1 kHz bleep
    assert rms(ffmpeg, video, a, b, speech) < -50  # and not what was said
    assert rms(ffmpeg, video, 0.2, 1.8, speech) > -30
    # Its audio-only renditions are bleeped too.
    for path in _published_audio(site, "call"):
        assert rms(ffmpeg, path, a, b, tone) > -30, path
        assert rms(ffmpeg, path, a, b, speech) < -50, path
    text = _ff(ffmpeg, "-i", str(video), "-vf", "blackdetect=d=0.5:pix_th=0.1", "-f", "null", "-")
    blacks = [
        (float(s), float(e))
        for s, e in re.findall(r"black_start:([\d.]+) black_end:([\d.]+)", text)
    ]
    assert any(s <= a + 0.05 and e >= b - 0.05 for s, e in blacks), blacks
    assert all(e - s < 2.5 for s, e in blacks), blacks  # only the span
    # The poster is not a frame of the span.
    poster = next(site.rglob("*.jpg"))
    stats = _ff(ffmpeg, "-i", str(poster), "-vf", "signalstats,metadata=print", "-f", "null", "-")
    luma = float(re.findall(r"lavfi.signalstats.YAVG=([\d.]+)", stats)[-1])
    assert luma > 40


def test_the_audit_passes_then_finds_a_planted_phrase_and_sound(
    built: Path, ffmpeg: str, tmp_path: Path
) -> None:
    out = io.StringIO()
    assert audit.run(built, [], out=out, today=TODAY) == 0, out.getvalue()
    # A copy of the room, so the module's build stays clean for the other tests.
    room = tmp_path / "room"
    shutil.copytree(built, room, symlinks=True)
    site = (room / "build" / "intranet").resolve()
    if not site.is_relative_to(room):  # the symlink points into the original build
        site = room / "build" / ".sites" / site.name
        (room / "build" / "intranet").unlink()
        (room / "build" / "intranet").symlink_to(site)
    page = site / "personas/maya/index.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace("</article>", "<p>leah\n  SMITH</p></article>"),
        encoding="utf-8",
    )
    audio = _published_audio(site, "interview")
    (m4a,) = [p for p in audio if p.suffix == ".m4a" and "hl" not in p.name]
    m4a.unlink()
    shutil.copyfile(room / "content/stories/p50/interview.m4a", m4a)  # never redacted
    out = io.StringIO()
    code = audit.run(room, ["build/intranet"], out=out, today=TODAY, as_json=True)
    assert code == 1, out.getvalue()
    found = json.loads(out.getvalue())
    kinds = {(f["path"], f["kind"]) for f in found["findings"]}
    assert ("personas/maya/index.html", "redacted-text") in kinds
    assert (m4a.relative_to(site).as_posix(), "redacted-sound") in kinds
    text = [f for f in found["findings"] if f["kind"] == "redacted-text"]
    assert "Leah Smith" in text[0]["detail"]


def test_the_build_refuses_a_site_with_a_redacted_phrase(built: Path, tmp_path: Path) -> None:
    room = tmp_path / "room"
    shutil.copytree(built / "content", room / "content")
    shutil.copy(built / "mkdocs.yml", room / "mkdocs.yml")
    # A theme file is copied into the site as it is: the build cannot redact it.
    write(room / "themes/intranet/stylesheets/extra.css", "/* call 07700 900123 */\n")
    code, out = run_build(room)
    assert code == 1, out
    assert "redacted-text" in out and "extra.css" in out, out
    assert not (room / "build" / "intranet").exists()
