"""Orphans: lockfile entries whose file is gone (reported, unpublished or deleted per ``prune``).

Only what this lockfile owns is ever an orphan; articles no entry claims are *unmanaged* and
never pruned (:mod:`hcsync.plan.identity`).
"""

from __future__ import annotations

from hcsync.lockfile import LockEntry
from hcsync.plan.context import Ctx
from hcsync.plan.model import Action, ActionKind

_NOTES = {
    "report": "file removed; kept on the help center (prune: report)",
    "unpublish": "file removed; will be unpublished",
    "delete": "file removed; will be deleted from the help center",
}


def plan_orphans(ctx: Ctx) -> None:
    wanted = {d.path for d in ctx.desired.articles + ctx.desired.translations}
    prune = ctx.opts.prune
    entries = sorted(ctx.lock.entries.values(), key=lambda e: (e.source is None, e.path))
    for entry in entries:  # translations first: deleting an article takes them with it
        if entry.path in wanted:
            continue
        remote = ctx.snap.articles.get(entry.id)
        if remote is None:
            continue  # already gone from the help center
        translation = entry.source is not None
        effect = _orphan_effect(ctx, entry, prune)
        if effect == "unpublish":
            live = (entry.language in remote.live_languages) if translation else remote.state.live
            if not live:
                continue
        note = _NOTES[effect]
        if effect != prune:
            note = (
                f"file removed; {ctx.snap.features.platform} cannot delete a translation: "
                "it will be unpublished"
            )
        ctx.orphans.append(
            Action(
                kind=ActionKind.ORPHAN,
                path=entry.path,
                title=remote.title if not translation else f"{remote.title} ({entry.language})",
                remote_id=entry.id,
                language=entry.language,
                skipped=prune == "report",
                note=note,
                data={"prune": effect, "translation": translation, "language": entry.language},
            )
        )


def _orphan_effect(ctx: Ctx, entry: LockEntry, prune: str) -> str:
    """What prune does to this orphan: a translation the platform cannot delete on its own is
    unpublished (and stays in the lockfile), unless its article is deleted too, with it."""
    if prune != "delete" or entry.source is None or ctx.snap.features.translation_delete:
        return prune
    wanted = {d.path for d in ctx.desired.articles}
    article_goes = entry.source not in wanted and entry.id in ctx.snap.articles
    return "delete" if article_goes else "unpublish"
