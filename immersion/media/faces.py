"""A video's poster with a face (SPEC: "a frame with a face or the first non-black frame").

Optional: with the `faces` extra (opencv-python-headless 4.x, whose wheel ships the Haar
cascade files, so it works offline), :func:`pick_face_frame` looks at a few frames past
the first non-black one and returns the time of the one with the largest frontal face.
Without the extra, or when no frame has a face, the caller keeps the first non-black
frame. OpenCV 5 dropped the cascades (its face detector needs a model file fetched from
the network), hence the `<5` pin.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SAMPLES = 6  # frames looked at: enough to pass a title card or an empty chair
SAMPLE_WIDTH = 320  # a face the size of a poster's subject is ~40 px here; cheap to scan
MIN_FACE = 24  # pixels at SAMPLE_WIDTH: smaller "faces" are noise in the background


@functools.cache
def _cascade() -> Any | None:
    try:
        import cv2
    except ImportError:
        return None
    data = getattr(cv2, "data", None)
    if data is None or not hasattr(cv2, "CascadeClassifier"):
        return None
    cascade = cv2.CascadeClassifier(
        str(Path(data.haarcascades) / "haarcascade_frontalface_default.xml")
    )
    return None if cascade.empty() else cascade


def available() -> bool:
    """Whether the `faces` extra is installed and has its cascade."""
    return _cascade() is not None


def largest_face(path: Path) -> int:
    """The area in pixels of the largest frontal face in an image file, 0 for none."""
    cascade = _cascade()
    if cascade is None:
        return 0
    import numpy as np
    from PIL import Image

    with Image.open(path) as image:
        gray = np.asarray(image.convert("L"))
    found = cascade.detectMultiScale(
        gray, scaleFactor=1.1, minNeighbors=5, minSize=(MIN_FACE, MIN_FACE)
    )
    return max((int(w) * int(h) for _x, _y, w, h in found), default=0)


def pick_face_frame(frames: Sequence[tuple[float, Path]]) -> float | None:
    """The time of the frame with the largest face (the first such on a tie), or None."""
    best: tuple[int, float] | None = None
    for at, path in frames:
        area = largest_face(path)
        if area and (best is None or area > best[0]):
            best = (area, at)
    return best[1] if best else None
