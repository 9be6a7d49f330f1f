"""A hostile help center: a tiny Starlette app on a real uvicorn server (127.0.0.1) whose
answers each test scripts, for both backends. It answers the reads a snapshot makes with valid
data unless the test's script says otherwise, and records every request's headers."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hcsync.backends.clickhelp import ClickHelpBackend
from hcsync.backends.helpcenter import HelpCenterBackend
from hcsync.emulators.server import serve_in_thread

KEY = "hc_live_HOSTILESECRET0123456789"
CH_LOGIN, CH_KEY = "writer", "ch-HOSTILE-SECRET-KEY"
CENTER = "c1"
PROJECT, PUBLICATION = "project-acme", "acme"

Script = Callable[[Request], Response | None]
"""Answers a request, or None to let the default (valid) answer through."""


def draft(i: int, **over: Any) -> dict[str, Any]:
    """A valid Help.Center draft (helpcenter.md §4.3)."""
    return {
        "id": f"a{i:03d}",
        "object": "draft",
        "title": f"Article {i}",
        "status": "unpublished",
        "updated_at": "2026-03-02T09:15:04.120Z",
        "slug": None,
        "slug_id": i,
        "category_id": "k1",
        "seo": {"metaTitle": None, "metaDesc": None},
        "preview_url": f"https://acme.help.center/article/preview-{i}",
        "translations": [],
        "content": {"html": f"<p>{i}</p>", "text": str(i)},
        **over,
    }


def topic(tid: str, **over: Any) -> dict[str, Any]:
    """A valid ClickHelp topic as a listing gives it (clickhelp.md §3.2.1)."""
    return {
        "id": tid,
        "title": tid.title(),
        "body": None,
        "createdOn": "2025-03-01T10:00:00",
        "modifiedOn": "2025-03-02T08:15:42",
        "tocNodeId": f"node-{tid}",
        "statusName": "Draft",
        **over,
    }


def default(request: Request) -> Response:
    path = request.url.path
    hc = f"/v0/centers/{CENTER}"
    ch = "/api/v1/projects"
    answers: dict[str, Any] = {
        hc: {"id": CENTER, "default_language": "en", "additional_languages": ["es"]},
        f"{hc}/articles/categories": {"object": "list", "data": [{"id": "k1", "name": "Guides"}]},
        f"{hc}/articles/drafts": {
            "object": "list",
            "data": [draft(1), draft(2)],
            "has_more": False,
        },
        ch: [
            {"id": PROJECT, "title": "Acme", "parentId": None},
            {"id": PUBLICATION, "title": "Acme", "parentId": PROJECT},
        ],
        f"{ch}/{PROJECT}/articles": [topic("install"), topic("usage")],
        f"{ch}/{PROJECT}/toc/nodes": [
            {"id": "node-install", "parentId": None, "ordinalNo": 0, "topicId": "install"},
            {"id": "node-usage", "parentId": None, "ordinalNo": 1, "topicId": "usage"},
        ],
        f"{ch}/{PUBLICATION}/articles": [topic("install")],
    }
    if path in answers:
        return JSONResponse(answers[path])
    return JSONResponse({"error": {"message": "no such endpoint", "code": "not_found"}}, 404)


@dataclass
class Hostile:
    """The scripted server: set ``script``; ``seen`` holds (path, query, headers) of each
    request."""

    base_url: str = ""
    script: Script | None = None
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    """The method of each request, in order."""
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self) -> httpx.Client:
        """A client of this server, closed when the test ends."""
        self.clients.append(httpx.Client(base_url=self.base_url, timeout=30))
        return self.clients[-1]

    async def handle(self, request: Request) -> Response:
        self.seen.append((request.url.path, request.url.query, dict(request.headers)))
        self.methods.append(request.method)
        answer = self.script(request) if self.script else None
        return answer if answer is not None else default(request)


@pytest.fixture(scope="session")
def _server() -> Iterator[Hostile]:
    hostile = Hostile()
    methods = ["GET", "POST", "PATCH", "DELETE"]
    app = Starlette(routes=[Route("/{path:path}", hostile.handle, methods=methods)])
    with serve_in_thread(app) as base_url:
        hostile.base_url = base_url
        yield hostile


@pytest.fixture
def hostile(_server: Hostile) -> Iterator[Hostile]:
    _server.script = None
    _server.seen.clear()
    _server.methods.clear()
    yield _server
    _server.script = None
    for client in _server.clients:
        client.close()
    _server.clients.clear()


class Clock:
    """The injected clock: a sleep is recorded and advances time, nobody waits."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def helpcenter(hostile: Hostile, clock: Clock) -> HelpCenterBackend:
    return HelpCenterBackend(
        hostile.client(), center_id=CENTER, api_key=KEY, clock=clock, sleep=clock.sleep
    )


def clickhelp(hostile: Hostile, clock: Clock) -> ClickHelpBackend:
    return ClickHelpBackend(
        hostile.client(),
        portal_url=hostile.base_url,
        project_id=PROJECT,
        publication_id=PUBLICATION,
        login=CH_LOGIN,
        api_key=CH_KEY,
        clock=clock,
        sleep=clock.sleep,
    )


def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzipped (about a thousandth of the size)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # the gzip container
    chunk = bytes(1024 * 1024)
    return b"".join([packer.compress(chunk) for _ in range(size // len(chunk))] + [packer.flush()])
