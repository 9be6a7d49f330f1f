"""ASGI plumbing shared by the emulators: JSON responses, body reading, dropped connections,
the lifespan handshake and the request log."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import anyio
import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .faults import FaultRule

JSON_TYPE = "application/json; charset=utf-8"

T = TypeVar("T")


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON response (``application/json; charset=utf-8``), or an empty 204."""
    if status == 204:
        return Response(status_code=204, headers=dict(headers or {}))
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(content, status_code=status, headers=dict(headers or {}), media_type=JSON_TYPE)


async def read_body(request: Request, keep: int) -> tuple[bytes, int]:
    """Read the whole body (so the connection stays usable), keeping at most ``keep`` + 1 bytes.

    Returns the bytes kept and the full size, so a caller can refuse an oversized body without
    holding it in memory.
    """
    chunks: list[bytes] = []
    kept = size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if kept < keep + 1:
            piece = chunk[: keep + 1 - kept]
            chunks.append(piece)
            kept += len(piece)
    return b"".join(chunks), size


async def run_lifespan(receive: Receive, send: Send) -> None:
    """Answer the ASGI lifespan startup and shutdown messages (the emulators need no setup)."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


class Dropped(Exception):
    """A fault decided that the connection goes away with no response."""

    def __init__(self, rule: FaultRule) -> None:
        super().__init__(rule.kind)
        self.rule = rule


async def drop_connection(send: Send, rule: FaultRule) -> None:
    """Close the connection abruptly (uvicorn), or raise the error httpx would (in-process).

    Under uvicorn the ASGI ``send`` is a method of the connection's request cycle, which holds
    the asyncio transport; aborting it resets the TCP connection. Elsewhere (the in-process
    transport) the app raises ``httpx.RemoteProtocolError`` or ``httpx.ReadTimeout``, which
    httpx passes to the client like a transport failure.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "abort"):
        if rule.kind == "timeout":
            raise httpx.ReadTimeout("timed out (emulated fault)")
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a response (emulated fault)."
        )
    if rule.kind == "timeout":
        await anyio.sleep(rule.seconds)
    transport.abort()
    for _ in range(3):  # let the protocol see connection_lost, so uvicorn stays quiet
        await anyio.sleep(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedRequest:
    """One API request as an emulator's log keeps it: who called, never the credential."""

    seq: int
    time: str | None
    method: str
    path: str
    query: str
    status: int | None
    """None when the connection was dropped by a fault."""
    endpoint: str | None
    """The route's name (``E12``, ``topics.create``); None for an unknown route."""
    caller: Mapping[str, str | None]
    """Platform-specific identity of the caller (a key's id and prefix, or a login)."""
    fault: str | None
    """``status:500``, ``reset``, ``timeout`` (with ``+after_write``) or None."""

    def to_json(self) -> dict[str, Any]:
        """The entry as ``GET /_emulator/requests`` shows it."""
        return {
            "seq": self.seq,
            "time": self.time,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "endpoint": self.endpoint,
            **self.caller,
            "fault": self.fault,
        }


def fault_name(rule: FaultRule | None) -> str | None:
    """How the request log names a fault: ``status:500``, ``reset``, ``timeout`` (+after_write)."""
    if rule is None:
        return None
    name = f"status:{rule.status}" if rule.kind == "status" else rule.kind
    return name + "+after_write" if rule.after_write else name


class RequestLog(Generic[T]):
    """A thread-safe, append-only log of entries numbered from 1 (each emulator its own type)."""

    def __init__(self) -> None:
        self._entries: list[T] = []
        self._lock = threading.Lock()

    def append(self, make: Callable[[int], T]) -> T:
        """Add ``make(seq)``, where ``seq`` is the entry's 1-based number."""
        with self._lock:
            entry = make(len(self._entries) + 1)
            self._entries.append(entry)
            return entry

    def entries(self) -> list[T]:
        """Every entry, oldest first."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()


class LogAndFaultControls:
    """The runtime controls both emulators share: fault rules and the request log.

    Subclasses set ``self.faults`` (a ``FaultInjector``) and ``self._log``.
    """

    faults: Any
    _log: RequestLog[LoggedRequest]

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self.faults.clear()

    def requests(self) -> list[LoggedRequest]:
        """The request log (API requests only), oldest first."""
        return self._log.entries()

    def clear_requests(self) -> None:
        """Empty the request log."""
        self._log.clear()


class EmulatorApp(LogAndFaultControls):
    """The ASGI entry both emulators share: lifespan, the body read once (up to
    ``max_body`` bytes kept), ``/_emulator`` controls, the API (an injected connection drop
    ends the exchange), then the platform's other pages. Subclasses give the four hooks."""

    max_body: int

    def _is_api(self, path: str) -> bool:
        raise NotImplementedError

    async def _serve_api(self, request: Request, raw: bytes, size: int) -> Response:
        raise NotImplementedError

    def _serve_other(self, request: Request, path: str) -> Response:
        """Files the platform serves, its readers' pages, or its "no such endpoint"."""
        raise NotImplementedError

    def _control(self, request: Request, raw: bytes) -> Response:
        raise NotImplementedError

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await run_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        path: str = scope["path"]
        raw, size = await read_body(request, self.max_body)
        if path == "/_emulator" or path.startswith("/_emulator/"):
            response = self._control(request, raw)
        elif self._is_api(path):
            try:
                response = await self._serve_api(request, raw, size)
            except Dropped as dropped:
                await drop_connection(send, dropped.rule)
                return
        else:
            response = self._serve_other(request, path)
        await response(scope, receive, send)
