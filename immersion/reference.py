"""docs/content.md, the editors' reference, written from the field tables of `formats.py`.

    python -m immersion.reference > docs/content.md

Every field of every file kind becomes a table row: its name (a nested field as
`quote.text`, a field of each list item as `stages[].id`), its type, whether it
is required or its default, and what it means (`formats.FIELD_NOTES`). The type
is read from the converter itself, so a field whose type changes in `formats.py`
changes here; a converter this module cannot describe, a field without a note
or a note without a field is a problem, and nothing is written.
`tests/test_docs.py` fails when docs/content.md is not what this writes.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from . import formats, scaffold, schema
from .schema import F

COMMAND = "python -m immersion.reference > docs/content.md"


@dataclass(frozen=True)
class Section:
    """One kind of file: where it lives, its fields, and a scaffold as its example."""

    key: str  # in FIELD_NOTES
    title: str
    where: str
    about: str
    fields: Mapping[str, F]
    example: str


@dataclass(frozen=True)
class Row:
    path: str
    type: str
    presence: str
    note: str


class Undescribed(Exception):
    """A converter without a description here: add it to `_describe`."""


# -- types ---------------------------------------------------------------------------

_PLAIN: dict[Any, str] = {
    schema.text: "text",
    schema.ident: "id (a-z, 0-9, `-`, `_`)",
    schema.boolean: "true or false",
    schema.size: 'size (`"2 GB"`, `"500 MB"`)',
    schema.date: "date (`2026-03-12`)",
    schema.clock: 'time of day (`"08:00"`)',
    schema.timecode: 'time in the recording (`"00:12:04.200"` or seconds)',
    schema.evidence: "evidence (`story-id#highlight-id` or `story-id#entry-id`)",
    schema.image_file: "photo file beside index.md",
    schema.audio_file: "recording file beside index.md",
    schema.vtt_file: "WebVTT file beside index.md (`.vtt`)",
    formats._plain_pain_point: "text",
    formats._resolution: "`[width, height]` in pixels",
}


def _factory(conv: Callable[..., Any]) -> str:
    """`list_of` for a converter made by `schema.list_of(...)`, '' for a plain function."""
    qualname = getattr(conv, "__qualname__", "")
    return qualname.split(".<locals>", 1)[0] if ".<locals>" in qualname else ""


def _values(conv: Callable[..., Any]) -> dict[str, Any]:
    return dict(inspect.getclosurevars(conv).nonlocals)


def _describe(conv: Callable[..., Any]) -> tuple[str, Mapping[str, F] | None]:
    """(type in words, the fields of a mapping it holds or None)."""
    if conv in _PLAIN:
        return _PLAIN[conv], None
    made_by = _factory(conv)
    if getattr(conv, "__module__", "") != schema.__name__ or not made_by:
        raise Undescribed(f"{getattr(conv, '__qualname__', conv)!r}")
    got = _values(conv)
    if made_by == "struct":
        return "mapping", got["fields"]
    if made_by == "list_of":
        inner, fields = _describe(got["conv"])
        if inner == "mapping":
            return "list of mappings", fields
        return f"list of {inner.removeprefix('one of ')}", fields
    if made_by == "mapping_of":
        inner, fields = _describe(got["conv"])
        return f"mapping of id to {inner}", fields
    if made_by == "either":
        first, first_fields = _describe(got["first"])
        second, second_fields = _describe(got["second"])
        return f"{first}, or {second}", first_fields or second_fields
    if made_by == "choice":
        options = dict.fromkeys(got["options"])  # a story kind may also be an item kind
        return "one of " + ", ".join(f"`{o}`" for o in options), None
    if made_by == "integer":
        lo, hi = got["lo"], got["hi"]
        return (
            f"whole number from {lo} to {hi}" if hi is not None else f"whole number ≥ {lo}"
        ), None
    if made_by == "number":
        return ("number" if got["lo"] is None else f"number ≥ {got['lo']:g}"), None
    if made_by == "ref":
        return f"{got['kind']} id", None
    if made_by == "slashed":
        return str(got["example"]), None
    raise Undescribed(f"{made_by}(...)")


def _default(value: Any) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float):
        return f"`{value:g}`"
    if isinstance(value, int | str):
        return f"`{value}`"
    if isinstance(value, tuple) and all(isinstance(v, int | str) for v in value):
        return "`[" + ", ".join(str(v) for v in value) + "]`"
    return ""  # empty lists, nothing, or a mapping of empty lists: nothing to say


def _presence(spec: F) -> str:
    if spec.required:
        return "**required**"
    shown = "" if spec.default in (None, "", ()) else _default(spec.default)
    if spec.conv is schema.size and isinstance(spec.default, int):
        shown = f'`"{spec.default / 10**9:g} GB"`'  # as an editor writes it
    return f"optional, default {shown}" if shown else "optional"


def rows(fields: Mapping[str, F], prefix: str = "") -> Iterator[tuple[str, str, F]]:
    """(path, type, field) for every field and every field nested in it, in order."""
    for name, spec in fields.items():
        path = f"{prefix}{name}"
        kind, nested = _describe(spec.conv)
        yield path, kind, spec
        if nested is not None:
            listed = kind.startswith("list of") or (", or list of" in kind)
            yield from rows(nested, f"{path}[]." if listed else f"{path}.")


# -- the sections ----------------------------------------------------------------------

_IDS = {
    # Fixed, so the reference is the same whenever it is generated.
    "today": "2026-03-12",
    "expires": "2027-03-12",
    "due": "2026-06-10",
    "persona": "maya",
    "journey": "moving-home",
    "stage": "plan",
    "consent": "c-017",
    "story": "p07",
    "insight": "quotes-are-confusing",
}


def _example(template: str, title: str, kind: str = "") -> str:
    return scaffold.fill(template, title=title, kind=kind, **_IDS)


def sections() -> list[Section]:
    out = [
        Section(
            "room",
            "The room",
            "content/room.yml",
            "The room itself: its name, time zone, opening hours, displays and tours.",
            formats.ROOM_FIELDS,
            _example(scaffold.ROOM, "Customer Immersion Room"),
        ),
        Section(
            "consent",
            "Consent records",
            "content/consent/<id>.yml",
            "One per participant. It decides where their stories may appear, and until when: "
            "content whose consent has expired or was withdrawn appears in no site.",
            formats.CONSENT_FIELDS,
            _example(scaffold.CONSENT, ""),
        ),
        Section(
            "persona",
            "Personas",
            "content/personas/<id>/index.md",
            "Front matter, then the persona's bio in Markdown; a portrait photo beside it.",
            formats.PERSONA_FIELDS,
            _example(scaffold.PERSONA, "Maya"),
        ),
        Section(
            "journey",
            "Journeys",
            "content/journeys/<id>/index.md",
            "Front matter with the stages in order, then the journey's narrative.",
            formats.JOURNEY_FIELDS,
            _example(scaffold.JOURNEY, "Moving home"),
        ),
        Section(
            "story",
            "Stories: the fields of every kind",
            "content/stories/<id>/index.md",
            "Every story has these fields, then those of its `kind` (below). The body is the "
            "summary, the letter or the written story; media files go beside index.md. A story "
            "of kind `story` has no other fields: its photos are placed in the body, as "
            "`![what the photo shows](photo.jpg)`.",
            formats.COMMON_STORY_FIELDS,
            _example(scaffold.item_template("story"), "The day the boxes came", "story"),
        ),
    ]
    for kind, fields in formats.STORY_KIND_FIELDS.items():
        if not fields:
            continue
        out.append(
            Section(
                kind,
                f"Stories of kind `{kind}`",
                "content/stories/<id>/index.md",
                f"A story with `kind: {kind}` has the common story fields, and these.",
                fields,
                _example(scaffold.item_template(kind), "Moving day", kind),
            )
        )
    out += [
        Section(
            "insight",
            "Insights",
            "content/insights/<id>/index.md",
            "One finding with its evidence; the body says why we believe it.",
            formats.INSIGHT_FIELDS,
            _example(scaffold.INSIGHT, "Customers do not trust the first price"),
        ),
        Section(
            "action",
            "Actions",
            "content/actions/<id>/index.md",
            '"You said, we did": what the company did about an insight.',
            formats.ACTION_FIELDS,
            _example(scaffold.ACTION, "One price, held for 30 days"),
        ),
    ]
    return out


# -- checks and output -----------------------------------------------------------------


def problems() -> list[str]:
    """What keeps the reference from being written: every one must be fixed in formats.py."""
    found = []
    for section in sections():
        notes = formats.FIELD_NOTES.get(section.key, {})
        try:
            paths = [path for path, _kind, _spec in rows(section.fields)]
        except Undescribed as exc:
            found.append(f"{section.key}: immersion/reference.py cannot describe {exc}")
            continue
        for path in paths:
            if not notes.get(path, "").strip():
                found.append(f"{section.key}: the field '{path}' has no FIELD_NOTES entry")
        for path in notes:
            if path not in paths:
                found.append(f"{section.key}: FIELD_NOTES names '{path}', which is no field")
    for key in formats.FIELD_NOTES:
        if key not in {s.key for s in sections()}:
            found.append(f"FIELD_NOTES has a section '{key}' that the reference does not show")
    return found


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    """docs/content.md (call `problems()` first: a missing note shows as an empty cell)."""
    out = [
        "# Content reference",
        "",
        "<!-- Generated from immersion/formats.py: do not edit by hand. Regenerate with",
        f"     {COMMAND} -->",
        "",
        "Every file an editor writes in `content/`, field by field. Items are folders: the "
        "folder's name is the item's id, and its `index.md` holds YAML front matter between "
        "two `---` lines, then a Markdown body. Items refer to each other by id "
        "(`persona: maya`); a playlist or tour item is `kind/id` (`persona/maya`); evidence "
        "points into a story as `story-id#highlight-id` or `story-id#entry-id`.",
        "",
        "An unknown field, a wrong type or a missing required field is reported by "
        "`immersion check` at its line, with a hint. A field inside a mapping is written "
        "`quote.text` below, and a field of each item of a list `stages[].id`; such a field "
        "is required when its mapping is written. "
        "`immersion new KIND ID` writes any of the examples below into your project.",
        "",
    ]
    for s in sections():
        out += [f"- [{s.title}](#{_anchor(s.title)})"]
    out.append("")
    for s in sections():
        notes = formats.FIELD_NOTES.get(s.key, {})
        out += [
            f"## {s.title}",
            "",
            f"File: `{s.where}`",
            "",
            s.about,
            "",
            "| field | type | | what it means |",
            "|---|---|---|---|",
        ]
        for path, kind, spec in rows(s.fields):
            cells = (f"`{path}`", kind, _presence(spec), notes.get(path, ""))
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        fence = "markdown" if s.where.endswith(".md") else "yaml"
        out += ["", "Example:", "", f"```{fence}", s.example.rstrip("\n"), "```", ""]
    return "\n".join(out)


def _anchor(title: str) -> str:
    """The id mkdocs and GitHub give a heading (lower case, punctuation dropped)."""
    kept = "".join(c for c in title.lower() if c.isalnum() or c in " -_")
    return kept.strip().replace(" ", "-")


def main() -> int:
    found = problems()
    if found:
        print("cannot write the content reference:", file=sys.stderr)
        for line in found:
            print(f"  {line}", file=sys.stderr)
        return 1
    sys.stdout.write(markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
