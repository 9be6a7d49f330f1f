"""Identity, end to end on both backends: no article is ever created twice, whatever the
lockfile says (issue 13). example-content through the real CLI against each emulator."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.e2e.centers import Center
from tests.importer.test_both_backends import EXAMPLE_ARTICLES, EXAMPLE_DOCS, Tree

NEW_ARTICLE = "---\ntitle: Customs forms\n---\nWhich forms a parcel abroad needs.\n"


def titles(center: Center) -> list[str]:
    return sorted(d.title for d in center.docs().values())


def test_a_lost_lockfile_then_apply_adopts_every_article_and_creates_none(
    applied: Tree, center: Center
) -> None:
    before = titles(center)
    assert len(before) == EXAMPLE_ARTICLES
    (applied.root / "hcsync.lock").unlink()
    plan = applied.run("plan")
    assert plan.exit_code == 0, plan.stdout + plan.stderr
    adopts = [line for line in plan.stdout.splitlines() if line.startswith("= adopt")]
    # 27 articles, 11 translations and the 4 images they show; categories are adopted too
    # where nothing on them needs sending (Help.Center gives no icon back to compare)
    assert len([a for a in adopts if a.split()[2].endswith(".md")]) == EXAMPLE_DOCS
    assert len([a for a in adopts if "/images/" in a]) == 4
    assert "+ create" not in plan.stdout and "+ upload" not in plan.stdout
    center.clear_requests()
    result = applied.run("apply", "--yes", "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["counts"]["adopted"] == len(adopts)
    assert report["counts"]["created"] == report["counts"]["uploaded"] == 0
    assert titles(center) == before  # 0 duplicates
    # what is sent: the icons of the categories that have one, and the slug of the two
    # drafts that never had one (neither can be read back to compare)
    sent = {(m, p.rsplit("/", 2)[-2] if m == "PATCH" else p) for m, p in center.writes()}
    assert all(m == "PATCH" for m, _ in sent), sent
    again = applied.run("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.stdout + again.stderr
    assert applied.lock()["entries"].keys() >= {"shipping/returns.md"}


def test_a_lost_lockfile_with_an_edit_and_a_new_file_updates_and_creates_once(
    applied: Tree, center: Center
) -> None:
    (applied.root / "hcsync.lock").unlink()
    applied.write("shipping/returns.md", applied.read("shipping/returns.md") + "\nOne more line.\n")
    applied.write("shipping/customs.md", NEW_ARTICLE)
    result = applied.run("apply", "--yes", "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    done = [(o["kind"], o["path"]) for o in json.loads(result.stdout)["outcomes"]]
    assert ("update_draft", "shipping/returns.md") in done
    assert [k for k, _ in done].count("create_article") == 1
    assert ("create_article", "shipping/customs.md") in done
    assert len(titles(center)) == EXAMPLE_ARTICLES + 1
    assert titles(center).count("Customs forms") == 1
    assert applied.run("plan", "--detailed-exitcode").exit_code == 0


def test_a_stale_lockfile_from_an_older_commit_duplicates_nothing(
    applied: Tree, center: Center, tmp_path: Path
) -> None:
    # commit N-1 added a file and its run applied it; the run for commit N still has the
    # lockfile from before N-1's apply (its checkout predates the lockfile push)
    stale = tmp_path / "stale.lock"
    shutil.copy(applied.root / "hcsync.lock", stale)
    applied.write("shipping/customs.md", NEW_ARTICLE)
    assert applied.run("apply", "--yes").exit_code == 0
    shutil.copy(stale, applied.root / "hcsync.lock")
    applied.write("shipping/insurance.md", "---\ntitle: Parcel insurance\n---\nCover it.\n")
    plan = applied.run("plan")
    lines = [line.split() for line in plan.stdout.splitlines()]
    assert ["=", "adopt", "shipping/customs.md", '"Customs', 'forms"'] in lines
    result = applied.run("apply", "--yes")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert len(titles(center)) == EXAMPLE_ARTICLES + 2
    assert titles(center).count("Customs forms") == 1
    assert titles(center).count("Parcel insurance") == 1
    assert applied.run("plan", "--detailed-exitcode").exit_code == 0


def test_unmanaged_articles_are_listed_and_never_pruned(applied: Tree, center: Center) -> None:
    # another repository's article (or one made on the web): no file, no lockfile entry
    lock = applied.lock()
    lock["entries"].pop("shipping/returns.md")
    (applied.root / "hcsync.lock").write_text(json.dumps(lock), encoding="utf-8")
    (applied.root / "shipping/returns.md").unlink()
    plan = json.loads(applied.run("plan", "--json", "--prune", "delete").stdout)
    assert plan["actions"] == []
    assert [u["title"] for u in plan["unmanaged"]] == ["Returns portal"]
    assert plan["summary"].endswith(", 1 unmanaged.")
    status = applied.run("status")
    assert "unmanaged" in status.stdout and '"Returns portal"' in status.stdout
    center.clear_requests()
    result = applied.run("apply", "--yes", "--prune", "delete")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert center.writes() == []
    assert "Returns portal" in titles(center)


def test_a_lockfile_entry_with_a_bad_id_is_ignored_and_matched_again(
    applied: Tree, center: Center
) -> None:
    lock = applied.lock()
    lock["entries"]["shipping/returns.md"]["id"] = 17
    lock["entries"]["shipping/carriers.md"]["id"] = None
    (applied.root / "hcsync.lock").write_text(json.dumps(lock, indent=2), encoding="utf-8")
    result = applied.run("apply", "--yes")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert 'entries["shipping/returns.md"].id: expected a string, got 17' in result.stderr
    assert "+ create" not in result.stdout
    assert len([ln for ln in result.stdout.splitlines() if ln.startswith("= adopt")]) == 2
    assert len(titles(center)) == EXAMPLE_ARTICLES
    assert applied.run("plan", "--detailed-exitcode").exit_code == 0


def test_a_journal_cut_in_the_middle_is_folded_and_a_rerun_duplicates_nothing(
    applied: Tree, center: Center
) -> None:
    # a run that created two articles was killed; its journal then lost half of one line
    applied.write("shipping/customs.md", NEW_ARTICLE)
    applied.write("shipping/insurance.md", "---\ntitle: Parcel insurance\n---\nCover it.\n")
    lock_path = applied.root / "hcsync.lock"
    before = lock_path.read_text(encoding="utf-8")
    assert applied.run("apply", "--yes").exit_code == 0
    after = json.loads(lock_path.read_text(encoding="utf-8"))
    lock_path.write_text(before, encoding="utf-8")
    lines = [
        json.dumps({"op": "entry", "value": after["entries"][p]}, sort_keys=True)
        for p in ("shipping/customs.md", "shipping/insurance.md")
    ]
    lines[0] = lines[0][: len(lines[0]) // 2]  # torn in the middle of the journal
    journal = applied.root / "hcsync.lock.journal"
    journal.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = applied.run("apply", "--yes")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "hcsync.lock.journal:1: warning: unreadable journal line (skipped)" in result.stderr
    assert "remove the journal" not in result.stdout + result.stderr
    assert titles(center).count("Customs forms") == 1  # adopted, not created again
    assert len(titles(center)) == EXAMPLE_ARTICLES + 2
    assert not journal.exists()
    assert applied.run("plan", "--detailed-exitcode").exit_code == 0


def test_pull_after_a_killed_apply_folds_its_journal_and_the_next_plan_is_empty(
    applied: Tree, center: Center
) -> None:
    # an apply created an article and was killed before writing the lockfile: only its
    # journal knows; a web edit is then pulled
    applied.write("shipping/customs.md", NEW_ARTICLE)
    lock_path = applied.root / "hcsync.lock"
    before = lock_path.read_text(encoding="utf-8")
    assert applied.run("apply", "--yes").exit_code == 0
    entry = json.loads(lock_path.read_text(encoding="utf-8"))["entries"]["shipping/customs.md"]
    lock_path.write_text(before, encoding="utf-8")
    journal = applied.root / "hcsync.lock.journal"
    journal.write_text(json.dumps({"op": "entry", "value": entry}) + "\n", encoding="utf-8")
    center.web_edit(applied.id_of("shipping/returns.md"), html="<p>Edited on the web</p>")
    result = applied.run("pull")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert not journal.exists()
    assert "shipping/customs.md" in applied.lock()["entries"]
    assert "Edited on the web" in applied.read("shipping/returns.md")
    plan = applied.run("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.stdout + plan.stderr
    assert titles(center).count("Customs forms") == 1


def test_a_saved_plan_whose_create_was_made_meanwhile_is_refused_as_stale(
    applied: Tree, center: Center, tmp_path: Path
) -> None:
    applied.write("shipping/customs.md", NEW_ARTICLE)
    clone = tmp_path / "clone"
    shutil.copytree(applied.root, clone)
    saved = tmp_path / "p.json"
    assert applied.run("plan", "-o", str(saved)).exit_code == 0
    # another checkout applies the same new file before the saved plan is applied
    assert applied.run("apply", "--yes", root=clone).exit_code == 0
    result = applied.run("apply", str(saved))
    assert result.exit_code == 1
    assert "the saved plan is stale" in result.stderr
    assert titles(center).count("Customs forms") == 1
    plan = applied.run("plan")
    assert [ln.split()[:3] for ln in plan.stdout.splitlines() if ln.startswith("=")] == [
        ["=", "adopt", "shipping/customs.md"]
    ]
