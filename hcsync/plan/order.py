"""Order, where the platform keeps one (ClickHelp): a ``reorder`` per folder whose children will
be out of order once this plan's creates and moves are done.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from hcsync.ordering import moves, rank
from hcsync.plan.context import Ctx
from hcsync.plan.model import Action, ActionKind


def plan_order(ctx: Ctx) -> list[Action]:
    """One ``reorder`` per folder whose children will be out of order once the creates and
    moves of this plan are done (only where the platform keeps an order). Creates are given
    their place (``after``) on the way, so an initial sync needs no reorder."""
    if not ctx.snap.features.ordering:
        return []
    orders = _wanted(ctx)
    after = _remote_children(ctx, orders)
    placed = {k for keys in after.values() for k in keys}
    before = {
        k: order[i - 1] if i else None for order in orders.values() for i, k in enumerate(order)
    }
    created, moved_in, moved_out = _place_creates(ctx, before, placed)
    for folder, order in orders.items():
        existing = after.get(folder, [])
        result = _with_creates(order, existing, created.get(folder, set()))
        after[folder] = [k for k in result if k not in moved_out] + moved_in.get(folder, [])
    out = []
    for folder, order in sorted(orders.items()):
        now = after.get(folder, [])
        order = [k for k in order if k in now]  # a failed or skipped create is not there
        steps = moves(now, order)
        if steps:
            out.append(_reorder(ctx, folder, order, [k for k, _ in steps]))
    return out


def _wanted(ctx: Ctx) -> dict[str, list[str]]:
    """Folder (``""``: the top level) → its children in the order the files give:
    ``order``, then subfolders before articles, then name."""
    wanted: dict[str, list[tuple[tuple[int, int, str], str]]] = {}
    for cat in ctx.desired.categories:
        wanted.setdefault(cat.parent or "", []).append(
            (rank(cat.order, True, cat.path), f"c:{cat.path}")
        )
    for doc in ctx.desired.articles:
        if doc.category_id and not doc.category:
            continue  # placed by a remote id: not in a folder of this tree
        wanted.setdefault(doc.category or "", []).append(
            (rank(doc.order, False, doc.path), f"a:{doc.path}")
        )
    return {folder: [k for _, k in sorted(children)] for folder, children in wanted.items()}


def _remote_children(ctx: Ctx, orders: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Each folder's children on the remote now, as ``c:<path>``/``a:<path>`` where known."""
    by_id = {f"c:{cid}": f"c:{path}" for path, cid in ctx.category_ids.items()}
    by_id.update(
        {f"a:{e.id}": f"a:{path}" for path, e in ctx.lock.entries.items() if e.source is None}
    )
    return {
        folder: [
            by_id.get(k, k)
            for k in ctx.snap.order.get(ctx.category_ids.get(folder, "?") if folder else "", ())
        ]
        for folder in orders
    }


def _place_creates(
    ctx: Ctx, before: Mapping[str, str | None], placed: set[str]
) -> tuple[dict[str, set[str]], dict[str, list[str]], set[str]]:
    """Give each create its place (right after the nearest sibling before it that exists by
    then); return the keys created per folder, moved in per folder, and moved out."""
    created: dict[str, set[str]] = {}
    moved_in: dict[str, list[str]] = {}
    moved_out: set[str] = set()
    # Executed in bucket order: folders are created, then articles, then moved (appended).
    for bucket in (ctx.categories, ctx.creates, ctx.updates):
        for n, action in enumerate(bucket):
            if action.kind is ActionKind.CREATE_CATEGORY:
                key, folder = f"c:{action.path}", str(action.data.get("parent") or "")
            elif action.kind is ActionKind.CREATE_ARTICLE or (
                action.kind is ActionKind.UPDATE_METADATA
                and any(c.name == "category" for c in action.changes)
            ):
                key, folder = f"a:{action.path}", str(action.data.get("category") or "")
            else:
                continue
            if action.kind is ActionKind.UPDATE_METADATA or key not in before:
                if key in placed:
                    moved_out.add(key)
                moved_in.setdefault(folder, []).append(key)
            else:
                bucket[n] = replace(action, data={**action.data, "after": before[key]})
                created.setdefault(folder, set()).add(key)
    return created, moved_in, moved_out


def _with_creates(order: list[str], existing: list[str], new: set[str]) -> list[str]:
    """``existing`` with each new child after its nearest existing predecessor in ``order``
    (or first); the ones that share it end in wanted order among themselves."""
    present = set(existing)
    blocks: dict[str | None, list[str]] = {}
    last: str | None = None
    for key in order:
        if key in present:
            last = key
        elif key in new:
            blocks.setdefault(last, []).append(key)
    result = list(blocks.get(None, []))
    for key in existing:
        result.append(key)
        result.extend(blocks.get(key, ()))
    return result


def _reorder(ctx: Ctx, folder: str, order: list[str], moved: list[str]) -> Action:
    named = next((c for c in ctx.desired.categories if c.path == folder), None)
    return Action(
        kind=ActionKind.REORDER,
        path=folder or ".",
        title=named.name if named else "top level",
        remote_id=ctx.category_ids.get(folder) if folder else None,
        note=f"{len(moved)} of {len(order)} moved: "
        + ", ".join(k[2:].rsplit("/", 1)[-1] for k in moved[:5])
        + (", …" if len(moved) > 5 else ""),
        data={"folder": folder, "children": order},
    )
