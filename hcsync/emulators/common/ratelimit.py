"""A token-bucket rate limiter per caller, driven by an injected clock (shared by the emulators)."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .faults import SettingError


@dataclass(frozen=True, slots=True)
class RateLimit:
    """Token bucket settings: ``burst`` tokens, refilled by ``per_minute`` per ``window_seconds``.

    The defaults are Help.Center's documented 100 requests per minute with bursts up to 200
    (helpcenter.md §12). Tests and benchmarks shrink ``window_seconds`` to scale time down.
    """

    per_minute: int = 100
    burst: int = 200
    window_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.per_minute < 1 or self.burst < 1 or self.window_seconds <= 0:
            raise SettingError("per_minute and burst must be ≥ 1, window_seconds > 0")

    @classmethod
    def unlimited(cls) -> RateLimit:
        """Settings that never limit in practice (a billion tokens)."""
        return cls(per_minute=10**9, burst=10**9, window_seconds=60.0)

    @property
    def rate(self) -> float:
        """Tokens added per second."""
        return self.per_minute / self.window_seconds

    def to_json(self) -> dict[str, Any]:
        """The settings as the control endpoint reports them."""
        return {
            "per_minute": self.per_minute,
            "burst": self.burst,
            "window_seconds": self.window_seconds,
        }


@dataclass(frozen=True, slots=True)
class RateDecision:
    """The outcome of charging one request to a key's bucket."""

    allowed: bool
    limit: int
    remaining: int
    reset: int
    """Unix epoch seconds (rounded up) when ``remaining`` next goes up."""
    retry_after: int
    """Seconds (≥ 1) to wait before a request is allowed again; meaningful when refused."""

    def headers(self) -> dict[str, str]:
        """The ``X-RateLimit-*`` headers (plus ``Retry-After`` on a refusal)."""
        out = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            out["Retry-After"] = str(self.retry_after)
        return out


class RateLimiter:
    """A token bucket per caller (key id, login), driven by an injected clock (epoch seconds)."""

    def __init__(self, settings: RateLimit, clock: Callable[[], float]) -> None:
        self._settings = settings
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    @property
    def settings(self) -> RateLimit:
        """The settings in force."""
        return self._settings

    def configure(self, settings: RateLimit) -> None:
        """Change the settings; every bucket starts again full."""
        with self._lock:
            self._settings = settings
            self._buckets.clear()

    def reset(self) -> None:
        """Refill every bucket."""
        with self._lock:
            self._buckets.clear()

    def charge(self, caller: str) -> RateDecision:
        """Take one token from the caller's bucket if there is one."""
        s = self._settings
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(caller, (float(s.burst), now))
            # Rounded to a thousandth of a token: epoch floats near 1.7e9 carry ~1e-7 s of
            # noise, which must not turn "exactly one token back" into 0.99998.
            tokens = round(min(float(s.burst), tokens + max(0.0, now - last) * s.rate), 3)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[caller] = (tokens, now)
        remaining = math.floor(tokens)
        # Remaining next goes up when the bucket reaches remaining + 1 tokens.
        wait = max(0.0, (remaining + 1 - tokens) / s.rate) if tokens < s.burst else 0.0
        return RateDecision(
            allowed=allowed,
            limit=s.per_minute,
            remaining=remaining,
            reset=math.ceil(now + wait),
            retry_after=max(1, math.ceil(wait)),
        )
