"""The article-management endpoints E1-E28 (helpcenter.md §2, §5-§10), as plain functions.

Each handler runs after the app has checked the route, the key, the rate limit, the center and
the scope (steps 1-6 of §2), and after the body has been parsed. It validates the body and the
query (step 7, 400), then lets the store look up resources (step 8, 404) and apply business rules
(step 9, 400).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.datastructures import QueryParams

from . import views
from .errors import ApiError, invalid_language, invalid_parameter, missing_field
from .images import MAX_IMAGE_BYTES, clean_filename, detect_type
from .store import UNSET, ApiKey, Article, Center, Store, Unset

STATUSES = ("unpublished", "published", "published_with_changes")
"""The draft status values accepted by the ``status`` filter (§4.3)."""

_EXPAND_KEY = re.compile(r"^expand(\[\d*\])?$")


@dataclass(slots=True)
class Ctx:
    """What a handler gets: the checked key and center, path parameters, query and body."""

    store: Store
    center: Center
    key: ApiKey
    params: dict[str, str]
    query: QueryParams
    body: dict[str, Any]
    urls: views.Urls
    upload: tuple[bytes, str | None] | None = None
    """For E27/E28: the ``image`` part's bytes and file name (None: no such part)."""
    base_url: str = ""


@dataclass(frozen=True, slots=True)
class Result:
    """A handler's answer: status and JSON body (None for 204)."""

    status: int
    body: Any = None


Handler = Callable[[Ctx], Result]


# -- validation helpers -----------------------------------------------------------------------


def _str_or_none(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise invalid_parameter(f"{key} must be a string")
    return value


def _nullable(body: dict[str, Any], key: str) -> str | None | Unset:
    """Present (string or null) or UNSET."""
    if key not in body:
        return UNSET
    value = body[key]
    if value is not None and not isinstance(value, str):
        raise invalid_parameter(f"{key} must be a string or null")
    return value


def _object(body: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = body.get(key)
    if value is not None and not isinstance(value, dict):
        raise invalid_parameter(f"{key} must be an object")
    return value


def _seo(
    nested: dict[str, Any] | None, top: dict[str, Any] | None = None
) -> tuple[str | None | Unset, str | None | Unset]:
    """``metaTitle``/``metaDesc`` from ``seo``, with the seed's ``title``/``description``
    aliases and (``top``) the dotted ``seo.metaTitle`` keys (§14 C2). Canonical names win."""
    sources: list[tuple[dict[str, Any], str, str]] = []
    if nested is not None:
        sources += [(nested, "metaTitle", "metaDesc"), (nested, "title", "description")]
    if top is not None:
        sources += [(top, "seo.metaTitle", "seo.metaDesc"), (top, "seo.title", "seo.description")]
    title: str | None | Unset = UNSET
    desc: str | None | Unset = UNSET
    for source, t_key, d_key in sources:
        if isinstance(title, Unset):
            title = _nullable(source, t_key)
        if isinstance(desc, Unset):
            desc = _nullable(source, d_key)
    return title, desc


def _expand_content(query: QueryParams) -> bool:
    """``expand[]=content``, ``expand=content`` and ``expand[0]=content`` all work (§5)."""
    return any(_EXPAND_KEY.match(k) and v == "content" for k, v in query.multi_items())


def _limit(query: QueryParams) -> int:
    raw = query.get("limit")
    if raw is None:
        return 50
    if not re.fullmatch(r"\d{1,4}", raw.strip()) or not 1 <= int(raw) <= 100:
        raise invalid_parameter("limit must be an integer from 1 to 100")
    return int(raw)


def _text_param(query: QueryParams, name: str) -> str | None:
    value = query.get(name)
    return value if value else None


def _status_filter(query: QueryParams) -> str | None:
    status = _text_param(query, "status")
    if status is not None and status not in STATUSES:
        raise invalid_parameter(f"status must be one of {', '.join(STATUSES)}")
    return status


def _lang(ctx: Ctx) -> str:
    lang = ctx.params["lang"]
    if lang not in ctx.center.additional_languages:
        raise invalid_language(lang)
    return lang


def _draft(ctx: Ctx, article: Article, status: int = 200) -> Result:
    return Result(status, views.draft_json(ctx.store, article, ctx.urls, content=True))


# -- center and categories --------------------------------------------------------------------


def get_center(ctx: Ctx) -> Result:
    """E1."""
    return Result(200, views.center_json(ctx.center, ctx.urls))


def _category_tree(ctx: Ctx, status: int = 200) -> Result:
    cid = ctx.center.id
    return Result(status, views.categories_json(cid, ctx.store.categories(cid)))


def list_categories(ctx: Ctx) -> Result:
    """E2: the whole tree, not paginated."""
    return _category_tree(ctx)


def _category_translations(ctx: Ctx) -> dict[str, dict[str, str] | None] | None:
    raw = _object(ctx.body, "translations")
    if raw is None:
        return None
    out: dict[str, dict[str, str] | None] = {}
    for lang, value in raw.items():
        if lang not in ctx.center.additional_languages:
            raise invalid_language(lang)
        if value is None:
            out[lang] = None
            continue
        if not isinstance(value, dict):
            raise invalid_parameter(f"translations.{lang} must be an object")
        entry: dict[str, str] = {}
        for field in ("name", "description"):
            if field in value and value[field] is not None:
                if not isinstance(value[field], str):
                    raise invalid_parameter(f"translations.{lang}.{field} must be a string")
                entry[field] = value[field]
        out[lang] = entry
    return out


def create_category(ctx: Ctx) -> Result:
    """E3: answers 201 with the whole tree."""
    name = _str_or_none(ctx.body, "name")
    if name is None or not name.strip():
        raise missing_field("name is required")
    description = _str_or_none(ctx.body, "description") or ""
    icon = _str_or_none(ctx.body, "icon")
    parent_id = _str_or_none(ctx.body, "parent_id") or None
    translations = _category_translations(ctx)
    ctx.store.create_category(
        ctx.center.id,
        name=name,
        description=description,
        icon=icon,
        parent_id=parent_id,
        translations={k: v for k, v in (translations or {}).items() if v is not None},
    )
    return _category_tree(ctx, 201)


def update_category(ctx: Ctx) -> Result:
    """E4: name, description, icon, translations (at least one); no move."""
    name = _str_or_none(ctx.body, "name")
    description = _str_or_none(ctx.body, "description")
    icon = _str_or_none(ctx.body, "icon")
    translations = _category_translations(ctx)
    if name is None and description is None and icon is None and translations is None:
        raise missing_field("Provide at least one of name, description, icon, translations")
    if name is not None and not name.strip():
        raise missing_field("name must not be empty")
    ctx.store.update_category(
        ctx.center.id,
        ctx.params["category"],
        name=name,
        description=description,
        icon=icon,
        translations=translations,
    )
    return _category_tree(ctx)


def delete_category(ctx: Ctx) -> Result:
    """E5: 200 with the remaining tree; 400 ``category_has_articles`` while in use."""
    ctx.store.delete_category(ctx.center.id, ctx.params["category"])
    return _category_tree(ctx)


# -- lists and counts -------------------------------------------------------------------------


def _filtered(ctx: Ctx, *, drafts: bool, status: str | None) -> list[Article]:
    """Articles matching ``category``, ``search`` (and ``status``), newest first (§6)."""
    cid = ctx.center.id
    items = ctx.store.articles(cid)
    if not drafts:
        items = [a for a in items if a.live]
    category = _text_param(ctx.query, "category")
    if category is not None:
        found = ctx.store.resolve_category(cid, category)
        items = [a for a in items if found is not None and a.category_id == found.id]
    search = _text_param(ctx.query, "search")
    if search is not None:
        needle = search.lower()
        items = [
            a
            for a in items
            if needle in ((a.title if drafts else a.live_title) or "").lower()
            or needle in ((a.text if drafts else a.live_text) or "").lower()
        ]
    if status is not None:
        items = [a for a in items if a.status == status]
    return items


def _list(ctx: Ctx, *, drafts: bool) -> Result:
    limit = _limit(ctx.query)
    after = _text_param(ctx.query, "starting_after")
    before = _text_param(ctx.query, "ending_before")
    if after is not None and before is not None:
        raise invalid_parameter("Use starting_after or ending_before, not both")
    status = _status_filter(ctx.query) if drafts else None
    if _text_param(ctx.query, "search") is None:
        page, has_more = _page(ctx, drafts=drafts, status=status, limit=limit)
    else:
        page, has_more = _page_searched(ctx, drafts=drafts, status=status, limit=limit)
    content = _expand_content(ctx.query)
    render = views.draft_json if drafts else views.article_json
    data = [render(ctx.store, a, ctx.urls, content=content) for a in page]
    suffix = "/articles/drafts" if drafts else "/articles"
    return Result(
        200,
        {
            "object": "list",
            "data": data,
            "has_more": has_more,
            "count": len(data),
            "url": views.api_path(ctx.center.id, suffix),
        },
    )


_STATUS_SQL = {
    "unpublished": "live = 0",
    "published": "live = 1 AND dirty = 0",
    "published_with_changes": "live = 1 AND dirty = 1",
}


def _page(ctx: Ctx, *, drafts: bool, status: str | None, limit: int) -> tuple[list[Article], bool]:
    """A page without ``search``: filtered, ordered and cut in SQL (O(page), not O(list))."""
    after = _text_param(ctx.query, "starting_after")
    before = _text_param(ctx.query, "ending_before")
    clauses: list[str] = ["1"] if drafts else ["live = 1"]
    args: list[Any] = []
    category = _text_param(ctx.query, "category")
    if category is not None:
        found = ctx.store.resolve_category(ctx.center.id, category)
        clauses.append("category_id = ?")
        args.append(found.id if found is not None else None)  # = NULL matches nothing
    if status is not None:
        clauses.append(_STATUS_SQL[status])
    cursor = (
        ("after", after)
        if after is not None
        else ("before", before)
        if before is not None
        else None
    )
    got = ctx.store.article_page(
        ctx.center.id, where=(" AND ".join(clauses), tuple(args)), cursor=cursor, limit=limit
    )
    if got is None:
        raise ApiError(404, "invalid_cursor", f"No such object in this list: {after or before}")
    return got


def _page_searched(
    ctx: Ctx, *, drafts: bool, status: str | None, limit: int
) -> tuple[list[Article], bool]:
    """A page with ``search``: the text match runs over the whole filtered list."""
    after = _text_param(ctx.query, "starting_after")
    before = _text_param(ctx.query, "ending_before")
    items = _filtered(ctx, drafts=drafts, status=status)
    ids = [a.id for a in items]
    cursor = after or before
    if cursor is not None and cursor not in ids:
        raise ApiError(404, "invalid_cursor", f"No such object in this list: {cursor}")
    if after is not None:
        start = ids.index(after) + 1
        page, has_more = items[start : start + limit], start + limit < len(items)
    elif before is not None:
        end = ids.index(before)
        start = max(0, end - limit)
        page, has_more = items[start:end], start > 0
    else:
        page, has_more = items[:limit], len(items) > limit
    return page, has_more


def _count(ctx: Ctx, *, drafts: bool) -> Result:
    status = _status_filter(ctx.query) if drafts else None
    total = len(_filtered(ctx, drafts=drafts, status=status))
    suffix = "/articles/drafts/count" if drafts else "/articles/count"
    return Result(
        200,
        {
            "object": "count",
            "total": total,
            "filters": {
                "category": _text_param(ctx.query, "category"),
                "search": _text_param(ctx.query, "search"),
                "status": status,
            },
            "url": views.api_path(ctx.center.id, suffix),
        },
    )


def list_articles(ctx: Ctx) -> Result:
    """E6: published articles only."""
    return _list(ctx, drafts=False)


def count_articles(ctx: Ctx) -> Result:
    """E8: ``filters.status`` is always null."""
    return _count(ctx, drafts=False)


def list_drafts(ctx: Ctx) -> Result:
    """E15: drafts in every state, with the ``status`` filter."""
    return _list(ctx, drafts=True)


def count_drafts(ctx: Ctx) -> Result:
    """E16."""
    return _count(ctx, drafts=True)


# -- articles ---------------------------------------------------------------------------------


def get_article(ctx: Ctx) -> Result:
    """E7: 404 unless the article is live."""
    article = ctx.store.article(ctx.center.id, ctx.params["article"])
    if not article.live:
        raise ApiError(404, "not_found", "Article not found")
    content = _expand_content(ctx.query)
    return Result(200, views.article_json(ctx.store, article, ctx.urls, content=content))


def create_article(ctx: Ctx) -> Result:
    """E9: always an unpublished draft; 201 with content.

    ``category_id`` (alias ``category``) may be an id or a slug; SEO under ``metadata.seo``
    with the seed's ``title``/``description`` accepted as aliases. ``status``, ``slug`` and any
    other key are ignored.
    """
    body = ctx.body
    title = _str_or_none(body, "title")
    if title is None or not title.strip():
        raise missing_field("title is required")
    content = _object(body, "content") or {}
    html = _str_or_none(content, "html") or ""
    category = _str_or_none(body, "category_id") if "category_id" in body else None
    if category is None:
        category = _str_or_none(body, "category")
    metadata = _object(body, "metadata") or {}
    seo_title, seo_desc = _seo(_object(metadata, "seo"))
    article = ctx.store.create_article(
        ctx.center.id,
        title=title,
        html=html,
        category=category or None,
        seo_title=None if isinstance(seo_title, Unset) else seo_title,
        seo_desc=None if isinstance(seo_desc, Unset) else seo_desc,
    )
    return _draft(ctx, article, 201)


def update_metadata(ctx: Ctx) -> Result:
    """E10: category (alias ``category_id``), subtitle, slug, seo (merged); status unchanged."""
    body = ctx.body
    category: str | Unset = UNSET
    for key in ("category", "category_id"):
        if key in body:
            value = body[key]
            if not isinstance(value, str) or not value:
                raise invalid_parameter(f"{key} must be a category id")
            category = value
            break
    subtitle = _nullable(body, "subtitle")
    slug: str | Unset = UNSET
    if "slug" in body:
        if not isinstance(body["slug"], str):
            raise invalid_parameter("slug must be a string")
        slug = body["slug"]
    seo_title, seo_desc = _seo(_object(body, "seo"), body)
    given = [category, subtitle, slug, seo_title, seo_desc]
    if all(isinstance(v, Unset) for v in given):
        raise missing_field("Provide at least one of category, subtitle, slug, seo")
    article = ctx.store.update_metadata(
        ctx.center.id,
        ctx.params["article"],
        category=category,
        subtitle=subtitle,
        slug=slug,
        seo_title=seo_title,
        seo_desc=seo_desc,
    )
    return _draft(ctx, article)


def delete_article(ctx: Ctx) -> Result:
    """E11: 204."""
    ctx.store.delete_article(ctx.center.id, ctx.params["article"])
    return Result(204)


def publish_article(ctx: Ctx) -> Result:
    """E12."""
    return _draft(ctx, ctx.store.publish_article(ctx.center.id, ctx.params["article"]))


def unpublish_article(ctx: Ctx) -> Result:
    """E13: also unpublishes every translation."""
    return _draft(ctx, ctx.store.unpublish_article(ctx.center.id, ctx.params["article"]))


def duplicate_article(ctx: Ctx) -> Result:
    """E14: 201 with the new draft."""
    return _draft(ctx, ctx.store.duplicate_article(ctx.center.id, ctx.params["article"]), 201)


def get_draft(ctx: Ctx) -> Result:
    """E17: any status."""
    article = ctx.store.article(ctx.center.id, ctx.params["article"])
    content = _expand_content(ctx.query)
    return Result(200, views.draft_json(ctx.store, article, ctx.urls, content=content))


def _title_html(body: dict[str, Any]) -> tuple[str | None, str | None]:
    title = _str_or_none(body, "title")
    html = _str_or_none(body, "html")
    if title is None and html is None:
        raise missing_field("Provide title or html")
    return title, html


def update_draft(ctx: Ctx) -> Result:
    """E18: only ``title`` and ``html``; a live article becomes ``published_with_changes``."""
    title, html = _title_html(ctx.body)
    if title is not None and not title.strip():
        raise missing_field("title must not be empty")
    article = ctx.store.update_draft(ctx.center.id, ctx.params["article"], title=title, html=html)
    return _draft(ctx, article)


def discard_draft(ctx: Ctx) -> Result:
    """E19: 404 unless the article is live."""
    return _draft(ctx, ctx.store.discard_draft(ctx.center.id, ctx.params["article"]))


# -- translations -----------------------------------------------------------------------------


def _translation_result(ctx: Ctx, lang: str, *, published: bool, content: bool) -> Result:
    article = ctx.store.article(ctx.center.id, ctx.params["article"])
    tr = ctx.store.translation(ctx.center.id, article.id, lang)
    if published and not (article.live and tr.live):
        raise ApiError(404, "not_found", "Translation not found")
    body = views.translation_json(article, tr, ctx.urls, published=published, content=content)
    return Result(200, body)


def get_translation(ctx: Ctx) -> Result:
    """E20: 404 unless both the root and the translation are live."""
    lang = _lang(ctx)
    return _translation_result(ctx, lang, published=True, content=_expand_content(ctx.query))


def get_translation_draft(ctx: Ctx) -> Result:
    """E21."""
    lang = _lang(ctx)
    return _translation_result(ctx, lang, published=False, content=_expand_content(ctx.query))


def update_translation_draft(ctx: Ctx) -> Result:
    """E22: creates or updates; the root need not be published."""
    lang = _lang(ctx)
    title, html = _title_html(ctx.body)
    ctx.store.upsert_translation_draft(
        ctx.center.id, ctx.params["article"], lang, title=title, html=html
    )
    return _translation_result(ctx, lang, published=False, content=True)


def update_translation_metadata(ctx: Ctx) -> Result:
    """E23: slug and seo (``metaTitle``/``metaDesc``, aliases accepted); at least one."""
    lang = _lang(ctx)
    body = ctx.body
    slug: str | Unset = UNSET
    if "slug" in body:
        if not isinstance(body["slug"], str):
            raise invalid_parameter("slug must be a string")
        slug = body["slug"]
    seo_title, seo_desc = _seo(_object(body, "seo"), body)
    if all(isinstance(v, Unset) for v in (slug, seo_title, seo_desc)):
        raise missing_field("Provide at least one of slug, seo")
    ctx.store.update_translation_metadata(
        ctx.center.id,
        ctx.params["article"],
        lang,
        slug=slug,
        seo_title=seo_title,
        seo_desc=seo_desc,
    )
    return _translation_result(ctx, lang, published=False, content=True)


def delete_translation(ctx: Ctx) -> Result:
    """E24: 204."""
    lang = _lang(ctx)
    ctx.store.delete_translation(ctx.center.id, ctx.params["article"], lang)
    return Result(204)


def publish_translation(ctx: Ctx) -> Result:
    """E25: 400 ``root_not_published`` while the root is not live."""
    lang = _lang(ctx)
    ctx.store.publish_translation(ctx.center.id, ctx.params["article"], lang)
    return _translation_result(ctx, lang, published=False, content=True)


def unpublish_translation(ctx: Ctx) -> Result:
    """E26: no-op when not live."""
    lang = _lang(ctx)
    ctx.store.unpublish_translation(ctx.center.id, ctx.params["article"], lang)
    return _translation_result(ctx, lang, published=False, content=True)


# -- images -----------------------------------------------------------------------------------


def upload_image(ctx: Ctx) -> Result:
    """E27/E28: multipart field ``image``; 10 MB; JPEG, PNG, GIF, WebP or SVG."""
    if ctx.upload is None:
        raise missing_field("No image uploaded: send the file in the multipart field 'image'")
    data, filename = ctx.upload
    if len(data) > MAX_IMAGE_BYTES:
        raise ApiError(413, "file_too_large", "Images can be at most 10 MB")
    if not data:
        raise ApiError(400, "invalid_file_type", "The uploaded file is empty")
    content_type = detect_type(data, filename)
    if content_type is None:
        raise ApiError(
            400, "invalid_file_type", "Unsupported image type: use JPEG, PNG, GIF, WebP or SVG"
        )
    if "article" in ctx.params:
        ctx.store.article(ctx.center.id, ctx.params["article"])
    name = clean_filename(filename, content_type)
    image = ctx.store.put_image(data, name, content_type)
    url = f"{ctx.base_url.rstrip('/')}/cdn/images/{image.sha256}/{quote(image.filename)}"
    return Result(200, {"success": True, "data": {"url": url, "filename": name, "size": len(data)}})
