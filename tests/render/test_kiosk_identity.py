"""The room's identity on its displays: colours and logo from the project's mkdocs.yml."""

from __future__ import annotations

import io
from pathlib import Path

from bs4 import BeautifulSoup
from conftest import TODAY

from immersion.commands import build
from immersion.render.kiosk import identity as ident


def test_material_colour_names_and_hex_become_the_rooms_colours() -> None:
    assert ident._hex("deep orange", ident.ACCENT) == "#ff6e42"
    assert ident._hex("Deep-Orange", ident.ACCENT) == "#ff6e42"
    assert ident._hex("#AbC", {}) == "#aabbcc"
    assert ident._hex("no such colour", ident.PRIMARY) is None
    assert ident._hex(12, ident.PRIMARY) is None


def test_text_on_the_accent_is_whichever_of_black_or_white_reads_better() -> None:
    assert ident.on_colour("#ffd500") == "#111111"  # yellow: dark text
    assert ident.on_colour("#4051b5") == "#ffffff"  # indigo: light text


def write_settings(room: Path, text: str) -> None:
    (room / "mkdocs.yml").write_text(text, encoding="utf-8")


def built_kiosk(room: Path) -> tuple[Path, str]:
    out = io.StringIO()
    assert build.run(room, ("kiosk",), today=TODAY, out=out) == 0, out.getvalue()
    return room / "build" / "kiosk", out.getvalue()


def test_palette_and_logo_reach_every_display(room: Path) -> None:
    (room / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" '
        'height="10" fill="#123456"/></svg>',
        encoding="utf-8",
    )
    write_settings(
        room,
        "site_name: Test Room\n"
        "theme:\n  logo: logo.svg\n  palette: {primary: indigo, accent: amber}\n"
        'extra:\n  kiosk: {accent: "#00ff88"}\n',
    )
    site, _out = built_kiosk(room)
    css = (site / ident.STYLESHEET).read_text(encoding="utf-8")
    assert "--ik-primary: #4051b5;" in css  # the material name, as material draws it
    assert "--ik-accent: #00ff88;" in css  # extra.kiosk pins the accent
    entry = BeautifulSoup((site / "entrance" / "index.html").read_text(), "html.parser")
    sheets = [link["href"] for link in entry.select("link[rel=stylesheet]")]
    assert sheets[-1].endswith("zz-identity.css")  # last: its values win
    quiet = entry.select_one(".ik-quiet")
    assert quiet is not None and "Test Room" in quiet.get_text()
    logo = quiet.select_one("img.ik-logo")
    assert logo is not None
    assert (site / "entrance" / logo["src"]).resolve().read_bytes().startswith(b"<svg")


def test_a_logo_that_is_not_there_is_a_warning_and_the_displays_still_build(room: Path) -> None:
    write_settings(room, "site_name: Test Room\ntheme:\n  logo: missing.png\n")
    site, out = built_kiosk(room)
    assert "theme.logo 'missing.png' is not an image file of the project" in out
    assert "give the path of an .svg or .png" in out
    entry = BeautifulSoup((site / "entrance" / "index.html").read_text(), "html.parser")
    assert entry.select_one(".ik-quiet img") is None
    assert "Test Room" in entry.select_one(".ik-quiet").get_text()


def test_the_intranet_header_shows_the_logo_it_names(room: Path) -> None:
    (room / "art").mkdir()
    (room / "art" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    write_settings(room, "site_name: Test Room\ntheme:\n  logo: art/logo.svg\n")
    out = io.StringIO()
    assert build.run(room, ("intranet",), today=TODAY, out=out) == 0, out.getvalue()
    site = room / "build" / "intranet"
    home = BeautifulSoup((site / "index.html").read_text(), "html.parser")
    logo = home.select_one(".md-header .md-logo img")
    assert logo is not None
    assert (site / logo["src"]).is_file()
