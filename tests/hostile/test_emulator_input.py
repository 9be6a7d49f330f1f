"""The emulators answer client input as the documentation says, never with a 500 of their
own: unparseable or too-deep JSON is Help.Center's 400 ``invalid_json`` and ClickHelp's
documented JsonReaderException answer; a Storage path leaving the root is a 404."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.emulator_clients import clickhelp_client, helpcenter_client

DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.fixture
def hc_client() -> Iterator[tuple[httpx.Client, str]]:
    with helpcenter_client() as found:
        yield found


@pytest.fixture
def ch_client() -> Iterator[httpx.Client]:
    with clickhelp_client() as client:
        yield client


def test_helpcenter_deep_json_is_invalid_json(hc_client: tuple[httpx.Client, str]) -> None:
    client, center = hc_client
    answer = client.post(f"/v0/centers/{center}/articles", content=DEEP, headers=_JSON)
    assert (answer.status_code, answer.json()) == (
        400,
        {
            "error": {
                "type": "invalid_request_error",
                "message": "The request body is nested too deeply",
                "code": "invalid_json",
            }
        },
    )


def test_clickhelp_deep_json_is_its_documented_parse_error(ch_client: httpx.Client) -> None:
    answer = ch_client.post("/api/v1/projects/p1/articles", content=DEEP, headers=_JSON)
    assert (answer.status_code, answer.json()) == (
        500,
        {
            "Message": "Error parsing the request body as JSON: nested too deeply",
            "ExceptionType": "JsonReaderException",
            "ExceptionDetail": None,
            "StackTrace": None,
        },
    )


@pytest.mark.parametrize(
    "path",
    [
        "/resources/Storage/%2e%2e/x",
        "/resources/Storage/p1/%2E%2E/%2e%2e/etc/passwd",
        "/resources/Storage/p1/./x.png",
        "/resources/Storage/%5c..%5cx",
    ],
)
def test_storage_paths_leaving_the_root_are_404(ch_client: httpx.Client, path: str) -> None:
    answer = ch_client.get(path)
    assert (answer.status_code, answer.text) == (404, "Not found")


_JSON = {"content-type": "application/json"}
