"""Which remote article is which file, when the lockfile does not say (DESIGN §6).

The lockfile is a cache of identity, not its only source. A file with no valid entry (none, or
one whose article is gone) is matched against the snapshot's articles that no entry claims,
before anything is created:

1. a create of this file that was cut off before its result was recorded (a *pending* create):
   the unclaimed article with its title;
2. the slug, where it identifies an article: on a platform whose slugs are unique (ClickHelp:
   the slug is the topic id) the slug alone, elsewhere the slug within the file's category;
3. else the title within the file's category: a weaker match, flagged in the plan.

Stronger matches claim first. A file that matches two articles, or an article that two files
match, is an error naming all of them: nothing is adopted or created for them. Articles that no
entry claims and no file matches are *unmanaged*: another repository's, or made on the web;
hcsync reports them and never changes them. Pure: no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from hcsync.diagnostics import Diagnostic, Severity
from hcsync.lockfile import Lockfile
from hcsync.plan.desired import Desired, DesiredDoc
from hcsync.remote import RemoteDoc, Snapshot

HOW_PENDING = "pending"
HOW_SLUG = "slug"
HOW_TITLE = "title"


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    """A file with no valid lockfile entry, and the remote article that is it."""

    path: str
    remote_id: str
    how: str
    """``pending`` (a create of ours that was cut off), ``slug`` or ``title`` (weaker)."""

    @property
    def weak(self) -> bool:
        return self.how == HOW_TITLE


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """What matching found."""

    matches: Mapping[str, Match]
    """File path → its match."""
    unmanaged: tuple[str, ...]
    """Ids of remote articles that no lockfile entry claims and no file matches, sorted."""
    problems: tuple[Diagnostic, ...]
    """Ambiguities: errors, one per file involved."""


def category_ids(desired: Desired, lock: Lockfile, snap: Snapshot) -> dict[str, str]:
    """Category path → remote id, for the categories that exist on the remote: the locked id,
    else the remote category with the same name under the same parent (made by an earlier run
    whose lockfile was lost, or by hand)."""
    remote = {c.id for c in snap.categories}
    by_name = {(c.name, c.parent_id): c.id for c in snap.categories}
    ids: dict[str, str] = {}
    for cat in desired.categories:  # parents first
        locked = lock.categories.get(cat.path)
        if locked and locked.id in remote:
            ids[cat.path] = locked.id
            continue
        if cat.parent and cat.parent not in ids:
            continue  # its parent will be created: so will it
        found = by_name.get((cat.name, ids.get(cat.parent) if cat.parent else None))
        if found:
            ids[cat.path] = found
    return ids


def identify(
    desired: Desired, lock: Lockfile, snap: Snapshot, categories: Mapping[str, str]
) -> Identity:
    """Match every article file with no valid lockfile entry (see the module docstring)."""
    claimed = {e.id for e in lock.entries.values() if e.id in snap.articles}
    free = {rid: doc for rid, doc in sorted(snap.articles.items()) if rid not in claimed}
    unknown = [
        d
        for d in desired.articles
        if d.path not in lock.entries or lock.entries[d.path].id not in snap.articles
    ]
    matches: dict[str, Match] = {}
    problems: list[Diagnostic] = []
    strong = _candidates(unknown, lock, snap, free, categories, weak=False)
    _settle(strong, unknown, free, matches, problems)
    rest = [d for d in unknown if d.path not in matches and d.path not in strong]
    weak = _candidates(rest, lock, snap, free, categories, weak=True)
    _settle(weak, rest, free, matches, problems)
    taken = {m.remote_id for m in matches.values()}
    ambiguous = {rid for cands in (strong, weak) for ids in cands.values() for rid in ids[1]}
    unmanaged = tuple(rid for rid in free if rid not in taken and rid not in ambiguous)
    return Identity(matches=matches, unmanaged=unmanaged, problems=tuple(problems))


def _candidates(
    docs: list[DesiredDoc],
    lock: Lockfile,
    snap: Snapshot,
    free: Mapping[str, RemoteDoc],
    categories: Mapping[str, str],
    *,
    weak: bool,
) -> dict[str, tuple[str, list[str]]]:
    """File path → (how, candidate ids) for the files that have any candidate."""
    out: dict[str, tuple[str, list[str]]] = {}
    unique = snap.features.unique_slugs
    for doc in docs:
        placed, cid = _category_of(doc, categories)
        if weak:
            hits = [
                rid
                for rid, r in free.items()
                if placed and r.title == doc.title and r.category_id == cid
            ]
            if hits:
                out[doc.path] = (HOW_TITLE, hits)
            continue
        pending = lock.pending.get(doc.path)
        if pending is not None and pending.op == "create":
            hits = [rid for rid, r in free.items() if r.title == pending.title]
            if len(hits) == 1:
                out[doc.path] = (HOW_PENDING, hits)
                continue
        hits = [
            rid
            for rid, r in free.items()
            if r.slug == doc.slug and (unique or (placed and r.category_id == cid))
        ]
        if hits:
            out[doc.path] = (HOW_SLUG, hits)
    return out


def _category_of(doc: DesiredDoc, categories: Mapping[str, str]) -> tuple[bool, str | None]:
    """(whether the file's category exists on the remote, its id). A file at the top level
    has no category (placed, None); one whose category will be created is not placed."""
    if doc.category:
        cid = categories.get(doc.category)
        return cid is not None, cid
    return True, doc.category_id


def _settle(
    found: Mapping[str, tuple[str, list[str]]],
    docs: list[DesiredDoc],
    free: dict[str, RemoteDoc],
    matches: dict[str, Match],
    problems: list[Diagnostic],
) -> None:
    """Record the one-to-one matches; report the rest; take matched articles out of ``free``."""
    wanted: dict[str, list[str]] = defaultdict(list)
    for path, (_, ids) in found.items():
        for rid in ids:
            wanted[rid].append(path)
    # point at the key that identifies the file: its slug, else its title, else its body
    lines = {d.path: d.key_lines.get("slug") or d.key_lines.get("title") or d.line for d in docs}
    for path, (how, ids) in sorted(found.items()):
        if len(ids) > 1:
            listed = ", ".join(_named(rid, free[rid]) for rid in ids)
            problems.append(
                _problem(
                    path,
                    lines.get(path),
                    f"matches {len(ids)} articles on the help center by {how}: {listed}",
                    "the help center holds duplicates: delete all but one there, then plan again",
                )
            )
            continue
        rivals = [p for p in wanted[ids[0]] if p != path]
        if rivals:
            problems.append(
                _problem(
                    path,
                    lines.get(path),
                    f"this file and {', '.join(sorted(rivals))} all match the help center's "
                    f"article {_named(ids[0], free[ids[0]])} by {how}",
                    "give each file its own 'slug:' (the article's slug goes to the file it is)",
                )
            )
            continue
        matches[path] = Match(path=path, remote_id=ids[0], how=how)
    for match in matches.values():
        free.pop(match.remote_id, None)


def _named(rid: str, doc: RemoteDoc) -> str:
    return f'{rid} "{doc.title}"' + (f" ({doc.slug})" if doc.slug else "")


def _problem(path: str, line: int | None, message: str, hint: str) -> Diagnostic:
    return Diagnostic(path=path, line=line, severity=Severity.ERROR, message=message, hint=hint)
