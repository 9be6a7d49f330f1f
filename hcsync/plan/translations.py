"""Translations: create, update (slug and SEO only where they differ), publish and unpublish
after their source, drift.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
from hcsync.plan.model import ActionKind, FieldChange
from hcsync.plan.slugs import certain_slug
from hcsync.remote import LiveState, RemoteDoc


def plan_translation(ctx: Ctx, doc: DesiredDoc, live_after: Mapping[str, bool]) -> None:
    """Plan one translation; it is published only once its source is (or will be) live."""
    source = doc.source or ""
    src_entry = ctx.lock.entries.get(source)
    src_remote = ctx.snap.articles.get(src_entry.id) if src_entry else None
    article_id = src_remote.id if src_remote else None
    source_live = live_after.get(source, False)
    entry = ctx.lock.entries.get(doc.path)
    html, needs_pass = resolved_html(ctx, doc)
    key = (article_id, doc.language) if article_id else None
    remote = ctx.snap.translations.get(key) if key else None
    if entry is not None and entry.id != article_id:
        entry = None  # the source was re-created: its old translation went with it
    if remote is None and (entry is None or key in ctx.snap.translations):
        note = None if entry is None else "missing on the help center: it will be created again"
        _create(ctx, doc, article_id, needs_pass, source_live, note)
        return
    if remote is None:
        assert entry is not None  # not read: nothing suggested a change (translation_pairs)
        if _unchanged(ctx, doc, html, entry):
            state = _trusted_state(doc, entry, src_remote)
            if not _translation_state(ctx, doc, article_id, state, False, source_live):
                ctx.noops += 1
            return
        _create(ctx, doc, article_id, needs_pass, source_live, None)
        return
    _update(ctx, doc, article_id, remote, entry, html, needs_pass, source_live)


def _unchanged(ctx: Ctx, doc: DesiredDoc, html: str, entry: LockEntry) -> bool:
    return (
        digest(ctx.desired.renderer, doc.title, html) == entry.local_hash
        and not ctx.opts.force
        and not links_to_new(ctx, doc)
    )


def _trusted_state(doc: DesiredDoc, entry: LockEntry, src_remote: RemoteDoc | None) -> LiveState:
    """A translation not read: its live state as the lockfile and its article's list of live
    languages say."""
    if entry.status != "published":
        return LiveState.UNPUBLISHED
    if src_remote is not None and doc.language not in src_remote.live_languages:
        return LiveState.UNPUBLISHED
    return LiveState.PUBLISHED


def _create(
    ctx: Ctx,
    doc: DesiredDoc,
    article_id: str | None,
    needs_pass: bool,
    source_live: bool,
    note: str | None,
) -> None:
    ctx.created.add(doc.path)
    ctx.translations.append(
        act(
            ActionKind.CREATE_TRANSLATION,
            doc,
            remote_id=article_id,
            note=note,
            changes=field_changes(("title", None, doc.title), ("slug", None, doc.slug)),
            data=_translation_data(ctx, doc, None, None),
        )
    )
    if needs_pass:
        ctx.translation_passes.append(second_pass(ctx, doc, article_id))
    _translation_state(ctx, doc, article_id, LiveState.UNPUBLISHED, True, source_live)


def _update(
    ctx: Ctx,
    doc: DesiredDoc,
    article_id: str | None,
    remote: RemoteDoc,
    entry: LockEntry | None,
    html: str,
    needs_pass: bool,
    source_live: bool,
) -> None:
    resend = resends(ctx, doc)
    drifted = entry is not None and remote.version != entry.remote_version and not resend
    if drifted and not ctx.opts.overwrite:
        ctx.drifts.append(
            act(
                ActionKind.DRIFT,
                doc,
                remote_id=article_id,
                skipped=True,
                diff=text_diff(html, remote.html or "", doc.path, drift=True),
                note=f"translation edited on the help center since the last apply "
                f"(updated {remote.version}); skipped, run with --overwrite to replace it",
            )
        )
        return
    data = _translation_data(ctx, doc, remote, entry)
    changed = (
        entry is None
        or not _unchanged(ctx, doc, html, entry)
        or resend
        or drifted
        or bool(data["metadata"])
    )
    if changed:
        ctx.translations.append(
            act(
                ActionKind.UPDATE_TRANSLATION,
                doc,
                remote_id=article_id,
                changes=field_changes(("title", remote.title, doc.title))
                + tuple(
                    FieldChange(name=k.replace("_", "."), before=getattr(remote, k), after=v)
                    for k, v in data["metadata"].items()
                ),
                diff=text_diff(remote.html or "", html, doc.path),
                data=data,
            )
        )
    if needs_pass:
        ctx.translation_passes.append(second_pass(ctx, doc, article_id))
    acted = _translation_state(ctx, doc, article_id, remote.state, changed, source_live)
    if not changed and not acted:
        ctx.noops += 1


def _translation_data(
    ctx: Ctx, doc: DesiredDoc, remote: RemoteDoc | None, entry: LockEntry | None
) -> dict[str, Any]:
    """What a create or update of a translation sends: the content, and under ``metadata``
    only the slug and SEO fields the remote does not hold yet (one more write when any).
    ``slug_known``: the remote's slug will be the file's without a write."""
    features = ctx.snap.features
    have_slug = (remote.slug if remote else None) or (entry.slug if entry else None)
    if remote is None and entry is None:
        have_slug = certain_slug(doc.title)  # what the platform derives, where certain
    meta: dict[str, str] = {}
    if features.translation_slugs and have_slug != doc.slug:
        meta["slug"] = doc.slug
    for key in ("seo_title", "seo_description") if features.seo else ():
        want, have = getattr(doc, key) or None, getattr(remote, key, None) or None
        if want != have:
            meta[key] = want or ""
    return {
        "language": doc.language,
        "renderer": ctx.desired.renderer,
        "source": doc.source or "",
        "title": doc.title,
        "html": doc.html,
        "slug": doc.slug,
        "slug_known": "slug" not in meta,
        "metadata": meta,
    }


def _translation_state(
    ctx: Ctx,
    doc: DesiredDoc,
    article_id: str | None,
    state: LiveState,
    changed: bool,
    source_live: bool,
) -> bool:
    """Publish or unpublish a translation as its status asks; return whether it acted."""
    if doc.status == "published" and (state is not LiveState.PUBLISHED or changed):
        if not source_live:
            warn(ctx, doc, f"not published: its source {doc.source} is not published")
            return False
        kind, after = ActionKind.PUBLISH_TRANSLATION, "published"
    elif doc.status == "unpublished" and state.live:
        kind, after = ActionKind.UNPUBLISH_TRANSLATION, "unpublished"
    else:
        return False
    ctx.translation_states.append(
        act(
            kind,
            doc,
            remote_id=article_id,
            changes=field_changes(("status", state.value, after)),
            data={"language": doc.language, "source": doc.source},
        )
    )
    return True
