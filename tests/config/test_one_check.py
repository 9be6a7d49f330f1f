"""One configuration check: every rule ``plan`` enforces on hcsync.yml, ``validate`` (and so the
pre-commit hook) enforces too, with the same ``hcsync.yml:LINE`` message."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hcsync.cli import cli
from tests.helpers import make_tree

CLICKHELP = "backend: clickhelp\nportal_url: https://acme.clickhelp.co\nproject_id: guide\n"
PUBLICATION_HINT = (
    '\n  hint: the publication that "published" means (it is created on the first publish if '
    "missing)"
)
CREDENTIALS = {
    "HCSYNC_API_KEY": "k",
    "HCSYNC_CLICKHELP_LOGIN": "writer",
    "HCSYNC_CLICKHELP_API_KEY": "k",
}

RULES = [
    pytest.param(
        "backend: helpcenter\n",
        ["hcsync.yml:1: missing required key 'center_id' for backend 'helpcenter'"],
        id="center_id",
    ),
    pytest.param(
        "backend: clickhelp\nproject_id: guide\npublication_id: guide-pub\n",
        ["hcsync.yml:1: missing required key 'portal_url' for backend 'clickhelp'"],
        id="portal_url",
    ),
    pytest.param(
        "backend: clickhelp\nportal_url: https://acme.clickhelp.co\npublication_id: guide-pub\n",
        ["hcsync.yml:1: missing required key 'project_id' for backend 'clickhelp'"],
        id="project_id",
    ),
    pytest.param(
        CLICKHELP,
        [
            "hcsync.yml:1: missing required key 'publication_id' for backend 'clickhelp'"
            + PUBLICATION_HINT
        ],
        id="publication_id",
    ),
    pytest.param(
        CLICKHELP + "publication_id: guide-pub\nlanguages: [es, fr]\n"
        "language_projects:\n  es: guide-es\n",
        [
            "hcsync.yml:5: 'languages' lists 'fr' but 'language_projects' names no ClickHelp "
            "project for it\n  hint: language_projects: {fr: <project id>} (each language is a "
            "language-version project of its own)"
        ],
        id="language_projects-cover-languages",
    ),
    pytest.param(
        CLICKHELP + "publication_id: guide-pub\nlanguages:\n  - es\n",
        [
            "hcsync.yml:6: 'languages' lists 'es' but 'language_projects' names no ClickHelp "
            "project for it\n  hint: language_projects: {es: <project id>} (each language is a "
            "language-version project of its own)"
        ],
        id="no-language_projects",
    ),
    pytest.param(
        CLICKHELP + "publication_id: guide-pub\nlanguage_projects:\n  es: guide-es\n",
        ["hcsync.yml:6: 'language_projects' names 'es', not in 'languages'"],
        id="language_projects-unknown-language",
    ),
    pytest.param(
        "backend: helpcenter\ncenter_id: c\npublication_id: p\n",
        ["hcsync.yml:3: 'publication_id' does not apply to backend 'helpcenter'"],
        id="key-of-the-other-backend",
    ),
]


@pytest.mark.parametrize(("config", "expected"), RULES)
def test_validate_and_plan_reject_a_config_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str, expected: list[str]
) -> None:
    root = make_tree(tmp_path / "docs", {"guide.md": "# Guide\n"}, config=config)
    monkeypatch.chdir(root)
    runner = CliRunner()
    validated = runner.invoke(cli, ["validate", "."])
    planned = runner.invoke(cli, ["plan", "-C", "."], obj={"env": CREDENTIALS})
    text = (
        "\n".join(expected) + f"\n{len(expected)} problem{'s' if len(expected) > 1 else ''} found\n"
    )
    assert (validated.exit_code, validated.stderr) == (1, text)
    assert (planned.exit_code, planned.stderr) == (1, text)


def test_a_complete_clickhelp_config_validates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = (
        CLICKHELP + "publication_id: guide-pub\nlanguages: [es]\nlanguage_projects:\n"
        "  es: guide-es\n"
    )
    root = make_tree(tmp_path / "docs", {"guide.md": "# Guide\n"}, config=config)
    monkeypatch.chdir(root)
    validated = CliRunner().invoke(cli, ["validate", "."])
    assert validated.exit_code == 0, validated.stderr
    assert validated.stdout.startswith("OK: ")
