"""What the import tests share: a copy of the demo room (a fixture), the CLI, `check`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from immersion.cli import main

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def room(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "content", tmp_path / "room" / "content")
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "room" / "mkdocs.yml")
    return tmp_path / "room"


def run(room: Path, *args: str) -> int:
    return main(["-C", str(room), *args])


def check(room: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Run `immersion check` (on a fixed date: the demo's consents are valid then)."""
    capsys.readouterr()
    code = run(room, "check", "--date", "2026-06-01")
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    return out.out + out.err
