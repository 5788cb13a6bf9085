"""Photos -> upright, sRGB, metadata-free responsive renditions (SPEC §3).

One source is decoded once: a JPEG through `draft()` at the smallest DCT scale
that still covers the largest planned width, then turned upright (EXIF
orientation is applied after the draft, so the draft request is computed in the
stored orientation), converted to sRGB and flattened. Every width is resized
from that one image (independently, so each file depends only on its width and
the decode), and saved as WebP and JPEG with no metadata at all.

The maths (`planned_widths`, `fit`, `draft_request`, `draft_scale`) is pure and
table-tested; `convert_photo` is the only function that touches files. It keeps
no state between calls, so it can run in any worker process: arguments and the
result are plain picklable values, and a bad source raises `MediaError` whose
message an editor can act on.

Every output is a pure function of (source bytes, recipe, Pillow version):
`only` selects which files are written, never how they look, so a partial run
(after a crash, or when the cache already holds some files) writes the same
bytes a full run would.
"""

from __future__ import annotations

import base64
import functools
import io
import os
import re
import secrets
import warnings
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, ImageCms, ImageFile, ImageFilter

from immersion.media.recipes import MediaError, PhotoOutput, PhotoRecipe, PhotoResult

# A photo larger than this is refused before any pixel is decoded. 120 MP covers
# the largest sensors customers' photos come from (100 MP medium format, 108 MP
# phones) with room to spare, while a full decode of the limit (~480 MB as RGBA,
# for formats without `draft`) still fits one worker of a pool. Pillow itself
# warns above this and refuses above twice it; we turn the warning into the same
# refusal (see `open_upright_srgb`). Set at import, so it holds in every worker process.
MAX_PIXELS = 120_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# A cut-short file must be reported, never published half grey. Pillow's default
# is False already; this says we rely on it (and `open_upright_srgb` re-asserts it,
# in case something else in the process flipped it).
ImageFile.LOAD_TRUNCATED_IMAGES = False

# Formats a source may be in. Anything else (EPS, which would run Ghostscript;
# PSD; ICO; ...) is refused even if some Pillow plugin could read it. Phones'
# JPEGs with a depth map or preview open as MPO; HEIF comes from pillow-heif.
ACCEPTED_FORMATS = ("JPEG", "MPO", "PNG", "WEBP", "TIFF", "BMP", "GIF", "HEIF", "AVIF")
_DRAFTABLE = frozenset({"JPEG", "MPO"})

FORMATS = ("webp", "jpeg")  # the `format` values of PhotoOutput, in output order
_SUFFIX = {"webp": "webp", "jpeg": "jpg"}

# WebP `method` (0 fastest .. 6 smallest). Measured on a 12 MP photo at q80:
# method 4 (libwebp's default) encodes the 3840 px rendition in 0.84 s, method 2
# in 0.35-0.5 s, for files 2-4 % larger at equal PSNR. Over all four widths that
# is ~0.5 s saved of a photo's ~1.8 s, for a few % of bytes.
WEBP_METHOD = 2
# JPEG is the fallback a current browser rarely fetches: `optimize` (exact
# Huffman tables, lossless) saves ~4 % for ~0.03 s; `progressive` would save ~3 %
# more but costs 5x the encode time, so it is off.
JPEG_OPTIMIZE = True
JPEG_PROGRESSIVE = False

# The inline placeholder: tiny, blurred (the page scales it up under the real
# image), low quality. ~100-250 bytes of WebP for 16 px.
PLACEHOLDER_QUALITY = 40
PLACEHOLDER_BLUR = 0.8
# Flattening colour for transparent sources (see `_to_rgb`).
BACKGROUND = (255, 255, 255)

# EXIF orientation -> the transposition that makes the stored pixels upright.
# The same table as `PIL.ImageOps.exif_transpose`; applied here from the value
# read before decoding, so that the draft request and the rotation can never
# disagree, and a photo whose EXIF is too broken to parse is still converted.
_TRANSPOSE: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# Orientations 5-8 turn the picture a quarter: stored width = upright height.
_QUARTER_TURNS = frozenset({5, 6, 7, 8})
_DRAFT_SCALES = (8, 4, 2, 1)  # the DCT scales libjpeg can decode at


# --------------------------------------------------------------------------- pure maths


def planned_widths(source_width: int, widths: Sequence[int]) -> tuple[int, ...]:
    """The widths to make for a source: never upscaled, ascending, no duplicates.

    A source between two requested widths also gets a rendition at its own
    width (a 1200 px photo: 480, 960 and 1200), so no resolution is thrown away;
    a source narrower than every requested width gets just its own width.
    """
    if source_width < 1:
        raise ValueError(f"source width must be positive, not {source_width}")
    if any(w < 1 for w in widths):
        raise ValueError(f"widths must be positive: {tuple(widths)}")
    fitting = {w for w in widths if w <= source_width}
    if source_width < max(widths):
        fitting.add(source_width)
    return tuple(sorted(fitting))


def fit(width: int, height: int, target_width: int) -> tuple[int, int]:
    """(target_width, height scaled to keep the aspect ratio), rounded half up, at least 1."""
    if width < 1 or height < 1 or target_width < 1:
        raise ValueError(f"sizes must be positive: {width}x{height} -> {target_width}")
    # Integer arithmetic: round() on floats rounds half to even and drifts.
    return target_width, max(1, (2 * height * target_width + width) // (2 * width))


def upright_size(stored_size: tuple[int, int], orientation: int) -> tuple[int, int]:
    """The size a picture has once its EXIF orientation is applied."""
    w, h = stored_size
    return (h, w) if orientation in _QUARTER_TURNS else (w, h)


def draft_request(
    stored_size: tuple[int, int], orientation: int, target_width: int
) -> tuple[int, int]:
    """The size to ask `Image.draft()` for so the upright result is >= target_width wide.

    Computed in the *stored* orientation: for orientations 5-8 the upright width
    is the stored height, so the request scales both stored sides by
    target_width / stored_height. Rounded up, so a draft never lands below it.
    """
    sw, sh = stored_size
    upright_w = upright_size(stored_size, orientation)[0]
    return -(-sw * target_width // upright_w), -(-sh * target_width // upright_w)


def draft_scale(stored_size: tuple[int, int], orientation: int, target_width: int) -> int:
    """The DCT scale denominator (8, 4, 2 or 1) libjpeg will decode at for that request.

    Mirrors `JpegImageFile.draft`: the largest scale whose decode still covers
    the request on both sides.
    """
    rw, rh = draft_request(stored_size, orientation, target_width)
    ratio = min(stored_size[0] // rw, stored_size[1] // rh)
    return next(s for s in _DRAFT_SCALES if ratio >= s or s == 1)


def drafted_size(stored_size: tuple[int, int], scale: int) -> tuple[int, int]:
    """The stored size libjpeg produces at a DCT scale (rounded up, like libjpeg)."""
    return -(-stored_size[0] // scale), -(-stored_size[1] // scale)


def output_name(width: int, fmt: str) -> str:
    return f"{width}.{_SUFFIX[fmt]}"


def planned_outputs(width: int, height: int, recipe: PhotoRecipe) -> tuple[PhotoOutput, ...]:
    """Every rendition a photo of this upright size gets under a recipe, smallest first."""
    return tuple(
        PhotoOutput(w, fit(width, height, w)[1], fmt, output_name(w, fmt))
        for w in planned_widths(width, recipe.widths)
        for fmt in FORMATS
    )


# --------------------------------------------------------------------------- conversion


def convert_photo(
    src: Path,
    out_dir: Path,
    recipe: PhotoRecipe,
    only: Collection[tuple[int, str]] | None = None,
) -> PhotoResult:
    """Convert one photo into `out_dir` as `{w}.webp` and `{w}.jpg` for every planned width.

    `only` names the (width, format) pairs to write ("webp" or "jpeg"); None
    writes all, pairs that are not planned for this photo are ignored. The result
    lists every planned rendition whether written now or not. Raises MediaError
    for a source that cannot be converted; OSError from writing (a full disk) is
    not the photo's fault and passes through.
    """
    wanted = _wanted(only)
    base, (width, height) = open_upright_srgb(src, recipe.widths)
    outputs = planned_outputs(width, height, recipe)
    writes = {(o.width, o.format) for o in outputs}
    if wanted is not None:
        writes &= wanted

    placeholder = _placeholder(base, width, height, recipe.placeholder_width)
    if writes:
        out_dir.mkdir(parents=True, exist_ok=True)
        # Each width is resized from the one decode, not from the next wider
        # rendition: then a file depends only on its own width and the decode
        # (whose draft scale follows the largest planned width), so adding a
        # width renders just that width and a partial run writes the bytes a
        # clean run would. (A chain of resizes was 0.35 s faster per 12 MP
        # photo, but made every narrower file depend on the wider ones.)
        for w in sorted({w for w, _ in writes}, reverse=True):
            size = fit(width, height, w)
            current = base if base.size == size else base.resize(size, Image.Resampling.LANCZOS)
            if (w, "webp") in writes:
                _save(current, out_dir / output_name(w, "webp"), "WEBP", _webp_params(recipe))
            if (w, "jpeg") in writes:
                _save(current, out_dir / output_name(w, "jpeg"), "JPEG", _jpeg_params(recipe))
    return PhotoResult(width=width, height=height, outputs=outputs, placeholder=placeholder)


def open_upright_srgb(src: Path, widths: Sequence[int]) -> tuple[Image.Image, tuple[int, int]]:
    """Decode a photo once, upright, in sRGB, in mode RGB or L, with no metadata left.

    Returns the image (for a JPEG, drafted down to the smallest DCT scale that
    still covers the largest planned width) and the upright size of the
    *original*, which is what widths and heights are computed from.
    """
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    _check_not_empty(src)
    try:
        # The filter makes Pillow's DecompressionBombWarning an exception for the
        # duration of the decode (it is process-wide state, fine in a worker
        # process; not thread-safe if ever called from threads).
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(src, formats=_open_formats()) as im:
                _check_pixels(im.size)
                stored = im.size
                if im.format in _DRAFTABLE:
                    # The orientation is needed before decoding to size the draft.
                    orientation = _orientation(im)
                    largest = planned_widths(upright_size(stored, orientation)[0], widths)[-1]
                    im.draft("RGB", draft_request(stored, orientation, largest))
                    im.load()
                else:
                    # Read after decoding: a PNG may keep its EXIF after the pixels.
                    im.load()
                    orientation = _orientation(im)
                full = upright_size(stored, orientation)
                upright = _upright(im, orientation)
                icc = im.info.get("icc_profile")
                image = _to_srgb(_to_rgb(upright), icc)
    except MediaError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaError(_bomb_reason(str(exc))) from exc
    except Image.UnidentifiedImageError as exc:
        raise MediaError(_unidentified_reason(src)) from exc
    except FileNotFoundError as exc:
        raise MediaError("the file does not exist") from exc
    except PermissionError as exc:
        raise MediaError("the file cannot be read (permission denied)") from exc
    except MemoryError as exc:
        raise MediaError("not enough memory to decode this image") from exc
    except Exception as exc:
        # Decoders signal damage with OSError, SyntaxError, ValueError, EOFError,
        # struct.error, zlib.error, RuntimeError (libheif)...: all the file's fault.
        raise MediaError(_damage_reason(exc)) from exc
    # Metadata lives in `.info`; resize() copies it to every rendition and the
    # JPEG writer would put a `comment` back. Nothing is carried past here.
    image.info = {}
    return image, full


def _wanted(only: Collection[tuple[int, str]] | None) -> frozenset[tuple[int, str]] | None:
    if only is None:
        return None
    wanted = frozenset((int(w), f) for w, f in only)
    unknown = {f for _, f in wanted} - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown output format(s) {sorted(unknown)}; expected {FORMATS}")
    return wanted


def _webp_params(recipe: PhotoRecipe) -> dict[str, Any]:
    # No exif=, icc_profile= or xmp=: Pillow's WebP writer takes metadata only
    # from these parameters, so the file has no EXIF, XMP or ICCP chunk.
    return {"quality": recipe.webp_quality, "method": WEBP_METHOD}


def _jpeg_params(recipe: PhotoRecipe) -> dict[str, Any]:
    # Likewise no exif/icc/xmp; the writer's only fallback to `.info` (comment)
    # is empty because `open_upright_srgb` cleared it.
    return {
        "quality": recipe.jpeg_quality,
        "optimize": JPEG_OPTIMIZE,
        "progressive": JPEG_PROGRESSIVE,
    }


def _save(image: Image.Image, path: Path, fmt: str, params: dict[str, Any]) -> None:
    """Write to a temporary name beside the target, then rename it into place.

    A reader (or a rebuild after a kill) sees either the old file or the whole
    new one. The temporary name starts with a dot and ends in `.tmp`, so the
    cache can sweep leftovers of a killed run.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as fh:
            image.save(fh, format=fmt, **params)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _placeholder(image: Image.Image, width: int, height: int, placeholder_width: int) -> str:
    """A data: URI of a tiny blurred WebP, made from the full decode (same in every run)."""
    size = fit(width, height, max(1, min(placeholder_width, width)))
    # reducing_gap: box-reduce first, then LANCZOS; a 16 px thumbnail from
    # 12 MP in a few ms instead of a full-support LANCZOS pass.
    tiny = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    tiny = tiny.filter(ImageFilter.GaussianBlur(PLACEHOLDER_BLUR))
    buffer = io.BytesIO()
    tiny.save(buffer, format="WEBP", quality=PLACEHOLDER_QUALITY, method=6)
    return "data:image/webp;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# --------------------------------------------------------------------------- decoding


@functools.cache
def _register_heif() -> bool:
    """Teach Pillow HEIC/HEIF through pillow-heif, once per process, if it is installed."""
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


@functools.cache
def _open_formats() -> tuple[str, ...]:
    """The accepted formats this process's Pillow can open (HEIF/AVIF may be missing)."""
    _register_heif()
    Image.init()  # load every plugin once, so that OPEN is complete
    return tuple(f for f in ACCEPTED_FORMATS if f in Image.OPEN)


def _check_not_empty(src: Path) -> None:
    try:
        size = src.stat().st_size
    except FileNotFoundError as exc:
        raise MediaError("the file does not exist") from exc
    if size == 0:
        raise MediaError("the file is empty")


def _check_pixels(size: tuple[int, int]) -> None:
    # Pillow's own check reads the module-wide Image.MAX_IMAGE_PIXELS, which
    # other code in the process could loosen; this one uses our constant.
    pixels = size[0] * size[1]
    if pixels > MAX_PIXELS:
        raise MediaError(_bomb_reason(f"{pixels} pixels"))


def _orientation(im: Image.Image) -> int:
    """The EXIF (or XMP) orientation, 1 when absent, unreadable or out of range."""
    try:
        value = im.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _upright(im: Image.Image, orientation: int) -> Image.Image:
    method = _TRANSPOSE.get(orientation)
    return im if method is None else im.transpose(method)


def _to_rgb(im: Image.Image) -> Image.Image:
    """Any decoded mode -> RGB, or L for greyscale; transparency flattened on white.

    Both WebP and JPEG are flattened (WebP could keep alpha): a browser shows
    either file, and the two, and the placeholder, must look the same. Photos
    rarely have alpha; a cut-out on white is the safe reading of the rest.
    """
    mode = im.mode
    if mode in ("RGB", "L"):
        return im
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit greyscale (PNG, TIFF; Pillow's "I" comes from the same files):
        # convert("L") would clip everything above 255 to white, so scale
        # 0..65535 -> 0..255, rounding, whatever the content's own range.
        return im.convert("I").point(lambda v: v * (255 / 65535) + 0.5).convert("L")
    if mode == "F":  # floating-point TIFF: 0.0..1.0 by convention
        return im.point(lambda v: v * 255 + 0.5).convert("L")
    if mode == "1":
        return im.convert("L")
    if mode == "CMYK":
        return im  # left to the ICC step, which knows the profile, or a plain convert
    if mode == "P":
        im = im.convert("RGBA" if im.has_transparency_data else "RGB")
    elif mode in ("PA", "LA", "La", "RGBa", "RGBX"):
        im = im.convert("RGBA" if mode != "RGBX" else "RGB")
    elif mode != "RGBA":
        im = im.convert("RGB")
    if im.mode == "RGBA":
        alpha = im.getchannel("A")
        if alpha.getextrema()[0] == 255:  # fully opaque: just drop the channel
            return im.convert("RGB")
        flat = Image.new("RGB", im.size, BACKGROUND)
        flat.paste(im, mask=alpha)
        return flat
    return im


@functools.cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Apply an embedded ICC profile (Display P3, Adobe RGB, CMYK...) to reach sRGB.

    Untagged means sRGB already. A profile that names itself sRGB is trusted and
    skipped (most camera JPEGs embed one; converting would cost time and change
    nothing). A broken profile, or one that does not match the pixels, is
    ignored: the picture is still shown, as a browser would.
    """
    if icc:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            is_srgb = "srgb" in ImageCms.getProfileDescription(profile).lower()
            if not is_srgb or im.mode not in ("RGB", "L"):
                converted = ImageCms.profileToProfile(
                    im,
                    profile,
                    _srgb_profile(),
                    renderingIntent=ImageCms.Intent.PERCEPTUAL,
                    outputMode="RGB",
                )
                if converted is not None:
                    im = converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass
    return im if im.mode in ("RGB", "L") else im.convert("RGB")


# --------------------------------------------------------------------------- reasons


def _bomb_reason(message: str) -> str:
    found = re.search(r"(\d+) pixels", message)
    if found is None:
        return "too many pixels (a decompression bomb?)"
    megapixels = int(found.group(1)) / 1_000_000
    return (
        f"too many pixels ({megapixels:,.0f} MP, over the {MAX_PIXELS // 1_000_000} MP limit;"
        " a decompression bomb?)"
    )


def _unidentified_reason(src: Path) -> str:
    try:
        with open(src, "rb") as fh:
            head = fh.read(16)
    except OSError:
        head = b""
    if head[4:8] == b"ftyp" and not _register_heif():
        return "a HEIC/HEIF photo, but pillow-heif is not installed (pip install pillow-heif)"
    return "not an image we can read (JPEG, PNG, WebP, TIFF, BMP, GIF or HEIC)"


def _damage_reason(exc: Exception) -> str:
    text = str(exc)
    if "truncated" in text.lower() or isinstance(exc, EOFError):
        return "the file is cut short (truncated)"
    detail = f" ({text.strip()[:120]})" if text.strip() else ""
    return f"the image data is damaged{detail}"
