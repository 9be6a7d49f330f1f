"""The desired state read from the content tree: :class:`Site` and what it holds.

Every path here is relative to the content root and uses ``/``. HTML is sanitised and holds
placeholders for local links and images (see :mod:`hcsync.render.refs`); the planner resolves
them with :func:`hcsync.render.resolve` once it knows the live URLs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hcsync.config import Config, Status
from hcsync.diagnostics import Diagnostic


@dataclass(frozen=True, slots=True, kw_only=True)
class Seo:
    """SEO metadata of an article or translation (Help.Center ``metaTitle``/``metaDesc``)."""

    title: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Icon:
    """A category icon: an SVG file, sent inline as text."""

    path: str
    svg: str
    sha256: str
    """sha256 of the SVG text (UTF-8), for change detection through the lockfile."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CategoryTranslation:
    """A category's name and description in one additional language."""

    name: str
    description: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Category:
    """A folder of the content tree (a TOC folder on ClickHelp)."""

    path: str
    """Folder path, e.g. ``getting-started/billing``; the category's identity."""
    name: str
    description: str = ""
    icon: Icon | None = None
    order: int | None = None
    parent: str | None = None
    """Path of the parent category; None at the top level."""
    source: str | None = None
    """Path of its ``_category.yml``; None when the folder has none (name from the folder)."""
    translations: Mapping[str, CategoryTranslation] = field(default_factory=dict)
    content_hash: str = ""
    """Hash of everything sent for the category (name, description, icon, parent,
    translations); not ``order``, which is its place, not a field."""

    @property
    def depth(self) -> int:
        """1 for a top-level category, 2 for a subcategory, ..."""
        return self.path.count("/") + 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """What articles and translations share."""

    path: str
    """Source file, relative to the content root (``getting-started/install.md``)."""
    language: str
    title: str
    slug: str
    seo: Seo = Seo()
    status: Status = Status.PUBLISHED
    html: str = ""
    """Rendered, sanitised HTML with placeholders (unresolved)."""
    content_hash: str = ""
    """sha256 over ``html``, title, every metadata field sent, renderer version and policy.
    Status is not in it: the planner compares the wanted status on its own."""
    images: tuple[str, ...] = ()
    """Paths of the local images it uses (keys of :attr:`Site.images`), sorted."""
    links: tuple[str, ...] = ()
    """Paths of the articles and translations it links to, sorted; all must get a URL."""
    lines: Mapping[str, int] = field(default_factory=dict)
    """1-based line of each front-matter key given (``"seo.title"`` for nested ones), and
    ``"body"``: the first line of the Markdown body."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Article(Page):
    """An article in the default language."""

    category: str | None = None
    """Path of its category (a key of :attr:`Site.categories`); None when ``category_id`` is
    set, or on ClickHelp for a root-level topic."""
    category_id: str | None = None
    """A remote category id given verbatim in front-matter (it matched no local category)."""
    order: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Translation(Page):
    """A translation of an article into one of the additional languages."""

    source: str
    """Path of the article it translates (a key of :attr:`Site.articles`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Image:
    """A local image used by at least one article; uploaded once per sha256."""

    path: str
    file: Path
    """Absolute path, to read the bytes when uploading."""
    sha256: str
    size: int
    mime_type: str

    @property
    def filename(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def read_bytes(self) -> bytes:
        return self.file.read_bytes()


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """The whole desired state: what the help center should hold."""

    config: Config
    root: Path
    """The content root (absolute)."""
    categories: Mapping[str, Category]
    """By path; parents before children, then by (order, path)."""
    articles: Mapping[str, Article]
    """By source path, sorted by path."""
    translations: Mapping[str, Translation]
    """By source path of the translation file, sorted by path."""
    images: Mapping[str, Image]
    """By path, sorted by path. Several paths may share one sha256."""
    unsynced: tuple[str, ...] = ()
    """Markdown files kept out of the help center (``sync: false``, or no category)."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """Warnings that did not stop the load (errors raise instead)."""

    def translations_of(self, article_path: str) -> tuple[Translation, ...]:
        """The translations of one article, by language."""
        found = [t for t in self.translations.values() if t.source == article_path]
        return tuple(sorted(found, key=lambda t: t.language))

    def page(self, path: str) -> Article | Translation | None:
        """The article or translation whose source file is ``path``."""
        return self.articles.get(path) or self.translations.get(path)

    def summary(self) -> str:
        """One line: counts of articles, translations, categories and images."""
        parts = [
            _count(len(self.articles), "article"),
            _count(len(self.translations), "translation"),
            _count(len(self.categories), "category", "categories"),
            _count(len({i.sha256 for i in self.images.values()}), "image"),
        ]
        return ", ".join(parts)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
