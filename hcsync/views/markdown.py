"""The plan as Markdown for a pull-request comment: summary table first, details collapsed."""

from __future__ import annotations

from collections import Counter

from hcsync.plan.model import Action, ActionKind, Plan, action_symbol, orphan_effect

MARKER = "<!-- hcsync-plan -->"
"""Hidden tag that marks hcsync's comment, so later runs update it in place."""


def _code(value: object) -> str:
    if value is None or value == "":
        return "(none)"
    text = str(value).replace("\n", " ")
    return f"`{text[:77] + '...' if len(text) > 80 else text}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(action: Action) -> str:
    status = " (skipped)" if action.skipped else ""
    return (
        f"| {action_symbol(action)} | {action.kind.value.replace('_', ' ')}{status} | "
        f"`{_cell(action.path)}` | {_cell(action.title)} |"
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
            lines.append(f"#### {action_symbol(action)} `{action.path}`")
            for change in action.changes:
                lines.append(f"- **{change.name}**: {_code(change.before)} → {_code(change.after)}")
            if action.note:
                lines.append(f"- {action.note}")
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
