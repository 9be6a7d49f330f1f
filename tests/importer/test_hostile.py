"""import and pull with hostile remote names, on the Help.Center and the ClickHelp emulators
(issue 15 §2, §3): nothing is written outside the content root (the whole temporary folder is
listed before and after), no traceback, every document that cannot be written is listed with
its reason and remote id, and a re-run completes what is missing."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from hcsync.cli import cli
from tests.e2e.centers import BACKENDS, Center, emulator, make_center
from tests.helpers import make_tree

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
DEEP = "<div>" * 20_000 + "deep" + "</div>" * 20_000
RESERVED = {"con", "prn", "aux", "nul", *(f"{p}{n}" for p in ("com", "lpt") for n in range(1, 10))}


def png(n: int) -> bytes:
    return PNG + bytes([n])


@dataclass
class Seed:
    """Creates remote content directly in the emulator's store (what web users would do)."""

    center: Center
    _topics: int = 0

    @property
    def store(self) -> Any:
        return self.center.store  # type: ignore[attr-defined]

    def category(self, name: str) -> str:
        c: Any = self.center
        if c.kind == "helpcenter":
            return str(self.store.create_category(c.center_id, name=name).id)
        return str(self.store.create_folder(c.project_id, name).id)

    def article(self, title: str, html: str, category: str, topic_id: str = "") -> str:
        c: Any = self.center
        if c.kind == "helpcenter":
            return str(
                self.store.create_article(c.center_id, title=title, html=html, category=category).id
            )
        self._topics += 1
        tid = topic_id or f"topic{self._topics}"
        self.store.create_topic(
            c.project_id,
            tid,
            status="Draft",
            assignee=c.login,
            owner=c.login,
            title=title,
            body=html,
            parent_node_id=category,
        )
        return tid

    def image(self, name: str, data: bytes) -> str:
        """The URL an article shows an image at, with ``name`` as its last segment (raw)."""
        c: Any = self.center
        if c.kind == "helpcenter":
            sha = self.store.put_image(data, "x.png", "image/png").sha256
            return f"{c.base_url}/cdn/images/{sha}/{name}"
        folder = hashlib.sha256(data).hexdigest()[:8]
        self.store.put_file(f"{folder}/{name}", data, by=c.login)
        return f"{c.base_url}/resources/Storage/{folder}/{name}"


@pytest.fixture(params=BACKENDS)
def center(request: pytest.FixtureRequest) -> Iterator[Center]:
    with emulator(request.param) as (store, app, base_url):
        c = make_center(request.param, store, app, base_url, languages=("es",))
        try:
            yield c
        finally:
            c.client.close()


def run(center: Center, root: Path, *args: str) -> Result:
    result = CliRunner().invoke(
        cli,
        [args[0], "-C", str(root), *args[1:]],
        obj={"client": center.client, "env": center.env()},
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback: the test fails here
    assert "Traceback" not in result.output
    return result


def listing(top: Path) -> dict[str, str]:
    """Every path under ``top`` (links not followed) → what it is (bytes hashed)."""
    out: dict[str, str] = {}
    for here, dirs, files in os.walk(top):
        for name in dirs + files:
            path = Path(here) / name
            rel = path.relative_to(top).as_posix()
            if path.is_symlink():
                out[rel] = f"link:{os.readlink(path)}"
            elif path.is_dir():
                out[rel] = "dir"
            else:
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def changed_outside(before: dict[str, str], after: dict[str, str], inside: str) -> list[str]:
    """Paths added, changed or removed that are not under ``inside`` (nor the lockfile)."""
    keys = set(before) | set(after)
    return sorted(
        k
        for k in keys
        if before.get(k) != after.get(k)
        and not k.startswith(inside + "/")
        and k != inside
        and not k.endswith("hcsync.lock")
    )


def assert_portable(root: Path) -> None:
    """Each name ≤ 255 bytes, not reserved on Windows, no two alike but for case, no dots."""
    for here, dirs, files in os.walk(root):
        names = [n for n in dirs + files]
        assert len({n.casefold() for n in names}) == len(names), (here, names)
        for name in names:
            assert len(name.encode()) <= 255, name
            assert name.split(".")[0].lower() not in RESERVED, name
            assert not name.startswith("."), name
            assert name.casefold() != ".git"


def project(tmp_path: Path, center: Center, extra: str = "") -> Path:
    root = tmp_path / "proj"
    (root / "docs").mkdir(parents=True)
    (root / ".git" / "hooks").mkdir(parents=True)
    (root / "hcsync.yml").write_text(center.config() + "languages: [es]\ncontent: docs\n" + extra)
    (tmp_path / "outside").mkdir()
    return root


# ---- import ----------------------------------------------------------------------------


def test_import_of_hostile_names_writes_only_safe_names_inside_the_content_root(
    tmp_path: Path, center: Center
) -> None:
    seed = Seed(center)
    root = project(tmp_path, center)
    guides = seed.category("Guides")
    names = ["%2E%2E", "Logo.png", "logo.png", "con.png", "n" * 300 + ".png", ".git", "a%00b.png"]
    if center.kind == "clickhelp":  # Storage refuses '..' and a 300-byte file name itself
        names = ["Logo.png", "logo.png", "con.png", "n" * 250 + ".png", ".git", "a b.png"]
    images = "".join(f'<img src="{seed.image(n, png(i))}">' for i, n in enumerate(names))
    seed.article("Pictures", f"<p>Pictures</p>{images}", guides, "pictures")
    titles = ["../../x", "/etc/passwd", "con", "x" * 300, ".git", "Logo", "aux.txt"]
    tids = ["dotdot", "etc", "con", "x" * 250, "git", "Logo", "aux.txt"]
    hostile = ["../../escape", "/abs/olute", "nul\x00byte", ".git", "con", "A" * 300, "Images"]
    for n, cat_name in enumerate(hostile):
        cid = seed.category(cat_name)
        for title, tid in zip(titles, tids, strict=True):
            seed.article(title, f"<p>{n}</p>", cid, f"{tid}{n}" if n else tid)
    deep = seed.article("Deep", DEEP, seed.category("Deep"), "deep")
    before = listing(tmp_path)

    result = run(center, root, "import")

    assert result.exit_code == 1, result.output  # something was skipped
    after = listing(tmp_path)
    assert changed_outside(before, after, "proj/docs") == []
    assert_portable(root / "docs")
    assert f"  x deep/deep.md  (remote id {deep}): HTML nested deeper than 100 levels" in (
        result.stdout
    )
    assert "Skipped 1 document or category" in result.stdout
    docs = root / "docs"
    assert (docs / "con_" / "_category.yml").read_text().startswith("name: con\n")
    assert (docs / "git" / "_category.yml").read_text().startswith("name: .git\n")
    assert (docs / "images-2" / "_category.yml").read_text().startswith("name: Images\n")
    assert {p.name for p in (docs / "guides" / "images").iterdir()} >= {
        "Logo.png",
        "logo-2.png",
        "con_.png",
        "git.png",
    }
    long_folder = [p.name for p in docs.iterdir() if p.name.startswith("aaaa")]
    assert len(long_folder) == 1 and len(long_folder[0]) == 255
    lock = json.loads((root / "hcsync.lock").read_text())
    assert "deep/deep.md" not in lock["entries"]
    assert len(lock["entries"]) == 1 + len(hostile) * len(titles)
    plan = run(center, root, "plan", "--json")  # the written tree loads and plans
    assert plan.exit_code in (0, 2), plan.output


def test_a_symlinked_folder_in_the_content_root_is_refused_before_any_write(
    tmp_path: Path, center: Center
) -> None:
    seed = Seed(center)
    root = project(tmp_path, center)
    seed.article("Install", "<p>Install</p>", seed.category("Guides"), "install")
    (root / "docs" / "guides").symlink_to(tmp_path / "outside")
    before = listing(tmp_path)

    result = run(center, root, "import")

    assert result.exit_code == 1, result.output
    assert listing(tmp_path) == before
    assert result.stderr.endswith(
        "docs/guides is a symbolic link; import writes no file through a link: remove it, "
        "or import into another folder\n"
    )


def test_translations_whose_names_differ_only_in_case_are_not_written_side_by_side(
    tmp_path: Path,
) -> None:
    with emulator("helpcenter") as (store, app, base_url):
        center: Any = make_center("helpcenter", store, app, base_url, languages=("pt-BR", "pt-br"))
        try:
            cat = store.create_category(center.center_id, name="Guides").id
            aid = store.create_article(
                center.center_id, title="Install", html="<p>x</p>", category=cat
            ).id
            for lang in ("pt-BR", "pt-br"):
                store.upsert_translation_draft(
                    center.center_id, aid, lang, title=f"I {lang}", html="<p>y</p>"
                )
            root = tmp_path / "proj"
            make_tree(root, {}, config=center.config() + "languages: [pt-BR, pt-br]\n")
            result = run(center, root, "import")
        finally:
            center.client.close()
    assert result.exit_code == 1, result.output
    files = sorted(p.name for p in (root / "guides").iterdir())
    assert files == ["_category.yml", "install.md", "install.pt-BR.md"]
    assert (
        f"  x guides/install.pt-br.md  (remote id {aid}): another file in its folder has the "
        "same name but for upper/lower case"
    ) in result.stdout


def test_a_re_run_completes_what_the_first_import_skipped(tmp_path: Path, center: Center) -> None:
    seed = Seed(center)
    guides = seed.category("Guides")
    seed.article("Alpha", "<p>Alpha</p>", guides, "alpha")
    deep = seed.article("Beta", DEEP, guides, "beta")
    c: Any = center
    if c.kind == "helpcenter":
        flags = ["--center-id", c.center_id]
    else:
        flags = ["--portal-url", c.base_url, "--project-id", c.project_id]
        flags += ["--publication-id", c.publication_id]
    root = tmp_path / "fresh"
    root.mkdir()
    args = ["import", *flags, "--base-url", c.base_url]

    first = run(center, root, *args)
    assert first.exit_code == 1, first.output
    assert f"  x guides/beta.md  (remote id {deep}): HTML nested deeper than 100 levels" in (
        first.stdout
    )
    alpha = (root / "docs/guides/alpha.md").read_bytes()
    assert not (root / "docs/guides/beta.md").exists()
    assert sorted(json.loads((root / "hcsync.lock").read_text())["entries"]) == ["guides/alpha.md"]

    center.web_edit(deep, html="<p>Beta, fixed</p>")
    second = run(center, root, *args)  # the same command again
    assert second.exit_code == 0, second.output
    assert second.stdout.startswith("Imported 1 article, 0 translations, 0 categories")
    assert "Kept 1 document an earlier import recorded in the lockfile." in second.stdout
    assert (root / "docs/guides/alpha.md").read_bytes() == alpha
    assert (root / "docs/guides/beta.md").read_text().endswith("Beta, fixed\n")
    plan = run(center, root, "plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output

    (root / "docs/guides/mine.md").write_text("---\ntitle: Mine\n---\nMine.\n")
    third = run(center, root, "import")
    assert third.exit_code == 1
    assert "already holds 1 content file(s) that hcsync.lock does not record" in third.stderr
    (root / "docs/guides/mine.md").unlink()
    (root / "docs/guides/alpha.md").unlink()
    fourth = run(center, root, "import")
    assert fourth.exit_code == 1
    assert fourth.stderr.endswith(
        "hcsync.lock records 1 file(s) that are not in "
        f"{root / 'docs'} (guides/alpha.md, …): import does not write them again; remove "
        "hcsync.lock first, or run `hcsync import --adopt`\n"
    )
    assert not (root / "docs/guides/alpha.md").exists()


# ---- pull ------------------------------------------------------------------------------


def applied(tmp_path: Path, center: Center, files: dict[str, str | bytes]) -> Path:
    root = make_tree(tmp_path / "proj", files, config=center.config() + "languages: [es]\n")
    (root / ".git" / "hooks").mkdir(parents=True)
    result = run(center, root, "apply", "--yes")
    assert result.exit_code == 0, result.output
    return root


def test_pull_does_not_write_through_a_symlinked_images_folder(
    tmp_path: Path, center: Center
) -> None:
    files: dict[str, str | bytes] = {
        "guides/_category.yml": "name: Guides\n",
        "guides/install.md": "---\ntitle: Install\n---\nInstall.\n",
    }
    root = applied(tmp_path, center, files)
    lock = json.loads((root / "hcsync.lock").read_text())
    aid = lock["entries"]["guides/install.md"]["id"]
    url = Seed(center).image("hook.png", png(2))
    center.web_edit(aid, html=f'<p>Edited</p><p><img src="{url}"></p>')
    (root / "guides" / "images").symlink_to("../.git/hooks")
    before = listing(tmp_path)
    lock_text = (root / "hcsync.lock").read_text()

    result = run(center, root, "pull")

    assert result.exit_code == 1, result.output
    assert result.stdout, result.stderr
    assert listing(tmp_path) == before
    assert list((root / ".git" / "hooks").iterdir()) == []
    assert (root / "hcsync.lock").read_text() == lock_text
    assert (
        "  x guides/install.md  SKIPPED: the help center's version was not written: "
        "guides/images/hook.png: refused: guides/images is a symbolic link"
    ) in result.stdout
    assert "Pull: 0 files updated, 0 conflicts, 0 unchanged, 1 skipped." in result.stdout


def test_clickhelp_pull_of_a_top_level_topic_with_a_new_image_writes_under_the_root(
    tmp_path: Path,
) -> None:
    """Regression: the image folder of a file at the content root was joined as
    ``"" + "/images/…"`` and written at the filesystem root (``/images/logo-2.png``)."""
    with emulator("clickhelp") as (store, app, base_url):
        center = make_center("clickhelp", store, app, base_url)
        try:
            files: dict[str, str | bytes] = {
                "intro.md": "---\ntitle: Intro\n---\nStart.\n\n![](images/logo.png)\n",
                "images/logo.png": png(1),
            }
            root = applied(tmp_path, center, files)
            tid = json.loads((root / "hcsync.lock").read_text())["entries"]["intro.md"]["id"]
            url = Seed(center).image("logo.png", png(2))  # same name, other bytes
            center.web_edit(tid, html=f'<p>Start again.</p><p><img src="{url}"></p>')
            before = listing(tmp_path)
            result = run(center, root, "pull")
            assert result.exit_code == 0, result.output
            after = listing(tmp_path)
            plan = run(center, root, "plan", "--detailed-exitcode")
        finally:
            center.client.close()
    assert not Path("/images/logo-2.png").exists()
    new = sorted(k for k in after if before.get(k) != after[k])
    assert new == ["proj/hcsync.lock", "proj/images/logo-2.png", "proj/intro.md"]
    assert (root / "images" / "logo-2.png").read_bytes() == png(2)
    assert (root / "images" / "logo.png").read_bytes() == png(1)
    assert "![](images/logo-2.png)" in (root / "intro.md").read_text()
    assert plan.exit_code == 0, plan.output
