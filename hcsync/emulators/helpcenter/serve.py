"""``hcsync emulate helpcenter``: not built yet (issue "Foundation", in progress)."""

from __future__ import annotations

from collections.abc import Callable


def serve(*, host: str, port: int, data: str | None, echo: Callable[[str], None]) -> None:
    """Serve the emulator under uvicorn."""
    raise NotImplementedError("the Help.Center emulator is being built")
