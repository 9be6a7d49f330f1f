"""action.yml and the README's workflows are valid against GitHub's own schemas (the ones
check-jsonschema vendors), so a typo in a key or an event is caught here, not on a runner."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = re.compile(r"```yaml\n# \.github/workflows/(?P<name>[\w.-]+)\n(?P<body>.*?)```", re.S)


def check(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def readme_workflows(tmp_path: Path) -> list[Path]:
    found = WORKFLOW.finditer((ROOT / "README.md").read_text(encoding="utf-8"))
    paths = []
    for match in found:
        path = tmp_path / match["name"]
        path.write_text(match["body"], encoding="utf-8")
        paths.append(path)
    return paths


def test_action_yml_is_a_valid_action() -> None:
    result = check("vendor.github-actions", ROOT / "action.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_readme_workflows_are_valid_workflows(tmp_path: Path) -> None:
    paths = readme_workflows(tmp_path)
    assert sorted(p.name for p in paths) == [
        "docs-apply.yml",
        "docs-plan-comment.yml",
        "docs-plan.yml",
    ]
    result = check("vendor.github-workflows", *paths)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("broken", ["on:\n  pull_requst:\n", "jobs:\n  x:\n    runs-on: 3\n"])
def test_control_a_broken_workflow_is_refused(tmp_path: Path, broken: str) -> None:
    path = tmp_path / "broken.yml"
    path.write_text(f"name: x\n{broken}", encoding="utf-8")
    assert check("vendor.github-workflows", path).returncode != 0
