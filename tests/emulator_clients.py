"""A client of each emulator, in-process and with every permission: for tests that send the
emulators raw requests (hostile input, fuzzing)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from hcsync.emulators import clickhelp as ch
from hcsync.emulators import helpcenter as hc
from hcsync.emulators.transport import SyncASGITransport


@contextmanager
def helpcenter_client(languages: tuple[str, ...] = ()) -> Iterator[tuple[httpx.Client, str]]:
    """(client with an all-scopes key, center id) of a fresh Help.Center emulator."""
    with hc.Store(":memory:") as store:
        center = store.create_center(
            "Acme", default_language="en", additional_languages=list(languages)
        )
        key = store.create_key(center.id, hc.ALL_SCOPES).key
        transport = SyncASGITransport(hc.create_app(store, rate_limit=hc.RateLimit.unlimited()))
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(transport=transport, base_url="http://t", headers=headers) as client:
            yield client, center.id
        transport.close()


@contextmanager
def clickhelp_client() -> Iterator[httpx.Client]:
    """A client of a fresh ClickHelp emulator with one project, ``p1``."""
    with ch.Store(":memory:") as store:
        user = store.create_user("kim")
        assert user.api_key is not None
        store.create_project("p1", "Guide")
        transport = SyncASGITransport(ch.create_app(store))
        auth = (user.login, user.api_key)
        with httpx.Client(transport=transport, base_url="http://t", auth=auth) as client:
            yield client
        transport.close()
