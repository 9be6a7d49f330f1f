"""``hcsync pull [FILE…]``: edits made in the web UI, back into the Markdown files.

A document is *drifted* when the remote's version moved since the lockfile recorded it (the
same test the plan uses). For each drifted document:

- file unchanged since the last apply: the remote version is written into the file (title and
  SEO into the front-matter, the rest of the front-matter kept), new images are downloaded,
  and the lockfile records the new remote version, so the writer reviews the pull as a git
  diff and the next plan is clean;
- file changed locally as well: a **conflict**. The file is left alone and the remote version
  is written beside it as ``<name>.remote.md`` with ``sync: false`` (so it is never content);
  the lockfile is not touched, so the plan keeps showing the drift until it is resolved.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import posixpath
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from hcsync import lockfile as lockmod
from hcsync.backends.base import Backend
from hcsync.config import Config, Status
from hcsync.content import load_site, sniff_image
from hcsync.content.frontmatter import split
from hcsync.content.model import Site
from hcsync.diagnostics import UsageError
from hcsync.importer.html2md import TooDeepError, html_to_markdown
from hcsync.importer.tree import (
    _IMG_SRC,
    IMAGES_FOLDER,
    Inexact,
    _dump_front,
    _Layout,
    _localise,
    _Planned,
    _status,
    image_name,
    record_entries,
)
from hcsync.lockfile import Lockfile, LockImage
from hcsync.plan.desired import DesiredDoc
from hcsync.plan.links import resolve_lenient
from hcsync.plan.site_adapter import desired_from_site
from hcsync.remote import RemoteDoc, html_hash
from hcsync.safefs import UnsafePathError, names_in, read_existing, unique_name, write_file

REMOTE_SUFFIX = ".remote.md"


@dataclass(frozen=True, slots=True, kw_only=True)
class PullResult:
    updated: tuple[str, ...] = ()
    """Files rewritten with the remote version."""
    conflicts: tuple[tuple[str, str], ...] = ()
    """(file, where the remote version was written) for files changed on both sides."""
    unchanged: int = 0
    inexact: tuple[Inexact, ...] = ()
    gone: tuple[str, ...] = ()
    """Files whose remote article no longer exists."""
    skipped: tuple[tuple[str, str], ...] = ()
    """(file, why) for remote versions that could not be written (the file is left alone)."""


def remote_copy_path(path: str) -> str:
    """``guides/install.es.md`` → ``guides/install.es.remote.md``."""
    return path.removesuffix(".md") + REMOTE_SUFFIX


def pull(
    config: Config,
    site: Site,
    lock: Lockfile,
    backend: Backend,
    files: Collection[str] = (),
) -> PullResult:
    """Bring drifted documents back into their files (see the module docstring)."""
    desired = desired_from_site(site)
    docs = {d.path: d for d in desired.articles + desired.translations}
    remote_of, gone = _remotes(backend, lock, docs, _select(config, docs, files))
    urls = {p: e.url for p, e in lock.entries.items() if e.url}
    for path, remote in remote_of.items():
        url = remote.url_for(docs[path].slug)
        if url:
            urls[path] = url
    drifted, conflicts, unchanged = _classify(desired.renderer, docs, lock, remote_of, urls)
    if not drifted and not conflicts:
        return PullResult(unchanged=unchanged, gone=tuple(gone))
    changed = [*drifted, *(c for c, _ in conflicts)]
    remote_of.update(zip(changed, backend.with_html([remote_of[p] for p in changed]), strict=True))
    skipped = _write_all(config, lock, backend, remote_of, urls, drifted, changed)
    drifted = [p for p in drifted if p not in dict(skipped)]
    conflicts = [c for c in conflicts if c[0] not in dict(skipped)]
    inexact: list[Inexact] = []
    if drifted:
        fresh = load_site(config)
        only = {p: remote_of[p] for p in drifted}
        scratch = replace(lock, entries=dict(lock.entries))
        inexact, _notes = record_entries(fresh, scratch, only, {p: docs[p].source for p in drifted})
        for p in drifted:
            lock.entries[p] = scratch.entries[p]
    lockmod.save(lock, config.lockfile)
    return PullResult(
        updated=tuple(drifted),
        conflicts=tuple(conflicts),
        unchanged=unchanged,
        inexact=tuple(inexact),
        gone=tuple(gone),
        skipped=tuple(skipped),
    )


def _remotes(
    backend: Backend, lock: Lockfile, docs: Mapping[str, DesiredDoc], wanted: Iterable[str]
) -> tuple[dict[str, RemoteDoc], list[str]]:
    """The remote document of each wanted file the lockfile knows, and the files whose
    document is gone from the help center."""
    wanted = list(wanted)
    snap = backend.snapshot()
    pairs = {
        (lock.entries[p].id, docs[p].language): p
        for p in wanted
        if docs[p].source is not None and p in lock.entries
    }
    fetched = backend.fetch_translations(set(pairs)) if pairs else {}
    remote_of: dict[str, RemoteDoc] = {}
    gone: list[str] = []
    for path in wanted:
        entry = lock.entries.get(path)
        if entry is None:
            continue
        doc = docs[path]
        remote = (
            snap.articles.get(entry.id)
            if doc.source is None
            else fetched.get((entry.id, doc.language))
        )
        if remote is None:
            gone.append(path)
        else:
            remote_of[path] = remote
    return remote_of, gone


def _classify(
    renderer: str,
    docs: Mapping[str, DesiredDoc],
    lock: Lockfile,
    remote_of: Mapping[str, RemoteDoc],
    urls: Mapping[str, str],
) -> tuple[list[str], list[tuple[str, str]], int]:
    """(drifted files to update, conflicts with their copy's path, unchanged count): a drifted
    file whose content also changed locally since the last apply is a conflict."""
    images = {sha: img.url for sha, img in lock.images.items()}
    drifted: list[str] = []
    conflicts: list[tuple[str, str]] = []
    unchanged = 0
    for path, remote in sorted(remote_of.items()):
        entry = lock.entries[path]
        if remote.version == entry.remote_version or path in lock.pending:
            unchanged += 1
            continue
        sent = resolve_lenient(docs[path].html, urls, images)
        if lockmod.digest(renderer, docs[path].title, sent) != entry.local_hash:
            conflicts.append((path, remote_copy_path(path)))
        else:
            drifted.append(path)
    return drifted, conflicts, unchanged


def _write_all(
    config: Config,
    lock: Lockfile,
    backend: Backend,
    remote_of: Mapping[str, RemoteDoc],
    urls: Mapping[str, str],
    drifted: list[str],
    changed: list[str],
) -> list[tuple[str, str]]:
    """Write each changed document (over its file when drifted, beside it when a conflict);
    record the images it brought; return the ones skipped, with why."""
    layout = _Layout()
    doc_urls: dict[str, str] = {}
    for path, url in urls.items():
        doc_urls.setdefault(url, path)
    for remote_path, remote in remote_of.items():
        for found in (remote.url, remote.url_for(remote.slug)):
            if found:
                doc_urls.setdefault(found, remote_path)
    by_url = {img.url: img for img in lock.images.values()}
    new_images: list[LockImage] = []
    skipped: list[tuple[str, str]] = []
    fetch = _Fetch(by_url, backend, new_images)
    for path in changed:
        why = _write_remote(path, path in drifted, remote_of[path], layout, doc_urls, config, fetch)
        if why is not None:
            skipped.append((path, why))
    for img in new_images:
        lock.images.setdefault(img.sha256, img)
    return skipped


@dataclass(frozen=True, slots=True)
class _Fetch:
    """What writing a document's new images needs: known images, the backend, the new ones."""

    by_url: dict[str, LockImage]
    backend: Backend
    new_images: list[LockImage]


def _write_remote(
    path: str,
    drifted: bool,
    remote: RemoteDoc,
    layout: _Layout,
    doc_urls: dict[str, str],
    config: Config,
    fetch: _Fetch,
) -> str | None:
    """Write the remote version of ``path`` (over the file, or beside it for a conflict) with
    its new images, through the safe writer; the reason it cannot be, or None."""
    root = config.content
    planned = _Planned(path=path, remote=remote, source=None, front={}, html=remote.html or "")
    try:
        _images_for(path, remote, layout, root, fetch)
        body = html_to_markdown(_localise(planned, doc_urls, layout))
        front = _front_for(root, path, remote, config.default_status)
        if drifted:
            write_file(root, path, _dump_front(front) + "\n" + body)
            return None
        front["sync"] = False
        header = (
            f"# hcsync pull: the help center's version of {posixpath.basename(path)}, "
            "which was changed there and here.\n# Merge it by hand, then delete this file.\n"
        )
        text = _dump_front(front)
        write_file(root, remote_copy_path(path), "---\n" + header + text[4:] + "\n" + body)
    except (UnsafePathError, TooDeepError) as exc:
        return str(exc)
    return None


def _select(config: Config, docs: dict[str, DesiredDoc], files: Collection[str]) -> list[str]:
    if not files:
        return sorted(docs)
    out = []
    for name in files:
        path = Path(name)
        absolute = path if path.is_absolute() else Path.cwd() / path
        try:
            rel = absolute.resolve().relative_to(config.content.resolve()).as_posix()
        except ValueError:
            rel = name
        if rel not in docs:
            raise UsageError(f"{name}: not an article or translation of this help center")
        out.append(rel)
    return sorted(set(out))


def _front_for(root: Path, path: str, remote: RemoteDoc, default: Status) -> dict[str, Any]:
    """The file's front-matter with the remote's title, SEO and live state (other keys kept).

    A web edit left unpublished (live, with draft changes) becomes ``status: draft``, so the
    next apply does not publish it behind the editor's back; the writer removes the line to
    publish it."""
    front: dict[str, Any] = {}
    try:
        parts = split((read_existing(root, path) or b"").decode("utf-8"))
        loaded = yaml.safe_load(parts.yaml) if parts.yaml else None
        if isinstance(loaded, dict):
            front = loaded
    except (OSError, yaml.YAMLError, ValueError):
        front = {}
    front["title"] = remote.title
    seo = (
        {k: v for k, v in (front.get("seo") or {}).items()}
        if isinstance(front.get("seo"), dict)
        else {}
    )
    for key, value in (("title", remote.seo_title), ("description", remote.seo_description)):
        if value:
            seo[key] = value
        else:
            seo.pop(key, None)
    front.pop("seo.title", None)
    front.pop("seo.description", None)
    if seo:
        front["seo"] = seo
    else:
        front.pop("seo", None)
    status = _status(remote.state)
    if status is default:
        front.pop("status", None)
    else:
        front["status"] = status.value
    return {"title": front.pop("title"), **front}


def _images_for(path: str, remote: RemoteDoc, layout: _Layout, root: Path, fetch: _Fetch) -> None:
    """Download the images ``remote`` shows that the lockfile does not know, into the
    ``images`` folder beside ``path`` (a file with the same bytes is reused; names are made
    safe and never equal to another one but for case)."""
    folder = posixpath.join(posixpath.dirname(path), IMAGES_FOLDER)
    taken: set[str] | None = None
    for m in _IMG_SRC.finditer(remote.html or ""):
        url = htmllib.unescape(m.group("url"))
        if url in layout.images:
            continue
        known = fetch.by_url.get(url)
        if known is not None:
            layout.images[url] = (known.path, known.sha256, b"")
            continue
        data = fetch.backend.download_image(url)
        if data is None or sniff_image(data) is None:
            continue
        sha = hashlib.sha256(data).hexdigest()
        base, ext = image_name(url)
        if taken is None:
            taken = names_in(root, folder)
        target = posixpath.join(folder, unique_name(base, ext, set(), default="image"))
        if read_existing(root, target) != data:
            target = posixpath.join(folder, unique_name(base, ext, taken, default="image"))
            write_file(root, target, data, exclusive=True)
        layout.images[url] = (target, sha, data)
        image = LockImage(sha256=sha, url=url, path=target)
        fetch.by_url[url] = image
        fetch.new_images.append(image)


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolveResult:
    resolved: tuple[str, ...] = ()
    """Files whose merge the next apply sends."""
    removed: tuple[str, ...] = ()
    """``*.remote.md`` copies deleted with them."""
    not_drifted: tuple[str, ...] = ()
    """Files named that had nothing to resolve (left as they were)."""


def resolve(
    config: Config, site: Site, lock: Lockfile, backend: Backend, files: Collection[str]
) -> ResolveResult:
    """``hcsync pull --resolved FILE…``: the files now hold the merge of a conflict. Record the
    help center's current version as seen, so the next plan sends each file as an update
    instead of showing the drift; delete the ``*.remote.md`` copies. Only the named files."""
    if not files:
        raise UsageError("name the files you merged: hcsync pull --resolved FILE…")
    desired = desired_from_site(site)
    docs = {d.path: d for d in desired.articles + desired.translations}
    wanted = _select(config, docs, files)
    snap = backend.snapshot()
    pairs = {
        (lock.entries[p].id, docs[p].language)
        for p in wanted
        if p in lock.entries and docs[p].source is not None
    }
    fetched = backend.fetch_translations(pairs) if pairs else {}
    resolved: list[str] = []
    removed: list[str] = []
    untouched: list[str] = []
    for path in wanted:
        entry = lock.entries.get(path)
        remote = None
        if entry is not None:
            remote = (
                snap.articles.get(entry.id)
                if docs[path].source is None
                else fetched.get((entry.id, docs[path].language))
            )
        if entry is None or remote is None or remote.version == entry.remote_version:
            untouched.append(path)
            continue
        # An empty local hash: the file is sent as it is now, whatever was sent before.
        lock.entries[path] = replace(
            entry,
            remote_version=remote.version,
            remote_hash=html_hash(remote.html) if remote.html is not None else entry.remote_hash,
            local_hash="",
        )
        resolved.append(path)
        copy = config.content / remote_copy_path(path)
        if copy.is_file():
            copy.unlink()
            removed.append(remote_copy_path(path))
    if resolved:
        lockmod.save(lock, config.lockfile)
    return ResolveResult(
        resolved=tuple(resolved), removed=tuple(removed), not_drifted=tuple(untouched)
    )
