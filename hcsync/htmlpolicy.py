"""The HTML sanitising policy of Help.Center (shared/api/helpcenter.md §11), in one place.

Both the Help.Center emulator (which sanitises what it stores) and hcsync's renderer (which
sanitises what it sends, so that the hash we record is the hash of what the server keeps) call
:func:`sanitize`. It is idempotent: ``sanitize(sanitize(x)) == sanitize(x)``.

The documentation lists no policy; §11 is our inference, and the client never relies on the
server agreeing with it (it records the hash of the HTML the server returns).
"""

from __future__ import annotations

import re

import nh3

TAGS = frozenset(
    "a abbr b blockquote br caption code col colgroup dd del details div dl dt em figcaption "
    "figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre s small span strong sub "
    "summary sup table tbody td tfoot th thead tr u ul iframe".split()
)
"""Tags kept. ``iframe`` is kept only with an allowed ``src`` (see :data:`IFRAME_SOURCES`)."""

CLEAN_CONTENT_TAGS = frozenset({"script", "style", "noscript", "template"})
"""Tags removed together with their content; every other unknown tag keeps its text."""

ATTRIBUTES: dict[str, set[str]] = {
    "*": {"id", "class", "title"},
    "a": {"href", "target", "rel", "name"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "ol": {"start", "type"},
    "iframe": {"src", "width", "height", "allow", "allowfullscreen", "frameborder", "title"},
}

URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
"""Schemes kept in URLs; relative and ``#fragment`` URLs are kept too."""

IFRAME_SOURCES = (
    "https://www.youtube.com/embed/",
    "https://www.youtube-nocookie.com/embed/",
    "https://player.vimeo.com/video/",
    "https://www.loom.com/embed/",
)
"""The only places an ``iframe`` may load from; any other iframe is removed."""

_BLANK_REL = "noopener noreferrer"
# nh3 serialises every attribute as name="value" with '"' escaped, so these patterns are exact
# on its output (never applied to raw input).
_A_TAG = re.compile(r'<a((?:\s+[^\s=>"]+="[^"]*")*)\s*>')
_ATTR = re.compile(r'\s+([^\s=>"]+)="([^"]*)"')
_IFRAME_WITHOUT_SRC = re.compile(r'<iframe(?![^>]*\ssrc=")[^>]*>.*?</iframe>', re.DOTALL)


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    if tag == "iframe" and attr == "src" and not value.startswith(IFRAME_SOURCES):
        return None
    return value


def _add_blank_rel(match: re.Match[str]) -> str:
    attrs = _ATTR.findall(match.group(1))
    if ("target", "_blank") not in attrs:
        return match.group(0)
    kept = [(k, v) for k, v in attrs if k != "rel"] + [("rel", _BLANK_REL)]
    return "<a" + "".join(f' {k}="{v}"' for k, v in kept) + ">"


def sanitize(html: str) -> str:
    """Return ``html`` cleaned with the Help.Center policy (§11)."""
    cleaned = nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags=set(CLEAN_CONTENT_TAGS),
        attributes={k: set(v) for k, v in ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )
    cleaned = _IFRAME_WITHOUT_SRC.sub("", cleaned)
    return _A_TAG.sub(_add_blank_rel, cleaned)
