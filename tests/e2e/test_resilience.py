"""The control for crash-safe resume (Help.Center): without its pending record, a create that
landed before a kill would be made twice. The crash, Ctrl-C and fault tests themselves run on
every backend (test_both_backends.py, test_both_backends_more.py).

The test runs the installed ``hcsync`` in a subprocess against a real uvicorn emulator and
kills it at the worst point: a create committed on the server whose response never reached
hcsync (the emulator holds it back).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hcsync import lockfile as lockmod
from hcsync.emulators.helpcenter.app import HelpCenterEmulator, create_app
from hcsync.emulators.helpcenter.store import Store
from hcsync.emulators.server import serve_in_thread
from tests.e2e.conftest import FILES
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


def test_control_without_the_pending_record_a_lost_create_would_duplicate(site: Site) -> None:
    # The twin of test_sigkill_after_a_create_landed_but_before_its_response (run on every
    # backend in test_both_backends.py): the same kill, but the pending record is removed by
    # hand. The article is then created a second time, which is what the record prevents.
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
