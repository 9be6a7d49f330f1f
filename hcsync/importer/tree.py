"""``hcsync import``: the remote help center → a content tree, ``hcsync.yml`` and a lockfile.

Steps, each one-way:

1. read the remote: the snapshot (categories, every article's draft with content), then the
   translation drafts (one call per article and language: the API lists no translation drafts
   in bulk), then the images the articles show (one download each);
2. lay the tree out: a folder per category, ``<slug>.md`` per article, ``<slug>.<lang>.md`` per
   translation, images in ``images/`` beside the first article that shows them; links between
   articles become relative ``.md`` links and image URLs relative paths, then HTML → Markdown;
3. load the written tree with the normal loader, render it, and record in the lockfile exactly
   what the diff calls "unchanged" (the hash of what the file would send, the hash and version
   of what the remote holds), so the next plan is empty;
4. check it: every document whose file does not render back to the remote's HTML (or title,
   slug, SEO) is listed, and the diff is run once more against the new lockfile.

Nothing is written to the remote. A document that does not round-trip is not altered on the
remote either: the lockfile records the remote as it is, so only a later edit of the file sends
the Markdown version.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import os
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from hcsync import lockfile as lockmod
from hcsync.backends.base import Backend
from hcsync.config import CONFIG_NAME, Config, Status, load_config
from hcsync.config import Backend as BackendName
from hcsync.content import load_site, sniff_image
from hcsync.content.loader import CATEGORY_FILE, SLUG_RE, slugify
from hcsync.content.model import Site
from hcsync.diagnostics import HcsyncError, UsageError
from hcsync.importer.html2md import TooDeepError, html_to_markdown
from hcsync.lockfile import LockCategory, LockEntry, Lockfile, LockImage, digest
from hcsync.ordering import rank
from hcsync.plan.context import html_text
from hcsync.plan.desired import Desired, DesiredDoc
from hcsync.plan.diff import diff, translation_pairs
from hcsync.plan.links import resolve_lenient
from hcsync.plan.model import Action
from hcsync.plan.site_adapter import desired_from_site
from hcsync.remote import LiveState, RemoteCategory, RemoteDoc, Snapshot, html_hash
from hcsync.safefs import (
    UnsafePathError,
    names_in,
    read_existing,
    safe_name,
    split_extension,
    unique_name,
    write_file,
)

_URL_ATTR = re.compile(r'(?P<attr>\s(?:href|src)=")(?P<url>[^"]*)"')
_IMG_SRC = re.compile(r'<img\b[^>]*?\ssrc="(?P<url>[^"]*)"')
_IMAGE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
IMAGES_FOLDER = "images"


class ImportRefusedError(HcsyncError):
    """The import would overwrite something, or cannot represent what the remote holds."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Inexact:
    """A document whose file does not give back exactly what the remote holds."""

    path: str
    fields: tuple[str, ...]
    """What differs: ``content``, ``title``, ``slug``, ``seo.title``, ``seo.description``."""
    diff: str | None = None
    """A readable diff of the text (remote → file), for content."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Skipped:
    """A remote document or category that was not written, and why."""

    path: str
    """Where it would have gone (under the content root)."""
    remote_id: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportResult:
    """What ``hcsync import`` wrote and what the user should look at."""

    root: Path
    articles: int = 0
    translations: int = 0
    categories: int = 0
    images: int = 0
    calls: int = 0
    inexact: tuple[Inexact, ...] = ()
    notes: tuple[str, ...] = ()
    """Things not imported or changed on the way (one line each)."""
    leftover: tuple[Action, ...] = ()
    """Actions the next plan would still show (expected: none)."""
    skipped: tuple[Skipped, ...] = ()
    """Documents and categories not written (a re-run writes them once they can be)."""
    resumed: int = 0
    """Documents an earlier import recorded in the lockfile (kept as they are)."""


# ---- reading the remote ----------------------------------------------------------------


@dataclass(slots=True)
class RemoteContent:
    """Everything import reads from the remote."""

    snapshot: Snapshot
    translations: dict[tuple[str, str], RemoteDoc]
    """(article id, language) → translation draft, for the ones that exist."""
    images: dict[str, bytes | None] = field(default_factory=dict)
    """Image URL → its bytes (None: not the platform's, or gone)."""


def read_remote(
    backend: Backend,
    *,
    live_translations_only: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RemoteContent:
    """Read categories, articles, translations and images (read-only calls only)."""
    snap = backend.snapshot()
    pairs: set[tuple[str, str]] = set()
    for aid, doc in snap.articles.items():
        langs = doc.live_languages if live_translations_only else snap.languages
        pairs.update((aid, lang) for lang in langs if lang != snap.default_language)
    if progress and pairs:
        progress(f"reading {len(pairs)} translation drafts (one call each)")
    found = backend.fetch_translations(pairs) if pairs else {}
    translations = {k: v for k, v in found.items() if v is not None and not v.placeholder}
    unread = [d for d in [*snap.articles.values(), *translations.values()] if d.html is None]
    if progress and unread:
        progress(f"reading {len(unread)} article bodies (the listing has none; one call each)")
    articles = dict(snap.articles)
    for doc in backend.with_html(unread):
        if doc.language == snap.default_language:
            articles[doc.id] = doc
        else:
            translations[(doc.id, doc.language)] = doc
    snap = replace(
        snap, articles=articles, categories=tuple(backend.with_translated_names(snap.categories))
    )
    content = RemoteContent(snapshot=snap, translations=translations)
    urls: list[str] = []
    for doc in [*snap.articles.values(), *translations.values()]:
        for m in _IMG_SRC.finditer(doc.html or ""):
            url = htmllib.unescape(m.group("url"))
            if url not in urls:
                urls.append(url)
    if progress and urls:
        progress(f"downloading {len(urls)} images")
    for url in urls:
        content.images[url] = backend.download_image(url)
    return content


# ---- laying the tree out ---------------------------------------------------------------


@dataclass(slots=True)
class _Planned:
    path: str
    remote: RemoteDoc
    source: str | None
    front: dict[str, Any]
    html: str
    existing: bool = False
    """Recorded in the lockfile by an earlier import: placed, not written again."""


@dataclass(slots=True)
class _Layout:
    category_paths: dict[str, str] = field(default_factory=dict)
    """Remote category id → folder path."""
    categories: dict[str, RemoteCategory] = field(default_factory=dict)
    """Folder path → remote category."""
    docs: list[_Planned] = field(default_factory=list)
    images: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)
    """Image URL → (path, sha256, bytes)."""
    category_order: dict[str, int] = field(default_factory=dict)
    """Folder path → its ``order``, where names alone would not give the remote's order."""
    notes: list[str] = field(default_factory=list)
    existing: set[str] = field(default_factory=set)
    """Category folders an earlier import recorded (not written again)."""
    names: dict[str, set[str]] = field(default_factory=dict)
    """Folder → the casefolded names given in it (files and folders, never two alike)."""
    skipped: list[Skipped] = field(default_factory=list)


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _taken(layout: _Layout, folder: str) -> set[str]:
    """The casefolded names used in ``folder`` (``images`` is kept for the images folder)."""
    return layout.names.setdefault(folder, {IMAGES_FOLDER})


def _category_folders(snap: Snapshot, layout: _Layout, known: Mapping[str, str]) -> None:
    """Folder per category, parents first, at any depth (ClickHelp folders nest deeper).
    ``known``: category id → the folder an earlier import gave it (kept)."""
    by_id = {c.id: c for c in snap.categories}
    for cat in snap.categories:
        path = known.get(cat.id)
        if path is not None:
            layout.category_paths[cat.id] = path
            layout.categories[path] = cat
            layout.existing.add(path)
            folder, _, name = path.rpartition("/")
            _taken(layout, folder).add(name.casefold())
    pending = [c for c in snap.categories if c.id not in layout.category_paths]
    while pending:
        left = []
        for cat in pending:
            parent = layout.category_paths.get(cat.parent_id) if cat.parent_id else ""
            if parent is None:
                left.append(cat)
                continue
            name = unique_name(slugify(cat.name) or "category", "", _taken(layout, parent))
            path = f"{parent}/{name}" if parent else name
            layout.category_paths[cat.id] = path
            layout.categories[path] = cat
        if len(left) == len(pending):
            for cat in left:
                why = "is unknown" if cat.parent_id not in by_id else "forms a cycle"
                layout.notes.append(f"category {cat.name!r}: its parent {why}; not imported")
            break
        pending = left


def _status(state: LiveState) -> Status:
    if state is LiveState.PUBLISHED:
        return Status.PUBLISHED
    if state is LiveState.CHANGED:
        return Status.DRAFT  # live, with draft edits: leave both as they are
    return Status.UNPUBLISHED


def _front(
    title: str, slug: str | None, doc: RemoteDoc, status: Status, default: Status
) -> dict[str, Any]:
    front: dict[str, Any] = {"title": title}
    if slug is not None:
        front["slug"] = slug
    seo = {
        k: v
        for k, v in (("title", doc.seo_title), ("description", doc.seo_description))
        if v is not None and v.strip()
    }
    if seo:
        front["seo"] = seo
    if status is not default:
        front["status"] = status.value
    return front


def _layout(
    content: RemoteContent, backend: Backend, config: Config, old: Lockfile | None = None
) -> _Layout:
    """Where each category, document and image goes. Names are made safe and unique (case
    ignored) per folder; what ``old`` (an earlier import's lockfile) records keeps its path."""
    snap = content.snapshot
    layout = _Layout()
    known = {(e.id, e.language): e for e in (old.entries.values() if old else ())}
    _category_folders(
        snap, layout, {c.id: c.path for c in (old.categories if old else {}).values()}
    )
    slugs_taken: dict[str, set[str]] = {}
    reserve = "." + "x" * max((len(lang) for lang in config.languages), default=2) + ".md"
    articles = sorted(
        snap.articles.values(),
        key=lambda d: (
            (d.id, snap.default_language) not in known,
            layout.category_paths.get(d.category_id or "", "~"),
            d.slug or "",
            d.id,
        ),
    )
    for doc in articles:
        entry = known.get((doc.id, snap.default_language))
        planned: _Planned | None
        if entry is not None:
            planned = _known_doc(entry, doc, layout, slugs_taken)
        else:
            planned = _new_article(doc, layout, backend, config, slugs_taken, reserve)
        if planned is None:
            continue
        layout.docs.append(planned)
        _place_translations(planned, content, layout, config, slugs_taken, known)
    _place_images(content, layout, config.content, old)
    _keep_order(snap, layout)
    return layout


def _known_doc(
    entry: LockEntry, doc: RemoteDoc, layout: _Layout, slugs_taken: dict[str, set[str]]
) -> _Planned:
    folder, _, name = entry.path.rpartition("/")
    _taken(layout, folder).add(name.casefold())
    slugs_taken.setdefault(entry.language, set()).add(entry.slug or "")
    front = {"slug": entry.slug} if entry.slug else {}
    return _Planned(
        path=entry.path, remote=doc, source=entry.source, front=front, html="", existing=True
    )


def _new_article(
    doc: RemoteDoc,
    layout: _Layout,
    backend: Backend,
    config: Config,
    slugs_taken: dict[str, set[str]],
    reserve: str,
) -> _Planned | None:
    folder = layout.category_paths.get(doc.category_id or "")
    if folder is None and doc.category_id is None and not config.articles_need_a_category:
        folder = ""  # at the top of the table of contents: a file at the content root
    if folder is None:
        layout.notes.append(
            f"article {doc.title!r} ({doc.id}) is in no known category; not imported"
        )
        return None
    wanted = doc.slug or slugify(doc.title) or "article"
    if not SLUG_RE.match(wanted):
        wanted = slugify(wanted) or "article"
    slug = _unique(wanted, slugs_taken.setdefault(config.default_language, set()))
    if slug != wanted:
        layout.notes.append(
            f"article {doc.title!r}: slug {wanted!r} is used by another article; "
            f"the file sets {slug!r} (the next apply changes its URL)"
        )
    taken = _taken(layout, folder)
    stem, n = safe_name(slug, reserve)[: -len(reserve)], 2
    while f"{stem}.md".casefold() in taken:
        stem, n = safe_name(f"{slug}-{n}", reserve)[: -len(reserve)], n + 1
    taken.add(f"{stem}.md".casefold())
    front = _front(
        doc.title, None if stem == slug else slug, doc, _status(doc.state), config.default_status
    )
    path = posixpath.join(folder, f"{stem}.md")
    return _Planned(path=path, remote=doc, source=None, front=front, html=doc.html or "")


def _place_translations(
    article: _Planned,
    content: RemoteContent,
    layout: _Layout,
    config: Config,
    slugs_taken: dict[str, set[str]],
    known: Mapping[tuple[str, str], LockEntry],
) -> None:
    snap = content.snapshot
    doc, path = article.remote, article.path
    folder, _, name = path.rpartition("/")
    stem = name.removesuffix(".md")
    slug = article.front.get("slug") or stem
    for lang in sorted(snap.languages):
        tdoc = content.translations.get((doc.id, lang))
        if tdoc is None:
            continue
        entry = known.get((doc.id, lang))
        if entry is not None:
            layout.docs.append(_known_doc(entry, tdoc, layout, slugs_taken))
            continue
        if lang not in config.languages:
            layout.notes.append(f"{path}: translation into {lang!r} skipped (not configured)")
            continue
        tpath = posixpath.join(folder, f"{stem}.{lang}.md")
        taken = _taken(layout, folder)
        if f"{stem}.{lang}.md".casefold() in taken:
            why = "another file in its folder has the same name but for upper/lower case"
            layout.skipped.append(Skipped(path=tpath, remote_id=tdoc.id, reason=why))
            continue
        taken.add(f"{stem}.{lang}.md".casefold())
        tslug = tdoc.slug if tdoc.slug and SLUG_RE.match(tdoc.slug) else slug
        tslug = _unique(tslug, slugs_taken.setdefault(lang, set()))
        tfront = _front(
            tdoc.title,
            None if tslug == slug else tslug,
            tdoc,
            _status(tdoc.state),
            config.default_status,
        )
        layout.docs.append(
            _Planned(path=tpath, remote=tdoc, source=path, front=tfront, html=tdoc.html or "")
        )


def _keep_order(snap: Snapshot, layout: _Layout) -> None:
    """Where the remote keeps an order and the imported names would sort otherwise, number
    the children of that folder with ``order`` (1, 2, …), so the next plan moves nothing."""
    paths = {f"c:{cid}": path for cid, path in layout.category_paths.items()}
    articles = {p.path: p for p in layout.docs if p.source is None}
    paths.update({f"a:{p.remote.id}": path for path, p in articles.items()})
    for cid in ["", *layout.category_paths]:
        kids = [k for k in snap.order.get(cid, ()) if k in paths]
        natural = sorted(kids, key=lambda k: rank(None, k.startswith("c:"), paths[k]))
        if natural == kids:
            continue
        for n, key in enumerate(kids, start=1):
            if key.startswith("c:"):
                layout.category_order[paths[key]] = n
            else:
                articles[paths[key]].front["order"] = n


def image_name(url: str) -> tuple[str, str]:
    """The (base, extension) a downloaded image is named by: the URL's last segment, in
    letters, digits, ``.``, ``_`` and ``-`` (what Markdown links carry unescaped)."""
    name = _IMAGE_NAME.sub("-", unquote(posixpath.basename(urlsplit(url).path)))
    base, ext = split_extension(name)
    return base, ext or ".png"


def _place_images(
    content: RemoteContent, layout: _Layout, root: Path, old: Lockfile | None = None
) -> None:
    by_sha = {sha: img.path for sha, img in (old.images if old else {}).items()}
    folders: dict[str, set[str]] = {}
    for planned in layout.docs:
        if planned.existing:
            continue
        folder = posixpath.join(posixpath.dirname(planned.path), IMAGES_FOLDER)
        for m in _IMG_SRC.finditer(planned.html):
            url = htmllib.unescape(m.group("url"))
            if url in layout.images:
                continue
            data = content.images.get(url)
            if data is None:
                continue
            if sniff_image(data) is None:
                layout.notes.append(
                    f"{planned.path}: {url} is not an image hcsync can upload; left as a link"
                )
                continue
            sha = hashlib.sha256(data).hexdigest()
            if sha in by_sha:
                layout.images[url] = (by_sha[sha], sha, data)
                continue
            if folder not in folders:
                folders[folder] = names_in(root, folder)
            base, ext = image_name(url)
            name = unique_name(base, ext, folders[folder], default="image")
            by_sha[sha] = posixpath.join(folder, name)
            layout.images[url] = (by_sha[sha], sha, data)


def _relative(target: str, from_path: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(from_path) or ".")


def _doc_urls(snap: Snapshot, layout: _Layout) -> dict[str, str]:
    """Every URL an article or translation is reachable at → its file path."""
    urls: dict[str, str] = {}
    for planned in layout.docs:
        doc = planned.remote
        for url in (doc.url, doc.url_for(doc.slug)):
            if url:
                urls.setdefault(url, planned.path)
    return urls


def _localise(planned: _Planned, doc_urls: Mapping[str, str], layout: _Layout) -> str:
    """The document's HTML with links to articles and images made relative to its file."""

    def swap(m: re.Match[str]) -> str:
        url = htmllib.unescape(m.group("url"))
        base, hash_, fragment = url.partition("#")
        if m.group("attr").strip().startswith("src"):
            image = layout.images.get(url)
            if image is None:
                return m.group(0)
            return f'{m.group("attr")}{htmllib.escape(_relative(image[0], planned.path))}"'
        target = doc_urls.get(base)
        if target is None:
            return m.group(0)
        rel = _relative(target, planned.path) + (hash_ + fragment if hash_ else "")
        return f'{m.group("attr")}{htmllib.escape(rel)}"'

    return _URL_ATTR.sub(swap, planned.html)


def _dump_front(front: Mapping[str, Any]) -> str:
    text = yaml.safe_dump(
        dict(front), sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False
    )
    return f"---\n{text}---\n"


# ---- the import ------------------------------------------------------------------------


def content_files(root: Path) -> list[Path]:
    """Markdown and ``_category.yml`` files under ``root`` (hidden folders skipped)."""
    if not root.is_dir():
        return []
    found = []
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() and (path.suffix == ".md" or path.name == CATEGORY_FILE):
            found.append(path)
    return found


def write_config(directory: Path, settings: Mapping[str, Any]) -> Path:
    """Write a new ``hcsync.yml`` with ``settings`` (in their order; refuses to replace one)."""
    path = directory / CONFIG_NAME
    if path.exists():
        raise ImportRefusedError(f"{path} exists already")
    lines = ["# Written by `hcsync import`."]
    for key, value in settings.items():
        if isinstance(value, Mapping):
            lines.append(f"{key}:" if value else f"{key}: {{}}")
            lines += [f"  {k}: {_yaml_scalar(str(v))}" for k, v in value.items()]
        elif isinstance(value, list | tuple):
            lines.append(f"{key}: [{', '.join(_yaml_scalar(str(v)) for v in value)}]")
        else:
            lines.append(f"{key}: {_yaml_scalar(str(value))}")
    return write_file(directory, CONFIG_NAME, "\n".join(lines) + "\n", exclusive=True)


_TARGET_KEYS = {
    BackendName.HELPCENTER: ("center_id",),
    BackendName.CLICKHELP: ("portal_url", "project_id", "publication_id"),
}


def new_config(
    directory: Path,
    folder: str,
    flags: Mapping[str, str | None],
    connect: Callable[[Config], Backend],
) -> Config:
    """Write ``hcsync.yml`` for an import into a folder that has none, from the command's
    flags (which help center) and what the remote tells of itself (:meth:`describe`), and load
    it. ``connect`` makes a backend for a draft config."""
    given = {k: v for k, v in flags.items() if v}
    if given.get("center_id"):
        kind = BackendName.HELPCENTER
    elif given.get("portal_url") and given.get("project_id"):
        kind = BackendName.CLICKHELP
    else:
        raise UsageError(
            f"no {CONFIG_NAME} in {directory}: pass --center-id (Help.Center) or --portal-url "
            "and --project-id (ClickHelp), with --base-url for an emulator"
        )
    stray = sorted(k for k in given if k not in (*_TARGET_KEYS[kind], "base_url"))
    if stray:
        raise UsageError(
            f"--{stray[0].replace('_', '-')} is not a {kind.value} setting "
            f"(this import is for {kind.value}: it was given "
            f"--{_TARGET_KEYS[kind][0].replace('_', '-')})"
        )
    draft = Config(
        path=directory / CONFIG_NAME,
        root=directory,
        backend=kind,
        center_id=given.get("center_id"),
        portal_url=given.get("portal_url"),
        project_id=given.get("project_id"),
        # describe() reads no publication; the real one is chosen below.
        publication_id=given.get("publication_id") or "-",
        base_url=given.get("base_url"),
        content=directory / folder,
        lockfile=directory / "hcsync.lock",
    )
    found = connect(draft).describe()
    settings: dict[str, Any] = {"backend": kind.value}
    for key in _TARGET_KEYS[kind]:
        value = given.get(key) or found.get(key)
        if not value:
            raise UsageError(
                f"pass --{key.replace('_', '-')}: the project has "
                + ("no publication yet" if key == "publication_id" else f"no {key}")
                + (
                    ' or more than one (ClickHelp: the publication that "published" means; '
                    "it is created on the first publish if missing)"
                    if key == "publication_id"
                    else ""
                )
            )
        settings[key] = value
    if given.get("base_url"):
        settings["base_url"] = given["base_url"]
    settings["content"] = folder
    settings["default_language"] = found["default_language"]
    settings["languages"] = sorted(found.get("languages") or ())
    if found.get("language_projects"):
        settings["language_projects"] = found["language_projects"]
    settings["default_status"] = Status.PUBLISHED.value
    settings["prune"] = "report"
    (directory / folder).mkdir(parents=True, exist_ok=True)
    write_config(directory, settings)
    return load_config(directory)


def _yaml_scalar(value: str) -> str:
    return yaml.safe_dump(value, default_style=None).strip().removesuffix("\n...").strip()


def check_config(config: Config, snap: Snapshot, used_languages: Iterable[str]) -> None:
    """Refuse an import the existing ``hcsync.yml`` cannot describe."""
    if config.default_language != snap.default_language:
        raise ImportRefusedError(
            f"hcsync.yml: default_language is {config.default_language!r}, but the help center's "
            f"is {snap.default_language!r}; set default_language: {snap.default_language}"
        )
    missing = sorted(set(used_languages) - set(config.languages))
    if missing:
        wanted = sorted(set(config.languages) | set(missing))
        raise ImportRefusedError(
            f"hcsync.yml: the help center has translations into {', '.join(missing)}, which "
            f"'languages' does not list; set languages: [{', '.join(wanted)}]"
        )


def _earlier_import(config: Config, snap: Snapshot) -> Lockfile | None:
    """The lockfile of an earlier (partial) import to complete, None for a fresh import.

    Refuses when the content root holds Markdown or category files the lockfile does not
    record (files written by hand: ``hcsync import --adopt``'s job), when files it records
    are gone (deleted on purpose, maybe: import does not bring them back), or when the
    lockfile is for another help center."""
    root = config.content
    _refuse_links(root)
    old = lockmod.load(config.lockfile)
    recorded = {*old.entries, *(posixpath.join(p, CATEGORY_FILE) for p in old.categories)}
    unknown = [f for f in content_files(root) if f.relative_to(root).as_posix() not in recorded]
    if unknown:
        raise ImportRefusedError(
            f"{root} already holds {len(unknown)} content file(s) that {config.lockfile.name} "
            "does not record; import writes into an empty folder or completes its own earlier "
            "import (to match files that exist, run `hcsync import --adopt`)"
        )
    if not (old.entries or old.categories):
        return None
    missing = sorted(p for p in recorded if not (root / p).is_file())
    if missing:
        raise ImportRefusedError(
            f"{config.lockfile.name} records {len(missing)} file(s) that are not in {root} "
            f"({missing[0]}, …): import does not write them again; remove "
            f"{config.lockfile.name} first, or run `hcsync import --adopt`"
        )
    if (old.backend, old.target) != (config.backend.value, snap.target):
        raise ImportRefusedError(
            f"{config.lockfile.name} is for another help center ({old.target}); remove it "
            "first, or run `hcsync import --adopt`"
        )
    return old


def _refuse_links(root: Path) -> None:
    """Refuse a content root with a symbolic link in it (hidden folders aside): the import
    writes nothing through a link, and the loader would not read the tree the same way."""
    for here, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") or Path(here, d).is_symlink()]
        for name in sorted(dirs + files):
            path = Path(here, name)
            if path.is_symlink():
                raise ImportRefusedError(
                    f"{path.relative_to(root.parent).as_posix()} is a symbolic link; import "
                    "writes no file through a link: remove it, or import into another folder"
                )


def import_tree(
    config: Config,
    backend: Backend,
    content: RemoteContent,
    *,
    progress: Callable[[str], None] | None = None,
) -> ImportResult:
    """Write the content tree and the lockfile for ``content`` (read by :func:`read_remote`).

    A document that cannot be written (a name the writer refuses, HTML too deep to convert)
    is skipped and listed; the rest is written and recorded. Run again, the import completes
    what the lockfile does not record yet and keeps what it does (see :func:`_earlier_import`).
    """
    root = config.content
    snap = content.snapshot
    old = _earlier_import(config, snap)
    check_config(config, snap, {lang for _, lang in content.translations})
    layout = _layout(content, backend, config, old)
    doc_urls = _doc_urls(snap, layout)
    written = _write_tree(root, layout, doc_urls, config)
    if progress:
        progress(f"wrote {len(written)} files; checking that they render back")

    site = load_site(config)
    lock = old or Lockfile(backend=config.backend.value, target=snap.target)
    for path, cat in layout.categories.items():
        loaded = site.categories.get(path)
        if loaded is not None and path not in layout.existing and path in written:
            lock.categories[path] = LockCategory(path=path, id=cat.id, hash=loaded.content_hash)
    for url, (image_path, sha, _data) in layout.images.items():
        if image_path in written:
            lock.images.setdefault(sha, LockImage(sha256=sha, url=url, path=image_path))
    new = [p for p in layout.docs if p.path in written]
    remote_of = {p.path: p.remote for p in new}
    inexact, notes = record_entries(site, lock, remote_of, {p.path: p.source for p in new})
    lockmod.save(lock, config.lockfile)
    leftover = check_plan(site, lock, snap, content.translations)
    return ImportResult(
        root=root,
        articles=sum(1 for p in new if p.source is None),
        translations=sum(1 for p in new if p.source is not None),
        categories=sum(1 for p in layout.categories if p in written),
        images=len({v[0] for v in layout.images.values() if v[0] in written}),
        calls=backend.stats.calls,
        inexact=tuple(inexact),
        notes=tuple(layout.notes + notes),
        leftover=leftover,
        skipped=tuple(layout.skipped),
        resumed=sum(1 for p in layout.docs if p.existing),
    )


def _category_yaml(cat: RemoteCategory, path: str, layout: _Layout, config: Config) -> str:
    data: dict[str, Any] = {"name": cat.name}
    if cat.description.strip():
        data["description"] = cat.description.strip()
    if path in layout.category_order:
        data["order"] = layout.category_order[path]
    names = {
        lang: {"name": name, **({"description": desc.strip()} if desc.strip() else {})}
        for lang, name, desc in cat.translations
        if lang in config.languages and name.strip()
    }
    if names:
        data["translations"] = names
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1_000_000)


def _write_tree(
    root: Path, layout: _Layout, doc_urls: Mapping[str, str], config: Config
) -> set[str]:
    """Write the new categories, documents and their images through the safe writer; what
    cannot be written is added to ``layout.skipped``. Returns the paths written (folders for
    categories)."""
    written: set[str] = set()
    lost: dict[str, str] = {}
    """Category folder or article path not written → why (what is inside or translates it
    is skipped too)."""
    for path, cat in layout.categories.items():
        if path in layout.existing:
            continue
        why = _blocked(path, lost)
        if why is None:
            why = _try_write(
                root, f"{path}/{CATEGORY_FILE}", _category_yaml(cat, path, layout, config)
            )
        if why is None:
            written.add(path)
        else:
            lost[path] = why
            layout.skipped.append(Skipped(path=path, remote_id=cat.id, reason=why))
    for planned in layout.docs:
        if planned.existing:
            continue
        why = _blocked(posixpath.dirname(planned.path), lost) or (
            f"its article was skipped ({lost[planned.source]})" if planned.source in lost else None
        )
        if why is None:
            why = _write_doc(root, planned, doc_urls, layout, written)
        if why is None:
            written.add(planned.path)
        else:
            lost[planned.path] = why
            layout.skipped.append(
                Skipped(path=planned.path, remote_id=planned.remote.id, reason=why)
            )
    return written


def _blocked(folder: str, lost: Mapping[str, str]) -> str | None:
    while folder:
        if folder in lost:
            return f"its category {folder} was skipped"
        folder = posixpath.dirname(folder)
    return None


def _try_write(root: Path, rel: str, data: str | bytes) -> str | None:
    try:
        write_file(root, rel, data, exclusive=True)
    except UnsafePathError as exc:
        return str(exc)
    return None


def _write_doc(
    root: Path,
    planned: _Planned,
    doc_urls: Mapping[str, str],
    layout: _Layout,
    written: set[str],
) -> str | None:
    """Write one document and the images it shows; the reason it cannot be, or None."""
    try:
        body = html_to_markdown(_localise(planned, doc_urls, layout))
    except (TooDeepError, RecursionError) as exc:
        return str(exc) if isinstance(exc, TooDeepError) else "HTML nested too deep to convert"
    for m in _IMG_SRC.finditer(planned.html):
        image = layout.images.get(htmllib.unescape(m.group("url")))
        if image is None or image[0] in written:
            continue
        image_path, _sha, data = image
        if read_existing(root, image_path) != data:
            why = _try_write(root, image_path, data)
            if why is not None:
                return why
        written.add(image_path)
    return _try_write(root, planned.path, _dump_front(planned.front) + "\n" + body)


def doc_urls_for(desired: Desired, remote_of: Mapping[str, RemoteDoc]) -> dict[str, str]:
    """The URL the diff gives each document: the remote's URL with the file's slug."""
    urls: dict[str, str] = {}
    for doc in desired.articles + desired.translations:
        remote = remote_of.get(doc.path)
        url = remote.url_for(doc.slug) if remote else None
        if url:
            urls[doc.path] = url
    return urls


def record_entries(
    site: Site,
    lock: Lockfile,
    remote_of: Mapping[str, RemoteDoc],
    sources: Mapping[str, str | None],
) -> tuple[list[Inexact], list[str]]:
    """Lockfile entries that make the diff call each file "unchanged" against its remote
    document; returns the documents that do not round-trip exactly, and notes."""
    desired = desired_from_site(site)
    urls = doc_urls_for(desired, remote_of)
    images = {sha: img.url for sha, img in lock.images.items()}
    inexact: list[Inexact] = []
    notes: list[str] = []
    for doc in desired.articles + desired.translations:
        remote = remote_of.get(doc.path)
        if remote is None:
            continue
        if sources.get(doc.path) != doc.source:
            notes.append(f"{doc.path}: read as a translation of {doc.source}, not as imported")
        sent_html = resolve_lenient(doc.html, urls, images)
        lock.entries[doc.path] = LockEntry(
            path=doc.path,
            id=remote.id,
            language=doc.language,
            source=doc.source,
            slug=doc.slug,
            category=doc.category,
            local_hash=digest(desired.renderer, doc.title, sent_html),
            remote_hash=html_hash(remote.html),
            remote_version=remote.version,
            status=doc.status,
            url=urls.get(doc.path),
        )
        fields = _differences(doc, remote, sent_html)
        if fields:
            text_diff = None
            if "content" in fields:
                import difflib

                lines = difflib.unified_diff(
                    html_text(remote.html or ""),
                    html_text(sent_html),
                    fromfile=f"remote/{doc.path}",
                    tofile=f"file/{doc.path}",
                    lineterm="",
                    n=0,
                )
                text_diff = "\n".join(lines) or "(markup only; the text is the same)"
            inexact.append(Inexact(path=doc.path, fields=fields, diff=text_diff))
    return inexact, notes


def _differences(doc: DesiredDoc, remote: RemoteDoc, sent_html: str) -> tuple[str, ...]:
    out = []
    if sent_html != (remote.html or ""):
        out.append("content")
    if doc.title != remote.title:
        out.append("title")
    if remote.slug and doc.slug != remote.slug:
        out.append("slug")
    if (doc.seo_title or None) != (remote.seo_title or None):
        out.append("seo.title")
    if (doc.seo_description or None) != (remote.seo_description or None):
        out.append("seo.description")
    return tuple(out)


def check_plan(
    site: Site,
    lock: Lockfile,
    snap: Snapshot,
    translations: Mapping[tuple[str, str], RemoteDoc],
) -> tuple[Action, ...]:
    """The actions the next ``hcsync plan`` would show (what it reads, the way it reads it)."""
    desired = desired_from_site(site)
    pairs = translation_pairs(desired, lock, snap, resolve=resolve_lenient)
    fetched = {p: translations.get(p) for p in pairs}
    plan = diff(desired, lock, replace(snap, translations=fetched), resolve=resolve_lenient)
    return plan.actions


def config_for_import(directory: Path, into: str | None) -> Config:
    """The config an import writes under: ``hcsync.yml`` in ``directory``."""
    config = load_config(directory)
    if into is not None and (directory / into).resolve() != config.content.resolve():
        raise UsageError(
            f"hcsync.yml says content: {config.content}; --into {into} disagrees "
            "(change 'content:' or drop --into)"
        )
    return config
