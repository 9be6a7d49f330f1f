"""How the Action's git commands authenticate: the token as a per-command HTTP header.

actions/checkout saves its token in ``.git/config`` unless ``persist-credentials: false``;
either way the token the Action was *given* (``github-token``, maybe one allowed to bypass a
branch protection) is the one to push and fetch with. It travels the way actions/checkout's
does, as ``http.<url>.extraheader = AUTHORIZATION: basic …``, but through git's environment
(``GIT_CONFIG_COUNT`` / ``GIT_CONFIG_KEY_n`` / ``GIT_CONFIG_VALUE_n``), so it never reaches a
command line, a log or ``.git/config``. An empty value first resets any header configured for
the same URL (checkout's), so exactly one ``Authorization`` header is sent.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

import git

from hcsync.redact import redact as redact_secrets

_CREDENTIALS = re.compile(r"(://)[^/@\s]+@")


def header_key(url: str) -> str | None:
    """``http.<scheme>://<host>/.extraheader`` for an http(s) remote URL, else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return f"http.{parts.scheme}://{host}/.extraheader"


def auth_env(
    url: str, token: str | None, *, base: Mapping[str, str] = os.environ
) -> dict[str, str]:
    """Environment variables that make git send ``token`` to ``url``'s host, and never prompt.

    ``base`` is the environment git inherits: its own ``GIT_CONFIG_COUNT`` entries are kept.
    """
    env = {"GIT_TERMINAL_PROMPT": "0", "GCM_INTERACTIVE": "never"}
    key = header_key(url)
    if not token or key is None:
        return env
    basic = token_secrets(token)[1]
    try:
        start = int(base.get("GIT_CONFIG_COUNT", "0"))
    except ValueError:
        start = 0
    entries = [(key, ""), (key, f"AUTHORIZATION: basic {basic}")]
    for i, (name, value) in enumerate(entries, start=start):
        env[f"GIT_CONFIG_KEY_{i}"] = name
        env[f"GIT_CONFIG_VALUE_{i}"] = value
    env["GIT_CONFIG_COUNT"] = str(start + len(entries))
    return env


def token_secrets(token: str | None) -> tuple[str, ...]:
    """The token and the header value made from it: what no output may contain."""
    if not token:
        return ()
    return (token, base64.b64encode(f"x-access-token:{token}".encode()).decode("ascii"))


def remote_url(repo: git.Repo, remote: str) -> str:
    """The fetch URL of ``remote`` ("" when there is no such remote)."""
    try:
        return str(repo.git.remote("get-url", remote))
    except git.GitCommandError:
        return ""


def git_lines(exc: git.GitCommandError) -> list[str]:
    """The lines git printed on stderr (GitPython's ``stderr: '…'`` wrapping removed)."""
    stderr = exc.stderr if isinstance(exc.stderr, str) else str(exc.stderr or "")
    text = stderr.strip().removeprefix("stderr:").strip().strip("'").strip()
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def clean(exc: git.GitCommandError, *secrets: str) -> str:
    """git's own words, without the command line, credentials in URLs or ``secrets``."""
    return redact("; ".join(git_lines(exc)[-3:]) or f"git exited {exc.status}", secrets)


def redact(text: str, secrets: tuple[str, ...] | list[str]) -> str:
    """``text`` without credentials in URLs or any of ``secrets``."""
    return redact_secrets(_CREDENTIALS.sub(r"\1***@", text), secrets)
