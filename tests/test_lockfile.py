"""The lockfile: round trip, sorted stable JSON, atomic save, clear errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

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


def test_the_digest_text_is_the_committed_content_compact() -> None:
    lock = sample()
    lock.entries["b/install.md"] = replace(lock.entries["b/install.md"], slug="instalación")
    text = lock.digest_text()
    assert json.loads(text) == json.loads(lock.dumps())
    assert text.index('"backend"') < text.index('"categories"') < text.index('"target"')
    assert "\n" not in text and ": " not in text and "instalación" in text
    other = sample()
    other.categories["b"] = LockCategory(path="b", id="c9", hash="h2")
    assert other.digest_text() != sample().digest_text()


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


def test_a_torn_last_journal_line_is_ignored_quietly_and_a_bad_middle_one_is_skipped(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hcsync.lock"
    journal = lockfile.Journal(Lockfile(), path)
    journal.image(LockImage(sha256="s", url="u", path="i.png"))
    journal.close()
    jpath = lockfile.journal_path(path)
    with jpath.open("a") as fh:
        fh.write('{"op": "image", "val')  # the process died mid-line
    torn = lockfile.load(path)
    assert torn.images["s"].url == "u" and torn.problems == []
    with jpath.open("a") as fh:
        fh.write('\n{"op": "image", "value": {"sha256": "t", "url": "v", "path": "j.png"}}\n')
    folded = lockfile.load(path)
    assert sorted(folded.images) == ["s", "t"]  # the line after the bad one is folded
    assert [d.format() for d in folded.problems] == [
        "hcsync.lock.journal:2: warning: unreadable journal line (skipped); the help center "
        "is read again before anything is created"
    ]


# ---- records checked on load -------------------------------------------------------------

IGNORED = "; the entry is ignored (the file will be matched against the help center)"


def saved_then_edited(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    """The sample lockfile as ``save`` writes it, with ``edit`` applied to its data."""
    path = tmp_path / "hcsync.lock"
    lock = sample()
    entry = lock.entries["b/install.md"]
    lock.record(replace(entry, path="b/usage.md", id="a2"))
    data = lock.to_json()
    edit(data)
    path.write_text(json.dumps(data, sort_keys=True, indent=2) + "\n")
    return path


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.mark.parametrize(
    ("bad", "shown"),
    [
        (17, "expected a string, got 17"),
        (None, "expected a string, got null"),
        ("", 'expected a non-empty string, got ""'),
        (["a1"], "expected a string, got a list"),
        (True, "expected a string, got true"),
    ],
)
def test_an_entry_with_a_bad_id_is_dropped_with_a_warning_at_its_line(
    tmp_path: Path, bad: object, shown: str
) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["entries"]["b/install.md"]["id"] = bad

    path = saved_then_edited(tmp_path, edit)
    lock = lockfile.load(path)
    assert sorted(lock.entries) == ["b/usage.md"]  # control: the good entry is kept
    line = line_of(path, '"b/install.md": {')
    assert [d.format() for d in lock.problems] == [
        f'hcsync.lock:{line}: warning: entries["b/install.md"].id: {shown}{IGNORED}'
    ]


def test_a_clean_lockfile_has_no_problems(tmp_path: Path) -> None:
    path = saved_then_edited(tmp_path, lambda data: None)
    lock = lockfile.load(path)
    assert sorted(lock.entries) == ["b/install.md", "b/usage.md"]
    assert lock.problems == []


def test_every_problem_of_every_section_is_reported(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        install = data["entries"]["b/install.md"]
        install.update(path="b/other.md", status="live", language=3, colour="red")
        del install["remote_hash"]
        data["entries"]["b/usage.md"] = "a2"
        data["categories"]["b"]["hash"] = {"x": 1}
        data["images"]["s"] = {"sha256": "t", "url": "u", "path": "i.png"}
        data["pending"]["a/new.md"]["op"] = None  # has a default, but is not nullable
        data["note"] = "hand-edited"

    path = saved_then_edited(tmp_path, edit)
    lock = lockfile.load(path)
    assert (lock.entries, lock.categories, lock.images, lock.pending) == ({}, {}, {}, {})
    install, usage = line_of(path, '"b/install.md": {'), line_of(path, '"b/usage.md"')
    cat, img = line_of(path, '"b": {'), line_of(path, '"s": {')
    pend, note = line_of(path, '"a/new.md": {'), line_of(path, '"note"')
    category = "; the category is ignored (it will be matched against the help center by name)"
    assert [d.format() for d in lock.problems] == [
        f'hcsync.lock:{install}: warning: entries["b/install.md"].colour: unknown field{IGNORED}',
        f'hcsync.lock:{install}: warning: entries["b/install.md"].language: '
        f"expected a string, got 3{IGNORED}",
        f'hcsync.lock:{install}: warning: entries["b/install.md"].path: '
        f'expected "b/install.md" (its key), got "b/other.md"{IGNORED}',
        f'hcsync.lock:{install}: warning: entries["b/install.md"].remote_hash: missing{IGNORED}',
        f'hcsync.lock:{install}: warning: entries["b/install.md"].status: expected one of '
        f'published, draft, unpublished, got "live"{IGNORED}',
        f'hcsync.lock:{usage}: warning: entries["b/usage.md"]: '
        f'expected an object, got "a2"{IGNORED}',
        f'hcsync.lock:{cat}: warning: categories["b"].hash: '
        f"expected a string, got an object{category}",
        f'hcsync.lock:{img}: warning: images["s"].sha256: expected "s" (its key), got "t"; '
        "the image is ignored (it will be uploaded again)",
        f'hcsync.lock:{pend}: warning: pending["a/new.md"].op: expected a string, got null; '
        "the pending mark is ignored (the file will be matched against the help center)",
        f"hcsync.lock:{note}: warning: note: unknown key (ignored)",
    ]


def test_optional_fields_may_be_null(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["entries"]["b/install.md"]["slug"] = None

    lock = lockfile.load(saved_then_edited(tmp_path, edit))
    assert lock.entries["b/install.md"].slug is None and lock.problems == []


def test_a_minified_lockfile_still_warns_without_a_line(tmp_path: Path) -> None:
    path = saved_then_edited(tmp_path, lambda data: None)
    data = json.loads(path.read_text())
    data["entries"]["b/install.md"]["id"] = 17
    path.write_text(json.dumps(data))
    (problem,) = lockfile.load(path).problems
    assert problem.line is None
    assert problem.format().startswith('hcsync.lock: warning: entries["b/install.md"].id: ')


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]\n", "hcsync.lock:1: not a lockfile (expected a JSON object)"),
        (
            '{\n  "entries": [],\n  "format_version": 1\n}\n',
            "hcsync.lock:2: entries: expected an object, got a list",
        ),
        (
            '{\n  "format_version": 1,\n  "pending": null\n}\n',
            "hcsync.lock:3: pending: expected an object, got null",
        ),
        (
            '{\n  "format_version": 1,\n  "target": 17\n}\n',
            "hcsync.lock:3: target: expected a string, got 17",
        ),
        (
            '{\n  "backend": "helpcenter",\n  "format_version": "1"\n}\n',
            'hcsync.lock:3: format_version "1" is not supported (this hcsync reads 1)',
        ),
    ],
)
def test_structural_problems_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "hcsync.lock"
    path.write_text(text)
    with pytest.raises(LockfileError) as info:
        lockfile.load(path)
    assert str(info.value) == message


def test_deeply_nested_json_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "hcsync.lock"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(LockfileError) as info:
        lockfile.load(path)
    assert str(info.value) == "hcsync.lock:1: not valid JSON (nested too deeply)"
    # control: nesting inside a record that parses is only a dropped record
    path.write_text(
        json.dumps({"format_version": 1, "entries": {"x.md": [[[[["deep"]]]]]}}, indent=2)
    )
    assert lockfile.load(path).entries == {}


def test_a_non_utf8_lockfile_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "hcsync.lock"
    path.write_bytes(b'{\n  "format_version": 1,\n  "target": "caf\xe9"\n}\n')
    with pytest.raises(LockfileError) as info:
        lockfile.load(path)
    assert str(info.value) == "hcsync.lock:3: not valid UTF-8"


# ---- the journal: every readable line folded ----------------------------------------------


def test_bad_journal_lines_are_skipped_and_every_other_line_is_folded(tmp_path: Path) -> None:
    path = tmp_path / "hcsync.lock"
    lockfile.save(sample(), path)
    good = sample().entries["b/install.md"]
    entry = {**_asdict(good), "path": "c/new.md", "id": "a2"}
    lines = [
        json.dumps({"op": "entry", "value": {**entry, "id": 17}}),  # fails the same checks
        "[" * 100_000 + "]" * 100_000,  # too deep
        '{"op": "entry", "value": {"path": "caf\xe9"}}',  # not UTF-8 (written as latin-1)
        json.dumps({"op": "teleport", "value": "x"}),
        json.dumps({"op": "forget", "value": ["b/install.md"]}),
        json.dumps({"op": "target", "value": {"backend": "helpcenter", "target": None}}),
        '{"op": "entry", "value": {"path": "half',  # torn in the middle
        json.dumps({"op": "entry", "value": entry}),
        json.dumps({"op": "clear_pending", "value": "a/new.md"}),
    ]
    lockfile.journal_path(path).write_bytes("\n".join(lines).encode("latin-1") + b"\n")
    lock = lockfile.load(path)
    assert lock.entries["c/new.md"].id == "a2"  # folded from after the bad lines
    assert "b/install.md" in lock.entries and lock.pending == {}
    assert lock.target == "c1"
    assert [(d.path, d.line) for d in lock.problems] == [
        ("hcsync.lock.journal", n) for n in range(1, 8)
    ]
    assert {d.message for d in lock.problems} == {
        "unreadable journal line (skipped); the help center is read again before anything "
        "is created"
    }


def test_no_message_tells_the_user_to_delete_local_state() -> None:
    import hcsync.applylock
    import hcsync.workflow

    for module in (lockfile, hcsync.applylock, hcsync.workflow):
        text = Path(module.__file__ or "").read_text()
        for advice in ("remove the journal", "remove it and run", "delete the lockfile"):
            assert advice not in text, (module.__name__, advice)
