"""A proxy's "Service temporarily unavailable" page (200, text/html) in place of the listing a
snapshot reads: the installed ``hcsync apply`` stops with one line, writes nothing and leaves
the lockfile as it was (both backends, a real uvicorn server)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.sites import Site

pytestmark = pytest.mark.e2e


def listing(center: Any) -> str:
    """The path of the listing a snapshot reads its articles from."""
    if center.kind == "helpcenter":
        return f"/v0/centers/{center.center_id}/articles/drafts"
    return f"/api/v1/projects/{center.project_id}/articles"


def test_a_proxy_page_on_the_listing_stops_apply_before_any_write(site: Site) -> None:
    code, out, err = site.run("apply", "--yes")
    assert code == 0, out + err
    lock = (site.root / "hcsync.lock").read_text()
    (site.root / "guides" / "usage.md").write_text("---\ntitle: Use Acme\n---\nChanged.\n")
    path = listing(site.center)
    site.center.set_faults([{"html": 1.0, "method": "GET", "path": re.escape(path) + "$"}])
    site.center.clear_requests()

    code, out, err = site.run("apply", "--yes")

    assert code == 1, out + err
    assert err.splitlines() == [f"GET {path}: expected JSON, got text/html (200)"]
    assert site.center.writes() == []
    assert site.center.faults_met() == 1
    assert (site.root / "hcsync.lock").read_text() == lock
    site.center.clear_faults()  # control: the same apply goes through once the proxy is gone
    code, out, err = site.run("apply", "--yes")
    assert code == 0, out + err
    assert site.center.writes() != []
