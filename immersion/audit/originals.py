"""Which files of a built site are byte-for-byte a file the audit knows: an original in
`content/`, or a rendition of something an audience must not see.

Only files of equal size are ever hashed, so a site of thousands of files next to a
content folder of gigabytes costs a handful of reads; a file's sha256 is kept per
(device, inode, size, mtime), so the hard links the build makes are read once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..media.cache import file_sha256
from ..project import Project
from .leaks import shown

# Smaller originals prove nothing: an empty file, a one-line note. Their words, if they
# matter, are what the leak check looks for.
MIN_ORIGINAL_BYTES = 64


@dataclass(frozen=True)
class Known:
    """A file the audit compares built files with, and what a copy of it is."""

    path: Path
    kind: str  # findings.ORIGINAL or findings.EXCLUDED_MEDIA
    detail: str


class Digests:
    """sha256 of files, each read at most once per run."""

    def __init__(self) -> None:
        self._known: dict[tuple[int, int, int, int], str | None] = {}
        self.read = 0

    def of(self, path: Path, stat: os.stat_result | None = None) -> str | None:
        try:
            stat = stat or path.stat()
        except OSError:
            return None
        key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if key not in self._known:
            try:
                self._known[key] = file_sha256(path)
                self.read += 1
            except OSError:
                self._known[key] = None
        return self._known[key]


def content_files(project: Project) -> dict[Path, int]:
    """{file: size} of every file in content/ large enough to matter."""
    found: dict[Path, int] = {}
    root = project.content
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            try:
                size = path.stat().st_size
            except OSError:
                continue
            if size >= MIN_ORIGINAL_BYTES:
                found[path] = size
    return found


def originals(project: Project, files: dict[Path, int], kind: str) -> dict[int, list[Known]]:
    """{size: the content files of that size}, each as "a copy of the original ..."."""
    by_size: dict[int, list[Known]] = {}
    for path, size in files.items():
        detail = f"a copy of the original {shown(path, project)}"
        by_size.setdefault(size, []).append(Known(path, kind, detail))
    return by_size


def identical(
    path: Path, stat: os.stat_result, candidates: list[Known], digests: Digests
) -> Known | None:
    """The first candidate with the same bytes as `path` (same size assumed), if any."""
    digest = digests.of(path, stat)
    if digest is None:
        return None
    for known in candidates:
        if digests.of(known.path) == digest:
            return known
    return None
