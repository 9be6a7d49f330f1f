"""The ClickHelp backend against its emulator, in-process: snapshot cost, create by slug id,
the batched publish (Partial, FullReplace, new publication, failed task), clear errors."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from hcsync.backends.base import Metadata
from hcsync.backends.clickhelp import ClickHelpBackend
from hcsync.diagnostics import BackendError
from hcsync.emulators.clickhelp import Bootstrap, ClickHelpEmulator, Store, bootstrap, create_app
from hcsync.emulators.transport import SyncASGITransport
from hcsync.remote import LiveState


@pytest.fixture
def emu() -> Iterator[tuple[Store, ClickHelpEmulator, Bootstrap, httpx.Client]]:
    store = Store(":memory:")
    boot = bootstrap(store, languages={"es": "es-ES"})
    app = create_app(store)
    client = httpx.Client(transport=SyncASGITransport(app), base_url="http://testserver")
    try:
        yield store, app, boot, client
    finally:
        client.close()
        store.close()


def backend(boot: Bootstrap, client: httpx.Client, **kw: object) -> ClickHelpBackend:
    args: dict[str, object] = {
        "portal_url": "http://testserver",
        "project_id": boot.project.id,
        "publication_id": boot.publication.id,
        "login": boot.user.login,
        "api_key": boot.api_key,
        "language_projects": {"es": boot.languages["es"].id},
        "sleep": lambda s: None,
        **kw,
    }
    return ClickHelpBackend(client, **args)  # type: ignore[arg-type]


def test_snapshot_reads_lists_only(
    emu: tuple[Store, ClickHelpEmulator, Bootstrap, httpx.Client],
) -> None:
    store, app, boot, client = emu
    be = backend(boot, client)
    be.snapshot()
    endpoints = [r.endpoint for r in app.requests()]
    # the project, its topics and folders, each publication's topics
    assert endpoints == ["projects.list", "topics.list", "nodes.list", "topics.list", "topics.list"]


def test_translated_folder_names_are_read_only_when_asked(
    emu: tuple[Store, ClickHelpEmulator, Bootstrap, httpx.Client],
) -> None:
    store, app, boot, client = emu
    be = backend(boot, client)
    be.snapshot()
    made = be.create_category(
        name="Guides",
        description="",
        icon=None,
        parent_id=None,
        translations=[(lang, f"Guides-{lang}", "") for lang in sorted(boot.languages)],
    )
    app.clear_requests()
    fresh = backend(boot, client)
    snap = fresh.snapshot()
    (listed,) = [c for c in snap.categories if c.id == made.id]
    assert listed.translations == ()  # the listing has none: nothing read for them
    lang_projects = {p.id for p in boot.languages.values()}
    assert not [r.path for r in app.requests() if any(f"/{p}/toc" in r.path for p in lang_projects)]
    app.clear_requests()
    (named,) = fresh.with_translated_names([listed])
    assert named.translations == tuple(
        (lang, f"Guides-{lang}", "") for lang in sorted(boot.languages)
    )
    assert [r.endpoint for r in app.requests()] == ["nodes.list"] * len(boot.languages)
    app.clear_requests()
    fresh.with_translated_names([listed])
    assert app.requests() == []  # read once per run


def test_create_publish_and_unpublish_in_batches(
    emu: tuple[Store, ClickHelpEmulator, Bootstrap, httpx.Client],
) -> None:
    store, app, boot, client = emu
    be = backend(boot, client)
    be.snapshot()
    folder = be.create_category(name="Guides", description="", icon=None, parent_id=None)
    a = be.create_article(
        title="Install",
        html="<p>a</p>",
        category_id=folder.id,
        seo_title=None,
        seo_description=None,
        slug="install",
    )
    b = be.create_article(
        title="Use",
        html="<p>b</p>",
        category_id=None,
        seo_title=None,
        seo_description=None,
        slug="use",
    )
    assert (a.id, a.category_id, b.id) == ("install", folder.id, "use")
    be.publish(a.id)
    be.publish(b.id)
    app.clear_requests()
    be.flush()
    publishes = [r for r in app.requests() if r.endpoint == "projects.publish"]
    assert len(publishes) == 1  # one task for both
    assert {t.id for t in store.topics(boot.publication.id)} == {"install", "use"}
    snap = be.snapshot()
    assert snap.articles["install"].state is LiveState.PUBLISHED
    be.unpublish("use")
    be.flush()
    assert {t.id for t in store.topics(boot.publication.id)} == {"install"}
    # a topic id already used: one POST (no GET first), and ClickHelp's 409 as one clear line
    app.clear_requests()
    with pytest.raises(BackendError) as info:
        be.create_article(
            title="Other",
            html="",
            category_id=None,
            seo_title=None,
            seo_description=None,
            slug="install",
        )
    assert [(r.method, r.endpoint, r.status) for r in app.requests()] == [
        ("POST", "topics.create", 409)
    ]
    assert info.value.status == 409
    assert info.value.format() == (
        f"topic id 'install' is already used in project '{boot.project.id}'; set another "
        "'slug:' in the file's front-matter (409 ConflictException)"
    )
    moved = be.update_metadata("install", Metadata(category_id=None))
    assert moved.id == "install"


def test_a_failed_publish_task_is_an_error(
    emu: tuple[Store, ClickHelpEmulator, Bootstrap, httpx.Client],
) -> None:
    store, app, boot, client = emu
    be = backend(boot, client)
    be.snapshot()
    be.create_article(
        title="A", html="", category_id=None, seo_title=None, seo_description=None, slug="a"
    )
    be.publish("a")
    store.fail_next_tasks(1)
    with pytest.raises(BackendError, match="publishing 'acme-help' failed: Publishing failed"):
        be.flush()
    be.flush()  # control: the queue is kept, the next flush publishes
    assert [t.id for t in store.topics(boot.publication.id)] == ["a"]


def test_a_missing_publication_is_created_by_the_first_publish(
    emu: tuple[Store, ClickHelpEmulator, Bootstrap, httpx.Client],
) -> None:
    store, app, boot, client = emu
    be = backend(boot, client, publication_id="fresh-pub")
    be.snapshot()
    be.create_article(
        title="A", html="", category_id=None, seo_title=None, seo_description=None, slug="a"
    )
    be.publish("a")
    be.flush()
    assert [t.id for t in store.topics("fresh-pub")] == ["a"]


def test_a_missing_language_project_is_one_clear_error(
    emu: tuple[Store, ClickHelpEmulator, Bootstrap, httpx.Client],
) -> None:
    store, app, boot, client = emu
    be = backend(boot, client, language_projects={"de": "project-nope"})
    with pytest.raises(BackendError) as info:
        be.snapshot()
    assert str(info.value).startswith(
        "language_projects in hcsync.yml names project(s) the portal does not have (de: "
        "project-nope); ClickHelp has no API to create a language version"
    )


def test_wrong_key_is_redacted(
    emu: tuple[Store, ClickHelpEmulator, Bootstrap, httpx.Client],
) -> None:
    store, app, boot, client = emu
    be = backend(boot, client, api_key="wrong-secret-key")
    with pytest.raises(BackendError) as info:
        be.snapshot()
    assert info.value.status == 401
    assert "wrong-secret-key" not in info.value.format()
