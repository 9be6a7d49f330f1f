"""State of the ClickHelp emulator: users, projects, publications, topics, TOC nodes, Storage,
tasks (clickhelp.md §2-§4).

The store holds the data and the business rules. It knows nothing about HTTP: the app checks
routes, credentials, roles and request bodies, then calls these methods, which raise
:class:`ApiError` for missing resources (404), invalid references (400) and duplicates (409).
Tests call the methods directly to seed data or act as a web-UI user.

Decisions where clickhelp.md is silent (§11 row numbers in brackets; ``app.py`` lists the
HTTP-level ones):

- times are whole seconds in GMT (``modifiedOn`` has second precision), so two API writes in
  the same second leave ``modifiedOn`` unchanged; only the web-UI edit control moves it forward
  by at least one second, so a test's "someone edited it" is always visible;
- every PATCH of a topic sets ``modifiedOn`` to now, even when the values are the same; TOC node
  changes never touch the topic's ``modifiedOn``;
- ids (project, publication, topic) are 1-255 characters from ``A-Z a-z 0-9 . _ -`` starting
  with a letter or digit, compared case-sensitively; project and publication ids share one
  namespace (both live under ``projects/``); node ids are GUIDs, task keys 32 hex digits;
- status names come from :attr:`Store.statuses` (default ``Draft``, ``Ready``), matched
  case-insensitively and stored in their canonical casing [3]; assignee and owner must be
  enabled Contributors [4]; ``isShowInToc`` defaults to false [5]; a topic created without a
  title takes its id as title;
- ``ordinalNo`` is a zero-based sibling index; siblings are renumbered 0..n-1 after every insert,
  move and delete; absent or negative means "append", too large is clamped [6];
- deleting a topic deletes its node and the node's whole subtree, topics included; deleting a
  node deletes its subtree and every topic in it [7]; bulk deletes are all-or-nothing;
- a language version is a project with ``lang`` and ``baseLangProjectId`` made by a test control
  only; it starts as a copy of its base project, and every structural change in the base
  (topic create/delete, folder create/move/delete, ``isShowInToc``) is repeated in it with the
  same topic and node ids; in a language version topics and nodes cannot be created, deleted or
  moved (400), only their text changed (topic PATCH, node caption) [13];
- topics and TOC nodes of a publication are copies that keep the project's topic and node ids;
  topics in a publication can be PATCHed and deleted, nothing can be created there and its TOC
  cannot be changed (400) [9, 18];
- a publish is validated when it is requested and applied when its task finishes (the first poll
  after :attr:`Store.task_polls` polls, or :attr:`Store.task_seconds` after the request at the
  next API call, whichever comes first); the copies keep the project topic's ``createdOn`` and
  ``modifiedOn``, so "published and up to date" is "same ``modifiedOn`` in both" [14];
- publish copies title, body, keywords, status, assignee, owner, caption and ``isShowInToc``;
  Partial keeps the position and ``isShowInToc`` of what is already there, adds what is missing
  under its project parent (at the project's ``ordinalNo``, clamped) when that parent is in the
  publication, otherwise skips it with a warning in the task's ``statusText``; it matches topics
  by topic id and folders by node id; it never moves or deletes [14, 23];
- ``publishedTocNodeIds`` publishes exactly the listed nodes; a listed node whose parent is not
  published is skipped with a warning [23]; ``outputTags`` are accepted and ignored;
- at publish the project's Storage folder is copied into the publication's folder (replacing it
  for a new publication or FullReplace, adding and overwriting for Partial), and in the copied
  bodies ``/resources/Storage/{projectId}/`` becomes ``/resources/Storage/{publicationId}/`` [16];
- HTML is stored exactly as sent [17]; a new publication is ``Private`` unless ``pubVisibility``
  says otherwise;
- Storage paths are ``/``-separated, relative to the Storage root; parent folders are implied by
  the files in them (and can also be created empty with ``isFolder``) [21].
"""

from __future__ import annotations

import base64
import fnmatch
import hmac
import json
import re
import secrets
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from hcsync.emulators.common.sqlite import SqliteDb

from .errors import ApiError, bad_request, conflict, not_found

ROLES: Final = ("Contributor", "Reviewer", "PowerReader")
"""Roles a test user can have: Contributors write, Reviewers only read, Power Readers cannot
use the API at all (403)."""

VISIBILITIES: Final = ("Private", "Restricted", "Public")
"""Publication visibilities (case-sensitive, §2.1)."""

ID_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")
"""Project, publication and topic ids (our rule; the documentation shows slugs only)."""

LANG_PATTERN: Final = re.compile(r"[a-z]{2}-[A-Z]{2}")
"""Four-letter language codes such as ``en-US`` (§2.5)."""

MAX_UPLOAD_BYTES: Final = 10 * 1024 * 1024
"""The base64 upload takes files up to 10 MB (M-UP64)."""


def gmt(seconds: int | None) -> str | None:
    """Seconds since the epoch as ``2025-03-01T10:00:00`` (GMT, no offset, no fraction)."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")


@dataclass(frozen=True, slots=True)
class User:
    """A portal user. ``api_key`` is the only key that works for this login (None: none)."""

    login: str
    role: str
    enabled: bool
    email: str
    api_key: str | None
    created_on: int

    @property
    def can_write(self) -> bool:
        """Contributors may change content; Reviewers may only read."""
        return self.role == "Contributor"


@dataclass(frozen=True, slots=True)
class Project:
    """A project (``parent_id`` None) or a publication of the project ``parent_id``."""

    id: str
    title: str
    parent_id: str | None
    visibility: str
    lang: str
    base_lang_project_id: str | None
    created_on: int

    @property
    def is_publication(self) -> bool:
        """Publications are ``projects/{id}`` whose ``parentId`` is their source project."""
        return self.parent_id is not None


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic (an "article" in paths) of a project or publication."""

    project_id: str
    id: str
    title: str
    body: str
    status: str
    assignee: str
    owner: str
    keywords: tuple[str, ...]
    created_on: int
    modified_on: int
    toc_node_id: str
    locked_by: str | None


@dataclass(frozen=True, slots=True)
class Node:
    """A TOC node; ``topic_id`` None for a folder."""

    project_id: str
    id: str
    parent_id: str | None
    ordinal_no: int
    topic_id: str | None
    caption: str
    is_show_in_toc: bool


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A Storage file or folder; ``path`` is relative to the Storage root, ``/``-separated."""

    path: str
    data: bytes
    is_folder: bool
    modified_by: str
    modified_on: int

    @property
    def name(self) -> str:
        """The last path segment."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def full_name(self) -> str:
        """``Storage\\folder\\file.png`` as the API reports it."""
        return "Storage\\" + self.path.replace("/", "\\")


@dataclass(frozen=True, slots=True)
class PublishRequest:
    """A validated publish: a new publication or an update of one (§3.1.5, §3.1.6)."""

    mode: str
    """``New``, ``FullReplace`` or ``Partial``."""
    pub_id: str
    pub_name: str | None
    visibility: str | None
    ready_only: bool
    node_ids: tuple[str, ...] | None

    def to_json(self) -> dict[str, Any]:
        """How a task keeps the request."""
        return {
            "mode": self.mode,
            "pub_id": self.pub_id,
            "pub_name": self.pub_name,
            "visibility": self.visibility,
            "ready_only": self.ready_only,
            "node_ids": list(self.node_ids) if self.node_ids is not None else None,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> PublishRequest:
        """The inverse of :meth:`to_json`."""
        ids = raw["node_ids"]
        return cls(
            mode=raw["mode"],
            pub_id=raw["pub_id"],
            pub_name=raw["pub_name"],
            visibility=raw["visibility"],
            ready_only=raw["ready_only"],
            node_ids=tuple(ids) if ids is not None else None,
        )


@dataclass(frozen=True, slots=True)
class Task:
    """A long operation (§3.1.11). ``succeeded`` is None while it runs."""

    key: str
    name: str
    project_id: str
    working: bool
    succeeded: bool | None
    status_text: str
    polls_left: int
    due: float

    def to_json(self) -> dict[str, Any]:
        """The task status object of ``GET tasks/{taskKey}``."""
        return {
            "isSucceeded": self.succeeded,
            "isWorking": self.working,
            "overallProgress": 50 if self.working else 100,
            "maxOverallProgress": 100,
            "statusText": self.status_text,
            "taskName": self.name,
        }


_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    login TEXT PRIMARY KEY, seq INTEGER NOT NULL, role TEXT NOT NULL, enabled INTEGER NOT NULL,
    email TEXT NOT NULL, api_key TEXT, created_on INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS projects (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, title TEXT NOT NULL, parent_id TEXT,
    visibility TEXT NOT NULL, lang TEXT NOT NULL, base_lang_project_id TEXT,
    created_on INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS topics (
    project_id TEXT NOT NULL, id TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL,
    status TEXT NOT NULL, assignee TEXT NOT NULL, owner TEXT NOT NULL, keywords TEXT NOT NULL,
    created_on INTEGER NOT NULL, modified_on INTEGER NOT NULL, toc_node_id TEXT NOT NULL,
    locked_by TEXT, PRIMARY KEY (project_id, id));
CREATE TABLE IF NOT EXISTS nodes (
    project_id TEXT NOT NULL, id TEXT NOT NULL, parent_id TEXT, ordinal_no INTEGER NOT NULL,
    topic_id TEXT, caption TEXT NOT NULL, is_show_in_toc INTEGER NOT NULL,
    PRIMARY KEY (project_id, id));
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, data BLOB NOT NULL, is_folder INTEGER NOT NULL,
    modified_by TEXT NOT NULL, modified_on INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
    key TEXT PRIMARY KEY, name TEXT NOT NULL, project_id TEXT NOT NULL, request TEXT NOT NULL,
    working INTEGER NOT NULL, succeeded INTEGER, status_text TEXT NOT NULL,
    polls_left INTEGER NOT NULL, due REAL NOT NULL, fail INTEGER NOT NULL);
"""

_TABLES = ("users", "projects", "topics", "nodes", "files", "tasks")


def _user(row: sqlite3.Row) -> User:
    return User(
        login=row["login"],
        role=row["role"],
        enabled=bool(row["enabled"]),
        email=row["email"],
        api_key=row["api_key"],
        created_on=row["created_on"],
    )


def _project(row: sqlite3.Row) -> Project:
    return Project(
        id=row["id"],
        title=row["title"],
        parent_id=row["parent_id"],
        visibility=row["visibility"],
        lang=row["lang"],
        base_lang_project_id=row["base_lang_project_id"],
        created_on=row["created_on"],
    )


def _topic(row: sqlite3.Row) -> Topic:
    return Topic(
        project_id=row["project_id"],
        id=row["id"],
        title=row["title"],
        body=row["body"],
        status=row["status"],
        assignee=row["assignee"],
        owner=row["owner"],
        keywords=tuple(json.loads(row["keywords"])),
        created_on=row["created_on"],
        modified_on=row["modified_on"],
        toc_node_id=row["toc_node_id"],
        locked_by=row["locked_by"],
    )


def _node(row: sqlite3.Row) -> Node:
    return Node(
        project_id=row["project_id"],
        id=row["id"],
        parent_id=row["parent_id"],
        ordinal_no=row["ordinal_no"],
        topic_id=row["topic_id"],
        caption=row["caption"],
        is_show_in_toc=bool(row["is_show_in_toc"]),
    )


def _file(row: sqlite3.Row) -> StoredFile:
    return StoredFile(
        path=row["path"],
        data=bytes(row["data"]),
        is_folder=bool(row["is_folder"]),
        modified_by=row["modified_by"],
        modified_on=row["modified_on"],
    )


def _task(row: sqlite3.Row) -> Task:
    return Task(
        key=row["key"],
        name=row["name"],
        project_id=row["project_id"],
        working=bool(row["working"]),
        succeeded=None if row["succeeded"] is None else bool(row["succeeded"]),
        status_text=row["status_text"],
        polls_left=row["polls_left"],
        due=row["due"],
    )


def check_id(value: str, what: str) -> str:
    """``value`` if it is a valid id, else 400."""
    if not ID_PATTERN.fullmatch(value):
        raise bad_request(
            f"{what} '{value}' is not valid: use 1-255 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit."
        )
    return value


def storage_path(raw: str) -> str:
    """A Storage path as the store keys it: ``/``-separated, no ``Storage`` prefix, no dots."""
    text = raw.replace("\\", "/").strip("/")
    if text == "Storage" or text.startswith("Storage/"):
        text = text[len("Storage") :].strip("/")
    parts = [p for p in text.split("/") if p]
    if any(p in (".", "..") for p in parts):
        raise bad_request(f"Storage path '{raw}' is not valid.")
    return "/".join(parts)


def dfs_order(nodes: Iterable[Node]) -> list[Node]:
    """Nodes depth-first in TOC order (parents before children, siblings by ``ordinalNo``)."""
    children: dict[str | None, list[Node]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    for group in children.values():
        group.sort(key=lambda n: (n.ordinal_no, n.id))
    out: list[Node] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(children.get(node.id, [])))
    return out


def subtree(nodes: Iterable[Node], root_id: str) -> list[Node]:
    """``root_id`` and everything under it, depth-first (the root first)."""
    children: dict[str | None, list[Node]] = {}
    by_id: dict[str, Node] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
        by_id[node.id] = node
    for group in children.values():
        group.sort(key=lambda n: (n.ordinal_no, n.id))
    out: list[Node] = []
    stack = [by_id[root_id]] if root_id in by_id else []
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(children.get(node.id, [])))
    return out


class Store(SqliteDb):
    """SQLite-backed state of one ClickHelp portal, safe to share between threads.

    ``clock`` returns seconds since the epoch; it stamps ``createdOn``/``modifiedOn`` (floored
    to whole seconds) and decides when tasks are due, so tests pass a fake one.
    ``statuses`` are the workflow status names the portal knows; ``task_polls`` and
    ``task_seconds`` say when a task finishes (see the module docstring).
    """

    def __init__(
        self,
        path: str = ":memory:",
        *,
        clock: Callable[[], float] = time.time,
        statuses: Sequence[str] = ("Draft", "Ready"),
        task_polls: int = 1,
        task_seconds: float = 2.0,
    ) -> None:
        super().__init__(path, _SCHEMA)
        self.clock = clock
        self.statuses = tuple(statuses)
        self.task_polls = task_polls
        self.task_seconds = task_seconds
        self._fail_tasks = 0

    def now(self) -> int:
        """The clock, in whole seconds."""
        return int(self.clock())

    def reset(self) -> None:
        """Delete everything: users, projects, publications, topics, nodes, files, tasks."""
        with self._tx() as db:
            for table in _TABLES:
                db.execute(f"DELETE FROM {table}")
        self._fail_tasks = 0

    # -- users ------------------------------------------------------------------------------

    def create_user(self, login: str, role: str = "Contributor", *, email: str = "") -> User:
        """A new user with a fresh API key; 409 if the login exists, 400 for a bad role."""
        if not login or not re.fullmatch(r"[A-Za-z0-9._@-]{1,100}", login):
            raise bad_request(f"Login '{login}' is not valid.")
        if role not in ROLES:
            raise bad_request(f"Role '{role}' is not one of {', '.join(ROLES)}.")
        with self._tx() as db:
            if db.execute("SELECT 1 FROM users WHERE login = ?", (login,)).fetchone():
                raise conflict(f"User with login '{login}' already exists.")
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM users").fetchone()[0]
            db.execute(
                "INSERT INTO users VALUES (?, ?, ?, 1, ?, ?, ?)",
                (login, seq, role, email or f"{login}@example.com", _new_key(), self.now()),
            )
        return self.user(login)

    def user(self, login: str) -> User:
        """The user, or 404."""
        row = self._one("SELECT * FROM users WHERE login = ?", (login,))
        if row is None:
            raise not_found(f"User '{login}' was not found.")
        return _user(row)

    def users(self) -> list[User]:
        """Every user, in creation order."""
        return [_user(r) for r in self._all("SELECT * FROM users ORDER BY seq")]

    def new_key(self, login: str) -> User:
        """Generate a new API key; the previous one stops working (M-AUTH-OLD)."""
        with self._tx() as db:
            if not db.execute(
                "UPDATE users SET api_key = ? WHERE login = ?", (_new_key(), login)
            ).rowcount:
                raise not_found(f"User '{login}' was not found.")
        return self.user(login)

    def set_user_enabled(self, login: str, enabled: bool) -> User:
        """Enable or disable an account (a disabled one gets 401)."""
        with self._tx() as db:
            cur = db.execute("UPDATE users SET enabled = ? WHERE login = ?", (int(enabled), login))
            if not cur.rowcount:
                raise not_found(f"User '{login}' was not found.")
        return self.user(login)

    def authenticate(self, login: str, key: str) -> User | None:
        """The user if ``key`` is its current key (enabled or not), else None."""
        row = self._one("SELECT * FROM users WHERE login = ?", (login,))
        if row is None or row["api_key"] is None:
            return None
        if not hmac.compare_digest(row["api_key"].encode(), key.encode()):
            return None
        return _user(row)

    def _check_contributor(self, db: sqlite3.Connection, login: str, field: str) -> None:
        row = db.execute("SELECT role, enabled FROM users WHERE login = ?", (login,)).fetchone()
        if row is None or row["role"] != "Contributor" or not row["enabled"]:
            raise bad_request(f"{field} '{login}' is not an enabled Contributor of this portal.")

    def canonical_status(self, name: str) -> str:
        """The portal's spelling of a status name (case-insensitive match), or 400."""
        for status in self.statuses:
            if status.lower() == name.lower():
                return status
        raise bad_request(f"Status '{name}' does not exist. Known: {', '.join(self.statuses)}.")

    # -- projects and publications ----------------------------------------------------------

    def create_project(
        self,
        project_id: str,
        title: str,
        *,
        lang: str = "en-US",
        base_project_id: str | None = None,
    ) -> Project:
        """A new empty project, or a language version of ``base_project_id`` (a copy of it).

        There is no API to create either (§3.1.9, §11 row 13): this is a test control.
        """
        check_id(project_id, "Project ID")
        if not LANG_PATTERN.fullmatch(lang):
            raise bad_request(f"Language '{lang}' is not a four-letter code such as 'en-US'.")
        with self._tx() as db:
            if db.execute("SELECT 1 FROM projects WHERE id = ?", (project_id,)).fetchone():
                raise conflict(f"Project with ID '{project_id}' already exists.")
            if base_project_id is not None:
                base = self._project_in(db, base_project_id)
                if base.is_publication or base.base_lang_project_id is not None:
                    raise bad_request(f"'{base_project_id}' is not a base project.")
                if (
                    base.lang == lang
                    or db.execute(
                        "SELECT 1 FROM projects WHERE base_lang_project_id = ? AND lang = ?",
                        (base_project_id, lang),
                    ).fetchone()
                ):
                    raise conflict(f"Project '{base_project_id}' already has language {lang}.")
            self._insert_project(db, project_id, title, None, "Private", lang, base_project_id)
            if base_project_id is not None:
                self._copy_content(db, base_project_id, project_id, modified=None)
        return self.project(project_id)

    def _insert_project(
        self,
        db: sqlite3.Connection,
        project_id: str,
        title: str,
        parent_id: str | None,
        visibility: str,
        lang: str,
        base: str | None,
    ) -> None:
        seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM projects").fetchone()[0]
        db.execute(
            "INSERT INTO projects VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (project_id, seq, title, parent_id, visibility, lang, base, self.now()),
        )

    def _copy_content(
        self, db: sqlite3.Connection, source: str, target: str, modified: int | None
    ) -> None:
        """Copy every node and topic of ``source`` into the empty ``target`` (same ids)."""
        db.execute(
            "INSERT INTO nodes SELECT ?, id, parent_id, ordinal_no, topic_id, caption, "
            "is_show_in_toc FROM nodes WHERE project_id = ?",
            (target, source),
        )
        db.execute(
            "INSERT INTO topics SELECT ?, id, title, body, status, assignee, owner, keywords, "
            "created_on, COALESCE(?, modified_on), toc_node_id, NULL FROM topics "
            "WHERE project_id = ?",
            (target, modified, source),
        )

    def project(self, project_id: str) -> Project:
        """A project or publication, or 404."""
        row = self._one("SELECT * FROM projects WHERE id = ?", (project_id,))
        if row is None:
            raise not_found(f"Project or publication '{project_id}' was not found.")
        return _project(row)

    def _project_in(self, db: sqlite3.Connection, project_id: str) -> Project:
        row = db.execute("SELECT * FROM projects WHERE id = ?", (project_id,)).fetchone()
        if row is None:
            raise not_found(f"Project or publication '{project_id}' was not found.")
        return _project(row)

    def projects(self, *, parent_id: str | None = None) -> list[Project]:
        """Every project and publication (or the publications of ``parent_id``), in order."""
        if parent_id is not None:
            rows = self._all(
                "SELECT * FROM projects WHERE parent_id = ? ORDER BY seq", (parent_id,)
            )
        else:
            rows = self._all("SELECT * FROM projects ORDER BY seq")
        return [_project(r) for r in rows]

    def language_versions(self, project_id: str) -> list[Project]:
        """The language versions of a base project."""
        rows = self._all(
            "SELECT * FROM projects WHERE base_lang_project_id = ? ORDER BY seq", (project_id,)
        )
        return [_project(r) for r in rows]

    def set_visibility(self, publication_id: str, visibility: str) -> Project:
        """Change a publication's visibility (§3.1.4); 400 on a project or a bad value."""
        if visibility not in VISIBILITIES:
            raise bad_request(f"Visibility '{visibility}' is not one of {', '.join(VISIBILITIES)}.")
        with self._tx() as db:
            project = self._project_in(db, publication_id)
            if not project.is_publication:
                raise bad_request(
                    f"'{publication_id}' is a project; only publications have a visibility."
                )
            db.execute(
                "UPDATE projects SET visibility = ? WHERE id = ?", (visibility, publication_id)
            )
        return self.project(publication_id)

    def _writable_project(self, db: sqlite3.Connection, project_id: str, action: str) -> Project:
        """The project, if topics and nodes may be created or moved in it (else 400/404)."""
        project = self._project_in(db, project_id)
        if project.is_publication:
            raise bad_request(f"Cannot {action} in publication '{project_id}'; change its project.")
        if project.base_lang_project_id is not None:
            raise bad_request(
                f"Cannot {action} in language version '{project_id}'; its structure follows "
                f"base project '{project.base_lang_project_id}'."
            )
        return project

    def _family(self, db: sqlite3.Connection, project_id: str) -> list[str]:
        """The project and its language versions: where structural changes happen."""
        rows = db.execute(
            "SELECT id FROM projects WHERE base_lang_project_id = ? ORDER BY seq", (project_id,)
        ).fetchall()
        return [project_id, *(r["id"] for r in rows)]

    # -- TOC nodes --------------------------------------------------------------------------

    def nodes(self, project_id: str) -> list[Node]:
        """Every node of a project or publication, depth-first in TOC order (404 if unknown)."""
        self.project(project_id)
        rows = self._all("SELECT * FROM nodes WHERE project_id = ?", (project_id,))
        return dfs_order(_node(r) for r in rows)

    def node(self, project_id: str, node_id: str) -> Node:
        """One node, or 404."""
        self.project(project_id)
        row = self._one(
            "SELECT * FROM nodes WHERE project_id = ? AND id = ?", (project_id, node_id)
        )
        if row is None:
            raise not_found(f"TOC node '{node_id}' was not found in '{project_id}'.")
        return _node(row)

    def children(self, project_id: str, node_id: str, *, recursive: bool = False) -> list[Node]:
        """Direct children of a node in order, or (``recursive``) its whole subtree."""
        self.node(project_id, node_id)
        all_nodes = self.nodes(project_id)
        if recursive:
            return subtree(all_nodes, node_id)[1:]
        return [n for n in all_nodes if n.parent_id == node_id]

    def _node_rows(self, db: sqlite3.Connection, project_id: str) -> list[Node]:
        rows = db.execute("SELECT * FROM nodes WHERE project_id = ?", (project_id,)).fetchall()
        return [_node(r) for r in rows]

    def _check_parent(self, db: sqlite3.Connection, project_id: str, parent_id: str | None) -> None:
        if (
            parent_id is not None
            and not db.execute(
                "SELECT 1 FROM nodes WHERE project_id = ? AND id = ?", (project_id, parent_id)
            ).fetchone()
        ):
            raise bad_request(f"Parent TOC node '{parent_id}' does not exist in '{project_id}'.")

    def _place(
        self,
        db: sqlite3.Connection,
        project_id: str,
        node_id: str,
        parent_id: str | None,
        ordinal_no: int | None,
    ) -> None:
        """Put an existing node under ``parent_id`` at ``ordinal_no``; renumber both lists."""
        old = db.execute(
            "SELECT parent_id FROM nodes WHERE project_id = ? AND id = ?", (project_id, node_id)
        ).fetchone()
        siblings = self._sibling_ids(db, project_id, parent_id, exclude=node_id)
        at = (
            len(siblings)
            if ordinal_no is None or ordinal_no < 0
            else min(ordinal_no, len(siblings))
        )
        siblings.insert(at, node_id)
        db.execute(
            "UPDATE nodes SET parent_id = ? WHERE project_id = ? AND id = ?",
            (parent_id, project_id, node_id),
        )
        self._renumber(db, project_id, siblings)
        if old is not None and old["parent_id"] != parent_id:
            self._renumber(db, project_id, self._sibling_ids(db, project_id, old["parent_id"]))

    def _sibling_ids(
        self,
        db: sqlite3.Connection,
        project_id: str,
        parent_id: str | None,
        exclude: str | None = None,
    ) -> list[str]:
        rows = db.execute(
            "SELECT id FROM nodes WHERE project_id = ? AND parent_id IS ? AND id IS NOT ? "
            "ORDER BY ordinal_no, id",
            (project_id, parent_id, exclude),
        ).fetchall()
        return [r["id"] for r in rows]

    @staticmethod
    def _renumber(db: sqlite3.Connection, project_id: str, ids: list[str]) -> None:
        for index, nid in enumerate(ids):
            db.execute(
                "UPDATE nodes SET ordinal_no = ? WHERE project_id = ? AND id = ?",
                (index, project_id, nid),
            )

    def _insert_node(
        self,
        db: sqlite3.Connection,
        project_id: str,
        node_id: str,
        *,
        parent_id: str | None,
        ordinal_no: int | None,
        topic_id: str | None,
        caption: str,
        show: bool,
    ) -> None:
        db.execute(
            "INSERT INTO nodes VALUES (?, ?, ?, ?, ?, ?, ?)",
            (project_id, node_id, parent_id, 1 << 30, topic_id, caption, int(show)),
        )
        self._place(db, project_id, node_id, parent_id, ordinal_no)

    def create_folder(
        self,
        project_id: str,
        caption: str,
        *,
        parent_id: str | None = None,
        ordinal_no: int | None = None,
        is_show_in_toc: bool = False,
    ) -> Node:
        """A folder node (no topic) in a project and its language versions (§3.3.4)."""
        node_id = str(uuid.uuid4())
        with self._tx() as db:
            self._writable_project(db, project_id, "create TOC nodes")
            self._check_parent(db, project_id, parent_id)
            for pid in self._family(db, project_id):
                self._insert_node(
                    db,
                    pid,
                    node_id,
                    parent_id=parent_id,
                    ordinal_no=ordinal_no,
                    topic_id=None,
                    caption=caption,
                    show=is_show_in_toc,
                )
        return self.node(project_id, node_id)

    def update_node(self, project_id: str, node_id: str, changes: Mapping[str, Any]) -> Node:
        """Apply a node PATCH: ``caption``, ``isShowInToc``, ``parentId``, ``ordinalNo`` (§3.3.5).

        ``changes`` holds only the listed fields, already type-checked. Moving under itself or
        a descendant is 400; in a publication nothing may change, in a language version only
        the caption.
        """
        with self._tx() as db:
            project = self._project_in(db, project_id)
            node = self._node_in(db, project_id, node_id)
            if project.is_publication:
                raise bad_request(f"Cannot change the TOC of publication '{project_id}'.")
            structural = set(changes) - {"caption"}
            if project.base_lang_project_id is not None and structural:
                raise bad_request(
                    f"Cannot change {', '.join(sorted(structural))} in language version "
                    f"'{project_id}'; its structure follows base project "
                    f"'{project.base_lang_project_id}'."
                )
            if "caption" in changes:
                db.execute(
                    "UPDATE nodes SET caption = ? WHERE project_id = ? AND id = ?",
                    (changes["caption"], project_id, node_id),
                )
            family = self._family(db, project_id)
            if "isShowInToc" in changes:
                for pid in family:
                    db.execute(
                        "UPDATE nodes SET is_show_in_toc = ? WHERE project_id = ? AND id = ?",
                        (int(changes["isShowInToc"]), pid, node_id),
                    )
            if "parentId" in changes or "ordinalNo" in changes:
                parent = changes["parentId"] if "parentId" in changes else node.parent_id
                self._check_parent(db, project_id, parent)
                if parent is not None and parent in {
                    n.id for n in subtree(self._node_rows(db, project_id), node_id)
                }:
                    raise bad_request(f"Cannot move TOC node '{node_id}' under itself.")
                ordinal = changes.get("ordinalNo")
                for pid in family:
                    self._place(db, pid, node_id, parent, ordinal)
        return self.node(project_id, node_id)

    def _node_in(self, db: sqlite3.Connection, project_id: str, node_id: str) -> Node:
        row = db.execute(
            "SELECT * FROM nodes WHERE project_id = ? AND id = ?", (project_id, node_id)
        ).fetchone()
        if row is None:
            raise not_found(f"TOC node '{node_id}' was not found in '{project_id}'.")
        return _node(row)

    def delete_nodes(self, project_id: str, node_ids: Sequence[str]) -> None:
        """Delete nodes with their subtrees and every topic in them (all or nothing, §11 row 7)."""
        with self._tx() as db:
            self._writable_project(db, project_id, "delete TOC nodes")
            for nid in node_ids:
                self._node_in(db, project_id, nid)
            for pid in self._family(db, project_id):
                for nid in node_ids:
                    self._delete_subtree(db, pid, nid)

    def _delete_subtree(self, db: sqlite3.Connection, project_id: str, node_id: str) -> None:
        nodes = self._node_rows(db, project_id)
        doomed = subtree(nodes, node_id)
        if not doomed:
            return
        for node in doomed:
            db.execute("DELETE FROM nodes WHERE project_id = ? AND id = ?", (project_id, node.id))
            if node.topic_id is not None:
                db.execute(
                    "DELETE FROM topics WHERE project_id = ? AND id = ?",
                    (project_id, node.topic_id),
                )
        parent = doomed[0].parent_id
        self._renumber(db, project_id, self._sibling_ids(db, project_id, parent))

    # -- topics -----------------------------------------------------------------------------

    def topics(self, project_id: str) -> list[Topic]:
        """Every topic of a project or publication, in TOC order (§11 row 19)."""
        self.project(project_id)
        order = {n.id: i for i, n in enumerate(self.nodes(project_id))}
        rows = self._all("SELECT * FROM topics WHERE project_id = ?", (project_id,))
        topics = [_topic(r) for r in rows]
        return sorted(topics, key=lambda t: (order.get(t.toc_node_id, len(order)), t.id))

    def topic(self, project_id: str, topic_id: str) -> Topic:
        """One topic, or 404."""
        self.project(project_id)
        row = self._one(
            "SELECT * FROM topics WHERE project_id = ? AND id = ?", (project_id, topic_id)
        )
        if row is None:
            raise not_found(f"Topic '{topic_id}' was not found in '{project_id}'.")
        return _topic(row)

    def _topic_in(self, db: sqlite3.Connection, project_id: str, topic_id: str) -> Topic:
        row = db.execute(
            "SELECT * FROM topics WHERE project_id = ? AND id = ?", (project_id, topic_id)
        ).fetchone()
        if row is None:
            raise not_found(f"Topic '{topic_id}' was not found in '{project_id}'.")
        return _topic(row)

    def create_topic(
        self,
        project_id: str,
        topic_id: str,
        *,
        status: str,
        assignee: str,
        owner: str,
        title: str | None = None,
        body: str = "",
        parent_node_id: str | None = None,
        ordinal_no: int | None = None,
        caption: str = "",
        is_show_in_toc: bool = False,
        keywords: Sequence[str] = (),
    ) -> Topic:
        """A topic and its TOC node, in the project and its language versions (§3.2.3)."""
        check_id(topic_id, "Topic ID")
        canonical = self.canonical_status(status)
        node_id = str(uuid.uuid4())
        now = self.now()
        with self._tx() as db:
            self._writable_project(db, project_id, "create topics")
            if db.execute(
                "SELECT 1 FROM topics WHERE project_id = ? AND id = ?", (project_id, topic_id)
            ).fetchone():
                raise conflict(
                    f"Topic with ID '{topic_id}' already exists in project '{project_id}'."
                )
            self._check_contributor(db, assignee, "Assignee")
            self._check_contributor(db, owner, "Owner")
            self._check_parent(db, project_id, parent_node_id)
            for pid in self._family(db, project_id):
                db.execute(
                    "INSERT INTO topics VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                    (
                        pid,
                        topic_id,
                        topic_id if title is None else title,
                        body,
                        canonical,
                        assignee,
                        owner,
                        json.dumps(list(keywords)),
                        now,
                        now,
                        node_id,
                    ),
                )
                self._insert_node(
                    db,
                    pid,
                    node_id,
                    parent_id=parent_node_id,
                    ordinal_no=ordinal_no,
                    topic_id=topic_id,
                    caption=caption,
                    show=is_show_in_toc,
                )
        return self.topic(project_id, topic_id)

    def update_topic(self, project_id: str, topic_id: str, changes: Mapping[str, Any]) -> Topic:
        """Apply a topic PATCH (§3.2.4). ``changes`` maps listed API field names to values.

        Keys: ``title``, ``body``, ``statusName``, ``assigneeUserName``, ``ownerUserName``,
        ``indexKeywords``. Always sets ``modifiedOn`` to now. 409 while the topic is locked.
        """
        with self._tx() as db:
            self._project_in(db, project_id)
            topic = self._topic_in(db, project_id, topic_id)
            if topic.locked_by is not None:
                raise conflict(f"Topic '{topic_id}' is locked by {topic.locked_by}.")
            values: dict[str, Any] = {}
            if "title" in changes:
                values["title"] = changes["title"]
            if "body" in changes:
                values["body"] = changes["body"]
            if "statusName" in changes:
                values["status"] = self.canonical_status(changes["statusName"])
            if "assigneeUserName" in changes:
                self._check_contributor(db, changes["assigneeUserName"], "Assignee")
                values["assignee"] = changes["assigneeUserName"]
            if "ownerUserName" in changes:
                self._check_contributor(db, changes["ownerUserName"], "Owner")
                values["owner"] = changes["ownerUserName"]
            if "indexKeywords" in changes:
                values["keywords"] = json.dumps(list(changes["indexKeywords"]))
            values["modified_on"] = self.now()
            self._set_topic(db, project_id, topic_id, values)
        return self.topic(project_id, topic_id)

    @staticmethod
    def _set_topic(
        db: sqlite3.Connection, project_id: str, topic_id: str, values: Mapping[str, Any]
    ) -> None:
        sets = ", ".join(f"{name} = ?" for name in values)
        db.execute(
            f"UPDATE topics SET {sets} WHERE project_id = ? AND id = ?",
            (*values.values(), project_id, topic_id),
        )

    def web_edit(
        self, project_id: str, topic_id: str, *, title: str | None = None, body: str | None = None
    ) -> Topic:
        """Edit a topic as a web-UI user would; ``modifiedOn`` moves forward by at least 1 s."""
        with self._tx() as db:
            topic = self._topic_in(db, project_id, topic_id)
            values: dict[str, Any] = {"modified_on": max(self.now(), topic.modified_on + 1)}
            if title is not None:
                values["title"] = title
            if body is not None:
                values["body"] = body
            self._set_topic(db, project_id, topic_id, values)
        return self.topic(project_id, topic_id)

    def lock_topic(self, project_id: str, topic_id: str, login: str | None) -> Topic:
        """Lock a topic as if ``login`` were editing it in the UI (None unlocks, §11 row 10)."""
        with self._tx() as db:
            self._topic_in(db, project_id, topic_id)
            self._set_topic(db, project_id, topic_id, {"locked_by": login})
        return self.topic(project_id, topic_id)

    def delete_topics(self, project_id: str, topic_ids: Sequence[str]) -> None:
        """Delete topics with their nodes and subtrees (all or nothing, §11 row 7).

        Allowed in projects (repeated in language versions) and publications, not in a
        language version. 409 if one is locked.
        """
        with self._tx() as db:
            project = self._project_in(db, project_id)
            if project.base_lang_project_id is not None:
                raise bad_request(
                    f"Cannot delete topics in language version '{project_id}'; delete them in "
                    f"base project '{project.base_lang_project_id}'."
                )
            topics = [self._topic_in(db, project_id, tid) for tid in topic_ids]
            for topic in topics:
                if topic.locked_by is not None:
                    raise conflict(f"Topic '{topic.id}' is locked by {topic.locked_by}.")
            family = [project_id] if project.is_publication else self._family(db, project_id)
            for pid in family:
                for topic in topics:
                    self._delete_subtree(db, pid, topic.toc_node_id)
                    db.execute(
                        "DELETE FROM topics WHERE project_id = ? AND id = ?", (pid, topic.id)
                    )

    # -- Storage ----------------------------------------------------------------------------

    def put_file(
        self,
        path: str,
        data: bytes,
        *,
        by: str,
        is_folder: bool = False,
        overwrite: bool = False,
    ) -> tuple[StoredFile, bool]:
        """Store a file (or an empty folder); returns it and whether it is new (409 if it
        exists and ``overwrite`` is false)."""
        key = storage_path(path)
        if not key:
            raise bad_request("A Storage path is required.")
        if len(data) > MAX_UPLOAD_BYTES:
            raise bad_request("The file is larger than 10 MB.")
        with self._tx() as db:
            existing = db.execute("SELECT is_folder FROM files WHERE path = ?", (key,)).fetchone()
            implied = db.execute(
                "SELECT 1 FROM files WHERE path LIKE ? ESCAPE '\\' LIMIT 1", (_like_prefix(key),)
            ).fetchone()
            if existing is not None or implied is not None:
                if is_folder:
                    return self._file_in(db, key), False
                if implied is not None or existing["is_folder"]:
                    raise conflict(f"'{key}' is a folder.")
                if not overwrite:
                    raise conflict(
                        f"File '{key}' already exists; pass isOverwrite=true to replace it."
                    )
            db.execute(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                (key, b"" if is_folder else data, int(is_folder), by, self.now()),
            )
            return self._file_in(db, key), existing is None

    def _file_in(self, db: sqlite3.Connection, key: str) -> StoredFile:
        row = db.execute("SELECT * FROM files WHERE path = ?", (key,)).fetchone()
        if row is not None:
            return _file(row)
        return StoredFile(path=key, data=b"", is_folder=True, modified_by="", modified_on=0)

    def file(self, path: str) -> StoredFile | None:
        """A file, an explicit or implied folder, or None."""
        key = storage_path(path)
        if not key:
            return StoredFile(path="", data=b"", is_folder=True, modified_by="", modified_on=0)
        with self._lock:
            row = self._db.execute("SELECT * FROM files WHERE path = ?", (key,)).fetchone()
            if row is not None:
                return _file(row)
            implied = self._db.execute(
                "SELECT MAX(modified_on) AS m FROM files WHERE path LIKE ? ESCAPE '\\'",
                (_like_prefix(key),),
            ).fetchone()
            if implied["m"] is None:
                return None
            return StoredFile(
                path=key, data=b"", is_folder=True, modified_by="", modified_on=implied["m"]
            )

    def list_folder(
        self, path: str, *, pattern: str = "*", recursive: bool = False
    ) -> list[StoredFile]:
        """Files and folders in a folder (implied sub-folders included), sorted by path."""
        key = storage_path(path)
        prefix = f"{key}/" if key else ""
        rows = self._all(
            "SELECT * FROM files WHERE path LIKE ? ESCAPE '\\' ORDER BY path",
            (_like_prefix(key) if key else "%",),
        )
        found: dict[str, StoredFile] = {}
        for row in rows:
            item = _file(row)
            rest = item.path[len(prefix) :]
            parts = rest.split("/")
            for depth in range(1, len(parts)):
                folder = prefix + "/".join(parts[:depth])
                if folder not in found:
                    found[folder] = StoredFile(
                        folder, b"", True, item.modified_by, item.modified_on
                    )
            found[item.path] = item
        out = []
        for item in found.values():
            rest = item.path[len(prefix) :]
            if not recursive and "/" in rest:
                continue
            if fnmatch.fnmatchcase(item.name.lower(), pattern.lower()):
                out.append(item)
        return sorted(out, key=lambda f: f.path)

    def delete_files(self, paths: Sequence[str]) -> None:
        """Delete files or folders with their contents; 404 (nothing deleted) if one is missing."""
        keys = [storage_path(p) for p in paths]
        with self._tx() as db:
            for key, raw in zip(keys, paths, strict=True):
                if (
                    not key
                    or not db.execute(
                        "SELECT 1 FROM files WHERE path = ? OR path LIKE ? ESCAPE '\\' LIMIT 1",
                        (key, _like_prefix(key)),
                    ).fetchone()
                ):
                    raise not_found(f"File or folder '{raw}' was not found in Storage.")
            for key in keys:
                db.execute(
                    "DELETE FROM files WHERE path = ? OR path LIKE ? ESCAPE '\\'",
                    (key, _like_prefix(key)),
                )

    # -- publishing -------------------------------------------------------------------------

    def check_publish(self, project_id: str, request: PublishRequest) -> Project:
        """Validate a publish request synchronously (404/400/409) and return the project."""
        with self._lock:
            return self._check_publish(self._db, project_id, request)

    def _check_publish(
        self, db: sqlite3.Connection, project_id: str, request: PublishRequest
    ) -> Project:
        project = self._project_in(db, project_id)
        if project.is_publication:
            raise bad_request(f"'{project_id}' is a publication; publish its project instead.")
        if request.visibility is not None and request.visibility not in VISIBILITIES:
            raise bad_request(
                f"Visibility '{request.visibility}' is not one of {', '.join(VISIBILITIES)}."
            )
        existing = db.execute("SELECT * FROM projects WHERE id = ?", (request.pub_id,)).fetchone()
        if request.mode == "New":
            check_id(request.pub_id, "Publication ID")
            pending = db.execute("SELECT request FROM tasks WHERE working = 1", ()).fetchall()
            taken = any(json.loads(r["request"])["pub_id"] == request.pub_id for r in pending)
            if existing is not None or taken:
                raise conflict(f"Project or publication with ID '{request.pub_id}' already exists.")
        else:
            if existing is None:
                raise bad_request(f"Publication '{request.pub_id}' does not exist.")
            if _project(existing).parent_id != project_id:
                raise bad_request(f"'{request.pub_id}' is not a publication of '{project_id}'.")
        if request.node_ids is not None:
            known = {
                r["id"]
                for r in db.execute("SELECT id FROM nodes WHERE project_id = ?", (project_id,))
            }
            unknown = [n for n in request.node_ids if n not in known]
            if unknown:
                raise bad_request(f"TOC node '{unknown[0]}' does not exist in '{project_id}'.")
        return project

    def publish_now(self, project_id: str, request: PublishRequest) -> list[str]:
        """Publish synchronously (what a task does when it finishes); returns the warnings."""
        with self._tx() as db:
            self._check_publish(db, project_id, request)
            return self._publish(db, project_id, request)

    def _publish(self, db: sqlite3.Connection, source: str, req: PublishRequest) -> list[str]:
        project = self._project_in(db, source)
        pub = req.pub_id
        if req.mode == "New":
            self._insert_project(
                db,
                pub,
                req.pub_name or project.title,
                source,
                req.visibility or "Private",
                project.lang,
                None,
            )
        else:
            if req.pub_name is not None:
                db.execute("UPDATE projects SET title = ? WHERE id = ?", (req.pub_name, pub))
            if req.visibility is not None:
                db.execute("UPDATE projects SET visibility = ? WHERE id = ?", (req.visibility, pub))
        nodes = dfs_order(self._node_rows(db, source))
        topics = {
            r["id"]: _topic(r)
            for r in db.execute("SELECT * FROM topics WHERE project_id = ?", (source,))
        }
        excluded: set[str] = set()
        if req.ready_only:
            for node in nodes:
                topic = topics.get(node.topic_id or "")
                if node.id not in excluded and topic is not None and topic.status != "Ready":
                    excluded.update(n.id for n in subtree(nodes, node.id))
        selected = set(req.node_ids) if req.node_ids is not None else {n.id for n in nodes}
        candidates = [n for n in nodes if n.id in selected and n.id not in excluded]
        warnings: list[str] = []
        if req.mode != "Partial":
            db.execute("DELETE FROM nodes WHERE project_id = ?", (pub,))
            db.execute("DELETE FROM topics WHERE project_id = ?", (pub,))
        by_id = {n.id: n for n in nodes}
        pub_nodes = {n.id: n for n in self._node_rows(db, pub)}
        by_topic: dict[str, Node] = {
            n.topic_id: n for n in pub_nodes.values() if n.topic_id is not None
        }
        mapped: dict[str, str] = {}  # project node id -> publication node id
        for node in candidates:
            topic = topics.get(node.topic_id or "")
            there = by_topic.get(node.topic_id) if node.topic_id else pub_nodes.get(node.id)
            if there is not None:  # only with Partial: refresh, keep position and visibility
                mapped[node.id] = there.id
                db.execute(
                    "UPDATE nodes SET caption = ? WHERE project_id = ? AND id = ?",
                    (node.caption, pub, there.id),
                )
                if topic is not None:
                    self._copy_topic(db, topic, pub, there.id, source)
                continue
            placed, parent = self._published_parent(node, mapped, by_id, pub_nodes, by_topic)
            if not placed:
                what = f"topic '{node.topic_id}'" if node.topic_id else f"folder '{node.caption}'"
                warnings.append(f"Skipped {what}: its parent is not in the publication.")
                continue
            ordinal = None if req.mode != "Partial" else node.ordinal_no
            self._insert_node(
                db,
                pub,
                node.id,
                parent_id=parent,
                ordinal_no=ordinal,
                topic_id=node.topic_id,
                caption=node.caption,
                show=node.is_show_in_toc,
            )
            mapped[node.id] = node.id
            if topic is not None:
                self._copy_topic(db, topic, pub, node.id, source)
        self._copy_folder(db, source, pub, replace=req.mode != "Partial")
        return warnings

    @staticmethod
    def _published_parent(
        node: Node,
        mapped: Mapping[str, str],
        by_id: Mapping[str, Node],
        pub_nodes: Mapping[str, Node],
        by_topic: Mapping[str, Node],
    ) -> tuple[bool, str | None]:
        """Whether ``node`` has a place in the publication, and its parent there (None: root)."""
        if node.parent_id is None:
            return True, None
        if node.parent_id in mapped:
            return True, mapped[node.parent_id]
        parent = by_id[node.parent_id]
        there = by_topic.get(parent.topic_id) if parent.topic_id else pub_nodes.get(parent.id)
        return (True, there.id) if there is not None else (False, None)

    @staticmethod
    def _copy_topic(
        db: sqlite3.Connection, topic: Topic, pub: str, node_id: str, source: str
    ) -> None:
        body = topic.body.replace(f"/resources/Storage/{source}/", f"/resources/Storage/{pub}/")
        db.execute(
            "INSERT OR REPLACE INTO topics VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
            (
                pub,
                topic.id,
                topic.title,
                body,
                topic.status,
                topic.assignee,
                topic.owner,
                json.dumps(list(topic.keywords)),
                topic.created_on,
                topic.modified_on,
                node_id,
            ),
        )

    @staticmethod
    def _copy_folder(db: sqlite3.Connection, source: str, pub: str, *, replace: bool) -> None:
        if replace:
            db.execute(
                "DELETE FROM files WHERE path = ? OR path LIKE ? ESCAPE '\\'",
                (pub, _like_prefix(pub)),
            )
        rows = db.execute(
            "SELECT * FROM files WHERE path LIKE ? ESCAPE '\\'", (_like_prefix(source),)
        ).fetchall()
        for row in rows:
            target = pub + row["path"][len(source) :]
            db.execute(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                (target, row["data"], row["is_folder"], row["modified_by"], row["modified_on"]),
            )

    # -- tasks ------------------------------------------------------------------------------

    def fail_next_tasks(self, count: int = 1) -> None:
        """Make the next ``count`` tasks to finish fail (``isSucceeded: false``, nothing done)."""
        self._fail_tasks = count

    def start_publish(self, project_id: str, request: PublishRequest) -> Task:
        """Validate a publish and queue it as a task (§3.1.5, §3.1.6)."""
        key = uuid.uuid4().hex
        with self._tx() as db:
            project = self._check_publish(db, project_id, request)
            db.execute(
                "INSERT INTO tasks VALUES (?, ?, ?, ?, 1, NULL, ?, ?, ?, 0)",
                (
                    key,
                    f"Publish project '{project.title}'",
                    project_id,
                    json.dumps(request.to_json()),
                    "Publishing topics",
                    self.task_polls,
                    self.clock() + self.task_seconds,
                ),
            )
        return self.task(key)

    def task(self, key: str) -> Task:
        """A task, without counting as a read (404 once it was read after finishing)."""
        row = self._one("SELECT * FROM tasks WHERE key = ?", (key,))
        if row is None:
            raise not_found(f"Task '{key}' was not found.")
        return _task(row)

    def tasks(self) -> list[Task]:
        """Every task not yet read after finishing."""
        return [_task(r) for r in self._all("SELECT * FROM tasks ORDER BY rowid")]

    def poll_task(self, key: str) -> Task:
        """Read a task's status as ``GET tasks/{key}`` does (§3.1.11).

        A working task reports ``isWorking`` for :attr:`task_polls` reads, then finishes on
        the next read, which returns the final state; after that read the task is gone (404).
        """
        with self._tx() as db:
            row = db.execute("SELECT * FROM tasks WHERE key = ?", (key,)).fetchone()
            if row is None:
                raise not_found(f"Task '{key}' was not found.")
            task = _task(row)
            if task.working and task.polls_left > 0:
                db.execute("UPDATE tasks SET polls_left = polls_left - 1 WHERE key = ?", (key,))
                return _task(db.execute("SELECT * FROM tasks WHERE key = ?", (key,)).fetchone())
            if task.working:
                task = self._finish(db, row)
            db.execute("DELETE FROM tasks WHERE key = ?", (key,))
            return task

    def finish_due_tasks(self) -> None:
        """Finish every working task whose time has come (called before each API request)."""
        now = self.clock()
        with self._tx() as db:
            rows = db.execute(
                "SELECT * FROM tasks WHERE working = 1 AND due <= ? ORDER BY rowid", (now,)
            ).fetchall()
            for row in rows:
                self._finish(db, row)

    def finish_tasks(self) -> None:
        """Finish every working task now (a test control)."""
        with self._tx() as db:
            for row in db.execute(
                "SELECT * FROM tasks WHERE working = 1 ORDER BY rowid"
            ).fetchall():
                self._finish(db, row)

    def _finish(self, db: sqlite3.Connection, row: sqlite3.Row) -> Task:
        request = PublishRequest.from_json(json.loads(row["request"]))
        if self._fail_tasks > 0:
            self._fail_tasks -= 1
            ok, text = False, "Publishing failed: an internal error occurred (emulated)."
        else:
            db.execute("SAVEPOINT publish")
            try:
                self._check_publish_at_finish(db, row["project_id"], request)
                warnings = self._publish(db, row["project_id"], request)
            except ApiError as err:
                db.execute("ROLLBACK TO publish")
                ok, text = False, f"Publishing failed: {err.message}"
            else:
                ok = True
                text = f"Publication '{request.pub_id}' is ready."
                if warnings:
                    text += " Warnings: " + " ".join(warnings)
            db.execute("RELEASE publish")
        db.execute(
            "UPDATE tasks SET working = 0, succeeded = ?, status_text = ?, polls_left = 0 "
            "WHERE key = ?",
            (int(ok), text, row["key"]),
        )
        return _task(db.execute("SELECT * FROM tasks WHERE key = ?", (row["key"],)).fetchone())

    def _check_publish_at_finish(
        self, db: sqlite3.Connection, project_id: str, request: PublishRequest
    ) -> None:
        """What may have changed since the request: the project or publication went away."""
        self._project_in(db, project_id)
        exists = db.execute("SELECT 1 FROM projects WHERE id = ?", (request.pub_id,)).fetchone()
        if request.mode == "New" and exists:
            raise conflict(f"Project or publication with ID '{request.pub_id}' already exists.")
        if request.mode != "New" and not exists:
            raise not_found(f"Publication '{request.pub_id}' was not found.")
        if request.node_ids is not None:
            known = {
                r["id"]
                for r in db.execute("SELECT id FROM nodes WHERE project_id = ?", (project_id,))
            }
            missing = [n for n in request.node_ids if n not in known]
            if missing:
                raise not_found(f"TOC node '{missing[0]}' was deleted before publishing.")


def _new_key() -> str:
    return secrets.token_urlsafe(24)


def _like_prefix(key: str) -> str:
    """A LIKE pattern for everything under the folder ``key``."""
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "/%"


def decode_base64(text: str) -> bytes:
    """Strict base64 (400 when it is not)."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise bad_request("content is not valid base64.") from None
