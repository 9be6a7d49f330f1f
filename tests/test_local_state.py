"""Local state (lockfile, journal, apply lock) is checked, never followed through a symbolic
link, and kept inside the repository; the CLI says what it dropped and goes on.

The CLI cases run against the in-process Help.Center emulator (tests/e2e/conftest.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hcsync import lockfile
from hcsync.applylock import apply_lock, lock_path
from hcsync.cli import cli
from hcsync.lockfile import LockEntry, Lockfile, LockfileError, LockImage
from tests.e2e.conftest import HelpCenter, Project, make_project
from tests.e2e.conftest import hc as hc  # noqa: F401  (the in-process Help.Center fixture)

SKIPPED = (
    "warning: unreadable journal line (skipped); the help center is read again before "
    "anything is created"
)


def symlink_message(name: str) -> str:
    return f"{name} is a symbolic link; hcsync never reads or writes through one (remove the link)"


def entry(path: str = "a.md", id: str = "a1") -> LockEntry:
    return LockEntry(
        path=path,
        id=id,
        language="en",
        local_hash="l",
        remote_hash="r",
        remote_version="v",
        status="published",
    )


# ---- never through a symbolic link (unit) ---------------------------------------------------


@pytest.mark.parametrize("dangling", [False, True])
def test_a_symlinked_lockfile_is_neither_read_nor_saved(tmp_path: Path, dangling: bool) -> None:
    target = tmp_path / "outside.json"
    if not dangling:
        lockfile.save(Lockfile(target="c1"), target)
        before = target.read_bytes()
    path = tmp_path / "repo" / "hcsync.lock"
    path.parent.mkdir()
    path.symlink_to(target)
    with pytest.raises(LockfileError) as read:
        lockfile.load(path)
    assert str(read.value) == symlink_message("hcsync.lock")
    with pytest.raises(LockfileError) as saved:
        lockfile.save(Lockfile(target="evil"), path)
    assert str(saved.value) == symlink_message("hcsync.lock")
    if dangling:
        assert not target.exists()
    else:
        assert target.read_bytes() == before
    assert path.is_symlink() and sorted(p.name for p in path.parent.iterdir()) == ["hcsync.lock"]


def test_control_a_regular_lockfile_is_saved_and_read_by_everyone(tmp_path: Path) -> None:
    path = tmp_path / "hcsync.lock"
    lockfile.save(Lockfile(target="c1"), path)
    assert lockfile.load(path).target == "c1"
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o644 & ~mask  # not mkstemp's 0600


@pytest.mark.parametrize("dangling", [False, True])
def test_a_symlinked_journal_is_neither_replayed_nor_appended_to(
    tmp_path: Path, dangling: bool
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "journal"
    if not dangling:
        target.write_text('{"op": "forget", "value": "x"}\n')
    path = tmp_path / "repo" / "hcsync.lock"
    path.parent.mkdir()
    lockfile.journal_path(path).symlink_to(target)
    with pytest.raises(LockfileError) as read:
        lockfile.load(path)
    assert str(read.value) == symlink_message("hcsync.lock.journal")
    journal = lockfile.Journal(Lockfile(), path)
    with pytest.raises(LockfileError) as written:
        journal.record(entry())
    assert str(written.value) == symlink_message("hcsync.lock.journal")
    assert sorted(p.name for p in outside.iterdir()) == ([] if dangling else ["journal"])
    if not dangling:
        assert target.read_text() == '{"op": "forget", "value": "x"}\n'


def test_control_a_regular_journal_is_appended_and_replayed(tmp_path: Path) -> None:
    path = tmp_path / "hcsync.lock"
    journal = lockfile.Journal(Lockfile(), path)
    journal.record(entry())
    journal.close()
    assert lockfile.load(path).entries == {"a.md": entry()}


@pytest.mark.parametrize("dangling", [False, True])
def test_a_symlinked_apply_lock_is_refused_and_its_target_untouched(
    tmp_path: Path, dangling: bool
) -> None:
    target = tmp_path / "precious.txt"
    if not dangling:
        target.write_text("keep me\n")
    path = tmp_path / "repo" / "hcsync.lock"
    path.parent.mkdir()
    lock_path(path).symlink_to(target)
    with pytest.raises(LockfileError) as info:
        with apply_lock(path):
            pass
    assert str(info.value) == symlink_message(".hcsync.lock.apply")
    assert target.read_text() == "keep me\n" if not dangling else not target.exists()
    assert lock_path(path).is_symlink()  # left as it was
    lock_path(path).unlink()
    with apply_lock(path) as held:  # control: a regular lock file is taken
        assert held.read_text().startswith(f"pid {os.getpid()} ")


def test_the_temp_file_of_a_save_never_reuses_an_existing_name(tmp_path: Path) -> None:
    path = tmp_path / "hcsync.lock"
    for _ in range(20):
        lockfile.save(Lockfile(target="c1"), path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hcsync.lock"]


# ---- the CLI against the emulator ---------------------------------------------------------


def applied(tmp_path: Path, hc: HelpCenter, extra_config: str = "") -> Project:
    project = make_project(tmp_path, hc, extra_config=extra_config)
    result = project.run("apply", "--yes")
    assert result.exit_code == 0, result.stderr
    return project


def edit_lock(project: Project, change: dict[str, object], path: str = "guides/usage.md") -> int:
    """Change fields of one entry of the lockfile; the line of that entry's key."""
    data = json.loads(project.lock_text())
    data["entries"][path].update(change)
    text = json.dumps(data, sort_keys=True, indent=2) + "\n"
    project.write("hcsync.lock", text)
    return next(n for n, line in enumerate(text.splitlines(), 1) if f'"{path}": {{' in line)


def test_plan_warns_about_entries_with_a_bad_id_and_goes_on(tmp_path: Path, hc: HelpCenter) -> None:
    project = applied(tmp_path, hc)
    clean = project.run("plan", "--detailed-exitcode")  # control: no warning, no change
    assert clean.exit_code == 0 and "hcsync.lock" not in clean.stderr
    usage = edit_lock(project, {"id": 17})
    invoices = edit_lock(project, {"id": None}, "guides/billing/invoices.md")
    result = project.run("plan")
    assert result.exit_code == 0, result.stderr
    tail = "; the entry is ignored (the file will be matched against the help center)"
    assert result.stderr.splitlines()[:2] == [
        f'hcsync.lock:{invoices}: warning: entries["guides/billing/invoices.md"].id: '
        f"expected a string, got null{tail}",
        f'hcsync.lock:{usage}: warning: entries["guides/usage.md"].id: '
        f"expected a string, got 17{tail}",
    ]
    assert "guides/usage.md" in result.stdout  # planned again from the help center


def test_a_torn_middle_journal_line_is_skipped_and_the_lines_after_it_are_folded(
    tmp_path: Path, hc: HelpCenter
) -> None:
    project = applied(tmp_path, hc)
    data = json.loads(project.lock_text())
    usage = data["entries"].pop("guides/usage.md")
    project.write("hcsync.lock", json.dumps(data, sort_keys=True, indent=2) + "\n")
    lines = [
        json.dumps({"op": "target", "value": {"backend": "helpcenter", "target": hc.center_id}}),
        '{"op": "entry", "value": {"path": "guides/usa',  # torn, then written past
        json.dumps({"op": "entry", "value": usage}),
    ]
    project.write("hcsync.lock.journal", "\n".join(lines) + "\n")
    planned = project.run("plan", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.stdout  # usage.md is known: nothing to do
    journal_lines = [line for line in planned.stderr.splitlines() if "journal" in line]
    assert journal_lines == [f"hcsync.lock.journal:2: {SKIPPED}"]
    done = project.run("apply", "--yes")
    assert done.exit_code == 0, done.stderr
    assert json.loads(project.lock_text())["entries"]["guides/usage.md"] == usage
    assert not (project.root / "hcsync.lock.journal").exists()
    assert len(hc.article_ids()) == 3  # nothing created twice


def test_a_dangling_journal_link_makes_apply_fail_without_creating_its_target(
    tmp_path: Path, hc: HelpCenter
) -> None:
    project = make_project(tmp_path, hc)
    outside = tmp_path / "outside"
    outside.mkdir()
    (project.root / "hcsync.lock.journal").symlink_to(outside / "stolen.journal")
    result = project.run("apply", "--yes")
    assert result.exit_code == 1
    assert result.stderr == symlink_message("hcsync.lock.journal") + "\n"
    assert list(outside.iterdir()) == []
    assert hc.writes() == []
    assert not (project.root / "hcsync.lock").exists()


@pytest.mark.parametrize("with_key", [True, False])
def test_a_committed_apply_lock_link_never_changes_the_file_it_points_to(
    tmp_path: Path, hc: HelpCenter, with_key: bool
) -> None:
    project = make_project(tmp_path, hc)
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n")
    (project.root / ".hcsync.lock.apply").symlink_to(precious)
    env = {"HCSYNC_API_KEY": hc.key} if with_key else {}
    result = CliRunner().invoke(
        cli, ["apply", "-C", str(project.root), "--yes"], obj={"client": hc.client, "env": env}
    )
    assert result.exit_code == 1
    assert result.stderr == symlink_message(".hcsync.lock.apply") + "\n"
    assert precious.read_text() == "keep me\n"
    assert (project.root / ".hcsync.lock.apply").is_symlink()
    assert hc.writes() == []


@pytest.mark.parametrize("command", ["validate", "plan"])
def test_a_lockfile_setting_outside_the_repository_fails(
    tmp_path: Path, hc: HelpCenter, command: str
) -> None:
    project = make_project(tmp_path, hc, extra_config="lockfile: ../elsewhere/hcsync.lock\n")
    if command == "validate":  # validate takes the folder as its argument
        result = CliRunner().invoke(cli, ["validate", str(project.root)])
    else:
        result = project.run(command)
    assert result.exit_code == 1
    config = project.root.joinpath("hcsync.yml").read_text().splitlines()
    line = next(n for n, text in enumerate(config, 1) if text.startswith("lockfile:"))
    assert (
        f"hcsync.yml:{line}: 'lockfile' must be inside the folder of hcsync.yml; "
        f"'../elsewhere/hcsync.lock' is {tmp_path.resolve() / 'elsewhere' / 'hcsync.lock'}"
    ) in result.output
    assert not (tmp_path / "elsewhere").exists()


def test_control_a_lockfile_setting_inside_the_repository_works(
    tmp_path: Path, hc: HelpCenter
) -> None:
    project = applied(tmp_path, hc, extra_config="lockfile: state/hcsync.lock\n")
    assert json.loads((project.root / "state" / "hcsync.lock").read_text())["entries"]


def test_a_lockfile_of_another_center_points_at_the_setting_not_at_deleting(
    tmp_path: Path, hc: HelpCenter
) -> None:
    project = applied(tmp_path, hc)
    data = json.loads(project.lock_text())
    data["target"] = "other-center"
    project.write("hcsync.lock", json.dumps(data, sort_keys=True, indent=2) + "\n")
    result = project.run("plan")
    assert result.exit_code == 1
    assert result.stderr == (
        f"hcsync.lock belongs to 'other-center', but hcsync.yml names {hc.center_id!r}; check "
        f"the target in hcsync.yml, or point its 'lockfile:' setting at the lockfile of "
        f"{hc.center_id!r}\n"
    )


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "hcsync.lock:1: not valid JSON (nested too deeply)"),
        (b'{\n  "format_version": 1,\n  "target": "\xff"\n}\n', "hcsync.lock:3: not valid UTF-8"),
    ],
)
def test_a_deep_or_non_utf8_lockfile_is_one_line(
    tmp_path: Path, hc: HelpCenter, content: bytes, error: str
) -> None:
    project = make_project(tmp_path, hc)
    (project.root / "hcsync.lock").write_bytes(content)
    result = project.run("plan")
    assert (result.exit_code, result.stderr) == (1, error + "\n")
    # the real script, offline (no key, no network): one line, no traceback
    script = Path(sys.executable).with_name("hcsync")
    real = subprocess.run(
        [str(script), "plan", "--offline", "-C", str(project.root)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HCSYNC_API_KEY": ""},
    )
    assert (real.returncode, real.stderr) == (1, error + "\n")


@pytest.mark.parametrize(
    "bad",
    [b"[" * 100_000 + b"]" * 100_000, b'{"op": "forget", "value": "caf\xe9"}'],
)
def test_a_deep_or_non_utf8_journal_line_is_skipped(
    tmp_path: Path, hc: HelpCenter, bad: bytes
) -> None:
    project = applied(tmp_path, hc)
    image = LockImage(sha256="feed", url="https://x/feed.png", path="guides/feed.png")
    value = {"sha256": image.sha256, "url": image.url, "path": image.path}
    good = json.dumps({"op": "image", "value": value})
    (project.root / "hcsync.lock.journal").write_bytes(bad + b"\n" + good.encode() + b"\n")
    result = project.run("plan", "--detailed-exitcode")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == f"hcsync.lock.journal:1: {SKIPPED}"
    assert "Traceback" not in result.output and result.stderr.count("hcsync.lock.journal:") == 1
    assert lockfile.load(project.root / "hcsync.lock").images["feed"] == image
