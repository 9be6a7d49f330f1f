"""Where a run is: repository, pull request, commit and API, from the variables a runner sets."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hcsync.diagnostics import UsageError

DEFAULT_API_URL = "https://api.github.com"


@dataclass(frozen=True, slots=True, kw_only=True)
class GitHubContext:
    """The parts of a GitHub Actions run that hcsync uses. Holds no token."""

    api_url: str
    """``GITHUB_API_URL`` (GitHub Enterprise Server has its own)."""
    repository: str | None
    """``owner/name`` of the repository the workflow runs in (the base repo of a fork PR)."""
    pull_request: int | None
    """The pull request (or issue) number, when the event has one."""
    head_sha: str | None = None
    """The commit the plan is for: the PR head, else ``GITHUB_SHA``."""
    run_url: str | None = None
    """Link to the workflow run, for the comment's footer."""
    event_name: str | None = None
    fork: bool | None = None
    """True for a pull request from another repository (no secrets there), False for one
    from this repository, None when the event is no pull request."""


def _event(env: Mapping[str, str]) -> dict[str, Any]:
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"GITHUB_EVENT_PATH: cannot read the event payload ({exc})") from None
    return data if isinstance(data, dict) else {}


def _number(event: Mapping[str, Any]) -> int | None:
    for key in ("pull_request", "issue"):
        item = event.get(key)
        if isinstance(item, dict) and isinstance(item.get("number"), int):
            return int(item["number"])
    number = event.get("number")
    return number if isinstance(number, int) else None


def _fork(pr: Any) -> bool | None:
    """``pull_request.head.repo.fork``; also True when the head repository is another one
    (or gone: a deleted fork)."""
    if not isinstance(pr, dict):
        return None
    head = pr.get("head", {}).get("repo") if isinstance(pr.get("head"), dict) else None
    if not isinstance(head, dict):
        return True
    base = pr.get("base", {}).get("repo") if isinstance(pr.get("base"), dict) else None
    names = (head.get("full_name"), base.get("full_name") if isinstance(base, dict) else None)
    other = all(isinstance(n, str) for n in names) and names[0] != names[1]
    return head.get("fork") is True or other


def pushed_branch(env: Mapping[str, str] = os.environ) -> str | None:
    """The branch a run is for: ``GITHUB_REF`` when it is ``refs/heads/…`` (push, dispatch)."""
    ref = env.get("GITHUB_REF", "")
    return ref.removeprefix("refs/heads/") or None if ref.startswith("refs/heads/") else None


def context_from_env(
    env: Mapping[str, str] = os.environ,
    *,
    repository: str | None = None,
    pull_request: int | None = None,
) -> GitHubContext:
    """Read the run's context; ``repository`` and ``pull_request`` (flags) win over the event."""
    event = _event(env)
    repo = repository or env.get("GITHUB_REPOSITORY") or None
    if repo is None:
        full = event.get("repository", {})
        if isinstance(full, dict) and isinstance(full.get("full_name"), str):
            repo = full["full_name"]
    if repo is not None and (repo.count("/") != 1 or not all(repo.split("/"))):
        raise UsageError(f"repository {repo!r} is not owner/name")
    pr = event.get("pull_request")
    head = pr.get("head", {}).get("sha") if isinstance(pr, dict) else None
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    run_id = env.get("GITHUB_RUN_ID")
    return GitHubContext(
        api_url=(env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/"),
        repository=repo,
        pull_request=pull_request if pull_request is not None else _number(event),
        head_sha=head if isinstance(head, str) else env.get("GITHUB_SHA") or None,
        run_url=f"{server}/{repo}/actions/runs/{run_id}" if repo and run_id else None,
        event_name=env.get("GITHUB_EVENT_NAME") or None,
        fork=_fork(pr),
    )
