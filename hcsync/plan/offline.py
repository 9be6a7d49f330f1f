"""An offline plan: the files against the lockfile alone, with no call to the help center.

For a pull request from a fork, where no help-center secret is available: the lockfile says
what hcsync last applied, so a :class:`~hcsync.remote.Snapshot` rebuilt from it (the remote *as
hcsync left it*) lets the pure :func:`~hcsync.plan.diff.diff` run unchanged. What it cannot see:
edits made on the help center since (drift), articles deleted there, and what a create that was
cut off left behind. The plan says so (``Plan.offline``) and can never be applied: its
fingerprint cannot match a live one.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import PurePosixPath

from hcsync.content.model import Site
from hcsync.lockfile import LockEntry, Lockfile
from hcsync.plan.desired import Desired, DesiredDoc
from hcsync.plan.diff import DiffOptions, diff
from hcsync.plan.links import resolve_lenient
from hcsync.plan.model import Action, Plan
from hcsync.plan.site_adapter import desired_from_site
from hcsync.remote import (
    PLATFORM_FEATURES,
    LiveState,
    RemoteCategory,
    RemoteDoc,
    RemoteFeatures,
    Snapshot,
)

OFFLINE_PREFIX = "offline:"
"""Prefix of an offline plan's fingerprint, so ``apply PLAN`` always finds it stale."""


def snapshot_from_lock(
    lock: Lockfile, desired: Desired, *, target: str = "", platform: str = ""
) -> Snapshot:
    """The remote as the lockfile recorded it after the last apply.

    Version and hashes come from the lockfile, so nothing looks drifted and an unchanged file
    is a no-op. Fields the lockfile does not keep (remote titles, SEO, category names) are taken
    from the files, so they show as unchanged: the offline plan cannot tell.
    """
    docs = {d.path: d for d in desired.articles + desired.translations}
    cats = {c.path: c for c in desired.categories}
    categories = tuple(
        RemoteCategory(
            id=locked.id,
            name=cats[path].name if path in cats else PurePosixPath(path).name,
            description=cats[path].description if path in cats else "",
            parent_id=_parent_id(lock, path),
        )
        for path, locked in sorted(lock.categories.items())
    )
    live_languages: dict[str, list[str]] = {}
    for entry in lock.entries.values():
        if entry.source is not None and entry.status == "published":
            live_languages.setdefault(entry.id, []).append(entry.language)
    articles: dict[str, RemoteDoc] = {}
    translations: dict[tuple[str, str], RemoteDoc | None] = {}
    for entry in sorted(lock.entries.values(), key=lambda e: e.path):
        doc = _remote_doc(lock, entry, docs.get(entry.path))
        if entry.source is None:
            articles[entry.id] = replace(
                doc, live_languages=tuple(sorted(live_languages.get(entry.id, ())))
            )
        else:
            translations[(entry.id, entry.language)] = doc
    return Snapshot(
        target=target or lock.target,
        default_language=desired.default_language,
        languages=tuple(sorted({e.language for e in lock.entries.values() if e.source})),
        categories=categories,
        articles=articles,
        translations=translations,
        features=PLATFORM_FEATURES.get(platform or lock.backend, RemoteFeatures()),
    )


def offline_plan(
    site: Site, lock: Lockfile, *, options: DiffOptions | None = None, target: str = ""
) -> Plan:
    """Plan ``site`` against the lockfile alone; the result is labelled ``offline``."""
    desired = desired_from_site(site)
    snapshot = snapshot_from_lock(lock, desired, target=target, platform=site.config.backend.value)
    plan = diff(desired, lock, snapshot, resolve=resolve_lenient, options=options)
    digest = hashlib.sha256(plan.fingerprint.encode("ascii")).hexdigest()
    return replace(
        plan,
        actions=tuple(_without_remote_text(a) for a in plan.actions),
        offline=True,
        fingerprint=OFFLINE_PREFIX + digest,
        diagnostics=tuple(site.diagnostics) + plan.diagnostics,
    )


def _without_remote_text(action: Action) -> Action:
    """The live text was not read, so a text diff against it would show every line as new."""
    if action.diff is None:
        return action
    return replace(
        action, diff=None, note=action.note or "text changed (offline: the live text was not read)"
    )


def _parent_id(lock: Lockfile, path: str) -> str | None:
    parent = PurePosixPath(path).parent.as_posix()
    locked = lock.categories.get(parent) if parent != "." else None
    return locked.id if locked else None


def _remote_doc(lock: Lockfile, entry: LockEntry, doc: DesiredDoc | None) -> RemoteDoc:
    category = lock.categories.get(entry.category or "")
    return RemoteDoc(
        id=entry.id,
        language=entry.language,
        title=doc.title if doc else PurePosixPath(entry.path).stem,
        html=None,
        state=LiveState.PUBLISHED if entry.status == "published" else LiveState.UNPUBLISHED,
        version=entry.remote_version,
        slug=entry.slug,
        category_id=category.id if category else None,
        seo_title=doc.seo_title if doc else None,
        seo_description=doc.seo_description if doc else None,
        url=entry.url if entry.status == "published" else None,
    )
