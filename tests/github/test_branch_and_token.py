"""The apply run syncs to the branch tip, pushes with the token it is given (over a git remote
that wants it), and the plan and apply inputs are kept apart. action.yml's steps run as a
runner runs them, in depth-1 checkouts made the way actions/checkout makes them."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import git
import pytest
from click.testing import CliRunner

from hcsync.cli import cli
from hcsync.emulators.server import serve_in_thread
from hcsync.github.gitauth import auth_env, header_key
from hcsync.github.gitpush import PushError, commit_lockfile
from tests.github.conftest import TOKEN, DocsRepo
from tests.github.git_http import GitHttpServer, basic

CANARY = "ghs_CANARY7f3e9d1c5b2a4e6f8091a2b3c4d5e6"
PROTECT_MAIN = """#!/bin/sh
while read old new ref; do
  if [ "$ref" = "refs/heads/main" ]; then
    echo "error: GH006: Protected branch update failed for refs/heads/main." >&2
    echo "error: Changes must be made through a pull request." >&2
    exit 1
  fi
done
exit 0
"""


def checkout(docs: DocsRepo, dest: Path, sha: str, *, url: str | None = None) -> DocsRepo:
    """What actions/checkout does for a push (depth 1, ``persist-credentials: false``): fetch
    the event's commit alone, ``checkout -B main``; ``origin`` is ``url`` (default: the bare
    repository), with no credential in the clone's config."""
    with git.Repo(docs.remote) as bare:
        bare.git.config("uploadpack.allowAnySHA1InWant", "true")
    with git.Repo.init(dest, initial_branch="main") as repo:
        repo.create_remote("origin", url or docs.remote.as_uri())
        repo.git.fetch(
            "--no-tags", "--depth=1", docs.remote.as_uri(), f"+{sha}:refs/remotes/origin/main"
        )
        repo.git.checkout("-B", "main", "refs/remotes/origin/main")
        assert repo.git.rev_parse("--is-shallow-repository") == "true"
    return dataclasses.replace(docs, workspace=dest, runs=[])


def remote_lock(docs: DocsRepo) -> dict[str, object]:
    with git.Repo(docs.remote) as bare:
        data: dict[str, object] = json.loads(
            bare.commit("main").tree["docs/hcsync.lock"].data_stream.read()
        )
        return data


def source_articles(docs: DocsRepo, sha: str = "main") -> set[str]:
    """The Markdown files of ``sha`` on the remote, relative to docs/."""
    with git.Repo(docs.remote) as bare:
        names = bare.git.ls_tree("-r", "--name-only", sha, "docs/").splitlines()
    return {n.removeprefix("docs/") for n in names if n.endswith(".md")}


@pytest.fixture
def git_http(docs: DocsRepo) -> Iterator[tuple[GitHttpServer, str]]:
    """The docs repository's bare remote over HTTP, for the canary token only."""
    server = GitHttpServer(docs.remote.parent, {CANARY})
    with serve_in_thread(server.app()) as base:
        yield server, f"{base}/{docs.remote.name}"


# ---- apply the branch tip ------------------------------------------------------------------


def test_two_pushes_in_quick_succession_apply_each_article_once(
    docs: DocsRepo, tmp_path: Path
) -> None:
    docs.write("guides/first.md", "---\ntitle: First\n---\nPush N-1.\n")
    first = docs.commit("push N-1")
    docs.push()
    docs.write("guides/second.md", "---\ntitle: Second\n---\nPush N.\n")
    second = docs.commit("push N")
    docs.push()

    run1 = checkout(docs, tmp_path / "run1", first).run("apply")
    assert run1.ok, run1.stdout + run1.stderr
    assert docs.remote_log(1)[0] == ("hcsync: update lockfile [skip ci]", ["docs/hcsync.lock"])

    late = checkout(docs, tmp_path / "run2", second)
    assert not (late.docs / "hcsync.lock").exists()  # the event's commit: the stale state
    run2 = late.run("apply")
    assert run2.ok, run2.stdout + run2.stderr
    assert f"Fast-forwarded the checkout from {second[:7]} to the tip of main (" in run2.stdout
    assert run2.outputs["changes"] == "0"  # nothing created again
    assert "Lockfile unchanged: nothing to commit." in run2.stdout

    files = source_articles(docs)
    assert set(remote_lock(docs)["entries"]) == files  # type: ignore[arg-type]
    translations = {f for f in files if f.endswith(".es.md")}
    assert len(docs.hc.store.articles(docs.center_id)) == len(files - translations) == 5


def test_a_diverged_checkout_stops_with_one_error_line(docs: DocsRepo, tmp_path: Path) -> None:
    ws = checkout(docs, tmp_path / "run", docs.repo().head.commit.hexsha)
    with ws.repo() as repo:  # a commit the branch does not have
        (ws.docs / "guides" / "local.md").write_text("---\ntitle: Local\n---\nx\n")
        repo.git.add("-A")
        repo.git.commit("-m", "local only", "--author", "W <w@example.test>")
        local = repo.head.commit.hexsha
    tip = docs.repo().head.commit.hexsha
    calls = len(docs.hc.app.requests())
    result = ws.run("apply", event="workflow_dispatch")
    assert not result.ok
    assert result.outputs["exitcode"] == "1"
    step = result.step("apply")
    assert step.stderr == ""
    assert step.stdout.splitlines() == [
        f"::error title=hcsync::the checkout ({local[:7]}) has diverged from origin/main "
        f"({tip[:7]}): it has commits the branch does not have, so it is not applied; check "
        "out the branch itself (actions/checkout `ref: ${{ github.ref_name }}`)"
    ]
    assert len(docs.hc.app.requests()) == calls  # the help center was not called


def cli_in(path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["github", *args, "-C", str(path)], obj={"env": env or {}})
    return result.exit_code, result.stdout, result.stderr


def test_sync_deepens_a_shallow_clone_as_far_as_needed(docs: DocsRepo, tmp_path: Path) -> None:
    start = docs.repo().head.commit.hexsha
    with docs.repo() as repo:
        for i in range(60):  # more than the first deepening steps
            repo.git.commit("--allow-empty", "-m", f"c{i}")
    docs.push()
    tip = docs.repo().head.commit.hexsha
    ws = checkout(docs, tmp_path / "ws", start)
    code, out, err = cli_in(ws.docs, "sync-branch", env={"GITHUB_REF": "refs/heads/main"})
    assert code == 0, err
    assert out.startswith(f"Fast-forwarded the checkout from {start[:7]} to the tip of main")
    with ws.repo() as repo:
        assert repo.head.commit.hexsha == tip
        assert repo.active_branch.name == "main"
    again = cli_in(ws.docs, "sync-branch", "--branch", "main")
    assert again == (0, f"The checkout is the tip of main ({tip[:7]}).\n", "")


def test_sync_outside_a_branch_or_with_local_edits_refuses(docs: DocsRepo, tmp_path: Path) -> None:
    code, _, err = cli_in(docs.docs, "sync-branch", env={"GITHUB_REF": "refs/pull/7/merge"})
    assert code == 2
    assert err.endswith("\nError: GITHUB_REF is refs/pull/7/merge, not a branch: pass --branch\n")
    (docs.docs / "guides" / "usage.md").write_text("edited in the job\n")
    code, _, err = cli_in(docs.docs, "sync-branch", "--branch", "main")
    assert (code, err) == (
        1,
        "the checkout has uncommitted changes to tracked files: refusing to move it to the "
        "tip of main\n",
    )


# ---- push with the token given ---------------------------------------------------------------


def test_apply_fetches_and_pushes_with_the_token_given(
    docs: DocsRepo, tmp_path: Path, git_http: tuple[GitHttpServer, str]
) -> None:
    server, url = git_http
    ws = checkout(docs, tmp_path / "ws", docs.repo().head.commit.hexsha, url=url)
    config = (ws.workspace / ".git" / "config").read_text()
    assert "extraheader" not in config and "ghs_" not in config  # persist-credentials: false

    refused = ws.run("apply", token=TOKEN)  # control: the remote wants the right token
    assert not refused.ok
    assert (
        refused.step("apply")
        .stdout.splitlines()[-1]
        .startswith("::error title=hcsync::could not fetch main from origin: ")
    )
    assert server.log and not any(ok for _, _, ok in server.log)

    result = ws.run("apply", token=CANARY)
    assert result.ok, result.stdout + result.stderr
    assert "Committed the lockfile as " in result.stdout and "pushed it to main." in result.stdout
    assert docs.remote_log(1)[0] == ("hcsync: update lockfile [skip ci]", ["docs/hcsync.lock"])
    with git.Repo(docs.remote) as bare:
        assert bare.commit("main").author.name == "github-actions[bot]"
        remote_history = bare.git.log("-p", "--all", "--format=fuller")
    assert any(ok and path.endswith("git-receive-pack") for _, path, ok in server.log)
    leaked = [
        ws.everything_printed(),
        (ws.workspace / ".git" / "config").read_text(),
        remote_history,
    ]
    for secret in (CANARY, basic(CANARY)):
        assert all(secret not in blob for blob in leaked)


def test_a_protected_branch_gets_one_line_of_advice_and_a_side_branch(
    docs: DocsRepo, tmp_path: Path, git_http: tuple[GitHttpServer, str]
) -> None:
    _, url = git_http
    hook = docs.remote / "hooks" / "pre-receive"
    hook.write_text(PROTECT_MAIN)
    hook.chmod(0o755)
    ws = checkout(docs, tmp_path / "ws", docs.repo().head.commit.hexsha, url=url)
    result = ws.run("apply", token=CANARY)
    assert not result.ok
    assert result.outputs["exitcode"] == "1"
    assert len(docs.hc.store.articles(docs.center_id)) == 3  # the apply itself ran
    with ws.repo() as repo:
        sha = repo.head.commit.hexsha
    side = f"hcsync/lockfile-{sha[:7]}"
    errors = [ln for ln in result.stdout.splitlines() if ln.startswith("::error title=hcsync::")]
    assert errors == [
        "::error title=hcsync::could not push the lockfile to main: the branch is protected "
        "(remote: error: GH006: Protected branch update failed for refs/heads/main.). To "
        "push directly, give the action (`github-token:`) a token allowed to "
        f"bypass the branch protection. This run's lockfile commit was pushed to the branch "
        f"{side}: merge it into main with a pull request before the next apply"
    ]
    with git.Repo(docs.remote) as bare:
        assert bare.commit(side).hexsha == sha
        assert bare.commit("main").message.strip() == "docs"  # main untouched
    assert CANARY not in ws.everything_printed()


def test_a_refusal_of_every_push_says_what_to_do_without_a_rerun(tmp_path: Path) -> None:
    from tests.github.test_offline_and_helpers import clone_pair

    a, b = clone_pair(tmp_path)
    hook = tmp_path / "remote.git" / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected branch: pushes need a review' >&2\nexit 1\n")
    hook.chmod(0o755)
    (tmp_path / "a" / "hcsync.lock").write_text('{"a": 1}\n')
    with pytest.raises(PushError) as caught:
        commit_lockfile(tmp_path / "a" / "hcsync.lock", env={}, token=CANARY)
    message = str(caught.value)
    assert message.startswith("could not push the lockfile to main: the branch is protected (")
    assert message.endswith(
        "or let a pull request update the lockfile; this run's lockfile was not pushed. Nothing "
        "is created twice: the next apply reads the help center and adopts what this run "
        "created (or record it now with `hcsync import --adopt` on the branch tip)"
    )
    assert "\n" not in message and "re-run" not in message and CANARY not in message
    with git.Repo(tmp_path / "remote.git") as bare:
        assert [h.name for h in bare.heads] == ["main"]  # the side branch was refused too
    a.close()
    b.close()


# ---- plan-args, apply-args, the key check ----------------------------------------------------


def test_plan_args_go_to_plan_only_and_apply_args_to_apply_only(docs: DocsRepo) -> None:
    inputs = {"plan-args": "--diff", "apply-args": "--prune delete"}
    applied = docs.run("apply", **inputs)
    assert applied.ok, applied.stdout + applied.stderr
    assert "deprecated" not in applied.stdout
    docs.write("guides/usage.md", "---\ntitle: Use Acme\n---\nSee [install](install.md) now.\n")
    (docs.docs / "guides" / "billing" / "invoices.md").unlink()
    docs.commit("edit usage, drop invoices")
    plan = docs.run("plan", **inputs)
    assert plan.ok, plan.stdout + plan.stderr
    assert "+++ local/guides/usage.md" in plan.stdout  # --diff reached the plan
    assert "+See install now." in plan.stdout
    without = docs.run("plan", **{"apply-args": "--prune delete"})  # control: no --diff
    assert without.ok and "+++ local/" not in without.stdout
    assert "deprecated" not in plan.stdout
    assert len(docs.hc.store.articles(docs.center_id)) == 3
    pruned = docs.run("apply", **inputs)
    assert pruned.ok, pruned.stdout + pruned.stderr
    assert len(docs.hc.store.articles(docs.center_id)) == 2  # --prune delete reached apply


def test_the_deprecated_args_still_go_to_both_with_a_warning(docs: DocsRepo) -> None:
    warning = (
        "::warning title=hcsync::The args input is deprecated: it goes to both plan and apply. "
        "Use plan-args and apply-args."
    )
    plan = docs.run("plan", args="--prune delete")
    assert plan.ok and warning in plan.stdout.splitlines()
    diff = docs.run("apply", args="--diff")  # what users hit: plan's option given to apply
    assert not diff.ok and warning in diff.stdout.splitlines()
    assert "Error: No such option '--diff'." in diff.stderr


def test_a_same_repo_pull_request_without_a_key_is_an_error(docs: DocsRepo) -> None:
    calls = len(docs.hc.app.requests())
    result = docs.run("plan", api_key="")
    assert not result.ok
    assert result.outputs["exitcode"] == "1"
    assert result.step("key").stdout == (
        "::error title=hcsync::no help-center API key in this run, on a pull request from this "
        "repository (not a fork): check that `api-key:` names a secret that exists; only pull "
        "requests from forks get an offline plan\n"
    )
    assert not result.step("plan").ran
    assert len(docs.hc.app.requests()) == calls
    fork = docs.run("plan", api_key="", fork=True)  # control: a fork gets the offline plan
    assert fork.ok and fork.outputs["exitcode"] == "2"
    assert "::notice title=hcsync::No help-center API key in this run" in fork.stdout


def test_the_token_given_replaces_the_one_checkout_saved(
    docs: DocsRepo, tmp_path: Path, git_http: tuple[GitHttpServer, str]
) -> None:
    server, url = git_http
    ws = checkout(docs, tmp_path / "ws", docs.repo().head.commit.hexsha, url=url)
    with ws.repo() as repo:  # persist-credentials: true saves the job token like this
        repo.git.config(
            header_key(url) or "", f"AUTHORIZATION: basic {basic('ghs_expiredJobToken')}"
        )
    result = ws.run("apply", token=CANARY)
    assert result.ok, result.stdout + result.stderr
    assert docs.remote_log(1)[0][0] == "hcsync: update lockfile [skip ci]"
    assert all(ok for _, _, ok in server.log)  # only the token given was ever sent
    assert CANARY not in (ws.workspace / ".git" / "config").read_text()


def test_auth_env_keeps_the_config_entries_already_in_the_environment() -> None:
    env = auth_env("https://github.com/acme/docs.git", CANARY, base={"GIT_CONFIG_COUNT": "1"})
    assert env["GIT_CONFIG_COUNT"] == "3"
    assert (env["GIT_CONFIG_KEY_1"], env["GIT_CONFIG_VALUE_1"]) == (
        "http.https://github.com/.extraheader",
        "",
    )
    assert env["GIT_CONFIG_VALUE_2"] == f"AUTHORIZATION: basic {basic(CANARY)}"
    assert "GIT_CONFIG_KEY_0" not in env
    assert auth_env("git@github.com:acme/docs.git", CANARY) == {
        "GIT_TERMINAL_PROMPT": "0",
        "GCM_INTERACTIVE": "never",
    }  # no http: no header to send


def test_the_push_rebases_once_when_the_branch_moved_meanwhile(tmp_path: Path) -> None:
    from tests.github.test_offline_and_helpers import clone_pair

    a, b = clone_pair(tmp_path)
    (tmp_path / "b" / "NOTES.md").write_text("merged meanwhile\n")
    b.git.add("NOTES.md")
    b.git.commit("-m", "someone merged")
    b.git.push("origin", "main")
    (tmp_path / "a" / "hcsync.lock").write_text('{"a": 1}\n')
    result = commit_lockfile(tmp_path / "a" / "hcsync.lock", env={}, token=CANARY)
    assert result.rebased and result.summary().endswith("after a rebase (the branch had moved).")
    with git.Repo(tmp_path / "remote.git") as bare:
        log = [c.message.strip() for c in bare.iter_commits("main")]
    assert log == ["hcsync: update lockfile [skip ci]", "someone merged", "init"]
    a.close()
    b.close()
