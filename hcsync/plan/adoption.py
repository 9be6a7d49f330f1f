"""The lockfile as it will be once the files the plan matched to the help center are adopted,
and one ``adopt`` action per file, image and translation (see :mod:`hcsync.plan.identity`).
"""

from __future__ import annotations

from dataclasses import replace

from hcsync.lockfile import LockEntry, Lockfile, LockImage, digest, entry_fields
from hcsync.plan.context import Ctx, act, field_changes, resolved_html
from hcsync.plan.desired import DesiredDoc
from hcsync.plan.identity import (
    HOW_PENDING,
    HOW_SLUG,
    HOW_TITLE,
    Identity,
)
from hcsync.plan.model import Action, ActionKind, Unmanaged
from hcsync.remote import RemoteDoc, html_hash


def adopted_lock(ctx: Ctx, identity: Identity) -> Lockfile:
    """A copy of the lockfile as it will be once the adoptions are done: an entry for each
    matched file and for each translation the help center has of an article the lockfile
    (now) knows, and the images the remote hosts already. Content hashes stay unknown (so an
    update is planned) until :func:`adopt_actions` finds the remote equal to the file."""
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


def _adopted_entry(doc: DesiredDoc, remote: RemoteDoc, ctx: Ctx) -> LockEntry:
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


def adopt_actions(ctx: Ctx, before: Lockfile, identity: Identity) -> None:
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
        html, _ = resolved_html(ctx, doc)
        if remote.html is not None and remote.html == html and remote.title == doc.title:
            entry = replace(entry, local_hash=digest(ctx.desired.renderer, doc.title, html))
            ctx.lock.entries[doc.path] = entry
        match = identity.matches.get(doc.path)
        how = match.how if match else "translation"
        ctx.adopts.append(
            act(
                ActionKind.ADOPT,
                doc,
                remote_id=entry.id,
                changes=field_changes(("title", remote.title, doc.title)),
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


def unmanaged(ctx: Ctx) -> tuple[Unmanaged, ...]:
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
