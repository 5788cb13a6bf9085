"""Temporary ``.partial-`` files: each renamed into place when complete, or removed.

Every output of a recording is written under a ``.partial-`` name in its
``out_dir``, so a final name never holds half a file; a build killed mid-way leaves
only ``.partial-*`` files, which the cache may sweep.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class _Partials:
    """Temporary ``.partial-`` files in ``out_dir``: renamed into place, or removed."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.open: set[Path] = set()

    def new(self, name: str) -> Path:
        path = self.out_dir / f".partial-{os.getpid()}-{uuid.uuid4().hex[:8]}-{name}"
        self.open.add(path)
        return path

    def keep(self, tmp: Path, final: Path) -> None:
        os.replace(tmp, final)
        self.open.discard(tmp)

    def discard(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        self.open.discard(path)

    def cleanup(self) -> None:
        for path in list(self.open):
            self.discard(path)


@contextmanager
def _partials(out_dir: Path) -> Iterator[_Partials]:
    partials = _Partials(out_dir)
    try:
        yield partials
    finally:
        partials.cleanup()
