"""Test controls under /_emulator/, language versions, faults, opt-in rate limit, request log,
reset and the bootstrap helper."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from hcsync.emulators.clickhelp import ClickHelpEmulator, Store, bootstrap
from hcsync.emulators.common.ratelimit import RateLimit

from .conftest import PROJECT, Api, assert_error


def test_users_control(make_client: Callable[..., httpx.Client]) -> None:
    control = make_client(None)
    r = control.post("/_emulator/users", json={"login": "ann", "role": "Contributor"})
    assert r.status_code == 201
    body = r.json()
    assert (body["login"], body["role"], body["enabled"]) == ("ann", "Contributor", True)
    api = Api(make_client(("ann", body["api_key"])))
    assert api.get("users/ann").status_code == 200
    assert_error(
        control.post("/_emulator/users", json={"login": "ann"}),
        409,
        "User with login 'ann' already exists.",
    )
    assert_error(
        control.post("/_emulator/users", json={"login": "bo", "role": "Admin"}),
        400,
        "Role 'Admin' is not one of Contributor, Reviewer, PowerReader.",
    )
    new = control.post("/_emulator/users/ann/keys").json()["api_key"]
    assert new != body["api_key"]
    assert control.patch("/_emulator/users/ann", json={"enabled": False}).json()["enabled"] is False


def test_projects_control_and_language_versions(
    make_client: Callable[..., httpx.Client], api: Api, store: Store
) -> None:
    control = make_client(None)
    api.create_topic("install")
    folder = api.create_folder("Guides")
    r = control.post(
        "/_emulator/projects",
        json={
            "id": f"{PROJECT}-de",
            "title": "Widget-Handbuch",
            "lang": "de-DE",
            "base_project_id": PROJECT,
        },
    )
    assert r.status_code == 201
    assert (r.json()["lang"], r.json()["baseLangProjectId"], r.json()["parentId"]) == (
        "de-DE",
        PROJECT,
        None,
    )
    de = f"{PROJECT}-de"
    assert api.topic_ids(de) == ["install"]
    api.create_topic("upgrade", parentTocNodeId=folder["id"])
    assert api.topic_ids(de) == ["install", "upgrade"]
    assert [n["id"] for n in api.nodes(de)] == [n["id"] for n in api.nodes()]
    r = api.patch(
        f"projects/{de}/articles/upgrade",
        json={"updatedFields": "title,body", "title": "Aktualisieren", "body": "<p>de</p>"},
    )
    assert r.json()["title"] == "Aktualisieren"
    assert api.get(f"projects/{PROJECT}/articles/upgrade").json()["title"] == "Upgrade"
    r = api.post(
        f"projects/{de}/articles",
        json={"id": "x", "statusName": "Draft", "assigneeUserName": "kim", "ownerUserName": "kim"},
    )
    assert_error(
        r,
        400,
        f"Cannot create topics in language version '{de}'; its structure follows "
        f"base project '{PROJECT}'.",
    )
    r = api.patch(
        f"projects/{de}/toc/nodes/{folder['id']}",
        json={"updatedFields": "caption,ordinalNo", "caption": "Anleitungen", "ordinalNo": 0},
    )
    assert_error(
        r,
        400,
        f"Cannot change ordinalNo in language version '{de}'; its structure "
        f"follows base project '{PROJECT}'.",
    )
    r = api.patch(
        f"projects/{de}/toc/nodes/{folder['id']}",
        json={"updatedFields": "caption", "caption": "Anleitungen"},
    )
    assert r.json()["caption"] == "Anleitungen"
    assert_error(api.delete(f"projects/{de}/articles/install"), 400)
    api.delete(f"projects/{PROJECT}/articles/install")
    assert api.topic_ids(de) == ["upgrade"]
    assert_error(
        control.post(
            "/_emulator/projects", json={"id": "x", "lang": "de-DE", "base_project_id": PROJECT}
        ),
        409,
        f"Project '{PROJECT}' already has language de-DE.",
    )
    assert_error(
        control.post("/_emulator/projects", json={"id": "y", "lang": "german"}),
        400,
        "Language 'german' is not a four-letter code such as 'en-US'.",
    )


def test_faults_over_http(
    app: ClickHelpEmulator, api: Api, make_client: Callable[..., httpx.Client]
) -> None:
    control = make_client(None)
    r = control.post(
        "/_emulator/faults", json={"rules": [{"status": 500, "route": "users.get"}], "seed": 7}
    )
    assert r.json() == {
        "rules": [{"kind": "status", "rate": 1.0, "status": 500, "route": "users.get", "fired": 0}],
        "seed": 7,
    }
    assert_error(api.get("users/kim"), 500, "An error has occurred.")
    assert api.get("projects").status_code == 200
    control.post("/_emulator/faults", json={"rules": [{"reset": 1.0, "method": "GET"}]})
    with pytest.raises(httpx.RemoteProtocolError):
        api.get("projects")
    assert_error(
        control.post("/_emulator/faults", json={"rules": [{"status": 404}]}),
        400,
        "fault status must be one of [429, 500, 501, 502, 503, 504]",
    )
    control.delete("/_emulator/faults")
    assert api.get("projects").status_code == 200


def test_after_write_fault_commits_and_loses_the_response(
    app: ClickHelpEmulator, api: Api, store: Store
) -> None:
    app.set_faults([{"status": 503, "after_write": True, "route": "topics.create", "times": 1}])
    r = api.post(
        f"projects/{PROJECT}/articles",
        json={"id": "t", "statusName": "Draft", "assigneeUserName": "kim", "ownerUserName": "kim"},
    )
    assert_error(r, 503, "The service is temporarily unavailable.")
    assert store.topic(PROJECT, "t").id == "t"
    assert [e.fault for e in app.requests()] == ["status:503+after_write"]


def test_no_rate_limit_by_default_and_opt_in_429(
    app: ClickHelpEmulator, api: Api, make_client: Callable[..., httpx.Client]
) -> None:
    assert all(api.get("projects").status_code == 200 for _ in range(300))
    control = make_client(None)
    assert control.get("/_emulator/rate-limit").json() is None
    control.post("/_emulator/rate-limit", json={"per_minute": 60, "burst": 2})
    assert [api.get("projects").status_code for _ in range(3)] == [200, 200, 429]
    r = api.get("projects")
    assert r.headers["retry-after"] == "1"
    assert "x-ratelimit-limit" not in r.headers
    assert assert_error(r, 429).startswith("Too many requests (emulator pacing mode;")
    control.delete("/_emulator/rate-limit")
    assert api.get("projects").status_code == 200
    app.set_rate_limit(RateLimit(per_minute=1, burst=1))
    assert [api.get("projects").status_code for _ in range(2)] == [200, 429]


def test_request_log_never_holds_the_key(
    app: ClickHelpEmulator, api: Api, kim: tuple[str, str], make_client: Callable[..., httpx.Client]
) -> None:
    app.clear_requests()
    api.get("users/kim", params={"x": "1"})
    make_client(None).get("/api/v1/projects")
    log = make_client(None).get("/_emulator/requests")
    assert kim[1] not in log.text
    entries = log.json()["requests"]
    assert [
        (e["seq"], e["method"], e["path"], e["query"], e["status"], e["endpoint"], e["login"])
        for e in entries
    ] == [
        (1, "GET", "/api/v1/users/kim", "x=1", 200, "users.get", "kim"),
        (2, "GET", "/api/v1/projects", "", 401, "projects.list", None),
    ]
    assert entries[0]["time"] == "2026-01-01T00:00:00"


def test_task_controls(api: Api, make_client: Callable[..., httpx.Client]) -> None:
    control = make_client(None)
    assert control.post("/_emulator/tasks", json={"polls": 3, "seconds": 60}).json() == {
        "polls": 3,
        "seconds": 60.0,
    }
    key = api.publish(pubId="guide", pubName="Guide")
    listed = control.get("/_emulator/tasks").json()["tasks"]
    assert [(t["taskKey"], t["isWorking"]) for t in listed] == [(key, True)]
    control.post("/_emulator/tasks/finish")
    assert api.get("projects/guide").status_code == 200
    assert api.get(f"tasks/{key}").json()["isSucceeded"] is True


def test_control_publish_and_reset(
    app: ClickHelpEmulator, api: Api, store: Store, make_client: Callable[..., httpx.Client]
) -> None:
    control = make_client(None)
    api.create_topic("t")
    r = control.post(
        f"/_emulator/projects/{PROJECT}/publish",
        json={"pubId": "guide", "pubName": "Guide", "pubVisibility": "Public"},
    )
    assert (r.status_code, r.json()["visibility"], r.json()["warnings"]) == (200, "Public", [])
    assert control.post("/_emulator/reset").json() == {"reset": True}
    assert store.projects() == [] and store.users() == [] and app.requests() == []
    assert_error(control.get("/_emulator/nothing"), 404, "No API endpoint GET /_emulator/nothing.")


def test_bootstrap_creates_then_finds(store: Store) -> None:
    first = bootstrap(store)
    assert first.created is True
    assert (first.user.login, first.project.id, first.publication.id) == (
        "hcsync",
        "project-acme-help",
        "acme-help",
    )
    assert (
        first.publication.visibility == "Public"
        and first.publication.parent_id == "project-acme-help"
    )
    assert {k: v.id for k, v in first.languages.items()} == {
        "es": "project-acme-help-es",
        "de": "project-acme-help-de",
    }
    assert {k: (v.id, v.parent_id) for k, v in first.language_publications.items()} == {
        "es": ("acme-help-es", "project-acme-help-es"),
        "de": ("acme-help-de", "project-acme-help-de"),
    }
    assert first.languages["de"].lang == "de-DE"
    again = bootstrap(store)
    assert (again.created, again.api_key) == (False, first.api_key)
