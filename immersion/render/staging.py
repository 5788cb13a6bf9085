"""The staging folder: generated files written only when their bytes change.

Writing only what changed keeps mtimes meaningful (an incremental engine build
and the live preview rely on them); files no longer produced are deleted so a
removed item leaves no page behind.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import posixpath
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from markupsafe import Markup

from ..problems import BuildError


def page_url(src: str) -> str:
    """The site URL of a Markdown page with directory URLs: `a/b.md` -> `a/b/`."""
    stem = src[: -len(".md")]
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def rel_url(from_src: str, to: str) -> str:
    """A relative URL from the page `from_src` (a .md path) to a site path or page.

    `to` is either another .md page (with an optional #anchor) or a site file
    such as `media/stories/p07/photo.jpg`. Relative URLs keep the site working
    from any folder or host, which the kiosk and file-share intranets need.
    """
    target, _, anchor = to.partition("#")
    rel = _relative(page_url(from_src), page_url(target) if target.endswith(".md") else target)
    return rel + (f"#{anchor}" if anchor else "")


@functools.lru_cache(maxsize=65536)
def _relative(base: str, target: str) -> str:
    # Cached: a large room asks for the same few thousand pairs over and over.
    rel = posixpath.relpath(target or ".", base or ".")
    if target.endswith("/") or not target:
        rel = "./" if rel == "." else rel + "/"
    return rel


def esc(value: object) -> Markup:
    """Text for HTML: content must show as text, never as markup.

    Everything is escaped, a `Markup` too: this is the one way text becomes markup.
    (`html.escape` rather than markupsafe's so quotes stay `&quot;`/`&#x27;`.)
    """
    return Markup(html.escape(str(value), quote=True))  # escaped just now


# Python-Markdown's escapable characters (plus `|`, which the tables extension adds).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


# mkdocs renders page titles, nav labels and tags into its templates without escaping
# (and `striptags` even unescapes entities), so neither raw nor escaped text is safe
# there. Characters that could open markup become their typographic look-alikes.
_TEMPLATE_UNSAFE = str.maketrans({"<": "‹", ">": "›", '"': "”", "'": "’", "`": "‘"})
_ENTITY_START = re.compile(r"&(?=#?[A-Za-z0-9]+;?)")


def template_text(value: object) -> str:
    """Text that mkdocs templates print raw: a page title, a nav label, a tag."""
    flat = " ".join(str(value).split())
    return _ENTITY_START.sub("＆", flat.translate(_TEMPLATE_UNSAFE))


def front_matter(title: str, tags: Iterable[str] = (), **extra: object) -> str:
    """The YAML front matter of a generated page: its title and tags, as templates print them."""
    meta: dict[str, object] = {"title": template_text(title)}
    if tags:
        meta["tags"] = [template_text(t) for t in tags]
    meta.update(extra)
    # JSON is YAML, and json.dumps is ten times faster than the pure-Python YAML dumper.
    return "---\n" + json.dumps(meta, ensure_ascii=False) + "\n---\n\n"


def md_text(value: object) -> Markup:
    """Text for a Markdown line: HTML-escaped, and Markdown syntax made literal."""
    flat = " ".join(str(value).split())
    return esc(_MD_SPECIAL.sub(r"\\\1", flat))


class Staging:
    """Collects the files of one staging folder and syncs them to disk.

    `changed` names every file this run wrote or deleted, which is what an
    incremental engine build needs to know. With `remember=True` (the live
    preview, which owns its staging folder and keeps this object between
    rebuilds) the digests of what was written are kept in memory, so an
    unchanged page costs no disk read on the next run.
    """

    def __init__(self, root: Path, *, remember: bool = False) -> None:
        self.root = root
        self.produced: set[str] = set()
        self.changed: set[str] = set()
        self.written = 0
        self.digests: dict[str, bytes] | None = {} if remember else None

    def begin(self) -> None:
        """Start another run with the same folder (the preview's next rebuild)."""
        self.produced = set()
        self.changed = set()
        self.written = 0

    def write_text(self, rel: str, text: str) -> None:
        self.write_bytes(rel, text.encode("utf-8"))

    def write_bytes(self, rel: str, data: bytes) -> None:
        self.produced.add(rel)
        dest = self.root / rel
        digest = b""
        if self.digests is not None:
            digest = hashlib.blake2b(data, digest_size=16).digest()
            if self.digests.get(rel) == digest:
                return
        try:
            same = dest.is_file() and dest.stat().st_size == len(data) and dest.read_bytes() == data
        except OSError:
            same = False
        if not same:
            atomic_write(dest, data)
            self.written += 1
            self.changed.add(rel)
        if self.digests is not None:
            self.digests[rel] = digest

    def placed(self, rel: str) -> None:
        """Record that a media step put a new file at `rel` (see `claim`)."""
        self.changed.add(rel)

    def claim(self, rel: str) -> Path:
        """Reserve a path that a media step fills itself; returns the destination."""
        self.produced.add(rel)
        return self.root / rel

    def prune(self) -> int:
        """Delete files under the root that this run did not produce."""
        removed = 0
        if not self.root.is_dir():
            return 0
        for dirpath, _dirnames, filenames in os.walk(self.root, topdown=False):
            for name in filenames:
                path = Path(dirpath) / name
                rel = path.relative_to(self.root).as_posix()
                if rel not in self.produced:
                    path.unlink()
                    removed += 1
                    self.changed.add(rel)
                    if self.digests is not None:
                        self.digests.pop(rel, None)
            if dirpath != str(self.root) and not os.listdir(dirpath):
                os.rmdir(dirpath)
        return removed


def atomic_write(dest: Path, data: bytes) -> None:
    """Write to a temporary name beside `dest`, then rename: never a half-written file."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    except OSError as exc:
        raise BuildError(f"cannot write {dest}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
