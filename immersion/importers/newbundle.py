"""A new story bundle, written whole or not at all.

The importers stage every file in a hidden folder beside the bundle's final
place (the same file system, so the last step is one rename), and only then
move it into `content/stories/ID/`. An error on the way removes the staging
folder: `content/` never holds half an import. An existing bundle is replaced
only with `force`, and then only after the new one is complete.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..model import KIND_FOLDERS
from ..problems import UsageError
from ..project import Project
from ..schema import ID_RE


@dataclass(frozen=True)
class ToFill:
    """A field the editor must still fill in, at its line of index.md."""

    line: int
    field: str
    what: str


@dataclass(frozen=True)
class Imported:
    """What an import wrote: the bundle, the fields left to fill, and notes (skipped files)."""

    bundle: Path
    to_fill: tuple[ToFill, ...]
    notes: tuple[str, ...] = ()


class IndexWriter:
    """index.md built line by line, remembering the line of every field left to fill."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.to_fill: list[ToFill] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def fill(self, line: str, field: str, what: str) -> None:
        """Add a line the editor must complete (it is line len(lines) + 1 of the file)."""
        self.lines.append(line)
        self.to_fill.append(ToFill(len(self.lines), field, what))

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def bundle_path(project: Project, story_id: str, force: bool) -> Path:
    """Where story `story_id` goes; a usage error for a bad id or an existing bundle."""
    if not ID_RE.match(story_id):
        raise UsageError(
            f"'{story_id}' is not a valid story id: use lower-case letters, digits, '-' and '_'"
        )
    if not project.content.is_dir():
        raise UsageError(
            f"no content/ folder in {project.root}; start a project with `immersion init DIR`"
        )
    path = project.content / KIND_FOLDERS["story"] / story_id
    if path.exists() and not force:
        raise UsageError(
            f"{project.shown(path)} already exists; choose another --story id, "
            "or add --force to replace it"
        )
    return path


def write_bundle(target: Path, fill: Callable[[Path], None]) -> None:
    """Run `fill(folder)` on a staging folder, then move it to `target` in one rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".import-{target.name}-", dir=target.parent))
    old: Path | None = None
    try:
        fill(staging)
        if target.exists():
            old = target.with_name(f".replaced-{target.name}-{staging.name[-8:]}")
            target.rename(old)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and not target.exists():
            old.rename(target)  # put the editor's bundle back as it was
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def safe_name(name: str) -> str:
    """A file name the site can serve as-is: lower case, letters, digits, '-', '_' and '.'."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    clean = re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-") or "file"
    return f"{clean}.{suffix.lower()}" if suffix else clean


def yaml_str(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
