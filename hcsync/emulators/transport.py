"""A synchronous httpx transport that calls an ASGI app in-process.

``httpx.ASGITransport`` only works with ``httpx.AsyncClient``. Tests, benchmarks and the demo
drive the emulators through a plain ``httpx.Client``, so this transport runs the async transport
on an anyio blocking portal (one event loop thread per transport).
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

import anyio.from_thread
import httpx


class SyncASGITransport(httpx.BaseTransport):
    """Send requests from a sync ``httpx.Client`` to an ASGI app, in-process."""

    def __init__(self, app: Any, *, client: tuple[str, int] = ("127.0.0.1", 50000)) -> None:
        self._asgi = httpx.ASGITransport(app=app, client=client)
        self._stack = ExitStack()
        self._portal: anyio.from_thread.BlockingPortal | None = None

    def _get_portal(self) -> anyio.from_thread.BlockingPortal:
        if self._portal is None:
            self._portal = self._stack.enter_context(anyio.from_thread.start_blocking_portal())
        return self._portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        portal = self._get_portal()
        body = request.read()

        async def send() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            areq = httpx.Request(request.method, request.url, headers=request.headers, content=body)
            resp = await self._asgi.handle_async_request(areq)
            content = await resp.aread()
            await resp.aclose()
            return resp.status_code, resp.headers.raw, content

        status, headers, content = portal.call(send)
        return httpx.Response(status, headers=headers, content=content, request=request)

    def close(self) -> None:
        self._stack.close()
        self._portal = None
