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
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from hcsync.backends.base import CategoryTranslations, Metadata, Position
from hcsync.backends.http import ApiClient, CallStats
from hcsync.diagnostics import BackendError
from hcsync.remote import PLATFORM_FEATURES, LiveState, RemoteCategory, RemoteDoc, Snapshot

DEFAULT_BASE_URL = "https://api.help.center"
PAGE_LIMIT = 100
MEANWHILE_PAGES = 5
"""Pages of search results read before a create (the search also matches article text, so a
common title can match more than one page; the exact title is among the first ones)."""
_EXPAND = ("expand[]", "content")
_URL_RE = re.compile(
    r"^(?P<prefix>.*?)/(?:(?P<lang>[a-z]{2}(?:-[A-Za-z]{2,4})?)/)?article/(?P<sid>\d+)-"
)


def slugify(text: str) -> str:
    """Lowercase; runs of anything other than ``[a-z0-9]`` become ``-``; hyphens trimmed."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


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
        self._api_host = urlsplit(str(client.base_url)).hostname or ""
        self.center_id = center_id
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
        center = self._get("")
        self._default_language = str(center.get("default_language") or "en")
        domain = center.get("domain")
        if domain and self._url_prefix is None:
            self._url_prefix = f"https://{domain}"
        categories = self._categories()
        items: list[Mapping[str, Any]] = []
        cursor: str | None = None
        while True:
            params: list[tuple[str, str]] = [("limit", str(PAGE_LIMIT)), _EXPAND]
            if cursor:
                params.append(("starting_after", cursor))
            page = self._get("/articles/drafts", params=params)
            data = page.get("data") or []
            items.extend(data)
            if not page.get("has_more") or not data:
                break
            cursor = str(data[-1]["id"])
        for item in items:  # learn every slug id and the site's URL prefix first
            self._learn(item)
        articles = {doc.id: doc for doc in map(self._draft, items)}
        return Snapshot(
            target=self.center_id,
            default_language=self._default_language,
            languages=tuple(str(x) for x in center.get("additional_languages") or ()),
            categories=categories,
            articles=articles,
            features=FEATURES,
        )

    def fetch_translations(
        self, pairs: Collection[tuple[str, str]]
    ) -> Mapping[tuple[str, str], RemoteDoc | None]:
        found: dict[tuple[str, str], RemoteDoc | None] = {}
        for article_id, lang in sorted(pairs):
            response = self.api.request(
                "GET", self._tpath(article_id, lang, "/draft"), params=[_EXPAND], ok_statuses=[404]
            )
            found[(article_id, lang)] = (
                None
                if response.status_code == 404
                else self._translation(response.json(), lang, article_id)
            )
        return found

    def describe(self) -> dict[str, Any]:
        center = self._get("")
        return {
            "default_language": str(center.get("default_language") or "en"),
            "languages": [str(x) for x in center.get("additional_languages") or ()],
        }

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
                out.append(self._draft(self._json(self.api.request("GET", path, params=[_EXPAND]))))
            else:
                path = self._tpath(doc.id, doc.language, "/draft")
                body = self._json(self.api.request("GET", path, params=[_EXPAND]))
                out.append(self._translation(body, doc.language, doc.id))
        return out

    def reorder(self, parent_id: str | None, children: Sequence[tuple[str, str]]) -> None:
        raise BackendError(
            "Help.Center has no order for articles or categories (helpcenter.md §9); "
            "the planner never asks for one"
        )

    def derived_slug(self, title: str) -> str | None:
        return slugify(title) or None

    def download_image(self, url: str) -> bytes | None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        own = host == self._api_host or host == "help.center" or host.endswith(".help.center")
        if parts.scheme not in ("http", "https") or not own:
            return None
        api = self.api if host == self._api_host else self._public
        response = api.request("GET", url, ok_statuses=[404])
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
        page = self._get("/articles/drafts", params=params)
        for item in page.get("data") or []:
            if item.get("title") == title and item.get("id") not in known_ids:
                return self._draft(item)
        return None

    def created_meanwhile(
        self, *, title: str, category_id: str | None, known_ids: Collection[str]
    ) -> RemoteDoc | None:
        params: list[tuple[str, str]] = [("limit", str(PAGE_LIMIT)), ("search", title)]
        if category_id:
            params.append(("category", category_id))
        for _ in range(MEANWHILE_PAGES):
            page = self._get("/articles/drafts", params=params)
            data = page.get("data") or []
            for item in data:
                if item.get("title") == title and item.get("id") not in known_ids:
                    return self._draft(item)
            if not page.get("has_more") or not data:
                return None
            params = [p for p in params if p[0] != "starting_after"]
            params.append(("starting_after", str(data[-1].get("id"))))
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
        tree = self._json(self.api.request("POST", f"{self._base}/articles/categories", json=body))
        known = self._known_category_ids
        matches = [
            c
            for c in self._flatten(tree)
            if c.name == name and c.parent_id == parent_id and c.id not in known
        ]
        if not matches:
            raise BackendError(
                f"created category {name!r} but could not find it in the returned tree",
                method="POST",
                path="/articles/categories",
            )
        created = matches[-1]
        self._remember(self._flatten(tree))
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
        response = self.api.request(
            "POST",
            f"{self._base}/articles/images",
            files={"image": (filename, data, mime)},
            idempotent=True,
        )
        body = self._json(response)
        url = (body.get("data") or {}).get("url") if isinstance(body, dict) else None
        if not isinstance(url, str):
            raise BackendError(
                "image upload returned no URL", method="POST", path="/articles/images"
            )
        return url

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
        return self._draft_or_fetch(self._json(response))

    def update_draft(self, article_id: str, *, title: str, html: str) -> RemoteDoc:
        response = self.api.request(
            "PATCH",
            f"{self._apath(article_id)}/draft",
            json={"title": title, "html": html},
            idempotent=True,
        )
        return self._draft_or_fetch(self._json(response), article_id)

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
        return self._draft_or_fetch(self._json(response), article_id)

    def publish(self, article_id: str) -> RemoteDoc:
        response = self.api.request("POST", f"{self._apath(article_id)}/publish", idempotent=True)
        return self._draft_or_fetch(self._json(response), article_id)

    def unpublish(self, article_id: str) -> RemoteDoc:
        response = self.api.request("POST", f"{self._apath(article_id)}/unpublish", idempotent=True)
        return self._draft_or_fetch(self._json(response), article_id)

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
        return self._translation_or_fetch(self._json(response), article_id, language)

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
        return self._translation_or_fetch(self._json(response), article_id, language)

    def publish_translation(self, article_id: str, language: str) -> RemoteDoc:
        response = self.api.request(
            "POST", self._tpath(article_id, language, "/publish"), idempotent=True
        )
        return self._translation_or_fetch(self._json(response), article_id, language)

    def unpublish_translation(self, article_id: str, language: str) -> RemoteDoc:
        response = self.api.request(
            "POST", self._tpath(article_id, language, "/unpublish"), idempotent=True
        )
        return self._translation_or_fetch(self._json(response), article_id, language)

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

    def _get(self, path: str, params: Any = None) -> dict[str, Any]:
        body = self._json(self.api.request("GET", f"{self._base}{path}", params=params))
        if not isinstance(body, dict):
            raise BackendError("unexpected response (not a JSON object)", method="GET", path=path)
        return body

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            return {}

    def _categories(self) -> tuple[RemoteCategory, ...]:
        flat = self._flatten(self._get("/articles/categories"))
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

    @staticmethod
    def _flatten(tree: Any) -> tuple[RemoteCategory, ...]:
        out: list[RemoteCategory] = []
        data = tree.get("data") if isinstance(tree, dict) else tree
        for top in data or []:
            out.append(
                RemoteCategory(
                    id=str(top["id"]),
                    name=str(top.get("name") or ""),
                    description=str(top.get("description") or ""),
                    translations=_names(top.get("translations")),
                )
            )
            for child in top.get("children") or []:
                out.append(
                    RemoteCategory(
                        id=str(child["id"]),
                        name=str(child.get("name") or ""),
                        description=str(child.get("description") or ""),
                        parent_id=str(top["id"]),
                        translations=_names(child.get("translations")),
                    )
                )
        return tuple(out)

    def _learn(self, item: Mapping[str, Any], *, learn_slug_id: bool = True) -> None:
        if learn_slug_id and "slug_id" in item and "id" in item:
            try:
                self._slug_ids[str(item["id"])] = int(item["slug_id"])
            except (TypeError, ValueError):
                pass
        url = item.get("url")
        match = _URL_RE.match(url) if isinstance(url, str) else None
        if match:
            self._url_prefix = match.group("prefix")
            self._prefix_source = "url"
        elif self._prefix_source != "url":
            # Every draft has a preview URL on the public site (seed), even before its first
            # publish: its scheme and host are the site's.
            preview = urlsplit(str(item.get("preview_url") or ""))
            if preview.scheme and preview.netloc:
                self._url_prefix = f"{preview.scheme}://{preview.netloc}"
                self._prefix_source = "preview"

    def _draft(self, item: Mapping[str, Any]) -> RemoteDoc:
        self._learn(item)
        seo = item.get("seo") or {}
        content = item.get("content")
        return RemoteDoc(
            id=str(item["id"]),
            language=self._default_language,
            title=str(item.get("title") or ""),
            html=content.get("html") if isinstance(content, dict) else None,
            state=_state(item.get("status")),
            version=str(item.get("updated_at") or ""),
            slug=item.get("slug"),
            category_id=item.get("category_id"),
            seo_title=seo.get("metaTitle"),
            seo_description=seo.get("metaDesc"),
            url=item.get("url"),
            live_languages=tuple(item.get("translations") or ()),
            link_base=self._link_base(str(item["id"]), self._default_language),
        )

    def _draft_or_fetch(self, body: Any, article_id: str | None = None) -> RemoteDoc:
        if _complete(body):
            return self._draft(body)
        article_id = article_id or (body.get("id") if isinstance(body, dict) else None)
        if not article_id:
            raise BackendError("the help center returned no article id")
        fresh = self._json(
            self.api.request("GET", f"{self._apath(article_id)}/draft", params=[_EXPAND])
        )
        return self._draft(fresh)

    def _translation(
        self, item: Mapping[str, Any], language: str, article_id: str = ""
    ) -> RemoteDoc:
        seo = item.get("seo") or {}
        content = item.get("content")
        doc_id = str(item.get("id") or article_id)
        self._learn(item, learn_slug_id=False)
        return RemoteDoc(
            id=doc_id,
            language=str(item.get("language") or language),
            title=str(item.get("title") or ""),
            html=content.get("html") if isinstance(content, dict) else None,
            state=_state(item.get("status")),
            version=str(item.get("updated_at") or ""),
            slug=item.get("slug"),
            seo_title=seo.get("metaTitle"),
            seo_description=seo.get("metaDesc"),
            url=item.get("url"),
            link_base=self._link_base(doc_id, language),
        )

    def _translation_or_fetch(self, body: Any, article_id: str, language: str) -> RemoteDoc:
        if not _complete(body):
            body = self._json(
                self.api.request(
                    "GET", self._tpath(article_id, language, "/draft"), params=[_EXPAND]
                )
            )
        return self._translation(body, language, article_id)


def _names(value: Any) -> tuple[tuple[str, str, str], ...]:
    """A category's ``translations`` object → sorted (language, name, description)."""
    if not isinstance(value, dict):
        return ()
    return tuple(
        (str(lang), str(t.get("name") or ""), str(t.get("description") or ""))
        for lang, t in sorted(value.items())
        if isinstance(t, dict)
    )


def _complete(body: Any) -> bool:
    return (
        isinstance(body, dict)
        and "id" in body
        and "status" in body
        and "updated_at" in body
        and isinstance(body.get("content"), dict)
    )


def _state(status: Any) -> LiveState:
    try:
        return LiveState(status)
    except ValueError:
        return LiveState.UNPUBLISHED


def _seo(title: str | None, description: str | None) -> dict[str, str]:
    seo: dict[str, str] = {}
    if title is not None:
        seo["metaTitle"] = title
    if description is not None:
        seo["metaDesc"] = description
    return seo
