"""Markdown → sanitised HTML, link and image references, content hashes."""

from hcsync.render.hashing import content_hash
from hcsync.render.markdown import (
    HELPCENTER_POLICY,
    RENDERER_VERSION,
    LocalRef,
    Policy,
    Rendered,
    Resolver,
    render_markdown,
)
from hcsync.render.refs import (
    ARTICLE_PREFIX,
    IMAGE_PREFIX,
    UnresolvedReferenceError,
    article_placeholder,
    image_placeholder,
    references,
    resolve,
)

__all__ = [
    "ARTICLE_PREFIX",
    "HELPCENTER_POLICY",
    "IMAGE_PREFIX",
    "RENDERER_VERSION",
    "LocalRef",
    "Policy",
    "Rendered",
    "Resolver",
    "UnresolvedReferenceError",
    "article_placeholder",
    "content_hash",
    "image_placeholder",
    "references",
    "render_markdown",
    "resolve",
]
