"""The PR comment: splitting, upsert by marker, pagination, GitHub's errors, never failing."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from hcsync import __version__
from hcsync.cli import cli
from hcsync.github.api import GitHubApi, GitHubError
from hcsync.github.comment import (
    MAX_COMMENT,
    build_bodies,
    post_plan_comment,
    split_markdown,
    upsert_comments,
)
from hcsync.github.context import context_from_env
from hcsync.plan.model import Action, ActionKind, Plan
from hcsync.views.markdown import MARKER, render_plan
from tests.github.conftest import PR, READ_TOKEN, REPO, TOKEN
from tests.github.github_emulator import GitHubEmulator


@pytest.fixture
def api(client: httpx.Client) -> GitHubApi:
    return GitHubApi(client, token=TOKEN, repository=REPO)


def big_plan(n: int) -> Plan:
    actions = tuple(
        Action(
            kind=ActionKind.UPDATE_DRAFT,
            path=f"guides/article-{i:04}.md",
            title=f"Article {i}",
            remote_id=str(i),
            diff="".join(f"-old line {j} of {i}\n+new line {j} of {i}\n" for j in range(8)),
        )
        for i in range(n)
    )
    return Plan(fingerprint="f", actions=actions, noops=3)


# ---- splitting ------------------------------------------------------------------------


def test_a_short_text_is_one_chunk() -> None:
    assert split_markdown("hello\nworld") == (["hello\nworld"], 0)


def test_split_closes_and_reopens_fences_details_and_tables() -> None:
    text = render_plan(big_plan(400))
    assert len(text) > 70_000
    bodies = build_bodies(text)
    assert len(bodies) >= 2
    for i, body in enumerate(bodies, start=1):
        assert len(body) < MAX_COMMENT
        assert body.startswith(f"{MARKER}\n<!-- hcsync-part {i} of {len(bodies)} -->\n")
        assert body.count("<details") == body.count("</details>")
        fences = [ln for ln in body.split("\n") if ln.startswith("```")]
        assert len(fences) % 2 == 0, f"part {i} leaves a code fence open"
        if i < len(bodies):
            assert f"_Continued in part {i + 1} of {len(bodies)}._" in body
    # nothing lost: every diff line of every article is in some part
    joined = "".join(bodies)
    assert all(f"+new line 7 of {i}\n" in joined for i in range(400))


def test_a_table_cut_in_two_gets_its_header_again() -> None:
    rows = "\n".join(f"| {i} | `guides/a{i}.md` |" for i in range(3000))
    text = f"intro\n\n| n | file |\n|---|---|\n{rows}\n\nend"
    chunks, left = split_markdown(text)
    assert left == 0 and len(chunks) >= 2
    for chunk in chunks[1:]:
        assert chunk.startswith("| n | file |\n|---|---|\n| ")


def test_beyond_max_parts_the_plan_is_truncated_with_a_note() -> None:
    text = render_plan(big_plan(3000))
    bodies = build_bodies(text, max_parts=3)
    assert len(bodies) == 3
    assert all(len(b) < MAX_COMMENT for b in bodies)
    assert "> **Truncated**: " in bodies[-1]
    assert "hcsync posts at most 3 parts" in bodies[-1]


def test_a_giant_single_line_is_cut_too() -> None:
    chunks, _ = split_markdown("x" * 200_000)
    assert len(chunks) >= 4 and all(len(c) < MAX_COMMENT for c in chunks)


# ---- upsert against the emulator ------------------------------------------------------


def test_the_emulator_refuses_a_body_over_the_limit_with_githubs_error_shape(
    api: GitHubApi, client: httpx.Client
) -> None:
    response = client.post(
        f"/repos/{REPO}/issues/{PR}/comments",
        json={"body": "x" * 70_000},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 422
    data = response.json()
    assert data["message"] == "Validation Failed"
    assert data["errors"][0]["message"] == "body is too long (maximum is 65536 characters)"
    assert data["documentation_url"].startswith("https://docs.github.com/rest/issues/comments")
    with pytest.raises(GitHubError) as info:
        api.create_comment(PR, "x" * 70_000)
    assert info.value.format() == (
        f"GitHub: POST /repos/{REPO}/issues/{PR}/comments: Validation Failed: "
        "body is too long (maximum is 65536 characters) (422)"
    )
    # control: split bodies of the same size are accepted
    result = post_plan_comment(api, PR, MARKER + "\n" + "word " * 14_000)
    assert len(result.created) == 2


def test_the_marker_comment_is_found_on_a_later_page(emu: GitHubEmulator, api: GitHubApi) -> None:
    for i in range(120):
        emu.seed_comment(REPO, PR, f"chatter {i}")
    first = upsert_comments(api, PR, [f"{MARKER}\none"])
    for i in range(120):
        emu.seed_comment(REPO, PR, f"more chatter {i}")
    second = upsert_comments(api, PR, [f"{MARKER}\ntwo"])
    assert [c.id for c in second.updated] == [first.created[0].id]
    gets = [r for r in emu.log if r.method == "GET"]
    assert len(gets) == 2 + 3  # 121 comments: 2 pages; 241: 3 pages (per_page=100)
    assert sum(b.startswith(MARKER) for b in emu.bodies(REPO, PR)) == 1


def test_duplicates_from_concurrent_runs_are_deleted(emu: GitHubEmulator, api: GitHubApi) -> None:
    a = emu.seed_comment(REPO, PR, f"{MARKER}\nfirst run", user="github-actions[bot]")
    b = emu.seed_comment(REPO, PR, f"{MARKER}\nsecond run", user="github-actions[bot]")
    quoted = emu.seed_comment(REPO, PR, f"> {MARKER}\n> quoted by a person")
    result = upsert_comments(api, PR, [f"{MARKER}\nnow"])
    assert [c.id for c in result.updated] == [a]
    assert result.deleted == [b]
    assert quoted in emu.comments


def test_keys_keep_two_projects_apart(emu: GitHubEmulator, api: GitHubApi) -> None:
    post_plan_comment(api, PR, f"{MARKER}\nsite A", key="site-a")
    post_plan_comment(api, PR, f"{MARKER}\nsite B", key="site-b")
    post_plan_comment(api, PR, f"{MARKER}\nsite A again", key="site-a")
    bodies = emu.bodies(REPO, PR)
    assert len(bodies) == 2
    assert "site A again" in bodies[0] and "site B" in bodies[1]


# ---- the command: token, event payload, never failing ---------------------------------


def plan_file(tmp_path: Path, plan: Plan) -> str:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan.to_json()), encoding="utf-8")
    return str(path)


def event_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": PR, "head": {"sha": "abc1234def"}}}))
    return {
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_ACTIONS": "true",
        **extra,
    }


def run_comment(client: httpx.Client, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["comment", *args], obj={"github_client": client, "env": env})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_comment_reads_the_pr_from_the_event_and_updates_in_place(
    tmp_path: Path, emu: GitHubEmulator, client: httpx.Client
) -> None:
    env = event_env(tmp_path)
    path = plan_file(tmp_path, big_plan(2))
    code, out, _ = run_comment(client, env, path)
    assert code == 0
    assert (
        out == f"Plan comment: 1 created (https://github.test/{REPO}/pull/{PR}#issuecomment-1001)\n"
    )
    code, out, _ = run_comment(client, env, plan_file(tmp_path, big_plan(3)))
    assert out.startswith("Plan comment: 1 updated")
    (body,) = emu.bodies(REPO, PR)
    assert "guides/article-0002.md" in body and "commit abc1234" in body


def test_no_changes_is_short(tmp_path: Path, emu: GitHubEmulator, client: httpx.Client) -> None:
    run_comment(client, event_env(tmp_path), plan_file(tmp_path, Plan(fingerprint="f", noops=9)))
    (body,) = emu.bodies(REPO, PR)
    visible = [ln for ln in body.split("\n") if ln and not ln.startswith(("<!--", "###"))]
    assert visible == [
        "**No changes.** 9 articles in sync.",
        f"<sub>hcsync {__version__} · commit abc1234</sub>",
    ]


@pytest.mark.parametrize(
    ("env_change", "args", "warning"),
    [
        ({"GITHUB_TOKEN": ""}, (), "GITHUB_TOKEN is not set: the plan was not posted as a comment"),
        ({"GITHUB_EVENT_PATH": ""}, (), "no pull request here (pass --repo and --pr)"),
        ({"GITHUB_TOKEN": "ghs_wrong"}, (), "Bad credentials (401)"),
        ({"GITHUB_TOKEN": READ_TOKEN}, (), "Resource not accessible by integration (403)"),
        ({}, ("--pr", "999"), f"/repos/{REPO}/issues/999/comments: Not Found (404)"),
    ],
)
def test_problems_with_github_are_warnings_never_failures(
    tmp_path: Path,
    client: httpx.Client,
    env_change: dict[str, str],
    args: tuple[str, ...],
    warning: str,
) -> None:
    env = event_env(tmp_path) | env_change
    code, out, err = run_comment(client, env, plan_file(tmp_path, big_plan(1)), *args)
    assert code == 0
    assert out.startswith("::warning title=hcsync::") and warning in out
    assert TOKEN not in out + err and READ_TOKEN not in out + err


def test_a_server_error_is_a_warning_too(
    tmp_path: Path, emu: GitHubEmulator, client: httpx.Client
) -> None:
    emu.fail_next("GET", 502)
    code, out, _ = run_comment(client, event_env(tmp_path), plan_file(tmp_path, big_plan(1)))
    assert code == 0 and "(502)" in out


def test_outside_a_workflow_warnings_go_to_stderr(tmp_path: Path, client: httpx.Client) -> None:
    env = event_env(tmp_path, GITHUB_ACTIONS="", GITHUB_TOKEN="")
    code, out, err = run_comment(client, env, plan_file(tmp_path, big_plan(1)))
    assert (code, out) == (0, "")
    assert err == "warning: GITHUB_TOKEN is not set: the plan was not posted as a comment\n"


def test_a_failure_log_is_posted_redacted(
    tmp_path: Path, emu: GitHubEmulator, client: httpx.Client
) -> None:
    log = tmp_path / "plan.log"
    log.write_text(f"guides/a.md:3: invalid YAML\nkey was hc_SECRETKEY {TOKEN}\n")
    env = event_env(tmp_path, HCSYNC_API_KEY="hc_SECRETKEY")
    code, _, _ = run_comment(client, env, "--failure", str(log))
    assert code == 0
    (body,) = emu.bodies(REPO, PR)
    assert "### hcsync plan failed" in body and "guides/a.md:3: invalid YAML" in body
    assert "hc_SECRETKEY" not in body and TOKEN not in body and "key was *** ***" in body


def test_usage_errors_still_exit_2(tmp_path: Path, client: httpx.Client) -> None:
    code, _, err = run_comment(client, event_env(tmp_path))
    assert code == 2 and "give a plan file or --failure LOG" in err
    code, _, err = run_comment(
        client, event_env(tmp_path), plan_file(tmp_path, big_plan(1)), "--key", "a b"
    )
    assert code == 2 and "letters, digits and _ . / - only" in err


def test_context_prefers_flags_and_reads_issue_comment_events(tmp_path: Path) -> None:
    event = tmp_path / "e.json"
    event.write_text(json.dumps({"issue": {"number": 12}, "repository": {"full_name": "o/r"}}))
    ctx = context_from_env({"GITHUB_EVENT_PATH": str(event)})
    assert (ctx.repository, ctx.pull_request, ctx.api_url) == ("o/r", 12, "https://api.github.com")
    ctx = context_from_env(
        {"GITHUB_EVENT_PATH": str(event), "GITHUB_API_URL": "https://ghe.example/api/v3/"},
        repository="x/y",
        pull_request=3,
    )
    assert (ctx.repository, ctx.pull_request, ctx.api_url) == (
        "x/y",
        3,
        "https://ghe.example/api/v3",
    )
