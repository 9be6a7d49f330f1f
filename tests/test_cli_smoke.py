"""The CLI starts, shows help and its version, and prints user errors with no traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from hcsync import __version__
from hcsync.cli import cli

EXAMPLE = Path(__file__).resolve().parents[1] / "example-content"


def test_help_lists_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "emulate" in result.output


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"hcsync, version {__version__}"


def test_installed_console_script_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "hcsync", "--help"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "Usage: hcsync" in proc.stdout


def test_module_run_keeps_the_exit_code(tmp_path: object) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "hcsync", "validate", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "no hcsync.yml in" in proc.stderr


def test_plan_imports_neither_the_executor_nor_rich_nor_pygments(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "site")
    code = (
        "import sys\n"
        "from hcsync.cli import cli\n"
        "try:\n"
        "    cli.main(['plan', '--offline', '-C', sys.argv[1]])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('rich', 'pygments', 'hcsync.apply.executor')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "site")], capture_output=True, text=True
    )
    assert "Plan: " in done.stdout
    assert done.stdout.rstrip().endswith("[]"), done.stdout[-300:]
