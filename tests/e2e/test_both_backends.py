"""The end-to-end suite, run against every backend (Help.Center and ClickHelp emulators):
apply, no-op plan, one-file change, drift, orphans, images, faults, crash-resume, key canary.

Where a platform cannot do what the other can, the test asserts the words the plan uses.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import git
import pytest
from click.testing import CliRunner

from hcsync import lockfile as lockmod
from hcsync.cli import cli
from tests.e2e.centers import Center
from tests.e2e.conftest import FILES
from tests.e2e.sites import DESIRED_TITLES, Site, kill, wait_for
from tests.helpers import make_tree


def squash(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


@dataclass
class Docs:
    root: Path
    center: Center

    def run(self, *args: str, read_only: bool = False) -> Any:
        result = CliRunner().invoke(
            cli,
            [*args[:1], "-C", str(self.root), *args[1:]],
            obj={"client": self.center.client, "env": self.center.env(read_only=read_only)},
        )
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    def write(self, rel: str, text: str) -> None:
        (self.root / rel).write_text(text, encoding="utf-8")

    def lock(self) -> dict[str, Any]:
        return dict(json.loads((self.root / "hcsync.lock").read_text(encoding="utf-8")))

    def id_of(self, path: str) -> str:
        return str(self.lock()["entries"][path]["id"])


def make_docs(tmp_path: Path, center: Center, files: dict[str, str | bytes] | None = None) -> Docs:
    root = make_tree(
        tmp_path / "docs", files or FILES, config=center.config() + "languages: [es]\n"
    )
    repo = git.Repo.init(root)
    repo.index.add(
        [str(p.relative_to(root)) for p in root.rglob("*") if ".git" not in p.parts and p.is_file()]
    )
    repo.index.commit("docs")
    repo.close()
    return Docs(root, center)


@pytest.fixture
def docs(tmp_path: Path, center: Center) -> Docs:
    return make_docs(tmp_path, center)


def test_apply_then_no_changes(docs: Docs, center: Center) -> None:
    first = docs.run("plan", "--detailed-exitcode")
    assert first.exit_code == 2, first.stderr
    assert "+ create article guides/install.md" in squash(first.stdout)
    assert center.writes() == []
    applied = docs.run("apply", "--yes")
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    assert "0 failed" in applied.stdout
    again = docs.run("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.stdout + again.stderr
    assert again.stdout.strip().endswith("No changes. 4 unchanged.")
    arts = {d.title: d for d in center.docs().values()}
    assert sorted(arts) == DESIRED_TITLES
    assert all(d.live for d in arts.values())
    assert center.category_names() == Counter({"Guides": 1, "Billing": 1})
    assert docs.lock()["entries"]["guides/install.es.md"]["status"] == "published"
    # what one platform cannot store, the plan says in words
    seo = "guides/install.md:3: warning: ClickHelp has no SEO title or description"
    folder = "guides/_category.yml: warning: ClickHelp folders have no description"
    if center.kind == "clickhelp":
        assert seo in again.stderr and folder in again.stderr
    else:
        assert "ClickHelp" not in again.stderr


def test_a_folder_icon_is_sent_or_reported(docs: Docs, center: Center) -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle r="3"/></svg>'
    docs.write("guides/icon.svg", svg)
    docs.write("guides/_category.yml", "name: Guides\nicon: icon.svg\n")
    result = docs.run("apply", "--yes")
    assert result.exit_code == 0, result.stdout + result.stderr
    warning = "guides/_category.yml: warning: ClickHelp folders have no icon: 'icon' is not sent"
    if center.kind == "clickhelp":
        assert warning in result.stderr
    else:
        assert "no icon" not in result.stderr
        (guides,) = [c for c in center.store.categories(center.center_id) if c.name == "Guides"]  # type: ignore[attr-defined]
        assert "<circle" in guides.icon


def test_a_translation_slug_is_sent_or_reported(docs: Docs, center: Center) -> None:
    docs.write("guides/install.es.md", "---\ntitle: Instalar Acme\nslug: instalar\n---\nLee.\n")
    result = docs.run("apply", "--yes")
    assert result.exit_code == 0, result.stdout + result.stderr
    warning = (
        "guides/install.es.md:3: warning: ClickHelp translations share their article's slug: "
        "'slug' is not sent (it stays 'install')"
    )
    if center.kind == "clickhelp":
        assert warning in result.stderr
    else:
        assert "share their article's slug" not in result.stderr
        entry = docs.lock()["entries"]["guides/install.es.md"]
        assert entry["slug"] == "instalar" and "instalar" in entry["url"]
    assert docs.run("plan", "--detailed-exitcode").exit_code == 0


def test_links_between_new_articles_resolve(docs: Docs, center: Center) -> None:
    assert docs.run("apply", "--yes").exit_code == 0
    entries = docs.lock()["entries"]
    install = center.doc(entries["guides/install.md"]["id"])
    assert f'href="{entries["guides/usage.md"]["url"]}"' in install.html
    assert "hcsync.invalid" not in install.html


def test_one_changed_file_costs_two_writes(docs: Docs, center: Center) -> None:
    assert docs.run("apply", "--yes").exit_code == 0
    center.clear_requests()
    docs.write("guides/billing/invoices.md", "---\ntitle: Invoices\n---\nNew text.\n")
    result = docs.run("apply", "--yes")
    assert result.exit_code == 0, result.stdout
    writes = center.writes()
    assert [m for m, _ in writes] == ["PATCH", "POST"], writes  # the draft, then one publish
    assert "New text." in center.doc(docs.id_of("guides/billing/invoices.md")).html
    assert center.doc(docs.id_of("guides/billing/invoices.md")).live
    assert docs.run("plan", "--detailed-exitcode").exit_code == 0


def test_web_edit_is_drift_skipped_then_overwritten(docs: Docs, center: Center) -> None:
    assert docs.run("apply", "--yes").exit_code == 0
    aid = docs.id_of("guides/usage.md")
    center.web_edit(aid, html="<p>Edited in the web UI</p>")
    plan = docs.run("plan", "--detailed-exitcode")
    assert plan.exit_code == 0
    assert "! drift guides/usage.md" in squash(plan.stdout)
    shown = squash(docs.run("plan", "--diff").stdout)  # what the web edit changed
    assert "--- local/guides/usage.md\n+++ remote/guides/usage.md" in shown
    assert "\n-See install first.\n+Edited in the web UI\n" in shown
    assert docs.run("apply", "--yes").exit_code == 0
    assert center.doc(aid).html == "<p>Edited in the web UI</p>"
    forced = docs.run("apply", "--yes", "--overwrite")
    assert forced.exit_code == 0, forced.stdout
    assert "Edited in the web UI" not in center.doc(aid).html
    assert center.doc(aid).live
    assert docs.run("plan", "--detailed-exitcode").exit_code == 0


def test_deleted_file_is_reported_unpublished_or_deleted(docs: Docs, center: Center) -> None:
    assert docs.run("apply", "--yes").exit_code == 0
    aid = docs.id_of("guides/billing/invoices.md")
    (docs.root / "guides/billing/invoices.md").unlink()
    assert "? orphan guides/billing/invoices.md" in squash(docs.run("plan").stdout)
    assert docs.run("apply", "--yes").exit_code == 0
    assert center.doc(aid).live
    assert docs.run("apply", "--yes", "--prune", "unpublish").exit_code == 0
    assert not center.doc(aid).live
    assert all(d.live for i, d in center.docs().items() if i != aid)  # the others stay
    assert docs.run("apply", "--yes", "--prune", "delete").exit_code == 0
    assert aid not in center.docs()
    assert "guides/billing/invoices.md" not in docs.lock()["entries"]
    assert docs.run("plan", "--detailed-exitcode").exit_code == 0


def test_image_uploaded_once_and_served(docs: Docs, center: Center) -> None:
    assert docs.run("apply", "--yes").exit_code == 0
    docs.write("guides/usage.md", "---\ntitle: Use Acme\n---\n![Same](images/shot.png)\n")
    assert docs.run("apply", "--yes").exit_code == 0
    uploads = [w for w in center.writes() if "images" in w[1] or "/storage/" in w[1]]
    assert len(uploads) == 1, uploads
    lock = docs.lock()
    url = next(iter(lock["images"].values()))["url"]
    assert f'src="{url}"' in center.doc(lock["entries"]["guides/usage.md"]["id"]).html
    assert center.fetch_image(url) == (docs.root / "guides/images/shot.png").read_bytes()


def test_category_translations_are_sent_changed_and_removed(docs: Docs, center: Center) -> None:
    docs.write(
        "guides/_category.yml",
        "name: Guides\ntranslations:\n  es:\n    name: Guías\n",
    )
    assert docs.run("apply", "--yes").exit_code == 0
    assert center.category_translations("es") == {"Guides": "Guías"}
    assert docs.run("plan", "--detailed-exitcode").exit_code == 0

    docs.write(
        "guides/_category.yml", "name: Guides\ntranslations:\n  es:\n    name: Guías de uso\n"
    )
    plan = docs.run("plan")
    assert "translations: es: Guías → es: Guías de uso" in squash(plan.stdout)
    assert docs.run("apply", "--yes").exit_code == 0
    assert center.category_translations("es") == {"Guides": "Guías de uso"}

    docs.write("guides/_category.yml", "name: Guides\n")
    assert docs.run("apply", "--yes").exit_code == 0
    assert center.category_translations("es") == {}
    assert docs.run("plan", "--detailed-exitcode").exit_code == 0


def test_slug_change(docs: Docs, center: Center) -> None:
    assert docs.run("apply", "--yes").exit_code == 0
    docs.write("guides/usage.md", "---\ntitle: Use Acme\nslug: using-acme\n---\nSee.\n")
    plan = docs.run("plan")
    said = "cannot change the slug of an existing article (it is the topic id): it stays 'usage'"
    if center.kind == "clickhelp":
        assert any(
            line.startswith("guides/usage.md:") and f"warning: ClickHelp {said}" in line
            for line in plan.stderr.splitlines()
        ), plan.stderr
        assert "slug: usage → using-acme" not in plan.stdout
    else:
        assert "slug: usage → using-acme" in plan.stdout
    assert docs.run("apply", "--yes").exit_code == 0
    # One apply is enough: the article linking to the renamed one was sent its new URL.
    again = docs.run("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.stdout


def test_read_only_key_gives_one_clear_line(docs: Docs, center: Center) -> None:
    assert docs.run("apply", "--yes").exit_code == 0
    before = docs.lock()
    docs.write("guides/usage.md", "---\ntitle: Use Acme\n---\nChanged.\n")
    result = docs.run("apply", "--yes", read_only=True)
    assert result.exit_code == 1
    assert 'guides/usage.md: help center refused to update "Use Acme": ' in result.stdout
    assert "(403 " in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert docs.lock() == before


def test_the_key_never_appears_anywhere(docs: Docs, center: Center) -> None:
    outputs = []
    plan_file = docs.root.parent / "plan.json"
    for args in (
        ("plan", "-o", str(plan_file)),
        ("apply", "--yes"),
        ("plan", "--json"),
        ("status",),
    ):
        result = docs.run(*args)
        outputs += [result.stdout, result.stderr]
    docs.write("guides/usage.md", "---\ntitle: Use Acme\n---\nChanged.\n")
    denied = docs.run("apply", "--yes", read_only=True)
    outputs += [denied.stdout, denied.stderr, json.dumps(docs.lock()), plan_file.read_text()]
    outputs.append(json.dumps(center.request_log()))
    blob = "\n".join(outputs)
    for secret in center.secrets:
        assert secret not in blob
    assert "help center refused" in blob


def test_seeded_faults_converge_without_duplicates(docs: Docs, center: Center) -> None:
    center.set_faults(
        [
            {"status": 500, "rate": 0.15},
            {"status": 429, "rate": 0.05},
            {"reset": 0.05},
            {"timeout": 0.05},
            {"status": 502, "rate": 0.1, "after_write": True},
        ],
        seed=7,
    )
    codes = []
    for _ in range(10):
        codes.append(docs.run("apply", "--yes").exit_code)
        if codes[-1] == 0:
            break
    assert codes[-1] == 0, codes
    center.clear_faults()
    assert sorted(d.title for d in center.docs().values()) == DESIRED_TITLES
    assert center.category_names() == Counter({"Guides": 1, "Billing": 1})
    assert docs.run("plan", "--detailed-exitcode").exit_code == 0
    assert center.faults_met() >= 5


# ---- crash and resume: the installed hcsync in a subprocess, a real server -----------------


@pytest.mark.e2e
def test_sigkill_after_a_create_landed_but_before_its_response(site: Site) -> None:
    site.center.set_faults(
        [{"timeout": 1.0, "route": "create", "after_write": True, "times": 1, "seconds": 5}]
    )
    proc = site.start("apply", "--yes")
    wait_for(lambda: len(site.center.docs()) == 1)
    kill(proc)
    lock = lockmod.load(site.root / "hcsync.lock")  # the lockfile and its journal
    assert len(lock.pending) == 1  # the create in flight was recorded before it was sent
    (path,) = lock.pending
    assert path not in lock.entries
    site.center.clear_faults()
    site.assert_converged()


@pytest.mark.e2e
@pytest.mark.parametrize("kill_after_writes", [1, 4, 7, 10])
def test_sigkill_at_several_points_then_resume(site: Site, kill_after_writes: int) -> None:
    proc = site.start("apply", "--yes")
    wait_for(lambda: len(site.center.writes()) >= kill_after_writes or proc.poll() is not None)
    kill(proc)
    lock_path = site.root / "hcsync.lock"
    if lock_path.exists():
        json.loads(lock_path.read_text())  # never half-written
    lockmod.load(lock_path)  # the journal replays
    site.assert_converged()


@pytest.mark.e2e
def test_even_without_the_pending_record_a_lost_create_is_adopted(site: Site) -> None:
    # The pending record is gone with the journal: the plan still asks the help center first,
    # finds the article (by title in its category on Help.Center, whose draft has no slug
    # yet; by topic id on ClickHelp) and adopts it instead of creating it twice.
    site.center.set_faults(
        [{"timeout": 1.0, "route": "create", "after_write": True, "times": 1, "seconds": 5}]
    )
    proc = site.start("apply", "--yes")
    wait_for(lambda: len(site.center.docs()) == 1)
    kill(proc)
    lock_path = site.root / "hcsync.lock"
    lock = lockmod.load(lock_path)
    lock.pending.clear()
    lockmod.save(lock, lock_path)
    lockmod.journal_path(lock_path).unlink()
    site.center.clear_faults()
    code, out, err = site.run("apply", "--yes")
    assert code == 0, out + err
    assert "= adopt" in out
    assert sorted(d.title for d in site.center.docs().values()) == sorted(DESIRED_TITLES)
    site.assert_converged()
