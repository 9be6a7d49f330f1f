"""The Action's install step, for real: a venv under RUNNER_TEMP made by the runner's own
Python (here the system's, outside any venv), versions from requirements/action.txt, no
emulator packages, nothing written into the action's folder, and the later steps using it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.github.conftest import PR, REPO, ROOT, DocsRepo

sys.path.insert(0, str(ROOT / "scripts"))
import action_constraints  # noqa: E402

SYSTEM_PYTHON = next(
    (p for p in ("/usr/bin/python3", "/usr/local/bin/python3") if Path(p).is_file()), None
)


def _action_checkout(dest: Path) -> Path:
    """The files of this repository a `uses: owner/hcsync@ref` checkout would have."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        source = ROOT / rel
        if source.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    return dest


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def _venv_python(venv: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, timeout=60
    )


@pytest.mark.skipif(SYSTEM_PYTHON is None, reason="no system python3 to play the runner's")
def test_the_install_step_makes_its_own_pinned_venv_and_later_steps_use_it(
    docs: DocsRepo, tmp_path: Path
) -> None:
    action = _action_checkout(tmp_path / "action")
    before = _files(action)
    # A runner's PATH: the system Python (externally managed here too), git; not this venv.
    path = f"{Path(SYSTEM_PYTHON or '').parent}:/usr/bin:/bin"

    run = docs.run("plan", action_dir=action, path=path, timeout=600, **{"skip-install": "false"})

    assert run.ok, run.stderr[-3000:]
    assert run.step("install").stdout.strip() == "hcsync, version 0.1.0", run.step("install").stdout
    venv = docs.temp / "hcsync-venv"
    assert _files(action) == before  # no build/, no hcsync.egg-info, nothing else
    assert not (docs.temp / "hcsync-src").exists()
    # The plan ran with the new venv's hcsync (this test's venv is not on PATH) and commented.
    assert run.outputs["exitcode"] == "2"
    assert len(docs.gh.emu.bodies(REPO, PR)) == 1
    for module in ("starlette", "uvicorn", "python_multipart"):
        assert (
            "None"
            in _venv_python(
                venv, f"import importlib.util as u; print(u.find_spec({module!r}))"
            ).stdout
        )
    pins, bad = action_constraints.read()
    assert bad == []
    freeze = _venv_python(
        venv,
        "import importlib.metadata as m\n"
        "for d in m.distributions(): print(d.metadata['Name'], d.version)",
    )
    installed = dict(line.split(" ", 1) for line in freeze.stdout.splitlines())
    pinned = {
        name: version
        for name, version in installed.items()
        if action_constraints.canonicalize_name(name) in pins
    }
    assert {action_constraints.canonicalize_name(n) for n in pinned} >= {"httpx", "click", "nh3"}
    for name, version in pinned.items():
        assert pins[action_constraints.canonicalize_name(name)] == version, name

    # Without the emulators extra, demo and emulate say which extra to install, in one line.
    for args in (["demo"], ["emulate", "helpcenter"]):
        proc = subprocess.run(
            [str(venv / "bin" / "hcsync"), *args], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 2
        assert proc.stdout == ""
        assert proc.stderr.count("\n") == 1, proc.stderr
        assert "pip install 'hcsync[emulators]'" in proc.stderr
        assert f"hcsync {args[0]} needs the emulators" in proc.stderr


def test_the_constraints_file_matches_pyproject() -> None:
    assert action_constraints.problems() == []


def test_the_constraints_check_names_what_does_not_match(tmp_path: Path) -> None:
    pins, _ = action_constraints.read()
    lines = [f"{name}=={version}" for name, version in pins.items() if name != "click"]
    lines = [line.replace(f"httpx=={pins['httpx']}", "httpx==0.1") for line in lines]
    bad = tmp_path / "action.txt"
    bad.write_text("\n".join([*lines, "uvicorn==0.29.0", "rich>=13"]) + "\n", encoding="utf-8")

    assert action_constraints.problems(bad) == [
        f"action.txt:{len(lines) + 2}: not a name==version pin: rich>=13",
        "action.txt: httpx==0.1 does not satisfy httpx>=0.27",
        "action.txt: click (a dependency in pyproject.toml) is not pinned",
        "action.txt: uvicorn is an emulator dependency: the Action must not get it",
    ]
