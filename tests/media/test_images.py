"""The photo converter: upright, sRGB, metadata-free renditions, and clear refusals.

Every fixture is made here with Pillow (and pillow-heif, and a hand-built ICC
profile); images are checked by their properties (pixel colours, sizes,
metadata), not by their bytes. Images are small except where size is the point.
"""

from __future__ import annotations

import base64
import io
import struct
import sys
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageCms, ImageFile, ImageOps, features
from PIL.JpegImagePlugin import JpegImageFile

from immersion.media import images
from immersion.media.images import (
    MAX_PIXELS,
    convert_photo,
    draft_request,
    draft_scale,
    drafted_size,
    fit,
    open_upright_srgb,
    planned_widths,
    upright_size,
)
from immersion.media.recipes import MediaError, PhotoRecipe

RED = (255, 0, 0)
BLUE = (0, 0, 255)
SMALL = PhotoRecipe(widths=(150, 300, 600))

# The transposition that turns an upright picture into the pixels a camera
# stores under each EXIF orientation (the inverse of what a viewer applies).
# Written out independently of the module; `oriented_jpeg` checks each fixture
# against Pillow's own ImageOps.exif_transpose.
STORE_AS: dict[int, Image.Transpose | None] = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


# --------------------------------------------------------------------------- helpers


def marked(size: tuple[int, int]) -> Image.Image:
    """Blue, with a red block over the top-left quarter of each side."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 4, size[1] // 4))
    return image


def stored_for(upright: Image.Image, orientation: int) -> Image.Image:
    method = STORE_AS[orientation]
    return upright if method is None else upright.transpose(method)


def oriented_jpeg(path: Path, orientation: int, size: tuple[int, int] = (1200, 800)) -> Path:
    """A JPEG whose stored pixels, once `orientation` is applied, show the marker top-left."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored_for(marked(size), orientation).save(path, "JPEG", exif=exif, quality=90)
    # The fixture itself is right by Pillow's reference implementation.
    with Image.open(path) as check:
        upright = ImageOps.exif_transpose(check)
        assert upright.size == size
        assert is_colour(upright.getpixel((2, 2)), RED)
    return path


def is_colour(pixel: object, expected: tuple[int, int, int], tolerance: int = 40) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(int(a) - b) <= tolerance for a, b in zip(pixel[:3], expected, strict=True))


def rgb_at(path: Path, xy: tuple[int, int]) -> tuple[int, int, int]:
    with Image.open(path) as image:
        pixel = image.convert("RGB").getpixel(xy)
    assert isinstance(pixel, tuple)
    return (int(pixel[0]), int(pixel[1]), int(pixel[2]))


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def expected_files(widths: tuple[int, ...]) -> list[str]:
    return sorted(f"{w}.{ext}" for w in widths for ext in ("webp", "jpg"))


def riff_chunks(data: bytes) -> list[bytes]:
    """The top-level chunk names of a WebP file (VP8/VP8L/VP8X/ALPH/ICCP/EXIF/XMP)."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    names, pos = [], 12
    while pos + 8 <= len(data):
        name, length = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        names.append(name)
        pos += 8 + length + (length & 1)
    return names


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ " + bytes(4) + _s15(x) + _s15(y) + _s15(z)


def matrix_shaper_icc(
    description: str,
    red: tuple[float, float, float],
    green: tuple[float, float, float],
    blue: tuple[float, float, float],
) -> bytes:
    """A real ICC v2 RGB display profile from its D50 colorants and the sRGB tone curve.

    ImageCms can only *create* sRGB, LAB and XYZ profiles, so a Display P3 (or
    Adobe RGB) profile is written out byte by byte: header, tag table, desc,
    cprt, wtpt, r/g/bXYZ colorants and a parametric (type 3) TRC shared by the
    three channels. littleCMS reads it like any profile a phone embeds.
    """
    text = description.encode("ascii") + b"\0"
    desc = b"desc" + bytes(4) + struct.pack(">I", len(text)) + text + bytes(4 + 4 + 2 + 1 + 67)
    g, a, b, c, d = 2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045
    trc = b"para" + bytes(4) + struct.pack(">HH", 3, 0) + b"".join(map(_s15, (g, a, b, c, d)))
    tags = [
        (b"desc", desc),
        (b"cprt", b"text" + bytes(4) + b"No copyright, test profile\0"),
        (b"wtpt", _xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", _xyz(*red)),
        (b"gXYZ", _xyz(*green)),
        (b"bXYZ", _xyz(*blue)),
        (b"rTRC", trc),
        (b"gTRC", trc),
        (b"bTRC", trc),
    ]
    table_size = 4 + 12 * len(tags)
    table, data = struct.pack(">I", len(tags)), b""
    for signature, body in tags:
        body += bytes(-len(body) % 4)
        table += signature + struct.pack(">II", 128 + table_size + len(data), len(body))
        data += body
    header = (
        struct.pack(">I", 128 + table_size + len(data))
        + b"lcms"
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
        + b"acspAPPL"
        + bytes(4 + 4 + 4 + 8 + 4)
        + _xyz(0.9642, 1.0, 0.8249)[8:]
        + b"lcms"
        + bytes(16 + 28)
    )
    assert len(header) == 128
    return header + table + data


# Apple's Display P3 colorants, chromatically adapted to D50 (as in its profile).
DISPLAY_P3 = matrix_shaper_icc(
    "Display P3 (test)",
    red=(0.51512, 0.24120, -0.00105),
    green=(0.29198, 0.69225, 0.04189),
    blue=(0.15710, 0.06657, 0.78407),
)


def bomb_png(path: Path, width: int, height: int) -> Path:
    """A valid PNG header declaring width x height, with 20 bytes of data: nothing to allocate."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(bytes(16)))
        + chunk(b"IEND", b"")
    )
    return path


# --------------------------------------------------------------------------- pure maths


@pytest.mark.parametrize(
    ("source", "widths", "expected"),
    [
        (4000, (480, 960, 1920, 3840), (480, 960, 1920, 3840)),
        (3840, (480, 960, 1920, 3840), (480, 960, 1920, 3840)),  # equal is not an upscale
        (3839, (480, 960, 1920, 3840), (480, 960, 1920, 3839)),  # and its own width
        (1000, (3840, 480, 960, 480), (480, 960, 1000)),  # sorted, deduplicated
        (300, (480, 960), (300,)),  # narrower than all: its own width
        (1, (480, 960, 1920, 3840), (1,)),
        (480, (480,), (480,)),
    ],
)
def test_planned_widths(source: int, widths: tuple[int, ...], expected: tuple[int, ...]) -> None:
    assert planned_widths(source, widths) == expected


@pytest.mark.parametrize(("source", "widths"), [(0, (480,)), (100, (0, 480)), (100, (-5,))])
def test_planned_widths_refuses_nonsense(source: int, widths: tuple[int, ...]) -> None:
    with pytest.raises(ValueError):
        planned_widths(source, widths)


@pytest.mark.parametrize(
    ("size", "target", "expected"),
    [
        ((4000, 3000), 480, (480, 360)),
        ((3000, 4000), 480, (480, 640)),
        ((1000, 333), 500, (500, 167)),  # 166.5 rounds half up
        ((3, 2), 1, (1, 1)),  # 0.67 -> 1
        ((10000, 1), 100, (100, 1)),  # never 0 high
        ((1, 1), 1, (1, 1)),
        ((4032, 3024), 1920, (1920, 1440)),
        ((1000, 1), 1000, (1000, 1)),
    ],
)
def test_fit(size: tuple[int, int], target: int, expected: tuple[int, int]) -> None:
    assert fit(*size, target) == expected


@pytest.mark.parametrize(
    ("stored", "orientation", "target", "asked", "scale"),
    [
        ((4000, 3000), 1, 3840, (3840, 2880), 1),
        ((4000, 3000), 1, 1920, (1920, 1440), 2),
        ((4000, 3000), 1, 960, (960, 720), 4),
        ((4000, 3000), 1, 500, (500, 375), 8),
        ((4000, 3000), 1, 501, (501, 376), 4),  # 4000 // 501 == 7: not quite 8
        ((4000, 3000), 1, 100, (100, 75), 8),  # 8 is the smallest scale there is
        ((4000, 3000), 3, 960, (960, 720), 4),  # half turn: no swap
        # A quarter turn: the upright width is the stored height (3000), so the
        # request scales the stored sides by 960/3000, not 960/4000.
        ((4000, 3000), 6, 960, (1280, 960), 2),
        ((4000, 3000), 8, 960, (1280, 960), 2),
        ((4000, 3000), 5, 375, (500, 375), 8),
        ((3000, 4000), 6, 1000, (750, 1000), 4),
        ((1, 1), 1, 1, (1, 1), 1),
    ],
)
def test_draft_request_and_scale(
    stored: tuple[int, int],
    orientation: int,
    target: int,
    asked: tuple[int, int],
    scale: int,
) -> None:
    assert draft_request(stored, orientation, target) == asked
    assert draft_scale(stored, orientation, target) == scale


@given(
    stored=st.tuples(st.integers(1, 9000), st.integers(1, 9000)),
    orientation=st.integers(1, 8),
    share=st.floats(0.001, 1.0),
)
def test_draft_covers_the_target_and_is_the_smallest_that_does(
    stored: tuple[int, int], orientation: int, share: float
) -> None:
    upright_w = upright_size(stored, orientation)[0]
    target = max(1, int(upright_w * share))
    scale = draft_scale(stored, orientation, target)
    decoded = upright_size(drafted_size(stored, scale), orientation)
    assert decoded[0] >= target
    if scale < 8:  # the next smaller decode would not have covered the request
        rw, rh = draft_request(stored, orientation, target)
        assert stored[0] // rw < 2 * scale or stored[1] // rh < 2 * scale


# --------------------------------------------------------------------------- orientation


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_ends_upright(tmp_path: Path, orientation: int) -> None:
    src = oriented_jpeg(tmp_path / f"o{orientation}.jpg", orientation)
    result = convert_photo(src, tmp_path / "out", SMALL)

    assert (result.width, result.height) == (1200, 800)
    assert files_in(tmp_path / "out") == expected_files((150, 300, 600))
    for output in result.outputs:
        path = tmp_path / "out" / output.file
        with Image.open(path) as image:
            assert image.size == (output.width, output.height) == fit(1200, 800, output.width)
            w, h = image.size
        assert is_colour(rgb_at(path, (2, 2)), RED), (output.file, rgb_at(path, (2, 2)))
        # ...and only there: a mirror or a wrong turn would put it in another corner.
        for corner in ((w - 3, 2), (2, h - 3), (w - 3, h - 3)):
            assert is_colour(rgb_at(path, corner), BLUE), (output.file, corner)


def test_a_quarter_turned_jpeg_is_drafted_in_its_stored_orientation(tmp_path: Path) -> None:
    # Stored 4000x3000, orientation 6: upright 3000x4000. For 960 px a draft
    # computed on the upright size would decode at 1/4 (1000x750 stored, 750
    # upright: too narrow); the right request decodes at 1/2.
    exif = Image.Exif()
    exif[0x0112] = 6
    src = tmp_path / "turned.jpg"
    Image.new("RGB", (4000, 3000), (90, 120, 150)).save(src, exif=exif, quality=50)

    image, full = open_upright_srgb(src, (480, 960))

    assert full == (3000, 4000)
    assert image.size == (1500, 2000)


# --------------------------------------------------------------------------- draft


def test_draft_decodes_a_big_jpeg_at_the_smallest_scale_that_covers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "big.jpg"
    Image.new("RGB", (4000, 3000), (90, 120, 150)).save(src, quality=50)
    calls: list[tuple[str | None, tuple[int, int] | None, tuple[int, int]]] = []
    real_draft = JpegImageFile.draft

    def spy(self: JpegImageFile, mode: str | None, size: tuple[int, int] | None) -> object:
        result = real_draft(self, mode, size)
        calls.append((mode, size, self.size))
        return result

    monkeypatch.setattr(JpegImageFile, "draft", spy)
    result = convert_photo(src, tmp_path / "out", PhotoRecipe(widths=(480, 960)))

    assert calls == [("RGB", (960, 720), (1000, 750))]  # 1/4 scale, decoded once
    assert (result.width, result.height) == (4000, 3000)  # the original's size, not the draft's
    assert files_in(tmp_path / "out") == expected_files((480, 960))
    with Image.open(tmp_path / "out" / "960.webp") as image:
        assert image.size == (960, 720)


def test_open_upright_srgb_reports_the_drafted_image_and_the_full_size(tmp_path: Path) -> None:
    src = tmp_path / "big.jpg"
    Image.new("RGB", (4000, 3000), (90, 120, 150)).save(src, quality=50)
    image, full = open_upright_srgb(src, (480, 960))
    assert (image.size, full) == ((1000, 750), (4000, 3000))
    assert image.info == {}


# --------------------------------------------------------------------------- metadata


SECRET_MAKE = "SecretCamCo"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF'
    b' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="SecretTool"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def tagged_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = SECRET_MAKE  # Make
    exif[0x0110] = "Model 7"
    exif[0x0131] = "SecretFirmware 1.2"  # Software
    exif[0x0112] = 1
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 12.5)
    gps[3], gps[4] = "W", (0.0, 7.0, 39.0)
    private = exif.get_ifd(0x8769)
    private[0x927C] = b"SecretMakerNote\x00\x01\x02"  # MakerNote
    private[0x9286] = b"ASCII\x00\x00\x00SecretUserComment"  # UserComment
    return exif


def metadata_source(tmp_path: Path, kind: str) -> Path:
    image = Image.new("RGB", (400, 300), (180, 140, 100))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path = tmp_path / f"tagged.{kind}"
    if kind == "jpg":
        image.save(
            path, "JPEG", exif=tagged_exif(), xmp=XMP, comment=b"SecretComment", icc_profile=srgb
        )
    elif kind == "png":
        from PIL.PngImagePlugin import PngInfo

        text = PngInfo()
        text.add_text("Comment", "SecretComment")
        text.add_itxt("XML:com.adobe.xmp", XMP.decode())
        image.save(path, "PNG", exif=tagged_exif(), pnginfo=text, icc_profile=srgb)
    else:
        image.save(path, "WEBP", exif=tagged_exif(), xmp=XMP, icc_profile=srgb)
    with Image.open(path) as check:  # the fixture really carries it all
        assert check.getexif()[0x010F] == SECRET_MAKE
        assert "icc_profile" in check.info
    return path


@pytest.mark.parametrize("kind", ["jpg", "png", "webp"])
def test_no_output_carries_any_metadata(tmp_path: Path, kind: str) -> None:
    src = metadata_source(tmp_path, kind)
    assert SECRET_MAKE.encode() in src.read_bytes()
    result = convert_photo(src, tmp_path / "out", PhotoRecipe(widths=(100, 400)))

    for output in result.outputs:
        path = tmp_path / "out" / output.file
        data = path.read_bytes()
        with Image.open(path) as image:
            assert dict(image.getexif()) == {}, output.file
            for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment"):
                assert key not in image.info, (output.file, key)
        for secret in (b"Secret", b"http://ns.adobe.com/xap", b"Exif\x00\x00", b"ICC_PROFILE"):
            assert secret not in data, (output.file, secret)
        if output.format == "webp":
            assert set(riff_chunks(data)) <= {b"VP8 ", b"VP8L"}, riff_chunks(data)
        else:
            assert data[:2] == b"\xff\xd8"
    data = base64.b64decode(result.placeholder.split(",", 1)[1])
    assert set(riff_chunks(data)) <= {b"VP8 ", b"VP8L"}


# --------------------------------------------------------------------------- colour


def test_display_p3_is_converted_to_srgb(tmp_path: Path) -> None:
    # A P3 green well inside sRGB's gamut once converted, so the shift is
    # measurable rather than clipped: P3 (120, 200, 120) is sRGB ~(89, 203, 110)
    # by the P3->sRGB matrix. Read as untagged sRGB it would look greyer.
    profile = ImageCms.ImageCmsProfile(io.BytesIO(DISPLAY_P3))
    assert ImageCms.getProfileDescription(profile).strip() == "Display P3 (test)"
    src = tmp_path / "p3.jpg"
    p3_green = (120, 200, 120)
    Image.new("RGB", (200, 150), p3_green).save(src, quality=95, icc_profile=DISPLAY_P3)

    result = convert_photo(src, tmp_path / "out", PhotoRecipe(widths=(100, 200)))

    for output in result.outputs:
        r, g, b = rgb_at(tmp_path / "out" / output.file, (50, 30))
        assert r < p3_green[0] - 20, (output.file, (r, g, b))  # red falls most
        assert b < p3_green[2] - 3, (output.file, (r, g, b))
        assert g >= p3_green[1] - 2, (output.file, (r, g, b))  # green holds or rises
        assert is_colour((r, g, b), (89, 203, 110), tolerance=6), (output.file, (r, g, b))


@pytest.mark.parametrize("tag", ["untagged", "srgb"])
def test_srgb_and_untagged_keep_their_colours(tmp_path: Path, tag: str) -> None:
    src = tmp_path / f"{tag}.png"
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", (200, 150), (120, 200, 120)).save(
        src, icc_profile=srgb if tag == "srgb" else None
    )
    convert_photo(src, tmp_path / "out", PhotoRecipe(widths=(100,)))
    assert is_colour(rgb_at(tmp_path / "out" / "100.webp", (50, 30)), (120, 200, 120), 4)
    assert is_colour(rgb_at(tmp_path / "out" / "100.jpg", (50, 30)), (120, 200, 120), 4)


# --------------------------------------------------------------------------- refusals


def test_a_truncated_jpeg_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = io.BytesIO()
    Image.effect_noise((300, 200), 60).convert("RGB").save(whole, "JPEG", quality=90)
    src = tmp_path / "cut.jpg"
    src.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    # Even if something in the process asked Pillow to paper over truncation.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    with pytest.raises(MediaError, match=r"cut short \(truncated\)"):
        convert_photo(src, tmp_path / "out", PhotoRecipe(widths=(100,)))
    assert not (tmp_path / "out").exists()


def test_a_truncated_png_is_refused(tmp_path: Path) -> None:
    whole = io.BytesIO()
    Image.effect_noise((300, 200), 60).convert("RGB").save(whole, "PNG")
    src = tmp_path / "cut.png"
    src.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    with pytest.raises(MediaError, match="truncated"):
        convert_photo(src, tmp_path / "out", PhotoRecipe(widths=(100,)))


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "empty.jpg"
    src.write_bytes(b"")
    with pytest.raises(MediaError, match="the file is empty"):
        convert_photo(src, tmp_path / "out", PhotoRecipe())


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="does not exist"):
        convert_photo(tmp_path / "gone.jpg", tmp_path / "out", PhotoRecipe())


def test_text_named_jpg_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "notes.jpg"
    src.write_text("Interview notes, not a photo.\n")
    with pytest.raises(MediaError, match="not an image we can read"):
        convert_photo(src, tmp_path / "out", PhotoRecipe())


def test_a_jpeg_with_a_damaged_body_is_refused(tmp_path: Path) -> None:
    whole = io.BytesIO()
    Image.effect_noise((64, 64), 60).convert("RGB").save(whole, "JPEG")
    data = whole.getvalue()
    scan = data.index(b"\xff\xda")  # start of scan: claim 9 components instead of 3
    src = tmp_path / "damaged.jpg"
    src.write_bytes(data[: scan + 4] + b"\x09" + data[scan + 5 :])
    with pytest.raises(MediaError, match="the image data is damaged"):
        convert_photo(src, tmp_path / "out", PhotoRecipe(widths=(32,)))


def test_an_unsupported_format_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "icon.jpg"
    Image.new("RGB", (16, 16), RED).save(src, "ICO")  # Pillow reads ICO; we do not
    with pytest.raises(MediaError, match="not an image we can read"):
        convert_photo(src, tmp_path / "out", PhotoRecipe())


@pytest.mark.parametrize(
    ("size", "megapixels"),
    [
        ((50_000, 50_000), "2,500"),  # past Pillow's own error threshold
        ((12_000, 12_000), "144"),  # Pillow would only warn: still refused
    ],
)
def test_a_decompression_bomb_is_refused_before_decoding(
    tmp_path: Path, size: tuple[int, int], megapixels: str
) -> None:
    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS
    src = bomb_png(tmp_path / "bomb.png", *size)
    assert src.stat().st_size < 100
    with pytest.raises(MediaError, match=rf"too many pixels \({megapixels} MP"):
        convert_photo(src, tmp_path / "out", PhotoRecipe())


def test_heic_without_pillow_heif_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "phone.heic"
    src.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64))
    monkeypatch.setattr(images, "_register_heif", lambda: False)
    monkeypatch.setattr(images, "_open_formats", lambda: ("JPEG", "PNG"))
    with pytest.raises(MediaError, match="pillow-heif is not installed"):
        convert_photo(src, tmp_path / "out", PhotoRecipe())


# --------------------------------------------------------------------------- shapes and modes


def test_a_one_pixel_image(tmp_path: Path) -> None:
    src = tmp_path / "dot.png"
    Image.new("RGB", (1, 1), RED).save(src)
    result = convert_photo(src, tmp_path / "out", PhotoRecipe())

    assert planned_widths(1, PhotoRecipe().widths) == (1,)
    assert (result.width, result.height) == (1, 1)
    assert [(o.width, o.height, o.format, o.file) for o in result.outputs] == [
        (1, 1, "webp", "1.webp"),
        (1, 1, "jpeg", "1.jpg"),
    ]
    assert files_in(tmp_path / "out") == ["1.jpg", "1.webp"]
    assert is_colour(rgb_at(tmp_path / "out" / "1.webp", (0, 0)), RED)


def test_a_tall_portrait(tmp_path: Path) -> None:
    src = tmp_path / "tall.jpg"
    marked((300, 1200)).save(src, quality=90)
    result = convert_photo(src, tmp_path / "out", PhotoRecipe(widths=(100, 200, 480)))

    assert (result.width, result.height) == (300, 1200)
    assert [(o.width, o.height) for o in result.outputs[::2]] == [
        (100, 400),
        (200, 800),
        (300, 1200),
    ]
    for output in result.outputs:
        with Image.open(tmp_path / "out" / output.file) as image:
            assert image.size == (output.width, output.height)
        assert is_colour(rgb_at(tmp_path / "out" / output.file, (2, 2)), RED)


def test_a_narrow_source_gets_one_rendition_at_its_own_width(tmp_path: Path) -> None:
    src = tmp_path / "narrow.jpg"
    marked((300, 200)).save(src, quality=90)
    result = convert_photo(src, tmp_path / "out", PhotoRecipe())
    assert {(o.width, o.height) for o in result.outputs} == {(300, 200)}
    assert files_in(tmp_path / "out") == ["300.jpg", "300.webp"]


def half_transparent(mode: str) -> Image.Image:
    """Left half opaque red (or black for grey modes), right half fully transparent."""
    image = Image.new("RGBA", (80, 40), (0, 255, 0, 0))
    image.paste((255, 0, 0, 255), (0, 0, 40, 40))
    if mode == "LA":
        return image.convert("LA")
    if mode == "P":
        return image.convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    return image


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparency_is_flattened_on_white(tmp_path: Path, mode: str) -> None:
    image = half_transparent(mode)
    src = tmp_path / f"alpha-{mode}.png"
    if mode == "P":
        # Make the palette entry under the transparent half the transparent one.
        image.save(src, transparency=image.getpixel((70, 20)))
    else:
        image.save(src)
    with Image.open(src) as check:
        assert check.mode == mode and check.has_transparency_data

    convert_photo(src, tmp_path / "out", PhotoRecipe(widths=(80,)))

    left = (76, 76, 76) if mode == "LA" else RED  # red in grey is L=76
    for name in ("80.webp", "80.jpg"):
        with Image.open(tmp_path / "out" / name) as out:
            assert out.mode == "RGB", name  # no alpha in either format
        assert is_colour(rgb_at(tmp_path / "out" / name, (70, 20)), (255, 255, 255), 8), name
        assert is_colour(rgb_at(tmp_path / "out" / name, (10, 20)), left, 30), name


def test_an_opaque_rgba_png_is_not_flattened_but_kept(tmp_path: Path) -> None:
    src = tmp_path / "opaque.png"
    Image.new("RGBA", (40, 40), (10, 20, 200, 255)).save(src)
    convert_photo(src, tmp_path / "out", PhotoRecipe(widths=(40,)))
    assert is_colour(rgb_at(tmp_path / "out" / "40.webp", (20, 20)), (10, 20, 200), 10)


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path) -> None:
    src = tmp_path / "print.jpg"
    Image.new("RGB", (64, 48), RED).convert("CMYK").save(src, quality=95)
    with Image.open(src) as check:
        assert check.mode == "CMYK"
    convert_photo(src, tmp_path / "out", PhotoRecipe(widths=(64,)))
    for name in ("64.webp", "64.jpg"):
        assert is_colour(rgb_at(tmp_path / "out" / name, (30, 20)), RED), name


def test_16_bit_grey_is_scaled_not_clipped(tmp_path: Path) -> None:
    src = tmp_path / "grey16.png"
    grey = Image.new("I;16", (64, 48), 0)
    grey.paste(Image.new("I;16", (32, 48), 32768), (0, 0))  # left half mid-grey, 16 bits
    grey.save(src)
    with Image.open(src) as check:
        assert check.mode == "I;16"
    convert_photo(src, tmp_path / "out", PhotoRecipe(widths=(64,)))
    for name in ("64.webp", "64.jpg"):
        assert is_colour(rgb_at(tmp_path / "out" / name, (10, 24)), (128, 128, 128), 6), name
        assert is_colour(rgb_at(tmp_path / "out" / name, (54, 24)), (0, 0, 0), 6), name


def test_a_gif_gives_its_first_frame(tmp_path: Path) -> None:
    src = tmp_path / "anim.gif"
    first, second = Image.new("RGB", (60, 40), RED), Image.new("RGB", (60, 40), BLUE)
    first.save(src, save_all=True, append_images=[second], duration=100, loop=0)
    result = convert_photo(src, tmp_path / "out", PhotoRecipe(widths=(60,)))
    assert (result.width, result.height) == (60, 40)
    for name in ("60.webp", "60.jpg"):
        assert is_colour(rgb_at(tmp_path / "out" / name, (30, 20)), RED), name


@pytest.mark.parametrize(
    ("fmt", "suffix", "params"),
    [
        ("PNG", "png", {}),
        ("WEBP", "webp", {"quality": 95}),
        ("TIFF", "tif", {}),
        ("BMP", "bmp", {}),
        ("JPEG", "jpeg", {"quality": 95}),
    ],
)
def test_each_accepted_format(
    tmp_path: Path, fmt: str, suffix: str, params: dict[str, int]
) -> None:
    src = tmp_path / f"photo.{suffix}"
    marked((160, 120)).save(src, fmt, **params)
    result = convert_photo(src, tmp_path / "out", PhotoRecipe(widths=(80, 160)))
    assert (result.width, result.height) == (160, 120)
    assert files_in(tmp_path / "out") == expected_files((80, 160))
    assert is_colour(rgb_at(tmp_path / "out" / "80.webp", (2, 2)), RED)
    assert is_colour(rgb_at(tmp_path / "out" / "80.jpg", (70, 50)), BLUE)


@pytest.mark.parametrize(("fmt", "suffix"), [("PNG", "png"), ("WEBP", "webp"), ("TIFF", "tif")])
def test_orientation_is_honoured_beyond_jpeg(tmp_path: Path, fmt: str, suffix: str) -> None:
    src = tmp_path / f"turned.{suffix}"
    exif = Image.Exif()
    exif[0x0112] = 8
    stored_for(marked((160, 120)), 8).save(src, fmt, exif=exif)
    result = convert_photo(src, tmp_path / "out", PhotoRecipe(widths=(80, 160)))
    assert (result.width, result.height) == (160, 120)
    for name in ("80.webp", "80.jpg", "160.webp"):
        assert is_colour(rgb_at(tmp_path / "out" / name, (2, 2)), RED), name


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow was built without AVIF")
def test_avif_is_accepted(tmp_path: Path) -> None:
    src = tmp_path / "photo.avif"
    marked((160, 120)).save(src, "AVIF", quality=90)
    convert_photo(src, tmp_path / "out", PhotoRecipe(widths=(80,)))
    assert is_colour(rgb_at(tmp_path / "out" / "80.webp", (2, 2)), RED)


def test_the_module_works_without_pillow_heif(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pillow_heif", None)  # makes the import fail
    assert images._register_heif.__wrapped__() is False


def test_a_multi_picture_jpeg_from_a_phone(tmp_path: Path) -> None:
    # Phones write MPO (a JPEG with a second picture); Pillow opens it as "MPO".
    src = tmp_path / "mpo.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    stored_for(marked((1200, 800)), 6).save(
        src, "MPO", save_all=True, append_images=[Image.new("RGB", (80, 60))], exif=exif
    )
    with Image.open(src) as check:
        assert check.format == "MPO"
    result = convert_photo(src, tmp_path / "out", SMALL)
    assert (result.width, result.height) == (1200, 800)
    assert is_colour(rgb_at(tmp_path / "out" / "150.webp", (2, 2)), RED)


def heif_encoder() -> str:
    try:
        import pillow_heif
    except ImportError:
        return ""
    return str(pillow_heif.libheif_info().get("HEIF") or "")


@pytest.mark.skipif(
    not heif_encoder(), reason="pillow-heif or its HEVC encoder (libheif built with x265) missing"
)
@pytest.mark.parametrize("orientation", [1, 6, 7])
def test_heic_from_a_phone(tmp_path: Path, orientation: int) -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    src = tmp_path / "phone.heic"
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = SECRET_MAKE
    stored_for(marked((240, 160)), orientation).save(
        src, "HEIF", quality=90, exif=exif.tobytes(), icc_profile=DISPLAY_P3
    )
    result = convert_photo(src, tmp_path / "out", PhotoRecipe(widths=(120, 240)))

    assert (result.width, result.height) == (240, 160)
    for output in result.outputs:
        path = tmp_path / "out" / output.file
        assert is_colour(rgb_at(path, (2, 2)), RED), (output.file, rgb_at(path, (2, 2)))
        assert is_colour(rgb_at(path, (output.width - 3, 2)), BLUE), output.file
        assert SECRET_MAKE.encode() not in path.read_bytes()


# ------------------------------------------------------------------- only, files, placeholder


def test_only_writes_the_asked_files_and_the_same_bytes_as_a_full_run(tmp_path: Path) -> None:
    src = oriented_jpeg(tmp_path / "p.jpg", 6)
    full = convert_photo(src, tmp_path / "full", SMALL)
    part = convert_photo(src, tmp_path / "part", SMALL, only={(300, "webp"), (150, "jpeg")})

    assert part == full  # sizes, every planned output, placeholder
    assert files_in(tmp_path / "part") == ["150.jpg", "300.webp"]
    for name in ("150.jpg", "300.webp"):
        assert (tmp_path / "part" / name).read_bytes() == (tmp_path / "full" / name).read_bytes()


def test_only_ignores_widths_not_planned_and_refuses_unknown_formats(tmp_path: Path) -> None:
    src = tmp_path / "p.png"
    marked((200, 100)).save(src)
    result = convert_photo(
        src, tmp_path / "out", PhotoRecipe(widths=(100, 400)), only={(400, "webp")}
    )
    assert [o.width for o in result.outputs] == [100, 100, 200, 200]
    assert not (tmp_path / "out").exists()  # nothing planned was asked for
    with pytest.raises(ValueError, match="unknown output format"):
        convert_photo(src, tmp_path / "out", PhotoRecipe(), only={(100, "png")})


def test_no_temporary_file_is_left_and_outputs_replace_old_ones(tmp_path: Path) -> None:
    src = tmp_path / "p.png"
    marked((200, 100)).save(src)
    out = tmp_path / "out"
    out.mkdir()
    (out / "100.webp").write_bytes(b"stale")
    convert_photo(src, out, PhotoRecipe(widths=(100,)))
    assert files_in(out) == ["100.jpg", "100.webp"]
    with Image.open(out / "100.webp") as image:
        assert image.size == (100, 50)


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()

    class Broken:
        def save(self, *args: object, **kwargs: object) -> None:
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        images._save(Broken(), out / "1.webp", "WEBP", {})  # type: ignore[arg-type]
    assert files_in(out) == []


def test_the_placeholder_is_a_tiny_blurred_webp(tmp_path: Path) -> None:
    src = oriented_jpeg(tmp_path / "p.jpg", 1)
    result = convert_photo(src, tmp_path / "out", SMALL)

    prefix, payload = result.placeholder.split(",", 1)
    assert prefix == "data:image/webp;base64"
    assert len(result.placeholder) < 400
    with Image.open(io.BytesIO(base64.b64decode(payload))) as tiny:
        assert tiny.size == (16, 11)  # 16 wide, the photo's aspect
        assert tiny.format == "WEBP"
        corner = tiny.convert("RGB").getpixel((0, 0))
        assert isinstance(corner, tuple)
        assert corner[0] > corner[2]  # the red corner is still there, softly


def test_results_survive_a_trip_to_a_worker_process(tmp_path: Path) -> None:
    import pickle

    src = tmp_path / "p.png"
    marked((200, 100)).save(src)
    result = convert_photo(src, tmp_path / "out", PhotoRecipe(widths=(100,)))
    assert pickle.loads(pickle.dumps(result)) == result
    error = MediaError("the file is empty")
    assert str(pickle.loads(pickle.dumps(error))) == "the file is empty"
