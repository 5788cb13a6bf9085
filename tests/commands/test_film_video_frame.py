"""A photo film whose frame is a highlight of a filmed interview (`video: p07#hl-1`).

The room (conftest.make_room) gets Leah's interview as a solid magenta 4:3 video at
30 fps, and a film with a red photo, that highlight, and a green photo. Built for both
sites, then exported: the MP4 shows the clip's colour (pillarboxed, muted, at the
film's 25 fps) over the highlight's time range, and lasts the frames.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium, serve
from bs4 import BeautifulSoup
from conftest import TODAY, make_room, write
from PIL import Image

from immersion import model as m
from immersion.audience import dropped_video_frames, for_audience
from immersion.commands import build
from immersion.commands import film as film_command
from immersion.load import load
from immersion.project import Project

SIZE = (320, 180)
RED, GREEN, MAGENTA, BLACK = (255, 0, 0), (0, 200, 0), (255, 0, 255), (0, 0, 0)
HIGHLIGHT = (1.5, 3.0)  # conftest's p07#hl-1
# red 1.0 s, the clip 1.5 s, green 1.0 s
WINDOWS = [(0.0, 1.0, RED), (1.0, 2.5, MAGENTA), (2.5, 3.5, GREEN)]

FILM_CONSENT = """
participant: Leah
signed: 2026-03-12
expires: 2027-09-12
audiences: [kiosk, intranet]
allows: [voice, face, words]
"""


def magenta_interview(ffmpeg: str, out: Path) -> None:
    """4 s of solid magenta, 480x360 (4:3, so the 16:9 film pads it), 30 fps, a tone."""
    subprocess.run(
        [
            ffmpeg, "-v", "error", "-y",
            "-f", "lavfi", "-i", "color=c=0xff00ff:s=480x360:r=30:d=4",
            "-f", "lavfi", "-i", "sine=f=330:duration=4",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(out),
        ],
        check=True,
    )  # fmt: skip


def film_index(frame: str) -> str:
    return (
        "---\n"
        "kind: photo-film\n"
        'title: "Leah\'s film"\n'
        "participant: {pseudonym: Leah, persona: maya, consent: c-film}\n"
        "date: 2026-06-15\n"
        "frames:\n"
        '  - {src: 01.jpg, alt: "Red", seconds: 1.0}\n'
        f"{frame}"
        '  - {src: 02.jpg, alt: "Green", seconds: 1.0}\n'
        "---\n"
        "Leah shows us round.\n"
    )


VIDEO_FRAME = '  - {video: p07#hl-1, caption: "The quote form", alt: "Leah talking"}\n'


def video_film_room(root: Path, tone: Path, ffmpeg: str, frame: str = VIDEO_FRAME) -> Path:
    room = make_room(root, tone)
    bundle = room / "content/stories/p07"
    (bundle / "interview.m4a").unlink()
    magenta_interview(ffmpeg, bundle / "interview.mp4")
    index = bundle / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8").replace("interview.m4a", "interview.mp4"),
        encoding="utf-8",
    )
    write(room / "content/consent/c-film.yml", FILM_CONSENT)
    yml = room / "content/room.yml"
    text = yml.read_text(encoding="utf-8")
    assert "story/old]" in text
    yml.write_text(text.replace("story/old]", "story/old, story/film-v]", 1), encoding="utf-8")
    film = room / "content/stories/film-v"
    film.mkdir(parents=True)
    Image.new("RGB", (480, 320), RED).save(film / "01.jpg", quality=92)
    Image.new("RGB", (480, 320), GREEN).save(film / "02.jpg", quality=92)
    write(film / "index.md", film_index(frame))
    return room


def frame_at(ffmpeg: str, path: Path, seconds: float) -> Image.Image:
    png = subprocess.run(
        [ffmpeg, "-v", "error", "-ss", f"{seconds:.3f}", "-i", str(path), "-frames:v", "1",
         "-f", "image2", "-c:v", "png", "-"],
        capture_output=True,
        check=True,
    ).stdout  # fmt: skip
    return Image.open(io.BytesIO(png)).convert("RGB")


def near(colour: object, want: tuple[int, int, int], tolerance: int = 40) -> bool:
    assert isinstance(colour, tuple)
    return all(abs(a - b) <= tolerance for a, b in zip(colour[:3], want, strict=True))


def probe(ffmpeg: str, path: Path) -> str:
    return subprocess.run(
        [ffmpeg, "-hide_banner", "-i", str(path)], capture_output=True, text=True, check=False
    ).stderr


# --------------------------------------------------------------------------- loading


def problems_of(room: Path) -> list[str]:
    _library, problems = load(Project(room), TODAY)
    return [p.format() for p in problems if "film-v" in p.path]


@pytest.mark.parametrize(
    ("frame", "said"),
    [
        ("  - {video: p07}\n", "'p07' names a whole story, not a highlight"),
        ("  - {video: old#hl-1}\n", "'old#hl-1' cannot be a video frame: 'old.m4a' is not a video"),
        ("  - {video: p07#hl-9}\n", "story 'p07' has no highlight or entry 'hl-9'"),
        ("  - {video: nobody#hl-1}\n", "no story 'nobody'"),
        ("  - {video: p07#hl-1, src: 01.jpg}\n", "a photo (src:) or a video (video:), not both"),
        ('  - {caption: "Nothing"}\n', "this frame has neither a photo nor a video"),
    ],
)
def test_a_bad_video_frame_is_a_problem_at_its_line(
    tmp_path: Path, tone: Path, ffmpeg: str, frame: str, said: str
) -> None:
    room = video_film_room(tmp_path / "room", tone, ffmpeg, frame)
    found = problems_of(room)
    assert any(said in p and "index.md:8" in p for p in found), found
    library, _ = load(Project(room), TODAY)
    # The film keeps its photos.
    assert [f.name for f in library.stories["film-v"].frames] == ["01.jpg", "02.jpg"]


def test_a_video_frame_lasts_its_highlight_and_seconds_is_ignored(
    tmp_path: Path, tone: Path, ffmpeg: str
) -> None:
    room = video_film_room(tmp_path / "room", tone, ffmpeg, "  - {video: p07#hl-1, seconds: 9}\n")
    found = problems_of(room)
    assert any("seconds: is ignored" in p and "warning" in p.lower() for p in found), found
    library, _ = load(Project(room), TODAY)
    frame = library.stories["film-v"].frames[1]
    assert frame.src is None and str(frame.video) == "p07#hl-1"
    assert frame.recording is not None and frame.recording.src == "interview.mp4"
    assert frame.seconds == pytest.approx(HIGHLIGHT[1] - HIGHLIGHT[0])


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (("consent/c-001.yml", "allows: [voice, face, words]", "allows: [voice, words]"),
         "consent 'c-001' does not allow 'face'"),
        (("stories/p07/index.md", "tags: [moving]", "tags: [moving]\naudiences: [intranet]"),
         "the story 'p07' is not shown to this audience"),
        (("consent/c-001.yml", "expires: 2027-09-12", "expires: 2026-01-01"),
         "the story 'p07' is not shown to this audience"),
    ],
)  # fmt: skip
def test_the_audience_filter_drops_a_video_frame_without_its_consent(
    tmp_path: Path, tone: Path, ffmpeg: str, change: tuple[str, str, str], why: str
) -> None:
    room = video_film_room(tmp_path / "room", tone, ffmpeg)
    name, old, new = change
    path = room / "content" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    library, _ = load(Project(room), TODAY)
    kiosk = for_audience(library, "kiosk", TODAY).stories["film-v"]
    assert [f.name for f in kiosk.frames] == ["01.jpg", "02.jpg"]
    warnings = [p.format() for p in dropped_video_frames(library, "kiosk", TODAY)]
    assert len(warnings) == 1, warnings
    assert "film 'film-v'" in warnings[0] and "p07#hl-1" in warnings[0]
    assert why in warnings[0] and "index.md:8" in warnings[0]


def test_with_consent_the_video_frame_is_kept(tmp_path: Path, tone: Path, ffmpeg: str) -> None:
    room = video_film_room(tmp_path / "room", tone, ffmpeg)
    library, _ = load(Project(room), TODAY)
    for audience in m.AUDIENCES:
        frames = for_audience(library, audience, TODAY).stories["film-v"].frames
        assert [f.name for f in frames] == ["01.jpg", "p07#hl-1", "02.jpg"]
        assert dropped_video_frames(library, audience, TODAY) == []


# --------------------------------------------------------------------------- built, exported


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, tone: Path, ffmpeg: str) -> Path:
    room = video_film_room(tmp_path_factory.mktemp("vfilm") / "room", tone, ffmpeg)
    out = io.StringIO()
    code = build.run(room, ("kiosk", "intranet"), today=TODAY, out=out)
    assert code == 0, out.getvalue()
    return room


def cached(room: Path) -> set[str]:
    return {str(p) for p in (room / "build/.cache/objects").rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def exported(built: Path) -> tuple[Path, str, set[str]]:
    """The MP4, what the export said, and the cache objects it added (none expected)."""
    before = cached(built)
    out = io.StringIO()
    code = film_command.run(built, "film-v", size=SIZE, today=TODAY, out=out)
    assert code == 0, out.getvalue()
    return built / "build/films/film-v.mp4", out.getvalue(), cached(built) - before


def test_the_export_lasts_the_frames_and_is_silent(
    exported: tuple[Path, str, set[str]], ffmpeg: str
) -> None:
    mp4, said, _new = exported
    assert "3.5 s, 3 frames" in said, said
    log = probe(ffmpeg, mp4)
    hms = log.split("Duration: ", 1)[1].split(",", 1)[0]
    hours, minutes, seconds = hms.split(":")
    assert int(hours) * 3600 + int(minutes) * 60 + float(seconds) == pytest.approx(3.5, abs=0.05)
    assert "Audio:" not in log  # the clip's sound is not the film's: no narration, no audio
    assert "25 fps" in log


def test_the_clip_plays_over_its_frames_time_range(
    exported: tuple[Path, str, set[str]], ffmpeg: str
) -> None:
    mp4, _said, _new = exported
    for start, end, colour in WINDOWS:
        # Clear of the cuts and of the clip's 150 ms fades.
        for t in (start + 0.25, (start + end) / 2, end - 0.25):
            picture = frame_at(ffmpeg, mp4, t)
            middle = picture.getpixel((SIZE[0] // 2, SIZE[1] // 2))
            assert near(middle, colour), (t, middle, colour)
    # The 4:3 clip is pillarboxed in the 16:9 film, as a photo is.
    clip = frame_at(ffmpeg, mp4, 1.75)
    assert near(clip.getpixel((5, SIZE[1] // 2)), BLACK), clip.getpixel((5, SIZE[1] // 2))
    assert near(clip.getpixel((SIZE[0] - 5, SIZE[1] // 2)), BLACK)
    assert near(clip.getpixel((SIZE[0] // 2 - 110, SIZE[1] // 2)), MAGENTA)


def test_an_export_after_the_build_converts_nothing(exported: tuple[Path, str, set[str]]) -> None:
    # The clip is the one the sites play, found in the cache: no new object was made.
    assert exported[2] == set()


def _page(site: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((site / name).read_text(encoding="utf-8"), "html.parser")


def _video_frames(site: Path) -> list[tuple[Path, BeautifulSoup]]:
    found = []
    for page in site.rglob("*.html"):
        soup = _page(site, str(page.relative_to(site)))
        for video in soup.select(".im-film-frame video.im-film-video"):
            found.append((page, video))
    return found


@pytest.mark.parametrize("audience", ["intranet", "kiosk"])
def test_the_film_players_show_the_clip_as_a_muted_inline_video(built: Path, audience: str) -> None:
    site = built / "build" / audience
    found = _video_frames(site)
    assert found, f"no video frame in the {audience} site"
    for page, video in found:
        assert video.has_attr("muted") and video.has_attr("playsinline")
        assert not video.has_attr("controls") and not video.has_attr("autoplay")
        figure = video.find_parent("figure")
        start, end = float(figure["data-start"]), float(figure["data-end"])
        assert (start, end) == pytest.approx((1.0, 2.5))
        source = video.find("source")
        for url in (source["src"], video["poster"]):
            assert (page.parent / url).resolve().is_file(), (page, url)
        assert (page.parent / source["src"]).resolve().suffix == ".mp4"


def test_an_export_before_any_build_makes_the_clip(tmp_path: Path, tone: Path, ffmpeg: str) -> None:
    room = video_film_room(tmp_path / "room", tone, ffmpeg)
    out = io.StringIO()
    assert film_command.run(room, "film-v", size=SIZE, today=TODAY, out=out) == 0, out.getvalue()
    mp4 = room / "build/films/film-v.mp4"
    assert near(frame_at(ffmpeg, mp4, 1.75).getpixel((SIZE[0] // 2, SIZE[1] // 2)), MAGENTA)
    # Leah withdraws her interview: the next build deletes the film that holds its clip.
    consent = room / "content/consent/c-001.yml"
    consent.write_text(
        consent.read_text(encoding="utf-8") + "withdrawn: 2026-10-01\n", encoding="utf-8"
    )
    out = io.StringIO()
    assert build.run(room, ("kiosk",), today=TODAY, out=out) == 0, out.getvalue()
    assert not mp4.exists(), out.getvalue()


def test_an_export_without_face_consent_leaves_the_frame_out(
    tmp_path: Path, tone: Path, ffmpeg: str
) -> None:
    room = video_film_room(tmp_path / "room", tone, ffmpeg)
    consent = room / "content/consent/c-001.yml"
    text = consent.read_text(encoding="utf-8")
    consent.write_text(text.replace("[voice, face, words]", "[voice, words]"), encoding="utf-8")
    out = io.StringIO()
    assert film_command.run(room, "film-v", size=SIZE, today=TODAY, out=out) == 0, out.getvalue()
    said = out.getvalue()
    assert "the video frame 'p07#hl-1' is left out of the kiosk" in said, said
    assert "2.0 s, 2 frames" in said, said
    mp4 = room / "build/films/film-v.mp4"
    for t in (0.5, 1.0, 1.5, 1.9):
        middle = frame_at(ffmpeg, mp4, t).getpixel((SIZE[0] // 2, SIZE[1] // 2))
        assert not near(middle, MAGENTA), (t, middle)


# --------------------------------------------------------------------------- in Chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as found:
        yield found


def test_in_chromium_the_video_frame_plays_muted_only_while_it_is_shown(
    built: Path, browser: Any
) -> None:
    """players.js (both sites' film player) plays the clip on its frame, muted, and
    pauses it when the film moves on; the kiosk's film slide carries it muted too."""
    with serve(built / "build" / "intranet") as url:
        page = browser.new_page()
        try:
            page.goto(url + "stories/film-v/")
            page.wait_for_selector(".im-film.im-enhanced", timeout=20_000)
            state = (
                "() => { const v = document.querySelector('video.im-film-video');"
                " return {paused: v.paused, muted: v.muted, t: v.currentTime,"
                " frame: immersionPlayers.currentFrame(document.querySelector('.im-film'))}; }"
            )
            assert page.evaluate(state)["paused"]  # not before its frame
            # Every play and pause of the clip, with the frame on screen then: read after
            # the fact, so a slow machine cannot make the test miss one.
            page.evaluate(
                "() => { const v = document.querySelector('video.im-film-video'),"
                " fe = document.querySelector('.im-film'); window.__ev = [];"
                " for (const k of ['play', 'pause']) v.addEventListener(k, () =>"
                " __ev.push([k, v.muted, immersionPlayers.currentFrame(fe)])); }"
            )
            page.click(".im-film-controls .im-next")  # to the video frame, paused
            assert page.evaluate(state)["frame"] == 1 and page.evaluate(state)["paused"]
            page.click(".im-film-controls .im-play")
            page.wait_for_function(
                "() => immersionPlayers.currentFrame(document.querySelector('.im-film')) === 2"
                " && __ev.some((e) => e[0] === 'pause')",
                timeout=30_000,
            )
            events = page.evaluate("() => __ev")
            assert events[0] == ["play", True, 1], events  # muted, on its own frame
            assert ["pause", True, 2] in events, events  # and stopped when the film moved on
        finally:
            page.close()
    with serve(built / "build" / "kiosk") as url:
        page = browser.new_page()
        try:
            page.goto(url + "post/")
            page.wait_for_selector(".ik-slide .im-film video.im-film-video", state="attached")
            assert page.evaluate(
                "() => [...document.querySelectorAll('.ik-slide .im-film video.im-film-video')]"
                ".every((v) => v.muted && v.playsInline && !v.autoplay)"
            )
        finally:
            page.close()


def test_the_audit_passes_with_the_clip_in_the_film(built: Path) -> None:
    from immersion.commands import audit

    out = io.StringIO()
    assert audit.run(built, today=TODAY, out=out) == 0, out.getvalue()


def test_the_kiosk_precaches_the_clip_for_offline_play(built: Path) -> None:
    import json

    display = built / "build/kiosk/post"
    precached = json.loads((display / "precache.json").read_text(encoding="utf-8"))
    slide = _page(display, "index.html").select_one(".im-film video.im-film-video")
    assert slide is not None
    wanted = (display / slide.find("source")["src"]).resolve()
    assert any((display / url).resolve() == wanted for url in precached), precached


def test_a_narrated_film_keeps_its_narration_and_captions_over_the_clip(
    tmp_path: Path, tone: Path, ffmpeg: str
) -> None:
    room = video_film_room(tmp_path / "room", tone, ffmpeg)
    bundle = room / "content/stories/film-v"
    subprocess.run(
        [ffmpeg, "-v", "error", "-f", "lavfi", "-i", "sine=frequency=220:duration=4",
         "-c:a", "aac", "-b:a", "48k", "-y", str(bundle / "narration.m4a")],
        check=True,
    )  # fmt: skip
    write(bundle / "narration.vtt", "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nHello.\n")
    index = bundle / "index.md"
    text = index.read_text(encoding="utf-8").replace(
        "---\nLeah", "narration: {recording: narration.m4a, captions: narration.vtt}\n---\nLeah"
    )
    index.write_text(text, encoding="utf-8")
    out = io.StringIO()
    assert film_command.run(room, "film-v", size=SIZE, today=TODAY, out=out) == 0, out.getvalue()
    mp4 = room / "build/films/film-v.mp4"
    log = probe(ffmpeg, mp4)
    assert "Audio: aac" in log and "Subtitle: mov_text" in log, log
    assert "4.0 s, 3 frames" in out.getvalue(), out.getvalue()  # the narration's length
    assert near(frame_at(ffmpeg, mp4, 1.75).getpixel((SIZE[0] // 2, SIZE[1] // 2)), MAGENTA)
    assert near(frame_at(ffmpeg, mp4, 3.8).getpixel((SIZE[0] // 2, SIZE[1] // 2)), GREEN)
