"""Articles: create (with the slug where the platform would not derive it for certain), update,
metadata, publish and unpublish, drift; and what the platform cannot store.
"""

from __future__ import annotations

from typing import Any

from hcsync.diagnostics import Diagnostic, Severity
from hcsync.lockfile import LockEntry, digest
from hcsync.plan.context import (
    Ctx,
    act,
    field_changes,
    links_to_new,
    resends,
    resolved_html,
    second_pass,
    text_diff,
    warn,
)
from hcsync.plan.desired import DesiredDoc
from hcsync.plan.model import Action, ActionKind, FieldChange
from hcsync.plan.slugs import certain_slug
from hcsync.remote import LiveState, RemoteDoc, html_hash


def _remote_for(ctx: Ctx, doc: DesiredDoc) -> tuple[LockEntry | None, RemoteDoc | None, str]:
    """The lock entry (adoptions included) and remote draft of ``doc``, and how they were
    found: ``locked``, ``gone`` (its article was deleted there) or ``new``."""
    entry = ctx.lock.entries.get(doc.path)
    if entry is not None:
        remote = ctx.snap.articles.get(entry.id)
        return entry, remote, "locked" if remote else "gone"
    return None, None, "new"


def plan_article(ctx: Ctx, doc: DesiredDoc) -> bool:
    """Plan one article; return whether it will be live after the plan."""
    entry, remote, how = _remote_for(ctx, doc)
    html, needs_pass = resolved_html(ctx, doc)
    category_id = ctx.category_ids.get(doc.category) if doc.category else doc.category_id
    if remote is None:
        note = "missing on the help center: it will be created again" if how == "gone" else None
        return _plan_create(ctx, doc, category_id, needs_pass, note)

    resend = resends(ctx, doc)
    drifted = entry is not None and remote.version != entry.remote_version and not resend
    actions: list[tuple[list[Action], Action]] = []
    if _content_changed(ctx, doc, html, remote, entry) or (drifted and ctx.opts.overwrite):
        update = act(
            ActionKind.UPDATE_DRAFT,
            doc,
            remote_id=remote.id,
            changes=field_changes(("title", remote.title, doc.title)),
            diff=text_diff(remote.html or "", html, doc.path),
            data={**_base(ctx, doc), "title": doc.title, "html": doc.html},
        )
        actions.append((ctx.updates, update))
    if needs_pass:
        actions.append((ctx.updates, second_pass(ctx, doc, remote.id)))
    meta = _supported(ctx, doc, _meta_changes(doc, remote, entry, category_id))
    if meta:
        actions.append((ctx.updates, _metadata(ctx, doc, remote, meta, category_id)))
    live = _plan_state(ctx, doc, remote, actions)
    if drifted and not ctx.opts.overwrite:
        ctx.drifts.append(
            act(
                ActionKind.DRIFT,
                doc,
                remote_id=remote.id,
                skipped=True,
                diff=text_diff(html, remote.html or "", doc.path, drift=True),
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


def _base(ctx: Ctx, doc: DesiredDoc) -> dict[str, Any]:
    return {"language": doc.language, "renderer": ctx.desired.renderer}


def _content_changed(
    ctx: Ctx, doc: DesiredDoc, html: str, remote: RemoteDoc, entry: LockEntry | None
) -> bool:
    """Whether the draft must be sent: what we would send differs from what we last sent,
    the remote's HTML is not what we recorded, a link target is new, or a write may be lost."""
    return (
        ctx.opts.force
        or entry is None
        or digest(ctx.desired.renderer, doc.title, html) != entry.local_hash
        or (html_hash(remote.html) != entry.remote_hash and remote.html is not None)
        or links_to_new(ctx, doc)
        or resends(ctx, doc)
    )


def _metadata(
    ctx: Ctx,
    doc: DesiredDoc,
    remote: RemoteDoc,
    meta: list[FieldChange],
    category_id: str | None,
) -> Action:
    moved = any(c.name == "category" for c in meta)
    return act(
        ActionKind.UPDATE_METADATA,
        doc,
        remote_id=remote.id,
        changes=tuple(meta),
        data={
            **_base(ctx, doc),
            **{_META_KEYS[c.name]: c.after for c in meta},
            # "" moves it to the top level (Metadata's TOP_LEVEL)
            "category_id": (category_id or "") if moved else None,
            "category": doc.category if moved else None,
        },
    )


def _plan_state(
    ctx: Ctx,
    doc: DesiredDoc,
    remote: RemoteDoc,
    actions: list[tuple[list[Action], Action]],
) -> bool:
    """Publish or unpublish as the file's status asks (a published article whose draft is
    updated is published again); return whether it will be live."""
    will_update = any(a.kind is ActionKind.UPDATE_DRAFT for _, a in actions)
    state = remote.state
    if doc.status == "published" and (state is not LiveState.PUBLISHED or will_update):
        kind, bucket, after = ActionKind.PUBLISH, ctx.publishes, "published"
    elif doc.status == "unpublished" and state.live:
        kind, bucket, after = ActionKind.UNPUBLISH, ctx.unpublishes, "unpublished"
    else:
        return state.live
    actions.append(
        (
            bucket,
            act(
                kind,
                doc,
                remote_id=remote.id,
                changes=field_changes(("status", state.value, after)),
                data=_base(ctx, doc),
            ),
        )
    )
    return after == "published"


def _plan_create(
    ctx: Ctx, doc: DesiredDoc, category_id: str | None, needs_pass: bool, note: str | None
) -> bool:
    """Create ``doc``: the create, the slug where the platform would not derive it for
    certain, a second pass for links to later creates, the publish. Returns whether it will
    be live."""
    base = {"language": doc.language, "renderer": ctx.desired.renderer}
    ctx.created.add(doc.path)
    slug_known = ctx.snap.features.create_takes_slug or certain_slug(doc.title) == doc.slug
    ctx.creates.append(
        act(
            ActionKind.CREATE_ARTICLE,
            doc,
            note=note,
            changes=field_changes(
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
                "slug_known": slug_known,
                "category": doc.category,
                "category_id": category_id,
                "seo_title": doc.seo_title,
                "seo_description": doc.seo_description,
            },
        )
    )
    if not slug_known:  # right after its create: links made later in the run need its URL
        ctx.creates.append(
            act(
                ActionKind.UPDATE_METADATA,
                doc,
                changes=field_changes(("slug", None, doc.slug)),
                note="the slug is set: the help center's own may differ",
                data={**base, "slug": doc.slug},
            )
        )
    if needs_pass:
        ctx.updates.append(second_pass(ctx, doc, None))
    if doc.status == "published":
        ctx.publishes.append(act(ActionKind.PUBLISH, doc, data=base))
        return True
    return False


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


def _supported(ctx: Ctx, doc: DesiredDoc, meta: list[FieldChange]) -> list[FieldChange]:
    """The metadata changes the remote can store; a warning for each it cannot."""
    features = ctx.snap.features
    kept: list[FieldChange] = []
    for change in meta:
        if change.name.startswith("seo.") and not features.seo:
            continue  # said once per file by feature_warnings
        if change.name == "slug" and not features.slug_change and change.before:
            warn(
                ctx,
                doc,
                f"{features.platform} cannot change the slug of an existing article (it is "
                f"the topic id): it stays {change.before!r}; to use {change.after!r}, delete "
                "the article there and apply again",
            )
            continue
        kept.append(change)
    return kept


def feature_warnings(ctx: Ctx) -> None:
    """What the files ask for that the remote cannot store, once per file."""
    features = ctx.snap.features
    if not features.seo:
        for doc in ctx.desired.articles + ctx.desired.translations:
            if doc.seo_title or doc.seo_description:
                warn(
                    ctx,
                    doc,
                    f"{features.platform} has no SEO title or description: 'seo' is not sent",
                    "seo",
                )
    if not features.translation_slugs:
        slugs = {d.path: d.slug for d in ctx.desired.articles}
        for doc in ctx.desired.translations:
            if doc.source in slugs and doc.slug != slugs[doc.source]:
                warn(
                    ctx,
                    doc,
                    f"{features.platform} translations share their article's slug: "
                    f"'slug' is not sent (it stays {slugs[doc.source]!r})",
                    "slug",
                )
    if not features.ordering:
        for doc in ctx.desired.articles:
            if doc.order is not None:
                warn(
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
