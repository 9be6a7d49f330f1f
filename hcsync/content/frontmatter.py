"""Split a Markdown file into its YAML front-matter and its body, keeping line numbers.

A small splitter rather than python-frontmatter: python-frontmatter treats a block that opens
with ``---`` and never closes as "no front-matter" (so the YAML would be published as text),
accepts a YAML list as empty metadata, and loses line numbers. Here the front-matter is the text
between a first line ``---`` and the next line ``---`` (or ``...``); anything else at line 1
means there is no front-matter. ``---`` later in the body (a rule, a setext heading, inside a
code block) is never looked at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_OPEN = re.compile(r"---[ \t]*(?:\n|$)")


@dataclass(frozen=True, slots=True)
class Split:
    """A file cut in two. Lines are 1-based lines of the file."""

    yaml: str | None
    """The front-matter text, or None when the file has none."""
    yaml_line: int
    """Line of the first front-matter line (2 when there is front-matter)."""
    body: str
    body_line: int
    """Line of the first body line."""


class UnclosedFrontMatter(ValueError):
    """The file opens a front-matter block with ``---`` and never closes it."""


def split(text: str) -> Split:
    """Split normalised text (``\\n`` line ends, no BOM). Raises :class:`UnclosedFrontMatter`."""
    opening = _OPEN.match(text)
    if opening is None:
        return Split(None, 1, text, 1)
    close = _CLOSE.search(text, opening.end())
    if close is None:
        raise UnclosedFrontMatter
    yaml_text = text[opening.end() : close.start()]
    end = close.end()
    if end < len(text) and text[end] == "\n":
        end += 1
    body_line = 2 + yaml_text.count("\n") + 1
    return Split(yaml_text, 2, text[end:], body_line)
