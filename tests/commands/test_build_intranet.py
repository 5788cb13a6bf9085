"""`immersion build` end to end on a generated room: a real mkdocs-material site."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import MARKER, TODAY, write
from PIL import Image

from immersion.bodytext import safe_href
from immersion.commands import build

INJECTION = '<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2">'


def run_build(room: Path, **kwargs: object) -> tuple[int, str]:
    out = io.StringIO()
    code = build.run(room, today=TODAY, out=out, **kwargs)  # type: ignore[arg-type]
    return code, out.getvalue()


def page(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def article_text(soup: BeautifulSoup) -> str:
    article = soup.select_one("article")
    assert article is not None
    return article.get_text(" ", strip=True)


@pytest.fixture
def built(room: Path) -> Path:
    code, out = run_build(room)
    assert code == 0, out
    return room / "build" / "intranet"


def test_expired_consent_appears_nowhere(built: Path) -> None:
    leaks = [p for p in built.rglob("*") if p.is_file() and MARKER.encode() in p.read_bytes()]
    assert leaks == []
    assert not (built / "stories" / "old").exists()
    assert not list(built.rglob("old.m4a")) and not list(built.rglob("old.vtt"))
    search = json.loads((built / "search" / "search_index.json").read_text())
    assert not any("Olu" in doc["text"] or "Olu" in doc["title"] for doc in search["docs"])


def test_persona_page_shows_what_a_person_expects(built: Path) -> None:
    maya = page(built, "personas/maya/index.html")
    text = article_text(maya)
    for expected in (
        "Maya",
        "Young families",
        "I just want one number I can trust.",
        "Move without surprises",
        "One clear price",
        "Feel in control",
        "Quotes change after the call",
        "Compares prices at night",
        "Moving home",
    ):
        assert expected in text
    assert "Needs review" not in text
    # The quote is a card: who said it and when, its clip, and a way to hear it in context.
    card = maya.select_one(".im-persona-quote")
    assert card is not None
    assert card.select_one(".im-meta").get_text(" ", strip=True).startswith("Leah · 0:01")
    context = card.select_one("a.im-in-context")
    assert context is not None and context["href"].startswith("../../stories/p07/#rec-p07-")
    assert len(card.select("audio")) == 1
    portrait = maya.select_one(".im-persona-head img")
    assert portrait is not None and portrait["alt"] == "Maya at her kitchen table"
    assert portrait["width"] == "640" and portrait["height"] == "480"
    raj = article_text(page(built, "personas/raj/index.html"))
    assert "Needs review" in raj and "last reviewed 1 May 2024" in raj
    assert "they never called back" not in raj  # the quote went with the expired story


def test_every_kind_of_page_exists_and_is_linked(built: Path) -> None:
    for rel in (
        "index.html",
        "personas/index.html",
        "journeys/moving-home/index.html",
        "stories/p07/index.html",
        "stories/letter/index.html",
        "insights/quotes-confuse/index.html",
        "actions/index.html",
        "tags/index.html",
        "search/search_index.json",
    ):
        assert (built / rel).is_file(), rel
    actions = article_text(page(built, "actions/index.html"))
    assert "You said: Quotes change after the call" in actions
    assert "We did: One price, held for 30 days" in actions
    letter = article_text(page(built, "stories/letter/index.html"))
    assert "From Priya" in letter and "Subject My bill" in letter and "my bill doubled" in letter


def test_every_internal_link_resolves(built: Path) -> None:
    broken = []
    # 404.html is the one page mkdocs writes with root-absolute URLs: a server answers it
    # for any path, so relative ones could not work there.
    for html in (p for p in built.rglob("*.html") if p.name != "404.html"):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for element, attr in [(e, "href") for e in soup.find_all(["a", "link"])] + [
            (e, "src") for e in soup.find_all(["img", "script", "source", "audio"])
        ]:
            url = element.get(attr)
            if not url or url.startswith(("#", "mailto:")):
                continue
            parts = urlsplit(url)
            assert not parts.scheme and not parts.netloc, f"{html}: external URL {url}"
            target = (html.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{html.relative_to(built)} -> {url}")
    assert broken == []


def test_journey_has_stage_columns_and_emotion_curve(built: Path) -> None:
    soup = page(built, "journeys/moving-home/index.html")
    table = soup.select_one(".im-journey-map table.im-stages")
    assert table is not None
    heads = [th.get_text(" ", strip=True) for th in table.select("thead th")]
    assert heads == ["Planning the move ★ Moment of truth", "Moving day"]
    # The curve is the table's first row, its strip spanning exactly the stage columns.
    first = table.select("tbody tr")[0]
    assert "im-curve-row" in first["class"]
    strip = first.select_one("td.im-strip")
    assert strip is not None and strip["colspan"] == "2"
    svg = strip.select_one("svg")
    assert svg is not None and svg.get("role") == "group" and svg.get("viewbox") is None
    # The axis is words, as HTML text the page sizes, not text inside the drawing.
    axis = [s.get_text() for s in first.select("th .im-axis span")]
    assert axis == ["very positive", "positive", "neutral", "negative", "very negative"]
    assert svg.select("text") == []
    emotion_row = next(
        tr for tr in table.select("tbody tr") if tr.th and tr.th.get_text() == "Emotion"
    )
    cells = [td.get_text(" ", strip=True) for td in emotion_row.find_all("td")]
    assert cells == ["Maya: negative Raj: positive", "very negative"]
    titles = [t.get_text() for t in svg.select("title")]
    assert "Maya at Planning the move: negative – moment of truth" in titles
    # No number stands for an emotion anywhere in the map.
    assert not re.search(r"[+-][12]\b", table.get_text(" "))


def test_journey_page_is_full_width(built: Path) -> None:
    soup = page(built, "journeys/moving-home/index.html")
    # Material renders the sidebars of a page that hides them with `hidden`.
    toc = soup.select_one(".md-sidebar--secondary")
    assert toc is None or toc.has_attr("hidden")
    nav = soup.select_one(".md-sidebar--primary")
    assert nav is None or nav.has_attr("hidden")
    crumbs = soup.select_one("article nav.im-crumbs a")
    assert crumbs is not None and crumbs["href"] == "../"
    assert crumbs.get_text() == "All journeys"
    facts = soup.select_one(".im-journey-facts")
    assert facts is not None
    assert facts.get_text(" ", strip=True) == "For Maya , Raj · 2 stages · 1 moment of truth"
    css = [link["href"] for link in soup.select("link[rel=stylesheet]")]
    mine = [h for h in css if "assets/immersion/" in h]
    assert mine[-2:] == [
        "../../assets/immersion/stylesheets/immersion.css",
        "../../assets/immersion/stylesheets/journeys.css",
    ]


def heading(soup: BeautifulSoup, selector: str) -> list[str]:
    """Headings as read: without the permalink mark the engine appends."""
    return [h.get_text(strip=True).removesuffix("¶") for h in soup.select(selector)]


def test_site_wide_labels(built: Path) -> None:
    site_name = "Test Room intranet"  # the project's mkdocs.yml (conftest)
    home = page(built, "index.html")
    assert [t.get_text() for t in home.select("head title")] == [site_name]
    assert heading(home, "article h1") == ["Test Room"]
    stories = page(built, "stories/index.html")
    assert heading(stories, "article h1") == ["Stories"]
    assert heading(stories, "article h2") == ["Interviews", "Emails"]
    assert "Storys" not in str(stories)
    # One site name in every title, never twice (the home page said it twice).
    for html_file in built.rglob("*.html"):
        soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
        titles = [t.get_text() for t in soup.select("head title")]
        assert len(titles) == 1 and titles[0].count(site_name) == 1, (html_file, titles)


def test_no_item_ids_in_labels(built: Path) -> None:
    """Labels are for people: an id such as `hl-1`, `e-2` or `c-009` is never one.

    The highlight cards of story pages are left out here: their labels are the
    story pages' (stories.py), tested with them.
    """
    ident = re.compile(r"\b(?:hl|e|c)-\d+\b")
    for html_file in built.rglob("*.html"):
        if html_file.parent.parent.name == "stories" and html_file.parent.name != "stories":
            continue
        soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
        for el in soup.find_all(attrs={"aria-label": True}):
            assert not ident.search(el["aria-label"]), (html_file, el["aria-label"])
        for el in soup.find_all(attrs={"title": True}):
            assert not ident.search(el["title"]), (html_file, el["title"])
        for el in soup.select("svg title, article"):
            assert not ident.search(el.get_text(" ")), (html_file, el.get_text(" ")[:200])


def test_photos_are_upright_and_carry_no_metadata(built: Path, room: Path) -> None:
    renditions = sorted((built / "media/stories/p07").glob("kitchen-*"))
    # 640x480 stored with EXIF orientation 6 (rotate 90°): upright it is 480 wide, so
    # one width, as WebP and JPEG.
    assert [p.name for p in renditions] == ["kitchen-480.jpg", "kitchen-480.webp"]
    for path in renditions:
        with Image.open(path) as image:
            assert image.size == (480, 640)
            assert not image.getexif()
            assert "icc_profile" not in image.info and "xmp" not in image.info
        assert b"TestCam" not in path.read_bytes()
    original = (room / "content/stories/p07/kitchen.jpg").read_bytes()
    assert all(p.read_bytes() != original for p in built.rglob("*.jpg"))
    page_html = page(built, "stories/p07/index.html")
    picture = page_html.select_one("article picture")
    assert picture is not None
    source = picture.find("source")
    img = picture.find("img")
    assert source["type"] == "image/webp" and source["srcset"].endswith("kitchen-480.webp 480w")
    assert (img["width"], img["height"], img["loading"]) == ("480", "640", "lazy")
    assert img["alt"] == "Leah's kitchen"
    assert img["style"].startswith("background:url(data:image/")


def test_no_request_leaves_the_site(built: Path) -> None:
    for html in built.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text
        soup = BeautifulSoup(text, "html.parser")
        for element in soup.find_all(["script", "link", "img", "source", "iframe"]):
            url = element.get("src") or element.get("href") or ""
            assert "://" not in url, f"{html}: {url}"


def test_injected_markup_shows_as_text_and_never_becomes_markup(room: Path) -> None:
    persona = room / "content/personas/maya/index.md"
    text = persona.read_text().replace("name: Maya", f"name: '{INJECTION}'")
    text = text.replace("goals: [Move without surprises]", f"goals: ['{INJECTION}']")
    persona.write_text(text + f"\n{INJECTION}\n[x](javascript:window.__pwned=3)\n")
    story = room / "content/stories/p07/index.md"
    story.write_text(
        story.read_text().replace('title: "Leah on moving home"', f"title: '{INJECTION}'")
    )
    code, out = run_build(room)
    assert code == 0, out
    site = room / "build" / "intranet"
    for rel in (
        "personas/maya/index.html",
        "stories/p07/index.html",
        "index.html",
        "personas/index.html",
    ):
        soup = page(site, rel)
        article = soup.select_one("article")
        assert article is not None
        assert article.find("script") is None, rel
        assert not [img for img in article.find_all("img") if img.get("onerror")], rel
        assert all(safe_href(a.get("href", "")) for a in article.find_all("a")), rel
        assert "<script>window.__pwned=1</script>" in article.get_text(), rel
    raw = (site / "personas/maya/index.html").read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in raw
    assert not re.search(r"<img[^>]*onerror", raw)
    head_title = page(site, "personas/maya/index.html").title
    assert head_title is not None
    assert head_title.get_text().startswith("‹script›window.__pwned=1‹/script›”›‹img")


def test_rebuild_with_nothing_changed_rewrites_nothing(room: Path) -> None:
    assert run_build(room)[0] == 0
    staging = room / "build/.staging/intranet"
    before = {p: p.stat().st_mtime_ns for p in staging.rglob("*") if p.is_file()}
    first_site = (room / "build/intranet").resolve()
    assert run_build(room)[0] == 0
    after = {p: p.stat().st_mtime_ns for p in staging.rglob("*") if p.is_file()}
    assert after == before
    # The new site was swapped in and the old one removed.
    assert (room / "build/intranet").resolve() != first_site
    assert not first_site.exists()
    assert [
        p.name for p in (room / "build/.sites").iterdir() if p.name.startswith("intranet-")
    ] == [(room / "build/intranet").resolve().name]


def test_removed_item_leaves_no_page_behind(room: Path, built: Path) -> None:
    assert (built / "stories/letter/index.html").is_file()
    for f in (room / "content/stories/letter").iterdir():
        f.unlink()
    (room / "content/stories/letter").rmdir()
    assert run_build(room)[0] == 0
    site = room / "build/intranet"
    assert not (site / "stories/letter").exists()
    assert not (room / "build/.staging/intranet/docs/stories/letter.md").exists()


def test_content_is_never_written(room: Path, snapshot) -> None:
    before = snapshot(room / "content")
    assert run_build(room)[0] == 0
    assert snapshot(room / "content") == before


def test_a_broken_photo_is_reported_and_the_rest_builds(room: Path) -> None:
    (room / "content/stories/p07/kitchen.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    code, out = run_build(room)
    assert code == 1
    assert (
        "content/stories/p07/kitchen.jpg: error: cannot convert the photo: the file is cut "
        "short (truncated) (replace the file with one that opens on your computer)"
    ) in out
    site = room / "build/intranet"
    soup = page(site, "stories/p07/index.html")
    assert "Leah moved in March." in article_text(soup)
    assert not list(site.rglob("kitchen*"))


def test_strict_refuses_to_publish_on_a_warning(room: Path, built: Path) -> None:
    published = built.resolve()
    code, out = run_build(room, strict=True)
    assert code == 1
    assert "needs review" in out and "nothing published" in out
    assert (room / "build/intranet").resolve() == published


def test_missing_content_folder_is_a_clear_error(tmp_path: Path) -> None:
    code, out = run_build(tmp_path)
    assert code == 1
    assert "content: error: there is no content/ folder here" in out
    assert not (tmp_path / "build").exists()


def test_site_settings_come_from_the_project_mkdocs_yml(room: Path) -> None:
    write(
        room / "mkdocs.yml",
        "site_name: Our Room\ntheme: {palette: {primary: indigo}}\nplugins: [something]\n",
    )
    code, out = run_build(room)
    assert code == 0
    assert "mkdocs.yml:3: warning [plugins]: 'plugins' is set by immersion and ignored here" in out
    soup = page(room / "build/intranet", "index.html")
    assert soup.title is not None and "Our Room" in soup.title.get_text()
    assert soup.body is not None and soup.body.get("data-md-color-primary") == "indigo"


def test_published_name_is_always_a_complete_site(room: Path) -> None:
    assert run_build(room)[0] == 0
    link = room / "build/intranet"
    assert link.is_symlink()
    assert os.readlink(link).startswith(".sites/intranet-")
    assert (link / "index.html").is_file() and (link / "search/search_index.json").is_file()


def test_an_exported_film_goes_when_no_audience_may_see_it(room: Path) -> None:
    films = room / "build" / "films"
    films.mkdir(parents=True)
    (films / "gone.mp4").write_bytes(b"not really a film")  # a story that no longer exists
    (films / "p07.mp4").write_bytes(b"p07 is an interview, not a film")
    code, output = run_build(room, audiences=("intranet",))
    assert code == 0, output
    assert list(films.iterdir()) == []
    assert "build/films/gone.mp4: note: deleted: no audience may see this film any more" in output


def test_home_page_asks_for_its_lcp_portrait_before_the_stylesheets(built: Path) -> None:
    """The first card's portrait (the home page's LCP on a phone) is preloaded from the
    head, ahead of every stylesheet, with the very candidates and sizes of its <img>,
    so the browser fetches the one file the card then shows (no second download)."""
    home = page(built, "index.html")
    head = home.head
    assert head is not None
    links = head.find_all("link")
    preloads = [i for i, link in enumerate(links) if link.get("rel") == ["preload"]]
    sheets = [i for i, link in enumerate(links) if link.get("rel") == ["stylesheet"]]
    assert len(preloads) == 1 and sheets and preloads[0] < sheets[0]
    preload = links[preloads[0]]
    assert preload["as"] == "image" and preload["fetchpriority"] == "high"
    card = home.select_one(".im-card picture")
    assert card is not None
    source = card.find("source", type=preload["type"])
    assert source is not None, "the preload names a format the card offers"
    assert preload["imagesrcset"] == source["srcset"]
    assert preload["imagesizes"] == source["sizes"] == card.img["sizes"]
    assert card.img["fetchpriority"] == "high" and not card.img.get("loading")
    for url in (c.split()[0] for c in preload["imagesrcset"].split(", ")):
        assert (built / url).is_file(), url
    # Other pages preload nothing: their LCP is text or a photo of their own.
    assert page(built, "personas/maya/index.html").find("link", rel="preload") is None
