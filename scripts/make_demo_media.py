#!/usr/bin/env python3
"""Regenerate every media file of the bundled demo room in `content/`.

Run it from the repository root:

    python scripts/make_demo_media.py            # photos and recordings
    python scripts/make_demo_media.py --photos   # photos only
    python scripts/make_demo_media.py --audio    # recordings and transcripts only
    python scripts/make_demo_media.py --check    # only check index.md times against the media

Everything is made here from nothing, so the demo carries no third-party media:

* photographs are composed with Pillow (shapes, gradients, printed text, film
  grain), saved as JPEG, and some carry real EXIF (camera make and model, an
  Orientation other than 1 with the pixels stored rotated to match, GPS
  position) so that the build has something to strip;
* speech is synthesised with espeak-ng, one cue at a time, and encoded with
  ffmpeg (the one on PATH, else the one shipped by imageio-ffmpeg);
* each WebVTT transcript is written from the same cue list that made the
  speech: every cue's audio is measured with `wave` and the cues are laid end
  to end with short gaps, so the cue times are exact.

Only media files are written (.jpg, .m4a, .mp3, .vtt). The index.md and .yml
files are hand-written and committed; this script only reads them, at the end,
to check that highlights, chapters and frame timings still fit the recordings
(a different espeak-ng version can shift the speech by a few hundred ms).
"""

from __future__ import annotations

import argparse
import array
import html
import itertools
import math
import random
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageOps
from PIL.TiffImagePlugin import IFDRational

from immersion.schema import parse_timecode
from immersion.transcripts import Cue as TimedCue
from immersion.transcripts import fmt_timestamp, parse_vtt, read_vtt

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SEED = 20261122

# --------------------------------------------------------------------------------------
# Speech
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Voice:
    espeak: str  # espeak-ng voice, with +variant
    speed: int = 155  # words per minute
    pitch: int = 50  # 0..99


VOICES = {
    # interviewers
    "Sam": Voice("en-gb-x-rp", 160, 42),
    "Priya": Voice("en-gb+f2", 158, 50),
    # participants (pseudonyms)
    "Leah": Voice("en-gb+f3", 152, 58),
    "Tom": Voice("en-gb-x-gbclan+m2", 150, 38),
    "Kwame": Voice("en-gb+m3", 150, 45),
    "Margaret": Voice("en-gb-x-gbcwmd+f4", 150, 48),
    "Joan": Voice("en-gb+f1", 138, 52),
}


@dataclass(frozen=True)
class Cue:
    speaker: str
    text: str  # as written in the transcript
    spoken: str = ""  # what espeak-ng says, when it differs from the transcript


@dataclass(frozen=True)
class Recording:
    audio: str  # path under content/
    vtt: str  # path under content/
    cues: tuple[Cue, ...]
    interviewer: str = ""  # never quoted: highlights must not touch this voice


def _cues(speaker_lines: Sequence[tuple[str, str] | tuple[str, str, str]]) -> tuple[Cue, ...]:
    return tuple(Cue(*line) for line in speaker_lines)


MARKER = "EXPIRED-MARKER lighthouse"

RECORDINGS: tuple[Recording, ...] = (
    # --- p07: interview with Leah (persona maya), moving home --------------------------
    Recording(
        "stories/p07/interview.m4a",
        "stories/p07/interview.vtt",
        _cues(
            [
                (
                    "Sam",
                    "Thanks for having me round, Leah. Can you take me back to when you "
                    "first knew you were moving?",
                ),
                (
                    "Leah",
                    "It was February. Our offer on the house had just been accepted, and "
                    "suddenly there were about forty things to sort.",
                ),
                (
                    "Leah",
                    "Insurance, energy, broadband, the council. I had a list on the fridge, "
                    "and the kids kept drawing on it.",
                ),
                ("Sam", "Where did we come into it?"),
                (
                    "Leah",
                    "I went on your website to move the home insurance over, and it gave "
                    "me three different prices.",
                ),
                (
                    "Leah",
                    "One for buildings, one for contents, and then a sort of estimate that "
                    "might change after the survey.",
                ),
                ("Sam", "How did that feel?"),
                (
                    "Leah",
                    "Honestly? Like I was being set up. I just want one number I can "
                    "trust. Tell me what it costs, and I'll decide.",
                ),
                ("Sam", "And once you'd told us the moving date?"),
                ("Leah", "Nothing. Silence. I didn't know if you'd even got the meter readings."),
                (
                    "Leah",
                    "So on moving day I was stood in a hallway full of boxes, on hold to "
                    "you, with a toddler on my hip.",
                ),
                ("Sam", "And the first bill at the new house?"),
                (
                    "Leah",
                    "It was estimated, for a house we'd lived in for three weeks. I sat at "
                    "the kitchen table after bedtime, trying to work out which bit was ours.",
                ),
                ("Sam", "What would have helped?"),
                ("Leah", "A text. Just one text saying, we've got it, you're all set. That's all."),
            ]
        ),
        interviewer="Sam",
    ),
    # --- p12: interview with Tom, whose consent has EXPIRED ----------------------------
    # The marker phrase must never appear in any build; tests grep for it.
    Recording(
        "stories/p12/interview.m4a",
        "stories/p12/interview.vtt",
        _cues(
            [
                ("Sam", "Tom, tell me about the move to the coast."),
                (
                    "Tom",
                    f"We sold up in Leeds and bought the old keeper's cottage, right under "
                    f"the {MARKER}.",
                    "We sold up in Leeds and bought the old keeper's cottage, right under "
                    "the lighthouse.",
                ),
                (
                    "Tom",
                    "Before we moved I compared every supplier on a spreadsheet. Seven "
                    "tabs. My wife thinks I'm mad.",
                ),
                ("Sam", "And what happened with our quote?"),
                (
                    "Tom",
                    "The price online went up forty pounds between the quote and the "
                    "checkout, and nobody could tell me why.",
                ),
                (
                    "Tom",
                    "That's when I stop trusting a company. Not when it's expensive. When "
                    "it's vague.",
                ),
            ]
        ),
        interviewer="Sam",
    ),
    # --- p21: interview with Margaret (persona dot); her consent is intranet-only ------
    Recording(
        "stories/p21/interview.m4a",
        "stories/p21/interview.vtt",
        _cues(
            [
                ("Priya", "Margaret, you emailed us a photo of your bill. What was going on?"),
                (
                    "Margaret",
                    "I've paid bills for fifty years, love. I'm not daft. But I looked at "
                    "that page and there were five amounts on it.",
                ),
                (
                    "Margaret",
                    "Balance, new balance, Direct Debit, annual cost. Which one was mine to pay?",
                ),
                ("Priya", "What did you do?"),
                (
                    "Margaret",
                    "I took a picture, sent it to you, and put the kettle on. I wasn't "
                    "ringing. You're on hold for ever.",
                ),
            ]
        ),
        interviewer="Priya",
    ),
    # --- diary-p11: Kwame's audio diary (persona raj), three entries -------------------
    Recording(
        "stories/diary-p11/e1.mp3",
        "stories/diary-p11/e1.vtt",
        _cues(
            [
                (
                    "Kwame",
                    "Day one of the diary. I've made a spreadsheet with every account "
                    "that needs moving.",
                ),
                (
                    "Kwame",
                    "Twelve rows so far. Energy, insurance, water, council tax, the TV licence.",
                ),
                ("Kwame", "I've colour coded them. Green for done. Nothing is green yet."),
            ]
        ),
    ),
    Recording(
        "stories/diary-p11/e2.mp3",
        "stories/diary-p11/e2.vtt",
        _cues(
            [
                (
                    "Kwame",
                    "So I asked for a moving quote for the contents insurance, and it "
                    "came back as a range.",
                ),
                (
                    "Kwame",
                    "Somewhere between two hundred and ten and two hundred and ninety pounds.",
                ),
                (
                    "Kwame",
                    "What am I meant to do with a range? I can't budget for a range. "
                    "It's gone in the spreadsheet as a question mark.",
                ),
            ]
        ),
    ),
    Recording(
        "stories/diary-p11/e3.mp3",
        "stories/diary-p11/e3.vtt",
        _cues(
            [
                (
                    "Kwame",
                    "Keys in hand. I'm sitting on the floor, because the sofa is still in the van.",
                ),
                (
                    "Kwame",
                    "I took a photo of the meter and sent it in through the app, and it "
                    "said: thank you, we've got it.",
                ),
                ("Kwame", "Honestly, that tiny message made my day. One green row."),
            ]
        ),
    ),
    # --- film-p14: Joan's photo film (persona dot), narration --------------------------
    Recording(
        "stories/film-p14/narration.m4a",
        "stories/film-p14/narration.vtt",
        _cues(
            [
                (
                    "Joan",
                    "This is Ken's bureau. For fifty-one years, he did the bills, and I "
                    "did the birthdays.",
                ),
                (
                    "Joan",
                    "When he died last spring, I opened it, and there was a blue folder "
                    "marked house.",
                ),
                (
                    "Joan",
                    "Every letter was in there, in date order. But they'd stopped coming on paper.",
                ),
                ("Joan", "They were all going to his email, and I didn't have his password."),
                (
                    "Joan",
                    "When a paper bill finally came, I couldn't find the number I had to "
                    "pay. There were five numbers on the first page.",
                ),
                (
                    "Joan",
                    "So I rang. Twenty-five minutes on hold. But the young man, Amir, was lovely.",
                ),
                (
                    "Joan",
                    "He put everything in my name, and now it all comes on paper, in large print.",
                ),
                (
                    "Joan",
                    "I do the bills on a Monday now, with a cup of tea. I've got my own "
                    "folder. It says Joan.",
                ),
            ]
        ),
    ),
)

LEAD_IN = 0.5  # seconds of silence before the first cue
GAP_SAME = 0.35  # between two cues of the same speaker
GAP_TURN = 0.8  # when the speaker changes
TAIL = 0.6  # silence after the last cue
RATE = 22050  # espeak-ng's native rate


def ffmpeg_exe() -> str:
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError:
        sys.exit("ffmpeg not found: install ffmpeg or `pip install imageio-ffmpeg`")
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def espeak_exe() -> str:
    found = shutil.which("espeak-ng") or shutil.which("espeak")
    if not found:
        sys.exit("espeak-ng not found: install it (apt-get install espeak-ng)")
    return found


def synthesise(text: str, voice: Voice, workdir: Path, name: str) -> array.array:
    """Speak one cue; return its 16-bit mono samples at RATE, silence trimmed."""
    out = workdir / f"{name}.wav"
    subprocess.run(
        [
            espeak_exe(),
            "-v",
            voice.espeak,
            "-s",
            str(voice.speed),
            "-p",
            str(voice.pitch),
            "-w",
            str(out),
            "--",
            text,
        ],
        check=True,
        capture_output=True,
    )
    with wave.open(str(out), "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            sys.exit(f"unexpected WAV format from espeak-ng for {name}")
        rate = w.getframerate()
        samples = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    if rate != RATE:
        sys.exit(f"espeak-ng wrote {rate} Hz, expected {RATE} Hz")
    return trim(samples)


def trim(samples: array.array, threshold: int = 250) -> array.array:
    loud = [i for i in range(0, len(samples), 32) if abs(samples[i]) > threshold]
    if not loud:
        return samples
    start = max(0, loud[0] - int(0.02 * RATE))
    end = min(len(samples), loud[-1] + int(0.08 * RATE))
    return samples[start:end]


def silence(seconds: float) -> array.array:
    return array.array("h", [0]) * round(seconds * RATE)


def vtt_escape(text: str) -> str:
    return html.escape(text, quote=False)


def make_recording(rec: Recording, workdir: Path) -> list[tuple[float, float, Cue]]:
    """Synthesise, lay out and encode one recording; write its VTT; return the cue times."""
    pcm = silence(LEAD_IN)
    timed: list[tuple[float, float, Cue]] = []
    previous = None
    stem = Path(rec.audio).stem
    for index, cue in enumerate(rec.cues):
        if previous is not None:
            gap = GAP_SAME if previous == cue.speaker else GAP_TURN
            # Start every cue on a whole millisecond, so the VTT time is exact.
            target_ms = math.ceil((len(pcm) / RATE + gap) * 1000)
            pcm.extend(array.array("h", [0]) * (round(target_ms * RATE / 1000) - len(pcm)))
        voice = VOICES[cue.speaker]
        speech = synthesise(cue.spoken or cue.text, voice, workdir, f"{stem}-{index:02d}")
        start = len(pcm) / RATE
        pcm.extend(speech)
        timed.append((start, len(pcm) / RATE, cue))
        previous = cue.speaker
    pcm.extend(silence(TAIL))

    wav_path = workdir / f"{stem}.wav"
    if sys.byteorder == "big":
        pcm.byteswap()
    with wave.open(str(wav_path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())

    target = CONTENT / rec.audio
    target.parent.mkdir(parents=True, exist_ok=True)
    codec = (
        ["-c:a", "aac", "-b:a", "48k", "-movflags", "+faststart"]
        if target.suffix == ".m4a"
        else ["-c:a", "libmp3lame", "-b:a", "48k", "-id3v2_version", "0"]
    )
    subprocess.run(
        [
            ffmpeg_exe(),
            "-y",
            "-hide_banner",
            "-loglevel",
            "error",
            "-i",
            str(wav_path),
            "-ac",
            "1",
            *codec,
            "-map_metadata",
            "-1",
            "-fflags",
            "+bitexact",
            "-flags:a",
            "+bitexact",
            str(target),
        ],
        check=True,
    )

    # Written by hand rather than with `transcripts.to_vtt`, which drops cue identifiers:
    # the demo's files carry them, as editors' files do (and the tests cite cue lines).
    lines = ["WEBVTT", ""]
    for number, (start, end, cue) in enumerate(timed, 1):
        lines += [
            str(number),
            f"{fmt_timestamp(start)} --> {fmt_timestamp(end)}",
            f"<v {cue.speaker}>{vtt_escape(cue.text)}",
            "",
        ]
    text = "\n".join(lines)
    # What the product will read back must be exactly what was laid out.
    parsed, problems = parse_vtt(text, rec.vtt)
    assert not problems, [p.format() for p in problems]
    stamps = [(fmt_timestamp(c.start), fmt_timestamp(c.end), c.voice) for c in parsed.cues]
    assert stamps == [(fmt_timestamp(a), fmt_timestamp(b), c.speaker) for a, b, c in timed], rec.vtt
    (CONTENT / rec.vtt).write_text(text, encoding="utf-8")
    return timed


def make_audio() -> None:
    with tempfile.TemporaryDirectory(prefix="demo-media-") as tmp:
        for rec in RECORDINGS:
            timed = make_recording(rec, Path(tmp))
            total = timed[-1][1] + TAIL
            print(f"{rec.audio}: {total:.1f} s, {len(timed)} cues")
            for number, (start, end, cue) in enumerate(timed, 1):
                print(
                    f"  {number:2d} {fmt_timestamp(start)} --> {fmt_timestamp(end)}  {cue.speaker}"
                )


# --------------------------------------------------------------------------------------
# Photographs
# --------------------------------------------------------------------------------------

SS = 2  # draw at twice the size, then downsample: cheap anti-aliasing
GRAIN = 0.5  # film grain strength (grain costs JPEG bytes)
JPEG_QUALITY = 78

FONT_FILES = {
    "sans": "DejaVuSans.ttf",
    "sans-bold": "DejaVuSans-Bold.ttf",
    "hand": "DejaVuSans-Oblique.ttf",
    "marker": "DejaVuSansCondensed-Bold.ttf",
    "serif": "DejaVuSerif.ttf",
    "serif-italic": "DejaVuSerif-Italic.ttf",
    "mono": "DejaVuSansMono-Bold.ttf",
}
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/Library/Fonts"),
)


def font(style: str, size: float) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    px = max(1, round(size * SS))
    name = FONT_FILES[style]
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return ImageFont.truetype(str(folder / name), px)
    try:
        return ImageFont.truetype(name, px)
    except OSError:
        return ImageFont.load_default(px)


RGB = tuple[int, int, int]
Colour = tuple[int, ...]


class Pen:
    """ImageDraw in design pixels (the final size); drawing happens at SS times that.

    ImageDraw on an RGBA image *replaces* pixels, alpha included, so a translucent
    colour would punch a hole. Translucent shapes are therefore drawn on a small
    patch the size of their bounding box and alpha-composited into place.
    """

    def __init__(self, img: Image.Image) -> None:
        self.img = img
        self.d = ImageDraw.Draw(img, "RGBA")

    @staticmethod
    def _s(values: Sequence[float]) -> list[float]:
        return [v * SS for v in values]

    def _draw(
        self,
        coords: list[float],
        margin: float,
        colours: Sequence[object],
        fn: Callable[[ImageDraw.ImageDraw, list[float]], None],
    ) -> None:
        if not any(isinstance(c, tuple) and len(c) == 4 and c[3] < 255 for c in colours):
            fn(self.d, coords)
            return
        xs, ys = coords[0::2], coords[1::2]
        x0 = max(0, int(min(xs) - margin) - 2)
        y0 = max(0, int(min(ys) - margin) - 2)
        x1 = min(self.img.width, int(max(xs) + margin) + 3)
        y1 = min(self.img.height, int(max(ys) + margin) + 3)
        if x1 <= x0 or y1 <= y0:
            return
        patch = Image.new("RGBA", (x1 - x0, y1 - y0), (0, 0, 0, 0))
        shifted = [v - (x0 if i % 2 == 0 else y0) for i, v in enumerate(coords)]
        fn(ImageDraw.Draw(patch), shifted)
        self.img.alpha_composite(patch, (x0, y0))

    def rect(self, box, fill=None, outline=None, width=1.0, radius=0.0):
        w = round(width * SS)
        if radius:
            self._draw(
                self._s(box),
                w,
                (fill, outline),
                lambda d, c: d.rounded_rectangle(c, radius * SS, fill, outline, w),
            )
        else:
            self._draw(
                self._s(box), w, (fill, outline), lambda d, c: d.rectangle(c, fill, outline, w)
            )

    def ellipse(self, box, fill=None, outline=None, width=1.0):
        w = round(width * SS)
        self._draw(self._s(box), w, (fill, outline), lambda d, c: d.ellipse(c, fill, outline, w))

    def poly(self, pts, fill=None, outline=None, width=1.0):
        w = round(width * SS)
        flat = [c * SS for p in pts for c in p]
        self._draw(flat, w, (fill, outline), lambda d, c: d.polygon(c, fill, outline, w))

    def line(self, pts, fill, width=1.0, joint="curve"):
        w = round(width * SS)
        flat = [c * SS for p in pts for c in p]
        self._draw(flat, w, (fill,), lambda d, c: d.line(c, fill, w, joint))

    def arc(self, box, start, end, fill, width=1.0):
        w = round(width * SS)
        self._draw(self._s(box), w, (fill,), lambda d, c: d.arc(c, start, end, fill, w))

    def chord(self, box, start, end, fill=None):
        self._draw(self._s(box), 0, (fill,), lambda d, c: d.chord(c, start, end, fill))

    def pie(self, box, start, end, fill=None):
        self._draw(self._s(box), 0, (fill,), lambda d, c: d.pieslice(c, start, end, fill))

    def text(self, xy, s, style="sans", size=20.0, fill=(30, 30, 30), anchor="la"):
        f = font(style, size)
        bbox = list(self.d.textbbox(self._s(xy), s, font=f, anchor=anchor))
        x, y = self._s(xy)
        offset = (x - bbox[0], y - bbox[1])
        self._draw(
            bbox,
            4,
            (fill,),
            lambda d, c: d.text(
                (c[0] + offset[0], c[1] + offset[1]), s, fill=fill, font=f, anchor=anchor
            ),
        )


def canvas(w: int, h: int, colour: Colour = (0, 0, 0, 0)) -> Image.Image:
    return Image.new("RGBA", (w * SS, h * SS), colour)


def _lut(stops: Sequence[tuple[float, RGB]], channel: int) -> list[int]:
    out = []
    for i in range(256):
        t = i / 255
        for (t0, c0), (t1, c1) in itertools.pairwise(stops):
            if t0 <= t <= t1:
                f = 0 if t1 == t0 else (t - t0) / (t1 - t0)
                out.append(round(c0[channel] + (c1[channel] - c0[channel]) * f))
                break
        else:
            out.append(stops[-1][1][channel] if t > stops[-1][0] else stops[0][1][channel])
    return out


def gradient(
    size: tuple[int, int], stops: Sequence[tuple[float, RGB]], angle: float = 0
) -> Image.Image:
    """A multi-stop linear gradient, top to bottom (angle rotates it)."""
    mask = Image.linear_gradient("L")
    if angle:
        mask = mask.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=None)
        mask = mask.crop((40, 40, 216, 216))
    mask = mask.resize(size, Image.Resampling.BICUBIC)
    bands = [mask.point(_lut(stops, c)) for c in range(3)]
    return Image.merge("RGB", bands).convert("RGBA")


def glow(
    img: Image.Image, centre: tuple[float, float], radius: float, colour: RGB, strength: float = 1.0
) -> None:
    """Add a soft radial pool of light (design pixels) onto img, in place."""
    r = max(2, int(radius * SS))
    # radial_gradient is 0 at the centre and 181 at the middle of each edge
    falloff = Image.radial_gradient("L").point(
        lambda v: int(min(255, 255 * strength * max(0.0, 1 - v / 181) ** 1.6))
    )
    mask = falloff.resize((2 * r, 2 * r), Image.Resampling.BICUBIC)
    layer = Image.new("RGBA", img.size, (*colour, 0))
    alpha = Image.new("L", img.size, 0)
    alpha.paste(mask, (int(centre[0] * SS) - r, int(centre[1] * SS) - r))
    layer.putalpha(alpha)
    img.alpha_composite(layer)


def shade(
    img: Image.Image,
    draw: Callable[[Pen], None],
    blur: float,
    opacity: int,
    colour: RGB = (20, 14, 10),
) -> None:
    """A blurred shadow: draw the shape with `draw`, blur it, lay it down darkened."""
    layer = canvas(img.width // SS, img.height // SS)
    draw(Pen(layer))
    alpha = layer.getchannel("A").filter(ImageFilter.GaussianBlur(blur * SS))
    alpha = alpha.point(lambda v: v * opacity // 255)
    shadow = Image.new("RGBA", img.size, (*colour, 0))
    shadow.putalpha(alpha)
    img.alpha_composite(shadow)


def blurred(img: Image.Image, radius: float) -> Image.Image:
    return img.filter(ImageFilter.GaussianBlur(radius * SS))


def finish(
    img: Image.Image,
    rng: random.Random,
    grain: int = 9,
    vignette: float = 0.35,
    warmth: RGB | None = None,
) -> Image.Image:
    """Downsample, tint, vignette and add film grain: the 'photograph' look."""
    w, h = img.width // SS, img.height // SS
    out = img.convert("RGB").resize((w, h), Image.Resampling.LANCZOS)
    if warmth:
        out = Image.blend(out, Image.new("RGB", out.size, warmth), 0.06)
    if vignette:
        mask = Image.radial_gradient("L").resize((w, h), Image.Resampling.BICUBIC)
        mask = mask.point(lambda v: int(255 - max(0, v - 110) * vignette * 1.6))
        out = ImageChops.multiply(out, Image.merge("RGB", [mask] * 3))
    grain = round(grain * GRAIN)
    if grain:
        noise = Image.frombytes("L", (w, h), rng.randbytes(w * h))
        noise = noise.filter(ImageFilter.GaussianBlur(0.5))
        noise = noise.point(lambda v: max(0, min(2 * grain, (v - 128) * 3 + grain)))
        out = ImageChops.add(out, Image.merge("RGB", [noise] * 3), 1.0, -grain)
    return out


def perspective_coeffs(
    dst: Sequence[tuple[float, float]], src: Sequence[tuple[float, float]]
) -> list[float]:
    """Coefficients for Image.transform(PERSPECTIVE) mapping output quad dst onto src."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rhs.append(u)
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs.append(v)
    n = 8
    m = [[*row, b] for row, b in zip(rows, rhs, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                m[r] = [a - f * b for a, b in zip(m[r], m[col], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]


def place(
    img: Image.Image, flat: Image.Image, quad: Sequence[tuple[float, float]], shadow: float = 0.5
) -> None:
    """Lay a flat (design-size) picture onto img inside quad (design px, TL TR BR BL)."""
    flat = flat.convert("RGBA").resize(
        (flat.width * SS, flat.height * SS), Image.Resampling.BICUBIC
    )
    dst = [(x * SS, y * SS) for x, y in quad]
    src = [(0, 0), (flat.width, 0), (flat.width, flat.height), (0, flat.height)]
    if shadow:
        shade(
            img,
            lambda p: p.poly([(x + 6, y + 10) for x, y in quad], (0, 0, 0, 255)),
            14,
            int(255 * shadow),
        )
    warped = flat.transform(
        img.size,
        Image.Transform.PERSPECTIVE,
        perspective_coeffs(dst, src),
        Image.Resampling.BICUBIC,
    )
    img.alpha_composite(warped)


def paste_rotated(
    img: Image.Image,
    part: Image.Image,
    centre: tuple[float, float],
    angle: float,
    shadow: float = 0.35,
) -> None:
    """Paste an SS-scale RGBA part, rotated, centred at a design point, with a soft shadow."""
    rot = part.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    x = int(centre[0] * SS - rot.width / 2)
    y = int(centre[1] * SS - rot.height / 2)
    if shadow:
        alpha = rot.getchannel("A").filter(ImageFilter.GaussianBlur(8 * SS))
        sh = Image.new("RGBA", rot.size, (20, 14, 10, 0))
        sh.putalpha(alpha.point(lambda v: int(v * shadow)))
        img.alpha_composite(sh, (x + 5 * SS, y + 9 * SS))
    img.alpha_composite(rot, (x, y))


def wood(
    size: tuple[int, int], base: RGB, rng: random.Random, vertical: bool = False, streaks: int = 60
) -> Image.Image:
    """A plank texture at SS scale."""
    w, h = size
    img = gradient((w * SS, h * SS), [(0, base), (1, darker(base, 28))])
    pen = Pen(img)
    for _ in range(streaks):
        tone = rng.randint(-26, 18)
        col = (*tuple(max(0, min(255, c + tone)) for c in base), rng.randint(40, 110))
        if vertical:
            x = rng.uniform(0, w)
            pen.line([(x, 0), (x + rng.uniform(-8, 8), h)], col, rng.uniform(0.6, 2.2))
        else:
            y = rng.uniform(0, h)
            pts: list[tuple[float, float]] = [(0.0, y)]
            for k in range(1, 9):
                pts.append((w * k / 8, y + rng.uniform(-3, 3)))
            pen.line(pts, col, rng.uniform(0.6, 2.2))
    return img


def speckle(
    img: Image.Image,
    rng: random.Random,
    count: int,
    colours: Sequence[RGB],
    size: tuple[float, float] = (1, 3),
) -> None:
    pen = Pen(img)
    w, h = img.width / SS, img.height / SS
    for _ in range(count):
        x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(*size)
        pen.ellipse((x - r, y - r, x + r, y + r), (*rng.choice(colours), rng.randint(60, 200)))


# --- people ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    skin: RGB
    hair: RGB
    hair_style: str  # bun | short | curly
    top: RGB
    top_style: str  # jumper | hoodie | cardigan
    beard: bool = False
    glasses: bool = False


def darker(c: RGB, by: int = 30) -> RGB:
    return tuple(max(0, v - by) for v in c)  # type: ignore[return-value]


def lighter(c: RGB, by: int = 30) -> RGB:
    return tuple(min(255, v + by) for v in c)  # type: ignore[return-value]


def draw_person(
    img: Image.Image,
    who: Person,
    cx: float,
    head_y: float,
    scale: float,
    light_from: float,
    rng: random.Random,
) -> None:
    """A seated person from the waist up, facing the camera, lit from one side."""
    layer = canvas(img.width // SS, img.height // SS)
    p = Pen(layer)
    s = scale
    hw, hh = 118 * s, 150 * s  # head half-width, half-height
    H = img.height / SS

    # body
    shoulder_y = head_y + hh + 70 * s
    body = [
        (cx - 330 * s, H + 10),
        (cx - 300 * s, shoulder_y + 80 * s),
        (cx - 230 * s, shoulder_y + 5 * s),
        (cx - 70 * s, shoulder_y - 20 * s),
        (cx + 70 * s, shoulder_y - 20 * s),
        (cx + 230 * s, shoulder_y + 5 * s),
        (cx + 300 * s, shoulder_y + 80 * s),
        (cx + 330 * s, H + 10),
    ]
    p.poly(body, (*who.top, 255))
    p.ellipse(
        (cx - 330 * s, shoulder_y - 5 * s, cx - 150 * s, shoulder_y + 200 * s), (*who.top, 255)
    )
    p.ellipse(
        (cx + 150 * s, shoulder_y - 5 * s, cx + 330 * s, shoulder_y + 200 * s), (*who.top, 255)
    )
    # neck
    p.rect(
        (cx - 48 * s, head_y + hh - 50 * s, cx + 48 * s, shoulder_y + 10 * s),
        (*darker(who.skin, 18), 255),
        radius=20 * s,
    )
    p.chord(
        (cx - 52 * s, shoulder_y - 40 * s, cx + 52 * s, shoulder_y + 30 * s),
        0,
        180,
        (*darker(who.skin, 32), 255),
    )
    # clothing details
    if who.top_style == "jumper":
        p.arc(
            (cx - 80 * s, shoulder_y - 60 * s, cx + 80 * s, shoulder_y + 55 * s),
            10,
            170,
            (*darker(who.top, 30), 255),
            16 * s,
        )
        for k in range(-8, 9):
            x = cx + k * 34 * s
            p.line([(x, shoulder_y + 120 * s), (x + 4 * s, H)], (*darker(who.top, 14), 110), 3 * s)
    elif who.top_style == "hoodie":
        p.arc(
            (cx - 120 * s, shoulder_y - 70 * s, cx + 120 * s, shoulder_y + 70 * s),
            0,
            180,
            (*darker(who.top, 22), 255),
            26 * s,
        )
        for side in (-1, 1):
            x = cx + side * 38 * s
            p.line(
                [(x, shoulder_y + 50 * s), (x + side * 6 * s, shoulder_y + 230 * s)],
                (230, 230, 235, 255),
                6 * s,
            )
            p.ellipse(
                (
                    x + side * 6 * s - 8 * s,
                    shoulder_y + 226 * s,
                    x + side * 6 * s + 8 * s,
                    shoulder_y + 244 * s,
                ),
                (200, 200, 205, 255),
            )
        p.rect(
            (cx - 150 * s, H - 170 * s, cx + 150 * s, H + 5),
            (*darker(who.top, 12), 255),
            radius=30 * s,
        )
    elif who.top_style == "cardigan":
        p.poly(
            [
                (cx - 70 * s, shoulder_y - 15 * s),
                (cx + 70 * s, shoulder_y - 15 * s),
                (cx + 20 * s, H),
                (cx - 20 * s, H),
            ],
            (246, 244, 238, 255),
        )
        p.poly(
            [
                (cx - 70 * s, shoulder_y - 18 * s),
                (cx, shoulder_y + 40 * s),
                (cx - 10 * s, shoulder_y + 60 * s),
                (cx - 95 * s, shoulder_y + 5 * s),
            ],
            (236, 234, 226, 255),
        )
        p.poly(
            [
                (cx + 70 * s, shoulder_y - 18 * s),
                (cx, shoulder_y + 40 * s),
                (cx + 10 * s, shoulder_y + 60 * s),
                (cx + 95 * s, shoulder_y + 5 * s),
            ],
            (236, 234, 226, 255),
        )
        for side in (-1, 1):
            p.poly(
                [
                    (cx + side * 80 * s, shoulder_y - 10 * s),
                    (cx + side * 26 * s, H),
                    (cx + side * 330 * s, H),
                    (cx + side * 300 * s, shoulder_y + 60 * s),
                ],
                (*who.top, 255),
            )
        for k in range(4):
            y = shoulder_y + 140 * s + k * 90 * s
            p.ellipse((cx - 46 * s, y, cx - 30 * s, y + 16 * s), (236, 228, 214, 255))
        # a string of pearls
        for k in range(15):
            a = math.pi * (0.15 + 0.7 * k / 14)
            x = cx + math.cos(a) * 66 * s
            y = shoulder_y - 6 * s + math.sin(a) * 46 * s
            p.ellipse((x - 6 * s, y - 6 * s, x + 6 * s, y + 6 * s), (250, 246, 238, 255))

    # hair behind the head
    if who.hair_style == "bun":
        p.ellipse(
            (cx - hw - 16 * s, head_y - hh - 12 * s, cx + hw + 16 * s, head_y + hh * 0.6),
            (*who.hair, 255),
        )
        p.ellipse(
            (cx - 70 * s, head_y - hh - 95 * s, cx + 70 * s, head_y - hh + 35 * s),
            (*who.hair, 255),
        )
    # ears
    for side in (-1, 1):
        ex = cx + side * hw
        p.ellipse(
            (ex - 20 * s, head_y - 25 * s, ex + 20 * s, head_y + 40 * s),
            (*darker(who.skin, 12), 255),
        )
    # head
    p.ellipse((cx - hw, head_y - hh, cx + hw, head_y + hh), (*who.skin, 255))
    # face
    eye_y = head_y - 6 * s
    for side in (-1, 1):
        ex = cx + side * 44 * s
        p.ellipse((ex - 11 * s, eye_y - 7 * s, ex + 11 * s, eye_y + 7 * s), (250, 248, 244, 255))
        p.ellipse((ex - 6.5 * s, eye_y - 6.5 * s, ex + 6.5 * s, eye_y + 6.5 * s), (48, 34, 26, 255))
        p.ellipse((ex - 1.8 * s, eye_y - 4 * s, ex + 1.2 * s, eye_y - 1 * s), (255, 255, 255, 200))
        p.arc(
            (ex - 24 * s, eye_y - 34 * s, ex + 24 * s, eye_y - 4 * s),
            200,
            340,
            (*darker(who.hair, 5), 230),
            5 * s,
        )
        p.ellipse((ex - 22 * s, eye_y + 28 * s, ex + 22 * s, eye_y + 52 * s), (230, 120, 110, 40))
    p.line(
        [(cx + 4 * s, eye_y + 14 * s), (cx - 8 * s, eye_y + 52 * s), (cx + 6 * s, eye_y + 56 * s)],
        (*darker(who.skin, 40), 160),
        3 * s,
    )
    p.arc(
        (cx - 40 * s, eye_y + 46 * s, cx + 40 * s, eye_y + 92 * s),
        20,
        160,
        (140, 60, 60, 230),
        5 * s,
    )
    if who.beard:
        p.chord(
            (cx - hw + 6 * s, head_y - 40 * s, cx + hw - 6 * s, head_y + hh + 24 * s),
            0,
            180,
            (*who.hair, 235),
        )
        p.ellipse((cx - 50 * s, eye_y + 40 * s, cx + 50 * s, eye_y + 62 * s), (*who.hair, 255))
        p.chord(
            (cx - 28 * s, eye_y + 56 * s, cx + 28 * s, eye_y + 82 * s), 0, 180, (124, 60, 58, 255)
        )
    if who.glasses:
        for side in (-1, 1):
            ex = cx + side * 44 * s
            p.ellipse(
                (ex - 30 * s, eye_y - 24 * s, ex + 30 * s, eye_y + 24 * s),
                (200, 210, 220, 40),
                (120, 90, 70, 255),
                4 * s,
            )
        p.arc(
            (cx - 16 * s, eye_y - 14 * s, cx + 16 * s, eye_y + 10 * s),
            200,
            340,
            (120, 90, 70, 255),
            4 * s,
        )
        for side in (-1, 1):
            p.line(
                [(cx + side * 74 * s, eye_y - 6 * s), (cx + side * (hw + 2 * s), eye_y - 14 * s)],
                (120, 90, 70, 255),
                4 * s,
            )
    # hair in front
    if who.hair_style == "bun":
        p.chord(
            (cx - hw - 10 * s, head_y - hh - 14 * s, cx + hw + 10 * s, head_y + 20 * s),
            180,
            360,
            (*who.hair, 255),
        )
        p.ellipse(
            (cx - hw - 4 * s, head_y - hh - 4 * s, cx - 10 * s, head_y - 40 * s), (*who.hair, 255)
        )
        p.line(
            [(cx - hw + 2 * s, head_y - 50 * s), (cx - hw - 8 * s, head_y + 70 * s)],
            (*who.hair, 255),
            9 * s,
        )
    elif who.hair_style == "short":
        p.chord(
            (cx - hw - 8 * s, head_y - hh - 18 * s, cx + hw + 8 * s, head_y + 10 * s),
            180,
            360,
            (*who.hair, 255),
        )
        p.rect(
            (cx - hw - 6 * s, head_y - 80 * s, cx - hw + 12 * s, head_y - 10 * s), (*who.hair, 255)
        )
        p.rect(
            (cx + hw - 12 * s, head_y - 80 * s, cx + hw + 6 * s, head_y - 10 * s), (*who.hair, 255)
        )
    elif who.hair_style == "curly":
        for _ in range(70):
            a = rng.uniform(math.pi * 0.95, math.pi * 2.05)
            rr = rng.uniform(0.9, 1.12)
            x = cx + math.cos(a) * hw * rr
            y = head_y - 30 * s + math.sin(a) * hh * 0.95 * rr
            r = rng.uniform(22, 34) * s
            tone = rng.randint(-18, 12)
            col = tuple(max(0, min(255, c + tone)) for c in who.hair)
            p.ellipse((x - r, y - r, x + r, y + r), (*col, 255))

    # light: brighten the side facing the light, darken the other, inside the figure only
    alpha = layer.getchannel("A")
    light = gradient(layer.size, [(0, (255, 244, 226)), (1, (40, 30, 28))], angle=light_from)
    lit = ImageChops.soft_light(layer.convert("RGB"), light.convert("RGB")).convert("RGBA")
    lit.putalpha(alpha)
    shade(img, lambda pen: pen.poly(body, (0, 0, 0, 255)), 30, 70)
    img.alpha_composite(lit)


# --- printed paper --------------------------------------------------------------------

COMPANY = "Hearthwell"


def logo(pen: Pen, x: float, y: float, size: float, colour: RGB = (196, 84, 44)) -> None:
    pen.ellipse((x, y, x + size, y + size), (*colour, 255))
    pen.poly(
        [
            (x + size * 0.22, y + size * 0.55),
            (x + size * 0.5, y + size * 0.25),
            (x + size * 0.78, y + size * 0.55),
            (x + size * 0.7, y + size * 0.55),
            (x + size * 0.7, y + size * 0.76),
            (x + size * 0.3, y + size * 0.76),
            (x + size * 0.3, y + size * 0.55),
        ],
        (255, 250, 240, 255),
    )
    pen.text(
        (x + size * 1.25, y + size * 0.5), COMPANY, "sans-bold", size * 0.55, (*colour, 255), "lm"
    )


def bill_page(
    rng: random.Random,
    address: Sequence[str],
    account: str,
    circles: Sequence[int] = (),
    ink: Colour = (40, 70, 170, 220),
    note: str = "",
    redact: bool = False,
) -> Image.Image:
    """The first page of an energy bill, flat, at design size 900x1270 (returned at 1x).

    `circles` rings some amounts in `ink`; `note` is scribbled under the table;
    `redact` blacks out the name, address and account number with a marker pen.
    """
    w, h = 900, 1270
    img = canvas(w, h, (252, 251, 247, 255))
    p = Pen(img)
    logo(p, 60, 56, 64)
    p.text((840, 70), "Your energy bill", "sans-bold", 30, (40, 40, 46), "ra")
    p.text((840, 112), "Bill date 14 January 2026", "sans", 18, (90, 90, 96), "ra")
    p.rect((60, 160, 840, 166), (196, 84, 44, 255))
    for k, line in enumerate(address):
        p.text((60, 200 + k * 30), line, "sans", 20, (40, 40, 46))
    p.text((560, 200), "Account number", "sans", 16, (110, 110, 116))
    p.text((560, 224), account, "sans-bold", 20, (40, 40, 46))
    p.text((560, 262), "Billing period", "sans", 16, (110, 110, 116))
    p.text((560, 286), "12 Oct 2025 \u2013 11 Jan 2026", "sans", 18, (40, 40, 46))
    rows = [
        ("Balance brought forward", "\u00a3142.10"),
        ("Payments received, thank you", "\u2013\u00a3159.00"),
        ("Electricity (estimated reading)", "\u00a3121.57"),
        ("Gas (estimated reading)", "\u00a3 79.65"),
        ("Your new balance", "\u00a3184.32"),
        ("Your Direct Debit will be", "\u00a3168.00"),
        ("Estimated annual cost", "\u00a31,906.00"),
    ]
    y = 360
    p.rect((60, y - 24, 840, y + len(rows) * 66 + 8), (246, 240, 232, 255), radius=12)
    for i, (label, amount) in enumerate(rows):
        yy = y + i * 66 + 22
        bold = i in (4, 5)
        p.text((90, yy), label, "sans-bold" if bold else "sans", 22, (40, 40, 46), "lm")
        p.text((810, yy), amount, "sans-bold", 26 if bold else 22, (40, 40, 46), "rm")
        if i < len(rows) - 1:
            p.line([(90, yy + 33), (810, yy + 33)], (210, 200, 190, 255), 1.5)
        if i in circles:
            jitter = rng.uniform(-6, 6)
            p.ellipse((650 + jitter, yy - 30, 835, yy + 30 + jitter), None, ink, 3.5)
            p.arc((640, yy - 36, 820 + jitter, yy + 26), 200, 330, ink, 3)
    y2 = y + len(rows) * 66 + 60
    p.text((60, y2), "What happens next", "sans-bold", 24, (40, 40, 46))
    for k in range(6):
        length = rng.uniform(0.55, 1.0) * 780
        p.rect(
            (60, y2 + 50 + k * 34, 60 + length, y2 + 62 + k * 34), (196, 196, 200, 255), radius=6
        )
    p.text(
        (60, 1120),
        "Questions? hearthwell.example/help  \u00b7  0800 000 0000",
        "sans",
        18,
        (110, 110, 116),
    )
    p.rect((60, 1170, 840, 1210), (196, 84, 44, 40), radius=8)
    if note:
        p.text((835, y + len(rows) * 66 + 34), note, "hand", 28, ink, "rm")
    if redact:
        for box in ((52, 186, 300, 292), (552, 214, 780, 252)):
            p.rect(box, (24, 24, 28, 245), radius=10)
    return img.resize((w, h), Image.Resampling.LANCZOS)


def envelope(
    rng: random.Random, lines: Sequence[str], tint: RGB = (250, 248, 240), window: bool = True
) -> Image.Image:
    """An envelope at SS scale, 440x240 design px."""
    w, h = 440, 240
    img = canvas(w, h, (*tint, 255))
    p = Pen(img)
    p.rect((0, 0, w - 1, h - 1), None, (*darker(tint, 20), 255), 1.5)
    if window:
        p.rect((40, 110, 270, 200), (238, 240, 244, 255), (210, 212, 216, 255), 1.5, radius=6)
    for i, line in enumerate(lines):
        p.text((56, 126 + i * 24), line, "sans", 15, (50, 50, 60))
    p.rect((360, 24, 416, 86), (196, 84, 44, 255))
    p.text((388, 55), "2nd", "sans-bold", 14, (255, 240, 230), "mm")
    for k in range(3):
        p.arc((300 + k * 8, 34, 390 + k * 8, 84), 160, 300, (120, 120, 130, 160), 2)
    return img


# --- scenes -----------------------------------------------------------------------------


def scene_portrait_maya(rng: random.Random) -> Image.Image:
    W, H = 1200, 1500
    bg = gradient((W * SS, H * SS), [(0, (247, 234, 214)), (1, (232, 208, 180))])
    p = Pen(bg)
    # window with a garden outside
    p.rect((70, 140, 560, 780), (250, 250, 246, 255))
    sky = gradient(
        ((440) * SS, (580) * SS),
        [(0, (186, 214, 238)), (0.7, (226, 236, 236)), (1, (170, 196, 150))],
    )
    bg.alpha_composite(sky, (95 * SS, 165 * SS))
    for _ in range(16):
        x, y, r = rng.uniform(100, 530), rng.uniform(560, 740), rng.uniform(40, 90)
        p.ellipse(
            (x - r, y - r, x + r, y + r),
            (96 + rng.randint(0, 40), 140 + rng.randint(0, 30), 80, 200),
        )
    p.rect((305, 165, 325, 745), (250, 250, 246, 255))
    p.rect((95, 445, 535, 465), (250, 250, 246, 255))
    p.rect((50, 760, 580, 800), (240, 238, 232, 255))
    glow(bg, (320, 450), 520, (255, 250, 236), 0.9)
    # shelf with jars
    p.rect((700, 360, 1200, 380), (164, 122, 84, 255))
    x = 720
    for col in [(214, 96, 70), (240, 200, 90), (120, 160, 140), (250, 246, 236), (90, 120, 170)]:
        wj = rng.uniform(60, 90)
        hj = rng.uniform(90, 150)
        p.rect((x, 360 - hj, x + wj, 360), (*col, 235), radius=10)
        p.rect((x + 4, 360 - hj - 14, x + wj - 4, 360 - hj + 4), (*darker(col, 40), 255), radius=4)
        x += wj + rng.uniform(14, 30)
    # fridge with a child's drawing
    p.rect((960, 460, 1220, 1500), (238, 240, 240, 255), radius=24)
    p.line([(975, 760), (1220, 760)], (200, 204, 206, 255), 3)
    drawing = canvas(190, 150, (255, 255, 255, 255))
    dp = Pen(drawing)
    dp.ellipse((18, 14, 62, 58), (250, 196, 40, 255))
    for a in range(0, 360, 40):
        r = math.radians(a)
        dp.line(
            [
                (40 + 28 * math.cos(r), 36 + 28 * math.sin(r)),
                (40 + 40 * math.cos(r), 36 + 40 * math.sin(r)),
            ],
            (250, 196, 40, 255),
            3,
        )
    dp.poly([(90, 80), (130, 45), (170, 80)], (220, 60, 60, 255))
    dp.rect((98, 80, 162, 130), None, (60, 100, 200, 255), 4)
    dp.line([(10, 140), (180, 138)], (60, 170, 80, 255), 5)
    paste_rotated(bg, drawing, (1085, 600), -6, 0.2)
    p.ellipse((1076, 512, 1096, 532), (220, 60, 60, 255))
    bg = blurred(bg, 4)

    draw_person(
        bg,
        Person((198, 140, 108), (58, 40, 30), "bun", (214, 160, 62), "jumper"),
        cx=620,
        head_y=600,
        scale=1.0,
        light_from=-35,
        rng=rng,
    )

    # table in front
    table = wood((W, 300), (176, 126, 84), rng)
    bg.alpha_composite(table, (0, 1230 * SS))
    p = Pen(bg)
    p.line([(0, 1230), (W, 1230)], (120, 84, 56, 255), 3)
    # the moving list
    note = canvas(300, 380, (255, 254, 248, 255))
    npn = Pen(note)
    npn.text((24, 30), "MOVE LIST", "marker", 30, (40, 40, 50))
    for i, item in enumerate(["insurance", "energy", "broadband", "council tax", "school", "post"]):
        npn.text(
            (40, 90 + i * 44),
            ("\u2713 " if i in (2, 5) else "\u25a1 ") + item,
            "hand",
            24,
            (40, 50, 90),
        )
    paste_rotated(bg, note, (300, 1380), 8)
    # mug
    p.rect((800, 1270, 930, 1430), (54, 130, 130, 255), radius=18)
    p.ellipse((800, 1255, 930, 1290), (40, 100, 100, 255))
    p.ellipse((808, 1260, 922, 1285), (120, 80, 50, 255))
    p.arc((905, 1300, 985, 1390), 270, 90, (54, 130, 130, 255), 16)
    glow(bg, (200, 600), 700, (255, 240, 210), 0.35)
    return finish(bg, rng, grain=8, warmth=(255, 200, 150))


def scene_portrait_raj(rng: random.Random) -> Image.Image:
    W, H = 1200, 1500
    bg = gradient((W * SS, H * SS), [(0, (214, 218, 224)), (1, (188, 192, 200))])
    p = Pen(bg)
    # big window at dusk, city beyond
    dusk = gradient(
        (560 * SS, 900 * SS),
        [(0, (52, 66, 112)), (0.55, (180, 120, 130)), (0.8, (240, 164, 110)), (1, (250, 200, 140))],
    )
    bg.alpha_composite(dusk, (620 * SS, 120 * SS))
    wp = Pen(bg)
    for _ in range(12):
        bw, bh = rng.uniform(50, 120), rng.uniform(160, 480)
        bx = rng.uniform(610, 1160)
        wp.rect((bx, 1020 - bh, bx + bw, 1020), (38, 40, 58, 255))
        for _ in range(int(bh / 28)):
            if rng.random() < 0.45:
                wx = bx + rng.uniform(6, bw - 14)
                wy = 1020 - rng.uniform(20, bh - 10)
                wp.rect((wx, wy, wx + 8, wy + 10), (255, 214, 140, 230))
    p.rect((600, 100, 1200, 140), (236, 238, 240, 255))
    p.rect((600, 100, 640, 1040), (236, 238, 240, 255))
    p.rect((890, 100, 910, 1040), (236, 238, 240, 255))
    p.rect((600, 1020, 1200, 1060), (236, 238, 240, 255))

    # cardboard boxes on the left
    def box(x, y, w, h, label, col=(198, 156, 110)):
        p.rect((x, y, x + w, y + h), (*col, 255))
        p.rect((x, y, x + w, y + 26), (*darker(col, 18), 255))
        p.rect((x + w / 2 - 22, y, x + w / 2 + 22, y + h), (214, 186, 140, 200))
        p.text((x + 30, y + h * 0.55), label, "marker", 34, (40, 40, 46, 230), "lm")

    box(-20, 700, 380, 300, "BOOKS")
    box(20, 1000, 420, 330, "KITCHEN")
    box(-10, 420, 300, 280, "RAJ \u2013 DESK", (190, 148, 104))
    glow(bg, (900, 700), 500, (255, 190, 140), 0.55)
    bg = blurred(bg, 5)

    draw_person(
        bg,
        Person((150, 100, 72), (26, 22, 22), "short", (40, 52, 86), "hoodie", beard=True),
        cx=640,
        head_y=610,
        scale=0.98,
        light_from=40,
        rng=rng,
    )
    p = Pen(bg)
    # his hand holding a phone, screen glowing
    glow(bg, (840, 1240), 200, (150, 200, 255), 0.5)
    p.rect((760, 1160, 900, 1400), (24, 26, 32, 255), radius=20)
    screen = gradient((124 * SS, 224 * SS), [(0, (236, 246, 255)), (1, (180, 214, 244))])
    bg.alpha_composite(screen, (768 * SS, 1168 * SS))
    p.rect((782, 1200, 878, 1214), (70, 150, 90, 255), radius=4)
    for k in range(5):
        p.rect(
            (782, 1230 + k * 26, 782 + rng.uniform(40, 96), 1242 + k * 26),
            (140, 160, 190, 255),
            radius=4,
        )
    p.ellipse((720, 1290, 840, 1460), (150, 100, 72, 255))
    p.ellipse((880, 1220, 930, 1300), (140, 92, 66, 255))
    return finish(bg, rng, grain=10, warmth=(120, 140, 200))


def scene_portrait_dot(rng: random.Random) -> Image.Image:
    W, H = 1200, 1500
    bg = gradient((W * SS, H * SS), [(0, (240, 228, 206)), (1, (222, 204, 178))])
    p = Pen(bg)
    for row in range(0, 26):
        for col in range(0, 18):
            x = col * 72 + (36 if row % 2 else 0)
            y = row * 64
            p.ellipse((x - 9, y - 9, x + 9, y + 9), (206, 150, 150, 110))
            p.ellipse((x + 8, y + 2, x + 22, y + 10), (140, 170, 130, 90))
    # window with net curtain
    garden = gradient((440 * SS, 720 * SS), [(0, (214, 226, 236)), (1, (150, 180, 130))])
    bg.alpha_composite(garden, (40 * SS, 160 * SS))
    p.rect((40, 160, 480, 880), (255, 255, 255, 170))
    for k in range(0, 440, 10):
        p.line([(40 + k, 160), (40 + k + 4, 880)], (255, 255, 255, 120), 2)
    p.rect((20, 140, 500, 900), None, (250, 248, 242, 255), 22)
    glow(bg, (260, 520), 520, (255, 252, 240), 0.8)
    # framed wedding photo
    p.rect((800, 230, 1080, 560), (180, 140, 70, 255))
    photo = gradient((236 * SS, 286 * SS), [(0, (200, 180, 150)), (1, (150, 120, 90))])
    bg.alpha_composite(photo, (822 * SS, 252 * SS))
    p.ellipse((880, 300, 940, 370), (120, 96, 76, 255))
    p.ellipse((960, 290, 1020, 360), (120, 96, 76, 255))
    p.rect((860, 370, 960, 538), (90, 74, 60, 255), radius=30)
    p.rect((950, 360, 1040, 538), (236, 228, 214, 255), radius=30)
    # lamp glow
    glow(bg, (1100, 700), 420, (255, 214, 150), 0.7)
    bg = blurred(bg, 5)
    p = Pen(bg)
    # the wing of an armchair behind her
    p.rect((240, 560, 1000, 1500), (126, 62, 64, 255), radius=140)
    p.rect((270, 600, 970, 1500), (140, 72, 72, 255), radius=120)
    draw_person(
        bg,
        Person(
            (232, 198, 172), (226, 224, 220), "curly", (150, 122, 172), "cardigan", glasses=True
        ),
        cx=620,
        head_y=640,
        scale=0.95,
        light_from=-40,
        rng=rng,
    )
    # a cup of tea on the side table
    p = Pen(bg)
    side = wood((380, 160), (110, 70, 44), rng)
    bg.alpha_composite(side, (860 * SS, 1380 * SS))
    p.ellipse((890, 1340, 1120, 1410), (246, 244, 240, 255), (200, 196, 190, 255), 2)
    p.chord((930, 1240, 1080, 1390), 0, 180, (246, 244, 240, 255))
    p.ellipse((930, 1290, 1080, 1330), (150, 100, 60, 255), (220, 216, 210, 255), 4)
    for k in range(6):
        a = math.radians(20 + k * 25)
        dx = 1005 + math.cos(a) * 70
        dy = 1320 + math.sin(a) * 40
        p.ellipse((dx - 7, dy - 5, dx + 7, dy + 5), (200, 110, 140, 255))
    p.arc((1060, 1300, 1120, 1360), 270, 90, (246, 244, 240, 255), 10)
    return finish(bg, rng, grain=9, warmth=(255, 190, 140))


def wallpaper(size: tuple[int, int], rng: random.Random) -> Image.Image:
    W, H = size
    bg = gradient((W * SS, H * SS), [(0, (238, 226, 204)), (1, (214, 196, 170))])
    p = Pen(bg)
    for row in range(0, H // 60 + 2):
        for col in range(0, W // 70 + 2):
            x = col * 70 + (35 if row % 2 else 0)
            y = row * 60
            p.ellipse((x - 8, y - 8, x + 8, y + 8), (206, 150, 150, 100))
            p.ellipse((x + 7, y + 2, x + 20, y + 10), (140, 170, 130, 80))
    return bg


def scene_bureau(rng: random.Random) -> Image.Image:
    W, H = 1440, 960
    bg = wallpaper((W, H), rng)
    glow(bg, (200, 150), 500, (255, 220, 160), 0.7)
    p = Pen(bg)
    body = wood((900, 900), (112, 70, 42), rng, vertical=True)
    bg.alpha_composite(body, (270 * SS, 120 * SS))
    # pigeonholes
    p.rect((310, 160, 1130, 470), (70, 42, 24, 255))
    for i in range(6):
        for j in range(2):
            x0 = 320 + i * 135
            y0 = 170 + j * 148
            p.rect((x0, y0, x0 + 125, y0 + 138), (54, 32, 18, 255))
            if rng.random() < 0.8:
                for k in range(rng.randint(1, 4)):
                    tone = rng.choice([(248, 246, 238), (236, 228, 208), (226, 232, 240)])
                    ty = y0 + 30 + k * 12
                    p.rect((x0 + 8 + k * 3, ty, x0 + 117 - k * 2, y0 + 138), (*tone, 255))
    # open flap (writing surface) in gentle perspective
    flap = wood((900, 260), (150, 102, 62), rng)
    flap_img = flap.resize((900, 260), Image.Resampling.LANCZOS)
    place(bg, flap_img, [(300, 470), (1140, 470), (1230, 700), (210, 700)], shadow=0)
    p.rect((200, 690, 1240, 720), (96, 58, 34, 255))
    p.rect((250, 720, 1190, 960), (100, 62, 36, 255))
    for k in range(2):
        y = 760 + k * 110
        p.line([(250, y + 90), (1190, y + 90)], (60, 36, 20, 255), 3)
        for x in (480, 960):
            p.ellipse((x - 18, y + 30, x + 18, y + 66), (196, 160, 80, 255), (140, 110, 50, 255), 3)
    # the blue folder marked HOUSE
    folder = canvas(420, 300, (38, 70, 140, 255))
    fp = Pen(folder)
    fp.rect((0, 0, 40, 300), (28, 54, 110, 255))
    fp.rect((150, 100, 370, 190), (250, 248, 240, 255), radius=6)
    fp.text((260, 147), "HOUSE", "hand", 48, (30, 30, 40), "mm")
    folder_flat = folder.resize((420, 300), Image.Resampling.LANCZOS)
    place(bg, folder_flat, [(520, 500), (900, 490), (960, 660), (470, 672)], shadow=0.5)
    # a pen and a pair of glasses on the flap
    p.line([(980, 560), (1130, 620)], (20, 20, 24, 255), 9)
    p.line([(1118, 615), (1136, 622)], (200, 170, 80, 255), 9)
    glow(bg, (600, 500), 650, (255, 210, 150), 0.35)
    return finish(bg, rng, grain=11, warmth=(255, 180, 120))


def scene_letters(rng: random.Random) -> Image.Image:
    W, H = 1440, 960
    bg = gradient((W * SS, H * SS), [(0, (244, 240, 230)), (1, (232, 226, 214))])
    p = Pen(bg)
    for k in range(0, W, 48):
        p.line([(k, 0), (k, H)], (150, 170, 200, 60), 10)
    for k in range(0, H, 48):
        p.line([(0, k), (W, k)], (150, 170, 200, 60), 10)
    addresses = [
        ["Mr K. Hollis", "12 Orchard Close", "Northwood Green"],
        ["Mr K. Hollis", "12 Orchard Close"],
        ["The Occupier", "12 Orchard Close"],
        ["Mr K. Hollis", "12 Orchard Close", "Northwood Green"],
        ["Mrs J. Hollis", "12 Orchard Close"],
    ]
    spots = [(340, 260, -12), (760, 210, 6), (1120, 330, -4), (520, 600, 9), (980, 690, -8)]
    tints = [(250, 248, 240), (234, 238, 246), (248, 240, 222), (250, 248, 240), (244, 236, 236)]
    for (x, y, a), lines, tint in zip(spots, addresses, tints, strict=True):
        paste_rotated(bg, envelope(rng, lines, tint), (x, y), a)
    # an opened letter
    letter = canvas(420, 560, (253, 252, 248, 255))
    lp = Pen(letter)
    logo(lp, 30, 30, 44)
    lp.text((30, 110), "Important: your bills are now paperless", "sans-bold", 15, (40, 40, 46))
    for k in range(12):
        lp.rect(
            (30, 150 + k * 28, 30 + rng.uniform(220, 360), 160 + k * 28),
            (200, 200, 204, 255),
            radius=4,
        )
    paste_rotated(bg, letter, (240, 690), 4)
    # reading glasses
    p = Pen(bg)
    for dx in (0, 120):
        p.ellipse((700 + dx, 420, 800 + dx, 500), (220, 230, 240, 60), (60, 40, 30, 255), 6)
    p.arc((790, 430, 830, 470), 200, 340, (60, 40, 30, 255), 6)
    p.line([(700, 450), (600, 400)], (60, 40, 30, 255), 6)
    p.line([(920, 450), (1010, 380)], (60, 40, 30, 255), 6)
    glow(bg, (700, 300), 700, (255, 236, 200), 0.4)
    return finish(bg, rng, grain=10, warmth=(255, 200, 150))


def scene_bill_closeup(rng: random.Random) -> Image.Image:
    W, H = 1440, 960
    bg = wood((W, H), (150, 104, 66), rng, streaks=120)
    page = bill_page(
        rng,
        ["Mrs J. Hollis", "12 Orchard Close", "Northwood Green"],
        "HW 4471 0923 18",
        circles=(4, 5, 6),
        ink=(84, 84, 88, 220),
        note="? which one ?",
    )
    place(bg, page, [(330, -40), (1180, 20), (1130, 1220), (210, 1140)], shadow=0.45)
    p = Pen(bg)
    # a pencil lying across the corner
    p.poly([(1120, 860), (1400, 700), (1412, 720), (1132, 880)], (236, 190, 60, 255))
    p.poly([(1120, 860), (1132, 880), (1088, 890)], (230, 200, 160, 255))
    p.poly([(1100, 878), (1106, 884), (1088, 890)], (50, 50, 50, 255))
    p.poly([(1400, 700), (1440, 677), (1452, 697), (1412, 720)], (220, 150, 160, 255))
    glow(bg, (700, 300), 800, (255, 240, 214), 0.35)
    return finish(bg, rng, grain=9, warmth=(255, 210, 160))


def scene_phone(rng: random.Random) -> Image.Image:
    W, H = 1440, 960
    bg = wood((W, H), (96, 60, 38), rng, streaks=90)
    p = Pen(bg)
    # lace doily under the phone
    p.ellipse((180, 180, 760, 820), (248, 246, 238, 235))
    for k in range(36):
        a = math.radians(k * 10)
        x, y = 470 + math.cos(a) * 270, 500 + math.sin(a) * 300
        p.ellipse((x - 18, y - 18, x + 18, y + 18), (96, 60, 38, 255))
    # the landline
    shade(bg, lambda q: q.rect((290, 300, 660, 720), (0, 0, 0, 255), radius=60), 16, 150)
    p.rect((290, 300, 660, 720), (236, 228, 206, 255), radius=60)
    p.rect((270, 250, 680, 380), (226, 218, 196, 255), radius=70)
    p.ellipse((250, 240, 370, 400), (220, 212, 190, 255))
    p.ellipse((580, 240, 700, 400), (220, 212, 190, 255))
    for r in range(4):
        for c in range(3):
            x = 400 + c * 76
            y = 430 + r * 66
            p.ellipse(
                (x - 26, y - 22, x + 26, y + 22), (250, 246, 236, 255), (190, 180, 160, 255), 2
            )
            p.text((x, y), "123456789*0#"[r * 3 + c], "sans", 22, (80, 76, 70), "mm")
    p.line(
        [(660, 560), (760, 600), (720, 660), (800, 700), (760, 760), (840, 800)],
        (220, 212, 190, 255),
        8,
    )
    # notepad with her notes
    pad = canvas(440, 560, (252, 244, 180, 255))
    pp = Pen(pad)
    for k in range(14):
        pp.line([(0, 80 + k * 34), (440, 80 + k * 34)], (150, 170, 210, 160), 1.5)
    pp.line([(60, 0), (60, 560)], (220, 120, 120, 200), 2)
    notes = [
        "Mon 9.10 rang",
        "on hold 25 min",
        "Amir \u2013 lovely",
        "all in MY name \u2713",
        "paper bills \u2713",
        "LARGE PRINT \u2713",
        "ref 88213",
    ]
    for i, n in enumerate(notes):
        pp.text((76, 72 + i * 68), n, "hand", 30, (30, 40, 110), "ls")
    paste_rotated(bg, pad, (1060, 470), -5, 0.4)
    p.line([(860, 860), (1200, 800)], (30, 50, 130, 255), 12)
    p.line([(1200, 800), (1222, 797)], (210, 210, 210, 255), 8)
    glow(bg, (1000, 200), 700, (255, 230, 190), 0.35)
    return finish(bg, rng, grain=10, warmth=(255, 190, 140))


def scene_window_tea(rng: random.Random) -> Image.Image:
    W, H = 1440, 960
    sky = gradient(
        (W * SS, H * SS),
        [
            (0, (120, 140, 196)),
            (0.45, (236, 180, 150)),
            (0.62, (250, 214, 160)),
            (0.63, (110, 150, 90)),
            (1, (80, 120, 70)),
        ],
    )
    p = Pen(sky)
    for _ in range(14):
        x, y, r = rng.uniform(0, W), rng.uniform(420, 620), rng.uniform(60, 150)
        p.ellipse(
            (x - r, y - r, x + r, y + r),
            (60 + rng.randint(0, 30), 90 + rng.randint(0, 30), 60, 220),
        )
    for k in range(0, W, 40):
        p.rect((k, 560, k + 30, 660), (150, 110, 76, 255))
    glow(sky, (1100, 470), 300, (255, 236, 180), 0.9)
    bg = blurred(sky, 7)
    p = Pen(bg)
    # window frame and sill
    p.rect((0, 0, W, 60), (248, 248, 244, 255))
    p.rect((0, 0, 60, 740), (248, 248, 244, 255))
    p.rect((W - 60, 0, W, 740), (248, 248, 244, 255))
    p.rect((700, 0, 740, 740), (248, 248, 244, 255))
    p.rect((0, 720, W, 960), (244, 242, 236, 255))
    p.rect((0, 720, W, 740), (220, 218, 210, 255))
    # the red folder that says JOAN
    folder = canvas(380, 90, (170, 40, 44, 255))
    fp = Pen(folder)
    fp.rect((120, 22, 280, 68), (250, 248, 240, 255), radius=6)
    fp.text((200, 45), "JOAN", "hand", 30, (30, 30, 40), "mm")
    place(
        bg,
        folder.resize((380, 90), Image.Resampling.LANCZOS),
        [(120, 780), (520, 770), (560, 880), (80, 892)],
        shadow=0.5,
    )
    # cup of tea, steaming
    shade(bg, lambda q: q.ellipse((820, 800, 1120, 880), (0, 0, 0, 255)), 14, 140)
    p.ellipse((820, 790, 1120, 870), (252, 250, 246, 255), (210, 206, 200, 255), 2)
    p.chord((870, 560, 1070, 860), 0, 180, (252, 250, 246, 255))
    p.rect((870, 640, 1070, 712), (252, 250, 246, 255))
    p.ellipse((870, 620, 1070, 660), (160, 110, 70, 255), (232, 228, 222, 255), 5)
    p.arc((1040, 660, 1130, 770), 270, 90, (252, 250, 246, 255), 16)
    for k in range(7):
        a = math.radians(15 + k * 24)
        x, y = 970 + math.cos(a) * 98, 720 + math.sin(a) * 60
        p.ellipse((x - 9, y - 7, x + 9, y + 7), (80, 140, 190, 255))
    steam = canvas(W, H)
    sp = Pen(steam)
    for k in range(3):
        x0 = 930 + k * 40
        pts = [(x0 + 18 * math.sin(t / 9 + k), 610 - t * 2.8) for t in range(0, 60)]
        sp.line(pts, (255, 255, 255, 150), 8)
    bg.alpha_composite(blurred(steam, 5))
    # geranium in a pot
    p.poly([(1220, 740), (1360, 740), (1340, 860), (1240, 860)], (196, 110, 70, 255))
    for _ in range(30):
        x, y, r = rng.uniform(1200, 1380), rng.uniform(560, 720), rng.uniform(14, 30)
        p.ellipse((x - r, y - r, x + r, y + r), (70 + rng.randint(0, 30), 120, 60, 255))
    for _ in range(5):
        x, y = rng.uniform(1230, 1350), rng.uniform(540, 640)
        for _k in range(6):
            dx, dy = rng.uniform(-22, 22), rng.uniform(-22, 22)
            p.ellipse((x + dx - 12, y + dy - 12, x + dx + 12, y + dy + 12), (220, 40, 60, 255))
    glow(bg, (1000, 500), 700, (255, 210, 160), 0.35)
    return finish(bg, rng, grain=10, warmth=(255, 180, 120))


def scene_bill_on_worktop(rng: random.Random) -> Image.Image:
    """Margaret's phone photo of her bill, upright 1200x1600."""
    W, H = 1200, 1600
    bg = gradient((W * SS, H * SS), [(0, (92, 94, 100)), (1, (62, 64, 70))])
    speckle(bg, rng, 5000, [(200, 200, 204), (30, 30, 34), (150, 140, 130)], (0.6, 2.2))
    p = Pen(bg)
    # kettle, out of focus, at the top
    kettle = canvas(W, H)
    kp = Pen(kettle)
    kp.rect((760, -80, 1100, 260), (200, 204, 210, 255), radius=80)
    kp.rect((1080, 20, 1180, 200), (40, 40, 44, 255), radius=30)
    bg.alpha_composite(blurred(kettle, 14))
    page = bill_page(
        rng,
        ["Mrs M. Ashby", "3 Mill Lane", "Upper Brook"],
        "HW 5520 1184 07",
        circles=(4, 5, 6),
        redact=True,
    )
    place(bg, page, [(150, 200), (1060, 250), (1110, 1510), (90, 1470)], shadow=0.55)
    # a biro
    p.poly([(140, 1560), (520, 1400), (528, 1418), (148, 1578)], (30, 50, 140, 255))
    p.poly([(520, 1400), (560, 1384), (528, 1418)], (220, 220, 220, 255))
    glow(bg, (700, 300), 900, (255, 244, 226), 0.45)
    return finish(bg, rng, grain=12, vignette=0.25)


def scene_boxes(rng: random.Random) -> Image.Image:
    W, H = 1440, 960
    bg = gradient((W * SS, H * SS), [(0, (232, 224, 208)), (1, (210, 200, 182))])
    p = Pen(bg)
    # floorboards
    floor = wood((W, 260), (168, 124, 84), rng, streaks=80)
    bg.alpha_composite(floor, (0, 700 * SS))
    for x in range(0, W, 120):
        p.line([(x, 700), (x - 60, 960)], (120, 84, 56, 200), 2)
    # front door with frosted glass
    p.rect((560, 120, 880, 700), (46, 80, 120, 255))
    for k in range(2):
        glass = gradient((100 * SS, 200 * SS), [(0, (240, 244, 248)), (1, (200, 214, 226))])
        bg.alpha_composite(glass, ((600 + k * 140) * SS, 170 * SS))
    p.ellipse((830, 430, 856, 456), (210, 180, 90, 255))
    p.rect((680, 520, 760, 540), (210, 180, 90, 255))
    glow(bg, (720, 260), 260, (255, 250, 236), 0.8)
    # coat hooks
    p.rect((960, 200, 1300, 220), (120, 84, 56, 255))
    for k, col in enumerate([(160, 60, 60), (60, 90, 70), (220, 190, 80)]):
        x = 1000 + k * 110
        p.rect((x - 50, 220, x + 50, 560), (*col, 255), radius=40)
    bg = blurred(bg, 3)
    p = Pen(bg)

    def box(x, y, w, h, label, col=(200, 158, 112)):
        shade(bg, lambda q: q.rect((x, y + 10, x + w + 20, y + h + 14), (0, 0, 0, 255)), 12, 120)
        p.rect((x, y, x + w, y + h), (*col, 255))
        p.rect((x, y, x + w, y + 22), (*darker(col, 20), 255))
        p.rect((x + w / 2 - 24, y, x + w / 2 + 24, y + h), (222, 196, 150, 190))
        p.text((x + w * 0.26, y + h * 0.6), label, "marker", 40, (30, 30, 36, 235), "lm")

    box(40, 520, 460, 330, "KITCHEN")
    box(80, 250, 380, 270, "FRAGILE \u2191")
    box(940, 560, 440, 320, "KIDS' ROOM")
    box(1000, 340, 340, 220, "BATHROOM", (190, 150, 104))
    # a pink scooter against the boxes
    p.line([(560, 880), (760, 880)], (230, 90, 150, 255), 14)
    p.line([(740, 880), (700, 560)], (230, 90, 150, 255), 12)
    p.line([(660, 560), (740, 560)], (60, 60, 60, 255), 14)
    for x in (580, 760):
        p.ellipse((x - 30, 870, x + 30, 930), (40, 40, 44, 255))
    return finish(bg, rng, grain=11, warmth=(255, 210, 170))


def scene_meter(rng: random.Random) -> Image.Image:
    W, H = 1440, 960
    bg = gradient((W * SS, H * SS), [(0, (34, 32, 34)), (1, (20, 20, 22))])
    p = Pen(bg)
    for _ in range(40):
        y = rng.uniform(0, H)
        p.line([(0, y), (W, y + rng.uniform(-4, 4))], (50, 46, 44, 80), 2)
    glow(bg, (720, 470), 520, (255, 244, 214), 0.85)
    # cables
    for k, col in enumerate([(180, 40, 40), (40, 40, 44), (120, 90, 60)]):
        x = 560 + k * 30
        p.line([(x, 0), (x + 10, 200), (x + 20, 260)], (*col, 255), 14)
    # the meter
    shade(bg, lambda q: q.rect((460, 240, 1000, 800), (0, 0, 0, 255), radius=24), 18, 180)
    p.rect((460, 240, 1000, 800), (216, 218, 214, 255), radius=24)
    p.rect((500, 280, 960, 560), (190, 194, 190, 255), radius=12)
    p.rect((540, 330, 920, 450), (160, 186, 150, 255), radius=8)
    p.text((730, 392), "04817.3", "mono", 86, (30, 40, 30), "mm")
    p.text((900, 480), "kWh", "sans-bold", 28, (40, 40, 40), "rm")
    p.text((540, 490), "Hearthwell Smart", "sans", 22, (60, 60, 64), "lm")
    p.ellipse((890, 600, 920, 630), (230, 60, 40, 255))
    glow(bg, (905, 615), 40, (255, 80, 60), 0.8)
    p.rect((540, 640, 860, 760), (200, 202, 198, 255), (150, 150, 150, 255), 2, radius=8)
    for k in range(4):
        p.line([(560, 666 + k * 24), (840, 666 + k * 24)], (130, 130, 134, 255), 3)
    return finish(bg, rng, grain=16, vignette=0.6)


def scene_keys(rng: random.Random) -> Image.Image:
    W, H = 1440, 960
    bg = gradient((W * SS, H * SS), [(0, (150, 110, 70)), (1, (120, 86, 54))])
    p = Pen(bg)
    for _ in range(9000):
        x, y = rng.uniform(0, W), rng.uniform(0, H)
        a = rng.uniform(0, math.pi)
        ln = rng.uniform(6, 16)
        tone = rng.randint(-40, 30)
        col = (
            min(255, max(0, 150 + tone)),
            min(255, max(0, 108 + tone)),
            min(255, max(0, 66 + tone)),
            150,
        )
        p.line([(x, y), (x + math.cos(a) * ln, y + math.sin(a) * ln)], col, 1.4)
    p.rect((0, 0, W, 40), (60, 44, 30, 255))
    p.rect((0, H - 40, W, H), (60, 44, 30, 255))
    keys = canvas(W, H)
    kp = Pen(keys)
    kp.ellipse((620, 330, 760, 470), None, (190, 190, 196, 255), 10)

    def key(cx, cy, angle, col):
        a = math.radians(angle)
        ux, uy = math.cos(a), math.sin(a)
        vx, vy = -uy, ux
        kp.ellipse((cx - 56, cy - 56, cx + 56, cy + 56), (*col, 255))
        kp.ellipse(
            (cx - 16 - ux * 24, cy - 16 - uy * 24, cx + 16 - ux * 24, cy + 16 - uy * 24),
            (0, 0, 0, 0),
        )
        bx, by = cx + ux * 50, cy + uy * 50
        ex, ey = cx + ux * 290, cy + uy * 290
        kp.poly(
            [
                (bx + vx * 20, by + vy * 20),
                (ex + vx * 20, ey + vy * 20),
                (ex - vx * 14, ey - vy * 14),
                (bx - vx * 20, by - vy * 20),
            ],
            (*col, 255),
        )
        for k in range(5):
            t = 100 + k * 36
            tx, ty = cx + ux * t, cy + uy * t
            d = rng.uniform(18, 34)
            kp.poly(
                [
                    (tx - vx * 18, ty - vy * 18),
                    (tx + ux * 14 - vx * (18 + d), ty + uy * 14 - vy * (18 + d)),
                    (tx + ux * 28 - vx * 18, ty + uy * 28 - vy * 18),
                ],
                (*col, 255),
            )

    key(690, 400, 60, (206, 176, 90))
    key(690, 400, 120, (200, 200, 206))
    key(690, 400, 20, (190, 150, 70))
    # the paper tag
    kp.line([(740, 360), (960, 300)], (240, 236, 224, 255), 3)
    tag = canvas(260, 130, (250, 246, 232, 255))
    tp = Pen(tag)
    tp.ellipse((18, 55, 40, 77), (150, 110, 70, 255))
    tp.text((150, 66), "Front door", "hand", 30, (30, 40, 110), "mm")
    paste_rotated(keys, tag, (1060, 290), 12, 0)
    alpha = keys.getchannel("A").filter(ImageFilter.GaussianBlur(6 * SS))
    sh = Image.new("RGBA", keys.size, (20, 12, 6, 0))
    sh.putalpha(alpha.point(lambda v: int(v * 0.6)))
    bg.alpha_composite(sh, (8 * SS, 14 * SS))
    bg.alpha_composite(keys)
    glow(bg, (720, 360), 600, (255, 236, 200), 0.35)
    return finish(bg, rng, grain=10)


# --- EXIF -----------------------------------------------------------------------------

# EXIF Orientation -> the transpose that turns upright pixels into stored pixels.
# A viewer applies the inverse (what ImageOps.exif_transpose does) to show them upright.
STORE_ROTATED = {
    3: Image.Transpose.ROTATE_180,
    6: Image.Transpose.ROTATE_90,  # displayed by rotating 90 degrees clockwise
    8: Image.Transpose.ROTATE_270,  # displayed by rotating 90 degrees anticlockwise
}


def dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = (value - d - m / 60) * 3600
    return IFDRational(d, 1), IFDRational(m, 1), IFDRational(round(s * 100), 100)


@dataclass(frozen=True)
class Camera:
    make: str
    model: str
    taken: str  # "YYYY:MM:DD HH:MM:SS"
    orientation: int = 1
    gps: tuple[float, float] | None = None  # made-up latitude, longitude


def exif_for(camera: Camera) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = camera.make
    exif[0x0110] = camera.model
    exif[0x0112] = camera.orientation
    exif[0x0131] = f"{camera.model} camera"
    exif[0x0132] = camera.taken
    exif[0x8769] = {
        0x9003: camera.taken,
        0x9004: camera.taken,
        0x829A: IFDRational(1, 60),
        0x8827: 400,
    }
    if camera.gps:
        lat, lon = camera.gps
        exif[0x8825] = {
            0x0000: b"\x02\x03\x00\x00",
            0x0001: "N" if lat >= 0 else "S",
            0x0002: dms(lat),
            0x0003: "E" if lon >= 0 else "W",
            0x0004: dms(lon),
        }
    return exif


@dataclass(frozen=True)
class Photo:
    path: str  # under content/
    scene: Callable[[random.Random], Image.Image]
    camera: Camera | None = None


PIXEL = ("Google", "Pixel 7a")
IPHONE = ("Apple", "iPhone 12")
GALAXY = ("samsung", "SM-A546B")

PHOTOS: tuple[Photo, ...] = (
    Photo("personas/maya/portrait.jpg", scene_portrait_maya),
    Photo("personas/raj/portrait.jpg", scene_portrait_raj),
    Photo("personas/dot/portrait.jpg", scene_portrait_dot),
    # Joan's photo film, taken on her granddaughter's phone
    Photo("stories/film-p14/01-bureau.jpg", scene_bureau, Camera(*GALAXY, "2026:06:10 10:14:03")),
    Photo("stories/film-p14/02-letters.jpg", scene_letters, Camera(*GALAXY, "2026:06:10 10:16:40")),
    Photo(
        "stories/film-p14/03-bill.jpg", scene_bill_closeup, Camera(*GALAXY, "2026:06:10 10:18:22")
    ),
    Photo(
        "stories/film-p14/04-phone.jpg",
        scene_phone,
        Camera(*GALAXY, "2026:06:10 10:21:09", orientation=8),
    ),
    Photo(
        "stories/film-p14/05-tea.jpg",
        scene_window_tea,
        Camera(*GALAXY, "2026:06:15 17:48:51", gps=(52.62311, -1.13472)),
    ),
    # Margaret's email attachment: a phone photo of her bill, held sideways
    Photo(
        "stories/email-p16/bill.jpg",
        scene_bill_on_worktop,
        Camera(*IPHONE, "2026:02:01 08:03:27", orientation=6, gps=(53.80154, -1.54907)),
    ),
    # Bex's written story
    Photo("stories/story-p19/boxes.jpg", scene_boxes, Camera(*PIXEL, "2026:04:17 21:36:12")),
    Photo(
        "stories/story-p19/meter.jpg",
        scene_meter,
        Camera(*PIXEL, "2026:04:18 07:02:45", gps=(51.73512, 0.46921)),
    ),
    Photo(
        "stories/story-p19/keys.jpg",
        scene_keys,
        Camera(*PIXEL, "2026:04:18 16:20:05", orientation=3),
    ),
)


def make_photo(photo: Photo) -> None:
    rng = random.Random(f"{SEED}:{photo.path}")
    upright = photo.scene(rng)
    target = CONTENT / photo.path
    target.parent.mkdir(parents=True, exist_ok=True)
    options: dict = {
        "quality": JPEG_QUALITY,
        "optimize": True,
        "progressive": False,
        "subsampling": 2,
    }
    stored = upright
    if photo.camera:
        if photo.camera.orientation in STORE_ROTATED:
            stored = upright.transpose(STORE_ROTATED[photo.camera.orientation])
        options["exif"] = exif_for(photo.camera).tobytes()
    stored.save(target, "JPEG", **options)
    # The stored file, once transposed the way a viewer would, must be upright again.
    with Image.open(target) as check:
        shown = ImageOps.exif_transpose(check)
        if shown.size != upright.size:
            sys.exit(f"{photo.path}: orientation check failed ({shown.size} != {upright.size})")
    note = ""
    if photo.camera:
        cam = photo.camera
        note = f"  EXIF {cam.make} {cam.model}, orientation {cam.orientation}"
        note += ", GPS" if cam.gps else ""
    print(
        f"{photo.path}: {upright.width}x{upright.height}, {target.stat().st_size // 1024} KB{note}"
    )


def make_photos() -> None:
    for photo in PHOTOS:
        make_photo(photo)


# --------------------------------------------------------------------------------------
# Checking the hand-written index.md against the media
# --------------------------------------------------------------------------------------


def seconds(value: object) -> float:
    """A highlight's or chapter's time, read as the product reads it."""
    if isinstance(value, int | float):
        return float(value)
    found = parse_timecode(str(value))
    if found is None:
        raise ValueError(f"not a time: {value!r}")
    return found


def read_cues(path: Path, problem: Callable[[str], None]) -> list[TimedCue]:
    """The transcript's cues as the product reads them; its problems are reported."""
    transcript, problems = read_vtt(path, str(path.relative_to(ROOT)))
    for found in problems:
        problem(found.format())
    return list(transcript.cues) if transcript else []


def duration_of(path: Path) -> float | None:
    """Duration from ffmpeg's own report (no ffprobe needed)."""
    result = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
    )
    found = re.findall(r"time=(\d+):(\d+):(\d+(?:\.\d+)?)", result.stderr)
    if not found:
        return None
    h, m, s = found[-1]
    return int(h) * 3600 + int(m) * 60 + float(s)


def front_matter(path: Path) -> dict:
    import yaml

    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return {}
    return yaml.safe_load(text.split("---", 2)[1]) or {}


def check_times() -> int:
    """Report highlights, chapters and frames that do not fit the generated media."""
    problems = 0

    def problem(msg: str) -> None:
        nonlocal problems
        problems += 1
        print(f"  PROBLEM {msg}")

    for index in sorted((CONTENT / "stories").glob("*/index.md")):
        meta = front_matter(index)
        folder = index.parent
        rel = index.relative_to(ROOT)
        kind = meta.get("kind")
        if kind == "interview" and meta.get("recording") and meta.get("transcript"):
            cues = read_cues(folder / meta["transcript"], problem)
            length = duration_of(folder / meta["recording"]) or (cues[-1].end if cues else 0)
            interviewer = meta.get("interviewer", "")
            for hl in meta.get("highlights") or []:
                a, b = seconds(hl["start"]), seconds(hl["end"])
                touched = [c for c in cues if c.start < b and c.end > a]
                if not 0 <= a < b <= length:
                    problem(f"{rel}: highlight {hl['id']} {a}-{b} is outside 0-{length:.2f}")
                if not touched:
                    problem(f"{rel}: highlight {hl['id']} covers no cue")
                for c in touched:
                    if c.voice == interviewer:
                        problem(
                            f"{rel}: highlight {hl['id']} overlaps the interviewer at {c.start}"
                        )
        if kind == "photo-film" and meta.get("narration"):
            narration = meta["narration"]
            length = duration_of(folder / narration["recording"]) or 0
            total = sum(float(f.get("seconds", 6)) for f in meta.get("frames") or [])
            if abs(total - length) > 1.5:
                problem(f"{rel}: frames last {total:.1f} s but the narration lasts {length:.1f} s")
            for ch in meta.get("chapters") or []:
                if seconds(ch["at"]) >= length:
                    problem(f"{rel}: chapter '{ch['title']}' starts after the narration ends")
        if kind == "audio-diary":
            for entry in meta.get("entries") or []:
                for key in ("recording", "transcript"):
                    if entry.get(key) and not (folder / entry[key]).is_file():
                        problem(f"{rel}: entry {entry['id']} {key} {entry[key]} is missing")
    print("times check:", "ok" if not problems else f"{problems} problem(s)")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", action="store_true", help="make only the photographs")
    parser.add_argument("--audio", action="store_true", help="make only recordings + transcripts")
    parser.add_argument("--check", action="store_true", help="only check index.md times")
    args = parser.parse_args(argv)
    if not args.check:
        both = not (args.photos or args.audio)
        if args.photos or both:
            make_photos()
        if args.audio or both:
            make_audio()
    return 1 if check_times() else 0


if __name__ == "__main__":
    sys.exit(main())
