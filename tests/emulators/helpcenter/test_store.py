"""The store on its own: persistence in a file, thread safety, ids, reset."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from hcsync.emulators.helpcenter import Center, Store

from .conftest import FakeClock


def test_file_store_keeps_state_between_runs(tmp_path: Path, clock: FakeClock) -> None:
    path = str(tmp_path / "hc.sqlite")
    with Store(path, clock=clock) as first:
        center = first.create_center("Kept", additional_languages=["es"])
        key = first.create_key(center.id, ["content.read"])
        article = first.create_article(center.id, title="Persisted", html="<p>x</p>")
        first.publish_article(center.id, article.id)
    with Store(path, clock=clock) as second:
        assert [c.name for c in second.centers()] == ["Kept"]
        found = second.find_key(key.key)
        assert found is not None and found.scopes == ("content.read",)
        again = second.article(center.id, article.id)
        assert (again.live_title, again.slug, again.status) == (
            "Persisted",
            "persisted",
            "published",
        )
        newer = second.create_article(center.id, title="Next")
        assert newer.slug_id == 2
        assert newer.id not in (center.id, key.id, article.id)


def test_ids_are_24_hex_and_grow(store: Store, center: Center, clock: FakeClock) -> None:
    ids = [store.create_article(center.id, title=f"A{n}").id for n in range(5)]
    clock.advance(5)
    ids.append(store.create_article(center.id, title="later").id)
    assert all(re.fullmatch(r"[0-9a-f]{24}", i) for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == 6
    assert ids[0][:8] == f"{int(clock()) - 5:08x}"


def test_concurrent_writers_get_distinct_slug_ids(store: Store, center: Center) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(25):
                a = store.create_article(center.id, title=f"T{n}-{i}")
                store.update_draft(center.id, a.id, html="<p>x</p>")
                store.publish_article(center.id, a.id)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    articles = store.articles(center.id)
    assert sorted(a.slug_id for a in articles) == list(range(1, 101))
    assert all(a.status == "published" for a in articles)


def test_reset_empties_everything(store: Store, center: Center) -> None:
    key = store.create_key(center.id)
    store.create_article(center.id, title="x")
    image = store.put_image(b"\x89PNG\r\n\x1a\n", "a.png", "image/png")
    assert store.image(image.sha256) is not None
    store.reset()
    assert store.centers() == []
    assert store.find_key(key.key) is None
    assert store.image(image.sha256) is None
