"""The emulated public help center, ``content.text`` extraction and slugs."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from hcsync.emulators.helpcenter import Center, Store, bootstrap
from hcsync.emulators.helpcenter.text import html_to_text, slugify

from .conftest import Api

# -- public site ------------------------------------------------------------------------------


@pytest.fixture
def site(api: Api, store: Store, center: Center) -> dict[str, str]:
    cat = store.create_category(
        center.id, name="Getting Started", translations={"es": {"name": "Primeros pasos"}}
    )
    store.create_category(center.id, name="Billing", parent_id=cat.id)
    live = api.create(
        "Install the agent", content={"html": '<p>Hello <img src="/cdn/x.png" alt="shot"></p>'}
    )
    api.publish(live["id"])
    api.patch(
        f"/articles/{live['id']}/translations/es/draft",
        json={"title": "Instalar", "html": "<p>Hola</p>"},
    )
    api.post(f"/articles/{live['id']}/translations/es/publish")
    draft = api.create("Secret draft", content={"html": "<p>not yet</p>"})
    return {"live": live["id"], "draft": draft["id"], "draft_preview": draft["preview_url"]}


def test_index_lists_published_articles_by_category(api: Api, site: dict[str, str]) -> None:
    r = api.client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert '<h1><a href="/">Acme Support</a></h1>' in r.text
    assert '<h2 class="cat">Getting Started</h2>' in r.text
    assert '<a href="/article/1-install-the-agent">Install the agent</a>' in r.text
    assert "Secret draft" not in r.text
    assert "<style>" in r.text
    es = api.client.get("/es/")
    assert '<h2 class="cat">Primeros pasos</h2>' in es.text
    assert '<a href="/es/article/1-instalar">Instalar</a>' in es.text
    assert "Install the agent" not in es.text
    assert "No published articles yet." in api.client.get("/de/").text
    assert api.client.get("/fr/").status_code == 404


def test_article_pages_follow_their_urls(api: Api, site: dict[str, str]) -> None:
    url = api.get(f"/articles/{site['live']}").json()["url"]
    page = api.client.get(url)
    assert page.status_code == 200
    assert "<h1>Install the agent</h1>" in page.text
    assert '<p>Hello <img src="/cdn/x.png" alt="shot"></p>' in page.text
    es_url = api.get(f"/articles/{site['live']}/translations/es").json()["url"]
    assert "<h1>Instalar</h1><p>Hola</p>" in api.client.get(es_url).text
    wrong_slug = api.client.get("/article/1-old-slug", follow_redirects=False)
    assert (wrong_slug.status_code, wrong_slug.headers["location"]) == (
        301,
        "/article/1-install-the-agent",
    )


def test_drafts_only_at_preview_url(api: Api, site: dict[str, str]) -> None:
    assert api.client.get("/article/2-secret-draft").status_code == 404
    preview = api.client.get(site["draft_preview"])
    assert preview.status_code == 200
    assert "Preview: this is the draft" in preview.text
    assert "<p>not yet</p>" in preview.text
    api.patch(f"/articles/{site['live']}/draft", json={"title": "Edited title"})
    assert "Edited title" not in api.client.get("/article/1-install-the-agent").text
    live_preview = api.get(f"/articles/{site['live']}/draft").json()["preview_url"]
    assert "<h1>Edited title</h1>" in api.client.get(live_preview).text
    api.post(f"/articles/{site['live']}/unpublish")
    assert api.client.get("/article/1-install-the-agent").status_code == 404
    assert api.client.get("/es/article/1-instalar").status_code == 404


def test_site_choose_center(
    api: Api, site: dict[str, str], store: Store, make_client: Callable[..., httpx.Client]
) -> None:
    other = store.create_center("Other Center")
    a = store.create_article(other.id, title="Elsewhere")
    store.publish_article(other.id, a.id)
    client = make_client(None)
    assert "Acme Support" in client.get("/").text
    chosen = client.get(f"/?center={other.id}")
    assert f'<a href="/article/1-elsewhere?center={other.id}">Elsewhere</a>' in chosen.text
    assert "<h1>Elsewhere</h1>" in client.get(f"/article/1-elsewhere?center={other.id}").text
    domained = store.create_center("Domained", domain="help.example.com")
    b = store.create_article(domained.id, title="By host")
    store.publish_article(domained.id, b.id)
    by_host = client.get("/article/1-by-host", headers={"Host": "help.example.com"})
    assert "<h1>By host</h1>" in by_host.text


def test_site_without_centers(make_client: Callable[..., httpx.Client]) -> None:
    r = make_client(None).get("/")
    assert r.status_code == 404
    assert "POST /_emulator/centers" in r.text


# -- bootstrap --------------------------------------------------------------------------------


def test_bootstrap_creates_then_reuses(store: Store) -> None:
    first = bootstrap(store)
    assert first.created is True
    assert first.center.name == "Acme Help Center"
    assert first.center.additional_languages == ("es", "de")
    again = bootstrap(store)
    assert (again.center.id, again.key.key, again.created) == (
        first.center.id,
        first.key.key,
        False,
    )
    store.revoke_key(first.key.key)
    fresh = bootstrap(store)
    assert fresh.center.id == first.center.id
    assert fresh.key.key != first.key.key
    assert fresh.created is True


# -- text and slugs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text"),
    [
        (
            "<h2>Before you start</h2><p>You need admin rights.</p>",
            "Before you start\nYou need admin rights.",
        ),
        ("<p>a   b\n c</p>", "a b c"),
        ("<p>Tom &amp; Jerry&nbsp;&lt;3</p>", "Tom & Jerry <3"),
        ("<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
        ("line<br>break<br/>again", "line\nbreak\nagain"),
        ("<pre>x = 1\n  y = 2</pre>", "x = 1\ny = 2"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table>", "a b\nc"),
        ("<blockquote>q</blockquote><div>d</div>", "q\nd"),
        ("<p><strong>bold</strong> and <em>it</em></p>", "bold and it"),
        ("  <p>  </p>  ", ""),
        ("", ""),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    ("value", "slug"),
    [
        ("Install the Agent!", "install-the-agent"),
        ("  --Hello__World--  ", "hello-world"),
        ("Título del artículo", "titulo-del-articulo"),
        ("Straße 42", "strae-42"),
        ("日本語", ""),
        ("already-clean", "already-clean"),
    ],
)
def test_slugify(value: str, slug: str) -> None:
    assert slugify(value) == slug
