"""The bundled demo room in content/ builds, and its expired story leaks nowhere."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from conftest import TODAY

from immersion.commands import build
from immersion.load import load
from immersion.project import Project

ROOT = Path(__file__).resolve().parent.parent
MARKER = "EXPIRED-MARKER lighthouse"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo room, so the test never writes to the repository's build/."""
    project = tmp_path_factory.mktemp("demo")
    shutil.copytree(ROOT / "content", project / "content")
    shutil.copytree(ROOT / "themes", project / "themes")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    return project


def test_demo_room_is_small_and_complete(demo: Path) -> None:
    size = sum(p.stat().st_size for p in (ROOT / "content").rglob("*") if p.is_file())
    assert size < 5 * 1024 * 1024
    library, problems = load(Project(demo), TODAY)
    assert [p.format() for p in problems if p.is_error] == []
    kinds = {s.kind_of_story for s in library.stories.values()}
    assert kinds == {"interview", "audio-diary", "photo-film", "email", "story"}
    assert len(library.personas) >= 3 and len(library.insights) >= 3
    assert all(len(j.stages) >= 5 for j in library.journeys.values())
    assert len(library.journeys) >= 2
    assert {a.status for a in library.actions.values()} >= {"open", "in-progress", "done"}
    assert len(library.room.displays) == 3 and library.room.tours
    consents = library.consents.values()
    assert any(c.expires and c.expires <= TODAY for c in consents)
    assert any(c.audiences == ("intranet",) for c in consents)


def test_demo_intranet_never_shows_the_expired_story(demo: Path) -> None:
    out = io.StringIO()
    assert build.run(demo, today=TODAY, out=out) == 0, out.getvalue()
    site = demo / "build" / "intranet"
    assert (site / "index.html").is_file()
    leaks = [p for p in site.rglob("*") if p.is_file() and MARKER.encode() in p.read_bytes()]
    assert leaks == []
    assert not (site / "stories" / "p12").exists()
    assert not list(site.rglob("p12*"))
    # The room's own stylesheet from themes/ is loaded after immersion's.
    home = (site / "index.html").read_text(encoding="utf-8")
    assert home.index("immersion.css") < home.index("room.css")
