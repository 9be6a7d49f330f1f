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
    a = {k: article_urls.get(k, UNRESOLVED) for k in articles}
    i = {k: image_urls.get(k, UNRESOLVED) for k in images}
    if all(_plain(u) for u in (*a.values(), *i.values())):
        # Swapping a placeholder for a plain http(s) URL (escaped by resolve) cannot add
        # anything the policy removes: the HTML was sanitised when it was rendered.
        return resolve(html, a, i, policy=_same)
    return resolve(html, a, i)


def _plain(url: str) -> bool:
    return url == UNRESOLVED or (url.startswith(("https://", "http://")) and '"' not in url)


def _same(html: str) -> str:
    return html
