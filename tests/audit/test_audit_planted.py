"""`immersion audit` on the demo room's built sites: clean as built, and each planted
leak found, named by file, with its fix, and exit 1."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import TODAY, jpeg_with_gps
from PIL import Image, ImageCms

from immersion.audit.findings import Finding
from immersion.cli import main

DATE = ["--date", TODAY.isoformat()]
# A line of the expired interview p12 (content/stories/p12/interview.vtt, cue at line 20).
EXPIRED_LINE = (
    "The price online went up forty pounds between the quote and the checkout, "
    "and nobody could tell me why."
)
EXPIRED_CUE = "content/stories/p12/interview.vtt:20"


def audit(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["-C", str(project), "audit", *DATE, *args])
    return code, capsys.readouterr().out


def line(audience: str, path: str, kind: str, detail: str, blocking: bool = True) -> str:
    """The exact report line of a finding."""
    return Finding(audience, path, kind, detail, blocking).problem(f"build/{audience}").format()


@pytest.fixture
def project(demo_site: Path, tmp_path: Path) -> Path:
    """A copy of the built demo room: content, config, media cache, both sites."""
    demo = demo_site.parent.parent
    room = tmp_path / "room"
    shutil.copytree(demo / "content", room / "content")
    shutil.copy(demo / "mkdocs.yml", room / "mkdocs.yml")
    (room / "build").mkdir()
    (room / "build" / ".cache").symlink_to(demo / "build" / ".cache")
    for audience in ("intranet", "kiosk"):
        shutil.copytree((demo / "build" / audience).resolve(), room / "build" / audience)
    return room


def add_to_page(page: Path, html: str) -> None:
    text = page.read_text(encoding="utf-8")
    assert "</body>" in text
    page.write_text(text.replace("</body>", html + "</body>"), encoding="utf-8")


def test_the_built_demo_room_passes(demo_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = audit(demo_site.parent.parent, capsys)
    lines = out.splitlines()
    assert code == 0, out
    assert len(lines) == 2
    assert lines[0].startswith("audit: build/intranet: ")
    assert lines[0].endswith(": clean")
    assert lines[1].startswith("audit: build/kiosk: ")
    assert lines[1].endswith(": clean")


def test_the_copy_passes_before_planting(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert audit(project, capsys)[0] == 0


def test_a_jpeg_with_gps(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jpeg_with_gps(project / "build/intranet/media/planted.jpg")
    code, out = audit(project, capsys)
    assert code == 1
    assert out.splitlines()[0] == (
        "build/intranet/media/planted.jpg: error [image-metadata]: JPEG image carries EXIF, GPS "
        "(renditions carry no metadata: rebuild; a picture copied from themes/intranet/ must be "
        "saved again without metadata (e.g. `exiftool -all= FILE`))"
    )
    assert out.splitlines()[1] == "1 error(s), 0 warning(s)"
    assert "audit: build/intranet: " in out and ": 1 finding" in out


def test_a_png_with_an_icc_profile_that_is_not_srgb(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    Image.new("RGB", (8, 8)).save(project / "build/kiosk/media/lab.png", icc_profile=profile)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", (8, 8)).save(project / "build/kiosk/media/srgb.png", icc_profile=srgb)
    code, out = audit(project, capsys)
    assert code == 1
    expected = line(
        "kiosk",
        "media/lab.png",
        "image-metadata",
        "PNG image carries ICC profile 'Lab identity built-in'",
    )
    assert expected in out.splitlines()
    assert "srgb.png" not in out  # an sRGB profile is what every rendition is


def test_an_xmp_packet_in_a_picture_named_otherwise(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A WebP named .css: pictures are known by their bytes, not their names.
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    Image.new("RGB", (8, 8)).save(project / "build/intranet/media/x.css", "WEBP", xmp=xmp)
    code, out = audit(project, capsys)
    assert code == 1
    assert line("intranet", "media/x.css", "image-metadata", "WebP image carries XMP") in out


def test_a_recording_with_tags(
    project: Path, capsys: pytest.CaptureFixture[str], ffmpeg: str
) -> None:
    target = project / "build/kiosk/media/tagged.opus"
    tags = ["title=Leah at home", "artist=Leah", "comment=51.5N 0.1W"]
    args = [ffmpeg, "-v", "error", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "libopus"]
    for tag in tags:
        args += ["-metadata", tag]
    subprocess.run([*args, str(target)], check=True)
    code, out = audit(project, capsys)
    assert code == 1
    assert (
        line(
            "kiosk",
            "media/tagged.opus",
            "audio-tags",
            "Ogg recording carries tags: artist, comment, title",
        )
        in out.splitlines()
    )
    assert "Leah at home" not in out  # tag values are what must not leak: never printed


def test_a_copy_of_an_original(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(project / "content/stories/p07/interview.vtt", project / "build/intranet/notes.txt")
    code, out = audit(project, capsys)
    assert code == 1
    assert (
        line(
            "intranet",
            "notes.txt",
            "original",
            "a copy of the original content/stories/p07/interview.vtt",
        )
        in out.splitlines()
    )


def test_an_expired_transcript_line_in_a_page(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_to_page(project / "build/intranet/index.html", f"<p>&ldquo;{EXPIRED_LINE}&rdquo;</p>")
    code, out = audit(project, capsys)
    assert code == 1
    assert out.splitlines()[0] == line(
        "intranet",
        "index.html",
        "excluded-text",
        f"text from {EXPIRED_CUE}, left out of the intranet by consent",
    )


def test_an_expired_story_in_the_search_index(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = project / "build/intranet/search/search_index.json"
    data = json.loads(index.read_text(encoding="utf-8"))
    data["docs"].append(
        {"location": "stories/p12/", "title": "Tom", "text": f"<p>{EXPIRED_LINE}</p>"}
    )
    index.write_text(json.dumps(data), encoding="utf-8")
    code, out = audit(project, capsys)
    assert code == 1
    assert out.splitlines()[:2] == [
        line(
            "intranet",
            "search/search_index.json",
            "excluded-page",
            "a search entry for story 'p12' (stories/p12/), left out of the intranet by consent",
        ),
        line(
            "intranet",
            "search/search_index.json",
            "excluded-text",
            f"text from {EXPIRED_CUE}, left out of the intranet by consent",
        ),
    ]


def test_the_rendition_of_an_excluded_photo(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # email-p16 is for the intranet only: its photo's renditions must not reach the kiosk,
    # whatever they are called.
    rendition = project / "build/intranet/media/stories/email-p16/bill-480.webp"
    shutil.copy(rendition, project / "build/kiosk/media/poster.webp")
    code, out = audit(project, capsys)
    assert code == 1
    assert out.splitlines()[0] == line(
        "kiosk",
        "media/poster.webp",
        "excluded-media",
        "a rendition of content/stories/email-p16/bill.jpg, left out of the kiosk by consent",
    )


def test_an_external_script(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_to_page(
        project / "build/intranet/personas/index.html",
        '<script src="https://cdn.example.com/x.js"></script>',
    )
    code, out = audit(project, capsys)
    assert code == 1
    assert out.splitlines()[0] == (
        "build/intranet/personas/index.html: error [external-url]: <script src> loads "
        "https://cdn.example.com/x.js from another host (nothing may load from another host: "
        "copy the file into themes/intranet/ and refer to it by a relative path)"
    )


def test_a_web_font_in_a_stylesheet(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    css = project / "build/kiosk/assets/immersion/stylesheets/kiosk.css"
    css.write_text(
        css.read_text(encoding="utf-8")
        + "\n/* url(https://in-a-comment.example/) is not loaded */"
        + "\n@font-face{font-family:F;src:url('https://fonts.gstatic.com/f.woff2')}\n",
        encoding="utf-8",
    )
    code, out = audit(project, capsys)
    assert code == 1
    assert out.splitlines()[:2] == [
        line(
            "kiosk",
            "assets/immersion/stylesheets/kiosk.css",
            "external-url",
            "url() loads https://fonts.gstatic.com/f.woff2 from another host",
        ),
        "1 error(s), 0 warning(s)",
    ]


def test_an_external_link_fails_the_kiosk_not_the_intranet(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = '<a href="https://example.com/more">More</a>'
    add_to_page(project / "build/kiosk/entrance/index.html", link)
    add_to_page(project / "build/intranet/index.html", link)
    code, out = audit(project, capsys)
    assert code == 1
    assert out.splitlines()[:2] == [
        line(
            "kiosk",
            "entrance/index.html",
            "external-link",
            "<a href> links to https://example.com/more (out of the kiosk)",
        ),
        "1 error(s), 0 warning(s)",
    ]
    assert "(1 link to other sites: see --json)" in out
    assert audit(project, capsys, "build/intranet")[0] == 0


def test_an_inline_event_handler(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_to_page(project / "build/kiosk/index.html", '<img src="x.png" onerror="alert(1)">')
    code, out = audit(project, capsys)
    assert code == 1
    assert out.splitlines()[0] == line(
        "kiosk", "index.html", "inline-handler", "<img onerror> is an inline event handler"
    )


@pytest.mark.parametrize(
    "href",
    ["javascript:alert(1)", "JavaScript:void(0)", " java\tscript:alert(1)", "&#106;avascript:x"],
)
def test_a_javascript_url(project: Path, capsys: pytest.CaptureFixture[str], href: str) -> None:
    add_to_page(project / "build/intranet/index.html", f'<a href="{href}">x</a>')
    code, out = audit(project, capsys, "build/intranet")
    assert code == 1
    assert out.splitlines()[0] == line(
        "intranet", "index.html", "javascript-url", "<a href> is a javascript: URL"
    )


def test_json_lists_every_finding(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jpeg_with_gps(project / "build/intranet/media/planted.jpg")
    add_to_page(project / "build/kiosk/index.html", '<img src="x.png" onerror="alert(1)">')
    add_to_page(project / "build/intranet/index.html", '<a href="https://example.com/">x</a>')
    code, out = audit(project, capsys, "--json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    assert report["date"] == TODAY.isoformat()
    assert [(s["audience"], s["folder"], s["findings"], s["notices"]) for s in report["sites"]] == [
        ("intranet", "build/intranet", 1, 1),
        ("kiosk", "build/kiosk", 1, 0),
    ]
    for site in report["sites"]:
        assert site["files"] >= site["images"] + site["recordings"] + site["text"]
        assert site["files"] > 100 and site["images"] > 10 and site["recordings"] > 5
    assert [(f["audience"], f["path"], f["kind"]) for f in report["findings"]] == [
        ("intranet", "media/planted.jpg", "image-metadata"),
        ("kiosk", "index.html", "inline-handler"),
    ]
    assert report["findings"][0]["detail"] == "JPEG image carries EXIF, GPS"
    assert report["findings"][0]["fix"].startswith("renditions carry no metadata")
    assert [(f["path"], f["kind"], f["detail"]) for f in report["notices"]] == [
        ("index.html", "external-link", "<a href> links to https://example.com/ (another site)")
    ]


def test_json_of_a_clean_site(demo_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = audit(demo_site.parent.parent, capsys, "--json", "build/kiosk")
    assert code == 0
    report = json.loads(out)
    assert report["ok"] is True
    assert report["findings"] == [] and report["notices"] == []
    assert [s["audience"] for s in report["sites"]] == ["kiosk"]


def test_a_second_audit_remembers_and_finds_the_same(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_to_page(project / "build/intranet/index.html", f"<p>{EXPIRED_LINE}</p>")
    add_to_page(project / "build/kiosk/index.html", '<img src="x.png" onerror="alert(1)">')
    first = audit(project, capsys)
    second = audit(project, capsys)
    assert first[0] == second[0] == 1
    strip = re.compile(r" in \d+\.\d\ds:")
    assert strip.sub("", first[1]) == strip.sub("", second[1])
    assert (project / "build/.cache/audit.sqlite").is_file()
    # Another day excludes more: nothing remembered for the old day is reused wrongly.
    later = main(["-C", str(project), "audit", "--date", "2031-03-12", "build/kiosk"])
    out = capsys.readouterr().out
    assert later == 1
    assert "text from content/stories/p07/" in out  # p07's consent ends on 2031-03-12


def test_the_placeholder_of_an_excluded_photo(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = (project / "build/intranet/stories/email-p16/index.html").read_text(encoding="utf-8")
    placeholder = re.search(r"url\((data:image/webp;base64,[^)]+)\)", page)
    assert placeholder
    add_to_page(
        project / "build/kiosk/index.html",
        f'<div style="background:url({placeholder.group(1)})"></div>',
    )
    code, out = audit(project, capsys)
    assert code == 1
    assert out.splitlines()[0] == line(
        "kiosk",
        "index.html",
        "excluded-media",
        "the inline placeholder of content/stories/email-p16/bill.jpg, left out of the kiosk "
        "by consent",
    )
