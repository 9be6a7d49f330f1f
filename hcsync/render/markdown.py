"""Markdown → sanitised HTML, with local links and images handed to a resolver.

markdown-it-py in CommonMark mode plus GFM tables and strikethrough, and from mdit-py-plugins
task lists, footnotes and heading anchors. Raw HTML is allowed in the source and always goes
through the sanitising policy. Output is deterministic: the same input gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from hcsync.htmlpolicy import sanitize

RENDERER_VERSION = "1"
"""Bump when the HTML for the same Markdown changes: every article is then re-published."""

RefKind = Literal["link", "image", "raw"]


@dataclass(frozen=True, slots=True)
class Policy:
    """An HTML sanitising policy and the name that goes into content hashes."""

    name: str
    sanitize: Callable[[str], str]


HELPCENTER_POLICY = Policy("helpcenter-1", sanitize)
"""Help.Center's policy (``hcsync.htmlpolicy``); the default for every backend for now."""


@dataclass(frozen=True, slots=True)
class LocalRef:
    """A relative URL found in the Markdown: a link, an image, or a URL in raw HTML."""

    url: str
    """As written, percent-encoded the way markdown-it normalises it."""
    line: int
    """1-based line in the file."""
    kind: RefKind


Resolver = Callable[[LocalRef], str | None]
"""Given a local reference, return the URL to render instead, or None to leave it."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """The result of rendering one Markdown body."""

    html: str
    """Sanitised HTML with placeholders (see :mod:`hcsync.render.refs`)."""
    title: str | None
    """Plain text of a leading ``# heading`` taken as the title (only with ``take_title``)."""
    title_line: int | None
    anchors: frozenset[str]
    """Heading ids, for checking ``#fragment`` links into this page."""


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_RAW_URL = re.compile(r"""\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_ALIGN = re.compile(r"text-align:\s*(left|right|center)")


def is_local(url: str) -> bool:
    """True for a relative or root-relative path (not a fragment, scheme or ``//host`` URL)."""
    return bool(url) and not url.startswith(("#", "//")) and not _SCHEME.match(url)


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True})
    md.enable(["table", "strikethrough"])
    md.use(tasklists_plugin)
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6)
    return md


_PARSER: MarkdownIt | None = None


def _parser() -> MarkdownIt:
    global _PARSER
    if _PARSER is None:
        _PARSER = _make_parser()
    return _PARSER


def plain_text(tokens: Sequence[Token]) -> str:
    """The text of inline tokens, without markup."""
    out: list[str] = []
    for tok in tokens:
        if tok.type in ("text", "code_inline"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif tok.children:
            out.append(plain_text(tok.children))
    return "".join(out)


def render_markdown(
    text: str,
    *,
    first_line: int = 1,
    resolver: Resolver | None = None,
    take_title: bool = False,
    policy: Policy = HELPCENTER_POLICY,
) -> Rendered:
    """Render a Markdown body to sanitised HTML.

    ``first_line`` is the file line of the body's first line (after front-matter), so that
    references carry file lines. Every local link and image is passed to ``resolver``, whose
    answer replaces the URL. With ``take_title``, a leading ``# heading`` is removed from the
    body and returned as the title.
    """
    md = _parser()
    env: dict[str, object] = {}
    tokens = md.parse(text, env)
    title: str | None = None
    title_line: int | None = None
    if (
        take_title
        and len(tokens) >= 3
        and tokens[0].type == "heading_open"
        and tokens[0].tag == "h1"
    ):
        inline = tokens[1]
        title = plain_text(inline.children or []).strip()
        title_line = first_line + (tokens[0].map[0] if tokens[0].map else 0)
        tokens = tokens[3:]
    anchors: set[str] = set()
    line = first_line
    for tok in tokens:
        if tok.map:
            line = first_line + tok.map[0]
        if tok.type == "heading_open":
            ident = tok.attrGet("id")
            if isinstance(ident, str):
                anchors.add(ident)
        elif tok.type in ("th_open", "td_open"):
            _style_to_align(tok)
        elif tok.type == "html_block" and resolver is not None:
            _raw_refs(tok.content, line, resolver)
        elif tok.type == "inline" and tok.children:
            _walk_inline(tok.children, line, resolver)
    html = md.renderer.render(tokens, md.options, env)
    return Rendered(
        html=policy.sanitize(html),
        title=title,
        title_line=title_line,
        anchors=frozenset(anchors),
    )


def _style_to_align(tok: Token) -> None:
    # The policy drops style="" but keeps align="", so keep the column alignment that way.
    style = tok.attrGet("style")
    if isinstance(style, str):
        m = _ALIGN.search(style)
        tok.attrs.pop("style", None)
        if m:
            tok.attrSet("align", m.group(1))


def _walk_inline(children: list[Token], line: int, resolver: Resolver | None) -> None:
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "html_inline":
            if child.content.startswith('<input class="task-list-item-checkbox"'):
                # The policy drops <input>; a character keeps the box visible.
                child.type = "text"
                child.content = "☑" if 'checked="checked"' in child.content else "☐"
            elif resolver is not None:
                _raw_refs(child.content, line, resolver)
        elif resolver is None:
            continue
        elif child.type == "link_open":
            href = child.attrGet("href")
            if isinstance(href, str) and is_local(href):
                new = resolver(LocalRef(href, line, "link"))
                if new is not None:
                    child.attrSet("href", new)
        elif child.type == "image":
            src = child.attrGet("src")
            if isinstance(src, str) and is_local(src):
                new = resolver(LocalRef(src, line, "image"))
                if new is not None:
                    child.attrSet("src", new)


def _raw_refs(content: str, line: int, resolver: Resolver) -> None:
    for m in _RAW_URL.finditer(content):
        url = next(g for g in m.groups() if g is not None)
        if is_local(url):
            resolver(LocalRef(url, line + content.count("\n", 0, m.start()), "raw"))
