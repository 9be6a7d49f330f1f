"""YAML → plain values that remember their line, for ``path:line`` diagnostics.

PyYAML's composer (the libyaml C loader when present) builds a node tree with a mark on every
node; we convert that tree ourselves instead of calling ``yaml.safe_load`` so that we keep the
line of every key, catch duplicate keys (PyYAML silently keeps the last one), and refuse alias
abuse: the composer shares one node per anchor, and it is the *conversion* that would expand
"billion laughs" aliases, so the conversion counts every value it produces and stops at a budget.
Used by :mod:`hcsync.config` and :mod:`hcsync.content`; it imports nothing else from hcsync.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_VALUES = 10_000
"""Most values one YAML document may expand to; front-matter uses a few dozen."""
MAX_DEPTH = 50
"""Deepest nesting accepted (libyaml stops near 1,000; alias cycles would never stop)."""

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


@dataclass(frozen=True, slots=True)
class Node:
    """A YAML value and its 1-based line.

    ``value`` is ``str | int | float | bool | None | date | datetime | bytes`` for scalars,
    ``list[Node]`` for sequences and ``dict[str, Node]`` for mappings. In a mapping the line of
    each value node is the line of its *key*, which is what a diagnostic should point at.
    """

    value: Any
    line: int


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem found while reading YAML, at a 1-based line."""

    line: int
    message: str
    hint: str | None = None


class _Budget(Exception):
    pass


_INVALID = object()
"""A value that could not be converted (already reported); left out of its container."""


class _Converter:
    def __init__(self, first_line: int) -> None:
        self.offset = first_line - 1
        self.count = 0
        self.problems: list[Problem] = []
        self.constructor = yaml.constructor.SafeConstructor()

    def line(self, node: yaml.Node) -> int:
        return int(node.start_mark.line) + 1 + self.offset

    def convert(self, node: yaml.Node, depth: int, line: int | None = None) -> Node:
        self.count += 1
        if self.count > MAX_VALUES or depth > MAX_DEPTH:
            raise _Budget
        at = self.line(node) if line is None else line
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP_TAG:
                self.problems.append(Problem(at, f"unsupported YAML tag {_short(node.tag)!r}"))
                return Node(None, at)
            out: dict[str, Node] = {}
            for key_node, value_node in node.value:
                key_line = self.line(key_node)
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(Problem(key_line, "keys must be plain strings"))
                    continue
                key = str(key_node.value)
                if key == "<<":
                    self.problems.append(
                        Problem(key_line, "YAML merge keys ('<<') are not supported")
                    )
                    continue
                if key in out:
                    self.problems.append(
                        Problem(key_line, f"duplicate key {key!r} (first on line {out[key].line})")
                    )
                    continue
                value = self.convert(value_node, depth + 1, key_line)
                if value.value is not _INVALID:
                    out[key] = value
            return Node(out, at)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                self.problems.append(Problem(at, f"unsupported YAML tag {_short(node.tag)!r}"))
                return Node(None, at)
            items = [self.convert(item, depth + 1) for item in node.value]
            return Node([i for i in items if i.value is not _INVALID], at)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            if "could not determine a constructor" in problem:
                problem = f"unsupported YAML tag {_short(node.tag)!r}"
            self.problems.append(Problem(at, f"invalid YAML value: {problem}"))
            return Node(_INVALID, at)
        return Node(value, at)


def parse(text: str, first_line: int = 1) -> tuple[Node | None, list[Problem]]:
    """Parse one YAML document whose first line is line ``first_line`` of its file.

    Returns the root node (``None`` for an empty document or a fatal error) and the problems.
    Never raises for bad input.
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (int(mark.line) + first_line) if mark is not None else first_line
        problem = exc.problem or exc.context or "invalid YAML"
        return None, [Problem(line, f"invalid YAML: {problem}")]
    except (yaml.YAMLError, ValueError) as exc:  # e.g. ReaderError for control characters
        return None, [Problem(first_line, f"invalid YAML: {exc}".splitlines()[0])]
    if root is None:
        return None, []
    conv = _Converter(first_line)
    try:
        node = conv.convert(root, 0)
    except _Budget:
        return None, [
            Problem(
                first_line,
                f"YAML expands to more than {MAX_VALUES} values or nests deeper than {MAX_DEPTH}",
                "aliases (*name) that repeat large anchors are refused",
            )
        ]
    return node, conv.problems


def _short(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def describe(value: Any) -> str:
    """A short name for the YAML type of a converted value, for 'must be X, not Y' messages."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"
