"""The one HTTP layer every backend uses: pacing, retries, redaction, call counting.

- **Pacing.** After every response the ``X-RateLimit-*`` headers are read; while ``Remaining``
  is at or below :attr:`Pacer.low_water`, the next request waits until ``Reset``. ``Reset`` may
  be epoch milliseconds, epoch seconds or seconds from now (helpcenter.md §12), so all three are
  parsed.
- **Retries.** 429 is retried for any method, after ``Retry-After`` (else ``Reset``), capped at
  120 s. 5xx, timeouts and connection errors are retried only when the caller says the request
  is safe to repeat (``idempotent=True``). A create is never retried blindly: the backend looks
  the object up first.
- **Redaction.** Every credential handed in is replaced by ``[secure]`` in any text this layer
  produces, so an exception can be printed as-is.
- **Bounds.** A body is streamed and read up to ``max_bytes`` decompressed bytes
  (:data:`MAX_JSON_BYTES` unless the caller says otherwise), so a huge answer or a gzip bomb
  stops early; JSON deeper than :data:`MAX_JSON_DEPTH` is refused before it is parsed; a
  header's wait that is not a finite number is ignored; redirects are never followed (the
  credentials stay with the configured origin) and are reported with their ``Location``;
  a server's error message is cut to :data:`MAX_MESSAGE_CHARS` without control characters.

Clock and sleep are parameters, so tests never wait.
"""

from __future__ import annotations

import json as jsonlib
import math
import re
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from hcsync.diagnostics import BackendError
from hcsync.redact import Redactor, inert

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_WAIT_S = 120.0
"""Longest single wait for a rate-limit reset (helpcenter.md §12)."""
MAX_JSON_BYTES = 32 * 1024 * 1024
"""Largest JSON body read (decompressed): far above any page or topic the platforms send."""
MAX_JSON_DEPTH = 64
"""Deepest JSON nesting accepted: the platforms' answers are a few levels deep."""
MAX_MESSAGE_CHARS = 300
MAX_ANSWER_S = 120.0
"""Longest one answer may take to arrive whole (a server that drips a byte at a time stops
there, whatever the per-read timeout)."""
DEADLINE_PASSED = "past --timeout"
"""Longest server error message carried into a BackendError."""
_CHUNK = 64 * 1024
_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = re.compile(rb"[^\[\]{}]+")


def _finite(value: str | None) -> float | None:
    """The number in a header value, or None if there is none or it is not finite."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def parse_reset(value: str | None, now: float) -> float | None:
    """Seconds to wait for an ``X-RateLimit-Reset`` value, whichever meaning it has."""
    number = _finite(value)
    if number is None:
        return None
    if number >= 1e12:  # epoch milliseconds
        wait = number / 1000.0 - now
    elif number >= 1e9:  # epoch seconds
        wait = number - now
    else:  # seconds from now
        wait = number
    return min(max(wait, 0.0), MAX_WAIT_S)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header given in seconds (HTTP dates are not used here)."""
    number = _finite(value)
    return None if number is None else min(max(number, 0.0), MAX_WAIT_S)


@dataclass
class Pacer:
    """Waits before a request when the rate limit would refuse it.

    Where responses carry ``X-RateLimit-*`` headers (Help.Center), it waits for the reset when
    the last response said the budget is nearly spent. Where they do not (ClickHelp documents
    no limit), it learns from the 429s it meets: the calls a window allowed give a rate, and
    the next calls are spread at that rate (after spending at once what the wait refilled), so
    a run meets about one 429 to learn the window and at most one more to correct the rate.
    """

    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    low_water: int = 2
    remaining: int | None = None
    reset_at: float | None = None
    waited_s: float = 0.0
    headers_seen: bool = False
    """True once a response carried ``X-RateLimit-Remaining``: pacing follows the headers."""
    min_calls: int = 10
    """A 429 after fewer calls since the last one teaches nothing (a fault, or a limit so
    low that plain retries serve)."""
    safety: float = 0.97
    """The learned rate is used at this fraction, for the noise in what was counted."""
    interval: float | None = None
    """Seconds between calls learned from 429s (None: not learned, send freely)."""
    credit: float = 0.0
    capacity: float = 0.0
    last: float = 0.0
    episode_start: float | None = None
    episode_calls: int = 0
    learned: int = 0

    def before_request(self) -> None:
        if self.headers_seen:
            self._by_headers()
            return
        now = self.clock()
        if self.episode_start is None:
            self.episode_start = now
        self.episode_calls += 1
        if self.interval is None:
            return
        self.credit = min(self.capacity, self.credit + max(0.0, now - self.last) / self.interval)
        self.last = now
        if self.credit < 1.0:
            wait = (1.0 - self.credit) * self.interval
            self.waited_s += wait
            self.sleep(wait)
            self.last = now + wait
            self.credit = 1.0
        self.credit -= 1.0

    def _by_headers(self) -> None:
        if self.remaining is None or self.reset_at is None or self.remaining > self.low_water:
            return
        wait = self.reset_at - self.clock()
        if wait > 0:
            self.waited_s += wait
            self.sleep(wait)
        self.remaining = None

    def observe(self, headers: Mapping[str, str]) -> None:
        remaining = _finite(headers.get("x-ratelimit-remaining"))
        if remaining is None:
            return
        self.headers_seen = True
        self.remaining = int(remaining)
        now = self.clock()
        wait = parse_reset(headers.get("x-ratelimit-reset"), now)
        self.reset_at = None if wait is None else now + wait

    def refused(self, wait: float) -> None:
        """A 429 met, ``wait`` seconds to sleep before the retry: learn the rate from it.

        The bucket is empty now. The first time, the calls since the run began also spent an
        unknown burst, so they are read as one fixed window ending after the wait (an
        over-estimate when the burst was large); later, the calls since the last 429 were
        all refills, so calls ÷ seconds is the rate.
        """
        if self.headers_seen or self.episode_start is None:
            return
        now = self.clock()
        allowed = self.episode_calls - 1  # the refused one was not allowed
        if allowed >= self.min_calls:
            seconds = now - self.episode_start + (wait if self.learned == 0 else 0.0)
            interval = seconds / (allowed * self.safety) if seconds > 0 else None
            if interval is not None:
                self.interval = interval if self.interval is None else max(interval, self.interval)
                self.learned += 1
        if self.interval is not None:
            self.capacity = max(1.0, wait / self.interval)  # what the wait refills
            self.credit = 0.0
            self.last = now
        self.episode_start = now
        self.episode_calls = 0


@dataclass
class CallStats:
    """What a run cost: calls (every HTTP attempt), writes, retries, seconds waited."""

    calls: int = 0
    writes: int = 0
    retries: int = 0
    rate_limited: int = 0
    by_method: dict[str, int] = field(default_factory=dict)


class ApiClient:
    """Sends requests for a backend over the caller's ``httpx.Client``."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        headers: Mapping[str, str],
        secrets: Iterable[str],
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 6,
        backoff_s: float = 0.5,
        error_message: Callable[[httpx.Response], tuple[str, str | None]] | None = None,
    ) -> None:
        self._client = client
        self._headers = {"Accept-Encoding": "gzip, deflate", **headers}
        """Only the encodings this layer inflates itself (in bounded steps)."""
        self.redact = Redactor(secrets)
        self._clock = clock
        self._sleep = sleep
        self.pacer = Pacer(clock=clock, sleep=sleep)
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.stats = CallStats()
        self._error_message = error_message or _default_error_message

    def request(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool | None = None,
        json: Any = None,
        params: Any = None,
        files: Any = None,
        ok_statuses: Iterable[int] = (),
        max_bytes: int = MAX_JSON_BYTES,
    ) -> httpx.Response:
        """Send one logical request, with pacing and the retries that are safe.

        ``idempotent`` defaults to True for GET/HEAD/OPTIONS and False otherwise. A response
        whose status is 2xx or in ``ok_statuses`` is returned, its body read whole (at most
        ``max_bytes`` decompressed bytes, else :class:`BackendError`); anything else raises
        :class:`BackendError` with the platform's message and code, redacted.
        """
        method = method.upper()
        safe = method in SAFE_METHODS if idempotent is None else idempotent
        accepted = set(ok_statuses)
        shown = display_path(path)
        attempt = 0
        while True:
            attempt += 1
            self.pacer.before_request()
            self.stats.calls += 1
            self.stats.by_method[method] = self.stats.by_method.get(method, 0) + 1
            if method not in SAFE_METHODS:
                self.stats.writes += 1
            request = self._client.build_request(
                method, path, json=json, params=params, files=files, headers=self._headers
            )
            try:
                response = self._send(request, max_bytes, shown)
            except httpx.TransportError as exc:
                if DEADLINE_PASSED in str(exc):  # the command's --timeout: never retried
                    raise BackendError(
                        f"{method} {shown}: not sent, the command is {exc}",
                        method=method,
                        path=shown,
                    ) from None
                if safe and attempt < self.max_attempts:
                    self._backoff(attempt)
                    continue
                raise BackendError(
                    self.redact(f"{_describe_transport_error(exc)} on {method} {shown}"),
                    method=method,
                    path=shown,
                ) from None
            self.pacer.observe(response.headers)
            status = response.status_code
            if 200 <= status < 300 or status in accepted:
                return response
            if status == 429 and attempt < self.max_attempts:
                self.stats.rate_limited += 1
                self._wait_for_rate_limit(response)
                continue
            if status >= 500 and safe and attempt < self.max_attempts:
                self._backoff(attempt)
                continue
            raise self._refusal(response, method, shown)

    def _send(self, request: httpx.Request, max_bytes: int, shown: str) -> httpx.Response:
        """Send without following redirects and read the body, decompressing it here in
        bounded steps, up to ``max_bytes``; the answer comes back as a plain response holding
        the bytes read."""
        response = self._client.send(request, stream=True, follow_redirects=False)
        try:
            body = _read_body(response, max_bytes, self._clock)
        except _BodyError as exc:
            raise BackendError(
                f"{request.method} {shown}: {exc}",
                method=request.method,
                path=shown,
                status=response.status_code,
            ) from None
        finally:
            response.close()
        headers = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(response.status_code, headers=headers, content=body, request=request)

    def _refusal(self, response: httpx.Response, method: str, shown: str) -> BackendError:
        status = response.status_code
        if 300 <= status < 400:
            location = response.headers.get("location")
            where = display_path(location) if location else "nowhere (no Location header)"
            return BackendError(
                self.redact(
                    f"{method} {shown}: the server redirected to {clean_text(where)} instead of "
                    "answering; hcsync does not follow redirects: check the base URL"
                ),
                method=method,
                path=shown,
                status=status,
            )
        message, code = self._error_message(response)
        return BackendError(
            self.redact(clean_text(message)),
            method=method,
            path=shown,
            status=status,
            code=None if code is None else self.redact(clean_text(code, 60)),
        )

    def json(self, response: httpx.Response) -> Any:
        """The body of a response from :meth:`request` as JSON; None for an empty body.

        A body that is not JSON (by its ``Content-Type``, or because it does not parse), or is
        nested deeper than :data:`MAX_JSON_DEPTH`, raises :class:`BackendError` naming the
        method and the path (never the query string)."""
        return parse_json(response, self.redact)

    def _backoff(self, attempt: int) -> None:
        self.stats.retries += 1
        self._sleep(min(self.backoff_s * 2 ** (attempt - 1), 30.0))

    def _wait_for_rate_limit(self, response: httpx.Response) -> None:
        self.stats.retries += 1
        now = self._clock()
        wait = parse_retry_after(response.headers.get("retry-after"))
        if wait is None:
            wait = parse_reset(response.headers.get("x-ratelimit-reset"), now)
        if wait is None:
            wait = 1.0
        self.pacer.refused(max(wait, 0.0))
        self.pacer.waited_s += wait
        self._sleep(max(wait, 0.0))
        self.pacer.remaining = None


class _BodyError(Exception):
    """A body too large or not decodable; the text says which."""


def _read_body(
    response: httpx.Response, max_bytes: int, clock: Callable[[], float] = time.time
) -> bytes:
    """The decoded body, at most ``max_bytes``: gzip and deflate are inflated a chunk at a time
    (never more than :data:`_CHUNK` bytes out of one step), so a bomb stops at the cap; and
    whole within :data:`MAX_ANSWER_S` seconds, so a server dripping bytes stops too."""
    started = clock()
    too_big = _BodyError(f"the response body is larger than {max_bytes // (1024 * 1024)} MB")
    if response.is_stream_consumed:  # a transport that read it already (in-process tests)
        if len(response.content) > max_bytes:
            raise too_big
        return response.content
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        inflate = zlib.decompressobj()
    elif encoding in ("", "identity"):
        inflate = None
    else:
        raise _BodyError(f"the response body has an unknown encoding ({clean_text(encoding, 40)})")
    chunks: list[bytes] = []
    size = 0
    try:
        for raw in response.iter_raw():  # as it arrives (a chunk size would wait to fill)
            if clock() - started > MAX_ANSWER_S:
                raise _BodyError(f"the answer took longer than {MAX_ANSWER_S:g} s to arrive")
            pending = raw
            while pending:
                if inflate is None:
                    out, pending = pending, b""
                else:
                    out, pending = inflate.decompress(pending, _CHUNK), inflate.unconsumed_tail
                size += len(out)
                if size > max_bytes:
                    raise too_big
                chunks.append(out)
        if inflate is not None:
            chunks.append(inflate.flush())
            if size + len(chunks[-1]) > max_bytes:
                raise too_big
    except zlib.error:
        raise _BodyError(f"the response body is not valid {encoding}") from None
    return b"".join(chunks)


def display_path(url: str) -> str:
    """A path or URL as messages show it: no query string, fragment or user info."""
    parts = urlsplit(url)
    if parts.scheme and parts.hostname:
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname}{port}{parts.path}"
    return parts.path


def clean_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """A server's text made safe for one line: control characters become a space, and it is
    cut to ``limit`` characters (with ``…``)."""
    return inert(text, limit)


def json_depth(data: bytes, limit: int) -> int:
    """How deep the brackets of a JSON text nest (strings skipped), stopping past ``limit``."""
    brackets = _NOT_BRACKETS.sub(b"", _STRINGS.sub(b"", data))
    depth = deepest = 0
    for byte in brackets:
        if byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        else:
            depth -= 1
    return deepest


def parse_json(response: httpx.Response, redact: Callable[[str], str] = str) -> Any:
    """See :meth:`ApiClient.json`."""
    method = response.request.method
    shown = response.request.url.path
    data = response.content
    if not data.strip():
        return None
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()

    def fail(what: str) -> BackendError:
        return BackendError(
            redact(f"{method} {shown}: {what}"),
            method=method,
            path=shown,
            status=response.status_code,
        )

    if media and media != "application/json" and not media.endswith("+json"):
        raise fail(f"expected JSON, got {clean_text(media, 60)}")
    if json_depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise fail(f"expected JSON, got JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return jsonlib.loads(data)
    except (ValueError, RecursionError):
        raise fail("expected JSON, got a body that does not parse as JSON") from None


def _describe_transport_error(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    return "connection failed"


def error_body(response: httpx.Response) -> Any:
    """The JSON of an error answer, or None when it has none that can be read safely."""
    try:
        return parse_json(response)
    except BackendError:
        return None


def _default_error_message(response: httpx.Response) -> tuple[str, str | None]:
    body = error_body(response)
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):
            message = str(err.get("message") or f"HTTP {response.status_code}")
            return (message, _str(err.get("code")))
    return (f"HTTP {response.status_code}", None)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
