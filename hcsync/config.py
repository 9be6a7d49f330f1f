"""``hcsync.yml`` → :class:`Config`, with every problem reported as ``hcsync.yml:LINE``.

Secrets never live here: they come from the environment only (see DESIGN §2).
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from hcsync import yamlnodes
from hcsync.diagnostics import (
    ContentError,
    Diagnostic,
    HcsyncError,
    Severity,
    did_you_mean,
)

CONFIG_NAME = "hcsync.yml"

_E = TypeVar("_E", bound=enum.Enum)

LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
"""A BCP 47 language tag, in the shape hcsync accepts (``es``, ``pt-BR``, ``en-US``)."""


class Backend(enum.Enum):
    """Which hosted help center the content goes to."""

    HELPCENTER = "helpcenter"
    CLICKHELP = "clickhelp"


class Status(enum.Enum):
    """The live state wanted for an article or translation."""

    PUBLISHED = "published"
    DRAFT = "draft"
    UNPUBLISHED = "unpublished"


class Prune(enum.Enum):
    """What to do with remote articles whose file is gone."""

    REPORT = "report"
    UNPUBLISH = "unpublish"
    DELETE = "delete"


class ConfigNotFoundError(HcsyncError):
    """There is no ``hcsync.yml`` where one was expected."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """A validated ``hcsync.yml``. Paths are absolute."""

    path: Path
    """The ``hcsync.yml`` file itself."""
    root: Path
    """The directory holding ``hcsync.yml``; relative paths in it are relative to this."""
    backend: Backend
    center_id: str | None = None
    """Help.Center: the center's id."""
    portal_url: str | None = None
    """ClickHelp: ``https://<portal>.clickhelp.co``."""
    project_id: str | None = None
    """ClickHelp: the project of the default language."""
    language_projects: Mapping[str, str] = field(default_factory=dict)
    """ClickHelp: project id per additional language (``{es: "proj-es"}``)."""
    publication_id: str | None = None
    """ClickHelp: the publication that "published" means."""
    content: Path
    """The content root (absolute)."""
    default_language: str = "en"
    languages: tuple[str, ...] = ()
    """Additional languages (never the default one)."""
    default_status: Status = Status.PUBLISHED
    prune: Prune = Prune.REPORT
    base_url: str | None = None
    """Override of the API base URL, for emulators."""
    ignore_keys: frozenset[str] = frozenset()
    """Unknown front-matter keys to accept silently (other tools' keys)."""
    lockfile: Path
    """Where ``hcsync.lock`` lives (default: next to ``hcsync.yml``)."""

    @property
    def max_category_depth(self) -> int | None:
        """Deepest category nesting the backend accepts (1 = top level); None = unlimited."""
        return 2 if self.backend is Backend.HELPCENTER else None

    @property
    def articles_need_a_category(self) -> bool:
        """Whether every article must be in a category (Help.Center); ClickHelp topics may sit
        at the top of the table of contents, which is a file at the content root."""
        return self.backend is Backend.HELPCENTER

    @property
    def all_languages(self) -> tuple[str, ...]:
        """The default language first, then the additional ones."""
        return (self.default_language, *self.languages)


_HELPCENTER_KEYS = frozenset({"center_id"})
_CLICKHELP_KEYS = frozenset({"portal_url", "project_id", "language_projects", "publication_id"})
_KEYS = frozenset(
    {
        "backend",
        "content",
        "default_language",
        "languages",
        "default_status",
        "prune",
        "base_url",
        "ignore_keys",
        "lockfile",
    }
    | _HELPCENTER_KEYS
    | _CLICKHELP_KEYS
)
_REQUIRED: dict[Backend, dict[str, str | None]] = {
    Backend.HELPCENTER: {"center_id": None},
    Backend.CLICKHELP: {
        "portal_url": None,
        "project_id": None,
        "publication_id": 'the publication that "published" means (it is created on the first '
        "publish if missing)",
    },
}
"""Keys each backend needs, with a hint for when one is missing."""
_URL_RE = re.compile(r"^https?://[^\s/]+(/\S*)?$")


def find_config(path: Path) -> Path:
    """The ``hcsync.yml`` for ``path``: the file itself, or the one inside the directory."""
    if path.is_dir():
        candidate = path / CONFIG_NAME
        if candidate.is_file():
            return candidate
        raise ConfigNotFoundError(
            f"no {CONFIG_NAME} in {path} (create one; see the README, 'Configuration')"
        )
    if path.is_file():
        return path
    raise ConfigNotFoundError(f"{path} does not exist")


def load_config(path: Path, *, display_base: Path | None = None) -> Config:
    """Read and validate ``hcsync.yml`` (or the one in directory ``path``).

    Raises :class:`ContentError` with every problem, located ``hcsync.yml:LINE``; warnings are
    not raised (there are none today). ``display_base`` is the directory diagnostic paths are
    relative to (default: the directory of the file).
    """
    file = find_config(path).absolute()
    shown = display_path(file, display_base or file.parent)
    reader = _ConfigReader(file, shown)
    config = reader.read()
    if config is None or any(d.severity is Severity.ERROR for d in reader.diags):
        raise ContentError(reader.diags)
    return config


def display_path(path: Path, base: Path) -> str:
    """``path`` as shown in diagnostics: relative to ``base``, or absolute when outside it."""
    rel = Path(os.path.relpath(path, base)).as_posix()
    return path.absolute().as_posix() if rel.startswith("../") else rel


class _ConfigReader:
    def __init__(self, file: Path, shown: str) -> None:
        self.file = file
        self.shown = shown
        self.diags: list[Diagnostic] = []

    def error(self, line: int | None, message: str, hint: str | None = None) -> None:
        self.diags.append(
            Diagnostic(
                path=self.shown, line=line, severity=Severity.ERROR, message=message, hint=hint
            )
        )

    def read(self) -> Config | None:
        try:
            text = self.file.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            self.error(1, "not valid UTF-8")
            return None
        except OSError as exc:
            self.error(None, f"cannot read: {exc.strerror}")
            return None
        root, problems = yamlnodes.parse(text.removeprefix("\ufeff"))
        for p in problems:
            self.error(p.line, p.message, p.hint)
        if problems and root is None:
            return None
        if root is None:
            self.error(1, "the file is empty", "it needs at least 'backend:'")
            return None
        if not isinstance(root.value, dict):
            self.error(
                root.line, f"must be a mapping of keys, not {yamlnodes.describe(root.value)}"
            )
            return None
        return self.build(root.value)

    def build(self, keys: dict[str, yamlnodes.Node]) -> Config | None:
        for key, node in keys.items():
            if key not in _KEYS:
                guess = did_you_mean(key, _KEYS)
                self.error(
                    node.line,
                    f"unknown key {key!r}",
                    f"did you mean {guess!r}?"
                    if guess
                    else f"known keys: {', '.join(sorted(_KEYS))}",
                )
        backend = self.enum_value(keys, "backend", Backend, None)
        if backend is None and "backend" not in keys:
            self.error(1, "missing required key 'backend'", "backend: helpcenter (or clickhelp)")
        if backend is not None:
            wrong = _CLICKHELP_KEYS if backend is Backend.HELPCENTER else _HELPCENTER_KEYS
            for key in sorted(wrong & keys.keys()):
                self.error(keys[key].line, f"{key!r} does not apply to backend {backend.value!r}")
            for key, hint in _REQUIRED[backend].items():
                if key not in keys:
                    message = f"missing required key {key!r} for backend {backend.value!r}"
                    self.error(1, message, hint)

        center_id = self.string(keys, "center_id")
        portal_url = self.url(keys, "portal_url")
        project_id = self.string(keys, "project_id")
        publication_id = self.string(keys, "publication_id")
        base_url = self.url(keys, "base_url")
        default_language = self.language(keys.get("default_language")) or "en"
        languages = self.languages(keys.get("languages"), default_language)
        language_projects = self.language_projects(keys.get("language_projects"), languages)
        if backend is Backend.CLICKHELP:
            self.every_language_has_a_project(keys, language_projects)
        default_status = self.enum_value(keys, "default_status", Status, Status.PUBLISHED)
        prune = self.enum_value(keys, "prune", Prune, Prune.REPORT)
        ignore_keys = self.string_list(keys.get("ignore_keys"), "ignore_keys")
        content = self.directory(keys.get("content"))
        lockfile = self.lockfile(keys.get("lockfile"))
        if backend is None or content is None or lockfile is None:
            return None
        return Config(
            path=self.file,
            root=self.file.parent,
            backend=backend,
            center_id=center_id,
            portal_url=portal_url,
            project_id=project_id,
            language_projects=language_projects,
            publication_id=publication_id,
            content=content,
            default_language=default_language,
            languages=languages,
            default_status=default_status or Status.PUBLISHED,
            prune=prune or Prune.REPORT,
            base_url=base_url,
            ignore_keys=frozenset(ignore_keys),
            lockfile=lockfile,
        )

    def string(self, keys: dict[str, yamlnodes.Node], key: str) -> str | None:
        node = keys.get(key)
        if node is None:
            return None
        if isinstance(node.value, bool) or not isinstance(node.value, str | int):
            self.error(node.line, f"{key!r} must be a string, not {yamlnodes.describe(node.value)}")
            return None
        text = str(node.value).strip()
        if not text:
            self.error(node.line, f"{key!r} must not be empty")
            return None
        return text

    def url(self, keys: dict[str, yamlnodes.Node], key: str) -> str | None:
        text = self.string(keys, key)
        if text is not None and not _URL_RE.match(text):
            self.error(keys[key].line, f"{key!r} must be an http(s) URL, not {text!r}")
            return None
        return text.rstrip("/") if text else None

    def enum_value(
        self, keys: dict[str, yamlnodes.Node], key: str, kind: type[_E], default: _E | None
    ) -> _E | None:
        node = keys.get(key)
        if node is None:
            return default
        allowed = [m.value for m in kind]
        if isinstance(node.value, str):
            for member in kind:
                if member.value == node.value:
                    return member
            guess = did_you_mean(node.value, allowed)
            hint = f"did you mean {guess!r}?" if guess else None
        else:
            hint = None
        self.error(
            node.line,
            f"{key!r} must be one of {', '.join(allowed)}; got {_show(node.value)}",
            hint,
        )
        return default

    def language(self, node: yamlnodes.Node | None) -> str | None:
        if node is None:
            return None
        if not isinstance(node.value, str) or not LANGUAGE_RE.match(node.value):
            self.error(
                node.line,
                f"invalid language code {_show(node.value)}",
                "use a BCP 47 tag such as 'en', 'es' or 'pt-BR'",
            )
            return None
        return node.value

    def languages(self, node: yamlnodes.Node | None, default: str) -> tuple[str, ...]:
        if node is None:
            return ()
        if not isinstance(node.value, list):
            self.error(
                node.line, f"'languages' must be a list, not {yamlnodes.describe(node.value)}"
            )
            return ()
        out: list[str] = []
        for item in node.value:
            lang = self.language(item)
            if lang is None:
                continue
            if lang == default:
                self.error(
                    item.line,
                    f"'languages' lists the default language {lang!r}",
                    "list only the additional languages",
                )
            elif lang in out:
                self.error(item.line, f"'languages' lists {lang!r} twice")
            else:
                out.append(lang)
        return tuple(out)

    def language_projects(
        self, node: yamlnodes.Node | None, languages: tuple[str, ...]
    ) -> dict[str, str]:
        if node is None:
            return {}
        if not isinstance(node.value, dict):
            self.error(
                node.line,
                f"'language_projects' must be a mapping of language to project id, "
                f"not {yamlnodes.describe(node.value)}",
            )
            return {}
        out: dict[str, str] = {}
        for lang, item in node.value.items():
            if lang not in languages:
                self.error(item.line, f"'language_projects' names {lang!r}, not in 'languages'")
                continue
            value = self.string(node.value, lang)
            if value is not None:
                out[lang] = value
        return out

    def every_language_has_a_project(
        self, keys: dict[str, yamlnodes.Node], projects: Mapping[str, str]
    ) -> None:
        """ClickHelp: each additional language is a language-version project of its own."""
        node = keys.get("languages")
        if node is None or not isinstance(node.value, list):
            return
        for item in node.value:
            if isinstance(item.value, str) and LANGUAGE_RE.match(item.value):
                if item.value not in projects:
                    self.error(
                        item.line,
                        f"'languages' lists {item.value!r} but 'language_projects' names no "
                        "ClickHelp project for it",
                        f"language_projects: {{{item.value}: <project id>}} (each language is a "
                        "language-version project of its own)",
                    )

    def string_list(self, node: yamlnodes.Node | None, key: str) -> list[str]:
        if node is None:
            return []
        if not isinstance(node.value, list):
            self.error(node.line, f"{key!r} must be a list, not {yamlnodes.describe(node.value)}")
            return []
        out = []
        for item in node.value:
            if isinstance(item.value, str) and item.value:
                out.append(item.value)
            else:
                self.error(item.line, f"{key!r} entries must be strings, not {_show(item.value)}")
        return out

    def directory(self, node: yamlnodes.Node | None) -> Path | None:
        if node is None:
            return self.file.parent
        text = self.string({"content": node}, "content")
        if text is None:
            return None
        path = (self.file.parent / text).absolute()
        if not path.is_dir():
            self.error(node.line, f"content folder {text!r} does not exist")
            return None
        return path

    def lockfile(self, node: yamlnodes.Node | None) -> Path | None:
        """The lockfile: a file in the folder of ``hcsync.yml`` or below it, once ``..`` and
        the symbolic links of its folders are resolved (it is committed with the content)."""
        if node is None:
            return self.file.parent / "hcsync.lock"
        text = self.string({"lockfile": node}, "lockfile")
        if text is None:
            return None
        path = self.file.parent / text
        if text.endswith("/") or text.rsplit("/", 1)[-1] in (".", ".."):
            self.error(node.line, f"'lockfile' must name a file, not {text!r}")
            return None
        root = Path(os.path.realpath(self.file.parent))
        where = Path(os.path.realpath(path.parent)) / path.name
        if not where.is_relative_to(root):
            self.error(
                node.line,
                f"'lockfile' must be inside the folder of {CONFIG_NAME}; {text!r} is {where}",
                "keep the lockfile with the content it maps (the default is hcsync.lock, "
                f"next to {CONFIG_NAME})",
            )
            return None
        return path


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return yamlnodes.describe(value)
