"""`order` in front-matter and _category.yml: honoured on ClickHelp (the TOC, with the fewest
moves, and in the publication), reported as not sent on Help.Center (its API has no order)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hcsync.cli import cli
from tests.e2e.centers import ClickHelpUnderTest, emulator, make_center
from tests.helpers import make_tree

FILES = {
    "guides/_category.yml": "name: Guides\n",
    "guides/alpha.md": "---\ntitle: Alpha\n---\nSee [gamma](gamma.md).\n",
    "guides/beta.md": "---\ntitle: Beta\norder: 1\n---\nB\n",
    "guides/gamma.md": "---\ntitle: Gamma\n---\nC\n",
    "guides/sub/_category.yml": "name: Sub\norder: 2\n",
    "guides/sub/deep.md": "---\ntitle: Deep\n---\nD\n",
    "intro.md": "---\ntitle: Intro\n---\nHello\n",
}


def squash(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


@pytest.fixture
def ch() -> Iterator[ClickHelpUnderTest]:
    with emulator("clickhelp") as (store, app, base_url):
        center = make_center("clickhelp", store, app, base_url)
        assert isinstance(center, ClickHelpUnderTest)
        try:
            yield center
        finally:
            center.client.close()


def run(root: Path, center: Any, *args: str) -> Any:
    result = CliRunner().invoke(
        cli,
        [args[0], "-C", str(root), *args[1:]],
        obj={"client": center.client, "env": center.env()},
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def toc(center: ClickHelpUnderTest, project: str) -> list[str]:
    """The TOC depth-first as "caption" for folders and "title" for topics, indented."""
    from hcsync.emulators.clickhelp.store import dfs_order

    topics = {t.id: t.title for t in center.store.topics(project)}
    nodes = dfs_order(center.store.nodes(project))
    depth: dict[str, int] = {}
    out = []
    for node in nodes:
        depth[node.id] = depth[node.parent_id] + 1 if node.parent_id else 0
        name = topics[node.topic_id] if node.topic_id else node.caption
        out.append("  " * depth[node.id] + name)
    return out


WANTED = ["Guides", "  Beta", "  Sub", "    Deep", "  Alpha", "  Gamma", "Intro"]


def test_clickhelp_toc_follows_order_then_folders_then_names(
    tmp_path: Path, ch: ClickHelpUnderTest
) -> None:
    root = make_tree(tmp_path, FILES, config=ch.config() + "languages: [es]\n")
    plan = run(root, ch, "plan")
    # Gamma is created before Alpha (Alpha links to it), yet each create lands in its place:
    # no reorder, no move
    assert "reorder" not in plan.stdout
    ch.clear_requests()
    assert run(root, ch, "apply", "--yes").exit_code == 0
    assert not [r for r in ch.app.requests() if r.endpoint == "nodes.update"]
    assert toc(ch, ch.project_id) == WANTED
    assert toc(ch, ch.publication_id) == WANTED  # what readers see, too
    again = run(root, ch, "plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.stdout


def test_changing_one_order_moves_one_node(tmp_path: Path, ch: ClickHelpUnderTest) -> None:
    root = make_tree(tmp_path, FILES, config=ch.config() + "languages: [es]\n")
    assert run(root, ch, "apply", "--yes").exit_code == 0
    (root / "guides/gamma.md").write_text("---\ntitle: Gamma\norder: 0\n---\nC\n")
    plan = run(root, ch, "plan", "--json")
    (action,) = [a for a in json.loads(plan.stdout)["actions"] if a["kind"] == "reorder"]
    assert action["path"] == "guides" and action["note"].startswith("1 of 4 moved: gamma.md")
    ch.clear_requests()
    assert run(root, ch, "apply", "--yes").exit_code == 0
    moved = [r for r in ch.app.requests() if r.endpoint == "nodes.update"]
    assert len(moved) == 1
    assert toc(ch, ch.publication_id)[:3] == ["Guides", "  Gamma", "  Beta"]
    assert run(root, ch, "plan", "--detailed-exitcode").exit_code == 0


def test_a_web_move_is_put_back(tmp_path: Path, ch: ClickHelpUnderTest) -> None:
    root = make_tree(tmp_path, FILES, config=ch.config() + "languages: [es]\n")
    assert run(root, ch, "apply", "--yes").exit_code == 0
    intro = next(n for n in ch.store.nodes(ch.project_id) if n.topic_id == "intro")
    ch.store.update_node(ch.project_id, intro.id, {"ordinalNo": 0})  # moved in the web UI
    assert toc(ch, ch.project_id)[0] == "Intro"
    plan = run(root, ch, "plan", "--detailed-exitcode")
    assert plan.exit_code == 2 and '↕ reorder . "top level"' in squash(plan.stdout)
    assert run(root, ch, "apply", "--yes").exit_code == 0
    assert toc(ch, ch.project_id) == WANTED


def test_help_center_reports_order_as_not_sent(tmp_path: Path) -> None:
    with emulator("helpcenter") as (store, app, base_url):
        center = make_center("helpcenter", store, app, base_url)
        try:
            files = {k: v for k, v in FILES.items() if k != "intro.md"}
            root = make_tree(tmp_path, files, config=center.config() + "languages: [es]\n")
            plan = run(root, center, "plan")
            assert "guides/beta.md:3: warning: Help.Center has no article order" in plan.stderr
            assert "reorder" not in plan.stdout
            assert run(root, center, "apply", "--yes").exit_code == 0
            assert run(root, center, "plan", "--detailed-exitcode").exit_code == 0
        finally:
            center.client.close()


def test_a_new_file_is_created_in_its_place(tmp_path: Path, ch: ClickHelpUnderTest) -> None:
    root = make_tree(tmp_path, FILES, config=ch.config() + "languages: [es]\n")
    assert run(root, ch, "apply", "--yes").exit_code == 0
    (root / "guides/delta.md").write_text("---\ntitle: Delta\n---\nD\n")
    assert "reorder" not in run(root, ch, "plan").stdout
    ch.clear_requests()
    assert run(root, ch, "apply", "--yes").exit_code == 0
    assert not [r for r in ch.app.requests() if r.endpoint == "nodes.update"]
    assert toc(ch, ch.publication_id) == [*WANTED[:5], "  Delta", *WANTED[5:]]
    assert run(root, ch, "plan", "--detailed-exitcode").exit_code == 0


def test_a_saved_plan_carries_the_order(tmp_path: Path, ch: ClickHelpUnderTest) -> None:
    root = make_tree(tmp_path / "docs", FILES, config=ch.config() + "languages: [es]\n")
    saved = tmp_path / "plan.json"
    assert run(root, ch, "plan", "-o", str(saved)).exit_code == 0
    assert run(root, ch, "apply", str(saved), "--yes").exit_code == 0
    assert toc(ch, ch.publication_id) == WANTED
    (root / "guides/gamma.md").write_text("---\ntitle: Gamma\norder: 0\n---\nC\n")
    assert run(root, ch, "plan", "-o", str(saved)).exit_code == 0
    assert "reorder" in saved.read_text()
    assert run(root, ch, "apply", str(saved), "--yes").exit_code == 0
    assert toc(ch, ch.publication_id)[:2] == ["Guides", "  Gamma"]


def test_an_offline_plan_knows_the_platform(tmp_path: Path, ch: ClickHelpUnderTest) -> None:
    files = {**FILES, "guides/alpha.md": "---\ntitle: Alpha\nseo:\n  title: A\n---\nSee.\n"}
    root = make_tree(tmp_path, files, config=ch.config() + "languages: [es]\n")
    assert run(root, ch, "apply", "--yes").exit_code == 0
    result = CliRunner().invoke(cli, ["plan", "-C", str(root), "--offline"], obj={"env": {}})
    assert result.exit_code == 0, result.output
    assert "ClickHelp has no SEO title or description" in result.stderr
    assert "has no article order" not in result.stderr  # ClickHelp has one
    assert "No changes." in result.stdout


def test_a_file_moved_to_the_content_root_moves_to_the_top_of_the_toc(
    tmp_path: Path, ch: ClickHelpUnderTest
) -> None:
    root = make_tree(tmp_path, FILES, config=ch.config() + "languages: [es]\n")
    assert run(root, ch, "apply", "--yes").exit_code == 0
    (root / "guides/beta.md").rename(root / "beta.md")
    plan = squash(run(root, ch, "plan").stdout)
    assert "~ rename beta.md" in plan and "~ update metadata beta.md" in plan
    assert run(root, ch, "apply", "--yes").exit_code == 0
    # Beta keeps its order: 1, which puts it first at its new level
    assert toc(ch, ch.publication_id) == ["Beta", "Guides", *WANTED[2:6], "Intro"]
    assert run(root, ch, "plan", "--detailed-exitcode").exit_code == 0


def test_changing_a_folder_order_moves_it_and_updates_nothing(
    tmp_path: Path, ch: ClickHelpUnderTest
) -> None:
    root = make_tree(tmp_path, FILES, config=ch.config() + "languages: [es]\n")
    assert run(root, ch, "apply", "--yes").exit_code == 0
    (root / "guides/sub/_category.yml").write_text("name: Sub\norder: 0\n")
    plan = json.loads(run(root, ch, "plan", "--json").stdout)
    assert [a["kind"] for a in plan["actions"]] == ["reorder"]  # no "update category"
    assert run(root, ch, "apply", "--yes").exit_code == 0
    assert toc(ch, ch.project_id)[:3] == ["Guides", "  Sub", "    Deep"]
    assert run(root, ch, "plan", "--detailed-exitcode").exit_code == 0
