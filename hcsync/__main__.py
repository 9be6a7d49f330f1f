"""``python -m hcsync`` runs the CLI."""

from hcsync.cli import main

raise SystemExit(main())
