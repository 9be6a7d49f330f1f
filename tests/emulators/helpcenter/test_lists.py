"""Lists, pagination, filters and counts: E6, E8, E15, E16 (helpcenter.md §3, §5, §6)."""

from __future__ import annotations

import pytest

from hcsync.emulators.helpcenter import Center, Store

from .conftest import Api, FakeClock, assert_error


@pytest.fixture
def five(api: Api, clock: FakeClock) -> list[str]:
    """Five drafts created one second apart; ids returned oldest first."""
    ids = []
    for n in range(5):
        ids.append(api.create(f"Article {n}", content={"html": f"<p>body {n}</p>"})["id"])
        clock.advance(1)
    return ids


def _ids(response_json: dict[str, object]) -> list[str]:
    data = response_json["data"]
    assert isinstance(data, list)
    return [item["id"] for item in data]


def test_drafts_list_envelope_newest_first(api: Api, center: Center, five: list[str]) -> None:
    r = api.get("/articles/drafts")
    assert r.status_code == 200
    body = r.json()
    assert body["object"] == "list"
    assert body["has_more"] is False
    assert body["count"] == 5
    assert body["url"] == f"/api/v0/centers/{center.id}/articles/drafts"
    assert _ids(body) == five[::-1]
    assert all(item["object"] == "draft" and "content" not in item for item in body["data"])


def test_published_list_only_live_articles(api: Api, center: Center, five: list[str]) -> None:
    api.publish(five[1])
    api.publish(five[3])
    body = api.get("/articles").json()
    assert _ids(body) == [five[3], five[1]]
    assert body["url"] == f"/api/v0/centers/{center.id}/articles"
    assert all(item["object"] == "article" for item in body["data"])
    assert body["count"] == 2


def test_forward_paging(api: Api, five: list[str]) -> None:
    newest_first = five[::-1]
    page1 = api.get("/articles/drafts?limit=2").json()
    assert (_ids(page1), page1["has_more"], page1["count"]) == (newest_first[:2], True, 2)
    page2 = api.get(f"/articles/drafts?limit=2&starting_after={newest_first[1]}").json()
    assert (_ids(page2), page2["has_more"]) == (newest_first[2:4], True)
    page3 = api.get(f"/articles/drafts?limit=2&starting_after={newest_first[3]}").json()
    assert (_ids(page3), page3["has_more"], page3["count"]) == (newest_first[4:], False, 1)
    last = api.get(f"/articles/drafts?limit=2&starting_after={newest_first[4]}").json()
    assert (_ids(last), last["has_more"], last["count"]) == ([], False, 0)


def test_backward_paging_keeps_order(api: Api, five: list[str]) -> None:
    newest_first = five[::-1]
    page = api.get(f"/articles/drafts?limit=2&ending_before={newest_first[4]}").json()
    assert (_ids(page), page["has_more"]) == (newest_first[2:4], True)
    page = api.get(f"/articles/drafts?limit=2&ending_before={newest_first[2]}").json()
    assert (_ids(page), page["has_more"]) == (newest_first[0:2], False)
    page = api.get(f"/articles/drafts?ending_before={newest_first[0]}").json()
    assert (_ids(page), page["has_more"]) == ([], False)


def test_default_limit_is_50_and_max_100(api: Api, store: Store, center: Center) -> None:
    for n in range(101):
        store.create_article(center.id, title=f"A{n}")
    assert api.get("/articles/drafts").json()["count"] == 50
    full = api.get("/articles/drafts?limit=100").json()
    assert (full["count"], full["has_more"]) == (100, True)


def test_ties_on_created_at_are_broken_by_id_descending(api: Api) -> None:
    ids = [api.create(f"Same time {n}")["id"] for n in range(3)]  # the clock does not move
    assert _ids(api.get("/articles/drafts").json()) == sorted(ids, reverse=True)


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", "", " "])
def test_bad_limit(api: Api, limit: str) -> None:
    assert_error(api.get(f"/articles/drafts?limit={limit}"), 400, "invalid_parameter")
    assert_error(api.get(f"/articles?limit={limit}"), 400, "invalid_parameter")


def test_both_cursors_is_400(api: Api, five: list[str]) -> None:
    r = api.get(f"/articles/drafts?starting_after={five[0]}&ending_before={five[1]}")
    assert_error(r, 400, "invalid_parameter")


def test_unknown_cursor_is_404_invalid_cursor(api: Api, five: list[str]) -> None:
    assert_error(api.get("/articles/drafts?starting_after=nope"), 404, "invalid_cursor")
    assert_error(api.get("/articles/drafts?ending_before=nope"), 404, "invalid_cursor")
    # a draft that exists but is not in the published set
    assert_error(api.get(f"/articles?starting_after={five[0]}"), 404, "invalid_cursor")


def test_status_filter(api: Api, five: list[str]) -> None:
    api.publish(five[0])
    api.publish(five[1])
    api.patch(f"/articles/{five[1]}/draft", json={"title": "changed"})
    assert _ids(api.get("/articles/drafts?status=published").json()) == [five[0]]
    assert _ids(api.get("/articles/drafts?status=published_with_changes").json()) == [five[1]]
    assert _ids(api.get("/articles/drafts?status=unpublished").json()) == five[2:][::-1]
    assert_error(api.get("/articles/drafts?status=draft"), 400, "invalid_parameter")
    # E6 has no status filter: the parameter is ignored
    assert len(api.get("/articles?status=nonsense").json()["data"]) == 2


def test_status_filter_with_cursor_outside_filtered_set(api: Api, five: list[str]) -> None:
    api.publish(five[0])
    r = api.get(f"/articles/drafts?status=published&starting_after={five[1]}")
    assert_error(r, 404, "invalid_cursor")


def test_search_title_and_text_case_insensitive(api: Api, five: list[str]) -> None:
    assert _ids(api.get("/articles/drafts?search=ARTICLE 3").json()) == [five[3]]
    assert _ids(api.get("/articles/drafts", params={"search": "body 2"}).json()) == [five[2]]
    assert _ids(api.get("/articles/drafts?search=body+4").json()) == [five[4]]  # + is a space
    assert _ids(api.get("/articles/drafts?search=nothing").json()) == []
    assert len(_ids(api.get("/articles/drafts?search=").json())) == 5  # empty means absent


def test_published_search_uses_the_live_text(api: Api, five: list[str]) -> None:
    api.publish(five[0])
    api.patch(f"/articles/{five[0]}/draft", json={"html": "<p>brand new words</p>"})
    assert _ids(api.get("/articles?search=brand").json()) == []
    assert _ids(api.get("/articles?search=body 0").json()) == [five[0]]
    assert _ids(api.get("/articles/drafts?search=brand").json()) == [five[0]]


def test_category_filter_exact_and_by_slug(api: Api, store: Store, center: Center) -> None:
    parent = store.create_category(center.id, name="Getting Started")
    child = store.create_category(center.id, name="Sub", parent_id=parent.id)
    in_parent = api.create("P", category_id=parent.id)["id"]
    in_child = api.create("C", category_id=child.id)["id"]
    assert _ids(api.get(f"/articles/drafts?category={parent.id}").json()) == [in_parent]
    assert _ids(api.get(f"/articles/drafts?category={child.id}").json()) == [in_child]
    assert _ids(api.get("/articles/drafts?category=getting-started").json()) == [in_parent]
    assert _ids(api.get("/articles/drafts?category=unknown").json()) == []


def test_filters_combine_with_and(api: Api, store: Store, center: Center) -> None:
    cat = store.create_category(center.id, name="Guides")
    other = store.create_category(center.id, name="Other")
    hit = api.create("Install guide", category_id=cat.id)["id"]
    api.create("Install other", category_id=other.id)
    api.create("Unrelated", category_id=cat.id)
    r = api.get(f"/articles/drafts?category={cat.id}&search=install")
    assert _ids(r.json()) == [hit]


def test_expand_content_in_lists(api: Api, five: list[str]) -> None:
    body = api.get("/articles/drafts?limit=1&expand[]=content").json()
    assert body["data"][0]["content"] == {"html": "<p>body 4</p>", "text": "body 4"}
    api.publish(five[0])
    body = api.get("/articles", params={"expand[]": "content"}).json()
    assert body["data"][0]["content"] == {"html": "<p>body 0</p>", "text": "body 0"}


def test_counts(api: Api, center: Center, store: Store, five: list[str]) -> None:
    cat = store.create_category(center.id, name="Guides")
    api.patch(f"/articles/{five[0]}/metadata", json={"category": cat.id})
    api.publish(five[0])
    api.publish(five[1])
    r = api.get("/articles/count")
    assert r.status_code == 200
    assert r.json() == {
        "object": "count",
        "total": 2,
        "filters": {"category": None, "search": None, "status": None},
        "url": f"/api/v0/centers/{center.id}/articles/count",
    }
    r = api.get(f"/articles/count?category={cat.id}&search=article&status=unpublished&limit=1")
    assert r.json()["total"] == 1
    assert r.json()["filters"] == {"category": cat.id, "search": "article", "status": None}
    r = api.get("/articles/drafts/count?status=unpublished&limit=abc&starting_after=zzz")
    assert r.json() == {
        "object": "count",
        "total": 3,
        "filters": {"category": None, "search": None, "status": "unpublished"},
        "url": f"/api/v0/centers/{center.id}/articles/drafts/count",
    }
    assert api.get("/articles/drafts/count").json()["total"] == 5
    assert_error(api.get("/articles/drafts/count?status=bad"), 400, "invalid_parameter")


def test_lists_are_per_center(api: Api, store: Store) -> None:
    other = store.create_center("Other")
    store.create_article(other.id, title="Elsewhere")
    assert api.get("/articles/drafts").json()["data"] == []
    assert api.get("/articles/drafts/count").json()["total"] == 0


def test_a_page_from_sql_equals_the_page_cut_from_the_whole_list(
    api: Api, store: Store, center: Center, clock: FakeClock
) -> None:
    """Pages without ``search`` come from SQL; a search every article matches takes the
    whole-list path, so it is the oracle (ties in created_at included, every cursor)."""
    cats = [store.create_category(center.id, name=n).id for n in ("Alpha", "Beta")]
    ids = []
    for n in range(9):
        body = {"content": {"html": f"<p>body {n}</p>"}, "category_id": cats[n % 2]}
        ids.append(api.create(f"Article {n}", **body)["id"])
        if n % 3 == 2:
            clock.advance(1)  # three articles share each second
    for n in (1, 4, 5, 7):
        api.publish(ids[n])
    api.patch(f"/articles/{ids[4]}", json={"title": "Article 4 changed"})
    queries = ["", "status=published", "status=unpublished", "category=alpha", "category=none"]
    for path in ("/articles/drafts", "/articles"):
        for query in queries[: 5 if path.endswith("drafts") else 1] + ["category=beta"]:
            for limit in (1, 2, 4):
                base = f"{path}?limit={limit}&{query}"
                cursors = [""] + [f"&starting_after={i}" for i in ids]
                cursors += [f"&ending_before={i}" for i in ids]
                for cursor in cursors:
                    fast = api.get(base + cursor)
                    slow = api.get(base + cursor + "&search=article")
                    assert fast.status_code == slow.status_code, (base, cursor)
                    assert fast.json() == slow.json(), (base, cursor)
