"""A file with no valid lockfile entry is matched to the help center's article before anything
is created (hcsync.plan.identity through diff): no HTTP."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hcsync.diagnostics import ContentError
from hcsync.lockfile import LockEntry, Lockfile
from hcsync.plan.diff import translation_pairs
from hcsync.plan.links import resolve_lenient
from hcsync.remote import PLATFORM_FEATURES, LiveState, RemoteDoc
from tests.plan.test_diff import art, desired, kinds, run, synced


def _lost(lock: Lockfile) -> Lockfile:
    """The same lockfile with every article entry gone (categories and images kept)."""
    return Lockfile(categories=dict(lock.categories), images=dict(lock.images))


def test_a_lost_lockfile_adopts_every_article_and_creates_nothing() -> None:
    d = desired(art("guides/a.md", "A"), art("guides/b.md", "B"))
    lock, snap = synced(d)
    plan = run(d, _lost(lock), snap)
    assert kinds(plan) == [("adopt", "guides/a.md"), ("adopt", "guides/b.md")]
    assert [a.note for a in plan.actions] == ["matched by slug", "matched by slug"]
    assert plan.summary() == "Plan: 2 to adopt, 2 unchanged."
    assert plan.unmanaged == ()
    # what adopt records is what a perfect apply recorded: the next plan is empty
    for action in plan.actions:
        assert LockEntry(**action.data["entry"]) == lock.entries[action.path]
    # control: with the lockfile, nothing to do
    assert run(d, lock, snap).actions == ()


def test_an_adopted_file_that_differs_is_updated_never_created() -> None:
    d = desired(art("guides/a.md", "A"))
    lock, snap = synced(d)
    edited = desired(art("guides/a.md", "A", "<p>new</p>"))
    plan = run(edited, _lost(lock), snap)
    assert kinds(plan) == [
        ("adopt", "guides/a.md"),
        ("update_draft", "guides/a.md"),
        ("publish", "guides/a.md"),
    ]
    assert plan.actions[0].data["entry"]["local_hash"] == ""


def test_a_lockfile_entry_whose_article_is_gone_is_matched_again() -> None:
    d = desired(art("guides/a.md", "A"))
    lock, snap = synced(d)
    stale = _lost(lock)
    stale.entries["guides/a.md"] = replace(lock.entries["guides/a.md"], id="deleted-id")
    assert kinds(run(d, stale, snap)) == [("adopt", "guides/a.md")]


def test_slug_matches_only_in_the_same_category_where_slugs_are_not_unique() -> None:
    d = desired(art("guides/a.md", "A"))
    lock, snap = synced(d)
    elsewhere = {k: replace(v, category_id="cat2") for k, v in snap.articles.items()}
    moved = replace(snap, articles=elsewhere)
    plan = run(d, _lost(lock), moved)
    assert ("create_article", "guides/a.md") in kinds(plan)
    assert [u.remote_id for u in plan.unmanaged] == ["id0"]
    # ClickHelp: the slug is the topic id, unique in the project: matched wherever it is
    clickhelp = replace(moved, features=PLATFORM_FEATURES["clickhelp"])
    plan = run(d, _lost(lock), clickhelp)
    assert kinds(plan)[0] == ("adopt", "guides/a.md")
    assert ("update_metadata", "guides/a.md") in kinds(plan)  # moved back to its folder
    assert plan.unmanaged == ()


def test_title_in_the_same_category_is_a_weaker_match_the_plan_flags() -> None:
    d = desired(art("guides/a.md", "A"))
    lock, snap = synced(d)
    unslugged = replace(snap, articles={"id0": replace(snap.articles["id0"], slug=None)})
    plan = run(d, _lost(lock), unslugged)
    assert kinds(plan)[0] == ("adopt", "guides/a.md")
    assert plan.actions[0].note == (
        "matched by title in its category only: check that it is this article"
    )
    assert ("update_metadata", "guides/a.md") in kinds(plan)  # the slug is set explicitly
    # control: another title is no match, and the article is left alone as unmanaged
    other = desired(art("guides/a.md", "Another"))
    plan = run(other, _lost(lock), unslugged)
    assert ("create_article", "guides/a.md") in kinds(plan)
    assert [u.title for u in plan.unmanaged] == ["A"]


def test_a_strong_match_claims_before_a_weak_one() -> None:
    d = desired(art("guides/a.md", "A"))
    lock, snap = synced(d)
    both = desired(art("guides/a.md", "A"), art("guides/other.md", "A"))
    plan = run(both, _lost(lock), snap)
    assert ("adopt", "guides/a.md") in kinds(plan)
    assert ("create_article", "guides/other.md") in kinds(plan)


def test_two_files_matching_one_article_is_an_error_naming_both() -> None:
    d = desired(art("guides/a.md", "A"))
    lock, snap = synced(d)
    unslugged = replace(snap, articles={"id0": replace(snap.articles["id0"], slug=None)})
    twins = desired(art("guides/a.md", "A", line=1), art("guides/a2.md", "A", line=1))
    with pytest.raises(ContentError) as err:
        run(twins, _lost(lock), unslugged)
    text = err.value.format()
    assert (
        "guides/a.md:1: this file and guides/a2.md all match the help center's article "
        'id0 "A" by title' in text
    )
    assert "guides/a2.md:1: this file and guides/a.md all match" in text
    assert "give each file its own 'slug:'" in text


def test_one_file_matching_two_articles_is_an_error_naming_them() -> None:
    d = desired(art("guides/a.md", "A", line=3))
    lock, snap = synced(d)
    dup = replace(snap.articles["id0"], id="id9")
    doubled = replace(snap, articles={**snap.articles, "id9": dup})
    with pytest.raises(ContentError) as err:
        run(d, _lost(lock), doubled)
    assert (
        'guides/a.md:3: matches 2 articles on the help center by slug: id0 "A" (a), id9 "A" (a)'
    ) in err.value.format()
    # control: with its lockfile entry the file is id0, and id9 is reported as unmanaged
    plan = run(d, lock, doubled)
    assert plan.actions == ()
    assert [u.remote_id for u in plan.unmanaged] == ["id9"]


def test_unmanaged_articles_are_reported_and_never_pruned() -> None:
    d = desired(art("guides/a.md", "A"), art("guides/web.md", "Made on the web"))
    lock, snap = synced(d)
    lock.entries.pop("guides/web.md")
    only_a = desired(art("guides/a.md", "A"))
    for prune in ("report", "unpublish", "delete"):
        plan = run(only_a, lock, snap, prune=prune)
        assert plan.actions == ()
        assert [(u.remote_id, u.title) for u in plan.unmanaged] == [("id1", "Made on the web")]
        assert plan.summary() == "No changes. 1 unchanged, 1 unmanaged."
        assert plan.to_json()["unmanaged"][0]["remote_id"] == "id1"
    # control: an entry this lockfile owns whose file is gone is an orphan, pruned on demand
    lock, snap = synced(d)
    plan = run(only_a, lock, snap, prune="delete")
    assert kinds(plan) == [("orphan", "guides/web.md")]


def test_a_translation_of_an_adopted_article_is_read_and_adopted() -> None:
    es = art("guides/a.es.md", "A es", language="es", source="guides/a.md", category=None)
    d = desired(art("guides/a.md", "A"), translations=(es,))
    lock, snap = synced(d)
    lost = _lost(lock)
    pairs = translation_pairs(d, lost, snap, resolve=resolve_lenient)
    assert pairs == {("id0", "es")}
    html = resolve_lenient(es.html, {}, {})
    remote = RemoteDoc(
        id="id0",
        language="es",
        title="A es",
        html=html,
        state=LiveState.PUBLISHED,
        version="t1",
        slug=es.slug,
    )
    plan = run(d, lost, replace(snap, translations={("id0", "es"): remote}))
    assert kinds(plan) == [("adopt", "guides/a.md"), ("adopt", "guides/a.es.md")]
    # control: no translation there yet: it is created (after its adopted source)
    plan = run(d, lost, replace(snap, translations={("id0", "es"): None}))
    assert ("create_translation", "guides/a.es.md") in kinds(plan)
