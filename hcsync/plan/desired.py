"""The desired state as the diff reads it: a flat, platform-neutral view of the ``Site``.

One adapter (:func:`hcsync.plan.site_adapter.desired_from_site`) builds it from the content
tree, so the diff depends on these few fields, not on every detail of the loader.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, kw_only=True)
class DesiredCategory:
    path: str
    """Category path relative to the content root, e.g. ``getting-started/billing``."""
    name: str
    description: str = ""
    icon: str | None = None
    """SVG text, if the category has an icon."""
    parent: str | None = None
    order: int | None = None
    translations: tuple[tuple[str, str, str], ...] = ()
    """(language, name, description) of each translated name, by language."""
    hash: str
    """Digest of name, description, icon, parent and translations."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DesiredImage:
    path: str
    """First file path the image was found at (relative to the content root)."""
    sha256: str
    filename: str
    mime: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DesiredDoc:
    """An article (``source is None``) or a translation of one."""

    path: str
    language: str
    title: str
    html: str
    """Rendered, sanitised HTML whose links to articles and images are still references."""
    slug: str
    status: str
    """published | draft | unpublished."""
    category: str | None = None
    """Category path (a key of :attr:`Desired.categories`)."""
    category_id: str | None = None
    """A remote category id given verbatim in front-matter, when no local category matched."""
    seo_title: str | None = None
    seo_description: str | None = None
    source: str | None = None
    """For a translation: the path of its source article."""
    article_refs: tuple[str, ...] = ()
    """Paths of the articles this one links to."""
    image_refs: tuple[str, ...] = ()
    """sha256 of the images this one shows."""
    order: int | None = None
    """Front-matter ``order``: its position among its category's children."""
    line: int | None = None
    key_lines: Mapping[str, int] = field(default_factory=dict)
    """Front-matter key → its line, for warnings about one key."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Desired:
    """Everything the help center should hold."""

    default_language: str
    renderer: str
    """Renderer version: part of every content hash, so a renderer change re-publishes."""
    categories: tuple[DesiredCategory, ...] = ()
    """Parents before children."""
    images: tuple[DesiredImage, ...] = ()
    articles: tuple[DesiredDoc, ...] = ()
    translations: tuple[DesiredDoc, ...] = ()
