"""A fresh center of each backend's emulator, and FILES applied to it (the e2e fixtures)."""

from tests.e2e.conftest import center
from tests.e2e.test_both_backends import docs

__all__ = ["center", "docs"]
