"""Offline plans, annotations, the job summary, validate --format, the apply lock, the
lockfile commit: each through the CLI or its function, with a control where something refuses."""

from __future__ import annotations

import json
import os
from pathlib import Path

import git
import pytest
from click.testing import CliRunner

from hcsync.apply.report import Outcome, OutcomeStatus, Report
from hcsync.applylock import ApplyLockedError, apply_lock, lock_path
from hcsync.cli import cli
from hcsync.diagnostics import Diagnostic, Severity, UsageError
from hcsync.github.gitpush import PushError, commit_lockfile
from hcsync.plan.model import Action, ActionKind
from hcsync.views.annotations import annotation, render_diagnostics, render_report
from tests.e2e.conftest import HelpCenter, Project, make_project
from tests.github.action_runner import evaluate
from tests.helpers import make_tree


def actions_of(data: dict[str, object]) -> list[tuple[str, str]]:
    return [(a["kind"], a["path"]) for a in data["actions"]]  # type: ignore[attr-defined]


# ---- offline plan -----------------------------------------------------------------------


def test_offline_plan_matches_the_live_plan_after_edits(tmp_path: Path, hc: HelpCenter) -> None:
    project = make_project(tmp_path, hc)
    assert project.run("apply", "--yes").exit_code == 0
    offline = project.run("plan", "--offline")
    assert offline.exit_code == 0
    assert offline.stdout.startswith("Offline plan: computed from the files and the lockfile only.")
    assert "No changes. 4 unchanged." in offline.stdout

    project.write("guides/usage.md", "---\ntitle: Use Acme now\n---\nSee [install](install.md)!\n")
    project.write("guides/install.es.md", "---\ntitle: Instalar Acme\n---\nLee esto ya.\n")
    (project.root / "guides/billing/invoices.md").unlink()
    project.write("guides/new.md", "---\ntitle: New\n---\nhi\n")
    calls = len(hc.app.requests())
    off = json.loads(project.run("plan", "--offline", "--json").stdout)
    assert len(hc.app.requests()) == calls  # no call to the help center
    live = json.loads(project.run("plan", "--json").stdout)
    assert actions_of(off) == actions_of(live)
    assert (off["offline"], live["offline"], off["noops"]) == (True, False, live["noops"])
    update = next(a for a in off["actions"] if a["kind"] == "update_draft")
    assert update["diff"] is None
    assert update["note"] == "text changed (offline: the live text was not read)"


def test_offline_needs_no_key_and_its_plan_cannot_be_applied(
    tmp_path: Path, hc: HelpCenter
) -> None:
    project = make_project(tmp_path, hc)
    saved = tmp_path / "offline.json"
    result = CliRunner().invoke(
        cli,
        ["plan", "-C", str(project.root), "--offline", "-o", str(saved)],
        obj={"client": hc.client, "env": {}},
    )
    assert result.exit_code == 0, result.stderr
    refused = project.run("apply", str(saved))
    assert refused.exit_code == 1
    assert "the saved plan is stale" in refused.stderr
    assert hc.writes() == []
    # control: a live saved plan applies
    live = tmp_path / "live.json"
    assert project.run("plan", "-o", str(live)).exit_code == 0
    assert project.run("apply", str(live)).exit_code == 0
    assert hc.writes() != []


# ---- annotations, job summary ---------------------------------------------------------


def test_annotation_escaping() -> None:
    assert annotation("error", "50%\nnext", file="a,b:c.md", line=3) == (
        "::error file=a%2Cb%3Ac.md,line=3,title=hcsync::50%25%0Anext"
    )
    assert annotation("warning", "plain", title=None) == "::warning::plain"
    diags = [
        Diagnostic(path="g/a.md", line=4, severity=Severity.ERROR, message="bad", hint="fix it"),
        Diagnostic(path="g/b.md", line=None, severity=Severity.WARNING, message="meh"),
    ]
    assert render_diagnostics(diags, prefix="docs") == (
        "::error file=docs/g/a.md,line=4,title=hcsync::bad%0Ahint: fix it\n"
        "::warning file=docs/g/b.md,title=hcsync::meh\n"
    )


def report() -> Report:
    def outcome(kind: ActionKind, path: str, status: OutcomeStatus, msg: str | None) -> Outcome:
        return Outcome(action=Action(kind=kind, path=path, title=path), status=status, message=msg)

    return Report(
        outcomes=[
            outcome(ActionKind.CREATE_ARTICLE, "g/a.md", OutcomeStatus.DONE, None),
            outcome(
                ActionKind.PUBLISH, "g/b.md", OutcomeStatus.FAILED, "g/b.md: publish failed (422)"
            ),
            outcome(ActionKind.CREATE_CATEGORY, "g", OutcomeStatus.FAILED, "refused (403)"),
        ],
        calls=5,
        writes=3,
    )


def test_failed_articles_become_errors_on_their_files() -> None:
    assert render_report(report(), prefix="docs") == (
        "::error file=docs/g/b.md,line=1,title=hcsync::g/b.md: publish failed (422)\n"
        "::error title=hcsync::g: refused (403)\n"
    )


def test_github_summary_writes_the_table_the_outputs_and_the_annotations(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "repo" / "docs", {"g/a.md": "---\ntitle: A\n---\nA\n"})
    report_file = tmp_path / "report.json"
    report_file.write_text(json.dumps(report().to_json()), encoding="utf-8")
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    env = {
        "GITHUB_WORKSPACE": str(tmp_path / "repo"),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output),
    }
    result = CliRunner().invoke(
        cli, ["github", "summary", str(report_file), "-C", str(root)], obj={"env": env}
    )
    assert result.exit_code == 0, result.stderr
    assert "::error file=docs/g/b.md,line=1,title=hcsync::g/b.md: publish failed (422)" in (
        result.stdout
    )
    text = summary.read_text()
    assert text.startswith(
        "### hcsync apply\n\n**Apply finished with failures: 1 created, 2 failed"
    )
    assert "| ❌ failed | publish | `g/b.md` | g/b.md: publish failed (422) |" in text
    assert output.read_text() == "changes=1\nfailed=2\n"


def test_github_summary_refuses_other_json(tmp_path: Path) -> None:
    make_tree(tmp_path, {})
    other = tmp_path / "x.json"
    other.write_text("[1, 2]")
    result = CliRunner().invoke(cli, ["github", "summary", str(other), "-C", str(tmp_path)])
    assert result.exit_code == 2
    assert "neither a plan nor an apply report" in result.stderr


# ---- validate --format ----------------------------------------------------------------

BAD = {"guides/bad.md": "---\ntitle: Bad\nstatus: maybe\n---\nBody\n", "guides/ok.md": "# OK\n"}


def run_in(cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, list(args), env=env)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def test_validate_plain_lines_are_relative_to_where_it_runs(tmp_path: Path) -> None:
    make_tree(tmp_path / "docs", BAD)
    code, out, err = run_in(tmp_path, "validate", "docs")
    assert (code, out) == (1, "")
    assert err.startswith("docs/guides/bad.md:3: ")


def test_validate_format_github_annotates_from_the_workspace(tmp_path: Path) -> None:
    make_tree(tmp_path / "docs", BAD)
    code, out, err = run_in(
        tmp_path / "docs", "validate", "--format", "github", env={"GITHUB_WORKSPACE": str(tmp_path)}
    )
    assert code == 1
    assert out.startswith("::error file=docs/guides/bad.md,line=3,title=hcsync::")
    assert "docs/guides/bad.md:3: " in err


def test_validate_format_github_control_prints_ok(tmp_path: Path) -> None:
    make_tree(tmp_path, {"guides/ok.md": "# OK\n"})
    code, out, _ = run_in(tmp_path, "validate", "--format", "github")
    assert code == 0 and out.startswith("OK: ")


def test_validate_format_github_without_config(tmp_path: Path) -> None:
    code, out, err = run_in(tmp_path, "validate", "--format", "github")
    assert code != 0
    assert out.startswith("::error title=hcsync::") and "hcsync.yml" in out


# ---- the apply lock -------------------------------------------------------------------


def test_a_second_apply_on_the_same_lockfile_is_refused(tmp_path: Path, hc: HelpCenter) -> None:
    project: Project = make_project(tmp_path, hc)
    lockfile = project.root / "hcsync.lock"
    with apply_lock(lockfile):
        with pytest.raises(
            ApplyLockedError,
            match=r"another hcsync apply is running on "
            r"hcsync.lock \(pid \d+ since ",
        ):
            with apply_lock(lockfile):
                pass
        refused = project.run("apply", "--yes")
        assert refused.exit_code == 1
        assert refused.stderr.startswith("another hcsync apply is running on hcsync.lock (pid ")
        assert hc.writes() == []
    assert not lock_path(lockfile).exists()
    # control: once released, apply runs
    applied = project.run("apply", "--yes")
    assert applied.exit_code == 0, applied.stderr
    assert hc.writes() != []
    assert not lock_path(lockfile).exists()


def test_the_lock_is_taken_again_after_release(tmp_path: Path) -> None:
    lockfile = tmp_path / "hcsync.lock"
    for _ in range(3):
        with apply_lock(lockfile) as held:
            assert held.read_text().startswith(f"pid {os.getpid()} since ")
    assert list(tmp_path.iterdir()) == []


# ---- the lockfile commit --------------------------------------------------------------


def clone_pair(tmp_path: Path) -> tuple[git.Repo, git.Repo]:
    remote = tmp_path / "remote.git"
    git.Repo.init(remote, bare=True, initial_branch="main").close()
    repos = []
    for name in ("a", "b"):
        path = tmp_path / name
        if name == "a":
            repo = git.Repo.init(path, initial_branch="main")
            (path / "hcsync.lock").write_text("{}\n")
            repo.git.add("hcsync.lock")
            repo.git.commit("-m", "init", "--author", "T <t@example.test>")
            repo.create_remote("origin", str(remote))
            repo.git.push("origin", "main")
        else:
            repo = git.Repo.clone_from(str(remote), path)
        with repo.config_writer() as cw:
            cw.set_value("user", "name", "T")
            cw.set_value("user", "email", "t@example.test")
        repos.append(repo)
    return repos[0], repos[1]


def test_a_lockfile_changed_by_another_apply_is_not_pushed_over(tmp_path: Path) -> None:
    a, b = clone_pair(tmp_path)
    (tmp_path / "b" / "hcsync.lock").write_text('{"b": 1}\n')
    assert commit_lockfile(tmp_path / "b" / "hcsync.lock", env={}).committed
    (tmp_path / "a" / "hcsync.lock").write_text('{"a": 1}\n')
    with pytest.raises(PushError, match=r"main moved and its hcsync.lock changed too"):
        commit_lockfile(tmp_path / "a" / "hcsync.lock", env={})
    assert a.git.status("--porcelain") == ""  # the rebase was aborted, nothing half-done
    a.close()
    b.close()


def test_commit_lockfile_needs_a_repository_and_a_change(tmp_path: Path) -> None:
    (tmp_path / "hcsync.lock").write_text("{}\n")
    with pytest.raises(UsageError, match="is not in a git repository"):
        commit_lockfile(tmp_path / "hcsync.lock", env={})
    a, b = clone_pair(tmp_path / "pair")
    assert not commit_lockfile(tmp_path / "pair" / "a" / "hcsync.lock", env={}).committed
    a.close()
    b.close()


# ---- the test runner's expressions ----------------------------------------------------


def test_expression_subset() -> None:
    ctx = {"inputs": {"mode": "plan", "python-version": ""}, "steps": {"p": {"outputs": {}}}}
    assert evaluate("inputs.mode == 'PLAN'", ctx) is True
    assert evaluate("inputs.python-version != ''", ctx) is False
    assert evaluate("steps.p.outputs.x || steps.q.outputs.x || 'z'", ctx) == "z"
    assert evaluate("!(inputs.mode == 'apply') && always()", ctx) is True
    assert evaluate("failure()", ctx, "failure") is True
