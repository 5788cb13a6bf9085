"""The site engine: the one module that imports mkdocs or Zensical.

It builds a staging folder (a generated mkdocs.yml beside docs/ and overrides/)
into a site folder. mkdocs (with Material) runs in-process; Zensical, its
successor, reads the same mkdocs.yml and runs as a child process (docs/engines.md).
The live preview (`WarmSite`) stays on mkdocs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import json
import logging
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .problems import BuildError

# mkdocs-material 9.8 prints an end-of-life banner on every build; editors can do nothing
# about it, and it buries their own warnings.
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


ENGINES = ("mkdocs", "zensical")
DEFAULT_ENGINE = "mkdocs"
ZENSICAL_INSTALL = "pip install 'immersion[zensical]'"

# What each engine writes as the site's search index (site paths).
SEARCH_INDEXES = {"mkdocs": "search/search_index.json", "zensical": "search.json"}

# The MkDocs plugins Zensical 0.0.73 implements (`zensical/config.py`,
# `_PLUGIN_UNSUPPORTED_OPTIONS`); it drops any other plugin, and every hook, silently.
ZENSICAL_PLUGINS = frozenset(
    {
        "api-autonav", "autorefs", "awesome-nav", "blog", "callouts", "exclude",
        "gh-admonitions", "glightbox", "include-markdown", "literate-nav", "llmstxt",
        "macros", "mkdocs-nav-weight", "markdown-exec", "markdownextradata", "meta", "mike",
        "minify", "mkdocs-audio", "mkdocs-autoapi", "mkdocs-video", "mkdocstrings", "offline",
        "privacy", "redirects", "rss", "search", "social", "table-reader", "tags",
    }
)  # fmt: skip


def zensical_ignores(plugin: str) -> bool:
    """Whether Zensical drops the MkDocs plugin named `plugin` (as mkdocs.yml spells it)."""
    name = plugin.removeprefix("material/").split("/", 1)[0]
    return name not in ZENSICAL_PLUGINS


def missing(engine: str) -> str | None:
    """Why `engine` cannot run here, with the fix; None when it can."""
    if engine == "zensical" and importlib.util.find_spec("zensical") is None:
        return f"the Zensical engine is not installed; install it with: {ZENSICAL_INSTALL}"
    return None


def build_site(config_file: Path, site_dir: Path, engine: str = DEFAULT_ENGINE) -> list[str]:
    """Build the staging site at `config_file` into `site_dir`; return engine warnings."""
    if engine == "zensical":
        return _build_zensical(config_file, site_dir)
    if engine != "mkdocs":
        raise BuildError(f"unknown site engine '{engine}' (one of: {', '.join(ENGINES)})")
    return _mkdocs_build(config_file, site_dir)[0]


def _mkdocs_build(config_file: Path, site_dir: Path) -> tuple[list[str], list[NavEntry]]:
    """mkdocs' own whole build; its warnings and the pages of its navigation."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    collector = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    previous = logger.propagate
    logger.propagate = False  # our summary reports engine warnings; no raw log lines
    navs: list[Any] = []
    try:
        config = load_config(config_file=str(config_file), site_dir=str(site_dir))
        # The navigation as built, for the next build's reuse (`build_reusing`): an event
        # of this build only, not a plugin.
        config.plugins._register_event("nav", lambda nav, **_: navs.append(nav))
        build(config)
    except MkDocsException as exc:
        raise BuildError(f"the site engine failed: {exc}") from None
    finally:
        logger.removeHandler(collector)
        logger.propagate = previous
    return collector.messages, _nav_entries(navs[-1]) if navs else []


# -- Zensical -------------------------------------------------------------------------
#
# Zensical 0.0.73 has no Python API beyond `zensical.build(config_file, options)`, which
# runs its Rust runtime in this process, prints to the process's own stdout and keeps
# module state; a child process keeps its output ours to report and its failures
# contained. It insists that site_dir lies inside the folder of the config file, so it
# builds into a hidden folder of the staging folder, which is then renamed into place
# (the same file system: build/).

# Our overrides extend Material's blocks; Zensical's "classic" variant keeps that
# layout (its "modern" one is a new look with web fonts).
_ZENSICAL_THEME = {"variant": "classic"}
_ZENSICAL_CONFIG = ".zensical.yml"
_ZENSICAL_SITE = ".zensical-site"


def _build_zensical(config_file: Path, site_dir: Path) -> list[str]:
    problem = missing("zensical")
    if problem:
        raise BuildError(problem)
    staging = config_file.parent
    try:
        config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BuildError(f"cannot read the site config {config_file}: {exc}") from None
    config.setdefault("theme", {}).update(_ZENSICAL_THEME)
    # Zensical indexes every site unless told not to; the kiosk lists no search plugin.
    plugins = config.get("plugins") or []
    searched = any(_plugin_name(p) in ("search", "material/search") for p in plugins)
    if not searched:
        config["plugins"] = [*plugins, {"search": {"enabled": False}}]
    # mkdocs reports a missing anchor at info level, never as a warning: the same here.
    config.setdefault("validation", {})["invalid_link_anchors"] = False
    config["site_dir"] = _ZENSICAL_SITE
    built = staging / _ZENSICAL_SITE
    shutil.rmtree(built, ignore_errors=True)
    zconfig = staging / _ZENSICAL_CONFIG
    zconfig.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    # No stdin: the engine never asks. Ctrl-C reaches the child too (same process group).
    command = [sys.executable, "-m", "zensical", "build", "-f", str(zconfig)]
    try:
        done = subprocess.run(
            command,
            cwd=staging,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
            env={**os.environ, "NO_COLOR": "1"},
        )
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    finally:
        zconfig.unlink(missing_ok=True)
        # Its page cache: every build here is a whole build (the staging folder is pruned
        # of what immersion did not write, and a stale cache must never shape a site).
        shutil.rmtree(staging / ".cache", ignore_errors=True)
    output = _ANSI.sub("", done.stdout + done.stderr).splitlines()
    if done.returncode != 0 or not (built / "index.html").is_file():
        shutil.rmtree(built, ignore_errors=True)
        said = " ".join(line.strip() for line in output if _said(line))
        raise BuildError(f"the site engine (Zensical) failed: {said or done.returncode}")
    if not searched:  # disabled, it still writes an empty index
        (built / SEARCH_INDEXES["zensical"]).unlink(missing_ok=True)
    # site_dir is the fresh, empty folder the caller made for this site.
    with contextlib.suppress(FileNotFoundError):
        site_dir.rmdir()
    os.replace(built, site_dir)
    return _zensical_warnings(output)


def _plugin_name(entry: object) -> str:
    return next(iter(entry), "") if isinstance(entry, dict) else str(entry)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# A diagnostic: "Warning: page does not exist", then a frame whose first line names
# "[ index.md:45:10 ]" (a path under docs/), then the quoted source.
_DIAGNOSTIC = re.compile(r"^(Warning|Error):\s*(.*)$")
_WHERE = re.compile(r"\[\s*(\S+?):(\d+)(?::\d+)?\s*\]")


def _said(line: str) -> bool:
    """A line of Zensical's output worth reporting (not its progress or its tally)."""
    text = line.strip()
    return bool(text) and not re.match(r"(Build (started|finished)|No issues|\d+ issues?)", text)


def _zensical_warnings(lines: list[str]) -> list[str]:
    """Zensical's diagnostics as one line each: "docs/index.md:45: page does not exist"."""
    found: list[str] = []
    pending: str | None = None
    for line in lines:
        text = line.strip()
        match = _DIAGNOSTIC.match(text)
        if match:
            if pending:
                found.append(pending)
            pending = match.group(2)
            continue
        where = _WHERE.search(text) if pending else None
        if pending and where:
            found.append(f"docs/{where.group(1)}:{where.group(2)}: {pending}")
            pending = None
    if pending:
        found.append(pending)
    return found


# -- the live preview's engine -------------------------------------------------------
#
# `mkdocs build --dirty` renders only pages whose source is newer than their output,
# but it reads the config, walks every file and builds every Page again, leaves the
# navigation of unchanged pages stale and drops every other page from the search
# index. The preview keeps the engine warm instead: config, files, navigation,
# Jinja environment and every rendered page stay in memory, and a rebuild renders
# only the staging pages that changed. It uses mkdocs' own page steps
# (`_populate_page`, `_build_page`: private, but mkdocs 1.6 is the last 1.x and is
# frozen), and it keeps the search index and the tags listing whole itself.

# What a rendered page carries between rebuilds when its source did not change.
_PAGE_STATE = (
    "markdown",
    "meta",
    "content",
    "toc",
    "_title_from_render",
    "present_anchor_ids",
    "links_to_anchors",
)


@dataclass
class EngineResult:
    full: bool  # config, theme templates or first build: every page was written
    written: list[str]  # site URLs of the pages written
    removed: list[str]
    warnings: list[str]
    seconds: float


class WarmSite:
    """A staging site built once, then rebuilt page by page (the live preview).

    `site_dir` is a symbolic link, swapped atomically to a fresh folder on every
    full build (the preview server keeps answering from the previous one);
    incremental builds write into the folder it points to.
    """

    def __init__(self, config_file: Path, site_dir: Path) -> None:
        self.config_file = config_file
        self.staging = config_file.parent
        self.site_dir = site_dir
        self._config: Any = None
        self._files: Any = None
        self._nav: Any = None
        self._env: Any = None
        self._search: dict[str, list[str]] = {}
        self._doc_files: list[Any] = []
        self._generation = 0

    def build(self, changed: Iterable[str] | None = None) -> EngineResult:
        """Build; `changed` lists staging paths ("docs/stories/p07.md", "mkdocs.yml")
        written or deleted since the last build, None for everything."""
        from mkdocs.exceptions import MkDocsException

        started = time.perf_counter()
        paths = None if changed is None else set(changed)
        collector = _Collect()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(collector)
        previous = logger.propagate
        logger.propagate = False
        removed: list[str] = []
        try:
            if paths is None or self._config is None or _needs_full(paths):
                written = self._full()
                full = True
            else:
                written, removed = self._incremental(paths)
                full = False
        except MkDocsException as exc:
            raise BuildError(f"the site engine failed: {exc}") from None
        except Exception as exc:  # a template or Markdown extension error on one page
            raise BuildError(f"the site engine failed: {type(exc).__name__}: {exc}") from None
        finally:
            logger.removeHandler(collector)
            logger.propagate = previous
        return EngineResult(
            full, written, removed, collector.messages, time.perf_counter() - started
        )

    # -- full ------------------------------------------------------------------

    def _full(self) -> list[str]:
        from mkdocs.commands.build import _build_theme_template
        from mkdocs.config import load_config

        self._generation += 1
        target = self.site_dir.parent / f".{self.site_dir.name}.{os.getpid()}.{self._generation}"
        shutil.rmtree(target, ignore_errors=True)
        old_pages = self._pages()
        config = load_config(config_file=str(self.config_file), site_dir=str(target))
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        self._config = config
        self._env = config.theme.get_env()
        self._search = {}
        self._structure()
        pages = self._pages()
        for src, page in pages.items():
            if _transplant(old_pages.get(src), page, self._markdown_of(src)):
                self._remap_tags(page)
            else:
                self._populate(page)
        self._refresh_tags()
        self._link_static()
        for template in config.theme.static_templates:
            _build_theme_template(template, self._env, self._files, config, self._nav)
        written = self._write(list(pages.values()))
        self._write_search()
        self._swap(target)
        return written

    def _swap(self, target: Path) -> None:
        link = self.site_dir
        old = os.path.realpath(link) if link.is_symlink() else None
        tmp = link.with_name(f".{link.name}.link")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(target.name)
        os.replace(tmp, link)
        if old and old != os.path.realpath(target):
            shutil.rmtree(old, ignore_errors=True)

    # -- incremental -------------------------------------------------------------

    def _incremental(self, paths: set[str]) -> tuple[list[str], list[str]]:
        docs = {p[len("docs/") :] for p in paths if p.startswith("docs/")}
        known = set(self._pages())
        pages_now = {d for d in docs if d.endswith(".md") and (self.staging / "docs" / d).is_file()}
        gone = {d for d in docs if d.endswith(".md") and d in known and d not in pages_now}
        added = pages_now - known
        removed_urls: list[str] = []
        if added or gone:
            old_pages = self._pages()
            for src in gone:
                page = old_pages[src]
                removed_urls.append(page.url)
                self._search.pop(page.url, None)
                _remove_output(page.file.abs_dest_path)
            self._structure()
            for src, page in self._pages().items():
                if src not in pages_now and _transplant(old_pages.get(src), page, None):
                    self._remap_tags(page)
        pages = self._pages()
        todo = [pages[src] for src in sorted(pages_now)]
        before = {id(p): _tagged(p) for p in todo}
        for page in todo:
            self._populate(page)
        # A tags listing shows every tagged page's title: write it again only when a
        # title or the tags of a page changed (it costs as much as a hundred pages).
        tags = []
        if added or gone or any(before[id(p)] != _tagged(p) for p in todo):
            tags = [p for src, p in pages.items() if src not in pages_now and _lists_tags(p)]
            for page in tags:
                self._populate(page)
            self._refresh_tags()
        self._copy_assets(docs - pages_now - gone)
        written = self._write(todo + tags)
        self._write_search()
        return written, removed_urls

    def _copy_assets(self, docs: set[str]) -> None:
        site = Path(self._config.site_dir)
        for rel in docs:
            if rel.endswith(".md"):
                continue
            src = self.staging / "docs" / rel
            if src.is_file():
                _link(str(src), str(site / rel))
            else:
                _remove_output(str(site / rel))

    def _link_static(self) -> None:
        # Hard links, not copies: a room's recordings are gigabytes, and a full preview
        # build (a theme or settings change) must not copy them again.
        for file in self._files:
            if file.is_documentation_page() or not file.inclusion.is_included():
                continue
            if file.abs_src_path is not None and file.abs_src_path != file.abs_dest_path:
                _link(file.abs_src_path, file.abs_dest_path)
            else:  # generated in memory by a plugin
                file.copy_file()

    # -- steps -------------------------------------------------------------------

    def _structure(self) -> None:
        from mkdocs.structure.files import get_files, set_exclusions
        from mkdocs.structure.nav import get_navigation
        from mkdocs.structure.pages import Page

        config = self._config
        files = get_files(config)
        files.add_files_from_theme(self._env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        self._nav = config.plugins.on_nav(nav, config=config, files=files)
        self._doc_files = list(files.documentation_pages())
        for file in self._doc_files:
            if file.page is None:
                Page(None, file, config)
        self._files = files

    def _pages(self) -> dict[str, Any]:
        return {f.src_uri: f.page for f in self._doc_files}

    def _markdown_of(self, src: str) -> str | None:
        try:
            return (self.staging / "docs" / src).read_text(encoding="utf-8-sig")
        except OSError:
            return None

    def _remap_tags(self, page: Any) -> None:
        """A transplanted page: the tags plugin must know its tags again."""
        tags = self._config.plugins.get("material/tags")
        if tags is not None and hasattr(tags, "mappings") and page.markdown is not None:
            tags.mappings.data.pop(page.url, None)
            tags.mappings.add(page, page.markdown)

    def _populate(self, page: Any) -> None:
        from mkdocs.commands.build import _populate_page

        page._immersion_source = self._markdown_of(page.file.src_uri)
        tags = self._config.plugins.get("material/tags")
        if tags is not None and hasattr(tags, "mappings"):
            # The tags plugin never forgets: a page that lost its tags, or a listing page
            # read again, would otherwise keep its old entries beside the new ones.
            tags.mappings.data.pop(page.url, None)
            tags.listings.data = {
                listing
                for listing in tags.listings.data
                if listing.page.file.src_uri != page.file.src_uri
            }
        _populate_page(page, self._config, self._files)

    def _refresh_tags(self) -> None:
        # The tags plugin fills its listing pages in `on_env`, from every page's tags.
        self._env = self._config.plugins.on_env(self._env, config=self._config, files=self._files)

    def _write(self, pages: list[Any]) -> list[str]:
        from material.plugins.search.plugin import SearchIndex
        from mkdocs.commands.build import _build_page

        config = self._config
        search = config.plugins.get("material/search")
        if search is not None:
            search.search_index = SearchIndex(**search.config)
        for page in pages:
            _build_page(page, config, self._doc_files, self._nav, self._env)
        if search is not None:
            fresh: dict[str, list[dict[str, Any]]] = {p.url: [] for p in pages}
            for entry in search.search_index.entries:
                fresh.setdefault(entry["location"].partition("#")[0], []).append(entry)
            for url, entries in fresh.items():
                # Kept serialised: the whole index is written again after every rebuild.
                self._search[url] = [
                    json.dumps(e, separators=(",", ":"), default=str) for e in entries
                ]
        return [p.url for p in pages]

    def _write_search(self) -> None:
        """The index of every page: material's own format (`generate_search_index`)."""
        search = self._config.plugins.get("material/search")
        if search is None:
            return
        search.search_index.entries = []
        head = search.search_index.generate_search_index(None)  # {"config":...,"docs":[]}
        assert head.endswith("[]}")
        docs = ",".join(e for f in self._doc_files for e in self._search.get(f.page.url, ()))
        data = head[: -len("[]}")] + "[" + docs + "]}"
        path = Path(self._config.site_dir) / "search" / "search_index.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(".search_index.json.tmp")
        tmp.write_text(data, encoding="utf-8")
        os.replace(tmp, path)


def _needs_full(paths: set[str]) -> bool:
    """The config or a theme template changed: every page must be written again."""
    return any(p == "mkdocs.yml" or p.startswith("overrides/") for p in paths)


def _lists_tags(page: Any) -> bool:
    return "<!-- material/tags" in (getattr(page, "_immersion_source", None) or "")


def _tagged(page: Any) -> tuple[object, object]:
    return (page.title, repr((page.meta or {}).get("tags")))


def _transplant(old: Any, new: Any, markdown: str | None) -> bool:
    """Give `new` the rendered state of `old` if its source is what `old` rendered.

    With `markdown` None the caller knows the source did not change.
    """
    if old is None or old.content is None or _lists_tags(old):
        return False
    source = getattr(old, "_immersion_source", None)
    if source is None or (markdown is not None and markdown != source):
        return False
    for name in _PAGE_STATE:
        if hasattr(old, name):
            setattr(new, name, getattr(old, name))
    new._immersion_source = old._immersion_source
    return True


def _link(src: str, dest: str) -> None:
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    tmp = os.path.join(os.path.dirname(dest), f".{os.path.basename(dest)}.tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    try:
        os.link(src, tmp)
    except OSError:  # another file system, or links not allowed
        shutil.copyfile(src, tmp)
    os.replace(tmp, dest)


def _remove_output(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


# -- builds that reuse the published site -----------------------------------------------
#
# A nightly rebuild of a room in which nothing changed, or one consent ended, must not
# cost a whole engine build. `site_inputs.py` keeps beside every published site what it
# was built from, and `build_reusing` keeps what cannot have changed, so the new site is
# byte for byte what a whole build writes (tests/commands/test_build_reuse.py):
#
# * nothing changed ("kept"): every file the engine wrote is hard-linked from the
#   published site into the new folder; only mkdocs' sitemap carries the build's date, so
#   a new day makes the next case with no page changed.
# * a few pages changed ("pages"): mkdocs' own steps (as `WarmSite`) read every page's
#   source (titles, tags), render only the changed pages, and hard-link the others' HTML;
#   the files every page feeds (search index, tags listing and export, sitemap, 404) are
#   written whole. A page's HTML also shows the navigation, so when a navigation page's
#   title or URL changed the build is whole; so it is when mkdocs.yml or the theme changed.
#
# Hard links are safe because nothing writes into a site folder's files once written:
# every later writer (the finish steps, publishing) replaces a file by rename.

NavEntry = tuple[str, str, str]  # (source, title, url) of a page in the navigation


@dataclass(frozen=True)
class Reuse:
    """The published site a build may reuse, and what changed since it was built."""

    site: Path
    changed: frozenset[str]  # staging paths written or deleted since ("docs/a.md")
    files: frozenset[str]  # site paths the engine wrote there
    nav: tuple[NavEntry, ...]
    build_date: str  # mkdocs' build date (the sitemap's lastmod)
    warnings: tuple[str, ...]


@dataclass
class Built:
    how: str  # "whole", "kept" (every file linked) or "pages" (changed pages rendered)
    warnings: list[str]
    files: list[str]  # site paths the engine wrote (for the next build's `Reuse`)
    nav: list[NavEntry]
    build_date: str
    rendered: int  # pages rendered (all of them for a whole build)
    pages: int = 0  # pages in the site


def build_date() -> str:
    """mkdocs' build date (`mkdocs.utils.get_build_date`, whose import costs 0.2 s)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        when = dt.datetime.now(dt.UTC)
    else:
        when = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return when.strftime("%Y-%m-%d")


def build_reusing(config_file: Path, site_dir: Path, engine: str, reuse: Reuse | None) -> Built:
    """Build into the fresh `site_dir`, reusing what `reuse` allows (None: a whole build)."""
    date = build_date()
    if reuse is not None and engine == DEFAULT_ENGINE and not _needs_full(set(reuse.changed)):
        if not reuse.changed and reuse.build_date == date:
            for rel in sorted(reuse.files):
                _hard_link(reuse.site / rel, site_dir / rel)
            files = sorted(reuse.files)
            pages = sum(1 for f in files if f.endswith(".html"))
            return Built("kept", list(reuse.warnings), files, list(reuse.nav), date, 0, pages)
        carried = _CarriedSite(config_file, site_dir, reuse).build()
        if carried is not None:
            carried.build_date = date
            carried.files = _site_files(site_dir)
            return carried
        _empty(site_dir)  # a whole build after all
    if engine == DEFAULT_ENGINE:
        warnings, nav = _mkdocs_build(config_file, site_dir)
    else:
        warnings, nav = build_site(config_file, site_dir, engine), []
    files = _site_files(site_dir)
    pages = sum(1 for f in files if f.endswith(".html"))
    return Built("whole", warnings, files, nav, date, pages, pages)


class _CarriedSite(WarmSite):
    """One build that renders only the pages `reuse.changed` names (see above)."""

    def __init__(self, config_file: Path, site_dir: Path, reuse: Reuse) -> None:
        super().__init__(config_file, site_dir)
        self.reuse = reuse

    def build(self, changed: Iterable[str] | None = None) -> Built | None:  # type: ignore[override]
        from mkdocs.exceptions import MkDocsException

        collector = _Collect()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(collector)
        previous = logger.propagate
        logger.propagate = False
        try:
            rendered = self._carry()
        except MkDocsException as exc:
            raise BuildError(f"the site engine failed: {exc}") from None
        finally:
            logger.removeHandler(collector)
            logger.propagate = previous
        if rendered is None:
            return None
        done = {p[len("docs/") :] for p in self.reuse.changed if p.startswith("docs/")}
        kept = [w for w in self.reuse.warnings if not any(src in w for src in done)]
        warnings = list(dict.fromkeys([*kept, *collector.messages]))
        return Built(
            "pages", warnings, [], _nav_entries(self._nav), "", rendered, len(self._pages())
        )

    def _carry(self) -> int | None:
        """The new site; the number of pages rendered, None when it must be built whole."""
        from mkdocs.commands.build import _build_extra_template, _build_theme_template
        from mkdocs.config import load_config

        reuse = self.reuse
        config = load_config(config_file=str(self.config_file), site_dir=str(self.site_dir))
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        self._config = config
        self._env = config.theme.get_env()
        self._structure()
        docs = {p[len("docs/") :] for p in reuse.changed if p.startswith("docs/")}
        pages = self._pages()
        # A page that appeared or went away: any page naming it may link to it.
        moved = {src for src in docs if src.endswith(".md") and src not in pages}
        moved |= {src for src, page in pages.items() if page.file.dest_uri not in reuse.files}
        names = {_link_name(src) for src in moved}
        if "" in names:
            return None  # the home page
        todo = []
        for src, page in pages.items():
            source = self._markdown_of(src)
            if source is None:
                return None
            if (
                src in docs
                or page.file.dest_uri not in reuse.files
                or "<!-- material/tags" in source
                or any(name in source for name in names)
            ):
                self._populate(page)
                todo.append(page)
            else:
                # Its title and tags, as a whole build would read them; not rendered.
                page = config.plugins.on_pre_page(page, config=config, files=self._files)
                page.read_source(config)
                config.plugins.on_page_markdown(
                    page.markdown or "", page=page, config=config, files=self._files
                )
        if tuple(_nav_entries(self._nav)) != reuse.nav:
            return None  # every page shows the navigation
        self._refresh_tags()
        self._carry_static(docs)
        for template in config.theme.static_templates:
            _build_theme_template(template, self._env, self._files, config, self._nav)
        for template in config.extra_templates:
            _build_extra_template(template, self._files, config, self._nav)
        self._read_search(reuse.site, {id(p) for p in todo})
        self._write(todo)
        for page in todo:
            page.validate_anchor_links(files=self._files, log_level=config.validation.links.anchors)
        rendered = {id(p) for p in todo}
        for page in pages.values():
            if id(page) not in rendered:
                _hard_link(reuse.site / page.file.dest_uri, Path(page.file.abs_dest_path))
        config.plugins.on_post_build(config=config)
        self._write_search()  # the whole index, over the plugin's index of the pages rendered
        return len(todo)

    def _carry_static(self, docs: set[str]) -> None:
        """Theme and staging files: linked from the published site unless they changed."""
        for file in self._files:
            if file.is_documentation_page() or not file.inclusion.is_included():
                continue
            old = self.reuse.site / file.dest_uri
            if file.abs_src_path is None:  # generated in memory by a plugin
                file.copy_file()
            elif file.src_uri in docs or file.dest_uri not in self.reuse.files:
                _link(file.abs_src_path, file.abs_dest_path)
            else:
                _hard_link(old, Path(file.abs_dest_path))

    def _read_search(self, site: Path, rendered: set[int]) -> None:
        """The published index's entries of the pages not rendered again, by page URL."""
        if self._config.plugins.get("material/search") is None:
            return
        path = site / SEARCH_INDEXES["mkdocs"]
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))["docs"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BuildError(f"cannot read the published search index {path}: {exc}") from None
        for entry in entries:
            url = entry["location"].partition("#")[0]
            self._search.setdefault(url, []).append(
                json.dumps(entry, separators=(",", ":"), default=str)
            )
        for page in self._pages().values():
            if id(page) in rendered:
                self._search.pop(page.url, None)


def _link_name(src: str) -> str:
    """What a link to the page `src` spells: `stories/p07.md` and `stories/p07/index.md`
    are both reached as `.../p07/`."""
    stem = src[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        stem = stem[: -len("index")].rstrip("/")
    return posixpath.basename(stem)


def _nav_entries(nav: Any) -> list[NavEntry]:
    return [(p.file.src_uri, str(p.title or ""), str(p.url)) for p in nav.pages]


def _site_files(site: Path) -> list[str]:
    found = []
    for dirpath, _dirs, names in os.walk(site):
        base = Path(dirpath).relative_to(site).as_posix()
        found += [name if base == "." else f"{base}/{name}" for name in names]
    return sorted(found)


def _hard_link(src: Path, dest: Path) -> None:
    """`dest` (in a fresh site folder) as a second name of `src` (in the published one)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dest)
    except FileNotFoundError:
        raise BuildError(f"the published site lost {src}: build again") from None
    except OSError:  # a file system without hard links
        shutil.copyfile(src, dest)


def _empty(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
