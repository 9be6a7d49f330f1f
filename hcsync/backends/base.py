"""The Backend protocol: what the executor and the planner's orchestration need from a help
center, in hcsync's own terms. Each platform maps its model onto this in its own module.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from hcsync.backends.http import CallStats
from hcsync.remote import RemoteCategory, RemoteDoc, Snapshot

TOP_LEVEL = ""
"""``Metadata.category_id`` that moves an article out of every category."""


@dataclass(frozen=True, slots=True)
class Position:
    """Where a new category or article goes among its siblings, for a platform that keeps an
    order: right after ``after`` (``("category" | "article", id)``), or first when None."""

    after: tuple[str, str] | None = None


CategoryTranslations = Sequence[tuple[str, str, str]]
"""(language, name, description) of a category's name in each additional language."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Metadata:
    """Fields that change without a new draft. ``None`` means "leave as is"."""

    category_id: str | None = None
    """The category to move to; :data:`TOP_LEVEL` for the top of the table of contents (only
    on a platform where articles need no category)."""
    slug: str | None = None
    seo_title: str | None = None
    seo_description: str | None = None

    def is_empty(self) -> bool:
        return all(
            v is None for v in (self.category_id, self.slug, self.seo_title, self.seo_description)
        )


class Backend(Protocol):
    """One hosted help center. Every method raises ``BackendError`` on a refusal."""

    name: str

    @property
    def stats(self) -> CallStats: ...

    def snapshot(self) -> Snapshot:
        """Categories and every article's draft, with the fewest calls. The draft's HTML is
        included where the platform's listing carries it (see :meth:`with_html`)."""
        ...

    def fetch_translations(
        self, pairs: Collection[tuple[str, str]]
    ) -> Mapping[tuple[str, str], RemoteDoc | None]:
        """The translation drafts of these (article id, language) pairs; None if absent."""
        ...

    def describe(self) -> dict[str, Any]:
        """The ``hcsync.yml`` settings the remote itself gives, for ``hcsync import`` into a
        folder with none: ``default_language``, ``languages`` and the platform's own keys
        (ClickHelp: ``language_projects``, and ``publication_id`` when there is only one).
        Read-only, one call."""
        ...

    def with_translated_names(self, categories: Sequence[RemoteCategory]) -> list[RemoteCategory]:
        """These categories (from :meth:`snapshot`) with their names in the other languages,
        for a platform whose listing leaves them out (ClickHelp: one call per language)."""
        ...

    def with_html(self, docs: Sequence[RemoteDoc]) -> list[RemoteDoc]:
        """These documents (from :meth:`snapshot` or :meth:`fetch_translations`) with their
        draft HTML, in the same order: a document listed without it (``html`` None: ClickHelp's
        lists carry no bodies) is read on its own, one call each. Read-only."""
        ...

    def download_image(self, url: str) -> bytes | None:
        """The bytes of an image the platform hosts (read-only; used by ``hcsync import``).

        None when ``url`` is not one of the platform's own images (a third-party URL is left
        as a link, and no credential is ever sent to another host)."""
        ...

    def create_category(
        self,
        *,
        name: str,
        description: str,
        icon: str | None,
        parent_id: str | None,
        translations: CategoryTranslations = (),
        position: Position | None = None,
    ) -> RemoteCategory:
        """``translations``: (language, name, description) of its name in other languages.
        ``position``: where it goes (None: wherever the platform puts new ones)."""
        ...

    def update_category(
        self,
        category_id: str,
        *,
        name: str,
        description: str,
        icon: str | None,
        translations: CategoryTranslations = (),
    ) -> None: ...

    def delete_category(self, category_id: str) -> None: ...

    def upload_image(self, *, filename: str, data: bytes, mime: str) -> str:
        """Upload an image; returns the URL to reference it by."""
        ...

    def create_article(
        self,
        *,
        title: str,
        html: str,
        category_id: str | None,
        seo_title: str | None,
        seo_description: str | None,
        slug: str | None = None,
        position: Position | None = None,
    ) -> RemoteDoc:
        """Create a draft (never retried blindly: see :meth:`find_article`). ``slug`` is the
        one wanted, for platforms that key a document by it (others set it afterwards with
        :meth:`update_metadata`). ``position`` as for :meth:`create_category`."""
        ...

    def find_article(self, *, title: str, known_ids: Collection[str]) -> RemoteDoc | None:
        """After a create failed in flight: an article titled ``title`` not in ``known_ids``."""
        ...

    def created_meanwhile(
        self, *, title: str, category_id: str | None, known_ids: Collection[str]
    ) -> RemoteDoc | None:
        """Just before a create: an article titled ``title`` in that category, not in
        ``known_ids``, that was made after the plan's snapshot (by another apply running at the
        same time): the create would duplicate it. A read. None without a call on a platform
        whose create refuses a duplicate itself (ClickHelp: the slug is the topic id)."""
        ...

    def update_draft(self, article_id: str, *, title: str, html: str) -> RemoteDoc: ...

    def update_metadata(self, article_id: str, meta: Metadata) -> RemoteDoc: ...

    def publish(self, article_id: str) -> RemoteDoc: ...

    def unpublish(self, article_id: str) -> RemoteDoc: ...

    def delete_article(self, article_id: str) -> None: ...

    def put_translation(
        self, article_id: str, language: str, *, title: str, html: str
    ) -> RemoteDoc: ...

    def update_translation_metadata(
        self, article_id: str, language: str, meta: Metadata
    ) -> RemoteDoc: ...

    def publish_translation(self, article_id: str, language: str) -> RemoteDoc: ...

    def unpublish_translation(self, article_id: str, language: str) -> RemoteDoc: ...

    def delete_translation(self, article_id: str, language: str) -> None: ...

    def reorder(self, parent_id: str | None, children: Sequence[tuple[str, str]]) -> None:
        """Put these children of a category (``None``: the top level) in this order, with the
        fewest moves: ``("category", id)`` and ``("article", id)``. Children not listed stay
        where they are. Only asked of a platform whose snapshot has ``features.ordering``."""
        ...

    def flush(self) -> None:
        """Carry out the writes the backend deferred (ClickHelp publishes in one task per
        publication); nothing for a platform that publishes per call. The executor calls it
        at the end of a run; raises ``BackendError`` if the deferred writes failed."""
        ...
