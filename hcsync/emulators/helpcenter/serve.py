"""``hcsync emulate helpcenter``: serve the emulator under uvicorn, and a reusable bootstrap.

:func:`bootstrap` creates (or, with a ``--data`` file, finds again) a center and an all-scopes
key; a later ``hcsync demo`` can call it on its own store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .store import ALL_SCOPES, ApiKey, Center, Store

DEMO_CENTER_NAME = "Acme Help Center"
DEMO_LANGUAGES = ("es", "de")


@dataclass(frozen=True, slots=True)
class Bootstrap:
    """A center and an all-scopes key to talk to it."""

    center: Center
    key: ApiKey
    created: bool
    """False when both were found in the store."""


def bootstrap(
    store: Store,
    *,
    name: str = DEMO_CENTER_NAME,
    default_language: str = "en",
    additional_languages: Iterable[str] = DEMO_LANGUAGES,
    domain: str | None = None,
) -> Bootstrap:
    """Reuse the store's first center and its first live all-scopes key, or create them."""
    centers = store.centers()
    if centers:
        center = centers[0]
        for key in store.keys(center.id):
            if not key.revoked and set(ALL_SCOPES) <= set(key.scopes):
                return Bootstrap(center=center, key=key, created=False)
        return Bootstrap(center=center, key=store.create_key(center.id, ALL_SCOPES), created=True)
    center = store.create_center(
        name,
        default_language=default_language,
        additional_languages=additional_languages,
        domain=domain,
    )
    return Bootstrap(center=center, key=store.create_key(center.id, ALL_SCOPES), created=True)


def serve(
    *,
    host: str,
    port: int,
    data: str | None,
    echo: Callable[[str], None],
    faults: str | None = None,
    seed: int = 0,
) -> None:
    """Serve the emulator and its public site under uvicorn until interrupted.

    ``data`` is the SQLite file keeping the state (None: in memory). ``faults`` is a spec like
    ``500:0.05,429:0.05,reset:0.01`` drawn with ``seed``.
    """
    import uvicorn

    from hcsync.emulators.server import free_port

    from .app import create_app
    from .limits import FaultInjector, parse_fault_spec

    port = port or free_port(host)
    store = Store(data or ":memory:")
    try:
        boot = bootstrap(store)
        injector = FaultInjector()
        if faults:
            injector.configure(parse_fault_spec(faults), seed)
        app = create_app(store, faults=injector)
        shown_host = f"[{host}]" if ":" in host else host
        base = f"http://{shown_host}:{port}"
        echo(f"Help.Center emulator: {base}  (public help center at {base}/)")
        echo(f"  center id: {boot.center.id}")
        echo(f"  api key:   {boot.key.key}")
        echo(f"  API base:  {base}/v0/centers/{boot.center.id}")
        echo("Point a project at it: in hcsync.yml")
        echo(f"  backend: helpcenter\n  center_id: {boot.center.id}\n  base_url: {base}")
        echo(f"and in the shell: export HCSYNC_API_KEY={boot.key.key}")
        if data:
            echo(f"  state:     {data}")
        if faults:
            echo(f"  faults:    {faults} (seed {seed})")
        echo("Press Ctrl-C to stop.")
        uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="off")
    finally:
        store.close()
