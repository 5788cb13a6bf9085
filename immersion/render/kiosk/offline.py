"""What each display needs offline: its `precache.json` and its service worker.

Runs on the built kiosk site, after the engine and before publishing, because
only then are the pages and their references final. For one display it
collects every page under `<display>/` and every same-site file those pages
load (images, recordings and clips, waveform peaks, captions, scripts,
stylesheets and what the stylesheets point at), then writes:

* `<display>/precache.json`: the URLs, sorted, relative to the display folder;
* `<display>/sw.js`: `VERSION` and `PRECACHE`, then the service worker template
  (`theme/kiosk-sw/sw.js`, which is never copied into the site by itself).

`VERSION` is a hash of the template and of every precached file's bytes: it
changes whenever any of them changes, and stays the same on a rebuild with
nothing changed, so a display only downloads again what is really new.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from ...pageloads import css_urls, page_loads
from ...problems import BuildError
from ...validity import file_dates, page_parts, write_valid_until
from ..site_config import PACKAGE_THEMES
from ..staging import atomic_write

SW_TEMPLATE = PACKAGE_THEMES / "kiosk-sw" / "sw.js"
PRECACHE_FILE = "precache.json"
SW_FILE = "sw.js"

_ORIGIN = "http://kiosk.invalid"


def site_path(base: str, url: str) -> str | None:
    """The site path (no leading slash) that `url`, found at site path `base`, points at.

    None for anything that is not a file of this site: other hosts, `data:` and
    other schemes, fragments alone, and empty URLs.
    """
    url = url.strip()
    if not url or url.startswith("#"):
        return None
    try:
        parts = urlsplit(urljoin(f"{_ORIGIN}/{base}", url))
    except ValueError:
        return None
    if f"{parts.scheme}://{parts.netloc}" != _ORIGIN:
        return None
    path = posixpath.normpath(unquote(parts.path))
    if path in ("/", "."):
        return ""
    return path.lstrip("/") + ("/" if parts.path.endswith("/") else "")


@dataclass(frozen=True)
class Precache:
    display: str
    urls: tuple[str, ...]  # relative to the display folder
    pages: int
    size: int  # bytes of every precached file
    version: str
    # {site path: bytes} of every precached file, for the offline budget (budget.py).
    sizes: dict[str, int] = field(default_factory=dict)


def page_url(rel: str) -> str:
    """`entrance/persona/maya/index.html` -> `entrance/persona/maya/`."""
    return rel[: -len("index.html")]


def collect(site: Path, display: str) -> tuple[dict[str, str], int]:
    """{site path of every file the display needs: its URL}, and how many are pages."""
    folder = site / display
    pages = sorted(
        p.relative_to(site).as_posix() for p in folder.rglob("index.html") if p.is_file()
    )
    needed: dict[str, str] = {rel: page_url(rel) for rel in pages}
    stylesheets: list[str] = []
    for rel in pages:
        # What a page loads is `pageloads`' to say: the audit reads pages the same way.
        for url in page_loads((site / rel).read_text(encoding="utf-8", errors="replace")):
            add(site, page_url(rel), url, display, needed, stylesheets)
    done: set[str] = set()
    while stylesheets:
        css = stylesheets.pop()
        if css in done:
            continue
        done.add(css)
        text = (site / css).read_text(encoding="utf-8", errors="replace")
        for url in css_urls(text):
            add(site, css, url, display, needed, stylesheets)
    return needed, len(pages)


def add(
    site: Path,
    base: str,
    url: str,
    display: str,
    needed: dict[str, str],
    stylesheets: list[str],
) -> None:
    path = site_path(base, url)
    if path is None:
        return
    if path == "" or path.endswith("/") or (site / path).is_dir():
        # A page: only this display's own (they are all listed already).
        return
    if path in needed or not (site / path).is_file():
        return
    needed[path] = path
    if path.endswith(".css"):
        stylesheets.append(path)


def relative_to_display(site_url: str, display: str) -> str:
    rel = posixpath.relpath(site_url or ".", display)
    if site_url.endswith("/") or site_url == "":
        return "./" if rel == "." else rel + "/"
    return rel


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Digests:
    """sha256 of site files, remembered by the staging file each was copied from.

    The engine copies files into a fresh site folder on every build (new mtimes), so
    the staging file's size, mtime and inode stand in for the content of the copy:
    the recordings of a large room are read once, not on every build.
    """

    def __init__(self, docs: Path | None, memo: Path | None) -> None:
        self.docs = docs
        self.memo = memo
        self.known: dict[str, list[object]] = {}
        self.used: dict[str, list[object]] = {}
        if memo is not None:
            with contextlib.suppress(OSError, ValueError):
                loaded = json.loads(memo.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self.known = loaded

    def of(self, site: Path, rel: str) -> str:
        source = self.docs / rel if self.docs is not None else None
        try:
            info = source.stat() if source is not None else None
        except OSError:
            info = None
        if info is None:
            return file_digest(site / rel)
        key: list[object] = [info.st_size, info.st_mtime_ns, info.st_ino]
        remembered = self.known.get(rel)
        if isinstance(remembered, list) and remembered[:3] == key and len(remembered) == 4:
            self.used[rel] = remembered
            return str(remembered[3])
        digest = file_digest(site / rel)
        self.used[rel] = [*key, digest]
        return digest

    def save(self) -> None:
        if self.memo is None:
            return
        with contextlib.suppress(OSError, BuildError):
            data = json.dumps(self.used, sort_keys=True, separators=(",", ":")).encode()
            atomic_write(self.memo, data)


def dated_files(site: Path) -> dict[str, str]:
    """{site path: valid_until} of every page and file of the built site that has an end.

    A page's date is its root's `data-ik-valid-until`; a file's comes from every page
    part that loads it (`validity.file_dates`): a slide's clip ends with its slide.
    """
    loads: dict[str, list[str | None]] = {}
    dated: dict[str, str] = {}
    for page in sorted(p for p in site.rglob("index.html") if p.is_file()):
        rel = page.relative_to(site).as_posix()
        parts = page_parts(page.read_text(encoding="utf-8", errors="replace"))
        if parts[0][1]:
            dated[rel] = parts[0][1]
        for fragment, until in parts:
            for url in page_loads(fragment):
                path = site_path(page_url(rel), url)
                if path and not path.endswith("/") and (site / path).is_file():
                    loads.setdefault(path, []).append(until or parts[0][1])
    return {**file_dates(loads), **dated}


def validity_head(built: str, dated: dict[str, str], display: str) -> str:
    """The service worker's `BUILT` and `VALID_UNTIL` ({URL relative to sw.js: instant})."""
    mine = {
        relative_to_display(page_url(rel) if rel.endswith("index.html") else rel, display): until
        for rel, until in sorted(dated.items())
    }
    return (
        f"const BUILT = {json.dumps(built)};\n"
        f"const VALID_UNTIL = {json.dumps(mine, ensure_ascii=True, sort_keys=True)};\n"
    )


def service_worker_template() -> bytes:
    try:
        return SW_TEMPLATE.read_bytes()
    except OSError as exc:
        raise BuildError(
            f"the kiosk service worker template {SW_TEMPLATE} cannot be read "
            f"({exc.strerror or exc}); reinstall immersion"
        ) from None


def write_offline(
    site: Path,
    displays: Sequence[str],
    docs: Path | None = None,
    memo: Path | None = None,
    built: str = "",
    timezone: str = "UTC",
) -> list[Precache]:
    """Write `precache.json` and `sw.js` of every display into the built `site`,
    and the site's `valid-until.json`."""
    template = service_worker_template()
    dated = dated_files(site)
    write_valid_until(site, built, timezone, dated)
    digests = Digests(docs, memo)
    results = []
    for display in displays:
        if not (site / display / "index.html").is_file():
            continue
        needed, pages = collect(site, display)
        entries = sorted((relative_to_display(url, display), rel) for rel, url in needed.items())
        version = hashlib.sha256(template)
        sizes: dict[str, int] = {}
        for url, rel in entries:
            version.update(f"{url}\0{digests.of(site, rel)}\0".encode())
            sizes[rel] = (site / rel).stat().st_size
        size = sum(sizes.values())
        urls = tuple(url for url, _rel in entries)
        stamp = version.hexdigest()[:16]
        precache = json.dumps(list(urls), indent=1, ensure_ascii=True) + "\n"
        atomic_write(site / display / PRECACHE_FILE, precache.encode())
        head = (
            f"const VERSION = {json.dumps(stamp)};\n"
            f"const PRECACHE = {json.dumps(list(urls), ensure_ascii=True)};\n"
        ) + validity_head(built, dated, display)
        atomic_write(site / display / SW_FILE, head.encode() + template)
        results.append(Precache(display, urls, pages, size, stamp, sizes))
    digests.save()
    return results


def summary(results: Iterable[Precache]) -> list[str]:
    return [
        f"  {r.display}: {r.pages} page{'' if r.pages == 1 else 's'}, "
        f"{len(r.urls)} files offline ({r.size / 1e6:.1f} MB)"
        for r in results
    ]
