"""The remote help center as plain data: what a backend returns and what ``diff`` reads.

Platform wire shapes never leave their backend module; this is the common picture.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field


class LiveState(enum.Enum):
    """Whether a document is live, and whether its draft differs from the live version."""

    UNPUBLISHED = "unpublished"
    """Not live (never published, or taken down)."""
    PUBLISHED = "published"
    """Live, and the draft equals the live version."""
    CHANGED = "published_with_changes"
    """Live, and the draft holds edits that are not live yet."""

    @property
    def live(self) -> bool:
        return self is not LiveState.UNPUBLISHED


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteCategory:
    """A category (Help.Center) or folder (ClickHelp) on the remote."""

    id: str
    name: str
    description: str = ""
    parent_id: str | None = None
    translations: tuple[tuple[str, str, str], ...] = ()
    """(language, name, description) of its translated names. Empty where the platform's
    listing leaves them out (ClickHelp) until ``Backend.with_translated_names`` reads them."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteDoc:
    """The draft of an article, or of one translation of it, as the remote holds it."""

    id: str
    """Remote article id; a translation carries the id of its article."""
    language: str
    title: str
    html: str | None
    """Draft HTML as stored (sanitised by the platform); None if the backend did not fetch it."""
    state: LiveState
    version: str
    """The remote's change marker (``updated_at``); any web edit changes it."""
    slug: str | None = None
    category_id: str | None = None
    seo_title: str | None = None
    seo_description: str | None = None
    url: str | None = None
    """Public URL while live; None otherwise."""
    live_languages: tuple[str, ...] = ()
    """For an article: the languages whose translation is live."""
    placeholder: bool = False
    """A translation the platform holds only as an untouched copy of its article (ClickHelp
    language versions mirror every topic): nothing was ever written in its language. Import
    skips it; the plan treats it like any draft."""
    link_base: str | None = None
    """The public URL without its trailing slug: ``link_base + slug`` is where the document
    is (or will be, once published) with that slug. None when the platform gives no way to
    know it yet."""

    def url_for(self, slug: str | None) -> str | None:
        """The public URL with ``slug``; the live ``url`` when no base is known."""
        if self.link_base is not None and slug:
            return self.link_base + slug
        return self.url


def html_hash(html: str | None) -> str:
    """sha256 of HTML as the remote stores it (the lockfile records this after every write)."""
    return hashlib.sha256((html or "").encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteFeatures:
    """What the remote can store; the planner reports what it cannot instead of planning a
    write that would fail or never settle."""

    platform: str = "the help center"
    """How messages name the platform."""
    seo: bool = True
    """Articles have an SEO title and description."""
    slug_change: bool = True
    """An article's slug can change after it was created."""
    category_descriptions: bool = True
    """Categories have a description."""
    category_icons: bool = True
    """Categories have an icon."""
    translation_slugs: bool = True
    """A translation can have a slug of its own."""
    ordering: bool = False
    """Articles and categories have a position the API can set (``Snapshot.order``)."""
    create_takes_slug: bool = False
    """A create sets the slug (ClickHelp: the topic id); else the platform derives one from the
    title and a different one takes a metadata write."""
    unique_slugs: bool = False
    """An article's slug identifies it in the whole help center (a create with a slug in use
    is refused), so a file is matched to an article by slug alone; else slug and category."""
    translation_delete: bool = True
    """A translation can be deleted on its own. ClickHelp's language-version topics follow the
    base project's: a translation can only be taken out of the publication (unpublished)."""


PLATFORM_FEATURES = {
    # Help.Center keeps no order: articles and categories have no position in the API (§9).
    "helpcenter": RemoteFeatures(platform="Help.Center", ordering=False),
    # ClickHelp topics have no SEO fields and their id (the slug) cannot change; folders are
    # captions only; the TOC has an order (clickhelp.md §2, §3.3).
    "clickhelp": RemoteFeatures(
        platform="ClickHelp",
        seo=False,
        slug_change=False,
        category_descriptions=False,
        category_icons=False,
        translation_slugs=False,
        ordering=True,
        create_takes_slug=True,
        unique_slugs=True,
        translation_delete=False,
    ),
}
"""What each platform can store, by ``backend:`` name (also for plans made without calls)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """Everything the planner knows about the remote at one moment."""

    target: str
    """The center / project the snapshot was read from."""
    default_language: str
    languages: tuple[str, ...]
    """Languages other than the default that the remote accepts for translations."""
    categories: tuple[RemoteCategory, ...] = ()
    articles: Mapping[str, RemoteDoc] = field(default_factory=dict)
    """Article id → its draft in the default language."""
    translations: Mapping[tuple[str, str], RemoteDoc | None] = field(default_factory=dict)
    """(article id, language) → the translation draft, for the pairs that were fetched;
    None means fetched and absent. Pairs not fetched are not keys."""
    features: RemoteFeatures = field(default_factory=RemoteFeatures)
    """What the remote can store (static per platform, so not part of the fingerprint)."""
    order: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Where the platform has an order: category id (``""`` for the top level) → its
    children in order, as ``c:<category id>`` and ``a:<article id>``."""
    images: Mapping[str, str] = field(default_factory=dict)
    """sha256 → URL of images the help center hosts, where known: read (downloaded) only
    for the articles a plan adopts, so their images are recorded instead of uploaded again."""

    def fingerprint(self) -> str:
        """A digest of the whole snapshot: a saved plan is stale once this changes."""
        h = hashlib.sha256()
        for part in (self.target, self.default_language, *self.languages):
            h.update(part.encode("utf-8") + b"\0")
        for cat in self.categories:
            h.update(f"c\0{cat.id}\0{cat.name}\0{cat.description}\0{cat.parent_id}\0".encode())
            for lang, name, description in cat.translations:
                h.update(f"ct\0{lang}\0{name}\0{description}\0".encode())
        for key, doc in sorted(self.articles.items()):
            h.update(f"a\0{key}\0".encode() + _doc_digest(doc))
        for (aid, lang), tdoc in sorted(self.translations.items()):
            h.update(f"t\0{aid}\0{lang}\0".encode() + (_doc_digest(tdoc) if tdoc else b"-"))
        for parent, children in sorted(self.order.items()):
            h.update(f"o\0{parent}\0{','.join(children)}\0".encode())
        for sha, url in sorted(self.images.items()):
            h.update(f"i\0{sha}\0{url}\0".encode())
        return h.hexdigest()


def _doc_digest(doc: RemoteDoc) -> bytes:
    fields = (
        doc.id,
        doc.language,
        doc.title,
        html_hash(doc.html) if doc.html is not None else "-",
        doc.state.value,
        doc.version,
        doc.slug,
        doc.category_id,
        doc.seo_title,
        doc.seo_description,
        doc.url,
        ",".join(doc.live_languages),
        doc.link_base,
    )
    return "\0".join("" if f is None else str(f) for f in fields).encode("utf-8") + b"\0"
