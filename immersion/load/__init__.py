"""content/ -> Library + problems.

All checking happens here: types (via `formats`), media paths, references,
alt text, transcripts, consent dates and review dates. Every problem is
collected; an item with a fatal problem is left out of the Library so that the
rest of the room still builds.

The parts, in the order a load runs them: `files` (the reader, item bundles and
the preview's `ItemCache`), `room` (room.yml and the consent records), `resolve`
(references between items), `checks` (checks across items, and warnings).
"""

from __future__ import annotations

import datetime as dt

from .. import model as m
from .. import spoken
from ..model import KIND_DIRS
from ..problems import Problem, Severity
from ..project import Project
from .checks import check_items
from .files import ItemCache, Reader
from .films import resolve_video_frames
from .resolve import resolve
from .room import EXPIRY_WARNING, load_consents, load_room

__all__ = [
    "EXPIRY_WARNING",
    "KIND_DIRS",
    "ItemCache",
    "empty_library",
    "empty_room",
    "load",
    "read_room",
]


def read_room(project: Project) -> m.Room:
    """Only room.yml, as `load` reads it; the defaults when it cannot be read (the
    full load reports why). The date does not matter to the room."""
    return load_room(Reader(project, dt.date.min)) or empty_room()


def load(
    project: Project, today: dt.date, cache: ItemCache | None = None
) -> tuple[m.Library, list[Problem]]:
    """Read and check the whole of `project.content`; never writes anything.

    With a `cache` (the live preview), files it still holds are not read again.
    """
    reader = Reader(project, today, cache)
    if not reader.content.is_dir():
        reader.problem(
            reader.content,
            None,
            "there is no content/ folder here",
            "run the command in a room project, or start one with `immersion init`",
        )
        return empty_library(), reader.problems
    room = load_room(reader)
    consents = load_consents(reader)
    reader.load_items()
    items = {
        kind: {i: loaded.item for i, loaded in found.items()}
        for kind, found in reader.loaded.items()
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
    resolve(reader, library)
    library = resolve_video_frames(reader, library)
    check_items(reader, library)
    transcripts, problems = spoken.read_transcripts(library, project.root)
    library = library.with_(transcripts=transcripts)
    for story in library.stories.values():
        problems += spoken.check_story(story, transcripts)
        problems += spoken.check_redactions(story, transcripts)
    problems += spoken.check_quotes(library, today)
    # A story whose `redact:` list cannot be applied as written is left out whole: the
    # list exists to keep personal data off the sites.
    unsafe = spoken.unredactable(reader.problems + problems)
    left_out = {i: s for i, s in library.stories.items() if s.source.path in unsafe}
    if left_out:
        library = library.with_(
            stories={i: s for i, s in library.stories.items() if i not in left_out}
        )
        problems += [
            Problem(
                s.source.path,
                s.source.line("redact"),
                f"story '{i}' is left out of both sites until its redact: list is fixed",
                severity=Severity.NOTE,
                field="redact",
            )
            for i, s in left_out.items()
        ]
    return library, reader.problems + problems


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
