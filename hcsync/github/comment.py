"""The pull-request plan comment: one comment, found by its hidden marker, updated in place.

A plan is posted in at most ``max_parts`` comments (1 unless ``--max-parts``) of under 65,536
characters (:func:`plan_bodies`): what is deleted, unpublished, drifted or orphaned first, then
updates with their diffs, then one row per new article, then the rest. Blocks are kept whole and
in that order; the first that fits nowhere stops the packing, and what was left out is counted
with a pointer to the job summary, which holds the whole plan. Other Markdown (a failed plan's
log) is split at line boundaries (:func:`split_markdown`); a code fence, a ``<details>`` block
or a table cut by the split is closed and reopened, so every part renders. Parts left over from
a longer earlier plan are deleted, and so are duplicates two concurrent runs may have made.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from hcsync.diagnostics import HcsyncError
from hcsync.github.api import Comment, GitHubApi, GitHubError
from hcsync.plan.model import Plan
from hcsync.redact import inert, redact
from hcsync.views.markdown import MARKER, Links, comment_intro, comment_sections

__all__ = [
    "build_bodies",
    "failure_markdown",
    "plan_bodies",
    "post_bodies",
    "post_plan_comment",
    "redact",
    "split_markdown",
]

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


def post_bodies(
    api: GitHubApi,
    number: int,
    make: Callable[[int, int], list[str]],
    *,
    key: str = "",
    max_parts: int = MAX_PARTS,
) -> CommentResult:
    """Post or update the comments ``make(limit, max_parts)`` builds. If GitHub still refuses
    a part as too long (a limit lower than documented), fall back to one comment of half the
    size rather than fail."""
    bodies = make(MAX_COMMENT, max_parts)
    try:
        return upsert_comments(api, number, bodies, key=key)
    except GitHubError as exc:
        if exc.status != 422 or len(bodies) == 0:
            raise
        return upsert_comments(api, number, make(MAX_COMMENT // 2, 1), key=key)


def post_plan_comment(
    api: GitHubApi,
    number: int,
    markdown: str,
    *,
    key: str = "",
    footer: str = "",
    max_parts: int = MAX_PARTS,
) -> CommentResult:
    """Post or update a Markdown comment (a failed plan's log), split at line boundaries."""

    def make(limit: int, parts: int) -> list[str]:
        return build_bodies(markdown, key=key, footer=footer, limit=limit, max_parts=parts)

    return post_bodies(api, number, make, key=key, max_parts=max_parts)


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


# ---- the plan comment: sections packed into a budget of parts, by priority ---------------

_NOTE_ROOM = 600
"""Room kept in every part for the note that says what was not shown."""
_MIN_CUT = 2_000
"""A block is cut to fit only when at least this much room is left for it."""


@dataclass(slots=True)
class _Packer:
    """Fills parts of ``room`` characters with section heads and items, in order; the first
    item that fits nowhere stops it (what follows is less important, so it is left out too)."""

    room: int
    max_parts: int
    parts: list[list[str]] = field(default_factory=list)
    size: int = 0
    open_head: tuple[str, ...] | None = None
    stopped: bool = False

    def new_part(self) -> bool:
        if len(self.parts) >= self.max_parts:
            return False
        self.parts.append([])
        self.size = 0
        self.open_head = None
        return True

    def put(self, lines: Sequence[str]) -> None:
        self.parts[-1].extend(lines)
        self.size += sum(len(line) + 1 for line in lines)

    def add(self, head: tuple[str, ...], item: str, *, gap: bool = False) -> bool:
        """Put ``item`` (under ``head``, after a blank line when ``gap``) in the current part,
        else a new one, else cut it into what is left; False (and stop) when not shown whole."""
        if self.stopped:
            return False
        for fresh in (False, True):
            if fresh and not self.new_part():
                break
            lead = [""] if gap else []
            if self.open_head != head:
                lead = ["", *head] if self.parts[-1] else [*head]
            need = sum(len(line) + 1 for line in lead) + len(item) + 1
            if self.size + need <= self.room:
                self.put([*lead, item])
                self.open_head = head
                return True
        self.stopped = True
        lead = ([""] if gap else []) if self.open_head == head else ["", *head]
        left = self.room - self.size - sum(len(line) + 1 for line in lead)
        if left >= _MIN_CUT:
            self.put([*lead, _cut_block(item, left)])
        return False


def _cut_block(item: str, room: int) -> str:
    """The head of ``item`` within ``room``, its code fence closed, with a note."""
    note = "_(cut here: the rest is in the job summary)_"
    lines, size, fence = [], len(note) + 12, None
    for line in item.split("\n"):
        if size + len(line) + 1 + (len(fence) + 1 if fence else 0) > room:
            break
        lines.append(line)
        size += len(line) + 1
        match = _FENCE.match(line)
        if match and fence is None:
            fence = match.group(1)
        elif fence is not None and line.strip() == fence:
            fence = None
    return "\n".join([*lines, *([fence] if fence else []), "", note])


def _not_shown(counts: dict[str, tuple[int, int]], max_parts: int, run_url: str | None) -> str:
    where = f"the job summary of the [workflow run]({run_url})" if run_url else "the job summary"
    left = ", ".join(f"{n:,} of {total:,} {noun}" for noun, (n, total) in counts.items())
    parts = "1 comment" if max_parts == 1 else f"{max_parts} comments"
    return (
        f"> **Not shown here**: {left}. This plan is posted in at most {parts} of "
        f"{MAX_COMMENT - 1:,} characters; the full plan is in {where}."
    )


def plan_bodies(
    plan: Plan,
    *,
    links: Links,
    key: str = "",
    footer: str = "",
    run_url: str | None = None,
    limit: int = MAX_COMMENT,
    max_parts: int = 1,
    title: str = "hcsync plan",
) -> list[str]:
    """The comment bodies of ``plan``, each under ``limit``, at most ``max_parts``: what is
    risky first, then updates with their diffs, then new articles, then the rest; what does
    not fit is counted in a note that points to the job summary."""
    fixed = len(MARKER) + len(_tag(99, 99, key)) + len(title) + len(footer) + 100 + _NOTE_ROOM
    packer = _Packer(room=limit - 1 - fixed, max_parts=max_parts)
    packer.new_part()
    packer.put(comment_intro(plan))
    counts: dict[str, tuple[int, int]] = {}
    for section in comment_sections(plan, links):
        missing = sum(not packer.add(section.head, i, gap=section.gap) for i in section.items)
        if missing:
            counts[section.noun] = (missing, len(section.items))
    note = _not_shown(counts, max_parts, run_url) if counts else ""
    return _assemble(packer.parts, note, key=key, footer=footer, limit=limit, title=title)


def _assemble(
    parts: list[list[str]], note: str, *, key: str, footer: str, limit: int, title: str
) -> list[str]:
    """Each part with the marker, its tag and title; the note and the footer close the last."""
    total = len(parts)
    bodies = []
    for i, lines in enumerate(parts, start=1):
        heading = f"### {title}" if i == 1 else f"### {title} (part {i} of {total})"
        head = [MARKER, _tag(i, total, key), heading, ""]
        tail: list[str] = []
        if i < total:
            tail.append(f"\n_Continued in part {i + 1} of {total}._")
        else:
            tail += [f"\n{note}"] if note else []
            tail += [f"\n{footer}"] if footer else []
        body = "\n".join([*head, *lines, *tail]) + "\n"
        bodies.append(body[: limit - 1])
    return bodies


@dataclass(frozen=True, slots=True, kw_only=True)
class Post:
    """What to post: a plan, or (``plan`` None) the Markdown of a failure; and how."""

    plan: Plan | None
    markdown: str = ""
    links: Links
    key: str = ""
    footer: str = ""
    run_url: str | None = None
    max_parts: int = 1
    secrets: Sequence[str] = ()
    head_sha: str | None = None
    """Post only if the pull request is at this commit (a fork's plan from workflow_run)."""


def post(api: GitHubApi, number: int, what: Post) -> CommentResult:
    """Post ``what`` in at most ``what.max_parts`` comments on pull request ``number``,
    updating hcsync's earlier ones in place; every body redacted, then cut to the limit."""
    if what.head_sha and api.pull_head_sha(number) != what.head_sha:
        raise HcsyncError(
            f"pull request #{number} is not at commit {what.head_sha[:12]}, the one this plan "
            "was made for: not posted (a plan names its own pull request, so it is only "
            "posted where GitHub says it belongs)"
        )

    def make(limit: int, parts: int) -> list[str]:
        if what.plan is None:
            made = build_bodies(
                what.markdown, key=what.key, footer=what.footer, limit=limit, max_parts=parts
            )
        else:
            made = plan_bodies(
                what.plan,
                links=what.links,
                key=what.key,
                footer=what.footer,
                run_url=what.run_url,
                limit=limit,
                max_parts=parts,
            )
        return [redact(body, what.secrets)[: limit - 1] for body in made]

    return post_bodies(api, number, make, key=what.key, max_parts=what.max_parts)
