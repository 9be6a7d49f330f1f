"""Fixtures for the Help.Center emulator: a fake clock, a store, the app, a center, clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from hcsync.emulators.helpcenter import (
    ALL_SCOPES,
    Center,
    HelpCenterEmulator,
    RateLimit,
    Store,
    create_app,
)
from hcsync.emulators.transport import SyncASGITransport
from tests.emulators.conftest import FakeClock


@pytest.fixture
def store(clock: FakeClock) -> Iterator[Store]:
    with Store(":memory:", clock=clock) as s:
        yield s


@pytest.fixture
def app(store: Store) -> HelpCenterEmulator:
    return create_app(store, rate_limit=RateLimit.unlimited())


@pytest.fixture
def center(store: Store) -> Center:
    return store.create_center(
        "Acme Support", default_language="en", additional_languages=["es", "de"]
    )


@pytest.fixture
def key(store: Store, center: Center) -> str:
    return store.create_key(center.id, ALL_SCOPES).key


@pytest.fixture
def make_client(app: HelpCenterEmulator) -> Iterator[Callable[..., httpx.Client]]:
    """Build in-process clients (closed at teardown); ``key=None`` sends no Authorization."""
    made: list[tuple[httpx.Client, SyncASGITransport]] = []

    def make(key: str | None = None, **kwargs: Any) -> httpx.Client:
        transport = SyncASGITransport(app)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        client = httpx.Client(
            transport=transport, base_url="http://testserver", headers=headers, **kwargs
        )
        made.append((client, transport))
        return client

    yield make
    for client, transport in made:
        client.close()
        transport.close()


@pytest.fixture
def client(make_client: Callable[..., httpx.Client], key: str) -> httpx.Client:
    return make_client(key)


@dataclass
class Api:
    """Paths under ``/v0/centers/{id}`` for one center, through one client."""

    client: httpx.Client
    center_id: str

    def url(self, suffix: str = "") -> str:
        return f"/v0/centers/{self.center_id}{suffix}"

    def get(self, suffix: str = "", **kw: Any) -> httpx.Response:
        return self.client.get(self.url(suffix), **kw)

    def post(self, suffix: str = "", **kw: Any) -> httpx.Response:
        return self.client.post(self.url(suffix), **kw)

    def patch(self, suffix: str = "", **kw: Any) -> httpx.Response:
        return self.client.patch(self.url(suffix), **kw)

    def delete(self, suffix: str = "", **kw: Any) -> httpx.Response:
        return self.client.delete(self.url(suffix), **kw)

    def create(self, title: str = "Install the agent", **body: Any) -> dict[str, Any]:
        r = self.post("/articles", json={"title": title, **body})
        assert r.status_code == 201, r.text
        data: dict[str, Any] = r.json()
        return data

    def publish(self, article_id: str) -> dict[str, Any]:
        r = self.post(f"/articles/{article_id}/publish")
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data


@pytest.fixture
def api(client: httpx.Client, center: Center) -> Api:
    return Api(client, center.id)


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is the documented error envelope with this status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    error = body["error"]
    assert error["code"] == code
    assert error["type"] == ("api_error" if status >= 500 else "invalid_request_error")
    assert isinstance(error["message"], str) and error["message"]
    return dict(error)
