"""The steps every command shares, in the one direction data flows:
config → Site → (Backend.snapshot) → Plan → apply → lockfile.

The library raises; ``cli.py`` prints. Nothing here imports click.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import replace

import httpx

from hcsync import lockfile as lockmod
from hcsync.apply.executor import Executor
from hcsync.apply.report import Outcome, Report
from hcsync.backends.base import Backend
from hcsync.config import Backend as BackendName
from hcsync.config import Config
from hcsync.content.model import Site
from hcsync.diagnostics import HcsyncError, UsageError
from hcsync.lockfile import Lockfile
from hcsync.plan.diff import DiffOptions, diff, translation_pairs
from hcsync.plan.links import resolve_lenient
from hcsync.plan.model import Plan
from hcsync.plan.site_adapter import desired_from_site

API_KEY_ENV = "HCSYNC_API_KEY"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class StalePlanError(HcsyncError):
    """A saved plan no longer matches the help center or the lockfile."""


class WrongTargetError(HcsyncError):
    """The lockfile belongs to another center or project than the config names."""


def secrets_from_env(env: Mapping[str, str]) -> list[str]:
    """Every credential hcsync may hold, for redaction."""
    names = (API_KEY_ENV, "HCSYNC_CLICKHELP_API_KEY", "GITHUB_TOKEN")
    return [env[n] for n in names if env.get(n)]


def open_client(config: Config) -> httpx.Client:
    """The one HTTP client of a run (keep-alive), pointed at the configured API."""
    from hcsync.backends.helpcenter import DEFAULT_BASE_URL

    base = config.base_url or DEFAULT_BASE_URL
    return httpx.Client(base_url=base, timeout=TIMEOUT, follow_redirects=False)


def make_backend(
    config: Config,
    client: httpx.Client,
    env: Mapping[str, str] = os.environ,
    *,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Backend:
    """The backend ``config`` names, with credentials from ``env``."""
    if config.backend is BackendName.HELPCENTER:
        from hcsync.backends.helpcenter import HelpCenterBackend

        key = env.get(API_KEY_ENV, "").strip()
        if not key:
            raise UsageError(
                f"{API_KEY_ENV} is not set: create an API key with the content.read, "
                "content.write, content.publish and content.delete scopes and export it"
            )
        if not config.center_id:
            raise UsageError("hcsync.yml: center_id is required for backend: helpcenter")
        return HelpCenterBackend(
            client, center_id=config.center_id, api_key=key, clock=clock, sleep=sleep
        )
    raise UsageError(f"backend {config.backend.value!r} is not supported yet")


def load_lock(config: Config) -> Lockfile:
    lock = lockmod.load(config.lockfile)
    expected = config.center_id or config.project_id or ""
    if lock.target and expected and lock.target != expected:
        raise WrongTargetError(
            f"{config.lockfile.name} belongs to {lock.target!r}, but hcsync.yml names "
            f"{expected!r}; use the lockfile of that help center, or remove it and run "
            "`hcsync import --adopt`"
        )
    return lock


def make_plan(
    site: Site, lock: Lockfile, backend: Backend, *, options: DiffOptions | None = None
) -> Plan:
    """Read the remote (the fewest calls) and diff it against the site and the lockfile."""
    desired = desired_from_site(site)
    snapshot = backend.snapshot()
    pairs = translation_pairs(desired, lock, snapshot, resolve=resolve_lenient, options=options)
    if pairs:
        snapshot = replace(snapshot, translations=dict(backend.fetch_translations(pairs)))
    plan = diff(desired, lock, snapshot, resolve=resolve_lenient, options=options)
    return replace(plan, diagnostics=tuple(site.diagnostics) + plan.diagnostics)


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
