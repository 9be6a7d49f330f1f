"""The README documents every command (sqlite-utils' habit) and its quick start is real."""

from __future__ import annotations

from pathlib import Path

import click

from hcsync.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "hcsync") -> list[str]:
    names: list[str] = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            names += _commands(command, f"{prefix} {name}")
        else:
            names.append(f"{prefix} {name}")
    return names


def test_every_command_is_in_the_readme() -> None:
    missing = [c for c in _commands(cli) if f"`{c}" not in README]
    assert missing == []


def test_quick_start_has_exactly_the_two_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = [b.split("```", 1)[0].strip() for b in quick.split("```sh\n")[1:]]
    assert blocks == ['pip install -e ".[dev]" && hcsync demo', "pytest"]
