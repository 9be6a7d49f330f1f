"""The plan as Markdown for a pull-request comment: summary table first, details collapsed.

Titles, paths, notes and values come from the content or the help center, so they are made
inert before they go into the Markdown (:func:`text`, :func:`code`): no ``@mention`` pings,
no raw HTML (``</details>`` would close the block, ``<img>`` would load), no links.
"""

from __future__ import annotations

import re
from collections import Counter

from hcsync.plan.model import Action, ActionKind, Plan, action_symbol, orphan_effect
from hcsync.redact import inert

MARKER = "<!-- hcsync-plan -->"
"""Hidden tag that marks hcsync's comment, so later runs update it in place."""


_ESCAPED = re.compile(r"([\\`*_\[\]|~])")
_WWW = re.compile(r"(?i)(www)\.")
_ISSUE_REF = re.compile(r"#(?=\d)")
_ZWJ = "\u200d"
"""A zero-width joiner: breaks a mention or a link without changing what a reader sees."""


def text(value: str, limit: int = 300) -> str:
    """``value`` as inert Markdown text on one line (a table cell, a list item): HTML and
    Markdown punctuation escaped, mentions and links broken, cut to ``limit`` characters."""
    out = inert(value, limit)
    out = out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = _ESCAPED.sub(r"\\\1", out).replace("@", "@" + _ZWJ)
    out = out.replace("://", ":" + _ZWJ + "//")
    out = _ISSUE_REF.sub("#" + _ZWJ, out)
    return _WWW.sub(lambda m: m.group(1) + _ZWJ + ".", out)


def code(value: object, limit: int = 300, *, table: bool = False) -> str:
    """``value`` as an inline code span on one line (``(none)`` when empty): the fence is
    longer than any backtick run inside, so the span cannot be closed early; ``table``
    escapes ``|`` (a table cell would end there)."""
    if value is None or value == "":
        return "(none)"
    body = inert(str(value), limit)
    fence = "`" * (_longest_backtick_run(body) + 1)
    if body.startswith("`") or body.endswith("`") or (body.startswith(" ") and body.endswith(" ")):
        body = f" {body} "
    if table:
        body = body.replace("|", "\\|")
    return f"{fence}{body}{fence}"


def _row(action: Action) -> str:
    status = " (skipped)" if action.skipped else ""
    return (
        f"| {action_symbol(action)} | {action.kind.value.replace('_', ' ')}{status} | "
        f"{code(action.path, table=True)} | {text(action.title)} |"
    )


def _label(action: Action) -> str:
    """The action's name; an orphan's says what happens to it."""
    label = action.kind.value.replace("_", " ")
    effect = orphan_effect(action)
    return f"{label} ({'kept' if effect == 'keep' else f'to {effect}'})" if effect else label


def _count_rows(plan: Plan) -> dict[str, int]:
    """``symbol name`` → how many, in kind order (orphans apart by what happens to them)."""
    order = {kind: i for i, kind in enumerate(ActionKind)}
    actions = sorted(plan.actions, key=lambda a: order[a.kind])
    return dict(Counter(f"{action_symbol(a)} {_label(a)}" for a in actions))


def render_plan(plan: Plan, *, title: str = "hcsync plan") -> str:
    """Markdown with the marker, a one-line summary, a count table, then collapsed details."""
    lines = [MARKER, f"### {title}", ""]
    if plan.offline:
        lines += [
            "> **Offline plan**: computed from the files and the lockfile only "
            "(no help-center credentials in this run).",
            "",
        ]
    if not plan.has_changes and not plan.actions:
        lines.append(f"**No changes.** {plan.noops} articles in sync.")
        return "\n".join(lines) + "\n"
    lines.append(f"**{plan.summary()}**")
    if plan.unmanaged:
        n = len(plan.unmanaged)
        lines += [
            "",
            f"{n} unmanaged article{'s' if n != 1 else ''} on the help center "
            "(no file, no lockfile entry): left as they are.",
        ]
    lines += ["", "| action | count |", "|---|---:|"]
    lines += [f"| {row} | {n} |" for row, n in _count_rows(plan).items()]
    lines += ["", "<details><summary>Details</summary>", ""]
    lines += ["| | action | file | title |", "|---|---|---|---|"]
    lines += [_row(a) for a in plan.actions]
    lines.append("")
    for action in plan.actions:
        if action.changes or action.diff or action.note:
            lines.append(f"#### {action_symbol(action)} {code(action.path)}")
            for change in action.changes:
                before, after = code(change.before, 80), code(change.after, 80)
                lines.append(f"- **{text(change.name)}**: {before} → {after}")
            if action.note:
                lines.append(f"- {text(action.note)}")
            if action.diff and action.kind in (
                ActionKind.UPDATE_DRAFT,
                ActionKind.UPDATE_TRANSLATION,
                ActionKind.DRIFT,
            ):
                fence = "`" * max(3, _longest_backtick_run(action.diff) + 1)
                lines += ["", f"{fence}diff", action.diff.rstrip("\n"), fence]
            lines.append("")
    lines.append("</details>")
    return "\n".join(lines) + "\n"


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return longest
