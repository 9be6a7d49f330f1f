"""One apply at a time per lockfile: an exclusive ``flock`` on a file next to it.

Two applies that read the same lockfile would both create what is new (duplicates on the help
center) and the last to save would drop the other's records. ``hcsync apply`` therefore holds an
exclusive, non-blocking lock on ``.<lockfile>.apply`` while it reads, applies and saves; a second
apply on the same checkout fails at once and says who holds it. The kernel drops the lock when
the process dies, so a killed apply never leaves a stale lock behind.

This guards one machine (a developer's checkout, a self-hosted runner). Separate CI runners
share no disk: there, serialise with the workflow's ``concurrency:`` group; and the lockfile
commit refuses to push over a lockfile another run changed meanwhile.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hcsync.diagnostics import HcsyncError
from hcsync.lockfile import open_nofollow


class ApplyLockedError(HcsyncError):
    """Another apply holds the lock of this lockfile."""


def lock_path(lockfile: Path) -> Path:
    """Where the apply lock of ``lockfile`` lives: ``.hcsync.lock.apply`` beside it."""
    return lockfile.with_name(f".{lockfile.name}.apply")


@contextmanager
def apply_lock(lockfile: Path) -> Iterator[Path]:
    """Hold the exclusive apply lock of ``lockfile``, or raise :class:`ApplyLockedError`.

    The lock file is removed on release, while still locked; a process that opened it before
    the removal notices (its inode is no longer the path's) and tries again on the new file.
    A symbolic link at its path (a committed one, say) is refused, never written through.
    """
    path = lock_path(lockfile)
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(10):
        fd = open_nofollow(path, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd)
            os.close(fd)
            raise ApplyLockedError(
                f"another hcsync apply is running on {lockfile.name}{holder}; wait for it to "
                f"finish (or, if no apply runs, the lock is held by a stuck process: {path})"
            ) from None
        try:
            if os.fstat(fd).st_ino != os.lstat(path).st_ino:
                raise FileNotFoundError  # removed by the previous holder: lock the new file
        except FileNotFoundError:
            os.close(fd)
            continue
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%dT%H:%M:%S')}\n".encode())
            yield path
        finally:
            try:
                path.unlink(missing_ok=True)
            finally:
                os.close(fd)
        return
    raise ApplyLockedError(f"could not take the apply lock {path}")


def _read(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""
    return f" ({text})" if text else ""
