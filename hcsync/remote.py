"""The remote help center as plain data: what a backend returns and what ``diff`` reads.

Platform wire shapes never leave their backend module; this is the common picture.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field


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

    def fingerprint(self) -> str:
        """A digest of the whole snapshot: a saved plan is stale once this changes."""
        data = {
            "target": self.target,
            "default_language": self.default_language,
            "languages": list(self.languages),
            "categories": [asdict(c) for c in self.categories],
            "articles": {k: _doc_json(v) for k, v in sorted(self.articles.items())},
            "translations": {
                f"{k[0]}/{k[1]}": (_doc_json(v) if v else None)
                for k, v in sorted(self.translations.items())
            },
        }
        raw = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _doc_json(doc: RemoteDoc) -> dict[str, object]:
    data = asdict(doc)
    data["state"] = doc.state.value
    data["html"] = html_hash(doc.html) if doc.html is not None else None
    data["live_languages"] = list(doc.live_languages)
    return data
