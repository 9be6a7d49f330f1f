"""The emulator behind a real uvicorn server on 127.0.0.1 (one per module)."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from hcsync.emulators.clickhelp import Bootstrap, ClickHelpEmulator, Store, bootstrap, create_app
from hcsync.emulators.server import serve_in_thread

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, ClickHelpEmulator, Bootstrap]]:
    with Store(":memory:", task_polls=0) as store:
        boot = bootstrap(store)
        app = create_app(store)
        with serve_in_thread(app) as base_url:
            yield base_url, app, boot


@pytest.fixture
def client(served: tuple[str, ClickHelpEmulator, Bootstrap]) -> Iterator[httpx.Client]:
    base_url, app, boot = served
    app.clear_faults()
    with httpx.Client(base_url=f"{base_url}/api/v1/", auth=(boot.user.login, boot.api_key)) as c:
        yield c


def test_create_publish_and_read_as_a_reader(
    client: httpx.Client, served: tuple[str, ClickHelpEmulator, Bootstrap]
) -> None:
    base_url, _, boot = served
    project, pub = boot.project.id, boot.publication.id
    png = b"\x89PNG\r\n\x1a\nreal"
    r = client.post(
        f"storage/{project}/images/logo.png",
        params={"format": "base64", "isOverwrite": "true"},
        json={"content": base64.b64encode(png).decode()},
    )
    assert r.status_code in (200, 201)
    r = client.post(
        f"projects/{project}/articles",
        json={
            "id": "welcome",
            "title": "Welcome",
            "body": f'<p>Hello <img src="/resources/Storage/{project}/images/logo.png"></p>',
            "statusName": "Ready",
            "assigneeUserName": "hcsync",
            "ownerUserName": "hcsync",
            "isShowInToc": True,
        },
    )
    assert r.status_code == 201
    assert r.headers["location"] == f"{base_url}/api/v1/projects/{project}/articles/welcome"
    key = client.post(
        f"projects/{project}",
        params={"action": "publish"},
        json={"updatedPubId": pub, "updateMode": "FullReplace"},
    ).json()["taskKey"]
    assert client.get(f"tasks/{key}").json()["isSucceeded"] is True
    assert client.get(f"tasks/{key}").status_code == 404
    with httpx.Client(base_url=base_url) as reader:
        index = reader.get("/")
        assert f'<a href="/articles/{pub}">Acme Help</a>' in index.text
        page = reader.get(f"/articles/{pub}/welcome")
        assert page.status_code == 200
        assert f'<img src="/resources/Storage/{pub}/images/logo.png">' in page.text
        assert f'<a class="current" href="/articles/{pub}/welcome">Welcome</a>' in page.text
        assert reader.get(f"/resources/Storage/{pub}/images/logo.png").content == png
        assert reader.get(f"/articles/{project}/welcome").status_code == 404


def test_reset_fault_drops_the_connection(
    client: httpx.Client, served: tuple[str, ClickHelpEmulator, Bootstrap]
) -> None:
    _, app, boot = served
    app.set_faults([{"reset": 1.0, "route": "users.get", "times": 1}])
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(f"users/{boot.user.login}")
    assert client.get(f"users/{boot.user.login}").json()["userName"] == boot.user.login


def test_credentials_are_checked_over_the_wire(
    served: tuple[str, ClickHelpEmulator, Bootstrap],
) -> None:
    base_url, _, boot = served
    with httpx.Client(base_url=base_url, auth=(boot.user.login, "nope")) as bad:
        r = bad.get("/api/v1/projects")
    assert r.status_code == 401
    assert (
        r.json()["Message"] == "The login or API key is invalid. Use an API key, not your password."
    )
