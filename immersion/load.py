"""content/ -> Library + problems.

All checking happens here: types (via `formats`), media paths, references,
alt text, transcripts, consent dates and review dates. Every problem is
collected; an item with a fatal problem is left out of the Library so that the
rest of the room still builds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import formats, spoken
from . import model as m
from .bodytext import INLINE_IMAGE, REFERENCE_IMAGE, image_src
from .problems import Problem, Severity, relpath, suggest
from .schema import ID_RE, IMAGE_EXTS, INVALID, Ctx, Ref, resolve_media, struct
from .yamlio import ContentError, LDict, parse_yaml, read_text, split_front_matter

KIND_DIRS = {
    "personas": "persona",
    "journeys": "journey",
    "stories": "story",
    "insights": "insight",
    "actions": "action",
}
KNOWN_TOP = {*KIND_DIRS, "consent", "room.yml"}
EXPIRY_WARNING = dt.timedelta(days=30)


@dataclass
class _Loaded:
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

    items: dict[tuple[str, str], tuple[_Loaded | None, list[Problem]]] = field(default_factory=dict)
    yaml: dict[str, Any] = field(default_factory=dict)
    consents: dict[str, tuple[m.Consent | None, list[Problem]]] = field(default_factory=dict)

    def forget(self, rel: str) -> None:
        """Forget what depends on the project-relative path `rel`."""
        parts = rel.split("/")
        if len(parts) >= 3 and parts[0] == "content" and parts[1] in KIND_DIRS:
            self.items.pop((KIND_DIRS[parts[1]], parts[2]), None)
        self.yaml.pop(rel, None)
        self.consents.pop(rel, None)

    def clear(self) -> None:
        self.items.clear()
        self.yaml.clear()
        self.consents.clear()


@dataclass
class _Loader:
    project: Path
    today: dt.date
    cache: ItemCache | None = None
    problems: list[Problem] = field(default_factory=list)
    loaded: dict[str, dict[str, _Loaded]] = field(default_factory=dict)
    safe_dirs: set[Path] = field(default_factory=set)
    # Items that exist but could not be loaded: their own file already has the problem,
    # so a reference to them is not reported again as "no persona 'maya'".
    broken: dict[str, set[str]] = field(default_factory=dict)

    @property
    def content(self) -> Path:
        return self.project / "content"

    def display(self, path: Path) -> str:
        return relpath(path, self.project)

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

    # -- room and consent ----------------------------------------------------

    def load_room(self) -> m.Room | None:
        path = self.content / "room.yml"
        if not path.is_file():
            self.problem(
                path,
                None,
                "room.yml is missing",
                "create content/room.yml with the room's name and displays "
                "(`immersion init` writes an example)",
            )
            return None
        if not self.inside_content(path):
            return None
        data = self.read_yaml_file(path)
        if data is INVALID:
            return None
        ctx = Ctx(self.display(path), self.content)
        values = self.check_mapping(data, formats.ROOM_FIELDS, None, ctx)
        self.problems.extend(ctx.problems)
        if values is INVALID:
            return None
        room = m.Room(**values, source=m.Source(ctx.display, dict(ctx.lines)))
        self.check_room(room, ctx)
        self.loaded.setdefault("room", {})["room"] = _Loaded(room, ctx.refs, ctx.display)
        return room

    def check_room(self, room: m.Room, ctx: Ctx) -> None:
        try:
            import zoneinfo

            zoneinfo.ZoneInfo(room.timezone)
        except (ValueError, KeyError, OSError, ImportError):
            zones = ["Europe/London", "Europe/Paris", "America/New_York", "UTC"]
            self.problem(
                ctx.display,
                room.source.line("timezone"),
                f"'{room.timezone}' is not a known time zone",
                suggest(room.timezone, zones),
                fld="timezone",
            )
        self.check_unique(
            [d.id for d in room.displays],
            ctx.display,
            lambda i: room.source.line(f"displays[{i}].id"),
            "display",
        )
        self.check_unique(
            [t.id for t in room.tours],
            ctx.display,
            lambda i: room.source.line(f"tours[{i}].id"),
            "tour",
        )
        for index, display in enumerate(room.displays):
            playlist = display.playlist
            chosen = [name for name in ("tour", "items", "kind") if getattr(playlist, name)]
            # A playlist whose only choice was written wrong is already reported at that line.
            prefix = f"displays[{index}].playlist."
            if not chosen and any(p.field.startswith(prefix) for p in ctx.problems):
                continue
            if len(chosen) != 1:
                self.problem(
                    ctx.display,
                    room.source.line(f"displays[{index}].playlist"),
                    f"display '{display.id}' needs exactly one of tour, items or kind "
                    f"in its playlist (found {', '.join(chosen) or 'none'})",
                    "for example playlist: {tour: meet-our-customers}",
                    fld=f"displays[{index}].playlist",
                )

    def load_consents(self) -> dict[str, m.Consent]:
        folder = self.content / "consent"
        consents: dict[str, m.Consent] = {}
        if not folder.is_dir():
            return consents
        if not folder.is_symlink():
            self.safe_dirs.add(folder)
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or path.suffix not in (".yml", ".yaml"):
                if not path.name.startswith("."):
                    self.problem(
                        path,
                        None,
                        "not a consent record",
                        "consent records are .yml files named after their id",
                    )
                continue
            if not self.inside_content(path):
                self.broken.setdefault("consent", set()).add(path.stem)
                continue
            cid = path.stem
            if not self.valid_id(cid, path):
                continue
            if cid in consents:
                self.problem(
                    path,
                    None,
                    f"a second consent record with the id '{cid}'",
                    "keep one of the .yml and .yaml files",
                )
                continue
            consent = self.consent(path, cid)
            if consent is None:
                self.broken.setdefault("consent", set()).add(cid)
                continue
            consents[cid] = consent
            self.check_consent_dates(consent)
        return consents

    def consent(self, path: Path, cid: str) -> m.Consent | None:
        """One consent record, read and checked (the dates are checked by the caller)."""
        display = self.display(path)
        if self.cache is not None and display in self.cache.consents:
            consent, problems = self.cache.consents[display]
            self.problems += problems
            return consent
        first = len(self.problems)
        data = self.read_yaml_file(path)
        found: m.Consent | None = None
        if data is not INVALID:
            ctx = Ctx(display, self.content)
            values = self.check_mapping(data, formats.CONSENT_FIELDS, None, ctx)
            self.problems.extend(ctx.problems)
            if values is not INVALID:
                found = m.Consent(id=cid, **values, source=m.Source(ctx.display, dict(ctx.lines)))
        if self.cache is not None:
            self.cache.consents[display] = (found, self.problems[first:])
        return found

    def check_consent_dates(self, consent: m.Consent) -> None:
        src = consent.source
        if consent.expires and consent.expires <= consent.signed:
            self.problem(
                src.path,
                src.line("expires"),
                "the consent expires before it was signed",
                "check the signed and expires dates",
                fld="expires",
            )
        if consent.withdrawn:
            self.problem(
                src.path,
                src.line("withdrawn"),
                f"consent withdrawn on {consent.withdrawn}: everything of "
                f"{consent.participant} is left out of every build",
                "delete their stories from content/ when you can",
                Severity.NOTE,
                "withdrawn",
            )
        elif consent.expires and consent.expires <= self.today:
            self.problem(
                src.path,
                src.line("expires"),
                f"consent expired on {consent.expires}: everything of "
                f"{consent.participant} is left out of every build",
                "renew the consent or delete their stories",
                Severity.NOTE,
                "expires",
            )
        elif consent.expires and consent.expires - self.today <= EXPIRY_WARNING:
            days = (consent.expires - self.today).days
            self.problem(
                src.path,
                src.line("expires"),
                f"consent expires in {days} day(s), on {consent.expires}",
                "renew it, or plan to take their stories out of the room",
                Severity.WARNING,
                "expires",
            )

    # -- items ---------------------------------------------------------------

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

    def load_items(self) -> None:
        for entry in sorted(self.content.iterdir()):
            if entry.name.startswith(".") or entry.name in KNOWN_TOP:
                continue
            if entry.is_dir():
                self.problem(
                    entry,
                    None,
                    f"unknown folder '{entry.name}'",
                    suggest(entry.name, [*KIND_DIRS, "consent"]),
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

    def cached_item(self, kind: str, bundle: Path, index: Path) -> _Loaded | None:
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

    def load_item(self, kind: str, bundle: Path, index: Path) -> _Loaded | None:
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
        return _Loaded(item, ctx.refs, display)

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

    # -- cross checks --------------------------------------------------------

    def check_unique(self, ids: Iterable[str], display: str, line_of: Any, what: str) -> None:
        seen: set[str] = set()
        for index, ident in enumerate(ids):
            if ident in seen:
                self.problem(
                    display,
                    line_of(index),
                    f"duplicate {what} id '{ident}'",
                    "give each one its own id",
                )
            seen.add(ident)

    def resolve(self, library: m.Library) -> None:
        ids = {kind: set(items) for kind, items in self.loaded.items()}
        ids["consent"] = set(library.consents)
        ids["tour"] = {t.id for t in library.room.tours} if library.room else set()
        for items in self.loaded.values():
            for loaded in items.values():
                for reference in loaded.refs:
                    kind, target = _target(reference)
                    if target in self.broken.get(kind, ()):
                        continue
                    hint = self.resolve_ref(reference, ids, library)
                    if hint is not None:
                        message, fix = hint
                        self.problem(
                            loaded.display, reference.line, message, fix, fld=reference.field
                        )

    def resolve_ref(
        self, ref: Ref, ids: Mapping[str, set[str]], library: m.Library
    ) -> tuple[str, str] | None:
        if ref.kind == "evidence":
            story_id, _, anchor = ref.target.partition("#")
            if story_id not in ids["story"]:
                return (
                    f"no story '{story_id}' for the evidence '{ref.target}'",
                    suggest(story_id, ids["story"]),
                )
            anchors = library.stories[story_id].anchors()
            if anchor and anchor not in anchors:
                return (
                    f"story '{story_id}' has no highlight or entry '{anchor}'",
                    suggest(anchor, anchors),
                )
            return None
        if ref.kind == "stage":
            journey_id, _, stage_id = ref.target.partition("/")
            if journey_id not in ids["journey"]:
                return (f"no journey '{journey_id}'", suggest(journey_id, ids["journey"]))
            stages = [s.id for s in library.journeys[journey_id].stages]
            if stage_id not in stages:
                return (
                    f"journey '{journey_id}' has no stage '{stage_id}'",
                    suggest(stage_id, stages),
                )
            return None
        if ref.kind == "playlist-item":
            item_kind, _, item_id = ref.target.partition("/")
            if item_kind not in m.ITEM_KINDS:
                return (
                    f"unknown kind '{item_kind}' in '{ref.target}'",
                    suggest(item_kind, m.ITEM_KINDS),
                )
            if item_id not in ids[item_kind]:
                return (
                    f"no {item_kind} '{item_id}' for the playlist item '{ref.target}'",
                    suggest(item_id, ids[item_kind]),
                )
            return None
        if ref.target not in ids.get(ref.kind, set()):
            return (f"no {ref.kind} '{ref.target}'", suggest(ref.target, ids.get(ref.kind, ())))
        return None

    def check_items(self, library: m.Library) -> None:
        """Checks that need several items at once, or that only warn."""
        for persona in library.personas.values():
            self.check_image(persona.portrait, persona.source, "portrait")
            # A `reviewed:` that is not a date is already an error at its own line.
            unreadable = persona.reviewed is None and persona.source.line("reviewed") is not None
            if not unreadable and (
                persona.reviewed is None or self.today - persona.reviewed > m.REVIEW_AFTER
            ):
                when = f"last reviewed {persona.reviewed}" if persona.reviewed else "never reviewed"
                self.problem(
                    persona.source.path,
                    persona.source.line("reviewed"),
                    f"persona '{persona.name}' needs review ({when})",
                    "check it against recent research and set reviewed: to today",
                    Severity.WARNING,
                    "reviewed",
                )
        for journey in library.journeys.values():
            self.check_unique(
                [s.id for s in journey.stages],
                journey.source.path,
                lambda i, j=journey: j.source.line(f"stages[{i}].id"),
                "stage",
            )
            # With a broken `personas:` reference, the list is not the one the editor meant.
            personas_known = all(p in library.personas for p in journey.personas)
            for index, stage in enumerate(journey.stages):
                if isinstance(stage.emotion, Mapping) and personas_known:
                    for persona_id in stage.emotion:
                        if persona_id not in journey.personas:
                            self.problem(
                                journey.source.path,
                                journey.source.line(f"stages[{index}].emotion"),
                                f"'{persona_id}' is not one of this journey's personas",
                                suggest(persona_id, journey.personas),
                                fld=f"stages[{index}].emotion.{persona_id}",
                            )
        for story in library.stories.values():
            self.check_story(story, library)

    def check_image(self, image: m.Image | None, source: m.Source, fld: str) -> None:
        if image is not None and not image.alt:
            self.problem(
                source.path,
                source.line(fld),
                f"the photo '{image.src.src}' has no alt text",
                'describe what it shows, for people who cannot see it: alt: "..."',
                Severity.WARNING,
                fld,
            )

    def check_story(self, story: m.Story, library: m.Library) -> None:
        src = story.source
        stages: list[str] = []
        journey = library.journeys.get(story.journey or "")
        if journey is not None:
            stages = [s.id for s in journey.stages]

        def check_stage(stage: str | None, fld: str) -> None:
            if stage is None:
                return
            if story.journey is None:
                self.problem(
                    src.path,
                    src.line(fld),
                    f"stage '{stage}' without a journey",
                    "add journey: <journey-id> to this story",
                    fld=fld,
                )
            elif stages and stage not in stages:
                self.problem(
                    src.path,
                    src.line(fld),
                    f"journey '{story.journey}' has no stage '{stage}'",
                    suggest(stage, stages),
                    fld=fld,
                )

        check_stage(story.stage, "stage")
        anchors = [h.id for h in story.highlights] + [e.id for e in story.entries]
        self.check_unique(
            anchors,
            src.path,
            lambda i: (
                src.line(f"highlights[{i}].id")
                or src.line(f"entries[{i - len(story.highlights)}].id")
            ),
            "highlight or entry",
        )
        for i, highlight in enumerate(story.highlights):
            check_stage(highlight.stage, f"highlights[{i}].stage")
            if highlight.end <= highlight.start:
                self.problem(
                    src.path,
                    src.line(f"highlights[{i}].end"),
                    f"highlight '{highlight.id}' ends before it starts",
                    "check its start and end times",
                    fld=f"highlights[{i}].end",
                )
            if story.recording is None and src.line("recording") is None:
                self.problem(
                    src.path,
                    src.line(f"highlights[{i}]"),
                    f"highlight '{highlight.id}' has no recording to point into",
                    "add recording: to this interview",
                    fld=f"highlights[{i}]",
                )
        for i, entry in enumerate(story.entries):
            check_stage(entry.stage, f"entries[{i}].stage")
            if entry.recording and not entry.transcript:
                self.missing_transcript(src, f"entries[{i}].recording", entry.recording.src)
        for i, chapter in enumerate(story.chapters):
            check_stage(chapter.stage, f"chapters[{i}].stage")
        if story.recording and not story.transcript:
            self.missing_transcript(src, "recording", story.recording.src)
        if story.narration and not story.narration.captions:
            self.problem(
                src.path,
                src.line("narration"),
                f"the narration '{story.narration.recording.src}' has no captions",
                "add captions: narration.vtt so the film can be followed without sound",
                Severity.WARNING,
                "narration",
            )
        for i, frame in enumerate(story.frames):
            if not frame.alt:
                self.problem(
                    src.path,
                    src.line(f"frames[{i}]"),
                    f"the frame '{frame.src.src}' has no alt text",
                    'describe what it shows: alt: "..."',
                    Severity.WARNING,
                    f"frames[{i}].alt",
                )
        for i, attachment in enumerate(story.attachments):
            self.check_image(attachment, src, f"attachments[{i}]")
        for i, image in enumerate(story.inline_images):
            if not image.alt:
                self.problem(
                    src.path,
                    src.line(f"body[{i}]"),
                    f"the photo '{image.src.src}' has no alt text",
                    "write it as ![what it shows](file.jpg)",
                    Severity.WARNING,
                    "body",
                )
        if story.participant.consent not in library.consents:
            return
        if story.audiences:
            allowed = library.consents[story.participant.consent].audiences
            wider = [a for a in story.audiences if a not in allowed]
            if wider:
                self.problem(
                    src.path,
                    src.line("audiences"),
                    f"audiences {wider} are wider than consent "
                    f"'{story.participant.consent}' allows ({list(allowed)})",
                    "the story is shown only where both allow it; narrow audiences:",
                    Severity.WARNING,
                    "audiences",
                )

    def missing_transcript(self, src: m.Source, fld: str, name: str) -> None:
        self.problem(
            src.path,
            src.line(fld),
            f"the recording '{name}' has no transcript",
            "add a WebVTT transcript beside it and name it in transcript:",
            Severity.WARNING,
            fld,
        )


def _target(ref: Ref) -> tuple[str, str]:
    """The kind and id of the item a reference needs to exist."""
    if ref.kind == "evidence":
        return "story", ref.target.partition("#")[0]
    if ref.kind == "stage":
        return "journey", ref.target.partition("/")[0]
    if ref.kind == "playlist-item":
        kind, _, ident = ref.target.partition("/")
        return kind, ident
    return ref.kind, ref.target


def load(
    project: Path, today: dt.date, cache: ItemCache | None = None
) -> tuple[m.Library, list[Problem]]:
    """Read and check the whole of `project/content`; never writes anything.

    With a `cache` (the live preview), files it still holds are not read again.
    """
    loader = _Loader(project, today, cache)
    if not loader.content.is_dir():
        loader.problem(
            loader.content,
            None,
            "there is no content/ folder here",
            "run the command in a room project, or start one with `immersion init`",
        )
        return empty_library(), loader.problems
    room = loader.load_room()
    consents = loader.load_consents()
    loader.load_items()
    items = {
        kind: {i: loaded.item for i, loaded in found.items()}
        for kind, found in loader.loaded.items()
        if kind != "room"
    }
    library = m.Library(
        room=room or empty_room(),
        consents=consents,
        personas=items.get("persona", {}),
        journeys=items.get("journey", {}),
        stories=items.get("story", {}),
        insights=items.get("insight", {}),
        actions=items.get("action", {}),
    )
    loader.resolve(library)
    loader.check_items(library)
    transcripts, problems = spoken.read_transcripts(library, project)
    library = library.with_(transcripts=transcripts)
    for story in library.stories.values():
        problems += spoken.check_story(story, transcripts)
    problems += spoken.check_quotes(library, today)
    return library, loader.problems + problems


def empty_room() -> m.Room:
    return m.Room(
        name="Customer Immersion Room",
        timezone="UTC",
        opening_hours=None,
        idle_seconds=90,
        displays=(),
        tours=(),
        source=m.Source("content/room.yml"),
    )


def empty_library() -> m.Library:
    return m.Library(empty_room(), {}, {}, {}, {}, {}, {})
