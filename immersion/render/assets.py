"""Media files a page uses, placed in the staging folder.

Interim step until the media pipeline lands (see docs/architecture.md):
photos are re-encoded with Pillow, upright, in sRGB, at most 1920 px wide and
with every metadata block dropped, so no GPS position or camera serial ever
reaches a site; recordings and transcripts are copied as they are.
A file Pillow cannot read is reported with its path and left out of the page.
"""

from __future__ import annotations

import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from ..problems import Problem, relpath
from ..schema import MediaRef
from .staging import Staging, atomic_write

MAX_WIDTH = 1920
# Ten times a 50 MP camera frame: anything larger is treated as a decompression bomb.
Image.MAX_IMAGE_PIXELS = 500_000_000

_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class PlacedImage:
    path: str  # site path, e.g. media/personas/maya/portrait.jpg
    width: int
    height: int


def _dest_name(src: str, suffix: str) -> str:
    pure = PurePosixPath(src)
    stem = "-".join(pure.with_suffix("").parts)
    if pure.suffix.lower() != suffix:
        stem += "-" + pure.suffix.lower().lstrip(".")
    return stem + suffix


def _encode_jpeg(path: Path) -> bytes:
    with Image.open(path) as opened:
        opened.draft("RGB", (MAX_WIDTH, MAX_WIDTH))
        image = ImageOps.exif_transpose(opened)
        icc = image.info.get("icc_profile")
        if icc:
            # Colours in Display P3 or Adobe RGB look washed out unless converted to sRGB.
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            image = (
                ImageCms.profileToProfile(image.convert("RGB"), source, _SRGB, outputMode="RGB")
                or image
            )
        image = image.convert("RGB")
        if image.width > MAX_WIDTH:
            height = round(image.height * MAX_WIDTH / image.width)
            image = image.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        # No exif=, icc_profile= or comment=: the rendition carries no metadata at all.
        image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
        return out.getvalue()


class Assets:
    def __init__(self, staging: Staging, project: Path, problems: list[Problem]) -> None:
        self.staging = staging
        self.project = project
        self.problems = problems
        self.images: dict[Path, PlacedImage | None] = {}
        self.files: dict[Path, str | None] = {}
        self.converted = 0
        self.reused = 0

    def image(self, ref: MediaRef, folder: str) -> PlacedImage | None:
        """The photo as a clean JPEG in the site, or None (with a problem) if unreadable."""
        if ref.path in self.images:
            return self.images[ref.path]
        rel = f"{folder}/{_dest_name(ref.src, '.jpg')}"
        dest = self.staging.claim(f"docs/{rel}")
        placed: PlacedImage | None = None
        try:
            fresh = dest.is_file() and dest.stat().st_mtime >= ref.path.stat().st_mtime
            if fresh:
                self.reused += 1
            else:
                atomic_write(dest, _encode_jpeg(ref.path))
                os.utime(dest)
                self.converted += 1
            with Image.open(dest) as done:
                placed = PlacedImage(rel, done.width, done.height)
        except (
            OSError,
            UnidentifiedImageError,
            Image.DecompressionBombError,
            ValueError,
            SyntaxError,
        ) as exc:
            self.staging.produced.discard(f"docs/{rel}")
            dest.unlink(missing_ok=True)
            reason = "it is not an image Pillow can read, or it is damaged"
            if isinstance(exc, Image.DecompressionBombError):
                reason = "it has too many pixels (a decompression bomb?)"
            self.problems.append(
                Problem(
                    relpath(ref.path, self.project),
                    None,
                    f"cannot convert the photo: {reason}",
                    "export it again as JPEG or PNG and replace the file",
                )
            )
        self.images[ref.path] = placed
        return placed

    def file(self, ref: MediaRef, folder: str) -> str | None:
        """A recording or transcript copied into the site; its site path."""
        if ref.path not in self.files:
            self.files[ref.path] = self._copy(ref, folder)
        return self.files[ref.path]

    def _copy(self, ref: MediaRef, folder: str) -> str | None:
        rel = f"{folder}/{_dest_name(ref.src, PurePosixPath(ref.src).suffix.lower())}"
        dest = self.staging.claim(f"docs/{rel}")
        try:
            source = ref.path.stat()
            if dest.is_file():
                mine = dest.stat()
                if mine.st_size == source.st_size and mine.st_mtime == source.st_mtime:
                    self.reused += 1
                    return rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(f".{dest.name}.tmp")
            shutil.copy2(ref.path, tmp)
            os.replace(tmp, dest)
            self.converted += 1
            return rel
        except OSError as exc:
            self.staging.produced.discard(f"docs/{rel}")
            self.problems.append(
                Problem(
                    relpath(ref.path, self.project),
                    None,
                    f"cannot copy the file: {exc.strerror or exc}",
                    "check that the file is readable",
                )
            )
            return None
