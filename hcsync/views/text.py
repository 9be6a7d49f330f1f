"""The plan and the apply report for people at a terminal (Rich), or plain in CI."""

from __future__ import annotations

import io
from collections.abc import Iterable

from rich.console import Console
from rich.text import Text

from hcsync.apply.report import OutcomeStatus, Report
from hcsync.plan.model import Action, ActionKind, Plan, action_symbol

_STYLES = {
    "+": "green",
    "~": "yellow",
    "↑": "cyan",
    "↓": "magenta",
    "!": "bold red",
    "?": "red",
    "=": "blue",
    "-": "red",
}


def _value(v: object) -> str:
    if v is None:
        return "(none)"
    text = str(v)
    return text if len(text) <= 60 else text[:57] + "..."


def action_lines(action: Action, *, show_diff: bool = False) -> Iterable[Text]:
    """The lines of one action: a head line, changed fields, then (optionally) its diff."""
    sym = action_symbol(action)
    label = action.kind.value.replace("_", " ")
    head = Text()
    head.append(f"{sym} ", style=_STYLES.get(sym, ""))
    head.append(f"{label:<22}", style="bold")
    head.append(action.path)
    if action.title and action.title != action.path:
        head.append(f'  "{action.title}"', style="dim")
    if action.skipped:
        head.append("  (skipped)", style="dim")
    yield head
    for change in action.changes:
        yield Text(f"      {change.name}: {_value(change.before)} → {_value(change.after)}")
    if action.note:
        yield Text(f"      {action.note}", style="dim")
    if show_diff and action.diff:
        for line in action.diff.splitlines():
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else "dim"
            yield Text(f"      {line}", style=style)


def render_plan(
    plan: Plan, *, show_diff: bool = False, color: bool = False, width: int = 100
) -> str:
    """The plan as text: one block per action in execution order, then the summary line."""
    console = _console(color, width)
    if plan.offline:
        console.print(Text("Offline plan: computed from the files and the lockfile only.", "dim"))
    for action in plan.actions:
        for line in action_lines(action, show_diff=show_diff):
            console.print(line)
    if plan.actions:
        console.print()
    console.print(Text(plan.summary(), style="bold"))
    if plan.unmanaged:
        console.print(Text(unmanaged_note(plan), style="dim"))
    return _text(console)


def unmanaged_note(plan: Plan) -> str:
    """What the unmanaged count means, for the views that show it."""
    n = len(plan.unmanaged)
    return (
        f"{n} article{'s' if n != 1 else ''} on the help center belong{'s' if n == 1 else ''} "
        "to no file and no lockfile entry (unmanaged): hcsync never changes them; "
        "`hcsync status` lists them."
    )


def render_report(report: Report, *, color: bool = False, width: int = 100) -> str:
    """The failures (one line each) and the summary line of an apply."""
    console = _console(color, width)
    for outcome in report.outcomes:
        if outcome.status is OutcomeStatus.FAILED and outcome.message:
            console.print(Text(outcome.message, style="red"))
    if report.interrupted:
        console.print(
            Text("Interrupted. Run `hcsync apply` again to resume where it stopped.", "yellow")
        )
    console.print(Text(report.summary(), style="bold"))
    return _text(console)


def outcome_line(kind: ActionKind, path: str, status: OutcomeStatus) -> str:
    """A plain progress line for CI logs: ``done  publish  install.md``."""
    return f"{status.value:<7} {kind.value:<22} {path}"


def _console(color: bool, width: int) -> Console:
    return Console(
        file=io.StringIO(),
        force_terminal=color,
        no_color=not color,
        width=width,
        highlight=False,
        soft_wrap=True,
    )


def _text(console: Console) -> str:
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()
