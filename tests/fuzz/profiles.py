"""The fuzz tests' hypothesis settings: a short profile for the normal suite (the whole
package in well under 20 s) and a long one, ``HYPOTHESIS_PROFILE=long`` (a few minutes)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "derandomize": False,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
PROFILES = {
    "short": settings(max_examples=40, **_COMMON),  # type: ignore[arg-type]
    "long": settings(max_examples=4_000, **_COMMON),  # type: ignore[arg-type]
}
FUZZ = PROFILES["long" if os.environ.get("HYPOTHESIS_PROFILE") == "long" else "short"]
"""Use as a decorator: ``@FUZZ``."""
