"""Which slug a platform will derive from a title, when that is certain.

Where a platform makes an article's slug from its title (Help.Center, at the first publish),
its derivation is undocumented: accents, apostrophes and punctuation are folded, dropped or
hyphenated differently by every slugifier (``can’t`` → ``cant`` or ``can-t``; ``Yún`` →
``yun`` or ``y-n``). The plan relies on a derived slug only where every reasonable derivation
agrees: ASCII letters and digits separated by single spaces or hyphens. Anywhere else it plans
the slug write that makes the outcome certain.
"""

from __future__ import annotations

import re

_PLAIN = re.compile(r"[A-Za-z0-9]+(?:[ -][A-Za-z0-9]+)*")


def certain_slug(title: str) -> str | None:
    """The slug every reasonable derivation makes of ``title``; None when they may differ."""
    if not _PLAIN.fullmatch(title):
        return None
    return title.lower().replace(" ", "-")
