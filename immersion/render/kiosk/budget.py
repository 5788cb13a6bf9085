"""The offline budget: a warning for a display whose offline payload is too large.

A display keeps everything it shows in its service worker's cache (`offline.py`). A
few filmed interviews can make that gigabytes, more than a small player's disk or a
slow network can hold: past its budget (`offline_budget` in room.yml, per display or
for the room; 2 GB unless set) the build warns, naming the items that weigh most,
so the editor knows what to move to another display or shorten.

The weighing is pure: {site path: bytes} in, a `Problem` or nothing out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ... import model as m
from ...problems import Problem, Severity

# Items named in the warning: enough to act on, short enough to read.
SHOWN = 3
THEME = "the pages and theme"

_KIND_OF_FOLDER = dict(m.KIND_DIRS)  # "stories" -> "story"


def fmt_size(size: int) -> str:
    """`2.4 GB`, `310 MB`, `18 KB`, `900 B` (decimal units, as `offline_budget` takes)."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= scale:
            value = size / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{size} B"


def item_of(site_path: str, display: str) -> str:
    """`story/p07` for the media and item pages of a story; THEME for everything else."""
    parts = site_path.split("/")
    if len(parts) >= 4 and parts[0] == "media" and parts[1] in _KIND_OF_FOLDER:
        return f"{_KIND_OF_FOLDER[parts[1]]}/{parts[2]}"
    if len(parts) >= 4 and parts[0] == display and parts[1] in m.ITEM_KINDS:
        return f"{parts[1]}/{parts[2]}"
    return THEME


@dataclass(frozen=True)
class Weight:
    item: str
    size: int
    largest: tuple[str, int]  # its largest file (name, bytes)


def weigh(sizes: Mapping[str, int], display: str) -> list[Weight]:
    """Every item's bytes on this display, heaviest first (then by name)."""
    totals: dict[str, int] = {}
    largest: dict[str, tuple[str, int]] = {}
    for path, size in sizes.items():
        item = item_of(path, display)
        totals[item] = totals.get(item, 0) + size
        name = path.rsplit("/", 1)[-1] or path
        if size > largest.get(item, ("", -1))[1]:
            largest[item] = (name, size)
    return sorted(
        (Weight(item, total, largest[item]) for item, total in totals.items()),
        key=lambda w: (-w.size, w.item),
    )


def budget_of(room: m.Room, display: m.Display) -> int:
    return display.offline_budget if display.offline_budget is not None else room.offline_budget


def over_budget(
    room: m.Room, index: int, display: m.Display, sizes: Mapping[str, int]
) -> Problem | None:
    """A warning when display `index` of room.yml keeps more offline than its budget."""
    budget = budget_of(room, display)
    total = sum(sizes.values())
    if total <= budget:
        return None
    heaviest = [w for w in weigh(sizes, display.id) if w.item != THEME][:SHOWN]
    named = ", ".join(
        f"{w.item} {fmt_size(w.size)} ({w.largest[0]} {fmt_size(w.largest[1])})" for w in heaviest
    )
    own = display.offline_budget is not None
    fld = f"displays[{index}].offline_budget" if own else f"displays[{index}]"
    line = room.source.line(fld) or room.source.line(f"displays[{index}].id")
    return Problem(
        room.source.path,
        line,
        f"the display '{display.id}' keeps {fmt_size(total)} offline, over its budget of "
        f"{fmt_size(budget)}" + (f"; the largest: {named}" if named else ""),
        "show fewer or shorter videos on this display, or raise `offline_budget` "
        + ("for this display" if own else "(for this display or the room)")
        + " in room.yml",
        Severity.WARNING,
        fld,
    )
