"""The demo room with test-only displays, so that every slide and every item page is
seen at every display size the kiosk supports: 1920x1080, 3840x2160 and 1080x1920.

The bundled room has one display of each size, each with its own playlist, so no size
shows every kind. These displays add the entrance's tour on a 4K wall and on a portrait
screen, and the letters (the only kind no tour shows) on all three. The room is built
once per test session and shared by the layout tests (slides and item pages).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, TODAY


def display(ident: str, title: str, size: tuple[int, int], playlist: dict[str, Any]) -> Any:
    width, height = size
    return {
        "id": ident,
        "title": title,
        "orientation": "portrait" if height > width else "landscape",
        "resolution": [width, height],
        "playlist": dict(playlist),  # a copy: no YAML alias when the room is written
        "slide_seconds": 12,
    }


TOUR = {"tour": "meet-our-customers"}
LETTERS = {"kind": "email"}
EXTRA_DISPLAYS = [
    display("tour-wall", "The tour on a wall", (3840, 2160), TOUR),
    display("tour-portrait", "The tour on a portrait screen", (1080, 1920), TOUR),
    display("letters-hd", "The letters on a 1080p screen", (1920, 1080), LETTERS),
    display("letters-wall", "The letters on a wall", (3840, 2160), LETTERS),
    display("letters-portrait", "The letters on a portrait screen", (1080, 1920), LETTERS),
]
# Every display of the built room, the bundled ones first, at its own size.
SIZES = {
    "entrance": (1920, 1080),
    "journey-wall": (3840, 2160),
    "listening-post": (1080, 1920),
    **{d["id"]: tuple(d["resolution"]) for d in EXTRA_DISPLAYS},
}

_built: dict[str, Path] = {}


def demo_kiosk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kiosk site of the demo room with EXTRA_DISPLAYS, built once per session."""
    if "kiosk" in _built:
        return _built["kiosk"]
    from immersion.commands import build

    project = tmp_path_factory.mktemp("displays")
    for name in ("content", "themes"):
        shutil.copytree(REPO / name, project / name)
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    room = project / "content" / "room.yml"
    data = yaml.safe_load(room.read_text(encoding="utf-8"))
    data["displays"].extend(EXTRA_DISPLAYS)
    room.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = io.StringIO()
    assert build.run(project, today=TODAY, out=out) == 0, out.getvalue()
    _built["kiosk"] = project / "build" / "kiosk"
    return _built["kiosk"]
