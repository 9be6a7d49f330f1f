"""The CLI starts, shows help and its version, and prints user errors with no traceback."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from hcsync import __version__
from hcsync.cli import cli


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
