"""hcsync: keep a hosted help center equal to a folder of Markdown files in git."""

__version__ = "0.1.0"

__all__ = ["__version__"]
