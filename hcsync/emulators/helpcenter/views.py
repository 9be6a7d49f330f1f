"""JSON shapes of the emulated API (helpcenter.md §3, §4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .store import Article, Category, Center, Store, Translation, iso


@dataclass(frozen=True, slots=True)
class Urls:
    """How public URLs are built for one center.

    A center created with a ``domain`` gets ``https://{domain}/...`` as on the real service;
    one without gets the base URL the emulator was reached at (``http://127.0.0.1:8080``), so
    its ``url`` and ``preview_url`` open the emulated public help center [emulator decision].
    """

    site: str
    """Scheme and host of the public site, no trailing slash."""
    domain: str
    """What E1 reports as ``domain``."""

    @classmethod
    def for_center(cls, center: Center, request_base: str) -> Urls:
        """URLs for ``center`` when the request came in at ``request_base``."""
        base = request_base.rstrip("/")
        if center.domain:
            return cls(site=f"https://{center.domain}", domain=center.domain)
        return cls(site=base, domain=base.split("://", 1)[-1])

    def article(self, article: Article) -> str:
        """Public URL of a live article."""
        return f"{self.site}/article/{article.slug_id}-{article.slug}"

    def preview(self, article: Article) -> str:
        """Where the draft can be seen (§14 C5: the seed's form)."""
        return f"{self.site}/article/preview-{article.preview_token}"

    def translation(self, article: Article, tr: Translation) -> str:
        """Public URL of a live translation (§4.4)."""
        return f"{self.site}/{tr.language}/article/{article.slug_id}-{tr.slug}"


def api_path(center_id: str, suffix: str = "") -> str:
    """The ``url`` written into list and count bodies (§3): always under ``/api/v0``."""
    return f"/api/v0/centers/{center_id}{suffix}"


def center_json(center: Center, urls: Urls) -> dict[str, Any]:
    """E1's Center object (§4.1)."""
    return {
        "id": center.id,
        "object": "center",
        "name": center.name,
        "domain": urls.domain,
        "default_language": center.default_language,
        "additional_languages": list(center.additional_languages),
        "created_at": iso(center.created_at),
    }


def _seo(title: str | None, desc: str | None) -> dict[str, str | None]:
    return {"metaTitle": title, "metaDesc": desc}


def _content(html: str | None, text: str | None) -> dict[str, str]:
    return {"html": html or "", "text": text or ""}


def draft_json(
    store: Store, article: Article, urls: Urls, *, content: bool, languages: list[str] | None = None
) -> dict[str, Any]:
    """The Draft object (§4.3). ``url`` is present only while the article is live."""
    out: dict[str, Any] = {
        "id": article.id,
        "object": "draft",
        "center_id": article.center_id,
        "category_id": article.category_id,
        "slug_id": article.slug_id,
        "slug": article.slug,
        "title": article.title,
        "status": article.status,
        "has_unpublished_changes": article.status != "published",
        "seo": _seo(article.seo_title, article.seo_desc),
    }
    if article.live:
        out["url"] = urls.article(article)
    out["preview_url"] = urls.preview(article)
    out["translations"] = (
        languages if languages is not None else store.published_languages(article.id)
    )
    out["created_at"] = iso(article.created_at)
    out["updated_at"] = iso(article.updated_at)
    out["published_at"] = iso(article.published_at)
    if content:
        out["content"] = _content(article.html, article.text)
    return out


def article_json(
    store: Store, article: Article, urls: Urls, *, content: bool, languages: list[str] | None = None
) -> dict[str, Any]:
    """The published Article object (§4.2); the article must be live."""
    out: dict[str, Any] = {
        "id": article.id,
        "object": "article",
        "center_id": article.center_id,
        "category_id": article.category_id,
        "slug_id": article.slug_id,
        "slug": article.slug,
        "title": article.live_title,
        "status": "published",
        "seo": _seo(article.seo_title, article.seo_desc),
        "url": urls.article(article),
        "preview_url": urls.preview(article),
        "translations": (
            languages if languages is not None else store.published_languages(article.id)
        ),
        "created_at": iso(article.created_at),
        "updated_at": iso(article.updated_at),
        "published_at": iso(article.published_at),
    }
    if content:
        out["content"] = _content(article.live_html, article.live_text)
    return out


def translation_json(
    article: Article, tr: Translation, urls: Urls, *, published: bool, content: bool
) -> dict[str, Any]:
    """The Translation object (§4.4): the live view (E20) or the draft view (E21-E26)."""
    out: dict[str, Any] = {
        "id": article.id,
        "object": "translation",
        "language": tr.language,
        "title": tr.live_title if published else tr.title,
        "slug": tr.slug,
        "status": "published" if published else tr.status,
        "has_unpublished_changes": False if published else tr.status != "published",
        "seo": _seo(tr.seo_title, tr.seo_desc),
    }
    if tr.live:
        out["url"] = urls.translation(article, tr)
    out["created_at"] = iso(tr.created_at)
    out["updated_at"] = iso(tr.updated_at)
    out["published_at"] = iso(tr.published_at)
    if content:
        out["content"] = (
            _content(tr.live_html, tr.live_text) if published else _content(tr.html, tr.text)
        )
    return out


def _category_json(cat: Category) -> dict[str, Any]:
    return {
        "id": cat.id,
        "name": cat.name,
        "description": cat.description,
        "slug": cat.slug,
        "slug_id": cat.slug_id,
        "translations": cat.translations,
    }


def categories_json(center_id: str, categories: list[Category]) -> dict[str, Any]:
    """The category tree (§4.5): top-level categories with their ``children``, no paging."""
    data = []
    for cat in categories:
        if cat.parent_id is None:
            item = _category_json(cat)
            item["children"] = [_category_json(c) for c in categories if c.parent_id == cat.id]
            data.append(item)
    return {"object": "list", "url": api_path(center_id, "/articles/categories"), "data": data}
