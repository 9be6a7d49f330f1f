"""Plain text from stored HTML (helpcenter.md §11, last paragraph) and slugs (§5 E10)."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

BLOCK_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "tr", "blockquote", "div", "br"}
)
"""Elements that become line breaks in ``content.text`` (§11)."""

CELL_TAGS = frozenset({"td", "th"})
"""Table cells are separated by a space so that adjacent cells do not run together.

§11 is silent about cells; ``tr`` already ends a line [emulator decision].
"""

_SKIP_TAGS = frozenset({"script", "style", "noscript", "template"})
_SPACES = re.compile(r"\s+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._pre = 0
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._boundary(tag, start=True)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._boundary(tag, start=True)

    def handle_endtag(self, tag: str) -> None:
        self._boundary(tag, start=False)

    def _boundary(self, tag: str, *, start: bool) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1 if start else -1
            self._skip = max(self._skip, 0)
            return
        if tag == "pre":
            self._pre += 1 if start else -1
            self._pre = max(self._pre, 0)
        if tag in BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in CELL_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data if self._pre else data.replace("\n", " ").replace("\r", " "))


def html_to_text(html: str) -> str:
    """``content.text`` for ``html``.

    Block elements (``p``, ``h1``-``h6``, ``li``, ``pre``, ``tr``, ``blockquote``, ``div``,
    ``br``) become line breaks, entities are decoded, runs of spaces inside a line become one
    space, blank lines are dropped and the result is trimmed. Line breaks inside ``pre`` are
    kept as line breaks.
    """
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def slugify(value: str) -> str:
    """Lowercase ASCII slug: accents folded, runs of anything but ``[a-z0-9]`` become ``-``.

    May return ``""`` (for a title with no Latin letters or digits); callers decide the
    fallback.
    """
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", folded.lower()).strip("-")
