"""Walk the content tree, validate all of it, render it, and build the :class:`Site`.

Three passes, so that every problem in every file is reported in one run:

1. walk the tree and read each Markdown file (encoding, front-matter, key types);
2. settle categories, languages, translations, slugs and categories of articles;
3. render each article, checking its links and images against the whole tree.

Nothing here writes anything or talks to the network.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import unicodedata
import warnings
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pathspec

from hcsync import yamlnodes
from hcsync.config import LANGUAGE_RE, Config, Status, display_path, load_config
from hcsync.content import frontmatter
from hcsync.content.model import (
    Article,
    Category,
    CategoryTranslation,
    Icon,
    Image,
    Seo,
    Site,
    Translation,
)
from hcsync.diagnostics import (
    ContentError,
    Diagnostic,
    Severity,
    did_you_mean,
    sort_diagnostics,
)
from hcsync.render import (
    HELPCENTER_POLICY,
    LocalRef,
    Policy,
    article_placeholder,
    content_hash,
    image_placeholder,
    render_markdown,
)

CATEGORY_FILE = "_category.yml"
IGNORE_FILE = ".hcsyncignore"
MAX_IMAGE_BYTES = 10 * 1024 * 1024
"""Help.Center's upload limit (helpcenter.md §10); ClickHelp's small upload has the same."""
LARGE_HTML_BYTES = 100 * 1024
"""Rendered HTML over this may hit a default Express body limit on the real API (U20)."""
SEO_TITLE_RANGE = (50, 60)
SEO_DESCRIPTION_RANGE = (150, 160)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SUFFIX_LANGUAGE_RE = re.compile(r"^[a-z]{2}(?:-[A-Za-z0-9]{2,8})?$")
_REMOTE_ID_RE = re.compile(
    r"^(?:[0-9a-f]{24}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
)
_IMAGE_EXTENSIONS = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}

ARTICLE_KEYS = (
    "title",
    "slug",
    "category",
    "seo",
    "language",
    "translation_of",
    "status",
    "order",
    "sync",
)
SEO_KEYS = ("title", "description")
CATEGORY_KEYS = ("name", "description", "icon", "order", "translations")

_ALIASES = {
    "seotitle": "seo.title",
    "metatitle": "seo.title",
    "seodescription": "seo.description",
    "metadescription": "seo.description",
    "metadesc": "seo.description",
    "lang": "language",
    "locale": "language",
    "translationof": "translation_of",
}
"""Normalised spellings (lowercase, no ``_-.``) that surely mean one of our keys: errors."""
_FOREIGN = {
    "description": "hcsync reads 'seo.description' for the meta description",
    "draft": "hcsync uses 'status: draft'",
    "categories": "hcsync reads 'category' (one category path)",
    "weight": "hcsync uses 'order'",
    "sidebar_position": "hcsync uses 'order'",
    "position": "hcsync uses 'order'",
}
"""Keys other tools use that look like ours: warnings with a pointer to our key."""


def load_site(
    path: Path | Config,
    *,
    strict: bool = False,
    display_base: Path | None = None,
    policy: Policy = HELPCENTER_POLICY,
) -> Site:
    """Load, validate and render the help center described by ``path``.

    ``path`` is a directory holding ``hcsync.yml``, the file itself, or a loaded
    :class:`Config`. Raises :class:`ContentError` with every problem (errors and warnings,
    sorted) when there is any error, or any warning under ``strict``. Diagnostic paths are
    relative to ``display_base`` (default: the directory of ``hcsync.yml``).
    """
    if isinstance(path, Config):
        config = path
    else:
        config = load_config(path, display_base=display_base)
    loader = _Loader(config, display_base or config.root, policy)
    site = loader.load()
    diags = loader.diags
    if any(d.severity is Severity.ERROR for d in diags) or (strict and diags):
        raise ContentError(diags)
    return site


@dataclass(slots=True)
class _Doc:
    """One Markdown file while it is being loaded (mutable; never leaves this module)."""

    rel: str
    file: Path
    keys: dict[str, int] = field(default_factory=dict)
    title: str | None = None
    slug: str | None = None
    category: str | None = None
    seo_title: str | None = None
    seo_description: str | None = None
    language: str | None = None
    translation_of: str | None = None
    status: Status | None = None
    order: int | None = None
    sync: bool = True
    body: str = ""
    body_line: int = 1
    ok: bool = True
    """False once the file has an error: it is then left out of the Site."""
    yaml_failed: bool = False
    """The front-matter could not be read, so a missing title is not worth reporting."""
    readable: bool = True
    """False when the body could not be read at all (encoding, unclosed front-matter)."""
    # settled in pass 2
    lang: str = ""
    source: str | None = None
    final_slug: str = ""
    category_path: str | None = None
    category_id: str | None = None


class _Loader:
    def __init__(self, config: Config, display_base: Path, policy: Policy) -> None:
        self.config = config
        self.root = config.content
        self.policy = policy
        self.diags: list[Diagnostic] = []
        prefix = display_path(self.root, display_base)
        self.prefix = "" if prefix == "." else prefix + "/"
        self.docs: dict[str, _Doc] = {}
        self.category_files: dict[str, Path] = {}
        self.folders_with_docs: set[str] = set()
        self.ignored: set[str] = set()
        self.images: dict[str, Image] = {}
        self.bad_images: set[str] = set()
        self.anchors: dict[str, frozenset[str]] = {}
        self.fragment_links: list[tuple[str, int, str, str]] = []
        self.translated: dict[tuple[str, str], str] = {}
        """(source, language) → the first readable translation of source into it (by walk)."""

    # -- reporting -------------------------------------------------------------------------

    def report(
        self,
        rel: str,
        line: int | None,
        message: str,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.diags.append(
            Diagnostic(
                path=self.prefix + rel, line=line, severity=severity, message=message, hint=hint
            )
        )

    def warn(self, rel: str, line: int | None, message: str, hint: str | None = None) -> None:
        self.report(rel, line, message, hint, Severity.WARNING)

    # -- pass 1: walk and read -------------------------------------------------------------

    def load(self) -> Site:
        spec = self._ignore_spec()
        self._walk(spec)
        for rel in sorted(self.docs):
            self._read_doc(self.docs[rel])
        categories = self._categories()
        self._languages()
        self._slugs()
        self._article_categories(categories)
        return self._build(categories)

    def _ignore_spec(self) -> pathspec.GitIgnoreSpec | None:
        file = self.root / IGNORE_FILE
        if not file.is_file():
            return None
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            self.report(IGNORE_FILE, 1, "cannot read: not a UTF-8 text file")
            return None
        valid: list[str] = []
        with warnings.catch_warnings():  # re's FutureWarning on "[[": not the user's concern
            warnings.simplefilter("ignore", FutureWarning)
            for number, line in enumerate(lines, start=1):
                try:
                    pathspec.GitIgnoreSpec.from_lines([line])
                except (ValueError, re.error):  # GitIgnorePatternError is a ValueError
                    self.report(
                        IGNORE_FILE,
                        number,
                        f"{line!r} is not a valid pattern",
                        "escape a trailing backslash or a lone '!' with a backslash",
                    )
                    continue
                valid.append(line)
            return pathspec.GitIgnoreSpec.from_lines(valid)

    def _inside(self, target: Path) -> bool:
        try:
            target.resolve().relative_to(self.root.resolve())
        except (ValueError, OSError, RuntimeError):
            return False
        return True

    def _walk(self, spec: pathspec.GitIgnoreSpec | None) -> None:
        skip = {self.config.path.absolute(), self.config.lockfile.absolute()}
        for dirpath, dirnames, filenames in os.walk(self.root):
            here = Path(dirpath)
            rel_dir = here.relative_to(self.root).as_posix()
            rel_dir = "" if rel_dir == "." else rel_dir
            kept = []
            for name in sorted(dirnames):
                rel = f"{rel_dir}/{name}" if rel_dir else name
                if name.startswith(".") or (spec is not None and spec.match_file(rel + "/")):
                    continue
                full = here / name
                if full.is_symlink():
                    if not full.exists():
                        self.report(rel, None, "broken symlink")
                    elif not self._inside(full):
                        self.report(rel, None, "symlink leaves the content root")
                    else:
                        self.warn(rel, None, "symlinked folder is not followed")
                    continue
                kept.append(name)
            dirnames[:] = kept
            for name in sorted(filenames):
                rel = f"{rel_dir}/{name}" if rel_dir else name
                if name.startswith("."):
                    continue
                full = here / name
                if full.absolute() in skip:
                    continue
                is_doc = name.endswith(".md") or name == CATEGORY_FILE
                if not is_doc:
                    continue
                if spec is not None and spec.match_file(rel):
                    self.ignored.add(rel)
                    continue
                if full.is_symlink():
                    if not full.exists():
                        self.report(rel, None, "broken symlink")
                        continue
                    if not self._inside(full):
                        self.report(rel, None, "symlink leaves the content root")
                        continue
                if name == CATEGORY_FILE:
                    self.category_files[rel_dir] = full
                else:
                    self.docs[rel] = _Doc(rel=rel, file=full)
                    self.folders_with_docs.add(rel_dir)

    def _read_text(self, rel: str, file: Path) -> str | None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            self.report(rel, None, f"cannot read: {exc.strerror}")
            return None
        if not data.strip():
            self.report(rel, 1, "empty file")
            return None
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            self.report(rel, 1, "UTF-16 text is not supported", "save the file as UTF-8")
            return None
        if b"\x00" in data:
            self.report(rel, 1, "binary file (contains NUL bytes), not Markdown")
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            self.report(
                rel,
                line,
                f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                "save the file as UTF-8",
            )
            return None
        text = text.removeprefix("\ufeff")
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        return text

    def _read_doc(self, doc: _Doc) -> None:
        text = self._read_text(doc.rel, doc.file)
        if text is None:
            doc.ok = doc.readable = False
            return
        try:
            parts = frontmatter.split(text)
        except frontmatter.UnclosedFrontMatter:
            self.report(
                doc.rel,
                1,
                "front-matter is never closed",
                "end it with a line '---' (or remove the '---' on line 1)",
            )
            doc.ok = doc.readable = False
            return
        doc.body, doc.body_line = parts.body, parts.body_line
        if parts.yaml is None:
            return
        root, problems = yamlnodes.parse(parts.yaml, parts.yaml_line)
        for p in problems:
            self.report(doc.rel, p.line, p.message, p.hint)
        if problems:
            doc.ok = False
            doc.yaml_failed = True
        if root is None:
            return
        if not isinstance(root.value, dict):
            self.report(
                doc.rel,
                root.line,
                f"front-matter must be a mapping of keys, not {yamlnodes.describe(root.value)}",
            )
            doc.ok = False
            doc.yaml_failed = True
            return
        self._article_keys(doc, root.value)

    def _unknown_key(self, rel: str, key: str, line: int, known: tuple[str, ...]) -> None:
        if key in self.config.ignore_keys:
            return
        normal = re.sub(r"[^a-z0-9]", "", key.lower())
        if key in _FOREIGN:
            self.warn(rel, line, f"unknown key {key!r}", _FOREIGN[key])
            return
        guess = _ALIASES.get(normal) or did_you_mean(key, known, cutoff=0.8)
        if guess is not None:
            self.report(rel, line, f"unknown key {key!r}", f"did you mean {guess!r}?")
        else:
            self.warn(
                rel,
                line,
                f"unknown key {key!r}",
                "list it under 'ignore_keys' in hcsync.yml if another tool uses it",
            )

    def _string(self, rel: str, key: str, node: yamlnodes.Node) -> str | None:
        value = node.value
        if isinstance(value, str):
            if not value.strip():
                self.report(rel, node.line, f"{key!r} is empty")
                return None
            return value.strip()
        hint = None
        if isinstance(value, int | float | bool) or value.__class__.__name__ in (
            "date",
            "datetime",
        ):
            hint = f'put the value in quotes: {key.rsplit(".", 1)[-1]}: "{value}"'
        self.report(
            rel, node.line, f"{key!r} must be a string, not {yamlnodes.describe(value)}", hint
        )
        return None

    def _article_keys(self, doc: _Doc, keys: dict[str, yamlnodes.Node]) -> None:
        rel = doc.rel
        errors_before = len(self.diags)
        known = (*ARTICLE_KEYS, "seo.title", "seo.description")
        for key, node in keys.items():
            doc.keys[key] = node.line
            if key == "seo":
                self._seo(doc, node)
            elif key in ("seo.title", "seo.description"):
                value = self._string(rel, key, node)
                if key == "seo.title":
                    doc.seo_title = value
                else:
                    doc.seo_description = value
            elif key in ("title", "slug", "category", "translation_of"):
                value = self._string(rel, key, node)
                if key == "slug" and value is not None and not SLUG_RE.match(value):
                    suggestion = slugify(value)
                    self.report(
                        rel,
                        node.line,
                        f"invalid slug {value!r}: use lowercase letters, digits and hyphens",
                        f"slug: {suggestion}" if suggestion else None,
                    )
                    value = None
                setattr(doc, key, value)
            elif key == "language":
                lang = self._string(rel, key, node)
                if lang is not None and not LANGUAGE_RE.match(lang):
                    self.report(
                        rel,
                        node.line,
                        f"invalid language code {lang!r}",
                        "use a BCP 47 tag such as 'es' or 'pt-BR'",
                    )
                    lang = None
                doc.language = lang
            elif key == "status":
                doc.status = self._status(rel, node)
            elif key == "order":
                if isinstance(node.value, int) and not isinstance(node.value, bool):
                    doc.order = node.value
                else:
                    self.report(
                        rel,
                        node.line,
                        f"'order' must be a whole number, not {yamlnodes.describe(node.value)}",
                    )
            elif key == "sync":
                if isinstance(node.value, bool):
                    doc.sync = node.value
                else:
                    self.report(
                        rel,
                        node.line,
                        f"'sync' must be true or false, not {yamlnodes.describe(node.value)}",
                    )
            else:
                self._unknown_key(rel, key, node.line, known)
        if any(d.severity is Severity.ERROR for d in self.diags[errors_before:]):
            doc.ok = False

    def _seo(self, doc: _Doc, node: yamlnodes.Node) -> None:
        if node.value is None:
            return
        if not isinstance(node.value, dict):
            self.report(
                doc.rel,
                node.line,
                f"'seo' must be a mapping with 'title' and 'description', "
                f"not {yamlnodes.describe(node.value)}",
            )
            return
        for key, sub in node.value.items():
            doc.keys[f"seo.{key}"] = sub.line
            if key == "title":
                doc.seo_title = self._string(doc.rel, "seo.title", sub)
            elif key == "description":
                doc.seo_description = self._string(doc.rel, "seo.description", sub)
            else:
                guess = did_you_mean(key, SEO_KEYS, cutoff=0.6)
                if f"seo.{key}" in self.config.ignore_keys:
                    continue
                self.report(
                    doc.rel,
                    sub.line,
                    f"unknown key 'seo.{key}'",
                    f"did you mean 'seo.{guess}'?"
                    if guess
                    else "'seo' takes 'title' and 'description'",
                )

    def _status(self, rel: str, node: yamlnodes.Node) -> Status | None:
        allowed = [s.value for s in Status]
        if isinstance(node.value, str):
            for s in Status:
                if s.value == node.value:
                    return s
            guess = did_you_mean(node.value, allowed, cutoff=0.6)
            hint = f"did you mean {guess!r}?" if guess else None
            shown = repr(node.value)
        else:
            hint = None
            shown = yamlnodes.describe(node.value)
        self.report(
            rel, node.line, f"invalid status {shown}: use one of {', '.join(allowed)}", hint
        )
        return None

    # -- pass 2: categories, languages, slugs ---------------------------------------------

    def _categories(self) -> dict[str, Category]:
        folders: set[str] = set()
        synced_dirs = {posixpath.dirname(r) for r, d in self.docs.items()}
        for rel_dir in set(self.category_files) | synced_dirs:
            while rel_dir:
                folders.add(rel_dir)
                rel_dir = posixpath.dirname(rel_dir)
        max_depth = self.config.max_category_depth
        out: dict[str, Category] = {}
        for path in sorted(folders):
            depth = path.count("/") + 1
            source = f"{path}/{CATEGORY_FILE}" if path in self.category_files else None
            if max_depth is not None and depth == max_depth + 1:
                self.report(
                    source or path,
                    1 if source else None,
                    f"category {path!r} is nested {depth} levels deep; Help.Center allows "
                    "one level of subcategories",
                    "move this folder up a level",
                )
            category = self._category(path, source)
            if category is not None:
                out[path] = category
        ordered = sorted(
            out.values(),
            key=lambda c: (c.depth, c.order if c.order is not None else 1 << 62, c.path),
        )
        return {c.path: c for c in ordered}

    def _category(self, path: str, source: str | None) -> Category | None:
        parent = posixpath.dirname(path) or None
        name = _humanise(posixpath.basename(path))
        if source is None:
            return _finish_category(
                Category(path=path, name=name, parent=parent, source=None),
            )
        text = self._read_text(source, self.category_files[path])
        if text is None:
            return None
        root, problems = yamlnodes.parse(text)
        for p in problems:
            self.report(source, p.line, p.message, p.hint)
        if root is None:
            if not problems:
                self.report(source, 1, "no 'name'", f"add a line: name: {name}")
            return None
        if not isinstance(root.value, dict):
            self.report(
                source,
                root.line,
                f"must be a mapping of keys, not {yamlnodes.describe(root.value)}",
            )
            return None
        keys: dict[str, yamlnodes.Node] = root.value
        ok = not problems
        got_name: str | None = None
        description = ""
        icon: Icon | None = None
        order: int | None = None
        translations: dict[str, CategoryTranslation] = {}
        for key, node in keys.items():
            if key == "name":
                got_name = self._string(source, "name", node)
                ok = ok and got_name is not None
            elif key == "description":
                if node.value is not None:
                    description = self._string(source, "description", node) or ""
            elif key == "icon":
                icon = self._icon(path, source, node)
                ok = ok and icon is not None
            elif key == "order":
                if isinstance(node.value, int) and not isinstance(node.value, bool):
                    order = node.value
                else:
                    self.report(
                        source,
                        node.line,
                        f"'order' must be a whole number, not {yamlnodes.describe(node.value)}",
                    )
                    ok = False
            elif key == "translations":
                translations = self._category_translations(source, node)
            elif key not in self.config.ignore_keys:
                guess = did_you_mean(key, CATEGORY_KEYS, cutoff=0.6)
                self.report(
                    source,
                    node.line,
                    f"unknown key {key!r}",
                    f"did you mean {guess!r}?"
                    if guess
                    else f"{CATEGORY_FILE} takes {', '.join(CATEGORY_KEYS)}",
                )
                ok = False
        if "name" not in keys:
            self.report(source, 1, "no 'name'", f"add a line: name: {name}")
            ok = False
        if not ok or got_name is None:
            return None
        return _finish_category(
            Category(
                path=path,
                name=got_name,
                description=description,
                icon=icon,
                order=order,
                parent=parent,
                source=source,
                translations=translations,
            )
        )

    def _icon(self, path: str, source: str, node: yamlnodes.Node) -> Icon | None:
        value = self._string(source, "icon", node)
        if value is None:
            return None
        rel = posixpath.normpath(posixpath.join(path, value))
        if rel.startswith("../") or rel == ".." or value.startswith("/"):
            self.report(source, node.line, f"icon {value!r} is outside the content root")
            return None
        file = self.root / rel
        if not file.is_file():
            self.report(source, node.line, f"icon {value!r} not found")
            return None
        if not self._inside(file):
            self.report(source, node.line, f"icon {value!r} is outside the content root")
            return None
        if not value.lower().endswith(".svg"):
            self.report(source, node.line, f"icon {value!r} must be an SVG file")
            return None
        try:
            svg = file.read_bytes().decode("utf-8").removeprefix("\ufeff")
        except (OSError, UnicodeDecodeError):
            svg = ""
        if "<svg" not in svg:
            self.report(source, node.line, f"icon {value!r} is not an SVG image")
            return None
        return Icon(path=rel, svg=svg, sha256=hashlib.sha256(svg.encode()).hexdigest())

    def _category_translations(
        self, source: str, node: yamlnodes.Node
    ) -> dict[str, CategoryTranslation]:
        out: dict[str, CategoryTranslation] = {}
        if not isinstance(node.value, dict):
            self.report(
                source,
                node.line,
                "'translations' must map a language to name and description, "
                f"not {yamlnodes.describe(node.value)}",
            )
            return out
        for lang, sub in node.value.items():
            if lang not in self.config.languages:
                self.report(
                    source,
                    sub.line,
                    f"language {lang!r} is not configured",
                    _lang_hint(self.config),
                )
                continue
            if not isinstance(sub.value, dict) or "name" not in sub.value:
                self.report(source, sub.line, f"'translations.{lang}' needs a 'name'")
                continue
            fields: dict[str, yamlnodes.Node] = sub.value
            name = self._string(source, f"translations.{lang}.name", fields["name"])
            desc_node = fields.get("description")
            desc = ""
            if desc_node is not None and desc_node.value is not None:
                desc = self._string(source, f"translations.{lang}.description", desc_node) or ""
            for extra in fields.keys() - {"name", "description"}:
                self.report(
                    source, fields[extra].line, f"unknown key 'translations.{lang}.{extra}'"
                )
            if name is not None:
                out[lang] = CategoryTranslation(name=name, description=desc)
        return out

    def _languages(self) -> None:
        config = self.config
        for rel, doc in self.docs.items():
            if not doc.sync:
                continue
            stem = posixpath.basename(rel)[: -len(".md")]
            base, _, suffix = stem.rpartition(".")
            suffix_lang = None
            if base and (suffix in config.all_languages or _SUFFIX_LANGUAGE_RE.match(suffix)):
                suffix_lang = suffix
            lang_line = doc.keys.get("language", 1)
            if doc.language and suffix_lang and doc.language != suffix_lang:
                self.report(
                    rel,
                    lang_line,
                    f"language {doc.language!r} differs from the file name's suffix "
                    f"'.{suffix_lang}.md'",
                )
                doc.ok = False
                continue
            lang = doc.language or suffix_lang or config.default_language
            if lang not in config.all_languages:
                self.report(
                    rel, lang_line, f"language {lang!r} is not configured", _lang_hint(config)
                )
                doc.ok = False
                continue
            doc.lang = lang
            of_line = doc.keys.get("translation_of", 1)
            if lang == config.default_language:
                if doc.translation_of:
                    self.report(
                        rel,
                        of_line,
                        "'translation_of' is set, but the file is in the default language "
                        f"{lang!r}",
                        "add 'language:' or a language suffix to the file name",
                    )
                    doc.ok = False
                continue
            if doc.translation_of:
                target = posixpath.normpath(
                    posixpath.join(posixpath.dirname(rel), doc.translation_of)
                )
                if target.startswith("../") or target == ".." or doc.translation_of.startswith("/"):
                    self.report(
                        rel,
                        of_line,
                        f"'translation_of' {doc.translation_of!r} is outside the content root",
                    )
                    doc.ok = False
                    continue
            elif suffix_lang:
                target = posixpath.join(posixpath.dirname(rel), base + ".md")
            else:
                self.report(
                    rel,
                    lang_line,
                    f"translation into {lang!r} has no source article",
                    "add 'translation_of: <the article's file>'",
                )
                doc.ok = False
                continue
            doc.source = target

        # Now every file's language is known: check sources.
        seen: dict[tuple[str, str], list[str]] = defaultdict(list)
        for rel, doc in self.docs.items():
            if doc.source is None or not doc.ok:
                continue
            of_line = doc.keys.get("translation_of", 1)
            src = self.docs.get(doc.source)
            if src is None:
                hint = "it is excluded by .hcsyncignore" if doc.source in self.ignored else None
                self.report(rel, of_line, f"source article {doc.source!r} does not exist", hint)
                doc.ok = False
                doc.lang = ""
            elif src.source is not None:
                self.report(
                    rel,
                    of_line,
                    f"{doc.source!r} is itself a translation; translate the original article",
                    "translation_of: "
                    + posixpath.relpath(src.source, posixpath.dirname(rel) or "."),
                )
                doc.ok = False
                doc.lang = ""
            elif not src.sync:
                self.report(rel, of_line, f"source article {doc.source!r} has 'sync: false'")
                doc.ok = False
                doc.lang = ""
            elif src.lang and src.lang != self.config.default_language:
                self.report(
                    rel, of_line, f"source article {doc.source!r} is not in the default language"
                )
                doc.ok = False
                doc.lang = ""
            else:
                seen[(doc.source, doc.lang)].append(rel)
        for (source, lang), rels in seen.items():
            if len(rels) > 1:
                for rel in rels:
                    others = ", ".join(self.prefix + r for r in rels if r != rel)
                    self.report(
                        rel,
                        self.docs[rel].keys.get("language", 1),
                        f"two files translate {source!r} into {lang!r}: also {others}",
                    )
                    self.docs[rel].ok = False
                    self.docs[rel].lang = ""

    def _slugs(self) -> None:
        by_lang: dict[tuple[str, str], list[str]] = defaultdict(list)
        for rel, doc in sorted(self.docs.items()):
            if not doc.sync or not doc.lang:
                continue
            if doc.slug:
                slug = doc.slug
            elif doc.source is not None and doc.source in self.docs:
                src = self.docs[doc.source]
                slug = src.slug or slugify(_stem(doc.source))
            else:
                slug = slugify(_stem(rel))
            if not slug:
                self.report(
                    rel, 1, "cannot make a slug from the file name", "set 'slug:' in front-matter"
                )
                doc.ok = False
                continue
            doc.final_slug = slug
            by_lang[(doc.lang, slug)].append(rel)
        for (lang, slug), rels in by_lang.items():
            if len(rels) < 2:
                continue
            for rel in rels:
                others = ", ".join(self.prefix + r for r in rels if r != rel)
                self.report(
                    rel,
                    self.docs[rel].keys.get("slug", 1),
                    f"slug {slug!r} ({lang}) is also used by {others}",
                    "set a different 'slug:' in one of them",
                )
                self.docs[rel].ok = False

    def _article_categories(self, categories: Mapping[str, Category]) -> None:
        by_name = {_name_path(c, categories).lower(): c.path for c in categories.values()}
        for rel, doc in self.docs.items():
            if not doc.sync or doc.source is not None or not doc.lang:
                if doc.source is not None:
                    for key in ("category", "order"):
                        if key in doc.keys:
                            self.warn(
                                rel,
                                doc.keys[key],
                                f"{key!r} has no effect in a translation",
                                "the source article's value is used",
                            )
                continue
            if doc.category is None:
                folder = posixpath.dirname(rel)
                doc.category_path = folder or None
                continue
            wanted = doc.category.strip("/")
            if wanted in categories:
                doc.category_path = wanted
            elif wanted.lower() in by_name:
                doc.category_path = by_name[wanted.lower()]
            elif _REMOTE_ID_RE.match(wanted):
                doc.category_id = wanted
            else:
                guess = did_you_mean(wanted, [*categories, *by_name], cutoff=0.6)
                self.report(
                    rel,
                    doc.keys.get("category", 1),
                    f"unknown category {doc.category!r}",
                    f"did you mean {by_name.get(guess, guess)!r}?" if guess else None,
                )
                doc.ok = False

    # -- pass 3: render --------------------------------------------------------------------

    def _build(self, categories: dict[str, Category]) -> Site:
        articles: dict[str, Article] = {}
        translations: dict[str, Translation] = {}
        unsynced: list[str] = []
        need_category = self.config.articles_need_a_category
        for doc in self.docs.values():  # settled: pass 2 is over, rendering changes no 'ok'
            if doc.source is not None and doc.ok:
                self.translated.setdefault((doc.source, doc.lang), doc.rel)
        for rel, doc in sorted(self.docs.items()):
            if not doc.sync:
                unsynced.append(rel)
                continue
            if not doc.ok:
                if doc.readable:
                    self._render(doc, categories)  # for the problems in its links and images
                continue
            if doc.source is None and doc.category_path is None and doc.category_id is None:
                if need_category:
                    self.warn(
                        rel,
                        1,
                        "not in a category folder; not synced",
                        "move it into a folder, set 'category:', or list it in .hcsyncignore",
                    )
                    unsynced.append(rel)
                    continue
            page = self._render(doc, categories)
            if isinstance(page, Article):
                articles[rel] = page
            elif isinstance(page, Translation):
                translations[rel] = page
        # Translations whose source failed to render are dropped quietly: the source has an error.
        translations = {r: t for r, t in translations.items() if t.source in articles}
        for rel, line, target, fragment in self.fragment_links:
            anchors = self.anchors.get(target)
            if anchors is not None and fragment not in anchors:
                self.warn(rel, line, f"no heading '#{fragment}' in {target!r}")
        return Site(
            config=self.config,
            root=self.root,
            categories=categories,
            articles=articles,
            translations=translations,
            images=dict(sorted(self.images.items())),
            unsynced=tuple(unsynced),
            diagnostics=tuple(
                sort_diagnostics(d for d in self.diags if d.severity is Severity.WARNING)
            ),
        )

    def _render(
        self, doc: _Doc, categories: Mapping[str, Category]
    ) -> Article | Translation | None:
        rel = doc.rel
        images: set[str] = set()
        links: set[str] = set()
        errors_before = len(self.diags)
        resolver = self._resolver(doc, images, links)
        rendered = render_markdown(
            doc.body,
            first_line=doc.body_line,
            resolver=resolver,
            take_title=doc.title is None and "title" not in doc.keys,
            policy=self.policy,
        )
        title = doc.title if doc.title is not None else rendered.title
        if not title and (doc.yaml_failed or "title" in doc.keys):
            return None
        if not title:
            if rendered.title is not None:
                self.report(rel, rendered.title_line, "the '# heading' used as the title is empty")
            else:
                self.report(
                    rel,
                    1,
                    "no title",
                    "set 'title:' in the front-matter or start the body with a '# heading'",
                )
            return None
        self.anchors[rel] = rendered.anchors
        if any(d.severity is Severity.ERROR for d in self.diags[errors_before:]):
            return None
        self._seo_lengths(doc)
        size = len(rendered.html.encode())
        if size > LARGE_HTML_BYTES:
            self.warn(
                rel,
                1,
                f"rendered HTML is {size // 1024} kB; the real API may refuse bodies over "
                f"{LARGE_HTML_BYTES // 1024} kB",
                "split the article",
            )
        lines = dict(doc.keys)
        lines["body"] = doc.body_line
        if rendered.title_line is not None and "title" not in lines:
            lines["title"] = rendered.title_line
        seo = Seo(title=doc.seo_title, description=doc.seo_description)
        status = doc.status or self.config.default_status

        def page(fields: Mapping[str, str | int | bool | None]) -> dict[str, Any]:
            """The fields every page has (articles and translations alike)."""
            return {
                "path": rel,
                "language": doc.lang,
                "title": title,
                "slug": doc.final_slug,
                "seo": seo,
                "status": status,
                "html": rendered.html,
                "content_hash": content_hash(rendered.html, fields, policy=self.policy.name),
                "images": tuple(sorted(images)),
                "links": tuple(sorted(links)),
                "lines": lines,
            }

        if doc.source is None:
            fields: dict[str, str | int | bool | None] = {
                "title": title,
                "slug": doc.final_slug,
                "language": doc.lang,
                "category": doc.category_path,
                "category_id": doc.category_id,
                "seo_title": seo.title,
                "seo_description": seo.description,
                "order": doc.order,
            }
            return Article(
                **page(fields),
                category=doc.category_path,
                category_id=doc.category_id,
                order=doc.order,
            )
        assert doc.source is not None
        fields = {
            "title": title,
            "slug": doc.final_slug,
            "language": doc.lang,
            "source": doc.source,
            "seo_title": seo.title,
            "seo_description": seo.description,
        }
        return Translation(**page(fields), source=doc.source)

    def _seo_lengths(self, doc: _Doc) -> None:
        for key, value, (low, high) in (
            ("seo.title", doc.seo_title, SEO_TITLE_RANGE),
            ("seo.description", doc.seo_description, SEO_DESCRIPTION_RANGE),
        ):
            if value is not None and not low <= len(value) <= high:
                self.warn(
                    doc.rel,
                    doc.keys.get(key),
                    f"{key} is {len(value)} characters; {low}-{high} is recommended",
                )

    def _resolver(
        self, doc: _Doc, images: set[str], links: set[str]
    ) -> Callable[[LocalRef], str | None]:
        rel = doc.rel
        folder = posixpath.dirname(rel)

        def resolve(ref: LocalRef) -> str | None:
            url = ref.url.split("#", 1)[0].split("?", 1)[0]
            fragment = unquote(ref.url.split("#", 1)[1]) if "#" in ref.url else ""
            if not url:
                return None
            path = unquote(url)
            if ref.kind == "raw":
                self.warn(
                    rel,
                    ref.line,
                    f"relative URL {path!r} in raw HTML is not rewritten",
                    "use Markdown link or image syntax for local files",
                )
                return None
            what = "image" if ref.kind == "image" else "link"
            target = posixpath.normpath(
                path.lstrip("/") if path.startswith("/") else posixpath.join(folder, path)
            )
            if target == ".." or target.startswith("../"):
                self.report(rel, ref.line, f"{what} {path!r} is outside the content root")
                return None
            if ref.kind == "image" or Path(target).suffix.lower() in _IMAGE_EXTENSIONS:
                if target.endswith(".md"):
                    self.report(rel, ref.line, f"image {path!r} is a Markdown file")
                    return None
                image = self._image(rel, ref.line, path, target, what)
                if image is None:
                    return None
                images.add(image.path)
                return image_placeholder(image.sha256)
            return self._link(doc, ref.line, path, target, fragment, links)

        return resolve

    def _link(
        self, doc: _Doc, line: int, path: str, target: str, fragment: str, links: set[str]
    ) -> str | None:
        rel = doc.rel
        file = self.root / target
        if target in self.docs:
            tdoc = self.docs[target]
            if not tdoc.sync:
                self.report(rel, line, f"link to {path!r}, which has 'sync: false'")
                return None
            if not tdoc.ok:
                return None  # the target's own problems are reported on it
            if doc.source is not None and doc.lang != tdoc.lang:
                # From a translation, prefer the target's translation into the same language.
                target = self.translated.get((target, doc.lang), target)
            links.add(target)
            if fragment:
                self.fragment_links.append((rel, line, target, fragment))
            return article_placeholder(target, fragment)
        if target in self.ignored:
            self.report(rel, line, f"link to {path!r}, which .hcsyncignore excludes")
            return None
        if file.is_dir():
            self.report(rel, line, f"link to the folder {path!r}", "link to an article in it")
            return None
        if not file.exists():
            hint = None
            if (self.root / (target + ".md")).is_file():
                hint = f"did you mean {path + '.md'!r}?"
            self.report(rel, line, f"broken link: {path!r} does not exist", hint)
            return None
        if not self._inside(file):
            self.report(rel, line, f"link {path!r} is outside the content root")
            return None
        if target.endswith(".md"):
            self.report(rel, line, f"link to {path!r}, which is not an article")
            return None
        self.report(
            rel,
            line,
            f"link to {path!r}, which is neither an article nor an image",
            "hcsync uploads only articles and images; link to other files by URL",
        )
        return None

    def _image(self, rel: str, line: int, path: str, target: str, what: str) -> Image | None:
        if target in self.bad_images:
            self.report(rel, line, f"{what} {path!r} cannot be used (see the first use)")
            return None
        if target in self.images:
            return self.images[target]
        file = self.root / target
        if not file.is_file():
            self.report(rel, line, f"image {path!r} not found")
            return None
        if not self._inside(file):
            self.report(rel, line, f"image {path!r} is outside the content root")
            return None
        size = file.stat().st_size
        if size > MAX_IMAGE_BYTES:
            self.report(
                rel,
                line,
                f"image {path!r} is {size / 1024 / 1024:.1f} MB; the limit is 10 MB",
            )
            self.bad_images.add(target)
            return None
        data = file.read_bytes()
        mime = sniff_image(data)
        if mime is None:
            self.report(
                rel,
                line,
                f"image {path!r} is not a supported format",
                "use JPEG, PNG, GIF, WebP or SVG",
            )
            self.bad_images.add(target)
            return None
        image = Image(
            path=target,
            file=file,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            mime_type=mime,
        )
        self.images[target] = image
        return image


def sniff_image(data: bytes) -> str | None:
    """The MIME type of an image from its first bytes, for the formats Help.Center accepts."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<svg") or (
        head.startswith((b"<?xml", b"<!--", b"<!doctype svg")) and b"<svg" in data[:4096].lower()
    ):
        return "image/svg+xml"
    return None


def slugify(text: str) -> str:
    """An ASCII slug: lowercase letters, digits and single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _stem(rel: str) -> str:
    return posixpath.basename(rel)[: -len(".md")]


def _humanise(folder: str) -> str:
    words = re.sub(r"[-_]+", " ", folder).strip()
    return words[:1].upper() + words[1:] if words else folder


def _name_path(category: Category, categories: Mapping[str, Category]) -> str:
    names = [category.name]
    parent = category.parent
    while parent is not None and parent in categories:
        names.append(categories[parent].name)
        parent = categories[parent].parent
    return "/".join(reversed(names))


def _lang_hint(config: Config) -> str:
    configured = ", ".join(config.languages) or "none"
    return f"add it to 'languages' in hcsync.yml (additional languages now: {configured})"


def _finish_category(category: Category) -> Category:
    fields: dict[str, Any] = {
        "name": category.name,
        "description": category.description,
        "icon": category.icon.sha256 if category.icon else None,
        # not "order": it is not a field of the category but its place, which the plan's
        # reorder pass keeps (where the platform has an order)
        "parent": category.parent,
        "translations": {
            lang: [t.name, t.description] for lang, t in sorted(category.translations.items())
        },
    }
    digest = content_hash("", {"category": _canonical(fields)})
    return Category(
        path=category.path,
        name=category.name,
        description=category.description,
        icon=category.icon,
        order=category.order,
        parent=category.parent,
        source=category.source,
        translations=category.translations,
        content_hash=digest,
    )


def _canonical(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
