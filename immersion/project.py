"""The places of a room project, and the room's today: one object knows them.

Every command starts from a folder and turns it into a `Project` at its boundary;
below that, a place is asked of the project (`project.staging("kiosk")`), never
spelled again as `root / "build" / ".staging" / audience`. The layout:

    content/            the room's content (read-only to immersion); room.yml in it
    themes/<audience>/  the project's theme overrides
    mkdocs.yml          site settings and the `immersion:` block
    build/<audience>    the published site: a link into build/.sites/
    build/.sites/       complete site folders, swapped in atomically (publish.py)
    build/.staging/     what the renderers write for the site engine, per audience
    build/.preview/     the live preview's staging and site, per audience
    build/.cache/       media renditions and the audit's memo
    build/films/        MP4s written by `immersion film export`
    build/.lock         one build at a time

The room's today is the date in the room's time zone (consent expires at the
room's midnight), from the room as the loader reads it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import model as m


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Project:
    root: Path
    # The instant "now" is, as an aware datetime; tests give a fixed one.
    clock: Callable[[], dt.datetime] = field(default=utc_now, compare=False, repr=False)

    # -- the editors' files ----------------------------------------------------------

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def room_yml(self) -> Path:
        return self.content / "room.yml"

    @property
    def mkdocs_yml(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def themes(self) -> Path:
        return self.root / "themes"

    def theme(self, audience: str) -> Path:
        return self.themes / audience

    def has_content(self) -> bool:
        """False outside a room project: there is nothing to check, build or preview."""
        return self.content.is_dir()

    # -- what immersion writes ---------------------------------------------------------

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def cache(self) -> Path:
        return self.build / ".cache"

    @property
    def lock(self) -> Path:
        return self.build / ".lock"

    @property
    def sites(self) -> Path:
        return self.build / ".sites"

    @property
    def films(self) -> Path:
        return self.build / "films"

    def film(self, story_id: str) -> Path:
        return self.films / f"{story_id}.mp4"

    def site(self, audience: str) -> Path:
        """The published site of `audience`: a link to a folder in `sites`."""
        return self.build / audience

    def staging(self, audience: str) -> Path:
        return self.build / ".staging" / audience

    def preview(self, audience: str) -> Path:
        return self.build / ".preview" / audience

    def shown(self, path: Path) -> str:
        """`path` as the editor knows it: relative to the project, with forward slashes."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    # -- the room's today ----------------------------------------------------------------

    def room(self) -> m.Room:
        """The room as the loader reads it; the defaults when room.yml cannot be read
        (the full load reports why)."""
        # Imported when asked: load will take a Project, and then a module-level import
        # would be a cycle.
        from .load import read_room

        return read_room(self.root)

    def today(self, room: m.Room | None = None) -> dt.date:
        """Today's date in the room's time zone (of `room`, else of room.yml as loaded).

        A time zone the loader rejects (it reports it) counts as UTC here.
        """
        if room is None:
            room = self.room()
        return self.clock().astimezone(zone(room)).date()


def zone(room: m.Room) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(room.timezone)
    except (ValueError, OSError, zoneinfo.ZoneInfoNotFoundError):
        return dt.UTC
