"""content/<kind folder>/<id>/index.md -> items, each with the references it wrote.

The `Reader` holds what one load collects (problems, loaded items, folders known to
be inside content/, ids that exist but could not be loaded) and the file-level
steps every part of the load uses: the symlink guard, reading YAML, checking a
mapping against its fields. `ItemCache` keeps files as loaded between loads of
the live preview.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import formats
from .. import model as m
from ..bodytext import INLINE_IMAGE, REFERENCE_IMAGE, image_src
from ..model import KIND_DIRS
from ..problems import Problem, Severity, relpath, suggest
from ..project import Project
from ..schema import ID_RE, IMAGE_EXTS, INVALID, Ctx, Ref, resolve_media, struct
from ..yamlio import ContentError, LDict, parse_yaml, read_text, split_front_matter

KNOWN_TOP = {*KIND_DIRS, Project.CONSENT, Project.ROOM_YML}


@dataclass
class Loaded:
    """One item as loaded, with the references it wrote, before they are resolved."""

    item: Any
    refs: list[Ref]
    display: str


@dataclass
class ItemCache:
    """Files as loaded, kept between loads by the live preview.

    The preview's watcher knows which files changed and `forget`s those; every
    other item is taken from here with the problems its own file had, so a
    save re-reads one bundle, not the room. The checks that span items
    (references, consent, quotes) always run again.
    """

    items: dict[tuple[str, str], tuple[Loaded | None, list[Problem]]] = field(default_factory=dict)
    yaml: dict[str, Any] = field(default_factory=dict)
    consents: dict[str, tuple[m.Consent | None, list[Problem]]] = field(default_factory=dict)

    def forget(self, rel: str) -> None:
        """Forget what depends on the project-relative path `rel`."""
        parts = rel.split("/")
        if len(parts) >= 3 and parts[0] == Project.CONTENT and parts[1] in KIND_DIRS:
            self.items.pop((KIND_DIRS[parts[1]], parts[2]), None)
        self.yaml.pop(rel, None)
        self.consents.pop(rel, None)

    def clear(self) -> None:
        self.items.clear()
        self.yaml.clear()
        self.consents.clear()


@dataclass
class Reader:
    project: Project
    today: dt.date
    cache: ItemCache | None = None
    problems: list[Problem] = field(default_factory=list)
    loaded: dict[str, dict[str, Loaded]] = field(default_factory=dict)
    safe_dirs: set[Path] = field(default_factory=set)
    # Items that exist but could not be loaded: their own file already has the problem,
    # so a reference to them is not reported again as "no persona 'maya'".
    broken: dict[str, set[str]] = field(default_factory=dict)

    @property
    def content(self) -> Path:
        return self.project.content

    def display(self, path: Path) -> str:
        return relpath(path, self.project.root)

    def problem(
        self,
        path: Path | str,
        line: int | None,
        message: str,
        hint: str = "",
        severity: Severity = Severity.ERROR,
        fld: str = "",
    ) -> None:
        display = path if isinstance(path, str) else self.display(path)
        self.problems.append(Problem(display, line, message, hint, severity, fld))

    # -- files ---------------------------------------------------------------

    def inside_content(self, path: Path) -> bool:
        """False (and a problem) for a symlink that leads out of content/."""
        # Fast path: a plain (non-link) entry of a folder already known to be inside.
        # resolve() on every bundle and file was a sixth of the load time of a large room.
        if path.parent in self.safe_dirs and not path.is_symlink():
            if path.is_dir():
                self.safe_dirs.add(path)
            return True
        try:
            real = path.resolve()
        except (OSError, RuntimeError):
            self.problem(
                path,
                None,
                "cannot resolve this path (a symlink loop?)",
                "replace the link with the real folder or file",
            )
            return False
        if not real.is_relative_to(self.content.resolve()):
            self.problem(
                path,
                None,
                "this is a link to a place outside content/",
                "copy the real files into content/ instead of linking to them",
            )
            return False
        return True

    def read_yaml_file(self, path: Path) -> Any:
        display = self.display(path)
        if self.cache is not None and display in self.cache.yaml:
            data, problems = self.cache.yaml[display]
            self.problems += problems
            return data
        try:
            data, problems = parse_yaml(read_text(path, display), display), []
        except ContentError as exc:
            data, problems = INVALID, [exc.problem]
        self.problems += problems
        if self.cache is not None:
            self.cache.yaml[display] = (data, problems)
        return data

    def check_mapping(
        self, data: Any, fields: Mapping[str, formats.F], build: Any, ctx: Ctx
    ) -> Any:
        if data is None:
            ctx.error(1, "", "the file has no fields", "`immersion new` writes a full example")
            return INVALID
        return struct(fields, build)(data, ctx, "", getattr(data, "line", 1))

    def valid_id(self, name: str, path: Path) -> bool:
        if ID_RE.match(name):
            return True
        fixed = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_") or "item"
        self.problem(
            path,
            None,
            f"'{name}' is not a valid id",
            f"rename it to '{fixed}' (lower-case letters, digits, '-' and '_')",
        )
        return False

    # -- items ---------------------------------------------------------------

    def load_items(self) -> None:
        for entry in sorted(self.content.iterdir()):
            if entry.name.startswith(".") or entry.name in KNOWN_TOP:
                continue
            if entry.is_dir():
                self.problem(
                    entry,
                    None,
                    f"unknown folder '{entry.name}'",
                    suggest(entry.name, [*KIND_DIRS, Project.CONSENT]),
                )
        for dirname, kind in KIND_DIRS.items():
            folder = self.content / dirname
            self.loaded.setdefault(kind, {})
            if not folder.is_dir():
                continue
            if not folder.is_symlink():
                self.safe_dirs.add(folder)
            for bundle in sorted(folder.iterdir(), key=lambda path: path.name):
                if bundle.name.startswith("."):
                    continue
                hit = self.cache.items.get((kind, bundle.name)) if self.cache else None
                if hit is not None:
                    # Checked when it was read; a change to it would have been forgotten.
                    loaded, problems = hit
                    self.problems += problems
                    if loaded is None:
                        self.broken.setdefault(kind, set()).add(bundle.name)
                    else:
                        self.loaded[kind][bundle.name] = loaded
                    continue
                if not bundle.is_dir():
                    self.problem(
                        bundle,
                        None,
                        f"a loose file in {dirname}/",
                        f"each item is a folder: {dirname}/<id>/index.md",
                    )
                    continue
                broken = self.broken.setdefault(kind, set())
                if not self.inside_content(bundle) or not self.valid_id(bundle.name, bundle):
                    broken.add(bundle.name)
                    continue
                index = bundle / "index.md"
                if not index.is_file():
                    self.problem(
                        bundle,
                        None,
                        "this folder has no index.md",
                        f"run `immersion new {kind} {bundle.name}` to write one",
                    )
                    broken.add(bundle.name)
                    continue
                if not self.inside_content(index):
                    broken.add(bundle.name)
                    continue
                loaded = self.cached_item(kind, bundle, index)
                if loaded is None:
                    broken.add(bundle.name)
                else:
                    self.loaded[kind][bundle.name] = loaded

    def cached_item(self, kind: str, bundle: Path, index: Path) -> Loaded | None:
        if self.cache is None:
            return self.load_item(kind, bundle, index)
        key = (kind, bundle.name)
        if key in self.cache.items:
            loaded, problems = self.cache.items[key]
            self.problems += problems
            return loaded
        first = len(self.problems)
        loaded = self.load_item(kind, bundle, index)
        self.cache.items[key] = (loaded, self.problems[first:])
        return loaded

    def load_item(self, kind: str, bundle: Path, index: Path) -> Loaded | None:
        display = self.display(index)
        try:
            front = split_front_matter(read_text(index, display), display)
        except ContentError as exc:
            self.problems.append(exc.problem)
            return None
        ctx = Ctx(display, self.content, bundle=bundle)
        meta = front.meta
        fields: Mapping[str, formats.F]
        if kind == "story" and isinstance(meta, dict):
            fields = self.story_fields(meta, ctx)
            if not fields:
                self.problems.extend(ctx.problems)
                return None
        elif kind == "story":
            # Not a mapping at all: the common fields are enough to say so.
            fields = formats.COMMON_STORY_FIELDS
        else:
            fields = {
                "persona": formats.PERSONA_FIELDS,
                "journey": formats.JOURNEY_FIELDS,
                "insight": formats.INSIGHT_FIELDS,
                "action": formats.ACTION_FIELDS,
            }[kind]
        values = self.check_mapping(meta, fields, None, ctx)
        if values is INVALID:
            self.problems.extend(ctx.problems)
            return None
        extra: dict[str, Any] = {}
        if kind == "story":
            extra["inline_images"] = self.inline_images(front.body, front.body_line, ctx)
        self.problems.extend(ctx.problems)
        source = m.Source(display, dict(ctx.lines))
        cls = {
            "persona": m.Persona,
            "journey": m.Journey,
            "story": m.Story,
            "insight": m.Insight,
            "action": m.Action,
        }[kind]
        item = cls(id=bundle.name, **values, **extra, body=front.body, source=source)
        return Loaded(item, ctx.refs, display)

    def story_fields(self, meta: Any, ctx: Ctx) -> dict[str, formats.F]:
        """The fields a story may have depend on its kind; an unknown kind stops here."""
        if not isinstance(meta, dict):
            return {}
        story_kind = meta.get("kind")
        line = meta.line_of("kind") if isinstance(meta, LDict) else 1
        if story_kind is None:
            ctx.error(
                line,
                "kind",
                "the field 'kind' is missing",
                f"add 'kind:' with one of: {', '.join(m.STORY_KINDS)}",
            )
            return {}
        if story_kind not in m.STORY_KINDS:
            ctx.error(
                line,
                "kind",
                f"unknown story kind '{story_kind}'",
                suggest(str(story_kind), m.STORY_KINDS),
            )
            return {}
        fields = dict(formats.COMMON_STORY_FIELDS)
        fields.update(formats.STORY_KIND_FIELDS[story_kind])
        # A field of another story kind gets a hint that says which kind it belongs to.
        for other, other_fields in formats.STORY_KIND_FIELDS.items():
            for name in other_fields:
                if name in meta and name not in fields:
                    ctx.error(
                        meta.line_of(name) if isinstance(meta, LDict) else 1,
                        name,
                        f"'{name}' belongs to {other} stories, not {story_kind}",
                        f"remove it, or change kind to {other}",
                    )
                    del meta[name]
        return fields

    def inline_images(self, body: str, body_line: int, ctx: Ctx) -> tuple[m.Image, ...]:
        images: list[m.Image] = []
        if "![" not in body:
            return ()
        text = body
        for match in REFERENCE_IMAGE.finditer(text):
            ctx.error(
                body_line + body.count("\n", 0, match.start()),
                "body",
                f"the photo '{match.group(0)[:60]}' is written as a reference",
                "write it inline as ![what it shows](file.jpg)",
            )
        for match in INLINE_IMAGE.finditer(text):
            line = body_line + body.count("\n", 0, match.start())
            src = image_src(match)
            if "://" in src or re.match(r"[A-Za-z][A-Za-z0-9+.-]+:", src):  # data:, javascript:
                ctx.error(
                    line,
                    "body",
                    f"the photo '{src[:60]}' is not in this item's folder",
                    "download it into the folder and write its file name",
                )
                continue
            ref = resolve_media(src, ctx, "body", line, IMAGE_EXTS)
            if ref is not INVALID:
                ctx.lines[f"body[{len(images)}]"] = line
                images.append(m.Image(ref, match.group("alt").strip()))
        return tuple(images)
