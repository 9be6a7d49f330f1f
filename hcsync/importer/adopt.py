"""``hcsync import --adopt``: the files exist, the lockfile is lost (or partial).

Remote articles are matched to files that have no lockfile entry:

1. by slug in the default language (the remote's slug, or the one the platform derives from
   the title when it has none yet); several candidates are narrowed by title;
2. else by title alone, flagged as weaker;
3. a translation follows its article: the article's draft in the file's language.

A remote article claimed by two files, or a file with two candidates, is ambiguous: nothing is
recorded for it. Remote articles that no file matches get a lockfile entry under the path an
import would give them, with no file there: the next plan lists them as orphans, and nothing
is created twice. Categories are matched by name under the same parent, images by sha256.

An adopted file whose content differs from the remote is recorded as "unknown", so the next
plan shows the update the file would make; one that renders to the remote's HTML is recorded
as unchanged.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import posixpath
from collections import defaultdict
from dataclasses import dataclass, field, replace

from hcsync import lockfile as lockmod
from hcsync.backends.base import Backend
from hcsync.config import Config
from hcsync.content.loader import slugify
from hcsync.content.model import Site
from hcsync.lockfile import LockCategory, LockEntry, Lockfile, LockImage, digest
from hcsync.plan.desired import DesiredDoc
from hcsync.plan.links import resolve_lenient
from hcsync.plan.site_adapter import desired_from_site
from hcsync.remote import LiveState, RemoteDoc, Snapshot, html_hash


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    path: str
    remote_id: str
    language: str
    title: str
    how: str
    """``slug``, ``slug+title``, ``title`` (weaker) or ``source`` (a translation)."""
    same_content: bool
    """Whether the file renders to what the remote holds (else the next plan updates it)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Ambiguous:
    path: str
    candidates: tuple[tuple[str, str], ...]
    """(remote id, title) of each candidate."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Orphan:
    remote_id: str
    title: str
    path: str
    """The lockfile path recorded for it (no file there)."""


@dataclass(slots=True, kw_only=True)
class Adoption:
    """What ``--adopt`` found; :func:`write_adoption` records it."""

    snapshot: Snapshot
    matches: list[Match] = field(default_factory=list)
    kept: int = 0
    """Files already in the lockfile (left as they are)."""
    ambiguous: list[Ambiguous] = field(default_factory=list)
    new_files: list[str] = field(default_factory=list)
    """Files with no remote article: the next plan creates them."""
    orphans: list[Orphan] = field(default_factory=list)
    entries: dict[str, LockEntry] = field(default_factory=dict)
    categories: dict[str, LockCategory] = field(default_factory=dict)
    images: dict[str, LockImage] = field(default_factory=dict)


def _slug_of(doc: RemoteDoc, backend: Backend) -> str | None:
    return doc.slug or backend.derived_slug(doc.title)


def adopt_plan(site: Site, lock: Lockfile, backend: Backend) -> Adoption:
    """Match remote articles to files (read-only: the snapshot, translations, images)."""
    snap = backend.snapshot()
    desired = desired_from_site(site)
    out = Adoption(snapshot=snap)
    locked_ids = {e.id for e in lock.entries.values() if e.id in snap.articles}
    by_id: dict[str, str] = {}
    """Remote id → file path (kept and new matches)."""
    for doc in desired.articles:
        entry = lock.entries.get(doc.path)
        if entry is not None and entry.id in snap.articles:
            out.kept += 1
            by_id[entry.id] = doc.path
    free = {i: d for i, d in snap.articles.items() if i not in locked_ids}

    # 1-2: articles, by slug (narrowed by title), else by title
    wanted: dict[str, tuple[list[str], str]] = {}
    for doc in desired.articles:
        if doc.path in lock.entries and lock.entries[doc.path].id in snap.articles:
            continue
        by_slug = [i for i, r in free.items() if _slug_of(r, backend) == doc.slug]
        how = "slug"
        if len(by_slug) > 1:
            narrowed = [i for i in by_slug if free[i].title == doc.title]
            by_slug, how = (narrowed, "slug+title") if narrowed else (by_slug, "slug")
        if not by_slug:
            by_slug, how = [i for i, r in free.items() if r.title == doc.title], "title"
        wanted[doc.path] = (by_slug, how)
    claims: dict[str, list[str]] = defaultdict(list)
    for path, (ids, _) in wanted.items():
        if len(ids) == 1:
            claims[ids[0]].append(path)
    matched: dict[str, tuple[str, str]] = {}
    """Path → (remote id, how)."""
    for path, (ids, how) in sorted(wanted.items()):
        if not ids:
            out.new_files.append(path)
        elif len(ids) > 1 or len(claims[ids[0]]) > 1:
            cands = ids if len(ids) > 1 else ids
            out.ambiguous.append(
                Ambiguous(path=path, candidates=tuple((i, free[i].title) for i in sorted(cands)))
            )
        else:
            matched[path] = (ids[0], how)
            by_id[ids[0]] = path

    # 3: translations of matched (or kept) articles
    path_to_id = {p: i for i, p in by_id.items()}
    pairs = {
        (path_to_id[t.source], t.language): t
        for t in desired.translations
        if t.source in path_to_id
        and not (t.path in lock.entries and lock.entries[t.path].id in snap.articles)
    }
    fetched = backend.fetch_translations(set(pairs)) if pairs else {}
    remote_of: dict[str, RemoteDoc] = {}
    for path, (rid, _) in matched.items():
        remote_of[path] = snap.articles[rid]
    for key, tdoc in sorted(pairs.items(), key=lambda kv: kv[1].path):
        remote = fetched.get(key)
        if remote is None:
            out.new_files.append(tdoc.path)
        else:
            remote_of[tdoc.path] = remote
            matched[tdoc.path] = (key[0], "source")
    remote_of = dict(zip(remote_of, backend.with_html(list(remote_of.values())), strict=True))

    if any(c.translations for c in site.categories.values()):
        snap = replace(snap, categories=tuple(backend.with_translated_names(snap.categories)))
    _adopt_categories(site, lock, snap, out)
    _adopt_images(site, lock, backend, remote_of, out)

    # entries: what was matched, recorded as unchanged only when the file gives the same HTML
    docs = {d.path: d for d in desired.articles + desired.translations}
    urls = {p: e.url for p, e in lock.entries.items() if e.url}
    for path, remote in remote_of.items():
        url = remote.url_for(docs[path].slug)
        if url:
            urls[path] = url
    images = {sha: img.url for sha, img in {**lock.images, **out.images}.items()}
    for path, (rid, how) in sorted(matched.items()):
        doc, remote = docs[path], remote_of[path]
        sent = resolve_lenient(doc.html, urls, images)
        same = sent == (remote.html or "") and doc.title == remote.title
        slug = remote.slug or (backend.derived_slug(remote.title) if doc.source is None else None)
        out.entries[path] = _entry(doc, remote, rid, desired.renderer, sent, same, urls, slug)
        out.matches.append(
            Match(
                path=path,
                remote_id=rid,
                language=doc.language,
                title=remote.title,
                how=how,
                same_content=same,
            )
        )

    _record_orphans(lock, snap, backend, by_id, out)
    return out


def _entry(
    doc: DesiredDoc,
    remote: RemoteDoc,
    rid: str,
    renderer: str,
    sent: str,
    same: bool,
    urls: dict[str, str],
    slug: str | None,
) -> LockEntry:
    return LockEntry(
        path=doc.path,
        id=rid,
        language=doc.language,
        source=doc.source,
        slug=slug or doc.slug,
        category=doc.category,
        local_hash=digest(renderer, doc.title, sent) if same else "",
        remote_hash=html_hash(remote.html),
        remote_version=remote.version,
        status=doc.status,
        url=urls.get(doc.path),
    )


def _adopt_categories(site: Site, lock: Lockfile, snap: Snapshot, out: Adoption) -> None:
    ids: dict[str, str] = {p: c.id for p, c in lock.categories.items()}
    remote_ids = {c.id for c in snap.categories}
    for cat in site.categories.values():
        locked = lock.categories.get(cat.path)
        if locked is not None and locked.id in remote_ids:
            continue
        parent_id = ids.get(cat.parent) if cat.parent else None
        if cat.parent and parent_id is None:
            continue
        hits = [r for r in snap.categories if r.name == cat.name and r.parent_id == parent_id]
        if len(hits) != 1:
            continue
        described = snap.features.category_descriptions
        same = (hits[0].description == cat.description or not described) and _names(
            hits[0].translations, described
        ) == _names(
            tuple((lang, t.name, t.description) for lang, t in cat.translations.items()),
            described,
        )
        ids[cat.path] = hits[0].id
        # An unequal category is recorded with no hash, so the next plan updates it.
        out.categories[cat.path] = LockCategory(
            path=cat.path, id=hits[0].id, hash=cat.content_hash if same else ""
        )


def _names(
    translations: tuple[tuple[str, str, str], ...], described: bool
) -> list[tuple[str, str, str]]:
    """Translated names to compare (descriptions only where the platform keeps them)."""
    return sorted((lang, name, desc if described else "") for lang, name, desc in translations)


def _adopt_images(
    site: Site,
    lock: Lockfile,
    backend: Backend,
    remote_of: dict[str, RemoteDoc],
    out: Adoption,
) -> None:
    local = {img.sha256: img.path for img in site.images.values() if img.sha256 not in lock.images}
    if not local:
        return
    import re

    seen: set[str] = set()
    for remote in remote_of.values():
        for m in re.finditer(r'<img\b[^>]*?\ssrc="([^"]*)"', remote.html or ""):
            url = htmllib.unescape(m.group(1))
            if url in seen:
                continue
            seen.add(url)
            data = backend.download_image(url)
            if data is None:
                continue
            sha = hashlib.sha256(data).hexdigest()
            if sha in local and sha not in out.images:
                out.images[sha] = LockImage(sha256=sha, url=url, path=local[sha])


def _record_orphans(
    lock: Lockfile, snap: Snapshot, backend: Backend, by_id: dict[str, str], out: Adoption
) -> None:
    folders = {c.id: c.path for c in lock.categories.values()}
    folders.update({c.id: c.path for c in out.categories.values()})
    names = {c.id: slugify(c.name) or "category" for c in snap.categories}
    parents = {c.id: c.parent_id for c in snap.categories}
    taken = set(lock.entries) | set(out.entries)
    locked_ids = {e.id for e in lock.entries.values()}
    ambiguous_ids = {i for a in out.ambiguous for i, _ in a.candidates}
    for rid, remote in sorted(snap.articles.items()):
        if rid in by_id or rid in locked_ids:
            continue
        cid = remote.category_id or ""
        folder = folders.get(cid)
        if folder is None and cid in names:
            parent = parents.get(cid)
            folder = (
                f"{folders.get(parent) or names.get(parent, 'category')}/{names[cid]}"
                if parent
                else names[cid]
            )
        stem = slugify(_slug_of(remote, backend) or "") or rid
        path = posixpath.join(folder or "", f"{stem}.md")
        n = 2
        while path in taken:
            path = posixpath.join(folder or "", f"{stem}-{n}.md")
            n += 1
        taken.add(path)
        if rid in ambiguous_ids:
            continue  # shown as a candidate of an ambiguous file, not as an orphan
        out.orphans.append(Orphan(remote_id=rid, title=remote.title, path=path))
        out.entries[path] = LockEntry(
            path=path,
            id=rid,
            language=remote.language,
            slug=remote.slug,
            local_hash="",
            remote_hash=html_hash(remote.html),
            remote_version=remote.version,
            status=_status(remote.state),
            url=remote.url,
        )


def _status(state: LiveState) -> str:
    return {
        LiveState.PUBLISHED: "published",
        LiveState.CHANGED: "draft",
        LiveState.UNPUBLISHED: "unpublished",
    }[state]


def write_adoption(adoption: Adoption, config: Config, lock: Lockfile) -> None:
    """Add what was adopted to ``lock`` and write it (atomically)."""
    lock.backend = config.backend.value
    lock.target = adoption.snapshot.target
    lock.entries.update(adoption.entries)
    lock.categories.update(adoption.categories)
    lock.images.update(adoption.images)
    lockmod.save(lock, config.lockfile)
