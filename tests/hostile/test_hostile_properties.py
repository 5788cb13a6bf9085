"""Properties of the loaders: whatever the input, the only outcome is a reported problem.

Arbitrary bytes (invalid UTF-8, UTF-16, NULs), arbitrary text and YAML-shaped random
structures (deep nesting, anchors and aliases, tags, flow and block collections,
several documents) go through the real loading functions in-process: an item's
`index.md` (front matter), `room.yml` and WebVTT transcripts. Each must return a
value or `Problem`s naming the file, never raise, and never take long.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immersion import formats
from immersion.load import KIND_DIRS, load
from immersion.problems import Problem
from immersion.project import Project
from immersion.schema import INVALID
from immersion.transcripts import Transcript, read_vtt, to_vtt
from immersion.yamlio import ContentError, parse_yaml, read_text, split_front_matter

# Bounded so the whole file runs in seconds; a slow example is a finding (a denial of
# service), so the deadline is generous for a busy machine but not unlimited.
FAST = settings(
    max_examples=100,
    deadline=dt.timedelta(seconds=3),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ITEM_KINDS = ("persona", "journey", "story", "insight", "action")
FOLDER = {kind: folder for folder, kind in KIND_DIRS.items()}
FIELD_NAMES = sorted(
    {
        *formats.PERSONA_FIELDS,
        *formats.JOURNEY_FIELDS,
        *formats.STAGE_FIELDS,
        *formats.COMMON_STORY_FIELDS,
        *(name for fields in formats.STORY_KIND_FIELDS.values() for name in fields),
        *formats.INSIGHT_FIELDS,
        *formats.ACTION_FIELDS,
        *formats.ROOM_FIELDS,
        *formats.DISPLAY_FIELDS,
        *formats.PLAYLIST_FIELDS,
        *formats.TOUR_FIELDS,
        *("src", "alt", "text", "pseudonym", "consent", "start", "end", "open", "close"),
    }
)


# -- YAML-shaped text ----------------------------------------------------------------

words = st.sampled_from(
    [
        *FIELD_NAMES,
        "maya",
        "p07#hl-1",
        "persona/maya",
        "kitchen.jpg",
        "../../x.jpg",
        "/etc/passwd",
        "12:04",
        "00:00:01.500",
        "2026-13-45",
        "2026-03-12",
        "yes",
        "~",
        "null",
        ".inf",
        "-.nan",
        "0x1F",
        "0o17",
        "1_000",
        "<script>alert(1)</script>",
        "\u202e",
        "é漢",
    ]
) | st.text(string.printable, max_size=12)
decorations = st.sampled_from(
    ["", "", "", "&a ", "*a", "!!str ", "!!int ", "!!binary ", "!!set ", "!!python/object ", "!x "]
)


@st.composite
def yaml_scalar(draw: st.DrawFn) -> str:
    word = draw(words)
    quote = draw(st.sampled_from(["", "", "'", '"', "|\n  ", ">-\n  "]))
    quoted = quote in ("'", '"')
    return draw(decorations) + quote + (word.replace(quote, "") + quote if quoted else word)


def yaml_block(depth: int) -> st.SearchStrategy[str]:
    """Block mappings and sequences with random (sometimes wrong) indentation."""

    @st.composite
    def block(draw: st.DrawFn) -> str:
        indent = " " * draw(st.sampled_from([0, 1, 2, 2, 2, 3, 4])) * depth
        lines = []
        for _ in range(draw(st.integers(min_value=0, max_value=4))):
            key = draw(words)
            shape = draw(st.sampled_from(["scalar", "scalar", "flow", "map", "seq", "bad"]))
            lead = f"{indent}- " if draw(st.booleans()) else f"{indent}{key}: "
            if shape == "scalar" or depth > 6:
                lines.append(lead + draw(yaml_scalar()))
            elif shape == "flow":
                lines.append(lead + draw(yaml_flow()))
            elif shape == "bad":
                lines.append(indent + draw(st.sampled_from(["- -", ": :", "? x", "{", "]", "\t-"])))
            else:
                lines.append(lead.rstrip() + "\n" + draw(yaml_block(depth + 1)))
        return "\n".join(lines)

    return block()


def yaml_flow() -> st.SearchStrategy[str]:
    return st.recursive(
        yaml_scalar(),
        lambda inner: (
            st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]")
            | st.lists(st.tuples(words, inner), max_size=4).map(
                lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"
            )
        ),
        max_leaves=12,
    )


@st.composite
def yaml_documents(draw: st.DrawFn) -> str:
    parts = [draw(yaml_block(0)) for _ in range(draw(st.integers(min_value=1, max_value=2)))]
    extra = draw(st.sampled_from(["", "", "# a comment", "...", "%YAML 1.1", "--- !x"]))
    nested = draw(st.integers(min_value=0, max_value=400))
    deep = draw(st.sampled_from(["", "[" * nested + "]" * nested, "- " * nested + "x"]))
    return "\n---\n".join(parts) + "\n" + extra + "\n" + deep + "\n"


anything = (
    st.binary(max_size=600).map(lambda b: ("bytes", b))
    | st.text(max_size=600).map(lambda t: ("text", t.encode("utf-8", "surrogatepass")))
    | yaml_documents().map(lambda t: ("yaml", t.encode("utf-8", "surrogatepass")))
)


def valid_problem(problem: Problem, display: str) -> None:
    assert isinstance(problem, Problem)
    assert problem.path == display
    assert problem.line is None or problem.line >= 1
    assert problem.message
    problem.format()


def no_invalid_inside(value: object) -> None:
    assert value is not INVALID
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            no_invalid_inside(getattr(value, f.name))
    elif isinstance(value, Mapping):
        for item in value.values():
            no_invalid_inside(item)
    elif isinstance(value, tuple | list):
        for item in value:
            no_invalid_inside(item)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Scratch projects that each example writes its one file into (in-process, no build):
    `project/<kind>/` holds a plain room.yml and one item of that kind; `project/room/`
    only a room.yml."""
    root = tmp_path_factory.mktemp("props")
    for kind in ITEM_KINDS:
        (root / kind / "content" / FOLDER[kind] / "item").mkdir(parents=True)
        (root / kind / "content" / "room.yml").write_text("name: A room\n")
    (root / "room" / "content").mkdir(parents=True)
    return root


def load_one(project: Path, kind: str) -> None:
    """Load a project holding one item; only problems of that item, loaded or left out."""
    display = f"content/{FOLDER[kind]}/item/index.md"
    library, problems = load(Project(project / kind), TODAY)
    for problem in problems:
        valid_problem(problem, display)
    no_invalid_inside(library.by_kind(kind).get("item"))


# -- YAML and front matter ---------------------------------------------------------------


@FAST
@given(text=yaml_documents() | st.text(max_size=400))
def test_parse_yaml_only_ever_reports(text: str) -> None:
    try:
        parse_yaml(text, "content/room.yml")
    except ContentError as exc:
        valid_problem(exc.problem, "content/room.yml")


@FAST
@given(data=anything)
def test_front_matter_of_any_bytes_only_ever_reports(
    project: Path, data: tuple[str, bytes]
) -> None:
    _shape, raw = data
    path = project / "story/content/stories/item/index.md"
    for wrapped in (raw, b"---\n" + raw + b"\n---\nbody\n"):
        path.write_bytes(wrapped)
        try:
            front = split_front_matter(read_text(path, "x/index.md"), "x/index.md")
        except ContentError as exc:
            valid_problem(exc.problem, "x/index.md")
        else:
            assert front.body_line >= 1


@FAST
@given(data=anything, kind=st.sampled_from(ITEM_KINDS))
def test_any_index_md_loads_as_an_item_or_problems(
    project: Path, data: tuple[str, bytes], kind: str
) -> None:
    _shape, raw = data
    index = project / kind / "content" / FOLDER[kind] / "item" / "index.md"
    index.write_bytes(b"---\n" + raw + b"\n---\n" + raw[:80])
    load_one(project, kind)


fields_documents = st.dictionaries(
    st.sampled_from(FIELD_NAMES),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.dates() | st.text(max_size=15),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=5), inner, max_size=4)
        ),
        max_leaves=15,
    ),
    max_size=8,
)


@FAST
@given(
    meta=fields_documents,
    kind=st.sampled_from(ITEM_KINDS),
    story=st.sampled_from(["interview", "audio-diary", "photo-film", "email", "story"]),
)
def test_any_fields_of_the_right_names_load_or_report(
    project: Path, meta: dict[str, Any], kind: str, story: str
) -> None:
    if kind == "story":
        meta = {"kind": story, **meta}
    index = project / kind / "content" / FOLDER[kind] / "item" / "index.md"
    text = yaml.safe_dump(meta, allow_unicode=True)
    index.write_text(f"---\n{text}---\nbody\n", encoding="utf-8")
    load_one(project, kind)


# -- room.yml ------------------------------------------------------------------------------


@FAST
@given(data=anything | fields_documents.map(lambda d: ("fields", yaml.safe_dump(d).encode())))
def test_any_room_yml_loads_as_a_room_or_problems(project: Path, data: tuple[str, bytes]) -> None:
    _shape, raw = data
    (project / "room" / "content" / "room.yml").write_bytes(raw)
    library, problems = load(Project(project / "room"), TODAY)
    for problem in problems:
        valid_problem(problem, "content/room.yml")
    no_invalid_inside(library.room)
    assert library.room.name and isinstance(library.room.displays, tuple)


# -- WebVTT ----------------------------------------------------------------------------------

timestamps = st.sampled_from(
    ["00:00.000", "00:01.500", "01:00:00.000", "99:59:59.999", "1:2.3", "00:00,500", "-1", ""]
) | st.builds(
    lambda h, m, s, ms: f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}",
    st.integers(0, 120),
    st.integers(0, 70),
    st.integers(0, 70),
    st.integers(0, 1200),
)
cue_words = st.sampled_from(
    ["<v Leah>", "<v.loud Sam Smith>", "</v>", "<i>", "</b>", "<c.x>", "<ruby>", "<rt>", "</rt>",
     "<00:00:01.000>", "&amp;", "&lt;", "&#x1F600;", "&#0;", "&nbsp;", "&bogus;", "<script>",
     "-->", "NOTE", "\u202e", "\x00", "\r", " "]
) | st.text(max_size=10)  # fmt: skip


@st.composite
def vtt_shaped(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(["WEBVTT", "WEBVTT - title", "\ufeffWEBVTT", "WEBVTT\t", "webvtt"]))
    blocks = []
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        shape = draw(st.sampled_from(["cue", "cue", "cue", "note", "style", "junk"]))
        if shape == "cue":
            ident = draw(st.sampled_from(["", "", "1", "cue-id"]))
            timing = f"{draw(timestamps)} --> {draw(timestamps)}"
            timing += draw(st.sampled_from(["", "", " align:start", " line:0%"]))
            text = "".join(draw(st.lists(cue_words, max_size=6)))
            blocks.append("\n".join(x for x in (ident, timing, text) if x))
        elif shape == "note":
            blocks.append("NOTE " + "".join(draw(st.lists(cue_words, max_size=4))))
        elif shape == "style":
            blocks.append("STYLE\n::cue { color: red }")
        else:
            blocks.append("".join(draw(st.lists(cue_words, max_size=6))))
    separator = draw(st.sampled_from(["\n\n", "\r\n\r\n", "\n", "\n \n"]))
    return head + separator + separator.join(blocks) + "\n"


@FAST
@given(
    data=st.binary(max_size=600)
    | vtt_shaped().map(lambda t: t.encode("utf-8", "surrogatepass"))
    | vtt_shaped().map(lambda t: t.encode("utf-16"))
    | st.text(max_size=600).map(lambda t: b"WEBVTT\n\n" + t.encode("utf-8", "surrogatepass"))
)
def test_any_vtt_bytes_read_as_cues_or_problems(project: Path, data: bytes) -> None:
    path = project / "story/content/stories/item/words.vtt"
    path.write_bytes(data)
    transcript, problems = read_vtt(path, "content/stories/item/words.vtt")
    for problem in problems:
        valid_problem(problem, "content/stories/item/words.vtt")
    if transcript is None:
        assert [p for p in problems if p.is_error]
        return
    assert isinstance(transcript, Transcript)
    starts = [cue.start for cue in transcript.cues]
    assert starts == sorted(starts)
    assert all(cue.end > cue.start and cue.text for cue in transcript.cues)
    # What is published from it never carries markup of its own.
    published = to_vtt(transcript)
    assert "<script" not in published and "\x00" not in published
