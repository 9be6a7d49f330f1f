"""The lockfile: round trip, sorted stable JSON, atomic save, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hcsync import lockfile
from hcsync.lockfile import LockCategory, LockEntry, Lockfile, LockfileError, PendingWrite


def sample() -> Lockfile:
    lock = Lockfile(backend="helpcenter", target="c1")
    lock.record(
        LockEntry(
            path="b/install.md",
            id="a1",
            language="en",
            slug="install",
            category="b",
            local_hash="l1",
            remote_hash="r1",
            remote_version="2026-01-01T00:00:00.000Z",
            status="published",
            url="https://x/article/1-install",
        )
    )
    lock.categories["b"] = LockCategory(path="b", id="c9", hash="h")
    lock.pending["a/new.md"] = PendingWrite(path="a/new.md", title="New", language="en")
    return lock


def test_round_trip_and_sorted_keys(tmp_path: Path) -> None:
    path = tmp_path / "hcsync.lock"
    lockfile.save(sample(), path)
    text = path.read_text()
    assert json.loads(text)["format_version"] == 1
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2) + "\n"
    again = lockfile.load(path)
    assert again == sample()
    assert "source" not in json.loads(text)["entries"]["b/install.md"]  # None fields dropped


def test_record_keeps_pending_until_forget() -> None:
    lock = sample()
    entry = lock.entries["b/install.md"]
    lock.record(LockEntry(**{**_asdict(entry), "path": "a/new.md"}))
    assert "a/new.md" in lock.pending  # the executor clears it when the action is done
    lock.forget("a/new.md")
    assert "a/new.md" not in lock.pending and "a/new.md" not in lock.entries


def _asdict(entry: LockEntry) -> dict[str, object]:
    from dataclasses import asdict

    return asdict(entry)


def test_absent_file_is_empty(tmp_path: Path) -> None:
    assert lockfile.load(tmp_path / "nope.lock") == Lockfile()


def test_no_temp_files_left(tmp_path: Path) -> None:
    path = tmp_path / "hcsync.lock"
    lockfile.save(sample(), path)
    lockfile.save(sample(), path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hcsync.lock"]


def test_bad_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "hcsync.lock"
    path.write_text('{\n  "format_version": 1,\n  oops\n}\n')
    with pytest.raises(LockfileError) as info:
        lockfile.load(path)
    assert str(info.value) == (
        "hcsync.lock:3: not valid JSON (Expecting property name enclosed in double quotes)"
    )


def test_unknown_version_refused(tmp_path: Path) -> None:
    path = tmp_path / "hcsync.lock"
    path.write_text('{"format_version": 99}')
    with pytest.raises(LockfileError) as info:
        lockfile.load(path)
    assert str(info.value) == (
        "hcsync.lock: format_version 99 is not supported (this hcsync reads 1)"
    )
