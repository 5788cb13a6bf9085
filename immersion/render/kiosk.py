"""Library (filtered for the kiosk) -> the pages of every display of the room.

The layout and the markup are the contract with the kiosk runtime (`kiosk.js`),
written down in `docs/kiosk.md`:

* `index.md`: the displays, each a link to its entry page;
* `<display>/index.md`: the entry page, the attract loop of the display: its
  `ik-config`, one `section.ik-slide` per playlist item, the quiet slide;
* `<display>/<kind>/<id>/index.md`: the item pages the playlist reaches, under
  their display so that the display's service worker controls them. Their root
  element, `ik-config`, back link and text-size control are drawn by the theme
  (`theme/kiosk/main.html`) from the page's `ik_config` front matter, so that
  they are the root's own children around the rendered page.

Each page is held until the whole site is rendered: its `ik-config` carries the
build id, a hash of everything the kiosk staging folder holds (so an unchanged
room rebuilds to the same bytes).

Links go only to pages of the same display (else the name is plain text), so a
visitor can never leave the display. Photos are one `<img>` at the narrowest
rendition that fills their slot at the display's resolution, so the service
worker precaches exactly what the display shows. Content text always goes
through `esc`/`tag`, bodies through `safe_markdown`: nothing an editor writes
becomes markup.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import model as m
from .. import spoken
from ..bodytext import INLINE_IMAGE, safe_markdown
from ..media.renditions import Renditions
from ..problems import Problem
from ..schema import EvidenceRef, MediaRef
from ..transcripts import Transcript, to_vtt
from . import charts, players
from .assets import Assets, PlacedPhoto
from .html import (
    EMOTION_WORDS,
    MOOD_FACES,
    attrs,
    block,
    chips,
    fmt_date,
    fmt_time,
    tag,
    ul,
)
from .intranet import SECTION_DIRS, STORY_KIND_LABELS, front_matter, moment_label
from .recordings import Recordings
from .staging import Staging, esc, rel_url

COUNTDOWN_SECONDS = 10
# Folders of the kiosk site that a display's own folder must not replace.
RESERVED_IDS = frozenset({"assets", "media", "search"})
HIDE = ["navigation", "toc", "footer"]
# Quotes and letters on a slide are cut to this many characters: a slide is read in seconds.
SLIDE_TEXT_LIMIT = 220
STATUS_LABELS = {"open": "Open", "in-progress": "In progress", "done": "Done", "dropped": "Dropped"}
OPEN_LABELS = {
    "persona": "Meet {name}",
    "journey": "See the journey",
    "highlight": "Hear {name}",
    "story": "Read the story",
    "film": "Watch the film",
    "diary": "Listen to the diary",
    "email": "Read the letter",
    "insight": "See the evidence",
    "action": "See what we did",
}


# ---------------------------------------------------------------- photo sizes (pure)


@dataclass(frozen=True)
class Slot:
    """The box a photo fills, as fractions of the display's width and height."""

    width: float
    height: float


# Where each photo sits, per orientation. The kiosk stylesheet fits photos inside these
# boxes (`object-fit: contain`); a photo is never shown wider than its slot needs.
SLOTS: dict[str, dict[str, Slot]] = {
    # a slide's photo: one half of a landscape screen, the top half of a portrait one
    "slide": {"landscape": Slot(0.5, 1.0), "portrait": Slot(1.0, 0.5)},
    # a persona's portrait at the head of their page
    "portrait": {"landscape": Slot(0.4, 0.8), "portrait": Slot(0.7, 0.45)},
    # a photo in the text column of an item page (bodies, attachments)
    "column": {"landscape": Slot(0.6, 0.8), "portrait": Slot(0.9, 0.6)},
}


def slot_for(use: str, orientation: str, resolution: tuple[int, int]) -> Slot:
    """The slot of a photo `use` on a display; a film fills a 16:9 stage, full width."""
    if use == "film":
        width, height = resolution
        return Slot(1.0, min(1.0, width * 9 / 16 / height))
    table = SLOTS[use]
    return table.get(orientation, table["landscape"])


def needed_width(resolution: tuple[int, int], slot: Slot, aspect: float) -> int:
    """Pixels of width a photo of `aspect` (width / height) needs to fill `slot`, contained."""
    box_width = slot.width * resolution[0]
    box_height = slot.height * resolution[1]
    return max(1, math.ceil(min(box_width, box_height * aspect) - 1e-9))


def narrowest_covering(widths: Iterable[int], needed: int) -> int:
    """The narrowest width at least `needed` wide; the widest there is when none is."""
    ordered = sorted(set(widths))
    if not ordered:
        raise ValueError("no widths to choose from")
    return next((w for w in ordered if w >= needed), ordered[-1])


# ---------------------------------------------------------------- small pure helpers


def config_script(config: dict[str, Any]) -> str:
    """`ik-config` as a JSON script element that no content can break out of."""
    text = json.dumps(config, ensure_ascii=False, separators=(", ", ": "))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f'<script type="application/json" id="ik-config">{text}</script>'


def number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


_MD_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"(^|\s)[#>]+\s|[*_~]+|^\s*[-+]\s+", re.MULTILINE)


def excerpt(text: str, limit: int = SLIDE_TEXT_LIMIT) -> str:
    """A Markdown body as plain words for a slide: no photos, links as their text, cut."""
    plain = INLINE_IMAGE.sub("", text)
    plain = _MD_LINK.sub(r"\1", plain)
    plain = _MD_MARKS.sub(lambda match: match.group(1) or " ", plain)
    plain = " ".join(plain.split())
    return cut(plain, limit)


def cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:.") + "…"


def story_sort_key(story: m.Story) -> tuple[int, str]:
    """Newest first, then by id."""
    return (-story.date.toordinal() if story.date else 1, story.id)


# ---------------------------------------------------------------- the renderer


class KioskAssets(Assets):
    """Assets that also remember what identifies each placed file (for the build id)."""

    def __init__(
        self, staging: Staging, project: Path, renditions: Renditions, problems: list[Problem]
    ) -> None:
        super().__init__(staging, project, renditions, problems)
        self.identity: dict[str, str] = {}

    def place(self, cached: Path, rel: str) -> str:
        # Cached files are named by the hash of their source and recipe.
        self.identity[f"docs/{rel}"] = cached.name
        return super().place(cached, rel)

    def transcript(self, ref: MediaRef, folder: str, script: Transcript) -> str:
        rel = super().transcript(ref, folder, script)
        self.identity[f"docs/{rel}"] = hashlib.sha256(to_vtt(script).encode()).hexdigest()
        return rel


@dataclass
class Screen:
    """One display and the items its playlist reaches (each gets a page)."""

    display: m.Display
    items: list[tuple[str, str]]
    reached: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.reached = set(self.items)

    @property
    def id(self) -> str:
        return self.display.id

    @property
    def entry(self) -> str:
        return f"{self.display.id}/index.md"

    def page(self, kind: str, item_id: str) -> str:
        return f"{self.display.id}/{kind}/{item_id}/index.md"

    def has(self, kind: str, item_id: str) -> bool:
        return (kind, item_id) in self.reached


@dataclass
class _Page:
    """A page held until the build id is known.

    Entry pages carry their `ik-config` between `before` and `after`; item pages pass
    it in the front matter (`ik_config`), from which the theme (`main.html`) draws the
    item page's root: the config, the back link and the text-size control.
    """

    title: str
    before: str
    config: dict[str, Any] | None = None
    after: str = ""
    item: bool = False

    def text(self, build: str) -> str:
        if self.config is None:
            return front_matter(self.title, hide=HIDE) + self.before + self.after
        config = {**self.config, "build": build}
        if self.item:
            return front_matter(self.title, hide=HIDE, ik_config=config) + self.before + self.after
        return (
            front_matter(self.title, hide=HIDE) + self.before + config_script(config) + self.after
        )


class KioskRenderer:
    """Writes every page of the kiosk site for one filtered Library."""

    def __init__(
        self,
        lib: m.Library,
        staging: Staging,
        assets: KioskAssets,
        problems: list[Problem],
    ) -> None:
        self.lib = lib
        self.staging = staging
        self.assets = assets
        self.recordings = Recordings(lib, assets)
        self.problems = problems
        self.screens: list[Screen] = []
        self.held: dict[str, _Page] = {}
        self.build_id = ""

    @property
    def pages(self) -> int:
        return len(self.held)

    # -- the whole site ------------------------------------------------------

    def render(self, site_name: str) -> None:
        room = self.lib.room
        for index, display in enumerate(room.displays):
            if display.id in RESERVED_IDS:
                self.problems.append(
                    Problem(
                        room.source.path,
                        room.source.line(f"displays[{index}].id"),
                        f"the display id '{display.id}' is the name of a folder of the kiosk "
                        "site; this display is left out",
                        f"rename the display, for example '{display.id}-screen'",
                        field=f"displays[{index}].id",
                    )
                )
                continue
            self.screens.append(Screen(display, self.playlist(display)))
        self.index_page(site_name)
        for screen in self.screens:
            self.entry_page(screen)
            for kind, item_id in screen.items:
                self.item_page(screen, kind, item_id)

    def finish(self) -> str:
        """Fix the build id from everything the staging folder holds, then write the pages.

        The id changes whenever a page, a rendition, the theme or the config changes, and
        stays the same when nothing did, so a rebuild of an unchanged room is the same site.
        """
        digest = hashlib.sha256()
        for rel in sorted(self.staging.produced):
            digest.update(rel.encode() + b"\0")
            held = self.held.get(rel)
            if held is not None:
                digest.update(held.text("").encode())
            elif rel in self.assets.identity:
                digest.update(self.assets.identity[rel].encode())
            else:
                with contextlib.suppress(OSError):
                    digest.update((self.staging.root / rel).read_bytes())
            digest.update(b"\0")
        self.build_id = digest.hexdigest()[:12]
        for rel, held in self.held.items():
            self.staging.write_text(rel, held.text(self.build_id))
        return self.build_id

    def hold(self, page: str, page_text: _Page) -> None:
        rel = f"docs/{page}"
        self.staging.produced.add(rel)  # claimed now, so `finish` hashes it in order
        self.held[rel] = page_text

    # -- playlists -----------------------------------------------------------

    def playlist(self, display: m.Display) -> list[tuple[str, str]]:
        """The items a display shows, in order, each once, all present in this build."""
        lib = self.lib
        playlist = display.playlist
        found: list[tuple[str, str]] = []
        if playlist.tour:
            tour = next((t for t in lib.room.tours if t.id == playlist.tour), None)
            found = list(tour.items) if tour else []
        elif playlist.items:
            found = list(playlist.items)
        elif playlist.kind in m.ITEM_KINDS:
            if playlist.kind == "story":
                found = [("story", s.id) for s in sorted(lib.stories.values(), key=story_sort_key)]
            else:
                found = [(playlist.kind, i) for i in sorted(lib.by_kind(playlist.kind))]
        elif playlist.kind:
            stories = [s for s in lib.stories.values() if s.kind_of_story == playlist.kind]
            found = [("story", s.id) for s in sorted(stories, key=story_sort_key)]
        seen: set[tuple[str, str]] = set()
        items: list[tuple[str, str]] = []
        for kind, item_id in found:
            if kind not in m.ITEM_KINDS or item_id not in lib.by_kind(kind):
                continue
            if (kind, item_id) not in seen:
                seen.add((kind, item_id))
                items.append((kind, item_id))
        return items

    # -- shared pieces -------------------------------------------------------

    def config(self, display: m.Display, entry: str) -> dict[str, Any]:
        room = self.lib.room
        hours = room.opening_hours
        return {
            "display": display.id,
            "title": display.title or display.id,
            "orientation": display.orientation,
            "resolution": list(display.resolution),
            "slide_seconds": number(display.slide_seconds),
            "idle_seconds": room.idle_seconds,
            "audio": display.audio,
            "timezone": room.timezone,
            "opening_hours": (
                {"open": hours.open.strftime("%H:%M"), "close": hours.close.strftime("%H:%M")}
                if hours
                else None
            ),
            "entry": entry,
            "build": "",
            "countdown_seconds": COUNTDOWN_SECONDS,
        }

    def media_folder(self, kind: str, item_id: str) -> str:
        return f"media/{SECTION_DIRS[kind]}/{item_id}"

    def photo(
        self,
        screen: Screen,
        page: str,
        ref: MediaRef,
        folder: str,
        alt: str,
        use: str,
        cls: str | None = None,
    ) -> str:
        """One `<img>` at the narrowest width that fills its slot on this display."""
        placed = self.assets.photo(ref, folder)
        if placed is None:
            return ""
        return self.img(screen, page, placed, alt, use, cls)

    def img(
        self, screen: Screen, page: str, placed: PlacedPhoto, alt: str, use: str, cls: str | None
    ) -> str:
        display = screen.display
        files = placed.sources.get("webp") or placed.sources.get("jpeg") or []
        if not files:
            return ""
        slot = slot_for(use, display.orientation, display.resolution)
        aspect = placed.width / placed.height if placed.height else 1.0
        width = narrowest_covering(
            [w for _path, w in files], needed_width(display.resolution, slot, aspect)
        )
        path = next(p for p, w in files if w == width)
        height = max(1, round(width * placed.height / placed.width)) if placed.width else width
        return (
            "<img"
            + attrs(
                src=rel_url(page, path),
                alt=alt,
                width=width,
                height=height,
                decoding="async",
                draggable="false",
                class_=cls,
                style=f"background:url({placed.placeholder}) center/cover no-repeat",
            )
            + ">"
        )

    def clip_attrs(
        self, page: str, ref: MediaRef | None, folder: str, clip: str | None
    ) -> dict[str, str]:
        """`data-ik-clip` (opus first: kiosks run Chromium), its type, and the m4a fallback."""
        if ref is None:
            return {}
        sources = self.recordings.sources(page, ref, folder, clip)
        if sources is None or not sources.sources:
            return {}
        (first, mime), *rest = sources.sources
        values = {"data_ik_clip": first, "data_ik_clip_type": mime}
        if rest:
            values["data_ik_clip_fallback"] = rest[0][0]
        return values

    def body(
        self,
        screen: Screen,
        page: str,
        kind: str,
        item_id: str,
        text: str,
        images: Iterable[m.Image] = (),
        cls: str = "ik-body",
        head: str = "",
    ) -> str:
        """The editor's Markdown, made safe, in its own block for the engine to render.

        `head` is HTML of ours that opens the block (a letter's header, on the same sheet).
        """
        folder = self.media_folder(kind, item_id)
        published = {image.src.src: image.src for image in images}

        def photo(src: str, alt: str) -> str | None:
            ref = published.get(src)
            html = self.photo(screen, page, ref, folder, alt.strip(), "column") if ref else ""
            return html or None

        # No links on a display: nothing may lead out of it (photos stay).
        safe = safe_markdown(text.strip(), photo, links=False)
        if not safe and not head:
            return ""
        opening = f'<div class="{cls}" markdown>'
        head = head.replace("\n", " ") + "\n\n" if head else ""
        return f"\n\n{opening}\n\n{head}{safe}\n\n</div>\n\n"

    def link(self, screen: Screen, page: str, kind: str, item_id: str, text: str) -> str:
        """A link to an item's page on this display; plain text when it has none."""
        if not screen.has(kind, item_id):
            return esc(text)
        return tag("a", esc(text), href=rel_url(page, screen.page(kind, item_id)))

    def item_title(self, kind: str, item_id: str) -> str:
        item = self.lib.by_kind(kind).get(item_id)
        return str(getattr(item, "title", item_id)) if item is not None else item_id

    def evidence(self, screen: Screen, page: str, ref: EvidenceRef) -> str:
        """Who said it and where, linked to the moment when the story is on this display."""
        story = self.lib.stories.get(ref.story)
        if story is None:
            return ""
        label = moment_label(story, ref.anchor)
        if not screen.has("story", story.id):
            return tag("span", esc(label), class_="ik-evidence")
        target = screen.page("story", story.id) + (f"#{ref.anchor}" if ref.anchor else "")
        return tag("a", esc(label), href=rel_url(page, target), class_="ik-evidence")

    def quote_card(self, screen: Screen, page: str, ref: EvidenceRef) -> str:
        """The words said at a moment, who said them, and their voice when there is a clip."""
        source = self.evidence(screen, page, ref)
        if not source:
            return ""
        words = spoken.said_at(self.lib, ref.story, ref.anchor) if ref.anchor else None
        inner = tag("p", esc(f"“{cut(words, 400)}”")) if words else ""
        inner += tag("footer", source)
        story = self.lib.stories[ref.story]
        anchor = story.anchors().get(ref.anchor) if ref.anchor else None
        if isinstance(anchor, m.Highlight):
            inner += self.recordings.audio(
                page,
                story.recording,
                self.media_folder("story", story.id),
                f"{story.participant.pseudonym}, {fmt_time(anchor.start)}",
                clip=anchor,
            )
        return tag("blockquote", inner, class_="ik-quote")

    def section(self, title: str, inner: str, cls: str = "") -> str:
        if not inner:
            return ""
        classes = "ik-section" + (f" {cls}" if cls else "")
        return block(tag("div", tag("h2", esc(title)) + inner, class_=classes))

    # -- the index of displays -----------------------------------------------

    def index_page(self, site_name: str) -> None:
        page = "index.md"
        items = [
            tag("a", esc(s.display.title or s.id), href=rel_url(page, s.entry))
            + " "
            + tag(
                "span",
                esc(
                    f"{s.id} · {s.display.orientation}, "
                    f"{s.display.resolution[0]}×{s.display.resolution[1]}"
                ),
                class_="ik-meta",
            )
            for s in self.screens
        ]
        inner = tag("h1", esc(self.lib.room.name))
        inner += ul(items, "ik-displays") if items else tag("p", "No displays in room.yml yet.")
        self.hold(page, _Page(site_name, block(tag("div", inner, class_="ik-index"))))

    # -- entry pages -----------------------------------------------------------

    def entry_page(self, screen: Screen) -> None:
        page = screen.entry
        display = screen.display
        room = self.lib.room
        slides = [self.slide(screen, kind, item_id) for kind, item_id in screen.items]
        slides = [s for s in slides if s]
        if not slides:
            slides = [self.welcome_slide(display)]
        quiet = tag("h2", esc(room.name))
        if room.opening_hours:
            quiet += tag("p", esc(f"Open again at {room.opening_hours.open.strftime('%H:%M')}"))
        opening = (
            f"<div{attrs(class_=f'ik-display ik-{display.orientation}', id='ik-display')}"
            " data-ik-display>"
        )
        rest = (
            tag("div", "".join(slides), class_="ik-stage")
            + tag("section", quiet, class_="ik-quiet", hidden=True, aria_label="The room is closed")
            + tag("nav", "", class_="ik-dots", aria_hidden="true")
            + "</div>"
        )
        self.hold(
            page,
            _Page(
                display.title or display.id,
                "\n\n" + opening,
                self.config(display, "./"),
                rest + "\n\n",
            ),
        )

    def welcome_slide(self, display: m.Display) -> str:
        room = self.lib.room
        inner = tag("h2", esc(room.name), class_="ik-name")
        if display.title:
            inner += tag("p", esc(display.title), class_="ik-segment")
        if room.opening_hours:
            hours = room.opening_hours
            inner += tag(
                "p",
                esc(f"Open {hours.open.strftime('%H:%M')}–{hours.close.strftime('%H:%M')}"),
                class_="ik-meta",
            )
        return tag(
            "section",
            tag("div", inner, class_="ik-slide-text"),
            class_="ik-slide ik-slide-welcome",
            aria_roledescription="slide",
            aria_label="Welcome",
        )

    def slide(self, screen: Screen, kind: str, item_id: str) -> str:
        item = self.lib.by_kind(kind)[item_id]
        page = screen.entry
        if isinstance(item, m.Persona):
            return self.persona_slide(screen, page, item)
        if isinstance(item, m.Journey):
            return self.journey_slide(screen, page, item)
        if isinstance(item, m.Story):
            return self.story_slide(screen, page, item)
        if isinstance(item, m.Insight):
            return self.insight_slide(screen, page, item)
        if isinstance(item, m.Action):
            return self.action_slide(screen, page, item)
        return ""

    def wrap_slide(
        self,
        screen: Screen,
        slide_kind: str,
        item: tuple[str, str],
        label: str,
        inner: str,
        open_text: str,
        clip: dict[str, str] | None = None,
    ) -> str:
        kind, item_id = item
        href = rel_url(screen.entry, screen.page(kind, item_id))
        return tag(
            "section",
            inner + tag("a", esc(open_text), href=href, class_="ik-open"),
            class_=f"ik-slide ik-slide-{slide_kind}",
            data_ik_item=f"{kind}/{item_id}",
            data_ik_href=href,
            aria_roledescription="slide",
            aria_label=label,
            **(clip or {}),
        )

    def persona_slide(self, screen: Screen, page: str, p: m.Persona) -> str:
        pic = ""
        if p.portrait:
            pic = self.photo(
                screen,
                page,
                p.portrait.src,
                self.media_folder("persona", p.id),
                p.portrait.alt,
                "slide",
                "ik-photo",
            )
        text = tag("h2", esc(p.name), class_="ik-name")
        if p.segment:
            text += tag("p", esc(p.segment), class_="ik-segment")
        clip: dict[str, str] = {}
        if p.quote:
            text += tag(
                "blockquote", tag("p", esc(f"“{p.quote.text}”")), class_="ik-quote ik-quote-big"
            )
            clip = self.quote_clip(page, p.quote.evidence)
        inner = pic + tag("div", text, class_="ik-slide-text")
        return self.wrap_slide(
            screen,
            "persona",
            ("persona", p.id),
            p.name,
            inner,
            OPEN_LABELS["persona"].format(name=p.name),
            clip,
        )

    def quote_clip(self, page: str, ref: EvidenceRef | None) -> dict[str, str]:
        """The clip of the highlight a quote points at, if this build has it."""
        if ref is None or not ref.anchor:
            return {}
        story = self.lib.stories.get(ref.story)
        anchor = story.anchors().get(ref.anchor) if story else None
        if story is None or not isinstance(anchor, m.Highlight):
            return {}
        return self.clip_attrs(
            page, story.recording, self.media_folder("story", story.id), anchor.id
        )

    def journey_slide(self, screen: Screen, page: str, j: m.Journey) -> str:
        svg = self.curve(j, lambda ref: None)
        stages = tag(
            "ol",
            "".join(
                tag("li", esc(s.title), class_="ik-mot" if s.moment_of_truth else None)
                for s in j.stages
            ),
            class_="ik-stage-names",
        )
        text = tag("h2", esc(j.title), class_="ik-name")
        people = [self.lib.personas[pid].name for pid in j.personas if pid in self.lib.personas]
        if people:
            text += tag("p", esc(", ".join(people)), class_="ik-segment")
        inner = tag("div", text, class_="ik-slide-text")
        inner += tag("figure", svg, class_="ik-curve") + stages
        return self.wrap_slide(
            screen, "journey", ("journey", j.id), j.title, inner, OPEN_LABELS["journey"]
        )

    def curve(self, j: m.Journey, href: Any) -> str:
        names = {
            pid: self.lib.personas[pid].name if pid in self.lib.personas else pid
            for pid in charts.persona_ids(j)
        }
        svg = charts.emotion_curve_svg(j, names, href)
        # HTML needs no namespace; leaving it out keeps every page free of other hosts' names.
        return svg.replace(' xmlns="http://www.w3.org/2000/svg"', "", 1)

    def story_slide(self, screen: Screen, page: str, s: m.Story) -> str:
        folder = self.media_folder("story", s.id)
        who = s.participant.pseudonym
        item = ("story", s.id)
        kind_label = STORY_KIND_LABELS[s.kind_of_story]
        if s.kind_of_story == "interview" and s.highlights:
            h = s.highlights[0]
            script = self.lib.transcript(s.transcript)
            words = spoken.quote_text(spoken.quoted(s, script, h)) if script else ""
            text = ""
            if words:
                text += tag(
                    "blockquote",
                    tag("p", esc(f"“{cut(words, SLIDE_TEXT_LIMIT)}”")),
                    class_="ik-quote ik-quote-big",
                )
            text += tag("p", esc(f"{who}, {kind_label.lower()}"), class_="ik-who")
            text += tag("p", esc(s.title), class_="ik-meta")
            return self.wrap_slide(
                screen,
                "highlight",
                item,
                s.title,
                tag("div", text, class_="ik-slide-text"),
                OPEN_LABELS["highlight"].format(name=who),
                self.clip_attrs(page, s.recording, folder, h.id),
            )
        if s.kind_of_story == "photo-film" and s.frames:
            frames = self.film_frames(screen, page, folder, s)
            if frames:
                text = tag("h2", esc(s.title), class_="ik-name")
                text += tag("p", esc(f"{who}, {kind_label.lower()}"), class_="ik-who")
                inner = players.film(frames, s.title, None) + tag(
                    "div", text, class_="ik-slide-text"
                )
                return self.wrap_slide(screen, "film", item, s.title, inner, OPEN_LABELS["film"])
        if s.kind_of_story == "audio-diary" and s.entries:
            entry = sorted(s.entries, key=lambda e: (e.recorded or dt.date.max, e.id))[0]
            text = tag("h2", esc(s.title), class_="ik-name")
            if entry.prompt:
                text += tag("p", esc(entry.prompt), class_="ik-prompt")
            said = spoken.said_at(self.lib, s.id, entry.id)
            if said:
                text += tag(
                    "blockquote",
                    tag("p", esc(f"“{cut(said, SLIDE_TEXT_LIMIT)}”")),
                    class_="ik-quote",
                )
            when = fmt_date(entry.recorded)
            text += tag(
                "p", esc(f"{who}, {kind_label.lower()}" + (f", {when}" if when else "")),
                class_="ik-who",
            )  # fmt: skip
            return self.wrap_slide(
                screen,
                "diary",
                item,
                s.title,
                tag("div", text, class_="ik-slide-text"),
                OPEN_LABELS["diary"],
                self.clip_attrs(page, entry.recording, folder, None),
            )
        if s.kind_of_story == "email":
            head = "".join(
                tag("div", tag("dt", label) + tag("dd", esc(value)))
                for label, value in (
                    ("From", s.sender or who),
                    ("Subject", s.subject),
                )
                if value
            )
            text = tag("dl", head, class_="ik-letter-head")
            words = excerpt(s.body)
            if words:
                text += tag("p", esc(words), class_="ik-letter-text")
            return self.wrap_slide(
                screen,
                "email",
                item,
                s.title,
                tag("div", text, class_="ik-letter"),
                OPEN_LABELS["email"],
            )
        pic = ""
        images = [*s.inline_images, *s.attachments]
        for image in images:
            pic = self.photo(screen, page, image.src, folder, image.alt, "slide", "ik-photo")
            if pic:
                break
        text = tag("h2", esc(s.title), class_="ik-name")
        text += tag("p", esc(f"{who}, {kind_label.lower()}"), class_="ik-who")
        words = excerpt(s.body)
        if words:
            text += tag("p", esc(words), class_="ik-excerpt")
        return self.wrap_slide(
            screen,
            "story",
            item,
            s.title,
            pic + tag("div", text, class_="ik-slide-text"),
            OPEN_LABELS["story"],
        )

    def insight_slide(self, screen: Screen, page: str, i: m.Insight) -> str:
        text = tag("h2", esc(i.statement), class_="ik-name ik-statement")
        text += tag("p", esc(i.basis.capitalize()), class_="ik-basis")
        clip: dict[str, str] = {}
        for ref in i.evidence:
            words = spoken.said_at(self.lib, ref.story, ref.anchor) if ref.anchor else None
            if not words:
                continue
            story = self.lib.stories[ref.story]
            text += tag(
                "blockquote",
                tag("p", esc(f"“{cut(words, SLIDE_TEXT_LIMIT)}”"))
                + tag("footer", esc(story.participant.pseudonym)),
                class_="ik-quote",
            )
            clip = self.quote_clip(page, ref)
            break
        return self.wrap_slide(
            screen,
            "insight",
            ("insight", i.id),
            i.statement,
            tag("div", text, class_="ik-slide-text"),
            OPEN_LABELS["insight"],
            clip,
        )

    def action_slide(self, screen: Screen, page: str, a: m.Action) -> str:
        said = tag("dt", "You said") + tag("dd", esc(a.you_said), class_="ik-you-said")
        did = tag("dt", "We did") + tag("dd", esc(a.we_did), class_="ik-we-did")
        status = tag(
            "p",
            esc(STATUS_LABELS.get(a.status, a.status)),
            class_=f"ik-status ik-status-{a.status}",
        )
        return self.wrap_slide(
            screen,
            "action",
            ("action", a.id),
            a.we_did,
            tag("dl", said + did, class_="ik-action") + status,
            OPEN_LABELS["action"],
        )

    # -- item pages ------------------------------------------------------------

    def item_page(self, screen: Screen, kind: str, item_id: str) -> None:
        item = self.lib.by_kind(kind)[item_id]
        page = screen.page(kind, item_id)
        if isinstance(item, m.Persona):
            title, content = item.name, self.persona_page(screen, page, item)
        elif isinstance(item, m.Journey):
            title, content = item.title, self.journey_page(screen, page, item)
        elif isinstance(item, m.Story):
            title, content = item.title, self.story_page(screen, page, item)
        elif isinstance(item, m.Insight):
            title, content = item.statement, self.insight_page(screen, page, item)
        else:
            title, content = item.we_did, self.action_page(screen, page, item)
        # The root, the back link and the text-size control come from the theme (main.html).
        config = self.config(screen.display, "../../")
        self.hold(page, _Page(title, content, config, item=True))

    def head(self, title: str, extra: str = "", pic: str = "") -> str:
        inner = tag("div", tag("h1", esc(title)) + extra, class_="ik-head-text")
        return block(tag("div", pic + inner, class_="ik-head"))

    def persona_page(self, screen: Screen, page: str, p: m.Persona) -> str:
        folder = self.media_folder("persona", p.id)
        pic = ""
        if p.portrait:
            pic = self.photo(
                screen, page, p.portrait.src, folder, p.portrait.alt, "portrait", "ik-persona-photo"
            )
        facts = tag("p", esc(p.segment), class_="ik-segment") if p.segment else ""
        if p.quote:
            quote = tag("p", esc(f"“{p.quote.text}”"))
            if p.quote.evidence:
                quote += tag("footer", self.evidence(screen, page, p.quote.evidence))
                quote += self.evidence_clip(page, p.quote.evidence)
            facts += tag("blockquote", quote, class_="ik-quote ik-quote-big")
        text = self.head(p.name, facts, pic)
        text += self.section("Goals", ul(esc(g) for g in p.goals))
        needs = ""
        if p.needs.functional:
            needs += tag("h3", "What they need to get done") + ul(
                esc(n) for n in p.needs.functional
            )
        if p.needs.emotional:
            needs += tag("h3", "How they want to feel") + ul(esc(n) for n in p.needs.emotional)
        text += self.section("Needs", needs)
        pains = [
            esc(pp.text) + "".join(" " + self.evidence(screen, page, ref) for ref in pp.evidence)
            for pp in p.pain_points
        ]
        text += self.section("Pain points", ul(pains))
        text += self.section("What they do", ul(esc(b) for b in p.behaviours))
        journeys = [
            self.link(screen, page, "journey", j, self.item_title("journey", j))
            for j in p.journeys
            if j in self.lib.journeys
        ]
        text += self.section("Journeys", ul(journeys))
        body = self.body(screen, page, "persona", p.id, p.body)
        if body:
            text += block(tag("h2", esc(f"About {p.name}"), class_="ik-body-title")) + body
        return text

    def evidence_clip(self, page: str, ref: EvidenceRef) -> str:
        story = self.lib.stories.get(ref.story)
        anchor = story.anchors().get(ref.anchor) if story and ref.anchor else None
        if story is None or not isinstance(anchor, m.Highlight):
            return ""
        return self.recordings.audio(
            page,
            story.recording,
            self.media_folder("story", story.id),
            f"{story.participant.pseudonym}, {fmt_time(anchor.start)}",
            clip=anchor,
        )

    def journey_page(self, screen: Screen, page: str, j: m.Journey) -> str:
        people = [
            self.link(screen, page, "persona", pid, self.lib.personas[pid].name)
            for pid in j.personas
            if pid in self.lib.personas
        ]
        extra = tag("p", "For " + ", ".join(people), class_="ik-segment") if people else ""
        text = self.head(j.title, extra)

        # The curve's points are too small to touch (12 px): its evidence is linked from the
        # stage cards below instead, with targets of 44 px.
        text += block(tag("figure", self.curve(j, lambda ref: None), class_="ik-curve"))
        names = {pid: self.lib.personas[pid].name for pid in j.personas if pid in self.lib.personas}
        cards = "".join(self.stage_card(screen, page, stage, names) for stage in j.stages)
        text += self.section("Stages", tag("ol", cards, class_="ik-stages"))
        body = self.body(screen, page, "journey", j.id, j.body)
        if body:
            text += block(tag("h2", "The journey", class_="ik-body-title")) + body
        return text

    def stage_card(self, screen: Screen, page: str, stage: m.Stage, names: dict[str, str]) -> str:
        head = esc(stage.title)
        if stage.moment_of_truth:
            head += " " + tag("span", "★ Moment of truth", class_="ik-mot")
        inner = tag("h3", head)
        rows = [
            (label, esc(value))
            for label, value in (
                ("Doing", stage.doing),
                ("Thinking", stage.thinking),
                ("Feeling", stage.feeling),
            )
            if value
        ]
        if isinstance(stage.emotion, int):
            rows.append(("Emotion", esc(EMOTION_WORDS.get(stage.emotion, str(stage.emotion)))))
        elif stage.emotion:
            rows.append(
                (
                    "Emotion",
                    ", ".join(
                        esc(f"{names.get(pid, pid)}: {EMOTION_WORDS.get(score, score)}")
                        for pid, score in stage.emotion.items()
                    ),
                )
            )
        if stage.channels:
            rows.append(("Channels", chips(stage.channels, "ik-chip")))
        if rows:
            inner += tag("dl", "".join(tag("div", tag("dt", k) + tag("dd", v)) for k, v in rows))
        if stage.pain_points:
            inner += tag("h4", "Pain points") + ul(esc(t) for t in stage.pain_points)
        if stage.opportunities:
            inner += tag("h4", "Opportunities") + ul(esc(t) for t in stage.opportunities)
        evidence = [self.evidence(screen, page, ref) for ref in stage.evidence]
        evidence = [e for e in evidence if e]
        if evidence:
            inner += tag("p", "Heard from " + ", ".join(evidence), class_="ik-meta")
        return tag(
            "li",
            inner,
            id=f"stage-{stage.id}",
            class_="ik-stage-card" + (" ik-mot-card" if stage.moment_of_truth else ""),
        )

    def story_page(self, screen: Screen, page: str, s: m.Story) -> str:
        folder = self.media_folder("story", s.id)
        meta = [
            tag("span", STORY_KIND_LABELS[s.kind_of_story], class_="ik-badge"),
            esc(s.participant.pseudonym),
        ]
        persona = s.participant.persona
        if persona and persona in self.lib.personas:
            meta.append(
                self.link(screen, page, "persona", persona, self.lib.personas[persona].name)
            )
        if s.date:
            meta.append(esc(fmt_date(s.date)))
        journey = self.lib.journeys.get(s.journey or "")
        if journey:
            meta.append(self.link(screen, page, "journey", journey.id, journey.title))
        text = self.head(s.title, tag("p", " · ".join(meta), class_="ik-meta"))
        renderer = {
            "interview": self.interview,
            "audio-diary": self.diary,
            "photo-film": self.film,
            "email": self.email,
            "story": self.written,
        }[s.kind_of_story]
        return text + renderer(screen, page, folder, s)

    def stage_name(self, s: m.Story, stage_id: str | None) -> str:
        journey = self.lib.journeys.get(s.journey or "")
        if not stage_id or journey is None:
            return ""
        stage = next((st for st in journey.stages if st.id == stage_id), None)
        return stage.title if stage else ""

    def interview(self, screen: Screen, page: str, folder: str, s: m.Story) -> str:
        text = self.body(screen, page, "story", s.id, s.body, s.inline_images)
        ident = players.audio_id(s.id)
        player, lines = self.recordings.spoken(
            page,
            folder,
            s,
            s.recording,
            s.transcript,
            ident,
            f"Interview with {s.participant.pseudonym}",
        )
        if player:
            text += self.section("Listen", player)
        if s.highlights:
            cards = "".join(
                self.highlight_card(page, folder, s, h, ident if player else None)
                for h in s.highlights
            )
            text += self.section("Highlights", tag("div", cards, class_="ik-highlights"))
        if lines:
            text += self.section("Transcript", lines)
        return text

    def highlight_card(
        self, page: str, folder: str, s: m.Story, h: m.Highlight, ident: str | None
    ) -> str:
        script = self.lib.transcript(s.transcript)
        words = spoken.quote_text(spoken.quoted(s, script, h)) if script else ""
        facts = [esc(s.participant.pseudonym), esc(fmt_time(h.start))]
        stage = self.stage_name(s, h.stage)
        if stage:
            facts.append(esc(stage))
        inner = tag("blockquote", tag("p", esc(f"“{words}”")), class_="ik-quote") if words else ""
        inner += tag("p", " · ".join(facts), class_="ik-meta")
        inner += self.recordings.clip(page, folder, s, h, ident)
        return tag(
            "article",
            inner,
            class_="ik-highlight",
            id=h.id,
            aria_label=f"Highlight {h.id}",
        )

    def diary(self, screen: Screen, page: str, folder: str, s: m.Story) -> str:
        text = self.body(screen, page, "story", s.id, s.body, s.inline_images)
        entries = []
        for e in sorted(s.entries, key=lambda e: (e.recorded or dt.date.min, e.id)):
            facts = [esc(fmt_date(e.recorded))] if e.recorded else []
            if e.mood is not None:
                facts.append(
                    tag(
                        "span",
                        MOOD_FACES.get(e.mood, ""),
                        role="img",
                        aria_label=f"mood: {EMOTION_WORDS.get(e.mood, e.mood)}",
                    )
                )
            if e.place:
                facts.append(esc(e.place))
            stage = self.stage_name(s, e.stage)
            if stage:
                facts.append(esc(stage))
            inner = tag("p", " · ".join(facts), class_="ik-meta") if facts else ""
            if e.prompt:
                inner += tag("p", tag("strong", "Prompt: ") + esc(e.prompt), class_="ik-prompt")
            ident = players.audio_id(s.id, e.id)
            when = fmt_date(e.recorded) or e.id
            player, lines = self.recordings.spoken(
                page, folder, s, e.recording, e.transcript, ident, f"Diary entry, {when}"
            )
            entries.append(tag("li", inner + player + lines, id=e.id, class_="ik-entry"))
        if entries:
            text += self.section("Entries", tag("ol", "".join(entries), class_="ik-entries"))
        return text

    def film_frames(
        self, screen: Screen, page: str, folder: str, s: m.Story
    ) -> list[players.FilmFrame]:
        """The frames that have a rendition, each on the film's timeline."""
        frames = []
        at = 0.0
        for frame in s.frames:
            picture = self.photo(screen, page, frame.src, folder, frame.alt, "film")
            if picture:
                frames.append(players.FilmFrame(at, at + frame.seconds, picture, frame.caption))
            at += frame.seconds
        return frames

    def film(self, screen: Screen, page: str, folder: str, s: m.Story) -> str:
        text = self.body(screen, page, "story", s.id, s.body, s.inline_images)
        ident = players.audio_id(s.id, "narration")
        player, lines = ("", "")
        if s.narration:
            player, lines = self.recordings.spoken(
                page, folder, s, s.narration.recording, s.narration.captions, ident, "Narration"
            )
        frames = self.film_frames(screen, page, folder, s)
        if frames:
            text += block(
                tag(
                    "div",
                    players.film(frames, s.title, ident if player else None) + player,
                    class_="ik-film",
                )
            )
        elif player:
            text += self.section("Narration", player)
        if s.chapters:
            items = []
            for c in s.chapters:
                label = f"{fmt_time(c.at)} {c.title}"
                head = players.seek_button(ident, c.at, label) if player else esc(label)
                stage = self.stage_name(s, c.stage)
                items.append(head + (" · " + esc(stage) if stage else ""))
            chapters = "".join(tag("li", item) for item in items)
            text += self.section("Chapters", tag("ol", chapters, class_="ik-chapters"))
        if lines:
            text += self.section("What they say", lines)
        return text

    def email(self, screen: Screen, page: str, folder: str, s: m.Story) -> str:
        head = "".join(
            tag("div", tag("dt", label) + tag("dd", esc(value)))
            for label, value in (
                ("From", s.sender or s.participant.pseudonym),
                ("Sent", fmt_date(s.sent or s.date)),
                ("Subject", s.subject),
            )
            if value
        )
        # The letter as it was: its header and body on one sheet.
        text = self.body(
            screen,
            page,
            "story",
            s.id,
            s.body,
            s.inline_images,
            cls="ik-body ik-letter",
            head=tag("dl", head, class_="ik-letter-head"),
        )
        attachments = "".join(
            tag(
                "figure",
                picture + (tag("figcaption", esc(a.alt)) if a.alt else ""),
                class_="ik-photo",
            )
            for a in s.attachments
            if (picture := self.photo(screen, page, a.src, folder, a.alt, "column"))
        )
        text += self.section("Attachments", attachments)
        return text

    def written(self, screen: Screen, page: str, folder: str, s: m.Story) -> str:
        return self.body(screen, page, "story", s.id, s.body, s.inline_images)

    def insight_page(self, screen: Screen, page: str, i: m.Insight) -> str:
        text = self.head(
            i.statement, tag("p", tag("span", esc(i.basis.capitalize()), class_="ik-badge"))
        )
        quotes = "".join(self.quote_card(screen, page, ref) for ref in i.evidence)
        text += self.section("What we heard", quotes, "ik-evidence-list")
        people = [
            self.link(screen, page, "persona", pid, self.lib.personas[pid].name)
            for pid in i.personas
            if pid in self.lib.personas
        ]
        text += self.section("Who it is about", ul(people))
        body = self.body(screen, page, "insight", i.id, i.body)
        if body:
            text += block(tag("h2", "Notes", class_="ik-body-title")) + body
        done = [
            self.link(screen, page, "action", a.id, a.we_did)
            for a in sorted(self.lib.actions.values(), key=lambda a: a.id)
            if i.id in a.insights
        ]
        text += self.section("What we did", ul(done))
        return text

    def action_page(self, screen: Screen, page: str, a: m.Action) -> str:
        status = tag(
            "span",
            esc(STATUS_LABELS.get(a.status, a.status)),
            class_=f"ik-badge ik-status-{a.status}",
        )
        text = self.head(a.we_did, tag("p", status))
        text += block(
            tag(
                "div",
                tag("p", tag("strong", "You said: ") + esc(a.you_said), class_="ik-you-said")
                + tag("p", tag("strong", "We did: ") + esc(a.we_did), class_="ik-we-did"),
                class_=f"ik-action ik-status-{a.status}",
            )
        )
        facts = [f"Owner: {esc(a.owner)}"] if a.owner else []
        if a.due:
            facts.append(f"Due {esc(fmt_date(a.due))}")
        if a.reported_back:
            facts.append(f"Reported back {esc(fmt_date(a.reported_back))}")
        if facts:
            text += block(tag("p", " · ".join(facts), class_="ik-meta"))
        because = [
            self.link(screen, page, "insight", iid, self.lib.insights[iid].statement)
            for iid in a.insights
            if iid in self.lib.insights
        ]
        text += self.section("Because of what we heard", ul(because))
        body = self.body(screen, page, "action", a.id, a.body)
        if body:
            text += body
        return text
