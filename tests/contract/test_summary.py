"""The summary names destructive actions first and by what they do; the plan file keeps the
options the plan was made with."""

from __future__ import annotations

import json

import pytest

from hcsync.plan.model import Action, ActionKind, Plan, PlanOptions
from hcsync.views import json as json_view
from hcsync.views import markdown as md_view
from hcsync.views import text as text_view


def orphan(path: str, prune: str) -> Action:
    return Action(
        kind=ActionKind.ORPHAN,
        path=path,
        title=path,
        remote_id="1",
        skipped=prune == "report",
        data={"prune": prune, "translation": False, "language": "en"},
    )


def sample() -> Plan:
    return Plan(
        fingerprint="f",
        noops=3,
        actions=(
            Action(kind=ActionKind.CREATE_ARTICLE, path="a.md", title="A"),
            Action(kind=ActionKind.UNPUBLISH, path="b.md", title="B", remote_id="2"),
            orphan("c.md", "delete"),
            orphan("d.md", "unpublish"),
            orphan("e.md", "report"),
            Action(kind=ActionKind.DELETE_CATEGORY, path="old", title="Old", remote_id="9"),
        ),
        options=PlanOptions(prune="delete", force=True),
    )


def test_destructive_actions_come_first_by_what_they_do() -> None:
    summary = (
        "Plan: 1 to delete, 1 categories to delete, 2 to unpublish, 1 to create, "
        "1 orphaned (kept), 3 unchanged."
    )
    plan = sample()
    assert plan.summary() == summary
    assert summary in text_view.render_plan(plan)
    assert f"**{summary}**" in md_view.render_plan(plan)
    assert json.loads(json_view.render_plan(plan))["summary"] == summary


def test_orphan_lines_show_what_happens_to_them() -> None:
    text = text_view.render_plan(sample())
    assert "- orphan                c.md" in text
    assert "↓ orphan                d.md" in text
    assert "? orphan                e.md  (skipped)" in text
    md = md_view.render_plan(sample())
    assert "| - orphan (to delete) | 1 |" in md
    assert "| ↓ orphan (to unpublish) | 1 |" in md
    assert "| ? orphan (kept) | 1 |" in md


def test_the_options_survive_the_plan_file() -> None:
    again = Plan.from_json(json.loads(json_view.render_plan(sample())))
    assert again.options == PlanOptions(prune="delete", force=True, overwrite=False)
    assert again.summary() == sample().summary()


def test_a_plan_file_without_options_is_a_default_plan() -> None:
    data = json.loads(json_view.render_plan(sample()))
    del data["options"]
    assert Plan.from_json(data).options == PlanOptions()


def test_a_plan_file_with_an_unknown_prune_is_refused() -> None:
    data = json.loads(json_view.render_plan(sample()))
    data["options"]["prune"] = "shred"
    with pytest.raises(ValueError, match="options.prune 'shred' is not one of report, unpublish"):
        Plan.from_json(data)
