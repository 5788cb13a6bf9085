"""Reading YAML and front matter while keeping the line of every key and item.

PyYAML's constructed dicts forget where they came from, so this loader builds
`LDict` / `LList`, which remember the line of each key and list item. The
schema then reports a wrong type or an unknown field at its own line.

Two YAML 1.1 habits are switched off on purpose:
* aliases (`*ref`) are refused: content never needs them, and they are the
  way to build a "billion laughs" bomb;
* sexagesimal numbers: unquoted `12:04` would otherwise load as the integer
  724, silently corrupting a media time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode

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


class _ContentLoader(yaml.SafeLoader):
    line_offset = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                "aliases (*name) are not allowed in content; write the value out",
                event.start_mark,
            )
        return super().compose_node(parent, index)  # type: ignore[no-any-return]

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
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = self._line(key_node)
        return result

    def construct_llist(self, node: SequenceNode) -> LList:
        result = LList(self.construct_object(child, deep=True) for child in node.value)
        result.line = self._line(node)
        result.item_lines = [self._line(child) for child in node.value]
        return result


_ContentLoader.add_constructor("tag:yaml.org,2002:map", _ContentLoader.construct_ldict)
_ContentLoader.add_constructor("tag:yaml.org,2002:seq", _ContentLoader.construct_llist)

# Rebuild the implicit resolvers without the sexagesimal forms of int and float.
_ContentLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ContentLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_ContentLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?"
        r"|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


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
        return data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ContentError(
            Problem(
                display,
                line,
                "the file is not UTF-8 text",
                "save it as UTF-8 in your editor (File > Save with encoding)",
            )
        ) from None


def parse_yaml(text: str, display: str, line_offset: int = 0) -> Any:
    """Parse one YAML document into LDict/LList/scalars, or raise ContentError."""
    loader = _ContentLoader(text)
    loader.line_offset = line_offset
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = int(mark.line) + 1 + line_offset if mark else None
        message = exc.problem or str(exc)
        if exc.context:
            message = f"{exc.context}, {message}"
        raise ContentError(
            Problem(
                display,
                line,
                f"invalid YAML: {message}",
                "check the indentation and quote text that contains ': ' or '#'",
            )
        ) from None
    except yaml.YAMLError as exc:
        raise ContentError(Problem(display, None, f"invalid YAML: {exc}")) from None
    finally:
        loader.dispose()


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
