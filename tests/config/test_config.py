"""hcsync.yml → Config: defaults, each backend, and problems at hcsync.yml:LINE."""

from __future__ import annotations

from pathlib import Path

import pytest

from hcsync.config import Backend, ConfigNotFoundError, Prune, Status, load_config
from hcsync.diagnostics import ContentError
from tests.helpers import make_tree


def errors(tmp_path: Path, text: str) -> list[str]:
    make_tree(tmp_path, {"hcsync.yml": text}, config=None)
    with pytest.raises(ContentError) as info:
        load_config(tmp_path)
    return [d.format() for d in info.value.diagnostics]


def test_helpcenter_defaults(tmp_path: Path) -> None:
    make_tree(tmp_path, {"hcsync.yml": "backend: helpcenter\ncenter_id: abc123\n"}, config=None)
    config = load_config(tmp_path)
    assert config.backend is Backend.HELPCENTER
    assert (config.center_id, config.default_language, config.languages) == ("abc123", "en", ())
    assert (config.default_status, config.prune) == (Status.PUBLISHED, Prune.REPORT)
    assert config.content == tmp_path.absolute()
    assert config.lockfile == tmp_path.absolute() / "hcsync.lock"
    assert config.max_category_depth == 2
    assert config.ignore_keys == frozenset()


def test_every_key(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "docs/.keep": "",
            "hcsync.yml": (
                "backend: clickhelp\n"
                "portal_url: https://acme.clickhelp.co/\n"
                "project_id: guide\n"
                "publication_id: guide-pub\n"
                "language_projects: {es-ES: guide-es}\n"
                "content: docs\n"
                "default_language: en-US\n"
                "languages: [es-ES]\n"
                "default_status: draft\n"
                "prune: unpublish\n"
                "base_url: http://127.0.0.1:8080\n"
                "ignore_keys: [sidebar_position, tags]\n"
                "lockfile: state/hcsync.lock\n"
            ),
        },
        config=None,
    )
    config = load_config(tmp_path / "hcsync.yml")
    assert config.backend is Backend.CLICKHELP
    assert config.portal_url == "https://acme.clickhelp.co"
    assert (config.project_id, config.publication_id) == ("guide", "guide-pub")
    assert dict(config.language_projects) == {"es-ES": "guide-es"}
    assert config.content == (tmp_path / "docs").absolute()
    assert config.all_languages == ("en-US", "es-ES")
    assert (config.default_status, config.prune) == (Status.DRAFT, Prune.UNPUBLISH)
    assert config.base_url == "http://127.0.0.1:8080"
    assert config.ignore_keys == {"sidebar_position", "tags"}
    assert config.lockfile == tmp_path.absolute() / "state" / "hcsync.lock"
    assert config.max_category_depth is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["hcsync.yml:1: the file is empty\n  hint: it needs at least 'backend:'"]),
        ("- a\n- b\n", ["hcsync.yml:1: must be a mapping of keys, not a list"]),
        (
            "backend: [helpcenter\n",
            ["hcsync.yml:2: invalid YAML: did not find expected ',' or ']'"],
        ),
        (
            "center_id: c\n",
            [
                "hcsync.yml:1: missing required key 'backend'"
                "\n  hint: backend: helpcenter (or clickhelp)"
            ],
        ),
        (
            "backend: helpcentre\ncenter_id: c\n",
            [
                "hcsync.yml:1: 'backend' must be one of helpcenter, clickhelp; got 'helpcentre'"
                "\n  hint: did you mean 'helpcenter'?"
            ],
        ),
        (
            "backend: helpcenter\ncenter_id: c\nproject_id: p\n",
            ["hcsync.yml:3: 'project_id' does not apply to backend 'helpcenter'"],
        ),
        (
            "backend: clickhelp\nportal_url: ftp://x\nproject_id: p\npublication_id: b\n",
            ["hcsync.yml:2: 'portal_url' must be an http(s) URL, not 'ftp://x'"],
        ),
        (
            "backend: helpcenter\ncenter_id: c\nprune: remove\n",
            ["hcsync.yml:3: 'prune' must be one of report, unpublish, delete; got 'remove'"],
        ),
        (
            "backend: helpcenter\ncenter_id: c\ncontent: nowhere\n",
            ["hcsync.yml:3: content folder 'nowhere' does not exist"],
        ),
        (
            "backend: helpcenter\ncenter_id: c\ndefault_language: English\n",
            [
                "hcsync.yml:3: invalid language code 'English'"
                "\n  hint: use a BCP 47 tag such as 'en', 'es' or 'pt-BR'"
            ],
        ),
        (
            "backend: helpcenter\ncenter_id: c\ncenter_id: d\n",
            ["hcsync.yml:3: duplicate key 'center_id' (first on line 2)"],
        ),
        (
            "backend: helpcenter\ncenter_id: c\nignore_keys: tags\n",
            ["hcsync.yml:3: 'ignore_keys' must be a list, not a string"],
        ),
        (
            "backend: helpcenter\ncenter_id: c\nprnue: report\n",
            ["hcsync.yml:3: unknown key 'prnue'\n  hint: did you mean 'prune'?"],
        ),
    ],
)
def test_problems_name_their_line(tmp_path: Path, text: str, expected: list[str]) -> None:
    assert errors(tmp_path, text) == expected


def test_missing_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigNotFoundError, match="no hcsync.yml in"):
        load_config(tmp_path)


# ---- lockfile: stays inside the folder of hcsync.yml ---------------------------------------

OUTSIDE_HINT = (
    "\n  hint: keep the lockfile with the content it maps (the default is hcsync.lock, "
    "next to hcsync.yml)"
)


@pytest.mark.parametrize("value", ["../elsewhere/hcsync.lock", "state/../../hcsync.lock"])
def test_a_lockfile_outside_the_folder_of_hcsync_yml_is_refused(tmp_path: Path, value: str) -> None:
    root = tmp_path / "docs"
    outside = "elsewhere/hcsync.lock" if "elsewhere" in value else "hcsync.lock"
    shown = tmp_path.resolve() / outside
    assert errors(root, f"backend: helpcenter\ncenter_id: c\nlockfile: {value}\n") == [
        f"hcsync.yml:3: 'lockfile' must be inside the folder of hcsync.yml; {value!r} is "
        f"{shown}{OUTSIDE_HINT}"
    ]


def test_an_absolute_lockfile_outside_is_refused_and_one_inside_is_kept(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.lock"
    root = tmp_path / "docs"
    assert errors(root, f"backend: helpcenter\ncenter_id: c\nlockfile: {outside}\n") == [
        f"hcsync.yml:3: 'lockfile' must be inside the folder of hcsync.yml; {str(outside)!r} "
        f"is {outside.resolve()}{OUTSIDE_HINT}"
    ]
    inside = root / "state" / "hcsync.lock"
    make_tree(root, {"hcsync.yml": f"backend: helpcenter\ncenter_id: c\nlockfile: {inside}\n"})
    assert load_config(root).lockfile == inside


def test_a_lockfile_through_a_folder_linked_outside_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    (tmp_path / "outside").mkdir()
    root.mkdir()
    (root / "state").symlink_to(tmp_path / "outside", target_is_directory=True)
    assert errors(root, "backend: helpcenter\ncenter_id: c\nlockfile: state/hcsync.lock\n") == [
        "hcsync.yml:3: 'lockfile' must be inside the folder of hcsync.yml; 'state/hcsync.lock' "
        f"is {(tmp_path / 'outside').resolve() / 'hcsync.lock'}{OUTSIDE_HINT}"
    ]
    # control: a folder linked to another folder inside is fine
    (root / "inner").mkdir()
    (root / "state").unlink()
    (root / "state").symlink_to(root / "inner", target_is_directory=True)
    config = load_config(root)
    assert config.lockfile == root.absolute() / "state" / "hcsync.lock"


@pytest.mark.parametrize("value", ["..", "state/..", ".", "state/"])
def test_a_lockfile_that_names_a_folder_is_refused(tmp_path: Path, value: str) -> None:
    assert errors(tmp_path, f"backend: helpcenter\ncenter_id: c\nlockfile: '{value}'\n") == [
        f"hcsync.yml:3: 'lockfile' must name a file, not {value!r}"
    ]
