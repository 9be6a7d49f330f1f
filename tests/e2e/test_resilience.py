"""The control for crash-safe resume: without its pending record, a create that landed before
a kill is made twice on Help.Center. (ClickHelp keys a topic by its slug and looks before it
creates, so it needs no record for this.) The crash, Ctrl-C and fault tests themselves run on
every backend: test_both_backends.py and test_both_backends_more.py.

The test runs the installed ``hcsync`` in a subprocess against a real uvicorn emulator and
kills it at the worst point: a create committed on the server whose response never reached
hcsync (the emulator holds it back).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e
