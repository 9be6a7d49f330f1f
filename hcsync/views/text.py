"""The plan and the apply report for people at a terminal (Rich), or plain in CI."""

from __future__ import annotations

import io
from collections.abc import Iterable

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


Line = tuple[tuple[str, str], ...]
"""One output line as (text, Rich style) segments."""


def action_lines(action: Action, *, show_diff: bool = False) -> Iterable[Line]:
    """The lines of one action: a head line, changed fields, then (optionally) its diff."""
    sym = action_symbol(action)
    label = action.kind.value.replace("_", " ")
    head = [(f"{sym} ", _STYLES.get(sym, "")), (f"{label:<22}", "bold"), (action.path, "")]
    if action.title and action.title != action.path:
        head.append((f'  "{action.title}"', "dim"))
    if action.skipped:
        head.append(("  (skipped)", "dim"))
    yield tuple(head)
    for change in action.changes:
        yield ((f"      {change.name}: {_value(change.before)} → {_value(change.after)}", ""),)
    if action.note:
        yield ((f"      {action.note}", "dim"),)
    if show_diff and action.diff:
        for line in action.diff.splitlines():
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else "dim"
            yield ((f"      {line}", style),)


def render_plan(
    plan: Plan, *, show_diff: bool = False, color: bool = False, width: int = 100
) -> str:
    """The plan as text: one block per action in execution order, then the summary line."""
    lines: list[Line] = []
    if plan.offline:
        lines.append((("Offline plan: computed from the files and the lockfile only.", "dim"),))
    for action in plan.actions:
        lines.extend(action_lines(action, show_diff=show_diff))
    if plan.actions:
        lines.append(())
    lines.append(((plan.summary(), "bold"),))
    if plan.unmanaged:
        lines.append(((unmanaged_note(plan), "dim"),))
    return _print(lines, color, width)


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
    lines: list[Line] = []
    for outcome in report.outcomes:
        if outcome.status is OutcomeStatus.FAILED and outcome.message:
            lines.append(((outcome.message, "red"),))
    if report.interrupted:
        message = "Interrupted. Run `hcsync apply` again to resume where it stopped."
        lines.append(((message, "yellow"),))
    lines.append(((report.summary(), "bold"),))
    return _print(lines, color, width)


def outcome_line(kind: ActionKind, path: str, status: OutcomeStatus) -> str:
    """A plain progress line for CI logs: ``done  publish  install.md``."""
    return f"{status.value:<7} {kind.value:<22} {path}"


_CONTROL = dict.fromkeys((7, 8, 11, 12, 13))
"""The control characters Rich's ``Text`` drops (``rich.control.strip_control_codes``)."""


def _print(lines: list[Line], color: bool, width: int) -> str:
    """The lines as a terminal shows them. Without colour (CI, pipes, ``plan`` by default)
    and without tabs this is plain joining, exactly what Rich prints, so Rich (~30 ms to
    import) loads only for colour or a tab, whose expansion counts terminal cells."""
    plain = "\n".join("".join(text for text, _ in line) for line in lines)
    if not color and "\t" not in plain:
        return plain.translate(_CONTROL) + "\n"
    from rich.console import Console
    from rich.text import Text

    console = Console(
        file=io.StringIO(),
        force_terminal=color,
        no_color=not color,
        width=width,
        highlight=False,
        soft_wrap=True,
    )
    for line in lines:
        text = Text()
        for part, style in line:
            text.append(part, style=style)
        console.print(text)
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()
