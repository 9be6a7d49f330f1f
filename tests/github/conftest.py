"""Fixtures for the GitHub tests: a Help.Center emulator and a GitHub emulator on real uvicorn
servers, a docs repository with a bare remote, and the variables a runner sets."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import git
import httpx
import pytest

from hcsync.emulators.helpcenter.app import HelpCenterEmulator, create_app
from hcsync.emulators.helpcenter.store import Store
from hcsync.emulators.server import serve_in_thread
from hcsync.emulators.transport import SyncASGITransport
from tests.e2e.conftest import FILES
from tests.e2e.conftest import hc as hc  # noqa: F401  (the in-process Help.Center fixture)
from tests.github.action_runner import ActionRun, run_action
from tests.github.github_emulator import GitHubEmulator
from tests.helpers import make_tree

ROOT = Path(__file__).resolve().parents[2]
REPO = "acme/docs"
PR = 7
TOKEN = "ghs_TESTTOKEN0123456789abcdefABCDEF0123"
READ_TOKEN = "ghs_READONLY0123456789abcdefABCDEF01"


@dataclass
class HelpCenterServer:
    base_url: str
    store: Store
    app: HelpCenterEmulator


@pytest.fixture(scope="module")
def hc_server() -> Iterator[HelpCenterServer]:
    store = Store(":memory:")
    app = create_app(store)
    try:
        with serve_in_thread(app) as base_url:
            yield HelpCenterServer(base_url, store, app)
    finally:
        store.close()


@dataclass
class GitHubServer:
    base_url: str
    emu: GitHubEmulator


@pytest.fixture
def gh() -> Iterator[GitHubServer]:
    emu = GitHubEmulator(tokens={TOKEN: "write", READ_TOKEN: "read"})
    emu.open_pull_request(REPO, PR)
    with serve_in_thread(emu.app()) as base_url:
        yield GitHubServer(base_url, emu)


@dataclass
class DocsRepo:
    """A docs repository (project in ``docs/``) cloned from a bare remote, like a checkout."""

    workspace: Path
    remote: Path
    center_id: str
    key: str
    hc: HelpCenterServer
    gh: GitHubServer
    temp: Path
    runs: list[ActionRun] = field(default_factory=list)

    @property
    def docs(self) -> Path:
        return self.workspace / "docs"

    def repo(self) -> git.Repo:
        return git.Repo(self.workspace)

    def write(self, rel: str, text: str) -> None:
        path = self.docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def commit(self, message: str) -> str:
        with self.repo() as repo:
            repo.git.add("-A")
            repo.index.commit(message)
            return repo.head.commit.hexsha

    def push(self) -> None:
        with self.repo() as repo:
            repo.git.push("origin", "HEAD:refs/heads/main")

    def on_remote(self, sha: str) -> bool:
        """``sha`` is in the history of the remote's main."""
        with git.Repo(self.remote) as bare:
            try:
                bare.git.merge_base("--is-ancestor", sha, "main")
            except git.GitCommandError:
                return False
            return True

    def remote_log(self, n: int = 5) -> list[tuple[str, list[str]]]:
        """(message, changed files) of the newest commits on the remote's main."""
        with git.Repo(self.remote) as bare:
            return [
                (c.message.strip(), sorted(str(p) for p in c.stats.files))
                for c in bare.iter_commits("main", max_count=n)
            ]

    def run(
        self,
        mode: str,
        *,
        event: str | None = None,
        api_key: str | None = None,
        token: str = TOKEN,
        fork: bool = False,
        action_dir: Path = ROOT,
        path: str | None = None,
        timeout: float = 120,
        **inputs: str,
    ) -> ActionRun:
        """Run the action as a workflow job would, with the event ``mode`` implies.

        A ``push`` event pushes the checkout's HEAD to the remote's main first, when it is not
        there yet: that push is what starts the run. ``action_dir``: the action's checkout;
        ``path``: the runner's PATH (default: this test's venv first).
        """
        event = event or ("pull_request" if mode == "plan" else "push")
        if event == "push" and not self.on_remote(self.repo().head.commit.hexsha):
            self.push()
        sha = self.repo().head.commit.hexsha
        payload: dict[str, Any] = {"repository": {"full_name": REPO}}
        env = runner_env(self.workspace, self.temp, self.gh.base_url)
        if path is not None:
            env["PATH"] = path
        if event.startswith("pull_request"):
            head_repo = "contributor/docs" if fork else REPO
            payload |= {
                "number": PR,
                "pull_request": {
                    "number": PR,
                    "head": {
                        "sha": sha,
                        "ref": "feature",
                        "repo": {"full_name": head_repo, "fork": fork},
                    },
                    "base": {"ref": "main", "repo": {"full_name": REPO}},
                },
            }
            env |= {
                "GITHUB_REF": f"refs/pull/{PR}/merge",
                "GITHUB_REF_NAME": f"{PR}/merge",
                "GITHUB_HEAD_REF": "feature",
                "GITHUB_BASE_REF": "main",
            }
        else:
            payload |= {"ref": "refs/heads/main", "after": sha}
            env |= {"GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main"}
        event_path = self.temp / "event.json"
        event_path.write_text(json.dumps(payload), encoding="utf-8")
        env |= {"GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": str(event_path), "GITHUB_SHA": sha}
        github = {
            "token": token,
            "event_name": event,
            "repository": REPO,
            "sha": sha,
            "workspace": str(self.workspace),
        }
        values = {
            "mode": mode,
            "working-directory": "docs",
            "api-key": self.key if api_key is None else api_key,
            "skip-install": "true",
            "python-version": "",
            **inputs,
        }
        result = run_action(action_dir, values, env=env, github=github, timeout=timeout)
        self.runs.append(result)
        return result

    def everything_printed(self) -> str:
        """Every byte a run showed or left behind: logs, summaries, outputs, comments, files."""
        blobs = []
        for r in self.runs:
            blobs += [r.stdout, r.stderr, r.summary, json.dumps(r.outputs)]
            blobs += [json.dumps(s.outputs) for s in r.steps]
        blobs += [c["body"] for c in self.gh.emu.comments.values()]
        for path in self.temp.rglob("*"):
            if path.is_file():
                blobs.append(path.read_text(encoding="utf-8", errors="replace"))
        lock = self.docs / "hcsync.lock"
        if lock.exists():
            blobs.append(lock.read_text(encoding="utf-8"))
        with self.repo() as repo:
            blobs.append(repo.git.log("-p", "--all"))
        return "\n".join(blobs)


def runner_env(workspace: Path, temp: Path, api_url: str) -> dict[str, str]:
    """The variables a GitHub-hosted runner sets for a job (GITHUB_TOKEN is not one of them)."""
    keep = {k: v for k, v in os.environ.items() if k in ("HOME", "LANG", "LC_ALL", "TMPDIR")}
    return keep | {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_REPOSITORY_OWNER": REPO.split("/")[0],
        "GITHUB_API_URL": api_url,
        "GITHUB_SERVER_URL": "https://github.test",
        "GITHUB_GRAPHQL_URL": f"{api_url}/graphql",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_RUN_NUMBER": "17",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_ACTOR": "writer",
        "GITHUB_JOB": "hcsync",
        "GITHUB_WORKFLOW": "docs",
        "GITHUB_REF_TYPE": "branch",
        "RUNNER_TEMP": str(temp),
        "RUNNER_OS": "Linux",
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def make_docs_repo(
    tmp_path: Path,
    hc: HelpCenterServer,
    gh: GitHubServer,
    files: dict[str, str | bytes] | None = None,
) -> DocsRepo:
    center = hc.store.create_center("Acme", default_language="en", additional_languages=["es"])
    key = hc.store.create_key(center.id).key
    remote = tmp_path / "remote.git"
    git.Repo.init(remote, bare=True, initial_branch="main").close()
    workspace = tmp_path / "work"
    config = (
        f"backend: helpcenter\ncenter_id: {center.id}\nbase_url: {hc.base_url}\nlanguages: [es]\n"
    )
    make_tree(workspace / "docs", files if files is not None else FILES, config=config)
    (workspace / "README.md").write_text("# Acme docs\n", encoding="utf-8")
    with git.Repo.init(workspace, initial_branch="main") as repo:
        with repo.config_writer() as cw:
            cw.set_value("user", "name", "Writer")
            cw.set_value("user", "email", "writer@example.test")
        repo.git.add("-A")
        repo.index.commit("docs")
        repo.create_remote("origin", str(remote))
        repo.git.push("origin", "main")
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    return DocsRepo(workspace, remote, center.id, key, hc, gh, temp)


@pytest.fixture
def docs(tmp_path: Path, hc_server: HelpCenterServer, gh: GitHubServer) -> DocsRepo:
    return make_docs_repo(tmp_path, hc_server, gh)


@pytest.fixture
def emu() -> GitHubEmulator:
    """The GitHub API emulator with a write and a read-only token and pull request PR open."""
    emulator = GitHubEmulator(tokens={TOKEN: "write", READ_TOKEN: "read"})
    emulator.open_pull_request(REPO, PR)
    return emulator


@pytest.fixture
def client(emu: GitHubEmulator) -> Iterator[httpx.Client]:
    """A client of ``emu``, in-process."""
    with httpx.Client(
        transport=SyncASGITransport(emu.app()), base_url="http://api.github.test"
    ) as c:
        yield c
