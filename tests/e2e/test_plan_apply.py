"""plan and apply against the Help.Center emulator, through the real CLI (in-process HTTP)."""

from __future__ import annotations

import json

from tests.e2e.conftest import HelpCenter, Project


def squash(text: str) -> str:
    """Text with runs of spaces made one, so column widths don't matter."""
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


def test_first_plan_then_apply_then_no_changes(project: Project, hc: HelpCenter) -> None:
    first = project.run("plan", "--detailed-exitcode")
    assert first.exit_code == 2, first.stderr
    assert "+ create article guides/install.md" in squash(first.stdout)
    assert hc.writes() == []  # plan writes nothing
    applied = project.run("apply", "--yes")
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    assert "0 failed" in applied.stdout
    again = project.run("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.stdout
    assert again.stdout.strip().endswith("No changes. 4 unchanged.")
    # every article is live, in the right category, with its translation live too
    arts = {a.title: a for a in hc.store.articles(hc.center_id)}
    assert sorted(arts) == ["Install Acme", "Invoices", "Use Acme"]
    assert all(a.live for a in arts.values())
    cats = {c.id: c.name for c in hc.store.categories(hc.center_id)}
    assert cats[arts["Invoices"].category_id] == "Billing"
    assert cats[arts["Install Acme"].category_id] == "Guides"
    lock = json.loads(project.lock_text())
    assert lock["entries"]["guides/install.es.md"]["status"] == "published"
    assert lock["pending"] == {}


def test_links_between_new_articles_resolve_to_live_urls(project: Project, hc: HelpCenter) -> None:
    assert project.run("apply", "--yes").exit_code == 0
    lock = json.loads(project.lock_text())["entries"]
    install = hc.store.article(hc.center_id, lock["guides/install.md"]["id"])
    usage = hc.store.article(hc.center_id, lock["guides/usage.md"]["id"])
    assert f'href="{lock["guides/usage.md"]["url"]}"' in install.html
    assert f'href="{lock["guides/install.md"]["url"]}"' in usage.html
    assert "hcsync.invalid" not in install.html + usage.html
    assert 'href="#"' not in install.html + usage.html


def test_one_changed_file_costs_only_its_own_writes(project: Project, hc: HelpCenter) -> None:
    assert project.run("apply", "--yes").exit_code == 0
    hc.app.clear_requests()
    project.write("guides/billing/invoices.md", "---\ntitle: Invoices\n---\nNew text.\n")
    result = project.run("apply", "--yes")
    assert result.exit_code == 0, result.stdout
    aid = json.loads(project.lock_text())["entries"]["guides/billing/invoices.md"]["id"]
    base = f"/v0/centers/{hc.center_id}/articles/{aid}"
    assert hc.writes() == [("PATCH", f"{base}/draft"), ("POST", f"{base}/publish")]


def test_noop_plan_reads_few_pages_and_writes_nothing(project: Project, hc: HelpCenter) -> None:
    assert project.run("apply", "--yes").exit_code == 0
    hc.app.clear_requests()
    assert project.run("plan").exit_code == 0
    endpoints = [r.endpoint for r in hc.app.requests()]
    assert endpoints == ["E1", "E2", "E15"]


def test_web_edit_is_drift_skipped_then_overwritten(project: Project, hc: HelpCenter) -> None:
    assert project.run("apply", "--yes").exit_code == 0
    aid = json.loads(project.lock_text())["entries"]["guides/usage.md"]["id"]
    hc.store.edit_article(hc.center_id, aid, html="<p>Edited in the web UI</p>")
    plan = project.run("plan", "--detailed-exitcode")
    assert plan.exit_code == 0  # a drift alone is skipped: nothing would change
    assert "! drift guides/usage.md" in squash(plan.stdout)
    assert "run with --overwrite" in plan.stdout
    kept = project.run("apply", "--yes")
    assert hc.store.article(hc.center_id, aid).html == "<p>Edited in the web UI</p>"
    assert kept.exit_code == 0
    forced = project.run("apply", "--yes", "--overwrite")
    assert forced.exit_code == 0, forced.stdout
    art = hc.store.article(hc.center_id, aid)
    assert "Edited in the web UI" not in art.html
    assert art.live and art.status == "published"
    assert project.run("plan", "--detailed-exitcode").exit_code == 0


def test_deleted_file_is_reported_unpublished_or_deleted(project: Project, hc: HelpCenter) -> None:
    assert project.run("apply", "--yes").exit_code == 0
    aid = json.loads(project.lock_text())["entries"]["guides/billing/invoices.md"]["id"]
    (project.root / "guides/billing/invoices.md").unlink()
    report = project.run("plan")
    assert "? orphan guides/billing/invoices.md" in squash(report.stdout)
    assert "(skipped)" in report.stdout
    assert project.run("apply", "--yes").exit_code == 0
    assert hc.store.article(hc.center_id, aid).live
    assert project.run("apply", "--yes", "--prune", "unpublish").exit_code == 0
    assert not hc.store.article(hc.center_id, aid).live
    assert project.run("apply", "--yes", "--prune", "delete").exit_code == 0
    assert aid not in hc.article_ids()
    assert "guides/billing/invoices.md" not in json.loads(project.lock_text())["entries"]


def test_image_uploaded_once_across_applies(project: Project, hc: HelpCenter) -> None:
    assert project.run("apply", "--yes").exit_code == 0
    project.write("guides/usage.md", "---\ntitle: Use Acme\n---\n![Same](images/shot.png)\n")
    assert project.run("apply", "--yes").exit_code == 0
    uploads = [w for w in hc.writes() if w[1].endswith("/articles/images")]
    assert len(uploads) == 1
    lock = json.loads(project.lock_text())
    url = next(iter(lock["images"].values()))["url"]
    aid = lock["entries"]["guides/usage.md"]["id"]
    assert f'src="{url}"' in hc.store.article(hc.center_id, aid).html
    served = hc.client.get(url)
    assert served.status_code == 200
    assert served.content == (project.root / "guides/images/shot.png").read_bytes()


def test_read_only_key_gives_one_clear_line_and_keeps_the_lockfile(
    project: Project, hc: HelpCenter
) -> None:
    assert project.run("apply", "--yes").exit_code == 0
    before = project.lock_text()
    project.write("guides/usage.md", "---\ntitle: Use Acme\n---\nChanged.\n")
    read_only = hc.key_with("content.read")
    result = project.run("apply", "--yes", key=read_only)
    assert result.exit_code == 1
    assert (
        'guides/usage.md: help center refused to update "Use Acme": '
        "You do not have the 'content.write' scope (403 insufficient_scope)"
    ) in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert json.loads(project.lock_text()) == json.loads(before)


def test_missing_key_is_one_line(project: Project) -> None:
    from click.testing import CliRunner

    from hcsync.cli import cli

    result = CliRunner().invoke(
        cli, ["plan", "-C", str(project.root)], obj={"client": project.hc.client, "env": {}}
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("HCSYNC_API_KEY is not set:")


def test_apply_without_yes_and_no_terminal_refuses(project: Project, hc: HelpCenter) -> None:
    result = project.run("apply")
    assert result.exit_code == 2
    assert "refusing to apply without confirmation" in result.stderr
    assert hc.writes() == []


def test_usage_error_under_detailed_exitcode_is_not_2(project: Project) -> None:
    assert project.run("plan", "--detailed-exitcode", "--prune", "bogus").exit_code == 64
    assert project.run("plan", "--prune", "bogus").exit_code == 2


def test_the_key_never_appears_anywhere(project: Project, hc: HelpCenter) -> None:
    outputs = []
    plan_file = project.root.parent / "plan.json"
    for args in (
        ("plan", "-o", str(plan_file)),
        ("apply", "--yes"),
        ("plan", "--json"),
        ("status",),
        ("apply", "--yes", "--prune", "bogus"),
    ):
        result = project.run(*args)
        outputs += [result.stdout, result.stderr]
    read_only = hc.key_with("content.read")
    project.write("guides/usage.md", "---\ntitle: Use Acme\n---\nChanged.\n")
    denied = project.run("apply", "--yes", key=read_only)
    outputs += [denied.stdout, denied.stderr, project.lock_text(), plan_file.read_text()]
    outputs += [json.dumps([r.to_json() for r in hc.app.requests()])]
    blob = "\n".join(outputs)
    assert hc.key not in blob
    assert read_only not in blob
    assert "help center refused" in blob  # the denied run did print its error


def test_moving_a_file_keeps_its_article(project: Project, hc: HelpCenter) -> None:
    assert project.run("apply", "--yes").exit_code == 0
    before = json.loads(project.lock_text())["entries"]["guides/billing/invoices.md"]
    old = project.root / "guides/billing/invoices.md"
    (project.root / "guides/invoices.md").write_text(old.read_text())
    old.unlink()
    plan = project.run("plan")
    assert "~ rename guides/invoices.md" in squash(plan.stdout)
    assert "create article" not in plan.stdout and "orphan" not in plan.stdout
    assert project.run("apply", "--yes").exit_code == 0
    after = json.loads(project.lock_text())["entries"]
    assert "guides/billing/invoices.md" not in after
    assert after["guides/invoices.md"]["id"] == before["id"]
    art = hc.store.article(hc.center_id, before["id"])
    cats = {c.id: c.name for c in hc.store.categories(hc.center_id)}
    assert cats[art.category_id] == "Guides"  # moved to the folder's category
    assert len(hc.store.articles(hc.center_id)) == 3
    assert project.run("plan", "--detailed-exitcode").exit_code == 0


def test_category_rename_update_and_folder_removal_delete(project: Project, hc: HelpCenter) -> None:
    assert project.run("apply", "--yes").exit_code == 0
    project.write("guides/_category.yml", "name: User guides\ndescription: How to use Acme\n")
    plan = project.run("plan")
    assert "~ update category guides" in squash(plan.stdout)
    assert project.run("apply", "--yes").exit_code == 0
    names = sorted(c.name for c in hc.store.categories(hc.center_id))
    assert names == ["Billing", "User guides"]
    # remove the Billing folder: its article and the category go with prune: delete
    (project.root / "guides/billing/invoices.md").unlink()
    (project.root / "guides/billing/_category.yml").unlink()
    kept = project.run("plan")
    assert "- delete category guides/billing" in squash(kept.stdout)
    assert "(skipped)" in kept.stdout  # prune: report keeps it
    result = project.run("apply", "--yes", "--prune", "delete")
    assert result.exit_code == 0, result.stdout
    assert [c.name for c in hc.store.categories(hc.center_id)] == ["User guides"]
    assert sorted(a.title for a in hc.store.articles(hc.center_id)) == [
        "Install Acme",
        "Use Acme",
    ]
    assert project.run("plan", "--detailed-exitcode", "--prune", "delete").exit_code == 0


def test_translation_unpublished_on_its_own(project: Project, hc: HelpCenter) -> None:
    assert project.run("apply", "--yes").exit_code == 0
    project.write(
        "guides/install.es.md", "---\ntitle: Instalar Acme\nstatus: unpublished\n---\nLee esto.\n"
    )
    plan = project.run("plan")
    assert "↓ unpublish translation guides/install.es.md" in squash(plan.stdout)
    assert project.run("apply", "--yes").exit_code == 0
    aid = json.loads(project.lock_text())["entries"]["guides/install.md"]["id"]
    assert hc.store.article(hc.center_id, aid).live
    assert hc.store.translation(hc.center_id, aid, "es").status == "unpublished"
    assert project.run("plan", "--detailed-exitcode").exit_code == 0


def test_a_journal_left_by_a_killed_run_is_folded_even_with_nothing_to_do(
    project: Project, hc: HelpCenter
) -> None:
    from hcsync import lockfile as lockmod

    assert project.run("apply", "--yes").exit_code == 0
    path = project.root / "hcsync.lock"
    lock = lockmod.load(path)
    path.unlink()  # as if the run died after its last write, before writing the lockfile
    journal = lockmod.Journal(lockmod.Lockfile(), path)
    journal.set_target(lock.backend, lock.target)
    for entry in lock.entries.values():
        journal.record(entry)
    for cat in lock.categories.values():
        journal.category(cat)
    for img in lock.images.values():
        journal.image(img)
    journal.close()
    assert project.run("plan", "--detailed-exitcode").exit_code == 0  # plan reads the journal
    assert not path.exists()  # and writes nothing
    result = project.run("apply", "--yes")
    assert result.exit_code == 0
    assert lockmod.load(path) == lock
    assert not lockmod.journal_path(path).exists()
