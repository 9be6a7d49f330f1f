"""The apply result on the pull request a push merged (as Atlantis and tfcmt post it).

The pull requests of the pushed commit come from ``GET /repos/{o}/{r}/commits/{sha}/pulls``
(the merged ones only). Each gets one comment, found by its own hidden marker (not the plan's)
and updated in place by the next apply of the same commit: done, failed or skipped (drift) per
action, links to the live articles the lockfile knows, and on failure the error lines.

Titles, paths and messages come from the repository's files: they are made inert here
(:func:`_inert`: no HTML, no mentions or issue references, no links, no emphasis) before they
reach the comment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from hcsync import lockfile as lockmod
from hcsync.apply.report import Outcome, OutcomeStatus, Report
from hcsync.diagnostics import HcsyncError
from hcsync.github.api import Comment, GitHubApi, GitHubError
from hcsync.github.summary import read_result
from hcsync.views.markdown import text

MAX_COMMENT = 65_536
"""GitHub refuses a longer body."""
MAX_ROWS = 150
"""Rows of the result table at most (failures and skips first); the job summary has all."""
MAX_ERROR_LINES = 40
_MAX_CELL = 200

_STATUS = {
    OutcomeStatus.DONE: "✅ done",
    OutcomeStatus.FAILED: "❌ failed",
    OutcomeStatus.SKIPPED: "⏭️ skipped",
}
_ORDER = {OutcomeStatus.FAILED: 0, OutcomeStatus.SKIPPED: 1, OutcomeStatus.DONE: 2}


def marker(key: str = "") -> str:
    """The first line of a result comment (``key`` keeps several projects apart)."""
    return f"<!-- hcsync-apply-result key={key} -->" if key else "<!-- hcsync-apply-result -->"


def _link(url: str | None) -> str | None:
    """``url`` fit for a Markdown link target, when it is an http(s) URL."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=":/?#@!$&*+,;=%~-._")


def read_report(path: Path | None) -> Report | None:
    """The apply report at ``path``; None when the apply left none (it stopped before)."""
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return None
    result = read_result(path)
    return result if isinstance(result, Report) else None


def live_urls(lock_path: Path) -> dict[str, str]:
    """File path → public URL of its article, from the lockfile the apply wrote."""
    try:
        lock = lockmod.load(lock_path)
    except (HcsyncError, OSError):
        return {}
    return {path: entry.url for path, entry in lock.entries.items() if entry.url}


@dataclass(frozen=True, slots=True, kw_only=True)
class ResultContext:
    """What the comment says about where the result comes from."""

    sha: str | None = None
    run_url: str | None = None
    version: str = ""


def _heading(report: Report | None) -> str:
    if report is None:
        return "❌ hcsync apply failed"
    if report.failed:
        return "❌ hcsync apply finished with failures"
    if report.interrupted:
        return "⚠️ hcsync apply was interrupted"
    if any(o.status is OutcomeStatus.SKIPPED for o in report.outcomes):
        return "⏭️ hcsync apply done, with skips"
    return "✅ hcsync apply done"


def _row(outcome: Outcome, urls: Mapping[str, str]) -> str:
    title = text(outcome.action.title or outcome.action.path, _MAX_CELL)
    url = _link(urls.get(outcome.action.path))
    article = f"[{title}]({url})" if url else title
    kind = outcome.action.kind.value.replace("_", " ")
    note = text(outcome.message or "") if outcome.status is OutcomeStatus.SKIPPED else ""
    return (
        f"| {_STATUS[outcome.status]} | {kind} | {article} | {text(outcome.action.path)} | {note} |"
    )


def _table(report: Report, urls: Mapping[str, str]) -> list[str]:
    outcomes = sorted(report.outcomes, key=lambda o: _ORDER[o.status])
    lines = ["| result | action | article | file | note |", "|---|---|---|---|---|"]
    lines += [_row(o, urls) for o in outcomes[:MAX_ROWS]]
    if len(outcomes) > MAX_ROWS:
        lines += ["", f"… and {len(outcomes) - MAX_ROWS} more rows: the job summary has them all."]
    return lines


def _fence(lines: Sequence[str]) -> list[str]:
    """``lines`` in a code block whose fence no line can close (mentions and HTML are inert
    inside one)."""
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", *lines, fence]


def result_markdown(
    report: Report | None,
    *,
    urls: Mapping[str, str],
    log_lines: Sequence[str] = (),
    context: ResultContext = ResultContext(),
    key: str = "",
) -> str:
    """The comment body: heading, counts, the table, the error lines, a footer."""
    lines = [marker(key), f"### {_heading(report)}", ""]
    if report is not None:
        lines += [f"**{report.summary()}**", ""]
        if report.interrupted:
            lines += ["> Interrupted: run the workflow again to resume where it stopped.", ""]
        if report.outcomes:
            lines += [*_table(report, urls), ""]
    errors = [o.message or "" for o in report.failed] if report is not None else []
    if report is None or report.failed:
        errors += list(log_lines)
    if errors:
        kept = [" ".join(e.split()) for e in errors if e.strip()][:MAX_ERROR_LINES]
        lines += ["**Errors**", "", *_fence(kept), ""]
    footer = [f"hcsync {context.version}".strip()]
    if context.sha:
        footer.append(f"commit {context.sha[:7]}")
    if context.run_url and _link(context.run_url):
        footer.append(f"[workflow run]({_link(context.run_url)})")
    lines.append("<sub>" + " · ".join(footer) + "</sub>")
    body = "\n".join(lines) + "\n"
    if len(body) > MAX_COMMENT:
        cut = body.rfind("\n", 0, MAX_COMMENT - 200)
        body = body[:cut] + "\n\n> Cut to fit a comment: the job summary has the whole result.\n"
    return body


class ResultApi(GitHubApi):
    """:class:`GitHubApi` plus the one call the result needs."""

    def merged_pull_requests(self, sha: str) -> list[int]:
        """Numbers of the merged pull requests commit ``sha`` belongs to."""
        path = f"/repos/{self._repo}/commits/{sha}/pulls"
        response = self._request("GET", path, params={"per_page": 100})
        data = response.json()
        if not isinstance(data, list):
            raise GitHubError("not a list of pull requests", method="GET", path=path, status=200)
        return [
            int(item["number"])
            for item in data
            if isinstance(item, dict)
            and isinstance(item.get("number"), int)
            and isinstance(item.get("merged_at"), str)
        ]


@dataclass(frozen=True, slots=True, kw_only=True)
class Posted:
    """What :func:`post_result` did on each pull request."""

    created: tuple[int, ...] = ()
    updated: tuple[int, ...] = ()

    def summary(self) -> str:
        if not self.created and not self.updated:
            return "No merged pull request for this commit: no result comment."
        parts = [f"created on #{n}" for n in self.created]
        parts += [f"updated on #{n}" for n in self.updated]
        return "Apply result comment " + ", ".join(parts) + "."


def post_result(api: ResultApi, sha: str, body: str, *, key: str = "") -> Posted:
    """Post ``body`` on every merged pull request of ``sha``, or update the result comment
    an earlier run left there."""
    created: list[int] = []
    updated: list[int] = []
    first = marker(key)
    for number in api.merged_pull_requests(sha):
        mine: Comment | None = next(
            (c for c in api.list_comments(number) if c.body.split("\n", 1)[0] == first), None
        )
        if mine is None:
            api.create_comment(number, body)
            created.append(number)
        else:
            api.update_comment(mine.id, body)
            updated.append(number)
    return Posted(created=tuple(created), updated=tuple(updated))
