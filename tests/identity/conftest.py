"""The example content applied to each backend's emulator (the importer tests' fixtures)."""

from tests.importer.test_both_backends import applied, center

__all__ = ["applied", "center"]
