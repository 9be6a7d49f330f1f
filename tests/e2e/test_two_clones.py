"""Two clones with no lockfile apply to one help center at the same time (issue 13): neither
creates a second copy of an article whose create it can see. Real uvicorn, real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import FILES
from tests.e2e.sites import DESIRED_TITLES, Site, wait_for
from tests.helpers import make_tree

pytestmark = pytest.mark.e2e


def test_two_clones_applying_at_once_create_nothing_twice(site: Site, tmp_path: Path) -> None:
    clone = Site(
        make_tree(tmp_path / "clone", FILES, config=site.center.config() + "languages: [es]\n"),
        site.center,
    )
    # The first apply is held 3 s inside its first article create (committed on the server,
    # its answer held back); the clone applies meanwhile, from the same files, no lockfile.
    site.center.set_faults(
        [{"timeout": 1.0, "route": "create", "after_write": True, "times": 1, "seconds": 3}]
    )
    held = site.center.faults_met()
    first = site.start("apply", "--yes")
    try:
        wait_for(lambda: site.center.faults_met() > held)
        code, out, err = clone.run("apply", "--yes")
        assert code == 0, out + err
        assert "= adopt" in out  # what the first had created by then
    finally:
        first_out, first_err = first.communicate(timeout=60)
    # the first one then meets what the clone created: it stops instead of creating it again
    assert first.returncode == 1, first_out + first_err
    if site.center.kind == "helpcenter":
        assert "since the plan was made (another apply running now?): not created" in first_out
    else:
        assert "is already used in project" in first_out
    assert sorted(d.title for d in site.center.docs().values()) == DESIRED_TITLES
    site.center.clear_faults()
    site.assert_converged()  # the next apply adopts what the clone made
    clone.assert_converged()
