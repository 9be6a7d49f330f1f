"""import and pull over HTTP, against a real uvicorn server (the CLI opens its own client),
for every backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hcsync.cli import cli
from tests.e2e.centers import BACKENDS, Center, emulator, make_center
from tests.helpers import make_tree
from tests.importer.conftest import clear_tree, example_files

pytestmark = pytest.mark.e2e


def run(root: Path, center: Center, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli, [args[0], "-C", str(root), *args[1:]], obj={"env": center.env()}
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("kind", BACKENDS)
def test_apply_import_pull_over_http(tmp_path: Path, kind: str) -> None:
    with emulator(kind, served=True) as (store, app, base_url):
        center = make_center(kind, store, app, base_url, languages=("es", "de"))
        try:
            config = center.config() + "languages: [es, de]\n"
            root = make_tree(tmp_path / "docs", example_files(), config=config)
            code, out, err = run(root, center, "apply", "--yes")
            assert code == 0, out + err

            clear_tree(root)
            code, out, err = run(root, center, "import")
            assert code == 0, err
            assert "Imported 27 articles, 11 translations, 6 categories and 4 images" in out
            image = root / "getting-started/images/dashboard.png"
            assert image.read_bytes().startswith(b"\x89PNG")
            code, out, _ = run(root, center, "plan", "--detailed-exitcode")
            assert code == 0 and "No changes. 38 unchanged." in out

            lock = json.loads((root / "hcsync.lock").read_text())
            center.web_edit(lock["entries"]["shipping/carriers.md"]["id"], html="<p>Edited</p>")
            code, out, _ = run(root, center, "pull")
            assert code == 0 and "< shipping/carriers.md" in " ".join(out.split())
            assert "Edited" in (root / "shipping/carriers.md").read_text()
            assert run(root, center, "plan", "--detailed-exitcode")[0] == 0
            for secret in center.secrets:
                assert secret not in out + (root / "hcsync.lock").read_text()
        finally:
            center.client.close()
