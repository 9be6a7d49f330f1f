"""The shared HTTP layer: Reset parsing, pacing, which requests are retried, redaction.

A scripted server (httpx.MockTransport) stands in for the help center so each header and status
can be set exactly; the clock is a fake, so nothing here sleeps.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from hcsync.backends.http import ApiClient, parse_reset, parse_retry_after
from hcsync.diagnostics import BackendError

KEY = "hc_live_SECRETSECRETSECRET"


class FakeClock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make(
    handler: Callable[[httpx.Request], httpx.Response], clock: FakeClock
) -> tuple[ApiClient, httpx.Client]:
    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="https://api.test")
    api = ApiClient(
        client,
        headers={"Authorization": f"Bearer {KEY}"},
        secrets=[KEY],
        clock=clock,
        sleep=clock.sleep,
    )
    return api, client


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1800000030", 30.0),  # epoch seconds
        ("1800000030000", 30.0),  # epoch milliseconds
        ("12", 12.0),  # seconds from now
        ("1799999990", 0.0),  # in the past
        ("1800009999", 120.0),  # capped
        ("soon", None),
        (None, None),
    ],
)
def test_parse_reset_takes_every_meaning(value: str | None, expected: float | None) -> None:
    assert parse_reset(value, 1_800_000_000.0) == expected


def test_parse_retry_after() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("x") is None
    assert parse_retry_after("999") == 120.0


def test_429_is_retried_after_retry_after_for_a_post() -> None:
    clock = FakeClock()
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            return httpx.Response(
                429,
                headers={"Retry-After": "7", "X-RateLimit-Remaining": "0"},
                json={"error": {"type": "invalid_request_error", "code": "rate_limited"}},
            )
        return httpx.Response(201, json={"id": "a1"})

    api, client = make(handler, clock)
    with client:
        resp = api.request("POST", "/v0/x", json={"title": "t"})
    assert resp.status_code == 201
    assert calls == ["POST", "POST"]
    assert clock.sleeps == [7.0]
    assert api.stats.rate_limited == 1


def test_pacing_waits_for_reset_when_budget_is_low() -> None:
    clock = FakeClock()
    remaining = iter(["5", "2", "50"])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"X-RateLimit-Remaining": next(remaining), "X-RateLimit-Reset": "1800000004"},
            json={},
        )

    api, client = make(handler, clock)
    with client:
        api.request("GET", "/a")  # remaining 5: no wait before the next
        api.request("GET", "/b")  # remaining 2: the next one waits until reset
        assert clock.sleeps == []
        api.request("GET", "/c")
    assert clock.sleeps == [4.0]


def test_control_no_pacing_while_budget_is_high() -> None:
    clock = FakeClock()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"X-RateLimit-Remaining": "150", "X-RateLimit-Reset": "1800000004"}
        )

    api, client = make(handler, clock)
    with client:
        for _ in range(5):
            api.request("GET", "/a")
    assert clock.sleeps == []
    assert api.stats.calls == 5


def test_5xx_retried_for_get_not_for_post() -> None:
    clock = FakeClock()
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        if len([m for m in seen if m == request.method]) == 1:
            return httpx.Response(
                500, json={"error": {"message": "boom", "code": "internal_error"}}
            )
        return httpx.Response(200, json={})

    api, client = make(handler, clock)
    with client:
        assert api.request("GET", "/a").status_code == 200
        with pytest.raises(BackendError) as info:
            api.request("POST", "/b")
    assert seen == ["GET", "GET", "POST"]
    assert info.value.status == 500
    assert info.value.code == "internal_error"
    assert info.value.format() == "boom (500 internal_error)"


def test_connection_error_retried_only_when_safe() -> None:
    clock = FakeClock()
    attempts = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        attempts["n"] += 1
        if attempts["n"] == 1:
            raise httpx.ConnectError("reset by peer", request=request)
        return httpx.Response(200, json={})

    api, client = make(handler, clock)
    with client:
        api.request("PATCH", "/draft", idempotent=True, json={"title": "x"})
    assert attempts["n"] == 2

    attempts["n"] = 0
    api2, client2 = make(handler, clock)
    with client2, pytest.raises(BackendError) as info:
        api2.request("POST", "/articles", json={"title": "x"})
    assert attempts["n"] == 1
    assert str(info.value) == "could not connect on POST /articles"


def test_secret_never_in_error_text() -> None:
    clock = FakeClock()

    def handler(request: httpx.Request) -> httpx.Response:
        # A hostile or careless server echoing the credential back must not leak it.
        auth = request.headers["authorization"]
        return httpx.Response(403, json={"error": {"message": f"bad key {auth}", "code": "x"}})

    api, client = make(handler, clock)
    with client, pytest.raises(BackendError) as info:
        api.request("GET", "/a")
    assert KEY not in str(info.value)
    assert KEY not in info.value.format()
    assert "[secure]" in str(info.value)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999", "NaN", ""])
def test_header_waits_that_are_not_finite_are_ignored(value: str) -> None:
    assert parse_reset(value, 1_800_000_000.0) is None
    assert parse_retry_after(value) is None


def test_huge_waits_are_capped() -> None:
    assert parse_retry_after("99999999") == 120.0
    assert parse_reset("99999999", 1_800_000_000.0) == 120.0  # read as seconds from now


def test_a_redirect_is_not_followed_and_names_its_location() -> None:
    clock = FakeClock()
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://u:p@other.test/login?key=x"})

    api, client = make(handler, clock)
    with client, pytest.raises(BackendError) as info:
        api.request("GET", "/v0/centers/c1?expand=1")
    assert seen == ["https://api.test/v0/centers/c1?expand=1"]
    assert info.value.format() == (
        "GET /v0/centers/c1: the server redirected to http://other.test/login instead of "
        "answering; hcsync does not follow redirects: check the base URL (302)"
    )


class Bucket:
    """A header-less token bucket like ClickHelp's emulator in pacing mode (Retry-After ≥ 1 s,
    rounded up); every request also costs ``cost`` seconds of the client's own time."""

    def __init__(self, clock: FakeClock, burst: int, rate: float, cost: float) -> None:
        self.clock, self.burst, self.rate, self.cost = clock, burst, rate, cost
        self.tokens, self.last = float(burst), clock.now
        self.refused = self.allowed = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.clock.now += self.cost
        now = self.clock.now
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens < 1:
            self.refused += 1
            wait = max(1, -int(-(1 - self.tokens) // self.rate))
            return httpx.Response(429, headers={"Retry-After": str(wait)}, json={})
        self.tokens -= 1
        self.allowed += 1
        return httpx.Response(200, json={})


@pytest.mark.parametrize(
    ("burst", "rate", "cost"),
    [(200, 125.0, 1 / 300), (200, 125.0, 1 / 1000), (50, 20.0, 1 / 200), (200, 100.0, 1 / 150)],
)
def test_header_less_429s_teach_the_rate_and_the_run_stays_near_the_floor(
    burst: int, rate: float, cost: float
) -> None:
    clock = FakeClock()
    server = Bucket(clock, burst, rate, cost)
    api, _ = make(server, clock)
    start = clock.now
    calls = 3000
    for _ in range(calls):
        api.request("GET", "/x")
    assert server.allowed == calls
    assert server.refused <= 2  # one to learn the window, at most one to correct the rate
    assert api.stats.rate_limited == server.refused
    floor = (calls - burst) / rate
    assert clock.now - start <= floor * 1.05
    assert api.pacer.interval is not None and api.pacer.interval >= 1 / rate


def test_a_429_after_few_calls_teaches_nothing() -> None:
    clock = FakeClock()
    answers = iter([200] * 5 + [429] + [200] * 100)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(answers), headers={"Retry-After": "1"}, json={})

    api, _ = make(handler, clock)
    for _ in range(105):
        api.request("GET", "/x")
    assert api.pacer.interval is None
    assert clock.sleeps == [1.0]  # the retry's wait, then no pacing


def test_rate_limit_headers_keep_the_header_pacing_and_429s_teach_nothing() -> None:
    clock = FakeClock()
    seen = [0]

    def handler(request: httpx.Request) -> httpx.Response:
        seen[0] += 1
        headers = {"X-RateLimit-Remaining": "50", "X-RateLimit-Reset": "1800000100"}
        if seen[0] == 80:
            return httpx.Response(429, headers={**headers, "Retry-After": "2"}, json={})
        return httpx.Response(200, headers=headers, json={})

    api, _ = make(handler, clock)
    for _ in range(200):
        api.request("GET", "/x")
    assert api.pacer.interval is None
    assert clock.sleeps == [2.0]
