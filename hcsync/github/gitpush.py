"""Commit the lockfile an apply changed and push it to the branch (GitPython).

The lockfile is how the next run knows which file is which article: an apply in CI whose
lockfile is not committed back would create everything again next time. The push uses the
token it is given (:mod:`hcsync.github.gitauth`), not whatever actions/checkout saved. It is
retried once after a rebase when the branch moved meanwhile (someone merged again); a rebase
that conflicts on the lockfile means another apply changed it, and that is an error to look
at, never something to resolve blindly. A protected branch that refuses the push gets the
commit on a side branch instead, to merge through a pull request.

Every "not pushed" message says what happens next: a re-run syncs to the branch tip first
(``hcsync github sync-branch``), and its plan adopts what this run created (the plan matches
files without a lockfile entry to the help center's articles), so nothing is created twice.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import git

from hcsync.diagnostics import HcsyncError, UsageError
from hcsync.github.gitauth import (
    auth_env,
    clean,
    git_lines,
    redact,
    remote_url,
    token_secrets,
)

COMMIT_MESSAGE = "hcsync: update lockfile [skip ci]"
BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"

SIDE_BRANCH = "hcsync/lockfile-{sha}"
"""Where the lockfile commit goes when the branch is protected (to merge by pull request)."""

_PROTECTED = re.compile(r"GH006|GH013|protected branch|repository rule violations", re.I)
_MOVED = re.compile(r"\(fetch first\)|\(non-fast-forward\)|remote contains work", re.I)
LOST = (
    "this run's lockfile was not pushed. Nothing is created twice: the next apply reads the "
    "help center and adopts what this run created (or record it now with `hcsync import "
    "--adopt` on the branch tip)"
)


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


def commit_lockfile(
    lockfile: Path,
    *,
    branch: str | None = None,
    remote: str = "origin",
    message: str = COMMIT_MESSAGE,
    env: Mapping[str, str] = os.environ,
    push: bool = True,
    token: str | None = None,
) -> PushResult:
    """Commit ``lockfile`` alone (nothing else staged goes in) and push it to ``branch``.

    ``token`` (the Action's ``github-token``) authenticates the push to an http(s) remote.
    """
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
            raise PushError(f"could not commit {rel}: {clean(exc)}") from None
        if not push:
            return PushResult(committed=True, sha=repo.head.commit.hexsha, branch=branch)
        pusher = _Pusher(repo, remote, branch, rel, identity, token_secrets(token))
        with repo.git.custom_environment(**auth_env(remote_url(repo, remote), token)):
            rebased = pusher.push()
        return PushResult(
            committed=True, sha=repo.head.commit.hexsha, branch=branch, rebased=rebased
        )


@dataclass(frozen=True, slots=True)
class _Pusher:
    """The push of one lockfile commit, with the retry after a rebase and the side branch."""

    repo: git.Repo
    remote: str
    branch: str
    rel: str
    identity: Mapping[str, str]
    secrets: tuple[str, ...]

    def push(self) -> bool:
        """Push HEAD to the branch; True when it needed a rebase first."""
        try:
            self.repo.git.push(self.remote, f"HEAD:refs/heads/{self.branch}")
            return False
        except git.GitCommandError as first:
            why = clean(first, *self.secrets)
            said = [line for line in git_lines(first) if _PROTECTED.search(line)]
            if said:
                raise PushError(self._protected(redact(said[0], self.secrets))) from None
            if not any(_MOVED.search(line) for line in git_lines(first)):
                raise PushError(
                    f"could not push the lockfile to {self.branch} ({why}); {LOST}"
                ) from None
        self._rebase(why)
        try:
            self.repo.git.push(self.remote, f"HEAD:refs/heads/{self.branch}")
        except git.GitCommandError as exc:
            raise PushError(
                f"could not push the lockfile to {self.branch} after a rebase "
                f"({clean(exc, *self.secrets)}); {LOST}"
            ) from None
        return True

    def _protected(self, why: str) -> str:
        """The one line for a protected branch, after trying to push to a side branch."""
        side = SIDE_BRANCH.format(sha=self.repo.head.commit.hexsha[:7])
        advice = (
            f"could not push the lockfile to {self.branch}: the branch is protected ({why}). "
            f"To push directly, give the action (`github-token:`) a token allowed to bypass "
            f"the branch protection"
        )
        try:
            self.repo.git.push(self.remote, f"HEAD:refs/heads/{side}")
        except git.GitCommandError:
            return f"{advice}, or let a pull request update the lockfile; {LOST}"
        return (
            f"{advice}. This run's lockfile commit was pushed to the branch {side}: merge it "
            f"into {self.branch} with a pull request before the next apply"
        )

    def _rebase(self, why: str) -> None:
        try:
            self.repo.git.fetch(self.remote, self.branch)
        except git.GitCommandError as exc:
            raise PushError(
                f"could not push the lockfile to {self.branch} ({why}), nor fetch it "
                f"({clean(exc, *self.secrets)}); {LOST}"
            ) from None
        try:
            with self.repo.git.custom_environment(**self.identity):
                self.repo.git.rebase("FETCH_HEAD")
        except git.GitCommandError:
            try:
                self.repo.git.rebase("--abort")
            except git.GitCommandError:
                pass
            raise PushError(
                f"{self.branch} moved and its {self.rel} changed too (another apply ran at the "
                f"same time?); {LOST}. Serialise applies with the workflow's `concurrency:` group"
            ) from None
