"""The default poster of a video prefers a frame with a face (the `faces` extra).

The fixture is made here: a drawn, softly shaded face (brows, eye sockets, the bright
bridge of a nose, a mouth) that OpenCV's frontal-face cascade finds at every size tried,
over a test pattern from 2.5 s on. Before then no frame has a face.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter

from immersion.media import faces
from immersion.media import ffmpeg as ff
from immersion.media.video import VideoRecipe, convert_video

pytest.importorskip("cv2", reason="the `faces` extra (opencv-python-headless) is not installed")

FACE_FROM = 2.5  # seconds: the face appears then


def drawn_face(height: int) -> Image.Image:
    """A grey face the Haar cascade takes for one: light and dark where a face has them."""
    w, h = int(height * 0.8), height
    im = Image.new("L", (w, h), 90)
    d = ImageDraw.Draw(im)
    d.ellipse([w * 0.12, h * 0.08, w * 0.88, h * 0.95], fill=190)
    for cx in (0.33, 0.67):
        d.ellipse([w * (cx - 0.13), h * 0.33, w * (cx + 0.13), h * 0.38], fill=70)  # brow
        d.ellipse([w * (cx - 0.12), h * 0.40, w * (cx + 0.12), h * 0.48], fill=60)  # socket
        d.ellipse([w * (cx - 0.05), h * 0.42, w * (cx + 0.05), h * 0.46], fill=20)  # eye
    d.rectangle([w * 0.47, h * 0.42, w * 0.53, h * 0.62], fill=215)  # the nose's bridge
    d.ellipse([w * 0.40, h * 0.60, w * 0.60, h * 0.66], fill=120)
    d.ellipse([w * 0.35, h * 0.72, w * 0.65, h * 0.78], fill=70)  # mouth
    return im.filter(ImageFilter.GaussianBlur(w / 60))


@pytest.fixture(scope="module")
def late_face(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6 s of test pattern at 320x240; from 2.5 s a face on grey fills the picture."""
    d = tmp_path_factory.mktemp("faces")
    card = Image.new("RGB", (320, 240), (128, 128, 128))
    card.paste(drawn_face(190).convert("RGB"), (84, 25))
    card.save(d / "face.png")
    out = d / "late-face.mp4"
    subprocess.run(
        [
            ff.find_ffmpeg(), "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=6",
            "-loop", "1", "-i", str(d / "face.png"),
            "-filter_complex", f"[0:v][1:v]overlay=enable='gte(t,{FACE_FROM})':shortest=1",
            "-t", "6", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(out),
        ],
        check=True,
    )  # fmt: skip
    return out


def test_the_drawn_face_is_a_face_and_the_pattern_is_not(tmp_path: Path) -> None:
    for height in (80, 120, 240):
        card = Image.new("L", (height * 2, height * 2), 128)
        card.paste(drawn_face(height), (height // 2, height // 2))
        card.save(tmp_path / f"{height}.png")
        assert faces.largest_face(tmp_path / f"{height}.png") > 0, height
    pattern = tmp_path / "pattern.png"
    subprocess.run(
        [ff.find_ffmpeg(), "-v", "error", "-y", "-f", "lavfi", "-i",
         "testsrc=size=320x240:rate=1", "-frames:v", "1", str(pattern)],
        check=True,
    )  # fmt: skip
    assert faces.largest_face(pattern) == 0


def test_the_default_poster_is_a_frame_with_a_face(late_face: Path, tmp_path: Path) -> None:
    assert faces.available() and VideoRecipe().faces  # the extra is on by being installed
    convert_video(late_face, tmp_path, VideoRecipe(), only={"poster.jpg"})
    poster = tmp_path / "poster.jpg"
    assert faces.largest_face(poster) > 0
    with Image.open(poster) as im:
        r, g, b = im.convert("RGB").getpixel((5, 5))  # the face card's grey, not the pattern
    assert max(r, g, b) - min(r, g, b) < 20, (r, g, b)


def test_without_the_extra_the_poster_is_the_first_frame_that_is_not_black(
    late_face: Path, tmp_path: Path
) -> None:
    convert_video(late_face, tmp_path, VideoRecipe(faces=False), only={"poster.jpg"})
    assert faces.largest_face(tmp_path / "poster.jpg") == 0  # the pattern at 0 s


def test_a_poster_at_a_set_time_is_not_moved_to_a_face(late_face: Path, tmp_path: Path) -> None:
    convert_video(late_face, tmp_path, VideoRecipe(), poster_at=1.0, only={"poster.jpg"})
    assert faces.largest_face(tmp_path / "poster.jpg") == 0
