"""The readers' view: what anonymous readers see of Public publications.

- ``/`` lists the Public publications;
- ``/articles/{publicationId}`` shows a publication's table of contents;
- ``/articles/{publicationId}/{topicId}`` shows one topic with the TOC beside it.

Only Public publications are shown (Private and Restricted need a login on a real portal, and
projects are never public), and only nodes with ``isShowInToc`` appear in the TOC. Topic HTML is
stored as sent; for display it passes nh3's default cleaner, so a script in a topic cannot run
on the emulator's origin (which also serves ``/_emulator/``).
"""

from __future__ import annotations

import html
import re

import nh3
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .errors import ApiError
from .store import Node, Project, Store, Topic

_CSS = """
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.6 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: #1f2933; background: #fafbfc; }
header { background: #0b5394; color: #fff; padding: 1rem 1.5rem; }
header a { color: #fff; text-decoration: none; }
header h1 { margin: 0; font-size: 1.3rem; }
.layout { display: flex; gap: 1.5rem; max-width: 64rem; margin: 1.5rem auto; padding: 0 1rem; }
nav.toc { flex: 0 0 16rem; font-size: .95rem; }
nav.toc ul { list-style: none; padding-left: 1rem; margin: .2rem 0; }
nav.toc > ul { padding-left: 0; }
nav.toc .folder { font-weight: 600; color: #52606d; }
nav.toc .current { font-weight: 700; }
main { flex: 1; background: #fff; border: 1px solid #e4e7eb; border-radius: 6px;
  padding: 1.25rem 2rem; min-width: 0; }
main img { max-width: 100%; height: auto; }
main pre { background: #f1f3f5; padding: .75rem; overflow-x: auto; }
.empty { color: #616e7c; }
footer { text-align: center; color: #616e7c; font-size: .8rem; margin: 2rem 0; }
"""

_TOPIC_PATH = re.compile(r"^/articles/(?P<pub>[^/]+)(?:/(?P<topic>[^/]+))?/?$")


def _e(text: str | None) -> str:
    return html.escape(text or "")


def _page(
    title: str, heading: str, home: str, body: str, lang: str = "en-US", status: int = 200
) -> Response:
    doc = (
        f'<!doctype html><html lang="{_e(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f'<header><h1><a href="{_e(home)}">{_e(heading)}</a></h1></header>'
        f'<div class="layout">{body}</div>'
        "<footer>Emulated ClickHelp portal · hcsync</footer></body></html>"
    )
    return HTMLResponse(doc, status_code=status)


def _not_found() -> Response:
    body = '<main><h2>Page not found</h2><p class="empty">Nothing public lives here.</p></main>'
    return _page("Not found", "Documentation", "/", body, status=404)


def _public(store: Store, pub_id: str) -> Project | None:
    try:
        project = store.project(pub_id)
    except ApiError:
        return None
    return project if project.is_publication and project.visibility == "Public" else None


def render(store: Store, request: Request) -> Response:
    """Answer a GET on the readers' view."""
    path = request.url.path
    if path in ("/", ""):
        return _index(store)
    match = _TOPIC_PATH.match(path)
    if not match:
        return _not_found()
    pub = _public(store, match["pub"])
    if pub is None:
        return _not_found()
    topics = {t.id: t for t in store.topics(pub.id)}
    nodes = store.nodes(pub.id)
    current = None
    if match["topic"]:
        current = topics.get(match["topic"])
        if current is None:
            return _not_found()
    toc = _toc(pub, nodes, topics, current.id if current else None)
    if current is None:
        main = f"<main><h2>{_e(pub.title)}</h2>"
        main += "" if topics else '<p class="empty">No topics published yet.</p>'
        main += "</main>"
    else:
        main = (
            f"<main><article><h1>{_e(current.title)}</h1>{nh3.clean(current.body)}</article></main>"
        )
    title = f"{current.title} · {pub.title}" if current else pub.title
    return _page(title, pub.title, f"/articles/{pub.id}", toc + main, pub.lang)


def _toc(pub: Project, nodes: list[Node], topics: dict[str, Topic], current: str | None) -> str:
    children: dict[str | None, list[Node]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def branch(parent: str | None) -> str:
        items = []
        for node in children.get(parent, []):
            if not node.is_show_in_toc:
                continue
            topic = topics.get(node.topic_id or "")
            caption = node.caption or (topic.title if topic else "")
            if topic is None:
                label = f'<span class="folder">{_e(caption)}</span>'
            else:
                cls = ' class="current"' if topic.id == current else ""
                label = f'<a{cls} href="/articles/{_e(pub.id)}/{_e(topic.id)}">{_e(caption)}</a>'
            items.append(f"<li>{label}{branch(node.id)}</li>")
        return f"<ul>{''.join(items)}</ul>" if items else ""

    return f'<nav class="toc">{branch(None)}</nav>'


def _index(store: Store) -> Response:
    pubs = [p for p in store.projects() if p.is_publication and p.visibility == "Public"]
    if pubs:
        items = "".join(
            f'<li><a href="/articles/{_e(p.id)}">{_e(p.title)}</a> ({_e(p.lang)})</li>'
            for p in pubs
        )
        body = f"<main><h2>Publications</h2><ul>{items}</ul></main>"
    else:
        body = '<main><p class="empty">No public publications yet.</p></main>'
    return _page("Documentation", "Documentation", "/", body)
