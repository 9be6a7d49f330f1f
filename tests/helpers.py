"""Helpers shared by tests: build content trees in a temporary directory, run the CLI."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from click.testing import CliRunner

DEFAULT_CONFIG = "backend: helpcenter\ncenter_id: c1\nlanguages: [es, de]\n"


def make_tree(
    root: Path, files: Mapping[str, str | bytes], *, config: str | None = DEFAULT_CONFIG
) -> Path:
    """Write ``files`` (path → text or bytes) under ``root`` and return ``root``.

    Adds ``hcsync.yml`` with ``config`` unless ``files`` has one or ``config`` is None.
    """
    all_files = dict(files)
    if config is not None and "hcsync.yml" not in all_files:
        all_files["hcsync.yml"] = config
    for rel, content in all_files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def run_cli(cwd: Path, *args: str) -> tuple[int, str, str]:
    """Run ``hcsync ARGS`` in ``cwd`` through click's runner: (exit code, stdout, stderr)."""
    from hcsync.cli import cli

    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(old)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr
