"""Test controls: faults, the request log, /_emulator/ over HTTP, web-UI edits, reset."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from hcsync.emulators.helpcenter import (
    ALL_SCOPES,
    Center,
    FaultRule,
    HelpCenterEmulator,
    RateLimit,
    Store,
    create_app,
    parse_fault_spec,
)
from hcsync.emulators.helpcenter.errors import ApiError
from hcsync.emulators.transport import SyncASGITransport

from .conftest import Api, FakeClock, assert_error

# -- faults -----------------------------------------------------------------------------------


def _count(api: Api) -> int:
    return int(api.get("/articles/drafts/count").json()["total"])


def test_status_fault_replaces_the_endpoint(app: HelpCenterEmulator, api: Api) -> None:
    app.set_faults([{"status": 500, "rate": 1.0, "method": "POST"}])
    r = api.post("/articles", json={"title": "T"})
    assert_error(r, 500, "internal_error")
    assert r.json()["error"]["message"] == "Internal server error"
    assert r.headers["X-RateLimit-Limit"] == "1000000000"
    assert _count(api) == 0  # nothing was written
    app.clear_faults()
    assert api.post("/articles", json={"title": "T"}).status_code == 201


def test_status_fault_after_write_commits(app: HelpCenterEmulator, api: Api) -> None:
    app.set_faults([{"status": 503, "after_write": True, "route": "E9"}])
    assert_error(api.post("/articles", json={"title": "T"}), 503, "internal_error")
    assert _count(api) == 1  # committed, response lost
    assert_error(api.post("/articles", json={}), 400, "missing_required_field")  # only after 2xx


def test_injected_429(app: HelpCenterEmulator, api: Api, clock: FakeClock) -> None:
    app.set_faults([{"status": 429, "times": 1}])
    r = api.get()
    assert_error(r, 429, "rate_limited")
    assert (r.headers["Retry-After"], r.headers["X-RateLimit-Remaining"]) == ("1", "0")
    assert r.headers["X-RateLimit-Reset"] == str(int(clock()) + 1)
    assert api.get().status_code == 200  # times: 1


def test_reset_before_and_after_write(app: HelpCenterEmulator, api: Api) -> None:
    app.set_faults([{"reset": 1.0, "path": "/articles$"}])
    with pytest.raises(httpx.RemoteProtocolError):
        api.post("/articles", json={"title": "T"})
    assert _count(api) == 0
    app.set_faults([{"reset": 1.0, "after_write": True, "method": "post"}])
    with pytest.raises(httpx.RemoteProtocolError):
        api.post("/articles", json={"title": "T"})
    app.clear_faults()
    assert _count(api) == 1


def test_timeout_fault(app: HelpCenterEmulator, api: Api) -> None:
    app.set_faults([{"timeout": 1.0, "seconds": 30, "times": 1}])
    with pytest.raises(httpx.ReadTimeout):
        api.get()
    assert api.get().status_code == 200


def test_faults_are_seeded_and_deterministic(store: Store, center: Center, key: str) -> None:
    def run() -> list[int]:
        app = create_app(store, rate_limit=RateLimit.unlimited())
        app.set_faults([{"status": 500, "rate": 0.5}], seed=7)
        transport = SyncASGITransport(app)
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(
            transport=transport, base_url="http://testserver", headers=headers
        ) as client:
            codes = [client.get(f"/v0/centers/{center.id}").status_code for _ in range(30)]
        transport.close()
        return codes

    first, second = run(), run()
    assert first == second
    assert set(first) == {200, 500}


def test_rate_zero_never_fires(app: HelpCenterEmulator, api: Api) -> None:
    app.set_faults([{"status": 500, "rate": 0}, {"reset": 0.0}])
    assert all(api.get().status_code == 200 for _ in range(20))


def test_rules_apply_in_order_and_unauthenticated_requests_skip_faults(
    app: HelpCenterEmulator, api: Api, make_client: Callable[..., httpx.Client]
) -> None:
    app.set_faults([{"status": 502}, {"status": 500}])
    assert api.get().status_code == 502
    assert make_client(None).get(api.url()).status_code == 401


@pytest.mark.parametrize(
    "rule",
    [
        {},
        {"status": 404},
        {"status": 500, "rate": 2},
        {"status": 500, "rate": "x"},
        {"reset": True},
        {"status": 500, "bogus": 1},
        {"status": 500, "times": "1"},
        {"status": 500, "path": "("},
        "500",
    ],
)
def test_bad_fault_rules(app: HelpCenterEmulator, rule: object) -> None:
    with pytest.raises(ApiError) as info:
        app.set_faults([rule])  # type: ignore[list-item]
    assert (info.value.status, info.value.code) == (400, "invalid_parameter")


def test_parse_fault_spec() -> None:
    rules = parse_fault_spec("500:0.05,429:0.05,reset:0.01,timeout:0.02")
    assert [(r.kind, r.status, r.rate) for r in rules] == [
        ("status", 500, 0.05),
        ("status", 429, 0.05),
        ("reset", None, 0.01),
        ("timeout", None, 0.02),
    ]
    assert parse_fault_spec("") == []
    for bad in ("boom:1", "500:x", "404:1"):
        with pytest.raises(ApiError):
            parse_fault_spec(bad)


def test_faults_over_http(
    app: HelpCenterEmulator, api: Api, make_client: Callable[..., httpx.Client]
) -> None:
    control = make_client(None)
    body = {
        "rules": [{"status": 500, "rate": 0.1}, {"status": 429, "rate": 0.05}, {"reset": 0.01}],
        "seed": 7,
    }
    r = control.post("/_emulator/faults", json=body)
    assert r.status_code == 200
    assert r.json() == {
        "rules": [
            {"kind": "status", "rate": 0.1, "status": 500, "fired": 0},
            {"kind": "status", "rate": 0.05, "status": 429, "fired": 0},
            {"kind": "reset", "rate": 0.01, "fired": 0},
        ],
        "seed": 7,
    }
    assert app.faults.seed == 7
    control.post("/_emulator/faults", json={"rules": [{"status": 500, "times": 1}]})
    assert api.get().status_code == 500
    assert control.get("/_emulator/faults").json()["rules"][0]["fired"] == 1
    assert control.delete("/_emulator/faults").json() == {"rules": [], "seed": 0}
    assert_error(control.post("/_emulator/faults", json={"rules": {}}), 400, "invalid_parameter")
    assert_error(control.post("/_emulator/faults", json={"seed": "x"}), 400, "invalid_parameter")
    assert_error(
        control.post("/_emulator/faults", json={"rules": [{"status": 418}]}),
        400,
        "invalid_parameter",
    )


def test_fault_rule_object_accepted(app: HelpCenterEmulator, api: Api) -> None:
    app.set_faults([FaultRule(kind="status", status=504, route="E1")])
    assert api.get().status_code == 504
    assert api.get("/articles").status_code == 200


# -- request log ------------------------------------------------------------------------------


def test_request_log_never_holds_the_key(
    app: HelpCenterEmulator,
    api: Api,
    key: str,
    store: Store,
    make_client: Callable[..., httpx.Client],
) -> None:
    api.get("/articles?limit=2")
    api.post("/articles", json={})
    make_client(None).get(api.url("/nope"))
    make_client("hck_wrong").get(api.url())
    app.set_faults([{"reset": 1.0}])
    with pytest.raises(httpx.RemoteProtocolError):
        api.get()
    app.clear_faults()
    api.client.get("/")  # the public site is not logged
    entries = [e.to_json() for e in app.requests()]
    key_record = store.find_key(key)
    assert key_record is not None
    assert [(e["method"], e["status"], e["endpoint"], e["fault"]) for e in entries] == [
        ("GET", 200, "E6", None),
        ("POST", 400, "E9", None),
        ("GET", 404, None, None),
        ("GET", 401, "E1", None),
        ("GET", None, "E1", "reset"),
    ]
    assert entries[0]["query"] == "limit=2"
    assert entries[0]["path"] == api.url("/articles")
    assert (entries[0]["key_id"], entries[0]["key_prefix"]) == (key_record.id, key[:8])
    assert entries[2]["key_id"] is None and entries[3]["key_prefix"] is None
    assert entries[0]["time"] == "2026-01-01T00:00:00.000Z"
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    control = make_client(None)
    over_http = control.get("/_emulator/requests").json()
    assert over_http == {"requests": entries}
    assert key not in json.dumps(over_http)
    assert control.delete("/_emulator/requests").json() == {"requests": []}
    assert app.requests() == []


# -- /_emulator/ over HTTP ------------------------------------------------------------------------


def test_create_center_and_key_over_http(make_client: Callable[..., httpx.Client]) -> None:
    control = make_client(None)
    r = control.post(
        "/_emulator/centers",
        json={"name": "Beta", "default_language": "en", "additional_languages": ["fr", "ja"]},
    )
    assert r.status_code == 201
    center = r.json()
    assert center == {
        "id": center["id"],
        "object": "center",
        "name": "Beta",
        "domain": "testserver",
        "default_language": "en",
        "additional_languages": ["fr", "ja"],
        "created_at": "2026-01-01T00:00:00.000Z",
    }
    r = control.post(f"/_emulator/centers/{center['id']}/keys", json={"scopes": ["content.read"]})
    assert r.status_code == 201
    assert r.json()["scopes"] == ["content.read"]
    secret = r.json()["key"]
    assert secret.startswith("hck_") and len(secret) == 44
    reader = make_client(secret)
    assert reader.get(f"/v0/centers/{center['id']}").json() == center
    assert_error(reader.post(f"/v0/centers/{center['id']}/articles"), 403, "insufficient_scope")
    full = control.post(f"/_emulator/centers/{center['id']}/keys", json={}).json()
    assert full["scopes"] == list(ALL_SCOPES)
    listed = control.get("/_emulator/centers").json()
    assert [c["id"] for c in listed["data"]] == [center["id"]]


def test_center_with_domain(make_client: Callable[..., httpx.Client], store: Store) -> None:
    control = make_client(None)
    center = control.post(
        "/_emulator/centers", json={"name": "Acme", "domain": "support.acme.help.center"}
    ).json()
    assert center["domain"] == "support.acme.help.center"
    key = store.create_key(center["id"]).key
    api = Api(make_client(key), center["id"])
    article = api.create("Hello")
    assert article["preview_url"].startswith("https://support.acme.help.center/article/preview-")
    assert api.publish(article["id"])["url"] == "https://support.acme.help.center/article/1-hello"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "missing_required_field"),
        ({"name": "x", "additional_languages": "es"}, "invalid_parameter"),
        (
            {"name": "x", "default_language": "en", "additional_languages": ["en"]},
            "invalid_parameter",
        ),
        ({"name": "x", "domain": 5}, "invalid_parameter"),
    ],
)
def test_create_center_failures(
    make_client: Callable[..., httpx.Client], body: dict[str, object], code: str
) -> None:
    assert_error(make_client(None).post("/_emulator/centers", json=body), 400, code)


def test_key_failures(center: Center, make_client: Callable[..., httpx.Client]) -> None:
    control = make_client(None)
    assert_error(
        control.post(f"/_emulator/centers/{center.id}/keys", json={"scopes": ["admin"]}),
        400,
        "invalid_parameter",
    )
    assert_error(
        control.post(f"/_emulator/centers/{center.id}/keys", json={"scopes": "content.read"}),
        400,
        "invalid_parameter",
    )
    assert_error(control.post("/_emulator/centers/nope/keys", json={}), 404, "not_found")


def test_block_and_revoke_over_http(
    center: Center, key: str, api: Api, make_client: Callable[..., httpx.Client]
) -> None:
    control = make_client(None)
    r = control.patch(f"/_emulator/centers/{center.id}", json={"blocked": True})
    assert (r.status_code, r.json()["blocked"]) == (200, True)
    assert_error(api.get(), 403, "center_blocked")
    control.patch(f"/_emulator/centers/{center.id}", json={"blocked": False})
    assert api.get().status_code == 200
    assert_error(
        control.patch(f"/_emulator/centers/{center.id}", json={}), 400, "invalid_parameter"
    )
    assert control.post("/_emulator/keys/revoke", json={"key": key}).json() == {"revoked": True}
    assert_error(api.get(), 401, "invalid_api_key")
    assert_error(control.post("/_emulator/keys/revoke", json={"key": "nope"}), 404, "not_found")


def test_web_ui_edit(
    api: Api, center: Center, clock: FakeClock, make_client: Callable[..., httpx.Client]
) -> None:
    article = api.create("Mine", content={"html": "<p>mine</p>"})
    api.publish(article["id"])
    clock.advance(30)
    control = make_client(None)
    r = control.patch(
        f"/_emulator/centers/{center.id}/articles/{article['id']}",
        json={"title": "Theirs", "html": "<p>theirs<script>x</script></p>"},
    )
    assert r.status_code == 200
    body = r.json()
    assert (body["title"], body["status"]) == ("Theirs", "published_with_changes")
    assert body["content"] == {"html": "<p>theirs</p>", "text": "theirs"}
    assert body["updated_at"] == "2026-01-01T00:00:30.000Z"
    draft = api.get(f"/articles/{article['id']}/draft").json()
    assert (draft["updated_at"], draft["status"]) == (body["updated_at"], "published_with_changes")
    assert_error(
        control.patch(f"/_emulator/centers/{center.id}/articles/{article['id']}", json={}),
        400,
        "missing_required_field",
    )
    assert_error(
        control.patch(f"/_emulator/centers/{center.id}/articles/nope", json={"title": "x"}),
        404,
        "not_found",
    )


def test_web_ui_edit_python(store: Store, center: Center, api: Api) -> None:
    article = api.create("Mine")
    store.edit_article(center.id, article["id"], html="<p>web</p>")
    draft = api.get(f"/articles/{article['id']}/draft?expand[]=content").json()
    assert (draft["status"], draft["content"]["html"]) == ("unpublished", "<p>web</p>")


def test_reset(
    app: HelpCenterEmulator, api: Api, key: str, make_client: Callable[..., httpx.Client]
) -> None:
    api.create()
    app.set_faults([{"status": 500, "rate": 0}])
    app.set_rate_limit(RateLimit(per_minute=1, burst=1, window_seconds=60))
    control = make_client(None)
    assert control.post("/_emulator/reset").json() == {"reset": True}
    assert app.store.centers() == []
    assert app.faults.rules == []
    assert app.rate_limiter.settings == RateLimit.unlimited()
    assert app.requests() == []
    assert_error(api.get(), 401, "invalid_api_key")


def test_unknown_control_is_endpoint_not_found(make_client: Callable[..., httpx.Client]) -> None:
    control = make_client(None)
    assert_error(control.get("/_emulator/nope"), 404, "endpoint_not_found")
    assert_error(control.get("/_emulator/reset"), 404, "endpoint_not_found")
    assert_error(control.post("/_emulator/centers", content=b"{"), 400, "invalid_json")
