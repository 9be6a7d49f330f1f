"""``hcsync.lock``: which file is which remote object, and what was last applied.

JSON, keys sorted, one entry per file, so git diffs read well and merges rarely conflict.
Written atomically (temp file, fsync, rename) after every successful action, so a crash loses at
most the action in flight. Every write is recorded first as *pending*: after a crash, the next
run adopts an article whose create landed instead of creating it twice, and sends again a write
that may have landed instead of taking its new remote version for a web edit.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from hcsync.diagnostics import HcsyncError

FORMAT_VERSION = 1


class LockfileError(HcsyncError):
    """The lockfile cannot be read."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LockEntry:
    """What hcsync last applied for one file (an article or a translation)."""

    path: str
    """File path relative to the content root."""
    id: str
    """Remote article id (a translation carries its article's id)."""
    language: str
    source: str | None = None
    """For a translation: the path of its source article; None for an article."""
    slug: str | None = None
    category: str | None = None
    """Category path the article was filed under."""
    local_hash: str
    """Hash of what we sent: rendered HTML with links resolved, title and metadata."""
    remote_hash: str
    """sha256 of the HTML the remote returned after our write (it may sanitise differently)."""
    remote_version: str
    """The remote's ``updated_at`` right after our last write; anything else means a web edit."""
    status: str
    """The status applied: published, draft or unpublished."""
    url: str | None = None
    """Public URL: the one it has, or (for a draft) the one it will have once published."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LockCategory:
    """A category hcsync created or adopted."""

    path: str
    id: str
    hash: str
    """Hash of name, description and icon as last sent."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LockImage:
    """An image uploaded once, reused by its sha256."""

    sha256: str
    url: str
    path: str
    """The first file path it was uploaded from (for people reading the lockfile)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingWrite:
    """A write that was sent but whose result was not recorded yet (the crash window)."""

    path: str
    title: str
    language: str
    op: str = "create"
    """The action kind in flight (``create_article``, ``publish``, ...)."""


@dataclass(slots=True, kw_only=True)
class Lockfile:
    """The whole lockfile. Mutable: the executor records each action as it succeeds."""

    backend: str = ""
    target: str = ""
    """The center / project this lockfile belongs to."""
    entries: dict[str, LockEntry] = field(default_factory=dict)
    categories: dict[str, LockCategory] = field(default_factory=dict)
    images: dict[str, LockImage] = field(default_factory=dict)
    pending: dict[str, PendingWrite] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "backend": self.backend,
            "target": self.target,
            "entries": {k: _fields(v) for k, v in self.entries.items()},
            "categories": {k: _fields(v) for k, v in self.categories.items()},
            "images": {k: _fields(v) for k, v in self.images.items()},
            "pending": {k: _fields(v) for k, v in self.pending.items()},
        }

    @classmethod
    def from_json(cls, data: Any, *, source: str = "hcsync.lock") -> Lockfile:
        if not isinstance(data, dict):
            raise LockfileError(f"{source}: not a lockfile (expected a JSON object)")
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise LockfileError(
                f"{source}: format_version {version!r} is not supported "
                f"(this hcsync reads {FORMAT_VERSION})"
            )
        try:
            return cls(
                backend=str(data.get("backend", "")),
                target=str(data.get("target", "")),
                entries={k: LockEntry(**v) for k, v in data.get("entries", {}).items()},
                categories={k: LockCategory(**v) for k, v in data.get("categories", {}).items()},
                images={k: LockImage(**v) for k, v in data.get("images", {}).items()},
                pending={k: PendingWrite(**v) for k, v in data.get("pending", {}).items()},
            )
        except (TypeError, AttributeError) as exc:
            raise LockfileError(f"{source}: malformed entry ({exc})") from None

    def dumps(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"

    def record(self, entry: LockEntry) -> None:
        """Record what was applied; the pending mark stays until the whole action is done."""
        self.entries[entry.path] = entry

    def forget(self, path: str) -> None:
        self.entries.pop(path, None)
        self.pending.pop(path, None)

    def copy(self) -> Lockfile:
        return replace(
            self,
            entries=dict(self.entries),
            categories=dict(self.categories),
            images=dict(self.images),
            pending=dict(self.pending),
        )


def _fields(obj: Any) -> dict[str, Any]:
    """A flat dataclass as a dict, without the fields that are None (cheaper than asdict)."""
    values = ((f.name, getattr(obj, f.name)) for f in fields(obj))
    return {k: v for k, v in values if v is not None}


def journal_path(path: Path) -> Path:
    """Where the journal of the lockfile at ``path`` lives while an apply runs."""
    return path.with_name(path.name + ".journal")


def load(path: Path) -> Lockfile:
    """Read the lockfile at ``path`` (absent: empty), then replay its journal if a run that
    was cut off left one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        lock = Lockfile()
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LockfileError(f"{path.name}:{exc.lineno}: not valid JSON ({exc.msg})") from None
        lock = Lockfile.from_json(data, source=path.name)
    _replay(lock, journal_path(path))
    return lock


class Journal:
    """Changes to a :class:`Lockfile`, applied in memory and appended to a journal file.

    Rewriting the whole lockfile after every action costs O(N) each time, O(N²) for a run;
    appending one line (with fsync) costs O(1). :meth:`commit` writes the lockfile once,
    atomically, and removes the journal. If the process dies first, :func:`load` replays the
    journal, so nothing recorded is lost. A torn last line (the process died mid-write) is
    ignored: that change had not been confirmed.
    """

    def __init__(self, lock: Lockfile, path: Path | None) -> None:
        self.lock = lock
        self.path = path
        self._file: Any = None

    def _append(self, op: str, value: Any) -> None:
        if self.path is None:
            return
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(journal_path(self.path), "a", encoding="utf-8")
        line = json.dumps({"op": op, "value": value}, sort_keys=True, ensure_ascii=False)
        self._file.write(line + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def set_target(self, backend: str, target: str) -> None:
        if (self.lock.backend, self.lock.target) != (backend, target):
            self.lock.backend, self.lock.target = backend, target
            self._append("target", {"backend": backend, "target": target})

    def record(self, entry: LockEntry) -> None:
        self.lock.record(entry)
        self._append("entry", _fields(entry))

    def forget(self, path: str) -> None:
        self.lock.forget(path)
        self._append("forget", path)

    def category(self, cat: LockCategory) -> None:
        self.lock.categories[cat.path] = cat
        self._append("category", _fields(cat))

    def drop_category(self, path: str) -> None:
        self.lock.categories.pop(path, None)
        self._append("drop_category", path)

    def image(self, img: LockImage) -> None:
        self.lock.images[img.sha256] = img
        self._append("image", _fields(img))

    def pending(self, mark: PendingWrite) -> None:
        self.lock.pending[mark.path] = mark
        self._append("pending", _fields(mark))

    def clear_pending(self, path: str) -> None:
        if self.lock.pending.pop(path, None) is not None:
            self._append("clear_pending", path)

    def close(self) -> None:
        """Close the journal file, leaving it in place (as a crash would)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def commit(self) -> None:
        """Write the lockfile (atomically) and drop the journal."""
        self.close()
        if self.path is None:
            return
        save(self.lock, self.path)
        journal_path(self.path).unlink(missing_ok=True)


def _replay(lock: Lockfile, journal: Path) -> None:
    try:
        lines = journal.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return
    for number, line in enumerate(lines, 1):
        try:
            item = json.loads(line)
            op, value = item["op"], item["value"]
            if op == "target":
                lock.backend, lock.target = value["backend"], value["target"]
            elif op == "entry":
                lock.record(LockEntry(**value))
            elif op == "forget":
                lock.forget(value)
            elif op == "category":
                lock.categories[value["path"]] = LockCategory(**value)
            elif op == "drop_category":
                lock.categories.pop(value, None)
            elif op == "image":
                lock.images[value["sha256"]] = LockImage(**value)
            elif op == "pending":
                lock.pending[value["path"]] = PendingWrite(**value)
            elif op == "clear_pending":
                lock.pending.pop(value, None)
            else:
                raise ValueError(op)
        except (ValueError, KeyError, TypeError):
            if number == len(lines):
                return  # torn last line: the write it records was never confirmed
            raise LockfileError(
                f"{journal.name}:{number}: unreadable journal line; remove the journal and "
                "run `hcsync apply` again (it re-reads the help center)"
            ) from None


def save(lock: Lockfile, path: Path) -> None:
    """Write atomically: a reader (or a crash) sees the old file or the new one, never half."""
    text = lock.dumps()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def digest(*parts: str) -> str:
    """sha256 over ``parts`` joined by NUL: the hash recorded as ``local_hash``."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def entry_fields(entry: LockEntry) -> dict[str, Any]:
    """An entry as the lockfile stores it (what an ``adopt`` action carries to the executor)."""
    return _fields(entry)
