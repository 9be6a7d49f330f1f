"""HTML (as hcsync's renderer writes it, or as the platform stores it) → Markdown.

markdownify, taught the constructs hcsync's renderer produces so that rendering the result
gives the same HTML back: table column alignment, fenced code languages, task-list items,
loose lists and footnotes. Whether a document really round-trips is checked by the importer,
never assumed.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from bs4 import Tag
from markdownify import MarkdownConverter

MAX_DEPTH = 100
"""The deepest nesting of HTML elements converted; deeper documents are refused (the converter
recurses once per level, and Python's stack is finite)."""

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_SELF_CLOSING = frozenset("p li dt dd tr td th option".split())
"""Elements a start tag of the same kind closes (``<li>a<li>b``: two siblings)."""

_ALIGN_RULE = {"left": ":---", "right": "---:", "center": ":---:"}
_TASK = {"☑": "[x]", "☐": "[ ]"}


_Base: Any = MarkdownConverter  # its stub leaves out the convert_* hooks overridden here


class _Converter(_Base):  # type: ignore[misc]
    """markdownify with hcsync's renderer in mind."""

    def convert_tr(self, el: Tag, text: str, parent_tags: Any) -> str:
        out: str = super().convert_tr(el, text, parent_tags)
        cells = el.find_all(["td", "th"])
        rule = "| " + " | ".join(["---"] * len(cells)) + " |"
        if rule in out:
            aligned = "| " + " | ".join(_ALIGN_RULE.get(str(c.get("align")), "---") for c in cells)
            out = out.replace(rule, aligned + " |")
        return out

    def convert_li(self, el: Tag, text: str, parent_tags: Any) -> str:
        classes: Any = el.get("class") or []
        stripped = (text or "").strip()
        if "task-list-item" in classes and stripped[:1] in _TASK:
            text = _TASK[stripped[0]] + stripped[1:]
        out: str = super().convert_li(el, text, parent_tags)
        parent = el.parent
        loose = parent is not None and any(
            isinstance(c, Tag) and c.find("p", recursive=False) is not None
            for c in parent.find_all("li", recursive=False)
        )
        if loose and el.find_next_sibling("li") is not None:
            out += "\n"
        return out

    def convert_sup(self, el: Tag, text: str, parent_tags: Any) -> str:
        if "footnote-ref" in (el.get("class") or []):
            return f"[^{text.strip().strip('[]')}]"
        return text

    def convert_a(self, el: Tag, text: str, parent_tags: Any) -> str:
        parent = el.parent
        if parent is not None and "footnote-ref" in (parent.get("class") or []):
            return text
        if "footnote-backref" in (el.get("class") or []):
            return ""
        out: str = super().convert_a(el, text, parent_tags)
        return out

    def convert_hr(self, el: Tag, text: str, parent_tags: Any) -> str:
        if "footnotes-sep" in (el.get("class") or []):
            return ""
        out: str = super().convert_hr(el, text, parent_tags)
        return out

    def convert_ol(self, el: Tag, text: str, parent_tags: Any) -> str:
        if "footnotes-list" in (el.get("class") or []):
            notes = []
            for number, li in enumerate(el.find_all("li", recursive=False), 1):
                parts = [
                    self.process_tag(c, parent_tags=set()) if isinstance(c, Tag) else str(c)
                    for c in li.children
                ]
                body = "".join(parts).strip()
                notes.append(f"[^{number}]: {body}")
            return "\n\n" + "\n".join(notes) + "\n\n"
        out: str = self.convert_list(el, text, parent_tags)
        return out


def _code_language(el: Tag) -> str | None:
    code = el.find("code")
    for cls in (code.get("class") or []) if isinstance(code, Tag) else []:
        if str(cls).startswith("language-"):
            return str(cls)[len("language-") :]
    return None


class TooDeepError(ValueError):
    """The HTML nests elements deeper than :data:`MAX_DEPTH`."""


def nesting_depth(html: str) -> int:
    """How deep ``html`` nests its elements (a scan of the tags; no tree is built)."""
    stack: list[str] = []
    open_count: Counter[str] = Counter()
    deepest, gt = 0, -1
    for m in _TAG.finditer(html):
        if gt < m.end():
            gt = html.find(">", m.end())  # moves forward only: the scan stays linear
            if gt < 0:
                break  # no tag ends after this point: the rest is text
        closing, name = m.group(1), m.group(2).lower()
        if closing:
            if open_count[name]:
                while (top := stack.pop()) != name:
                    open_count[top] -= 1
                open_count[name] -= 1
            continue
        if name in _VOID or html[gt - 1] == "/":
            continue
        if name in _SELF_CLOSING and stack and stack[-1] == name:
            stack.pop()
            open_count[name] -= 1
        stack.append(name)
        open_count[name] += 1
        deepest = max(deepest, len(stack))
    return deepest


def html_to_markdown(html: str) -> str:
    """Markdown for ``html``, meant to render back to the same HTML with hcsync's renderer.

    Raises :class:`TooDeepError` for HTML nested deeper than :data:`MAX_DEPTH` levels."""
    if nesting_depth(html) > MAX_DEPTH:
        raise TooDeepError(f"HTML nested deeper than {MAX_DEPTH} levels")
    text = _Converter(
        heading_style="ATX",
        bullets="-",
        strong_em_symbol="*",
        escape_underscores=False,
        escape_asterisks=False,
        code_language_callback=_code_language,
    ).convert(html)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text + "\n" if text else ""
