"""The seed's own examples (shared/seeds/000_31a41c7029047431.txt), sent byte for byte as its
curl, axios and Python ``requests`` snippets send them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import httpx
import pytest

from hcsync.emulators.helpcenter import Center, Store

from .conftest import assert_error

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
def seed_center(store: Store) -> Center:
    center = store.create_center(
        "Support Center", default_language="en", additional_languages=["es", "fr", "de", "ja"]
    )
    store.create_category(center.id, name="Getting Started")
    store.create_category(center.id, name="Guides")
    return center


@pytest.fixture
def seed_key(store: Store, seed_center: Center) -> str:
    return store.create_key(seed_center.id).key


@pytest.fixture
def curl(make_client: Callable[..., httpx.Client]) -> httpx.Client:
    """A client with no default headers: every header is given as the snippet gives it."""
    return make_client(None)


def test_quick_start_curl_create_draft_then_publish(
    curl: httpx.Client, seed_center: Center, seed_key: str, store: Store
) -> None:
    base = f"/v0/centers/{seed_center.id}"
    # STEP 1: curl -X POST -H Authorization -H Content-Type -d '{...}'
    body = (
        b'{\n    "title": "Getting Started with Our Product",\n    "content": {\n'
        b'      "html": "<h1>Welcome</h1><p>Your article content here...</p>"\n    },\n'
        b'    "category_id": "getting-started"\n  }'
    )
    r = curl.post(
        f"{base}/articles",
        content=body,
        headers={"Authorization": f"Bearer {seed_key}", "Content-Type": "application/json"},
    )
    assert r.status_code == 201
    draft = r.json()
    getting_started = store.resolve_category(seed_center.id, "getting-started")
    assert getting_started is not None
    assert draft["category_id"] == getting_started.id
    assert draft["status"] == "unpublished"
    assert draft["content"] == {
        "html": "<h1>Welcome</h1><p>Your article content here...</p>",
        "text": "Welcome\nYour article content here...",
    }
    # STEP 2: curl -X POST -H Authorization (no body, no content type)
    r = curl.post(
        f"{base}/articles/{draft['id']}/publish", headers={"Authorization": f"Bearer {seed_key}"}
    )
    assert r.status_code == 200
    assert r.json()["status"] == "published"
    assert r.json()["url"] == "http://testserver/article/1-getting-started-with-our-product"
    live = curl.get(
        f"{base}/articles/{draft['id']}", headers={"Authorization": f"Bearer {seed_key}"}
    )
    assert live.json()["title"] == "Getting Started with Our Product"


def test_axios_create_and_publish(curl: httpx.Client, seed_center: Center, seed_key: str) -> None:
    headers = {"Authorization": f"Bearer {seed_key}", "Content-Type": "application/json"}
    base = f"/v0/centers/{seed_center.id}"
    article = curl.post(
        f"{base}/articles",
        content=b'{"title":"New Article","content":{"html":"<p>Content</p>"},'
        b'"category_id":"guides"}',
        headers=headers,
    )
    assert article.status_code == 201
    # axios.post(url) with no data: JSON content type, Content-Length: 0
    r = curl.post(
        f"{base}/articles/{article.json()['id']}/publish",
        content=b"",
        headers={**headers, "Content-Length": "0"},
    )
    assert r.status_code == 200
    # const { data } = await api.get(url, { params: { category: 'getting-started', limit: 10 } })
    listed = curl.get(f"{base}/articles?category=guides&limit=10", headers=headers).json()
    assert [a["title"] for a in listed["data"]] == ["New Article"]
    assert (
        curl.get(f"{base}/articles?category=getting-started&limit=10", headers=headers).json()[
            "data"
        ]
        == []
    )


def test_python_requests_list_with_paging(
    curl: httpx.Client, seed_center: Center, seed_key: str, store: Store
) -> None:
    for n in range(23):
        a = store.create_article(
            seed_center.id, title=f"Article {n:02d}", category="getting-started"
        )
        store.publish_article(seed_center.id, a.id)
    headers = {"Authorization": f"Bearer {seed_key}", "Content-Type": "application/json"}
    url = f"/v0/centers/{seed_center.id}/articles"
    # requests.get(url, headers=headers, params={'category': 'getting-started', 'limit': 10})
    page = curl.get(
        url, headers=headers, params={"category": "getting-started", "limit": 10}
    ).json()
    titles = [a["title"] for a in page["data"]]
    pages = 1
    while page["has_more"]:
        last = page["data"][-1]["id"]
        page = curl.get(f"{url}?starting_after={last}&limit=10", headers=headers).json()
        titles += [a["title"] for a in page["data"]]
        pages += 1
    assert pages == 3
    assert sorted(titles) == [f"Article {n:02d}" for n in range(23)]
    assert len(set(titles)) == 23
    assert all(
        set(a) >= {"id", "url", "preview_url"} for a in page["data"]
    )  # "Response includes new fields"


def test_python_requests_image_upload_without_part_content_type(
    curl: httpx.Client, seed_center: Center, seed_key: str
) -> None:
    # with open('image.png', 'rb') as f:
    #     requests.post(url, headers={'Authorization': ...}, files={'image': f})
    boundary = "f3c1d2e4a5b6978812345678deadbeef"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="image"; filename="image.png"\r\n\r\n'
        ).encode()
        + PNG
        + f"\r\n--{boundary}--\r\n".encode()
    )
    r = curl.post(
        f"/v0/centers/{seed_center.id}/articles/images",
        content=body,
        headers={
            "Authorization": f"Bearer {seed_key}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert r.status_code == 200
    image_url = r.json()["data"]["url"]
    assert r.json()["success"] is True
    assert r.json()["data"]["filename"] == "image.png"
    assert r.json()["data"]["size"] == len(PNG)
    assert image_url == (
        f"http://testserver/cdn/images/{hashlib.sha256(PNG).hexdigest()}/image.png"
    )
    assert curl.get(image_url).content == PNG


def test_translation_workflow(curl: httpx.Client, seed_center: Center, seed_key: str) -> None:
    headers = {"Authorization": f"Bearer {seed_key}", "Content-Type": "application/json"}
    base = f"/v0/centers/{seed_center.id}"
    # 1. Check available languages
    center = curl.get(base, headers=headers).json()
    assert center["additional_languages"] == ["es", "fr", "de", "ja"]
    assert center["default_language"] == "en"
    article = curl.post(
        f"{base}/articles", json={"title": "Getting Started"}, headers=headers
    ).json()
    aid = article["id"]
    # 2. Create/Update Draft
    r = curl.patch(
        f"{base}/articles/{aid}/translations/es/draft",
        content=(
            '{\n  "title": "Título del artículo",\n'
            '  "html": "<h1>Contenido en español</h1><p>...</p>"\n}'
        ).encode(),
        headers=headers,
    )
    assert r.status_code == 200
    # 3. Update Metadata
    r = curl.patch(
        f"{base}/articles/{aid}/translations/es/metadata",
        json={
            "slug": "empezando",
            "seo": {"metaTitle": "Título SEO", "metaDesc": "Descripción SEO"},
        },
        headers=headers,
    )
    assert r.status_code == 200
    # 4. Publish (main article first)
    assert_error(
        curl.post(f"{base}/articles/{aid}/translations/es/publish", headers=headers),
        400,
        "root_not_published",
    )
    curl.post(f"{base}/articles/{aid}/publish", headers=headers)
    assert (
        curl.post(f"{base}/articles/{aid}/translations/es/publish", headers=headers).status_code
        == 200
    )
    # Fetching translations
    r = curl.get(f"{base}/articles/{aid}/translations/es?expand[]=content", headers=headers)
    body = r.json()
    assert {k: body[k] for k in ("id", "language", "title", "status", "url", "content")} == {
        "id": aid,
        "language": "es",
        "title": "Título del artículo",
        "status": "published",
        "url": "http://testserver/es/article/1-empezando",
        "content": {
            "html": "<h1>Contenido en español</h1><p>...</p>",
            "text": "Contenido en español\n...",
        },
    }
    # ARTICLE RESPONSE WITH TRANSLATIONS
    assert curl.get(f"{base}/articles/{aid}", headers=headers).json()["translations"] == ["es"]


def test_update_examples(
    curl: httpx.Client, seed_center: Center, seed_key: str, store: Store
) -> None:
    headers = {"Authorization": f"Bearer {seed_key}", "Content-Type": "application/json"}
    base = f"/v0/centers/{seed_center.id}"
    aid = curl.post(
        f"{base}/articles", json={"title": "Your Article Title"}, headers=headers
    ).json()["id"]
    curl.post(f"{base}/articles/{aid}/publish", headers=headers)
    r = curl.patch(
        f"{base}/articles/{aid}/draft",
        json={
            "title": "Updated Title",
            "html": "<h1>Updated Content</h1><p>New content here...</p>",
        },
        headers=headers,
    )
    assert r.json()["status"] == "published_with_changes"
    guides = store.resolve_category(seed_center.id, "guides")
    assert guides is not None
    r = curl.patch(
        f"{base}/articles/{aid}/metadata",
        json={
            "category": guides.id,
            "slug": "new-article-slug",
            "seo": {"title": "New SEO Title", "description": "New SEO Description"},
        },
        headers=headers,
    )
    body = r.json()
    assert (body["category_id"], body["slug"]) == (guides.id, "new-article-slug")
    assert body["seo"] == {"metaTitle": "New SEO Title", "metaDesc": "New SEO Description"}
    # the seed's create example with SEO under metadata.seo.title/description
    created = curl.post(
        f"{base}/articles",
        json={
            "title": "Your Article Title",
            "content": {"html": "<h1>Title</h1><p>Your content here</p>"},
            "category_id": "getting-started",
            "metadata": {
                "seo": {
                    "title": "SEO-friendly title (50-60 chars)",
                    "description": "Meta description (150-160 chars)",
                }
            },
        },
        headers=headers,
    ).json()
    assert created["seo"] == {
        "metaTitle": "SEO-friendly title (50-60 chars)",
        "metaDesc": "Meta description (150-160 chars)",
    }
    r = curl.post(f"{base}/articles/{aid}/draft/discard", headers=headers)
    assert r.json()["title"] == "Your Article Title"


def test_error_example(curl: httpx.Client, seed_center: Center, store: Store) -> None:
    writer = store.create_key(seed_center.id, ["content.read", "content.write"]).key
    headers = {"Authorization": f"Bearer {writer}", "Content-Type": "application/json"}
    base = f"/v0/centers/{seed_center.id}"
    aid = curl.post(f"{base}/articles", json={"title": "T"}, headers=headers).json()["id"]
    r = curl.post(f"{base}/articles/{aid}/publish", headers=headers)
    assert r.status_code == 403
    assert r.json() == {
        "error": {
            "type": "invalid_request_error",
            "message": "You do not have the 'content.publish' scope",
            "code": "insufficient_scope",
        }
    }


def test_category_examples_including_invalid_json(
    curl: httpx.Client, seed_center: Center, seed_key: str
) -> None:
    headers = {"Authorization": f"Bearer {seed_key}", "Content-Type": "application/json"}
    base = f"/v0/centers/{seed_center.id}/articles/categories"
    as_documented = (
        b'{\n  "name": "Getting Started",\n  "description": "Articles for new users",\n'
        b'  "icon": "<svg>...</svg>",  // Optional custom SVG icon\n'
        b'  "parent_id": "parent-cat-id"  // Optional, for subcategories\n}'
    )
    assert_error(curl.post(base, content=as_documented, headers=headers), 400, "invalid_json")
    r = curl.post(
        base,
        json={
            "name": "Getting Started",
            "description": "Articles for new users",
            "icon": "<svg>...</svg>",
        },
        headers=headers,
    )
    assert r.status_code == 201
    assert [c["slug"] for c in r.json()["data"]] == [
        "getting-started",
        "guides",
        "getting-started-2",
    ]
    new_id = r.json()["data"][2]["id"]
    r = curl.patch(
        f"{base}/{new_id}",
        json={
            "name": "Updated Name",
            "description": "Updated description",
            "icon": "<svg>...</svg>",
        },
        headers=headers,
    )
    assert r.json()["data"][2]["name"] == "Updated Name"
    assert curl.delete(f"{base}/{new_id}", headers=headers).status_code == 200
