"""Both backends against a hostile server (a real uvicorn on 127.0.0.1): a proxy page, JSON of
the wrong shape, listings that never end, huge and gzip-bomb bodies, 100,000-deep JSON, absurd
rate-limit headers, redirects and noisy error messages. Each is one BackendError with a clear
message and no write; every wait is injected and asserted; memory stays bounded."""

from __future__ import annotations

import resource
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from hcsync.backends.clickhelp import ClickHelpBackend
from hcsync.backends.helpcenter import HelpCenterBackend
from hcsync.diagnostics import BackendError
from tests.hostile.conftest import (
    CENTER,
    CH_KEY,
    KEY,
    PROJECT,
    Clock,
    Hostile,
    clickhelp,
    default,
    draft,
    gzip_bomb,
    helpcenter,
    topic,
)

LISTING = {
    "helpcenter": f"/v0/centers/{CENTER}/articles/drafts",
    "clickhelp": f"/api/v1/projects/{PROJECT}/articles",
}
"""The listing each snapshot reads its articles from."""
FIRST = {"helpcenter": f"/v0/centers/{CENTER}", "clickhelp": "/api/v1/projects"}
"""The first request of each snapshot."""
MAKE: dict[str, Callable[[Hostile, Clock], HelpCenterBackend | ClickHelpBackend]] = {
    "helpcenter": helpcenter,
    "clickhelp": clickhelp,
}
HTML = "<html><body><h1>Service temporarily unavailable</h1></body></html>"


@pytest.fixture(params=["helpcenter", "clickhelp"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def on(path: str, answer: Callable[[Request], Response]) -> Callable[[Request], Response | None]:
    """A script answering ``path`` with ``answer`` and everything else normally."""
    return lambda request: answer(request) if request.url.path == path else None


def snapshot_error(hostile: Hostile, kind: str, clock: Clock | None = None) -> BackendError:
    backend = MAKE[kind](hostile, clock or Clock())
    with pytest.raises(BackendError) as info:
        backend.snapshot()
    assert backend.stats.writes == 0
    return info.value


def test_a_proxy_page_is_an_error_not_an_empty_listing(hostile: Hostile, kind: str) -> None:
    hostile.script = on(LISTING[kind], lambda r: Response(HTML, 200, media_type="text/html"))
    error = snapshot_error(hostile, kind)
    assert error.format() == f"GET {LISTING[kind]}: expected JSON, got text/html (200)"


def test_control_the_default_answers_make_a_snapshot(hostile: Hostile, kind: str) -> None:
    snap = MAKE[kind](hostile, Clock()).snapshot()
    assert len(snap.articles) == 2


def page(*items: Any) -> dict[str, Any]:
    return {"object": "list", "data": list(items), "has_more": False}


def without(item: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != key}


HC_SHAPES = [
    ([], "the body: expected an object, got a list"),
    ({"data": {"a": 1}, "has_more": False}, "data: expected a list, got an object"),
    ({"data": [draft(1)]}, "has_more: missing"),
    ({"data": [draft(1)], "has_more": "no"}, 'has_more: expected true or false, got "no"'),
    (page(draft(1), draft(2, id=17)), "data[1].id: expected a string, got 17"),
    (page(without(draft(1), "title")), "data[0].title: missing"),
    (
        page(draft(1, status="draft")),
        "data[0].status: expected one of published, published_with_changes, unpublished, "
        'got "draft"',
    ),
    (page(draft(1, slug=5)), "data[0].slug: expected a string, got 5"),
    (page(draft(1, seo=[])), "data[0].seo: expected an object, got a list"),
    (page(draft(1, content={"text": "x"})), "data[0].content.html: missing"),
    (page(draft(1, translations=["es", 3])), "data[0].translations[1]: expected a string, got 3"),
]


@pytest.mark.parametrize(("body", "what"), HC_SHAPES)
def test_helpcenter_wrong_shapes(hostile: Hostile, body: Any, what: str) -> None:
    hostile.script = on(LISTING["helpcenter"], lambda r: JSONResponse(body))
    error = snapshot_error(hostile, "helpcenter")
    assert error.format() == f"GET {LISTING['helpcenter']}: {what}"


NODES = f"/api/v1/projects/{PROJECT}/toc/nodes"
TOPICS = LISTING["clickhelp"]
CH_SHAPES = [
    (TOPICS, {"value": []}, "the body: expected a list, got an object"),
    (TOPICS, [topic("a"), topic("b", id=17)], "[1].id: expected a string, got 17"),
    (TOPICS, [without(topic("a"), "modifiedOn")], "[0].modifiedOn: missing"),
    (TOPICS, [topic("a", tocNodeId=5)], "[0].tocNodeId: expected a string, got 5"),
    (TOPICS, [topic("a", title=None, body=["x"])], "[0].body: expected a string, got a list"),
    (NODES, [{"id": "n1", "ordinalNo": "1"}], '[0].ordinalNo: expected an integer, got "1"'),
    (NODES, [{"id": "n1", "ordinalNo": True}], "[0].ordinalNo: expected an integer, got true"),
    ("/api/v1/projects", [{"title": "Acme"}], "[0].id: missing"),
]


@pytest.mark.parametrize(("path", "body", "what"), CH_SHAPES)
def test_clickhelp_wrong_shapes(hostile: Hostile, path: str, body: Any, what: str) -> None:
    hostile.script = on(path, lambda r: JSONResponse(body))
    error = snapshot_error(hostile, "clickhelp")
    assert error.format() == f"GET {path}: {what}"


# ---- listings that do not end (Help.Center pages; ClickHelp lists do not page, §1) -------


def test_a_page_listing_what_was_listed_before_stops(hostile: Hostile) -> None:
    page = {"object": "list", "data": [draft(1), draft(2)], "has_more": True}
    hostile.script = on(LISTING["helpcenter"], lambda r: JSONResponse(page))
    error = snapshot_error(hostile, "helpcenter")
    assert error.format() == (
        f"GET {LISTING['helpcenter']}: article 'a001' listed twice; the listing does not end, "
        "so no plan is made from it"
    )
    cursors = [q for p, q in _queries(hostile) if p == LISTING["helpcenter"]]
    assert cursors == ["", "a002"]


def test_has_more_on_an_empty_page_stops(hostile: Hostile) -> None:
    page = {"object": "list", "data": [], "has_more": True}
    hostile.script = on(LISTING["helpcenter"], lambda r: JSONResponse(page))
    error = snapshot_error(hostile, "helpcenter")
    assert error.message == (
        f"GET {LISTING['helpcenter']}: has_more is true on an empty page; the listing does not "
        "end, so no plan is made from it"
    )


def test_an_endless_listing_stops_at_the_page_budget(hostile: Hostile) -> None:
    count = iter(range(1, 1_000_000))
    page = lambda r: JSONResponse({"data": [draft(next(count))], "has_more": True})  # noqa: E731
    hostile.script = on(LISTING["helpcenter"], page)
    backend = helpcenter(hostile, Clock())
    backend.max_pages = 7
    with pytest.raises(BackendError, match=r"articles/drafts: more than 7 pages; the listing"):
        backend.snapshot()
    assert sum(1 for p, _ in _queries(hostile) if p == LISTING["helpcenter"]) == 7


def _queries(hostile: Hostile) -> list[tuple[str, str]]:
    """(path, ``starting_after``) of each request."""
    return [
        (path, parse_qs(query).get("starting_after", [""])[0]) for path, query, _ in hostile.seen
    ]


# ---- bodies that are too big, too deep, or bombs ------------------------------------------


def test_a_huge_body_stops_at_the_cap(hostile: Hostile, kind: str) -> None:
    def huge(request: Request) -> Response:
        chunks: Iterator[bytes] = (b" " * (1024 * 1024) for _ in range(40))
        return StreamingResponse(chunks, media_type="application/json")

    hostile.script = on(LISTING[kind], huge)
    error = snapshot_error(hostile, kind)
    assert error.format() == f"GET {LISTING[kind]}: the response body is larger than 32 MB (200)"


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return gzip_bomb(512 * 1024 * 1024)


def test_a_gzip_bomb_stops_early(hostile: Hostile, kind: str, bomb: bytes) -> None:
    headers = {"Content-Encoding": "gzip"}
    hostile.script = on(
        LISTING[kind], lambda r: Response(bomb, media_type="application/json", headers=headers)
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    error = snapshot_error(hostile, kind)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert error.format() == f"GET {LISTING[kind]}: the response body is larger than 32 MB (200)"
    assert grown_mib < 200  # the 512 MB it inflates to were never held


def test_100k_deep_json_is_refused(hostile: Hostile, kind: str) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    hostile.script = on(LISTING[kind], lambda r: Response(deep, media_type="application/json"))
    error = snapshot_error(hostile, kind)
    assert error.format() == (
        f"GET {LISTING[kind]}: expected JSON, got JSON nested deeper than 64 levels (200)"
    )


def test_brackets_inside_strings_do_not_count(hostile: Hostile) -> None:
    body = {"data": [draft(1, title="[[[[" * 100)], "has_more": False}
    hostile.script = on(LISTING["helpcenter"], lambda r: JSONResponse(body))
    snap = helpcenter(hostile, Clock()).snapshot()
    assert snap.articles["a001"].title == "[[[[" * 100


# ---- rate-limit headers that are not numbers, or absurd ----------------------------------


@pytest.mark.parametrize(
    ("headers", "slept"),
    [
        ({"Retry-After": "nan"}, [1.0]),
        ({"Retry-After": "inf"}, [1.0]),
        ({"Retry-After": "-inf"}, [1.0]),
        ({"Retry-After": "soon"}, [1.0]),
        ({"Retry-After": "99999999"}, [120.0]),
        ({"X-RateLimit-Reset": "99999999"}, [120.0]),
        ({"X-RateLimit-Reset": "nan", "Retry-After": "inf"}, [1.0]),
        ({"Retry-After": "3"}, [3.0]),  # control: a sane value is obeyed
    ],
)
def test_429_waits_are_finite_and_capped(
    hostile: Hostile, kind: str, headers: dict[str, str], slept: list[float]
) -> None:
    answered: list[int] = []

    def once(request: Request) -> Response | None:
        if request.url.path != FIRST[kind] or answered:
            return None
        answered.append(429)
        return JSONResponse({"error": {"message": "slow down"}}, 429, headers=headers)

    hostile.script = once
    clock = Clock()
    snap = MAKE[kind](hostile, clock).snapshot()
    assert len(snap.articles) == 2
    assert clock.sleeps == slept


@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "1e999", "lots"])
def test_remaining_that_is_not_a_number_is_ignored(hostile: Hostile, kind: str, value: str) -> None:
    def noisy(request: Request) -> Response:
        response = default(request)
        response.headers["X-RateLimit-Remaining"] = value
        response.headers["X-RateLimit-Reset"] = "99999999999999"
        return response

    hostile.script = noisy
    clock = Clock()
    MAKE[kind](hostile, clock).snapshot()
    assert clock.sleeps == []


# ---- redirects and error messages --------------------------------------------------------


def test_a_redirect_names_its_location_without_the_query(hostile: Hostile, kind: str) -> None:
    location = "https://login.example.com:8443/sso?token=SECRET123#frag"
    hostile.script = on(
        FIRST[kind], lambda r: Response(status_code=307, headers={"Location": location})
    )
    error = snapshot_error(hostile, kind)
    assert error.format() == (
        f"GET {FIRST[kind]}: the server redirected to https://login.example.com:8443/sso instead "
        "of answering; hcsync does not follow redirects: check the base URL (307)"
    )
    assert [p for p, _, _ in hostile.seen] == [FIRST[kind]]  # not followed


def test_a_server_message_is_one_short_clean_line(hostile: Hostile, kind: str) -> None:
    noise = "bad\x1b[31m request\r\n\x00" + "x" * 5000
    body = {"error": {"message": noise, "code": "bad\nrequest"}, "Message": noise}
    hostile.script = on(FIRST[kind], lambda r: JSONResponse(body, 400))
    error = snapshot_error(hostile, kind)
    assert error.message.startswith("bad request xxx")  # the escape sequence is gone whole
    assert len(error.message) == 300 and error.message.endswith("…")
    assert not any(ord(c) < 32 for c in error.format())


def test_an_error_body_nested_100k_deep_is_just_the_status(hostile: Hostile, kind: str) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    hostile.script = on(FIRST[kind], lambda r: Response(deep, 400, media_type="application/json"))
    assert snapshot_error(hostile, kind).format() == "HTTP 400 (400)"


def test_secrets_never_in_these_messages(hostile: Hostile, kind: str) -> None:
    def echo(request: Request) -> Response:
        auth = request.headers.get("authorization", "")
        return JSONResponse({"error": {"message": auth}, "Message": auth}, 403)

    hostile.script = on(FIRST[kind], echo)
    text = snapshot_error(hostile, kind).format()
    assert KEY not in text and CH_KEY not in text
    assert "[secure]" in text
