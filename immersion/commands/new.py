"""`immersion new KIND ID`: write a bundle with every field, each documented."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import scaffold
from ..model import KIND_FOLDERS, STORY_KINDS
from ..problems import EXIT_OK, UsageError, suggest
from ..project import Project
from ..schema import ID_RE

KINDS = ("persona", "journey", *STORY_KINDS, "insight", "action", "consent")
# The content folder of each kind `new` writes: every kind of story is a story.
FOLDERS = {**KIND_FOLDERS, **{k: KIND_FOLDERS["story"] for k in STORY_KINDS}}
DEFAULT_IDS = {
    "persona": "example",
    "journey": "example-journey",
    "stage": "explore",
    "consent": "c-001",
    "story": "example-story",
    "insight": "example-insight",
}


def existing_ids(project: Project) -> dict[str, str]:
    """Ids the new item can point at: the first of each kind in the project, if any."""
    ids = dict(DEFAULT_IDS)
    content = project.content
    for key in ("persona", "journey", "story", "insight"):
        folder = content / KIND_FOLDERS[key]
        found = sorted(p.name for p in folder.glob("*/index.md") for p in [p.parent])
        if found:
            ids[key] = found[0]
    consents = sorted(p.stem for p in project.consents.glob("*.yml"))
    if consents:
        ids["consent"] = consents[0]
    if ids["journey"] != DEFAULT_IDS["journey"]:
        # Use a stage that journey really has, so the scaffold passes `check`.
        text = (content / KIND_FOLDERS["journey"] / ids["journey"] / "index.md").read_text(
            encoding="utf-8", errors="replace"
        )
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith("- id:"):
                ids["stage"] = stripped.split(":", 1)[1].strip()
                break
    return ids


def render(kind: str, item_id: str, ids: dict[str, str]) -> str:
    title = item_id.replace("-", " ").replace("_", " ").capitalize()
    template = scaffold.CONSENT if kind == "consent" else scaffold.item_template(kind)
    return scaffold.fill(template, title=title, kind=kind, **ids)


def target(project: Project, kind: str, item_id: str) -> Path:
    if kind == "consent":
        return project.consents / f"{item_id}.yml"
    return project.content / FOLDERS[kind] / item_id / "index.md"


def run(project: Path, kind: str, item_id: str) -> int:
    if kind not in KINDS:
        raise UsageError(f"unknown kind '{kind}' ({suggest(kind, KINDS)})")
    if not ID_RE.match(item_id):
        raise UsageError(
            f"'{item_id}' is not a valid id: use lower-case letters, digits, '-' and '_'"
        )
    proj = Project(project)
    if not proj.has_content():
        raise UsageError(
            f"no content/ folder in {project}; start a project with `immersion init DIR`"
        )
    path = target(proj, kind, item_id)
    if path.exists() or (path.parent.exists() and kind != "consent"):
        raise UsageError(f"{path.relative_to(project)} already exists; choose another id")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(kind, item_id, existing_ids(proj)), encoding="utf-8")
    print(
        f"wrote {path.relative_to(project).as_posix()}: fill in the fields, then run "
        "`immersion check`",
        file=sys.stderr,
    )
    return EXIT_OK
