"""Rate limiting (helpcenter.md §12) and fault injection for the Help.Center emulator.

The machinery is shared with the ClickHelp emulator and lives in
:mod:`hcsync.emulators.common`; this module keeps the Help.Center names, and turns a bad
setting into the documented 400 ``invalid_parameter`` error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hcsync.emulators.common.faults import FaultInjector, FaultKind, FaultRule, SettingError
from hcsync.emulators.common.faults import parse_fault_spec as _parse_fault_spec
from hcsync.emulators.common.ratelimit import RateDecision, RateLimit, RateLimiter

from .errors import invalid_parameter

__all__ = [
    "FaultInjector",
    "FaultKind",
    "FaultRule",
    "RateDecision",
    "RateLimit",
    "RateLimiter",
    "SettingError",
    "parse_fault_rule",
    "parse_fault_spec",
]


def parse_fault_spec(spec: str) -> list[FaultRule]:
    """Parse the CLI form ``500:0.05,429:0.05,reset:0.01,timeout:0.01`` (400 when bad)."""
    try:
        return _parse_fault_spec(spec)
    except SettingError as exc:
        raise invalid_parameter(str(exc)) from None


def parse_fault_rule(raw: FaultRule | Mapping[str, Any]) -> FaultRule:
    """A rule object as is, or a JSON-style dict parsed (400 ``invalid_parameter`` when bad)."""
    if isinstance(raw, FaultRule):
        return raw
    try:
        return FaultRule.from_json(raw)
    except SettingError as exc:
        raise invalid_parameter(str(exc)) from None
