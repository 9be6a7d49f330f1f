"""The steps of action.yml, run as a runner runs them, against the Help.Center emulator and the
GitHub emulator (both on real uvicorn servers), in a docs repository with a bare remote."""

from __future__ import annotations

import json
from pathlib import Path

import git

from hcsync.plan.model import Plan
from hcsync.views.markdown import MARKER, render_plan
from tests.github.conftest import PR, REPO, TOKEN, DocsRepo, make_docs_repo


def hcsync_comments(docs: DocsRepo) -> list[dict[str, object]]:
    return [
        c
        for c in sorted(docs.gh.emu.comments.values(), key=lambda c: int(c["id"]))
        if str(c["body"]).startswith(MARKER)
    ]


def assert_no_secrets(docs: DocsRepo) -> None:
    blob = docs.everything_printed()
    assert TOKEN not in blob
    assert docs.key not in blob


def test_plan_on_a_pull_request_comments_once_then_updates_in_place(docs: DocsRepo) -> None:
    docs.gh.emu.seed_comment(REPO, PR, "Looks good to me!", user="reviewer")
    first = docs.run("plan")
    assert first.ok, first.stderr
    assert first.skipped_uses == []  # python-version "" skips actions/setup-python
    assert "is installed already: not installing (skip-install: true)." in first.stdout
    assert first.outputs["exitcode"] == "2"
    assert first.outputs["changes"] == "14"
    plan = Plan.from_json(json.loads(Path(first.outputs["plan-json"]).read_text()))
    assert not plan.offline and len(plan.runnable) == 14
    comments = hcsync_comments(docs)
    assert len(comments) == 1
    body = str(comments[0]["body"])
    assert body.startswith(MARKER + "\n<!-- hcsync-part 1 of 1 -->\n### hcsync plan\n")
    assert "**Plan: 6 to create, 3 to update, 4 to publish" in body
    assert "#### New (" in body and "| + new, published | `guides/usage.md` |" in body
    sha = docs.repo().head.commit.hexsha
    assert f"[file](https://github.test/{REPO}/blob/{sha}/docs/guides/usage.md)" in body
    assert "commit " + docs.repo().head.commit.hexsha[:7] in body
    assert "[workflow run](https://github.test/acme/docs/actions/runs/4242)" in body
    assert "Plan comment: 1 created (https://github.test/acme/docs/pull/7#issuecomment-" in (
        first.stdout
    )
    assert "### hcsync plan" in first.summary  # the job summary has the plan too
    assert docs.gh.emu.bodies(REPO, PR)[0] == "Looks good to me!"  # others' comments untouched

    docs.write("guides/usage.md", "---\ntitle: Use Acme well\n---\nSee [install](install.md).\n")
    docs.commit("retitle usage")
    second = docs.run("plan")
    assert second.ok, second.stderr
    again = hcsync_comments(docs)
    assert [c["id"] for c in again] == [comments[0]["id"]]
    assert again[0]["body"] != body
    assert "Plan comment: 1 updated" in second.stdout
    writes = docs.gh.emu.writes()
    assert [m for m, _ in writes] == ["POST", "PATCH"]
    assert_no_secrets(docs)


def test_no_changes_is_one_short_comment_and_a_rerun_writes_nothing(docs: DocsRepo) -> None:
    applied = docs.run("apply", **{"commit-lockfile": "false"})
    assert applied.ok, applied.stderr
    first = docs.run("plan")
    assert first.outputs["exitcode"] == "0" and first.outputs["changes"] == "0"
    (comment,) = hcsync_comments(docs)
    text = str(comment["body"])
    assert "**No changes.** 4 articles in sync." in text
    assert len(text) < 400 and "<details>" not in text
    docs.run("plan")
    assert [m for m, _ in docs.gh.emu.writes()] == ["POST"]  # identical body: no PATCH


def test_a_plan_over_one_comment_is_split_with_comment_parts_then_shrinks_back(
    tmp_path: Path, hc_server: object, gh: object
) -> None:
    files: dict[str, str | bytes] = {
        "guides/_category.yml": "name: Guides\n",
        **{
            f"guides/article-{i:03}.md": (
                f"---\ntitle: How to configure the very long named feature number {i}\n---\n"
                f"Text {i}.\n"
            )
            for i in range(400)
        },
    }
    docs = make_docs_repo(tmp_path, hc_server, gh, files)  # type: ignore[arg-type]
    first = docs.run("plan", **{"comment-parts": "2"})
    assert first.ok, first.stderr
    plan = Plan.from_json(json.loads(Path(first.outputs["plan-json"]).read_text()))
    assert len(render_plan(plan)) > 70_000
    comments = hcsync_comments(docs)
    assert len(comments) == 2
    total = len(comments)
    for i, c in enumerate(comments, start=1):
        body = str(c["body"])
        assert len(body) <= 65_536
        assert f"<!-- hcsync-part {i} of {total} -->" in body
        assert body.count("<details") == body.count("</details>")
        if i > 1:
            assert f"### hcsync plan (part {i} of {total})" in body
            head = ["#### New (401)", "", "| | file | title | links |", "|---|---|---|---|"]
            assert body.split("\n")[4:8] == head
    assert "Plan comment: 2 created" in first.stdout
    every_path = "".join(str(c["body"]) for c in comments)
    assert all(f"`guides/article-{i:03}.md`" in every_path for i in range(400))

    # fewer articles: one comment is enough, the extra part goes away
    with docs.repo() as repo:
        repo.index.remove(
            [f"docs/guides/article-{i:03}.md" for i in range(3, 400)], working_tree=True
        )
        repo.index.commit("fewer")
    second = docs.run("plan", **{"comment-parts": "2"})
    assert second.ok, second.stderr
    after = hcsync_comments(docs)
    assert [c["id"] for c in after] == [comments[0]["id"]]
    assert "<!-- hcsync-part 1 of 1 -->" in str(after[0]["body"])
    assert f"{total - 1} deleted" in second.stdout
    assert_no_secrets(docs)


def test_apply_on_push_commits_the_lockfile_to_the_remote_branch(docs: DocsRepo) -> None:
    result = docs.run("apply")
    assert result.ok, result.stderr
    assert result.outputs["exitcode"] == "0"
    assert result.outputs["changes"] == "14"
    assert result.outputs["plan-json"] == ""
    log = docs.remote_log()
    assert log[0] == ("hcsync: update lockfile [skip ci]", ["docs/hcsync.lock"])
    with git.Repo(docs.remote) as bare:
        head = bare.commit("main")
        assert head.author.name == "github-actions[bot]"
        lock = json.loads(head.tree["docs/hcsync.lock"].data_stream.read())
    assert set(lock["entries"]) == {
        "guides/install.md",
        "guides/usage.md",
        "guides/install.es.md",
        "guides/billing/invoices.md",
    }
    assert "Committed the lockfile as " in result.stdout and "pushed it to main." in result.stdout
    summary = result.summary
    assert (
        "### hcsync apply" in summary and "| ✅ done | publish | `guides/install.md` |" in summary
    )
    assert not (docs.docs / ".hcsync.lock.apply").exists()  # the apply lock is released

    again = docs.run("apply")  # nothing to do: no commit
    assert again.ok and again.outputs["changes"] == "0"
    assert "Lockfile unchanged: nothing to commit." in again.stdout
    assert len(docs.remote_log(10)) == 2
    assert_no_secrets(docs)


def test_apply_first_fast_forwards_to_the_branch_that_moved(docs: DocsRepo, tmp_path: Path) -> None:
    other = git.Repo.clone_from(str(docs.remote), tmp_path / "other")
    with other:
        (Path(other.working_tree_dir or "") / "NOTES.md").write_text("merged meanwhile\n")
        other.git.add("NOTES.md")
        other.git.commit("-m", "someone merged", "--author", "Other <o@example.test>")
        other.git.push("origin", "main")
    before = docs.repo().head.commit.hexsha
    result = docs.run("apply")
    assert result.ok, result.stderr
    assert f"Fast-forwarded the checkout from {before[:7]} to the tip of main (" in result.stdout
    assert "after a rebase" not in result.stdout  # synced first: nothing to rebase
    messages = [m for m, _ in docs.remote_log()]
    assert messages[:3] == ["hcsync: update lockfile [skip ci]", "someone merged", "docs"]


def test_a_bad_file_gets_an_annotation_and_nothing_is_applied(docs: DocsRepo) -> None:
    docs.write("guides/bad.md", "---\ntitle: [unclosed\n---\nBody\n")
    docs.commit("bad")
    result = docs.run("apply")
    assert not result.ok
    assert result.outputs["exitcode"] == "1"
    assert "::error file=docs/guides/bad.md,line=3,title=hcsync::" in result.stdout
    assert docs.hc.store.articles(docs.center_id) == []
    assert [m for m, _ in docs.remote_log(10)] == ["bad", "docs"]  # no lockfile commit

    plan = docs.run("plan")  # the pull request gets the failure as its comment
    assert not plan.ok and plan.outputs["exitcode"] == "1"
    assert "::error file=docs/guides/bad.md,line=3,title=hcsync::" in plan.stdout
    (comment,) = hcsync_comments(docs)
    assert "### hcsync plan failed" in str(comment["body"])
    assert "docs/guides/bad.md:3: invalid YAML" in str(comment["body"])
    assert_no_secrets(docs)


def test_a_fork_without_the_secret_gets_an_offline_plan(docs: DocsRepo) -> None:
    applied = docs.run("apply")
    assert applied.ok, applied.stderr
    docs.write("guides/new.md", "---\ntitle: A new article\n---\nFrom a contributor.\n")
    docs.commit("new article from a fork")
    before = len(docs.hc.app.requests())
    result = docs.run("plan", api_key="", fork=True)
    assert result.ok, result.stderr
    assert len(docs.hc.app.requests()) == before  # the help center was never called
    assert "::notice title=hcsync::No help-center API key in this run" in result.stdout
    # create, its slug (the title would derive another), publish
    assert result.outputs["exitcode"] == "2" and result.outputs["changes"] == "3"
    (comment,) = hcsync_comments(docs)
    body = str(comment["body"])
    assert "**Offline plan**" in body
    assert (
        "guides/new.md" in body
        and "**Plan: 1 to create, 1 to update, 1 to publish, 4 unchanged.**" in body
    )
    assert Plan.from_json(json.loads(Path(result.outputs["plan-json"]).read_text())).offline
    assert_no_secrets(docs)


def test_a_read_only_token_warns_and_does_not_fail(docs: DocsRepo) -> None:
    from tests.github.conftest import READ_TOKEN

    result = docs.run("plan", api_key="", fork=True, **{"github-token": READ_TOKEN})
    assert result.ok, result.stderr
    assert (
        "::warning title=hcsync::the plan comment was not posted: GitHub: POST "
        f"/repos/{REPO}/issues/{PR}/comments: Resource not accessible by integration (403)"
    ) in result.stdout
    assert "**Offline plan**" in result.summary  # the plan is still in the job summary
    assert hcsync_comments(docs) == []
    assert READ_TOKEN not in docs.everything_printed()


def test_a_failed_article_is_annotated_and_the_lockfile_still_lands(docs: DocsRepo) -> None:
    docs.hc.app.set_faults([{"status": 500, "method": "POST", "path": "/articles$", "times": 1}])
    try:
        result = docs.run("apply")
    finally:
        docs.hc.app.clear_faults()
    assert not result.ok
    assert result.outputs["exitcode"] == "1"
    failed = [ln for ln in result.stdout.splitlines() if ln.startswith("::error file=docs/")]
    assert len(failed) == 1 and ",line=1,title=hcsync::" in failed[0]
    assert "| ❌ failed | create article |" in result.summary
    # what did succeed is recorded and pushed, so the next run does not create it again
    assert docs.remote_log()[0][0] == "hcsync: update lockfile [skip ci]"
    rerun = docs.run("apply")
    assert rerun.ok, rerun.stderr
    assert rerun.outputs["changes"] in ("1", "2")  # only the failed article is left
    assert len(docs.hc.store.articles(docs.center_id)) == 3  # and none was made twice
    assert_no_secrets(docs)
