"""Read the content tree, validate it whole, and build the desired state (``Site``)."""

from hcsync.content.loader import load_site, slugify, sniff_image
from hcsync.content.model import (
    Article,
    Category,
    CategoryTranslation,
    Icon,
    Image,
    Page,
    Seo,
    Site,
    Translation,
)

__all__ = [
    "Article",
    "Category",
    "CategoryTranslation",
    "Icon",
    "Image",
    "Page",
    "Seo",
    "Site",
    "Translation",
    "load_site",
    "slugify",
    "sniff_image",
]
