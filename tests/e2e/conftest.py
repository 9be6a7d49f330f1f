"""Fixtures for end-to-end runs: a Help.Center emulator (in-process or on a real uvicorn
server), a content tree in a temporary git repository, and the real CLI."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import git
import httpx
import pytest
from click.testing import CliRunner

from hcsync.cli import cli
from hcsync.emulators.helpcenter.app import HelpCenterEmulator, create_app
from hcsync.emulators.helpcenter.store import Store
from hcsync.emulators.transport import SyncASGITransport
from tests.e2e.centers import BACKENDS, Center, emulator, make_center
from tests.e2e.sites import Site
from tests.helpers import make_tree


def png(width: int = 2, height: int = 2, seed: int = 0) -> bytes:
    """A real (tiny) PNG file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + bytes([seed % 256, 0, 0] * width) for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


FILES: dict[str, str | bytes] = {
    "guides/_category.yml": "name: Guides\ndescription: How to use Acme\n",
    "guides/install.md": (
        "---\ntitle: Install Acme\nseo:\n  title: Install Acme on any computer\n---\n"
        "Read [usage](usage.md) next.\n\n![Screen](images/shot.png)\n"
    ),
    "guides/usage.md": "---\ntitle: Use Acme\n---\nSee [install](install.md) first.\n",
    "guides/install.es.md": "---\ntitle: Instalar Acme\n---\nLee esto.\n",
    "guides/images/shot.png": png(),
    "guides/billing/_category.yml": "name: Billing\n",
    "guides/billing/invoices.md": "---\ntitle: Invoices\n---\nDownload your invoices.\n",
}


@dataclass
class HelpCenter:
    """An emulated center with an all-scopes key, and a client talking to it."""

    app: HelpCenterEmulator
    store: Store
    center_id: str
    key: str
    client: httpx.Client
    base_url: str

    def key_with(self, *scopes: str) -> str:
        return self.store.create_key(self.center_id, scopes).key

    def writes(self) -> list[tuple[str, str]]:
        """(method, path) of every non-GET request logged so far."""
        return [(r.method, r.path) for r in self.app.requests() if r.method != "GET"]

    def article_ids(self) -> list[str]:
        return [a.id for a in self.store.articles(self.center_id)]


@pytest.fixture
def hc() -> Iterator[HelpCenter]:
    store = Store(":memory:")
    center = store.create_center("Acme", default_language="en", additional_languages=["es"])
    key = store.create_key(center.id).key
    app = create_app(store)
    transport = SyncASGITransport(app)
    client = httpx.Client(transport=transport, base_url="http://testserver")
    try:
        yield HelpCenter(app, store, center.id, key, client, "http://testserver")
    finally:
        client.close()
        store.close()


@dataclass
class Project:
    """A docs repository (git) with hcsync.yml pointing at the emulator."""

    root: Path
    hc: HelpCenter
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str, key: str | None = None) -> Any:
        env = {"HCSYNC_API_KEY": key or self.hc.key}
        result = CliRunner().invoke(
            cli,
            [*args[:1], "-C", str(self.root), *args[1:]],
            obj={"client": self.hc.client, "env": env},
        )
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    def write(self, rel: str, text: str) -> None:
        (self.root / rel).write_text(text, encoding="utf-8")

    def lock_text(self) -> str:
        return (self.root / "hcsync.lock").read_text(encoding="utf-8")


def make_project(
    tmp_path: Path,
    hc: HelpCenter,
    files: dict[str, str | bytes] | None = None,
    extra_config: str = "",
) -> Project:
    config = (
        f"backend: helpcenter\ncenter_id: {hc.center_id}\nbase_url: {hc.base_url}\n"
        f"languages: [es]\n{extra_config}"
    )
    root = make_tree(tmp_path / "docs", files or FILES, config=config)
    repo = git.Repo.init(root)
    repo.index.add(
        [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]
    )
    repo.index.commit("docs")
    repo.close()
    return Project(root=root, hc=hc)


@pytest.fixture
def project(tmp_path: Path, hc: HelpCenter) -> Project:
    return make_project(tmp_path, hc)


# ---- both backends ----------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def center(request: pytest.FixtureRequest) -> Iterator[Center]:
    """A fresh center of each backend's emulator, in-process."""
    with emulator(request.param) as (store, app, base_url):
        c = make_center(request.param, store, app, base_url)
        try:
            yield c
        finally:
            c.client.close()


@pytest.fixture(scope="module", params=BACKENDS)
def served(request: pytest.FixtureRequest) -> Iterator[tuple[str, Any, Any, str]]:
    """(kind, store, app, base_url) of an emulator on a real uvicorn server, per backend."""
    with emulator(request.param, served=True) as (store, app, base_url):
        yield request.param, store, app, base_url


@pytest.fixture
def site(tmp_path: Path, served: tuple[str, Any, Any, str]) -> Iterator[Site]:
    """FILES in a tree configured for a fresh center of the served emulator."""
    kind, store, app, base_url = served
    center = make_center(kind, store, app, base_url)
    root = make_tree(tmp_path / "docs", FILES, config=center.config() + "languages: [es]\n")
    yield Site(root, center)
    center.clear_faults()
    center.client.close()
