"""import and pull over HTTP, against a real uvicorn server (the CLI opens its own client)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from hcsync.cli import cli
from hcsync.emulators.helpcenter.app import create_app
from hcsync.emulators.helpcenter.store import Store
from hcsync.emulators.server import serve_in_thread
from tests.helpers import make_tree
from tests.importer.conftest import clear_tree, example_files

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Store]]:
    store = Store(":memory:")
    try:
        with serve_in_thread(create_app(store)) as base_url:
            yield base_url, store
    finally:
        store.close()


def run(root: Path, key: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli, [args[0], "-C", str(root), *args[1:]], obj={"env": {"HCSYNC_API_KEY": key}}
    )
    return result.exit_code, result.stdout, result.stderr


def test_apply_import_pull_over_http(tmp_path: Path, server: tuple[str, Store]) -> None:
    base_url, store = server
    center = store.create_center("Real", default_language="en", additional_languages=["es", "de"])
    key = store.create_key(center.id).key
    config = (
        f"backend: helpcenter\ncenter_id: {center.id}\nbase_url: {base_url}\nlanguages: [es, de]\n"
    )
    root = make_tree(tmp_path / "docs", example_files(), config=config)
    assert run(root, key, "apply", "--yes")[0] == 0

    clear_tree(root)
    code, out, err = run(root, key, "import")
    assert code == 0, err
    assert "Imported 27 articles, 11 translations, 6 categories and 4 images" in out
    assert (root / "getting-started/images/dashboard.png").read_bytes().startswith(b"\x89PNG")
    code, out, _ = run(root, key, "plan", "--detailed-exitcode")
    assert code == 0 and "No changes. 38 unchanged." in out

    aid = json.loads((root / "hcsync.lock").read_text())["entries"]["shipping/carriers.md"]["id"]
    store.edit_article(center.id, aid, html="<p>Edited over there</p>")
    code, out, _ = run(root, key, "pull")
    assert code == 0 and "< shipping/carriers.md" in " ".join(out.split())
    assert "Edited over there" in (root / "shipping/carriers.md").read_text()
    assert run(root, key, "plan", "--detailed-exitcode")[0] == 0
    assert key not in out + (root / "hcsync.lock").read_text()
