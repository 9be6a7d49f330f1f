"""The control for crash-safe resume: without its pending record, a create that landed before
a kill is made twice on Help.Center. (ClickHelp keys a topic by its slug and looks before it
creates, so it needs no record for this.) The crash, Ctrl-C and fault tests themselves run on
every backend: test_both_backends.py and test_both_backends_more.py.

The test runs the installed ``hcsync`` in a subprocess against a real uvicorn emulator and
kills it at the worst point: a create committed on the server whose response never reached
hcsync (the emulator holds it back).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hcsync import lockfile as lockmod
from tests.e2e.centers import emulator, make_center
from tests.e2e.conftest import FILES
from tests.e2e.sites import DESIRED_TITLES, Site, kill, wait_for
from tests.helpers import make_tree

pytestmark = pytest.mark.e2e


def test_control_without_the_pending_record_a_lost_create_would_duplicate(
    tmp_path: Path,
) -> None:
    # The twin of test_sigkill_after_a_create_landed_but_before_its_response: the same kill,
    # but the pending record is removed by hand. The article is then created a second time,
    # which is what the record prevents.
    with emulator("helpcenter", served=True) as (store, app, base_url):
        center = make_center("helpcenter", store, app, base_url)
        root = make_tree(tmp_path / "docs", FILES, config=center.config() + "languages: [es]\n")
        site = Site(root, center)
        try:
            center.set_faults(
                [{"timeout": 1.0, "route": "create", "after_write": True, "times": 1, "seconds": 5}]
            )
            proc = site.start("apply", "--yes")
            wait_for(lambda: len(center.docs()) == 1)
            kill(proc)
            lock_path = root / "hcsync.lock"
            lock = lockmod.load(lock_path)
            lock.pending.clear()
            lockmod.save(lock, lock_path)
            lockmod.journal_path(lock_path).unlink()
            center.clear_faults()
            code, out, err = site.run("apply", "--yes")
            assert code == 0, out + err
            assert len(center.docs()) == len(DESIRED_TITLES) + 1
        finally:
            center.client.close()
