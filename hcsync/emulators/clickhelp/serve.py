"""``hcsync emulate clickhelp``: serve the emulator under uvicorn, and a reusable bootstrap.

:func:`bootstrap` creates (or, with a ``--data`` file, finds again) a Contributor with an API
key, a project with language versions, and a Public publication of each; tests and a later
``hcsync demo --backend clickhelp`` can call it on their own store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .errors import ApiError
from .store import Project, PublishRequest, Store, User

DEMO_LOGIN = "hcsync"
DEMO_PROJECT = "project-acme-help"
DEMO_TITLE = "Acme Help"
DEMO_PUBLICATION = "acme-help"
DEMO_LANGUAGES: Mapping[str, str] = {"es": "es-ES", "de": "de-DE"}
"""Language versions the demo portal has: hcsync language → four-letter code."""


@dataclass(frozen=True, slots=True)
class Bootstrap:
    """A Contributor and its key, a project with language versions, and their publications."""

    user: User
    api_key: str
    project: Project
    publication: Project
    languages: dict[str, Project]
    """Language versions by hcsync language code (``de``), each a project of its own."""
    language_publications: dict[str, Project]
    """The publication of each language version, by the same code."""
    created: bool
    """False when everything was found in the store."""


def bootstrap(
    store: Store,
    *,
    login: str = DEMO_LOGIN,
    project_id: str = DEMO_PROJECT,
    title: str = DEMO_TITLE,
    lang: str = "en-US",
    languages: Mapping[str, str] = DEMO_LANGUAGES,
    publication_id: str = DEMO_PUBLICATION,
    visibility: str = "Public",
) -> Bootstrap:
    """Find or create the user, the project, its language versions and their publications.

    A language version of ``project_id`` for code ``de`` is ``{project_id}-de``; its
    publication is ``{publication_id}-de``. Publications start empty (published from the
    empty project) and ``visibility`` (Public by default, so the readers' view shows them).
    """
    created = False
    try:
        user = store.user(login)
    except ApiError:
        user = store.create_user(login, "Contributor")
        created = True
    if user.api_key is None:
        user = store.new_key(login)

    def ensure_project(pid: str, ptitle: str, plang: str, base: str | None) -> Project:
        nonlocal created
        try:
            return store.project(pid)
        except ApiError:
            created = True
            return store.create_project(pid, ptitle, lang=plang, base_project_id=base)

    def ensure_publication(source: str, pub_id: str, name: str) -> Project:
        nonlocal created
        try:
            return store.project(pub_id)
        except ApiError:
            created = True
            request = PublishRequest("New", pub_id, name, visibility, False, None)
            store.publish_now(source, request)
            return store.project(pub_id)

    project = ensure_project(project_id, title, lang, None)
    publication = ensure_publication(project.id, publication_id, title)
    versions: dict[str, Project] = {}
    pubs: dict[str, Project] = {}
    for code, four in languages.items():
        version = ensure_project(f"{project_id}-{code}", f"{title} ({code})", four, project.id)
        versions[code] = version
        pubs[code] = ensure_publication(version.id, f"{publication_id}-{code}", version.title)
    assert user.api_key is not None
    return Bootstrap(
        user=user,
        api_key=user.api_key,
        project=project,
        publication=publication,
        languages=versions,
        language_publications=pubs,
        created=created,
    )


def serve(
    *,
    host: str,
    port: int,
    data: str | None,
    echo: Callable[[str], None],
    faults: str | None = None,
    seed: int = 0,
) -> None:
    """Serve the emulator and its readers' view under uvicorn until interrupted.

    ``data`` is the SQLite file keeping the state (None: in memory). ``faults`` is a spec like
    ``500:0.05,501:0.01,reset:0.01`` drawn with ``seed``.
    """
    import uvicorn

    from hcsync.emulators.common.faults import FaultInjector
    from hcsync.emulators.server import free_port

    from .app import create_app, parse_fault_spec

    injector = FaultInjector()
    if faults:
        injector.configure(parse_fault_spec(faults), seed)
    port = port or free_port(host)
    store = Store(data or ":memory:")
    try:
        boot = bootstrap(store)
        app = create_app(store, faults=injector)
        shown_host = f"[{host}]" if ":" in host else host
        base = f"http://{shown_host}:{port}"
        echo(f"ClickHelp emulator: {base}  (readers' view at {base}/)")
        echo(f"  API base:    {base}/api/v1/")
        echo(f"  login:       {boot.user.login}")
        echo(f"  api key:     {boot.api_key}")
        echo(f"  project id:  {boot.project.id}")
        echo(f"  publication: {boot.publication.id}")
        echo("Point a project at it: in hcsync.yml")
        echo(
            f"  backend: clickhelp\n  portal_url: {base}\n  project_id: {boot.project.id}\n"
            f"  publication_id: {boot.publication.id}"
        )
        echo(
            f"and in the shell: export HCSYNC_CLICKHELP_LOGIN={boot.user.login} "
            f"HCSYNC_CLICKHELP_API_KEY={boot.api_key}"
        )
        for code, version in boot.languages.items():
            pub = boot.language_publications[code]
            echo(f"  {code}: project {version.id}, publication {pub.id}")
        if data:
            echo(f"  state:       {data}")
        if faults:
            echo(f"  faults:      {faults} (seed {seed})")
        echo("Press Ctrl-C to stop.")
        uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="off")
    finally:
        store.close()
