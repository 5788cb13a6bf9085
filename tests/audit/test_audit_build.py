"""`immersion build` audits every new site before publishing it, and publishes nothing
that fails: the findings are listed, the previous site stays exactly as it was."""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import TODAY, write

from immersion.commands import build

TRACKER = "https://cdn.example.com/tracker.js"


@pytest.fixture
def published(demo_site: Path, tmp_path: Path) -> Path:
    """A copy of the demo room with its published sites and media cache."""
    room = tmp_path / "room"
    shutil.copytree(demo_site.parent.parent, room, symlinks=True)
    return room


@pytest.mark.parametrize("audience", ["intranet", "kiosk"])
def test_a_theme_that_loads_a_script_from_another_host_is_not_published(
    published: Path, audience: str, snapshot: Callable[[Path], dict[str, bytes]]
) -> None:
    site = published / "build" / audience
    before_target = os.readlink(site)
    before = snapshot(site.resolve())
    write(
        published / "themes" / audience / "main.html",
        f"""
        {{% extends "base.html" %}}
        {{% block scripts %}}{{{{ super() }}}}<script src="{TRACKER}"></script>{{% endblock %}}
        """,
    )
    out = io.StringIO()
    code = build.run(published, (audience,), today=TODAY, out=out)
    text = out.getvalue()
    assert code == 1, text
    lines = text.splitlines()
    expected = (
        f"build/{audience}/index.html: error [external-url]: <script src> loads {TRACKER} from "
        f"another host (nothing may load from another host: copy the file into themes/{audience}/ "
        "and refer to it by a relative path)"
    )
    assert expected in lines
    found = [ln for ln in lines if "error [external-url]" in ln]
    assert all(re.match(rf"build/{audience}/\S+\.html: error ", ln) for ln in found)
    assert lines[-1] == (
        f"error: nothing published for {audience}: the new site failed the audit "
        f"({len(found)} findings); build/{audience} is unchanged"
    )
    # The published site is the one from before, byte for byte; the new one is gone.
    assert os.readlink(site) == before_target
    assert snapshot(site.resolve()) == before
    sites = sorted(p.name for p in (published / "build" / ".sites").iterdir())
    assert [s for s in sites if s.startswith(f"{audience}-")] == [Path(before_target).name]


def test_a_clean_build_reports_its_audit(published: Path) -> None:
    out = io.StringIO()
    assert build.run(published, ("intranet",), today=TODAY, out=out) == 0, out.getvalue()
    summary = [ln for ln in out.getvalue().splitlines() if ln.startswith("audit: ")]
    assert len(summary) == 1
    assert re.fullmatch(
        r"audit: build/intranet: \d+ files \(\d+ images, \d+ recordings, \d+ text\) "
        r"in \d+\.\d\ds: clean",
        summary[0],
    )
