"""Orphans: lockfile entries whose file is gone (reported, unpublished or deleted per ``prune``)."""

from __future__ import annotations

from hcsync.plan.context import Ctx
from hcsync.plan.model import Action, ActionKind


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
        if prune == "unpublish":
            live = (entry.language in remote.live_languages) if translation else remote.state.live
            if not live:
                continue
        note = {
            "report": "file removed; kept on the help center (prune: report)",
            "unpublish": "file removed; will be unpublished",
            "delete": "file removed; will be deleted from the help center",
        }[prune]
        ctx.orphans.append(
            Action(
                kind=ActionKind.ORPHAN,
                path=entry.path,
                title=remote.title if not translation else f"{remote.title} ({entry.language})",
                remote_id=entry.id,
                language=entry.language,
                skipped=prune == "report",
                note=note,
                data={"prune": prune, "translation": translation, "language": entry.language},
            )
        )
