"""Text for ``hcsync import``, ``import --adopt`` and ``pull`` (the CLI prints it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hcsync.importer.adopt import Adoption
    from hcsync.importer.pull import PullResult, ResolveResult
    from hcsync.importer.tree import ImportResult


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def render_import(result: ImportResult) -> str:
    """Summary first, then what needs a look: documents that do not round-trip, notes."""
    lines = [
        f"Imported {_n(result.articles, 'article')}, {_n(result.translations, 'translation')}, "
        f"{_n(result.categories, 'category', 'categories')} and {_n(result.images, 'image')} "
        f"into {result.root} ({_n(result.calls, 'API call')}).",
    ]
    if result.resumed:
        lines.append(
            f"Kept {_n(result.resumed, 'document')} an earlier import recorded in the lockfile."
        )
    if result.skipped:
        lines.append("")
        lines.append(
            f"Skipped {_n(len(result.skipped), 'document or category', 'documents or categories')}"
            " (not written, not recorded; run `hcsync import` again once fixed):"
        )
        lines.extend(f"  x {s.path}  (remote id {s.remote_id}): {s.reason}" for s in result.skipped)
    if result.inexact:
        lines.append("")
        lines.append(
            f"{_n(len(result.inexact), 'document')} cannot be written as Markdown that renders "
            "back exactly; the help center keeps its version until you change the file:"
        )
        for item in result.inexact:
            verb = "differs" if len(item.fields) == 1 else "differ"
            lines.append(f"  ~ {item.path}  ({', '.join(item.fields)} {verb})")
            if item.diff:
                lines.extend("      " + line for line in item.diff.splitlines())
    if result.notes:
        lines.append("")
        lines.extend(f"note: {note}" for note in result.notes)
    if result.leftover:
        lines.append("")
        lines.append(f"The next plan still shows {_n(len(result.leftover), 'change')}:")
        lines.extend(f"  {a.kind.value} {a.path}" for a in result.leftover)
    else:
        lines.append("Run `hcsync plan`: it shows no changes.")
    return "\n".join(lines) + "\n"


_HOW = {
    "pending": "created by a run that was cut off",
    "slug": "by slug",
    "title": "by title only: check it",
    "translation": "translation of its article",
}


def render_adoption(adoption: Adoption) -> str:
    """A plan-like listing: what will be recorded, and what the next plan does with the rest."""
    docs = adoption.documents
    weak = sum(1 for a in docs if a.data.get("how") == "title")
    head = [
        f"{_n(len(docs), 'file')} matched" + (f" ({weak} by title only)" if weak else ""),
        f"{_n(len(adoption.new_files), 'file')} with no remote article",
        f"{_n(len(adoption.unmanaged), 'remote article')} with no file (unmanaged)",
    ]
    lines = ["Adopt: " + ", ".join(head) + "."]
    if docs or adoption.new_files or adoption.unmanaged:
        lines.append("")
    for a in docs:
        symbol = "≈" if a.data.get("how") == "title" else "="
        same = bool(a.data["entry"].get("local_hash"))
        tail = "" if same else "; differs: the next plan updates it from the file"
        how = _HOW.get(str(a.data.get("how")), "matched")
        lines.append(f"  {symbol} {a.path}  ← {a.remote_id} {a.title!r} ({how}{tail})")
    for path in adoption.new_files:
        lines.append(f"  + {path}  (no remote article: the next plan creates it)")
    for u in adoption.unmanaged:
        lines.append(
            f"  - {u.remote_id} {u.title!r}  (no file: unmanaged, left as it is and never pruned)"
        )
    if adoption.categories:
        lines.append(f"  {_n(adoption.categories, 'category', 'categories')} matched by name")
    if adoption.images:
        lines.append(f"  {_n(adoption.images, 'image')} matched by content")
    return "\n".join(lines) + "\n"


def render_pull(result: PullResult) -> str:
    """What was pulled, what conflicts, what needs a look."""
    lines = [f"  < {path}  (updated from the help center)" for path in result.updated]
    for path, copy in result.conflicts:
        lines.append(
            f"  ! {path}  CONFLICT: changed here and on the help center; the help center's "
            f"version is in {copy}"
        )
    for path in result.gone:
        lines.append(f"  ? {path}  (its article is gone from the help center)")
    for path, why in result.skipped:
        lines.append(f"  x {path}  SKIPPED: the help center's version was not written: {why}")
    for item in result.inexact:
        lines.append(
            f"  ~ {item.path}  ({', '.join(item.fields)} cannot be written exactly as Markdown)"
        )
    summary = (
        f"Pull: {_n(len(result.updated), 'file')} updated, "
        f"{_n(len(result.conflicts), 'conflict')}, {result.unchanged} unchanged"
        + (f", {len(result.skipped)} skipped." if result.skipped else ".")
    )
    if lines:
        lines.insert(0, "")
    tail = []
    if result.updated:
        tail.append("Review the changes with `git diff`, then commit them with the lockfile.")
    if result.conflicts:
        tail.append(
            "Merge each *.remote.md into its file by hand, then `hcsync pull --resolved FILE` "
            "(it deletes the copy): the next apply sends your merge, and the plan shows the "
            "drift until then."
        )
    return "\n".join([summary, *lines, *([""] if tail else []), *tail]) + "\n"


def render_resolve(result: ResolveResult) -> str:
    """What ``pull --resolved`` recorded."""
    lines = [f"  = {path}  (merged: the next apply sends it)" for path in result.resolved]
    lines += [f"  - {path}  (deleted)" for path in result.removed]
    lines += [
        f"  . {path}  (not changed on the help center since the last apply: nothing to resolve)"
        for path in result.not_drifted
    ]
    head = f"Resolved: {_n(len(result.resolved), 'file')}."
    tail = ["", "Run `hcsync plan` to see the update."] if result.resolved else []
    return "\n".join([head, *lines, *tail]) + "\n"
