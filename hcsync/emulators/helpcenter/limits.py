"""Rate limiting (helpcenter.md §12) and fault injection for the Help.Center emulator."""

from __future__ import annotations

import math
import random
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import invalid_parameter

# -- rate limiting ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RateLimit:
    """Token bucket settings: ``burst`` tokens, refilled by ``per_minute`` per ``window_seconds``.

    The documented service allows 100 requests per minute with bursts up to 200 (§12). Tests
    and benchmarks shrink ``window_seconds`` to scale time down.
    """

    per_minute: int = 100
    burst: int = 200
    window_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.per_minute < 1 or self.burst < 1 or self.window_seconds <= 0:
            raise invalid_parameter("per_minute and burst must be ≥ 1, window_seconds > 0")

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
    """A token bucket per API key id, driven by an injected clock (seconds since the epoch)."""

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

    def charge(self, key_id: str) -> RateDecision:
        """Take one token from the key's bucket if there is one."""
        s = self._settings
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(key_id, (float(s.burst), now))
            # Rounded to a thousandth of a token: epoch floats near 1.7e9 carry ~1e-7 s of
            # noise, which must not turn "exactly one token back" into 0.99998.
            tokens = round(min(float(s.burst), tokens + max(0.0, now - last) * s.rate), 3)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[key_id] = (tokens, now)
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


# -- faults -----------------------------------------------------------------------------------

FaultKind = Literal["status", "reset", "timeout"]

_FAULT_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(slots=True)
class FaultRule:
    """One fault: what happens, how often, and to which requests.

    - ``kind``: ``status`` (answer ``status`` with the documented error body), ``reset`` (drop
      the connection with no response) or ``timeout`` (hold the request ``seconds``, then drop
      it; in-process it raises ``httpx.ReadTimeout`` at once so tests never wait).
    - ``rate``: probability per eligible request (0-1).
    - ``after_write``: fire only after the endpoint succeeded, so the write is committed and the
      response is lost; otherwise fire instead of running the endpoint.
    - ``method``, ``path`` (regex searched in the path), ``route`` (``"E12"``): filters.
    - ``times``: stop after firing this many times (None: no limit).
    """

    kind: FaultKind
    rate: float = 1.0
    status: int | None = None
    after_write: bool = False
    method: str | None = None
    path: str | None = None
    route: str | None = None
    times: int | None = None
    seconds: float = 2.0
    fired: int = 0

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> FaultRule:
        """Parse ``{"status": 500, "rate": 0.1}``, ``{"reset": 0.01}``, ``{"timeout": 0.02}``."""
        if not isinstance(raw, Mapping):
            raise invalid_parameter("each fault rule must be an object")
        data = dict(raw)
        kind: FaultKind
        if "reset" in data:
            kind, rate = "reset", data.pop("reset")
        elif "timeout" in data:
            kind, rate = "timeout", data.pop("timeout")
        elif "status" in data:
            kind, rate = "status", data.pop("rate", 1.0)
        else:
            raise invalid_parameter("a fault rule needs 'status', 'reset' or 'timeout'")
        if "rate" in data:
            rate = data.pop("rate")
        status = data.pop("status", None)
        if kind == "status" and status not in _FAULT_STATUSES:
            raise invalid_parameter(f"fault status must be one of {sorted(_FAULT_STATUSES)}")
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise invalid_parameter("fault rate must be a number from 0 to 1")
        rule = cls(kind=kind, rate=float(rate), status=status)
        for name, typ in (
            ("after_write", bool),
            ("method", str),
            ("path", str),
            ("route", str),
            ("times", int),
            ("seconds", float),
        ):
            if name in data:
                value = data.pop(name)
                if typ is float and isinstance(value, int) and not isinstance(value, bool):
                    value = float(value)
                if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
                    raise invalid_parameter(f"fault rule field '{name}' has the wrong type")
                setattr(rule, name, value)
        if data:
            raise invalid_parameter(f"unknown fault rule fields: {', '.join(sorted(data))}")
        if rule.path is not None:
            try:
                re.compile(rule.path)
            except re.error as exc:
                raise invalid_parameter(f"fault rule 'path' is not a valid regex: {exc}") from None
        return rule

    def to_json(self) -> dict[str, Any]:
        """The rule as the control endpoint reports it."""
        out: dict[str, Any] = {"kind": self.kind, "rate": self.rate}
        if self.kind == "status":
            out["status"] = self.status
        for name in ("after_write", "method", "path", "route", "times"):
            value = getattr(self, name)
            if value not in (None, False):
                out[name] = value
        if self.kind == "timeout":
            out["seconds"] = self.seconds
        out["fired"] = self.fired
        return out

    def matches(self, method: str, path: str, route: str | None) -> bool:
        """Whether the filters select this request (ignoring ``rate`` and ``times``)."""
        if self.times is not None and self.fired >= self.times:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        if self.route is not None and self.route != route:
            return False
        return self.path is None or re.search(self.path, path) is not None


def parse_fault_spec(spec: str) -> list[FaultRule]:
    """Parse the CLI form ``500:0.05,429:0.05,reset:0.01,timeout:0.01``."""
    rules: list[FaultRule] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, rate_text = part.partition(":")
        try:
            rate = float(rate_text) if sep else 1.0
        except ValueError:
            raise invalid_parameter(f"bad fault rate in {part!r}") from None
        if name in ("reset", "timeout"):
            rules.append(FaultRule.from_json({name: rate}))
        elif name.isdigit():
            rules.append(FaultRule.from_json({"status": int(name), "rate": rate}))
        else:
            raise invalid_parameter(
                f"bad fault {part!r}: use STATUS:RATE, reset:RATE, timeout:RATE"
            )
    return rules


@dataclass(slots=True)
class FaultInjector:
    """Seeded, ordered fault rules. Each eligible rule draws once per request, in order."""

    rules: list[FaultRule] = field(default_factory=list)
    seed: int = 0
    _random: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._random.seed(self.seed)

    def configure(self, rules: Iterable[FaultRule], seed: int = 0) -> None:
        """Replace the rules and reseed."""
        with self._lock:
            self.rules = list(rules)
            self.seed = seed
            self._random.seed(seed)

    def clear(self) -> None:
        """Remove every rule."""
        self.configure([], self.seed)

    def pick(
        self, method: str, path: str, route: str | None, *, after_write: bool
    ) -> FaultRule | None:
        """The rule that fires for this request at this stage, if any."""
        with self._lock:
            for rule in self.rules:
                if rule.after_write != after_write or not rule.matches(method, path, route):
                    continue
                if self._random.random() < rule.rate:
                    rule.fired += 1
                    return rule
            return None

    def to_json(self) -> dict[str, Any]:
        """The rules and seed, as the control endpoint reports them."""
        with self._lock:
            return {"rules": [r.to_json() for r in self.rules], "seed": self.seed}
