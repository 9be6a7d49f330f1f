"""Valid trees load into the Site the planner expects, including tricky-but-valid input."""

from __future__ import annotations

from pathlib import Path

import pytest

from hcsync.config import Status
from hcsync.content import Article, Site, load_site
from hcsync.diagnostics import ContentError, Severity
from hcsync.render import ARTICLE_PREFIX, IMAGE_PREFIX, references
from tests.helpers import make_tree, run_cli

EXAMPLE = Path(__file__).resolve().parents[2] / "example-content"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def load(root: Path, **kwargs: object) -> Site:
    return load_site(root, **kwargs)  # type: ignore[arg-type]


def test_example_content_validates_with_the_summary() -> None:
    code, out, err = run_cli(EXAMPLE.parent, "validate", "example-content", "--strict")
    assert (code, err) == (0, "")
    assert out == "OK: 27 articles, 11 translations, 6 categories, 4 images\n"


def test_example_content_site() -> None:
    site = load(EXAMPLE)
    assert list(site.categories)[:5] == [
        "getting-started",
        "shipping",
        "tracking",
        "integrations",
        "account",
    ]
    billing = site.categories["getting-started/billing"]
    assert (billing.name, billing.parent, billing.depth) == (
        "Plans and billing",
        "getting-started",
        2,
    )
    assert billing.icon is not None and billing.icon.svg.startswith("<svg")
    assert site.categories["getting-started"].translations["de"].name == "Erste Schritte"

    plans = site.articles["getting-started/billing/plans.md"]
    assert plans.slug == "plans-and-pricing"
    assert plans.category == "getting-started/billing"
    assert plans.seo.title == "Parcelo plans and pricing compared: Free, Pro, Scale"
    assert plans.lines["slug"] == 3
    assert site.articles["integrations/woocommerce.md"].status is Status.DRAFT
    assert site.articles["integrations/zapier.md"].status is Status.UNPUBLISHED

    welcome = site.articles["getting-started/welcome.md"]
    assert welcome.images == ("getting-started/images/dashboard.png",)
    assert "tracking/tracking-page.md" in welcome.links
    assert [t.language for t in site.translations_of(welcome.path)] == ["de", "es"]
    es = site.translations["getting-started/welcome.es.md"]
    assert (es.source, es.slug, es.language) == (welcome.path, "welcome", "es")

    image = site.images["getting-started/images/dashboard.png"]
    assert image.mime_type == "image/png"
    assert image.read_bytes()[:4] == b"\x89PNG"
    assert site.images["shipping/images/shipment-flow.svg"].mime_type == "image/svg+xml"
    articles, images = references(welcome.html)
    assert images == {image.sha256}
    assert "tracking/tracking-page.md" in articles


def test_links_from_a_translation_go_to_the_same_language(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "a/one.md": "# One\n\n[two](two.md)\n",
            "a/one.es.md": "# Uno\n\n[dos](two.md#setup)\n",
            "a/two.md": "# Two\n\n## Setup\n",
            "a/two.es.md": "# Dos\n\n## Setup\n",
        },
    )
    site = load(tmp_path)
    assert site.translations["a/one.es.md"].links == ("a/two.es.md",)
    assert f'href="{ARTICLE_PREFIX}a/two.es.md#setup"' in site.translations["a/one.es.md"].html
    assert site.articles["a/one.md"].links == ("a/two.md",)


def test_a_link_from_a_translation_falls_back_to_the_source_language(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "a/one.md": "# One\n",
            "a/one.de.md": "# Eins\n\n[zwei](two.md) [drei](three.md)\n",
            "a/two.md": "# Two\n",
            "a/two.es.md": "# Dos\n",  # another language only
            "a/three.md": "# Three\n",
            "a/three.de.md": "# Drei\n",
            "b/four.md": "# Four\n",
            "b/four.de.md": "# Vier\n\n[zwei](../a/two.md)\n",
        },
    )
    site = load(tmp_path)
    assert site.translations["a/one.de.md"].links == ("a/three.de.md", "a/two.md")
    assert site.translations["b/four.de.md"].links == ("a/two.md",)


def test_tricky_but_valid_input(tmp_path: Path) -> None:
    big = "# Big\n\n" + "".join(f"Paragraph {i} with *some* text.\n\n" for i in range(20_000))
    make_tree(
        tmp_path,
        {
            "a/bom.md": "\ufeff---\ntitle: With BOM\n---\nBody\n",
            "a/crlf.md": "---\r\ntitle: CRLF\r\nslug: crlf-file\r\n---\r\nLine one\r\nLine two\r\n",
            "a/unicode.md": "---\ntitle: 日本語のタイトル — Ünïcödé ✓\nslug: unicode\n---\nText\n",
            "a/dashes.md": (
                "# Dashes\n\n```yaml\n---\nkey: value\n---\n```\n\nText\n\n---\n\nAfter\n"
            ),
            "a/raw.md": (
                "# Raw\n\n<script>alert(1)</script>\n\n"
                '<p onclick="steal()">Hi <a href="javascript:alert(1)">x</a></p>\n\n'
                '<iframe src="https://evil.example/"></iframe>\n'
            ),
            "a/big.md": big,
        },
    )
    site = load(tmp_path)
    assert site.articles["a/bom.md"].title == "With BOM"
    crlf = site.articles["a/crlf.md"]
    assert (crlf.title, crlf.slug, crlf.lines["slug"], crlf.lines["body"]) == (
        "CRLF",
        "crlf-file",
        3,
        5,
    )
    assert "\r" not in crlf.html
    assert site.articles["a/unicode.md"].title == "日本語のタイトル — Ünïcödé ✓"
    dashes = site.articles["a/dashes.md"]
    assert "---\nkey: value\n---" in dashes.html and "<hr>" in dashes.html
    raw = site.articles["a/raw.md"].html
    assert "script" not in raw and "onclick" not in raw and "javascript" not in raw
    assert "iframe" not in raw
    assert site.articles["a/big.md"].html.count("<p>") == 20_000
    (warning,) = site.diagnostics
    assert (warning.path, warning.line) == ("a/big.md", 1)
    assert warning.message.startswith("rendered HTML is 926 kB; the real API may refuse")


def test_title_from_heading_is_not_repeated_in_the_body(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a/x.md": "\n# The *title*\n\nText.\n"})
    article = load(tmp_path).articles["a/x.md"]
    assert (article.title, article.html, article.lines["title"]) == (
        "The title",
        "<p>Text.</p>\n",
        2,
    )


def test_errors_in_crlf_and_bom_files_keep_their_lines(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "a/x.md": "\ufeff---\r\ntitle: T\r\n\r\nstatus: bad\r\n---\r\n[x](gone.md)\r\n",
        },
    )
    with pytest.raises(ContentError) as info:
        load(tmp_path)
    assert [(d.line, d.message.split(":")[0]) for d in info.value.diagnostics] == [
        (4, "invalid status 'bad'"),
        (6, "broken link"),
    ]


def test_sync_false_and_root_level_files_stay_out(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "README.md": "# Read me\n",
            "a/kept.md": "# Kept\n",
            "a/private.md": "---\nsync: false\n---\nno title needed\n",
        },
    )
    site = load(tmp_path)
    assert list(site.articles) == ["a/kept.md"]
    assert site.unsynced == ("README.md", "a/private.md")
    assert [(d.path, d.severity) for d in site.diagnostics] == [("README.md", Severity.WARNING)]


def test_hcsyncignore_and_dotfiles(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            ".hcsyncignore": "drafts/\n*.tmp.md\n",
            ".github/notes.md": "not valid at all: [",
            "drafts/x.md": "",
            "a/x.tmp.md": "",
            "a/kept.md": "# Kept\n",
        },
    )
    assert list(load(tmp_path).articles) == ["a/kept.md"]


def test_category_from_front_matter_by_path_name_or_remote_id(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "start/_category.yml": "name: Getting Started\n",
            "start/billing/_category.yml": "name: Billing\n",
            "start/billing/x.md": "# X\n",
            "other/by-path.md": "---\ntitle: P\ncategory: start/billing\n---\nB\n",
            "other/by-name.md": "---\ntitle: N\ncategory: Getting Started/Billing\n---\nB\n",
            "other/by-id.md": "---\ntitle: I\ncategory: 6650c3f2a9b1e2d3c4f5a100\n---\nB\n",
        },
    )
    site = load(tmp_path)
    assert site.articles["other/by-path.md"].category == "start/billing"
    assert site.articles["other/by-name.md"].category == "start/billing"
    by_id = site.articles["other/by-id.md"]
    assert (by_id.category, by_id.category_id) == (None, "6650c3f2a9b1e2d3c4f5a100")


def test_unknown_category_has_a_did_you_mean(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "start/_category.yml": "name: Getting Started\n",
            "start/x.md": "---\ntitle: X\ncategory: Getting Startd\n---\nB\n",
        },
    )
    with pytest.raises(ContentError) as info:
        load(tmp_path)
    (diag,) = info.value.diagnostics
    assert diag.format() == (
        "start/x.md:3: unknown category 'Getting Startd'\n  hint: did you mean 'start'?"
    )


def test_clickhelp_allows_deep_folders_and_root_topics(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {"a/b/c/d.md": "# Deep\n", "top.md": "# Top\n"},
        config="backend: clickhelp\nportal_url: https://x.clickhelp.co\nproject_id: p\n"
        "publication_id: b\n",
    )
    site = load(tmp_path)
    assert site.articles["a/b/c/d.md"].category == "a/b/c"
    assert site.articles["top.md"].category is None
    assert list(site.categories) == ["a", "a/b", "a/b/c"]


def test_load_is_deterministic_and_hashes_follow_what_is_sent(tmp_path: Path) -> None:
    files = {"a/x.md": "---\ntitle: T\nstatus: draft\n---\nText ![i](i.png)\n", "a/i.png": PNG}
    make_tree(tmp_path, files)
    first = load(tmp_path).articles["a/x.md"]
    second = load(tmp_path).articles["a/x.md"]
    assert first == second
    assert f'src="{IMAGE_PREFIX}' in first.html

    def hash_after(text: str) -> str:
        (tmp_path / "a/x.md").write_text(text)
        article = load(tmp_path).articles["a/x.md"]
        assert isinstance(article, Article)
        return article.content_hash

    base = hash_after(files["a/x.md"])  # type: ignore[arg-type]
    assert hash_after("---\ntitle: T2\nstatus: draft\n---\nText ![i](i.png)\n") != base
    assert hash_after("---\ntitle: T\nslug: other\nstatus: draft\n---\nText ![i](i.png)\n") != base
    seo = "---\ntitle: T\nseo:\n  description: D\nstatus: draft\n---\nText ![i](i.png)\n"
    assert hash_after(seo) != base
    # The wanted status is compared on its own, not through the hash.
    assert hash_after("---\ntitle: T\nstatus: published\n---\nText ![i](i.png)\n") == base


def test_renderer_version_is_in_the_hash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    make_tree(tmp_path, {"a/x.md": "# T\n"})
    before = load(tmp_path).articles["a/x.md"].content_hash
    monkeypatch.setattr("hcsync.render.hashing.RENDERER_VERSION", "999")
    assert load(tmp_path).articles["a/x.md"].content_hash != before


def test_library_raises_content_error_with_warnings_under_strict(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a/x.md": "---\ntitle: T\ntags: [a]\n---\nB\n"})
    assert load(tmp_path).diagnostics[0].message == "unknown key 'tags'"
    with pytest.raises(ContentError) as info:
        load(tmp_path, strict=True)
    assert info.value.format().splitlines()[-1] == "1 problem found"
