"""Rate limiting (helpcenter.md §12), driven by a fake clock: no test sleeps."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from hcsync.emulators.helpcenter import Center, HelpCenterEmulator, RateLimit, Store
from tests.emulators.conftest import T0

from .conftest import Api, FakeClock, assert_error

RESET_SOON = str(int(T0) + 1)


@pytest.fixture
def limited(app: HelpCenterEmulator) -> HelpCenterEmulator:
    app.set_rate_limit(RateLimit())  # the documented 100/min, burst 200
    return app


def test_default_bucket_headers(limited: HelpCenterEmulator, api: Api) -> None:
    r = api.get()
    assert r.status_code == 200
    assert r.headers["X-RateLimit-Limit"] == "100"
    assert r.headers["X-RateLimit-Remaining"] == "199"
    # one token takes 0.6 s to come back: the next whole second
    assert r.headers["X-RateLimit-Reset"] == RESET_SOON
    assert "Retry-After" not in r.headers


def test_burst_of_200_then_429(limited: HelpCenterEmulator, api: Api, clock: FakeClock) -> None:
    for n in range(200):
        r = api.get()
        assert r.status_code == 200
        assert r.headers["X-RateLimit-Remaining"] == str(199 - n)
    r = api.get()
    error = assert_error(r, 429, "rate_limited")
    assert error["message"] == "Too many requests. Retry after 1 s."
    assert r.headers["Retry-After"] == "1"
    assert r.headers["X-RateLimit-Remaining"] == "0"
    assert r.headers["X-RateLimit-Reset"] == RESET_SOON
    assert r.headers["X-RateLimit-Limit"] == "100"
    clock.advance(0.6)
    assert api.get().status_code == 200
    assert api.get().status_code == 429


def test_slow_refill_and_exact_retry_after(
    app: HelpCenterEmulator, api: Api, clock: FakeClock
) -> None:
    app.set_rate_limit(RateLimit(per_minute=15, burst=2, window_seconds=120))  # 1 token / 8 s
    first = api.get()
    assert (first.headers["X-RateLimit-Remaining"], first.headers["X-RateLimit-Reset"]) == (
        "1",
        str(int(T0) + 8),
    )
    assert first.headers["X-RateLimit-Limit"] == "15"
    assert api.get().headers["X-RateLimit-Remaining"] == "0"
    refused = api.get()
    assert_error(refused, 429, "rate_limited")
    assert refused.headers["Retry-After"] == "8"
    assert refused.json()["error"]["message"] == "Too many requests. Retry after 8 s."
    clock.advance(7.5)
    refused = api.get()
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["X-RateLimit-Reset"] == str(int(T0) + 8)
    clock.advance(0.5)
    assert api.get().status_code == 200
    clock.advance(1000)
    assert api.get().headers["X-RateLimit-Remaining"] == "1"  # capped at burst


def test_every_authenticated_response_carries_headers_and_costs(
    app: HelpCenterEmulator, api: Api
) -> None:
    app.set_rate_limit(RateLimit(per_minute=100, burst=5, window_seconds=60))
    responses = [
        api.get("/articles/000000000000000000000000"),  # 404
        api.post("/articles", json={}),  # 400
        api.get("/articles/drafts?limit=0"),  # 400
        api.get("/articles"),  # 200
    ]
    assert [r.status_code for r in responses] == [404, 400, 400, 200]
    assert [r.headers["X-RateLimit-Remaining"] for r in responses] == ["4", "3", "2", "1"]


def test_unauthenticated_requests_do_not_count(
    app: HelpCenterEmulator,
    api: Api,
    center: Center,
    make_client: Callable[..., httpx.Client],
) -> None:
    app.set_rate_limit(RateLimit(per_minute=100, burst=3, window_seconds=60))
    anonymous = make_client("hck_wrong")
    for _ in range(10):
        r = anonymous.get(f"/v0/centers/{center.id}")
        assert r.status_code == 401
        assert "X-RateLimit-Remaining" not in r.headers
    assert make_client(None).get(f"/v0/centers/{center.id}/nope").status_code == 404
    assert api.get().headers["X-RateLimit-Remaining"] == "2"


def test_buckets_are_per_key(
    app: HelpCenterEmulator,
    store: Store,
    center: Center,
    api: Api,
    make_client: Callable[..., httpx.Client],
) -> None:
    app.set_rate_limit(RateLimit(per_minute=100, burst=1, window_seconds=60))
    assert api.get().status_code == 200
    assert api.get().status_code == 429
    other = make_client(store.create_key(center.id).key)
    assert other.get(f"/v0/centers/{center.id}").status_code == 200


def test_scaled_window(app: HelpCenterEmulator, api: Api, clock: FakeClock) -> None:
    app.set_rate_limit(RateLimit(per_minute=100, burst=200, window_seconds=0.6))
    for _ in range(200):
        api.get()
    assert api.get().status_code == 429
    clock.advance(0.3)  # half the window: 50 tokens back
    assert api.get().headers["X-RateLimit-Remaining"] == "49"


def test_configure_over_http_refills(
    app: HelpCenterEmulator, api: Api, make_client: Callable[..., httpx.Client]
) -> None:
    control = make_client(None)
    r = control.post(
        "/_emulator/rate-limit", json={"per_minute": 10, "burst": 1, "window_seconds": 6}
    )
    assert r.status_code == 200
    assert r.json() == {"per_minute": 10, "burst": 1, "window_seconds": 6.0}
    assert control.get("/_emulator/rate-limit").json()["burst"] == 1
    assert api.get().status_code == 200
    assert api.get().status_code == 429
    control.post("/_emulator/rate-limit", json={"burst": 3})
    assert api.get().headers["X-RateLimit-Remaining"] == "2"
    assert_error(control.post("/_emulator/rate-limit", json={"burst": 0}), 400, "invalid_parameter")
    assert_error(
        control.post("/_emulator/rate-limit", json={"per_minute": "x"}), 400, "invalid_parameter"
    )
