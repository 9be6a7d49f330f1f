"""Articles and drafts: E7, E9-E14, E17-E19 and the state machine (helpcenter.md §4, §5, §7)."""

from __future__ import annotations

import re

import pytest

from hcsync.emulators.helpcenter import Center, Store

from .conftest import Api, FakeClock, assert_error

HEX24 = re.compile(r"^[0-9a-f]{24}$")


@pytest.fixture
def category(store: Store, center: Center) -> str:
    return store.create_category(center.id, name="Getting Started").id


def test_create_returns_the_unpublished_draft_with_content(
    api: Api, center: Center, category: str
) -> None:
    r = api.post(
        "/articles",
        json={
            "title": "Install the agent",
            "content": {"html": "<h2>Before you start</h2><p>You need admin rights.</p>"},
            "category_id": category,
            "metadata": {"seo": {"metaTitle": "Install Acme", "metaDesc": "How to"}},
        },
    )
    assert r.status_code == 201
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    body = r.json()
    assert HEX24.match(body["id"])
    token = body["preview_url"].rsplit("-", 1)[1]
    assert re.fullmatch(r"[0-9a-f]{8}", token)
    assert body == {
        "id": body["id"],
        "object": "draft",
        "center_id": center.id,
        "category_id": category,
        "slug_id": 1,
        "slug": None,
        "title": "Install the agent",
        "status": "unpublished",
        "has_unpublished_changes": True,
        "seo": {"metaTitle": "Install Acme", "metaDesc": "How to"},
        "preview_url": f"http://testserver/article/preview-{token}",
        "translations": [],
        "created_at": "2026-01-01T00:00:00.000Z",
        "updated_at": "2026-01-01T00:00:00.000Z",
        "published_at": None,
        "content": {
            "html": "<h2>Before you start</h2><p>You need admin rights.</p>",
            "text": "Before you start\nYou need admin rights.",
        },
    }


def test_create_defaults(api: Api, store: Store, center: Center, category: str) -> None:
    store.create_category(center.id, name="Second")
    body = api.create("Only a title", status="draft", slug="ignored", json={"x": 1})
    assert body["category_id"] == category  # the first category
    assert body["content"] == {"html": "", "text": ""}
    assert body["seo"] == {"metaTitle": None, "metaDesc": None}
    assert body["slug"] is None  # slug cannot be set on create (§5 E9)
    assert body["slug_id"] == 1
    assert api.create("Next")["slug_id"] == 2


def test_create_without_categories_has_null_category(api: Api) -> None:
    assert api.create()["category_id"] is None


def test_create_category_by_slug_and_aliases(api: Api, category: str) -> None:
    by_slug = api.create("A", category_id="getting-started")
    assert by_slug["category_id"] == category
    by_alias = api.create("B", category=category)
    assert by_alias["category_id"] == category
    seed_seo = api.create("C", metadata={"seo": {"title": "T", "description": "D"}})
    assert seed_seo["seo"] == {"metaTitle": "T", "metaDesc": "D"}
    both = api.create("D", metadata={"seo": {"metaTitle": "canon", "title": "alias"}})
    assert both["seo"] == {"metaTitle": "canon", "metaDesc": None}


def test_create_sanitises_html(api: Api) -> None:
    body = api.create(
        content={
            "html": '<p onclick="x()">Hi<script>alert(1)</script></p><a href="javascript:x">l</a>'
        }
    )
    assert body["content"] == {"html": "<p>Hi</p><a>l</a>", "text": "Hi\nl"}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "missing_required_field"),
        ({"title": ""}, 400, "missing_required_field"),
        ({"title": "   "}, 400, "missing_required_field"),
        ({"title": None}, 400, "missing_required_field"),
        ({"title": 5}, 400, "invalid_parameter"),
        ({"title": "T", "content": "html"}, 400, "invalid_parameter"),
        ({"title": "T", "content": {"html": 1}}, 400, "invalid_parameter"),
        ({"title": "T", "category_id": 3}, 400, "invalid_parameter"),
        ({"title": "T", "metadata": {"seo": {"metaTitle": 1}}}, 400, "invalid_parameter"),
        ({"title": "T", "category_id": "no-such-category"}, 404, "not_found"),
    ],
)
def test_create_failures(api: Api, body: dict[str, object], status: int, code: str) -> None:
    assert_error(api.post("/articles", json=body), status, code)


def test_publish_sets_slug_url_and_times(api: Api, clock: FakeClock) -> None:
    created = api.create("Install the Agent!")
    clock.advance(60)
    body = api.publish(created["id"])
    assert body["status"] == "published"
    assert body["has_unpublished_changes"] is False
    assert body["slug"] == "install-the-agent"
    assert body["url"] == "http://testserver/article/1-install-the-agent"
    assert body["published_at"] == "2026-01-01T00:01:00.000Z"
    assert body["updated_at"] == "2026-01-01T00:01:00.000Z"
    assert body["created_at"] == "2026-01-01T00:00:00.000Z"
    assert body["content"] == {"html": "", "text": ""}


def test_publish_slug_fallback_and_accents(api: Api) -> None:
    assert api.publish(api.create("Título número 1")["id"])["slug"] == "titulo-numero-1"
    assert api.publish(api.create("日本語")["id"])["slug"] == "article"


def test_get_published_article(api: Api, category: str, clock: FakeClock) -> None:
    created = api.create(
        "Install", content={"html": "<p>Body</p>"}, metadata={"seo": {"metaTitle": "M"}}
    )
    assert_error(api.get(f"/articles/{created['id']}"), 404, "not_found")
    api.publish(created["id"])
    r = api.get(f"/articles/{created['id']}")
    assert r.status_code == 200
    body = r.json()
    assert "content" not in body
    assert body == {
        "id": created["id"],
        "object": "article",
        "center_id": created["center_id"],
        "category_id": category,
        "slug_id": 1,
        "slug": "install",
        "title": "Install",
        "status": "published",
        "seo": {"metaTitle": "M", "metaDesc": None},
        "url": "http://testserver/article/1-install",
        "preview_url": created["preview_url"],
        "translations": [],
        "created_at": "2026-01-01T00:00:00.000Z",
        "updated_at": "2026-01-01T00:00:00.001Z",
        "published_at": "2026-01-01T00:00:00.001Z",
    }
    for query in ("expand[]=content", "expand=content", "expand[0]=content"):
        expanded = api.get(f"/articles/{created['id']}?{query}").json()
        assert expanded["content"] == {"html": "<p>Body</p>", "text": "Body"}, query


def test_published_article_shows_live_version_while_draft_changes(api: Api) -> None:
    a = api.create("Old", content={"html": "<p>old</p>"})
    api.publish(a["id"])
    r = api.patch(f"/articles/{a['id']}/draft", json={"title": "New", "html": "<p>new</p>"})
    assert r.status_code == 200
    assert r.json()["status"] == "published_with_changes"
    assert r.json()["has_unpublished_changes"] is True
    assert r.json()["url"] == "http://testserver/article/1-old"
    live = api.get(f"/articles/{a['id']}?expand[]=content").json()
    assert (live["title"], live["content"]["html"]) == ("Old", "<p>old</p>")
    draft = api.get(f"/articles/{a['id']}/draft?expand[]=content").json()
    assert (draft["title"], draft["content"]["html"]) == ("New", "<p>new</p>")


def test_get_draft_any_status(api: Api) -> None:
    a = api.create("T")
    body = api.get(f"/articles/{a['id']}/draft").json()
    assert body["status"] == "unpublished"
    assert "content" not in body
    assert "url" not in body
    assert_error(api.get("/articles/000000000000000000000000/draft"), 404, "not_found")


def test_update_draft_rules(api: Api, clock: FakeClock) -> None:
    a = api.create("T", content={"html": "<p>a</p>"})
    clock.advance(5)
    r = api.patch(f"/articles/{a['id']}/draft", json={"html": "<p>b</p>", "content": "x"})
    body = r.json()
    assert (body["title"], body["content"]) == ("T", {"html": "<p>b</p>", "text": "b"})
    assert body["status"] == "unpublished"  # never published: stays unpublished
    assert body["updated_at"] == "2026-01-01T00:00:05.000Z"
    r = api.patch(f"/articles/{a['id']}/draft", json={"title": "U"})
    assert r.json()["title"] == "U"
    assert r.json()["updated_at"] == "2026-01-01T00:00:05.001Z"  # moves forward at least 1 ms


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "missing_required_field"),
        ({"content": {"html": "x"}}, "missing_required_field"),
        ({"title": ""}, "missing_required_field"),
        ({"title": 1}, "invalid_parameter"),
        ({"html": ["x"]}, "invalid_parameter"),
    ],
)
def test_update_draft_failures(api: Api, body: dict[str, object], code: str) -> None:
    a = api.create()
    assert_error(api.patch(f"/articles/{a['id']}/draft", json=body), 400, code)


def test_update_draft_unknown_article(api: Api) -> None:
    assert_error(
        api.patch("/articles/000000000000000000000000/draft", json={"title": "x"}), 404, "not_found"
    )


def test_identical_update_still_flags_changes(api: Api) -> None:
    a = api.create("Same", content={"html": "<p>x</p>"})
    api.publish(a["id"])
    r = api.patch(f"/articles/{a['id']}/draft", json={"title": "Same", "html": "<p>x</p>"})
    assert r.json()["status"] == "published_with_changes"


def test_metadata_applies_live_without_status_change(
    api: Api, store: Store, center: Center, category: str, clock: FakeClock
) -> None:
    other = store.create_category(center.id, name="Billing", parent_id=category).id
    a = api.create("Install")
    api.publish(a["id"])
    clock.advance(1)
    r = api.patch(
        f"/articles/{a['id']}/metadata",
        json={"category": other, "slug": "Custom Slug!", "seo": {"metaTitle": "MT"}},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "published"
    assert (body["category_id"], body["slug"]) == (other, "custom-slug")
    assert body["seo"] == {"metaTitle": "MT", "metaDesc": None}
    assert body["url"] == "http://testserver/article/1-custom-slug"
    assert body["updated_at"] == "2026-01-01T00:00:01.000Z"
    assert body["content"] == {"html": "", "text": ""}
    live = api.get(f"/articles/{a['id']}").json()
    assert (live["category_id"], live["slug"]) == (other, "custom-slug")
    # seo merges: a key left out keeps its value; null clears
    body = api.patch(f"/articles/{a['id']}/metadata", json={"seo": {"metaDesc": "D"}}).json()
    assert body["seo"] == {"metaTitle": "MT", "metaDesc": "D"}
    body = api.patch(f"/articles/{a['id']}/metadata", json={"seo.metaTitle": None}).json()
    assert body["seo"] == {"metaTitle": None, "metaDesc": "D"}
    body = api.patch(
        f"/articles/{a['id']}/metadata", json={"seo": {"title": "seed", "description": "d2"}}
    ).json()
    assert body["seo"] == {"metaTitle": "seed", "metaDesc": "d2"}
    body = api.patch(f"/articles/{a['id']}/metadata", json={"category_id": category}).json()
    assert body["category_id"] == category
    body = api.patch(f"/articles/{a['id']}/metadata", json={"category": "billing"}).json()
    assert body["category_id"] == other


def test_metadata_slug_on_unpublished_draft_is_kept_at_publish(api: Api) -> None:
    a = api.create("Generated")
    api.patch(f"/articles/{a['id']}/metadata", json={"slug": "mine"})
    assert api.publish(a["id"])["slug"] == "mine"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "missing_required_field"),
        ({"seo": {}}, 400, "missing_required_field"),
        ({"title": "not metadata"}, 400, "missing_required_field"),
        ({"slug": "!!!"}, 400, "invalid_parameter"),
        ({"slug": 3}, 400, "invalid_parameter"),
        ({"category": None}, 400, "invalid_parameter"),
        ({"seo": "x"}, 400, "invalid_parameter"),
        ({"category": "nope"}, 404, "not_found"),
    ],
)
def test_metadata_failures(api: Api, body: dict[str, object], status: int, code: str) -> None:
    a = api.create()
    assert_error(api.patch(f"/articles/{a['id']}/metadata", json=body), status, code)


def test_unpublish_keeps_draft_and_is_idempotent(api: Api) -> None:
    a = api.create("T", content={"html": "<p>x</p>"})
    api.publish(a["id"])
    r = api.post(f"/articles/{a['id']}/unpublish")
    body = r.json()
    assert r.status_code == 200
    assert (body["status"], body["published_at"]) == ("unpublished", None)
    assert "url" not in body
    assert body["content"]["html"] == "<p>x</p>"
    assert_error(api.get(f"/articles/{a['id']}"), 404, "not_found")
    assert_error(api.post(f"/articles/{a['id']}/draft/discard"), 404, "not_found")
    again = api.post(f"/articles/{a['id']}/unpublish")
    assert again.status_code == 200
    assert again.json()["updated_at"] == body["updated_at"]  # a no-op


def test_discard_restores_live_version(api: Api) -> None:
    a = api.create("Live", content={"html": "<p>live</p>"})
    assert_error(api.post(f"/articles/{a['id']}/draft/discard"), 404, "not_found")
    api.publish(a["id"])
    noop = api.post(f"/articles/{a['id']}/draft/discard")
    assert noop.status_code == 200
    assert noop.json()["status"] == "published"
    api.patch(f"/articles/{a['id']}/draft", json={"title": "Edit", "html": "<p>edit</p>"})
    body = api.post(f"/articles/{a['id']}/draft/discard").json()
    assert body["status"] == "published"
    assert body["has_unpublished_changes"] is False
    assert (body["title"], body["content"]["html"]) == ("Live", "<p>live</p>")


def test_state_machine_table(api: Api) -> None:
    """Every cell of §7's table."""
    a = api.create()["id"]

    def status() -> str:
        return str(api.get(f"/articles/{a}/draft").json()["status"])

    def edit() -> None:
        assert api.patch(f"/articles/{a}/draft", json={"html": "<p>e</p>"}).status_code == 200

    edit()
    assert status() == "unpublished"
    assert api.post(f"/articles/{a}/unpublish").status_code == 200
    assert status() == "unpublished"
    assert api.post(f"/articles/{a}/draft/discard").status_code == 404
    api.publish(a)
    assert status() == "published"
    api.publish(a)
    assert status() == "published"
    assert api.post(f"/articles/{a}/draft/discard").status_code == 200
    assert status() == "published"
    edit()
    assert status() == "published_with_changes"
    edit()
    assert status() == "published_with_changes"
    api.publish(a)
    assert status() == "published"
    edit()
    api.post(f"/articles/{a}/draft/discard")
    assert status() == "published"
    edit()
    api.post(f"/articles/{a}/unpublish")
    assert status() == "unpublished"
    api.publish(a)
    api.post(f"/articles/{a}/unpublish")
    assert status() == "unpublished"
    api.patch(f"/articles/{a}/metadata", json={"slug": "s"})
    assert status() == "unpublished"


def test_republish_copies_the_draft_again(api: Api, clock: FakeClock) -> None:
    a = api.create("One")
    api.publish(a["id"])
    api.patch(f"/articles/{a['id']}/draft", json={"title": "Two"})
    clock.advance(10)
    body = api.publish(a["id"])
    assert body["published_at"] == "2026-01-01T00:00:10.000Z"
    assert api.get(f"/articles/{a['id']}").json()["title"] == "Two"
    assert body["slug"] == "one"  # the slug is generated once


def test_duplicate(api: Api, category: str) -> None:
    a = api.create(
        "Original",
        content={"html": "<p>o</p>"},
        category_id=category,
        metadata={"seo": {"metaTitle": "MT", "metaDesc": "MD"}},
    )
    api.patch(
        f"/articles/{a['id']}/translations/es/draft", json={"title": "Orig", "html": "<p>e</p>"}
    )
    api.publish(a["id"])
    api.post(f"/articles/{a['id']}/translations/es/publish")
    r = api.post(f"/articles/{a['id']}/duplicate")
    assert r.status_code == 201
    copy = r.json()
    assert copy["id"] != a["id"]
    assert copy["title"] == "Copy of Original"
    assert (copy["status"], copy["slug"], copy["slug_id"]) == ("unpublished", None, 2)
    assert copy["category_id"] == category
    assert copy["seo"] == {"metaTitle": "MT", "metaDesc": "MD"}
    assert copy["content"] == {"html": "<p>o</p>", "text": "o"}
    assert copy["translations"] == []
    tr = api.get(f"/articles/{copy['id']}/translations/es/draft?expand[]=content").json()
    assert (tr["title"], tr["status"], tr["content"]["html"]) == (
        "Copy of Orig",
        "unpublished",
        "<p>e</p>",
    )
    assert_error(api.post("/articles/000000000000000000000000/duplicate"), 404, "not_found")


def test_delete_removes_article_and_translations(api: Api) -> None:
    a = api.create()["id"]
    api.patch(f"/articles/{a}/translations/es/draft", json={"title": "x"})
    api.publish(a)
    r = api.delete(f"/articles/{a}")
    assert (r.status_code, r.content) == (204, b"")
    for method, suffix in [
        ("GET", f"/articles/{a}"),
        ("GET", f"/articles/{a}/draft"),
        ("GET", f"/articles/{a}/translations/es/draft"),
        ("POST", f"/articles/{a}/publish"),
        ("DELETE", f"/articles/{a}"),
        ("PATCH", f"/articles/{a}/metadata"),
    ]:
        kwargs = {"json": {"slug": "x"}} if method == "PATCH" else {}
        assert_error(api.client.request(method, api.url(suffix), **kwargs), 404, "not_found")


def test_updated_at_bumps_on_every_change(api: Api) -> None:
    a = api.create()["id"]
    stamps = [api.get(f"/articles/{a}/draft").json()["updated_at"]]
    for call in (
        lambda: api.patch(f"/articles/{a}/draft", json={"title": "x"}),
        lambda: api.patch(f"/articles/{a}/metadata", json={"slug": "y"}),
        lambda: api.post(f"/articles/{a}/publish"),
        lambda: api.patch(f"/articles/{a}/draft", json={"title": "z"}),
        lambda: api.post(f"/articles/{a}/draft/discard"),
        lambda: api.post(f"/articles/{a}/unpublish"),
    ):
        assert call().status_code == 200
        stamps.append(api.get(f"/articles/{a}/draft").json()["updated_at"])
    assert stamps == sorted(set(stamps))
    assert len(stamps) == 7
