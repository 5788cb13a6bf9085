"""The audit's parts on their own: URLs, the theme exemption, picture metadata, recording
tags, and what an audience must not see."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import material
import pytest
from conftest import MARKER, TODAY, jpeg_with_gps, write
from PIL import Image

from immersion.audience import for_audience
from immersion.audit import audio, images
from immersion.audit.leaks import Matcher, Text, excluded, sentences
from immersion.audit.markup import parse_html
from immersion.audit.sniff import sniff
from immersion.audit.urls import Checker, classify, css_urls, srcset_urls
from immersion.cli import main
from immersion.commands import build
from immersion.load import load
from immersion.project import Project

# -- URLs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "verdict"),
    [
        ("../assets/x.css", ""),
        ("/assets/x.css", ""),
        ("#top", ""),
        ("data:image/webp;base64,AAAA", ""),
        ("https://example.com/x.js", "host"),
        ("//example.com/x.js", "host"),
        ("\\\\example.com/x.js", "host"),
        ("/\\example.com/x.js", "host"),
        (" HTTPS://example.com", "host"),
        ("wss://example.com/socket", "host"),
        ("javascript:alert(1)", "script"),
        ("java\nscript:alert(1)", "script"),
        ("\x01javascript:alert(1)", "script"),
        ("vbscript:x", "script"),
        ("data:text/html,<script>alert(1)</script>", "script"),
        ("mailto:team@example.com", "scheme"),
        ("file:///etc/passwd", "scheme"),
    ],
)
def test_classify(url: str, verdict: str) -> None:
    assert classify(url) == verdict


def test_srcset_and_css_urls() -> None:
    assert srcset_urls("a-480.webp 480w, a-960.webp 960w,https://x.test/b.webp 2x") == [
        "a-480.webp",
        "a-960.webp",
        "https://x.test/b.webp",
    ]
    css = (
        "/* url(https://comment.test/) */ @import 'https://a.test/x.css';"
        ' .x{background:url( "../i.png" )} @font-face{src:url(https://fonts.gstatic.com/f)}'
        " .y{background:u\\72l(https://escaped.test/)}"
    )
    assert css_urls(css) == [
        "../i.png",
        "https://fonts.gstatic.com/f",
        "https://escaped.test/",
        "https://a.test/x.css",
    ]


def findings(html: str, audience: str = "kiosk") -> list[tuple[str, str]]:
    return [(f.kind, f.detail) for f in Checker(audience).page(parse_html(html))]


def test_what_a_page_loads_and_links() -> None:
    html = (
        '<link rel="stylesheet" href="https://cdn.test/a.css">'
        '<link rel="canonical" href="https://intranet.test/page/">'
        '<img srcset="a.webp 1x, //img.test/b.webp 2x" alt="">'
        '<video poster="https://img.test/p.jpg"></video>'
        '<svg><image href="https://img.test/s.png"/></svg>'
        '<form action="https://forms.test/"></form>'
        '<div data-peaks="https://peaks.test/p.json" style="background:url(https://bg.test/b)"></div>'
        '<meta http-equiv="refresh" content="5; url=https://away.test/">'
        "<script>fetch('https://api.test/x')</script>"
        '<script type="application/json">{"worker": "https://w.test/w.js", "t": "see https://x"}</script>'
        "<p>Text that mentions https://plain.test/ is only text.</p>"
    )
    assert findings(html) == [
        ("external-url", "<link href> loads https://cdn.test/a.css from another host"),
        ("external-link", "<link href> links to https://intranet.test/page/ (out of the kiosk)"),
        ("external-url", "<img srcset> loads //img.test/b.webp from another host"),
        ("external-url", "<video poster> loads https://img.test/p.jpg from another host"),
        ("external-url", "<image href> loads https://img.test/s.png from another host"),
        ("external-url", "<form action> loads https://forms.test/ from another host"),
        ("external-url", "<div data-peaks> loads https://peaks.test/p.json from another host"),
        ("external-url", "<div style> url() loads https://bg.test/b from another host"),
        (
            "external-link",
            "<meta http-equiv=refresh> links to https://away.test/ (out of the kiosk)",
        ),
        ("external-url", "inline <script> loads https://api.test/x from another host"),
        (
            "external-url",
            "<script type=application/json> loads https://w.test/w.js from another host",
        ),
    ]


def test_links_out_of_the_intranet_are_notices() -> None:
    found = list(Checker("intranet").page(parse_html('<a href="https://x.test/">x</a>')))
    assert [(f.kind, f.blocking) for f in found] == [("external-link", False)]
    assert findings('<a href="mailto:a@b.test">mail</a>', "intranet") == []
    assert findings('<a href="mailto:a@b.test">mail</a>', "kiosk") == [
        ("external-link", "<a href> links to mailto:a@b.test (out of the kiosk)")
    ]


def test_script_in_an_attribute() -> None:
    assert findings('<body onload="go()"><svg><a xlink:href="javascript:x()">x</a></svg>') == [
        ("inline-handler", "<body onload> is an inline event handler"),
        ("javascript-url", "<a xlink:href> is a javascript: URL"),
    ]
    assert findings('<iframe srcdoc="<img src=x onerror=alert(1)>"></iframe>') == [
        ("inline-handler", "<img onerror> is an inline event handler")
    ]
    # Inside a script, tag-like text is not a tag.
    assert findings("<script>var s = '<img onerror=x>';</script>") == []


def _material_share_button() -> str:
    """The search share button as mkdocs-material's template writes it, rendered."""
    template = Path(material.__file__).parent / "templates" / "partials" / "search.html"
    match = re.search(r"<a href=\"javascript:void\(0\)\"[^>]*>", template.read_text())
    assert match, "mkdocs-material's search.html no longer has the share button"
    return re.sub(r"\{\{.*?\}\}", "Share", match.group(0))


def test_the_theme_exemption_is_exactly_materials_share_button() -> None:
    button = _material_share_button()
    assert findings(button, "intranet") == []
    # The same URL anywhere else is reported.
    assert findings(button.replace('data-md-component="search-share"', ""), "intranet") == [
        ("javascript-url", "<a href> is a javascript: URL")
    ]
    assert findings('<a href="javascript:void(0)">x</a>', "intranet") == [
        ("javascript-url", "<a href> is a javascript: URL")
    ]


def test_a_site_with_the_share_feature_passes(
    room: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(room / "mkdocs.yml", "site_name: Test\ntheme:\n  features: [search.share]\n")
    out = io.StringIO()
    assert build.run(room, ("intranet",), today=TODAY, out=out) == 0, out.getvalue()
    assert 'href="javascript:void(0)"' in (room / "build/intranet/index.html").read_text()
    assert main(["-C", str(room), "audit", "--date", TODAY.isoformat()]) == 0
    assert capsys.readouterr().out.endswith(": clean\n")


# -- pictures ----------------------------------------------------------------------------


def saved(fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 20, 30)).save(out, fmt, **options)
    return out.getvalue()


def test_picture_metadata(tmp_path: Path) -> None:
    exif = Image.open(jpeg_with_gps(tmp_path / "g.jpg")).getexif()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"/>'
    cases = {
        "JPEG": (saved("JPEG", exif=exif, comment=b"Leah's kitchen"), ["EXIF", "GPS", "comment"]),
        "PNG": (saved("PNG", exif=exif), ["EXIF", "GPS"]),
        "WebP": (saved("WEBP", exif=exif, xmp=xmp), ["EXIF", "GPS", "XMP"]),
        "GIF": (saved("GIF", comment=b"made at home"), ["comment"]),
        "TIFF": (saved("TIFF", exif=exif), ["EXIF", "GPS"]),
    }
    for fmt, (data, expected) in cases.items():
        assert sniff(data[:64]) == ("image", fmt)
        assert images.metadata(data, fmt) == expected, fmt
    for fmt in ("JPEG", "PNG", "WEBP", "GIF"):
        data = saved(fmt)
        assert images.metadata(data, sniff(data[:64])[1]) == [], fmt


def test_a_photo_rendition_has_none(demo_site: Path) -> None:
    for path in (demo_site / "media").rglob("*"):
        if path.is_file():
            category, fmt = sniff(path.read_bytes()[:64], path.name)
            if category == "image":
                assert images.metadata(path.read_bytes(), fmt) == [], path


# -- recordings ----------------------------------------------------------------------------

DUMP = """\
Input #0, ogg, from 'file:/a.opus':
  Duration: 00:00:01.01, start: 0.000000, bitrate: 76 kb/s
  Stream #0:0: Audio: opus, 48000 Hz, mono, fltp
    Metadata:
      encoder         : Lavc libopus
      TITLE           : x
Input #1, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/b.m4a':
  Metadata:
    major_brand     : M4A
    compatible_brands: M4A isomiso2
    comment         : line one
                    : line two
  Duration: 00:00:01.00, start: 0.000000, bitrate: 80 kb/s
  Stream #1:0[0x1](und): Audio: aac (LC), 44100 Hz, mono, fltp, 70 kb/s (default)
    Metadata:
      handler_name    : SoundHandler
  Stream #1:1: Video: mjpeg, yuvj420p, 16x16 (attached pic)
Input #2, mp3, from 'file:/c.mp3':
  Duration: 00:00:01.00, start: 0.025057, bitrate: 68 kb/s
[in#3 @ 0x55] Error opening input: Invalid data found when processing input
"""


def test_ffmpegs_description_of_its_inputs() -> None:
    assert audio._parse(DUMP) == {0: {"TITLE"}, 1: {"comment", "attached picture"}, 2: set()}


def test_tags_of_real_files_and_a_broken_one(tmp_path: Path, ffmpeg: str, tone: Path) -> None:
    tagged = tmp_path / "tagged.m4a"
    args = [ffmpeg, "-v", "error", "-i", str(tone), "-c", "copy", "-metadata", "artist=Leah"]
    subprocess.run([*args, "-metadata", "location=+51.5-000.1/", str(tagged)], check=True)
    broken = tmp_path / "broken.ogg"
    broken.write_bytes(b"OggS" + bytes(60))
    found = audio.tags([tagged, broken, tone])
    assert found[tagged] >= {"artist", "location"}  # ffmpeg also shows location-eng
    assert found[broken] is None
    assert found[tone] == set()  # ffmpeg's own M4A: only technical tags


# -- what an audience must not see -------------------------------------------------------------


def test_needles_are_sentences_long_enough_to_mean_something() -> None:
    body = "Short one.\n\nWe sold up and moved to the coast. Yes!\n- A call back, not a queue\n"
    assert list(sentences(body)) == [
        "we sold up and moved to the coast",
        "a call back not a queue",
    ]
    matcher = Matcher(["we sold up and moved to the coast"])
    assert matcher.find(Text("<p>We <em>sold</em> up and moved to the coast.</p>")) == []
    assert matcher.find(Text("We sold up\nand moved to the coast!")) == [
        "we sold up and moved to the coast"
    ]
    assert matcher.find(Text("we sold up\x00and moved to the coast")) == []


def test_what_the_room_hides_from_each_audience(room: Path) -> None:
    library, _ = load(Project(room), TODAY)
    kiosk = excluded(library, for_audience(library, "kiosk", TODAY), Project(room), "kiosk")
    intranet = excluded(
        library, for_audience(library, "intranet", TODAY), Project(room), "intranet"
    )
    # "old" has expired everywhere; the letter's consent is for the intranet only.
    assert kiosk.stories == {"old", "letter"}
    assert intranet.stories == {"old"}
    texts = {needle for needle in intranet.needles if MARKER.lower().replace("-", " ") in needle}
    assert texts  # its title, body and transcript line
    # The same line said in a story the audience keeps is not a needle.
    assert "how did the move go" not in " ".join(intranet.needles)
    assert sorted(o.path for o in intranet.sources.values()) == [
        "content/stories/old/old.m4a",
        "content/stories/old/old.vtt",
    ]


def test_a_story_that_cannot_be_loaded_is_excluded(room: Path) -> None:
    write(
        room / "content/stories/broken/index.md",
        """
        ---
        kind: interview
        title: "A broken story about the lighthouse keeper
        participant: {pseudonym: Tom, consent: c-001}
        ---
        The lighthouse keeper never got his refund back.
        """,
    )
    library, _ = load(Project(room), TODAY)
    assert "broken" not in library.stories
    found = excluded(library, for_audience(library, "intranet", TODAY), Project(room), "intranet")
    assert "broken" in found.stories
    assert found.needles["the lighthouse keeper never got his refund back"].path == (
        "content/stories/broken/index.md"
    )
