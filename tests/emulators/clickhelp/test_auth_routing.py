"""Basic auth, roles, routing and the error body (clickhelp.md §1, §6)."""

from __future__ import annotations

import base64
from collections.abc import Callable

import httpx
import pytest

from hcsync.emulators.clickhelp import Store

from .conftest import PROJECT, Api, assert_error

BAD_KEY = "The login or API key is invalid. Use an API key, not your password."
NO_AUTH = "Authorization is required: use HTTP Basic authentication with your login and API key."


def test_connectivity_check_returns_the_profile(api: Api) -> None:
    r = api.get("users/kim")
    assert r.status_code == 200
    body = r.json()
    assert (body["userName"], body["userType"], body["userRole"], body["isEnabled"]) == (
        "kim",
        "Contributor",
        "Author",
        True,
    )
    assert body["userInfo"]["email"] == "kim@example.com"
    assert [u["userName"] for u in api.get("users").json()] == ["kim"]
    assert_error(api.get("users/nobody"), 404, "User 'nobody' was not found.")


def test_no_credentials_is_401_with_the_error_body(
    make_client: Callable[..., httpx.Client], project: str
) -> None:
    r = make_client(None).get(f"/api/v1/projects/{PROJECT}")
    assert_error(r, 401, NO_AUTH)
    assert r.json()["ExceptionType"] == "AuthenticationException"
    assert r.headers["www-authenticate"] == 'Basic realm="ClickHelp API"'


@pytest.mark.parametrize(
    "header",
    [
        "Bearer abc",
        "Basic !!!",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Basic " + base64.b64encode(b"kim:").decode(),
    ],
)
def test_garbled_authorization_is_401(
    make_client: Callable[..., httpx.Client], kim: tuple[str, str], header: str
) -> None:
    r = make_client(None).get("/api/v1/projects", headers={"Authorization": header})
    assert_error(r, 401, "The Authorization header is corrupted.")


def test_wrong_key_unknown_login_and_password_are_401(
    make_client: Callable[..., httpx.Client], kim: tuple[str, str]
) -> None:
    assert_error(make_client(("kim", "secret-password")).get("/api/v1/projects"), 401, BAD_KEY)
    assert_error(make_client(("ann", kim[1])).get("/api/v1/projects"), 401, BAD_KEY)
    assert make_client(kim).get("/api/v1/projects").status_code == 200


def test_only_the_latest_key_works(
    make_client: Callable[..., httpx.Client], store: Store, kim: tuple[str, str]
) -> None:
    new = store.new_key("kim").api_key
    assert new is not None and new != kim[1]
    assert_error(make_client(kim).get("/api/v1/projects"), 401, BAD_KEY)
    assert make_client(("kim", new)).get("/api/v1/projects").status_code == 200


def test_disabled_account_is_401(
    make_client: Callable[..., httpx.Client], store: Store, kim: tuple[str, str]
) -> None:
    store.set_user_enabled("kim", False)
    assert_error(
        make_client(kim).get("/api/v1/projects"), 401, "The user account 'kim' is disabled."
    )


def test_power_reader_cannot_use_the_api(
    make_client: Callable[..., httpx.Client], store: Store
) -> None:
    user = store.create_user("pat", "PowerReader")
    assert user.api_key is not None
    r = make_client(("pat", user.api_key)).get("/api/v1/projects")
    assert_error(r, 403, "User 'pat' is a Power Reader and cannot use the API.")
    assert r.json()["ExceptionType"] == "AccessDeniedException"


def test_reviewer_reads_but_cannot_write(
    make_client: Callable[..., httpx.Client], store: Store, project: str
) -> None:
    user = store.create_user("rev", "Reviewer")
    assert user.api_key is not None
    reviewer = Api(make_client(("rev", user.api_key)))
    assert reviewer.get(f"projects/{PROJECT}/articles").json() == []
    assert reviewer.get("users/rev").json()["userRole"] == "Reviewer"
    r = reviewer.post(f"projects/{PROJECT}/toc/nodes", json={"caption": "Guides"})
    assert_error(r, 403, "User 'rev' has no permission to change content.")
    assert store.nodes(PROJECT) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/nowhere"),
        ("GET", "/api/v2/projects"),
        ("PUT", f"/api/v1/projects/{PROJECT}"),
        ("DELETE", "/api/v1/projects"),
        ("GET", f"/api/v1/projects/{PROJECT}/articles/a/b"),
    ],
)
def test_unknown_routes_and_methods_are_404(api: Api, method: str, path: str) -> None:
    r = api.client.request(method, path)
    assert_error(r, 404, f"No API endpoint {method} {path}.")


def test_trailing_slash_is_ignored(api: Api) -> None:
    assert api.get(f"projects/{PROJECT}/").json()["id"] == PROJECT


def test_malformed_json_is_500_as_documented(api: Api) -> None:
    for raw in (b'{"caption": "A", "isShowInToc": True}', b"{", b'{"ordinalNo": NaN}'):
        r = api.post(
            f"projects/{PROJECT}/toc/nodes",
            content=raw,
            headers={"Content-Type": "application/json"},
        )
        message = assert_error(r, 500)
        assert message.startswith("Error parsing the request body as JSON: ")
        assert r.json()["ExceptionType"] == "JsonReaderException"
    assert api.nodes() == []


def test_a_body_that_is_not_an_object_is_400(api: Api) -> None:
    r = api.post(f"projects/{PROJECT}/toc/nodes", json=[{"caption": "A"}])
    assert_error(r, 400, "The request body must be a JSON object.")
    assert_error(api.post(f"projects/{PROJECT}/toc/nodes"), 400, "The request body is required.")


def test_anonymous_topic_only_in_a_public_publication(
    api: Api, make_client: Callable[..., httpx.Client], store: Store
) -> None:
    api.create_topic("install-cli")
    anon = make_client(None)
    assert_error(anon.get(f"/api/v1/projects/{PROJECT}/articles/install-cli"), 401, NO_AUTH)
    api.wait(api.publish(pubId="guide", pubName="Guide", pubVisibility="Private"))
    assert_error(anon.get("/api/v1/projects/guide/articles/install-cli"), 401, NO_AUTH)
    store.set_visibility("guide", "Public")
    r = anon.get("/api/v1/projects/guide/articles/install-cli")
    assert r.status_code == 200
    assert r.json()["body"] == "<p>install-cli</p>"
    assert_error(anon.get("/api/v1/projects/guide/articles"), 401, NO_AUTH)
    r = make_client(("kim", "wrong")).get("/api/v1/projects/guide/articles/install-cli")
    assert_error(r, 401, BAD_KEY)
