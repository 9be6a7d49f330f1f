"""The steps every command shares, in the one direction data flows:
config → Site → (Backend.snapshot) → Plan → apply → lockfile.

The library raises; ``cli.py`` prints. Nothing here imports click.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import os
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import replace
from typing import Any

import httpx

from hcsync import lockfile as lockmod
from hcsync.apply.report import Outcome, Report
from hcsync.backends.base import Backend
from hcsync.config import Backend as BackendName
from hcsync.config import Config
from hcsync.content.model import Site
from hcsync.diagnostics import HcsyncError, UsageError
from hcsync.lockfile import Lockfile
from hcsync.plan.desired import Desired
from hcsync.plan.diff import DiffOptions, adopted_ids, diff, translation_pairs
from hcsync.plan.identity import category_ids
from hcsync.plan.links import resolve_lenient
from hcsync.plan.model import Plan, PlanOptions
from hcsync.plan.site_adapter import desired_from_site
from hcsync.redact import API_KEY_ENV as API_KEY_ENV
from hcsync.redact import CLICKHELP_KEY_ENV as CLICKHELP_KEY_ENV
from hcsync.redact import CLICKHELP_LOGIN_ENV as CLICKHELP_LOGIN_ENV
from hcsync.redact import secrets_from_env as secrets_from_env
from hcsync.remote import RemoteDoc, Snapshot

TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class StalePlanError(HcsyncError):
    """A saved plan no longer matches the help center or the lockfile."""


class WrongTargetError(HcsyncError):
    """The lockfile belongs to another center or project than the config names."""


def open_client(config: Config, *, timeout: float | None = None) -> httpx.Client:
    """The one HTTP client of a run (keep-alive), pointed at the configured API. With
    ``timeout``, no request starts once that many seconds have passed (it fails as timed
    out): the command's overall deadline (``hcsync --timeout``)."""
    import time

    from hcsync.backends.helpcenter import DEFAULT_BASE_URL

    base = config.base_url or config.portal_url or DEFAULT_BASE_URL
    hooks: dict[str, list[Callable[..., Any]]] = {}
    if timeout is not None:
        deadline = time.monotonic() + timeout

        def check(request: httpx.Request) -> None:
            if time.monotonic() > deadline:
                raise httpx.TimeoutException(f"past --timeout {timeout:g} s", request=request)

        hooks["request"] = [check]
    return httpx.Client(base_url=base, timeout=TIMEOUT, follow_redirects=False, event_hooks=hooks)


def make_backend(
    config: Config,
    client: httpx.Client,
    env: Mapping[str, str] = os.environ,
    *,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Backend:
    """The backend ``config`` names, with credentials from ``env``. What ``hcsync.yml`` must
    hold is checked where it is read (:mod:`hcsync.config`), once, for plan and validate."""
    if config.backend is BackendName.HELPCENTER:
        from hcsync.backends.helpcenter import HelpCenterBackend

        key = env.get(API_KEY_ENV, "").strip()
        if not key:
            raise UsageError(
                f"{API_KEY_ENV} is not set: create an API key with the content.read, "
                "content.write, content.publish and content.delete scopes and export it"
            )
        return HelpCenterBackend(
            client, center_id=_set(config.center_id), api_key=key, clock=clock, sleep=sleep
        )
    if config.backend is BackendName.CLICKHELP:
        return _clickhelp(config, client, env, clock=clock, sleep=sleep)
    raise UsageError(f"backend {config.backend.value!r} is not supported yet")


def _clickhelp(
    config: Config,
    client: httpx.Client,
    env: Mapping[str, str],
    *,
    clock: Callable[[], float] | None,
    sleep: Callable[[float], None] | None,
) -> Backend:
    from hcsync.backends.clickhelp import ClickHelpBackend

    login = env.get(CLICKHELP_LOGIN_ENV, "").strip()
    key = env.get(CLICKHELP_KEY_ENV, "").strip()
    if not login or not key:
        missing = CLICKHELP_LOGIN_ENV if not login else CLICKHELP_KEY_ENV
        raise UsageError(
            f"{missing} is not set: export your ClickHelp login and an API key generated for "
            f"it (a Contributor's) as {CLICKHELP_LOGIN_ENV} and {CLICKHELP_KEY_ENV}"
        )
    return ClickHelpBackend(
        client,
        portal_url=_set(config.portal_url),
        project_id=_set(config.project_id),
        publication_id=_set(config.publication_id),
        login=login,
        api_key=key,
        default_language=config.default_language,
        language_projects=config.language_projects,
        clock=clock,
        sleep=sleep,
    )


def _set(value: str | None) -> str:
    """A setting :func:`hcsync.config.load_config` requires for this backend (the rules
    live there, so that ``validate`` enforces them too)."""
    if not value:
        raise UsageError("hcsync.yml was not validated (use hcsync.config.load_config)")
    return value


def load_lock(config: Config) -> Lockfile:
    """The lockfile and its journal; what was dropped from them is in ``lock.problems``."""
    lock = lockmod.load(config.lockfile)
    expected = config.center_id or config.project_id or ""
    if lock.target and expected and lock.target != expected:
        raise WrongTargetError(
            f"{config.lockfile.name} belongs to {lock.target!r}, but hcsync.yml names "
            f"{expected!r}; check the target in hcsync.yml, or point its 'lockfile:' setting "
            f"at the lockfile of {expected!r}"
        )
    return lock


def settle_journal(config: Config, lock: Lockfile) -> None:
    """Fold the journal a killed apply left into the lockfile (``lock`` has it replayed).

    Called by apply, under the apply lock, before anything else: even when nothing is left
    to do, the lockfile then holds everything the cut-off run recorded.
    """
    if os.path.lexists(lockmod.journal_path(config.lockfile)):
        lockmod.Journal(lock, config.lockfile).commit()


def make_plan(
    site: Site, lock: Lockfile, backend: Backend, *, options: DiffOptions | None = None
) -> Plan:
    """Read the remote (the fewest calls) and diff it against the site and the lockfile."""
    desired = desired_from_site(site)
    snapshot = backend.snapshot()
    adopted = adopted_ids(desired, lock, snapshot, resolve=resolve_lenient, options=options)
    snapshot = _with_html(snapshot, [snapshot.articles[i] for i in adopted], backend)
    pairs = translation_pairs(desired, lock, snapshot, resolve=resolve_lenient, options=options)
    if pairs:
        snapshot = replace(snapshot, translations=dict(backend.fetch_translations(pairs)))
    if adopted:
        ids = set(adopted)
        translations = [t for (a, _), t in snapshot.translations.items() if a in ids and t]
        snapshot = _with_html(snapshot, translations, backend)
        snapshot = _with_adopted_images(snapshot, ids, lock, desired, backend)
    snapshot = _with_drifted_html(snapshot, lock, desired, backend)
    snapshot = _with_changed_category_names(snapshot, lock, desired, backend)
    plan = diff(desired, lock, snapshot, resolve=resolve_lenient, options=options)
    return replace(
        plan,
        diagnostics=tuple(site.diagnostics) + plan.diagnostics,
        options=plan_options(options),
    )


def plan_options(options: DiffOptions | None) -> PlanOptions:
    """The options a plan records, from those it was made with."""
    o = options or DiffOptions()
    return PlanOptions(overwrite=o.overwrite, prune=o.prune, force=o.force)


def diff_options(options: PlanOptions) -> DiffOptions:
    """The options to plan with again, from those a saved plan records."""
    return DiffOptions(overwrite=options.overwrite, prune=options.prune, force=options.force)


def _with_drifted_html(
    snapshot: Snapshot, lock: Lockfile, desired: Desired, backend: Backend
) -> Snapshot:
    """The snapshot with the HTML of the documents edited on the remote since the last apply,
    where the listing left it out (ClickHelp), so the plan shows what was edited there. One
    call per edited document; none when nothing drifted."""
    paths = {d.path for d in desired.articles + desired.translations}
    moved: list[RemoteDoc] = []
    for path, entry in lock.entries.items():
        if path not in paths or path in lock.pending:
            continue
        doc = (
            snapshot.articles.get(entry.id)
            if entry.source is None
            else snapshot.translations.get((entry.id, entry.language))
        )
        if doc is not None and doc.version != entry.remote_version:
            moved.append(doc)
    return _with_html(snapshot, moved, backend)


def _with_adopted_images(
    snapshot: Snapshot, ids: set[str], lock: Lockfile, desired: Desired, backend: Backend
) -> Snapshot:
    """The snapshot with the images that the articles (and translations) being adopted show
    and the files use too, by content hash: downloaded once each, so a lost lockfile does not
    upload every image again. Only when something is adopted."""
    docs = [snapshot.articles[i] for i in sorted(ids)]
    docs += [t for (aid, _), t in snapshot.translations.items() if aid in ids and t is not None]
    wanted = {img.sha256 for img in desired.images} - set(lock.images)
    found = hosted_images(backend, [d.html or "" for d in docs], wanted)
    return replace(snapshot, images=found) if found else snapshot


def hosted_images(
    backend: Backend, htmls: Iterable[str], wanted: Collection[str]
) -> dict[str, str]:
    """sha256 → URL of the images these documents show that the help center hosts and whose
    content is in ``wanted`` (one download per distinct URL; other hosts' images are skipped
    by the backend, which never sends a credential elsewhere)."""
    found: dict[str, str] = {}
    seen: set[str] = set()
    for html in htmls:
        for m in _IMG_SRC.finditer(html):
            url = htmllib.unescape(m.group(1))
            if url in seen or len(found) == len(wanted):
                continue
            seen.add(url)
            data = backend.download_image(url)
            if data is not None:
                sha = hashlib.sha256(data).hexdigest()
                if sha in wanted:
                    found.setdefault(sha, url)
    return found


_IMG_SRC = re.compile(r'<img\b[^>]*?\ssrc="([^"]*)"')


def _with_html(snapshot: Snapshot, docs: list[RemoteDoc], backend: Backend) -> Snapshot:
    """The snapshot with the HTML of these documents, where the listing left it out (one
    call each; none when every one has it)."""
    missing = [d for d in docs if d.html is None]
    if not missing:
        return snapshot
    articles, translations = dict(snapshot.articles), dict(snapshot.translations)
    for doc in backend.with_html(missing):
        if doc.language == snapshot.default_language:
            articles[doc.id] = doc
        else:
            translations[(doc.id, doc.language)] = doc
    return replace(snapshot, articles=articles, translations=translations)


def _with_changed_category_names(
    snapshot: Snapshot, lock: Lockfile, desired: Desired, backend: Backend
) -> Snapshot:
    """The snapshot with the translated names of the categories the plan will update or
    adopt, where the listing left them out (ClickHelp), so the plan shows what changes. No
    call when no category changed."""
    ids = category_ids(desired, lock, snapshot)
    changed = {
        ids[c.path]
        for c in desired.categories
        if c.path in ids
        and (c.path not in lock.categories or lock.categories[c.path].hash != c.hash)
    }
    if not changed:
        return snapshot
    named = {
        c.id: c
        for c in backend.with_translated_names([c for c in snapshot.categories if c.id in changed])
    }
    return replace(snapshot, categories=tuple(named.get(c.id, c) for c in snapshot.categories))


def check_not_stale(saved: Plan, fresh: Plan) -> None:
    """Refuse a saved plan whose remote or lockfile moved since it was made."""
    if saved.target and fresh.target and saved.target != fresh.target:
        raise StalePlanError(f"the saved plan is for {saved.target!r}, not {fresh.target!r}")
    if saved.fingerprint != fresh.fingerprint:
        raise StalePlanError(
            "the saved plan is stale: the help center or the lockfile changed since it was "
            "made. Run `hcsync plan -o FILE` again, review it, then apply the new file."
        )


def apply_plan(
    plan: Plan,
    config: Config,
    lock: Lockfile,
    backend: Backend,
    *,
    progress: Callable[[Outcome], None] | None = None,
) -> Report:
    """Execute ``plan``. Every change is journalled as it happens; the lockfile itself is
    written once at the end (or, after a crash, by the next command that loads it)."""

    from hcsync.apply.executor import Executor  # here: plan never needs it

    def read_file(path: str) -> bytes:
        return (config.content / path).read_bytes()

    journal = lockmod.Journal(lock, config.lockfile)
    journal.set_target(config.backend.value, config.center_id or config.project_id or "")
    executor = Executor(
        backend, journal, read_file=read_file, resolve=resolve_lenient, progress=progress
    )
    try:
        return executor.run(plan)
    finally:
        journal.commit()
