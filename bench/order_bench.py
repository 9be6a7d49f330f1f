"""Benchmark: planning the order of one large ClickHelp folder (no HTTP).

Builds a folder of N articles whose ``order`` is the reverse of their file names, and times
the diff against an empty ClickHelp snapshot: every create is placed, and the plan checks that
no reorder is left. Run: ``python bench/order_bench.py [ARTICLES]`` (default 2,000).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from hcsync.content import load_site
from hcsync.lockfile import Lockfile
from hcsync.plan.diff import diff
from hcsync.plan.links import resolve_lenient
from hcsync.plan.model import ActionKind
from hcsync.plan.site_adapter import desired_from_site
from hcsync.remote import PLATFORM_FEATURES, Snapshot


def main(articles: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "hcsync.yml").write_text(
            "backend: clickhelp\nportal_url: https://acme.clickhelp.co\nproject_id: p\n"
            "publication_id: q\ncontent: docs\n"
        )
        folder = root / "docs/guides"
        folder.mkdir(parents=True)
        (folder / "_category.yml").write_text("name: Guides\n")
        for i in range(articles):
            (folder / f"a{i:05d}.md").write_text(
                f"---\ntitle: A {i}\norder: {articles - i}\n---\nText {i}\n"
            )
        desired = desired_from_site(load_site(root))
        snap = Snapshot(
            target="p", default_language="en", languages=(), features=PLATFORM_FEATURES["clickhelp"]
        )
        start = time.process_time()
        plan = diff(desired, Lockfile(), snap, resolve=resolve_lenient)
        took = time.process_time() - start
    reorders = sum(1 for a in plan.actions if a.kind is ActionKind.REORDER)
    print(
        f"{articles} articles in one folder, reversed order: diff {took:.3f} s CPU, "
        f"{len(plan.actions)} actions, {reorders} reorders"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
