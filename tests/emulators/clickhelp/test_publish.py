"""Publishing as a task: new publication, Partial, FullReplace, Ready gate, task polling
(clickhelp.md §3.1, §4, §11 rows 14-16, 23)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from hcsync.emulators.clickhelp import Store

from .conftest import PROJECT, T0_TEXT, Api, FakeClock, assert_error


def pub_titles(api: Api, pub: str = "guide") -> list[str]:
    return [t["title"] for t in api.get(f"projects/{pub}/articles").json()]


def test_publish_is_a_task_read_once_after_completion(api: Api, store: Store) -> None:
    api.create_topic("install")
    r = api.post(
        f"projects/{PROJECT}",
        params={"action": "publish"},
        json={"pubId": "guide", "pubName": "Guide", "pubVisibility": "Public"},
    )
    assert r.status_code == 201
    key = r.json()["taskKey"]
    assert len(key) == 32 and int(key, 16) >= 0
    assert r.headers["location"] == f"http://testserver/api/v1/tasks/{key}"
    assert_error(api.get("projects/guide"), 404, "Project or publication 'guide' was not found.")
    first = api.get(f"tasks/{key}")
    assert first.json() == {
        "isSucceeded": None,
        "isWorking": True,
        "overallProgress": 50,
        "maxOverallProgress": 100,
        "statusText": "Publishing topics",
        "taskName": "Publish project 'Widget Guide'",
    }
    final = api.get(f"tasks/{key}").json()
    assert final == {
        "isSucceeded": True,
        "isWorking": False,
        "overallProgress": 100,
        "maxOverallProgress": 100,
        "statusText": "Publication 'guide' is ready.",
        "taskName": "Publish project 'Widget Guide'",
    }
    assert_error(api.get(f"tasks/{key}"), 404, f"Task '{key}' was not found.")
    pub = api.get("projects/guide").json()
    assert pub == {
        "id": "guide",
        "url": "guide",
        "title": "Guide",
        "parentId": PROJECT,
        "parentUrl": PROJECT,
        "visibility": "Public",
        "createdOn": T0_TEXT,
        "fullUrl": "http://testserver/articles/guide",
        "lang": "en-US",
        "baseLangProjectId": None,
    }
    topic = api.get("projects/guide/articles/install").json()
    assert (topic["projectId"], topic["body"], topic["modifiedOn"]) == (
        "guide",
        "<p>install</p>",
        T0_TEXT,
    )
    kinds = [(p["id"], p["parentId"]) for p in api.get("projects").json()]
    assert kinds == [(PROJECT, None), ("guide", PROJECT)]
    assert [p["id"] for p in api.get("projects", params={"types": "Publication"}).json()] == [
        "guide"
    ]


def test_task_finishes_by_time_without_polling(api: Api, store: Store, clock: FakeClock) -> None:
    api.create_topic("install")
    key = api.publish(pubId="guide", pubName="Guide")
    clock.advance(1.9)
    assert_error(api.get("projects/guide"), 404)
    clock.advance(0.1)
    assert api.get("projects/guide").json()["visibility"] == "Private"
    assert api.get(f"tasks/{key}").json()["isSucceeded"] is True
    assert_error(api.get(f"tasks/{key}"), 404)


def test_zero_polls_finishes_on_the_first_read(api: Api, store: Store) -> None:
    store.task_polls = 0
    key = api.publish(pubId="guide", pubName="Guide")
    assert api.get(f"tasks/{key}").json()["isWorking"] is False


def test_failed_task_reports_false_and_publishes_nothing(api: Api, store: Store) -> None:
    store.fail_next_tasks(1)
    state = api.wait(api.publish(pubId="guide", pubName="Guide"))
    assert (state["isSucceeded"], state["statusText"]) == (
        False,
        "Publishing failed: an internal error occurred (emulated).",
    )
    assert_error(api.get("projects/guide"), 404)
    assert api.wait(api.publish(pubId="guide", pubName="Guide"))["isSucceeded"] is True


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"pubName": "G"}, 400, "Give either 'pubId' (a new publication) or 'updatedPubId'."),
        (
            {"pubId": "g", "updatedPubId": "h", "pubName": "G"},
            400,
            "Give either 'pubId' (a new publication) or 'updatedPubId'.",
        ),
        ({"pubId": "g"}, 400, "'pubName' is required."),
        (
            {"pubId": "g", "pubName": "G", "pubVisibility": "public"},
            400,
            "Visibility 'public' is not one of Private, Restricted, Public.",
        ),
        (
            {"pubId": PROJECT, "pubName": "G"},
            409,
            f"Project or publication with ID '{PROJECT}' already exists.",
        ),
        (
            {"updatedPubId": "nope", "updateMode": "Partial"},
            400,
            "Publication 'nope' does not exist.",
        ),
        ({"updatedPubId": "g"}, 400, "'updateMode' is required."),
        (
            {"pubId": "g", "pubName": "G", "publishedTocNodeIds": ["x"]},
            400,
            f"TOC node 'x' does not exist in '{PROJECT}'.",
        ),
        (
            {"pubId": "g", "pubName": "G", "isPublishOnlyReadyTopics": "true"},
            400,
            "'isPublishOnlyReadyTopics' must be true or false.",
        ),
    ],
)
def test_invalid_publish(api: Api, body: dict[str, object], status: int, message: str) -> None:
    r = api.post(f"projects/{PROJECT}", params={"action": "publish"}, json=body)
    assert_error(r, status, message)


def test_publish_errors_on_the_url(api: Api) -> None:
    api.wait(api.publish(pubId="guide", pubName="Guide"))
    assert_error(api.post("projects/nope", params={"action": "publish"}, json={}), 404)
    r = api.post(
        "projects/guide", params={"action": "publish"}, json={"pubId": "x", "pubName": "X"}
    )
    assert_error(r, 400, "'guide' is a publication; publish its project instead.")
    assert_error(
        api.post(f"projects/{PROJECT}", params={"action": "export"}, json={}),
        501,
        "The emulator does not support action 'export'.",
    )
    assert_error(
        api.post(f"projects/{PROJECT}", json={}), 400, "Unknown action '': use action=publish."
    )
    r = api.post(
        f"projects/{PROJECT}", params={"action": "publish"}, json={"pubId": "guide", "pubName": "G"}
    )
    assert_error(r, 409, "Project or publication with ID 'guide' already exists.")


def test_a_pending_new_publication_reserves_its_id(api: Api) -> None:
    api.publish(pubId="guide", pubName="Guide")
    r = api.post(
        f"projects/{PROJECT}", params={"action": "publish"}, json={"pubId": "guide", "pubName": "G"}
    )
    assert_error(r, 409, "Project or publication with ID 'guide' already exists.")


def test_ready_gate_drops_a_non_ready_topic_with_its_subtree(api: Api) -> None:
    parent = api.create_topic("parent", statusName="Draft")
    api.create_topic("child", statusName="Ready", parentTocNodeId=parent["tocNodeId"])
    folder = api.create_folder("Folder")
    api.create_topic("ready", statusName="Ready", parentTocNodeId=folder["id"])
    api.wait(api.publish(pubId="guide", pubName="Guide", isPublishOnlyReadyTopics=True))
    assert api.topic_ids("guide") == ["ready"]
    assert [n["caption"] or n["topicId"] for n in api.nodes("guide")] == ["Folder", "ready"]


def test_partial_adds_refreshes_and_never_moves_or_deletes(api: Api, clock: FakeClock) -> None:
    a = api.create_folder("A")
    api.create_topic("one", parentTocNodeId=a["id"])
    api.create_topic("two")
    api.wait(api.publish(pubId="guide", pubName="Guide"))
    clock.advance(5)
    api.patch(
        f"projects/{PROJECT}/articles/one", json={"updatedFields": "title", "title": "One v2"}
    )
    one_node = api.get(f"projects/{PROJECT}/articles/one").json()["tocNodeId"]
    api.patch(
        f"projects/{PROJECT}/toc/nodes/{one_node}",
        json={"updatedFields": "parentId,isShowInToc", "parentId": None, "isShowInToc": False},
    )
    api.delete(f"projects/{PROJECT}/articles/two")
    three = api.create_topic("three", parentTocNodeId=a["id"])
    state = api.wait(
        api.publish(
            updatedPubId="guide",
            updateMode="Partial",
            publishedTocNodeIds=[one_node, three["tocNodeId"]],
        )
    )
    assert state["isSucceeded"] is True
    pub_nodes = api.nodes("guide")
    assert [(n["caption"] or n["topicId"], n["parentId"], n["isShowInToc"]) for n in pub_nodes] == [
        ("A", None, True),
        ("three", a["id"], True),  # at its project ordinalNo (0), clamped
        ("one", a["id"], True),  # not moved, still shown
        ("two", None, True),  # not deleted
    ]
    one = api.get("projects/guide/articles/one").json()
    assert (one["title"], one["modifiedOn"]) == ("One v2", "2026-01-01T00:00:05")


def test_partial_skips_a_node_whose_parent_is_not_published(api: Api) -> None:
    api.wait(api.publish(pubId="guide", pubName="Guide"))
    folder = api.create_folder("New folder")
    child = api.create_topic("child", parentTocNodeId=folder["id"])
    state = api.wait(
        api.publish(
            updatedPubId="guide", updateMode="Partial", publishedTocNodeIds=[child["tocNodeId"]]
        )
    )
    assert state["statusText"] == (
        "Publication 'guide' is ready. Warnings: Skipped topic 'child': its parent is not in "
        "the publication."
    )
    assert api.topic_ids("guide") == []


def test_full_replace_removes_and_moves(api: Api) -> None:
    a = api.create_folder("A")
    api.create_topic("one", parentTocNodeId=a["id"])
    api.create_topic("two")
    api.wait(api.publish(pubId="guide", pubName="Guide"))
    api.delete(f"projects/{PROJECT}/articles/two")
    node = api.get(f"projects/{PROJECT}/articles/one").json()["tocNodeId"]
    api.patch(
        f"projects/{PROJECT}/toc/nodes/{node}",
        json={"updatedFields": "parentId,ordinalNo", "parentId": None, "ordinalNo": 0},
    )
    api.wait(
        api.publish(
            updatedPubId="guide",
            updateMode="FullReplace",
            pubName="Guide 2",
            pubVisibility="Restricted",
        )
    )
    assert [(n["caption"] or n["topicId"], n["parentId"]) for n in api.nodes("guide")] == [
        ("one", None),
        ("A", None),
    ]
    assert api.topic_ids("guide") == ["one"]
    pub = api.get("projects/guide").json()
    assert (pub["title"], pub["visibility"]) == ("Guide 2", "Restricted")


def test_publication_topics_can_be_patched_and_deleted_but_not_created(api: Api) -> None:
    api.create_topic("one")
    api.wait(api.publish(pubId="guide", pubName="Guide"))
    r = api.patch("projects/guide/articles/one", json={"updatedFields": "title", "title": "Fixed"})
    assert r.json()["title"] == "Fixed"
    assert api.get(f"projects/{PROJECT}/articles/one").json()["title"] == "One"
    r = api.post(
        "projects/guide/articles",
        json={"id": "x", "statusName": "Draft", "assigneeUserName": "kim", "ownerUserName": "kim"},
    )
    assert_error(r, 400, "Cannot create topics in publication 'guide'; change its project.")
    assert_error(
        api.post("projects/guide/toc/nodes", json={"caption": "F"}),
        400,
        "Cannot create TOC nodes in publication 'guide'; change its project.",
    )
    assert api.delete("projects/guide/articles/one").status_code == 204
    assert api.topic_ids("guide") == [] and api.topic_ids() == ["one"]


def test_images_are_copied_and_urls_rewritten(
    api: Api, make_client: Callable[..., httpx.Client]
) -> None:
    api.post(
        f"storage/{PROJECT}/images/cli.png",
        params={"format": "base64"},
        json={"content": "iVBORw0KGgo="},
    )
    api.create_topic("one", body=f'<img src="/resources/Storage/{PROJECT}/images/cli.png">')
    api.wait(api.publish(pubId="guide", pubName="Guide", pubVisibility="Public"))
    body = api.get("projects/guide/articles/one").json()["body"]
    assert body == '<img src="/resources/Storage/guide/images/cli.png">'
    anon = make_client(None)
    r = anon.get("/resources/Storage/guide/images/cli.png")
    assert (r.status_code, r.headers["content-type"], r.content) == (
        200,
        "image/png",
        b"\x89PNG\r\n\x1a\n",
    )
    assert_error(
        anon.get(f"/resources/Storage/{PROJECT}/images/cli.png"),
        401,
        "Authorization is required for this file.",
    )
    assert api.client.get(f"/resources/Storage/{PROJECT}/images/cli.png").status_code == 200


def test_visibility_patch(api: Api) -> None:
    api.wait(api.publish(pubId="guide", pubName="Guide"))
    r = api.patch("projects/guide", json={"updatedFields": "visibility", "visibility": "Public"})
    assert (r.status_code, r.json()["visibility"]) == (200, "Public")
    assert_error(
        api.patch("projects/guide", json={"updatedFields": "visibility", "visibility": "public"}),
        400,
        "Visibility 'public' is not one of Private, Restricted, Public.",
    )
    assert_error(
        api.patch(
            f"projects/{PROJECT}", json={"updatedFields": "visibility", "visibility": "Public"}
        ),
        400,
        f"'{PROJECT}' is a project; only publications have a visibility.",
    )
    assert_error(api.patch("projects/guide", json={"visibility": "Public"}), 400)
