"""References between items, resolved once every item is loaded.

`schema` converters only record the references a file writes (`Ctx.refs`); here
each is looked up in the library, and one that leads nowhere becomes a problem
with the nearest existing id as its fix. A reference to an item whose own file
could not be loaded is not reported again: that file already has its problem.
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import model as m
from ..problems import suggest
from ..schema import Ref
from .files import Reader


def resolve(reader: Reader, library: m.Library) -> None:
    """Report every reference (to an item, a stage, a highlight, a tour) that leads nowhere."""
    ids = {kind: set(items) for kind, items in reader.loaded.items()}
    ids["consent"] = set(library.consents)
    ids["tour"] = {t.id for t in library.room.tours} if library.room else set()
    for items in reader.loaded.values():
        for loaded in items.values():
            for reference in loaded.refs:
                kind, target = _target(reference)
                if target in reader.broken.get(kind, ()):
                    continue
                hint = _missing(reference, ids, library)
                if hint is not None:
                    message, fix = hint
                    reader.problem(
                        loaded.display, reference.line, message, fix, fld=reference.field
                    )


def _missing(ref: Ref, ids: Mapping[str, set[str]], library: m.Library) -> tuple[str, str] | None:
    """The problem and its fix when `ref` names nothing in the library; None if it is fine."""
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
