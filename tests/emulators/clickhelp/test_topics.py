"""Topics: create, get, list, PATCH with updatedFields, delete (clickhelp.md §3.2)."""

from __future__ import annotations

import pytest

from hcsync.emulators.clickhelp import Store

from .conftest import PROJECT, T0_TEXT, Api, FakeClock, assert_error


def test_create_returns_201_location_and_the_topic_without_body(api: Api) -> None:
    folder = api.create_folder("Getting started")
    r = api.post(
        f"projects/{PROJECT}/articles",
        json={
            "id": "install-cli",
            "title": "Install the CLI",
            "body": "<h2>Requirements</h2><p>Python 3.10 or later.</p>",
            "statusName": "Draft",
            "assigneeUserName": "kim",
            "ownerUserName": "kim",
            "parentTocNodeId": folder["id"],
            "isShowInToc": True,
            "indexKeywords": ["cli", "install"],
            "projectId": "ignored",
        },
    )
    assert r.status_code == 201
    assert r.headers["location"] == (
        f"http://testserver/api/v1/projects/{PROJECT}/articles/install-cli"
    )
    body = r.json()
    node_id = body.pop("tocNodeId")
    assert body == {
        "id": "install-cli",
        "url": "install-cli",
        "title": "Install the CLI",
        "body": None,
        "html": None,
        "statusName": "Draft",
        "assigneeUserName": "kim",
        "ownerUserName": "kim",
        "indexKeywords": ["cli", "install"],
        "createdOn": T0_TEXT,
        "modifiedOn": T0_TEXT,
        "projectId": PROJECT,
        "projectUrl": PROJECT,
        "projectTitle": "Widget Guide",
        "fullUrl": f"http://testserver/articles/{PROJECT}/install-cli",
        "smartLink": f"http://testserver/smart/{PROJECT}/install-cli",
        "ftsTitleHtml": None,
        "ftsSnippetHtml": None,
    }
    node = api.get(f"projects/{PROJECT}/toc/nodes/{node_id}").json()
    assert node == {
        "id": node_id,
        "parentId": folder["id"],
        "ordinalNo": 0,
        "topicId": "install-cli",
        "caption": "",
        "isShowInToc": True,
        "isAutoDocsMountPoint": False,
    }


def test_get_fills_body_and_html_list_does_not(api: Api) -> None:
    api.create_topic("b-topic")
    api.create_topic("a-topic", tocNodeOrdinalNo=0)
    got = api.get(f"projects/{PROJECT}/articles/b-topic").json()
    assert got["body"] == "<p>b-topic</p>"
    assert got["html"] == (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>B Topic</title></head>'
        "<body><p>b-topic</p></body></html>"
    )
    listed = api.get(f"projects/{PROJECT}/articles", params={"q": "ignored"}).json()
    assert [(t["id"], t["body"], t["html"]) for t in listed] == [
        ("a-topic", None, None),
        ("b-topic", None, None),
    ]


def test_defaults_title_is_the_id_and_not_shown_in_toc(api: Api) -> None:
    r = api.post(
        f"projects/{PROJECT}/articles",
        json={
            "id": "bare",
            "statusName": "draft",
            "assigneeUserName": "kim",
            "ownerUserName": "kim",
        },
    )
    assert r.status_code == 201
    assert (r.json()["title"], r.json()["statusName"], r.json()["indexKeywords"]) == (
        "bare",
        "Draft",
        [],
    )
    assert api.nodes()[0]["isShowInToc"] is False
    assert api.get(f"projects/{PROJECT}/articles/bare").json()["body"] == ""


def test_duplicate_id_is_409(api: Api) -> None:
    api.create_topic("install-cli")
    r = api.post(
        f"projects/{PROJECT}/articles",
        json={
            "id": "install-cli",
            "statusName": "Draft",
            "assigneeUserName": "kim",
            "ownerUserName": "kim",
        },
    )
    assert_error(r, 409, f"Topic with ID 'install-cli' already exists in project '{PROJECT}'.")
    assert r.json()["ExceptionType"] == "ConflictException"
    assert len(api.nodes()) == 1


@pytest.mark.parametrize("missing", ["id", "statusName", "assigneeUserName", "ownerUserName"])
def test_required_fields(api: Api, missing: str) -> None:
    body = {"id": "t", "statusName": "Draft", "assigneeUserName": "kim", "ownerUserName": "kim"}
    del body[missing]
    assert_error(
        api.post(f"projects/{PROJECT}/articles", json=body), 400, f"'{missing}' is required."
    )
    assert api.topic_ids() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"statusName": "Published"}, "Status 'Published' does not exist. Known: Draft, Ready."),
        (
            {"assigneeUserName": "ghost"},
            "Assignee 'ghost' is not an enabled Contributor of this portal.",
        ),
        ({"ownerUserName": "rev"}, "Owner 'rev' is not an enabled Contributor of this portal."),
        ({"parentTocNodeId": "nope"}, f"Parent TOC node 'nope' does not exist in '{PROJECT}'."),
        (
            {"id": "has space"},
            "Topic ID 'has space' is not valid: use 1-255 letters, digits, "
            "'.', '_' or '-', starting with a letter or digit.",
        ),
        ({"isShowInToc": "yes"}, "'isShowInToc' must be true or false."),
        ({"tocNodeOrdinalNo": "1"}, "'tocNodeOrdinalNo' must be an integer."),
        ({"indexKeywords": "cli"}, "'indexKeywords' must be an array of strings."),
    ],
)
def test_invalid_create_is_400(
    api: Api, store: Store, change: dict[str, object], message: str
) -> None:
    store.create_user("rev", "Reviewer")
    body = {"id": "t", "statusName": "Draft", "assigneeUserName": "kim", "ownerUserName": "kim"}
    assert_error(api.post(f"projects/{PROJECT}/articles", json={**body, **change}), 400, message)
    assert api.topic_ids() == []


def test_unknown_project_is_404(api: Api) -> None:
    assert_error(
        api.post("projects/nope/articles", json={"id": "t"}),
        404,
        "Project or publication 'nope' was not found.",
    )
    assert_error(api.get("projects/nope/articles"), 404)
    assert_error(
        api.get(f"projects/{PROJECT}/articles/nope"),
        404,
        f"Topic 'nope' was not found in '{PROJECT}'.",
    )


def test_patch_changes_only_listed_fields_and_returns_the_full_topic(
    api: Api, clock: FakeClock
) -> None:
    api.create_topic("install-cli", indexKeywords=["cli"])
    clock.advance(61)
    r = api.patch(
        f"projects/{PROJECT}/articles/install-cli",
        json={
            "updatedFields": "title, BODY,statusName",
            "title": "New",
            "body": "<p>2</p>",
            "statusName": "ready",
            "indexKeywords": ["not", "listed"],
        },
    )
    assert r.status_code == 200
    got = r.json()
    assert (got["title"], got["body"], got["statusName"], got["indexKeywords"]) == (
        "New",
        "<p>2</p>",
        "Ready",
        ["cli"],
    )
    assert (got["createdOn"], got["modifiedOn"]) == (T0_TEXT, "2026-01-01T00:01:01")
    assert got == api.get(f"projects/{PROJECT}/articles/install-cli").json()


def test_modified_on_has_second_precision(api: Api, clock: FakeClock) -> None:
    api.create_topic("t")
    clock.advance(0.9)
    r = api.patch(f"projects/{PROJECT}/articles/t", json={"updatedFields": "title", "title": "X"})
    assert r.json()["modifiedOn"] == T0_TEXT
    clock.advance(0.1)
    r = api.patch(f"projects/{PROJECT}/articles/t", json={"updatedFields": "title", "title": "X"})
    assert r.json()["modifiedOn"] == "2026-01-01T00:00:01"


def test_patch_listed_but_absent_clears_the_field(api: Api) -> None:
    api.create_topic("t", indexKeywords=["a"])
    r = api.patch(f"projects/{PROJECT}/articles/t", json={"updatedFields": "body,indexKeywords"})
    assert (r.json()["body"], r.json()["indexKeywords"], r.json()["title"]) == ("", [], "T")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"title": "x"},
            "'updatedFields' is required: list the fields to change, comma-separated.",
        ),
        (
            {"updatedFields": " , "},
            "'updatedFields' is required: list the fields to change, comma-separated.",
        ),
        (
            {"updatedFields": "id", "id": "y"},
            "Field 'id' cannot be updated. Updatable fields: title, "
            "body, statusName, assigneeUserName, ownerUserName, indexKeywords.",
        ),
        ({"updatedFields": "statusName"}, "'statusName' is required."),
        (
            {"updatedFields": "ownerUserName", "ownerUserName": "ghost"},
            "Owner 'ghost' is not an enabled Contributor of this portal.",
        ),
        ({"updatedFields": "title", "title": 5}, "'title' must be a string."),
    ],
)
def test_invalid_patch_is_400_and_changes_nothing(
    api: Api, store: Store, body: dict[str, object], message: str
) -> None:
    api.create_topic("t")
    assert_error(api.patch(f"projects/{PROJECT}/articles/t", json=body), 400, message)
    assert store.topic(PROJECT, "t").title == "T"


def test_patch_unknown_topic_is_404(api: Api) -> None:
    r = api.patch(f"projects/{PROJECT}/articles/nope", json={"updatedFields": "title"})
    assert_error(r, 404, f"Topic 'nope' was not found in '{PROJECT}'.")


def test_locked_topic_is_409(api: Api, store: Store) -> None:
    api.create_topic("t")
    store.lock_topic(PROJECT, "t", "ann")
    r = api.patch(f"projects/{PROJECT}/articles/t", json={"updatedFields": "title", "title": "X"})
    assert_error(r, 409, "Topic 't' is locked by ann.")
    assert_error(api.delete(f"projects/{PROJECT}/articles/t"), 409, "Topic 't' is locked by ann.")
    store.lock_topic(PROJECT, "t", None)
    assert api.delete(f"projects/{PROJECT}/articles/t").status_code == 204


def test_delete_removes_the_node_and_its_subtree(api: Api) -> None:
    parent = api.create_topic("parent")
    api.create_topic("child", parentTocNodeId=parent["tocNodeId"])
    api.create_topic("other")
    r = api.delete(f"projects/{PROJECT}/articles/parent")
    assert (r.status_code, r.content) == (204, b"")
    assert api.topic_ids() == ["other"]
    assert [(n["topicId"], n["ordinalNo"]) for n in api.nodes()] == [("other", 0)]
    assert_error(api.delete(f"projects/{PROJECT}/articles/parent"), 404)


def test_bulk_delete_is_all_or_nothing(api: Api) -> None:
    for tid in ("a", "b", "c"):
        api.create_topic(tid)
    r = api.delete(f"projects/{PROJECT}/articles", json={"ids": ["a", "nope"]})
    assert_error(r, 404, f"Topic 'nope' was not found in '{PROJECT}'.")
    assert api.topic_ids() == ["a", "b", "c"]
    assert api.delete(f"projects/{PROJECT}/articles", json={"ids": ["a", "c"]}).status_code == 204
    assert api.topic_ids() == ["b"]
    assert_error(
        api.delete(f"projects/{PROJECT}/articles", json={}),
        400,
        "'ids' is required: the topic IDs to delete.",
    )


def test_web_edit_control_always_moves_modified_on(api: Api, store: Store) -> None:
    api.create_topic("t")
    r = api.client.patch(
        f"/_emulator/projects/{PROJECT}/articles/t", json={"title": "Edited", "body": "<p>web</p>"}
    )
    assert r.status_code == 200
    assert (r.json()["title"], r.json()["body"], r.json()["modifiedOn"]) == (
        "Edited",
        "<p>web</p>",
        "2026-01-01T00:00:01",
    )
    assert store.topic(PROJECT, "t").modified_on == store.now() + 1
