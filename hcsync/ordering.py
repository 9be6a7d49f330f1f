"""The fewest moves that put siblings in the wanted order (the planner counts them, a backend
with an order makes them).

Items kept in place are a longest run of wanted items that is already in the wanted order
(a longest increasing subsequence); every other wanted item is moved once, right after its
wanted predecessor. Items that are not wanted (someone else's pages) stay where they are.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

_LAST = 1 << 62


def rank(order: int | None, is_category: bool, path: str) -> tuple[int, int, str]:
    """Where a child goes among its siblings: by ``order``, then subcategories before
    articles, then by file (or folder) name."""
    return (_LAST if order is None else order, 0 if is_category else 1, path.rsplit("/", 1)[-1])


def moves(current: Sequence[K], wanted: Sequence[K]) -> list[tuple[K, int]]:
    """The moves, in order, as (item, index): take ``item`` out of the list, then insert it
    at ``index`` of what is left (ClickHelp's ``ordinalNo``, clickhelp.md §11 row 6).

    Wanted items missing from ``current`` are inserted the same way."""
    rank = {k: i for i, k in enumerate(wanted)}
    keep = _longest_in_order([k for k in current if k in rank], rank)
    items = list(current)
    out: list[tuple[K, int]] = []
    for i, item in enumerate(wanted):
        if item in keep:
            continue
        if item in items:
            items.remove(item)
        if i:
            at = items.index(wanted[i - 1]) + 1
        else:
            # first wanted: just before the wanted item that comes first now
            present = [items.index(w) for w in wanted[1:] if w in items]
            at = min(present) if present else len(items)
        items.insert(at, item)
        out.append((item, at))
    return out


def _longest_in_order(seq: Sequence[K], rank: dict[K, int]) -> set[K]:
    """A longest subsequence of ``seq`` whose ranks increase (patience sorting)."""
    tails: list[int] = []
    """tails[n]: rank at the end of the best run of length n + 1 found so far."""
    tail_at: list[int] = []
    """Index in ``seq`` of that end."""
    back: list[int] = []
    for i, item in enumerate(seq):
        r = rank[item]
        n = bisect.bisect_left(tails, r)
        if n == len(tails):
            tails.append(r)
            tail_at.append(i)
        else:
            tails[n] = r
            tail_at[n] = i
        back.append(tail_at[n - 1] if n else -1)
    out: set[K] = set()
    i = tail_at[-1] if tail_at else -1
    while i >= 0:
        out.add(seq[i])
        i = back[i]
    return out
