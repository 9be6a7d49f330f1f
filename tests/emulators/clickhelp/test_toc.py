"""TOC nodes: folders, ordinalNo, moves, children, deletes (clickhelp.md §3.3, §11 rows 6-7)."""

from __future__ import annotations

import pytest

from .conftest import PROJECT, Api, assert_error


def order(api: Api, parent: str | None = None) -> list[str]:
    """Captions (or topic ids) of one parent's children, in TOC order."""
    return [n["caption"] or n["topicId"] for n in api.nodes() if n["parentId"] == parent]


def test_create_folder_returns_201_location_and_the_node(api: Api) -> None:
    r = api.post(f"projects/{PROJECT}/toc/nodes", json={"caption": "Guides"})
    assert r.status_code == 201
    node = r.json()
    assert (
        r.headers["location"]
        == f"http://testserver/api/v1/projects/{PROJECT}/toc/nodes/{node['id']}"
    )
    assert node == {
        "id": node["id"],
        "parentId": None,
        "ordinalNo": 0,
        "topicId": None,
        "caption": "Guides",
        "isShowInToc": False,
        "isAutoDocsMountPoint": False,
    }
    assert len(node["id"]) == 36 and node["id"].count("-") == 4


def test_ordinal_inserts_shift_clamp_and_append(api: Api) -> None:
    api.create_folder("A")
    api.create_folder("B")
    api.create_folder("C", ordinalNo=0)
    api.create_folder("D", ordinalNo=99)
    api.create_folder("E", ordinalNo=-1)
    api.create_folder("F", ordinalNo=2)
    assert order(api) == ["C", "A", "F", "B", "D", "E"]
    assert [n["ordinalNo"] for n in api.nodes()] == [0, 1, 2, 3, 4, 5]


def test_move_with_parent_and_ordinal(api: Api) -> None:
    guides = api.create_folder("Guides")
    api.create_folder("Billing")
    topic = api.create_topic("install")
    node_id = topic["tocNodeId"]
    r = api.patch(
        f"projects/{PROJECT}/toc/nodes/{node_id}",
        json={"updatedFields": "parentId,ordinalNo", "parentId": guides["id"], "ordinalNo": 5},
    )
    assert r.status_code == 200
    assert (r.json()["parentId"], r.json()["ordinalNo"], r.json()["topicId"]) == (
        guides["id"],
        0,
        "install",
    )
    assert order(api) == ["Guides", "Billing"]
    r = api.patch(
        f"projects/{PROJECT}/toc/nodes/{node_id}",
        json={"updatedFields": "parentId,ordinalNo", "parentId": None, "ordinalNo": 1},
    )
    assert order(api) == ["Guides", "install", "Billing"]
    r = api.patch(
        f"projects/{PROJECT}/toc/nodes/{node_id}",
        json={"updatedFields": "ordinalNo", "ordinalNo": 0},
    )
    assert order(api) == ["install", "Guides", "Billing"]


def test_caption_and_visibility_patch_and_unlisted_fields_stay(api: Api) -> None:
    folder = api.create_folder("Guides")
    r = api.patch(
        f"projects/{PROJECT}/toc/nodes/{folder['id']}",
        json={"updatedFields": "caption", "caption": "How-to", "isShowInToc": False},
    )
    assert (r.json()["caption"], r.json()["isShowInToc"]) == ("How-to", True)
    r = api.patch(
        f"projects/{PROJECT}/toc/nodes/{folder['id']}", json={"updatedFields": "isShowInToc"}
    )
    assert r.json()["isShowInToc"] is False


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"caption": "x"},
            "'updatedFields' is required: list the fields to change, comma-separated.",
        ),
        (
            {"updatedFields": "topicId"},
            "Field 'topicId' cannot be updated. Updatable fields: caption, "
            "isShowInToc, ordinalNo, parentId.",
        ),
        (
            {"updatedFields": "parentId", "parentId": "nope"},
            f"Parent TOC node 'nope' does not exist in '{PROJECT}'.",
        ),
        ({"updatedFields": "ordinalNo", "ordinalNo": "2"}, "'ordinalNo' must be an integer."),
    ],
)
def test_invalid_node_patch_is_400(api: Api, body: dict[str, object], message: str) -> None:
    folder = api.create_folder("Guides")
    assert_error(api.patch(f"projects/{PROJECT}/toc/nodes/{folder['id']}", json=body), 400, message)


def test_moving_under_itself_is_400(api: Api) -> None:
    outer = api.create_folder("Outer")
    inner = api.create_folder("Inner", parentId=outer["id"])
    for target in (outer["id"], inner["id"]):
        r = api.patch(
            f"projects/{PROJECT}/toc/nodes/{outer['id']}",
            json={"updatedFields": "parentId", "parentId": target},
        )
        assert_error(r, 400, f"Cannot move TOC node '{outer['id']}' under itself.")
    assert api.get(f"projects/{PROJECT}/toc/nodes/{outer['id']}").json()["parentId"] is None


def test_children_direct_and_recursive(api: Api) -> None:
    outer = api.create_folder("Outer")
    inner = api.create_folder("Inner", parentId=outer["id"])
    api.create_topic("deep", parentTocNodeId=inner["id"])
    api.create_topic("shallow", parentTocNodeId=outer["id"])
    url = f"projects/{PROJECT}/toc/nodes/{outer['id']}/children"
    assert [n["caption"] or n["topicId"] for n in api.get(url).json()] == ["Inner", "shallow"]
    for flag in ("true", "True"):
        got = api.get(url, params={"isRecursive": flag}).json()
        assert [n["caption"] or n["topicId"] for n in got] == ["Inner", "deep", "shallow"]
    assert_error(
        api.get(url, params={"isRecursive": "yes"}),
        400,
        "Query parameter 'isRecursive' must be true or false.",
    )
    assert_error(
        api.get(f"projects/{PROJECT}/toc/nodes/nope/children"),
        404,
        f"TOC node 'nope' was not found in '{PROJECT}'.",
    )


def test_list_is_depth_first(api: Api) -> None:
    a = api.create_folder("A")
    api.create_folder("B")
    api.create_topic("a1", parentTocNodeId=a["id"])
    assert [n["caption"] or n["topicId"] for n in api.nodes()] == ["A", "a1", "B"]
    assert api.topic_ids() == ["a1"]


def test_delete_folder_removes_subtree_and_topics(api: Api) -> None:
    a = api.create_folder("A")
    api.create_folder("B")
    api.create_topic("a1", parentTocNodeId=a["id"])
    r = api.delete(f"projects/{PROJECT}/toc/nodes/{a['id']}")
    assert (r.status_code, r.content) == (204, b"")
    assert [(n["caption"], n["ordinalNo"]) for n in api.nodes()] == [("B", 0)]
    assert api.topic_ids() == []
    assert_error(api.delete(f"projects/{PROJECT}/toc/nodes/{a['id']}"), 404)


def test_delete_topic_node_deletes_the_topic(api: Api) -> None:
    t = api.create_topic("t")
    assert api.delete(f"projects/{PROJECT}/toc/nodes/{t['tocNodeId']}").status_code == 204
    assert_error(api.get(f"projects/{PROJECT}/articles/t"), 404)


def test_bulk_delete_nodes(api: Api) -> None:
    a, b, c = (api.create_folder(x) for x in "ABC")
    r = api.delete(f"projects/{PROJECT}/toc/nodes", json={"tocNodeIds": [a["id"], "nope"]})
    assert_error(r, 404, f"TOC node 'nope' was not found in '{PROJECT}'.")
    assert order(api) == ["A", "B", "C"]
    r = api.delete(f"projects/{PROJECT}/toc/nodes", json={"tocNodeIds": [a["id"], c["id"]]})
    assert r.status_code == 204
    assert order(api) == ["B"]
    assert_error(
        api.delete(f"projects/{PROJECT}/toc/nodes", json={"ids": [b["id"]]}),
        400,
        "'tocNodeIds' is required: the TOC node IDs to delete.",
    )


def test_folder_caption_is_required(api: Api) -> None:
    assert_error(
        api.post(f"projects/{PROJECT}/toc/nodes", json={"caption": " "}),
        400,
        "'caption' is required.",
    )
    assert_error(
        api.post(f"projects/{PROJECT}/toc/nodes", json={"caption": "A", "parentId": "x"}),
        400,
        f"Parent TOC node 'x' does not exist in '{PROJECT}'.",
    )
