"""What an apply did, as data: one outcome per action, and the calls it cost."""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hcsync.plan.model import Action, ActionKind


class OutcomeStatus(enum.Enum):
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """The result of one action."""

    action: Action
    status: OutcomeStatus
    message: str | None = None
    """For a failure: one line naming the file and the operation. For a skip: why."""


_CREATED = {ActionKind.CREATE_ARTICLE, ActionKind.CREATE_TRANSLATION, ActionKind.CREATE_CATEGORY}
_UPDATED = {
    ActionKind.UPDATE_DRAFT,
    ActionKind.UPDATE_METADATA,
    ActionKind.UPDATE_TRANSLATION,
    ActionKind.UPDATE_CATEGORY,
}
_PUBLISHED = {ActionKind.PUBLISH, ActionKind.PUBLISH_TRANSLATION}
_UNPUBLISHED = {ActionKind.UNPUBLISH, ActionKind.UNPUBLISH_TRANSLATION}


@dataclass(slots=True, kw_only=True)
class Report:
    """Every outcome of a run, in order, plus its cost in calls."""

    outcomes: list[Outcome] = field(default_factory=list)
    calls: int = 0
    writes: int = 0
    interrupted: bool = False

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is OutcomeStatus.FAILED]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.interrupted

    def counts(self) -> dict[str, int]:
        """adopted / created / updated / reordered / published / unpublished / deleted / uploaded /
        skipped / failed."""
        counter: Counter[str] = Counter()
        for o in self.outcomes:
            if o.status is OutcomeStatus.FAILED:
                counter["failed"] += 1
            elif o.status is OutcomeStatus.SKIPPED:
                counter["skipped"] += 1
            else:
                counter[_bucket(o.action)] += 1
        order = (
            "adopted",
            "created",
            "updated",
            "reordered",
            "published",
            "unpublished",
            "deleted",
            "uploaded",
            "skipped",
            "failed",
        )
        return {k: counter[k] for k in order}

    def summary(self) -> str:
        counts = self.counts()
        text = ", ".join(f"{v} {k}" for k, v in counts.items() if v or k == "failed")
        head = "Apply interrupted" if self.interrupted else "Apply complete"
        if self.failed:
            head = "Apply finished with failures"
        return f"{head}: {text} ({self.calls} API calls, {self.writes} writes)."

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "interrupted": self.interrupted,
            "counts": self.counts(),
            "calls": self.calls,
            "writes": self.writes,
            "outcomes": [
                {
                    "kind": o.action.kind.value,
                    "path": o.action.path,
                    "title": o.action.title,
                    "status": o.status.value,
                    "message": o.message,
                }
                for o in self.outcomes
            ],
        }


def _bucket(action: Action) -> str:
    kind = action.kind
    if kind in _CREATED:
        return "created"
    if kind in _UPDATED:
        return "updated"
    if kind in _PUBLISHED:
        return "published"
    if kind in _UNPUBLISHED:
        return "unpublished"
    if kind is ActionKind.UPLOAD_IMAGE:
        return "uploaded"
    if kind is ActionKind.DELETE_CATEGORY:
        return "deleted"
    if kind is ActionKind.REORDER:
        return "reordered"
    if kind is ActionKind.ADOPT:
        return "adopted"
    if kind is ActionKind.ORPHAN:
        prune = action.data.get("prune")
        return "deleted" if prune == "delete" else "unpublished"
    return "updated"
