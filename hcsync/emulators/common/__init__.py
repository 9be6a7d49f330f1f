"""What the emulators share: fault injection, rate limiting, the request log, SQLite plumbing.

Platform-specific parts (error bodies, route names, envelopes) stay in each emulator; these
modules raise :class:`SettingError` for a bad control setting and each emulator turns it into
its own documented error body.
"""

from .asgi import (
    JSON_TYPE,
    Dropped,
    RequestLog,
    drop_connection,
    fault_name,
    json_response,
    read_body,
    run_lifespan,
)
from .faults import (
    DEFAULT_FAULT_STATUSES,
    FaultInjector,
    FaultKind,
    FaultRule,
    SettingError,
    parse_fault_spec,
)
from .ratelimit import RateDecision, RateLimit, RateLimiter
from .sqlite import SqliteDb

__all__ = [
    "DEFAULT_FAULT_STATUSES",
    "JSON_TYPE",
    "Dropped",
    "FaultInjector",
    "FaultKind",
    "FaultRule",
    "RateDecision",
    "RateLimit",
    "RateLimiter",
    "RequestLog",
    "SettingError",
    "SqliteDb",
    "drop_connection",
    "fault_name",
    "json_response",
    "parse_fault_spec",
    "read_body",
    "run_lifespan",
]
