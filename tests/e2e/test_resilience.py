"""Crash-safe resume, Ctrl-C, and faults survived: no duplicate, nothing lost.

The crash tests run the installed ``hcsync`` in a subprocess against a real uvicorn emulator
and kill it with SIGKILL at chosen points, including the worst one: a create committed on the
server whose response never reached hcsync (the emulator holds it back).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hcsync import lockfile as lockmod
from hcsync.emulators.helpcenter.app import HelpCenterEmulator, create_app
from hcsync.emulators.helpcenter.store import Store
from hcsync.emulators.server import serve_in_thread
from tests.e2e.conftest import FILES, HelpCenter, Project
from tests.helpers import make_tree

pytestmark = pytest.mark.e2e

DESIRED_TITLES = ["Install Acme", "Invoices", "Use Acme"]


@dataclass
class Server:
    base_url: str
    app: HelpCenterEmulator
    store: Store


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    store = Store(":memory:")
    app = create_app(store)
    try:
        with serve_in_thread(app) as base_url:
            yield Server(base_url, app, store)
    finally:
        store.close()


@dataclass
class Site:
    root: Path
    center_id: str
    key: str
    server: Server

    def start(self, *args: str) -> subprocess.Popen[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HCSYNC_")}
        env.update({"HCSYNC_API_KEY": self.key, "NO_COLOR": "1"})
        exe = Path(sys.executable).with_name("hcsync")
        return subprocess.Popen(
            [str(exe), *args],
            cwd=self.root,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def run(self, *args: str) -> tuple[int, str, str]:
        proc = self.start(*args)
        out, err = proc.communicate(timeout=120)
        return proc.returncode, out, err

    def titles(self) -> list[str]:
        return sorted(a.title for a in self.server.store.articles(self.center_id))

    def category_names(self) -> Counter[str]:
        return Counter(c.name for c in self.server.store.categories(self.center_id))

    def writes(self) -> int:
        return sum(
            1
            for r in self.server.app.requests()
            if r.method != "GET" and f"/centers/{self.center_id}/" in r.path
        )

    def assert_converged(self) -> None:
        code, out, err = self.run("apply", "--yes")
        assert code == 0, out + err
        assert self.titles() == DESIRED_TITLES  # each exactly once
        assert set(self.category_names().values()) == {1}
        assert sorted(self.category_names()) == ["Billing", "Guides"]
        lock = json.loads((self.root / "hcsync.lock").read_text())
        assert lock["pending"] == {}
        assert not lockmod.journal_path(self.root / "hcsync.lock").exists()
        ids = {a.id for a in self.server.store.articles(self.center_id)}
        assert {lock["entries"][p]["id"] for p in lock["entries"]} <= ids
        code, out, err = self.run("plan", "--detailed-exitcode")
        assert code == 0, out + err


@pytest.fixture
def site(tmp_path: Path, server: Server) -> Iterator[Site]:
    center = server.store.create_center("Crash", additional_languages=["es"])
    key = server.store.create_key(center.id).key
    config = (
        f"backend: helpcenter\ncenter_id: {center.id}\nbase_url: {server.base_url}\n"
        "languages: [es]\n"
    )
    root = make_tree(tmp_path / "docs", FILES, config=config)
    yield Site(root, center.id, key, server)
    server.app.clear_faults()


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)  # reap it and close its pipes


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


def test_sigkill_after_a_create_landed_but_before_its_response(site: Site) -> None:
    # The server commits the first create, then holds the response for 5 s.
    site.server.app.set_faults(
        [{"timeout": 1.0, "route": "E9", "after_write": True, "times": 1, "seconds": 5}]
    )
    proc = site.start("apply", "--yes")
    wait_for(lambda: len(site.titles()) == 1)
    kill(proc)
    lock = lockmod.load(site.root / "hcsync.lock")  # the lockfile and its journal
    assert len(lock.pending) == 1  # the create in flight was recorded before it was sent
    (path,) = lock.pending
    assert path not in lock.entries
    site.server.app.clear_faults()
    site.assert_converged()


def test_control_without_the_pending_record_a_lost_create_would_duplicate(site: Site) -> None:
    # The twin of the test above: the same kill, but the pending record is removed by hand.
    # The article is then created a second time, which is what the record prevents.
    site.server.app.set_faults(
        [{"timeout": 1.0, "route": "E9", "after_write": True, "times": 1, "seconds": 5}]
    )
    proc = site.start("apply", "--yes")
    wait_for(lambda: len(site.titles()) == 1)
    kill(proc)
    lock_path = site.root / "hcsync.lock"
    lock = lockmod.load(lock_path)
    lock.pending.clear()
    lockmod.save(lock, lock_path)
    lockmod.journal_path(lock_path).unlink()
    site.server.app.clear_faults()
    code, out, err = site.run("apply", "--yes")
    assert code == 0, out + err
    assert len(site.titles()) == len(DESIRED_TITLES) + 1


@pytest.mark.parametrize("kill_after_writes", [1, 4, 7, 10])
def test_sigkill_at_several_points_then_resume(site: Site, kill_after_writes: int) -> None:
    before = site.writes()
    proc = site.start("apply", "--yes")
    wait_for(lambda: site.writes() - before >= kill_after_writes or proc.poll() is not None)
    kill(proc)
    lock_path = site.root / "hcsync.lock"
    if lock_path.exists():
        json.loads(lock_path.read_text())  # never half-written
    lockmod.load(lock_path)  # the journal replays
    site.assert_converged()


# ---- faults, in-process (fast, seeded) ------------------------------------------------------


def test_seeded_faults_converge_without_duplicates(project: Project, hc: HelpCenter) -> None:
    hc.app.set_faults(
        [
            {"status": 500, "rate": 0.15},
            {"status": 429, "rate": 0.05},
            {"reset": 0.05},
            {"timeout": 0.05},
            {"status": 502, "rate": 0.1, "after_write": True},
        ],
        seed=7,
    )
    codes = []
    for _ in range(8):
        result = project.run("apply", "--yes")
        codes.append(result.exit_code)
        if result.exit_code == 0:
            break
    assert codes[-1] == 0, codes
    hc.app.clear_faults()
    titles = sorted(a.title for a in hc.store.articles(hc.center_id))
    assert titles == DESIRED_TITLES
    names = Counter(c.name for c in hc.store.categories(hc.center_id))
    assert names == Counter({"Guides": 1, "Billing": 1})
    assert project.run("plan", "--detailed-exitcode").exit_code == 0
    faults = [r.fault for r in hc.app.requests() if r.fault]
    assert len(faults) >= 5  # the faults really happened
