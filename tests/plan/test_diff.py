"""diff() on hand-built desired state, lockfile and snapshot: no HTTP at all."""

from __future__ import annotations

from dataclasses import replace

from hcsync.lockfile import LockCategory, LockEntry, Lockfile, LockImage, PendingWrite, digest
from hcsync.plan.desired import Desired, DesiredCategory, DesiredDoc, DesiredImage
from hcsync.plan.diff import DiffOptions, diff, translation_pairs
from hcsync.plan.links import resolve_lenient
from hcsync.plan.model import ActionKind, Plan
from hcsync.remote import LiveState, RemoteCategory, RemoteDoc, Snapshot, html_hash
from hcsync.render.refs import article_placeholder, image_placeholder

R = "r1"
IMG = "ab" * 32


def cat(path: str, name: str, parent: str | None = None) -> DesiredCategory:
    return DesiredCategory(path=path, name=name, parent=parent, hash=digest(name))


def art(path: str, title: str, html: str = "<p>x</p>", **kw: object) -> DesiredDoc:
    fields: dict[str, object] = {
        "path": path,
        "language": "en",
        "title": title,
        "html": html,
        "slug": path.rsplit("/", 1)[-1].removesuffix(".md"),
        "status": "published",
        "category": "guides",
    }
    fields.update(kw)
    return DesiredDoc(**fields)  # type: ignore[arg-type]


def desired(*docs: DesiredDoc, translations: tuple[DesiredDoc, ...] = ()) -> Desired:
    return Desired(
        default_language="en",
        renderer=R,
        categories=(cat("guides", "Guides"), cat("guides/billing", "Billing", "guides")),
        images=(DesiredImage(path="guides/a.png", sha256=IMG, filename="a.png", mime="image/png"),),
        articles=docs,
        translations=translations,
    )


def empty_snapshot() -> Snapshot:
    return Snapshot(target="c1", default_language="en", languages=("es",))


def kinds(plan: Plan) -> list[tuple[str, str]]:
    return [(a.kind.value, a.path) for a in plan.actions]


def run(d: Desired, lock: Lockfile, snap: Snapshot, **opts: object) -> Plan:
    return diff(d, lock, snap, resolve=resolve_lenient, options=DiffOptions(**opts))  # type: ignore[arg-type]


def synced(d: Desired) -> tuple[Lockfile, Snapshot]:
    """The lockfile and snapshot right after a perfect apply of ``d``."""
    lock = Lockfile(backend="helpcenter", target="c1")
    lock.categories["guides"] = LockCategory(path="guides", id="cat1", hash=digest("Guides"))
    lock.categories["guides/billing"] = LockCategory(
        path="guides/billing", id="cat2", hash=digest("Billing")
    )
    lock.images[IMG] = LockImage(sha256=IMG, url="https://cdn/a.png", path="guides/a.png")
    articles: dict[str, RemoteDoc] = {}
    urls = {doc.path: f"https://hc/article/{i}-{doc.slug}" for i, doc in enumerate(d.articles)}
    for i, doc in enumerate(d.articles):
        html = resolve_lenient(doc.html, urls, {IMG: "https://cdn/a.png"})
        rid = f"id{i}"
        articles[rid] = RemoteDoc(
            id=rid,
            language="en",
            title=doc.title,
            html=html,
            state=LiveState.PUBLISHED,
            version="v1",
            slug=doc.slug,
            category_id="cat1",
            url=urls[doc.path],
            link_base=f"https://hc/article/{i}-",
            live_languages=tuple(t.language for t in d.translations if t.source == doc.path),
        )
        lock.record(
            LockEntry(
                path=doc.path,
                id=rid,
                language="en",
                slug=doc.slug,
                category="guides",
                local_hash=digest(R, doc.title, html),
                remote_hash=html_hash(html),
                remote_version="v1",
                status="published",
                url=urls[doc.path],
            )
        )
    for t in d.translations:
        src = lock.entries[t.source or ""]
        html = resolve_lenient(t.html, urls, {})
        lock.record(
            LockEntry(
                path=t.path,
                id=src.id,
                language=t.language,
                source=t.source,
                slug=t.slug,
                local_hash=digest(R, t.title, html),
                remote_hash=html_hash(html),
                remote_version="t1",
                status="published",
            )
        )
    snap = Snapshot(
        target="c1",
        default_language="en",
        languages=("es",),
        categories=(
            RemoteCategory(id="cat1", name="Guides"),
            RemoteCategory(id="cat2", name="Billing", parent_id="cat1"),
        ),
        articles=articles,
    )
    return lock, snap


def test_initial_sync_orders_categories_images_creates_publishes_translations() -> None:
    a = art("guides/a.md", "A", f'<p><img src="{image_placeholder(IMG)}"></p>', image_refs=(IMG,))
    b = art("guides/billing/b.md", "B", category="guides/billing")
    es = art("guides/a.es.md", "A es", language="es", source="guides/a.md", category=None)
    plan = run(desired(a, b, translations=(es,)), Lockfile(), empty_snapshot())
    assert kinds(plan) == [
        ("create_category", "guides"),
        ("create_category", "guides/billing"),
        ("upload_image", "guides/a.png"),
        ("create_article", "guides/a.md"),
        ("create_article", "guides/billing/b.md"),
        ("publish", "guides/a.md"),
        ("publish", "guides/billing/b.md"),
        ("create_translation", "guides/a.es.md"),
        ("publish_translation", "guides/a.es.md"),
    ]
    assert plan.summary() == ("Plan: 5 to create, 3 to publish, 1 images to upload, 0 unchanged.")


def test_noop_after_a_perfect_apply() -> None:
    link = f'<p><a href="{article_placeholder("guides/b.md")}">b</a></p>'
    d = desired(
        art("guides/a.md", "A", link, article_refs=("guides/b.md",)), art("guides/b.md", "B")
    )
    lock, snap = synced(d)
    plan = run(d, lock, snap)
    assert plan.actions == ()
    assert plan.noops == 2
    assert plan.summary() == "No changes. 2 unchanged."


def test_one_changed_file_costs_its_update_and_publish_only() -> None:
    d = desired(art("guides/a.md", "A"), art("guides/b.md", "B"))
    lock, snap = synced(d)
    d2 = desired(art("guides/a.md", "A"), art("guides/b.md", "B", "<p>new text</p>"))
    plan = run(d2, lock, snap)
    assert kinds(plan) == [("update_draft", "guides/b.md"), ("publish", "guides/b.md")]
    assert plan.actions[0].diff is not None
    assert "+new text" in plan.actions[0].diff
    assert plan.noops == 1


def test_metadata_only_change_is_one_metadata_call() -> None:
    d = desired(art("guides/a.md", "A"))
    lock, snap = synced(d)
    plan = run(desired(art("guides/a.md", "A", seo_title="Better title")), lock, snap)
    assert kinds(plan) == [("update_metadata", "guides/a.md")]
    change = plan.actions[0].changes[0]
    assert (change.name, change.before, change.after) == ("seo.title", None, "Better title")


def test_slug_change_moves_the_links_of_articles_that_point_there() -> None:
    link = f'<p><a href="{article_placeholder("guides/b.md")}">b</a></p>'
    d = desired(
        art("guides/a.md", "A", link, article_refs=("guides/b.md",)), art("guides/b.md", "B")
    )
    lock, snap = synced(d)
    d2 = desired(
        art("guides/a.md", "A", link, article_refs=("guides/b.md",)),
        art("guides/b.md", "B", slug="bee"),
    )
    plan = run(d2, lock, snap)
    assert kinds(plan) == [
        ("update_draft", "guides/a.md"),
        ("update_metadata", "guides/b.md"),
        ("publish", "guides/a.md"),
    ]
    assert plan.actions[1].changes[0].after == "bee"


def test_drift_is_skipped_and_overwrite_replaces_it() -> None:
    d = desired(art("guides/a.md", "A"))
    lock, snap = synced(d)
    edited = replace(
        snap.articles["id0"], version="v2", html="<p>web edit</p>", state=LiveState.CHANGED
    )
    snap = replace(snap, articles={"id0": edited})
    plan = run(d, lock, snap)
    assert [(a.kind, a.skipped) for a in plan.actions] == [(ActionKind.DRIFT, True)]
    assert not plan.has_changes
    assert "run with --overwrite" in str(plan.actions[0].note)
    forced = run(d, lock, snap, overwrite=True)
    assert kinds(forced) == [("update_draft", "guides/a.md"), ("publish", "guides/a.md")]


def test_orphans_follow_prune() -> None:
    d = desired(art("guides/a.md", "A"), art("guides/b.md", "B"))
    lock, snap = synced(d)
    gone = desired(art("guides/a.md", "A"))
    report = run(gone, lock, snap)
    assert [(a.kind.value, a.path, a.skipped) for a in report.actions] == [
        ("orphan", "guides/b.md", True)
    ]
    for mode in ("unpublish", "delete"):
        plan = run(gone, lock, snap, prune=mode)
        assert [(a.kind.value, a.skipped, a.data["prune"]) for a in plan.actions] == [
            ("orphan", False, mode)
        ]


def test_pending_create_is_adopted_not_created_twice() -> None:
    d = desired(art("guides/a.md", "A"))
    lock, snap = synced(d)
    entry = lock.entries.pop("guides/a.md")
    lock.pending["guides/a.md"] = PendingWrite(path="guides/a.md", title="A", language="en")
    plan = run(d, lock, snap)
    assert ActionKind.CREATE_ARTICLE not in [a.kind for a in plan.actions]
    assert plan.actions[0].remote_id == entry.id
    control = Lockfile(categories=lock.categories, images=lock.images)
    empty = replace(snap, articles={})
    assert ActionKind.CREATE_ARTICLE in [a.kind for a in run(d, control, empty).actions]


def test_link_cycle_between_new_articles_gets_a_second_pass() -> None:
    a = art(
        "guides/a.md",
        "A",
        f'<a href="{article_placeholder("guides/b.md")}">b</a>',
        article_refs=("guides/b.md",),
    )
    b = art(
        "guides/b.md",
        "B",
        f'<a href="{article_placeholder("guides/a.md")}">a</a>',
        article_refs=("guides/a.md",),
    )
    plan = run(desired(a, b), Lockfile(), empty_snapshot())
    creates = [a.path for a in plan.actions if a.kind is ActionKind.CREATE_ARTICLE]
    second = [a for a in plan.actions if a.data.get("second_pass")]
    assert creates == ["guides/b.md", "guides/a.md"]  # b first: a links to it
    assert [s.path for s in second] == ["guides/b.md"]  # b's link to a needs a's URL


def test_no_second_pass_when_targets_come_first() -> None:
    a = art(
        "guides/a.md",
        "A",
        f'<a href="{article_placeholder("guides/b.md")}">b</a>',
        article_refs=("guides/b.md",),
    )
    plan = run(desired(a, art("guides/b.md", "B")), Lockfile(), empty_snapshot())
    assert not [x for x in plan.actions if x.data.get("second_pass")]


def test_translation_of_an_unpublished_source_is_not_published() -> None:
    a = art("guides/a.md", "A", status="draft")
    es = art("guides/a.es.md", "A es", language="es", source="guides/a.md", category=None)
    plan = run(desired(a, translations=(es,)), Lockfile(), empty_snapshot())
    assert ("publish_translation", "guides/a.es.md") not in kinds(plan)
    assert [d.message for d in plan.diagnostics] == [
        "not published: its source guides/a.md is not published"
    ]


def test_noop_reads_no_translation_and_a_cascade_unpublish_is_repaired() -> None:
    a = art("guides/a.md", "A")
    es = art("guides/a.es.md", "A es", language="es", source="guides/a.md", category=None)
    d = desired(a, translations=(es,))
    lock, snap = synced(d)
    assert translation_pairs(d, lock, snap, resolve=resolve_lenient) == set()
    assert run(d, lock, snap).actions == ()
    # The platform unpublished the translation with its source; the source is live again.
    root = replace(snap.articles["id0"], live_languages=())
    snap2 = replace(snap, articles={"id0": root})
    assert translation_pairs(d, lock, snap2, resolve=resolve_lenient) == {("id0", "es")}
    draft = RemoteDoc(
        id="id0",
        language="es",
        title="A es",
        html=resolve_lenient(es.html, {}, {}),
        state=LiveState.UNPUBLISHED,
        version="t1",
        slug=es.slug,
    )
    snap3 = replace(snap2, translations={("id0", "es"): draft})
    assert kinds(run(d, lock, snap3)) == [("publish_translation", "guides/a.es.md")]


def test_unpublish_status() -> None:
    d = desired(art("guides/a.md", "A"))
    lock, snap = synced(d)
    plan = run(desired(art("guides/a.md", "A", status="unpublished")), lock, snap)
    assert kinds(plan) == [("unpublish", "guides/a.md")]


def test_category_rename_is_an_update() -> None:
    d = desired(art("guides/a.md", "A"))
    lock, snap = synced(d)
    d2 = replace(d, categories=(cat("guides", "User guides"),) + d.categories[1:])
    plan = run(d2, lock, snap)
    assert kinds(plan) == [("update_category", "guides")]
    assert plan.actions[0].changes[0].after == "User guides"


def test_existing_article_linking_to_a_recreated_one_is_sent_again() -> None:
    # State left by a crash: a.md exists with its link to b.md still unresolved ("#"),
    # b.md was never created. The plan must create b.md and then send a.md again.
    link = f'<p><a href="{article_placeholder("guides/b.md")}">b</a></p>'
    a = art("guides/a.md", "A", link, article_refs=("guides/b.md",))
    lock, snap = synced(desired(a))
    plan = run(desired(a, art("guides/b.md", "B")), lock, snap)
    assert kinds(plan) == [
        ("create_article", "guides/b.md"),
        ("update_draft", "guides/a.md"),
        ("publish", "guides/b.md"),
        ("publish", "guides/a.md"),
    ]


def test_a_write_in_flight_at_a_crash_is_sent_again_not_called_drift() -> None:
    d = desired(art("guides/a.md", "A"))
    lock, snap = synced(d)
    moved = replace(snap.articles["id0"], version="v2")  # our publish landed, unrecorded
    snap = replace(snap, articles={"id0": moved})
    lock.pending["guides/a.md"] = PendingWrite(
        path="guides/a.md", title="A", language="en", op="publish"
    )
    assert kinds(run(d, lock, snap)) == [
        ("update_draft", "guides/a.md"),
        ("publish", "guides/a.md"),
    ]
    control = lock.copy()
    control.pending.clear()
    assert [a.kind for a in run(d, control, snap).actions] == [ActionKind.DRIFT]


def test_a_moved_file_keeps_its_article_and_its_translation() -> None:
    es = art("guides/a.es.md", "A es", language="es", source="guides/a.md", category=None)
    d = desired(art("guides/a.md", "A", slug="a"), translations=(es,))
    lock, snap = synced(d)
    moved = desired(
        art("guides/new/b.md", "A", slug="a"),
        translations=(replace(es, path="guides/new/b.es.md", source="guides/new/b.md"),),
    )
    plan = run(moved, lock, snap)
    assert kinds(plan) == [("rename", "guides/new/b.md"), ("rename", "guides/new/b.es.md")]
    assert plan.actions[0].data["from"] == "guides/a.md"
    assert plan.actions[1].data == {"from": "guides/a.es.md", "source": "guides/new/b.md"}
    assert plan.summary() == "Plan: 2 to rename, 2 unchanged."


def test_no_rename_when_two_gone_files_match_equally() -> None:
    d = desired(art("guides/a.md", "Same", slug="x"), art("guides/b.md", "Same", slug="x"))
    lock, snap = synced(d)
    plan = run(desired(art("guides/c.md", "Same", slug="x")), lock, snap)
    assert [a.kind.value for a in plan.actions][:1] == ["create_article"]
    assert ActionKind.RENAME not in [a.kind for a in plan.actions]
