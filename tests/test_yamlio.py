"""The line-aware YAML reader: lines, refusals and the file-level problems it raises.

Every bad input must become a `ContentError` carrying one `Problem` with the
file, the line and a fix; nothing else may escape (SPEC §8, DESIGN habit 5).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from immersion.problems import Problem, Severity
from immersion.yamlio import (
    ContentError,
    LDict,
    LList,
    parse_yaml,
    read_text,
    split_front_matter,
)

YAML_HINT = "check the indentation and quote text that contains ': ' or '#'"


def yaml_problem(text: str, display: str = "content/room.yml", offset: int = 0) -> Problem:
    with pytest.raises(ContentError) as caught:
        parse_yaml(text, display, line_offset=offset)
    return caught.value.problem


def front_problem(text: str, display: str = "content/personas/maya/index.md") -> Problem:
    with pytest.raises(ContentError) as caught:
        split_front_matter(text, display)
    return caught.value.problem


def read_problem(tmp_path: Path, data: bytes, display: str = "content/x/index.md") -> Problem:
    path = tmp_path / "index.md"
    path.write_bytes(data)
    with pytest.raises(ContentError) as caught:
        read_text(path, display)
    return caught.value.problem


# -- lines of keys and items ------------------------------------------------


def test_lines_of_keys_and_items() -> None:
    data = parse_yaml(
        "name: Room\n"  # 1
        "displays:\n"  # 2
        "  - id: entrance\n"  # 3
        "    title: Wall\n"  # 4
        "  - id: post\n"  # 5
        "tags: [a,\n"  # 6
        "  b]\n",  # 7
        "content/room.yml",
    )
    assert isinstance(data, LDict)
    assert data.line == 1
    assert data.key_lines == {"name": 1, "displays": 2, "tags": 6}
    displays = data["displays"]
    assert isinstance(displays, LList)
    assert displays.item_lines == [3, 5]
    assert displays[0].key_lines == {"id": 3, "title": 4}
    assert displays[1].line == 5
    assert data["tags"].item_lines == [6, 7]


def test_line_of_falls_back_to_the_container() -> None:
    data = parse_yaml("\n\nitems:\n  - a\n", "x.yml")
    assert data.line_of("missing") == data.line == 3
    assert data["items"].line_of(5) == data["items"].line == 4
    assert data["items"].line_of(-1) == 4


def test_front_matter_lines_are_lines_of_the_file() -> None:
    front = split_front_matter(
        "---\n"  # 1
        "name: Maya\n"  # 2
        "goals:\n"  # 3
        "  - one\n"  # 4
        "  - two\n"  # 5
        "---\n"  # 6
        "The bio.\n",  # 7
        "content/personas/maya/index.md",
    )
    assert front.meta.key_lines == {"name": 2, "goals": 3}
    assert front.meta["goals"].item_lines == [4, 5]
    assert front.body == "The bio.\n"
    assert front.body_line == 7


def test_front_matter_yaml_error_is_at_the_line_of_the_file() -> None:
    problem = front_problem("---\nname: Maya\ngoals: [one, two\nsegment: x\n---\nbio\n")
    assert problem == Problem(
        "content/personas/maya/index.md",
        4,
        "invalid YAML: while parsing a flow sequence, expected ',' or ']', but got ':'",
        YAML_HINT,
    )


# -- invalid YAML -------------------------------------------------------------


def test_invalid_yaml_names_the_line() -> None:
    problem = yaml_problem("name: Room\ntimezone: Europe/London\n  idle: 90\n")
    assert problem == Problem(
        "content/room.yml", 3, "invalid YAML: mapping values are not allowed here", YAML_HINT
    )
    assert problem.severity is Severity.ERROR
    assert problem.format() == (
        "content/room.yml:3: error: invalid YAML: mapping values are not allowed here "
        f"({YAML_HINT})"
    )


def test_unquoted_colon_in_text() -> None:
    problem = yaml_problem("name: Room\ntitle: Leah: on moving\n")
    assert (problem.line, problem.message) == (
        2,
        "invalid YAML: mapping values are not allowed here",
    )


def test_unclosed_quote_names_the_line_where_it_opens() -> None:
    problem = yaml_problem('name: Room\ntitle: "Wall\nidle_seconds: 90\n\n')
    assert problem.line == 2
    assert problem.message == (
        "invalid YAML: while scanning a quoted scalar, found unexpected end of stream"
    )


def test_unclosed_bracket_in_front_matter_names_its_line() -> None:
    problem = front_problem("---\nname: Maya\ngoals: [one, two\n---\nbio\n")
    assert problem == Problem(
        "content/personas/maya/index.md",
        3,
        "invalid YAML: while parsing a flow sequence, expected ',' or ']', but got '<stream end>'",
        YAML_HINT,
    )


def test_tab_indentation() -> None:
    problem = yaml_problem("displays:\n\t- id: a\n")
    assert problem.line == 2
    assert problem.message.startswith("invalid YAML: while scanning for the next token")


def test_two_documents_are_refused() -> None:
    problem = yaml_problem("name: a\n---\nname: b\n")
    assert (problem.line, problem.message) == (
        2,
        "invalid YAML: expected a single document in the stream, but found another document",
    )


def test_duplicate_key_is_refused_at_the_second_one() -> None:
    problem = yaml_problem("name: Maya\nsegment: Renters\nname: Raj\n")
    assert problem == Problem(
        "content/room.yml",
        3,
        "invalid YAML: the key 'name' appears twice (first on line 1)",
        "keep one of them, or check the indentation",
    )


def test_duplicate_key_in_front_matter_counts_file_lines() -> None:
    problem = front_problem("---\nname: Maya\nname: Raj\n---\n")
    assert (problem.line, problem.message) == (
        3,
        "invalid YAML: the key 'name' appears twice (first on line 2)",
    )


# -- refusals -----------------------------------------------------------------


def test_aliases_are_refused() -> None:
    problem = yaml_problem("a: &x [1, 2]\nb: *x\n")
    assert problem == Problem(
        "content/room.yml",
        2,
        "invalid YAML: aliases (*name) are not allowed in content; write the value out",
        YAML_HINT,
    )


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(ord("b"), ord("j") + 1):
        prev = chr(n - 1)
        lines.append(f"{chr(n)}: &{chr(n)} [{', '.join(['*' + prev] * 9)}]")
    problem = yaml_problem("\n".join(lines) + "\n")
    assert problem.line == 2
    assert "aliases (*name) are not allowed" in problem.message


def test_merge_key_with_alias_is_refused() -> None:
    problem = yaml_problem("base: &b {a: 1}\nitem:\n  <<: *b\n")
    assert problem.line == 3
    assert "aliases" in problem.message


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("a: !!binary aGVsbG8=\n", "!!binary"),
        ("a: !!set {x}\n", "!!set"),
        ("a: !!omap [x: 1]\n", "!!omap"),
        ("a: !!pairs [x: 1]\n", "!!pairs"),
    ],
)
def test_exotic_yaml_types_are_refused(text: str, tag: str) -> None:
    problem = yaml_problem(text)
    assert problem == Problem(
        "content/room.yml",
        1,
        f"invalid YAML: the tag {tag} is not allowed in content",
        "remove the tag and write plain text, numbers, lists or mappings",
    )


def test_python_tags_are_refused() -> None:
    problem = yaml_problem("a: !!python/object/apply:os.system [echo hi]\n")
    assert problem.line == 1
    assert problem.message == (
        "invalid YAML: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system'"
    )


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    problem = yaml_problem("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert problem == Problem(
        "content/room.yml",
        None,
        "invalid YAML: the lists or mappings are nested too deeply",
        "content never needs more than a few levels; check the brackets",
    )


@pytest.mark.parametrize(("char", "code"), [("\x00", "0000"), ("\x07", "0007"), ("\x1b", "001B")])
def test_control_characters_name_their_line(char: str, code: str) -> None:
    problem = yaml_problem(f"name: Room\n\ntitle: a{char}b\n", offset=1)
    assert problem == Problem(
        "content/room.yml",
        4,
        f"invalid YAML: the character U+{code} is not allowed in text",
        "delete it; it is often left behind by copying from another program",
    )


# -- scalars ------------------------------------------------------------------


def test_unquoted_times_stay_text() -> None:
    data = parse_yaml("a: 12:04\nb: 1:30:00\nc: 00:12:04.200\nd: 190:20:30.15\n", "x.yml")
    assert data == {"a": "12:04", "b": "1:30:00", "c": "00:12:04.200", "d": "190:20:30.15"}


def test_ordinary_numbers_still_parse() -> None:
    data = parse_yaml("a: 90\nb: -2\nc: 1.5\nd: 0x1F\ne: 1_000\nf: +3\n", "x.yml")
    assert data == {"a": 90, "b": -2, "c": 1.5, "d": 31, "e": 1000, "f": 3}
    assert isinstance(data["a"], int)
    assert isinstance(data["c"], float)


def test_dates_parse_and_impossible_dates_stay_text() -> None:
    data = parse_yaml(
        "a: 2026-03-12\nb: 2026-13-45\nc: 2026-02-30\nd: 0000-01-01\ne: 2026-03-12 10:00:00\n",
        "x.yml",
    )
    assert data["a"] == dt.date(2026, 3, 12)
    assert data["b"] == "2026-13-45"
    assert data["c"] == "2026-02-30"
    assert data["d"] == "0000-01-01"
    assert data["e"] == dt.datetime(2026, 3, 12, 10, 0)


def test_non_text_keys_become_text() -> None:
    data = parse_yaml("1: a\ntrue: b\n2026-01-01: c\nyes: d\n", "x.yml")
    assert data == {"1": "a", "True": "b", "2026-01-01": "c", "yes": "d"}
    assert data.key_lines == {"1": 1, "True": 2, "2026-01-01": 3, "yes": 4}


def test_empty_yaml_is_none() -> None:
    assert parse_yaml("", "x.yml") is None
    assert parse_yaml("# only a comment\n", "x.yml") is None


# -- reading bytes ------------------------------------------------------------


def test_bom_and_crlf_are_read_as_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "index.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\nname: Maya\r\ngoals: [a]\r\n---\r\nBio.\r\n")
    text = read_text(path, "content/personas/maya/index.md")
    assert text == "---\nname: Maya\ngoals: [a]\n---\nBio.\n"
    front = split_front_matter(text, "content/personas/maya/index.md")
    assert front.meta == {"name": "Maya", "goals": ["a"]}
    assert front.meta.key_lines == {"name": 2, "goals": 3}
    assert front.body == "Bio.\n"
    assert front.body_line == 5


def test_old_mac_line_endings_are_read_as_lines(tmp_path: Path) -> None:
    path = tmp_path / "index.md"
    path.write_bytes(b"---\rname: Maya\r---\rBio.\r")
    front = split_front_matter(read_text(path, "x"), "x")
    assert front.meta == {"name": "Maya"}
    assert front.meta.key_lines == {"name": 2}
    assert front.body_line == 4


def test_non_utf8_names_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    problem = read_problem(tmp_path, b"---\nname: Maya\nsegment: Caf\xe9 owners\n---\n")
    assert problem == Problem(
        "content/x/index.md",
        3,
        "the file is not UTF-8 text",
        "save it as UTF-8 in your editor (File > Save with encoding)",
    )


def test_non_utf8_line_after_a_bom(tmp_path: Path) -> None:
    problem = read_problem(tmp_path, b"\xef\xbb\xbfa\nb\n\xff\n")
    assert problem.line == 3


def test_non_utf8_line_with_crlf(tmp_path: Path) -> None:
    problem = read_problem(tmp_path, b"a\r\nb\r\nc\r\n\x80\r\n")
    assert problem.line == 4


def test_utf16_file_is_not_utf8(tmp_path: Path) -> None:
    problem = read_problem(tmp_path, "---\nname: Maya\n---\n".encode("utf-16"))
    assert (problem.line, problem.message) == (1, "the file is not UTF-8 text")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as caught:
        read_text(tmp_path / "absent.md", "content/x/index.md")
    problem = caught.value.problem
    assert problem == Problem(
        "content/x/index.md",
        None,
        "cannot read the file: No such file or directory",
        "check that it exists and that you may read it",
    )


def test_a_folder_is_not_readable_text(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as caught:
        read_text(tmp_path, "content/x/index.md")
    assert caught.value.problem.message.startswith("cannot read the file: ")


# -- front matter ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "   \n\t\n"])
def test_empty_file(text: str) -> None:
    assert front_problem(text) == Problem(
        "content/personas/maya/index.md",
        1,
        "the file is empty",
        "start it with a '---' line, the YAML fields, and a closing '---'; "
        "`immersion new` writes a complete example",
    )


@pytest.mark.parametrize(
    "text", ["name: Maya\n---\nbio\n", "Just a bio.\n", "\n---\nname: Maya\n---\n", "----\n"]
)
def test_missing_front_matter(text: str) -> None:
    assert front_problem(text) == Problem(
        "content/personas/maya/index.md",
        1,
        "the file does not start with YAML front matter",
        "make the first line '---', then the fields, then a closing '---'",
    )


@pytest.mark.parametrize("text", ["---\nname: Maya\n", "---\nname: Maya\nbio\n", "---"])
def test_unclosed_front_matter(text: str) -> None:
    assert front_problem(text) == Problem(
        "content/personas/maya/index.md",
        1,
        "the front matter is never closed",
        "add a line with just '---' after the last field",
    )


def test_front_matter_closed_by_dots_or_trailing_spaces() -> None:
    assert split_front_matter("---\na: 1\n...\nbody\n", "x").meta == {"a": 1}
    front = split_front_matter("---  \na: 1\n---  \nbody\n", "x")
    assert front.meta == {"a": 1}
    assert front.body == "body\n"


def test_front_matter_without_body() -> None:
    front = split_front_matter("---\na: 1\n---", "x")
    assert front.meta == {"a": 1}
    assert front.body == ""


def test_empty_front_matter_is_none() -> None:
    front = split_front_matter("---\n---\nbody\n", "x")
    assert front.meta is None
    assert front.body_line == 3


def test_a_rule_in_the_body_stays_in_the_body() -> None:
    front = split_front_matter("---\na: 1\n---\nbefore\n\n---\n\nafter\n", "x")
    assert front.meta == {"a": 1}
    assert front.body == "before\n\n---\n\nafter\n"


@pytest.mark.parametrize("text", ["- " * 40000, "a: " + "[" * 30000])
def test_nesting_that_would_crash_libyaml_is_a_problem(text: str) -> None:
    # libyaml would recurse on the C stack and kill the process; these take the slow path.
    with pytest.raises(ContentError, match="nested too deeply"):
        parse_yaml(text, "x.yml")


@pytest.mark.parametrize(
    "text",
    [
        "a: !!int abc",
        "a: !!bool foo",
        "a: !!float x",
        # Found by hypothesis: PyYAML raises IndexError / AttributeError on these.
        "alt: !!int ",
        "alt: !!int",
        "a: !!float ",
        "x: !!timestamp ",
        "x: !!timestamp yesterday",
    ],
)
def test_a_tag_that_does_not_fit_its_value_is_a_problem(text: str) -> None:
    with pytest.raises(ContentError, match="does not fit its !! tag"):
        parse_yaml(text, "x.yml")
