"""State of the Help.Center emulator: centers, keys, categories, articles, translations, images.

The store holds the data and the business rules of helpcenter.md §5-§10. It knows nothing about
HTTP: the app (``app.py``) checks routes, credentials, rate limits, scopes and request bodies, then
calls these methods, which raise :class:`ApiError` for missing resources (404) and broken business
rules (400). Tests may call the methods directly to seed data or act as a web-UI user.

SQLite keeps the state (``":memory:"`` or a file). One connection is shared by every thread
(uvicorn's loop, the in-process transport's portal, the test thread) behind a re-entrant lock.

Decisions where helpcenter.md is silent (the module docstring of ``app.py`` lists them all):

- ids are 24 lowercase hex characters made like MongoDB ObjectIds (4 bytes of seconds, 5 random
  bytes per store, a 3-byte counter), so they grow in creation order;
- ``updated_at`` moves forward by at least 1 ms on every change, so two writes in the same
  millisecond are still told apart;
- a generated slug that would be empty (a title with no Latin letters or digits) is ``article``
  (``category`` for categories);
- category slugs are unique per center (``-2``, ``-3``, ...); renaming keeps the slug;
- writes to a translation bump only the translation's ``updated_at``; unpublishing the root bumps
  the root and each translation it takes down;
- images are stored once per sha256; the URL keeps the first file name uploaded with those bytes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, TypeVar, cast

from hcsync.emulators.common.sqlite import SqliteDb
from hcsync.htmlpolicy import sanitize

from .errors import ApiError, invalid_language, invalid_parameter, missing_field, not_found
from .text import html_to_text, slugify

ALL_SCOPES: Final = ("content.read", "content.write", "content.publish", "content.delete")
"""The four content scopes (§1). A key holding all four can call every article endpoint."""

KNOWN_SCOPES: Final = frozenset(
    {*ALL_SCOPES, "conversation.read", "conversation.write", "conversation.reply"}
)
"""Scopes a key may carry; the conversation ones exist but unlock nothing here (§15)."""

DEFAULT_ICON: Final = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" '
    'stroke="currentColor" stroke-width="2"><path d="M4 19.5A2.5 2.5 0 0 1 6.5 17H20"/>'
    '<path d="M6.5 2H20v20H6.5A2.5 2.5 0 0 1 4 19.5v-15A2.5 2.5 0 0 1 6.5 2z"/></svg>'
)
"""The default book icon used when a category is created without one (§9)."""


class Unset:
    """Marker for "field not given" where ``None`` means "clear it"."""

    _instance: Unset | None = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = Unset()
"""Pass for an optional field that should keep its value."""


def iso(ms: int | None) -> str | None:
    """Milliseconds since the epoch as ``2024-01-01T00:00:00.000Z`` (§1)."""
    if ms is None:
        return None
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


@dataclass(frozen=True, slots=True)
class Center:
    """A help center. ``domain`` None means "wherever the emulator is reached"."""

    id: str
    name: str
    domain: str | None
    default_language: str
    additional_languages: tuple[str, ...]
    created_at: int
    blocked: bool


@dataclass(frozen=True, slots=True)
class ApiKey:
    """An API key: bound to one center, carrying scopes. ``key`` is the secret itself."""

    id: str
    key: str
    center_id: str
    scopes: tuple[str, ...]
    revoked: bool
    created_at: int

    @property
    def prefix(self) -> str:
        """The first 8 characters: enough to tell keys apart in logs, not enough to use."""
        return self.key[:8]


@dataclass(frozen=True, slots=True)
class Category:
    """A category; ``parent_id`` None for a top-level one (one level only, §9)."""

    id: str
    center_id: str
    parent_id: str | None
    name: str
    description: str
    icon: str
    slug: str
    slug_id: int
    translations: dict[str, dict[str, str]]
    created_at: int


@dataclass(frozen=True, slots=True)
class Article:
    """An article: its one draft plus, while ``live``, its published version.

    Metadata (category, subtitle, slug, SEO) is shared by draft and live version (§5 E10).
    ``dirty`` is true when the draft differs from a live version (``published_with_changes``).
    """

    id: str
    center_id: str
    slug_id: int
    category_id: str | None
    subtitle: str | None
    slug: str | None
    seo_title: str | None
    seo_desc: str | None
    title: str
    html: str
    text: str
    live: bool
    dirty: bool
    live_title: str | None
    live_html: str | None
    live_text: str | None
    created_at: int
    updated_at: int
    published_at: int | None

    @property
    def status(self) -> str:
        """The draft status of §4.3 and §7."""
        if not self.live:
            return "unpublished"
        return "published_with_changes" if self.dirty else "published"

    @property
    def preview_token(self) -> str:
        """The stable token in ``preview_url`` (``/article/preview-<token>``, §14 C5)."""
        return hashlib.sha256(self.id.encode()).hexdigest()[:8]


@dataclass(frozen=True, slots=True)
class Translation:
    """One language of an article, with its own draft and live state (§8)."""

    article_id: str
    language: str
    slug: str | None
    seo_title: str | None
    seo_desc: str | None
    title: str
    html: str
    text: str
    live: bool
    dirty: bool
    live_title: str | None
    live_html: str | None
    live_text: str | None
    created_at: int
    updated_at: int
    published_at: int | None

    @property
    def status(self) -> str:
        """The draft status, as for articles."""
        if not self.live:
            return "unpublished"
        return "published_with_changes" if self.dirty else "published"


@dataclass(frozen=True, slots=True)
class Image:
    """An uploaded image, addressed by the sha256 of its bytes."""

    sha256: str
    filename: str
    content_type: str
    size: int
    data: bytes


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS centers (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, name TEXT NOT NULL, domain TEXT,
    default_language TEXT NOT NULL, additional_languages TEXT NOT NULL,
    created_at INTEGER NOT NULL, blocked INTEGER NOT NULL DEFAULT 0,
    next_article_slug_id INTEGER NOT NULL DEFAULT 1,
    next_category_slug_id INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS keys (
    key TEXT PRIMARY KEY, id TEXT NOT NULL, center_id TEXT NOT NULL, scopes TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS categories (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, center_id TEXT NOT NULL, parent_id TEXT,
    name TEXT NOT NULL, description TEXT NOT NULL, icon TEXT NOT NULL, slug TEXT NOT NULL,
    slug_id INTEGER NOT NULL, translations TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, center_id TEXT NOT NULL, slug_id INTEGER NOT NULL, category_id TEXT,
    subtitle TEXT, slug TEXT, seo_title TEXT, seo_desc TEXT,
    title TEXT NOT NULL, html TEXT NOT NULL, text TEXT NOT NULL,
    live INTEGER NOT NULL DEFAULT 0, dirty INTEGER NOT NULL DEFAULT 0,
    live_title TEXT, live_html TEXT, live_text TEXT,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, published_at INTEGER);
CREATE INDEX IF NOT EXISTS articles_center ON articles (center_id);
CREATE TABLE IF NOT EXISTS translations (
    article_id TEXT NOT NULL, language TEXT NOT NULL, slug TEXT, seo_title TEXT, seo_desc TEXT,
    title TEXT NOT NULL, html TEXT NOT NULL, text TEXT NOT NULL,
    live INTEGER NOT NULL DEFAULT 0, dirty INTEGER NOT NULL DEFAULT 0,
    live_title TEXT, live_html TEXT, live_text TEXT,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, published_at INTEGER,
    PRIMARY KEY (article_id, language));
CREATE TABLE IF NOT EXISTS images (
    sha256 TEXT PRIMARY KEY, filename TEXT NOT NULL, content_type TEXT NOT NULL,
    size INTEGER NOT NULL, data BLOB NOT NULL);
"""

_TABLES = ("centers", "keys", "categories", "articles", "translations", "images", "meta")


def _center(row: sqlite3.Row) -> Center:
    return Center(
        id=row["id"],
        name=row["name"],
        domain=row["domain"],
        default_language=row["default_language"],
        additional_languages=tuple(json.loads(row["additional_languages"])),
        created_at=row["created_at"],
        blocked=bool(row["blocked"]),
    )


def _key(row: sqlite3.Row) -> ApiKey:
    return ApiKey(
        id=row["id"],
        key=row["key"],
        center_id=row["center_id"],
        scopes=tuple(json.loads(row["scopes"])),
        revoked=bool(row["revoked"]),
        created_at=row["created_at"],
    )


def _category(row: sqlite3.Row) -> Category:
    return Category(
        id=row["id"],
        center_id=row["center_id"],
        parent_id=row["parent_id"],
        name=row["name"],
        description=row["description"],
        icon=row["icon"],
        slug=row["slug"],
        slug_id=row["slug_id"],
        translations=json.loads(row["translations"]),
        created_at=row["created_at"],
    )


def _article(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"],
        center_id=row["center_id"],
        slug_id=row["slug_id"],
        category_id=row["category_id"],
        subtitle=row["subtitle"],
        slug=row["slug"],
        seo_title=row["seo_title"],
        seo_desc=row["seo_desc"],
        title=row["title"],
        html=row["html"],
        text=row["text"],
        live=bool(row["live"]),
        dirty=bool(row["dirty"]),
        live_title=row["live_title"],
        live_html=row["live_html"],
        live_text=row["live_text"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        published_at=row["published_at"],
    )


def _translation(row: sqlite3.Row) -> Translation:
    return Translation(
        article_id=row["article_id"],
        language=row["language"],
        slug=row["slug"],
        seo_title=row["seo_title"],
        seo_desc=row["seo_desc"],
        title=row["title"],
        html=row["html"],
        text=row["text"],
        live=bool(row["live"]),
        dirty=bool(row["dirty"]),
        live_title=row["live_title"],
        live_html=row["live_html"],
        live_text=row["live_text"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        published_at=row["published_at"],
    )


_F = TypeVar("_F", bound=Callable[..., Any])


def _locked(method: _F) -> _F:
    """Run a whole store operation under the store's lock, so reads and writes stay together."""

    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return cast(_F, wrapper)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class Store(SqliteDb):
    """SQLite-backed state of one emulator, safe to share between threads.

    ``clock`` returns seconds since the epoch; it stamps ``created_at``/``updated_at`` and mints
    ids, so tests can pass a fake one.
    """

    def __init__(self, path: str = ":memory:", *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(path, _SCHEMA)
        self.clock = clock
        self._machine = secrets.token_hex(5)

    # -- plumbing ---------------------------------------------------------------------------

    def now_ms(self) -> int:
        """The clock, in whole milliseconds."""
        return int(self.clock() * 1000)

    def _new_id(self, db: sqlite3.Connection) -> str:
        row = db.execute("SELECT value FROM meta WHERE name = 'counter'").fetchone()
        counter = int(row["value"]) + 1 if row else 1
        db.execute(
            "INSERT INTO meta (name, value) VALUES ('counter', ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (str(counter),),
        )
        seconds = int(self.clock()) & 0xFFFFFFFF
        return f"{seconds:08x}{self._machine}{counter & 0xFFFFFF:06x}"

    def _seq(self, db: sqlite3.Connection, table: str) -> int:
        row = db.execute(f"SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM {table}").fetchone()
        return int(row["n"])

    @_locked
    def reset(self) -> None:
        """Delete everything: centers, keys, articles, categories, images."""
        with self._tx() as db:
            for table in _TABLES:
                db.execute(f"DELETE FROM {table}")

    # -- centers and keys -------------------------------------------------------------------

    @_locked
    def create_center(
        self,
        name: str,
        *,
        default_language: str = "en",
        additional_languages: Iterable[str] = (),
        domain: str | None = None,
    ) -> Center:
        """Create a center (the dashboard's job on the real service, §2)."""
        extra = list(dict.fromkeys(additional_languages))
        if not name.strip():
            raise missing_field("name is required")
        if default_language in extra:
            raise invalid_parameter("additional_languages must not contain default_language")
        with self._tx() as db:
            center_id = self._new_id(db)
            db.execute(
                "INSERT INTO centers (id, seq, name, domain, default_language, "
                "additional_languages, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    center_id,
                    self._seq(db, "centers"),
                    name,
                    domain,
                    default_language,
                    json.dumps(extra),
                    self.now_ms(),
                ),
            )
        return self.center(center_id)

    def center(self, center_id: str) -> Center:
        """The center, or 404 ``not_found``."""
        row = self._one("SELECT * FROM centers WHERE id = ?", (center_id,))
        if row is None:
            raise not_found("Center")
        return _center(row)

    def centers(self) -> list[Center]:
        """Every center, in creation order."""
        return [_center(r) for r in self._all("SELECT * FROM centers ORDER BY seq")]

    @_locked
    def block_center(self, center_id: str, blocked: bool = True) -> None:
        """Block (or unblock) a center: its API answers 403 ``center_blocked``."""
        self.center(center_id)
        with self._tx() as db:
            db.execute("UPDATE centers SET blocked = ? WHERE id = ?", (int(blocked), center_id))

    @_locked
    def create_key(self, center_id: str, scopes: Iterable[str] = ALL_SCOPES) -> ApiKey:
        """Mint an API key for the center with these scopes (§1)."""
        scope_list = list(dict.fromkeys(scopes))
        unknown = sorted(set(scope_list) - KNOWN_SCOPES)
        if unknown:
            raise invalid_parameter(f"Unknown scope: {', '.join(unknown)}")
        self.center(center_id)
        secret = "hck_" + secrets.token_hex(20)
        with self._tx() as db:
            key_id = self._new_id(db)
            db.execute(
                "INSERT INTO keys (key, id, center_id, scopes, created_at) VALUES (?, ?, ?, ?, ?)",
                (secret, key_id, center_id, json.dumps(scope_list), self.now_ms()),
            )
        found = self.find_key(secret)
        assert found is not None
        return found

    def find_key(self, key: str) -> ApiKey | None:
        """The key record for a secret (revoked ones included), or None."""
        row = self._one("SELECT * FROM keys WHERE key = ?", (key,))
        return _key(row) if row else None

    def keys(self, center_id: str) -> list[ApiKey]:
        """The center's keys, oldest first."""
        rows = self._all("SELECT * FROM keys WHERE center_id = ? ORDER BY rowid", (center_id,))
        return [_key(r) for r in rows]

    @_locked
    def revoke_key(self, key: str) -> None:
        """Revoke a key: it then gets 401 ``invalid_api_key``. Unknown keys: 404."""
        with self._tx() as db:
            if db.execute("UPDATE keys SET revoked = 1 WHERE key = ?", (key,)).rowcount == 0:
                raise not_found("Key")

    def check_language(self, center_id: str, lang: str) -> None:
        """400 ``invalid_language`` unless ``lang`` is one of the additional languages (§8)."""
        if lang not in self.center(center_id).additional_languages:
            raise invalid_language(lang)

    # -- categories -------------------------------------------------------------------------

    def categories(self, center_id: str) -> list[Category]:
        """Every category of the center (both levels), in creation order."""
        rows = self._all("SELECT * FROM categories WHERE center_id = ? ORDER BY seq", (center_id,))
        return [_category(r) for r in rows]

    def category(self, center_id: str, category_id: str) -> Category:
        """The category by id, or 404."""
        row = self._one(
            "SELECT * FROM categories WHERE center_id = ? AND id = ?", (center_id, category_id)
        )
        if row is None:
            raise not_found("Category")
        return _category(row)

    def resolve_category(self, center_id: str, ref: str) -> Category | None:
        """A category by id or, failing that, by slug (§14 C7)."""
        row = self._one(
            "SELECT * FROM categories WHERE center_id = ? AND id = ?", (center_id, ref)
        ) or self._one(
            "SELECT * FROM categories WHERE center_id = ? AND slug = ? ORDER BY seq",
            (center_id, ref),
        )
        return _category(row) if row else None

    def _check_category_translations(
        self, center_id: str, translations: Mapping[str, Any] | None
    ) -> None:
        if translations:
            for lang in translations:
                self.check_language(center_id, lang)

    @_locked
    def create_category(
        self,
        center_id: str,
        *,
        name: str,
        description: str = "",
        icon: str | None = None,
        parent_id: str | None = None,
        translations: Mapping[str, Mapping[str, str]] | None = None,
    ) -> Category:
        """Create a category or, with ``parent_id``, a subcategory (§9)."""
        if not name.strip():
            raise missing_field("name is required")
        self._check_category_translations(center_id, translations)
        if parent_id is not None:
            parent = self.category(center_id, parent_id)
            if parent.parent_id is not None:
                raise ApiError(
                    400,
                    "invalid_parent",
                    "Categories have one level of subcategories: the parent is a subcategory",
                )
        with self._tx() as db:
            center = db.execute(
                "SELECT next_category_slug_id FROM centers WHERE id = ?", (center_id,)
            ).fetchone()
            slug_id = int(center["next_category_slug_id"])
            db.execute(
                "UPDATE centers SET next_category_slug_id = ? WHERE id = ?",
                (slug_id + 1, center_id),
            )
            base = slugify(name) or "category"
            taken = {
                r["slug"]
                for r in db.execute("SELECT slug FROM categories WHERE center_id = ?", (center_id,))
            }
            slug, n = base, 1
            while slug in taken:
                n += 1
                slug = f"{base}-{n}"
            category_id = self._new_id(db)
            clean = {
                lang: {k: str(v) for k, v in value.items()}
                for lang, value in (translations or {}).items()
            }
            db.execute(
                "INSERT INTO categories (id, seq, center_id, parent_id, name, description, icon, "
                "slug, slug_id, translations, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    category_id,
                    self._seq(db, "categories"),
                    center_id,
                    parent_id,
                    name,
                    description,
                    icon if icon is not None else DEFAULT_ICON,
                    slug,
                    slug_id,
                    json.dumps(clean, ensure_ascii=False),
                    self.now_ms(),
                ),
            )
        return self.category(center_id, category_id)

    @_locked
    def update_category(
        self,
        center_id: str,
        category_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        icon: str | None = None,
        translations: Mapping[str, Mapping[str, str] | None] | None = None,
    ) -> Category:
        """Change a category's fields; ``translations`` merge per language (§9).

        A language mapped to ``None`` removes that language's translation. The slug does not
        follow a rename.
        """
        if name is not None and not name.strip():
            raise missing_field("name must not be empty")
        self._check_category_translations(center_id, translations)
        current = self.category(center_id, category_id)
        merged = {lang: dict(v) for lang, v in current.translations.items()}
        for lang, value in (translations or {}).items():
            if value is None:
                merged.pop(lang, None)
            else:
                merged.setdefault(lang, {}).update({k: str(v) for k, v in value.items()})
        with self._tx() as db:
            db.execute(
                "UPDATE categories SET name = ?, description = ?, icon = ?, translations = ? "
                "WHERE id = ?",
                (
                    current.name if name is None else name,
                    current.description if description is None else description,
                    current.icon if icon is None else icon,
                    json.dumps(merged, ensure_ascii=False),
                    category_id,
                ),
            )
        return self.category(center_id, category_id)

    @_locked
    def delete_category(self, center_id: str, category_id: str) -> None:
        """Delete a category and its subcategories, unless articles use any of them (§9)."""
        self.category(center_id, category_id)
        family = [category_id] + [
            r["id"]
            for r in self._all(
                "SELECT id FROM categories WHERE center_id = ? AND parent_id = ?",
                (center_id, category_id),
            )
        ]
        marks = ",".join("?" * len(family))
        blocking = [
            r["id"]
            for r in self._all(
                f"SELECT id FROM articles WHERE center_id = ? AND category_id IN ({marks}) "
                "ORDER BY created_at, id",
                (center_id, *family),
            )
        ]
        if blocking:
            raise ApiError(
                400,
                "category_has_articles",
                f"Category has {_plural(len(blocking), 'article')}: {', '.join(blocking)}. "
                "Move or delete them first.",
                extra={"article_ids": blocking},
            )
        with self._tx() as db:
            db.execute(f"DELETE FROM categories WHERE id IN ({marks})", family)

    # -- articles ---------------------------------------------------------------------------

    def article(self, center_id: str, article_id: str) -> Article:
        """The article (any status), or 404."""
        row = self._one(
            "SELECT * FROM articles WHERE center_id = ? AND id = ?", (center_id, article_id)
        )
        if row is None:
            raise not_found("Article")
        return _article(row)

    def articles(self, center_id: str) -> list[Article]:
        """Every article of the center, newest first (``created_at``, then ``id``, descending)."""
        rows = self._all(
            "SELECT * FROM articles WHERE center_id = ? ORDER BY created_at DESC, id DESC",
            (center_id,),
        )
        return [_article(r) for r in rows]

    def article_page(
        self,
        center_id: str,
        *,
        where: tuple[str, tuple[Any, ...]],
        cursor: tuple[str, str] | None,
        limit: int,
    ) -> tuple[list[Article], bool] | None:
        """One page of :meth:`articles` filtered by ``where`` (SQL, parameters), in time
        proportional to the page: ``cursor`` is (``"after"``/``"before"``, article id).
        None when the cursor article is not in the filtered list."""
        sql, args = where
        base = f"SELECT * FROM articles WHERE center_id = ? AND ({sql})"
        order, flip = "created_at DESC, id DESC", False
        if cursor is not None:
            row = self._one(f"{base} AND id = ?", (center_id, *args, cursor[1]))
            if row is None:
                return None
            if cursor[0] == "after":
                base += " AND (created_at < ? OR (created_at = ? AND id < ?))"
            else:
                base += " AND (created_at > ? OR (created_at = ? AND id > ?))"
                order, flip = "created_at, id", True
            args = (*args, row["created_at"], row["created_at"], row["id"])
        rows = self._all(f"{base} ORDER BY {order} LIMIT ?", (center_id, *args, limit + 1))
        more = len(rows) > limit
        page = [_article(r) for r in rows[:limit]]
        return (page[::-1] if flip else page), more

    def article_by_slug_id(self, center_id: str, slug_id: int) -> Article | None:
        """The article whose public URL carries ``slug_id``, or None."""
        row = self._one(
            "SELECT * FROM articles WHERE center_id = ? AND slug_id = ?", (center_id, slug_id)
        )
        return _article(row) if row else None

    def _category_ref(self, center_id: str, ref: str | None) -> str | None:
        if ref is None:
            first = self._one(
                "SELECT id FROM categories WHERE center_id = ? ORDER BY seq LIMIT 1", (center_id,)
            )
            return first["id"] if first else None
        found = self.resolve_category(center_id, ref)
        if found is None:
            raise not_found("Category")
        return found.id

    def _bump(self, previous: int) -> int:
        return max(self.now_ms(), previous + 1)

    @_locked
    def create_article(
        self,
        center_id: str,
        *,
        title: str,
        html: str = "",
        category: str | None = None,
        seo_title: str | None = None,
        seo_desc: str | None = None,
        subtitle: str | None = None,
    ) -> Article:
        """Create an article as an unpublished draft (§5 E9).

        ``category`` is an id or a slug; None picks the first category (null without any).
        """
        if not title.strip():
            raise missing_field("title is required")
        self.center(center_id)
        category_id = self._category_ref(center_id, category)
        clean = sanitize(html)
        with self._tx() as db:
            row = db.execute(
                "SELECT next_article_slug_id FROM centers WHERE id = ?", (center_id,)
            ).fetchone()
            slug_id = int(row["next_article_slug_id"])
            db.execute(
                "UPDATE centers SET next_article_slug_id = ? WHERE id = ?",
                (slug_id + 1, center_id),
            )
            article_id = self._new_id(db)
            now = self.now_ms()
            db.execute(
                "INSERT INTO articles (id, center_id, slug_id, category_id, subtitle, seo_title, "
                "seo_desc, title, html, text, created_at, updated_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    article_id,
                    center_id,
                    slug_id,
                    category_id,
                    subtitle,
                    seo_title,
                    seo_desc,
                    title,
                    clean,
                    html_to_text(clean),
                    now,
                    now,
                ),
            )
        return self.article(center_id, article_id)

    @_locked
    def update_metadata(
        self,
        center_id: str,
        article_id: str,
        *,
        category: str | Unset = UNSET,
        subtitle: str | None | Unset = UNSET,
        slug: str | Unset = UNSET,
        seo_title: str | None | Unset = UNSET,
        seo_desc: str | None | Unset = UNSET,
    ) -> Article:
        """Change category, subtitle, slug or SEO; live at once, status unchanged (§5 E10)."""
        current = self.article(center_id, article_id)
        new_slug = current.slug
        if isinstance(slug, str):
            new_slug = slugify(slug)
            if not new_slug:
                raise invalid_parameter("slug must contain letters or digits")
        category_id = current.category_id
        if isinstance(category, str):
            category_id = self._category_ref(center_id, category)
        with self._tx() as db:
            db.execute(
                "UPDATE articles SET category_id = ?, subtitle = ?, slug = ?, seo_title = ?, "
                "seo_desc = ?, updated_at = ? WHERE id = ?",
                (
                    category_id,
                    current.subtitle if isinstance(subtitle, Unset) else subtitle,
                    new_slug,
                    current.seo_title if isinstance(seo_title, Unset) else seo_title,
                    current.seo_desc if isinstance(seo_desc, Unset) else seo_desc,
                    self._bump(current.updated_at),
                    article_id,
                ),
            )
        return self.article(center_id, article_id)

    @_locked
    def update_draft(
        self,
        center_id: str,
        article_id: str,
        *,
        title: str | None = None,
        html: str | None = None,
    ) -> Article:
        """Edit the draft's title and/or HTML (§5 E18; also the web-UI edit).

        A live article becomes ``published_with_changes`` whatever changed (nothing is compared).
        """
        if title is None and html is None:
            raise missing_field("Provide title or html")
        if title is not None and not title.strip():
            raise missing_field("title must not be empty")
        current = self.article(center_id, article_id)
        new_html = current.html if html is None else sanitize(html)
        with self._tx() as db:
            db.execute(
                "UPDATE articles SET title = ?, html = ?, text = ?, dirty = ?, updated_at = ? "
                "WHERE id = ?",
                (
                    current.title if title is None else title,
                    new_html,
                    html_to_text(new_html),
                    int(current.live),
                    self._bump(current.updated_at),
                    article_id,
                ),
            )
        return self.article(center_id, article_id)

    edit_article = update_draft
    """A web-UI edit of the draft: the same rules as E18."""

    @_locked
    def publish_article(self, center_id: str, article_id: str) -> Article:
        """Copy the draft to the live version (§5 E12); a slug is generated if there is none."""
        current = self.article(center_id, article_id)
        live_html = sanitize(current.html)
        slug = current.slug or slugify(current.title) or "article"
        now = self._bump(current.updated_at)
        with self._tx() as db:
            db.execute(
                "UPDATE articles SET live = 1, dirty = 0, live_title = ?, live_html = ?, "
                "live_text = ?, html = ?, text = ?, slug = ?, published_at = ?, updated_at = ? "
                "WHERE id = ?",
                (
                    current.title,
                    live_html,
                    html_to_text(live_html),
                    live_html,
                    html_to_text(live_html),
                    slug,
                    now,
                    now,
                    article_id,
                ),
            )
        return self.article(center_id, article_id)

    @_locked
    def unpublish_article(self, center_id: str, article_id: str) -> Article:
        """Take the article and all its translations off the site; drafts kept (§5 E13).

        A no-op on an article that is not live.
        """
        current = self.article(center_id, article_id)
        if not current.live:
            return current
        with self._tx() as db:
            db.execute(
                "UPDATE articles SET live = 0, dirty = 0, live_title = NULL, live_html = NULL, "
                "live_text = NULL, published_at = NULL, updated_at = ? WHERE id = ?",
                (self._bump(current.updated_at), article_id),
            )
            for row in db.execute(
                "SELECT language, updated_at FROM translations WHERE article_id = ? AND live = 1",
                (article_id,),
            ).fetchall():
                db.execute(
                    "UPDATE translations SET live = 0, dirty = 0, live_title = NULL, "
                    "live_html = NULL, live_text = NULL, published_at = NULL, updated_at = ? "
                    "WHERE article_id = ? AND language = ?",
                    (self._bump(row["updated_at"]), article_id, row["language"]),
                )
        return self.article(center_id, article_id)

    @_locked
    def discard_draft(self, center_id: str, article_id: str) -> Article:
        """Reset the draft to the live version (§5 E19); 404 unless the article is live."""
        current = self.article(center_id, article_id)
        if not current.live:
            raise ApiError(404, "not_found", "Article has no published version to restore")
        if not current.dirty:
            return current
        with self._tx() as db:
            db.execute(
                "UPDATE articles SET dirty = 0, title = live_title, html = live_html, "
                "text = live_text, updated_at = ? WHERE id = ?",
                (self._bump(current.updated_at), article_id),
            )
        return self.article(center_id, article_id)

    @_locked
    def duplicate_article(self, center_id: str, article_id: str) -> Article:
        """Copy an article as a new unpublished draft titled ``Copy of ...`` (§5 E14).

        The draft (not the live version) is copied, with category, SEO and subtitle;
        translation drafts are copied as content only (title and HTML), none published.
        """
        source = self.article(center_id, article_id)
        copy = self.create_article(
            center_id,
            title=f"Copy of {source.title}",
            html=source.html,
            category=source.category_id,
            seo_title=source.seo_title,
            seo_desc=source.seo_desc,
            subtitle=source.subtitle,
        )
        for tr in self.translations(article_id):
            self.upsert_translation_draft(
                center_id,
                copy.id,
                tr.language,
                title=f"Copy of {tr.title}" if tr.title else "",
                html=tr.html,
            )
        return self.article(center_id, copy.id)

    @_locked
    def delete_article(self, center_id: str, article_id: str) -> None:
        """Delete the article, its draft and every translation for good (§5 E11)."""
        self.article(center_id, article_id)
        with self._tx() as db:
            db.execute("DELETE FROM translations WHERE article_id = ?", (article_id,))
            db.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    # -- translations -----------------------------------------------------------------------

    def translations(self, article_id: str) -> list[Translation]:
        """Every translation of an article (any status), by language code."""
        rows = self._all(
            "SELECT * FROM translations WHERE article_id = ? ORDER BY language", (article_id,)
        )
        return [_translation(r) for r in rows]

    def published_languages(self, article_id: str) -> list[str]:
        """Languages with a live translation, sorted (the ``translations`` array)."""
        return [t.language for t in self.translations(article_id) if t.live]

    def translation(self, center_id: str, article_id: str, lang: str) -> Translation:
        """The translation (any status); 404 for a missing article or language."""
        self.article(center_id, article_id)
        row = self._one(
            "SELECT * FROM translations WHERE article_id = ? AND language = ?", (article_id, lang)
        )
        if row is None:
            raise not_found("Translation")
        return _translation(row)

    @_locked
    def upsert_translation_draft(
        self,
        center_id: str,
        article_id: str,
        lang: str,
        *,
        title: str | None = None,
        html: str | None = None,
    ) -> Translation:
        """Create or update a translation draft (§5 E22).

        New: ``unpublished``. Live: ``published_with_changes``. A new translation needs a
        non-empty title or HTML.
        """
        if title is None and html is None:
            raise missing_field("Provide title or html")
        self.check_language(center_id, lang)
        self.article(center_id, article_id)
        clean = None if html is None else sanitize(html)
        with self._tx() as db:
            row = db.execute(
                "SELECT * FROM translations WHERE article_id = ? AND language = ?",
                (article_id, lang),
            ).fetchone()
            if row is None:
                if not (title or "").strip() and not (clean or "").strip():
                    raise missing_field("A new translation needs a title or html")
                now = self.now_ms()
                db.execute(
                    "INSERT INTO translations (article_id, language, title, html, text, "
                    "created_at, updated_at) VALUES (?,?,?,?,?,?,?)",
                    (
                        article_id,
                        lang,
                        title or "",
                        clean or "",
                        html_to_text(clean or ""),
                        now,
                        now,
                    ),
                )
            else:
                current = _translation(row)
                new_html = current.html if clean is None else clean
                db.execute(
                    "UPDATE translations SET title = ?, html = ?, text = ?, dirty = ?, "
                    "updated_at = ? WHERE article_id = ? AND language = ?",
                    (
                        current.title if title is None else title,
                        new_html,
                        html_to_text(new_html),
                        int(current.live),
                        self._bump(current.updated_at),
                        article_id,
                        lang,
                    ),
                )
        return self.translation(center_id, article_id, lang)

    @_locked
    def update_translation_metadata(
        self,
        center_id: str,
        article_id: str,
        lang: str,
        *,
        slug: str | Unset = UNSET,
        seo_title: str | None | Unset = UNSET,
        seo_desc: str | None | Unset = UNSET,
    ) -> Translation:
        """Change a translation's slug or SEO; live at once (§5 E23)."""
        self.check_language(center_id, lang)
        current = self.translation(center_id, article_id, lang)
        new_slug = current.slug
        if isinstance(slug, str):
            new_slug = slugify(slug)
            if not new_slug:
                raise invalid_parameter("slug must contain letters or digits")
        with self._tx() as db:
            db.execute(
                "UPDATE translations SET slug = ?, seo_title = ?, seo_desc = ?, updated_at = ? "
                "WHERE article_id = ? AND language = ?",
                (
                    new_slug,
                    current.seo_title if isinstance(seo_title, Unset) else seo_title,
                    current.seo_desc if isinstance(seo_desc, Unset) else seo_desc,
                    self._bump(current.updated_at),
                    article_id,
                    lang,
                ),
            )
        return self.translation(center_id, article_id, lang)

    @_locked
    def publish_translation(self, center_id: str, article_id: str, lang: str) -> Translation:
        """Make the translation live (§5 E25): the root must be live, and it needs content."""
        self.check_language(center_id, lang)
        current = self.translation(center_id, article_id, lang)
        if not self.article(center_id, article_id).live:
            raise ApiError(
                400,
                "root_not_published",
                "The main article must be published before its translations",
            )
        if not current.title.strip() and not current.html.strip():
            raise missing_field("The translation has no title or content")
        live_html = sanitize(current.html)
        now = self._bump(current.updated_at)
        with self._tx() as db:
            db.execute(
                "UPDATE translations SET live = 1, dirty = 0, live_title = title, live_html = ?, "
                "live_text = ?, html = ?, text = ?, slug = ?, published_at = ?, updated_at = ? "
                "WHERE article_id = ? AND language = ?",
                (
                    live_html,
                    html_to_text(live_html),
                    live_html,
                    html_to_text(live_html),
                    current.slug or slugify(current.title) or "article",
                    now,
                    now,
                    article_id,
                    lang,
                ),
            )
        return self.translation(center_id, article_id, lang)

    @_locked
    def unpublish_translation(self, center_id: str, article_id: str, lang: str) -> Translation:
        """Take one language off the site, keeping its draft (§5 E26); no-op if not live."""
        self.check_language(center_id, lang)
        current = self.translation(center_id, article_id, lang)
        if current.live:
            with self._tx() as db:
                db.execute(
                    "UPDATE translations SET live = 0, dirty = 0, live_title = NULL, "
                    "live_html = NULL, live_text = NULL, published_at = NULL, updated_at = ? "
                    "WHERE article_id = ? AND language = ?",
                    (self._bump(current.updated_at), article_id, lang),
                )
        return self.translation(center_id, article_id, lang)

    @_locked
    def delete_translation(self, center_id: str, article_id: str, lang: str) -> None:
        """Remove a translation's draft and live content (§5 E24)."""
        self.check_language(center_id, lang)
        self.translation(center_id, article_id, lang)
        with self._tx() as db:
            db.execute(
                "DELETE FROM translations WHERE article_id = ? AND language = ?",
                (article_id, lang),
            )

    # -- images -----------------------------------------------------------------------------

    @_locked
    def put_image(self, data: bytes, filename: str, content_type: str) -> Image:
        """Store image bytes once per sha256; returns the stored record (§10)."""
        digest = hashlib.sha256(data).hexdigest()
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO images (sha256, filename, content_type, size, data) "
                "VALUES (?,?,?,?,?)",
                (digest, filename, content_type, len(data), data),
            )
        image = self.image(digest)
        assert image is not None
        return image

    def image(self, sha256: str) -> Image | None:
        """The stored image with these bytes' sha256, or None."""
        row = self._one("SELECT * FROM images WHERE sha256 = ?", (sha256,))
        if row is None:
            return None
        return Image(
            sha256=row["sha256"],
            filename=row["filename"],
            content_type=row["content_type"],
            size=row["size"],
            data=bytes(row["data"]),
        )
