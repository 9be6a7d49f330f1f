"""The plan as data: ordered Actions, the fingerprint it was made against, and counts.

Every view (text, JSON, Markdown, annotations) reads a :class:`Plan`; counts and summary lines
live here so the views never disagree.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hcsync.diagnostics import Diagnostic, Severity

FORMAT_VERSION = 1


class ActionKind(enum.Enum):
    """What an action does, in the order DESIGN §4 gives."""

    RENAME = "rename"
    """A file moved: its lockfile entry follows it (no API call)."""
    ADOPT = "adopt"
    """A file with no lockfile entry is an article the help center has already: record it
    (no API call). Whatever its content needs follows as updates, never a create."""
    CREATE_CATEGORY = "create_category"
    UPDATE_CATEGORY = "update_category"
    UPLOAD_IMAGE = "upload_image"
    CREATE_ARTICLE = "create_article"
    UPDATE_DRAFT = "update_draft"
    UPDATE_METADATA = "update_metadata"
    PUBLISH = "publish"
    UNPUBLISH = "unpublish"
    CREATE_TRANSLATION = "create_translation"
    UPDATE_TRANSLATION = "update_translation"
    PUBLISH_TRANSLATION = "publish_translation"
    UNPUBLISH_TRANSLATION = "unpublish_translation"
    DRIFT = "drift"
    ORPHAN = "orphan"
    DELETE_CATEGORY = "delete_category"
    REORDER = "reorder"
    """Put a category's children (or the top level's) in the order the files give."""

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]

    @property
    def writes_document(self) -> bool:
        """Whether it writes an article or translation that exists (or is being created)."""
        return self in _DOCUMENT_WRITES


_DOCUMENT_WRITES = frozenset(
    {
        ActionKind.CREATE_ARTICLE,
        ActionKind.UPDATE_DRAFT,
        ActionKind.UPDATE_METADATA,
        ActionKind.PUBLISH,
        ActionKind.UNPUBLISH,
        ActionKind.CREATE_TRANSLATION,
        ActionKind.UPDATE_TRANSLATION,
        ActionKind.PUBLISH_TRANSLATION,
        ActionKind.UNPUBLISH_TRANSLATION,
    }
)


_SYMBOLS = {
    ActionKind.RENAME: "~",
    ActionKind.ADOPT: "=",
    ActionKind.CREATE_CATEGORY: "+",
    ActionKind.UPDATE_CATEGORY: "~",
    ActionKind.UPLOAD_IMAGE: "+",
    ActionKind.CREATE_ARTICLE: "+",
    ActionKind.UPDATE_DRAFT: "~",
    ActionKind.UPDATE_METADATA: "~",
    ActionKind.PUBLISH: "↑",
    ActionKind.UNPUBLISH: "↓",
    ActionKind.CREATE_TRANSLATION: "+",
    ActionKind.UPDATE_TRANSLATION: "~",
    ActionKind.PUBLISH_TRANSLATION: "↑",
    ActionKind.UNPUBLISH_TRANSLATION: "↓",
    ActionKind.DRIFT: "!",
    ActionKind.ORPHAN: "?",
    ActionKind.DELETE_CATEGORY: "-",
    ActionKind.REORDER: "↕",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldChange:
    """One field that an action changes: its value before and after."""

    name: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    """One step of a plan. Executed in plan order by the executor."""

    kind: ActionKind
    path: str
    """The file (article, translation, image) or category path this action is about."""
    title: str
    """What a person calls it: the article title, category name or image file name."""
    remote_id: str | None = None
    """The remote object's id when it exists already; None for a create."""
    language: str | None = None
    changes: tuple[FieldChange, ...] = ()
    """Fields that change, with before/after values, for the views. Not used to execute."""
    diff: str | None = None
    """Unified diff of the article text, for ``--diff`` and the PR comment."""
    note: str | None = None
    """A one-line reason shown to people (why a drift, why an orphan, what prune will do)."""
    skipped: bool = False
    """Shown but not executed (drift without ``--overwrite``, orphans under ``prune: report``)."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """What the executor sends (JSON-safe). Article HTML is unresolved: references to other
    articles and images are resolved at execution time, when every URL is known."""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "path": self.path,
            "title": self.title,
            "remote_id": self.remote_id,
            "language": self.language,
            "changes": [
                {"field": c.name, "before": c.before, "after": c.after} for c in self.changes
            ],
            "diff": self.diff,
            "note": self.note,
            "skipped": self.skipped,
            "data": dict(self.data),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Action:
        return cls(
            kind=ActionKind(data["kind"]),
            path=data["path"],
            title=data["title"],
            remote_id=data.get("remote_id"),
            language=data.get("language"),
            changes=tuple(
                FieldChange(name=c["field"], before=c["before"], after=c["after"])
                for c in data.get("changes", [])
            ),
            diff=data.get("diff"),
            note=data.get("note"),
            skipped=bool(data.get("skipped", False)),
            data=dict(data.get("data", {})),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Unmanaged:
    """An article on the help center that no file and no lockfile entry claims (another
    repository's, or made on the web). Reported; never changed, unpublished or deleted."""

    remote_id: str
    title: str
    slug: str | None = None
    url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "remote_id": self.remote_id,
            "title": self.title,
            "slug": self.slug,
            "url": self.url,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Unmanaged:
        return cls(
            remote_id=str(data["remote_id"]),
            title=str(data["title"]),
            slug=data.get("slug"),
            url=data.get("url"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanOptions:
    """The options a plan was made with. ``apply FILE`` plans again with exactly these to check
    that the saved plan is not stale (a ``--force`` plan reads what only ``--force`` reads)."""

    overwrite: bool = False
    prune: str = "report"
    """report | unpublish | delete, as resolved (``--prune``, else hcsync.yml's ``prune``)."""
    force: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"overwrite": self.overwrite, "prune": self.prune, "force": self.force}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PlanOptions:
        prune = data.get("prune", "report")
        if prune not in _PRUNE_MODES:
            raise ValueError(f"options.prune {prune!r} is not one of {', '.join(_PRUNE_MODES)}")
        return cls(
            overwrite=data.get("overwrite") is True, prune=prune, force=data.get("force") is True
        )


_PRUNE_MODES = ("report", "unpublish", "delete")


def orphan_effect(action: Action) -> str | None:
    """What an orphan action does to the help center: ``"delete"``, ``"unpublish"`` or
    ``"keep"`` (``prune: report``); None for any other kind."""
    if action.kind is not ActionKind.ORPHAN:
        return None
    if action.skipped:
        return "keep"
    return "delete" if action.data.get("prune") == "delete" else "unpublish"


def action_symbol(action: Action) -> str:
    """The symbol the views show: an orphan's is what happens to it (``-`` deleted, ``↓``
    unpublished, ``?`` kept)."""
    return {"delete": "-", "unpublish": "↓"}.get(orphan_effect(action) or "", action.kind.symbol)


_SUMMARY_GROUPS: dict[str, tuple[ActionKind, ...]] = {
    # Destructive first: a reviewer reads these before anything else.
    "to delete": (),
    "categories to delete": (ActionKind.DELETE_CATEGORY,),
    "to unpublish": (ActionKind.UNPUBLISH, ActionKind.UNPUBLISH_TRANSLATION),
    "to create": (
        ActionKind.CREATE_ARTICLE,
        ActionKind.CREATE_TRANSLATION,
        ActionKind.CREATE_CATEGORY,
    ),
    "to rename": (ActionKind.RENAME,),
    "to adopt": (ActionKind.ADOPT,),
    "to update": (
        ActionKind.UPDATE_DRAFT,
        ActionKind.UPDATE_METADATA,
        ActionKind.UPDATE_TRANSLATION,
        ActionKind.UPDATE_CATEGORY,
    ),
    "to reorder": (ActionKind.REORDER,),
    "to publish": (ActionKind.PUBLISH, ActionKind.PUBLISH_TRANSLATION),
    "images to upload": (ActionKind.UPLOAD_IMAGE,),
    "drifted": (ActionKind.DRIFT,),
    "orphaned (kept)": (),
}
_GROUP_OF_KIND = {kind: label for label, kinds in _SUMMARY_GROUPS.items() for kind in kinds}
_GROUP_OF_ORPHAN = {"delete": "to delete", "unpublish": "to unpublish", "keep": "orphaned (kept)"}


def summary_group(action: Action) -> str:
    """The words the summary counts ``action`` under (``"to delete"``, ``"to create"``...)."""
    effect = orphan_effect(action)
    return _GROUP_OF_ORPHAN[effect] if effect else _GROUP_OF_KIND[action.kind]


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """What apply would do, in order, and what it was planned against."""

    fingerprint: str
    """Digest of the snapshot and lockfile the plan came from; apply refuses a stale plan."""
    actions: tuple[Action, ...] = ()
    """Actions in execution order. Skipped actions are included, flagged ``skipped``."""
    noops: int = 0
    """Files that are already in sync (counted, not listed)."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """Warnings found while planning (e.g. an option the platform cannot apply)."""
    offline: bool = False
    """Planned from the files and the lockfile alone, without reading the remote."""
    target: str = ""
    """The center / project the plan is for."""
    urls: Mapping[str, str] = field(default_factory=dict)
    """The public URL each existing article will have once the plan is applied (slug changes
    included), by file path: the executor resolves links with exactly these, as the plan did."""
    unmanaged: tuple[Unmanaged, ...] = ()
    """Articles on the help center that this lockfile does not own and no file matches."""
    options: PlanOptions = field(default_factory=PlanOptions)
    """What it was planned with (``--overwrite``, prune, ``--force``): apply FILE replans so."""

    @property
    def runnable(self) -> tuple[Action, ...]:
        """The actions apply will execute."""
        return tuple(a for a in self.actions if not a.skipped)

    @property
    def has_changes(self) -> bool:
        return bool(self.runnable)

    def counts(self) -> dict[ActionKind, int]:
        """Actions per kind (skipped ones included), in kind order."""
        counter = Counter(a.kind for a in self.actions)
        return {k: counter[k] for k in ActionKind if counter[k]}

    def groups(self) -> dict[str, int]:
        """Actions per summary group (skipped ones included), destructive groups first."""
        counter = Counter(summary_group(a) for a in self.actions)
        return {label: counter[label] for label in _SUMMARY_GROUPS if counter[label]}

    def summary(self) -> str:
        """One line, what destroys first: ``1 to delete, 3 to create, ..., 14 unchanged``."""
        parts = [f"{n} {label}" for label, n in self.groups().items()]
        parts.append(f"{self.noops} unchanged")
        if self.unmanaged:
            parts.append(f"{len(self.unmanaged)} unmanaged")
        if not self.has_changes:
            return "No changes. " + ", ".join(parts) + "."
        return "Plan: " + ", ".join(parts) + "."

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "fingerprint": self.fingerprint,
            "target": self.target,
            "offline": self.offline,
            "options": self.options.to_json(),
            "noops": self.noops,
            "summary": self.summary(),
            "counts": {k.value: v for k, v in self.counts().items()},
            "actions": [a.to_json() for a in self.actions],
            "urls": dict(sorted(self.urls.items())),
            "unmanaged": [u.to_json() for u in self.unmanaged],
            "diagnostics": [
                {
                    "path": d.path,
                    "line": d.line,
                    "severity": d.severity.value,
                    "message": d.message,
                    "hint": d.hint,
                }
                for d in self.diagnostics
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Plan:
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"plan format_version {data.get('format_version')!r} not supported")
        return cls(
            fingerprint=data["fingerprint"],
            target=data.get("target", ""),
            offline=bool(data.get("offline", False)),
            options=PlanOptions.from_json(data.get("options") or {}),
            noops=int(data.get("noops", 0)),
            actions=tuple(Action.from_json(a) for a in data.get("actions", [])),
            urls=dict(data.get("urls", {})),
            unmanaged=tuple(Unmanaged.from_json(u) for u in data.get("unmanaged", [])),
            diagnostics=tuple(
                Diagnostic(
                    path=d["path"],
                    line=d.get("line"),
                    severity=Severity(d["severity"]),
                    message=d["message"],
                    hint=d.get("hint"),
                )
                for d in data.get("diagnostics", [])
            ),
        )
