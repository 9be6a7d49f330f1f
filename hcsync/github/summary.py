"""The job summary (``$GITHUB_STEP_SUMMARY``) of a plan or an apply, from their JSON files."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hcsync.apply.report import Outcome, OutcomeStatus, Report
from hcsync.diagnostics import UsageError
from hcsync.plan.model import Action, ActionKind, Plan
from hcsync.views import markdown as markdown_view

MAX_SUMMARY = 1_000_000
"""GitHub accepts at most 1 MiB of job summary per step; stay under it."""

_STATUS = {
    OutcomeStatus.DONE: "✅ done",
    OutcomeStatus.FAILED: "❌ failed",
    OutcomeStatus.SKIPPED: "⏭️ skipped",
}


def report_from_json(data: Mapping[str, Any]) -> Report:
    """Rebuild a :class:`Report` from ``hcsync apply --json`` output (enough for the views)."""
    try:
        outcomes = [
            Outcome(
                action=Action(kind=ActionKind(o["kind"]), path=o["path"], title=o["title"]),
                status=OutcomeStatus(o["status"]),
                message=o.get("message"),
            )
            for o in data["outcomes"]
        ]
        return Report(
            outcomes=outcomes,
            calls=int(data.get("calls", 0)),
            writes=int(data.get("writes", 0)),
            interrupted=bool(data.get("interrupted", False)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"not an apply report ({exc})") from None


def read_result(path: Path) -> Plan | Report:
    """A plan file (``plan -o``) or an apply report (``apply --json``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read it as JSON ({exc})") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: neither a plan nor an apply report")
    if "outcomes" in data:
        return report_from_json(data)
    try:
        return Plan.from_json(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"{path}: neither a plan nor an apply report ({exc})") from None


def report_markdown(report: Report, *, title: str = "hcsync apply") -> str:
    """The result table of an apply: one row per action that did or tried something."""
    lines = [f"### {title}", "", f"**{report.summary()}**", ""]
    if report.interrupted:
        lines += ["> Interrupted: run the workflow again to resume where it stopped.", ""]
    if report.outcomes:
        lines += ["| result | action | file | message |", "|---|---|---|---|"]
        for o in report.outcomes:
            lines.append(
                f"| {_STATUS[o.status]} | {o.action.kind.value.replace('_', ' ')} | "
                f"{markdown_view.code(o.action.path, table=True)} | "
                f"{markdown_view.text(o.message or '')} |"
            )
    return "\n".join(lines) + "\n"


def summary_markdown(result: Plan | Report) -> str:
    if isinstance(result, Plan):
        return markdown_view.render_plan(result)
    return report_markdown(result)


def append_step_summary(path: Path, markdown: str) -> None:
    """Append ``markdown`` to the job summary file, cut below GitHub's size limit."""
    if len(markdown) > MAX_SUMMARY:
        markdown = markdown[:MAX_SUMMARY] + "\n\n> **Truncated** (job summaries hold 1 MiB).\n"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(markdown + "\n")
