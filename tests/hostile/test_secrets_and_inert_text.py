"""Canaries: the API key, the ClickHelp login and key and the GitHub token never appear in a
posted comment, across the 60,000-character cut and in every whitespace variant the code
accepts. Server text and titles are inert in Markdown and annotations (exact text)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from hcsync.apply.report import Outcome, OutcomeStatus, Report
from hcsync.cli import cli
from hcsync.emulators.transport import SyncASGITransport
from hcsync.github.comment import failure_markdown
from hcsync.github.summary import report_markdown
from hcsync.plan.model import Action, ActionKind, FieldChange, Plan
from hcsync.redact import Redactor, inert, secrets_from_env
from hcsync.views.annotations import annotation
from hcsync.views.markdown import render_plan
from tests.github.github_emulator import GitHubEmulator

KEY = "hc_live_CANARYKEY0123456789abcdefABCDEF01"
LOGIN, CH_KEY = "writer@acme", "ch-CANARY-KEY-0123456789abcdef"
TOKEN = "ghs_CANARYTOKEN0123456789abcdefABCDEF0123"
REPO, PR = "acme/docs", 7
BASIC = base64.b64encode(f"{LOGIN}:{CH_KEY}".encode()).decode()
ENV = {
    "HCSYNC_API_KEY": KEY + "\n",
    "HCSYNC_CLICKHELP_LOGIN": " " + LOGIN,
    "HCSYNC_CLICKHELP_API_KEY": CH_KEY + " \n",
    "GITHUB_TOKEN": TOKEN + "\n",
}
CANARIES = [KEY, LOGIN + ":" + CH_KEY, CH_KEY, TOKEN, BASIC]


def _pieces(secret: str, size: int = 8) -> list[str]:
    """Every ``size``-character piece of ``secret``: none may survive a cut."""
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


def test_secrets_from_env_lists_every_form() -> None:
    as_set = base64.b64encode(f" {LOGIN}:{CH_KEY} \n".encode()).decode()
    assert secrets_from_env(ENV) == sorted(
        [KEY, CH_KEY, TOKEN, f"{LOGIN}:{CH_KEY}", BASIC, as_set], key=lambda s: (-len(s), s)
    )


def test_the_redactor_takes_the_stripped_form_of_what_it_is_given() -> None:
    redact = Redactor([KEY + "\n"])
    assert redact(f"Bearer {KEY} and {KEY}\n.") == "Bearer [secure] and [secure]\n."


@pytest.mark.parametrize("offset", [20, 0, len(KEY) - 1, len(KEY)])
def test_a_key_across_the_cut_is_redacted_first(offset: int) -> None:
    log = "x" * (60_000 - offset) + KEY + "\n" + "tail " * 100
    text = failure_markdown(log, secrets=secrets_from_env(ENV))
    for piece in _pieces(KEY):
        assert piece not in text
    assert "\n… (cut)\n" in text


@pytest.fixture
def emu() -> GitHubEmulator:
    emulator = GitHubEmulator(tokens={TOKEN: "write"})
    emulator.open_pull_request(REPO, PR)
    return emulator


@pytest.fixture
def client(emu: GitHubEmulator) -> Iterator[httpx.Client]:
    transport = SyncASGITransport(emu.app())
    with httpx.Client(transport=transport, base_url="http://api.github.test") as c:
        yield c


def test_no_canary_reaches_the_posted_failure_comment(
    tmp_path: Path, emu: GitHubEmulator, client: httpx.Client
) -> None:
    lines = [f"line {i}: {CANARIES[i % len(CANARIES)]}\n" for i in range(6_000)]
    redacted = [len(f"line {i}: ***\n") for i in range(6_000)]
    head = next(n for n in range(6_000) if sum(redacted[:n]) >= 59_990)  # the key: at the cut
    log = tmp_path / "plan.log"
    log.write_text("".join(lines[:head]) + "x" * 5 + KEY + "\n" + "".join(lines))
    result = CliRunner().invoke(
        cli,
        ["comment", "--failure", str(log), "--repo", REPO, "--pr", str(PR)],
        obj={"github_client": client, "env": {**ENV, "GITHUB_ACTIONS": "true"}},
    )
    assert result.exit_code == 0, result.output
    (body,) = emu.bodies(REPO, PR)
    assert "line 0: ***" in body and "\n… (cut)\n" in body
    for canary in CANARIES:
        for piece in _pieces(canary):
            assert piece not in body + result.stdout + result.stderr, canary


TITLE = "@org/team </details><img src=x> [a](http://evil.example) www.x.com\x1b[31m"
PATH = "guides/a`b|c``d.md"


def test_plan_markdown_escapes_titles_and_paths() -> None:
    action = Action(
        kind=ActionKind.UPDATE_DRAFT,
        path=PATH,
        title=TITLE,
        remote_id="1",
        changes=(FieldChange(name="title", before="`old` @x", after=TITLE),),
        note="edited by @bob </details>",
    )
    text = render_plan(Plan(fingerprint="f", actions=(action,)))
    row = (
        "| ~ | update draft | ```guides/a`b\\|c``d.md``` | @\u200dorg/team &lt;/details&gt;&lt;img "
        "src=x&gt; \\[a\\](http:\u200d//evil.example) www\u200d.x.com |"
    )
    assert row in text.splitlines()
    assert "#### ~ ```guides/a`b|c``d.md```" in text.splitlines()
    assert "- **title**: `` `old` @x `` → " in text
    assert "- edited by @\u200dbob &lt;/details&gt;" in text.splitlines()
    assert "\n</details>\n" in text and text.count("</details>\n") == 1
    assert "\x1b" not in text


def test_apply_summary_escapes_paths_and_messages() -> None:
    outcome = Outcome(
        action=Action(kind=ActionKind.CREATE_ARTICLE, path=PATH, title=TITLE),
        status=OutcomeStatus.FAILED,
        message="HTTP 400: <b>@everyone</b>\n::error::x",
    )
    text = report_markdown(Report(outcomes=[outcome]))
    assert text.splitlines()[-1] == (
        "| ❌ failed | create article | ```guides/a`b\\|c``d.md``` | "
        "HTTP 400: &lt;b&gt;@\u200deveryone&lt;/b&gt; ::error::x |"
    )


def test_annotations_strip_escapes_and_cut_long_messages() -> None:
    line = annotation("error", "\x1b[2Jboom\x07\n::error file=x::pwned" + "z" * 600, file="a.md")
    assert line.startswith("::error file=a.md,title=hcsync::boom%0A:\u200d:error file=x::pwnedzz")
    assert line.endswith("z…") and "\x1b" not in line and "\x07" not in line
    assert "\n" not in line and len(line) < 560


def test_inert_text() -> None:
    assert inert("a\x1b[1;31mb\x1b]8;;http://x\x1b\\c\u202ed\x00e") == "abcde"
    assert inert("x\n::error::y", one_line=False) == "x\n:\u200d:error::y"
    assert inert("x\n  ::set-output name=a::b") == "x   ::set-output name=a::b"
    assert inert("y" * 400) == "y" * 299 + "…"
    assert json.dumps(inert("\t a \r\n")) == '"a"'
