"""The emulated public help center: what readers would see at the center's domain.

- ``/`` lists the categories and published articles in the default language, ``/{lang}/`` the
  published translations in an additional language;
- ``/article/{slug_id}-{slug}`` and ``/{lang}/article/{slug_id}-{slug}`` show a live article or
  translation (a wrong slug redirects to the right one, as the ``slug_id`` is what identifies it);
- ``/article/preview-{token}`` (the ``preview_url``) and ``/{lang}/article/preview-{token}``
  show drafts; drafts appear nowhere else.

With several centers, ``?center=<id>`` chooses one; otherwise a center whose ``domain`` equals
the request's host, otherwise the first center created.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .store import Article, Category, Center, Store, Translation

_CSS = """
:root { color-scheme: light; --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --accent: #2962ff; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.6 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--ink); background: #f7f8fa; }
header { background: var(--accent); color: #fff; padding: 1.25rem 0; }
header a { color: #fff; text-decoration: none; }
.wrap { max-width: 52rem; margin: 0 auto; padding: 0 1.25rem; }
header h1 { margin: 0; font-size: 1.4rem; }
nav.langs { margin-top: .35rem; font-size: .9rem; }
nav.langs a, nav.langs strong { margin-right: .75rem; }
main { background: #fff; margin: 1.5rem auto; padding: 1.5rem 2rem; border: 1px solid var(--line);
  border-radius: 8px; max-width: 52rem; }
h2.cat { border-bottom: 1px solid var(--line); padding-bottom: .3rem; margin-top: 1.75rem; }
h3.sub { margin-bottom: .25rem; color: var(--muted); font-size: 1rem; }
p.desc { color: var(--muted); margin-top: 0; }
ul.articles { padding-left: 1.1rem; }
article img { max-width: 100%; height: auto; }
article pre { background: #f1f3f5; padding: .75rem; overflow-x: auto; border-radius: 4px; }
article table { border-collapse: collapse; }
article td, article th { border: 1px solid var(--line); padding: .3rem .6rem; }
.crumbs { font-size: .9rem; color: var(--muted); }
.banner { background: #fff4e5; border: 1px solid #ffd8a8; padding: .5rem .75rem;
  border-radius: 4px; }
.empty { color: var(--muted); }
footer { text-align: center; color: var(--muted); font-size: .8rem; margin-bottom: 2rem; }
"""

_ARTICLE_PATH = re.compile(
    r"^(?:/(?P<lang>[a-z]{2}(?:-[A-Za-z]{2,4})?))?/article/(?P<ref>[^/]+)/?$"
)
_INDEX_PATH = re.compile(r"^(?:/(?P<lang>[a-z]{2}(?:-[A-Za-z]{2,4})?))?/?$")


def _e(text: str | None) -> str:
    return html.escape(text or "")


def _page(
    center: Center, lang: str, title: str, body: str, query: str, status: int = 200
) -> Response:
    langs = [center.default_language, *center.additional_languages]
    links = []
    for code in langs:
        href = ("/" if code == center.default_language else f"/{code}/") + query
        links.append(
            f"<strong>{_e(code)}</strong>" if code == lang else f'<a href="{href}">{_e(code)}</a>'
        )
    home = ("/" if lang == center.default_language else f"/{lang}/") + query
    doc = (
        f'<!doctype html><html lang="{_e(lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)} · {_e(center.name)}</title><style>{_CSS}</style></head><body>"
        f'<header><div class="wrap"><h1><a href="{home}">{_e(center.name)}</a></h1>'
        f'<nav class="langs">{"".join(links)}</nav></div></header>'
        f"<main>{body}</main>"
        f"<footer>Emulated Help.Center · hcsync</footer></body></html>"
    )
    return HTMLResponse(doc, status_code=status)


def _not_found(center: Center | None, query: str) -> Response:
    if center is None:
        return HTMLResponse(
            "<!doctype html><title>No help center</title><p>This emulator has no help center yet. "
            "Create one with <code>POST /_emulator/centers</code>.</p>",
            status_code=404,
        )
    body = '<h2>Page not found</h2><p class="empty">There is no published article here.</p>'
    return _page(center, center.default_language, "Not found", body, query, 404)


def _pick_center(store: Store, request: Request) -> Center | None:
    centers = store.centers()
    wanted = request.query_params.get("center")
    if wanted:
        return next((c for c in centers if c.id == wanted), None)
    host = request.headers.get("host", "")
    return next((c for c in centers if c.domain and c.domain == host), None) or (
        centers[0] if centers else None
    )


def _cat_name(cat: Category, lang: str) -> tuple[str, str]:
    tr = cat.translations.get(lang, {})
    return tr.get("name") or cat.name, tr.get("description") or cat.description


def render(store: Store, request: Request) -> Response:
    """Answer a GET on the public site."""
    center = _pick_center(store, request)
    query = (
        "?" + urlencode({"center": center.id})
        if request.query_params.get("center") and center
        else ""
    )
    if center is None:
        return _not_found(None, "")
    path = request.url.path
    index = _INDEX_PATH.match(path)
    if index:
        lang = index["lang"] or center.default_language
        if lang != center.default_language and lang not in center.additional_languages:
            return _not_found(center, query)
        return _index(store, center, lang, query)
    match = _ARTICLE_PATH.match(path)
    if not match:
        return _not_found(center, query)
    lang = match["lang"] or center.default_language
    ref = match["ref"]
    if lang != center.default_language and lang not in center.additional_languages:
        return _not_found(center, query)
    if ref.startswith("preview-"):
        token = ref.removeprefix("preview-")
        article = next((a for a in store.articles(center.id) if a.preview_token == token), None)
        if article is None:
            return _not_found(center, query)
        return _show(store, center, article, lang, query, preview=True)
    slug_id, _, slug = ref.partition("-")
    if not slug_id.isdigit():
        return _not_found(center, query)
    article = store.article_by_slug_id(center.id, int(slug_id))
    if article is None or not article.live:
        return _not_found(center, query)
    if lang == center.default_language:
        if slug != article.slug:
            return RedirectResponse(f"/article/{article.slug_id}-{article.slug}{query}", 301)
        return _show(store, center, article, lang, query, preview=False)
    tr = _translation(store, center, article, lang)
    if tr is None or not tr.live:
        return _not_found(center, query)
    if slug != tr.slug:
        return RedirectResponse(f"/{lang}/article/{article.slug_id}-{tr.slug}{query}", 301)
    return _show(store, center, article, lang, query, preview=False)


def _translation(store: Store, center: Center, article: Article, lang: str) -> Translation | None:
    return next((t for t in store.translations(article.id) if t.language == lang), None)


def _index(store: Store, center: Center, lang: str, query: str) -> Response:
    default = lang == center.default_language
    entries: dict[str | None, list[tuple[str, str]]] = {}
    for article in sorted(store.articles(center.id), key=lambda a: a.slug_id):
        if not article.live:
            continue
        if default:
            title, href = article.live_title or "", f"/article/{article.slug_id}-{article.slug}"
        else:
            tr = _translation(store, center, article, lang)
            if tr is None or not tr.live:
                continue
            title, href = tr.live_title or "", f"/{lang}/article/{article.slug_id}-{tr.slug}"
        entries.setdefault(article.category_id, []).append((title, href + query))

    def article_list(cat_id: str | None) -> str:
        items = entries.get(cat_id, [])
        if not items:
            return ""
        lis = "".join(f'<li><a href="{_e(h)}">{_e(t)}</a></li>' for t, h in items)
        return f'<ul class="articles">{lis}</ul>'

    categories = store.categories(center.id)
    parts: list[str] = []
    for cat in categories:
        if cat.parent_id is not None:
            continue
        name, desc = _cat_name(cat, lang)
        section = [f'<h2 class="cat">{_e(name)}</h2>']
        if desc:
            section.append(f'<p class="desc">{_e(desc)}</p>')
        section.append(article_list(cat.id))
        for child in (c for c in categories if c.parent_id == cat.id):
            child_name, _ = _cat_name(child, lang)
            listing = article_list(child.id)
            if listing:
                section.append(f'<h3 class="sub">{_e(child_name)}</h3>{listing}')
        parts.append("".join(section))
    known = {c.id for c in categories}
    orphans = [cid for cid in entries if cid not in known]
    if orphans:
        lis = "".join(article_list(cid) for cid in orphans)
        parts.append(f'<h2 class="cat">Articles</h2>{lis}')
    if not entries:
        parts.append('<p class="empty">No published articles yet.</p>')
    return _page(center, lang, "Help center", "".join(parts), query)


def _show(
    store: Store, center: Center, article: Article, lang: str, query: str, *, preview: bool
) -> Response:
    if lang == center.default_language:
        title = article.title if preview else article.live_title
        body_html = article.html if preview else article.live_html
    else:
        tr = _translation(store, center, article, lang)
        if tr is None:
            return _not_found(center, query)
        title = tr.title if preview else tr.live_title
        body_html = tr.html if preview else tr.live_html
    crumbs = ""
    if article.category_id:
        try:
            cat = store.category(center.id, article.category_id)
            crumbs = f'<p class="crumbs">{_e(_cat_name(cat, lang)[0])}</p>'
        except Exception:  # noqa: BLE001 - a missing category only loses the breadcrumb
            crumbs = ""
    banner = (
        '<p class="banner">Preview: this is the draft, not what readers see.</p>' if preview else ""
    )
    subtitle = (
        f'<p class="desc">{_e(article.subtitle)}</p>' if article.subtitle and not preview else ""
    )
    body = f"{banner}{crumbs}<article><h1>{_e(title)}</h1>{subtitle}{body_html or ''}</article>"
    return _page(center, lang, title or "Article", body, query)
