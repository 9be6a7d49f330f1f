"""Forks get a comment (issue 16 item 6): the fork's pull_request run makes the offline plan
(its token cannot comment); a workflow_run job with a write token posts that plan file with
``mode: comment``, never running the fork's code, and only on the pull request GitHub says the
plan's commit belongs to."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.github.conftest import PR, REPO, DocsRepo
from tests.github.test_action import hcsync_comments

TITLE = "@org/team </details><img src=x>"


def fork_plan(docs: DocsRepo, tmp_path: Path) -> tuple[Path, Path, str]:
    """The fork's run: an offline plan, saved as the artifact (plan file and PR number)."""
    assert docs.run("apply").ok
    docs.write("guides/new.md", f"---\ntitle: '{TITLE}'\n---\nFrom a contributor.\n")
    docs.commit("new article from a fork")
    run = docs.run("plan", api_key="", fork=True, comment="false")
    assert run.ok, run.stderr
    artifact = tmp_path / "artifact"
    artifact.mkdir()
    plan = artifact / "hcsync-plan.json"
    shutil.copy(run.outputs["plan-json"], plan)
    number = artifact / "pr"
    number.write_text(f"{PR}\n")
    return plan, number, docs.repo().head.commit.hexsha


def test_a_forks_plan_is_posted_by_the_workflow_run_job(docs: DocsRepo, tmp_path: Path) -> None:
    plan, number, sha = fork_plan(docs, tmp_path)
    assert hcsync_comments(docs) == []  # the fork's own run posts nothing
    docs.gh.emu.add_open_pull_request_head(REPO, PR, sha)
    inputs = {"plan-file": str(plan), "pull-request": str(number), "head-sha": sha}
    posted = docs.run("comment", event="workflow_run", **inputs)
    assert posted.ok, posted.stdout + posted.stderr
    (comment,) = hcsync_comments(docs)
    body = str(comment["body"])
    assert "**Offline plan**" in body and "guides/new.md" in body
    assert "@\u200dorg/team &lt;/details&gt;&lt;img src=x&gt;" in body  # inert
    assert "<img" not in body and "</details><img" not in body
    # again (a second push to the fork): the same comment, updated in place
    assert docs.run("comment", event="workflow_run", **inputs).ok
    assert [c["id"] for c in hcsync_comments(docs)] == [comment["id"]]


def test_a_plan_naming_another_pull_request_is_not_posted(docs: DocsRepo, tmp_path: Path) -> None:
    plan, number, sha = fork_plan(docs, tmp_path)
    docs.gh.emu.add_open_pull_request_head(REPO, PR, "f" * 40)  # PR is at another commit
    inputs = {"plan-file": str(plan), "pull-request": str(number), "head-sha": sha}
    refused = docs.run("comment", event="workflow_run", **inputs)
    assert not refused.ok
    assert f"pull request #{PR} is not at commit {sha[:12]}" in refused.stdout + refused.stderr
    assert hcsync_comments(docs) == []
    # and a number that is not one never reaches hcsync
    number.write_text("1; rm -rf /\n")
    bad = docs.run("comment", event="workflow_run", **inputs)
    assert not bad.ok
    assert "pull-request must be a number" in bad.stdout
    assert hcsync_comments(docs) == []
