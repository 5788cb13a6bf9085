"""The places of a room project, and the room's today: one object knows them.

Every command starts from a folder and turns it into a `Project` at its boundary;
below that, a place is asked of the project (`project.staging("kiosk")`), never
spelled again as `root / "build" / ".staging" / audience`. The layout:

    content/            the room's content (read-only to immersion); room.yml in it
    content/consent/    the consent records, one <id>.yml each
    themes/<audience>/  the project's theme overrides
    mkdocs.yml          site settings and the `immersion:` block
    build/<audience>    the published site: a link into build/.sites/
    build/.sites/       complete site folders, swapped in atomically (publish.py)
    build/.staging/     what the renderers write for the site engine, per audience;
                        <audience>.inputs.json: what the published site was built from
    build/.preview/     the live preview's staging and site, per audience
    build/.cache/       media renditions and the audit's memo
    build/films/        MP4s written by `immersion film export`
    build/letters/      thank-you letters written by `immersion letters`
    build/.room/        the room database (the displays' heartbeats and events)
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
from typing import ClassVar

from . import model as m


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Project:
    # The names of the layout, for code that compares project-relative paths (the
    # preview's plan and watcher); everything else asks for a place below.
    CONTENT: ClassVar[str] = "content"
    THEMES: ClassVar[str] = "themes"
    MKDOCS_YML: ClassVar[str] = "mkdocs.yml"
    ROOM_YML: ClassVar[str] = "room.yml"  # in content/
    CONSENT: ClassVar[str] = "consent"  # in content/: one <id>.yml per record
    BUILD: ClassVar[str] = "build"
    CACHE: ClassVar[str] = ".cache"
    LOCK: ClassVar[str] = ".lock"
    SITES: ClassVar[str] = ".sites"
    STAGING: ClassVar[str] = ".staging"
    PREVIEW: ClassVar[str] = ".preview"
    FILMS: ClassVar[str] = "films"
    LETTERS: ClassVar[str] = "letters"
    ROOM: ClassVar[str] = ".room"  # in build/: the room's database

    root: Path
    # The instant "now" is, as an aware datetime; tests give a fixed one.
    clock: Callable[[], dt.datetime] = field(default=utc_now, compare=False, repr=False)

    # -- the editors' files ----------------------------------------------------------

    @property
    def content(self) -> Path:
        return self.root / self.CONTENT

    @property
    def room_yml(self) -> Path:
        return self.content / self.ROOM_YML

    @property
    def consents(self) -> Path:
        return self.content / self.CONSENT

    @property
    def mkdocs_yml(self) -> Path:
        return self.root / self.MKDOCS_YML

    @property
    def themes(self) -> Path:
        return self.root / self.THEMES

    def theme(self, audience: str) -> Path:
        return self.themes / audience

    def has_content(self) -> bool:
        """False outside a room project: there is nothing to check, build or preview."""
        return self.content.is_dir()

    # -- what immersion writes ---------------------------------------------------------

    @property
    def build(self) -> Path:
        return self.root / self.BUILD

    @property
    def cache(self) -> Path:
        return self.build / self.CACHE

    @property
    def lock(self) -> Path:
        return self.build / self.LOCK

    @property
    def sites(self) -> Path:
        return self.build / self.SITES

    @property
    def films(self) -> Path:
        return self.build / self.FILMS

    @property
    def room_summary(self) -> Path:
        """The room page's cache of each day's sums of the room database's events."""
        return self.cache / "room-page.sqlite"

    @property
    def letters(self) -> Path:
        """Where `immersion letters` writes the participants' letters by default."""
        return self.build / self.LETTERS

    @property
    def room_database(self) -> Path:
        """The room's own SQLite database: heartbeats and play events from the displays."""
        return self.build / self.ROOM / "room.sqlite"

    def film(self, story_id: str) -> Path:
        return self.films / f"{story_id}.mp4"

    def site(self, audience: str) -> Path:
        """The published site of `audience`: a link to a folder in `sites`."""
        return self.build / audience

    def staging(self, audience: str) -> Path:
        return self.build / self.STAGING / audience

    def site_inputs(self, audience: str) -> Path:
        """What the published site of `audience` was built from (site_inputs.py)."""
        return self.build / self.STAGING / f"{audience}.inputs.json"

    def preview(self, audience: str) -> Path:
        return self.build / self.PREVIEW / audience

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
        # Imported when asked: load takes a Project, so a module-level import would be
        # a cycle.
        from .load import read_room

        return read_room(self)

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
