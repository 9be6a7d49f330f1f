"""The Help.Center backend against its emulator, in-process: paging, translations, categories,
faults and the rate limit. The emulator and the backend share no code."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from hcsync.backends.base import Metadata
from hcsync.backends.helpcenter import HelpCenterBackend
from hcsync.diagnostics import BackendError
from hcsync.emulators.helpcenter.app import HelpCenterEmulator, create_app
from hcsync.emulators.helpcenter.limits import RateLimit
from hcsync.emulators.helpcenter.store import Store
from hcsync.emulators.transport import SyncASGITransport
from hcsync.plan.slugs import certain_slug
from hcsync.remote import LiveState


class Clock:
    """One clock for the emulator's rate limiter and the client's pacing: sleeping advances
    it, so no test waits."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.slept = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += seconds


@dataclass
class Env:
    app: HelpCenterEmulator
    store: Store
    center_id: str
    backend: HelpCenterBackend
    clock: Clock


@pytest.fixture
def env() -> Iterator[Env]:
    clock = Clock()
    store = Store(":memory:", clock=clock)
    center = store.create_center("Acme", additional_languages=["es"])
    key = store.create_key(center.id).key
    app = create_app(store, clock=clock)
    client = httpx.Client(transport=SyncASGITransport(app), base_url="http://testserver")
    backend = HelpCenterBackend(
        client, center_id=center.id, api_key=key, clock=clock, sleep=clock.sleep
    )
    try:
        yield Env(app, store, center.id, backend, clock)
    finally:
        client.close()
        store.close()


def test_snapshot_pages_through_every_draft(env: Env) -> None:
    cat = env.store.create_category(env.center_id, name="Guides")
    for i in range(230):
        env.store.create_article(env.center_id, title=f"A{i}", html=f"<p>{i}</p>")
    snap = env.backend.snapshot()
    assert len(snap.articles) == 230
    assert {d.html for d in snap.articles.values()} == {f"<p>{i}</p>" for i in range(230)}
    assert [c.name for c in snap.categories] == ["Guides"]
    assert cat is not None
    assert [r.endpoint for r in env.app.requests()] == ["E1", "E2", "E15", "E15", "E15"]
    assert snap.default_language == "en" and snap.languages == ("es",)


def test_create_publish_and_urls(env: Env) -> None:
    parent = env.backend.create_category(name="Guides", description="", icon=None, parent_id=None)
    child = env.backend.create_category(
        name="Billing", description="", icon=None, parent_id=parent.id
    )
    assert child.parent_id == parent.id
    doc = env.backend.create_article(
        title="Install the agent",
        html="<p>x</p>",
        category_id=child.id,
        seo_title="Install",
        seo_description=None,
    )
    assert doc.state is LiveState.UNPUBLISHED and doc.url is None
    predicted = doc.url_for("install-the-agent")
    live = env.backend.publish(doc.id)
    assert live.state is LiveState.PUBLISHED
    assert live.url == predicted
    assert live.slug == certain_slug("Install the agent") == "install-the-agent"
    moved = env.backend.update_metadata(doc.id, Metadata(slug="install"))
    assert moved.slug == "install" and moved.url == doc.url_for("install")
    assert live.seo_title == "Install"


def test_translations_fetch_put_publish(env: Env) -> None:
    doc = env.backend.create_article(
        title="T", html="<p>x</p>", category_id=None, seo_title=None, seo_description=None
    )
    assert env.backend.fetch_translations([(doc.id, "es")]) == {(doc.id, "es"): None}
    es = env.backend.put_translation(doc.id, "es", title="T es", html="<p>y</p>")
    assert (es.id, es.language, es.state) == (doc.id, "es", LiveState.UNPUBLISHED)
    with pytest.raises(BackendError) as info:
        env.backend.publish_translation(doc.id, "es")
    assert (info.value.status, info.value.code) == (400, "root_not_published")
    env.backend.publish(doc.id)
    live = env.backend.publish_translation(doc.id, "es")
    assert live.state is LiveState.PUBLISHED
    assert live.url == es.url_for(live.slug)
    got = env.backend.fetch_translations([(doc.id, "es")])[(doc.id, "es")]
    assert got is not None and got.html == "<p>y</p>"


def test_create_whose_response_is_lost_is_found_not_repeated(env: Env) -> None:
    env.app.set_faults([{"status": 500, "after_write": True, "route": "E9", "times": 1}])
    with pytest.raises(BackendError) as info:
        env.backend.create_article(
            title="Once", html="", category_id=None, seo_title=None, seo_description=None
        )
    assert info.value.status == 500
    assert len(env.store.articles(env.center_id)) == 1  # it landed; the client was not told
    found = env.backend.find_article(title="Once", known_ids=set())
    assert found is not None and found.title == "Once"
    assert env.backend.find_article(title="Once", known_ids={found.id}) is None


def test_get_is_retried_after_5xx_and_reset(env: Env) -> None:
    env.app.set_faults(
        [{"status": 503, "route": "E2", "times": 1}, {"reset": 1.0, "route": "E1", "times": 1}]
    )
    snap = env.backend.snapshot()
    assert snap.target == env.center_id
    assert env.backend.stats.retries == 2


def test_pacing_keeps_a_burst_from_meeting_429(env: Env) -> None:
    env.app.set_rate_limit(RateLimit(per_minute=60, burst=10, window_seconds=60))
    for _ in range(40):
        env.backend.fetch_translations([])  # no call
        env.backend.describe()  # one E1 each
    statuses = [r.status for r in env.app.requests()]
    assert statuses.count(429) == 0
    assert len(statuses) == 40
    # 30 requests past the burst at 1/s: at least ~30 s of (fake) waiting
    assert env.clock.slept >= 28


def test_control_without_pacing_the_emulator_does_answer_429(env: Env) -> None:
    env.app.set_rate_limit(RateLimit(per_minute=60, burst=10, window_seconds=60))
    env.backend.api.pacer.low_water = -1  # never wait ahead
    env.backend.api.max_attempts = 1
    with pytest.raises(BackendError) as info:
        for _ in range(40):
            env.backend.describe()
    assert (info.value.status, info.value.code) == (429, "rate_limited")


def test_category_in_use_cannot_be_deleted(env: Env) -> None:
    cat = env.backend.create_category(name="Used", description="", icon=None, parent_id=None)
    env.backend.create_article(
        title="In it", html="", category_id=cat.id, seo_title=None, seo_description=None
    )
    with pytest.raises(BackendError) as info:
        env.backend.delete_category(cat.id)
    assert (info.value.status, info.value.code) == (400, "category_has_articles")
