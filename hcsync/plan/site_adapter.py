"""Site (the content tree, as loaded) → Desired (what the diff reads)."""

from __future__ import annotations

from hcsync.content.model import Article, Page, Site, Translation
from hcsync.plan.desired import Desired, DesiredCategory, DesiredDoc, DesiredImage
from hcsync.render.markdown import RENDERER_VERSION


def desired_from_site(site: Site) -> Desired:
    """The flat desired state of ``site``; images deduplicated by sha256 (first path wins)."""
    images: dict[str, DesiredImage] = {}
    for img in site.images.values():
        images.setdefault(
            img.sha256,
            DesiredImage(
                path=img.path, sha256=img.sha256, filename=img.filename, mime=img.mime_type
            ),
        )
    return Desired(
        default_language=site.config.default_language,
        renderer=RENDERER_VERSION,
        categories=tuple(
            DesiredCategory(
                path=c.path,
                name=c.name,
                description=c.description,
                icon=c.icon.svg if c.icon else None,
                parent=c.parent,
                order=c.order,
                translations=tuple(
                    (lang, t.name, t.description) for lang, t in sorted(c.translations.items())
                ),
                hash=c.content_hash,
            )
            for c in site.categories.values()
        ),
        images=tuple(images.values()),
        articles=tuple(_doc(site, a) for a in site.articles.values()),
        translations=tuple(_doc(site, t) for t in site.translations.values()),
    )


def _doc(site: Site, page: Page) -> DesiredDoc:
    category = page.category if isinstance(page, Article) else None
    category_id = page.category_id if isinstance(page, Article) else None
    source = page.source if isinstance(page, Translation) else None
    return DesiredDoc(
        path=page.path,
        language=page.language,
        title=page.title,
        html=page.html,
        slug=page.slug,
        status=page.status.value,
        category=category,
        category_id=category_id,
        seo_title=page.seo.title,
        seo_description=page.seo.description,
        source=source,
        article_refs=tuple(page.links),
        image_refs=tuple(sorted({site.images[p].sha256 for p in page.images if p in site.images})),
        order=page.order if isinstance(page, Article) else None,
        line=page.lines.get("body"),
        key_lines=page.lines,
    )
