"""Routes, credentials, scopes, centers and the order of checks (helpcenter.md §1, §2, §13)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from hcsync.emulators.helpcenter import ALL_SCOPES, Center, RateLimit, Store

from .conftest import Api, assert_error

# (endpoint, method, path under /v0/centers/{C}, scope); {A} article, {K} category.
ENDPOINTS = [
    ("E1", "GET", "", "content.read"),
    ("E2", "GET", "/articles/categories", "content.read"),
    ("E3", "POST", "/articles/categories", "content.write"),
    ("E4", "PATCH", "/articles/categories/{K}", "content.write"),
    ("E5", "DELETE", "/articles/categories/{K}", "content.delete"),
    ("E6", "GET", "/articles", "content.read"),
    ("E7", "GET", "/articles/{A}", "content.read"),
    ("E8", "GET", "/articles/count", "content.read"),
    ("E9", "POST", "/articles", "content.write"),
    ("E10", "PATCH", "/articles/{A}/metadata", "content.write"),
    ("E11", "DELETE", "/articles/{A}", "content.delete"),
    ("E12", "POST", "/articles/{A}/publish", "content.publish"),
    ("E13", "POST", "/articles/{A}/unpublish", "content.publish"),
    ("E14", "POST", "/articles/{A}/duplicate", "content.write"),
    ("E15", "GET", "/articles/drafts", "content.read"),
    ("E16", "GET", "/articles/drafts/count", "content.read"),
    ("E17", "GET", "/articles/{A}/draft", "content.read"),
    ("E18", "PATCH", "/articles/{A}/draft", "content.write"),
    ("E19", "POST", "/articles/{A}/draft/discard", "content.write"),
    ("E20", "GET", "/articles/{A}/translations/es", "content.read"),
    ("E21", "GET", "/articles/{A}/translations/es/draft", "content.read"),
    ("E22", "PATCH", "/articles/{A}/translations/es/draft", "content.write"),
    ("E23", "PATCH", "/articles/{A}/translations/es/metadata", "content.write"),
    ("E24", "DELETE", "/articles/{A}/translations/es", "content.delete"),
    ("E25", "POST", "/articles/{A}/translations/es/publish", "content.publish"),
    ("E26", "POST", "/articles/{A}/translations/es/unpublish", "content.publish"),
    ("E27", "POST", "/articles/images", "content.write"),
    ("E28", "POST", "/articles/{A}/images", "content.write"),
]


@pytest.fixture
def seeded(store: Store, center: Center) -> dict[str, str]:
    """A category, and a published article with a published Spanish translation."""
    cat = store.create_category(center.id, name="Guides")
    article = store.create_article(center.id, title="Install", html="<p>x</p>")
    store.publish_article(center.id, article.id)
    store.upsert_translation_draft(center.id, article.id, "es", title="Instalar", html="<p>y</p>")
    store.publish_translation(center.id, article.id, "es")
    return {"A": article.id, "K": cat.id}


def _path(center_id: str, template: str, ids: dict[str, str], prefix: str = "/v0") -> str:
    return f"{prefix}/centers/{center_id}" + template.format(**ids)


@pytest.mark.parametrize(("name", "method", "template", "scope"), ENDPOINTS)
def test_every_endpoint_needs_exactly_its_scope(
    store: Store,
    center: Center,
    seeded: dict[str, str],
    make_client: Callable[..., httpx.Client],
    name: str,
    method: str,
    template: str,
    scope: str,
) -> None:
    path = _path(center.id, template, seeded)
    others = [s for s in ALL_SCOPES if s != scope]
    lacking = make_client(store.create_key(center.id, others).key)
    error = assert_error(lacking.request(method, path), 403, "insufficient_scope")
    assert error["message"] == f"You do not have the '{scope}' scope"
    # control twin: the one scope alone gets past the scope check
    only = make_client(store.create_key(center.id, [scope]).key)
    response = only.request(method, path)
    assert response.status_code not in (401, 403), response.text


def test_every_endpoint_answers_on_the_api_alias(
    center: Center, seeded: dict[str, str], client: httpx.Client
) -> None:
    for _, method, template, _ in ENDPOINTS:
        if method != "GET":
            continue
        v0 = client.get(_path(center.id, template, seeded))
        alias = client.get(_path(center.id, template, seeded, prefix="/api/v0"))
        assert (alias.status_code, alias.json()) == (v0.status_code, v0.json()), template


def test_writes_work_on_the_api_alias(api: Api) -> None:
    r = api.client.post(f"/api/v0/centers/{api.center_id}/articles", json={"title": "Alias"})
    assert r.status_code == 201
    r = api.client.post(f"/api/v0/centers/{api.center_id}/articles/{r.json()['id']}/publish")
    assert (r.status_code, r.json()["status"]) == (200, "published")
    listed = api.get("/articles").json()
    assert listed["url"] == f"/api/v0/centers/{api.center_id}/articles"
    assert [a["title"] for a in listed["data"]] == ["Alias"]


def test_trailing_slash_is_the_same_route(api: Api) -> None:
    assert api.client.get(api.url("/articles/")).status_code == 200
    assert api.client.get(api.url("/")).json()["object"] == "center"


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("GET", "/nope"),
        ("GET", "/articles/a/b/c"),
        ("PUT", ""),
        ("DELETE", ""),
        ("PUT", "/articles/{A}/draft"),
        ("GET", "/articles/images"),
        ("DELETE", "/articles/count"),
        ("GET", "/articles/{A}/publish"),
        ("GET", "/articles/categories/{K}"),
        ("POST", "/articles/drafts"),
        ("HEAD", "/articles"),
        ("GET", "/conversations"),
        ("GET", "/conversations/count"),
        ("POST", "/conversations/abc/reply"),
        ("GET", "/users"),
    ],
)
def test_unknown_routes_and_wrong_methods(
    center: Center,
    seeded: dict[str, str],
    make_client: Callable[..., httpx.Client],
    method: str,
    suffix: str,
) -> None:
    anonymous = make_client(None)
    response = anonymous.request(method, _path(center.id, suffix, seeded))
    if method == "HEAD":
        assert response.status_code == 404
        return
    assert_error(response, 404, "endpoint_not_found")


def test_paths_outside_centers_are_endpoint_not_found(
    make_client: Callable[..., httpx.Client],
) -> None:
    anonymous = make_client(None)
    assert_error(anonymous.get("/v0/centers"), 404, "endpoint_not_found")
    assert_error(anonymous.get("/v1/centers/x"), 404, "endpoint_not_found")
    assert_error(anonymous.post("/api/v0/anything"), 404, "endpoint_not_found")
    assert_error(anonymous.post("/"), 404, "endpoint_not_found")


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token hck_x", "Bearer hck_unknown"],
)
def test_missing_or_bad_credentials_are_401(
    center: Center, make_client: Callable[..., httpx.Client], header: str | None
) -> None:
    client = make_client(None)
    headers = {} if header is None else {"Authorization": header}
    response = client.get(f"/v0/centers/{center.id}", headers=headers)
    assert_error(response, 401, "invalid_api_key")
    assert "x-ratelimit-limit" not in response.headers


def test_bearer_scheme_is_case_insensitive(
    center: Center, key: str, make_client: Callable[..., httpx.Client]
) -> None:
    client = make_client(None)
    response = client.get(f"/v0/centers/{center.id}", headers={"Authorization": f"bearer {key}"})
    assert response.status_code == 200


def test_revoked_key_is_401(
    store: Store, center: Center, make_client: Callable[..., httpx.Client]
) -> None:
    secret = store.create_key(center.id).key
    client = make_client(secret)
    assert client.get(f"/v0/centers/{center.id}").status_code == 200
    store.revoke_key(secret)
    assert_error(client.get(f"/v0/centers/{center.id}"), 401, "invalid_api_key")


def test_key_of_another_center_is_404(store: Store, center: Center, client: httpx.Client) -> None:
    other = store.create_center("Other", additional_languages=[])
    error = assert_error(client.get(f"/v0/centers/{other.id}"), 404, "not_found")
    assert error["message"] == "Center not found"
    assert_error(client.get("/v0/centers/000000000000000000000000/articles"), 404, "not_found")


def test_blocked_center_is_403_and_unblocking_restores(
    store: Store, center: Center, api: Api
) -> None:
    store.block_center(center.id)
    assert_error(api.get(), 403, "center_blocked")
    assert_error(api.post("/articles", json={"title": "x"}), 403, "center_blocked")
    store.block_center(center.id, blocked=False)
    assert api.get().status_code == 200


def test_no_scope_implies_another(
    store: Store, center: Center, make_client: Callable[..., httpx.Client]
) -> None:
    write_only = make_client(store.create_key(center.id, ["content.write"]).key)
    created = write_only.post(f"/v0/centers/{center.id}/articles", json={"title": "T"})
    assert created.status_code == 201
    assert_error(write_only.get(f"/v0/centers/{center.id}"), 403, "insufficient_scope")
    conversation = make_client(store.create_key(center.id, ["conversation.read"]).key)
    assert_error(conversation.get(f"/v0/centers/{center.id}"), 403, "insufficient_scope")


# -- the order of checks (§2) -----------------------------------------------------------------


def test_order_route_before_credentials(
    center: Center, make_client: Callable[..., httpx.Client]
) -> None:
    assert_error(make_client(None).get(f"/v0/centers/{center.id}/nope"), 404, "endpoint_not_found")


def test_order_credentials_before_center(
    store: Store, make_client: Callable[..., httpx.Client]
) -> None:
    other = store.create_center("Other")
    assert_error(make_client("hck_bad").get(f"/v0/centers/{other.id}"), 401, "invalid_api_key")


def test_order_rate_limit_before_center(
    app: object, store: Store, center: Center, key: str, client: httpx.Client
) -> None:
    from hcsync.emulators.helpcenter import HelpCenterEmulator

    assert isinstance(app, HelpCenterEmulator)
    app.set_rate_limit(RateLimit(per_minute=1, burst=1, window_seconds=60))
    other = store.create_center("Other")
    assert client.get(f"/v0/centers/{other.id}").status_code == 404
    assert_error(client.get(f"/v0/centers/{other.id}"), 429, "rate_limited")


def test_order_center_before_blocked_before_scope(
    store: Store, center: Center, make_client: Callable[..., httpx.Client]
) -> None:
    read_only = make_client(store.create_key(center.id, ["content.read"]).key)
    store.block_center(center.id)
    other = store.create_center("Other")
    assert_error(read_only.post(f"/v0/centers/{other.id}/articles"), 404, "not_found")
    assert_error(read_only.post(f"/v0/centers/{center.id}/articles"), 403, "center_blocked")
    store.block_center(center.id, blocked=False)
    assert_error(read_only.post(f"/v0/centers/{center.id}/articles"), 403, "insufficient_scope")


def test_order_scope_before_body(
    store: Store, center: Center, make_client: Callable[..., httpx.Client]
) -> None:
    read_only = make_client(store.create_key(center.id, ["content.read"]).key)
    response = read_only.post(
        f"/v0/centers/{center.id}/articles",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 403, "insufficient_scope")


def test_order_body_before_resource(api: Api) -> None:
    assert_error(
        api.patch("/articles/000000000000000000000000/draft", json={}),
        400,
        "missing_required_field",
    )
    assert_error(
        api.patch("/articles/000000000000000000000000/translations/fr/draft", json={"title": "x"}),
        400,
        "invalid_language",
    )
    assert_error(api.get("/articles/drafts?limit=0&starting_after=nope"), 400, "invalid_parameter")


def test_order_resource_before_business_rule(api: Api) -> None:
    missing = "000000000000000000000000"
    assert_error(api.post(f"/articles/{missing}/translations/es/publish"), 404, "not_found")
