"""Problems and failures as GitHub workflow commands (``::error file=…,line=…::message``).

GitHub turns these lines in a job log into annotations on the files of the commit or pull
request. Paths must be relative to the repository root, hence ``prefix``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

from hcsync.apply.report import OutcomeStatus, Report
from hcsync.diagnostics import Diagnostic, Severity
from hcsync.plan.model import ActionKind
from hcsync.redact import inert

TITLE = "hcsync"
MAX_MESSAGE = 500
"""Longest annotation message (GitHub shows a few lines of it anyway)."""

_FILE_KINDS = {
    kind
    for kind in ActionKind
    if kind.writes_document or kind in (ActionKind.UPLOAD_IMAGE, ActionKind.DRIFT)
}
"""Kinds whose ``path`` is a file in the checkout (categories are folders, orphans are gone)."""


def escape_data(text: str) -> str:
    """Escape a workflow command's message (GitHub's ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (GitHub's ``escapeProperty``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: str,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    title: str | None = TITLE,
) -> str:
    """One ``::level file=…,line=…,title=…::message`` line (``level``: error, warning, notice).

    The message may hold a server's words: escape sequences and control characters are
    removed and it is cut to :data:`MAX_MESSAGE` characters; its line breaks are escaped, so
    nothing in it can start a workflow command of its own."""
    message = inert(message, MAX_MESSAGE, one_line=False)
    props: list[str] = []
    if file:
        props.append(f"file={escape_property(inert(file, MAX_MESSAGE))}")
        if line:
            props.append(f"line={line}")
    if title:
        props.append(f"title={escape_property(title)}")
    head = f"::{level} {','.join(props)}" if props else f"::{level}"
    return f"{head}::{escape_data(message)}"


def _join(prefix: str, path: str) -> str:
    if not prefix or prefix == "." or PurePosixPath(path).is_absolute():
        return path
    return (PurePosixPath(prefix) / path).as_posix()


def render_diagnostics(diagnostics: Iterable[Diagnostic], *, prefix: str = "") -> str:
    """One annotation per diagnostic: errors as ``::error``, warnings as ``::warning``."""
    lines: list[str] = []
    for diag in diagnostics:
        level = "error" if diag.severity is Severity.ERROR else "warning"
        message = diag.message + (f"\nhint: {diag.hint}" if diag.hint else "")
        lines.append(
            annotation(level, message, file=_join(prefix, diag.path), line=diag.line or None)
        )
    return "".join(line + "\n" for line in lines)


def render_report(report: Report, *, prefix: str = "") -> str:
    """One ``::error`` per failed action, on its file (line 1: the failure is the whole file)."""
    lines: list[str] = []
    for outcome in report.outcomes:
        if outcome.status is not OutcomeStatus.FAILED:
            continue
        action = outcome.action
        message = outcome.message or f"{action.kind.value} failed"
        if action.kind in _FILE_KINDS:
            lines.append(annotation("error", message, file=_join(prefix, action.path), line=1))
        else:
            lines.append(annotation("error", f"{action.path}: {message}"))
    return "".join(line + "\n" for line in lines)
