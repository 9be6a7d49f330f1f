"""Per-file status (``hcsync status``), derived from a plan so it never disagrees with one."""

from __future__ import annotations

from collections.abc import Iterable

from hcsync.plan.model import ActionKind, Plan

IN_SYNC = "in sync"
NEW = "new"
CHANGED = "changed locally"
DRIFTED = "drifted remotely"
ORPHANED = "orphaned"


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
        elif action.path in rows and rows[action.path] == IN_SYNC:
            rows[action.path] = CHANGED
    return dict(sorted(rows.items()))
