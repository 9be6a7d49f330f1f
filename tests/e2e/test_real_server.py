"""The installed ``hcsync`` command, in a subprocess, against a real uvicorn server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hcsync.emulators.helpcenter.app import create_app
from hcsync.emulators.helpcenter.store import Store
from hcsync.emulators.server import serve_in_thread
from tests.e2e.conftest import FILES
from tests.helpers import make_tree

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Store]]:
    store = Store(":memory:")
    try:
        with serve_in_thread(create_app(store)) as base_url:
            yield base_url, store
    finally:
        store.close()


def hcsync(cwd: Path, *args: str, key: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HCSYNC_")}
    env["HCSYNC_API_KEY"] = key
    env["NO_COLOR"] = "1"
    exe = Path(sys.executable).with_name("hcsync")
    return subprocess.run(
        [str(exe), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_apply_then_plan_over_http(tmp_path: Path, server: tuple[str, Store]) -> None:
    base_url, store = server
    center = store.create_center("Real", default_language="en", additional_languages=["es"])
    key = store.create_key(center.id).key
    config = f"backend: helpcenter\ncenter_id: {center.id}\nbase_url: {base_url}\nlanguages: [es]\n"
    root = make_tree(tmp_path / "docs", FILES, config=config)

    applied = hcsync(root, "apply", "--yes", key=key)
    assert applied.returncode == 0, applied.stderr
    assert "Apply complete:" in applied.stdout
    # progress lines in a log (not a terminal): one per action, plain
    assert "done    publish                guides/install.md" in applied.stderr

    plan = hcsync(root, "plan", "--json", "--detailed-exitcode", key=key)
    assert plan.returncode == 0, plan.stderr
    data = json.loads(plan.stdout)
    assert data["format_version"] == 1
    assert data["actions"] == []
    assert data["noops"] == 4

    # the public help center shows the published article
    lock = json.loads((root / "hcsync.lock").read_text())
    url = lock["entries"]["guides/install.md"]["url"]
    import httpx

    page = httpx.get(url, timeout=10)
    assert page.status_code == 200
    assert "Install Acme" in page.text
    for blob in (
        applied.stdout,
        applied.stderr,
        plan.stdout,
        plan.stderr,
        (root / "hcsync.lock").read_text(),
    ):
        assert key not in blob


def test_demo_from_a_clean_directory_then_again(tmp_path: Path) -> None:
    first = hcsync(tmp_path, "demo", key="unused")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Apply complete:" in first.stdout
    assert "A second plan, right after the apply:\nNo changes." in first.stdout
    # no "browse" URL that is dead by the time it is read: how to browse it instead
    assert "Browse the emulated help center" not in first.stdout
    assert "run `hcsync demo --serve`" in first.stdout
    assert (tmp_path / ".hcsync" / "hcsync.lock").is_file()
    second = hcsync(tmp_path, "demo", key="unused")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "No changes." in second.stdout
    assert "Apply complete" not in second.stdout
    state = json.loads((tmp_path / ".hcsync" / "demo.json").read_text())
    assert state["key"] not in first.stdout + first.stderr + second.stdout + second.stderr


def test_demo_clickhelp_from_a_clean_directory_then_again(tmp_path: Path) -> None:
    first = hcsync(tmp_path, "demo", "--backend", "clickhelp", key="unused")
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.startswith("Emulated ClickHelp on http://127.0.0.1:")
    assert "A second plan, right after the apply:\nNo changes." in first.stdout
    assert (tmp_path / ".hcsync" / "clickhelp" / "hcsync.lock").is_file()
    second = hcsync(tmp_path, "demo", "--backend", "clickhelp", key="unused")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Apply complete" not in second.stdout
    assert "No changes." in second.stdout
