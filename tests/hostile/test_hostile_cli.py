"""The broken-server modes end the real command the same way: ``hcsync apply`` exits 1 with
one line naming the endpoint, no traceback, nothing written to the help center and the
lockfile unchanged (issue 15's acceptance at the CLI, on both backends)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hcsync.cli import cli
from tests.helpers import make_tree
from tests.hostile.conftest import CENTER, CH_KEY, CH_LOGIN, KEY, PROJECT, PUBLICATION, Hostile
from tests.hostile.test_hostile_answers import HTML, LISTING

LOCK = json.dumps(
    {"format_version": 1, "backend": "", "target": "", "entries": {}, "categories": {}},
    indent=2,
)

Answer = Callable[[str, Request], Response]

MODES: dict[str, tuple[Answer, str]] = {
    "proxy page": (
        lambda kind, r: Response(HTML, 200, media_type="text/html"),
        "expected JSON, got text/html (200)",
    ),
    "wrong shape": (
        lambda kind, r: JSONResponse({"data": "nope"} if kind == "helpcenter" else {"a": 1}),
        "expected",
    ),
    "escape sequences": (
        lambda kind, r: JSONResponse(
            {"error": {"message": "\x1b[31mred\x1b[0m\n::error::x"}, "Message": "\x1b]0;t\x07x"},
            400,
        ),
        "",
    ),
}


def config(kind: str, base_url: str) -> str:
    if kind == "helpcenter":
        return f"backend: helpcenter\ncenter_id: {CENTER}\nbase_url: {base_url}\n"
    return (
        f"backend: clickhelp\nportal_url: {base_url}\nproject_id: {PROJECT}\n"
        f"publication_id: {PUBLICATION}\n"
    )


@pytest.fixture(params=["helpcenter", "clickhelp"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


ENV = {
    "HCSYNC_API_KEY": KEY,
    "HCSYNC_CLICKHELP_LOGIN": CH_LOGIN,
    "HCSYNC_CLICKHELP_API_KEY": CH_KEY,
}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_a_broken_listing_stops_apply_with_one_line_and_no_write(
    hostile: Hostile, kind: str, mode: str, tmp_path: Path
) -> None:
    answer, words = MODES[mode]
    listing = LISTING[kind]
    hostile.script = lambda r: answer(kind, r) if r.url.path == listing else None
    files = {"guides/a.md": "# A\n\nText.\n", "hcsync.lock": LOCK}
    root = make_tree(tmp_path / "docs", files, config=config(kind, hostile.base_url))
    result = CliRunner().invoke(cli, ["apply", "--yes", "-C", str(root)], env=ENV)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"GET {listing}"), result.stderr
    assert words in lines[0]
    assert "Traceback" not in result.output and "\x1b" not in result.output
    assert not any(line.startswith("::") for line in result.output.splitlines())
    assert [m for m in hostile.methods if m != "GET"] == []
    assert (root / "hcsync.lock").read_text(encoding="utf-8") == LOCK
