"""``diff(desired, lockfile, snapshot) -> Plan``: the heart of hcsync, and a pure function.

Rules (DESIGN §4 and §6, helpcenter.md §16):
- Identity is the lockfile (file path → remote id), and the remote where the lockfile says
  nothing: a file with no valid entry is matched to an unclaimed remote article first
  (:mod:`hcsync.plan.identity`) and *adopted*; only a file that matches nothing is created.
- "Unchanged" means the hash of what we would send equals the hash recorded after our last
  write, and the remote's version equals the one recorded then. Remote HTML is never compared
  to the local render directly (the platform may sanitise differently).
- A remote version that moved since our last write is a *drift*: shown, and skipped unless
  ``overwrite``.
- Order: categories (parents first) → images → creates (link targets first) → updates →
  reorders → publishes → unpublishes → translations → orphans → category deletions.
- Where the platform has an order (ClickHelp), each category's children (and the top level)
  follow ``order``, then subcategories before articles, then file name; a category whose
  children will not be in that order after the creates and moves gets one ``reorder``.
- Translations are published only when their source is (or will be) live; a translation the
  platform took down with its source is published again.
"""

from __future__ import annotations

import difflib
import hashlib
import html as htmllib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from hcsync.diagnostics import ContentError, Diagnostic, Severity
from hcsync.lockfile import LockEntry, Lockfile, LockImage, digest, entry_fields
from hcsync.ordering import moves, rank
from hcsync.plan.desired import Desired, DesiredCategory, DesiredDoc
from hcsync.plan.identity import (
    HOW_PENDING,
    HOW_SLUG,
    HOW_TITLE,
    Identity,
    category_ids,
    identify,
)
from hcsync.plan.model import Action, ActionKind, FieldChange, Plan, Unmanaged
from hcsync.remote import LiveState, RemoteCategory, RemoteDoc, Snapshot, html_hash

Resolver = Callable[[str, Mapping[str, str], Mapping[str, str]], str]

PRUNE_MODES = ("report", "unpublish", "delete")


@dataclass(frozen=True, slots=True, kw_only=True)
class DiffOptions:
    overwrite: bool = False
    """Replace remote edits (drift) instead of skipping them."""
    prune: str = "report"
    """What to do with orphans: report | unpublish | delete."""
    force: bool = False
    """Send every article again, even when unchanged."""


def fingerprint(snapshot: Snapshot, lock: Lockfile) -> str:
    """What a saved plan is checked against: the remote snapshot and the lockfile."""
    return hashlib.sha256(
        (snapshot.fingerprint() + "\n" + lock.dumps()).encode("utf-8")
    ).hexdigest()


def translation_pairs(
    desired: Desired,
    lock: Lockfile,
    snapshot: Snapshot,
    *,
    resolve: Resolver,
    options: DiffOptions | None = None,
) -> set[tuple[str, str]]:
    """The (article id, language) translation drafts the diff needs to read.

    Only pairs that may need a write: new to the lockfile, changed locally, or whose live state
    differs from what the article's list of live languages says. Everything else is trusted
    from the lockfile, so a no-op plan reads no translation at all.
    """
    ctx = _context(desired, lock, snapshot, resolve, options or DiffOptions())
    lock = ctx.lock  # renames and adoptions included
    pairs: set[tuple[str, str]] = set()
    for doc in desired.translations:
        src = lock.entries.get(doc.source or "")
        if src is None or src.id not in snapshot.articles:
            continue
        entry = lock.entries.get(doc.path)
        root = snapshot.articles[src.id]
        live = doc.language in root.live_languages
        wants_live = doc.status == "published" and root.state.live
        html, _ = _resolved(ctx, doc)
        if (
            ctx.opts.force
            or entry is None
            or entry.id != src.id
            or entry.status != doc.status
            or (live != wants_live and doc.status != "draft")
            or entry.local_hash != digest(desired.renderer, doc.title, html)
            or _links_to_new(ctx, doc)
            or doc.path in lock.pending
        ):
            pairs.add((src.id, doc.language))
    return pairs


def adopted_ids(
    desired: Desired,
    lock: Lockfile,
    snapshot: Snapshot,
    *,
    resolve: Resolver,
    options: DiffOptions | None = None,
) -> list[str]:
    """Ids of the remote articles the plan will adopt (files the lockfile does not know), so
    the caller can read the HTML a listing left out and adopt without a needless update."""
    ctx = _context(desired, lock, snapshot, resolve, options or DiffOptions())
    return sorted({m.remote_id for m in ctx.identity.matches.values()} if ctx.identity else ())


@dataclass
class _Ctx:
    desired: Desired
    lock: Lockfile
    snap: Snapshot
    opts: DiffOptions
    resolve: Resolver
    category_ids: dict[str, str] = field(default_factory=dict)
    article_urls: dict[str, str] = field(default_factory=dict)
    image_urls: dict[str, str] = field(default_factory=dict)
    identity: Identity | None = None
    adopts: list[Action] = field(default_factory=list)
    """Files matched to existing remote articles: recorded in the lockfile, first."""
    new_paths: set[str] = field(default_factory=set)
    """Files this plan will create (no lockfile entry, or their article is gone)."""
    created: set[str] = field(default_factory=set)
    """Files created earlier in this plan: their URL is known by the time later writes run."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    noops: int = 0
    # buckets, concatenated in order at the end
    categories: list[Action] = field(default_factory=list)
    images: list[Action] = field(default_factory=list)
    creates: list[Action] = field(default_factory=list)
    updates: list[Action] = field(default_factory=list)
    publishes: list[Action] = field(default_factory=list)
    unpublishes: list[Action] = field(default_factory=list)
    translations: list[Action] = field(default_factory=list)
    translation_passes: list[Action] = field(default_factory=list)
    translation_states: list[Action] = field(default_factory=list)
    drifts: list[Action] = field(default_factory=list)
    orphans: list[Action] = field(default_factory=list)
    deletions: list[Action] = field(default_factory=list)
    renames: dict[str, str] = field(default_factory=dict)
    """New path → old path of files moved since the last apply (their identity follows)."""


def diff(
    desired: Desired,
    lock: Lockfile,
    snapshot: Snapshot,
    *,
    resolve: Resolver,
    options: DiffOptions | None = None,
) -> Plan:
    """Compare what the files want with what the remote holds; return the ordered plan."""
    ctx = _context(desired, lock, snapshot, resolve, options or DiffOptions())
    _feature_warnings(ctx)
    _plan_categories(ctx)
    _plan_images(ctx)
    live_after: dict[str, bool] = {}
    for doc in _creation_order(desired.articles, ctx):
        live_after[doc.path] = _plan_article(ctx, doc)
    for doc in _creation_order(desired.translations, ctx):
        _plan_translation(ctx, doc, live_after)
    _plan_orphans(ctx)
    reorders = _plan_order(ctx)
    renames = [
        _act(
            ActionKind.RENAME,
            doc,
            remote_id=ctx.lock.entries[doc.path].id,
            changes=_changes(("path", ctx.renames[doc.path], doc.path)),
            data={"from": ctx.renames[doc.path], "source": doc.source},
        )
        for doc in desired.articles + desired.translations
        if doc.path in ctx.renames
    ]
    actions = (
        renames
        + ctx.adopts
        + ctx.categories
        + ctx.images
        + ctx.creates
        + ctx.updates
        + reorders
        + ctx.publishes
        + ctx.unpublishes
        + ctx.translations
        + ctx.translation_passes
        + ctx.translation_states
        + ctx.drifts
        + ctx.orphans
        + ctx.deletions
    )
    return Plan(
        fingerprint=fingerprint(snapshot, lock),
        actions=tuple(actions),
        noops=ctx.noops,
        diagnostics=tuple(ctx.diagnostics),
        target=snapshot.target,
        urls=dict(ctx.article_urls),
        unmanaged=_unmanaged(ctx),
    )


def _context(
    desired: Desired, lock: Lockfile, snap: Snapshot, resolve: Resolver, opts: DiffOptions
) -> _Ctx:
    ctx = _Ctx(desired=desired, lock=lock, snap=snap, opts=opts, resolve=resolve)
    ctx.renames = _find_renames(desired, lock, snap, resolve)
    if ctx.renames:
        # From here on the diff reads the lockfile as it will be once the renames are done.
        lock = ctx.lock = _renamed(lock, ctx.renames)
    ctx.category_ids = category_ids(desired, lock, snap)
    ctx.identity = identify(desired, lock, snap, ctx.category_ids)
    if ctx.identity.problems:
        raise ContentError(ctx.identity.problems)
    before = lock
    # From here on the diff reads the lockfile as it will be once the adoptions are done.
    lock = ctx.lock = _adopted(ctx, ctx.identity)
    for doc in desired.articles + desired.translations:
        entry = lock.entries.get(doc.path)
        if entry is None or entry.id not in snap.articles:
            ctx.new_paths.add(doc.path)
    ctx.image_urls = {sha: img.url for sha, img in lock.images.items()}
    _known_urls(ctx)
    _adopt_actions(ctx, before, ctx.identity)
    return ctx


def _adopted(ctx: _Ctx, identity: Identity) -> Lockfile:
    """A copy of the lockfile as it will be once the adoptions are done: an entry for each
    matched file and for each translation the help center has of an article the lockfile
    (now) knows, and the images the remote hosts already. Content hashes stay unknown (so an
    update is planned) until :func:`_adopt_actions` finds the remote equal to the file."""
    lock = ctx.lock.copy()
    docs = {d.path: d for d in ctx.desired.articles}
    for path, match in identity.matches.items():
        lock.pending.pop(path, None)
        lock.entries[path] = _adopted_entry(docs[path], ctx.snap.articles[match.remote_id], ctx)
    for doc in ctx.desired.translations:
        src = lock.entries.get(doc.source or "")
        entry = lock.entries.get(doc.path)
        if src is None or (entry is not None and entry.id == src.id):
            continue
        remote = ctx.snap.translations.get((src.id, doc.language))
        if remote is not None and not remote.placeholder:
            lock.entries[doc.path] = _adopted_entry(doc, remote, ctx)
    for img in ctx.desired.images:
        url = ctx.snap.images.get(img.sha256)
        if img.sha256 not in lock.images and url:
            lock.images[img.sha256] = LockImage(sha256=img.sha256, url=url, path=img.path)
    return lock


def _adopted_entry(doc: DesiredDoc, remote: RemoteDoc, ctx: _Ctx) -> LockEntry:
    placed = doc.category is not None and ctx.category_ids.get(doc.category) == remote.category_id
    slug = remote.slug
    if slug is None and doc.source is not None and not ctx.snap.features.translation_slugs:
        slug = doc.slug  # a translation has no slug of its own there: nothing to set
    return LockEntry(
        path=doc.path,
        id=remote.id,
        language=doc.language,
        source=doc.source,
        slug=slug,
        category=doc.category if placed else None,
        local_hash="",
        remote_hash=html_hash(remote.html) if remote.html is not None else "",
        remote_version=remote.version,
        status="published" if remote.state.live else "draft",
        url=remote.url,
    )


def _adopt_actions(ctx: _Ctx, before: Lockfile, identity: Identity) -> None:
    """One ``adopt`` per file and image the adopted lockfile has and ``before`` had not, with
    what to record: a document's content hash is the file's when the remote already holds
    exactly what the file gives (nothing to send then)."""
    for img in ctx.desired.images:
        if img.sha256 in ctx.lock.images and img.sha256 not in before.images:
            found = ctx.lock.images[img.sha256]
            ctx.adopts.append(
                Action(
                    kind=ActionKind.ADOPT,
                    path=img.path,
                    title=img.filename,
                    note="the help center hosts this image already",
                    data={"image": {"sha256": found.sha256, "url": found.url, "path": found.path}},
                )
            )
    for doc in ctx.desired.articles + ctx.desired.translations:
        entry = ctx.lock.entries.get(doc.path)
        if entry is None or before.entries.get(doc.path) == entry:
            continue
        remote = (
            ctx.snap.articles[entry.id]
            if doc.source is None
            else ctx.snap.translations[(entry.id, doc.language)]
        )
        assert remote is not None
        html, _ = _resolved(ctx, doc)
        if remote.html is not None and remote.html == html and remote.title == doc.title:
            entry = replace(entry, local_hash=digest(ctx.desired.renderer, doc.title, html))
            ctx.lock.entries[doc.path] = entry
        match = identity.matches.get(doc.path)
        how = match.how if match else "translation"
        ctx.adopts.append(
            _act(
                ActionKind.ADOPT,
                doc,
                remote_id=entry.id,
                changes=_changes(("title", remote.title, doc.title)),
                note=_ADOPT_NOTES[how],
                data={"entry": entry_fields(entry), "how": how},
            )
        )


_ADOPT_NOTES = {
    HOW_PENDING: "created by an earlier run that was cut off before recording it",
    HOW_SLUG: "matched by slug",
    HOW_TITLE: "matched by title in its category only: check that it is this article",
    "translation": "the help center has this translation of it",
}


def _unmanaged(ctx: _Ctx) -> tuple[Unmanaged, ...]:
    ids = ctx.identity.unmanaged if ctx.identity else ()
    return tuple(
        Unmanaged(
            remote_id=rid,
            title=ctx.snap.articles[rid].title,
            slug=ctx.snap.articles[rid].slug,
            url=ctx.snap.articles[rid].url,
        )
        for rid in ids
    )


def _find_renames(
    desired: Desired, lock: Lockfile, snap: Snapshot, resolve: Resolver
) -> dict[str, str]:
    """Files moved since the last apply: new path → old path.

    A file with no lockfile entry matches an entry whose file is gone when both are in the
    same language and either what was last sent equals what would be sent now (same title and
    content), or the remote title and the slug are the same. Only one-to-one matches count;
    a translation follows when its source was renamed. Matching keeps the article's identity
    (id, URL, history) instead of orphaning it and creating a copy.
    """
    wanted = {d.path for d in desired.articles + desired.translations}
    gone = [
        e
        for e in lock.entries.values()
        if e.path not in wanted and e.id in snap.articles and e.path not in lock.pending
    ]
    if not gone:
        return {}
    urls = {p: e.url for p, e in lock.entries.items() if e.url}
    images = {sha: img.url for sha, img in lock.images.items()}
    found: dict[str, str] = {}

    def match(doc: DesiredDoc, candidates: list[LockEntry]) -> None:
        sent = digest(desired.renderer, doc.title, resolve(doc.html, urls, images))
        hits = [
            e
            for e in candidates
            if e.language == doc.language
            and (
                e.local_hash == sent
                or (snap.articles[e.id].title == doc.title and e.slug == doc.slug)
            )
        ]
        if len(hits) == 1 and hits[0].path not in found.values():
            found[doc.path] = hits[0].path

    for doc in desired.articles:
        if doc.path not in lock.entries and doc.path not in lock.pending:
            match(doc, [e for e in gone if e.source is None])
    by_old = {old: new for new, old in found.items()}
    for doc in desired.translations:
        if doc.path not in lock.entries:
            match(
                doc,
                [
                    e
                    for e in gone
                    if e.source is not None and by_old.get(e.source, e.source) == doc.source
                ],
            )
    return found


def _renamed(lock: Lockfile, renames: Mapping[str, str]) -> Lockfile:
    """A copy of ``lock`` with the renamed entries under their new paths."""
    moved = lock.copy()
    by_old = {old: new for new, old in renames.items()}
    for new, old in renames.items():
        entry = moved.entries.pop(old)
        moved.entries[new] = replace(
            entry, path=new, source=by_old.get(entry.source or "", entry.source)
        )
    return moved


# ---- categories and images -------------------------------------------------------------


def _plan_categories(ctx: _Ctx) -> None:
    remote = {c.id: c for c in ctx.snap.categories}
    wanted = {c.path for c in ctx.desired.categories}
    for cat in ctx.desired.categories:
        locked = ctx.lock.categories.get(cat.path)
        if locked and locked.id in remote:
            if locked.hash != cat.hash:
                ctx.categories.append(
                    Action(
                        kind=ActionKind.UPDATE_CATEGORY,
                        path=cat.path,
                        title=cat.name,
                        remote_id=locked.id,
                        changes=_category_changes(ctx, cat, remote[locked.id], "(changed)"),
                        data=_category_data(cat),
                    )
                )
            continue
        adopt = ctx.category_ids.get(cat.path)
        if adopt:
            # Created by an earlier run whose lockfile write was lost, or made by hand with
            # the same name: use it rather than make a second one.
            same = _same_category(ctx, cat, remote[adopt])
            ctx.categories.append(
                Action(
                    kind=ActionKind.ADOPT if same else ActionKind.UPDATE_CATEGORY,
                    path=cat.path,
                    title=cat.name,
                    remote_id=adopt,
                    changes=()
                    if same
                    else _category_changes(ctx, cat, remote[adopt], "(cannot be read back)"),
                    note="the help center has this category (same name)",
                    data={"category": {"path": cat.path, "id": adopt, "hash": cat.hash}}
                    if same
                    else _category_data(cat),
                )
            )
            continue
        ctx.categories.append(
            Action(
                kind=ActionKind.CREATE_CATEGORY,
                path=cat.path,
                title=cat.name,
                changes=_changes(("name", None, cat.name)),
                data=_category_data(cat),
            )
        )
    for path, locked in sorted(ctx.lock.categories.items()):
        if path in wanted or locked.id not in remote:
            continue
        ctx.deletions.append(
            Action(
                kind=ActionKind.DELETE_CATEGORY,
                path=path,
                title=remote[locked.id].name,
                remote_id=locked.id,
                skipped=ctx.opts.prune != "delete",
                note=None
                if ctx.opts.prune == "delete"
                else "folder removed; deleted only with prune: delete",
                data={"prune": ctx.opts.prune},
            )
        )


def _category_changes(
    ctx: _Ctx, cat: DesiredCategory, have: RemoteCategory, icon: str
) -> tuple[FieldChange, ...]:
    """What an update of ``have`` to ``cat`` changes; the icon when nothing else does (the
    platform gives no icon back to compare)."""
    described = ctx.snap.features.category_descriptions
    return _changes(
        ("name", have.name, cat.name),
        ("description", have.description, cat.description if described else have.description),
        ("translations", _names(have.translations), _names(cat.translations)),
    ) or (FieldChange(name="icon", before=icon, after="(sent)" if cat.icon else "(none)"),)


def _same_category(ctx: _Ctx, cat: DesiredCategory, have: RemoteCategory) -> bool:
    """Whether the remote category holds what ``cat`` would send (an icon cannot be read
    back, so a category with one is sent again)."""
    described = ctx.snap.features.category_descriptions

    def names(found: tuple[tuple[str, str, str], ...]) -> list[tuple[str, str, str]]:
        return sorted((lang, name, desc if described else "") for lang, name, desc in found)

    return (
        have.name == cat.name
        and (have.description == cat.description or not described)
        and not (cat.icon and ctx.snap.features.category_icons)
        and names(have.translations) == names(cat.translations)
    )


def _names(translations: tuple[tuple[str, str, str], ...]) -> str | None:
    """A category's translated names for the plan: ``de: Erste Schritte; es: Primeros pasos``."""
    return "; ".join(f"{lang}: {name}" for lang, name, _ in translations) or None


def _category_data(cat: DesiredCategory) -> dict[str, object]:
    return {
        "name": cat.name,
        "description": cat.description,
        "icon": cat.icon,
        "parent": cat.parent,
        "translations": {lang: {"name": n, "description": d} for lang, n, d in cat.translations},
        "hash": cat.hash,
    }


def _plan_images(ctx: _Ctx) -> None:
    used = {
        sha for doc in ctx.desired.articles + ctx.desired.translations for sha in doc.image_refs
    }
    for img in ctx.desired.images:
        if img.sha256 not in used:
            continue
        if img.sha256 in ctx.image_urls:
            continue
        ctx.images.append(
            Action(
                kind=ActionKind.UPLOAD_IMAGE,
                path=img.path,
                title=img.filename,
                data={"sha256": img.sha256, "filename": img.filename, "mime": img.mime},
            )
        )


# ---- articles --------------------------------------------------------------------------


def _remote_for(ctx: _Ctx, doc: DesiredDoc) -> tuple[LockEntry | None, RemoteDoc | None, str]:
    """The lock entry (adoptions included) and remote draft of ``doc``, and how they were
    found: ``locked``, ``gone`` (its article was deleted there) or ``new``."""
    entry = ctx.lock.entries.get(doc.path)
    if entry is not None:
        remote = ctx.snap.articles.get(entry.id)
        return entry, remote, "locked" if remote else "gone"
    return None, None, "new"


def _known_urls(ctx: _Ctx) -> None:
    """URLs of articles that exist remotely, with the slug they will have after this plan."""
    for doc in ctx.desired.articles + ctx.desired.translations:
        entry = ctx.lock.entries.get(doc.path)
        if entry is None:
            continue
        remote = (
            ctx.snap.articles.get(entry.id)
            if doc.source is None
            else ctx.snap.translations.get((entry.id, doc.language))
        )
        url = remote.url_for(doc.slug) if remote else None
        if url is None and entry.slug == doc.slug:
            url = entry.url
        if url:
            ctx.article_urls[doc.path] = url


def _creation_order(docs: tuple[DesiredDoc, ...], ctx: _Ctx) -> list[DesiredDoc]:
    """Articles in file order, except that a new article comes after the new ones it links
    to, so its links resolve on the first write (cycles fall back to a second pass)."""
    by_path = {d.path: d for d in docs}
    order: list[DesiredDoc] = []
    state: dict[str, int] = {}

    def visit(doc: DesiredDoc) -> None:
        if state.get(doc.path):
            return
        state[doc.path] = 1
        for ref in doc.article_refs:
            target = by_path.get(ref)
            if target is not None and ref not in ctx.lock.entries:
                visit(target)
        state[doc.path] = 2
        order.append(doc)

    for doc in docs:
        visit(doc)
    return order


def _resend(ctx: _Ctx, doc: DesiredDoc) -> bool:
    """A write to ``doc`` was in flight when a run died: it may have landed, so the remote's
    new version is (probably) ours, not a web edit. Send the document again to record it."""
    pending = ctx.lock.pending.get(doc.path)
    return pending is not None and pending.op != "create" and doc.path in ctx.lock.entries


def _links_to_new(ctx: _Ctx, doc: DesiredDoc) -> bool:
    """Whether ``doc`` exists already and links to a file this plan creates: its links must
    be sent again once the target has a URL (a resume after a crash can leave this state)."""
    return doc.path not in ctx.new_paths and any(r in ctx.new_paths for r in doc.article_refs)


def _resolved(ctx: _Ctx, doc: DesiredDoc) -> tuple[str, bool]:
    """The HTML to send, and whether some link target has no URL yet (needs a second pass)."""
    html = ctx.resolve(doc.html, ctx.article_urls, ctx.image_urls)
    missing = any(
        ref not in ctx.article_urls and ref not in ctx.created
        for ref in doc.article_refs
        if ref != doc.path
    )
    return html, missing


def _plan_article(ctx: _Ctx, doc: DesiredDoc) -> bool:
    """Plan one article; return whether it will be live after the plan."""
    entry, remote, how = _remote_for(ctx, doc)
    html, needs_pass = _resolved(ctx, doc)
    sent = digest(ctx.desired.renderer, doc.title, html)
    category_id = ctx.category_ids.get(doc.category) if doc.category else doc.category_id
    base = {"language": doc.language, "renderer": ctx.desired.renderer}

    if remote is None:
        ctx.created.add(doc.path)
        note = "missing on the help center: it will be created again" if how == "gone" else None
        ctx.creates.append(
            _act(
                ActionKind.CREATE_ARTICLE,
                doc,
                note=note,
                changes=_changes(
                    ("title", None, doc.title),
                    ("slug", None, doc.slug),
                    ("category", None, doc.category),
                    ("seo.title", None, doc.seo_title),
                    ("seo.description", None, doc.seo_description),
                ),
                data={
                    **base,
                    "title": doc.title,
                    "html": doc.html,
                    "slug": doc.slug,
                    "category": doc.category,
                    "category_id": category_id,
                    "seo_title": doc.seo_title,
                    "seo_description": doc.seo_description,
                },
            )
        )
        if needs_pass:
            ctx.updates.append(_second_pass(ctx, doc, None))
        if doc.status == "published":
            ctx.publishes.append(
                _act(
                    ActionKind.PUBLISH,
                    doc,
                    data=base,
                )
            )
            return True
        return False

    resend = _resend(ctx, doc)
    drifted = entry is not None and remote.version != entry.remote_version and not resend
    content_changed = (
        ctx.opts.force
        or entry is None
        or sent != entry.local_hash
        or (html_hash(remote.html) != entry.remote_hash and remote.html is not None)
        or _links_to_new(ctx, doc)
        or resend
    )
    meta = _supported(ctx, doc, _meta_changes(doc, remote, entry, category_id))
    actions: list[tuple[list[Action], Action]] = []
    if content_changed or (drifted and ctx.opts.overwrite):
        actions.append(
            (
                ctx.updates,
                _act(
                    ActionKind.UPDATE_DRAFT,
                    doc,
                    remote_id=remote.id,
                    changes=_changes(("title", remote.title, doc.title)),
                    diff=_text_diff(remote.html or "", html, doc.path),
                    data={**base, "title": doc.title, "html": doc.html},
                ),
            )
        )
    if needs_pass:
        actions.append((ctx.updates, _second_pass(ctx, doc, remote.id)))
    if meta:
        actions.append(
            (
                ctx.updates,
                _act(
                    ActionKind.UPDATE_METADATA,
                    doc,
                    remote_id=remote.id,
                    changes=tuple(meta),
                    data={
                        **base,
                        **{_META_KEYS[c.name]: c.after for c in meta},
                        # "" moves it to the top level (Metadata's TOP_LEVEL)
                        "category_id": (category_id or "")
                        if any(c.name == "category" for c in meta)
                        else None,
                        "category": doc.category
                        if any(c.name == "category" for c in meta)
                        else None,
                    },
                ),
            )
        )
    will_update = any(a.kind is ActionKind.UPDATE_DRAFT for _, a in actions)
    live = remote.state.live
    if doc.status == "published" and (remote.state is not LiveState.PUBLISHED or will_update):
        actions.append(
            (
                ctx.publishes,
                _act(
                    ActionKind.PUBLISH,
                    doc,
                    remote_id=remote.id,
                    changes=_changes(("status", remote.state.value, "published")),
                    data=base,
                ),
            )
        )
        live = True
    elif doc.status == "unpublished" and remote.state.live:
        actions.append(
            (
                ctx.unpublishes,
                _act(
                    ActionKind.UNPUBLISH,
                    doc,
                    remote_id=remote.id,
                    changes=_changes(("status", remote.state.value, "unpublished")),
                    data=base,
                ),
            )
        )
        live = False

    if drifted and not ctx.opts.overwrite:
        ctx.drifts.append(
            _act(
                ActionKind.DRIFT,
                doc,
                remote_id=remote.id,
                skipped=True,
                diff=_text_diff(html, remote.html or "", doc.path, drift=True),
                note=f"edited on the help center since the last apply (updated {remote.version}); "
                "skipped, run with --overwrite to replace it with the file",
            )
        )
        return remote.state.live
    if not actions:
        ctx.noops += 1
    for bucket, action in actions:
        bucket.append(action)
    return live


_META_KEYS = {
    "slug": "slug",
    "category": "category",
    "seo.title": "seo_title",
    "seo.description": "seo_description",
}


def _meta_changes(
    doc: DesiredDoc, remote: RemoteDoc, entry: LockEntry | None, category_id: str | None
) -> list[FieldChange]:
    out: list[FieldChange] = []
    have_slug = remote.slug or (entry.slug if entry else None)
    if have_slug != doc.slug:
        out.append(FieldChange(name="slug", before=have_slug, after=doc.slug))
    # No category and no category id: an article at the top level (only on a platform where
    # articles need no category: elsewhere the loader does not sync such a file).
    top = doc.category is None and doc.category_id is None
    if doc.source is None and (category_id or top) and (category_id or None) != remote.category_id:
        out.append(
            FieldChange(
                name="category",
                before=entry.category if entry else remote.category_id,
                after=doc.category,
            )
        )
    if (remote.seo_title or None) != (doc.seo_title or None):
        out.append(
            FieldChange(name="seo.title", before=remote.seo_title, after=doc.seo_title or "")
        )
    if (remote.seo_description or None) != (doc.seo_description or None):
        out.append(
            FieldChange(
                name="seo.description",
                before=remote.seo_description,
                after=doc.seo_description or "",
            )
        )
    return out


def _supported(ctx: _Ctx, doc: DesiredDoc, meta: list[FieldChange]) -> list[FieldChange]:
    """The metadata changes the remote can store; a warning for each it cannot."""
    features = ctx.snap.features
    kept: list[FieldChange] = []
    for change in meta:
        if change.name.startswith("seo.") and not features.seo:
            continue  # said once per file by _feature_warnings
        if change.name == "slug" and not features.slug_change and change.before:
            _warn(
                ctx,
                doc,
                f"{features.platform} cannot change the slug of an existing article (it is "
                f"the topic id): it stays {change.before!r}; to use {change.after!r}, delete "
                "the article there and apply again",
            )
            continue
        kept.append(change)
    return kept


def _feature_warnings(ctx: _Ctx) -> None:
    """What the files ask for that the remote cannot store, once per file."""
    features = ctx.snap.features
    if not features.seo:
        for doc in ctx.desired.articles + ctx.desired.translations:
            if doc.seo_title or doc.seo_description:
                _warn(
                    ctx,
                    doc,
                    f"{features.platform} has no SEO title or description: 'seo' is not sent",
                    "seo",
                )
    if not features.translation_slugs:
        slugs = {d.path: d.slug for d in ctx.desired.articles}
        for doc in ctx.desired.translations:
            if doc.source in slugs and doc.slug != slugs[doc.source]:
                _warn(
                    ctx,
                    doc,
                    f"{features.platform} translations share their article's slug: "
                    f"'slug' is not sent (it stays {slugs[doc.source]!r})",
                    "slug",
                )
    if not features.ordering:
        for doc in ctx.desired.articles:
            if doc.order is not None:
                _warn(
                    ctx,
                    doc,
                    f"{features.platform} has no article order: 'order' is not sent",
                    "order",
                )
    for supported, key in (
        (features.category_icons, "icon"),
        (features.category_descriptions, "description"),
    ):
        if supported:
            continue
        for cat in ctx.desired.categories:
            if getattr(cat, key):
                ctx.diagnostics.append(
                    Diagnostic(
                        path=f"{cat.path}/_category.yml",
                        line=None,
                        severity=Severity.WARNING,
                        message=f"{features.platform} folders have no {key}: '{key}' is not sent",
                    )
                )


# ---- order ---------------------------------------------------------------------------------


def _plan_order(ctx: _Ctx) -> list[Action]:
    """One ``reorder`` per folder whose children will be out of order once the creates and
    moves of this plan are done (only where the platform keeps an order)."""
    if not ctx.snap.features.ordering:
        return []
    wanted: dict[str, list[tuple[tuple[int, int, str], str]]] = {}
    for cat in ctx.desired.categories:
        wanted.setdefault(cat.parent or "", []).append(
            (rank(cat.order, True, cat.path), f"c:{cat.path}")
        )
    for doc in ctx.desired.articles:
        if doc.category_id and not doc.category:
            continue  # placed by a remote id: not in a folder of this tree
        wanted.setdefault(doc.category or "", []).append(
            (rank(doc.order, False, doc.path), f"a:{doc.path}")
        )

    # the children each folder will have, in order, after this plan's creates and moves
    by_id = {f"c:{cid}": f"c:{path}" for path, cid in ctx.category_ids.items()}
    by_id.update(
        {f"a:{e.id}": f"a:{path}" for path, e in ctx.lock.entries.items() if e.source is None}
    )
    after: dict[str, list[str]] = {}
    for folder in wanted:
        remote = ctx.snap.order.get(ctx.category_ids.get(folder, "?") if folder else "", ())
        after[folder] = [by_id.get(k, k) for k in remote]
    placed = {k: f for f, keys in after.items() for k in keys}
    orders = {folder: [k for _, k in sorted(children)] for folder, children in wanted.items()}
    before = {
        k: order[i - 1] if i else None for order in orders.values() for i, k in enumerate(order)
    }
    created: dict[str, set[str]] = {}
    moved_in: dict[str, list[str]] = {}
    moved_out: set[str] = set()
    # Executed in bucket order: folders are created, then articles, then moved (appended).
    for bucket in (ctx.categories, ctx.creates, ctx.updates):
        for n, action in enumerate(bucket):
            if action.kind is ActionKind.CREATE_CATEGORY:
                key, folder = f"c:{action.path}", str(action.data.get("parent") or "")
            elif action.kind is ActionKind.CREATE_ARTICLE or (
                action.kind is ActionKind.UPDATE_METADATA
                and any(c.name == "category" for c in action.changes)
            ):
                key, folder = f"a:{action.path}", str(action.data.get("category") or "")
            else:
                continue
            if action.kind is ActionKind.UPDATE_METADATA or key not in before:
                if key in placed:
                    moved_out.add(key)
                moved_in.setdefault(folder, []).append(key)
            else:
                # a create goes right after the nearest sibling before it that exists by then
                bucket[n] = replace(action, data={**action.data, "after": before[key]})
                created.setdefault(folder, set()).add(key)
    for folder, order in orders.items():
        # Each new child lands after its nearest existing predecessor in the wanted order
        # (or first); the ones that share it end in wanted order among themselves.
        existing = after.get(folder, [])
        present, new = set(existing), created.get(folder, set())
        blocks: dict[str | None, list[str]] = {}
        last: str | None = None
        for key in order:
            if key in present:
                last = key
            elif key in new:
                blocks.setdefault(last, []).append(key)
        result = list(blocks.get(None, []))
        for key in existing:
            result.append(key)
            result.extend(blocks.get(key, ()))
        after[folder] = [k for k in result if k not in moved_out] + moved_in.get(folder, [])

    out = []
    for folder, order in sorted(orders.items()):
        now = after.get(folder, [])
        order = [k for k in order if k in now]  # a failed or skipped create is not there
        steps = moves(now, order)
        if not steps:
            continue
        named = next((c for c in ctx.desired.categories if c.path == folder), None)
        out.append(
            Action(
                kind=ActionKind.REORDER,
                path=folder or ".",
                title=named.name if named else "top level",
                remote_id=ctx.category_ids.get(folder) if folder else None,
                note=f"{len(steps)} of {len(order)} moved: "
                + ", ".join(k[2:].rsplit("/", 1)[-1] for k, _ in steps[:5])
                + (", …" if len(steps) > 5 else ""),
                data={"folder": folder, "children": order},
            )
        )
    return out


def _warn(ctx: _Ctx, doc: DesiredDoc, message: str, key: str | None = None) -> None:
    line = doc.key_lines.get(key, doc.line) if key else doc.line
    ctx.diagnostics.append(
        Diagnostic(path=doc.path, line=line, severity=Severity.WARNING, message=message)
    )


def _second_pass(ctx: _Ctx, doc: DesiredDoc, remote_id: str | None) -> Action:
    kind = ActionKind.UPDATE_DRAFT if doc.source is None else ActionKind.UPDATE_TRANSLATION
    return Action(
        kind=kind,
        path=doc.path,
        title=doc.title,
        remote_id=remote_id,
        language=doc.language,
        note="second pass: links to articles created in this run",
        data={
            "language": doc.language,
            "renderer": ctx.desired.renderer,
            "title": doc.title,
            "html": doc.html,
            "source": doc.source,
            "second_pass": True,
        },
    )


# ---- translations ----------------------------------------------------------------------


def _plan_translation(ctx: _Ctx, doc: DesiredDoc, live_after: Mapping[str, bool]) -> None:
    source = doc.source or ""
    src_entry = ctx.lock.entries.get(source)
    src_remote = ctx.snap.articles.get(src_entry.id) if src_entry else None
    article_id = src_remote.id if src_remote else None
    source_live = live_after.get(source, False)
    entry = ctx.lock.entries.get(doc.path)
    html, needs_pass = _resolved(ctx, doc)
    sent = digest(ctx.desired.renderer, doc.title, html)
    base = {"language": doc.language, "renderer": ctx.desired.renderer, "source": source}
    data = {
        **base,
        "title": doc.title,
        "html": doc.html,
        "slug": doc.slug,
        "seo_title": doc.seo_title,
        "seo_description": doc.seo_description,
    }

    key = (article_id, doc.language) if article_id else None
    fetched = key is not None and key in ctx.snap.translations
    remote = ctx.snap.translations.get(key) if key else None
    if entry is not None and entry.id != article_id:
        entry = None  # the source was re-created: its old translation went with it

    if entry is None and remote is None:
        ctx.created.add(doc.path)
        ctx.translations.append(
            _act(
                ActionKind.CREATE_TRANSLATION,
                doc,
                remote_id=article_id,
                changes=_changes(("title", None, doc.title), ("slug", None, doc.slug)),
                data=data,
            )
        )
        if needs_pass:
            ctx.translation_passes.append(_second_pass(ctx, doc, article_id))
        _translation_state(ctx, doc, article_id, LiveState.UNPUBLISHED, True, source_live)
        return

    if entry is not None and not fetched:
        # Not read from the remote because nothing suggests a change (translation_pairs).
        if sent == entry.local_hash and not ctx.opts.force and not _links_to_new(ctx, doc):
            state = LiveState.PUBLISHED if entry.status == "published" else LiveState.UNPUBLISHED
            if src_remote is not None and entry.status == "published":
                state = (
                    LiveState.PUBLISHED
                    if doc.language in src_remote.live_languages
                    else LiveState.UNPUBLISHED
                )
            if not _translation_state(ctx, doc, article_id, state, False, source_live):
                ctx.noops += 1
            return

    if remote is None:
        ctx.created.add(doc.path)
        ctx.translations.append(
            _act(
                ActionKind.CREATE_TRANSLATION,
                doc,
                remote_id=article_id,
                note="missing on the help center: it will be created again",
                data=data,
            )
        )
        _translation_state(ctx, doc, article_id, LiveState.UNPUBLISHED, True, source_live)
        return

    resend = _resend(ctx, doc)
    drifted = entry is not None and remote.version != entry.remote_version and not resend
    if drifted and not ctx.opts.overwrite:
        ctx.drifts.append(
            _act(
                ActionKind.DRIFT,
                doc,
                remote_id=article_id,
                skipped=True,
                diff=_text_diff(html, remote.html or "", doc.path, drift=True),
                note=f"translation edited on the help center since the last apply "
                f"(updated {remote.version}); skipped, run with --overwrite to replace it",
            )
        )
        return
    changed = (
        ctx.opts.force
        or entry is None
        or sent != entry.local_hash
        or _links_to_new(ctx, doc)
        or resend
        or drifted
        or (ctx.snap.features.translation_slugs and (remote.slug or entry.slug) != doc.slug)
        or (
            ctx.snap.features.seo
            and (
                (remote.seo_title or None) != (doc.seo_title or None)
                or (remote.seo_description or None) != (doc.seo_description or None)
            )
        )
    )
    if changed:
        ctx.translations.append(
            _act(
                ActionKind.UPDATE_TRANSLATION,
                doc,
                remote_id=article_id,
                changes=_changes(
                    ("title", remote.title, doc.title), ("slug", remote.slug, doc.slug)
                ),
                diff=_text_diff(remote.html or "", html, doc.path),
                data=data,
            )
        )
    if needs_pass:
        ctx.translation_passes.append(_second_pass(ctx, doc, article_id))
    acted = _translation_state(ctx, doc, article_id, remote.state, changed, source_live)
    if not changed and not acted:
        ctx.noops += 1


def _translation_state(
    ctx: _Ctx,
    doc: DesiredDoc,
    article_id: str | None,
    state: LiveState,
    changed: bool,
    source_live: bool,
) -> bool:
    """Publish or unpublish a translation as its status asks; return whether it acted."""
    base = {"language": doc.language, "source": doc.source}
    if doc.status == "published" and (state is not LiveState.PUBLISHED or changed):
        if not source_live:
            ctx.diagnostics.append(
                Diagnostic(
                    path=doc.path,
                    line=doc.line,
                    severity=Severity.WARNING,
                    message=f"not published: its source {doc.source} is not published",
                )
            )
            return False
        ctx.translation_states.append(
            _act(
                ActionKind.PUBLISH_TRANSLATION,
                doc,
                remote_id=article_id,
                changes=_changes(("status", state.value, "published")),
                data=base,
            )
        )
        return True
    if doc.status == "unpublished" and state.live:
        ctx.translation_states.append(
            _act(
                ActionKind.UNPUBLISH_TRANSLATION,
                doc,
                remote_id=article_id,
                changes=_changes(("status", state.value, "unpublished")),
                data=base,
            )
        )
        return True
    return False


# ---- orphans ---------------------------------------------------------------------------


def _plan_orphans(ctx: _Ctx) -> None:
    wanted = {d.path for d in ctx.desired.articles + ctx.desired.translations}
    prune = ctx.opts.prune
    entries = sorted(ctx.lock.entries.values(), key=lambda e: (e.source is None, e.path))
    for entry in entries:  # translations first: deleting an article takes them with it
        if entry.path in wanted:
            continue
        remote = ctx.snap.articles.get(entry.id)
        if remote is None:
            continue  # already gone from the help center
        translation = entry.source is not None
        effect = _orphan_effect(ctx, entry, prune)
        if effect == "unpublish":
            live = (entry.language in remote.live_languages) if translation else remote.state.live
            if not live:
                continue
        note = {
            "report": "file removed; kept on the help center (prune: report)",
            "unpublish": "file removed; will be unpublished",
            "delete": "file removed; will be deleted from the help center",
        }[effect]
        if effect != prune:
            note = (
                f"file removed; {ctx.snap.features.platform} cannot delete a translation: "
                "it will be unpublished"
            )
        ctx.orphans.append(
            Action(
                kind=ActionKind.ORPHAN,
                path=entry.path,
                title=remote.title if not translation else f"{remote.title} ({entry.language})",
                remote_id=entry.id,
                language=entry.language,
                skipped=prune == "report",
                note=note,
                data={"prune": effect, "translation": translation, "language": entry.language},
            )
        )


def _orphan_effect(ctx: _Ctx, entry: LockEntry, prune: str) -> str:
    """What prune does to this orphan: a translation the platform cannot delete on its own is
    unpublished (and stays in the lockfile), unless its article is deleted too, with it."""
    if prune != "delete" or entry.source is None or ctx.snap.features.translation_delete:
        return prune
    wanted = {d.path for d in ctx.desired.articles}
    article_goes = entry.source not in wanted and entry.id in ctx.snap.articles
    return "delete" if article_goes else "unpublish"


# ---- helpers ---------------------------------------------------------------------------


def _act(kind: ActionKind, doc: DesiredDoc, **fields: Any) -> Action:
    """An action about ``doc``: its path, title and language filled in."""
    return Action(kind=kind, path=doc.path, title=doc.title, language=doc.language, **fields)


def _changes(*triples: tuple[str, object, object]) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(name=n, before=b, after=a)
        for n, b, a in triples
        if b != a and not (b is None and a is None)
    )


_BLOCK = re.compile(r"</?(?:p|h[1-6]|li|ul|ol|pre|tr|table|blockquote|div|br|hr)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")


def html_text(html: str) -> list[str]:
    """Readable lines of an HTML document, for diffs people read."""
    text = _BLOCK.sub("\n", html)
    text = htmllib.unescape(_TAG.sub("", text))
    return [line.strip() for line in text.splitlines() if line.strip()]


def _text_diff(before: str, after: str, path: str, *, drift: bool = False) -> str | None:
    """A text diff of two HTML documents: remote → local (what an apply sends), or for a
    drift local → remote (what the web edit changed)."""
    old, new = ("local", "remote") if drift else ("remote", "local")
    lines = list(
        difflib.unified_diff(
            html_text(before),
            html_text(after),
            fromfile=f"{old}/{path}",
            tofile=f"{new}/{path}",
            lineterm="",
            n=1,
        )
    )
    return "\n".join(lines) + "\n" if lines else None
