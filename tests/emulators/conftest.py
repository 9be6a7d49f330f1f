"""What both emulators' tests share: a fake clock and the store on it."""

from __future__ import annotations

import pytest

T0 = 1_767_225_600.0
"""2026-01-01T00:00:00 GMT: where the fake clock starts."""


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: float = T0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
