"""`immersion init DIR`: a new room project that builds as it is.

Everything comes from `immersion.scaffold` (Python strings inside the
package), so it works from a plain `pip install` as well as from a checkout.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .. import scaffold
from ..model import KIND_FOLDERS
from ..problems import EXIT_OK, UsageError
from ..project import Project
from .new import DEFAULT_IDS, render


def run(directory: Path) -> int:
    if directory.exists() and any(directory.iterdir()):
        raise UsageError(f"{directory} is not empty; choose a new folder")
    ids = dict(DEFAULT_IDS)
    project = Project(directory)

    def bundle(kind: str, folder: str) -> Path:
        return project.content / KIND_FOLDERS[kind] / folder / "index.md"

    files = {
        project.room_yml: scaffold.fill(scaffold.ROOM, title="Customer Immersion Room", **ids),
        project.consents / f"{ids['consent']}.yml": render("consent", ids["consent"], ids),
        bundle("persona", ids["persona"]): render("persona", ids["persona"], ids),
        bundle("journey", ids["journey"]): render("journey", ids["journey"], ids),
        bundle("story", ids["story"]): render("story", ids["story"], ids),
        bundle("insight", ids["insight"]): render("insight", ids["insight"], ids),
        bundle("action", "example-action"): render("action", "one-clear-price", ids),
        project.mkdocs_yml: scaffold.fill(scaffold.MKDOCS, title="Customer Immersion Room"),
        project.theme("intranet") / "stylesheets" / "room.css": scaffold.ROOM_CSS,
        project.theme("kiosk") / "README.md": "Kiosk theme overrides go here.\n",
        directory / ".gitignore": f"/{Project.BUILD}/\n",
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"started a room in {directory}: cd {directory} && immersion build", file=sys.stderr)
    return EXIT_OK
