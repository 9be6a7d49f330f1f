"""The GitHub token goes to the GitHub API origin and nowhere else: a ``Link: rel="next"`` to
another port, host or scheme is refused before any request (a second real listener records
every request), and an answer that is not JSON is one clear line, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hcsync.cli import cli
from hcsync.emulators.server import serve_in_thread
from hcsync.github.api import GitHubApi, GitHubError

TOKEN = "ghs_CANARYTOKEN0123456789abcdefABCDEF0123"
REPO = "acme/docs"
LIST = f"/repos/{REPO}/issues/7/comments"


@dataclass
class Listener:
    """A real server on 127.0.0.1: ``answer`` makes each response, ``seen`` holds the
    Authorization header (or None) of each request."""

    base_url: str = ""
    answer: Response | None = None
    seen: list[str | None] = field(default_factory=list)

    async def handle(self, request: Request) -> Response:
        self.seen.append(request.headers.get("authorization"))
        return self.answer or Response("[]", media_type="application/json")


def _listener() -> Iterator[Listener]:
    listener = Listener()
    app = Starlette(routes=[Route("/{path:path}", listener.handle, methods=["GET", "POST"])])
    with serve_in_thread(app) as base_url:
        listener.base_url = base_url
        yield listener


@pytest.fixture(scope="module")
def _github() -> Iterator[Listener]:
    yield from _listener()


@pytest.fixture(scope="module")
def _other() -> Iterator[Listener]:
    yield from _listener()


@pytest.fixture
def github(_github: Listener) -> Listener:
    _github.answer, _github.seen[:] = None, []
    return _github


@pytest.fixture
def other(_other: Listener) -> Listener:
    _other.answer, _other.seen[:] = None, []
    return _other


def _page(next_url: str) -> Response:
    return Response(
        "[]", media_type="application/json", headers={"Link": f'<{next_url}>; rel="next"'}
    )


def _list(github: Listener) -> list[int]:
    with httpx.Client(base_url=github.base_url) as client:
        return [c.id for c in GitHubApi(client, token=TOKEN, repository=REPO).list_comments(7)]


@pytest.mark.parametrize(
    "where",
    [
        "{other}/page2",  # same host, another port
        "http://localhost:{port}/page2",  # same port, another host name
        "https://127.0.0.1:{port}/page2",  # same host and port, another scheme
        "https://api.github.com/page2",
    ],
)
def test_a_next_link_on_another_origin_is_refused(
    github: Listener, other: Listener, where: str
) -> None:
    port = httpx.URL(github.base_url).port
    link = where.format(other=other.base_url, port=port)
    github.answer = _page(link)
    with pytest.raises(GitHubError) as caught:
        _list(github)
    origin = link.rsplit("/", 1)[0]
    assert caught.value.format() == (
        f"GitHub: GET {LIST}: the next page is on another origin ({origin}); the token is "
        f"sent only to {github.base_url}"
    )
    assert other.seen == []
    assert github.seen == [f"Bearer {TOKEN}"]  # the first page only


def test_a_next_link_on_the_same_origin_is_followed(github: Listener) -> None:
    calls: list[str] = []

    async def pages(request: Request) -> Response:
        calls.append(str(request.url.path))
        if len(calls) == 1:
            return _page(f"{github.base_url}/page2?per_page=100")
        return Response('[{"id": 5, "body": "x"}]', media_type="application/json")

    app = Starlette(routes=[Route("/{path:path}", pages)])
    with serve_in_thread(app) as base_url:
        github.base_url, saved = base_url, github.base_url
        try:
            assert _list(github) == [5]
        finally:
            github.base_url = saved
    assert calls == [LIST, "/page2"]


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe\x00[", b"<html>login</html>", b"[" * 100_000 + b"]" * 100_000],
    ids=["undecodable", "html", "deep"],
)
def test_an_answer_that_is_not_json_is_one_line(github: Listener, body: bytes) -> None:
    github.answer = Response(body, media_type="application/json")
    with pytest.raises(GitHubError) as caught:
        _list(github)
    assert caught.value.format() == (
        f"GitHub: GET {LIST}: the answer is not JSON (is GITHUB_API_URL the GitHub API?) (200)"
    )


def test_github_error_text_is_made_inert(github: Listener) -> None:
    message = "\x1b[2J\x1b]8;;http://x\x07bad\n::error file=a.md::pwned" + "y" * 1000
    github.answer = Response(
        json.dumps({"message": message}), status_code=422, media_type="application/json"
    )
    with pytest.raises(GitHubError) as caught:
        _list(github)
    text = caught.value.format()
    assert text.startswith(f"GitHub: GET {LIST}: bad ::error file=a.md::pwnedyyy")
    assert text.endswith("y… (422)") and len(text) < 400
    assert "\x1b" not in text and "\n" not in text


def test_the_comment_command_warns_in_one_line_and_sends_nothing_elsewhere(
    tmp_path: Path, github: Listener, other: Listener
) -> None:
    github.answer = _page(f"{other.base_url}/steal")
    log = tmp_path / "plan.log"
    log.write_text("boom\n")
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_ACTIONS": "true"}
    with httpx.Client(base_url=github.base_url) as client:
        result = CliRunner().invoke(
            cli,
            ["comment", "--failure", str(log), "--repo", REPO, "--pr", "7"],
            obj={"github_client": client, "env": env},
        )
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 0
    assert result.stdout == (
        f"::warning title=hcsync::the plan comment was not posted: GitHub: GET {LIST}: the next "
        f"page is on another origin ({other.base_url}); the token is sent only to "
        f"{github.base_url}\n"
    )
    assert other.seen == []
    assert TOKEN not in result.stdout + result.stderr
