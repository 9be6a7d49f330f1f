"""Problems as data, and the one exception tree hcsync raises.

Input problems are :class:`Diagnostic` values, gathered over the whole tree and raised once as
:class:`ContentError`. ``cli.py`` alone prints them. Every exception knows its exit code.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class Severity(enum.Enum):
    """How bad a problem is. Warnings become errors under ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    """One problem in the input, located at ``path:line``."""

    path: str
    """Path relative to the directory the user ran in (or the content root)."""
    line: int | None
    """1-based line of the offending key, link or image; None when the whole file is at fault."""
    severity: Severity
    message: str
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line or 0, self.message)

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def format(self) -> str:
        """``path:line: message`` then, if any, ``  hint: ...`` on the next line."""
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        text = f"{self.location()}: {prefix}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sort by path, then line, then message; drop exact duplicates."""
    return sorted(set(diags), key=Diagnostic.sort_key)


def errors_in(diags: Sequence[Diagnostic], *, strict: bool = False) -> list[Diagnostic]:
    """The diagnostics that stop the run: errors, and warnings too when ``strict``."""
    return [d for d in diags if strict or d.severity is Severity.ERROR]


class HcsyncError(Exception):
    """Base of every error hcsync raises on purpose. Printed as one line, no traceback."""

    exit_code = 1

    def format(self) -> str:
        return str(self)


class UsageError(HcsyncError):
    """The command line or the configuration asked for something impossible."""

    exit_code = 2


class ContentError(HcsyncError):
    """The content tree or the config has problems; carries all of them at once."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = sort_diagnostics(diagnostics)
        n = len(self.diagnostics)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} found")

    def format(self) -> str:
        lines = [d.format() for d in self.diagnostics]
        lines.append(str(self))
        return "\n".join(lines)


class LocalChangeError(HcsyncError):
    """A file apply needs is not what the plan saw (changed, gone, unreadable): the local
    side's problem, not the help center's. Nothing was sent for it."""


class BackendError(HcsyncError):
    """The help center refused or failed a request.

    Keeps the method, the path, the status and the platform's error code and message; never
    headers or credentials.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.code = code

    def format(self) -> str:
        tail = []
        if self.status is not None:
            tail.append(str(self.status))
        if self.code:
            tail.append(self.code)
        return f"{self.message} ({' '.join(tail)})" if tail else self.message


def did_you_mean(word: str, candidates: Iterable[str], *, cutoff: float = 0.75) -> str | None:
    """The candidate closest to ``word`` (difflib), if any is close enough; for hints."""
    import difflib

    lowered = {c.lower(): c for c in candidates}
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[match[0]] if match else None
