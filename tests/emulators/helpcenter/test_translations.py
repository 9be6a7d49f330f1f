"""Translations: E20-E26 and the rules of helpcenter.md §8."""

from __future__ import annotations

import pytest

from .conftest import Api, FakeClock, assert_error


@pytest.fixture
def root(api: Api) -> str:
    return api.create("Install the agent", content={"html": "<p>en</p>"})["id"]


def test_create_translation_draft_root_need_not_be_published(
    api: Api, root: str, clock: FakeClock
) -> None:
    clock.advance(2)
    r = api.patch(
        f"/articles/{root}/translations/es/draft",
        json={"title": "Instalar el agente", "html": "<p>Necesitas permisos.</p>"},
    )
    assert r.status_code == 200
    assert r.json() == {
        "id": root,
        "object": "translation",
        "language": "es",
        "title": "Instalar el agente",
        "slug": None,
        "status": "unpublished",
        "has_unpublished_changes": True,
        "seo": {"metaTitle": None, "metaDesc": None},
        "created_at": "2026-01-01T00:00:02.000Z",
        "updated_at": "2026-01-01T00:00:02.000Z",
        "published_at": None,
        "content": {"html": "<p>Necesitas permisos.</p>", "text": "Necesitas permisos."},
    }


@pytest.mark.parametrize("lang", ["en", "fr", "ES", "xx"])
def test_language_must_be_additional(api: Api, root: str, lang: str) -> None:
    error = assert_error(
        api.patch(f"/articles/{root}/translations/{lang}/draft", json={"title": "x"}),
        400,
        "invalid_language",
    )
    assert lang in error["message"]
    for method, suffix in [
        ("GET", ""),
        ("GET", "/draft"),
        ("PATCH", "/metadata"),
        ("DELETE", ""),
        ("POST", "/publish"),
        ("POST", "/unpublish"),
    ]:
        kwargs = {"json": {"slug": "x"}} if method == "PATCH" else {}
        r = api.client.request(
            method, api.url(f"/articles/{root}/translations/{lang}{suffix}"), **kwargs
        )
        assert_error(r, 400, "invalid_language")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "missing_required_field"),
        ({"title": "", "html": ""}, "missing_required_field"),
        ({"title": 1}, "invalid_parameter"),
    ],
)
def test_translation_draft_failures(
    api: Api, root: str, body: dict[str, object], code: str
) -> None:
    assert_error(api.patch(f"/articles/{root}/translations/es/draft", json=body), 400, code)


def test_translation_of_unknown_article_is_404(api: Api) -> None:
    missing = "000000000000000000000000"
    assert_error(
        api.patch(f"/articles/{missing}/translations/es/draft", json={"title": "x"}),
        404,
        "not_found",
    )


def test_missing_translation_is_404(api: Api, root: str) -> None:
    for method, suffix in [
        ("GET", ""),
        ("GET", "/draft"),
        ("PATCH", "/metadata"),
        ("DELETE", ""),
        ("POST", "/publish"),
        ("POST", "/unpublish"),
    ]:
        kwargs = {"json": {"slug": "x"}} if method == "PATCH" else {}
        r = api.client.request(
            method, api.url(f"/articles/{root}/translations/de{suffix}"), **kwargs
        )
        assert_error(r, 404, "not_found")


def test_publish_needs_published_root(api: Api, root: str) -> None:
    api.patch(f"/articles/{root}/translations/es/draft", json={"title": "T"})
    assert_error(api.post(f"/articles/{root}/translations/es/publish"), 400, "root_not_published")
    api.publish(root)
    r = api.post(f"/articles/{root}/translations/es/publish")
    assert r.status_code == 200
    body = r.json()
    assert (body["status"], body["slug"], body["has_unpublished_changes"]) == (
        "published",
        "t",
        False,
    )
    assert body["url"] == "http://testserver/es/article/1-t"
    assert api.get(f"/articles/{root}").json()["translations"] == ["es"]
    assert api.get(f"/articles/{root}/draft").json()["translations"] == ["es"]


def test_publish_translation_needs_content(api: Api, root: str) -> None:
    api.patch(f"/articles/{root}/translations/es/draft", json={"title": "T"})
    api.patch(f"/articles/{root}/translations/es/draft", json={"title": " ", "html": ""})
    api.publish(root)
    assert_error(
        api.post(f"/articles/{root}/translations/es/publish"), 400, "missing_required_field"
    )


def test_published_translation_view_and_draft_view(api: Api, root: str) -> None:
    api.publish(root)
    api.patch(f"/articles/{root}/translations/es/draft", json={"title": "Uno", "html": "<p>1</p>"})
    assert_error(api.get(f"/articles/{root}/translations/es"), 404, "not_found")
    api.post(f"/articles/{root}/translations/es/publish")
    r = api.patch(
        f"/articles/{root}/translations/es/draft", json={"title": "Dos", "html": "<p>2</p>"}
    )
    assert r.json()["status"] == "published_with_changes"
    live = api.get(f"/articles/{root}/translations/es?expand[]=content").json()
    assert (live["title"], live["status"], live["has_unpublished_changes"]) == (
        "Uno",
        "published",
        False,
    )
    assert live["content"] == {"html": "<p>1</p>", "text": "1"}
    assert live["url"] == "http://testserver/es/article/1-uno"
    draft = api.get(f"/articles/{root}/translations/es/draft").json()
    assert (draft["title"], draft["status"]) == ("Dos", "published_with_changes")
    assert "content" not in draft
    assert draft["url"] == "http://testserver/es/article/1-uno"


def test_unpublish_translation_keeps_draft(api: Api, root: str) -> None:
    api.publish(root)
    api.patch(f"/articles/{root}/translations/es/draft", json={"title": "T", "html": "<p>x</p>"})
    noop = api.post(f"/articles/{root}/translations/es/unpublish")
    assert (noop.status_code, noop.json()["status"]) == (200, "unpublished")
    api.post(f"/articles/{root}/translations/es/publish")
    r = api.post(f"/articles/{root}/translations/es/unpublish")
    body = r.json()
    assert (body["status"], body["published_at"], body["content"]["html"]) == (
        "unpublished",
        None,
        "<p>x</p>",
    )
    assert "url" not in body
    assert_error(api.get(f"/articles/{root}/translations/es"), 404, "not_found")
    assert api.get(f"/articles/{root}").json()["translations"] == []


def test_unpublishing_root_cascades_and_republish_does_not_restore(api: Api, root: str) -> None:
    api.publish(root)
    for lang in ("es", "de"):
        api.patch(f"/articles/{root}/translations/{lang}/draft", json={"title": lang})
        api.post(f"/articles/{root}/translations/{lang}/publish")
    assert api.get(f"/articles/{root}").json()["translations"] == ["de", "es"]
    api.post(f"/articles/{root}/unpublish")
    for lang in ("es", "de"):
        draft = api.get(f"/articles/{root}/translations/{lang}/draft").json()
        assert (draft["status"], draft["title"]) == ("unpublished", lang)
        assert_error(api.get(f"/articles/{root}/translations/{lang}"), 404, "not_found")
    body = api.publish(root)
    assert body["translations"] == []
    assert api.get(f"/articles/{root}/translations/es/draft").json()["status"] == "unpublished"


def test_translation_metadata(api: Api, root: str, clock: FakeClock) -> None:
    api.publish(root)
    api.patch(f"/articles/{root}/translations/es/draft", json={"title": "Empezando"})
    api.post(f"/articles/{root}/translations/es/publish")
    clock.advance(3)
    r = api.patch(
        f"/articles/{root}/translations/es/metadata",
        json={
            "slug": "empezando-ya",
            "seo": {"metaTitle": "Título SEO", "metaDesc": "Descripción"},
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert (body["slug"], body["status"]) == ("empezando-ya", "published")
    assert body["seo"] == {"metaTitle": "Título SEO", "metaDesc": "Descripción"}
    assert body["url"] == "http://testserver/es/article/1-empezando-ya"
    assert body["updated_at"] == "2026-01-01T00:00:03.000Z"
    body = api.patch(
        f"/articles/{root}/translations/es/metadata", json={"seo": {"description": "alias"}}
    ).json()
    assert body["seo"] == {"metaTitle": "Título SEO", "metaDesc": "alias"}
    body = api.patch(
        f"/articles/{root}/translations/es/metadata", json={"seo.metaTitle": "dotted"}
    ).json()
    assert body["seo"] == {"metaTitle": "dotted", "metaDesc": "alias"}
    assert_error(
        api.patch(f"/articles/{root}/translations/es/metadata", json={}),
        400,
        "missing_required_field",
    )
    assert_error(
        api.patch(f"/articles/{root}/translations/es/metadata", json={"slug": "---"}),
        400,
        "invalid_parameter",
    )


def test_delete_translation(api: Api, root: str) -> None:
    api.publish(root)
    api.patch(f"/articles/{root}/translations/es/draft", json={"title": "T"})
    api.post(f"/articles/{root}/translations/es/publish")
    r = api.delete(f"/articles/{root}/translations/es")
    assert (r.status_code, r.content) == (204, b"")
    assert_error(api.get(f"/articles/{root}/translations/es/draft"), 404, "not_found")
    assert api.get(f"/articles/{root}").json()["translations"] == []
    assert_error(api.delete(f"/articles/{root}/translations/es"), 404, "not_found")


def test_translation_html_is_sanitised(api: Api, root: str) -> None:
    r = api.patch(
        f"/articles/{root}/translations/es/draft",
        json={
            "title": "T",
            "html": '<p style="color:red">ok<iframe src="https://evil.example/"></iframe></p>',
        },
    )
    assert r.json()["content"]["html"] == "<p>ok</p>"
