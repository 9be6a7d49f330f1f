"""Fixtures for import, adopt and pull: the example content applied to an emulated center."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from tests.e2e.conftest import HelpCenter, Project, hc, make_project

__all__ = ["hc"]

EXAMPLE = Path(__file__).resolve().parents[2] / "example-content"


def config_for(center: HelpCenter) -> str:
    return (
        f"backend: helpcenter\ncenter_id: {center.center_id}\nbase_url: {center.base_url}\n"
        "languages: [es, de]\n"
    )


def example_files() -> dict[str, str | bytes]:
    return {
        p.relative_to(EXAMPLE).as_posix(): p.read_bytes()
        for p in sorted(EXAMPLE.rglob("*"))
        if p.is_file() and p.name != "hcsync.yml"
    }


def clear_tree(root: Path, *, keep: tuple[str, ...] = ("hcsync.yml", ".git")) -> None:
    """Delete every file and folder of the project except ``keep``."""
    for child in root.iterdir():
        if child.name in keep:
            continue
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()


@pytest.fixture
def parcelo(hc: HelpCenter) -> HelpCenter:
    """A center with the example content's languages (en + es, de)."""
    center = hc.store.create_center(
        "Parcelo", default_language="en", additional_languages=["es", "de"]
    )
    return replace(hc, center_id=center.id, key=hc.store.create_key(center.id).key)


@pytest.fixture
def applied(tmp_path: Path, parcelo: HelpCenter) -> Project:
    """example-content applied to ``parcelo``."""
    project = make_project(tmp_path, parcelo, example_files())
    project.write("hcsync.yml", config_for(parcelo))
    result = project.run("apply", "--yes")
    assert result.exit_code == 0, result.stdout + result.stderr
    return project
