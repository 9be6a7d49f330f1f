"""Fault injection shared by the emulators: seeded rules that answer an error or drop the line.

A rule fires before the endpoint runs (the request is lost) or, with ``after_write``, after it
succeeded (the write is committed and the response is lost). Which statuses a rule may answer
is up to each emulator (``statuses``); bad settings raise :class:`SettingError`.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal


class SettingError(ValueError):
    """A test-control setting (fault rule, rate limit) is invalid; the message says why."""


FaultKind = Literal["status", "reset", "timeout", "html"]

HTML_FAULT_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>503 Service Temporarily Unavailable</title></head>\n"
    "<body><h1>Service temporarily unavailable</h1>\n"
    "<p>The server is temporarily unable to service your request. Please try again later.</p>\n"
    "</body></html>\n"
)
"""What an ``html`` fault answers, with status 200 and ``text/html``: a proxy's error page."""

DEFAULT_FAULT_STATUSES: frozenset[int] = frozenset({429, 500, 502, 503, 504})
"""Statuses a rule may answer unless an emulator passes its own set."""


@dataclass(slots=True)
class FaultRule:
    """One fault: what happens, how often, and to which requests.

    - ``kind``: ``status`` (answer ``status`` with the documented error body), ``reset`` (drop
      the connection with no response) or ``timeout`` (hold the request ``seconds``, then drop
      it; in-process it raises ``httpx.ReadTimeout`` at once so tests never wait) or ``html``
      (answer ``200`` with ``text/html`` :data:`HTML_FAULT_PAGE`, as a proxy in front of the
      API might).
    - ``rate``: probability per eligible request (0-1).
    - ``after_write``: fire only after the endpoint succeeded, so the write is committed and the
      response is lost; otherwise fire instead of running the endpoint.
    - ``method``, ``path`` (regex searched in the path), ``route`` (the emulator's endpoint
      name: ``"E12"`` for Help.Center, ``"topics.create"`` for ClickHelp): filters.
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
    def from_json(
        cls, raw: Mapping[str, Any], statuses: Collection[int] = DEFAULT_FAULT_STATUSES
    ) -> FaultRule:
        """Parse ``{"status": 500, "rate": 0.1}``, ``{"reset": 0.01}``, ``{"timeout": 0.02}``,
        ``{"html": 1}``."""
        if not isinstance(raw, Mapping):
            raise SettingError("each fault rule must be an object")
        data = dict(raw)
        kind: FaultKind
        if "reset" in data:
            kind, rate = "reset", data.pop("reset")
        elif "timeout" in data:
            kind, rate = "timeout", data.pop("timeout")
        elif "html" in data:
            kind, rate = "html", data.pop("html")
        elif "status" in data:
            kind, rate = "status", data.pop("rate", 1.0)
        else:
            raise SettingError("a fault rule needs 'status', 'reset', 'timeout' or 'html'")
        if "rate" in data:
            rate = data.pop("rate")
        status = data.pop("status", None)
        if kind == "status" and status not in statuses:
            raise SettingError(f"fault status must be one of {sorted(statuses)}")
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise SettingError("fault rate must be a number from 0 to 1")
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
                    raise SettingError(f"fault rule field '{name}' has the wrong type")
                setattr(rule, name, value)
        if data:
            raise SettingError(f"unknown fault rule fields: {', '.join(sorted(data))}")
        if rule.path is not None:
            try:
                re.compile(rule.path)
            except re.error as exc:
                raise SettingError(f"fault rule 'path' is not a valid regex: {exc}") from None
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

    @property
    def answered(self) -> int | None:
        """The status the client gets (the request log's ``status``): None when the
        connection is dropped."""
        if self.kind == "status":
            return self.status
        return 200 if self.kind == "html" else None

    def matches(self, method: str, path: str, route: str | None) -> bool:
        """Whether the filters select this request (ignoring ``rate`` and ``times``)."""
        if self.times is not None and self.fired >= self.times:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        if self.route is not None and self.route != route:
            return False
        return self.path is None or re.search(self.path, path) is not None


def parse_fault_spec(
    spec: str, statuses: Collection[int] = DEFAULT_FAULT_STATUSES
) -> list[FaultRule]:
    """Parse the CLI form ``500:0.05,429:0.05,reset:0.01,timeout:0.01,html:0.01``."""
    rules: list[FaultRule] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, rate_text = part.partition(":")
        try:
            rate = float(rate_text) if sep else 1.0
        except ValueError:
            raise SettingError(f"bad fault rate in {part!r}") from None
        if name in ("reset", "timeout", "html"):
            rules.append(FaultRule.from_json({name: rate}, statuses))
        elif name.isdigit():
            rules.append(FaultRule.from_json({"status": int(name), "rate": rate}, statuses))
        else:
            raise SettingError(
                f"bad fault {part!r}: use STATUS:RATE, reset:RATE, timeout:RATE, html:RATE"
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
