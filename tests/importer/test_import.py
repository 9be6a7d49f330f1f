"""hcsync import, import --adopt and pull against the Help.Center emulator (in-process)."""

from __future__ import annotations

import json
from pathlib import Path

from hcsync.content import load_site
from tests.e2e.conftest import FILES, HelpCenter, Project, make_project
from tests.importer.conftest import clear_tree


def squash(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


# ---- import ----------------------------------------------------------------------------


def test_round_trip_example_content(applied: Project, parcelo: HelpCenter) -> None:
    before = json.loads(applied.lock_text())
    clear_tree(applied.root)
    parcelo.app.clear_requests()
    result = applied.run("import")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Imported 27 articles, 11 translations, 6 categories and 4 images" in result.stdout
    assert "cannot be written as Markdown" not in result.stdout
    assert parcelo.writes() == []  # import reads only
    plan = applied.run("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.stdout + plan.stderr
    assert plan.stdout.strip().endswith("No changes. 38 unchanged.")
    after = json.loads(applied.lock_text())
    assert sorted(e["id"] for e in after["entries"].values()) == sorted(
        e["id"] for e in before["entries"].values()
    )
    assert sorted(after["images"]) == sorted(before["images"])
    # the tree: folders by category, translations by suffix, images beside, relative links
    root = applied.root
    assert (root / "getting-started/_category.yml").read_text().startswith("name: Getting started")
    assert (root / "getting-started/welcome.es.md").is_file()
    assert (root / "getting-started/images/dashboard.png").is_file()
    text = (root / "getting-started/first-shipment.md").read_text()
    assert text.startswith("---\ntitle: Ship your first parcel\n---\n")
    assert "(../shipping/packaging-presets.md)" in text
    assert "(../tracking-and-notifications/tracking-page.md)" in text
    assert "hcsync.invalid" not in text and "http://testserver" not in text
    assert "slug: sso" not in (root / "account-and-security/sso.md").read_text()


def test_import_without_config_writes_one(
    tmp_path: Path, applied: Project, parcelo: HelpCenter
) -> None:
    target = tmp_path / "fresh"
    target.mkdir()
    from click.testing import CliRunner

    from hcsync.cli import cli

    result = CliRunner().invoke(
        cli,
        [
            "import",
            "-C",
            str(target),
            "--center-id",
            parcelo.center_id,
            "--base-url",
            parcelo.base_url,
        ],
        obj={"client": parcelo.client, "env": {"HCSYNC_API_KEY": parcelo.key}},
    )
    assert result.exit_code == 0, result.output
    config = (target / "hcsync.yml").read_text()
    assert "content: docs" in config and "languages: [de, es]" in config
    assert parcelo.key not in result.output + config + (target / "hcsync.lock").read_text()
    site = load_site(target)
    assert len(site.articles) == 27


def test_import_refuses_a_tree_with_files(applied: Project) -> None:
    result = applied.run("import")
    assert result.exit_code == 1
    assert "already holds" in result.stderr and "import --adopt" in result.stderr


def test_import_lists_what_does_not_round_trip(tmp_path: Path, parcelo: HelpCenter) -> None:
    project = make_project(tmp_path, parcelo, FILES)
    project.write("hcsync.yml", project.root.joinpath("hcsync.yml").read_text())
    assert project.run("apply", "--yes").exit_code == 0
    aid = json.loads(project.lock_text())["entries"]["guides/usage.md"]["id"]
    html = '<p>Made <span class="x">in</span> the web UI</p>'
    parcelo.store.edit_article(parcelo.center_id, aid, html=html)
    clear_tree(project.root)
    result = project.run("import")
    assert result.exit_code == 0, result.stderr
    assert "1 document cannot be written as Markdown" in result.stdout
    assert "~ guides/usage.md (content differs)" in squash(result.stdout)
    # not altered: the help center keeps its HTML, and the plan is clean
    assert project.run("plan", "--detailed-exitcode").exit_code == 0
    assert parcelo.store.article(parcelo.center_id, aid).html == html


# ---- adopt -----------------------------------------------------------------------------


def test_adopt_after_losing_the_lockfile(applied: Project, parcelo: HelpCenter) -> None:
    (applied.root / "hcsync.lock").unlink()
    (applied.root / "shipping/returns.md").unlink()
    parcelo.app.clear_requests()
    result = applied.run("import", "--adopt", "--yes")
    assert result.exit_code == 0, result.stdout + result.stderr
    out = squash(result.stdout)
    assert "Adopt: 37 files matched, 0 ambiguous, 0 files with no remote article" in out
    assert "= account/single-sign-on.md ←" in out and "(by slug)" in out
    assert "- " in out and "'Returns portal' (no file: recorded as shipping/returns.md" in out
    assert parcelo.writes() == []
    plan = applied.run("plan", "--json")
    kinds = [a["kind"] for a in json.loads(plan.stdout)["actions"]]
    assert kinds == ["orphan"]  # no create at all; the unmatched article is an orphan


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


def test_adopt_reports_ambiguity_and_records_nothing_for_it(
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
    assert "? guides/c.md" in squash(result.stdout)
    lock = json.loads(project.lock_text())
    assert "guides/c.md" not in lock["entries"]
    assert sorted(lock["entries"]) == ["guides/a.md", "guides/b.md"]


def test_adopt_without_yes_and_no_terminal_refuses(applied: Project) -> None:
    (applied.root / "hcsync.lock").unlink()
    result = applied.run("import", "--adopt")
    assert result.exit_code == 2
    assert "pass --yes" in result.stderr
    assert not (applied.root / "hcsync.lock").exists()


# ---- pull ------------------------------------------------------------------------------


def test_pull_writes_a_web_edit_back(applied: Project, parcelo: HelpCenter) -> None:
    aid = json.loads(applied.lock_text())["entries"]["shipping/returns.md"]["id"]
    parcelo.store.edit_article(
        parcelo.center_id,
        aid,
        title="Returns portal (new)",
        html="<p>Edited in the <strong>web UI</strong></p>",
    )
    assert "drift" in applied.run("plan").stdout
    result = applied.run("pull")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "< shipping/returns.md" in squash(result.stdout)
    text = (applied.root / "shipping/returns.md").read_text()
    assert "title: Returns portal (new)" in text
    assert "status: draft" in text  # the web edit is not live yet: pull does not publish it
    assert text.endswith("\nEdited in the **web UI**\n")
    plan = applied.run("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.stdout
    assert "drift" not in plan.stdout and "No changes." in plan.stdout


def test_pull_with_a_local_edit_too_is_a_conflict_and_loses_nothing(
    applied: Project, parcelo: HelpCenter
) -> None:
    aid = json.loads(applied.lock_text())["entries"]["shipping/returns.md"]["id"]
    parcelo.store.edit_article(parcelo.center_id, aid, html="<p>Remote words</p>")
    mine = (applied.root / "shipping/returns.md").read_text() + "\nLocal words.\n"
    applied.write("shipping/returns.md", mine)
    lock_before = applied.lock_text()
    result = applied.run("pull")
    assert result.exit_code == 1
    assert "! shipping/returns.md CONFLICT" in squash(result.stdout)
    assert (applied.root / "shipping/returns.md").read_text() == mine
    copy = (applied.root / "shipping/returns.remote.md").read_text()
    assert "Remote words" in copy and "sync: false" in copy
    assert applied.lock_text() == lock_before
    # the copy is never content, and the drift is still shown
    assert "shipping/returns.remote.md" in load_site(applied.root).unsynced
    assert "drift" in applied.run("plan").stdout


def test_pull_only_named_files(applied: Project, parcelo: HelpCenter) -> None:
    lock = json.loads(applied.lock_text())["entries"]
    for path in ("shipping/returns.md", "shipping/carriers.md"):
        parcelo.store.edit_article(parcelo.center_id, lock[path]["id"], html="<p>Changed</p>")
    result = applied.run("pull", str(applied.root / "shipping/carriers.md"))
    assert result.exit_code == 0, result.stderr
    assert "Pull: 1 file updated" in result.stdout
    assert "Changed" not in (applied.root / "shipping/returns.md").read_text()


def test_pull_of_a_translation(applied: Project, parcelo: HelpCenter) -> None:
    aid = json.loads(applied.lock_text())["entries"]["getting-started/welcome.es.md"]["id"]
    parcelo.store.upsert_translation_draft(
        parcelo.center_id, aid, "es", html="<p>Hola desde la web</p>"
    )
    result = applied.run("pull")
    assert "< getting-started/welcome.es.md" in squash(result.stdout)
    assert "Hola desde la web" in (applied.root / "getting-started/welcome.es.md").read_text()
    assert applied.run("plan", "--detailed-exitcode").exit_code == 0
