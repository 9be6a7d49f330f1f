"""The pull-request plan comment: one comment, found by its hidden marker, updated in place.

A plan longer than GitHub's limit (65,536 characters per comment) is split into numbered
comments at line boundaries; a code fence, a ``<details>`` block or a table cut by the split is
closed and reopened, so every part renders. Above ``MAX_PARTS`` parts the rest is cut with a
note (Atlantis does the same, runatlantis/atlantis PR #4586). Parts left over from a longer
earlier plan are deleted, and so are duplicates two concurrent runs may have made.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from hcsync.github.api import Comment, GitHubApi, GitHubError
from hcsync.redact import inert, redact
from hcsync.views.markdown import MARKER

__all__ = ["build_bodies", "failure_markdown", "post_plan_comment", "redact", "split_markdown"]

MAX_COMMENT = 65_536
"""GitHub refuses a longer body: "body is too long (maximum is 65536 characters)"."""
MAX_PARTS = 10
"""Comments per plan at most; beyond that the plan is truncated with a note."""
_RESERVE = 1_000
"""Room kept in every part for its header, its closing lines and the truncation note."""

_PART = re.compile(r"^<!-- hcsync-part (\d+) of (\d+)(?: key=(\S+))? -->$", re.M)
_FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$")
_TABLE_RULE = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")


@dataclass(frozen=True, slots=True)
class _Open:
    """What is open at a line: a fence (its opening line), details, a table header."""

    fence: str | None = None
    fence_line: str | None = None
    details: bool = False
    table: tuple[str, str] | None = None


def _scan(line: str, state: _Open, previous: str | None) -> _Open:
    """The state after ``line``."""
    if state.fence is not None:
        stripped = line.strip()
        if stripped.startswith(state.fence) and set(stripped) == {state.fence[0]}:
            return _Open(details=state.details)
        return state
    match = _FENCE.match(line)
    if match:
        return _Open(fence=match.group(1), fence_line=line, details=state.details)
    details = state.details
    if line.startswith("<details"):
        details = True
    elif line.startswith("</details>"):
        details = False
    table = state.table
    if not line.startswith("|"):
        table = None
    elif _TABLE_RULE.match(line) and previous is not None and previous.startswith("|"):
        table = (previous, line)
    return _Open(details=details, table=table)


def _closing(state: _Open) -> list[str]:
    lines = []
    if state.fence is not None:
        lines.append(state.fence)
    if state.details:
        lines.append("</details>")
    return lines


def _reopening(state: _Open, next_line: str) -> list[str]:
    lines = []
    if state.details:
        lines += ["<details><summary>Details (continued)</summary>", ""]
    if state.fence_line is not None:
        lines.append(state.fence_line)
    elif state.table is not None and next_line.startswith("|"):
        lines += list(state.table)
    return lines


def split_markdown(
    text: str, *, limit: int = MAX_COMMENT, max_parts: int = MAX_PARTS
) -> tuple[list[str], int]:
    """Cut ``text`` into chunks that fit ``limit`` once a part header is added.

    Returns the chunks and how many characters were left out (0 unless more than
    ``max_parts`` chunks were needed).
    """
    budget = limit - _RESERVE
    if len(text) <= budget:
        return [text], 0
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    state = _Open()
    previous: str | None = None
    lines = text.split("\n")
    consumed = 0
    for index, raw in enumerate(lines):
        pieces = [raw[i : i + budget // 2] for i in range(0, len(raw), budget // 2)] or [""]
        for line in pieces:
            closing = sum(len(c) + 1 for c in _closing(state))
            if current and size + len(line) + 1 + closing > budget:
                chunks.append("\n".join(current + _closing(state)))
                if len(chunks) == max_parts:
                    return chunks, len(text) - consumed
                current = _reopening(state, line)
                size = sum(len(c) + 1 for c in current)
            current.append(line)
            size += len(line) + 1
            state = _scan(line, state, previous)
            previous = line
        consumed += len(raw) + (1 if index < len(lines) - 1 else 0)
    if current:
        chunks.append("\n".join(current))
    return chunks, 0


def _tag(index: int, total: int, key: str) -> str:
    suffix = f" key={key}" if key else ""
    return f"<!-- hcsync-part {index} of {total}{suffix} -->"


def build_bodies(
    markdown: str,
    *,
    key: str = "",
    footer: str = "",
    limit: int = MAX_COMMENT,
    max_parts: int = MAX_PARTS,
    title: str = "hcsync plan",
) -> list[str]:
    """The comment bodies for ``markdown`` (which starts with the marker), each within
    ``limit``: part 1 is the text's head, later parts say which part they are."""
    text = markdown[len(MARKER) :].lstrip("\n") if markdown.startswith(MARKER) else markdown
    text = text.rstrip("\n")
    chunks, left_out = split_markdown(text, limit=limit, max_parts=max_parts)
    total = len(chunks)
    bodies: list[str] = []
    for i, chunk in enumerate(chunks, start=1):
        head = [MARKER, _tag(i, total, key)]
        if i > 1:
            head.append(f"### {title} (part {i} of {total})\n")
        tail: list[str] = []
        if i < total:
            tail.append(f"\n_Continued in part {i + 1} of {total}._")
        elif left_out:
            tail.append(
                f"\n> **Truncated**: {left_out:,} more characters of this plan are not shown "
                f"(GitHub comments hold {limit - 1:,} characters; hcsync posts at most "
                f"{max_parts} parts). The whole plan is in the job summary and the plan-json "
                "output of the run."
            )
        if footer and i == total:
            tail.append(f"\n{footer}")
        body = "\n".join(head + [chunk] + tail) + "\n"
        bodies.append(body[: limit - 1])
    return bodies


def _part_of(comment: Comment, key: str) -> int | None:
    """The part number of an hcsync comment for ``key``; None for any other comment."""
    if not comment.body.startswith(MARKER):
        return None
    match = _PART.search(comment.body)
    if match is None:
        return 1 if not key else None
    return int(match.group(1)) if (match.group(3) or "") == key else None


@dataclass(slots=True)
class CommentResult:
    """What an upsert did."""

    created: list[Comment] = field(default_factory=list)
    updated: list[Comment] = field(default_factory=list)
    unchanged: list[Comment] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)

    @property
    def first_url(self) -> str | None:
        for c in (*self.updated, *self.unchanged, *self.created):
            if c.url:
                return c.url
        return None

    def summary(self) -> str:
        parts = []
        for label, items in (
            ("created", self.created),
            ("updated", self.updated),
            ("unchanged", self.unchanged),
            ("deleted", self.deleted),
        ):
            if items:
                parts.append(f"{len(items)} {label}")
        return (
            "Plan comment: " + ", ".join(parts) + (f" ({self.first_url})" if self.first_url else "")
        )


def upsert_comments(
    api: GitHubApi, number: int, bodies: Sequence[str], *, key: str = ""
) -> CommentResult:
    """Make the hcsync comments of pull request ``number`` equal ``bodies``.

    Existing parts are updated in place (left alone when equal), missing ones created in order,
    extra ones (a shorter plan, or duplicates from concurrent runs) deleted.
    """
    result = CommentResult()
    existing: dict[int, Comment] = {}
    extra: list[Comment] = []
    for comment in api.list_comments(number):
        part = _part_of(comment, key)
        if part is None:
            continue
        if part in existing or part > len(bodies):
            extra.append(comment)
        else:
            existing[part] = comment
    for index, body in enumerate(bodies, start=1):
        old = existing.get(index)
        if old is None:
            result.created.append(api.create_comment(number, body))
        elif old.body == body:
            result.unchanged.append(old)
        else:
            result.updated.append(api.update_comment(old.id, body))
    for comment in extra:
        api.delete_comment(comment.id)
        result.deleted.append(comment.id)
    return result


def post_plan_comment(
    api: GitHubApi,
    number: int,
    markdown: str,
    *,
    key: str = "",
    footer: str = "",
    max_parts: int = MAX_PARTS,
) -> CommentResult:
    """Post or update the plan comment. If GitHub still refuses a part as too long (a limit
    lower than documented), fall back to one truncated comment rather than fail."""
    bodies = build_bodies(markdown, key=key, footer=footer, max_parts=max_parts)
    try:
        return upsert_comments(api, number, bodies, key=key)
    except GitHubError as exc:
        if exc.status != 422 or len(bodies) == 0:
            raise
        smaller = build_bodies(
            markdown, key=key, footer=footer, limit=MAX_COMMENT // 2, max_parts=1
        )
        return upsert_comments(api, number, smaller, key=key)


def failure_markdown(
    log: str, *, secrets: Iterable[str] = (), title: str = "hcsync plan", limit: int = 60_000
) -> str:
    """The comment for a plan that failed: the error lines in a code block, ``secrets``
    redacted first (a secret across the cut would no longer be found whole), then cut to
    ``limit`` characters, control characters and escape sequences removed."""
    text = inert(redact(log, secrets), limit=len(log) + 1, one_line=False)
    text = text.strip("\n") or "(no output)"
    if len(text) > limit:
        text = text[:limit] + "\n… (cut)"
    fence = "`" * max(3, _longest_run(text, "`") + 1)
    return (
        "\n".join(
            [
                MARKER,
                f"### {title} failed",
                "",
                "**The plan could not be made:**",
                "",
                fence,
                text,
                fence,
            ]
        )
        + "\n"
    )


def _longest_run(text: str, char: str) -> int:
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == char else 0
        longest = max(longest, run)
    return longest
