"""``hcsync init``: a starter ``hcsync.yml`` for a docs folder."""

from __future__ import annotations

from pathlib import Path

from hcsync.config import CONFIG_NAME
from hcsync.diagnostics import UsageError

_HELPCENTER = """\
# hcsync configuration: see the README, "Configuration".
backend: helpcenter
center_id: {target}            # the Center ID shown next to your API key
content: {content}
default_language: {language}
languages: []                  # additional languages, e.g. [es, de]
default_status: published      # published | draft | unpublished
prune: report                  # what to do with removed files: report | unpublish | delete
# The API key comes from the environment: HCSYNC_API_KEY
"""

_CLICKHELP = """\
# hcsync configuration: see the README, "Configuration".
backend: clickhelp
portal_url: {portal}
project_id: {target}
publication_id: {target}-pub   # the publication that "published" means
content: {content}
default_language: {language}
default_status: published
prune: report
# Credentials come from the environment: HCSYNC_CLICKHELP_LOGIN, HCSYNC_CLICKHELP_API_KEY
"""


def write_starter(
    directory: Path,
    *,
    backend: str,
    target: str,
    content: str = ".",
    language: str = "en",
    portal: str = "https://example.clickhelp.co",
) -> Path:
    """Write ``hcsync.yml`` in ``directory``; refuse to overwrite one."""
    path = directory / CONFIG_NAME
    if path.exists():
        raise UsageError(f"{path} exists already; edit it instead")
    template = _HELPCENTER if backend == "helpcenter" else _CLICKHELP
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(
        template.format(target=target, content=content, language=language, portal=portal),
        encoding="utf-8",
    )
    return path
