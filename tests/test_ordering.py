"""hcsync.ordering: the fewest moves that put siblings in the wanted order."""

from __future__ import annotations

import random

import pytest

from hcsync.ordering import moves


def apply(current: list[str], ops: list[tuple[str, int]]) -> list[str]:
    """What ClickHelp does with each move: take the node out, insert it at ordinalNo."""
    items = list(current)
    for item, at in ops:
        if item in items:
            items.remove(item)
        items.insert(at, item)
    return items


def test_already_in_order_needs_no_move() -> None:
    assert moves(["a", "b", "c"], ["a", "b", "c"]) == []


def test_one_item_out_of_place_is_one_move() -> None:
    ops = moves(["b", "c", "a", "d"], ["a", "b", "c", "d"])
    assert ops == [("a", 0)]
    assert apply(["b", "c", "a", "d"], ops) == ["a", "b", "c", "d"]


def test_items_not_wanted_stay_where_they_are() -> None:
    current = ["x", "c", "y", "a", "b"]
    ops = moves(current, ["a", "b", "c"])
    result = apply(current, ops)
    assert [i for i in result if i in "abc"] == ["a", "b", "c"]
    assert len(ops) == 1 and result.index("x") == 0


@pytest.mark.parametrize("seed", range(200))
def test_random_orders_are_reached_with_the_fewest_moves(seed: int) -> None:
    rng = random.Random(seed)
    wanted = [f"w{i}" for i in range(rng.randint(0, 12))]
    others = [f"o{i}" for i in range(rng.randint(0, 4))]
    missing = set(rng.sample(wanted, k=min(len(wanted), rng.randint(0, 2))))
    current = [w for w in wanted if w not in missing] + others
    rng.shuffle(current)
    ops = moves(current, wanted)
    result = apply(current, ops)
    assert [i for i in result if i in set(wanted)] == wanted
    assert [i for i in result if i in set(others)] == [i for i in current if i in set(others)]
    # fewest: every wanted item outside a longest in-order run moves exactly once
    rank = {w: i for i, w in enumerate(wanted)}
    ranks = [rank[i] for i in current if i in rank]
    best = [1] * len(ranks)
    for j in range(len(ranks)):
        for i in range(j):
            if ranks[i] < ranks[j]:
                best[j] = max(best[j], best[i] + 1)
    assert len(ops) == len(wanted) - (max(best) if best else 0)
