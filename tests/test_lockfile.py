"""The lockfile: round trip, sorted stable JSON, atomic save, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hcsync import lockfile
from hcsync.lockfile import (
    LockCategory,
    LockEntry,
    Lockfile,
    LockfileError,
    LockImage,
    PendingWrite,
)


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


def test_journal_replays_after_a_crash_and_commit_folds_it(tmp_path: Path) -> None:
    path = tmp_path / "hcsync.lock"
    lockfile.save(sample(), path)
    journal = lockfile.Journal(lockfile.load(path), path)
    entry = sample().entries["b/install.md"]
    journal.record(LockEntry(**{**_asdict(entry), "path": "c/new.md", "id": "a2"}))
    journal.forget("b/install.md")
    journal.pending(PendingWrite(path="c/new.md", title="New", language="en", op="publish"))
    journal.image(LockImage(sha256="s", url="u", path="c/i.png"))
    journal.close()
    # "crash": the journal is left, the lockfile untouched
    assert json.loads(path.read_text()) == sample().to_json()
    replayed = lockfile.load(path)
    assert sorted(replayed.entries) == ["c/new.md"]
    assert replayed.pending["c/new.md"].op == "publish"
    assert replayed.images["s"].url == "u"
    journal.clear_pending("c/new.md")
    journal.commit()
    assert not lockfile.journal_path(path).exists()
    assert lockfile.load(path) == journal.lock
    assert "c/new.md" not in lockfile.load(path).pending


def test_a_torn_last_journal_line_is_ignored_but_a_bad_middle_one_is_an_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hcsync.lock"
    journal = lockfile.Journal(Lockfile(), path)
    journal.image(LockImage(sha256="s", url="u", path="i.png"))
    journal.close()
    jpath = lockfile.journal_path(path)
    with jpath.open("a") as fh:
        fh.write('{"op": "image", "val')  # the process died mid-line
    assert lockfile.load(path).images["s"].url == "u"
    with jpath.open("a") as fh:
        fh.write('\n{"op": "forget", "value": "x"}\n')
    with pytest.raises(LockfileError) as info:
        lockfile.load(path)
    assert str(info.value).startswith("hcsync.lock.journal:2: unreadable journal line")
