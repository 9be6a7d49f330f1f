"""``python -m hcsync`` runs the CLI."""

from hcsync.cli import main

main()
