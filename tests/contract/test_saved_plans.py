"""A saved plan is applicable and says what it does, on both backends: it records the options
it was made with, ``apply FILE`` re-plans with them, and destructive actions are named first."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.centers import Center
from tests.e2e.test_both_backends import Docs, squash


def test_a_force_plan_applies(docs: Docs, center: Center, tmp_path: Path) -> None:
    assert docs.run("apply", "--yes").exit_code == 0
    saved = tmp_path / "p.json"
    made = docs.run("plan", "--force", "-o", str(saved))
    assert made.exit_code == 0, made.stderr
    assert json.loads(saved.read_text())["options"] == {
        "force": True,
        "overwrite": False,
        "prune": "report",
    }
    center.clear_requests()
    applied = docs.run("apply", str(saved))
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    assert center.writes(), "a --force plan sends the articles again"
    assert docs.run("plan", "--detailed-exitcode").exit_code == 0


def test_a_saved_prune_delete_plan_deletes(docs: Docs, center: Center, tmp_path: Path) -> None:
    assert docs.run("apply", "--yes").exit_code == 0
    aid = docs.id_of("guides/billing/invoices.md")
    (docs.root / "guides/billing/invoices.md").unlink()
    saved = tmp_path / "p.json"
    made = docs.run("plan", "--prune", "delete", "-o", str(saved))
    assert made.exit_code == 0, made.stderr
    out = squash(made.stdout)
    assert '- orphan guides/billing/invoices.md "Invoices"' in out
    assert "file removed; will be deleted from the help center" in out
    assert "Plan: 1 to delete, " in out
    assert "orphaned" not in out
    applied = docs.run("apply", str(saved))
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    assert aid not in center.docs()
    assert "guides/billing/invoices.md" not in docs.lock()["entries"]
    assert docs.run("plan", "--detailed-exitcode").exit_code == 0


def test_a_saved_plan_is_still_refused_when_the_remote_moved(
    docs: Docs, center: Center, tmp_path: Path
) -> None:
    assert docs.run("apply", "--yes").exit_code == 0
    docs.write("guides/usage.md", "---\ntitle: Use Acme\n---\nChanged.\n")
    saved = tmp_path / "p.json"
    assert docs.run("plan", "--force", "-o", str(saved)).exit_code == 0
    center.web_edit(docs.id_of("guides/usage.md"), html="<p>Edited on the web</p>")
    refused = docs.run("apply", str(saved))
    assert refused.exit_code == 1
    assert refused.stderr.startswith("the saved plan is stale: the help center or the lockfile")


def test_prune_unpublish_and_report_are_counted_as_such(docs: Docs, center: Center) -> None:
    assert docs.run("apply", "--yes").exit_code == 0
    (docs.root / "guides/billing/invoices.md").unlink()
    report = squash(docs.run("plan").stdout)
    assert '? orphan guides/billing/invoices.md "Invoices" (skipped)' in report
    assert report.splitlines()[-1].startswith("No changes. 1 orphaned (kept), ")
    unpublish = squash(docs.run("plan", "--prune", "unpublish").stdout)
    assert '↓ orphan guides/billing/invoices.md "Invoices"' in unpublish
    assert "Plan: 1 to unpublish, " in unpublish


def test_a_deleted_translation_file(docs: Docs, center: Center) -> None:
    """Help.Center deletes the translation and forgets it; ClickHelp cannot delete one on its
    own: the plan says it is unpublished, and the lockfile keeps it (still owned)."""
    assert docs.run("apply", "--yes").exit_code == 0
    aid = docs.id_of("guides/install.md")
    (docs.root / "guides/install.es.md").unlink()
    planned = squash(docs.run("plan", "--prune", "delete").stdout)
    applied = docs.run("apply", "--yes", "--prune", "delete")
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    entries = docs.lock()["entries"]
    if center.kind == "helpcenter":
        assert "- orphan guides/install.es.md" in planned
        assert "file removed; will be deleted from the help center" in planned
        assert "Plan: 1 to delete, " in planned
        assert "guides/install.es.md" not in entries
    else:
        assert "↓ orphan guides/install.es.md" in planned
        assert (
            "file removed; ClickHelp cannot delete a translation: it will be unpublished" in planned
        )
        assert "Plan: 1 to unpublish, " in planned
        assert entries["guides/install.es.md"]["status"] == "unpublished"
        assert not center.translation_live(aid, "es")
    assert center.docs()[aid].live
    assert docs.run("plan", "--prune", "delete", "--detailed-exitcode").exit_code == 0
