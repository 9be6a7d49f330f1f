"""Resolution of link and image references for the plan and the executor."""

from __future__ import annotations

from collections.abc import Mapping

from hcsync.render.refs import references, resolve

UNRESOLVED = "#"
"""Where a link points while its target has no URL yet (fixed by the second pass)."""


def resolve_lenient(
    html: str, article_urls: Mapping[str, str], image_urls: Mapping[str, str]
) -> str:
    """Like :func:`hcsync.render.refs.resolve`, but a reference without a URL yet points to
    ``#`` instead of failing: the plan adds a second pass for it."""
    articles, images = references(html)
    a = {**{k: UNRESOLVED for k in articles}, **article_urls}
    i = {**{k: UNRESOLVED for k in images}, **image_urls}
    return resolve(html, a, i)
