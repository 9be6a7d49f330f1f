"""Per-file status (``hcsync status``), derived from a plan so it never disagrees with one."""

from __future__ import annotations

from collections.abc import Iterable

from hcsync.plan.model import ActionKind, Plan

IN_SYNC = "in sync"
NEW = "new"
CHANGED = "changed locally"
DRIFTED = "drifted remotely"
ORPHANED = "orphaned"
ADOPTED = "on the help center already (to adopt)"
UNMANAGED = "unmanaged"


def unmanaged_rows(plan: Plan) -> dict[str, str]:
    """``remote:<id>`` → ``unmanaged`` for each help-center article no file and no lockfile
    entry claims: hcsync reports them and never changes them."""
    return {f"remote:{u.remote_id}": UNMANAGED for u in plan.unmanaged}


def file_statuses(*, site_paths: Iterable[str], plan: Plan) -> dict[str, str]:
    """Map every file (and every orphaned lockfile entry) to one status, sorted by path."""
    rows = {path: IN_SYNC for path in site_paths}
    for action in plan.actions:
        if action.kind is ActionKind.DRIFT:
            rows[action.path] = DRIFTED
        elif action.kind is ActionKind.ORPHAN:
            rows[action.path] = ORPHANED
        elif action.kind in (ActionKind.CREATE_ARTICLE, ActionKind.CREATE_TRANSLATION):
            rows[action.path] = NEW
        elif action.kind is ActionKind.ADOPT:
            rows[action.path] = ADOPTED
        elif action.path in rows and rows[action.path] == IN_SYNC:
            rows[action.path] = CHANGED
    return dict(sorted(rows.items()))
