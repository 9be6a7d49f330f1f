"""What hcsync never lets out: credentials in any text it prints, writes or posts, and server
text that could act on a terminal, a workflow log or a pull-request comment.

- **Credentials.** :func:`secrets_from_env` lists every credential a run may hold in every
  form the code accepts or sends: stripped (as the backends use it, which also covers the
  form set in the environment, a trailing newline included), and ClickHelp's ``login:key``
  pair with its Basic (base64) form, as sent and as set. :class:`Redactor` replaces them
  all, longest first. Redact before any cut: a credential across a cut is no longer whole,
  so it would not be found.
- **Inert text.** :func:`inert` strips control characters (terminal escapes with them), breaks
  a GitHub workflow command (``::`` at a line start) and cuts the text to a few hundred
  characters.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping

API_KEY_ENV = "HCSYNC_API_KEY"
CLICKHELP_LOGIN_ENV = "HCSYNC_CLICKHELP_LOGIN"
CLICKHELP_KEY_ENV = "HCSYNC_CLICKHELP_API_KEY"
GITHUB_TOKEN_ENV = "GITHUB_TOKEN"
MASK = "[secure]"
MAX_INERT_CHARS = 300
"""Longest server text (a message, a title) printed as it came."""

_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
"""ANSI CSI and OSC sequences and two-character escapes: removed whole, not just their ESC."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Control characters but tab and newline, the line separators and the bidi overrides."""
_COMMAND = re.compile(r"^(\s*):(?=:)", re.M)


def variants(secret: str) -> set[str]:
    """The forms of ``secret`` to replace: stripped of surrounding whitespace, as the backends
    use it. The form as set (``key\\n``) holds the stripped one, so it is replaced too, and
    the whitespace around it, which is no secret, stays in the text."""
    stripped = secret.strip()
    return {stripped} if stripped else set()


def basic_variants(login: str, key: str) -> set[str]:
    """``login:key`` and its base64 (HTTP Basic) form, stripped (as sent) and as set."""
    found: set[str] = set()
    for pair in (f"{login.strip()}:{key.strip()}", f"{login}:{key}"):
        found |= variants(pair) | {base64.b64encode(pair.encode()).decode()}
    return found


def secrets_from_env(env: Mapping[str, str]) -> list[str]:
    """Every credential hcsync may hold, in every form it may appear, longest first."""
    found: set[str] = set()
    for name in (API_KEY_ENV, CLICKHELP_KEY_ENV, GITHUB_TOKEN_ENV):
        found |= variants(env.get(name, ""))
    login, key = env.get(CLICKHELP_LOGIN_ENV, ""), env.get(CLICKHELP_KEY_ENV, "")
    if login.strip() and key.strip():
        found |= basic_variants(login, key)
    return sorted(found, key=lambda s: (-len(s), s))


class Redactor:
    """Replaces every variant of every secret in a text with ``mask``."""

    def __init__(self, secrets: Iterable[str], *, mask: str = MASK) -> None:
        found: set[str] = set()
        for secret in secrets:
            found |= variants(secret)
        self._secrets = sorted(found, key=lambda s: (-len(s), s))
        self._mask = mask

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, self._mask)
        return text


def redact(text: str, secrets: Iterable[str], *, mask: str = "***") -> str:
    """``text`` with every variant of ``secrets`` replaced by ``mask``."""
    return Redactor(secrets, mask=mask)(text)


def inert(text: str, limit: int = MAX_INERT_CHARS, *, one_line: bool = True) -> str:
    """Server text made safe to print: escape sequences and control characters removed, no
    line starting a workflow command (``::``), cut to ``limit`` characters (with ``…``).
    ``one_line`` turns line breaks and tabs into spaces too."""
    text = _CONTROL.sub("", _ESCAPE.sub("", text))
    if one_line:
        text = re.sub(r"[\t\r\n]+", " ", text).strip()
    text = _COMMAND.sub(lambda m: m.group(1) + ":\u200d", text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
