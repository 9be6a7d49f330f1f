"""hcsync init writes a starter hcsync.yml that validates, and never overwrites one."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from hcsync.cli import cli


def test_init_then_validate(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "guides").mkdir(parents=True)
    (docs / "guides" / "a.md").write_text("# Hello\n\nText.\n")
    runner = CliRunner()
    result = runner.invoke(cli, ["init", str(docs), "--target", "abc123"])
    assert result.exit_code == 0, result.output
    assert "center_id: abc123" in (docs / "hcsync.yml").read_text()
    checked = runner.invoke(cli, ["validate", str(docs)])
    assert checked.exit_code == 0, checked.output + checked.stderr
    again = runner.invoke(cli, ["init", str(docs), "--target", "x"])
    assert again.exit_code == 2
    assert again.stderr.strip().endswith("hcsync.yml exists already; edit it instead")
    assert "center_id: abc123" in (docs / "hcsync.yml").read_text()
