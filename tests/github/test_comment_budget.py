"""The plan comment's budget (issue 16 item 4): one comment by default, what is risky first,
then updates with their diffs, then one row per new article; what does not fit is counted."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from hcsync.cli import cli
from hcsync.github.comment import MAX_COMMENT, plan_bodies
from hcsync.plan.model import Action, ActionKind, FieldChange, Plan
from hcsync.views.markdown import MARKER, Links
from tests.github.conftest import PR, REPO, TOKEN
from tests.github.github_emulator import GitHubEmulator

SHA = "abc1234def5678"
HOSTILE = "@org/team </details><img src=x>"
RUN = "https://github.test/acme/docs/actions/runs/42"


def diff(i: int, lines: int = 30) -> str:
    body = "".join(
        f"-old sentence {j} of edit {i}\n+new sentence {j} of edit {i}\n" for j in range(lines)
    )
    return f"--- remote/guides/edit-{i:02}.md\n+++ local/guides/edit-{i:02}.md\n@@ -1 +1 @@\n{body}"


def big_plan(creates: int = 2000, edits: int = 27) -> Plan:
    """``creates`` new published articles, ``edits`` updated ones, two deletes and a drift."""
    actions: list[Action] = []
    for i in range(creates):
        path, title = f"guides/new-{i:04}.md", f"How to configure feature {i}"
        actions.append(Action(kind=ActionKind.CREATE_ARTICLE, path=path, title=title))
    for i in range(edits):
        actions.append(
            Action(
                kind=ActionKind.UPDATE_DRAFT,
                path=f"guides/edit-{i:02}.md",
                title=f"Edited {i}",
                remote_id=str(100 + i),
                diff=diff(i),
            )
        )
    for i in range(creates):
        path, title = f"guides/new-{i:04}.md", f"How to configure feature {i}"
        actions.append(Action(kind=ActionKind.PUBLISH, path=path, title=title))
    actions += [
        Action(
            kind=ActionKind.DRIFT,
            path="guides/drifted.md",
            title="Drifted",
            remote_id="7",
            skipped=True,
            note="edited on the help center after the last apply",
            diff="-theirs\n+ours\n",
        ),
        *(
            Action(
                kind=ActionKind.ORPHAN,
                path=f"old/gone-{i}.md",
                title=f"Gone {i}",
                remote_id=str(900 + i),
                data={"prune": "delete"},
            )
            for i in range(2)
        ),
    ]
    urls = {f"guides/edit-{i:02}.md": f"https://help.example/a/edit-{i:02}" for i in range(edits)}
    urls["old/gone-0.md"] = "https://help.example/a/gone-0"
    return Plan(fingerprint="f", actions=tuple(actions), noops=5, urls=urls)


def links(plan: Plan) -> Links:
    return Links.for_run(
        server="https://github.test", repository=REPO, sha=SHA, prefix="docs", urls=plan.urls
    )


def outside_code(body: str) -> str:
    """``body`` without its inline code spans (text there is shown as it is, never rendered)."""
    return re.sub(r"`[^`\n]*`", "", body)


def new_rows(body: str) -> list[str]:
    return [ln for ln in body.split("\n") if ln.startswith("| + new")]


# ---- the budget -----------------------------------------------------------------------


@pytest.mark.parametrize("max_parts", [1, 2])
def test_2000_creates_and_27_edits_put_every_diff_and_delete_in_the_first_comment(
    max_parts: int,
) -> None:
    plan = big_plan()
    bodies = plan_bodies(plan, links=links(plan), run_url=RUN, max_parts=max_parts)
    assert len(bodies) == max_parts
    assert all(len(b) <= MAX_COMMENT - 1 for b in bodies)
    first = bodies[0]
    # risk first: the callout comes before any update, with what happens to each
    caution = first.index("> [!CAUTION]")
    assert caution < first.index("#### Updates (28)") < first.index("#### New (2000)")
    assert "> **3 deleted, unpublished, drifted or orphaned: review these first.**" in first
    for i in range(2):
        assert (
            f"> - - `old/gone-{i}.md` Gone {i}: **will be deleted** from the help center "
            "(its file is gone)"
        ) in first
    assert "> - ! `guides/drifted.md` Drifted: **drifted**: changed on the help center" in first
    # every update's whole diff is in the first comment
    for i in range(27):
        assert diff(i).rstrip("\n") in first
    # creates: one row per article, the publish folded in, each article once in all parts
    rows = [row for body in bodies for row in new_rows(body)]
    assert rows and all(row.startswith("| + new, published | `guides/new-") for row in rows)
    assert len({row.split("`")[1] for row in rows}) == len(rows)
    assert "↑ publish" not in "".join(bodies)
    # what did not fit is counted, with the way to the full plan
    assert bodies[-1].count("> **Not shown here**: ") == 1
    assert (
        f"> **Not shown here**: {2000 - len(rows):,} of 2,000 new articles. This plan is posted "
        f"in at most {'1 comment' if max_parts == 1 else '2 comments'} of 65,535 characters; "
        f"the full plan is in the job summary of the [workflow run]({RUN})."
    ) in bodies[-1]
    if max_parts == 2:
        assert "_Continued in part 2 of 2._" in first
        assert bodies[1].startswith(f"{MARKER}\n<!-- hcsync-part 2 of 2 -->\n")
        assert "| | file | title | links |\n|---|---|---|---|\n| + new" in bodies[1]


def test_updates_are_never_left_out_while_new_articles_are_shown() -> None:
    plan = big_plan(creates=300, edits=200)  # the diffs alone are over one comment
    (body,) = plan_bodies(plan, links=links(plan))
    assert len(body) <= MAX_COMMENT - 1
    assert new_rows(body) == []
    shown = len(re.findall(r"^##### ", body, re.M))  # 200 updates and the drift's diff
    assert 0 < shown < 200
    assert f"> **Not shown here**: {201 - shown:,} of 201 updates, 300 of 300 new articles." in body
    assert "| + new" not in body


def test_a_diff_bigger_than_a_comment_is_cut_with_its_fence_closed() -> None:
    huge = Action(
        kind=ActionKind.UPDATE_DRAFT,
        path="guides/long.md",
        title="Long",
        remote_id="1",
        diff="".join(f"+line {j} " + "x" * 60 + "\n" for j in range(3000)),
    )
    (body,) = plan_bodies(Plan(fingerprint="f", actions=(huge,)), links=Links())
    assert len(body) <= MAX_COMMENT - 1
    assert "+line 500 " in body and "+line 2999 " not in body
    fences = [ln for ln in body.split("\n") if ln.startswith("```")]
    assert fences == ["```diff", "```"]
    assert "_(cut here: the rest is in the job summary)_" in body
    assert "> **Not shown here**: 1 of 1 updates." in body


def test_a_publish_is_folded_into_its_row_or_shown_on_its_own() -> None:
    plan = Plan(
        fingerprint="f",
        actions=(
            Action(kind=ActionKind.CREATE_ARTICLE, path="a.md", title="A"),
            Action(kind=ActionKind.CREATE_ARTICLE, path="draft.md", title="Draft"),
            Action(
                kind=ActionKind.UPDATE_METADATA,
                path="b.md",
                title="B",
                remote_id="2",
                changes=(FieldChange(name="title", before="Old B", after="B"),),
            ),
            Action(kind=ActionKind.PUBLISH, path="a.md", title="A"),
            Action(kind=ActionKind.PUBLISH, path="b.md", title="B", remote_id="2"),
            Action(kind=ActionKind.PUBLISH, path="c.md", title="C", remote_id="3"),
        ),
    )
    (body,) = plan_bodies(plan, links=Links())
    assert new_rows(body) == [
        "| + new, published | `a.md` | A |  |",
        "| + new, draft | `draft.md` | Draft |  |",
    ]
    assert "##### ~ `b.md` B\n- **title**: `Old B` → `B`\n- ↑ and published\n" in body
    assert "#### Other changes (1)" in body
    assert "| ↑ publish | `c.md` | C |  |" in body
    assert "Not shown" not in body and "[!CAUTION]" not in body


# ---- links: only from the run's context and the plan's urls ------------------------------


def test_rows_link_the_file_at_the_head_commit_and_the_live_article() -> None:
    plan = big_plan(creates=1, edits=1)
    (body,) = plan_bodies(plan, links=links(plan))
    blob = f"https://github.test/{REPO}/blob/{SHA}/docs/"
    assert (
        f"##### ~ `guides/edit-00.md` Edited 0 · [file]({blob}guides/edit-00.md) · "
        "[live](https://help.example/a/edit-00)\n"
    ) in body
    assert (
        "| + new, published | `guides/new-0000.md` | How to configure feature 0 | "
        f"[file]({blob}guides/new-0000.md) |" in body
    )
    assert f"[file]({blob}old/gone-0.md) · [live](https://help.example/a/gone-0)" in body


def test_links_from_hostile_paths_and_urls_stay_inert() -> None:
    path = "guides/a) [x](https://evil.example) <b>.md"
    plan = Plan(
        fingerprint="f",
        actions=(Action(kind=ActionKind.UPDATE_METADATA, path=path, title="T", remote_id="1"),),
        urls={path: "javascript:alert(1)"},
    )
    (body,) = plan_bodies(plan, links=links(plan))
    assert "[live]" not in body and "javascript" not in body
    assert (
        f"[file](https://github.test/{REPO}/blob/{SHA}/docs/guides/a%29%20%5Bx%5D%28https%3A"
        "//evil.example%29%20%3Cb%3E.md)"
    ) in body
    assert "](https://evil" not in outside_code(body)
    other = Plan(
        fingerprint="f",
        actions=plan.actions,
        urls={path: "https://help.example/a/x) [y](https://evil.example"},
    )
    (body,) = plan_bodies(other, links=links(other))
    assert "[live](https://help.example/a/x%29%20%5By%5D%28https://evil.example)" in body
    assert Links.for_run(server="https://github.test", repository=REPO, sha="main; x").blob is None


def test_a_hostile_title_is_inert_in_every_section() -> None:
    kinds = [
        (ActionKind.ORPHAN, {"prune": "delete"}),
        (ActionKind.UNPUBLISH, {}),
        (ActionKind.UPDATE_DRAFT, {}),
        (ActionKind.CREATE_ARTICLE, {}),
        (ActionKind.RENAME, {}),
    ]
    actions = tuple(
        Action(
            kind=kind,
            path=f"guides/{kind.value}.md",
            title=HOSTILE,
            remote_id=None if kind is ActionKind.CREATE_ARTICLE else "1",
            data=data,
            note=HOSTILE,
            diff="-a\n+b\n" if kind is ActionKind.UPDATE_DRAFT else None,
            changes=(FieldChange(name="title", before=HOSTILE, after=HOSTILE),),
        )
        for kind, data in kinds
    )
    (body,) = plan_bodies(Plan(fingerprint="f", actions=actions), links=Links())
    for heading in ("[!CAUTION]", "#### Updates (1)", "#### New (1)", "#### Other changes (1)"):
        assert heading in body
    rendered = outside_code(body)
    assert "<img" not in rendered and "</details>" not in rendered and "<details" not in rendered
    assert re.search(r"@(?!\u200d)", rendered) is None  # every @ is broken
    inert = "@\u200dorg/team &lt;/details&gt;&lt;img src=x&gt;"
    assert body.count(inert) >= 5 + 1  # a title in each section, the notes too


# ---- the command: default one comment, --max-parts, updated in place ---------------------


def write_plan(tmp_path: Path, plan: Plan) -> str:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan.to_json()), encoding="utf-8")
    return str(path)


def env_for(tmp_path: Path) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": PR, "head": {"sha": SHA}}}))
    workspace = tmp_path / "repo"
    (workspace / "docs").mkdir(parents=True, exist_ok=True)
    (workspace / "docs" / "hcsync.yml").write_text(
        "backend: helpcenter\ncenter_id: c1\nbase_url: https://help.example\n"
    )
    return {
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_SERVER_URL": "https://github.test",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_RUN_ID": "42",
        "GITHUB_ACTIONS": "true",
    }


def run(client: httpx.Client, env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(
        cli,
        ["comment", "-C", str(Path(env["GITHUB_WORKSPACE"]) / "docs"), *args],
        obj={"github_client": client, "env": env},
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.stdout


def hcsync_ids(emu: GitHubEmulator) -> list[int]:
    return sorted(int(c["id"]) for c in emu.comments.values() if str(c["body"]).startswith(MARKER))


def test_the_command_posts_one_comment_by_default(
    tmp_path: Path, emu: GitHubEmulator, client: httpx.Client
) -> None:
    env = env_for(tmp_path)
    out = run(client, env, write_plan(tmp_path, big_plan()))
    assert out.startswith("Plan comment: 1 created")
    (body,) = emu.bodies(REPO, PR)
    assert len(body) <= MAX_COMMENT - 1
    assert f"[file](https://github.test/{REPO}/blob/{SHA}/docs/guides/edit-00.md)" in body
    assert all(diff(i).rstrip("\n") in body for i in range(27))
    assert f"the full plan is in the job summary of the [workflow run]({RUN})." in body
    assert TOKEN not in body


def test_a_comment_is_updated_in_place_as_its_parts_go_2_1_2(
    tmp_path: Path, emu: GitHubEmulator, client: httpx.Client
) -> None:
    env = env_for(tmp_path)
    big, small = write_plan(tmp_path, big_plan()), str(tmp_path / "small.json")
    Path(small).write_text(json.dumps(big_plan(creates=3, edits=2).to_json()))
    assert run(client, env, big, "--max-parts", "2").startswith("Plan comment: 2 created")
    first, second = hcsync_ids(emu)
    assert run(client, env, small, "--max-parts", "2").startswith(
        "Plan comment: 1 updated, 1 deleted"
    )
    assert hcsync_ids(emu) == [first]
    (body,) = emu.bodies(REPO, PR)
    assert "<!-- hcsync-part 1 of 1 -->" in body and "Not shown" not in body
    assert run(client, env, big, "--max-parts", "2").startswith(
        "Plan comment: 1 created, 1 updated"
    )
    ids = hcsync_ids(emu)
    assert ids[0] == first and len(ids) == 2 and ids[1] > second
    bodies = emu.bodies(REPO, PR)
    assert [re.findall(r"hcsync-part (\d) of (\d)", b) for b in bodies] == [
        [("1", "2")],
        [("2", "2")],
    ]
