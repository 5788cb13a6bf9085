"""The kiosk site of one filtered Library: every display's pages, held until the build id.

`KioskRenderer.render` finds each display's playlist, writes the index of
displays, each display's entry page (`slides.py`) and the item pages its
playlist reaches (`pages.py`); `finish` fixes the build id and writes them.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from ... import model as m
from ...media.video import display_video_height
from ...problems import Problem
from ...room.schema import item_key
from ..html import EMPTY, block, tag, ul
from ..recordings import Recordings
from ..staging import Staging, front_matter, rel_url
from .layout import HIDE, RESERVED_IDS, KioskAssets, Screen, config_script, display_config
from .pages import ItemPages
from .slides import Slides
from .timing import loop_summary


def story_sort_key(story: m.Story) -> tuple[int, str]:
    """Newest first, then by id."""
    return (-story.date.toordinal() if story.date else 1, story.id)


@dataclass
class _Page:
    """A page held until the build id is known.

    An entry page is the display's root: its `ik-config`, then `stage` (the slides).
    Item pages pass the config in the front matter (`ik_config`), from which the theme
    (`main.html`) draws the item page's root: the config, the back link and the
    text-size control, around `markdown`.
    """

    title: str
    markdown: str = ""
    config: dict[str, Any] | None = None
    item: bool = False
    root: dict[str, Any] = field(default_factory=dict)  # the entry page root's attributes
    stage: Markup = EMPTY

    def text(self, build: str) -> str:
        if self.config is None:
            return front_matter(self.title, hide=HIDE) + self.markdown
        config = {**self.config, "build": build}
        if self.item:
            return front_matter(self.title, hide=HIDE, ik_config=config) + self.markdown
        root = tag("div", config_script(config) + self.stage, **self.root)
        return front_matter(self.title, hide=HIDE) + block(root)


def validity_config(
    built: str, slides: tuple[str | None, ...] | None, page: str | None = None
) -> dict[str, Any]:
    """The `ik-config` keys of validity (docs/kiosk.md): `built`, and `valid_until`.

    An entry page's `valid_until` is a list, one per slide (null: no end); an item
    page's is its own instant, or absent.
    """
    config: dict[str, Any] = {"built": built}
    if slides is not None:
        config["valid_until"] = list(slides)
    elif page:
        config["valid_until"] = page
    return config


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
        self.slides = Slides(lib, assets, self.recordings)
        self.item_pages = ItemPages(lib, assets, self.recordings)
        # A display without `audio: true` plays its item pages' videos muted.
        self.muted_recordings = Recordings(lib, assets, muted_video=True)
        self.silent_pages = ItemPages(lib, assets, self.muted_recordings)
        self.problems = problems
        self.screens: list[Screen] = []
        self.loops: dict[str, tuple[float, ...]] = {}  # each display's slide lengths
        self.held: dict[str, _Page] = {}
        self.build_id = ""
        # The build's instant for the displays' fail-closed clock (validity.py); render_kiosk
        # sets it to the start of the build's day, so a rebuild on the same day is the same site.
        self.built = ""

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
            # Each display plays the MP4 its screen needs (720p or 1080p, never upscaled).
            height = display_video_height(screen.display.resolution)
            self.recordings.video_height = self.muted_recordings.video_height = height
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

    # -- the pages -----------------------------------------------------------

    def index_page(self, site_name: str) -> None:
        """The index of displays, each a link to its entry page."""
        page = "index.md"
        items = [
            tag("a", s.display.title or s.id, href=rel_url(page, s.entry))
            + " "
            + tag(
                "span",
                f"{s.id} · {s.display.orientation}, "
                f"{s.display.resolution[0]}×{s.display.resolution[1]}",
                class_="ik-meta",
            )
            for s in self.screens
        ]
        inner = tag("h1", self.lib.room.name)
        inner += ul(items, "ik-displays") if items else tag("p", "No displays in room.yml yet.")
        self.hold(page, _Page(site_name, block(tag("div", inner, class_="ik-index"))))

    def entry_page(self, screen: Screen) -> None:
        display = screen.display
        root = {
            "class_": f"ik-display ik-{display.orientation}",
            "id": "ik-display",
            "data_ik_display": True,
        }
        loop = self.slides.stage(screen)
        self.loops[screen.id] = loop.seconds
        config = display_config(self.lib.room, display, "./", loop.seconds)
        config.update(validity_config(self.built, loop.valid_until))
        self.hold(
            screen.entry,
            _Page(
                display.title or display.id,
                config=config,
                root=root,
                stage=loop.markup,
            ),
        )

    def loop_summaries(self) -> list[str]:
        """`entrance: 11 slides, 3 min 20 s`, per display: what the build says of each loop."""
        return [loop_summary(name, seconds) for name, seconds in self.loops.items()]

    def item_page(self, screen: Screen, kind: str, item_id: str) -> None:
        item = self.lib.by_kind(kind)[item_id]
        page = screen.page(kind, item_id)
        pages = self.item_pages if screen.display.audio else self.silent_pages
        title, content = pages.content(screen, page, item)
        # The root, the back link and the text-size control come from the theme (main.html).
        config = display_config(self.lib.room, screen.display, "../../")
        config.update(validity_config(self.built, None, self.slides.validity.until(kind, item_id)))
        config["item"] = item_key(kind, item_id)  # main.html: the root's data-ik-item
        self.hold(page, _Page(title, content, config, item=True))
