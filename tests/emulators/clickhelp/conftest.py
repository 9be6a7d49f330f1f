"""Fixtures for the ClickHelp emulator: fake clock, store, app, users, a project, clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from hcsync.emulators.clickhelp import ClickHelpEmulator, Store, create_app
from hcsync.emulators.transport import SyncASGITransport
from tests.emulators.conftest import FakeClock

T0_TEXT = "2026-01-01T00:00:00"

PROJECT = "project-widget-guide"


@pytest.fixture
def store(clock: FakeClock) -> Iterator[Store]:
    with Store(":memory:", clock=clock) as s:
        yield s


@pytest.fixture
def app(store: Store) -> ClickHelpEmulator:
    return create_app(store)


@pytest.fixture
def kim(store: Store) -> tuple[str, str]:
    """A Contributor's login and API key."""
    user = store.create_user("kim")
    assert user.api_key is not None
    return user.login, user.api_key


@pytest.fixture
def project(store: Store) -> str:
    return store.create_project(PROJECT, "Widget Guide").id


@pytest.fixture
def make_client(app: ClickHelpEmulator) -> Iterator[Callable[..., httpx.Client]]:
    """Build in-process clients (closed at teardown); ``auth=None`` sends no credentials."""
    made: list[tuple[httpx.Client, SyncASGITransport]] = []

    def make(auth: tuple[str, str] | None = None, **kwargs: Any) -> httpx.Client:
        transport = SyncASGITransport(app)
        client = httpx.Client(
            transport=transport, base_url="http://testserver", auth=auth, **kwargs
        )
        made.append((client, transport))
        return client

    yield make
    for client, transport in made:
        client.close()
        transport.close()


@pytest.fixture
def client(make_client: Callable[..., httpx.Client], kim: tuple[str, str]) -> httpx.Client:
    return make_client(kim)


@dataclass
class Api:
    """``/api/v1/`` calls through one client, with helpers for the common writes."""

    client: httpx.Client
    project: str = PROJECT

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.get(f"/api/v1/{path}", **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.post(f"/api/v1/{path}", **kw)

    def patch(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.patch(f"/api/v1/{path}", **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.request("DELETE", f"/api/v1/{path}", **kw)

    def create_topic(
        self, topic_id: str, project: str | None = None, **body: Any
    ) -> dict[str, Any]:
        payload = {
            "id": topic_id,
            "title": topic_id.replace("-", " ").title(),
            "body": f"<p>{topic_id}</p>",
            "statusName": "Draft",
            "assigneeUserName": "kim",
            "ownerUserName": "kim",
            "isShowInToc": True,
            **body,
        }
        r = self.post(f"projects/{project or self.project}/articles", json=payload)
        assert r.status_code == 201, r.text
        data: dict[str, Any] = r.json()
        return data

    def create_folder(self, caption: str, **body: Any) -> dict[str, Any]:
        r = self.post(
            f"projects/{self.project}/toc/nodes",
            json={"caption": caption, "isShowInToc": True, **body},
        )
        assert r.status_code == 201, r.text
        data: dict[str, Any] = r.json()
        return data

    def publish(self, **body: Any) -> str:
        r = self.post(f"projects/{self.project}", params={"action": "publish"}, json=body)
        assert r.status_code == 201, r.text
        key: str = r.json()["taskKey"]
        return key

    def wait(self, key: str) -> dict[str, Any]:
        """Poll a task until it stops working; return the final state."""
        for _ in range(10):
            r = self.get(f"tasks/{key}")
            assert r.status_code == 200, r.text
            state: dict[str, Any] = r.json()
            if not state["isWorking"]:
                return state
        raise AssertionError("the task never finished")

    def nodes(self, project: str | None = None) -> list[dict[str, Any]]:
        r = self.get(f"projects/{project or self.project}/toc/nodes")
        assert r.status_code == 200, r.text
        data: list[dict[str, Any]] = r.json()
        return data

    def topic_ids(self, project: str | None = None) -> list[str]:
        r = self.get(f"projects/{project or self.project}/articles")
        assert r.status_code == 200, r.text
        return [t["id"] for t in r.json()]


@pytest.fixture
def api(client: httpx.Client, project: str) -> Api:
    return Api(client, project)


def assert_error(response: httpx.Response, status: int, message: str | None = None) -> str:
    """The response is the documented error body with this status (and exact message)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert set(body) == {"Message", "ExceptionType", "ExceptionDetail", "StackTrace"}
    assert body["ExceptionDetail"] is None and body["StackTrace"] is None
    assert isinstance(body["ExceptionType"], str) and body["ExceptionType"]
    if message is not None:
        assert body["Message"] == message
    text: str = body["Message"]
    return text
