"""Rendering: golden files, placeholders that survive sanitising, resolution, determinism.

Golden files live in ``tests/golden/render/``: each ``NAME.md`` is rendered and compared with
``NAME.html``. Regenerate with ``HCSYNC_REGEN_GOLDEN=1 pytest tests/render`` and review the
diff like code.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from pathlib import Path
from urllib.parse import unquote

import pytest

from hcsync.htmlpolicy import sanitize
from hcsync.render import (
    ARTICLE_PREFIX,
    IMAGE_PREFIX,
    LocalRef,
    Policy,
    UnresolvedReferenceError,
    article_placeholder,
    content_hash,
    image_placeholder,
    references,
    render_markdown,
    resolve,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "render"
SOURCES = sorted(GOLDEN.glob("*.md"))


def fake_resolver(seen: list[LocalRef]) -> object:
    """Links → article placeholders by normalised path; images → placeholders by a fake sha."""

    def resolver(ref: LocalRef) -> str | None:
        seen.append(ref)
        if ref.kind == "raw":
            return None
        url, _, fragment = ref.url.partition("#")
        path = unquote(url)
        path = posixpath.normpath(path[1:] if path.startswith("/") else f"guide/{path}")
        if ref.kind == "image" or not path.endswith(".md"):
            return image_placeholder(hashlib.sha256(path.encode()).hexdigest())
        return article_placeholder(path, unquote(fragment))

    return resolver


def render_golden(source: Path) -> str:
    seen: list[LocalRef] = []
    rendered = render_markdown(
        source.read_text(encoding="utf-8"),
        resolver=fake_resolver(seen),  # type: ignore[arg-type]
        take_title=True,
    )
    refs = "".join(f"<!-- {r.kind} line {r.line}: {r.url} -->\n" for r in seen)
    anchors = " ".join(sorted(rendered.anchors))
    return f"<!-- title: {rendered.title} -->\n<!-- anchors: {anchors} -->\n{refs}{rendered.html}"


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_golden(source: Path) -> None:
    target = source.with_suffix(".html")
    actual = render_golden(source)
    if os.environ.get("HCSYNC_REGEN_GOLDEN") == "1":
        target.write_text(actual, encoding="utf-8")
    assert target.exists(), f"run HCSYNC_REGEN_GOLDEN=1 pytest {__file__}"
    assert actual == target.read_text(encoding="utf-8")


def test_golden_set_covers_the_required_features() -> None:
    assert {s.stem for s in SOURCES} >= {"tables", "code", "links", "images", "anchors", "sanitise"}


def test_sanitising_golden_has_nothing_dangerous() -> None:
    html = (GOLDEN / "sanitise.html").read_text(encoding="utf-8").split("-->\n")[-1]
    for bad in ("<script", "<style", "onclick", "onerror", "onload", 'href="javascript', "evil"):
        assert bad not in html
    assert 'src="https://www.youtube.com/embed/abc123"' in html
    assert 'rel="noopener noreferrer"' in html


def test_output_is_already_policy_clean() -> None:
    for source in SOURCES:
        html = render_markdown(source.read_text(encoding="utf-8"), take_title=True).html
        assert sanitize(html) == html


def test_rendering_is_byte_identical_across_runs() -> None:
    text = (GOLDEN / "anchors.md").read_text(encoding="utf-8")
    outputs = {render_markdown(text).html for _ in range(3)}
    assert len(outputs) == 1


def test_placeholders_survive_sanitising_and_resolve_to_escaped_urls() -> None:
    html = render_markdown(
        "[a](x.md#Sec) ![i](i.png)",
        resolver=lambda r: (
            article_placeholder("dir/é x.md", "Sec")
            if r.kind == "link"
            else image_placeholder("ab" * 32)
        ),
    ).html
    assert f'href="{ARTICLE_PREFIX}dir/%C3%A9%20x.md#Sec"' in html
    assert f'src="{IMAGE_PREFIX}{"ab" * 32}"' in html
    assert references(html) == ({"dir/é x.md"}, {"ab" * 32})
    resolved = resolve(
        html,
        {"dir/é x.md": "https://help.example/article/7-x?lang=es&v=2"},
        {"ab" * 32: "https://cdn.example/i.png"},
    )
    assert resolved == (
        '<p><a href="https://help.example/article/7-x?lang=es&amp;v=2#Sec">a</a> '
        '<img src="https://cdn.example/i.png" alt="i"></p>\n'
    )
    assert sanitize(resolved) == resolved


def test_resolve_names_every_missing_reference() -> None:
    html = render_markdown(
        "[a](a.md) [b](b.md) ![i](i.png)",
        resolver=lambda r: (
            article_placeholder(r.url) if r.kind == "link" else image_placeholder("cd" * 32)
        ),
    ).html
    with pytest.raises(UnresolvedReferenceError) as info:
        resolve(html, {"b.md": "https://x/b"}, {})
    assert str(info.value) == f"no live URL for article a.md, image {'cd' * 32}"


def test_resolve_sanitises_a_hostile_url() -> None:
    html = render_markdown("[a](a.md)", resolver=lambda r: article_placeholder("a.md")).html
    assert resolve(html, {"a.md": "javascript:alert(1)"}, {}) == "<p><a>a</a></p>\n"


def test_placeholder_text_outside_attributes_is_left_alone() -> None:
    html = render_markdown(f"Write {ARTICLE_PREFIX}x.md in text").html
    assert resolve(html, {}, {}) == html


def test_the_policy_is_a_parameter() -> None:
    shout = Policy("shout-1", lambda html: html.upper())
    assert render_markdown("hi", policy=shout).html == "<P>HI</P>\n"
    assert content_hash("x", {}, policy="a") != content_hash("x", {}, policy="b")


def test_content_hash_is_canonical() -> None:
    one = content_hash("<p>x</p>", {"title": "T", "slug": "s"})
    two = content_hash("<p>x</p>", {"slug": "s", "title": "T"})
    assert one == two and len(one) == 64
    assert content_hash("<p>x</p>", {"title": "T", "slug": "t"}) != one
