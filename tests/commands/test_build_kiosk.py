"""`immersion build --audience kiosk`: what reaches the displays, and what they keep offline."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import MARKER, TODAY, jpeg_with_gps

from immersion.cli import main
from immersion.commands import build
from immersion.render.kiosk import offline as kiosk_offline

SW_HEAD = re.compile(r'\Aconst VERSION = "([0-9a-f]{16})";\nconst PRECACHE = (\[.*\]);\n')


def run_build(room: Path, *audiences: str) -> str:
    out = io.StringIO()
    code = build.run(room, audiences or build.AUDIENCES, today=TODAY, out=out)
    assert code == 0, out.getvalue()
    return out.getvalue()


@pytest.fixture
def kiosk(room: Path) -> Path:
    run_build(room)
    return room / "build" / "kiosk"


def files(site: Path) -> list[Path]:
    return [p for p in site.rglob("*") if p.is_file()]


def sw(site: Path, display: str) -> tuple[str, list[str]]:
    text = (site / display / "sw.js").read_text(encoding="utf-8")
    match = SW_HEAD.match(text)
    assert match is not None, text[:200]
    return match.group(1), json.loads(match.group(2))


def test_all_builds_both_sites(room: Path) -> None:
    out = run_build(room)
    assert (room / "build/intranet/index.html").is_file()
    assert (room / "build/kiosk/entrance/index.html").is_file()
    assert "intranet: 14 pages -> build/intranet/" in out  # the room page included
    assert "kiosk: 8 pages -> build/kiosk/" in out
    assert re.search(r"^  entrance: 4 pages, \d+ files offline \(\d+\.\d MB\)$", out, re.M)
    assert re.search(r"^  post: 3 pages, \d+ files offline", out, re.M)


def test_expired_consent_appears_nowhere_in_the_kiosk(kiosk: Path) -> None:
    leaks = [p for p in files(kiosk) if MARKER.encode() in p.read_bytes()]
    assert leaks == []
    assert not list(kiosk.rglob("old*"))
    for text in (p.read_text(encoding="utf-8") for p in kiosk.rglob("*.html")):
        assert "Olu" not in text and "story/old" not in text


def test_intranet_only_story_appears_nowhere_in_the_kiosk(kiosk: Path, room: Path) -> None:
    # The letter's consent allows the intranet only.
    assert (room / "build/intranet/stories/letter/index.html").is_file()
    for path in files(kiosk):
        data = path.read_bytes()
        for words in (b"my bill doubled", b"A letter about my bill", b"Priya", b"letter/"):
            assert words not in data, (path, words)


def test_kiosk_only_builds_only_the_kiosk(room: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(room), "build", "--audience", "kiosk", "--date", "2026-11-22"]) == 0
    err = capsys.readouterr().err
    assert "kiosk: 8 pages -> build/kiosk/" in err and "intranet:" not in err
    assert (room / "build/kiosk/post/index.html").is_file()
    assert not (room / "build/intranet").exists()
    assert not (room / "build/.staging/intranet").exists()


def test_precache_lists_every_page_and_every_file_the_pages_use(kiosk: Path) -> None:
    for display in ("entrance", "post"):
        folder = kiosk / display
        listed = json.loads((folder / "precache.json").read_text())
        assert listed == sorted(listed) and len(set(listed)) == len(listed)
        for url in listed:
            target = (folder / url).resolve()
            assert kiosk.resolve() in [target, *target.parents], url
            assert (target / "index.html" if url.endswith("/") else target).is_file(), url
        pages = sorted(p.parent.relative_to(folder).as_posix() for p in folder.rglob("index.html"))
        assert {"./" if p == "." else p + "/" for p in pages} <= set(listed)
        # every file a page of the display loads or plays, as the browser resolves it
        for page in folder.rglob("index.html"):
            soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
            used = [e["src"] for e in soup.find_all(["img", "source", "track", "script"], src=True)]
            used += [e["href"] for e in soup.find_all("link", rel="stylesheet")]
            for attr in ("data-peaks", "data-ik-clip", "data-ik-clip-fallback"):
                used += [e[attr] for e in soup.find_all(attrs={attr: True})]
            for url in used:
                target = (page.parent / url).resolve()
                assert target.is_file(), url
                relative = Path(target).relative_to(kiosk.resolve()).as_posix()
                as_listed = (
                    Path("..", relative).as_posix()
                    if not relative.startswith(display + "/")
                    else relative[len(display) + 1 :]
                )
                assert as_listed in listed, (display, page, url)
    entrance = json.loads((kiosk / "entrance/precache.json").read_text())
    for expected in (
        "./",
        "persona/maya/",
        "journey/moving-home/",
        "story/p07/",
        "../media/stories/p07/interview.opus",
        "../media/stories/p07/interview.m4a",
        "../media/stories/p07/interview.peaks.json",
        "../media/stories/p07/interview.vtt",
        "../media/stories/p07/interview-hl-1.opus",
        "../media/stories/p07/interview-hl-1.m4a",
        "../media/stories/p07/kitchen-480.webp",
        "../assets/immersion/players.js",
        "../assets/immersion/players.css",
    ):
        assert expected in entrance
    # nothing of another display, and never the index of displays
    post = json.loads((kiosk / "post/precache.json").read_text())
    assert "journey/moving-home/" not in post
    assert not [u for u in entrance + post if u.startswith("../post/") or u == "../"]
    # no photo in two widths: the display shows one
    photos = [u for u in entrance if u.endswith(".webp")]
    stems = [re.sub(r"-\d+\.webp$", "", u) for u in photos]
    assert len(stems) == len(set(stems))


def test_sw_js_is_the_two_constants_then_the_template(kiosk: Path) -> None:
    template = kiosk_offline.SW_TEMPLATE.read_bytes()
    for display in ("entrance", "post"):
        raw = (kiosk / display / "sw.js").read_bytes()
        _version, precache = sw(kiosk, display)
        assert precache == json.loads((kiosk / display / "precache.json").read_text())
        assert raw.endswith(template)
    # the template itself is no site asset
    assert not [p for p in files(kiosk) if "kiosk-sw" in p.as_posix()]
    assert sorted(p.relative_to(kiosk).as_posix() for p in kiosk.rglob("sw.js")) == [
        "entrance/sw.js",
        "post/sw.js",
    ]


def test_version_is_stable_and_changes_with_a_photo(room: Path) -> None:
    run_build(room, "kiosk")
    site = room / "build" / "kiosk"
    first = {d: sw(site, d)[0] for d in ("entrance", "post")}
    config = re.search(r'"build": "([0-9a-f]+)"', (site / "entrance/index.html").read_text())
    assert config is not None
    run_build(room, "kiosk")
    assert {d: sw(site, d)[0] for d in ("entrance", "post")} == first
    again = re.search(r'"build": "([0-9a-f]+)"', (site / "entrance/index.html").read_text())
    assert again is not None and again.group(1) == config.group(1)
    # A new portrait of Maya: both displays show her, both update.
    jpeg_with_gps(room / "content/personas/maya/portrait.jpg", size=(600, 480))
    run_build(room, "kiosk")
    changed = {d: sw(site, d)[0] for d in ("entrance", "post")}
    assert changed["entrance"] != first["entrance"] and changed["post"] != first["post"]
    latest = re.search(r'"build": "([0-9a-f]+)"', (site / "entrance/index.html").read_text())
    assert latest is not None and latest.group(1) != config.group(1)


def test_a_display_id_that_names_a_site_folder_is_an_error(room: Path) -> None:
    text = (room / "content/room.yml").read_text().replace("id: post", "id: media")
    (room / "content/room.yml").write_text(text)
    out = io.StringIO()
    assert build.run(room, ("kiosk",), today=TODAY, out=out) == 1
    assert (
        "content/room.yml:13: error [displays[1].id]: the display id 'media' is the name of "
        "a folder of the kiosk site; this display is left out (rename the display, for "
        "example 'media-screen')"
    ) in out.getvalue()
    assert (room / "build/kiosk/entrance/index.html").is_file()
    assert not (room / "build/kiosk/media/index.html").exists()


def test_links_written_in_a_body_lead_nowhere_on_a_display(room: Path) -> None:
    story = room / "content/stories/p07/index.md"
    story.write_text(
        story.read_text()
        + "\nSee [our site](https://evil.example/x), [the staff page](../../personas/maya/)"
        " and [mail](mailto:a@b.c).\n"
    )
    run_build(room, "kiosk")
    page = BeautifulSoup(
        (room / "build/kiosk/entrance/story/p07/index.html").read_text(), "html.parser"
    )
    body = page.select_one(".ik-body")
    assert body is not None
    assert "See our site, the staff page and mail." in body.get_text(" ", strip=True)
    assert [a["href"] for a in body.select("a[href]")] == []
