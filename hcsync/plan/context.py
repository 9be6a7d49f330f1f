"""What every part of the diff shares: the options, the context one plan is built in, and
small helpers (actions, field changes, link resolution, text diffs).
"""

from __future__ import annotations

import difflib
import html as htmllib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hcsync.diagnostics import Diagnostic, Severity
from hcsync.lockfile import Lockfile
from hcsync.plan.desired import Desired, DesiredDoc
from hcsync.plan.identity import (
    Identity,
)
from hcsync.plan.model import Action, ActionKind, FieldChange
from hcsync.remote import Snapshot

Resolver = Callable[[str, Mapping[str, str], Mapping[str, str]], str]


@dataclass(frozen=True, slots=True, kw_only=True)
class DiffOptions:
    overwrite: bool = False
    """Replace remote edits (drift) instead of skipping them."""
    prune: str = "report"
    """What to do with orphans: report | unpublish | delete."""
    force: bool = False
    """Send every article again, even when unchanged."""


@dataclass
class Ctx:
    desired: Desired
    lock: Lockfile
    snap: Snapshot
    opts: DiffOptions
    resolve: Resolver
    category_ids: dict[str, str] = field(default_factory=dict)
    article_urls: dict[str, str] = field(default_factory=dict)
    image_urls: dict[str, str] = field(default_factory=dict)
    identity: Identity | None = None
    adopts: list[Action] = field(default_factory=list)
    """Files matched to existing remote articles: recorded in the lockfile, first."""
    new_paths: set[str] = field(default_factory=set)
    """Files this plan will create (no lockfile entry, or their article is gone)."""
    created: set[str] = field(default_factory=set)
    """Files created earlier in this plan: their URL is known by the time later writes run."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    noops: int = 0
    # buckets, concatenated in order at the end
    categories: list[Action] = field(default_factory=list)
    images: list[Action] = field(default_factory=list)
    creates: list[Action] = field(default_factory=list)
    updates: list[Action] = field(default_factory=list)
    publishes: list[Action] = field(default_factory=list)
    unpublishes: list[Action] = field(default_factory=list)
    translations: list[Action] = field(default_factory=list)
    translation_passes: list[Action] = field(default_factory=list)
    translation_states: list[Action] = field(default_factory=list)
    drifts: list[Action] = field(default_factory=list)
    orphans: list[Action] = field(default_factory=list)
    deletions: list[Action] = field(default_factory=list)
    renames: dict[str, str] = field(default_factory=dict)
    """New path → old path of files moved since the last apply (their identity follows)."""


def known_urls(ctx: Ctx) -> None:
    """URLs of articles that exist remotely, with the slug they will have after this plan."""
    for doc in ctx.desired.articles + ctx.desired.translations:
        entry = ctx.lock.entries.get(doc.path)
        if entry is None:
            continue
        remote = (
            ctx.snap.articles.get(entry.id)
            if doc.source is None
            else ctx.snap.translations.get((entry.id, doc.language))
        )
        url = remote.url_for(doc.slug) if remote else None
        if url is None and entry.slug == doc.slug:
            url = entry.url
        if url:
            ctx.article_urls[doc.path] = url


def creation_order(docs: tuple[DesiredDoc, ...], ctx: Ctx) -> list[DesiredDoc]:
    """Articles in file order, except that a new article comes after the new ones it links
    to, so its links resolve on the first write (cycles fall back to a second pass)."""
    by_path = {d.path: d for d in docs}
    order: list[DesiredDoc] = []
    state: dict[str, int] = {}

    def visit(doc: DesiredDoc) -> None:
        if state.get(doc.path):
            return
        state[doc.path] = 1
        for ref in doc.article_refs:
            target = by_path.get(ref)
            if target is not None and ref not in ctx.lock.entries:
                visit(target)
        state[doc.path] = 2
        order.append(doc)

    for doc in docs:
        visit(doc)
    return order


def resends(ctx: Ctx, doc: DesiredDoc) -> bool:
    """A write to ``doc`` was in flight when a run died: it may have landed, so the remote's
    new version is (probably) ours, not a web edit. Send the document again to record it."""
    pending = ctx.lock.pending.get(doc.path)
    return pending is not None and pending.op != "create" and doc.path in ctx.lock.entries


def links_to_new(ctx: Ctx, doc: DesiredDoc) -> bool:
    """Whether ``doc`` exists already and links to a file this plan creates: its links must
    be sent again once the target has a URL (a resume after a crash can leave this state)."""
    return doc.path not in ctx.new_paths and any(r in ctx.new_paths for r in doc.article_refs)


def resolved_html(ctx: Ctx, doc: DesiredDoc) -> tuple[str, bool]:
    """The HTML to send, and whether some link target has no URL yet (needs a second pass)."""
    html = ctx.resolve(doc.html, ctx.article_urls, ctx.image_urls)
    missing = any(
        ref not in ctx.article_urls and ref not in ctx.created
        for ref in doc.article_refs
        if ref != doc.path
    )
    return html, missing


def warn(ctx: Ctx, doc: DesiredDoc, message: str, key: str | None = None) -> None:
    line = doc.key_lines.get(key, doc.line) if key else doc.line
    ctx.diagnostics.append(
        Diagnostic(path=doc.path, line=line, severity=Severity.WARNING, message=message)
    )


def second_pass(ctx: Ctx, doc: DesiredDoc, remote_id: str | None) -> Action:
    kind = ActionKind.UPDATE_DRAFT if doc.source is None else ActionKind.UPDATE_TRANSLATION
    return Action(
        kind=kind,
        path=doc.path,
        title=doc.title,
        remote_id=remote_id,
        language=doc.language,
        note="second pass: links to articles created in this run",
        data={
            "language": doc.language,
            "renderer": ctx.desired.renderer,
            "title": doc.title,
            "html": doc.html,
            "source": doc.source,
            "second_pass": True,
        },
    )


def act(kind: ActionKind, doc: DesiredDoc, **fields: Any) -> Action:
    """An action about ``doc``: its path, title and language filled in."""
    return Action(kind=kind, path=doc.path, title=doc.title, language=doc.language, **fields)


def field_changes(*triples: tuple[str, object, object]) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(name=n, before=b, after=a)
        for n, b, a in triples
        if b != a and not (b is None and a is None)
    )


_BLOCK = re.compile(r"</?(?:p|h[1-6]|li|ul|ol|pre|tr|table|blockquote|div|br|hr)\b[^>]*>", re.I)

_TAG = re.compile(r"<[^>]+>")


def html_text(html: str) -> list[str]:
    """Readable lines of an HTML document, for diffs people read."""
    text = _BLOCK.sub("\n", html)
    text = htmllib.unescape(_TAG.sub("", text))
    return [line.strip() for line in text.splitlines() if line.strip()]


def text_diff(before: str, after: str, path: str, *, drift: bool = False) -> str | None:
    """A text diff of two HTML documents: remote → local (what an apply sends), or for a
    drift local → remote (what the web edit changed)."""
    old, new = ("local", "remote") if drift else ("remote", "local")
    lines = list(
        difflib.unified_diff(
            html_text(before),
            html_text(after),
            fromfile=f"{old}/{path}",
            tofile=f"{new}/{path}",
            lineterm="",
            n=1,
        )
    )
    return "\n".join(lines) + "\n" if lines else None
