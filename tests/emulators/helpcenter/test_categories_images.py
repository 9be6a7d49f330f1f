"""Categories (E2-E5, §9), images (E27-E28, §10) and request bodies (§1, §13)."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest

from hcsync.emulators.helpcenter import Center, Store

from .conftest import Api, assert_error

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 16
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 16
SVG = b'\n  <svg xmlns="http://www.w3.org/2000/svg"></svg>'
XML_SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'

# -- categories -------------------------------------------------------------------------------


def _tree(api: Api) -> list[dict[str, Any]]:
    r = api.get("/articles/categories")
    assert r.status_code == 200
    data: list[dict[str, Any]] = r.json()["data"]
    return data


def test_create_category_returns_whole_tree(api: Api, center: Center) -> None:
    r = api.post(
        "/articles/categories",
        json={
            "name": "Getting Started",
            "description": "First steps",
            "icon": "<svg/>",
            "translations": {"es": {"name": "Primeros pasos", "description": "Los primeros"}},
        },
    )
    assert r.status_code == 201
    body = r.json()
    parent_id = body["data"][0]["id"]
    assert body == {
        "object": "list",
        "url": f"/api/v0/centers/{center.id}/articles/categories",
        "data": [
            {
                "id": parent_id,
                "name": "Getting Started",
                "description": "First steps",
                "slug": "getting-started",
                "slug_id": 1,
                "translations": {"es": {"name": "Primeros pasos", "description": "Los primeros"}},
                "children": [],
            }
        ],
    }
    r = api.post("/articles/categories", json={"name": "Billing", "parent_id": parent_id})
    assert r.status_code == 201
    child = r.json()["data"][0]["children"][0]
    assert child == {
        "id": child["id"],
        "name": "Billing",
        "description": "",
        "slug": "billing",
        "slug_id": 2,
        "translations": {},
    }
    assert "has_more" not in r.json() and "count" not in r.json()


def test_category_order_slug_dedup_and_default_icon(api: Api, store: Store, center: Center) -> None:
    api.post("/articles/categories", json={"name": "FAQ"})
    api.post("/articles/categories", json={"name": "faq"})
    api.post("/articles/categories", json={"name": "FAQ!"})
    assert [c["slug"] for c in _tree(api)] == ["faq", "faq-2", "faq-3"]
    assert store.categories(center.id)[0].icon.startswith("<svg")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "missing_required_field"),
        ({"name": "  "}, 400, "missing_required_field"),
        ({"name": 3}, 400, "invalid_parameter"),
        ({"name": "x", "translations": {"fr": {"name": "y"}}}, 400, "invalid_language"),
        ({"name": "x", "translations": {"es": "y"}}, 400, "invalid_parameter"),
        ({"name": "x", "parent_id": "000000000000000000000000"}, 404, "not_found"),
    ],
)
def test_create_category_failures(
    api: Api, body: dict[str, object], status: int, code: str
) -> None:
    assert_error(api.post("/articles/categories", json=body), status, code)


def test_only_one_level_of_subcategories(api: Api) -> None:
    parent = api.post("/articles/categories", json={"name": "P"}).json()["data"][0]["id"]
    tree = api.post("/articles/categories", json={"name": "C", "parent_id": parent}).json()
    child = tree["data"][0]["children"][0]["id"]
    r = api.post("/articles/categories", json={"name": "G", "parent_id": child})
    assert_error(r, 400, "invalid_parent")


def test_update_category(api: Api) -> None:
    cat = api.post(
        "/articles/categories",
        json={"name": "Old", "translations": {"es": {"name": "Viejo", "description": "d"}}},
    ).json()["data"][0]
    r = api.patch(
        f"/articles/categories/{cat['id']}",
        json={
            "name": "New",
            "description": "D",
            "translations": {"es": {"name": "Nuevo"}, "de": {"name": "Neu"}},
            "parent_id": "ignored",
        },
    )
    assert r.status_code == 200
    updated = r.json()["data"][0]
    assert (updated["name"], updated["description"], updated["slug"]) == ("New", "D", "old")
    assert updated["translations"] == {
        "es": {"name": "Nuevo", "description": "d"},
        "de": {"name": "Neu"},
    }
    r = api.patch(f"/articles/categories/{cat['id']}", json={"translations": {"de": None}})
    assert r.json()["data"][0]["translations"] == {"es": {"name": "Nuevo", "description": "d"}}
    assert_error(
        api.patch(f"/articles/categories/{cat['id']}", json={}), 400, "missing_required_field"
    )
    assert_error(
        api.patch(f"/articles/categories/{cat['id']}", json={"name": ""}),
        400,
        "missing_required_field",
    )
    assert_error(
        api.patch("/articles/categories/000000000000000000000000", json={"name": "x"}),
        404,
        "not_found",
    )


def test_delete_category_refused_while_used(api: Api) -> None:
    parent = api.post("/articles/categories", json={"name": "P"}).json()["data"][0]["id"]
    tree = api.post("/articles/categories", json={"name": "C", "parent_id": parent}).json()
    child = tree["data"][0]["children"][0]["id"]
    in_child = api.create("In child", category_id=child)["id"]
    in_parent = api.create("In parent", category_id=parent)["id"]
    api.publish(in_parent)
    error = assert_error(api.delete(f"/articles/categories/{parent}"), 400, "category_has_articles")
    assert error["article_ids"] == [in_child, in_parent]
    assert error["message"] == (
        f"Category has 2 articles: {in_child}, {in_parent}. Move or delete them first."
    )
    error = assert_error(api.delete(f"/articles/categories/{child}"), 400, "category_has_articles")
    assert error["article_ids"] == [in_child]
    assert error["message"] == f"Category has 1 article: {in_child}. Move or delete them first."
    # control twin: once emptied, deletion works and takes the subcategory with it
    api.delete(f"/articles/{in_child}")
    api.delete(f"/articles/{in_parent}")
    r = api.delete(f"/articles/categories/{parent}")
    assert r.status_code == 200
    assert r.json()["data"] == []
    assert_error(api.delete(f"/articles/categories/{child}"), 404, "not_found")


def test_delete_subcategory_returns_tree(api: Api) -> None:
    parent = api.post("/articles/categories", json={"name": "P"}).json()["data"][0]["id"]
    tree = api.post("/articles/categories", json={"name": "C", "parent_id": parent}).json()
    child = tree["data"][0]["children"][0]["id"]
    r = api.delete(f"/articles/categories/{child}")
    assert r.status_code == 200
    assert [(c["name"], c["children"]) for c in r.json()["data"]] == [("P", [])]


# -- images -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "media"),
    [
        (PNG, "screen.png", "image/png"),
        (JPEG, "photo.jpeg", "image/jpeg"),
        (GIF, "anim.gif", "image/gif"),
        (WEBP, "pic.webp", "image/webp"),
        (SVG, "logo.svg", "image/svg+xml"),
        (XML_SVG, "logo2.svg", "image/svg+xml"),
        (PNG, "misnamed.txt", "image/png"),
        (b"not really", "by-extension.png", "image/png"),
    ],
)
def test_upload_image_and_fetch_bytes(api: Api, data: bytes, filename: str, media: str) -> None:
    r = api.post("/articles/images", files={"image": (filename, data)})
    assert r.status_code == 200
    sha = hashlib.sha256(data).hexdigest()
    assert r.json() == {
        "success": True,
        "data": {
            "url": f"http://testserver/cdn/images/{sha}/{filename}",
            "filename": filename,
            "size": len(data),
        },
    }
    served = api.client.get(r.json()["data"]["url"])
    assert served.status_code == 200
    assert served.content == data
    assert served.headers["content-type"] == media


def test_part_content_type_is_not_trusted(api: Api) -> None:
    r = api.post("/articles/images", files={"image": ("a.png", PNG, "text/plain")})
    assert r.status_code == 200
    r = api.post("/articles/images", files={"image": ("a.bin", b"plain text", "image/png")})
    assert_error(r, 400, "invalid_file_type")


def test_same_bytes_same_url(api: Api) -> None:
    first = api.post("/articles/images", files={"image": ("a.png", PNG)}).json()["data"]
    second = api.post("/articles/images", files={"image": ("b.png", PNG)}).json()["data"]
    assert second["url"] == first["url"]
    assert second["filename"] == "b.png"


def test_upload_for_article(api: Api) -> None:
    article = api.create()["id"]
    r = api.post(f"/articles/{article}/images", files={"image": ("a.gif", GIF)})
    assert r.status_code == 200
    assert r.json()["data"]["filename"] == "a.gif"
    missing = api.post("/articles/000000000000000000000000/images", files={"image": ("a.gif", GIF)})
    assert_error(missing, 404, "not_found")


def test_upload_without_filename_and_with_path(api: Api) -> None:
    r = api.post(
        "/articles/images",
        content=b'--b\r\nContent-Disposition: form-data; name="image"\r\n\r\n'
        + PNG
        + b"\r\n--b--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["filename"] == "image.png"
    r = api.post("/articles/images", files={"image": ("C:\\Users\\me\\shot.png", PNG)})
    assert r.json()["data"]["filename"] == "shot.png"


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"files": {"file": ("a.png", PNG)}}, 400, "missing_required_field"),
        ({"json": {"image": "a.png"}}, 400, "missing_required_field"),
        ({}, 400, "missing_required_field"),
        ({"files": {"image": ("a.txt", b"hello")}}, 400, "invalid_file_type"),
        ({"files": {"image": ("a.bmp", b"BM" + b"\x00" * 10)}}, 400, "invalid_file_type"),
        ({"files": {"image": ("a.png", b"")}}, 400, "invalid_file_type"),
        (
            {
                "content": b"garbage",
                "headers": {"Content-Type": "multipart/form-data; boundary=zzz"},
            },
            400,
            "missing_required_field",
        ),
    ],
)
def test_upload_failures(api: Api, kwargs: dict[str, Any], status: int, code: str) -> None:
    assert_error(api.post("/articles/images", **kwargs), status, code)


def test_file_size_limit(api: Api) -> None:
    limit = 10 * 1024 * 1024
    at_limit = b"\x89PNG\r\n\x1a\n" + b"\x00" * (limit - 8)
    assert api.post("/articles/images", files={"image": ("big.png", at_limit)}).status_code == 200
    over = at_limit + b"\x00"
    r = api.post("/articles/images", files={"image": ("big.png", over)})
    assert_error(r, 413, "file_too_large")
    way_over = at_limit * 2
    assert_error(
        api.post("/articles/images", files={"image": ("x.png", way_over)}), 413, "file_too_large"
    )


def test_unknown_image_is_404(api: Api) -> None:
    assert api.client.get("/cdn/images/" + "0" * 64 + "/x.png").status_code == 404


# -- bodies -----------------------------------------------------------------------------------


def test_invalid_json(api: Api) -> None:
    commented = b'{\n  "name": "Getting Started", // comment\n  "parent_id": "x"\n}'
    r = api.post(
        "/articles/categories", content=commented, headers={"Content-Type": "application/json"}
    )
    assert_error(r, 400, "invalid_json")
    for raw in (b"{", b"[1, 2]", b'"text"', b"NaN", b'{"title": NaN}', b"\xff\xfe"):
        r = api.post("/articles", content=raw, headers={"Content-Type": "application/json"})
        assert_error(r, 400, "invalid_json")


def test_invalid_json_on_a_get(api: Api) -> None:
    r = api.client.request(
        "GET", api.url("/articles"), content=b"{", headers={"Content-Type": "application/json"}
    )
    assert_error(r, 400, "invalid_json")


def test_empty_body_with_json_content_type_is_empty_object(api: Api) -> None:
    article = api.create()["id"]
    headers = {"Content-Type": "application/json", "Content-Length": "0"}
    r = api.post(f"/articles/{article}/publish", content=b"", headers=headers)
    assert r.status_code == 200
    r = api.get("/articles", headers={"Content-Type": "application/json"})
    assert r.status_code == 200
    r = api.post("/articles", content=b"   ", headers={"Content-Type": "application/json"})
    assert_error(r, 400, "invalid_json")


def test_non_json_content_type_body_is_ignored(api: Api) -> None:
    r = api.post("/articles", content=b'{"title": "x"}', headers={"Content-Type": "text/plain"})
    assert_error(r, 400, "missing_required_field")
    r = api.post("/articles", content=b'{"title": "x"}')
    assert_error(r, 400, "missing_required_field")
    r = api.post(
        "/articles",
        content=b'{"title": "x"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert r.status_code == 201
    r = api.post(
        "/articles", content=b'{"title": "x"}', headers={"Content-Type": "application/merge+json"}
    )
    assert r.status_code == 201


def test_payload_too_large(api: Api) -> None:
    limit = 1024 * 1024
    filler = "x" * (limit - len('{"title":"t","pad":""}'))
    ok = ('{"title":"t","pad":"' + filler + '"}').encode()
    assert len(ok) == limit
    headers = {"Content-Type": "application/json"}
    assert api.post("/articles", content=ok, headers=headers).status_code == 201
    over = ('{"title":"t","pad":"' + filler + 'y"}').encode()
    assert_error(api.post("/articles", content=over, headers=headers), 413, "payload_too_large")
    # even with a content type that would be ignored
    r = api.post("/articles", content=over, headers={"Content-Type": "text/plain"})
    assert_error(r, 413, "payload_too_large")


def test_unicode_roundtrip(api: Api, client: httpx.Client) -> None:
    body = api.create("Überblick 日本語 — ✓", content={"html": "<p>naïve café</p>"})
    assert body["title"] == "Überblick 日本語 — ✓"
    assert body["content"]["text"] == "naïve café"
