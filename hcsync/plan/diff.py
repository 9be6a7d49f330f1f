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

import hashlib

from hcsync.diagnostics import ContentError
from hcsync.lockfile import Lockfile, digest
from hcsync.plan.adoption import adopt_actions, adopted_lock, unmanaged
from hcsync.plan.articles import feature_warnings, plan_article
from hcsync.plan.categories import plan_categories, plan_images
from hcsync.plan.context import (
    Ctx,
    DiffOptions,
    Resolver,
    act,
    creation_order,
    field_changes,
    known_urls,
    links_to_new,
    resolved_html,
)
from hcsync.plan.desired import Desired
from hcsync.plan.identity import (
    category_ids,
    identify,
)
from hcsync.plan.model import ActionKind, Plan
from hcsync.plan.order import plan_order
from hcsync.plan.orphans import plan_orphans
from hcsync.plan.renames import find_renames, renamed
from hcsync.plan.translations import plan_translation
from hcsync.remote import Snapshot

__all__ = ["DiffOptions", "adopted_ids", "diff", "fingerprint", "translation_pairs"]


def fingerprint(snapshot: Snapshot, lock: Lockfile) -> str:
    """What a saved plan is checked against: the remote snapshot and the lockfile."""
    return hashlib.sha256(
        (snapshot.fingerprint() + "\n" + lock.digest_text()).encode("utf-8")
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
        html, _ = resolved_html(ctx, doc)
        if (
            ctx.opts.force
            or entry is None
            or entry.id != src.id
            or entry.status != doc.status
            or (live != wants_live and doc.status != "draft")
            or entry.local_hash != digest(desired.renderer, doc.title, html)
            or links_to_new(ctx, doc)
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
    feature_warnings(ctx)
    plan_categories(ctx)
    plan_images(ctx)
    live_after: dict[str, bool] = {}
    for doc in creation_order(desired.articles, ctx):
        live_after[doc.path] = plan_article(ctx, doc)
    for doc in creation_order(desired.translations, ctx):
        plan_translation(ctx, doc, live_after)
    plan_orphans(ctx)
    reorders = plan_order(ctx)
    renames = [
        act(
            ActionKind.RENAME,
            doc,
            remote_id=ctx.lock.entries[doc.path].id,
            changes=field_changes(("path", ctx.renames[doc.path], doc.path)),
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
        unmanaged=unmanaged(ctx),
    )


def _context(
    desired: Desired, lock: Lockfile, snap: Snapshot, resolve: Resolver, opts: DiffOptions
) -> Ctx:
    ctx = Ctx(desired=desired, lock=lock, snap=snap, opts=opts, resolve=resolve)
    ctx.renames = find_renames(desired, lock, snap, resolve)
    if ctx.renames:
        # From here on the diff reads the lockfile as it will be once the renames are done.
        lock = ctx.lock = renamed(lock, ctx.renames)
    ctx.category_ids = category_ids(desired, lock, snap)
    ctx.identity = identify(desired, lock, snap, ctx.category_ids)
    if ctx.identity.problems:
        raise ContentError(ctx.identity.problems)
    before = lock
    # From here on the diff reads the lockfile as it will be once the adoptions are done.
    lock = ctx.lock = adopted_lock(ctx, ctx.identity)
    for doc in desired.articles + desired.translations:
        entry = lock.entries.get(doc.path)
        if entry is None or entry.id not in snap.articles:
            ctx.new_paths.add(doc.path)
    ctx.image_urls = {sha: img.url for sha, img in lock.images.items()}
    known_urls(ctx)
    adopt_actions(ctx, before, ctx.identity)
    return ctx
