"""players.js in a real Chromium, on hand-written pages that follow the markup contract
of immersion/render/players.py, with real audio made by ffmpeg and served with Range.

Every test fails on any console error or warning, or uncaught page error: the kiosk
counts them.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browser import CHROMIUM_FLAGS, chromium_path, serve
from PIL import Image

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

THEME = Path(__file__).resolve().parents[2] / "immersion" / "theme" / "players"
SECONDS = 20.0  # the story recording
FILM_SECONDS = 30.0  # the narrated film: 5 frames of 6 s
CUE_STEP = 2.4


def cue_times(n: int, step: float = CUE_STEP) -> list[tuple[float, float]]:
    return [(0.5 + i * step, 0.5 + i * step + step - 0.2) for i in range(n)]


def clock(t: float) -> str:
    t = int(t)
    return f"{t // 60}:{t % 60:02d}"


def transcript(audio_id: str, n: int, step: float = CUE_STEP, quoted: int | None = None) -> str:
    """The build's transcript markup for `n` cues, one every `step` seconds."""
    items = []
    for i, (start, end) in enumerate(cue_times(n, step), 1):
        voice, cls = ("Sam", "im-cue im-cue-interviewer") if i % 2 else ("Leah", "im-cue")
        extra = ""
        if quoted == i - 1:
            cls += " im-cue-quoted"
            extra = ' data-highlight="hl-1"'
        items.append(
            f'<li class="{cls}" id="{audio_id}-{i}" data-start="{start:.3f}" '
            f'data-end="{end:.3f}"{extra}><button type="button" class="im-cue-time" '
            f'aria-label="Play from {clock(start)}">{clock(start)}</button> '
            f'<span class="im-voice">{voice}</span> '
            f'<span class="im-cue-text">Line {i} of what was said.</span></li>'
        )
    return (
        f'<div class="im-transcript" data-for="{audio_id}" role="region" '
        f'aria-label="Transcript" tabindex="0"><ol class="im-cues">'
        + "".join(items)
        + "</ol></div>"
    )


def player(
    stem: str, label: str, ident: str | None, duration: float, peaks: str | None = None
) -> str:
    if ident is None:  # a highlight clip: compact, no id, no peaks, no captions
        return (
            '<div class="im-player im-player-clip" data-im-player>'
            f'<audio controls preload="none" aria-label="{label}">'
            f'<source src="{stem}.m4a" type="audio/mp4">'
            f'<a href="{stem}.m4a">Download the recording</a></audio></div>'
        )
    peak = f' data-peaks="{peaks}"' if peaks else ""
    return (
        '<div class="im-player" data-im-player>'
        f'<audio id="{ident}" controls preload="metadata" aria-label="{label}" '
        f'data-duration="{duration:.3f}"{peak}>'
        f'<source src="{stem}.opus" type="audio/ogg; codecs=opus">'
        f'<source src="{stem}.m4a" type="audio/mp4">'
        f'<track kind="captions" src="{stem}.vtt" srclang="en" label="Transcript" default>'
        f'<a href="{stem}.m4a">Download the recording</a></audio></div>'
    )


def html_page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="icon" href="data:,"><title>{title}</title>'
        '<link rel="stylesheet" href="players.css"></head>'
        f"<body><main><h1>{title}</h1>{body}</main>"
        '<script src="players.js"></script></body></html>'
    )


def story_page(n_cues: int = 8, step: float = CUE_STEP) -> str:
    hl = cue_times(n_cues, step)[4][0]
    return html_page(
        "Leah on moving home",
        player("tone", "Interview with Leah", "rec-a", SECONDS, "tone.peaks.json")
        + transcript("rec-a", n_cues, step, quoted=4)
        + f'<div class="im-highlight" id="hl-1" data-seek="{hl:.3f}" data-for="rec-a">'
        "<blockquote>Line 5 of what was said.</blockquote>"
        f'<button type="button" class="im-seek" data-seek="{hl:.3f}" data-for="rec-a">'
        f"Play in the interview from {clock(hl)}</button></div>"
        + "<h2>The quote in her voice</h2>"
        + player("tone", "Leah, 0:10 to 0:12", None, 2.0)
        + "<h2>A second recording</h2>"
        + player("tone", "Leah again", "rec-c", SECONDS, "broken.peaks.json"),
    )


def frame(i: int, start: float, end: float) -> str:
    return (
        f'<figure class="im-film-frame" id="frame-{i}" data-start="{start:.3f}" '
        f'data-end="{end:.3f}"><picture><img src="f{i % 3}.jpg" width="320" height="180" '
        f'alt="Photo {i}"></picture><figcaption>Caption {i}</figcaption></figure>'
    )


def film(ident: str, frames: int, seconds: float, audio: str | None) -> str:
    data_for = f' data-for="{audio}"' if audio else ""
    figures = "".join(frame(i, (i - 1) * seconds, i * seconds) for i in range(1, frames + 1))
    return (
        f'<div class="im-film" id="{ident}" data-im-film{data_for} '
        f'data-duration="{frames * seconds:.3f}" role="region" aria-label="Photo film: {ident}">'
        f'<div class="im-film-stage">{figures}</div></div>'
    )


def odd_page() -> str:
    """Markup gone wrong in every way the script must shrug off."""
    bad_cues = transcript("rec-a", 3).replace('data-start="2.900"', 'data-start="soon"')
    return html_page(
        "Odd",
        '<div class="im-player" data-im-player><p>no audio here</p></div>'
        + player("tone", "Interview", "rec-a", SECONDS, "peaks.json")
        + bad_cues
        + '<div class="im-transcript" data-for="nope"><ol class="im-cues">'
        '<li class="im-cue" data-start="x">?</li></ol></div>'
        + '<div class="im-film" data-im-film data-for="nope">'
        '<div class="im-film-stage"></div></div>'
        + film("orphan", 2, 4.0, "nope").replace('data-start="4.000"', 'data-start="later"')
        + '<button type="button" class="im-seek" data-seek="abc" data-for="rec-a">'
        "bad time</button>"
        + '<button type="button" class="im-seek" data-seek="3" data-for="missing">'
        "no such audio</button>",
    )


def film_page() -> str:
    return html_page(
        "Bills in a new house",
        film("narrated", 5, 6.0, "rec-film")
        + '<ol class="im-chapters"><li><button type="button" class="im-seek" data-seek="12.000" '
        'data-for="rec-film">0:12 Unpacking</button></li></ol>'
        + player("narration", "Narration", "rec-film", FILM_SECONDS, "narration.peaks.json")
        + transcript("rec-film", 6, step=5.0)
        + "<h2>Without narration</h2>"
        + film("silent", 3, 6.0, None),
    )


def ffmpeg_exe() -> str:
    exe = shutil.which("ffmpeg")
    if exe is None:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
    return exe


def tone(folder: Path, stem: str, seconds: float) -> list[subprocess.Popen[bytes]]:
    """A 48 kHz tone whose loudness swells, as AAC and Opus (encoding in the background:
    wait for the processes returned), and its peaks JSON and captions."""
    source = f"sine=frequency=330:sample_rate=48000:duration={seconds}"
    swell = "volume='0.2+0.8*abs(sin(t))':eval=frame"
    jobs = []
    for ext, codec in (("m4a", ["-c:a", "aac", "-b:a", "48k"]), ("opus", ["-c:a", "libopus"])):
        cmd = [ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", source, "-af", swell]
        jobs.append(subprocess.Popen([*cmd, *codec, str(folder / f"{stem}.{ext}")]))
    pixels = int(seconds * 20)  # samples_per_pixel 400 at 8 kHz
    data: list[int] = []
    for x in range(pixels):
        peak = round(127 * (0.2 + 0.8 * abs(math.sin(x / 20))))
        data += [-peak, peak]
    peaks: dict[str, object] = {"version": 2, "channels": 1, "sample_rate": 8000}
    peaks |= {"samples_per_pixel": 400, "bits": 8, "length": pixels, "data": data}
    (folder / f"{stem}.peaks.json").write_text(json.dumps(peaks))
    vtt = "WEBVTT\n\n" + "".join(
        f"00:00:{a:06.3f} --> 00:00:{b:06.3f}\nLine {i}\n\n"
        for i, (a, b) in enumerate(cue_times(5), 1)
    )
    (folder / f"{stem}.vtt").write_text(vtt)
    return jobs


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("players")
    for name in ("players.js", "players.css"):
        shutil.copy(THEME / name, root / name)
    jobs = tone(root, "tone", SECONDS) + tone(root, "narration", FILM_SECONDS)
    (root / "broken.peaks.json").write_text("this is not JSON")
    for i, colour in enumerate(((200, 120, 60), (40, 90, 160), (90, 160, 80))):
        Image.new("RGB", (320, 180), colour).save(root / f"f{i}.jpg", quality=80)
    (root / "story.html").write_text(story_page())
    (root / "film.html").write_text(film_page())
    (root / "long.html").write_text(story_page(60, step=0.3))
    (root / "odd.html").write_text(odd_page())
    (root / "gone.html").write_text(
        html_page("Gone", player("missing", "Interview", "rec-gone", SECONDS))
    )
    (root / "peaks.json").write_text('{"version": 2, "data": "nope"}')
    assert [job.wait() for job in jobs] == [0, 0, 0, 0]
    return root


@pytest.fixture(scope="module")
def base(site: Path) -> Iterator[str]:
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    with sync_playwright() as pw:
        flags = [*CHROMIUM_FLAGS, "--autoplay-policy=no-user-gesture-required"]
        b = pw.chromium.launch(executable_path=exe, args=flags)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page; at the end, no console error or warning and no page error."""
    context = browser.new_context()
    context.set_default_timeout(10_000)
    p = context.new_page()
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{message.type}: {message.text}")

    p.on("console", console)
    p.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    yield p
    context.close()
    assert problems == []


def ready(p: Page, path: str) -> None:
    """Open a page and wait until the script has enhanced it and metadata is in."""
    p.goto(path)
    p.wait_for_function(
        "window.immersionPlayers && [...document.querySelectorAll('audio[id]')]"
        ".every(a => a.readyState >= 1)"
    )


def cue_state(p: Page, audio_id: str = "rec-a") -> dict[str, Any]:
    return p.evaluate(
        """id => ({
            index: immersionPlayers.currentCue(id),
            marked: [...document.querySelectorAll(`.im-transcript[data-for="${id}"] .im-cue`)]
                .flatMap((li, i) => li.classList.contains('im-cue-current') ? [i] : []),
            aria: [...document.querySelectorAll('[aria-current="true"]')].map(e => e.id),
            time: document.getElementById(id).currentTime,
            paused: document.getElementById(id).paused,
        })""",
        audio_id,
    )


# ---- the player


def test_player_enhanced_once_native_controls_hidden(page: Page, base: str) -> None:
    ready(page, base + "story.html")
    page.evaluate("immersionPlayers.init(); immersionPlayers.init(document.body)")
    info = page.evaluate(
        """() => [...document.querySelectorAll('[data-im-player]')].map(p => ({
            controls: p.querySelector('audio').controls,
            bars: p.querySelectorAll('.im-bar').length,
            speed: p.querySelectorAll('.im-speed').length,
            time: p.querySelector('.im-time').textContent,
        }))"""
    )
    assert [i["controls"] for i in info] == [False, False, False]
    assert [i["bars"] for i in info] == [1, 1, 1]
    assert [i["speed"] for i in info] == [1, 0, 1]  # the clip is compact
    assert info[0]["time"] == "0:00 / 0:20"
    slider = page.get_by_role("slider", name="Seek").first
    assert slider.get_attribute("aria-valuetext") == "0:00 of 0:20"
    assert slider.get_attribute("aria-valuemax") == "20"
    assert page.evaluate("immersionPlayers.version") == "1"
    # content inserted later (the kiosk) is enhanced by init(root)
    page.evaluate(
        """() => { const d = document.createElement('div');
        d.innerHTML = `<div class="im-player im-player-clip" data-im-player>
          <audio controls preload="none" aria-label="Inserted">
          <source src="tone.m4a" type="audio/mp4"></audio></div>`;
        document.querySelector('main').append(d); immersionPlayers.init(d); }"""
    )
    assert page.evaluate("document.querySelector('[aria-label=Inserted]').controls") is False


def test_slider_keyboard_and_space(page: Page, base: str) -> None:
    ready(page, base + "story.html")
    slider = page.get_by_role("slider", name="Seek").first
    slider.focus()
    slider.press("ArrowRight")
    page.wait_for_function("document.getElementById('rec-a').currentTime === 5")
    assert slider.get_attribute("aria-valuenow") == "5"
    assert slider.get_attribute("aria-valuetext") == "0:05 of 0:20"
    slider.press("PageUp")
    end = page.evaluate(
        "[document.getElementById('rec-a').currentTime, document.getElementById('rec-a').duration]"
    )
    assert end[0] == end[1] and abs(end[0] - 20) < 0.1  # clamped to the end
    slider.press("Home")
    slider.press("ArrowRight")
    slider.press("ArrowRight")
    slider.press("ArrowLeft")
    assert page.evaluate("document.getElementById('rec-a').currentTime") == 5
    assert slider.get_attribute("aria-valuenow") == "5"
    assert page.evaluate("document.getElementById('rec-a').paused")
    # `paused` changes before the play/pause event updates the label: wait for both.
    slider.press("Space")
    page.wait_for_function(
        "!document.getElementById('rec-a').paused && "
        "document.querySelector('.im-play').getAttribute('aria-label') === 'Pause'"
    )
    slider.press("Enter")
    page.wait_for_function(
        "document.getElementById('rec-a').paused && "
        "document.querySelector('.im-play').getAttribute('aria-label') === 'Play'"
    )


def test_pointer_click_on_the_seek_bar(page: Page, base: str) -> None:
    ready(page, base + "story.html")
    box = page.locator(".im-seekbar").first.bounding_box()
    assert box is not None and box["height"] >= 44
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    t = page.evaluate("document.getElementById('rec-a').currentTime")
    assert abs(t - 15) < 0.5


def test_speed_button_cycles_playback_rate(page: Page, base: str) -> None:
    ready(page, base + "story.html")
    speed = page.locator(".im-speed").first
    assert speed.get_attribute("aria-label") == "Playback speed 1×"
    seen = []
    for _ in range(5):
        speed.click()
        seen.append(page.evaluate("document.getElementById('rec-a').playbackRate"))
    assert seen == [1.25, 1.5, 2, 0.75, 1]
    speed.click()
    assert speed.get_attribute("aria-label") == "Playback speed 1.25×"
    assert speed.inner_text() == "1.25×"


def test_buttons_are_touch_sized(page: Page, base: str) -> None:
    ready(page, base + "film.html")
    sizes = page.evaluate(
        """() => [...document.querySelectorAll(
                '.im-btn, .im-cue-time, .im-seekbar, button[data-seek]')]
            .map(b => b.getBoundingClientRect()).map(r => [r.width, r.height])"""
    )
    assert sizes and all(w >= 44 and h >= 44 for w, h in sizes), sizes


def test_one_voice_at_a_time(page: Page, base: str) -> None:
    ready(page, base + "story.html")
    page.locator(".im-play").first.click()
    page.wait_for_function("!document.getElementById('rec-a').paused")
    page.locator(".im-player-clip .im-play").click()
    page.wait_for_function("!document.querySelector('.im-player-clip audio').paused")
    # The recording is paused from the clip's `play` event, dispatched just after.
    page.wait_for_function("document.getElementById('rec-a').paused", timeout=5000)
    assert page.locator(".im-play").first.get_attribute("aria-label") == "Play"


def test_waveform_drawn_from_peaks_and_plain_bar_without(page: Page, base: str) -> None:
    ready(page, base + "story.html")
    page.wait_for_selector("#rec-a ~ .im-bar canvas.im-wave", state="attached")
    page.wait_for_function("document.querySelector('#rec-a ~ .im-bar canvas.im-wave').width > 0")
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('#rec-a ~ .im-bar canvas')].map(c => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
            return {n, width: c.width, css: c.clientWidth};
        })"""
    )
    assert len(drawn) == 2 and all(c["n"] > 500 for c in drawn), drawn
    dpr = page.evaluate("devicePixelRatio")
    assert drawn[0]["width"] == round(drawn[0]["css"] * dpr)
    # the played part is clipped to the position
    page.evaluate("immersionPlayers.seek(document.getElementById('rec-a'), 10)")
    clip = page.evaluate("document.querySelector('.im-wave-played').style.clipPath")
    assert clip.startswith("inset(0px 50") and clip.endswith("% 0px 0px)"), clip
    # a broken peaks file and a clip keep the plain progress bar, silently
    assert page.locator("#rec-c ~ .im-bar canvas").count() == 0
    assert page.locator("#rec-c ~ .im-bar .im-track").is_visible()
    assert page.locator(".im-player-clip canvas").count() == 0


def test_captions_track_left_showing(page: Page, base: str) -> None:
    ready(page, base + "story.html")
    page.wait_for_function("document.getElementById('rec-a').textTracks.length === 1")
    assert page.evaluate("document.getElementById('rec-a').textTracks[0].mode") == "showing"


# ---- the transcript


def test_click_on_a_cue_seeks_and_plays(page: Page, base: str) -> None:
    ready(page, base + "story.html")
    starts = [s for s, _ in cue_times(8)]
    seeks = "window.seeks = []; document.getElementById('rec-a')"
    page.evaluate(seeks + ".addEventListener('seeking', e => seeks.push(e.target.currentTime))")
    page.locator("#rec-a-4 .im-cue-text").click()  # anywhere on the line
    state = cue_state(page)
    assert state["index"] == 3 and state["marked"] == [3] and state["aria"] == ["rec-a-4"]
    page.wait_for_function("!document.getElementById('rec-a').paused && seeks.length === 1")
    assert abs(page.evaluate("seeks[0]") - starts[3]) < 0.25
    # keyboard: Enter on a line's time button
    page.locator("#rec-a-7 .im-cue-time").focus()
    page.keyboard.press("Enter")
    state = cue_state(page)
    assert state["marked"] == [6] and not state["paused"]
    page.wait_for_function("seeks.length === 2")
    assert abs(page.evaluate("seeks[1]") - starts[6]) < 0.25


def test_current_line_follows_playback(page: Page, base: str) -> None:
    ready(page, base + "story.html")
    assert cue_state(page)["marked"] == []  # before the first cue: none
    start = cue_times(8)[2][0]
    page.evaluate(f"immersionPlayers.seek(document.getElementById('rec-a'), {start - 0.8}, true)")
    page.wait_for_function(
        f"document.getElementById('rec-a').currentTime > {start + 0.5}", timeout=5000
    )
    state = cue_state(page)
    assert state["index"] == 2 and state["marked"] == [2], state
    assert state["aria"] == ["rec-a-3"]
    assert page.locator(".im-cue-current").count() == 1


def test_transcript_scrolls_its_box_not_the_page(page: Page, base: str) -> None:
    page.set_viewport_size({"width": 800, "height": 600})
    ready(page, base + "long.html")
    before = page.evaluate("[scrollX, scrollY]")
    page.evaluate("immersionPlayers.seek(document.getElementById('rec-a'), 15)")
    page.wait_for_function("document.querySelector('.im-transcript').scrollTop > 500")
    assert page.evaluate("[scrollX, scrollY]") == before
    assert cue_state(page)["aria"] == ["rec-a-49"]
    page.wait_for_timeout(600)  # smooth scrolling
    inside = page.evaluate(
        """() => { const b = document.querySelector('.im-transcript').getBoundingClientRect();
        const c = document.getElementById('rec-a-49').getBoundingClientRect();
        return c.top >= b.top && c.bottom <= b.bottom; }"""
    )
    assert inside
    # a user who scrolled the box in the last 5 s is left alone
    page.locator(".im-transcript").hover()
    page.mouse.wheel(0, -300)
    page.wait_for_timeout(300)
    top = page.evaluate("document.querySelector('.im-transcript').scrollTop")
    page.evaluate("immersionPlayers.seek(document.getElementById('rec-a'), 5)")
    page.wait_for_timeout(300)
    assert page.evaluate("document.querySelector('.im-transcript').scrollTop") == top
    assert cue_state(page)["aria"] == ["rec-a-16"]


def test_seek_link_button_seeks_and_plays(page: Page, base: str) -> None:
    ready(page, base + "story.html")
    page.get_by_role("button", name="Play in the interview from 0:10").click()
    page.wait_for_function("!document.getElementById('rec-a').paused")
    state = cue_state(page)
    assert abs(state["time"] - cue_times(8)[4][0]) < 0.25 and state["marked"] == [4]


@pytest.mark.parametrize(
    ("fragment", "time", "cue"),
    [("#t=11.5", 11.5, 4), ("#hl-1", cue_times(8)[4][0], 4), ("#t=0:03", 3.0, 1)],
)
def test_deep_links_seek_without_playing(
    page: Page, base: str, fragment: str, time: float, cue: int
) -> None:
    ready(page, base + "story.html" + fragment)
    page.wait_for_function(
        f"Math.abs(document.getElementById('rec-a').currentTime - {time}) < 0.01"
    )
    state = cue_state(page)
    assert state["paused"] and state["marked"] == [cue] and state["index"] == cue
    # hashchange on the same page
    page.evaluate("location.hash = '#t=7'")
    page.wait_for_function("document.getElementById('rec-a').currentTime === 7")
    assert cue_state(page)["marked"] == [2]
    assert cue_state(page)["paused"]


def test_seek_before_metadata_lands_after_it(page: Page, base: str) -> None:
    ready(page, base + "story.html")
    clip = "document.querySelector('.im-player-clip audio')"
    assert page.evaluate(f"{clip}.readyState") == 0  # preload="none"
    page.evaluate(f"immersionPlayers.seek({clip}, 1.5)")
    page.wait_for_function(f"{clip}.readyState >= 1 && {clip}.currentTime === 1.5")
    assert page.evaluate(f"{clip}.paused")


# ---- photo films


def film_state(p: Page, ident: str) -> dict[str, Any]:
    return p.evaluate(
        """id => { const f = document.getElementById(id);
            const frames = [...f.querySelectorAll('.im-film-frame')];
            return {
                index: immersionPlayers.currentFrame(f),
                current: frames.flatMap(
                    (e, i) => e.classList.contains('im-frame-current') ? [i] : []),
                shown: frames.flatMap((e, i) => e.getAttribute('aria-hidden') ? [] : [i]),
                counter: f.querySelector('.im-film-counter').textContent,
                live: f.querySelector('.im-film-counter').getAttribute('aria-live'),
                caption: f.querySelector('.im-film-caption').textContent,
            }; }""",
        ident,
    )


def test_film_follows_the_narration(page: Page, base: str) -> None:
    ready(page, base + "film.html")
    assert page.evaluate("document.getElementById('narrated').classList.contains('im-enhanced')")
    assert film_state(page, "narrated")["current"] == [0]
    for k, t in ((3, 20.0), (1, 6.0), (4, 29.5), (2, 17.99)):
        page.evaluate(f"immersionPlayers.seek(document.getElementById('rec-film'), {t})")
        state = film_state(page, "narrated")
        assert state["index"] == k and state["current"] == [k] and state["shown"] == [k], (t, state)
        assert state["counter"] == f"Frame {k + 1} of 5"
    # only the current frame is visible once the cross-fade is over
    frames = page.locator("#narrated .im-film-frame")
    for i in range(5):
        if i == 2:
            assert frames.nth(i).is_visible()
        else:
            frames.nth(i).wait_for(state="hidden")
    # the caption line carries the narration's current cue (17.99 s is in cue 4)
    assert film_state(page, "narrated")["caption"] == "Line 4 of what was said."
    # prev / next seek the narration to the frame's start; chapters are seek links
    page.get_by_role("button", name="Next frame").first.click()
    assert page.evaluate("document.getElementById('rec-film').currentTime") == 18
    page.get_by_role("button", name="Previous frame").first.click()
    page.get_by_role("button", name="Previous frame").first.click()
    assert page.evaluate("document.getElementById('rec-film').currentTime") == 6
    page.get_by_role("button", name="0:12 Unpacking").click()
    page.wait_for_function("!document.getElementById('rec-film').paused")
    assert film_state(page, "narrated")["current"] == [2]
    assert film_state(page, "narrated")["live"] is None  # no chatter while playing
    page.locator("#narrated .im-play").click()  # the film's play button drives the narration
    # `paused` turns true before the `pause` event reaches the film: wait for both.
    page.wait_for_function(
        "document.getElementById('rec-film').paused && document.querySelector("
        "'#narrated .im-film-counter').getAttribute('aria-live') === 'polite'"
    )


def test_film_deep_link_to_a_frame(page: Page, base: str) -> None:
    ready(page, base + "film.html#frame-4")
    page.wait_for_function("document.getElementById('rec-film').currentTime === 18")
    assert film_state(page, "narrated")["current"] == [3]


def test_film_without_narration_runs_on_its_own_clock(page: Page, base: str) -> None:
    page.clock.install()
    ready(page, base + "film.html")
    state = film_state(page, "silent")
    assert state["current"] == [0] and state["caption"] == "Caption 1"
    page.locator("#silent .im-play").click()
    page.clock.run_for(7000)
    state = film_state(page, "silent")
    assert state["current"] == [1] and state["caption"] == "Caption 2", state
    page.clock.run_for(20000)  # past the end: keeps the last frame and stops
    assert film_state(page, "silent")["current"] == [2]
    assert page.locator("#silent .im-play").get_attribute("aria-label") == "Play"
    # keyboard on the region
    film = page.locator("#silent")
    film.focus()
    film.press("Home")
    assert film_state(page, "silent")["current"] == [0]
    film.press("ArrowRight")
    assert film_state(page, "silent")["current"] == [1]
    film.press("ArrowLeft")
    assert film_state(page, "silent")["current"] == [0]
    film.press("Space")
    assert page.locator("#silent .im-play").get_attribute("aria-label") == "Pause"
    film.press("Space")
    # a horizontal swipe to the left is "next"
    box = page.locator("#silent .im-film-stage").bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.7, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.3, y + 10, steps=4)
    page.mouse.up()
    assert film_state(page, "silent")["current"] == [1]


def test_pan_and_zoom_unless_reduced_motion(page: Page, base: str) -> None:
    style = """() => { const f = document.querySelector('#narrated .im-frame-current');
        const i = getComputedStyle(f.querySelector('img'));
        return [i.animationName, i.animationDuration, getComputedStyle(f).transitionDuration,
                f.style.getPropertyValue('--im-frame-seconds')]; }"""
    ready(page, base + "film.html")
    name, duration, transition, seconds = page.evaluate(style)
    assert name == "im-pan-in" and duration == "6s" and seconds == "6.000s"
    assert transition != "0s"
    page.evaluate("immersionPlayers.seek(document.getElementById('rec-film'), 7)")
    assert page.evaluate(style)[0] == "im-pan-out"  # even frames go the other way
    page.emulate_media(reduced_motion="reduce")
    name, _, transition, _ = page.evaluate(style)
    assert name == "none" and transition == "0s"


# ---- fallbacks, robustness and accessibility


def test_odd_markup_and_api_misuse_stay_quiet(page: Page, base: str) -> None:
    ready(page, base + "odd.html#t=abc")
    for fragment in ("#%E0%A4%A", "#nothing", "#t=", "#rec-a-3"):
        page.evaluate(f"location.hash = '{fragment}'")
    assert page.evaluate("document.getElementById('rec-a').currentTime") == 5.3  # cue 3
    page.get_by_role("button", name="bad time").click()
    page.get_by_role("button", name="no such audio").click()
    result = page.evaluate(
        """() => {
        const P = immersionPlayers;
        P.seek(null, 3); P.seek('rec-a', 'x'); P.seek(document.body, 2);
        P.init(document.createElement('div')); P.init(null);
        const r = [P.currentCue('nope'), P.currentFrame(document.body), P.currentFrame(null)];
        P.seek('rec-a', 4);  // an id works too
        return [...r, P.currentCue('rec-a'), document.getElementById('rec-a').currentTime];
    }"""
    )
    assert result == [-1, -1, -1, 1, 4]  # cue 2 (a bad start counts as the one before)
    assert page.locator("#rec-a ~ .im-bar").count() == 1
    assert page.locator("#orphan.im-enhanced").count() == 1  # no narration: its own clock
    page.locator("#orphan .im-next").click()
    assert film_state(page, "orphan")["current"] == [1]
    page.wait_for_timeout(200)  # let the peaks fetch fail, quietly
    assert page.locator("#rec-a ~ .im-bar canvas").count() == 0


def test_without_javascript_native_controls_and_every_frame(browser: Browser, base: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    p = context.new_page()
    p.goto(base + "film.html")
    assert p.locator("audio").first.get_attribute("controls") is not None
    assert p.locator(".im-bar, .im-film-controls").count() == 0
    frames = p.locator(".im-film-frame")
    assert frames.count() == 8
    for i in range(8):
        assert frames.nth(i).is_visible()
    p.goto(base + "story.html")
    assert p.locator("audio[controls]").count() == 3
    assert p.locator("audio").first.is_visible()
    context.close()


@pytest.mark.parametrize("name", ["story.html", "film.html"])
def test_no_serious_accessibility_violations(page: Page, base: str, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    ready(page, base + name)
    page.evaluate(
        "immersionPlayers.seek(document.querySelector('audio[id]'), 11, false)"
    )  # with a current line and a current frame
    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []


def test_a_recording_that_cannot_load_gives_the_native_controls_back(
    browser: Browser, base: str
) -> None:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # The browser itself logs the 404s of the missing files; nothing else may be logged.
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "404" not in m.text and "Failed to load" not in m.text
            else None
        ),
    )
    page.goto(base + "gone.html")
    page.wait_for_function("document.querySelector('.im-player').classList.contains('im-failed')")
    assert page.evaluate("document.getElementById('rec-gone').controls")
    assert page.locator(".im-player .im-play").count() == 0
    assert page.locator(".im-error").inner_text() == "This recording cannot be played here."
    context.close()
    assert errors == []
