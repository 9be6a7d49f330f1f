"""Both emulators over generated requests (method, path, query, JSON or raw body) through the
in-process transport: no exception escapes and no answer is a 500, except ClickHelp's own
documented answer to a body that is not JSON (clickhelp.md: malformed JSON is a 500)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.emulator_clients import clickhelp_client, helpcenter_client
from tests.fuzz.json_values import values
from tests.fuzz.profiles import FUZZ

segments = st.one_of(
    st.sampled_from(
        [
            "v0",
            "centers",
            "C",
            "articles",
            "drafts",
            "categories",
            "images",
            "translations",
            "es",
            "publish",
            "api",
            "v1",
            "projects",
            "p1",
            "toc",
            "nodes",
            "storage",
            "resources",
            "Storage",
            "publications",
            "tasks",
            "%2e%2e",
            "..",
            ".",
            "%00",
            "%ff",
            "a%2Fb",
            "search",
            "_emulator",
            "",
        ]
    ),
    st.text(alphabet="abc019-_.~%", min_size=1, max_size=6),
)
requests = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
        "path": st.lists(segments, min_size=1, max_size=6).map(
            lambda s: "/" + "/".join(p for p in s if p)
        ),
        "query": st.dictionaries(
            st.sampled_from(["limit", "cursor", "page", "format", "lang", "x", "starting_after"]),
            st.text(max_size=6),
            max_size=3,
        ),
        "body": st.one_of(
            st.none(),
            values.map(lambda v: json.dumps(v).encode()),
            st.binary(max_size=40),
        ),
    }
)


@pytest.fixture(scope="module")
def helpcenter() -> Iterator[tuple[httpx.Client, str]]:
    with helpcenter_client(("es",)) as found:
        yield found


@pytest.fixture(scope="module")
def clickhelp() -> Iterator[httpx.Client]:
    with clickhelp_client() as client:
        yield client


def _send(client: httpx.Client, request: dict[str, object], path: str) -> httpx.Response:
    body = request["body"]
    headers = {"content-type": "application/json"} if body is not None else {}
    return client.request(
        str(request["method"]),
        path,
        params=request["query"],  # type: ignore[arg-type]
        content=body,  # type: ignore[arg-type]
        headers=headers,
    )


@FUZZ
@given(requests)
def test_helpcenter_never_answers_500(
    helpcenter: tuple[httpx.Client, str], request: dict[str, object]
) -> None:
    client, center = helpcenter
    path = str(request["path"]).replace("/C", f"/{center}", 1)
    if path.startswith("/_emulator"):
        return  # the test controls, not client input
    answer = _send(client, request, path)
    assert answer.status_code < 500 or answer.status_code in (501,), (path, answer.text[:300])


@FUZZ
@given(requests)
def test_clickhelp_never_answers_500(clickhelp: httpx.Client, request: dict[str, object]) -> None:
    path = str(request["path"])
    if path.startswith("/_emulator"):
        return
    answer = _send(clickhelp, request, path)
    if answer.status_code == 500:  # only the documented answer to a body that is not JSON
        assert answer.json()["ExceptionType"] == "JsonReaderException", answer.text[:300]
    else:
        assert answer.status_code < 500 or answer.status_code == 501, (path, answer.text[:300])
