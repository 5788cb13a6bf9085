"""Reading YAML and front matter while keeping the line of every key and item.

PyYAML's constructed dicts forget where they came from, so this loader builds
`LDict` / `LList`, which remember the line of each key and list item. The
schema then reports a wrong type or an unknown field at its own line.

Two YAML 1.1 habits are switched off on purpose:
* aliases (`*ref`) are refused: content never needs them, and they are the
  way to build a "billion laughs" bomb;
* sexagesimal numbers: unquoted `12:04` would otherwise load as the integer
  724, silently corrupting a media time;
* `yes`/`no`/`on`/`off` as booleans: a participant called "No" or a caption
  "on" is text. Only `true` and `false` are booleans, as in YAML 1.2.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .problems import Problem


class LDict(dict[str, Any]):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LList(list[Any]):
    """A list that remembers its own line and the line of each item (1-based)."""

    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


class _Refused(yaml.constructor.ConstructorError):
    """Valid YAML that content may not use; carries its own fix."""

    def __init__(self, problem: str, mark: Any, hint: str) -> None:
        super().__init__(None, None, problem, mark)
        self.hint = hint


class _ContentConstructor(yaml.constructor.SafeConstructor):
    """Builds LDict/LList with lines; shared by the C-speed and the pure-Python loaders."""

    line_offset = 0

    def _line(self, node: Node) -> int:
        return int(node.start_mark.line) + 1 + self.line_offset

    def construct_ldict(self, node: MappingNode) -> LDict:
        self.flatten_mapping(node)
        result = LDict()
        result.line = self._line(node)
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                # Keys like `1:` or `yes:` are never field names; keep them visible as text.
                key = str(key)
            if key in result.key_lines:
                # PyYAML keeps the last of two equal keys; silently losing the first hides a
                # mistake (often two items run together), so it is refused.
                raise _Refused(
                    f"the key '{key}' appears twice (first on line {result.key_lines[key]})",
                    key_node.start_mark,
                    "keep one of them, or check the indentation",
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = self._line(key_node)
        return result

    def construct_llist(self, node: SequenceNode) -> LList:
        result = LList(self.construct_object(child, deep=True) for child in node.value)
        result.line = self._line(node)
        result.item_lines = [self._line(child) for child in node.value]
        return result

    def construct_date_or_text(self, node: ScalarNode) -> Any:
        # `2026-13-45` looks like a date but is none: keep the text so the schema can say so.
        try:
            return self.construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)

    def refuse_tag(self, node: Node) -> Any:
        tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
        raise _Refused(
            f"the tag {tag} is not allowed in content",
            node.start_mark,
            "remove the tag and write plain text, numbers, lists or mappings",
        )


# The stubs only accept a whole Loader class here; the mixin is where both loaders find them.
_add_constructor: Any = _ContentConstructor.add_constructor
_add_constructor("tag:yaml.org,2002:map", _ContentConstructor.construct_ldict)
_add_constructor("tag:yaml.org,2002:seq", _ContentConstructor.construct_llist)
_add_constructor("tag:yaml.org,2002:timestamp", _ContentConstructor.construct_date_or_text)
# Binary data, sets and ordered pairs never appear in content and no converter expects them.
for _tag in ("binary", "set", "omap", "pairs"):
    _add_constructor(f"tag:yaml.org,2002:{_tag}", _ContentConstructor.refuse_tag)


class _ContentResolver(yaml.resolver.Resolver):
    """Plain scalars as content means them (see the module docstring)."""


# Rebuild the implicit resolvers without the sexagesimal forms of int and float and
# without the YAML 1.1 spellings of booleans.
_ContentResolver.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ContentResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_ContentResolver.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_ContentResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?"
        r"|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


class _ContentLoader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    _ContentConstructor,
    _ContentResolver,
):
    """Pure Python: slow, but its errors carry the best messages and marks."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _ContentConstructor.__init__(self)
        _ContentResolver.__init__(self)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                "aliases (*name) are not allowed in content; write the value out",
                event.start_mark,
            )
        return super().compose_node(parent, index)


def _c_parser() -> Any:
    try:
        return importlib.import_module("yaml._yaml").CParser
    except (ImportError, AttributeError):  # PyYAML without libyaml: the pure-Python path
        return None


_CParser: Any = _c_parser()


class _AliasSeen(Exception):
    """The C parser composed an alias: the pure-Python loader reports it properly."""


if _CParser is not None:

    class _FastLoader(_CParser, _ContentConstructor, _ContentResolver):
        """libyaml's parser with our constructor: most of a build's YAML time is parsing."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _ContentConstructor.__init__(self)
            _ContentResolver.__init__(self)

        def construct_object(self, node: Node, deep: bool = False) -> Any:
            # An alias is the same node reached twice; content may not use them.
            if node in self.constructed_objects:
                raise _AliasSeen
            return super().construct_object(node, deep)


def _parse_fast(text: str, line_offset: int) -> tuple[bool, Any]:
    """(True, data) when libyaml parses `text` cleanly; (False, None) to take the slow path."""
    if _CParser is None or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return False, None
    # libyaml's composer recurses on the C stack: 30 KB of nested `- - - ...` or `[[[...`
    # crashes the process. Anything nested that deeply goes to the pure-Python loader,
    # which reports it; real front matter is nowhere near these limits.
    if (
        text.count("[") + text.count("{") > 256
        or max(map(len, text.splitlines()), default=0) > 2000
    ):
        return False, None
    loader = _FastLoader(text)
    loader.line_offset = line_offset
    try:
        return True, loader.get_single_data()
    except (
        yaml.YAMLError,
        _AliasSeen,
        RecursionError,
        ValueError,
        OverflowError,
        KeyError,
        TypeError,
        IndexError,  # `!!int` or `!!float` with no value: PyYAML indexes the empty text
        AttributeError,  # `!!timestamp` that is no date: PyYAML reads a failed match
    ):
        return False, None
    finally:
        loader.dispose()


# Far more than any room.yml, consent or front matter needs (the demo's largest is 4 KB).
MAX_YAML_CHARS = 1_000_000


class ContentError(Exception):
    """A file that cannot be read as content at all; carries its problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.format())
        self.problem = problem


def read_text(path: Path, display: str) -> str:
    """Read a UTF-8 text file, or raise ContentError naming the line of a bad byte."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(
            Problem(
                display,
                None,
                f"cannot read the file: {exc.strerror or exc}",
                "check that it exists and that you may read it",
            )
        ) from None
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        # Count in the bytes the codec saw: "utf-8-sig" has already dropped a BOM.
        line = exc.object.count(b"\n", 0, exc.start) + 1
        raise ContentError(
            Problem(
                display,
                line,
                "the file is not UTF-8 text",
                "save it as UTF-8 in your editor (File > Save with encoding)",
            )
        ) from None


def parse_yaml(text: str, display: str, line_offset: int = 0) -> Any:
    """Parse one YAML document into LDict/LList/scalars, or raise ContentError.

    Valid YAML takes libyaml's C parser; anything it refuses is parsed again by
    the pure-Python loader, whose error marks and messages are the ones reported.
    """
    if len(text) > MAX_YAML_CHARS:
        # Content YAML is a few kilobytes; parsing megabytes of it (and reporting every
        # key) would stall the build for a minute. Long text belongs in the body.
        raise ContentError(
            Problem(
                display,
                line_offset + 1,
                f"the YAML is too long ({len(text):,} characters; at most {MAX_YAML_CHARS:,})",
                "keep the fields short; long text belongs in the Markdown body",
            )
        )
    ok, data = _parse_fast(text, line_offset)
    if ok:
        return data
    try:
        # The reader refuses control characters as soon as it is built.
        loader = _ContentLoader(text)
    except yaml.reader.ReaderError as exc:
        raise ContentError(_reader_problem(exc, text, display, line_offset)) from None
    loader.line_offset = line_offset
    try:
        return loader.get_single_data()
    except yaml.reader.ReaderError as exc:
        raise ContentError(_reader_problem(exc, text, display, line_offset)) from None
    except RecursionError:
        raise ContentError(
            Problem(
                display,
                None,
                "invalid YAML: the lists or mappings are nested too deeply",
                "content never needs more than a few levels; check the brackets",
            )
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at_end = any(word in (exc.problem or "") for word in ("end of stream", "<stream end>"))
        if at_end and exc.context_mark:
            # An unclosed quote or bracket is only noticed at the end of the text; the line
            # where it was opened is the one to fix.
            mark = exc.context_mark
        line = int(mark.line) + 1 + line_offset if mark else None
        message = exc.problem or str(exc)
        if exc.context:
            message = f"{exc.context}, {message}"
        raise ContentError(
            Problem(
                display,
                line,
                f"invalid YAML: {message}",
                getattr(
                    exc, "hint", "check the indentation and quote text that contains ': ' or '#'"
                ),
            )
        ) from None
    except yaml.YAMLError as exc:
        raise ContentError(Problem(display, None, f"invalid YAML: {exc}")) from None
    except (ValueError, KeyError, TypeError, OverflowError, IndexError, AttributeError):
        # An explicit tag that does not fit its value (`!!int abc`, `!!bool foo`, an empty
        # `!!int`, a `!!timestamp` that is no date).
        raise ContentError(
            Problem(
                display,
                None,
                "invalid YAML: a value does not fit its !! tag",
                "remove tags such as !!int or !!bool and write plain values",
            )
        ) from None
    finally:
        loader.dispose()


def _reader_problem(
    exc: yaml.reader.ReaderError, text: str, display: str, line_offset: int
) -> Problem:
    line = text.count("\n", 0, max(exc.position, 0)) + 1 + line_offset
    return Problem(
        display,
        line,
        f"invalid YAML: the character U+{exc.character:04X} is not allowed in text"
        if isinstance(exc.character, int)
        else f"invalid YAML: {exc}",
        "delete it; it is often left behind by copying from another program",
    )


@dataclass(frozen=True)
class FrontMatter:
    meta: Any
    body: str
    body_line: int  # the line of the file where the body starts


_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$", re.MULTILINE)


def split_front_matter(text: str, display: str) -> FrontMatter:
    """Split `---` YAML `---` body; raise ContentError if the front matter is missing."""
    if not text.strip():
        raise ContentError(
            Problem(
                display,
                1,
                "the file is empty",
                "start it with a '---' line, the YAML fields, and a closing '---'; "
                "`immersion new` writes a complete example",
            )
        )
    first_line = text.split("\n", 1)[0].rstrip()
    if first_line != "---":
        raise ContentError(
            Problem(
                display,
                1,
                "the file does not start with YAML front matter",
                "make the first line '---', then the fields, then a closing '---'",
            )
        )
    rest_start = len(first_line) + 1
    closing = _FENCE.search(text, rest_start)
    if closing is None:
        raise ContentError(
            Problem(
                display,
                1,
                "the front matter is never closed",
                "add a line with just '---' after the last field",
            )
        )
    yaml_text = text[rest_start : closing.start()]
    meta = parse_yaml(yaml_text, display, line_offset=1)
    body_start = closing.end() + 1
    body_line = text.count("\n", 0, min(body_start, len(text))) + 1
    return FrontMatter(meta=meta, body=text[body_start:], body_line=body_line)
