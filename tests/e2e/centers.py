"""A "help center under test" for each backend, with the few operations e2e tests need:
its hcsync.yml, credentials, list articles, edit one as a web user, the writes log, faults.

Both run their emulator in-process (``inprocess``) or on a real uvicorn server
(``served``); tests written against :class:`Center` run for every backend.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from hcsync.emulators.clickhelp import ClickHelpEmulator, bootstrap
from hcsync.emulators.clickhelp import Store as ChStore
from hcsync.emulators.clickhelp import create_app as ch_app
from hcsync.emulators.helpcenter.app import HelpCenterEmulator
from hcsync.emulators.helpcenter.app import create_app as hc_app
from hcsync.emulators.helpcenter.store import Store as HcStore
from hcsync.emulators.server import serve_in_thread
from hcsync.emulators.transport import SyncASGITransport

BACKENDS = ("helpcenter", "clickhelp")


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    html: str
    live: bool


class Center(Protocol):
    kind: str
    base_url: str
    client: httpx.Client
    secrets: tuple[str, ...]
    """Every credential string of this center (the canary greps for them)."""

    def config(self) -> str: ...
    def env(self, *, read_only: bool = False) -> dict[str, str]: ...
    def docs(self) -> dict[str, Doc]: ...
    def doc(self, article_id: str) -> Doc: ...
    def web_edit(self, article_id: str, *, html: str, title: str | None = None) -> None: ...
    def web_edit_translation(self, article_id: str, language: str, *, html: str) -> None: ...
    def category_names(self) -> Counter[str]: ...
    def category_translations(self, language: str) -> dict[str, str]:
        """Category name → its name in ``language`` (where one is set)."""
        ...

    def writes(self) -> list[tuple[str, str]]: ...
    def request_log(self) -> list[dict[str, Any]]: ...
    def clear_requests(self) -> None: ...
    def set_faults(self, rules: list[dict[str, Any]], seed: int = 0) -> None: ...
    def clear_faults(self) -> None: ...
    def faults_met(self) -> int: ...
    def fetch_image(self, url: str) -> bytes: ...
    def create_route(self) -> str:
        """The fault-rule route name of "create an article"."""
        ...

    def translation_live(self, article_id: str, language: str) -> bool:
        """Whether the article's ``language`` translation is live (readers see it)."""
        ...

    def live_html(self, article_id: str) -> str | None:
        """The body readers see (the published version, not the draft); None if not live."""
        ...


class HelpCenterUnderTest:
    kind = "helpcenter"

    def __init__(
        self,
        store: HcStore,
        app: HelpCenterEmulator,
        base_url: str,
        languages: Sequence[str] = ("es",),
    ) -> None:
        self.store, self.app, self.base_url = store, app, base_url
        center = store.create_center(
            "Acme", default_language="en", additional_languages=list(languages)
        )
        self.center_id = center.id
        self.key = store.create_key(center.id).key
        self._read_only = store.create_key(center.id, ["content.read"]).key
        self.secrets: tuple[str, ...] = (self.key, self._read_only)
        self.client = _client(app, base_url)

    def config(self) -> str:
        return f"backend: helpcenter\ncenter_id: {self.center_id}\nbase_url: {self.base_url}\n"

    def env(self, *, read_only: bool = False) -> dict[str, str]:
        return {"HCSYNC_API_KEY": self._read_only if read_only else self.key}

    def _doc(self, a: Any) -> Doc:
        return Doc(a.id, a.title, a.html, a.live)

    def docs(self) -> dict[str, Doc]:
        return {a.id: self._doc(a) for a in self.store.articles(self.center_id)}

    def doc(self, article_id: str) -> Doc:
        return self._doc(self.store.article(self.center_id, article_id))

    def web_edit(self, article_id: str, *, html: str, title: str | None = None) -> None:
        self.store.edit_article(self.center_id, article_id, html=html, title=title)

    def web_edit_translation(self, article_id: str, language: str, *, html: str) -> None:
        self.store.upsert_translation_draft(self.center_id, article_id, language, html=html)

    def category_names(self) -> Counter[str]:
        return Counter(c.name for c in self.store.categories(self.center_id))

    def category_translations(self, language: str) -> dict[str, str]:
        return {
            c.name: c.translations[language]["name"]
            for c in self.store.categories(self.center_id)
            if language in c.translations
        }

    def writes(self) -> list[tuple[str, str]]:
        return [
            (r.method, r.path)
            for r in self.app.requests()
            if r.method != "GET" and f"/centers/{self.center_id}/" in r.path
        ]

    def request_log(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.app.requests()]

    def clear_requests(self) -> None:
        self.app.clear_requests()

    def set_faults(self, rules: list[dict[str, Any]], seed: int = 0) -> None:
        self.app.set_faults(
            [{**r, "route": "E9"} if r.get("route") == "create" else r for r in rules], seed
        )

    def clear_faults(self) -> None:
        self.app.clear_faults()

    def faults_met(self) -> int:
        return sum(1 for r in self.app.requests() if r.fault)

    def fetch_image(self, url: str) -> bytes:
        return self.client.get(url).content

    def create_route(self) -> str:
        return "E9"

    def translation_live(self, article_id: str, language: str) -> bool:
        found = [t for t in self.store.translations(article_id) if t.language == language]
        return bool(found) and found[0].live

    def live_html(self, article_id: str) -> str | None:
        a = self.store.article(self.center_id, article_id)
        return a.live_html if a.live else None


class ClickHelpUnderTest:
    kind = "clickhelp"
    _count = 0

    def __init__(
        self,
        store: ChStore,
        app: ClickHelpEmulator,
        base_url: str,
        languages: Sequence[str] = ("es",),
    ) -> None:
        self.store, self.app, self.base_url = store, app, base_url
        ClickHelpUnderTest._count += 1
        n = ClickHelpUnderTest._count
        boot = bootstrap(
            store,
            login=f"writer{n}",
            project_id=f"project-acme-{n}",
            title="Acme",
            languages={lang: f"{lang}-{lang.upper()}" for lang in languages},
            publication_id=f"acme-{n}",
        )
        self.login, self.key = boot.user.login, boot.api_key
        self.project_id, self.publication_id = boot.project.id, boot.publication.id
        self.language_projects = {lang: p.id for lang, p in boot.languages.items()}
        reader = store.create_user(f"reviewer{n}", "Reviewer")
        reader = store.new_key(reader.login)
        assert reader.api_key is not None
        self.reader = (reader.login, reader.api_key)
        self.secrets = tuple(
            s
            for login, key in ((self.login, self.key), self.reader)
            for s in (key, base64.b64encode(f"{login}:{key}".encode()).decode())
        )
        self.client = _client(app, base_url)

    def config(self) -> str:
        return (
            f"backend: clickhelp\nportal_url: {self.base_url}\nbase_url: {self.base_url}\n"
            f"project_id: {self.project_id}\npublication_id: {self.publication_id}\n"
            "language_projects:\n"
            + "".join(f"  {lang}: {pid}\n" for lang, pid in sorted(self.language_projects.items()))
        )

    def env(self, *, read_only: bool = False) -> dict[str, str]:
        login, key = self.reader if read_only else (self.login, self.key)
        return {"HCSYNC_CLICKHELP_LOGIN": login, "HCSYNC_CLICKHELP_API_KEY": key}

    def _live(self) -> set[str]:
        return {t.id for t in self.store.topics(self.publication_id)}

    def docs(self) -> dict[str, Doc]:
        live = self._live()
        return {
            t.id: Doc(t.id, t.title, t.body, t.id in live)
            for t in self.store.topics(self.project_id)
        }

    def doc(self, article_id: str) -> Doc:
        t = self.store.topic(self.project_id, article_id)
        return Doc(t.id, t.title, t.body, t.id in self._live())

    def web_edit(self, article_id: str, *, html: str, title: str | None = None) -> None:
        self.store.web_edit(self.project_id, article_id, body=html, title=title)

    def web_edit_translation(self, article_id: str, language: str, *, html: str) -> None:
        self.store.web_edit(self.language_projects[language], article_id, body=html)

    def category_names(self) -> Counter[str]:
        return Counter(n.caption for n in self.store.nodes(self.project_id) if not n.topic_id)

    def category_translations(self, language: str) -> dict[str, str]:
        base = {n.id: n.caption for n in self.store.nodes(self.project_id) if not n.topic_id}
        return {
            base[n.id]: n.caption
            for n in self.store.nodes(self.language_projects[language])
            if n.id in base and n.caption != base[n.id]
        }

    def writes(self) -> list[tuple[str, str]]:
        return [
            (r.method, r.path)
            for r in self.app.requests()
            if r.method != "GET" and r.caller.get("login") == self.login
        ]

    def request_log(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.app.requests()]

    def clear_requests(self) -> None:
        self.app.clear_requests()

    def set_faults(self, rules: list[dict[str, Any]], seed: int = 0) -> None:
        self.app.set_faults(
            [{**r, "route": "topics.create"} if r.get("route") == "create" else r for r in rules],
            seed,
        )

    def clear_faults(self) -> None:
        self.app.clear_faults()

    def faults_met(self) -> int:
        return sum(1 for r in self.app.requests() if r.fault)

    def fetch_image(self, url: str) -> bytes:
        return self.client.get(url, auth=(self.login, self.key)).content

    def create_route(self) -> str:
        return "topics.create"

    def translation_live(self, article_id: str, language: str) -> bool:
        # live: in a publication of the language version (ClickHelp's only "published")
        publications = self.store.projects(parent_id=self.language_projects[language])
        return any(article_id in {t.id for t in self.store.topics(p.id)} for p in publications)

    def live_html(self, article_id: str) -> str | None:
        # the copy in the publication (a publish task copies the project's topic there)
        live = {t.id: t for t in self.store.topics(self.publication_id)}
        return live[article_id].body if article_id in live else None


def _client(app: Any, base_url: str) -> httpx.Client:
    if base_url == "http://testserver":
        return httpx.Client(transport=SyncASGITransport(app), base_url=base_url)
    return httpx.Client(base_url=base_url, timeout=30)


@contextmanager
def emulator(kind: str, *, served: bool = False) -> Iterator[tuple[Any, Any, str]]:
    """(store, app, base_url) of a fresh emulator of ``kind``."""
    store: Any = HcStore(":memory:") if kind == "helpcenter" else ChStore(":memory:")
    app: Any = hc_app(store) if kind == "helpcenter" else ch_app(store)
    try:
        if served:
            with serve_in_thread(app) as base_url:
                yield store, app, base_url
        else:
            yield store, app, "http://testserver"
    finally:
        store.close()


def make_center(
    kind: str, store: Any, app: Any, base_url: str, languages: Sequence[str] = ("es",)
) -> Center:
    if kind == "helpcenter":
        return HelpCenterUnderTest(store, app, base_url, languages)
    return ClickHelpUnderTest(store, app, base_url, languages)


def lang_config(extra: Mapping[str, str] | None = None) -> str:
    return "languages: [es]\n"
