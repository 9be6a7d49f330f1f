"""The one writer for files that ``hcsync import`` and ``hcsync pull`` put into the tree, and
the naming rule every remote-chosen name goes through first.

Names come from the help center (titles, slugs, category and image names), so they are
hostile until proven otherwise. :func:`safe_name` turns any text into one path component that
is safe on Linux, macOS and Windows; :func:`write_file` refuses any path with a component that
is not (see :func:`unsafe_reason`), or that passes through a symbolic link below the root, and
writes through a temporary file and an atomic rename, never following a link.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from hcsync.diagnostics import HcsyncError

MAX_NAME_BYTES = 255
"""The longest file name (one path component) Linux, macOS and Windows all accept, in bytes."""

_RESERVED = re.compile(r"^(?:con|prn|aux|nul|com[1-9]|lpt[1-9])(?:\.|$)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BAD_CHARS = re.compile(r'[\x00-\x1f\x7f/\\<>:"|?*]+')
_MAX_EXTENSION_BYTES = 32


class UnsafePathError(HcsyncError):
    """A path the safe writer refuses (outside the root, through a link, a hostile name)."""


def unsafe_reason(component: str) -> str | None:
    """Why ``component`` cannot be one name in the tree (None: it can)."""
    if component in ("", ".", ".."):
        return f"{component!r} is not a file name"
    if _BAD_CHARS.search(component):
        return f"{_shown(component)} has a control character, a slash or a reserved character"
    if len(component.encode("utf-8")) > MAX_NAME_BYTES:
        return f"{_shown(component)} is longer than {MAX_NAME_BYTES} bytes"
    if _RESERVED.match(component):
        return f"{component!r} is a reserved name on Windows"
    if component.casefold() == ".git":
        return "'.git' is git's own folder"
    if component != component.rstrip(". "):
        return f"{component!r} ends in a dot or a space"
    return None


def _shown(name: str) -> str:
    clean = _CONTROL.sub("?", name)
    return repr(clean if len(clean) <= 60 else clean[:40] + "…")


def safe_name(name: str, suffix: str = "", *, default: str = "file") -> str:
    """``name`` + ``suffix`` made into one safe component (see :func:`unsafe_reason`).

    Slashes, control and reserved characters become ``-``; leading dots and spaces and
    trailing dots and spaces are dropped (no hidden files, nothing Windows trims); a reserved
    Windows name gets ``_`` appended; a name over 255 bytes is cut, keeping ``suffix``, and
    ends in ``-`` and 8 hex digits of the full name's hash, so two long names stay distinct.
    ``suffix`` (``.md``, ``.es.md``, ``.png``) is kept as it is and must be safe itself.
    """
    stem = _BAD_CHARS.sub("-", name).strip(" ").lstrip(".").rstrip(". ") or default
    if _RESERVED.match(stem + suffix):
        stem += "_"
    full = stem + suffix
    if len(full.encode("utf-8")) <= MAX_NAME_BYTES:
        return full
    tag = "-" + hashlib.sha256(full.encode("utf-8")).hexdigest()[:8]
    room = MAX_NAME_BYTES - len((tag + suffix).encode("utf-8"))
    cut = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(". ")
    return cut + tag + suffix


def split_extension(name: str) -> tuple[str, str]:
    """``logo.png`` → (``logo``, ``.png``); a missing or absurd extension → (name, "")."""
    base, dot, ext = name.rpartition(".")
    if not dot or not base or not ext or len(ext.encode("utf-8")) > _MAX_EXTENSION_BYTES:
        return name, ""
    if _BAD_CHARS.search(ext) or not ext.isascii() or not ext.isalnum():
        return name, ""
    return base, "." + ext


def unique_name(
    name: str, suffix: str, taken: set[str], *, default: str = "file", first: int = 2
) -> str:
    """A safe name not in ``taken`` compared case-insensitively (``logo.png``, ``logo-2.png``);
    ``taken`` holds casefolded names and gets the new one."""
    candidate, n = safe_name(name, suffix, default=default), first
    while candidate.casefold() in taken:
        candidate = safe_name(f"{name}-{n}", suffix, default=default)
        n += 1
    taken.add(candidate.casefold())
    return candidate


def _parts(rel: str) -> list[str]:
    parts = rel.split("/")
    for part in parts:
        why = unsafe_reason(part)
        if why:
            raise UnsafePathError(f"{_shown(rel)}: refused: {why}")
    return parts


@contextlib.contextmanager
def _open_dir(root: Path, folders: list[str], rel: str, *, create: bool) -> Iterator[int]:
    """A descriptor of ``root/folders…``, each folder checked with ``lstat`` and opened
    without following a link (created when missing and ``create``)."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for i, folder in enumerate(folders):
            where = "/".join(folders[: i + 1])
            try:
                st = os.lstat(folder, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                os.mkdir(folder, dir_fd=fd)
                st = os.lstat(folder, dir_fd=fd)
            if stat.S_ISLNK(st.st_mode):
                raise UnsafePathError(f"{rel}: refused: {where} is a symbolic link")
            if not stat.S_ISDIR(st.st_mode):
                raise UnsafePathError(f"{rel}: refused: {where} is not a folder")
            try:
                nxt = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise UnsafePathError(
                        f"{rel}: refused: {where} is not a plain folder"
                    ) from None
                raise
            os.close(fd)
            fd = nxt
        yield fd
    finally:
        os.close(fd)


def write_file(root: Path, rel: str, data: bytes | str, *, exclusive: bool = False) -> Path:
    """Write ``data`` to ``root/rel`` (``rel``: a relative POSIX path) and return the path.

    Refused (:class:`UnsafePathError`) when a component is unsafe, a folder below ``root`` or
    the file itself is a symbolic link or not what it should be, or (``exclusive``) the file
    exists. The folders are created; the bytes go to a temporary file in the same folder,
    opened with ``O_NOFOLLOW``, then renamed over the target in one step. ``root`` itself is
    trusted (the project or content folder the user chose).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    *folders, name = _parts(rel)
    try:
        root.mkdir(parents=True, exist_ok=True)
        with _open_dir(root, folders, rel, create=True) as dfd:
            _check_target(dfd, name, rel, exclusive=exclusive)
            tmp = f".{name[:200]}.{secrets.token_hex(4)}.tmp"
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
            fd = os.open(tmp, flags, 0o666, dir_fd=dfd)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(raw)
                os.rename(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp, dir_fd=dfd)
                raise
    except OSError as exc:
        raise UnsafePathError(f"{rel}: cannot write: {exc.strerror or exc}") from None
    return root.joinpath(*folders, name)


def _check_target(dfd: int, name: str, rel: str, *, exclusive: bool) -> None:
    try:
        st = os.lstat(name, dir_fd=dfd)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        raise UnsafePathError(f"{rel}: refused: it is a symbolic link")
    if not stat.S_ISREG(st.st_mode):
        raise UnsafePathError(f"{rel}: refused: it exists and is not a file")
    if exclusive:
        raise UnsafePathError(f"{rel}: refused: a file is there already")


def read_existing(root: Path, rel: str) -> bytes | None:
    """The bytes of ``root/rel`` if it is a plain file reached without a link, else None."""
    try:
        *folders, name = _parts(rel)
        with _open_dir(root, folders, rel, create=False) as dfd:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dfd)
            with os.fdopen(fd, "rb") as f:
                if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                    return None
                return f.read()
    except (OSError, UnsafePathError):
        return None


def names_in(root: Path, rel_folder: str) -> set[str]:
    """The casefolded names in ``root/rel_folder`` (empty if missing or reached via a link)."""
    folders = [p for p in rel_folder.split("/") if p]
    try:
        if folders:
            _parts("/".join(folders))
        with _open_dir(root, folders, rel_folder, create=False) as dfd:
            return {n.casefold() for n in os.listdir(dfd)}
    except (OSError, UnsafePathError):
        return set()
