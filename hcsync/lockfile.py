"""``hcsync.lock``: which file is which remote object, and what was last applied.

JSON, keys sorted, one entry per file, so git diffs read well and merges rarely conflict.
Written atomically (temp file, fsync, rename) after every successful action, so a crash loses at
most the action in flight. Every write is recorded first as *pending*: after a crash, the next
run adopts an article whose create landed instead of creating it twice, and sends again a write
that may have landed instead of taking its new remote version for a web edit.

Read defensively: every record is type-checked, and one that fails is dropped with a warning
(its file is then matched against the help center, never created twice); a bad journal line is
skipped the same way. The lockfile, its journal and the temp file of a save are never opened
through a symbolic link.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from hcsync.diagnostics import Diagnostic, HcsyncError, Severity

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
    problems: list[Diagnostic] = field(default_factory=list, compare=False, repr=False)
    """What was wrong in the file and its journal (records dropped, lines skipped): warnings
    for the user, never written back."""

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
    def from_json(cls, data: Any, *, source: str = "hcsync.lock", text: str = "") -> Lockfile:
        """The lockfile in ``data`` (parsed from ``text``, whose lines locate the problems).

        A record that does not check out is dropped with a warning in :attr:`problems`: the
        planner then matches its file against the help center. What makes the whole file
        unusable (not an object, another format, a section that is not an object, a target
        that is not a string) raises :class:`LockfileError`.
        """
        lines = _KeyLines(text)
        if not isinstance(data, dict):
            raise LockfileError(f"{source}:1: not a lockfile (expected a JSON object)")
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise LockfileError(
                f"{_at(source, lines.top('format_version'))}: format_version "
                f"{_describe(version)} is not supported (this hcsync reads {FORMAT_VERSION})"
            )
        lock = cls()
        for key in ("backend", "target"):
            value = data.get(key, "")
            if not isinstance(value, str):
                raise LockfileError(
                    f"{_at(source, lines.top(key))}: {key}: expected a string, "
                    f"got {_describe(value)}"
                )
            setattr(lock, key, value)
        for name in _SECTIONS:
            lock.problems += _read_section(getattr(lock, name), name, data, lines, source)
        for key in sorted(data.keys() - _TOP_KEYS):
            lock.problems.append(
                Diagnostic(
                    path=source,
                    line=lines.top(key),
                    severity=Severity.WARNING,
                    message=f"{key}: unknown key (ignored)",
                )
            )
        return lock

    def dumps(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"

    def digest_text(self) -> str:
        """The same content as :meth:`dumps`, compact: what a fingerprint hashes.

        ``indent`` makes ``json`` fall back to its pure-Python encoder (4× slower at 1k
        articles); the committed file keeps its readable format, hashing does not need it.
        """
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

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


# ---- checking what was read ---------------------------------------------------------------

STATUSES = ("published", "draft", "unpublished")


@dataclass(frozen=True, slots=True)
class _Spec:
    """How to check one kind of record: its fields (from the dataclass annotations), the
    field that must equal its key, and what dropping a bad one means."""

    kind: type[Any]
    key_field: str
    noun: str
    consequence: str
    fields: frozenset[str]
    required: frozenset[str]
    """The fields without a default."""
    nullable: frozenset[str]
    """The fields typed ``str | None``: null is their None."""

    @classmethod
    def of(cls, kind: type[Any], key_field: str, noun: str, consequence: str) -> _Spec:
        for f in fields(kind):
            if f.type not in ("str", "str | None"):  # a new field needs a check written here
                raise TypeError(f"{kind.__name__}.{f.name}: cannot check {f.type}")
        return cls(
            kind,
            key_field,
            noun,
            consequence,
            fields=frozenset(f.name for f in fields(kind)),
            required=frozenset(f.name for f in fields(kind) if f.default is MISSING),
            nullable=frozenset(f.name for f in fields(kind) if f.type == "str | None"),
        )


_SECTIONS = {
    "entries": _Spec.of(
        LockEntry, "path", "entry", "the file will be matched against the help center"
    ),
    "categories": _Spec.of(
        LockCategory, "path", "category", "it will be matched against the help center by name"
    ),
    "images": _Spec.of(LockImage, "sha256", "image", "it will be uploaded again"),
    "pending": _Spec.of(
        PendingWrite, "path", "pending mark", "the file will be matched against the help center"
    ),
}
_TOP_KEYS = frozenset({"format_version", "backend", "target", *_SECTIONS})


def check_record(spec: _Spec, key: str, value: Any) -> tuple[Any, list[str]]:
    """``value`` (the record at ``key``) as ``spec.kind``, or None; and what is wrong with it,
    each problem as ``.field: message`` (or ``: message`` for the record itself)."""
    if not isinstance(value, dict):
        return None, [f": expected an object, got {_describe(value)}"]
    problems = [f".{name}: unknown field" for name in sorted(value.keys() - spec.fields)]
    for name in sorted(spec.fields):
        if name not in value:
            if name in spec.required:
                problems.append(f".{name}: missing")
            continue
        item = value[name]
        if item is None and name in spec.nullable:
            continue
        if not isinstance(item, str):
            problems.append(f".{name}: expected a string, got {_describe(item)}")
        elif name == spec.key_field and item != key:
            problems.append(f".{name}: expected {_quote(key)} (its key), got {_describe(item)}")
        elif name in ("id", spec.key_field) and not item:
            problems.append(f'.{name}: expected a non-empty string, got ""')
        elif name == "status" and item not in STATUSES:
            problems.append(
                f".status: expected one of {', '.join(STATUSES)}, got {_describe(item)}"
            )
    if problems:
        return None, problems
    return spec.kind(**value), []


def _read_section(
    records: dict[str, Any], name: str, data: dict[str, Any], lines: _KeyLines, source: str
) -> list[Diagnostic]:
    """Fill ``records`` with the good records of section ``name``; a warning per problem."""
    section, spec = data.get(name, {}), _SECTIONS[name]
    if not isinstance(section, dict):
        raise LockfileError(
            f"{_at(source, lines.top(name))}: {name}: expected an object, got {_describe(section)}"
        )
    warnings = []
    for key, value in section.items():
        record, problems = check_record(spec, key, value)
        if record is not None:
            records[key] = record
        line = lines.record(name, key)
        warnings += [_warning(source, line, f"{name}[{_quote(key)}]{p}", spec) for p in problems]
    return warnings


def _describe(value: Any) -> str:
    """A value read from JSON, as a message shows it: short, and never a deep repr."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return _quote(value if len(value) <= 60 else value[:57] + "...")
    return "a list" if isinstance(value, list) else "an object"


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _at(source: str, line: int | None) -> str:
    return f"{source}:{line}" if line else source


def _warning(source: str, line: int | None, what: str, spec: _Spec) -> Diagnostic:
    return Diagnostic(
        path=source,
        line=line,
        severity=Severity.WARNING,
        message=f"{what}; the {spec.noun} is ignored ({spec.consequence})",
    )


_KEY_LINE = re.compile(r'^( *)("(?:[^"\\]|\\.)*")\s*:')


class _KeyLines:
    """Where each key sits in a lockfile's text: top-level keys, and the record keys of each
    section (any consistent indentation; ``dumps`` writes 2 and 4). Unknown: None."""

    def __init__(self, text: str) -> None:
        self._top: dict[str, int] = {}
        self._records: dict[tuple[str, str], int] = {}
        top_indent: int | None = None
        section, record_indent = "", None
        for number, line in enumerate(text.splitlines(), 1):
            match = _KEY_LINE.match(line)
            if match is None:
                continue
            indent, key = len(match[1]), _unquote(match[2])
            if top_indent is None or indent == top_indent:
                top_indent, section, record_indent = indent, key, None
                self._top.setdefault(key, number)
            elif indent > top_indent and record_indent in (None, indent):
                record_indent = indent
                self._records.setdefault((section, key), number)

    def top(self, key: str) -> int | None:
        return self._top.get(key)

    def record(self, section: str, key: str) -> int | None:
        return self._records.get((section, key))


def _unquote(quoted: str) -> str:
    try:
        value = json.loads(quoted)
    except ValueError:
        return quoted
    return value if isinstance(value, str) else quoted


# ---- files, never through a symbolic link -------------------------------------------------


def _symlink_error(path: Path) -> LockfileError:
    return LockfileError(
        f"{path.name} is a symbolic link; hcsync never reads or writes through one "
        "(remove the link)"
    )


def open_nofollow(path: Path, flags: int, mode: int = 0o644) -> int:
    """``os.open`` that refuses a symbolic link at ``path`` (dangling or not) with one line.

    ``FileNotFoundError`` passes through; other ``OSError`` become :class:`LockfileError`.
    """
    try:
        return os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP or path.is_symlink():
            raise _symlink_error(path) from None
        raise LockfileError(f"{path.name}: cannot open ({exc.strerror})") from None


def _read_bytes(path: Path) -> bytes | None:
    """The bytes of ``path``, or None when it does not exist."""
    try:
        fd = open_nofollow(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as fh:
        return fh.read()


def journal_path(path: Path) -> Path:
    """Where the journal of the lockfile at ``path`` lives while an apply runs."""
    return path.with_name(path.name + ".journal")


def load(path: Path) -> Lockfile:
    """Read the lockfile at ``path`` (absent: empty), then replay its journal if a run that
    was cut off left one. Records and journal lines that do not check out are dropped, each
    with a warning in :attr:`Lockfile.problems`."""
    raw = _read_bytes(path)
    if raw is None:
        lock = Lockfile()
    else:
        data, text = _parse(raw, path.name)
        lock = Lockfile.from_json(data, source=path.name, text=text)
    lock.problems += _replay(lock, journal_path(path))
    return lock


def _parse(raw: bytes, source: str) -> tuple[Any, str]:
    """The JSON in ``raw`` and its text; a clean :class:`LockfileError` when it is not."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise LockfileError(f"{source}:{line}: not valid UTF-8") from None
    try:
        return json.loads(text), text
    except json.JSONDecodeError as exc:
        raise LockfileError(f"{source}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise LockfileError(f"{source}:1: not valid JSON (nested too deeply)") from None


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
            fd = open_nofollow(journal_path(self.path), os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            self._file = os.fdopen(fd, "a", encoding="utf-8")
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


_RECORD_OPS = {
    "entry": "entries",
    "category": "categories",
    "image": "images",
    "pending": "pending",
}
_PATH_OPS = frozenset({"forget", "drop_category", "clear_pending"})


def _replay(lock: Lockfile, journal: Path) -> list[Diagnostic]:
    """Fold every journal line that reads and checks out into ``lock``; a warning for each
    other line. A torn last line (no newline: the process died mid-write) is dropped quietly,
    the change it records was never confirmed."""
    raw = _read_bytes(journal)
    if raw is None:
        return []
    problems = []
    for number, line, torn in _journal_lines(raw):
        if _fold(lock, line) or torn:
            continue
        problems.append(
            Diagnostic(
                path=journal.name,
                line=number,
                severity=Severity.WARNING,
                message="unreadable journal line (skipped); the help center is read again "
                "before anything is created",
            )
        )
    return problems


def _journal_lines(raw: bytes) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, bytes, torn) for each non-empty line; torn: the last, without newline."""
    lines = raw.split(b"\n")
    for number, line in enumerate(lines, 1):
        if line.strip():
            yield number, line, number == len(lines)


def _fold(lock: Lockfile, line: bytes) -> bool:
    """Apply one journal line to ``lock``; False (and ``lock`` untouched) if it is bad."""
    try:
        item = json.loads(line.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return False
    if not isinstance(item, dict) or item.keys() != {"op", "value"}:
        return False
    op, value = item["op"], item["value"]
    if not isinstance(op, str):  # a list or an object would not even hash
        return False
    if op == "target":
        if not isinstance(value, dict) or value.keys() != {"backend", "target"}:
            return False
        if not all(isinstance(v, str) for v in value.values()):
            return False
        lock.backend, lock.target = value["backend"], value["target"]
        return True
    if op in _PATH_OPS:
        if not isinstance(value, str):
            return False
        _forget(lock, op, value)
        return True
    if op not in _RECORD_OPS:
        return False
    spec = _SECTIONS[_RECORD_OPS[op]]
    key = value.get(spec.key_field) if isinstance(value, dict) else None
    record, _ = check_record(spec, key if isinstance(key, str) else "", value)
    if record is None:
        return False
    if op == "entry":
        lock.record(record)
    else:
        getattr(lock, _RECORD_OPS[op])[key] = record
    return True


def _forget(lock: Lockfile, op: str, path: str) -> None:
    if op == "forget":
        lock.forget(path)
    elif op == "drop_category":
        lock.categories.pop(path, None)
    else:
        lock.pending.pop(path, None)


def save(lock: Lockfile, path: Path) -> None:
    """Write atomically: a reader (or a crash) sees the old file or the new one, never half.

    Refuses a symbolic link at ``path``: the rename would replace the link, and writing
    through it could reach any file."""
    if path.is_symlink():
        raise _symlink_error(path)
    text = lock.dumps()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temp_file(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _temp_file(path: Path) -> tuple[int, Path]:
    """A new file beside ``path`` (``O_CREAT|O_EXCL``: never an existing file or link)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, flags, 0o644), tmp
        except FileExistsError:
            continue  # that name is taken (a file or a link): draw another
        except OSError as exc:
            raise LockfileError(f"{path.name}: cannot write ({exc.strerror})") from None


def digest(*parts: str) -> str:
    """sha256 over ``parts`` joined by NUL: the hash recorded as ``local_hash``."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def entry_fields(entry: LockEntry) -> dict[str, Any]:
    """An entry as the lockfile stores it (what an ``adopt`` action carries to the executor)."""
    return _fields(entry)
