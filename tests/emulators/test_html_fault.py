"""The ``html`` fault kind: a proxy's error page (200, text/html) in place of an answer, in
both the CLI spec and the JSON rule form, logged with status 200 (both emulators)."""

from __future__ import annotations

import base64

import pytest

from hcsync.emulators.common.faults import (
    HTML_FAULT_PAGE,
    FaultRule,
    SettingError,
    parse_fault_spec,
)
from tests.e2e.centers import emulator, make_center


def test_the_spec_and_json_forms_parse() -> None:
    (rule,) = parse_fault_spec("html:0.25")
    assert (rule.kind, rule.rate, rule.answered) == ("html", 0.25, 200)
    rule = FaultRule.from_json({"html": 1, "path": "/drafts$", "times": 2})
    assert rule.to_json() == {
        "kind": "html",
        "rate": 1.0,
        "path": "/drafts$",
        "times": 2,
        "fired": 0,
    }
    assert [r.kind for r in parse_fault_spec("500:0.1,reset:0.2,timeout:0.1")] == [
        "status",
        "reset",
        "timeout",
    ]
    with pytest.raises(SettingError, match="html:RATE"):
        parse_fault_spec("proxy:1")


@pytest.mark.parametrize("kind", ["helpcenter", "clickhelp"])
def test_the_emulators_answer_the_page(kind: str) -> None:
    with emulator(kind) as (store, app, base_url):
        center = make_center(kind, store, app, base_url)
        try:
            center.set_faults([{"html": 1.0, "method": "GET", "times": 1}])
            path = (
                f"/v0/centers/{center.center_id}"  # type: ignore[attr-defined]
                if kind == "helpcenter"
                else "/api/v1/projects"
            )
            headers = center_headers(center)
            first = center.client.get(path, headers=headers)
            assert first.status_code == 200
            assert first.headers["content-type"].startswith("text/html")
            assert first.text == HTML_FAULT_PAGE
            second = center.client.get(path, headers=headers)  # control: times=1
            assert second.headers["content-type"].startswith("application/json")
            logged = center.request_log()
            assert [(r["status"], r["fault"]) for r in logged] == [(200, "html"), (200, None)]
        finally:
            center.client.close()


def center_headers(center: object) -> dict[str, str]:
    env = center.env()  # type: ignore[attr-defined]
    if "HCSYNC_API_KEY" in env:
        return {"Authorization": f"Bearer {env['HCSYNC_API_KEY']}"}
    pair = f"{env['HCSYNC_CLICKHELP_LOGIN']}:{env['HCSYNC_CLICKHELP_API_KEY']}"
    return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}
