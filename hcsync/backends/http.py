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

Clock and sleep are parameters, so tests never wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from hcsync.diagnostics import BackendError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_WAIT_S = 120.0
"""Longest single wait for a rate-limit reset (helpcenter.md §12)."""


def parse_reset(value: str | None, now: float) -> float | None:
    """Seconds to wait for an ``X-RateLimit-Reset`` value, whichever meaning it has."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
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
    if value is None:
        return None
    try:
        return min(max(float(value.strip()), 0.0), MAX_WAIT_S)
    except ValueError:
        return None


class Redactor:
    """Replaces every known secret in a text with ``[secure]``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[secure]")
        return text


@dataclass
class Pacer:
    """Waits before a request when the last response said the budget is nearly spent."""

    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    low_water: int = 2
    remaining: int | None = None
    reset_at: float | None = None
    waited_s: float = 0.0

    def before_request(self) -> None:
        if self.remaining is None or self.reset_at is None or self.remaining > self.low_water:
            return
        wait = self.reset_at - self.clock()
        if wait > 0:
            self.waited_s += wait
            self.sleep(wait)
        self.remaining = None

    def observe(self, headers: Mapping[str, str]) -> None:
        remaining = headers.get("x-ratelimit-remaining")
        if remaining is None:
            return
        try:
            self.remaining = int(float(remaining))
        except ValueError:
            return
        now = self.clock()
        wait = parse_reset(headers.get("x-ratelimit-reset"), now)
        self.reset_at = None if wait is None else now + wait


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
        self._headers = dict(headers)
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
    ) -> httpx.Response:
        """Send one logical request, with pacing and the retries that are safe.

        ``idempotent`` defaults to True for GET/HEAD/OPTIONS and False otherwise. A response
        whose status is 2xx or in ``ok_statuses`` is returned; anything else raises
        :class:`BackendError` with the platform's message and code, redacted.
        """
        method = method.upper()
        safe = method in SAFE_METHODS if idempotent is None else idempotent
        accepted = set(ok_statuses)
        attempt = 0
        while True:
            attempt += 1
            self.pacer.before_request()
            self.stats.calls += 1
            self.stats.by_method[method] = self.stats.by_method.get(method, 0) + 1
            if method not in SAFE_METHODS:
                self.stats.writes += 1
            try:
                response = self._client.request(
                    method, path, json=json, params=params, files=files, headers=self._headers
                )
            except httpx.TransportError as exc:
                if safe and attempt < self.max_attempts:
                    self._backoff(attempt)
                    continue
                raise BackendError(
                    self.redact(f"{_describe_transport_error(exc)} on {method} {path}"),
                    method=method,
                    path=path,
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
            message, code = self._error_message(response)
            raise BackendError(
                self.redact(message), method=method, path=path, status=status, code=code
            )

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
        self.pacer.waited_s += wait
        self._sleep(max(wait, 0.0))
        self.pacer.remaining = None


def _describe_transport_error(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    return "connection failed"


def _default_error_message(response: httpx.Response) -> tuple[str, str | None]:
    try:
        body = response.json()
    except ValueError:
        return (f"HTTP {response.status_code}", None)
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):
            message = str(err.get("message") or f"HTTP {response.status_code}")
            return (message, _str(err.get("code")))
    return (f"HTTP {response.status_code}", None)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
