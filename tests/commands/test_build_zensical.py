"""`immersion build --engine zensical`: the demo room's two sites, built by Zensical.

The same pages as mkdocs builds, the players and transcripts on them, a search index
(`search.json`) that finds what is only said in a recording, and an audit that passes;
the engine chosen by flag or by mkdocs.yml, with clear problems for what Zensical ignores.
"""

from __future__ import annotations

import importlib.util
import io
import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import REPO, TODAY, write

from immersion import engine
from immersion.audit.markup import parse_html
from immersion.audit.urls import Checker
from immersion.cli import main
from immersion.commands import build, check
from immersion.project import Project
from immersion.settings import load_settings

DATE = ["--date", TODAY.isoformat()]
# Said in Leah's interview (content/stories/p07/interview.vtt) and written nowhere else.
SPOKEN_ONLY = "drawing"


def pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


@pytest.fixture(scope="module")
def zensical_demo(demo_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo room built with Zensical; its media cache is the mkdocs build's (same
    renditions, no conversion twice)."""
    project = tmp_path_factory.mktemp("zensical-demo")
    for name in ("content", "themes"):
        shutil.copytree(REPO / name, project / name)
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    (project / "build").mkdir()
    (project / "build" / ".cache").symlink_to(demo_site.parent / ".cache")
    out = io.StringIO()
    code = build.run(project, today=TODAY, out=out, engine="zensical")
    assert code == 0, out.getvalue()
    assert "audit: build/intranet: " in out.getvalue()
    return project


def test_both_sites_have_the_pages_mkdocs_builds(zensical_demo: Path, demo_site: Path) -> None:
    for audience in ("intranet", "kiosk"):
        ours = pages(zensical_demo / "build" / audience)
        theirs = pages(demo_site.parent / audience)
        assert ours == theirs, audience
    assert len(pages(zensical_demo / "build" / "intranet")) > 20


def test_a_story_page_has_its_player_and_transcript(zensical_demo: Path) -> None:
    html = (zensical_demo / "build/intranet/stories/p07/index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    player = soup.select_one(".im-player audio#rec-p07")
    assert player is not None and player.select_one('source[src$=".m4a"]') is not None
    assert player.select_one('track[src$=".vtt"]') is not None
    assert soup.select_one("#transcript") is not None
    assert SPOKEN_ONLY in soup.get_text(" ")
    assert soup.select_one('script[src$="assets/immersion/players.js"]') is not None
    tags = [a.get_text(strip=True) for a in soup.select(".md-tags a.md-tag")]
    assert "quotes" in tags


def test_search_finds_a_word_only_said_in_a_recording(zensical_demo: Path) -> None:
    site = zensical_demo / "build" / "intranet"
    assert not (site / "search" / "search_index.json").exists()
    items = json.loads((site / "search.json").read_text(encoding="utf-8"))["items"]
    found = {i["location"] for i in items if SPOKEN_ONLY in i["text"].lower()}
    assert found == {"stories/p07/#transcript"}
    for rel in (REPO / "content").rglob("*"):
        if rel.is_file() and rel.suffix in (".md", ".yml"):
            assert SPOKEN_ONLY not in rel.read_text(encoding="utf-8").lower(), rel


def test_the_kiosk_has_no_search_and_loads_nothing_from_elsewhere(zensical_demo: Path) -> None:
    kiosk = zensical_demo / "build" / "kiosk"
    assert not (kiosk / "search.json").exists()
    entrance = (kiosk / "entrance" / "index.html").read_text(encoding="utf-8")
    assert "assets/javascripts/bundle" not in entrance  # the kiosk runs no theme script
    assert (kiosk / "entrance" / "sw.js").is_file() or list(kiosk.rglob("sw.js"))


def test_the_engine_leaves_nothing_in_the_staging_folder(zensical_demo: Path) -> None:
    for audience in ("intranet", "kiosk"):
        staging = zensical_demo / "build" / ".staging" / audience
        assert sorted(p.name for p in staging.iterdir()) == ["docs", "mkdocs.yml", "overrides"]


def test_mkdocs_yml_chooses_the_engine_and_the_flag_wins(room: Path) -> None:
    with (room / "mkdocs.yml").open("a", encoding="utf-8") as f:
        f.write("immersion:\n  engine: zensical\n")
    assert main(["-C", str(room), "build", *DATE, "--audience", "intranet"]) == 0
    assert (room / "build/intranet/search.json").is_file()
    assert main(["-C", str(room), "build", *DATE, "--engine", "mkdocs"]) == 0
    assert (room / "build/intranet/search/search_index.json").is_file()
    assert not (room / "build/intranet/search.json").exists()


def test_an_unknown_engine_is_a_problem_at_its_line(
    room: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(room / "mkdocs.yml", "site_name: Test\nimmersion:\n  engine: zensicle\n")
    settings, problems = load_settings(Project(room))
    assert settings.engine == "mkdocs"
    assert [p.format() for p in problems] == [
        "mkdocs.yml:3: error [immersion.engine]: unknown site engine 'zensicle': this build "
        "uses mkdocs (did you mean 'zensical'? write `engine: mkdocs` or `engine: zensical`)"
    ]
    assert check.run(room, today=TODAY) == 1
    assert "mkdocs.yml:3: error [immersion.engine]" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["-C", str(room), "build", "--engine", "hugo"])
    assert usage.value.code == 2
    assert "invalid choice: 'hugo'" in capsys.readouterr().err


def test_hooks_and_plugins_zensical_ignores_are_warned_about(
    room: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        room / "mkdocs.yml",
        """
        site_name: Test
        hooks:
          - hooks/notify.py
        plugins:
          - search
          - git-revision-date-localized
          - material/tags
        immersion:
          engine: zensical
        """,
    )
    assert check.run(room, today=TODAY) == 0
    err = capsys.readouterr().err
    assert (
        "mkdocs.yml:2: warning [hooks]: Zensical ignores the hooks hooks/notify.py: it runs no "
        "MkDocs hooks (immersion generates each site's config; remove it from mkdocs.yml)"
    ) in err
    assert (
        "mkdocs.yml:4: warning [plugins]: Zensical ignores the plugins "
        "git-revision-date-localized: it does not support them"
    ) in err
    out = io.StringIO()
    assert build.run(room, ("intranet",), today=TODAY, out=out) == 0
    assert "mkdocs.yml:2: warning [hooks]: Zensical ignores" in out.getvalue()
    # With mkdocs the same keys get immersion's own notice, not Zensical's.
    _, problems = load_settings(Project(room), "mkdocs")
    assert not any("Zensical" in p.message for p in problems)


def test_without_zensical_installed_the_build_says_how_to_install_it(
    room: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "zensical" else real(name, *a)
    )
    assert main(["-C", str(room), "build", *DATE, "--engine", "zensical"]) == 2
    err = capsys.readouterr().err
    assert "error: the Zensical engine is not installed" in err
    assert "pip install 'immersion[zensical]'" in err
    assert "Traceback" not in err
    assert not (room / "build" / "intranet").exists()


def test_zensical_diagnostics_become_one_line_warnings() -> None:
    output = [
        "Build started",
        "Build finished in 1.90s",
        "Warning: page does not exist",
        "    ╭─[ index.md:45:10 ]",
        "    │",
        " 45 │ [broken](nowhere.md)",
        "────╯",
        "1 issues found",
    ]
    assert engine._zensical_warnings(output) == ["docs/index.md:45: page does not exist"]


@pytest.mark.parametrize(
    ("html", "library"),
    [
        ('<pre class="mermaid">graph TD</pre>', "mermaid"),
        ('<a class="glightbox" href="x.webp">x</a>', "glightbox"),
        ('<div class="pyodide">x</div>', "Pyodide"),
    ],
)
def test_the_audit_knows_what_makes_a_theme_script_fetch_elsewhere(html: str, library: str) -> None:
    found = list(Checker("intranet").page(parse_html(html)))
    assert [f.kind for f in found] == ["external-url"]
    assert library in found[0].detail
    assert not list(Checker("intranet").page(parse_html('<div class="mermaid">x</div>')))
