"""The emulator over real HTTP: one uvicorn server on 127.0.0.1 for the whole session."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hcsync.emulators.helpcenter import HelpCenterEmulator, RateLimit, Store, create_app
from hcsync.emulators.server import free_port, serve_in_thread

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 100


@pytest.fixture(scope="session")
def server() -> Iterator[tuple[str, HelpCenterEmulator]]:
    with Store(":memory:") as store:
        app = create_app(store, rate_limit=RateLimit(per_minute=100_000, burst=100_000))
        with serve_in_thread(app) as base_url:
            yield base_url, app


@pytest.fixture
def control(server: tuple[str, HelpCenterEmulator]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server[0], timeout=10) as client:
        yield client
    server[1].clear_faults()


@pytest.fixture
def live(control: httpx.Client, server: tuple[str, HelpCenterEmulator]) -> Iterator[httpx.Client]:
    """A client bound to a fresh center (created over /_emulator/), with an all-scopes key."""
    center = control.post(
        "/_emulator/centers", json={"name": "E2E", "additional_languages": ["es"]}
    ).json()
    key = control.post(f"/_emulator/centers/{center['id']}/keys", json={}).json()["key"]
    with httpx.Client(
        base_url=f"{server[0]}/v0/centers/{center['id']}",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        timeout=10,
    ) as client:
        yield client


def test_flow_over_http(live: httpx.Client, server: tuple[str, HelpCenterEmulator]) -> None:
    base_url = server[0]
    center = live.get("").json()
    assert center["domain"] == base_url.removeprefix("http://")
    tree = live.post("/articles/categories", json={"name": "Guides"}).json()
    created = live.post(
        "/articles",
        json={"title": "Over HTTP", "content": {"html": "<p>x</p>"}, "category_id": "guides"},
    )
    assert created.status_code == 201
    assert created.json()["category_id"] == tree["data"][0]["id"]
    aid = created.json()["id"]
    published = live.post(f"/articles/{aid}/publish")
    assert published.headers["X-RateLimit-Limit"] == "100000"
    assert published.json()["url"] == f"{base_url}/article/1-over-http"
    assert (
        live.patch(f"/articles/{aid}/translations/es/draft", json={"title": "Por HTTP"}).status_code
        == 200
    )
    assert live.post(f"/articles/{aid}/translations/es/publish").json()["status"] == "published"
    listed = live.get("/articles", params={"expand[]": "content"}).json()
    assert [(a["id"], a["content"]["text"]) for a in listed["data"]] == [(aid, "x")]
    page = httpx.get(published.json()["url"], timeout=10)
    assert "<h1>Over HTTP</h1>" in page.text
    assert live.delete(f"/articles/{aid}").status_code == 204


def test_image_upload_over_http(live: httpx.Client) -> None:
    # a client-wide JSON content type would win over multipart, so send this one on its own
    r = httpx.post(
        str(live.base_url).rstrip("/") + "/articles/images",
        files={"image": ("shot.png", PNG)},
        headers={"Authorization": live.headers["Authorization"]},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    url = r.json()["data"]["url"]
    fetched = httpx.get(url, timeout=10)
    assert (fetched.status_code, fetched.content, fetched.headers["content-type"]) == (
        200,
        PNG,
        "image/png",
    )


def test_errors_over_http(live: httpx.Client) -> None:
    bad = live.post("/articles", content=b"{oops")
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_json")
    big = live.post("/articles", content=b'{"title":"' + b"x" * (2 * 1024 * 1024) + b'"}')
    assert (big.status_code, big.json()["error"]["code"]) == (413, "payload_too_large")
    assert live.get("").status_code == 200  # the connection pool still works
    wrong = live.put("")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (404, "endpoint_not_found")
    anon = httpx.get(str(live.base_url), timeout=10)
    assert (anon.status_code, anon.json()["error"]["code"]) == (401, "invalid_api_key")


def test_reset_fault_drops_the_connection(live: httpx.Client, control: httpx.Client) -> None:
    center_path = live.base_url.path.rstrip("/")
    control.post(
        "/_emulator/faults",
        json={"rules": [{"reset": 1.0, "path": re.escape(center_path) + "/articles$", "times": 1}]},
    )
    with pytest.raises(httpx.TransportError):
        live.post("/articles", json={"title": "lost"})
    assert live.get("/articles/drafts/count").json()["total"] == 0
    control.post(
        "/_emulator/faults",
        json={
            "rules": [
                {"reset": 1.0, "after_write": True, "path": re.escape(center_path), "times": 1}
            ]
        },
    )
    with pytest.raises(httpx.TransportError):
        live.post("/articles", json={"title": "committed"})
    drafts = live.get("/articles/drafts").json()["data"]
    assert [d["title"] for d in drafts] == ["committed"]
    log = control.get("/_emulator/requests").json()["requests"]
    assert [e["fault"] for e in log if e["fault"]][-2:] == ["reset", "reset+after_write"]


def test_timeout_fault_over_http(live: httpx.Client, control: httpx.Client) -> None:
    center_path = live.base_url.path.rstrip("/")
    control.post(
        "/_emulator/faults",
        json={
            "rules": [{"timeout": 1.0, "seconds": 0.5, "path": re.escape(center_path), "times": 1}]
        },
    )
    with pytest.raises(httpx.ReadTimeout):
        live.get("", timeout=0.2)
    assert live.get("").status_code == 200


def test_status_fault_over_http(live: httpx.Client, control: httpx.Client) -> None:
    center_path = live.base_url.path.rstrip("/")
    control.post(
        "/_emulator/faults",
        json={"rules": [{"status": 500, "path": re.escape(center_path), "times": 1}]},
    )
    r = live.get("")
    assert (r.status_code, r.json()["error"]) == (
        500,
        {"type": "api_error", "message": "Internal server error", "code": "internal_error"},
    )


def test_cli_serves_and_keeps_state(tmp_path: Path) -> None:
    data = tmp_path / "state.sqlite"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}

    def run() -> tuple[str, str, str]:
        port = free_port()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hcsync",
                "emulate",
                "helpcenter",
                "--port",
                str(port),
                "--data",
                str(data),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            assert proc.stdout is not None
            lines = []
            for line in proc.stdout:
                lines.append(line)
                if line.startswith("Press Ctrl-C"):
                    break
            text = "".join(lines)
            base = re.search(r"emulator: (http://\S+)", text)
            center = re.search(r"center id: (\w+)", text)
            key = re.search(r"api key:\s+(\S+)", text)
            assert base and center and key, text + (proc.stderr.read() if proc.stderr else "")
            assert base.group(1) == f"http://127.0.0.1:{port}"
            r = httpx.get(
                f"{base.group(1)}/v0/centers/{center.group(1)}",
                headers={"Authorization": f"Bearer {key.group(1)}"},
                timeout=10,
            )
            assert r.status_code == 200
            assert r.json()["name"] == "Acme Help Center"
            return base.group(1), center.group(1), key.group(1)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            for stream in (proc.stdout, proc.stderr):
                if stream:
                    stream.close()

    _, center1, key1 = run()
    _, center2, key2 = run()
    assert (center2, key2) == (center1, key1)
