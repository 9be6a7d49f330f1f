"""Exit codes that do not lie: under ``--detailed-exitcode`` 2 means "changes", so every usage
error (click's and hcsync's own, such as a missing API key) exits 64 there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.centers import Center
from tests.e2e.test_both_backends import Docs

MISSING = {
    "helpcenter": "HCSYNC_API_KEY is not set: create an API key with the content.read, "
    "content.write, content.publish and content.delete scopes and export it\n",
    "clickhelp": "HCSYNC_CLICKHELP_LOGIN is not set: export your ClickHelp login and an API key "
    "generated for it (a Contributor's) as HCSYNC_CLICKHELP_LOGIN and HCSYNC_CLICKHELP_API_KEY\n",
}


def without_credentials(docs: Docs, *args: str) -> object:
    from click.testing import CliRunner

    from hcsync.cli import cli

    return CliRunner().invoke(
        cli,
        [args[0], "-C", str(docs.root), *args[1:]],
        obj={"client": docs.center.client, "env": {}},
    )


def test_a_missing_key_exits_64_under_detailed_exitcode(docs: Docs, center: Center) -> None:
    detailed = without_credentials(docs, "plan", "--detailed-exitcode")
    assert (detailed.exit_code, detailed.stderr) == (64, MISSING[center.kind])
    plain = without_credentials(docs, "plan")
    assert (plain.exit_code, plain.stderr) == (2, MISSING[center.kind])
    # control: with the key the same command says "changes"
    assert docs.run("plan", "--detailed-exitcode").exit_code == 2


def test_a_bad_option_exits_64_under_detailed_exitcode(docs: Docs) -> None:
    result = docs.run("plan", "--detailed-exitcode", "--prune", "shred")
    assert result.exit_code == 64
    assert "Invalid value for '--prune': 'shred' is not one of" in result.stderr
    assert docs.run("plan", "--prune", "shred").exit_code == 2


def test_the_installed_script_exits_64_without_a_key(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    root.mkdir()
    (root / "hcsync.yml").write_text("backend: helpcenter\ncenter_id: c\n", encoding="utf-8")
    (root / "guide.md").write_text("# Guide\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HCSYNC_")}
    script = Path(sys.executable).with_name("hcsync")
    run = subprocess.run(
        [str(script), "plan", "-C", str(root), "--detailed-exitcode"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (run.returncode, run.stderr, run.stdout) == (64, MISSING["helpcenter"], "")
