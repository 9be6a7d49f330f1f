"""Bring the checkout to the tip of its branch before an apply (GitPython).

actions/checkout checks out the commit of the event, depth 1. When pushes come in quick
succession, the run for push N starts after the run for N-1 has applied and pushed its
lockfile: N's checkout has the lockfile of before N-1's apply, and planning with it would
create again what N-1 created. So an apply first fetches the branch and fast-forwards to its
tip (files and lockfile together), or stops if the checkout has commits the branch does not
have. A shallow clone is deepened step by step until the checkout's commit is found in the
branch's history (one step is enough for a queued run), unshallowed as a last resort.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import git

from hcsync.diagnostics import HcsyncError, UsageError
from hcsync.github.gitauth import auth_env, clean, remote_url, token_secrets

DEEPEN = (10, 100, 1000)
"""Commits to deepen a shallow clone by, in turn, before fetching the whole history."""


class SyncError(HcsyncError):
    """The checkout could not be brought to the branch tip."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncResult:
    """What :func:`sync_branch` did."""

    branch: str
    before: str
    """The commit checked out before (the event's)."""
    after: str
    """The branch tip, now checked out."""

    def summary(self) -> str:
        if self.before == self.after:
            return f"The checkout is the tip of {self.branch} ({self.after[:7]})."
        return (
            f"Fast-forwarded the checkout from {self.before[:7]} to the tip of {self.branch} "
            f"({self.after[:7]}): applying the branch as it is now, with its lockfile."
        )


def sync_branch(
    start: Path,
    *,
    branch: str,
    remote: str = "origin",
    token: str | None = None,
) -> SyncResult:
    """Fetch ``branch`` from ``remote`` and fast-forward the checkout holding ``start`` to it."""
    try:
        repo = git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UsageError(f"{start} is not in a git repository") from None
    secrets = token_secrets(token)
    with repo, repo.git.custom_environment(**auth_env(remote_url(repo, remote), token)):
        if repo.is_dirty(untracked_files=False):
            raise SyncError(
                "the checkout has uncommitted changes to tracked files: refusing to move it to "
                f"the tip of {branch}"
            )
        before = repo.head.commit.hexsha
        tracking = f"refs/remotes/{remote}/{branch}"
        shallow = _is_shallow(repo)
        _fetch(repo, remote, branch, tracking, secrets, ["--depth=1"] if shallow else [])
        tip = repo.git.rev_parse(f"{tracking}^{{commit}}")
        if tip != before:
            _find(repo, remote, branch, tracking, before, tip, secrets)
            try:
                repo.git.merge("--ff-only", "--no-edit", tip)
            except git.GitCommandError as exc:
                raise SyncError(
                    f"could not fast-forward to the tip of {branch}: {clean(exc, *secrets)}"
                ) from None
        return SyncResult(branch=branch, before=before, after=tip)


def _is_shallow(repo: git.Repo) -> bool:
    return str(repo.git.rev_parse("--is-shallow-repository")).strip() == "true"


def _fetch(
    repo: git.Repo,
    remote: str,
    branch: str,
    tracking: str,
    secrets: tuple[str, ...],
    extra: list[str],
) -> None:
    try:
        repo.git.fetch("--no-tags", *extra, remote, f"+refs/heads/{branch}:{tracking}")
    except git.GitCommandError as exc:
        raise SyncError(f"could not fetch {branch} from {remote}: {clean(exc, *secrets)}") from None


def _find(
    repo: git.Repo,
    remote: str,
    branch: str,
    tracking: str,
    before: str,
    tip: str,
    secrets: tuple[str, ...],
) -> None:
    """Return when ``before`` is in the history of ``tip``; deepen a shallow clone to see."""
    steps = [f"--deepen={n}" for n in DEEPEN] + ["--unshallow"]
    while not _is_ancestor(repo, before, tip):
        if not steps or not _is_shallow(repo):
            raise SyncError(
                f"the checkout ({before[:7]}) has diverged from {remote}/{branch} "
                f"({tip[:7]}): it has commits the branch does not have, so it is not applied; "
                f"check out the branch itself (actions/checkout `ref: ${{{{ github.ref_name }}}}`)"
            )
        _fetch(repo, remote, branch, tracking, secrets, [steps.pop(0)])


def _is_ancestor(repo: git.Repo, older: str, newer: str) -> bool:
    try:
        repo.git.merge_base("--is-ancestor", older, newer)
    except git.GitCommandError as exc:
        if exc.status == 1:
            return False
        raise SyncError(f"could not compare {older[:7]} with {newer[:7]}: {clean(exc)}") from None
    return True
