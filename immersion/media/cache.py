"""The content-addressed rendition cache in `build/.cache/`.

* `sources`: a source file's sha256, with its size and mtime as a fast
  pre-check, so an untouched file is never read again and a touched but
  unchanged one is hashed but not converted.
* `outputs`: one row per rendition, keyed by the hash of (source sha256,
  recipe settings for that one output, tool versions); its file lives in
  `objects/`. Changing one width changes only that width's keys.
* `metas`: facts about a source under a recipe (a photo's size and placeholder,
  a recording's duration), so a no-op rebuild opens no media at all.

Every object is written under a temporary name and renamed before its row is
committed, so a build killed at any moment leaves either a complete rendition
or none; `collect` removes whatever this run did not use, rows and files alike.

`MediaCache` is the build's (the only writer); `CacheReader` answers the same
questions for the audit without writing anything, not even a "used" mark.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

MANIFEST = "manifest.sqlite"
OBJECTS = "objects"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER,
                                    sha256 TEXT);
CREATE TABLE IF NOT EXISTS outputs (key TEXT PRIMARY KEY, file TEXT, used INTEGER);
CREATE TABLE IF NOT EXISTS metas (key TEXT PRIMARY KEY, meta TEXT, used INTEGER);
"""


def output_key(*parts: object) -> str:
    """A stable key for one output from everything that shapes it."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:40]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class MediaCache:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = root / OBJECTS
        self.objects.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(root / MANIFEST, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(_SCHEMA)
        self.run_id = time.time_ns()
        self.hashed = 0

    def close(self) -> None:
        self.db.close()

    # -- sources -------------------------------------------------------------

    def sha256(self, path: Path) -> str:
        """The file's sha256; read only when its size or mtime changed since last time."""
        stat = path.stat()
        row = self.db.execute(
            "SELECT size, mtime_ns, sha256 FROM sources WHERE path = ?", (str(path),)
        ).fetchone()
        if row and row[0] == stat.st_size and row[1] == stat.st_mtime_ns:
            return str(row[2])
        digest = file_sha256(path)
        self.hashed += 1
        self.db.execute(
            "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?)",
            (str(path), stat.st_size, stat.st_mtime_ns, digest),
        )
        return digest

    # -- outputs -------------------------------------------------------------

    def get(self, key: str) -> Path | None:
        """The cached file for `key`, marked as used by this run; None if absent."""
        row = self.db.execute("SELECT file FROM outputs WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        path = self.objects / row[0]
        if not path.is_file():
            return None
        self.db.execute("UPDATE outputs SET used = ? WHERE key = ?", (self.run_id, key))
        return path

    def put(self, key: str, produced: Path) -> Path:
        """Move a freshly produced file into the cache under `key`; returns its new path."""
        name = f"{key[:2]}/{key}{produced.suffix}"
        dest = self.objects / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(produced, dest)
        self.db.execute("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?)", (key, name, self.run_id))
        return dest

    def get_meta(self, key: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT meta FROM metas WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        self.db.execute("UPDATE metas SET used = ? WHERE key = ?", (self.run_id, key))
        meta: dict[str, Any] = json.loads(row[0])
        return meta

    def put_meta(self, key: str, meta: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO metas VALUES (?, ?, ?)",
            (key, json.dumps(meta, sort_keys=True), self.run_id),
        )

    # -- cleaning ------------------------------------------------------------

    def collect(self) -> int:
        """Remove every row and file this run did not use (deleted or changed sources)."""
        stale = [
            r[0]
            for r in self.db.execute("SELECT file FROM outputs WHERE used IS NOT ?", (self.run_id,))
        ]
        self.db.execute("DELETE FROM outputs WHERE used IS NOT ?", (self.run_id,))
        self.db.execute("DELETE FROM metas WHERE used IS NOT ?", (self.run_id,))
        removed = 0
        for name in stale:
            (self.objects / name).unlink(missing_ok=True)
            removed += 1
        # Files with no row at all: a build killed between a rename and its commit.
        known = {r[0] for r in self.db.execute("SELECT file FROM outputs")}
        for path in self.objects.glob("*/*"):
            rel = f"{path.parent.name}/{path.name}"
            if rel not in known:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def forget_missing_sources(self) -> None:
        """Drop fast-check rows of sources that no longer exist."""
        rows = list(self.db.execute("SELECT path FROM sources"))
        gone = [(p,) for (p,) in rows if not Path(p).exists()]
        self.db.executemany("DELETE FROM sources WHERE path = ?", gone)


class CacheReader:
    """A media cache read, never written: what the audit asks of `build/.cache/`.

    The manifest is opened read-only (an SQLite `mode=ro` URI), so the reader can
    neither create a cache where there is none nor mark a row as used (which would
    keep it from the next build's `collect`). A missing or unreadable manifest is an
    empty cache: every question has the answer "not cached".
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = root / OBJECTS
        self.db: sqlite3.Connection | None = None
        manifest = root / MANIFEST
        if manifest.is_file():
            try:
                self.db = sqlite3.connect(f"{manifest.resolve().as_uri()}?mode=ro", uri=True)
            except sqlite3.Error:
                self.db = None
        self._shas: dict[Path, str | None] = {}

    def __enter__(self) -> CacheReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def _row(self, sql: str, key: str) -> tuple[Any, ...] | None:
        if self.db is None:
            return None
        try:
            row: tuple[Any, ...] | None = self.db.execute(sql, (key,)).fetchone()
        except sqlite3.Error:  # not a cache's manifest, or one being rewritten
            return None
        return row

    def sha256(self, path: Path) -> str | None:
        """The file's sha256 (the manifest's when its size and mtime still match); None
        if the file cannot be read."""
        if path not in self._shas:
            try:
                stat = path.stat()
                row = self._row(
                    "SELECT size, mtime_ns, sha256 FROM sources WHERE path = ?", str(path)
                )
                if row and row[0] == stat.st_size and row[1] == stat.st_mtime_ns:
                    self._shas[path] = str(row[2])
                else:
                    self._shas[path] = file_sha256(path)
            except OSError:
                self._shas[path] = None
        return self._shas[path]

    def file(self, key: str) -> Path | None:
        """The cached file for `key`; None if it has no row or its file is gone."""
        row = self._row("SELECT file FROM outputs WHERE key = ?", key)
        if row is None:
            return None
        path = self.objects / str(row[0])
        return path if path.is_file() else None

    def files(self, keys: Iterable[str]) -> list[Path]:
        """The cached files of those keys that have one, in order."""
        return [path for key in keys if (path := self.file(key)) is not None]

    def meta(self, key: str) -> dict[str, Any] | None:
        """The facts stored under `key`; None if absent or not a JSON object."""
        row = self._row("SELECT meta FROM metas WHERE key = ?", key)
        if row is None:
            return None
        try:
            meta = json.loads(str(row[0]))
        except ValueError:
            return None
        return meta if isinstance(meta, dict) else None
