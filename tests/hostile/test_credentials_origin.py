"""The API key goes to the configured API origin (scheme, host and port) and nowhere else: an
image URL on another port, host or scheme of the same machine gets no request with it (a
second real listener records every request's headers). Both backends."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hcsync.diagnostics import BackendError
from hcsync.emulators.server import serve_in_thread
from tests.hostile.conftest import CH_KEY, KEY, Clock, Hostile, clickhelp, gzip_bomb, helpcenter

PNG = b"\x89PNG\r\n\x1a\nfake"


@pytest.fixture(scope="module")
def other() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A second listener on another 127.0.0.1 port: (base URL, headers of each request)."""
    seen: list[dict[str, str]] = []

    async def record(request: Request) -> Response:
        seen.append(dict(request.headers))
        return Response(PNG, media_type="image/png")

    app = Starlette(routes=[Route("/{path:path}", record)])
    with serve_in_thread(app) as base_url:
        yield base_url, seen


def test_helpcenter_sends_the_key_only_to_its_own_origin(
    hostile: Hostile, other: tuple[str, list[dict[str, str]]]
) -> None:
    other_url, seen = other
    seen.clear()
    api = urlsplit(hostile.base_url)
    hostile.script = lambda r: Response(PNG, media_type="image/png")
    backend = helpcenter(hostile, Clock())
    for url in (
        f"{other_url}/x.png",  # same host, another port
        f"http://localhost:{api.port}/x.png",  # same port, another host name
        f"https://127.0.0.1:{api.port}/x.png",  # same host and port, another scheme
        "http://cdn.help.center/x.png",  # the CDN, but not over https
        "ftp://127.0.0.1/x.png",
    ):
        assert backend.download_image(url) is None, url
    assert seen == []
    assert hostile.seen == []
    # control: the API's own origin gets the request, with the key
    assert backend.download_image(f"{hostile.base_url}/cdn/x.png") == PNG
    assert [h["authorization"] for _, _, h in hostile.seen] == [f"Bearer {KEY}"]


def test_clickhelp_sends_the_key_only_to_its_own_origin(
    hostile: Hostile, other: tuple[str, list[dict[str, str]]]
) -> None:
    other_url, seen = other
    seen.clear()
    content = base64.b64encode(PNG).decode()
    hostile.script = lambda r: JSONResponse({"fileName": "x.png", "content": content})
    backend = clickhelp(hostile, Clock())
    api = urlsplit(hostile.base_url)
    for url in (
        f"{other_url}/resources/Storage/project-acme/x.png",
        f"https://127.0.0.1:{api.port}/resources/Storage/project-acme/x.png",
    ):
        assert backend.download_image(url) is None, url
    assert seen == []
    assert hostile.seen == []
    # control: the portal's own Storage URL is read through the API, with the credentials
    own = f"{hostile.base_url}/resources/Storage/project-acme/x.png"
    assert backend.download_image(own) == PNG
    ((path, query, headers),) = hostile.seen
    assert (path, query) == ("/api/v1/storage/project-acme/x.png", "format=base64")
    assert headers["authorization"].startswith("Basic ")
    assert CH_KEY not in headers["authorization"]  # base64 of login:key, as Basic auth is


def test_an_image_bomb_stops_at_the_platform_image_limit(hostile: Hostile) -> None:
    bomb = gzip_bomb(64 * 1024 * 1024)
    hostile.script = lambda r: Response(
        bomb, media_type="image/png", headers={"Content-Encoding": "gzip"}
    )
    backend = helpcenter(hostile, Clock())
    with pytest.raises(BackendError) as info:
        backend.download_image(f"{hostile.base_url}/cdn/x.png")
    assert info.value.format() == (
        f"GET {hostile.base_url}/cdn/x.png: the response body is larger than 10 MB (200)"
    )
