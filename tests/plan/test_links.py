"""resolve_lenient: every reference gets a URL; unknown ones point to '#' for now."""

from __future__ import annotations

from hcsync.plan.links import resolve_lenient
from hcsync.render.refs import article_placeholder, image_placeholder


def test_known_and_unknown_references() -> None:
    html = (
        f'<p><a href="{article_placeholder("a.md", "part")}">a</a>'
        f'<a href="{article_placeholder("b.md")}">b</a>'
        f'<img src="{image_placeholder("ff" * 32)}" alt="x"></p>'
    )
    out = resolve_lenient(html, {"a.md": "https://hc/article/1-a?x=1&y=2"}, {})
    assert out == (
        '<p><a href="https://hc/article/1-a?x=1&amp;y=2#part">a</a>'
        '<a href="#">b</a><img src="#" alt="x"></p>'
    )


def test_a_url_that_is_not_plain_http_is_sanitised() -> None:
    html = f'<p><a href="{article_placeholder("a.md")}">a</a></p>'
    assert resolve_lenient(html, {"a.md": "javascript:alert(1)"}, {}) == "<p><a>a</a></p>"
