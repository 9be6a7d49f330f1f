"""Commit the lockfile an apply changed and push it to the branch (GitPython).

The lockfile is how the next run knows which file is which article: an apply in CI whose
lockfile is not committed back would create everything again next time. The push is retried
once after a rebase when the branch moved meanwhile (someone merged again); a rebase that
conflicts on the lockfile means another apply changed it, and that is an error to look at,
never something to resolve blindly.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import git

from hcsync.diagnostics import HcsyncError, UsageError

COMMIT_MESSAGE = "hcsync: update lockfile [skip ci]"
BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"

_CREDENTIALS = re.compile(r"(://)[^/@\s]+@")


class PushError(HcsyncError):
    """The lockfile commit could not be pushed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PushResult:
    """What :func:`commit_lockfile` did."""

    committed: bool
    """False when the lockfile had no change to commit."""
    sha: str | None = None
    branch: str | None = None
    rebased: bool = False
    """The branch had moved: the commit was rebased onto it before the second push."""

    def summary(self) -> str:
        if not self.committed:
            return "Lockfile unchanged: nothing to commit."
        how = " after a rebase (the branch had moved)" if self.rebased else ""
        short = (self.sha or "")[:7]
        return f"Committed the lockfile as {short} and pushed it to {self.branch}{how}."


def _clean(exc: git.GitCommandError) -> str:
    """git's own words, without the command line and without credentials in URLs."""
    stderr = exc.stderr if isinstance(exc.stderr, str) else str(exc.stderr or "")
    text = stderr.strip().removeprefix("stderr:").strip().strip("'").strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return _CREDENTIALS.sub(r"\1***@", "; ".join(lines[-3:]) or f"git exited {exc.status}")


def commit_lockfile(
    lockfile: Path,
    *,
    branch: str | None = None,
    remote: str = "origin",
    message: str = COMMIT_MESSAGE,
    env: Mapping[str, str] = os.environ,
    push: bool = True,
) -> PushResult:
    """Commit ``lockfile`` alone (nothing else staged goes in) and push it to ``branch``."""
    try:
        repo = git.Repo(lockfile.parent, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UsageError(f"{lockfile.parent} is not in a git repository") from None
    with repo:
        root = Path(repo.working_tree_dir or ".").resolve()
        rel = lockfile.resolve().relative_to(root).as_posix()
        if not lockfile.exists() or not repo.git.status("--porcelain", "--", rel).strip():
            return PushResult(committed=False)
        if branch is None:
            if repo.head.is_detached:
                raise UsageError(
                    "HEAD is detached: pass the branch to push to (GITHUB_REF_NAME in a workflow)"
                )
            branch = repo.active_branch.name
        identity = {
            "GIT_AUTHOR_NAME": env.get("GIT_AUTHOR_NAME") or BOT_NAME,
            "GIT_AUTHOR_EMAIL": env.get("GIT_AUTHOR_EMAIL") or BOT_EMAIL,
            "GIT_COMMITTER_NAME": env.get("GIT_COMMITTER_NAME") or BOT_NAME,
            "GIT_COMMITTER_EMAIL": env.get("GIT_COMMITTER_EMAIL") or BOT_EMAIL,
        }
        try:
            repo.git.add("--", rel)
            with repo.git.custom_environment(**identity):
                repo.git.commit("--no-verify", "-m", message, "--", rel)
        except git.GitCommandError as exc:
            raise PushError(f"could not commit {rel}: {_clean(exc)}") from None
        if not push:
            return PushResult(committed=True, sha=repo.head.commit.hexsha, branch=branch)
        rebased = False
        try:
            repo.git.push(remote, f"HEAD:refs/heads/{branch}")
        except git.GitCommandError as first:
            rebased = True
            _rebase(repo, remote, branch, rel, first, identity)
            try:
                repo.git.push(remote, f"HEAD:refs/heads/{branch}")
            except git.GitCommandError as exc:
                raise PushError(
                    f"could not push the lockfile to {branch} after a rebase: {_clean(exc)}"
                ) from None
        return PushResult(
            committed=True, sha=repo.head.commit.hexsha, branch=branch, rebased=rebased
        )


def _rebase(
    repo: git.Repo,
    remote: str,
    branch: str,
    rel: str,
    first: git.GitCommandError,
    identity: Mapping[str, str],
) -> None:
    try:
        repo.git.fetch(remote, branch)
    except git.GitCommandError as exc:
        raise PushError(
            f"could not push the lockfile to {branch} ({_clean(first)}), nor fetch it: "
            f"{_clean(exc)}"
        ) from None
    try:
        with repo.git.custom_environment(**identity):
            repo.git.rebase("FETCH_HEAD")
    except git.GitCommandError:
        try:
            repo.git.rebase("--abort")
        except git.GitCommandError:
            pass
        raise PushError(
            f"{branch} moved and its {rel} changed too (another apply ran meanwhile?); the "
            f"lockfile of this run was not pushed. Serialise applies with the workflow's "
            f"`concurrency:` group, then run the workflow again"
        ) from None
