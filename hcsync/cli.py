"""The command line. The only module that imports click, and the only one that prints errors."""

from __future__ import annotations

import sys
from typing import Any

import click

from hcsync import __version__
from hcsync.diagnostics import HcsyncError


class _State:
    debug = False


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hcsync")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def cli(debug: bool) -> None:
    """Keep a hosted help center equal to a folder of Markdown files in git."""
    _State.debug = debug


@cli.group()
def emulate() -> None:
    """Run an emulated help center on this machine (for tests, demos and trials)."""


@emulate.command("helpcenter")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--data",
    type=click.Path(dir_okay=False),
    default=None,
    help="SQLite file that keeps the state between runs (default: in memory).",
)
def emulate_helpcenter(host: str, port: int, data: str | None) -> None:
    """Serve the Help.Center API v0 emulator and its public help center."""
    from hcsync.emulators.helpcenter.serve import serve

    serve(host=host, port=port, data=data, echo=click.echo)


def main(argv: list[str] | None = None) -> Any:
    """Entry point: run the CLI; print hcsync errors as lines, with no traceback."""
    try:
        return cli.main(args=argv, prog_name="hcsync", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except HcsyncError as exc:
        if _State.debug:
            raise
        click.echo(exc.format(), err=True)
        sys.exit(exc.exit_code)
