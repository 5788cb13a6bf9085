"""One built site, file by file: every check of the audit, in one walk.

Each file is named by its first bytes (`sniff`), then:

* a picture: the metadata it carries (`images`), also for `data:` pictures in pages;
* a recording: its tags (`audio`, ffmpeg, a hundred files per process, at the end);
* text (HTML, CSS, JSON, WebVTT, scripts, XML; gzip opened): URLs to other hosts,
  inline handlers and `javascript:` URLs (`urls`), and the words of anything the
  audience must not see (`leaks`);
* any file: byte-identical to an original in content/, or to a rendition of something
  excluded (`originals`, equal sizes only), or a page or file of a story left out.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import gzip
import hashlib
import io
import json
import mmap
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import model as m
from ..engine import SEARCH_INDEXES as ENGINE_SEARCH_INDEXES
from ..media.recipes import MediaError
from ..project import Project, zone
from ..redaction import Phrases, phrases
from . import audio, containers, images, redacted, stale
from . import findings as f
from .findings import Finding, SiteReport
from .leaks import (
    CachedRenditions,
    Excluded,
    Fragments,
    Matcher,
    Origin,
    Pastes,
    Text,
    excluded,
)
from .markup import file_text, parse_html
from .memo import Memo
from .originals import MIN_ORIGINAL_BYTES, Digests, Known, content_files, identical, originals
from .sniff import HEAD, sniff
from .urls import Checker, css_urls

MAX_TEXT = 64 << 20  # a text file (or unzipped file) larger than this is read in part
_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".svg")
_DATA_IMAGE = re.compile(r"^data:image/[\w.+-]+;base64,(.*)$", re.DOTALL | re.IGNORECASE)
_SVG_METADATA = re.compile(r"<(?:x:xmpmeta|rdf:RDF)\b", re.IGNORECASE)
# Where a site may keep a story's pages and files: its section (stories/ID/), or by kind.
_STORY_FOLDERS = (m.KIND_FOLDERS["story"], "story")
PASTED = ", pasted in "  # before the content file and line of a pasted fragment
SERVICE_WORKERS = frozenset({"sw.js", "service-worker.js", "serviceworker.js"})
URL_LISTS = frozenset({"precache.json", "manifest.json"})
# Every engine's search index: a search entry of a left-out story is a leak.
SEARCH_INDEXES = frozenset(ENGINE_SEARCH_INDEXES.values())


@dataclass
class Context:
    """What every site of one project is compared with, computed once per audience."""

    project: Project
    library: m.Library
    views: dict[str, m.Library]
    digests: Digests = field(default_factory=Digests)
    memo: Memo = field(default_factory=lambda: Memo(None))
    _content: dict[Path, int] | None = None
    _excluded: dict[str, Excluded] = field(default_factory=dict)
    _known: dict[str, dict[int, list[Known]]] = field(default_factory=dict)
    day: dt.date | None = None
    _stats: list[tuple[str, int, int, int, int]] | None = None
    pictures: dict[tuple[int, int], list[str]] = field(default_factory=dict)  # by inode
    containers: dict[tuple[int, int], list[str]] = field(default_factory=dict)  # by inode
    recordings: dict[str, set[str] | None] = field(default_factory=dict)  # by Memo key
    _pastes: dict[str, Pastes] = field(default_factory=dict)
    _phrases: dict[str, Phrases] = field(default_factory=dict)

    def phrases(self, audience: str) -> Phrases:
        """The `redact:` words of the stories `audience` sees: none may be in its site."""
        if audience not in self._phrases:
            self._phrases[audience] = phrases(self.views[audience])
        return self._phrases[audience]

    def pastes(self, audience: str) -> Pastes:
        """Where a fragment found in `audience`'s site was pasted in content/."""
        if audience not in self._pastes:
            self._pastes[audience] = Pastes(self.views[audience], self.project)
        return self._pastes[audience]

    def excluded(self, audience: str) -> Excluded:
        """What `audience` must not see: remembered from an earlier audit when nothing it
        depends on has changed (`_excluded_key`), else computed (a second at 1,000
        stories) and remembered."""
        if audience not in self._excluded:
            key = self._excluded_key(audience)
            known = self.memo.recall(key) if key else None
            found = _thaw(known, audience) if known is not None else None
            if found is None:
                renditions = CachedRenditions(self.project)
                try:
                    found = excluded(
                        self.library, self.views[audience], self.project, audience, renditions
                    )
                finally:
                    renditions.close()
                if key:
                    self.memo.remember(key, _freeze(found))
            self._excluded[audience] = found
        return self._excluded[audience]

    def _excluded_key(self, audience: str) -> str:
        """A key for `excluded()` that changes whenever its answer may: the day, every
        file in content/ (name, size, mtime, ctime, inode), mkdocs.yml (the media
        recipes), the media cache's manifest (which renditions exist), the ids each
        kind has in the library and the view, and the code of the whole package.
        '' (compute it, do not remember it) when content/ holds a linked folder, whose
        files the walk does not see."""
        if self.day is None:  # the views' day is unknown: nothing to compare with
            return ""
        files = self._content_stats()
        if files is None:
            return ""
        view = self.views[audience]
        ids = [
            (kind, sorted(self.library.by_kind(kind)), sorted(view.by_kind(kind)))
            for kind in m.ITEM_KINDS
        ]
        cache = self.project.cache
        around = [_stat(self.project.mkdocs_yml)] + [
            _stat(cache / name) for name in ("manifest.sqlite", "manifest.sqlite-wal")
        ]
        day = self.day.isoformat()
        return Memo.key("excluded", PACKAGE_CODE, audience, day, ids, around, files)

    def _content_stats(self) -> list[tuple[str, int, int, int, int]] | None:
        """Every file in content/ as (path, size, mtime, ctime, inode), sorted; also fills
        in the files `known()` compares with, from the same walk. None when a folder in
        content/ is a link."""
        if self._stats is None:
            root = self.project.content
            stats: list[tuple[str, int, int, int, int]] = []
            sizes: dict[Path, int] = {}
            for dirpath, dirs, files in os.walk(root):
                base = Path(dirpath)
                if any((base / d).is_symlink() for d in dirs):
                    self._stats = []
                    return None
                for name in files:
                    path = base / name
                    try:
                        st = path.stat()
                    except OSError:
                        continue
                    stats.append(
                        (f"{dirpath}/{name}", st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
                    )
                    if st.st_size >= MIN_ORIGINAL_BYTES:
                        sizes[path] = st.st_size
            stats.sort()
            self._stats = stats
            if self._content is None:
                self._content = sizes
        return self._stats or None

    def known(self, audience: str) -> dict[int, list[Known]]:
        """{size: files a built file must not be a copy of} for this audience."""
        if audience not in self._known:
            if self._content is None:
                self._content = content_files(self.project)
            gone = self.excluded(audience)
            by_size = originals(self.project, self._content, f.ORIGINAL)
            for size, candidates in by_size.items():
                by_size[size] = [
                    Known(k.path, k.kind, f"{k.detail}, left out of the {audience} {origin.why}")
                    if (origin := gone.sources.get(k.path))
                    else k
                    for k in candidates
                ]
            for path, origin in gone.renditions:
                try:
                    size = path.stat().st_size
                except OSError:
                    continue
                detail = f"a rendition of {gone.left_out(origin)}"
                by_size.setdefault(size, []).insert(0, Known(path, f.EXCLUDED_MEDIA, detail))
            self._known[audience] = by_size
        return self._known[audience]


def walk(root: Path) -> Iterator[tuple[str, Path]]:
    """(path relative to the site, file) for every file, sorted; links to files followed."""
    skip = len(os.fspath(root)) + 1  # os.walk's folders are `root` joined with theirs
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        base = Path(dirpath)
        prefix = dirpath[skip:]
        for name in sorted(files):
            yield (f"{prefix}/{name}" if prefix else name), base / name


class _Site:
    def __init__(self, root: Path, audience: str, folder: str, ctx: Context) -> None:
        self.root = root
        self.audience = audience
        self.ctx = ctx
        self.report = SiteReport(audience, folder)
        self.gone = ctx.excluded(audience)
        self.known = ctx.known(audience)
        self.urls = Checker(audience)
        self.recordings: list[tuple[str, Path, str, str]] = []
        self._seen: set[tuple[str, str, str]] = set()
        self.phrases = ctx.phrases(audience)
        # {story id: what its consent does not allow, of "voice" and "face"}, for the
        # stories this audience sees; and the sound and video files in their folders.
        self.limits = consent_limits(ctx.library, ctx.views[audience])
        self.limited = frozenset(self.limits)
        self.consented: list[tuple[str, Path, str]] = []

    def add(self, rel: str, kind: str, detail: str, blocking: bool = True) -> None:
        # A file name that is not UTF-8 is shown with replacement characters, never fails.
        rel = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        if (rel, kind, detail) in self._seen:
            return
        self._seen.add((rel, kind, detail))
        self.report.findings.append(Finding(self.audience, rel, kind, detail, blocking))

    def run(self) -> SiteReport:
        for rel, path in walk(self.root):
            try:
                self.file(rel, path)
            except OSError as exc:
                self.add(rel, f.UNCHECKED, f"cannot be read: {exc.strerror or exc}")
        self.tags()
        self.silence()
        self.consent()
        return self.report

    # -- every file --------------------------------------------------------------------

    def file(self, rel: str, path: Path) -> None:
        stat = path.stat()
        self.report.files += 1
        story = story_of(rel, self.gone.stories)
        if story:
            self.add(rel, f.EXCLUDED_PAGE, f"belongs to story '{story}', {self._why(story)}")
        candidates = self.known.get(stat.st_size)
        if candidates:
            same = identical(path, stat, candidates, self.ctx.digests)
            if same is not None:
                self.add(rel, same.kind, same.detail)
        with path.open("rb") as handle:
            head = handle.read(HEAD)
            category, fmt = sniff(head, path.name)
            if self.limited and (category == "audio" or containers.is_container(head)):
                limited = story_of(rel, self.limited)
                if limited:
                    self.consented.append((rel, path, limited))
            if category == "image":
                self.report.images += 1
                self.image(rel, handle, stat, fmt)
            elif category == "audio" or (category == "binary" and containers.is_container(head)):
                if fmt in ("MP4", "Matroska") or category == "binary":
                    self.container(rel, handle, stat, fmt or "QuickTime")
                if category == "binary":
                    return
                self.report.recordings += 1
                key = Memo.key("audio", stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
                self.recordings.append((rel, path, fmt, key))
            elif category in ("text", "gzip"):
                self.report.texts += 1
                handle.seek(0)
                self.text_file(rel, path.name, handle.read(MAX_TEXT), category, fmt)

    def text_file(self, rel: str, name: str, data: bytes, category: str, fmt: str) -> None:
        """The content checks of a text file, or what they found in the same bytes before."""
        key = Memo.key(
            "text",
            self.audience,
            self.gone.digest,
            self.phrases.phrases,
            name.lower(),
            hashlib.sha256(data).digest(),
        )
        known = self.ctx.memo.get(key)
        if known is not None:
            for kind, detail, blocking in known[1]:
                self.add(rel, kind, detail, blocking)
            return
        before = len(self.report.findings)
        if category == "gzip":
            self.gzip(rel, name, data)
        else:
            self.text(rel, name, data, fmt)
        found = [(f.kind, f.detail, f.blocking) for f in self.report.findings[before:]]
        # Where a fragment was pasted is a line of a content file, not of these bytes:
        # such a result is found again next time, never remembered.
        if not any(PASTED in detail for _kind, detail, _blocking in found):
            self.ctx.memo.put(key, category, found)

    def _why(self, story: str) -> str:
        loaded = story in self.ctx.library.stories
        return f"left out of the {self.audience} " + (
            "by consent" if loaded else "(it cannot be loaded)"
        )

    # -- pictures ------------------------------------------------------------------------

    def image(self, rel: str, handle: io.BufferedReader, stat: os.stat_result, fmt: str) -> None:
        key = (stat.st_dev, stat.st_ino)
        found = self.ctx.pictures.get(key)
        if found is None:
            if stat.st_size == 0:
                found = []
            elif stat.st_size > 1 << 16:
                with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                    found = images.metadata(data, fmt)
            else:
                handle.seek(0)
                found = images.metadata(handle.read(), fmt)
            self.ctx.pictures[key] = found
        if found:
            self.add(rel, f.IMAGE_METADATA, images.describe(fmt, found))

    def container(
        self, rel: str, handle: io.BufferedReader, stat: os.stat_result, fmt: str
    ) -> None:
        """Place, device, time and people in an MP4/MOV/Matroska container's own boxes,
        reported as a picture's EXIF is."""
        key = (stat.st_dev, stat.st_ino)
        found = self.ctx.containers.get(key)
        if found is None:
            if stat.st_size == 0:
                found = []
            else:
                with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                    found = containers.metadata(data, fmt)
            self.ctx.containers[key] = found
        if found:
            self.add(rel, f.CONTAINER_METADATA, containers.describe(fmt, found))

    def inline_image(self, rel: str, url: str) -> None:
        match = _DATA_IMAGE.match(url.strip())
        if not match:
            return
        try:
            data = base64.b64decode(re.sub(r"\s+", "", match.group(1)), validate=False)
        except (binascii.Error, ValueError):
            return
        category, fmt = sniff(data[:HEAD])
        if category == "image":
            found = images.metadata(data, fmt)
            if found:
                self.add(rel, f.IMAGE_METADATA, "inline " + images.describe(fmt, found))

    # -- recordings ------------------------------------------------------------------------

    def tags(self) -> None:
        known = self.ctx.recordings
        memo = self.ctx.memo
        for _rel, _path, _fmt, key in self.recordings:
            if key not in known and (found := memo.get(key)) is not None:
                known[key] = None if found[0] == "unreadable" else {d for _k, d, _b in found[1]}
        todo = [r for r in self.recordings if r[3] not in known]
        if todo:
            try:
                read = audio.tags([path for _rel, path, _fmt, _key in todo])
            except MediaError as exc:
                for rel, _path, _fmt, _key in todo:
                    self.add(rel, f.UNCHECKED, f"its tags cannot be read: {exc}")
                return
            for _rel, path, _fmt, key in todo:
                names = known[key] = read.get(path)
                if names is None:
                    memo.put(key, "unreadable", [])
                else:
                    memo.put(key, "audio", [("tag", name, True) for name in sorted(names)])
        for rel, _path, fmt, key in self.recordings:
            names = known.get(key)
            if names is None:
                if fmt != "MPEG":  # a weak guess that ffmpeg did not confirm
                    self.add(rel, f.UNCHECKED, f"looks like {fmt} audio but cannot be opened")
            elif names:
                self.add(rel, f.AUDIO_TAGS, audio.describe(fmt, names))

    # -- consent: no voice, no face ----------------------------------------------------

    def consent(self) -> None:
        """No file of a story whose consent lacks `voice` holds sound, and none of one
        whose consent lacks `face` a picture: the streams ffmpeg lists in each sound or
        video file in the story's folders, whatever the build meant to write there."""
        if not self.consented:
            return
        try:
            found = audio.streams([path for _rel, path, _story in self.consented])
        except MediaError as exc:
            for rel, _path, _story in self.consented:
                self.add(rel, f.UNCHECKED, f"its streams cannot be read: {exc}")
            return
        for rel, path, story in self.consented:
            kinds = found.get(path)
            if kinds is None:
                self.add(rel, f.UNCHECKED, "cannot be opened to list its streams")
                continue
            lacks = self.limits[story]
            if "voice" in lacks and "audio" in kinds:
                detail = f"has an audio stream, but the consent of story '{story}' does not allow"
                self.add(rel, f.VOICE_NOT_ALLOWED, f"{detail} the voice")
            if "face" in lacks and "video" in kinds:
                detail = f"has a video stream, but the consent of story '{story}' does not allow"
                self.add(rel, f.FACE_NOT_ALLOWED, f"{detail} the face")

    # -- text --------------------------------------------------------------------------------

    def gzip(self, rel: str, name: str, data: bytes) -> None:
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
                inner_data = unzipped.read(MAX_TEXT)
        except (OSError, EOFError):
            return
        inner = name[:-3] if name.lower().endswith(".gz") else name
        category, fmt = sniff(inner_data[:HEAD], inner)
        if category == "text":
            self.text(rel, inner, inner_data, fmt)

    def text(self, rel: str, name: str, data: bytes, suffix: str) -> None:
        source = data.decode("utf-8", errors="replace")
        lower = name.lower()
        if suffix in _HTML_SUFFIXES or source.lstrip()[:15].lower().startswith(
            ("<!doctype html", "<html")
        ):
            page = parse_html(source)
            for found in self.urls.page(page):
                self.add(rel, found.kind, found.detail, found.blocking)
            for tag in page.tags:
                for attr, value in tag.attrs:
                    if attr == "style":
                        for url in css_urls(value):
                            self.inline_image(rel, url)
                    elif "data:image" in value[:12].lower():
                        self.inline_image(rel, value)
            for style in page.styles:
                for url in css_urls(style):
                    self.inline_image(rel, url)
            if suffix == ".svg" and _SVG_METADATA.search(source):
                self.add(rel, f.IMAGE_METADATA, "SVG image carries XMP (RDF metadata)")
            text = page.text
        elif suffix == ".css":
            for found in self.urls.css("", source):
                self.add(rel, found.kind, found.detail, found.blocking)
            for url in css_urls(source):
                self.inline_image(rel, url)
            text = source
        elif suffix == ".js" or suffix == ".mjs":
            if lower in SERVICE_WORKERS:
                for found in self.urls.script("service worker", source):
                    self.add(rel, found.kind, found.detail, found.blocking)
            text = source
        else:
            if lower in URL_LISTS or suffix == ".webmanifest":
                for found in self.urls.json_urls(f"{lower} entry", source):
                    self.add(rel, found.kind, found.detail, found.blocking)
            if rel in SEARCH_INDEXES:
                self.search_index(rel, source)
            text = file_text(source, suffix)
        self.leaks(rel, text)
        self.redacted_words(rel, text)

    def redacted_words(self, rel: str, text: str) -> None:
        """A phrase of a `redact:` list in a published text: one finding per phrase."""
        for phrase in self.phrases.find(text):
            self.add(rel, f.REDACTED_TEXT, f"holds '{phrase}', which a story's redact: lists")

    # -- redacted sound ------------------------------------------------------------------

    def silence(self) -> None:
        """Each span `redacted.json` lists, measured in the published file."""
        files, broken = redacted.listed(self.root)
        if broken:
            self.add(redacted.REDACTED_JSON, f.UNCHECKED, broken)
        for rel, (sound, spans) in sorted(files.items()):
            if ".." in rel.split("/") or not (self.root / rel).is_file():
                continue
            try:
                loud = redacted.loud_spans(self.root, rel, sound, spans)
            except MediaError as exc:
                self.add(rel, f.UNCHECKED, str(exc))
                continue
            for span in loud:
                self.add(rel, f.REDACTED_SOUND, span.detail)

    def search_index(self, rel: str, source: str) -> None:
        try:
            index = json.loads(source)
            # mkdocs-material's entries are "docs", Zensical's "items"; the same fields.
            docs = index.get("docs", index.get("items", []))
        except (ValueError, AttributeError):
            return
        for doc in docs if isinstance(docs, list) else []:
            location = str(doc.get("location", "")) if isinstance(doc, dict) else ""
            story = story_of(location.split("#")[0], self.gone.stories)
            if story:
                self.add(
                    rel,
                    f.EXCLUDED_PAGE,
                    f"a search entry for story '{story}' ({location}), {self._why(story)}",
                )

    def leaks(self, rel: str, text: str) -> None:
        if not self.gone.matcher and not self.gone.fragments:
            return
        words = Text(text)
        reported: set[str] = set()
        for needle in self.gone.matcher.find(words) if self.gone.matcher else ():
            origin = self.gone.needles[needle]
            if origin.placeholder:
                detail = f"the inline placeholder of {self.gone.left_out(origin)}"
                self.add(rel, f.EXCLUDED_MEDIA, detail)
            else:
                reported.add(origin.path)
                self.add(rel, f.EXCLUDED_TEXT, f"text from {self.gone.left_out(origin)}")
        self.fragments(rel, words, reported)

    def fragments(self, rel: str, words: Text, reported: set[str]) -> None:
        """Seven words in a row of excluded text: a quote pasted by hand, or a part of a
        sentence. One finding per file and origin; a whole sentence found above is not
        reported twice."""
        fragments = self.gone.fragments
        if not fragments:
            return
        for at, run in sorted(fragments.find(words.tokens).items()):
            origin = fragments.origins[at]
            if origin.path in reported:
                continue
            reported.add(origin.path)
            detail = f'the words "{run}" from {self.gone.left_out(origin)}'
            where = self.ctx.pastes(self.audience).where(run, fragments)
            if where:
                detail += f"{PASTED}{where}"
            self.add(rel, f.EXCLUDED_TEXT, detail)


def story_of(rel: str, stories: frozenset[str]) -> str | None:
    """The id of an excluded story whose folder (`stories/ID/`, `story/ID/`) holds `rel`."""
    if not stories:
        return None
    parts = rel.strip("/").split("/")
    for i, part in enumerate(parts[:-1]):
        if part in _STORY_FOLDERS and parts[i + 1] in stories:
            return parts[i + 1]
    return None


def consent_limits(library: m.Library, view: m.Library) -> dict[str, frozenset[str]]:
    """{story id: "voice" and/or "face", what its consent does not allow} for each story
    of `view` (an audience's) that lacks either; stories left out are excluded pages."""
    limits = {}
    for story_id, story in view.stories.items():
        consent = library.consents.get(story.participant.consent)
        allows = consent.allows if consent is not None else ()
        lacks = frozenset(what for what in ("voice", "face") if what not in allows)
        if lacks:
            limits[story_id] = lacks
    return limits


def audit_site(root: Path, audience: str, folder: str, ctx: Context) -> SiteReport:
    """Every finding in the built site at `root`, for `audience`, named under `folder`."""
    started = time.perf_counter()
    site = _Site(root, audience, folder, ctx)
    report = site.run()
    if ctx.day is not None:
        staleness(site, ctx.day, zone(ctx.library.room))
    report.seconds = time.perf_counter() - started  # what the audience must not see, too
    return report


def staleness(site: _Site, day: dt.date, fallback: dt.tzinfo) -> None:
    """Files the site's valid-until.json says ended by `day`, and are still published."""
    found = stale.check(site.root, day, fallback)
    if found.broken:
        site.add(stale.VALID_UNTIL, f.UNCHECKED, f"{stale.VALID_UNTIL} {found.broken}")
    for rel, ended in found.stale:
        detail = f"stale: published site still holds {rel}, whose consent ended on {ended}: rebuild"
        site.add(rel, f.STALE, detail)
    if found.note:
        site.report.notes.append(f"audit: {site.report.folder}: {found.note}")


def context(
    project: Project,
    day: dt.date,
    audiences: tuple[str, ...],
    library: m.Library | None = None,
    views: dict[str, m.Library] | None = None,
) -> Context:
    """What the sites are compared with: the room's content as of `day`."""
    from ..audience import for_audience
    from ..load import load

    if library is None:
        library, _problems = load(project, day)
    given = dict(views or {})
    for audience in audiences:
        if audience not in given:
            given[audience] = for_audience(library, audience, day)
    return Context(project, library, given, memo=Memo(project.cache), day=day)


def _package_code() -> str:
    """The digest of every module of immersion: the library the exclusions are computed
    from is made by the loader and the audience filter, not by the audit alone."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


PACKAGE_CODE = _package_code()


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _origin(data: list[object]) -> Origin:
    path, why, placeholder = data
    return Origin(str(path), str(why), bool(placeholder))


def _freeze(found: Excluded) -> dict[str, object]:
    """An `Excluded` as JSON, its matcher's index included (it is the costly part)."""

    def origin(o: Origin) -> list[object]:
        return [o.path, o.why, o.placeholder]

    return {
        "needles": [[n, origin(o)] for n, o in found.needles.items()],
        "sources": [[str(p), origin(o)] for p, o in found.sources.items()],
        "renditions": [[str(p), origin(o)] for p, o in found.renditions],
        "stories": sorted(found.stories),
        "index": found.matcher.index,
        "runs": found.fragments.runs,
        "run_origins": [origin(o) for o in found.fragments.origins],
    }


def _thaw(data: object, audience: str) -> Excluded | None:
    """The `Excluded` `_freeze` wrote; None when the row is not one (then it is recomputed)."""
    try:
        assert isinstance(data, dict)
        matcher = Matcher(())
        matcher.index = {str(k): [(str(n), str(w)) for n, w in v] for k, v in data["index"].items()}
        return Excluded(
            audience,
            needles={str(n): _origin(o) for n, o in data["needles"]},
            sources={Path(p): _origin(o) for p, o in data["sources"]},
            renditions=[(Path(p), _origin(o)) for p, o in data["renditions"]],
            stories=frozenset(str(s) for s in data["stories"]),
            matcher=matcher,
            fragments=Fragments(
                {str(k): int(v) for k, v in data["runs"].items()},
                [_origin(o) for o in data["run_origins"]],
            ),
        )
    except (AssertionError, KeyError, TypeError, ValueError, AttributeError):
        return None
