"""Run a plan against a backend, recording every success in the lockfile as it happens.

Invariants:
1. The lockfile is saved (atomically) after every successful action, so a crash loses at most
   the action in flight.
2. Before a write is sent, a *pending* record is saved; if the run dies before the result is
   recorded, the next plan adopts the article a create made instead of creating it twice, and
   sends other writes again rather than mistake their effect for a web edit.
3. A create whose request failed in flight is looked up (``find_article``) before anything else;
   just before a create, the help center is asked whether another run made that article since
   the plan (``created_meanwhile``): then nothing is created, and the next plan adopts it.
4. A failed action fails its dependants (same file, its translations, articles of a failed
   category); other files go on. Orphans are never removed in a run that had a failure.
5. Ctrl-C stops after the action in flight; a second Ctrl-C abandons it.
6. A run ends with ``Backend.flush()`` (also after Ctrl-C), so a backend that batches
   publishing (ClickHelp: one publication task) carries out what the run queued.
"""

from __future__ import annotations

import hashlib
import signal
from collections import ChainMap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import FrameType
from typing import Any

from hcsync import lockfile as lockmod
from hcsync.apply.report import Outcome, OutcomeStatus, Report
from hcsync.backends.base import TOP_LEVEL, Backend, Metadata, Position
from hcsync.diagnostics import BackendError, LocalChangeError
from hcsync.lockfile import Journal, LockCategory, LockEntry, LockImage, PendingWrite
from hcsync.plan.model import Action, ActionKind, Plan
from hcsync.remote import RemoteDoc, html_hash
from hcsync.render.refs import image_placeholder

Resolver = Callable[[str, Mapping[str, str], Mapping[str, str]], str]
"""``resolve(html, article_urls_by_path, image_urls_by_sha256) -> html``."""

_DOC_WRITES = frozenset(
    {k for k in ActionKind if k.writes_document and k is not ActionKind.CREATE_ARTICLE}
    | {ActionKind.ORPHAN}
)
"""Writes to a document the lockfile knows: marked pending while in flight."""


_PUBLISHING = frozenset(
    {
        ActionKind.PUBLISH,
        ActionKind.UNPUBLISH,
        ActionKind.PUBLISH_TRANSLATION,
        ActionKind.UNPUBLISH_TRANSLATION,
        ActionKind.ORPHAN,
    }
)
"""What a backend may only queue until :meth:`Backend.flush` (ClickHelp publishes in one task
at the end): if the flush fails, these fail with it."""


def _deferred(action: Action) -> bool:
    return action.kind in _PUBLISHING and action.data.get("prune") != "delete"


def _definitely_refused(exc: BackendError) -> bool:
    """The request did not change anything (a 4xx other than 429): no crash window."""
    return exc.status is not None and 400 <= exc.status < 500 and exc.status != 429


_VERBS = {
    ActionKind.CREATE_CATEGORY: "create category",
    ActionKind.UPDATE_CATEGORY: "update category",
    ActionKind.DELETE_CATEGORY: "delete category",
    ActionKind.UPLOAD_IMAGE: "upload image",
    ActionKind.CREATE_ARTICLE: "create",
    ActionKind.UPDATE_DRAFT: "update",
    ActionKind.UPDATE_METADATA: "update the metadata of",
    ActionKind.PUBLISH: "publish",
    ActionKind.UNPUBLISH: "unpublish",
    ActionKind.CREATE_TRANSLATION: "create the translation",
    ActionKind.UPDATE_TRANSLATION: "update the translation",
    ActionKind.PUBLISH_TRANSLATION: "publish the translation",
    ActionKind.UNPUBLISH_TRANSLATION: "unpublish the translation",
    ActionKind.ORPHAN: "remove",
    ActionKind.DRIFT: "overwrite",
    ActionKind.RENAME: "rename",
    ActionKind.ADOPT: "adopt",
    ActionKind.REORDER: "reorder the children of",
}


class CreatedMeanwhileError(BackendError):
    """A create was not sent: the article appeared on the help center after the plan."""


@dataclass
class _Interrupt:
    requested: bool = False


class Executor:
    """Applies a :class:`Plan` through a :class:`Backend`."""

    def __init__(
        self,
        backend: Backend,
        journal: Journal,
        *,
        read_file: Callable[[str], bytes],
        resolve: Resolver,
        progress: Callable[[Outcome], None] | None = None,
    ) -> None:
        self.backend = backend
        self.journal = journal
        self.lock = journal.lock
        self._urls = {p: e.url for p, e in self.lock.entries.items() if e.url}
        self._planned: dict[str, str] = {}
        self._images = {sha: img.url for sha, img in self.lock.images.items()}
        self._read = read_file
        self._resolve = resolve
        self._progress = progress
        self._interrupt = _Interrupt()
        self._failed_paths: set[str] = set()
        self._image_paths: dict[str, str] = {}
        """sha256 → path of the images this run uploads (a failed one blocks who shows it)."""
        self._docs: dict[str, RemoteDoc] = {}
        self._after: dict[str, str | None] = {}
        """Key of a child created in this run → the sibling it goes after (planned order)."""

    # ---- public --------------------------------------------------------------------------

    def run(self, plan: Plan) -> Report:
        report = Report()
        before_calls = self.backend.stats.calls
        before_writes = self.backend.stats.writes
        self._planned = dict(plan.urls)
        self._image_paths = {
            str(a.data["sha256"]): a.path for a in plan.actions if a.kind is ActionKind.UPLOAD_IMAGE
        }
        self._after = {
            ("c:" if a.kind is ActionKind.CREATE_CATEGORY else "a:") + a.path: a.data.get("after")
            for a in plan.actions
            if a.kind in (ActionKind.CREATE_CATEGORY, ActionKind.CREATE_ARTICLE)
            and "after" in a.data
        }
        previous = _install_sigint(self._interrupt)
        try:
            for action in plan.actions:
                if self._interrupt.requested:
                    report.interrupted = True
                    break
                outcome = self._run_one(action, report)
                report.outcomes.append(outcome)
                if self._progress:
                    self._progress(outcome)
            self._flush(report)
        finally:
            _restore_sigint(previous)
            report.calls = self.backend.stats.calls - before_calls
            report.writes = self.backend.stats.writes - before_writes
        return report

    def _flush(self, report: Report) -> None:
        """Let the backend carry out what it deferred (invariant 6); if that fails, every
        deferred action of this run failed with it. The lockfile keeps their status: the next
        plan reads what is really live from the remote and plans them again."""
        try:
            self.backend.flush()
        except BackendError as exc:
            for i, outcome in enumerate(report.outcomes):
                action = outcome.action
                if outcome.status is OutcomeStatus.DONE and _deferred(action):
                    verb = _VERBS.get(action.kind, action.kind.value)
                    report.outcomes[i] = Outcome(
                        action=action,
                        status=OutcomeStatus.FAILED,
                        message=f'{action.path}: help center refused to {verb} "{action.title}": '
                        f"{exc.format()}",
                    )
                    self._failed_paths.add(action.path)

    # ---- one action ----------------------------------------------------------------------

    def _run_one(self, action: Action, report: Report) -> Outcome:
        if action.skipped:
            return Outcome(action=action, status=OutcomeStatus.SKIPPED, message=action.note)
        blocker = self._blocked_by(action, report)
        if blocker:
            self._failed_paths.add(action.path)
            return Outcome(action=action, status=OutcomeStatus.SKIPPED, message=blocker)
        marked = self._mark_pending(action)
        try:
            self._dispatch(action)
        except LocalChangeError as exc:  # not sent: the local side's fault, said as such
            if marked:
                self._clear_pending(action.path)
            self._failed_paths.add(action.path)
            return Outcome(action=action, status=OutcomeStatus.FAILED, message=exc.format())
        except BackendError as exc:
            if marked and _definitely_refused(exc):
                self._clear_pending(action.path)
            self._failed_paths.add(action.path)
            verb = _VERBS.get(action.kind, action.kind.value)
            lang = f" ({action.language})" if action.kind.value.endswith("translation") else ""
            message = (
                f"{action.path}: {exc.format()}"
                if isinstance(exc, CreatedMeanwhileError)
                else f'{action.path}: help center refused to {verb}{lang} "{action.title}": '
                f"{exc.format()}"
            )
            return Outcome(action=action, status=OutcomeStatus.FAILED, message=message)
        self._clear_pending(action.path)
        return Outcome(action=action, status=OutcomeStatus.DONE)

    def _mark_pending(self, action: Action) -> bool:
        """Record a write to an existing document before it is sent (invariant 2)."""
        if action.kind not in _DOC_WRITES or action.path not in self.lock.entries:
            return False
        entry = self.lock.entries[action.path]
        self.journal.pending(
            PendingWrite(
                path=action.path, title=action.title, language=entry.language, op=action.kind.value
            )
        )
        return True

    def _clear_pending(self, path: str) -> None:
        self.journal.clear_pending(path)

    def _blocked_by(self, action: Action, report: Report) -> str | None:
        if action.kind in (ActionKind.ORPHAN, ActionKind.DELETE_CATEGORY) and report.failed:
            return "not removed: an earlier action failed in this run"
        deps = [action.path]
        for key in ("source", "category"):
            value = action.data.get(key)
            if isinstance(value, str):
                deps.append(value)
        parent = action.data.get("parent")
        if isinstance(parent, str):
            deps.append(parent)
        html = action.data.get("html")
        if isinstance(html, str):  # an image it shows whose upload failed
            deps += [p for sha, p in self._image_paths.items() if image_placeholder(sha) in html]
        for dep in deps:
            if dep in self._failed_paths:
                return f"skipped: {dep} failed earlier in this run"
        return None

    def _dispatch(self, action: Action) -> None:
        handler = getattr(self, f"_do_{action.kind.value}")
        handler(action)

    # ---- renames -----------------------------------------------------------------------

    def _do_rename(self, action: Action) -> None:
        """The file moved: its entry follows it (lockfile only, no call)."""
        old = str(action.data["from"])
        entry = self.lock.entries[old]
        source = action.data.get("source")
        self.journal.forget(old)
        self.journal.record(replace(entry, path=action.path, source=source or None))
        url = self._urls.pop(old, None)
        if url:
            self._urls[action.path] = url

    def _do_adopt(self, action: Action) -> None:
        """The file, category or image is one the help center has: record it (lockfile
        only, no call)."""
        d = action.data
        if "category" in d:
            self.journal.category(LockCategory(**d["category"]))
        elif "image" in d:
            image = LockImage(**d["image"])
            self.journal.image(image)
            self._images[image.sha256] = image.url
        else:
            entry = LockEntry(**d["entry"])
            self.journal.record(entry)
            if entry.url:
                self._urls[action.path] = entry.url

    # ---- categories and images -----------------------------------------------------------

    def _do_create_category(self, action: Action) -> None:
        d = action.data
        parent = d.get("parent")
        parent_id = self.lock.categories[parent].id if parent else None
        created = self.backend.create_category(
            name=d["name"],
            description=d.get("description", ""),
            icon=d.get("icon"),
            parent_id=parent_id,
            translations=_category_translations(d),
            position=self._position(action, f"c:{action.path}"),
        )
        self.journal.category(LockCategory(path=action.path, id=created.id, hash=d["hash"]))

    def _do_update_category(self, action: Action) -> None:
        d = action.data
        assert action.remote_id
        self.backend.update_category(
            action.remote_id,
            name=d["name"],
            description=d.get("description", ""),
            icon=d.get("icon"),
            translations=_category_translations(d),
        )
        self.journal.category(LockCategory(path=action.path, id=action.remote_id, hash=d["hash"]))

    def _position(self, action: Action, key: str) -> Position | None:
        """Where a new child goes: right after the nearest sibling before it in the planned
        order that exists by now (following the chain of ``after`` through siblings not
        created yet), or first. None where the plan gives no order."""
        if "after" not in action.data:
            return None
        before = action.data["after"]
        seen = {key}
        while isinstance(before, str) and before not in seen:
            found = self._child(before)
            if found is not None:
                return Position(after=found)
            seen.add(before)
            before = self._after.get(before)
        return Position(after=None)

    def _child(self, key: str) -> tuple[str, str] | None:
        """``c:<path>`` / ``a:<path>`` → ("category" | "article", remote id), if it exists."""
        kind, _, path = key.partition(":")
        if kind == "c" and path in self.lock.categories:
            return ("category", self.lock.categories[path].id)
        if kind == "a" and path in self.lock.entries:
            return ("article", self.lock.entries[path].id)
        return None

    def _do_reorder(self, action: Action) -> None:
        """Put a folder's children in the planned order (ids from the lockfile as it is now,
        so children created earlier in this run are included; a failed create is left out)."""
        folder = str(action.data.get("folder") or "")
        parent = self.lock.categories.get(folder) if folder else None
        if folder and parent is None:
            raise BackendError(f"category {folder} was not created")
        children = [c for c in map(self._child, action.data.get("children") or ()) if c]
        self.backend.reorder(parent.id if parent else None, children)

    def _do_delete_category(self, action: Action) -> None:
        assert action.remote_id
        self.backend.delete_category(action.remote_id)
        self.journal.drop_category(action.path)

    def _do_upload_image(self, action: Action) -> None:
        d = action.data
        try:
            data = self._read(action.path)
        except OSError as exc:
            raise LocalChangeError(
                f"{action.path}: cannot read it ({exc.strerror or exc}); the files changed "
                "since the plan was made; plan again"
            ) from None
        if hashlib.sha256(data).hexdigest() != d["sha256"]:
            raise LocalChangeError(f"{action.path} changed since the plan was made; plan again")
        url = self.backend.upload_image(filename=d["filename"], data=data, mime=d["mime"])
        self.journal.image(LockImage(sha256=d["sha256"], url=url, path=action.path))
        self._images[d["sha256"]] = url

    # ---- articles ------------------------------------------------------------------------

    def _do_create_article(self, action: Action) -> None:
        d = action.data
        title, html = d["title"], self._html(d)
        category_id = d.get("category_id") or self._category_id(d.get("category"))
        known = {e.id for e in self.lock.entries.values()}
        there = self.backend.created_meanwhile(
            title=title, category_id=category_id, known_ids=known
        )
        if there is not None:
            raise CreatedMeanwhileError(
                f'the help center has had an article "{there.title}" (id {there.id}) in this '
                "category since the plan was made (another apply running now?): not created "
                "a second time. Run `hcsync plan` again: it will be adopted"
            )
        self.journal.pending(PendingWrite(path=action.path, title=title, language=d["language"]))
        try:
            doc = self.backend.create_article(
                title=title,
                html=html,
                category_id=category_id,
                seo_title=d.get("seo_title"),
                seo_description=d.get("seo_description"),
                slug=d.get("slug"),
                position=self._position(action, f"a:{action.path}"),
            )
        except BackendError as exc:
            if _definitely_refused(exc):
                self.journal.clear_pending(action.path)
                raise
            # The create may have landed before the failure: look before anything else.
            found = self.backend.find_article(title=title, known_ids=known)
            if found is None:
                self.journal.clear_pending(action.path)
                raise
            doc = found
        # The slug is recorded where the plan knows the help center's (else its own
        # metadata action sets it next).
        self._record(
            action,
            doc,
            title=title,
            html=html,
            status="draft",
            category=d.get("category"),
            slug=d.get("slug") if d.get("slug_known") else None,
        )

    def _do_update_draft(self, action: Action) -> None:
        d = action.data
        title, html = d["title"], self._html(d)
        if d.get("second_pass") and self._already_sent(action.path, d, title, html):
            return
        doc = self.backend.update_draft(self._article_id(action), title=title, html=html)
        self._record(action, doc, title=title, html=html)

    def _already_sent(self, path: str, data: Mapping[str, Any], title: str, html: str) -> bool:
        entry = self.lock.entries.get(path)
        salt = str(data.get("renderer", ""))
        return entry is not None and entry.local_hash == lockmod.digest(salt, title, html)

    def _do_update_metadata(self, action: Action) -> None:
        d = action.data
        category = d.get("category")
        if category:
            category_id = self._category_id(category)
        else:  # a category given by its remote id, or TOP_LEVEL; None: not moved
            category_id = d.get("category_id")
        meta = Metadata(
            category_id=category_id,
            slug=d.get("slug"),
            seo_title=d.get("seo_title"),
            seo_description=d.get("seo_description"),
        )
        doc = self.backend.update_metadata(self._article_id(action), meta)
        extra: dict[str, Any] = {}
        if category or category_id == TOP_LEVEL:
            extra["category"] = category or TOP_LEVEL
        if meta.slug:
            extra["slug"] = meta.slug
        self._record(action, doc, **extra)

    def _do_publish(self, action: Action) -> None:
        doc = self.backend.publish(self._article_id(action))
        self._record(action, doc, status="published")

    def _do_unpublish(self, action: Action) -> None:
        doc = self.backend.unpublish(self._article_id(action))
        self._record(action, doc, status="unpublished")

    # ---- translations --------------------------------------------------------------------

    def _do_create_translation(self, action: Action) -> None:
        self._put_translation(action)

    def _do_update_translation(self, action: Action) -> None:
        self._put_translation(action)

    def _put_translation(self, action: Action) -> None:
        d = action.data
        article_id, lang = self._article_id(action), d["language"]
        title, html = d["title"], self._html(d)
        if d.get("second_pass") and self._already_sent(action.path, d, title, html):
            return
        doc = self.backend.put_translation(article_id, lang, title=title, html=html)
        status = (
            self.lock.entries[action.path].status if action.path in self.lock.entries else "draft"
        )
        known = d.get("slug") if d.get("slug_known") else None
        self._record(action, doc, title=title, html=html, status=status, slug=known)
        meta = dict(d.get("metadata") or {})
        if meta:  # only what the plan found different (slug, SEO)
            doc = self.backend.update_translation_metadata(
                article_id,
                lang,
                Metadata(
                    slug=meta.get("slug"),
                    seo_title=meta.get("seo_title"),
                    seo_description=meta.get("seo_description"),
                ),
            )
            self._record(action, doc, slug=meta.get("slug"))

    def _do_publish_translation(self, action: Action) -> None:
        doc = self.backend.publish_translation(self._article_id(action), action.data["language"])
        self._record(action, doc, status="published")

    def _do_unpublish_translation(self, action: Action) -> None:
        doc = self.backend.unpublish_translation(self._article_id(action), action.data["language"])
        self._record(action, doc, status="unpublished")

    # ---- drift and orphans ---------------------------------------------------------------

    def _do_drift(self, action: Action) -> None:
        raise BackendError("a drift action is only ever skipped")  # diff plans updates instead

    def _do_orphan(self, action: Action) -> None:
        d = action.data
        assert action.remote_id
        lang = str(d.get("language") or "")
        translation = bool(d.get("translation"))
        if d.get("prune") == "delete":
            if translation:
                self.backend.delete_translation(action.remote_id, lang)
            else:
                self.backend.delete_article(action.remote_id)
            self.journal.forget(action.path)
            self._urls.pop(action.path, None)
        else:
            if translation:
                doc = self.backend.unpublish_translation(action.remote_id, lang)
            else:
                doc = self.backend.unpublish(action.remote_id)
            entry = self.lock.entries.get(action.path)
            if entry:
                self.journal.record(
                    replace(entry, status="unpublished", remote_version=doc.version)
                )

    # ---- helpers -------------------------------------------------------------------------

    def _html(self, data: Mapping[str, Any]) -> str:
        # The URLs the plan resolved with come first: an article whose slug changes later in
        # the run is linked to by its final URL from the start.
        urls = ChainMap(self._planned, self._urls)
        return self._resolve(str(data.get("html", "")), urls, self._images)

    def _category_id(self, path: str | None) -> str | None:
        if not path:
            return None
        if path in self.lock.categories:
            return self.lock.categories[path].id
        raise BackendError(f"category {path!r} has no remote id (was it created?)")

    def _article_id(self, action: Action) -> str:
        if action.remote_id:
            return action.remote_id
        source = action.data.get("source") or action.path
        entry = self.lock.entries.get(source)
        if entry is None:
            raise BackendError(f"{source} has no remote id yet")
        return entry.id

    def _record(
        self,
        action: Action,
        doc: RemoteDoc,
        *,
        title: str | None = None,
        html: str | None = None,
        status: str | None = None,
        slug: str | None = None,
        category: str | None = None,
    ) -> None:
        d = action.data
        old = self.lock.entries.get(action.path)
        salt = str(d.get("renderer", ""))
        local_hash = (
            lockmod.digest(salt, title, html)
            if title is not None and html is not None
            else (old.local_hash if old else "")
        )
        the_slug = slug or (old.slug if old else None) or doc.slug
        entry = LockEntry(
            path=action.path,
            id=doc.id or (old.id if old else ""),
            language=str(d.get("language") or doc.language),
            source=d.get("source") if d.get("source") != action.path else None,
            slug=the_slug,
            category=None
            if category == TOP_LEVEL
            else (category or (old.category if old else None)),
            local_hash=local_hash,
            remote_hash=html_hash(doc.html)
            if doc.html is not None
            else (old.remote_hash if old else ""),
            remote_version=doc.version or (old.remote_version if old else ""),
            status=status or (old.status if old else "draft"),
            url=doc.url_for(the_slug) or (old.url if old else None),
        )
        self.journal.record(entry)
        if entry.url:
            self._urls[entry.path] = entry.url


def _install_sigint(flag: _Interrupt) -> Any:
    def handler(signum: int, frame: FrameType | None) -> None:
        if flag.requested:
            raise KeyboardInterrupt
        flag.requested = True

    try:
        return signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread
        return None


def _restore_sigint(previous: Any) -> None:
    if previous is not None:
        try:
            signal.signal(signal.SIGINT, previous)
        except ValueError:
            pass


def _category_translations(data: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The plan's ``{lang: {name, description}}`` as the backend takes it."""
    found = data.get("translations") or {}
    return [
        (lang, str(t.get("name") or ""), str(t.get("description") or ""))
        for lang, t in sorted(found.items())
    ]
