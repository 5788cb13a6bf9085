"""`immersion init DIR`: a new room project that builds as it is.

Everything comes from `immersion.scaffold` (Python strings inside the
package), so it works from a plain `pip install` as well as from a checkout.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .. import scaffold
from ..problems import EXIT_OK, UsageError
from ..project import Project
from .new import DEFAULT_IDS, render


def run(directory: Path) -> int:
    if directory.exists() and any(directory.iterdir()):
        raise UsageError(f"{directory} is not empty; choose a new folder")
    ids = dict(DEFAULT_IDS)
    project = Project(directory)
    content = project.content
    files = {
        project.room_yml: scaffold.fill(scaffold.ROOM, title="Customer Immersion Room", **ids),
        content / "consent" / f"{ids['consent']}.yml": render("consent", ids["consent"], ids),
        content / "personas" / ids["persona"] / "index.md": render("persona", ids["persona"], ids),
        content / "journeys" / ids["journey"] / "index.md": render("journey", ids["journey"], ids),
        content / "stories" / ids["story"] / "index.md": render("story", ids["story"], ids),
        content / "insights" / ids["insight"] / "index.md": render("insight", ids["insight"], ids),
        content / "actions" / "example-action" / "index.md": render(
            "action", "one-clear-price", ids
        ),
        project.mkdocs_yml: scaffold.fill(scaffold.MKDOCS, title="Customer Immersion Room"),
        project.theme("intranet") / "stylesheets" / "room.css": scaffold.ROOM_CSS,
        project.theme("kiosk") / "README.md": "Kiosk theme overrides go here.\n",
        directory / ".gitignore": "/build/\n",
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"started a room in {directory}: cd {directory} && immersion build", file=sys.stderr)
    return EXIT_OK
