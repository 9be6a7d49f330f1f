"""Every view of one hand-built plan and report, against golden files in tests/golden/views/.

Regenerate with HCSYNC_REGEN_GOLDEN=1 and review the diff like code.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from hcsync.apply.report import Outcome, OutcomeStatus, Report
from hcsync.diagnostics import Diagnostic, Severity
from hcsync.plan.model import Action, ActionKind, FieldChange, Plan
from hcsync.views import json as json_view
from hcsync.views import markdown as md_view
from hcsync.views import text as text_view

GOLDEN = Path(__file__).parent.parent / "golden" / "views"


def sample_plan() -> Plan:
    return Plan(
        fingerprint="f" * 64,
        target="c1",
        noops=12,
        diagnostics=(
            Diagnostic(
                path="guides/a.es.md",
                line=1,
                severity=Severity.WARNING,
                message="not published: its source guides/a.md is not published",
            ),
        ),
        actions=(
            Action(
                kind=ActionKind.CREATE_CATEGORY,
                path="guides",
                title="Guides",
                changes=(FieldChange(name="name", before=None, after="Guides"),),
            ),
            Action(kind=ActionKind.UPLOAD_IMAGE, path="guides/shot.png", title="shot.png"),
            Action(kind=ActionKind.CREATE_ARTICLE, path="guides/new.md", title="New | pipes"),
            Action(
                kind=ActionKind.UPDATE_DRAFT,
                path="guides/a.md",
                title="A",
                remote_id="r1",
                changes=(FieldChange(name="title", before="Old A", after="A"),),
                diff="--- remote/guides/a.md\n+++ local/guides/a.md\n@@ -1 +1 @@\n-old\n+new\n",
            ),
            Action(
                kind=ActionKind.PUBLISH,
                path="guides/a.md",
                title="A",
                remote_id="r1",
                changes=(
                    FieldChange(name="status", before="published_with_changes", after="published"),
                ),
            ),
            Action(
                kind=ActionKind.DRIFT,
                path="guides/b.md",
                title="B",
                remote_id="r2",
                skipped=True,
                note="edited on the help center; run with --overwrite",
            ),
            Action(
                kind=ActionKind.ORPHAN,
                path="guides/gone.md",
                title="Gone",
                remote_id="r3",
                skipped=True,
                note="file removed; kept on the help center (prune: report)",
                data={"prune": "report"},
            ),
        ),
    )


def sample_report() -> Report:
    plan = sample_plan()
    return Report(
        outcomes=[
            Outcome(action=plan.actions[0], status=OutcomeStatus.DONE),
            Outcome(action=plan.actions[2], status=OutcomeStatus.DONE),
            Outcome(
                action=plan.actions[4],
                status=OutcomeStatus.FAILED,
                message='guides/a.md: help center refused to publish "A": no (403 x)',
            ),
            Outcome(action=plan.actions[5], status=OutcomeStatus.SKIPPED, message="drift"),
        ],
        calls=9,
        writes=4,
    )


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("HCSYNC_REGEN_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("show_diff", [False, True])
def test_text_plan(show_diff: bool) -> None:
    check(
        f"plan{'-diff' if show_diff else ''}.txt",
        text_view.render_plan(sample_plan(), show_diff=show_diff),
    )


def test_json_plan_round_trips() -> None:
    text = json_view.render_plan(sample_plan())
    check("plan.json", text)
    import json

    assert Plan.from_json(json.loads(text)) == sample_plan()


def test_markdown_plan() -> None:
    check("plan.md", md_view.render_plan(sample_plan()))


def test_markdown_no_changes_is_one_short_line() -> None:
    text = md_view.render_plan(Plan(fingerprint="x", noops=40))
    assert text == f"{md_view.MARKER}\n### hcsync plan\n\n**No changes.** 40 articles in sync.\n"


def test_text_report_and_json_report() -> None:
    check("report.txt", text_view.render_report(sample_report()))
    check("report.json", json_view.render_report(sample_report()))


def test_summary_counts_agree_across_views() -> None:
    plan = sample_plan()
    summary = (
        "Plan: 2 to create, 1 to update, 1 to publish, 1 images to upload, 1 drifted, "
        "1 orphaned (kept), 12 unchanged."
    )
    assert plan.summary() == summary
    assert summary in text_view.render_plan(plan)
    assert f"**{summary}**" in md_view.render_plan(plan)
    assert f'"summary": "{summary}"' in json_view.render_plan(plan)


def _rich_plain(plan: Plan, show_diff: bool) -> str:
    """What Rich prints without colour: the oracle the plain (Rich-free) renderer must match."""
    import io

    from rich.console import Console
    from rich.text import Text

    console = Console(file=io.StringIO(), no_color=True, width=100, soft_wrap=True)
    lines = [
        "".join(part for part, _ in line)
        for action in plan.actions
        for line in text_view.action_lines(action, show_diff=show_diff)
    ]
    for line in [*lines, *([""] if plan.actions else []), plan.summary()]:
        console.print(Text(line))
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()


@pytest.mark.parametrize(
    "title",
    [
        "plain",
        "bell\x07 back\x08 vt\x0b ff\x0c cr\r end",
        "[bold]markup[/] :smile: 漢字 wide ✓",
        "trailing   ",
        "x" * 150,
    ],
)
def test_the_plain_text_view_is_what_rich_prints_without_colour(title: str) -> None:
    plan = Plan(
        fingerprint="f",
        actions=(
            Action(
                kind=ActionKind.UPDATE_DRAFT,
                path="a/b.md",
                title=title,
                note=f"note {title}\nsecond line",
                changes=(FieldChange(name="title", before=title, after="A"),),
                diff=f"-{title}\n+new\n",
            ),
        ),
    )
    for show_diff in (False, True):
        assert text_view.render_plan(plan, show_diff=show_diff) == _rich_plain(plan, show_diff)
    with_tab = replace(plan, actions=(replace(plan.actions[0], title=f"漢\t{title}"),))
    assert text_view.render_plan(with_tab) == _rich_plain(with_tab, False)
    assert "\t" not in text_view.render_plan(with_tab)
