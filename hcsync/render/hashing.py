"""Content hashes: what decides whether an article must be sent again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from hcsync.render.markdown import RENDERER_VERSION

HashField = str | int | bool | None


def content_hash(html: str, fields: Mapping[str, HashField], *, policy: str = "") -> str:
    """sha256 (hex) over the HTML, the metadata ``fields`` that are sent, the renderer version
    and the sanitising policy's name.

    Canonical JSON (sorted keys, no spaces), so the hash does not depend on dict order. Changing
    :data:`RENDERER_VERSION` or the policy changes every hash, which re-publishes everything.
    """
    payload = json.dumps(
        {"renderer": RENDERER_VERSION, "policy": policy, "html": html, "fields": dict(fields)},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
