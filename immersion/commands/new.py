"""`immersion new KIND ID`: write a bundle with every field, each documented."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import scaffold
from ..model import STORY_KINDS
from ..problems import EXIT_OK, UsageError, suggest
from ..project import Project
from ..schema import ID_RE

KINDS = ("persona", "journey", *STORY_KINDS, "insight", "action", "consent")
FOLDERS = {
    "persona": "personas",
    "journey": "journeys",
    "insight": "insights",
    "action": "actions",
    **{k: "stories" for k in STORY_KINDS},
}
DEFAULT_IDS = {
    "persona": "example",
    "journey": "example-journey",
    "stage": "explore",
    "consent": "c-001",
    "story": "example-story",
    "insight": "example-insight",
}


def existing_ids(content: Path) -> dict[str, str]:
    """Ids the new item can point at: the first of each kind in the project, if any."""
    ids = dict(DEFAULT_IDS)
    for key, folder in (
        ("persona", "personas"),
        ("journey", "journeys"),
        ("story", "stories"),
        ("insight", "insights"),
    ):
        found = sorted(p.name for p in (content / folder).glob("*/index.md") for p in [p.parent])
        if found:
            ids[key] = found[0]
    consents = sorted(p.stem for p in (content / "consent").glob("*.yml"))
    if consents:
        ids["consent"] = consents[0]
    if ids["journey"] != DEFAULT_IDS["journey"]:
        # Use a stage that journey really has, so the scaffold passes `check`.
        text = (content / "journeys" / ids["journey"] / "index.md").read_text(
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


def target(content: Path, kind: str, item_id: str) -> Path:
    if kind == "consent":
        return content / "consent" / f"{item_id}.yml"
    return content / FOLDERS[kind] / item_id / "index.md"


def run(project: Path, kind: str, item_id: str) -> int:
    if kind not in KINDS:
        raise UsageError(f"unknown kind '{kind}' ({suggest(kind, KINDS)})")
    if not ID_RE.match(item_id):
        raise UsageError(
            f"'{item_id}' is not a valid id: use lower-case letters, digits, '-' and '_'"
        )
    content = Project(project).content
    if not content.is_dir():
        raise UsageError(
            f"no content/ folder in {project}; start a project with `immersion init DIR`"
        )
    path = target(content, kind, item_id)
    if path.exists() or (path.parent.exists() and kind != "consent"):
        raise UsageError(f"{path.relative_to(project)} already exists; choose another id")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(kind, item_id, existing_ids(content)), encoding="utf-8")
    print(
        f"wrote {path.relative_to(project).as_posix()}: fill in the fields, then run "
        "`immersion check`",
        file=sys.stderr,
    )
    return EXIT_OK
