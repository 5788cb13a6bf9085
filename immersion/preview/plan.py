"""From changed paths to the smallest work: pure functions, table-tested.

The watcher reports paths relative to the project ("content/stories/p07/index.md");
`plan` says which items to read again, which media to convert and which intranet
pages to write. It never touches the disk: what links to what comes in as
`links`, computed from the library by `links_of`.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .. import model as m
from ..model import KIND_DIRS
from ..project import Project
from ..render.views import SECTION_DIRS

ItemKey = tuple[str, str]  # (kind, id)

# Editors' and operating systems' scratch files: an atomic save writes one of these,
# then renames it over the real file (the rename is the event that counts).
IGNORED_NAMES = (
    ".*",  # .index.md.swp, .#index.md (Emacs lock), .DS_Store, .~lock.*#
    "*~",  # Emacs and gedit backups
    "4913",  # Vim's probe of whether it may write in the folder
    "*.tmp",
    "*.swp",
    "*.swx",
    "*.part",  # a browser download in progress
    "*.crdownload",
    "Thumbs.db",
)
HOME = "index.md"
TAGS = "tags.md"
ACTIONS = f"{SECTION_DIRS['action']}/index.md"  # every action is on one page
# The project's folders an editor changes, watched whole (project-relative names), and
# the names room.yml may come under.
TREES = (Project.CONTENT, Project.THEMES)
ROOM_FILES = (Project.ROOM_YML, f"{Project.CONTENT}/{Project.ROOM_YML}")


def ignored(rel: str) -> bool:
    """True for paths the preview never rebuilds for: scratch files and build/."""
    parts = PurePosixPath(rel).parts
    if not parts or parts[0] == Project.BUILD:
        return True
    return any(fnmatch.fnmatchcase(part, pattern) for part in parts for pattern in IGNORED_NAMES)


def watched(rel: str) -> bool:
    """True for the paths `immersion serve` watches (and that are not scratch files)."""
    if ignored(rel):
        return False
    top = PurePosixPath(rel).parts[0]
    return top in TREES or rel in (Project.MKDOCS_YML, Project.ROOM_YML)


def page_of(key: ItemKey) -> str:
    """The intranet staging page of an item (actions share one page)."""
    kind, ident = key
    if kind == "action":
        return ACTIONS
    return f"{SECTION_DIRS[kind]}/{ident}.md"


def index_of(kind: str) -> str:
    return f"{SECTION_DIRS[kind]}/index.md"


@dataclass(frozen=True)
class Work:
    """What a batch of changes asks for.

    `everything`: site-wide input (settings, consent records): read, render and
    write every page. Otherwise `reload` items are read again (everything else
    comes from the preview's cache), `media` sources are converted, and `pages`
    are the intranet pages to write; the kiosk, a few dozen pages, is always
    rendered whole. `themes` are the audiences whose theme files changed.
    """

    reload: frozenset[ItemKey] = frozenset()
    media: frozenset[str] = frozenset()
    pages: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()
    room: bool = False
    settings: bool = False
    consents: bool = False
    everything: bool = False
    paths: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def empty(self) -> bool:
        return not (
            self.reload
            or self.media
            or self.pages
            or self.themes
            or self.room
            or self.settings
            or self.consents
            or self.everything
        )


def plan(
    paths: Iterable[str],
    links: Mapping[ItemKey, Collection[ItemKey]] | None = None,
    body_only: Collection[ItemKey] = (),
) -> Work:
    """The work for a batch of changed paths (project-relative, '/'-separated).

    `body_only` names items whose change, once read, turned out to be in their
    Markdown body alone: a body shows on its own page only.
    """
    links = links or {}
    reload: set[ItemKey] = set()
    media: set[str] = set()
    pages: set[str] = set()
    themes: set[str] = set()
    room = settings = consents = False
    kept = frozenset(p for p in paths if watched(p))
    for rel in kept:
        parts = PurePosixPath(rel).parts
        if rel == Project.MKDOCS_YML:
            settings = True
        elif rel in ROOM_FILES:
            # Room name, displays and tours: the home page and the kiosk's entry pages.
            room = True
            pages.add(HOME)
        elif parts[0] == Project.THEMES:
            if len(parts) >= 3:
                themes.add(parts[1])
        elif len(parts) >= 2 and parts[1] == Project.CONSENT:
            consents = True
        elif len(parts) >= 3 and parts[1] in KIND_DIRS:
            key = (KIND_DIRS[parts[1]], parts[2])
            reload.add(key)
            if len(parts) >= 4 and parts[3:] != ("index.md",):
                media.add(rel)
            pages.update({page_of(key)} if key in body_only else _touched_pages(key, links))
    everything = settings or consents
    return Work(
        reload=frozenset(reload),
        media=frozenset(media),
        pages=frozenset(pages),
        themes=frozenset(themes),
        room=room,
        settings=settings,
        consents=consents,
        everything=everything,
        paths=kept,
    )


def _touched_pages(key: ItemKey, links: Mapping[ItemKey, Collection[ItemKey]]) -> set[str]:
    """The item's page, the pages that list it, and the pages of items linked to it.

    An item's title, quotes and tags show on the section indexes (its own, and
    others': the journeys index names each journey's personas), on the home page
    (latest stories, persona cards), in the tags listing, and in the "cited by" or
    evidence lists of every item it links to, in either direction.
    """
    pages = {page_of(key), HOME, TAGS, ACTIONS, *(index_of(kind) for kind in SECTION_DIRS)}
    pages.update(page_of(other) for other in links.get(key, ()))
    return pages


def links_of(lib: m.Library) -> dict[ItemKey, set[ItemKey]]:
    """Which items show each other: every reference, both ways."""
    links: dict[ItemKey, set[ItemKey]] = defaultdict(set)

    def link(a: ItemKey, b: ItemKey) -> None:
        if a != b:
            links[a].add(b)
            links[b].add(a)

    for p in lib.personas.values():
        me = ("persona", p.id)
        refs = [p.quote.evidence] if p.quote and p.quote.evidence else []
        refs += [r for pp in p.pain_points for r in pp.evidence]
        for ref in refs:
            link(me, ("story", ref.story))
        for journey in p.journeys:
            link(me, ("journey", journey))
    for j in lib.journeys.values():
        me = ("journey", j.id)
        for pid in j.personas:
            link(me, ("persona", pid))
        for stage in j.stages:
            for ref in stage.evidence:
                link(me, ("story", ref.story))
    for s in lib.stories.values():
        me = ("story", s.id)
        if s.participant.persona:
            link(me, ("persona", s.participant.persona))
        if s.journey:
            link(me, ("journey", s.journey))
    for i in lib.insights.values():
        me = ("insight", i.id)
        for ref in i.evidence:
            link(me, ("story", ref.story))
        for pid in i.personas:
            link(me, ("persona", pid))
        for journey_id, _stage in i.stages:
            link(me, ("journey", journey_id))
    for a in lib.actions.values():
        for iid in a.insights:
            link(("action", a.id), ("insight", iid))
    return dict(links)
