"""What earlier audits found in files with the same bytes, so a rebuild re-reads little.

`build/.cache/audit.sqlite` maps a key to the findings of one file's content checks
(pictures, recordings, URLs, handlers, excluded words and search entries), never to
those that depend on where the file is (its path, a copy of an original). The key
is the sha256 of everything the result depends on: the file's bytes (a text file's
sha256; a recording's device, inode, size and mtime, since renditions are hard links
to the media cache and never rewritten), its name, the audience, what the audience
must not see (`Excluded.digest`) and the audit's own source code. Anything that
changes the answer changes the key; unused rows go after 30 days.

A cache that cannot be opened or written is no cache: the audit reads everything.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

KEEP_SECONDS = 30 * 24 * 3600
# A row read again is marked used at most once a day: a rebuild that changed nothing
# then writes nothing, instead of rewriting every row it read.
TOUCH_SECONDS = 24 * 3600

_SCHEMA = "CREATE TABLE IF NOT EXISTS found (key TEXT PRIMARY KEY, value TEXT, used INTEGER)"


def _code_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


CODE = _code_digest()

Found = list[tuple[str, str, bool]]  # (kind, detail, blocking)


class Memo:
    """The cache of audit results; `hits` and `misses` count what `get` answered."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.db: sqlite3.Connection | None = None
        self.pending: dict[str, str] = {}  # written or touched this run, to be saved
        self.hits = 0
        self.misses = 0
        self._rows: dict[str, tuple[str, int]] | None = None  # (value, used) by key
        if cache_dir is None or not cache_dir.is_dir():
            return
        try:
            self.db = sqlite3.connect(cache_dir / "audit.sqlite", timeout=5)
            # A cache may lose its last writes in a power cut, never its consistency.
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute(_SCHEMA)
        except sqlite3.Error:
            self.db = None

    @staticmethod
    def key(*parts: object) -> str:
        return hashlib.sha256(json.dumps([CODE, *parts], default=str).encode()).hexdigest()

    def _all(self) -> dict[str, tuple[str, int]]:
        """Every row, read in one query the first time one is asked for: a site of a
        thousand pages asks a thousand times."""
        if self._rows is None:
            self._rows = {}
            if self.db is not None:
                try:
                    query = self.db.execute("SELECT key, value, used FROM found")
                    self._rows = {str(k): (str(v), int(u or 0)) for k, v, u in query}
                except sqlite3.Error:
                    pass
        return self._rows

    def get(self, key: str) -> tuple[str, Found] | None:
        """(category, findings) recorded for `key`, if any."""
        if key in self.pending:
            value = self.pending[key]
        else:
            row = self._all().get(key)
            if row is None:
                self.misses += 1
                return None
            value, used = row
            if used < time.time() - TOUCH_SECONDS:
                self.pending[key] = value  # marks it used
        self.hits += 1
        category, found = json.loads(value)
        return category, [(k, d, bool(b)) for k, d, b in found]

    def put(self, key: str, category: str, found: Found) -> None:
        self.pending[key] = json.dumps([category, found])

    def recall(self, key: str) -> Any:
        """Any JSON value remembered for `key` (not counted in hits and misses), or None."""
        value = self.pending.get(key)
        if value is None:
            row = self._all().get(key)
            if row is None:
                return None
            value, used = row
            if used < time.time() - TOUCH_SECONDS:
                self.pending[key] = value
        return json.loads(value)

    def remember(self, key: str, value: Any) -> None:
        self.pending[key] = json.dumps(value)

    def save(self) -> None:
        if self.db is None or not self.pending:
            return
        now = int(time.time())
        try:
            with self.db:
                self.db.executemany(
                    "INSERT OR REPLACE INTO found VALUES (?, ?, ?)",
                    [(k, v, now) for k, v in self.pending.items()],
                )
                self.db.execute("DELETE FROM found WHERE used < ?", (now - KEEP_SECONDS,))
        except sqlite3.Error:
            pass
        if self._rows is not None:
            self._rows.update((k, (v, now)) for k, v in self.pending.items())
        self.pending.clear()

    def close(self) -> None:
        self.save()
        if self.db is not None:
            self.db.close()
            self.db = None
