"""Where things sit on a display: photo slots and sizes, screens, the runtime's config.

Pure apart from `KioskAssets`, which only remembers what identifies each placed file.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ... import model as m
from ...media.renditions import Renditions
from ...problems import Problem
from ...project import Project
from ...schema import MediaRef
from ...transcripts import Transcript, to_vtt
from ..assets import Assets
from ..html import tag
from ..staging import Staging

COUNTDOWN_SECONDS = 10
# Folders of the kiosk site that a display's own folder must not replace.
RESERVED_IDS = frozenset({"assets", "media", "search"})
HIDE = ["navigation", "toc", "footer"]


# ---------------------------------------------------------------- photo sizes (pure)


@dataclass(frozen=True)
class Slot:
    """The box a photo fills, as fractions of the display's width and height.

    A `cover` slot is filled edge to edge (`object-fit: cover`, cropped), so the photo
    must be as wide as the box or as wide as the box's height makes it, whichever is more;
    otherwise the photo is contained (as wide as fits).
    """

    width: float
    height: float
    cover: bool = False


# Where each photo sits, per orientation. The kiosk stylesheet fits photos inside these
# boxes (`object-fit: contain`); a photo is never shown wider than its slot needs.
SLOTS: dict[str, dict[str, Slot]] = {
    # a slide's photo: one half of a landscape screen, the top half of a portrait one
    "slide": {"landscape": Slot(0.5, 1.0), "portrait": Slot(1.0, 0.5)},
    # a loop slide's full-bleed photo (a story's photo, a film's frames): the whole screen
    "bleed": {"landscape": Slot(1.0, 1.0, cover=True), "portrait": Slot(1.0, 1.0, cover=True)},
    # a persona's portrait on a loop slide: the right 46 % of a landscape screen, edge to
    # edge, or the top 52 % of a portrait one (kiosk.css `.ik-panel`)
    "panel": {"landscape": Slot(0.46, 1.0, cover=True), "portrait": Slot(1.0, 0.52, cover=True)},
    # the face beside a quote (kiosk.css `.ik-face`: 10 --ik-u across, a circle; on a
    # portrait screen 6.5 of its larger unit, 1/20 of the width)
    "face": {
        "landscape": Slot(10 / 48, 10 / 27, cover=True),
        "portrait": Slot(6.5 / 20, 6.5 / 20 * 9 / 16, cover=True),
    },
    # a persona's portrait at the head of their page
    "portrait": {"landscape": Slot(0.4, 0.8), "portrait": Slot(0.7, 0.45)},
    # a photo in the text of an item page (bodies, attachments): landscape pages set their
    # text in two or three columns (page.css), so a photo is at most half the width
    "column": {"landscape": Slot(0.5, 0.6), "portrait": Slot(0.9, 0.6)},
}


def slot_for(use: str, orientation: str, resolution: tuple[int, int]) -> Slot:
    """The slot of a photo `use` on a display; a film fills a 16:9 stage, full width."""
    if use == "film":
        width, height = resolution
        return Slot(1.0, min(1.0, width * 9 / 16 / height))
    table = SLOTS[use]
    return table.get(orientation, table["landscape"])


def needed_width(resolution: tuple[int, int], slot: Slot, aspect: float) -> int:
    """Pixels of width a photo of `aspect` (width / height) needs to fill `slot`."""
    box_width = slot.width * resolution[0]
    box_height = slot.height * resolution[1]
    fit = max if slot.cover else min
    return max(1, math.ceil(fit(box_width, box_height * aspect) - 1e-9))


def narrowest_covering(widths: Iterable[int], needed: int) -> int:
    """The narrowest width at least `needed` wide; the widest there is when none is."""
    ordered = sorted(set(widths))
    if not ordered:
        raise ValueError("no widths to choose from")
    return next((w for w in ordered if w >= needed), ordered[-1])


# A landscape display at least this wide is a wall: a journey becomes a wall-scale map.
WALL_WIDTH = 3000


def is_wall(screen: Screen) -> bool:
    display = screen.display
    return display.orientation == "landscape" and display.resolution[0] >= WALL_WIDTH


# ---------------------------------------------------------------- screens


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


# ---------------------------------------------------------------- the runtime's config


def number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def display_config(
    room: m.Room, display: m.Display, entry: str, cycle: Sequence[float] | None = None
) -> dict[str, Any]:
    """`ik-config` of one display (docs/kiosk.md); the build id is filled in last.

    An entry page's config carries `cycle`, the length of each slide in order (seconds,
    computed at build time): every display on the same tour walks the same cycle from
    the same wall clock, so they agree without talking.
    """
    hours = room.opening_hours
    config: dict[str, Any] = {
        "display": display.id,
        "title": display.title or display.id,
        "orientation": display.orientation,
        "resolution": list(display.resolution),
        "slide_seconds": (
            number(display.slide_seconds) if display.slide_seconds is not None else None
        ),
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
    if cycle is not None:
        config["cycle"] = [number(seconds) for seconds in cycle]
    return config


def config_script(config: dict[str, Any]) -> Markup:
    """`ik-config` as a JSON script element that no content can break out of."""
    text = json.dumps(config, ensure_ascii=False, separators=(", ", ": "))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    # Safe inside <script>: with every <, > and & a JSON escape, nothing in it can
    # close the element or open a comment, and JSON.parse gives the content back.
    return tag("script", Markup(text), type="application/json", id="ik-config")


# ---------------------------------------------------------------- placed files


class KioskAssets(Assets):
    """Assets that also remember what identifies each placed file (for the build id)."""

    def __init__(
        self, staging: Staging, project: Project, renditions: Renditions, problems: list[Problem]
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

    def span_captions(
        self, ref: MediaRef, folder: str, script: Transcript, name: str, start: float, end: float
    ) -> str | None:
        """The captions of one span of a recording (a video slide's highlight), on the
        recording's clock: only the cues said in it, cut to it, so that no line from
        before or after shows (Chromium keeps a cue from before a media fragment's start
        on screen, and a video pausing at the end runs a frame past it)."""
        cues = [
            replace(cue, start=max(cue.start, start), end=min(cue.end, end))
            for cue in script.cues
            if cue.end > start + 0.01 and cue.start < end - 0.01
        ]
        if not cues:
            return None
        rel = f"{folder}/{self.stem(folder, ref.src, 'text')}-{name}.vtt"
        text = to_vtt(Transcript(tuple(cues)))
        self.staging.write_text(f"docs/{rel}", text)
        self.identity[f"docs/{rel}"] = hashlib.sha256(text.encode()).hexdigest()
        return rel
