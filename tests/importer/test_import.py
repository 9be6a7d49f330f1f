"""hcsync import, import --adopt and pull against the Help.Center emulator (in-process)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import HelpCenter, Project, make_project


def squash(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


# ---- import ----------------------------------------------------------------------------


def test_import_refuses_a_tree_with_files(applied: Project) -> None:
    result = applied.run("import")
    assert result.exit_code == 1
    assert "already holds" in result.stderr and "import --adopt" in result.stderr


# ---- adopt -----------------------------------------------------------------------------


def test_adopt_matches_by_title_when_the_slug_changed_and_flags_it(applied: Project) -> None:
    (applied.root / "hcsync.lock").unlink()
    text = (applied.root / "integrations/zapier.md").read_text()
    applied.write("integrations/zapier.md", text.replace("---\n", "---\nslug: zapier-guide\n", 1))
    result = applied.run("import", "--adopt", "--yes")
    assert "≈ integrations/zapier.md" in result.stdout
    assert "by title only: check it" in result.stdout
    plan = json.loads(applied.run("plan", "--json").stdout)
    actions = [(a["kind"], a["path"]) for a in plan["actions"]]
    assert ("update_metadata", "integrations/zapier.md") in actions  # the slug the file wants
    assert not [kind for kind, _ in actions if kind.startswith("create")]


def test_adopt_prefers_slugs_and_leaves_a_title_alike_new_file_to_create(
    tmp_path: Path, parcelo: HelpCenter
) -> None:
    files = {
        "guides/_category.yml": "name: Guides\n",
        "guides/a.md": "---\ntitle: Same\nslug: one\n---\nA\n",
        "guides/b.md": "---\ntitle: Same\nslug: two\n---\nB\n",
    }
    project = make_project(tmp_path, parcelo, files)
    project.write("hcsync.yml", project.root.joinpath("hcsync.yml").read_text())
    assert project.run("apply", "--yes").exit_code == 0
    (project.root / "hcsync.lock").unlink()
    project.write("guides/c.md", "---\ntitle: Same\nslug: three\n---\nC\n")
    result = project.run("import", "--adopt", "--yes")
    out = squash(result.stdout)
    assert "+ guides/c.md (no remote article: the next plan creates it)" in out
    lock = json.loads(project.lock_text())
    assert sorted(lock["entries"]) == ["guides/a.md", "guides/b.md"]


def test_adopt_of_a_file_matching_two_articles_is_an_error_naming_them(
    tmp_path: Path, parcelo: HelpCenter
) -> None:
    files = {"guides/_category.yml": "name: Guides\n", "guides/a.md": "---\ntitle: A\n---\nA\n"}
    project = make_project(tmp_path, parcelo, files)
    project.write("hcsync.yml", project.root.joinpath("hcsync.yml").read_text())
    assert project.run("apply", "--yes").exit_code == 0
    lock = json.loads(project.lock_text())
    # a second copy on the help center, as a run that lost its lockfile used to make
    store, center = parcelo.store, parcelo.center_id
    dup = store.create_article(center, title="A", category=lock["categories"]["guides"]["id"])
    store.publish_article(center, dup.id)
    (project.root / "hcsync.lock").unlink()
    result = project.run("import", "--adopt", "--yes")
    assert result.exit_code == 1
    first = lock["entries"]["guides/a.md"]["id"]
    assert "guides/a.md:2: matches 2 articles on the help center by slug: " in result.stderr
    assert first in result.stderr and dup.id in result.stderr
    assert "hint: the help center holds duplicates: delete all but one there" in result.stderr
    assert not (project.root / "hcsync.lock").exists()
    # control: with its lockfile the file is its own article; the copy is unmanaged
    (project.root / "hcsync.lock").write_text(json.dumps(lock))
    plan = json.loads(project.run("plan", "--json").stdout)
    assert [u["remote_id"] for u in plan["unmanaged"]] == [dup.id]


def test_adopt_without_yes_and_no_terminal_refuses(applied: Project) -> None:
    (applied.root / "hcsync.lock").unlink()
    result = applied.run("import", "--adopt")
    assert result.exit_code == 2
    assert "pass --yes" in result.stderr
    assert not (applied.root / "hcsync.lock").exists()


# ---- pull ------------------------------------------------------------------------------


def test_pull_only_named_files(applied: Project, parcelo: HelpCenter) -> None:
    lock = json.loads(applied.lock_text())["entries"]
    for path in ("shipping/returns.md", "shipping/carriers.md"):
        parcelo.store.edit_article(parcelo.center_id, lock[path]["id"], html="<p>Changed</p>")
    result = applied.run("pull", str(applied.root / "shipping/carriers.md"))
    assert result.exit_code == 0, result.stderr
    assert "Pull: 1 file updated" in result.stdout
    assert "Changed" not in (applied.root / "shipping/returns.md").read_text()
