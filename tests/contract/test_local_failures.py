"""Whose fault: a file that changed or cannot be read during apply is the local side's
problem, said as such, never "help center refused"."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.centers import Center
from tests.e2e.conftest import png
from tests.e2e.test_both_backends import Docs

NEW_IMAGE = "---\ntitle: Use Acme\n---\n![New](images/new.png)\n"


def saved_plan(docs: Docs, tmp_path: Path) -> Path:
    assert docs.run("apply", "--yes").exit_code == 0
    (docs.root / "guides/images/new.png").write_bytes(png(seed=7))
    docs.write("guides/usage.md", NEW_IMAGE)
    saved = tmp_path / "p.json"
    assert docs.run("plan", "-o", str(saved)).exit_code == 0
    return saved


def test_an_image_changed_since_the_plan(docs: Docs, center: Center, tmp_path: Path) -> None:
    saved = saved_plan(docs, tmp_path)
    (docs.root / "guides/images/new.png").write_bytes(png(seed=8))
    center.clear_requests()
    applied = docs.run("apply", str(saved))
    assert applied.exit_code == 1
    assert applied.stdout.splitlines()[0] == (
        "guides/images/new.png changed since the plan was made; plan again"
    )
    assert "refused" not in applied.stdout
    assert not [w for w in center.writes() if "image" in w[1] or "storage" in w[1]]
    # the article that shows it is not sent with a broken image: it waits for the image
    assert center.writes() == []
    report = json.loads(docs.run("plan", "--json").stdout)
    assert ("update_draft", "guides/usage.md") in [
        (a["kind"], a["path"]) for a in report["actions"]
    ]
    # control: planned again, the image uploads, the article follows, and all settles at once
    assert docs.run("apply", "--yes").exit_code == 0
    assert [w for w in center.writes() if "image" in w[1] or "storage" in w[1]]
    assert docs.run("plan", "--detailed-exitcode").exit_code == 0


def test_an_image_that_cannot_be_read(docs: Docs, tmp_path: Path) -> None:
    saved = saved_plan(docs, tmp_path)
    data = json.loads(saved.read_text(encoding="utf-8"))
    for action in data["actions"]:
        if action["kind"] == "upload_image":
            action["path"] = "guides/images/gone.png"
    saved.write_text(json.dumps(data), encoding="utf-8")
    applied = docs.run("apply", str(saved))
    assert applied.exit_code == 1
    assert applied.stdout.splitlines()[0] == (
        "guides/images/gone.png: cannot read it (No such file or directory); the files changed "
        "since the plan was made; plan again"
    )
