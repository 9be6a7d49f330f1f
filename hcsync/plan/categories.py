"""Categories (create, update, adopt, delete) and images (upload once, by content hash)."""

from __future__ import annotations

from hcsync.plan.context import Ctx, field_changes
from hcsync.plan.desired import DesiredCategory
from hcsync.plan.model import Action, ActionKind, FieldChange
from hcsync.remote import RemoteCategory


def plan_categories(ctx: Ctx) -> None:
    """Create, update or adopt each category (parents first); delete those the lockfile has
    whose folder is gone (only under ``prune: delete``)."""
    remote = {c.id: c for c in ctx.snap.categories}
    for cat in ctx.desired.categories:
        locked = ctx.lock.categories.get(cat.path)
        found = ctx.category_ids.get(cat.path)
        if locked and locked.id in remote:
            if locked.hash != cat.hash:
                changes = _category_changes(ctx, cat, remote[locked.id], "(changed)")
                ctx.categories.append(_update(cat, locked.id, changes, None))
        elif found and _same_category(ctx, cat, remote[found]):
            # made by an earlier run whose lockfile write was lost, or by hand: the same one
            ctx.categories.append(
                Action(
                    kind=ActionKind.ADOPT,
                    path=cat.path,
                    title=cat.name,
                    remote_id=found,
                    note=_SAME_NAME,
                    data={"category": {"path": cat.path, "id": found, "hash": cat.hash}},
                )
            )
        elif found:
            changes = _category_changes(ctx, cat, remote[found], "(cannot be read back)")
            ctx.categories.append(_update(cat, found, changes, _SAME_NAME))
        else:
            ctx.categories.append(
                Action(
                    kind=ActionKind.CREATE_CATEGORY,
                    path=cat.path,
                    title=cat.name,
                    changes=field_changes(("name", None, cat.name)),
                    data=_category_data(cat),
                )
            )
    _plan_deletions(ctx, remote)


_SAME_NAME = "the help center has this category (same name)"


def _update(
    cat: DesiredCategory, remote_id: str, changes: tuple[FieldChange, ...], note: str | None
) -> Action:
    return Action(
        kind=ActionKind.UPDATE_CATEGORY,
        path=cat.path,
        title=cat.name,
        remote_id=remote_id,
        changes=changes,
        note=note,
        data=_category_data(cat),
    )


def _plan_deletions(ctx: Ctx, remote: dict[str, RemoteCategory]) -> None:
    wanted = {c.path for c in ctx.desired.categories}
    for path, locked in sorted(ctx.lock.categories.items()):
        if path in wanted or locked.id not in remote:
            continue
        ctx.deletions.append(
            Action(
                kind=ActionKind.DELETE_CATEGORY,
                path=path,
                title=remote[locked.id].name,
                remote_id=locked.id,
                skipped=ctx.opts.prune != "delete",
                note=None
                if ctx.opts.prune == "delete"
                else "folder removed; deleted only with prune: delete",
                data={"prune": ctx.opts.prune},
            )
        )


def _category_changes(
    ctx: Ctx, cat: DesiredCategory, have: RemoteCategory, icon: str
) -> tuple[FieldChange, ...]:
    """What an update of ``have`` to ``cat`` changes; the icon when nothing else does (the
    platform gives no icon back to compare)."""
    described = ctx.snap.features.category_descriptions
    return field_changes(
        ("name", have.name, cat.name),
        ("description", have.description, cat.description if described else have.description),
        ("translations", _names(have.translations), _names(cat.translations)),
    ) or (FieldChange(name="icon", before=icon, after="(sent)" if cat.icon else "(none)"),)


def _same_category(ctx: Ctx, cat: DesiredCategory, have: RemoteCategory) -> bool:
    """Whether the remote category holds what ``cat`` would send (an icon cannot be read
    back, so a category with one is sent again)."""
    described = ctx.snap.features.category_descriptions

    def names(found: tuple[tuple[str, str, str], ...]) -> list[tuple[str, str, str]]:
        return sorted((lang, name, desc if described else "") for lang, name, desc in found)

    return (
        have.name == cat.name
        and (have.description == cat.description or not described)
        and not (cat.icon and ctx.snap.features.category_icons)
        and names(have.translations) == names(cat.translations)
    )


def _names(translations: tuple[tuple[str, str, str], ...]) -> str | None:
    """A category's translated names for the plan: ``de: Erste Schritte; es: Primeros pasos``."""
    return "; ".join(f"{lang}: {name}" for lang, name, _ in translations) or None


def _category_data(cat: DesiredCategory) -> dict[str, object]:
    return {
        "name": cat.name,
        "description": cat.description,
        "icon": cat.icon,
        "parent": cat.parent,
        "translations": {lang: {"name": n, "description": d} for lang, n, d in cat.translations},
        "hash": cat.hash,
    }


def plan_images(ctx: Ctx) -> None:
    used = {
        sha for doc in ctx.desired.articles + ctx.desired.translations for sha in doc.image_refs
    }
    for img in ctx.desired.images:
        if img.sha256 not in used:
            continue
        if img.sha256 in ctx.image_urls:
            continue
        ctx.images.append(
            Action(
                kind=ActionKind.UPLOAD_IMAGE,
                path=img.path,
                title=img.filename,
                data={"sha256": img.sha256, "filename": img.filename, "mime": img.mime},
            )
        )
