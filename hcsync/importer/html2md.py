"""HTML (as hcsync's renderer writes it, or as the platform stores it) → Markdown.

markdownify, taught the constructs hcsync's renderer produces so that rendering the result
gives the same HTML back: table column alignment, fenced code languages, task-list items,
loose lists and footnotes. Whether a document really round-trips is checked by the importer,
never assumed.
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import Tag
from markdownify import MarkdownConverter

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


def html_to_markdown(html: str) -> str:
    """Markdown for ``html``, meant to render back to the same HTML with hcsync's renderer."""
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
