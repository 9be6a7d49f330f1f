"""Bounded in time: an answer that drips in stops at 120 s (by the injected clock), and
``hcsync --timeout`` stops a command that runs past it, each with one clear line."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from hcsync.cli import cli
from hcsync.diagnostics import BackendError
from tests.helpers import make_tree
from tests.hostile.conftest import CENTER, KEY, Clock, Hostile, draft, helpcenter

DRAFTS = f"/v0/centers/{CENTER}/articles/drafts"


class SlowClock(Clock):
    """Every reading of the clock is 50 s later (a server dripping a byte at a time)."""

    def __call__(self) -> float:
        self.now += 50
        return self.now


def drip(request: Request) -> Response | None:
    if request.url.path != DRAFTS:
        return None

    async def body() -> AsyncIterator[bytes]:
        text = b'{"object": "list", "data": [], "has_more": false}'
        for i in range(0, len(text), 5):  # ten parts, a pause between each
            yield text[i : i + 5]
            await asyncio.sleep(0.03)

    return StreamingResponse(body(), media_type="application/json")


def test_an_answer_that_drips_in_stops_at_the_answer_limit(hostile: Hostile) -> None:
    hostile.script = drip
    with pytest.raises(BackendError) as info:
        helpcenter(hostile, SlowClock()).snapshot()
    assert info.value.format() == (
        f"GET {DRAFTS}: the answer took longer than 120 s to arrive (200)"
    )
    # control: the same answer with a clock that does not move is read whole
    assert helpcenter(hostile, Clock()).snapshot().articles == {}


def test_timeout_stops_the_command_with_one_line(hostile: Hostile, tmp_path: Path) -> None:
    def slow_center(request: Request) -> Response | None:
        if request.url.path == f"/v0/centers/{CENTER}":
            time.sleep(1.5)
        return None

    hostile.script = slow_center
    config = f"backend: helpcenter\ncenter_id: {CENTER}\nbase_url: {hostile.base_url}\n"
    root = make_tree(tmp_path / "docs", {"guides/a.md": "# A\n"}, config=config)
    env = {"HCSYNC_API_KEY": KEY}
    result = CliRunner().invoke(cli, ["--timeout", "1", "plan", "-C", str(root)], env=env)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines() == [
        f"GET /v0/centers/{CENTER}/articles/categories: not sent, the command is past --timeout 1 s"
    ]
    # control: without the limit the same plan runs
    hostile.script = None
    ok = CliRunner().invoke(cli, ["plan", "-C", str(root)], env=env)
    assert ok.exit_code == 0, ok.output
    assert draft(1)["title"] in ok.stdout or "Plan:" in ok.stdout
