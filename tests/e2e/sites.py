"""A content tree and a center on a real uvicorn server, driven through the installed
``hcsync`` in a subprocess: for the tests that kill it or interrupt it (both backends)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hcsync import lockfile as lockmod
from tests.e2e.centers import Center

DESIRED_TITLES = ["Install Acme", "Invoices", "Use Acme"]
"""The articles of tests.e2e.conftest.FILES."""


@dataclass
class Site:
    root: Path
    center: Center

    def start(self, *args: str) -> subprocess.Popen[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HCSYNC_")}
        env.update({**self.center.env(), "NO_COLOR": "1"})
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

    def assert_converged(self) -> None:
        """One more apply leaves every article once, live, recorded, and a clean plan."""
        code, out, err = self.run("apply", "--yes")
        assert code == 0, out + err
        docs = self.center.docs()
        assert sorted(d.title for d in docs.values()) == DESIRED_TITLES  # each exactly once
        assert self.center.category_names() == Counter({"Guides": 1, "Billing": 1})
        assert all(d.live for d in docs.values())
        lock_path = self.root / "hcsync.lock"
        lock = json.loads(lock_path.read_text())
        assert lock["pending"] == {}
        assert not lockmod.journal_path(lock_path).exists()
        assert {e["id"] for e in lock["entries"].values()} <= set(docs)
        code, out, err = self.run("plan", "--detailed-exitcode")
        assert code == 0, out + err


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
