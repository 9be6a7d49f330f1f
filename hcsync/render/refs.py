"""Placeholders for local links and images, and their resolution to live URLs.

The renderer cannot know live URLs: an article linked to may be created in the same run, and an
image gets its URL when it is uploaded. So a relative ``.md`` link becomes
``https://hcsync.invalid/article/<path>#fragment`` and a local image
``https://hcsync.invalid/image/<sha256>``. ``.invalid`` is reserved (RFC 2606), so a placeholder
can never reach a real host, and being plain ``https`` it survives the sanitiser unchanged
(unlike a ``hcsync-ref:`` scheme, which nh3 would drop). :func:`resolve` swaps placeholders for
real URLs and sanitises again, so its output is always policy-clean.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable, Mapping
from urllib.parse import quote, unquote

from hcsync.diagnostics import HcsyncError
from hcsync.htmlpolicy import sanitize

PLACEHOLDER_HOST = "hcsync.invalid"
ARTICLE_PREFIX = f"https://{PLACEHOLDER_HOST}/article/"
IMAGE_PREFIX = f"https://{PLACEHOLDER_HOST}/image/"

# nh3 always writes attributes as name="value", so matching on its output is exact.
_PLACEHOLDER = re.compile(
    r'(?P<attr>\s(?:href|src)=")https://hcsync\.invalid/(?P<kind>article|image)/'
    r'(?P<key>[^"#]*)(?P<frag>#[^"]*)?"'
)


class UnresolvedReferenceError(HcsyncError):
    """``resolve`` was not given a URL for every article or image the HTML refers to."""

    def __init__(self, articles: list[str], images: list[str]) -> None:
        self.articles = articles
        self.images = images
        parts = [f"article {a}" for a in articles] + [f"image {i}" for i in images]
        super().__init__("no live URL for " + ", ".join(parts))


def article_placeholder(path: str, fragment: str = "") -> str:
    """Placeholder URL for a link to the article (or translation) at content-relative ``path``."""
    frag = f"#{quote(fragment, safe='')}" if fragment else ""
    return ARTICLE_PREFIX + quote(path, safe="/") + frag


def image_placeholder(sha256: str) -> str:
    """Placeholder URL for the local image whose bytes hash to ``sha256``."""
    return IMAGE_PREFIX + sha256


def references(html: str) -> tuple[frozenset[str], frozenset[str]]:
    """The article paths and image sha256s that placeholders in ``html`` refer to."""
    articles: set[str] = set()
    images: set[str] = set()
    for m in _PLACEHOLDER.finditer(html):
        key = unquote(m.group("key"))
        (articles if m.group("kind") == "article" else images).add(key)
    return frozenset(articles), frozenset(images)


def resolve(
    html: str,
    article_urls: Mapping[str, str],
    image_urls: Mapping[str, str],
    *,
    policy: Callable[[str], str] = sanitize,
) -> str:
    """Replace every placeholder with its live URL, then sanitise with ``policy``.

    ``article_urls`` maps content-relative source paths (articles and translations) to URLs;
    ``image_urls`` maps sha256 to URLs. A link's ``#fragment`` is kept. Raises
    :class:`UnresolvedReferenceError` naming every reference without a URL.
    """
    missing_articles: set[str] = set()
    missing_images: set[str] = set()

    def swap(m: re.Match[str]) -> str:
        key = unquote(m.group("key"))
        if m.group("kind") == "article":
            url = article_urls.get(key)
            if url is None:
                missing_articles.add(key)
                return m.group(0)
        else:
            url = image_urls.get(key)
            if url is None:
                missing_images.add(key)
                return m.group(0)
        frag = m.group("frag") or ""
        return f'{m.group("attr")}{htmllib.escape(url, quote=True)}{frag}"'

    out = _PLACEHOLDER.sub(swap, html)
    if missing_articles or missing_images:
        raise UnresolvedReferenceError(sorted(missing_articles), sorted(missing_images))
    return policy(out)
