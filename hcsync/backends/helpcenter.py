"""Help.Center REST API v0 (shared/api/helpcenter.md), behind the Backend protocol.

Wire shapes stay in this module. Client stances taken from helpcenter.md §16:
- state is read from the drafts endpoints only (E15/E17/E21), never the published ones;
- any 2xx is success; responses of writes are used only for ``id``, ``status``, ``updated_at``,
  ``slug``, ``url`` and ``content``, and the draft is fetched again if one of those is missing;
- the slug cannot be set on create (U9): it is set with a metadata call, and only when it
  differs from the one the platform derives from the title;
- no request relies on undocumented aliases: ``category_id`` on create, ``category`` on the
  metadata PATCH, SEO as ``metaTitle``/``metaDesc``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx

from hcsync.backends.base import CategoryTranslations, Metadata, Position
from hcsync.backends.http import ApiClient, CallStats
from hcsync.backends.wire import Obj, obj, reading
from hcsync.diagnostics import BackendError
from hcsync.remote import PLATFORM_FEATURES, LiveState, RemoteCategory, RemoteDoc, Snapshot

DEFAULT_BASE_URL = "https://api.help.center"
PAGE_LIMIT = 100
MEANWHILE_PAGES = 5
"""Pages of search results read before a create (the search also matches article text, so a
common title can match more than one page; the exact title is among the first ones)."""
MAX_PAGES = 10_000
"""Most pages one listing may take (a million drafts): past it, the cursor is taken to loop."""
MAX_IMAGE_BYTES = 10 * 1024 * 1024
"""Largest image the platform stores (helpcenter.md §10)."""
_STATUSES = frozenset(s.value for s in LiveState)
T = TypeVar("T")
_EXPAND = ("expand[]", "content")
_URL_RE = re.compile(
    r"^(?P<prefix>.*?)/(?:(?P<lang>[a-z]{2}(?:-[A-Za-z]{2,4})?)/)?article/(?P<sid>\d+)-"
)


FEATURES = PLATFORM_FEATURES["helpcenter"]


class HelpCenterBackend:
    """Help.Center over one ``httpx.Client`` handed in by the caller."""

    name = "helpcenter"

    def __init__(
        self,
        client: httpx.Client,
        *,
        center_id: str,
        api_key: str,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        kwargs: dict[str, Any] = {}
        if clock is not None:
            kwargs["clock"] = clock
        if sleep is not None:
            kwargs["sleep"] = sleep
        self.api = ApiClient(
            client,
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            secrets=[api_key],
            **kwargs,
        )
        self._public = ApiClient(client, headers={}, secrets=[api_key], **kwargs)
        """For images on the CDN: no credentials (a CDN is not the API)."""
        self._api_origin = _origin(urlsplit(str(client.base_url)))
        """Where the key may go: the API's scheme, host and port, nowhere else."""
        self.center_id = center_id
        self.max_pages = MAX_PAGES
        self._base = f"/v0/centers/{quote(center_id, safe='')}"
        self._slug_ids: dict[str, int] = {}
        self._url_prefix: str | None = None
        self._prefix_source = ""
        """Where the site prefix was learnt: "" (the center's domain), "preview" or "url"."""
        self._default_language = "en"
        self._known_category_ids: set[str] = set()
        self._category_languages: dict[str, set[str]] = {}

    @property
    def stats(self) -> CallStats:
        return self.api.stats

    # ---- reading -------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        center = self._call("GET", self._base, _parse_center)
        self._default_language = center.default_language
        if center.domain and self._url_prefix is None:
            self._url_prefix = f"https://{center.domain}"
        categories = self._categories()
        items = self._all_drafts()
        for item in items:  # learn every slug id and the site's URL prefix first
            self._learn(item)
        articles = {doc.id: doc for doc in map(self._draft, items)}
        return Snapshot(
            target=self.center_id,
            default_language=self._default_language,
            languages=center.languages,
            categories=categories,
            articles=articles,
            features=FEATURES,
        )

    def _all_drafts(self) -> list[_Draft]:
        """Every draft, page by page (E15); a cursor that repeats, a page that says there is
        more but holds nothing, an article listed twice or more than :data:`MAX_PAGES` pages
        is a BackendError, not a loop."""
        path = f"{self._base}/articles/drafts"
        items: list[_Draft] = []
        seen: set[str] = set()
        cursor: str | None = None
        for _ in range(self.max_pages):
            params: list[tuple[str, str]] = [("limit", str(PAGE_LIMIT)), _EXPAND]
            if cursor:
                params.append(("starting_after", cursor))
            data, has_more = self._call("GET", path, _parse_page, params=params)
            for item in data:
                if item.id in seen:
                    raise self._paging_error(path, f"article {item.id!r} listed twice")
                seen.add(item.id)
            items.extend(data)
            if not has_more:
                return items
            if not data:
                raise self._paging_error(path, "has_more is true on an empty page")
            cursor = data[-1].id
        raise self._paging_error(path, f"more than {self.max_pages} pages")

    @staticmethod
    def _paging_error(path: str, what: str) -> BackendError:
        return BackendError(
            f"GET {path}: {what}; the listing does not end, so no plan is made from it",
            method="GET",
            path=path,
        )

    def fetch_translations(
        self, pairs: Collection[tuple[str, str]]
    ) -> Mapping[tuple[str, str], RemoteDoc | None]:
        found: dict[tuple[str, str], RemoteDoc | None] = {}
        for article_id, lang in sorted(pairs):
            response = self.api.request(
                "GET", self._tpath(article_id, lang, "/draft"), params=[_EXPAND], ok_statuses=[404]
            )
            if response.status_code == 404:
                found[(article_id, lang)] = None
                continue
            path = self._tpath(article_id, lang, "/draft")
            item = self._parse("GET", path, self.api.json(response), _parse_translation)
            found[(article_id, lang)] = self._translation(item, lang, article_id)
        return found

    def describe(self) -> dict[str, Any]:
        center = self._call("GET", self._base, _parse_center)
        return {"default_language": center.default_language, "languages": list(center.languages)}

    def with_translated_names(self, categories: Sequence[RemoteCategory]) -> list[RemoteCategory]:
        return list(categories)  # the category tree carries ``translations`` already

    def with_html(self, docs: Sequence[RemoteDoc]) -> list[RemoteDoc]:
        # The drafts listing and the translation draft carry content.html (expanded), so this
        # reads only a document that came without it.
        out = []
        for doc in docs:
            if doc.html is not None:
                out.append(doc)
            elif doc.language == self._default_language:
                path = f"{self._apath(doc.id)}/draft"
                out.append(self._draft(self._call("GET", path, _parse_draft, params=[_EXPAND])))
            else:
                path = self._tpath(doc.id, doc.language, "/draft")
                item = self._call("GET", path, _parse_translation, params=[_EXPAND])
                out.append(self._translation(item, doc.language, doc.id))
        return out

    def reorder(self, parent_id: str | None, children: Sequence[tuple[str, str]]) -> None:
        raise BackendError(
            "Help.Center has no order for articles or categories (helpcenter.md §9); "
            "the planner never asks for one"
        )

    def download_image(self, url: str) -> bytes | None:
        """An image the platform hosts: from the API's own origin (same scheme, host and port)
        with the key; from ``help.center`` and its subdomains (the CDN) over https, without
        it; None for anything else."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        try:
            origin = _origin(parts)
        except ValueError:  # a port that is not a number
            return None
        if origin == self._api_origin:
            api = self.api
        elif parts.scheme == "https" and (host == "help.center" or host.endswith(".help.center")):
            api = self._public
        else:
            return None
        response = api.request("GET", url, ok_statuses=[404], max_bytes=MAX_IMAGE_BYTES)
        return None if response.status_code == 404 else response.content

    def _link_base(self, article_id: str, language: str) -> str | None:
        """``https://{domain}[/{lang}]/article/{slug_id}-`` (helpcenter.md §4.2, §4.4)."""
        slug_id = self._slug_ids.get(article_id)
        if slug_id is None or self._url_prefix is None:
            return None
        if language != self._default_language:
            return f"{self._url_prefix}/{language}/article/{slug_id}-"
        return f"{self._url_prefix}/article/{slug_id}-"

    def find_article(self, *, title: str, known_ids: Collection[str]) -> RemoteDoc | None:
        params = [("limit", str(PAGE_LIMIT)), _EXPAND, ("search", title)]
        data, _ = self._call("GET", f"{self._base}/articles/drafts", _parse_page, params=params)
        for item in data:
            if item.title == title and item.id not in known_ids:
                return self._draft(item)
        return None

    def created_meanwhile(
        self, *, title: str, category_id: str | None, known_ids: Collection[str]
    ) -> RemoteDoc | None:
        params: list[tuple[str, str]] = [("limit", str(PAGE_LIMIT)), ("search", title)]
        if category_id:
            params.append(("category", category_id))
        path = f"{self._base}/articles/drafts"
        for _ in range(MEANWHILE_PAGES):
            data, has_more = self._call("GET", path, _parse_page, params=params)
            for item in data:
                if item.title == title and item.id not in known_ids:
                    return self._draft(item)
            if not has_more or not data:
                return None
            params = [p for p in params if p[0] != "starting_after"]
            params.append(("starting_after", data[-1].id))
        return None

    # ---- categories ----------------------------------------------------------------------

    def create_category(
        self,
        *,
        name: str,
        description: str,
        icon: str | None,
        parent_id: str | None,
        translations: CategoryTranslations = (),
        position: Position | None = None,  # no order on Help.Center (FEATURES)
    ) -> RemoteCategory:
        body: dict[str, Any] = {"name": name, "description": description}
        if icon:
            body["icon"] = icon
        if parent_id:
            body["parent_id"] = parent_id
        if translations:
            body["translations"] = self._category_translations(None, translations)
        tree = self._call("POST", f"{self._base}/articles/categories", _parse_categories, json=body)
        known = self._known_category_ids
        matches = [
            c for c in tree if c.name == name and c.parent_id == parent_id and c.id not in known
        ]
        if not matches:
            raise BackendError(
                f"created category {name!r} but could not find it in the returned tree",
                method="POST",
                path="/articles/categories",
            )
        created = matches[-1]
        self._remember(tree)
        return created

    def update_category(
        self,
        category_id: str,
        *,
        name: str,
        description: str,
        icon: str | None,
        translations: CategoryTranslations = (),
    ) -> None:
        body: dict[str, Any] = {"name": name, "description": description}
        if icon:
            body["icon"] = icon
        sent = self._category_translations(category_id, translations)
        if sent:
            body["translations"] = sent
        self.api.request(
            "PATCH", f"{self._base}/articles/categories/{category_id}", json=body, idempotent=True
        )
        self._category_languages[category_id] = {lang for lang, _, _ in translations}

    def delete_category(self, category_id: str) -> None:
        self.api.request(
            "DELETE",
            f"{self._base}/articles/categories/{category_id}",
            idempotent=True,
            ok_statuses=[404],
        )

    # ---- images --------------------------------------------------------------------------

    def upload_image(self, *, filename: str, data: bytes, mime: str) -> str:
        # Repeating an upload is harmless (the same bytes get a URL again), so it is retried.
        return self._call(
            "POST",
            f"{self._base}/articles/images",
            _parse_image_url,
            files={"image": (filename, data, mime)},
            idempotent=True,
        )

    # ---- articles ------------------------------------------------------------------------

    def create_article(
        self,
        *,
        title: str,
        html: str,
        category_id: str | None,
        seo_title: str | None,
        seo_description: str | None,
        slug: str | None = None,
        position: Position | None = None,  # no order on Help.Center (FEATURES)
    ) -> RemoteDoc:
        # The slug cannot be set on create (U9): the executor sets it with update_metadata.
        body: dict[str, Any] = {"title": title, "content": {"html": html}}
        if category_id:
            body["category_id"] = category_id
        seo = _seo(seo_title, seo_description)
        if seo:
            body["metadata"] = {"seo": seo}
        response = self.api.request("POST", f"{self._base}/articles", json=body, idempotent=False)
        return self._draft_or_fetch(response)

    def update_draft(self, article_id: str, *, title: str, html: str) -> RemoteDoc:
        response = self.api.request(
            "PATCH",
            f"{self._apath(article_id)}/draft",
            json={"title": title, "html": html},
            idempotent=True,
        )
        return self._draft_or_fetch(response, article_id)

    def update_metadata(self, article_id: str, meta: Metadata) -> RemoteDoc:
        body: dict[str, Any] = {}
        if meta.category_id:  # never TOP_LEVEL: every Help.Center article has a category
            body["category"] = meta.category_id
        if meta.slug is not None:
            body["slug"] = meta.slug
        seo = _seo(meta.seo_title, meta.seo_description)
        if seo:
            body["seo"] = seo
        response = self.api.request(
            "PATCH", f"{self._apath(article_id)}/metadata", json=body, idempotent=True
        )
        return self._draft_or_fetch(response, article_id)

    def publish(self, article_id: str) -> RemoteDoc:
        response = self.api.request("POST", f"{self._apath(article_id)}/publish", idempotent=True)
        return self._draft_or_fetch(response, article_id)

    def unpublish(self, article_id: str) -> RemoteDoc:
        response = self.api.request("POST", f"{self._apath(article_id)}/unpublish", idempotent=True)
        return self._draft_or_fetch(response, article_id)

    def delete_article(self, article_id: str) -> None:
        self.api.request("DELETE", self._apath(article_id), idempotent=True, ok_statuses=[404])

    # ---- translations --------------------------------------------------------------------

    def put_translation(
        self, article_id: str, language: str, *, title: str, html: str
    ) -> RemoteDoc:
        response = self.api.request(
            "PATCH",
            self._tpath(article_id, language, "/draft"),
            json={"title": title, "html": html},
            idempotent=True,
        )
        return self._translation_or_fetch(response, article_id, language)

    def update_translation_metadata(
        self, article_id: str, language: str, meta: Metadata
    ) -> RemoteDoc:
        body: dict[str, Any] = {}
        if meta.slug is not None:
            body["slug"] = meta.slug
        seo = _seo(meta.seo_title, meta.seo_description)
        if seo:
            body["seo"] = seo
        response = self.api.request(
            "PATCH", self._tpath(article_id, language, "/metadata"), json=body, idempotent=True
        )
        return self._translation_or_fetch(response, article_id, language)

    def publish_translation(self, article_id: str, language: str) -> RemoteDoc:
        response = self.api.request(
            "POST", self._tpath(article_id, language, "/publish"), idempotent=True
        )
        return self._translation_or_fetch(response, article_id, language)

    def unpublish_translation(self, article_id: str, language: str) -> RemoteDoc:
        response = self.api.request(
            "POST", self._tpath(article_id, language, "/unpublish"), idempotent=True
        )
        return self._translation_or_fetch(response, article_id, language)

    def delete_translation(self, article_id: str, language: str) -> None:
        self.api.request(
            "DELETE", self._tpath(article_id, language, ""), idempotent=True, ok_statuses=[404]
        )

    def flush(self) -> None:
        """Nothing is deferred: every publish is done when its call returns."""

    # ---- wire helpers --------------------------------------------------------------------

    def _apath(self, article_id: str) -> str:
        return f"{self._base}/articles/{quote(article_id, safe='')}"

    def _tpath(self, article_id: str, language: str, tail: str) -> str:
        return f"{self._apath(article_id)}/translations/{quote(language, safe='')}{tail}"

    def _call(self, method: str, path: str, parse: Callable[[Any], T], **kwargs: Any) -> T:
        """Send a request and read its answer with ``parse`` (a wrong shape: BackendError)."""
        response = self.api.request(method, path, **kwargs)
        return self._parse(method, path, self.api.json(response), parse)

    @staticmethod
    def _parse(method: str, path: str, body: Any, parse: Callable[[Any], T]) -> T:
        with reading(method, path):
            return parse(body)

    def _categories(self) -> tuple[RemoteCategory, ...]:
        flat = self._call("GET", f"{self._base}/articles/categories", _parse_categories)
        self._remember(flat)
        return flat

    def _remember(self, categories: Iterable[RemoteCategory]) -> None:
        """The categories there are, and the languages each is translated into."""
        self._known_category_ids = set()
        for cat in categories:
            self._known_category_ids.add(cat.id)
            self._category_languages[cat.id] = {lang for lang, _, _ in cat.translations}

    def _category_translations(
        self, category_id: str | None, translations: CategoryTranslations
    ) -> dict[str, dict[str, str] | None]:
        """E3/E4 ``translations``: each wanted language, and null for one the category has
        but the file no longer gives (E4 merges per language, §9)."""
        out: dict[str, dict[str, str] | None] = {
            lang: {"name": name, "description": description}
            for lang, name, description in translations
        }
        for lang in sorted(self._category_languages.get(category_id or "", set()) - set(out)):
            out[lang] = None
        return out

    def _learn(self, item: _Draft, *, learn_slug_id: bool = True) -> None:
        if learn_slug_id and item.slug_id is not None and item.id:
            self._slug_ids[item.id] = item.slug_id
        match = _URL_RE.match(item.url) if item.url is not None else None
        if match:
            self._url_prefix = match.group("prefix")
            self._prefix_source = "url"
        elif self._prefix_source != "url":
            # Every draft has a preview URL on the public site (seed), even before its first
            # publish: its scheme and host are the site's.
            preview = urlsplit(item.preview_url or "")
            if preview.scheme and preview.netloc:
                self._url_prefix = f"{preview.scheme}://{preview.netloc}"
                self._prefix_source = "preview"

    def _draft(self, item: _Draft) -> RemoteDoc:
        self._learn(item)
        return RemoteDoc(
            id=item.id,
            language=self._default_language,
            title=item.title,
            html=item.html,
            state=item.state,
            version=item.updated_at,
            slug=item.slug,
            category_id=item.category_id,
            seo_title=item.seo_title,
            seo_description=item.seo_description,
            url=item.url,
            live_languages=item.translations,
            link_base=self._link_base(item.id, self._default_language),
        )

    def _draft_or_fetch(self, response: httpx.Response, article_id: str | None = None) -> RemoteDoc:
        """The draft a write answered (U2), or read again (E17) when the answer lacks a field
        the state needs; an answer that is there but malformed is a BackendError."""
        method, path = response.request.method, response.request.url.path
        body = self.api.json(response)
        if _complete(body):
            return self._draft(self._parse(method, path, body, _parse_draft))
        if not article_id and isinstance(body, dict) and body.get("id") is not None:
            article_id = self._parse(method, path, body, lambda b: obj(b).text("id"))
        if not article_id:
            raise BackendError(
                f"{method} {path}: the help center returned no article id",
                method=method,
                path=path,
            )
        fresh = f"{self._apath(article_id)}/draft"
        return self._draft(self._call("GET", fresh, _parse_draft, params=[_EXPAND]))

    def _translation(self, item: _Draft, language: str, article_id: str = "") -> RemoteDoc:
        doc_id = item.id or article_id
        self._learn(item, learn_slug_id=False)
        return RemoteDoc(
            id=doc_id,
            language=item.language or language,
            title=item.title,
            html=item.html,
            state=item.state,
            version=item.updated_at,
            slug=item.slug,
            seo_title=item.seo_title,
            seo_description=item.seo_description,
            url=item.url,
            link_base=self._link_base(doc_id, language),
        )

    def _translation_or_fetch(
        self, response: httpx.Response, article_id: str, language: str
    ) -> RemoteDoc:
        method, path = response.request.method, response.request.url.path
        body = self.api.json(response)
        if _complete(body):
            item = self._parse(method, path, body, _parse_translation)
        else:
            path = self._tpath(article_id, language, "/draft")
            item = self._call("GET", path, _parse_translation, params=[_EXPAND])
        return self._translation(item, language, article_id)


def _origin(parts: Any) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a split URL, the port made explicit for http and https."""
    scheme = str(parts.scheme).lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return (scheme, str(parts.hostname or "").lower(), port)


# ---- the wire shapes (helpcenter.md §3, §4) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Center:
    """E1: the fields read from the center."""

    default_language: str
    languages: tuple[str, ...]
    domain: str | None


@dataclass(frozen=True, slots=True)
class _Draft:
    """A draft (§4.3) or a translation draft (§4.4), as read: only the fields used."""

    id: str
    """Always set on a draft; "" for a translation that leaves it out (its article's id is
    known)."""
    title: str
    state: LiveState
    updated_at: str
    """"" where a translation leaves it out (U16: the lockfile's value stands)."""
    html: str | None = None
    slug: str | None = None
    slug_id: int | None = None
    category_id: str | None = None
    seo_title: str | None = None
    seo_description: str | None = None
    url: str | None = None
    preview_url: str | None = None
    translations: tuple[str, ...] = ()
    language: str | None = None


def _parse_center(body: Any) -> _Center:
    center = obj(body)
    return _Center(
        default_language=center.text("default_language"),
        languages=center.texts("additional_languages"),
        domain=center.opt_text("domain"),
    )


def _parse_page(body: Any) -> tuple[list[_Draft], bool]:
    """A list envelope of drafts (§3 shape 2): the drafts and ``has_more``."""
    page = obj(body)
    data = [_read_draft(item) for item in page.items("data")]
    return data, page.flag("has_more")


def _parse_draft(body: Any) -> _Draft:
    return _read_draft(obj(body))


def _parse_translation(body: Any) -> _Draft:
    return _read_draft(obj(body), translation=True)


def _read_draft(item: Obj, *, translation: bool = False) -> _Draft:
    seo = item.opt_child("seo")
    content = item.opt_child("content")
    return _Draft(
        id=(item.opt_text("id") or "") if translation else item.text("id"),
        title=item.text("title"),
        state=LiveState(item.one_of("status", _STATUSES)),
        updated_at=(item.opt_text("updated_at") or "") if translation else item.text("updated_at"),
        html=content.text("html") if content is not None else None,
        slug=item.opt_text("slug"),
        slug_id=None if translation else item.opt_integer("slug_id"),
        category_id=item.opt_text("category_id"),
        seo_title=seo.opt_text("metaTitle") if seo is not None else None,
        seo_description=seo.opt_text("metaDesc") if seo is not None else None,
        url=item.opt_text("url"),
        preview_url=item.opt_text("preview_url"),
        translations=item.texts("translations"),
        language=item.opt_text("language") if translation else None,
    )


def _parse_categories(body: Any) -> tuple[RemoteCategory, ...]:
    """The category tree (§4.5): top-level categories in ``data``, each with ``children``."""
    out: list[RemoteCategory] = []
    for top in obj(body).items("data"):
        top_id = top.text("id")
        out.append(_read_category(top, None))
        out.extend(_read_category(child, top_id) for child in top.opt_items("children"))
    return tuple(out)


def _read_category(item: Obj, parent_id: str | None) -> RemoteCategory:
    names = tuple(
        (lang, t.opt_text("name") or "", t.opt_text("description") or "")
        for lang, t in item.entries("translations")
        if t is not None
    )
    return RemoteCategory(
        id=item.text("id"),
        name=item.text("name"),
        description=item.opt_text("description") or "",
        parent_id=parent_id,
        translations=names,
    )


def _parse_image_url(body: Any) -> str:
    """The upload result (§4.6): ``data.url``."""
    return obj(body).child("data").text("url")


def _complete(body: Any) -> bool:
    """Whether a write's answer carries every field the state needs (U2)."""
    return (
        isinstance(body, dict)
        and "id" in body
        and "status" in body
        and "updated_at" in body
        and isinstance(body.get("content"), dict)
    )


def _seo(title: str | None, description: str | None) -> dict[str, str]:
    seo: dict[str, str] = {}
    if title is not None:
        seo["metaTitle"] = title
    if description is not None:
        seo["metaDesc"] = description
    return seo
