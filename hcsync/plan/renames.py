"""Files moved since the last apply: their identity follows them (a lockfile-only ``rename``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from hcsync.lockfile import LockEntry, Lockfile, digest
from hcsync.plan.context import Resolver
from hcsync.plan.desired import Desired, DesiredDoc
from hcsync.remote import Snapshot


def find_renames(
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


def renamed(lock: Lockfile, renames: Mapping[str, str]) -> Lockfile:
    """A copy of ``lock`` with the renamed entries under their new paths."""
    moved = lock.copy()
    by_old = {old: new for new, old in renames.items()}
    for new, old in renames.items():
        entry = moved.entries.pop(old)
        moved.entries[new] = replace(
            entry, path=new, source=by_old.get(entry.source or "", entry.source)
        )
    return moved
