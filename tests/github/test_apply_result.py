"""The apply result on the merged pull request: action.yml's apply step for real, against the
Help.Center emulator, a bare origin and the GitHub API emulator (``commits/{sha}/pulls``)."""

from __future__ import annotations

from pathlib import Path

from hcsync import lockfile as lockmod
from hcsync.apply.report import Outcome, OutcomeStatus, Report
from hcsync.github.result import MAX_ROWS, marker, result_markdown
from hcsync.plan.model import Action, ActionKind
from tests.e2e.conftest import FILES
from tests.github.conftest import (
    REPO,
    GitHubServer,
    HelpCenterServer,
    make_docs_repo,
)

MERGED = 12
HOSTILE = "@org/team </details><img src=x>"
WJ = "\u2060"


def _result_comments(gh: GitHubServer, number: int = MERGED) -> list[dict[str, object]]:
    return [
        c
        for c in gh.emu.comments.values()
        if c["_issue"] == (REPO, number) and str(c["body"]).startswith(marker())
    ]


def test_the_result_is_posted_on_the_merged_pull_request_then_updated_in_place(
    tmp_path: Path, hc_server: HelpCenterServer, gh: GitHubServer
) -> None:
    files = {**FILES, "guides/hostile.md": f"---\ntitle: '{HOSTILE}'\n---\nBody.\n"}
    docs = make_docs_repo(tmp_path, hc_server, gh, files)
    sha = docs.repo().head.commit.hexsha
    gh.emu.merge_pull_request(REPO, MERGED, sha)
    gh.emu.add_open_pull_request_head(REPO, 30, sha)  # open, not merged: no result there

    first = docs.run("apply")

    assert first.ok, first.stderr
    assert "Apply result comment created on #12." in first.stdout
    [comment] = _result_comments(gh)
    body = str(comment["body"])
    assert body.splitlines()[1] == "### ✅ hcsync apply done"
    lock = lockmod.load(docs.docs / "hcsync.lock")
    url = lock.entries["guides/usage.md"].url
    assert url and url.startswith("http")
    assert f"[Use Acme]({url})" in body
    assert "| ✅ done | create article | [Use Acme](" in body
    assert gh.emu.bodies(REPO, 30) == []
    # The hostile title is text: no tag, no mention, no closing of anything.
    assert "<img" not in body and "</details>" not in body and "@org" not in body
    assert "@\u200dorg/team &lt;/details&gt;&lt;img src=x&gt;" in body
    assert f"commit {sha[:7]}" in body

    # The workflow run again for the same merge commit: a fresh checkout of it.
    with docs.repo() as repo:
        repo.git.reset("--hard", sha)
    second = docs.run("apply")

    assert second.ok, second.stderr
    assert "Apply result comment updated on #12." in second.stdout
    [again] = _result_comments(gh)
    assert again["id"] == comment["id"]
    assert again["body"] != body
    assert "Apply complete: 0 failed" in str(again["body"])
    patches = [w for w in gh.emu.writes() if w[0] == "PATCH"]
    assert patches == [("PATCH", f"/repos/{REPO}/issues/comments/{comment['id']}")]


def test_a_failed_apply_posts_its_error_lines_and_no_key(
    tmp_path: Path, hc_server: HelpCenterServer, gh: GitHubServer
) -> None:
    docs = make_docs_repo(tmp_path, hc_server, gh)
    gh.emu.merge_pull_request(REPO, MERGED, docs.repo().head.commit.hexsha)
    wrong = "hc_wrongkey_0123456789abcdef0123456789"

    run = docs.run("apply", api_key=wrong)

    assert not run.ok
    assert run.outputs["exitcode"] == "1"
    [comment] = _result_comments(gh)
    body = str(comment["body"])
    assert body.splitlines()[1] == "### ❌ hcsync apply failed"
    errors = body.split("**Errors**", 1)[1]
    assert errors.startswith("\n\n```text\n")
    assert "401" in errors or "key" in errors.lower()
    assert wrong not in docs.everything_printed()


def test_comment_result_false_posts_nothing(
    tmp_path: Path, hc_server: HelpCenterServer, gh: GitHubServer
) -> None:
    docs = make_docs_repo(tmp_path, hc_server, gh)
    gh.emu.merge_pull_request(REPO, MERGED, docs.repo().head.commit.hexsha)

    run = docs.run("apply", **{"comment-result": "false"})

    assert run.ok, run.stderr
    assert gh.emu.bodies(REPO, MERGED) == []
    assert not any("/commits/" in path for _, path in [(r.method, r.path) for r in gh.emu.log])


def _outcome(kind: ActionKind, path: str, status: OutcomeStatus, message: str | None = None):
    return Outcome(
        action=Action(kind=kind, path=path, title=path.upper()), status=status, message=message
    )


def test_failures_and_drift_come_first_and_links_are_http_only() -> None:
    report = Report(
        outcomes=[
            _outcome(ActionKind.CREATE_ARTICLE, "a.md", OutcomeStatus.DONE),
            _outcome(ActionKind.DRIFT, "b.md", OutcomeStatus.SKIPPED, "edited on the help center"),
            _outcome(ActionKind.UPDATE_DRAFT, "c.md", OutcomeStatus.FAILED, "c.md: refused ``` x"),
        ]
    )
    urls = {"a.md": "javascript:alert(1)", "b.md": "https://help.test/b (1)"}

    body = result_markdown(report, urls=urls, key="docs")

    lines = body.splitlines()
    assert lines[0] == "<!-- hcsync-apply-result key=docs -->"
    assert lines[1] == "### ❌ hcsync apply finished with failures"
    rows = [line for line in lines if line.startswith("| ") and "result" not in line]
    assert rows == [
        "| ❌ failed | update draft | C.MD | c.md |  |",
        "| ⏭️ skipped | drift | [B.MD](https://help.test/b%20%281%29) | b.md "
        "| edited on the help center |",
        "| ✅ done | create article | A.MD | a.md |  |",
    ]
    assert "````text\nc.md: refused ``` x\n````" in body


def test_a_long_result_keeps_failures_and_says_how_many_rows_it_left_out() -> None:
    outcomes = [
        _outcome(ActionKind.CREATE_ARTICLE, f"p{i}.md", OutcomeStatus.DONE) for i in range(400)
    ]
    outcomes.append(_outcome(ActionKind.PUBLISH, "late.md", OutcomeStatus.FAILED, "late: boom"))

    body = result_markdown(Report(outcomes=outcomes), urls={})

    assert body.count("| ✅ done |") == MAX_ROWS - 1
    assert "| ❌ failed | publish | LATE.MD |" in body
    assert f"… and {401 - MAX_ROWS} more rows: the job summary has them all." in body
