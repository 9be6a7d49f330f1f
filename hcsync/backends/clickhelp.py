"""ClickHelp REST API v1 (shared/api/clickhelp.md), behind the Backend protocol.

Mapping (clickhelp.md §5, issue 7):

- an article is a topic of the configured project; its topic id is its slug: a create sends
  no GET first (the planner matches existing topics by id), and ClickHelp's 409 for an id in
  use is reported as such;
- a category is a TOC folder node (``caption``; nesting by ``parentId``; appended in file
  order); an article's category is the parent of its topic's node;
- the draft is the topic in the project; "published" means present in the configured
  publication, and "up to date" means its copy there has the project topic's ``modifiedOn``;
- publishing is a batch: :meth:`publish`, :meth:`unpublish` and deletes only queue, and
  :meth:`flush` runs one publication task per publication touched (``Partial`` for added or
  changed topics, ``FullReplace`` when something must leave, move or be renamed), then polls
  it to the end (the task is read once: a 404 after that is checked against the publication);
- a missing publication is created (``Public``) by the first publish;
- images go to Storage under ``{projectId}/hcsync/{sha256[:16]}/{name}`` and are referenced by their
  ``/resources/Storage/{projectId}/…`` URL, which ClickHelp rewrites for the publication;
- drift is ``modifiedOn`` (second precision); the snapshot reads lists only (no bodies): the
  project's topics and TOC nodes, and the topics of each publication;
- translations (experimental): each language is a language-version project named in
  ``language_projects``; its topics mirror the base project's ids and are only PATCHed; each has
  its own publication (``{publication_id}-{lang}`` or the only one of that project).

What ClickHelp cannot hold (SEO fields, a changed slug, folder descriptions) is declared in
:data:`FEATURES`; the planner reports it instead of planning a write.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx

from hcsync.backends.base import CategoryTranslations, Metadata, Position
from hcsync.backends.http import ApiClient, CallStats, clean_text, error_body
from hcsync.backends.wire import Obj, obj, objs, reading
from hcsync.content.loader import slugify
from hcsync.diagnostics import BackendError
from hcsync.ordering import moves
from hcsync.remote import PLATFORM_FEATURES, LiveState, RemoteCategory, RemoteDoc, Snapshot

API = "/api/v1"
DRAFT_STATUS = "Draft"
IMAGE_FOLDER = "hcsync"
POLL_DELAYS_S = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
"""Waits between task polls; the last one repeats."""
TASK_TIMEOUT_S = 600.0
FEATURES = PLATFORM_FEATURES["clickhelp"]
_TOPIC_ID = re.compile(r"[^A-Za-z0-9._-]+")
T = TypeVar("T")


def topic_id_for(slug: str) -> str:
    """A valid topic id (``[A-Za-z0-9._-]``, starting with a letter or digit) from a slug."""
    tid = _TOPIC_ID.sub("-", slug).strip("-._")[:255]
    return tid or "topic"


def language_tags(codes: Sequence[str]) -> list[str]:
    """hcsync language tags for ClickHelp's four-letter codes (``es-ES`` → ``es``): the
    primary subtag where no other code shares it, else the whole code."""
    primary = [code.split("-")[0].lower() for code in codes]
    return [
        short if primary.count(short) == 1 else code
        for code, short in zip(codes, primary, strict=True)
    ]


def _error_message(response: httpx.Response) -> tuple[str, str | None]:
    """The documented error body: ``{Message, ExceptionType, …}`` (clickhelp.md §1)."""
    body = error_body(response)
    if isinstance(body, dict):
        message = body.get("Message") or body.get("message")
        kind = body.get("ExceptionType")
        if message:
            return (str(message), str(kind) if kind else None)
    return (f"HTTP {response.status_code}", None)


@dataclass
class _Target:
    """One project (the base one or a language version) and its publication."""

    project: str
    publication: str
    title: str = ""
    publication_exists: bool = False
    live: dict[str, str] = field(default_factory=dict)
    """Topic id → ``modifiedOn`` of its copy in the publication."""
    add: set[str] = field(default_factory=set)
    remove: set[str] = field(default_factory=set)
    full: bool = False
    """Something moved, was renamed or must leave: the next task is a FullReplace."""

    @property
    def queued(self) -> bool:
        return bool(self.add or self.remove or self.full)


class ClickHelpBackend:
    """ClickHelp over one ``httpx.Client`` handed in by the caller."""

    name = "clickhelp"

    def __init__(
        self,
        client: httpx.Client,
        *,
        portal_url: str,
        project_id: str,
        publication_id: str,
        login: str,
        api_key: str,
        default_language: str = "en",
        language_projects: Mapping[str, str] | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        kwargs: dict[str, Any] = {}
        if clock is not None:
            kwargs["clock"] = clock
        if sleep is not None:
            kwargs["sleep"] = sleep
        token = base64.b64encode(f"{login}:{api_key}".encode()).decode("ascii")
        self.api = ApiClient(
            client,
            headers={"Authorization": f"Basic {token}", "Accept": "application/json"},
            secrets=[api_key, token, f"{login}:{api_key}"],
            error_message=_error_message,
            **kwargs,
        )
        self._client = client
        self._sleep: Callable[[float], None] = sleep or _default_sleep
        self._clock: Callable[[], float] = clock or _default_clock
        self.portal_url = portal_url.rstrip("/")
        self.project_id = project_id
        self.publication_id = publication_id
        self.login = login
        self.default_language = default_language
        self.language_projects = dict(language_projects or {})
        self._base = _Target(project_id, publication_id)
        self._langs: dict[str, _Target] = {}
        self._topics: dict[str, Mapping[str, Any]] = {}
        self._nodes: dict[str, Mapping[str, Any]] = {}
        self._lang_topics: dict[str, dict[str, Mapping[str, Any]]] = {}
        self._lang_captions: dict[str, dict[str, str]] = {}
        """Language → folder node id → its caption in that language version (read once per
        language, when needed)."""
        self._children: dict[str | None, list[str]] | None = None
        """Folder node id (None: the top) → its children in order, as this run leaves them."""
        self._parent_of: dict[str, str | None] = {}
        self._mirrored_captions: dict[str, dict[str, str]] = {}
        """Captions of the folders this run created, in each language (no read needed)."""
        self._loaded = False

    @property
    def stats(self) -> CallStats:
        return self.api.stats

    # ---- reading -------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        self._load_targets()
        self._topics = {
            str(t["id"]): t for t in self._list(f"projects/{self.project_id}/articles", _topic)
        }
        self._nodes = {
            str(n["id"]): n for n in self._list(f"projects/{self.project_id}/toc/nodes", _node)
        }
        for target in (self._base, *self._langs.values()):
            target.live = self._published(target)
        self._lang_captions = {}  # read when needed: see with_translated_names
        self._children = None  # the order index is rebuilt from this listing when needed
        self._loaded = True
        categories = tuple(
            RemoteCategory(
                id=nid,
                name=str(node.get("caption") or ""),
                parent_id=self._folder_parent(node),
            )
            for nid, node in self._nodes.items()
            if not node.get("topicId")
        )
        articles = {tid: self._doc(topic) for tid, topic in self._topics.items()}
        return Snapshot(
            target=self.project_id,
            default_language=self.default_language,
            languages=tuple(sorted(self._langs)),
            categories=categories,
            articles=articles,
            features=FEATURES,
            order=self._order(),
        )

    def fetch_translations(
        self, pairs: Collection[tuple[str, str]]
    ) -> Mapping[tuple[str, str], RemoteDoc | None]:
        self._ensure_loaded()
        found: dict[tuple[str, str], RemoteDoc | None] = {}
        for lang in sorted({lang for _, lang in pairs}):
            topics = self._language_topics(lang)
            for article_id, want in pairs:
                if want == lang:
                    topic = topics.get(article_id)
                    found[(article_id, lang)] = (
                        self._translation(topic, lang) if topic is not None else None
                    )
        return found

    def describe(self) -> dict[str, Any]:
        projects, base = self._projects()
        versions = {
            pid: str(p.get("lang") or "")
            for pid, p in projects.items()
            if p.get("baseLangProjectId") == self.project_id and not p.get("parentId")
        }
        tags = language_tags([str(base.get("lang") or "en-US"), *versions.values()])
        out: dict[str, Any] = {
            "default_language": tags[0],
            "languages": sorted(tags[1:]),
            "language_projects": dict(
                sorted(zip(tags[1:], versions, strict=True), key=lambda kv: kv[0])
            ),
        }
        publications = sorted(pid for pid, p in projects.items() if p.get("parentId") == base["id"])
        if len(publications) == 1:
            out["publication_id"] = publications[0]
        return out

    def with_translated_names(self, categories: Sequence[RemoteCategory]) -> list[RemoteCategory]:
        # A folder's name in a language is its node's caption in that language version; one
        # that is the base caption is no translation.
        if not categories:
            return []
        out = []
        for cat in categories:
            names = tuple(
                (lang, caption, "")
                for lang in sorted(self._langs)
                if (caption := self._captions(lang).get(cat.id)) not in (None, cat.name)
            )
            out.append(replace(cat, translations=names))
        return out

    def with_html(self, docs: Sequence[RemoteDoc]) -> list[RemoteDoc]:
        # Listings give ``body: null``; only Get Topic fills it (clickhelp.md §2.2).
        out = []
        for doc in docs:
            if doc.html is not None:
                out.append(doc)
            elif doc.language == self.default_language:
                topic = self._get(self._topic_path(self.project_id, doc.id))
                self._topics[doc.id] = topic
                out.append(self._doc(topic))
            else:
                target = self._lang(doc.language)
                topic = self._get(self._topic_path(target.project, doc.id))
                self._language_topics(doc.language)[doc.id] = topic
                out.append(self._translation(topic, doc.language))
        return out

    def download_image(self, url: str) -> bytes | None:
        """An image from this portal's Storage (with the credentials); None for any other
        URL, so no credential is ever sent to another host."""
        parts = urlsplit(url)
        own = {_origin(self.portal_url), _origin(str(self._client.base_url))}
        marker = "/resources/Storage/"
        if parts.scheme not in ("http", "https") or _origin(url) not in own:
            return None
        if not parts.path.startswith(marker):
            return None
        rel = parts.path[len(marker) :]
        path = self._path(f"storage/{rel}")
        response = self.api.request("GET", path, params={"format": "base64"}, ok_statuses=[404])
        if response.status_code == 404:
            return None
        content = self._read("GET", path, self.api.json(response), _file_content)
        if content is None:
            return None
        try:
            return base64.b64decode(content, validate=True)
        except ValueError:
            raise BackendError(
                f"GET {path}: content: expected base64, got something else",
                method="GET",
                path=path,
            ) from None

    def created_meanwhile(
        self, *, title: str, category_id: str | None, known_ids: Collection[str]
    ) -> RemoteDoc | None:
        return None  # a create with a topic id in use is refused (409): no duplicate possible

    def find_article(self, *, title: str, known_ids: Collection[str]) -> RemoteDoc | None:
        for topic in self._list(f"projects/{self.project_id}/articles", _topic):
            if topic.get("title") == title and str(topic.get("id")) not in known_ids:
                self._topics[str(topic["id"])] = topic
                # Its TOC node is not known yet (the create's answer was lost): read the TOC
                # again, so a publish lists the node and the order index has it.
                nodes = self._list(f"projects/{self.project_id}/toc/nodes", _node)
                self._nodes = {str(n["id"]): n for n in nodes}
                self._children = None
                for lang in self._langs:  # language versions mirror the new topic
                    self._lang_topics.pop(lang, None)
                return self._doc(topic)
        return None

    # ---- categories (TOC folder nodes) ---------------------------------------------------

    def create_category(
        self,
        *,
        name: str,
        description: str,
        icon: str | None,
        parent_id: str | None,
        translations: CategoryTranslations = (),
        position: Position | None = None,
    ) -> RemoteCategory:
        self._ensure_loaded()
        at = self._ordinal(parent_id, position)
        body = {
            "caption": name,
            "parentId": parent_id,
            "ordinalNo": -1 if at is None else at,
            "isShowInToc": True,
        }
        path = self._path(f"projects/{self.project_id}/toc/nodes")
        node = self._read(
            "POST",
            path,
            self.api.json(self.api.request("POST", path, json=body)),
            lambda b: _node(obj(b)),
        )
        node_id = str(node["id"])
        self._nodes[node_id] = node
        self._place(node_id, parent_id, at)
        for lang in self._langs:  # the language versions mirror the new folder, named alike
            self._mirrored_captions.setdefault(lang, {})[node_id] = name
        self._caption_translations(node_id, name, translations)
        return RemoteCategory(id=node_id, name=name, parent_id=parent_id)

    def update_category(
        self,
        category_id: str,
        *,
        name: str,
        description: str,
        icon: str | None,
        translations: CategoryTranslations = (),
    ) -> None:
        if self._nodes.get(category_id, {}).get("caption") != name:
            node = self._patch(
                f"projects/{self.project_id}/toc/nodes/{quote(category_id, safe='')}",
                {"caption": name},
                _node,
            )
            self._nodes[category_id] = node
            self._base.full = True  # a renamed folder reaches the publication by a FullReplace
        self._caption_translations(category_id, name, translations)

    def _caption_translations(
        self, node_id: str, name: str, translations: CategoryTranslations
    ) -> None:
        """A folder's name in each language version is the caption of its mirrored node; a
        language the file does not translate gets the base name back."""
        wanted = {lang: tname for lang, tname, _ in translations}
        for lang in sorted(self._langs):
            caption = wanted.get(lang) or name
            mirrored = self._mirrored_captions.get(lang, {})
            captions = mirrored if node_id in mirrored else self._captions(lang)
            if captions.get(node_id) == caption:
                continue
            target = self._langs[lang]
            self._patch(
                f"projects/{quote(target.project, safe='')}/toc/nodes/{quote(node_id, safe='')}",
                {"caption": caption},
                _node,
            )
            captions[node_id] = caption
            target.full = True

    def delete_category(self, category_id: str) -> None:
        path = f"projects/{self.project_id}/toc/nodes/{quote(category_id, safe='')}"
        listing = self._path(f"{path}/children")
        response = self.api.request("GET", listing, ok_statuses=[404])
        if response.status_code == 404:
            return
        children = self._read("GET", listing, self.api.json(response) or [], objs)
        if children:
            # Deleting a node deletes every topic under it (clickhelp.md §11 row 7): refuse.
            raise BackendError(
                f"the TOC folder still holds {len(children)} node(s); move or delete them first",
                method="DELETE",
                path=path,
            )
        self.api.request("DELETE", self._path(path), idempotent=True, ok_statuses=[404])
        self._unplace(category_id)
        self._nodes.pop(category_id, None)
        self._base.full = True

    # ---- images --------------------------------------------------------------------------

    def upload_image(self, *, filename: str, data: bytes, mime: str) -> str:
        digest = hashlib.sha256(data).hexdigest()[:16]
        # A folder per content hash keeps the file's own name (an import gets it back).
        rel = f"{self.project_id}/{IMAGE_FOLDER}/{digest}/{topic_id_for(filename)}"
        self.api.request(
            "POST",
            self._path(f"storage/{quote(rel)}"),
            params={"format": "base64", "isOverwrite": "true"},
            json={"content": base64.b64encode(data).decode("ascii"), "isFolder": False},
            idempotent=True,  # the same bytes to the same path: repeating is harmless
        )
        return f"{self.portal_url}/resources/Storage/{quote(rel)}"

    # ---- articles ------------------------------------------------------------------------

    def create_article(
        self,
        *,
        title: str,
        html: str,
        category_id: str | None,
        seo_title: str | None,
        seo_description: str | None,
        slug: str | None = None,
        position: Position | None = None,
    ) -> RemoteDoc:
        self._ensure_loaded()
        tid = topic_id_for(slug or slugify(title))  # the plan always gives the file's slug
        at = self._ordinal(category_id, position)
        path = f"projects/{self.project_id}/articles/{quote(tid, safe='')}"
        # No GET first: the planner matches existing topics by id before it plans a create,
        # and ClickHelp refuses a duplicate id with 409 (clickhelp.md §3.2.3).
        body: dict[str, Any] = {
            "id": tid,
            "title": title,
            "body": html,
            "statusName": DRAFT_STATUS,
            "assigneeUserName": self.login,
            "ownerUserName": self.login,
            "parentTocNodeId": category_id,
            "isShowInToc": True,
        }
        if at is not None:
            body["tocNodeOrdinalNo"] = at
        create = self._path(f"projects/{self.project_id}/articles")
        try:
            response = self.api.request("POST", create, json=body, idempotent=False)
        except BackendError as exc:
            if exc.status == 409:
                raise BackendError(
                    f"topic id {tid!r} is already used in project {self.project_id!r}; set "
                    "another 'slug:' in the file's front-matter",
                    method="POST",
                    path=create,
                    status=409,
                    code=exc.code,
                ) from None
            raise
        answer = self.api.json(response)
        if isinstance(answer, dict) and "modifiedOn" in answer and "tocNodeId" in answer:
            topic = self._read("POST", create, answer, lambda b: _topic(obj(b)))
        else:
            topic = self._get(path)
        self._topics[tid] = topic
        node_id = topic.get("tocNodeId")
        if node_id:
            self._nodes[str(node_id)] = {"id": node_id, "parentId": category_id, "topicId": tid}
            self._place(str(node_id), category_id, at)
        for lang in self._langs:  # language versions mirror the new topic
            self._lang_topics.pop(lang, None)
        return self._doc(topic)

    def update_draft(self, article_id: str, *, title: str, html: str) -> RemoteDoc:
        topic = self._patch(
            self._topic_path(self.project_id, article_id), {"title": title, "body": html}, _topic
        )
        self._topics[article_id] = topic
        return self._doc(topic)

    def update_metadata(self, article_id: str, meta: Metadata) -> RemoteDoc:
        # Slug (the topic id) and SEO fields cannot change on ClickHelp: the planner reports
        # them (FEATURES) rather than asking. Only the category (the node's parent) moves.
        self._ensure_loaded()
        topic = self._topics.get(article_id) or self._get(
            self._topic_path(self.project_id, article_id)
        )
        if meta.category_id is not None:
            node_id = topic.get("tocNodeId")
            if not node_id:
                raise BackendError(f"topic {article_id!r} has no TOC node to move")
            parent = meta.category_id or None  # TOP_LEVEL: the root of the TOC
            node = self._patch(
                f"projects/{self.project_id}/toc/nodes/{quote(str(node_id), safe='')}",
                {"parentId": parent, "ordinalNo": -1},
                _node,
            )
            self._nodes[str(node_id)] = node
            self._place(str(node_id), parent, None)
            if article_id in self._base.live:
                self._base.full = True  # Partial never moves (clickhelp.md §3.1.6)
        self._topics[article_id] = topic
        return self._doc(topic)

    def publish(self, article_id: str) -> RemoteDoc:
        self._ensure_loaded()
        self._base.add.add(article_id)
        self._base.remove.discard(article_id)
        return self._doc(self._topic(article_id), state=LiveState.PUBLISHED)

    def unpublish(self, article_id: str) -> RemoteDoc:
        self._ensure_loaded()
        self._base.remove.add(article_id)
        self._base.add.discard(article_id)
        return self._doc(self._topic(article_id), state=LiveState.UNPUBLISHED)

    def delete_article(self, article_id: str) -> None:
        self._ensure_loaded()
        self.api.request(
            "DELETE",
            self._path(self._topic_path(self.project_id, article_id)),
            idempotent=True,
            ok_statuses=[404],
        )
        self._topics.pop(article_id, None)
        for target in (self._base, *self._langs.values()):
            target.add.discard(article_id)
            if article_id in target.live:
                target.remove.add(article_id)

    # ---- translations (experimental) -----------------------------------------------------

    def put_translation(
        self, article_id: str, language: str, *, title: str, html: str
    ) -> RemoteDoc:
        target = self._lang(language)
        topic = self._patch(
            self._topic_path(target.project, article_id), {"title": title, "body": html}, _topic
        )
        self._language_topics(language)[article_id] = topic
        return self._translation(topic, language)

    def update_translation_metadata(
        self, article_id: str, language: str, meta: Metadata
    ) -> RemoteDoc:
        # Nothing to send: a language version shares its topic id, and ClickHelp has no SEO.
        return self._translation(self._lang_topic(article_id, language), language)

    def publish_translation(self, article_id: str, language: str) -> RemoteDoc:
        target = self._lang(language)
        target.add.add(article_id)
        target.remove.discard(article_id)
        doc = self._translation(self._lang_topic(article_id, language), language)
        return _with_state(doc, LiveState.PUBLISHED)

    def unpublish_translation(self, article_id: str, language: str) -> RemoteDoc:
        target = self._lang(language)
        target.remove.add(article_id)
        target.add.discard(article_id)
        doc = self._translation(self._lang_topic(article_id, language), language)
        return _with_state(doc, LiveState.UNPUBLISHED)

    def delete_translation(self, article_id: str, language: str) -> None:
        # A language version's topics follow the base project (they cannot be deleted on their
        # own, clickhelp.md §11 row 13): taking the translation out of its publication is all
        # that can be done.
        target = self._lang(language)
        target.add.discard(article_id)
        if article_id in target.live:
            target.remove.add(article_id)

    # ---- the batched publish -------------------------------------------------------------

    def flush(self) -> None:
        """Run one publication task per publication with queued changes, to its end."""
        for target in (self._base, *(self._langs[k] for k in sorted(self._langs))):
            if target.queued:
                self._publish_target(target)

    def _publish_target(self, target: _Target) -> None:
        live = (set(target.live) | target.add) - target.remove
        nodes = self._nodes if target is self._base else self._lang_nodes(target)
        if not target.publication_exists:
            if not live:
                target.add.clear()
                target.remove.clear()
                target.full = False
                return
            body: dict[str, Any] = {
                "pubId": target.publication,
                "pubName": target.title or target.publication,
                "pubVisibility": "Public",
                "publishedTocNodeIds": _with_ancestors(live, nodes),
            }
        elif target.remove or target.full:
            body = {
                "updatedPubId": target.publication,
                "updateMode": "FullReplace",
                "publishedTocNodeIds": _with_ancestors(live, nodes),
            }
        else:
            body = {
                "updatedPubId": target.publication,
                "updateMode": "Partial",
                "publishedTocNodeIds": _with_ancestors(target.add, nodes),
            }
        body["isPublishOnlyReadyTopics"] = False
        path = f"projects/{target.project}"
        try:
            response = self.api.request(
                "POST", self._path(path), params={"action": "publish"}, json=body, idempotent=True
            )
        except BackendError as exc:
            if exc.status == 409 and "pubId" in body:  # created by a run cut off before
                target.publication_exists = True
                target.full = True
                return self._publish_target(target)
            raise
        key = self._read("POST", self._path(path), self.api.json(response), _task_key)
        self._wait(key, target, live)
        target.publication_exists = True
        target.live = self._published(target)
        target.add.clear()
        target.remove.clear()
        target.full = False

    def _wait(self, key: str, target: _Target, live: set[str]) -> None:
        """Poll ``tasks/{key}`` until it stops working (read once: a 404 is checked)."""
        deadline = self._clock() + TASK_TIMEOUT_S
        path = f"tasks/{quote(key, safe='')}"
        for attempt in range(10_000):
            response = self.api.request("GET", self._path(path), ok_statuses=[404])
            if response.status_code == 404:
                # Finished and already read (a retried poll whose answer was lost): look.
                now = set(self._published(target))
                if target.add <= now and not (target.remove & now):
                    return
                raise BackendError(
                    f"the publish task of {target.publication!r} is gone and the publication "
                    "does not hold what it should",
                    method="GET",
                    path=path,
                    status=404,
                )
            working, succeeded, status_text = self._read(
                "GET", self._path(path), self.api.json(response), _task
            )
            if working is False or succeeded is not None:
                if succeeded:
                    return
                raise BackendError(
                    f"publishing {target.publication!r} failed: "
                    f"{clean_text(status_text or 'no reason given')}",
                    method="GET",
                    path=path,
                )
            if self._clock() > deadline:
                break
            self._sleep(POLL_DELAYS_S[min(attempt, len(POLL_DELAYS_S) - 1)])
        raise BackendError(
            f"publishing {target.publication!r} did not finish in {TASK_TIMEOUT_S:.0f} s",
            method="GET",
            path=path,
        )

    # ---- wire helpers --------------------------------------------------------------------

    @staticmethod
    def _path(rel: str) -> str:
        return f"{API}/{rel}"

    @staticmethod
    def _topic_path(project: str, topic_id: str) -> str:
        return f"projects/{quote(project, safe='')}/articles/{quote(topic_id, safe='')}"

    @staticmethod
    def _read(method: str, path: str, body: Any, parse: Callable[[Any], T]) -> T:
        """``body`` read with ``parse``: a wrong shape is a BackendError naming the request."""
        with reading(method, path):
            return parse(body)

    def _get(self, rel: str) -> dict[str, Any]:
        """A topic (Get Topic, clickhelp.md §3.2.2)."""
        path = self._path(rel)
        return self._read("GET", path, self.api.json(self.api.request("GET", path)), _one_topic)

    def _list(self, rel: str, check: Callable[[Obj], dict[str, Any]]) -> list[dict[str, Any]]:
        """A listing (a bare array, no paging: clickhelp.md §1), each item checked."""
        path = self._path(rel)
        body = self.api.json(self.api.request("GET", path))
        return self._read("GET", path, body, lambda b: [check(item) for item in objs(b)])

    def _patch(
        self, rel: str, fields: Mapping[str, Any], check: Callable[[Obj], dict[str, Any]]
    ) -> dict[str, Any]:
        """PATCH ``fields``; the answer is the resource as a GET gives it (read again if the
        answer is empty)."""
        path = self._path(rel)
        body = {"updatedFields": ",".join(fields), **fields}
        method = "PATCH"
        result = self.api.json(self.api.request(method, path, json=body, idempotent=True))
        if result is None:
            method = "GET"
            result = self.api.json(self.api.request(method, path))
        return self._read(method, path, result, lambda b: check(obj(b)))

    def _projects(self) -> tuple[dict[str, Mapping[str, Any]], Mapping[str, Any]]:
        """Every project and publication of the portal by id, and the configured project."""
        projects: dict[str, Mapping[str, Any]] = {
            str(p["id"]): p for p in self._list("projects", _project)
        }
        base = projects.get(self.project_id)
        if base is None or base.get("parentId"):
            raise BackendError(
                f"ClickHelp project {self.project_id!r} was not found on the portal (or is a "
                "publication); check project_id",
                method="GET",
                path="projects",
            )
        return projects, base

    def _load_targets(self) -> None:
        """Check the project, the language projects and the publications exist (one call)."""
        projects, base = self._projects()
        self._base.title = str(base.get("title") or "")
        self._base.publication_exists = self._is_publication(
            projects, self.publication_id, self.project_id
        )
        missing = [
            f"{lang}: {pid}"
            for lang, pid in sorted(self.language_projects.items())
            if pid not in projects
        ]
        if missing:
            raise BackendError(
                "language_projects in hcsync.yml names project(s) the portal does not have ("
                + ", ".join(missing)
                + "); ClickHelp has no API to create a language version: create it in the "
                "ClickHelp UI (Localization) or remove the language",
                method="GET",
                path="projects",
            )
        self._langs = {}
        for lang, pid in sorted(self.language_projects.items()):
            pubs = [
                str(p["id"]) for p in projects.values() if p.get("parentId") == pid and "id" in p
            ]
            wanted = f"{self.publication_id}-{lang}"
            pub = wanted if wanted in pubs or len(pubs) != 1 else pubs[0]
            self._langs[lang] = _Target(
                pid,
                pub,
                title=str(projects[pid].get("title") or ""),
                publication_exists=pub in pubs,
            )

    @staticmethod
    def _is_publication(projects: Mapping[str, Mapping[str, Any]], pub: str, source: str) -> bool:
        found = projects.get(pub)
        if found is None:
            return False
        if found.get("parentId") != source:
            raise BackendError(
                f"{pub!r} exists on the portal but is not a publication of {source!r}; "
                "check 'publication_id' in hcsync.yml",
                method="GET",
                path="projects",
            )
        return True

    def _published(self, target: _Target) -> dict[str, str]:
        if not target.publication_exists:
            return {}
        items = self._list(f"projects/{quote(target.publication, safe='')}/articles", _topic)
        return {str(t["id"]): str(t.get("modifiedOn") or "") for t in items if "id" in t}

    def _ensure_loaded(self) -> None:
        if not self._loaded:
            self.snapshot()

    def _topic(self, article_id: str) -> Mapping[str, Any]:
        topic = self._topics.get(article_id)
        if topic is None:
            topic = self._get(self._topic_path(self.project_id, article_id))
            self._topics[article_id] = topic
        return topic

    def _lang(self, language: str) -> _Target:
        self._ensure_loaded()
        target = self._langs.get(language)
        if target is None:
            raise BackendError(
                f"no ClickHelp project for language {language!r}: add it to "
                "'language_projects' in hcsync.yml"
            )
        return target

    def _language_topics(self, language: str) -> dict[str, Mapping[str, Any]]:
        if language not in self._lang_topics:
            target = self._lang(language)
            items = self._list(f"projects/{quote(target.project, safe='')}/articles", _topic)
            self._lang_topics[language] = {str(t["id"]): t for t in items if "id" in t}
        return self._lang_topics[language]

    def _lang_topic(self, article_id: str, language: str) -> Mapping[str, Any]:
        topics = self._language_topics(language)
        topic = topics.get(article_id)
        if topic is None:
            topic = self._get(self._topic_path(self._lang(language).project, article_id))
            topics[article_id] = topic
        return topic

    def _lang_nodes(self, target: _Target) -> Mapping[str, Mapping[str, Any]]:
        items = self._list(f"projects/{quote(target.project, safe='')}/toc/nodes", _node)
        return {str(n["id"]): n for n in items if "id" in n}

    def _order(self) -> dict[str, tuple[str, ...]]:
        """Folder node id ("" for the top) → its children by ``ordinalNo``: ``c:<node id>``
        for a folder, ``a:<topic id>`` for a topic."""
        out: dict[str, list[tuple[int, str]]] = {}
        for nid, node in self._nodes.items():
            topic = node.get("topicId")
            key = f"a:{topic}" if topic else f"c:{nid}"
            ordinal = node.get("ordinalNo")
            out.setdefault(str(node.get("parentId") or ""), []).append(
                (ordinal if isinstance(ordinal, int) else 1 << 30, key)
            )
        return {parent: tuple(k for _, k in sorted(kids)) for parent, kids in out.items()}

    def reorder(self, parent_id: str | None, children: Sequence[tuple[str, str]]) -> None:
        self._ensure_loaded()
        wanted = [nid for nid in map(self._node_of, children) if nid in self._nodes]
        steps = moves(list(self._kids(parent_id)), wanted)
        for nid, at in steps:
            self._patch(
                f"projects/{self.project_id}/toc/nodes/{quote(nid, safe='')}",
                {"ordinalNo": at},
                _node,
            )
            self._place(nid, parent_id, at)
        if steps:  # a Partial publish keeps positions: every publication is replaced
            for target in (self._base, *self._langs.values()):
                target.full = target.full or bool(target.live) or target is self._base

    # ---- the order of the TOC, as this run leaves it ---------------------------------------
    #
    # ClickHelp renumbers siblings 0..n-1 after every insert, move and delete (clickhelp.md §11
    # row 6): the same is done here, so positions are known without reading the TOC again.

    def _kids(self, parent_id: str | None) -> list[str]:
        """The node ids under ``parent_id`` (None: the top level), in order (the index's own
        list: callers that change it say so with :meth:`_place` or :meth:`_unplace`)."""
        if self._children is None:
            self._children, self._parent_of = {}, {}
            for _, nid in sorted(
                (n.get("ordinalNo") if isinstance(n.get("ordinalNo"), int) else 1 << 30, nid)
                for nid, n in self._nodes.items()
            ):
                parent = self._nodes[nid].get("parentId") or None
                self._children.setdefault(parent, []).append(nid)
                self._parent_of[nid] = parent
        return self._children.setdefault(parent_id, [])

    def _unplace(self, node_id: str) -> None:
        """Take ``node_id`` out of the order (deleted, or about to move)."""
        self._kids(None)  # builds the index
        old = self._parent_of.pop(node_id, None)
        kids = self._kids(old)
        if node_id in kids:
            kids.remove(node_id)

    def _place(self, node_id: str, parent_id: str | None, at: int | None) -> None:
        """Record that ``node_id`` now sits under ``parent_id`` at ``at`` (None: last)."""
        self._unplace(node_id)
        kids = self._kids(parent_id)
        kids.insert(len(kids) if at is None else min(at, len(kids)), node_id)
        self._parent_of[node_id] = parent_id

    def _node_of(self, child: tuple[str, str]) -> str:
        kind, cid = child
        if kind == "category":
            return cid
        topic = self._topics.get(cid) or {}
        return str(topic.get("tocNodeId") or "")

    def _ordinal(self, parent_id: str | None, position: Position | None) -> int | None:
        """``ordinalNo`` for a new child: right after ``position.after``, 0 for first, None
        (last) without a position or when the sibling it follows is not there."""
        if position is None:
            return None
        if position.after is None:
            return 0
        kids = self._kids(parent_id)
        after = self._node_of(position.after)
        return kids.index(after) + 1 if after in kids else None

    def _captions(self, language: str) -> dict[str, str]:
        """Folder node id → caption in a language version (one call, then cached)."""
        if language not in self._lang_captions:
            nodes = self._lang_nodes(self._lang(language))
            self._lang_captions[language] = {
                nid: str(n.get("caption") or "") for nid, n in nodes.items() if not n.get("topicId")
            }
            for nid, caption in self._mirrored_captions.get(language, {}).items():
                self._lang_captions[language].setdefault(nid, caption)
        return self._lang_captions[language]

    def _folder_parent(self, node: Mapping[str, Any]) -> str | None:
        parent = node.get("parentId")
        if parent and parent in self._nodes and not self._nodes[parent].get("topicId"):
            return str(parent)
        return None

    def _url(self, publication: str, topic_id: str) -> str:
        return (
            f"{self.portal_url}/articles/{quote(publication, safe='')}/{quote(topic_id, safe='')}"
        )

    def _state(self, target: _Target, topic: Mapping[str, Any]) -> LiveState:
        copy = target.live.get(str(topic["id"]))
        if copy is None:
            return LiveState.UNPUBLISHED
        return LiveState.PUBLISHED if copy == topic.get("modifiedOn") else LiveState.CHANGED

    def _doc(self, topic: Mapping[str, Any], state: LiveState | None = None) -> RemoteDoc:
        tid = str(topic["id"])
        node = self._nodes.get(str(topic.get("tocNodeId") or ""))
        body = topic.get("body")
        return RemoteDoc(
            id=tid,
            language=self.default_language,
            title=str(topic.get("title") or ""),
            html=body if isinstance(body, str) else None,
            state=state or self._state(self._base, topic),
            version=str(topic.get("modifiedOn") or ""),
            slug=tid,
            category_id=self._folder_parent(node) if node else None,
            url=self._url(self.publication_id, tid),
            live_languages=tuple(
                lang for lang, target in sorted(self._langs.items()) if tid in target.live
            ),
        )

    def _translation(self, topic: Mapping[str, Any], language: str) -> RemoteDoc:
        target = self._langs[language]
        body = topic.get("body")
        state = self._state(target, topic)
        return RemoteDoc(
            id=str(topic["id"]),
            language=language,
            title=str(topic.get("title") or ""),
            html=body if isinstance(body, str) else None,
            state=state,
            version=str(topic.get("modifiedOn") or ""),
            url=self._url(target.publication, str(topic["id"])),
            placeholder=state is LiveState.UNPUBLISHED and self._untouched_copy(topic),
        )

    def _untouched_copy(self, topic: Mapping[str, Any]) -> bool:
        """Whether a language version's topic is still the copy made of the base topic: never
        modified since it was made (``createdOn == modifiedOn``, the reading client code uses
        for "updated", clickhelp.md §3.2), or carrying the base topic's own timestamps (copied
        when the language version was made). A translation written in the same second as its
        article's create, and never published, reads as a copy too."""
        created, modified = topic.get("createdOn"), topic.get("modifiedOn")
        base = self._topics.get(str(topic["id"])) or {}
        return modified == created or (
            created == base.get("createdOn") and modified == base.get("modifiedOn")
        )


# ---- the wire shapes (clickhelp.md §2, §3): each checks the fields the backend reads --------


def _topic(item: Obj) -> dict[str, Any]:
    """A topic (§2.2): ``id`` and ``modifiedOn`` required; the rest typed when present."""
    item.text("id")
    item.text("modifiedOn")
    for key in ("title", "body", "createdOn", "tocNodeId", "statusName"):
        item.opt_text(key)
    return dict(item.raw)


def _one_topic(body: Any) -> dict[str, Any]:
    """Get Topic's answer (§3.2.2): one topic object."""
    return _topic(obj(body))


def _node(item: Obj) -> dict[str, Any]:
    """A TOC node (§2.3): ``id`` required; parent, topic, caption and position typed."""
    item.text("id")
    for key in ("parentId", "topicId", "caption"):
        item.opt_text(key)
    item.opt_integer("ordinalNo")
    return dict(item.raw)


def _project(item: Obj) -> dict[str, Any]:
    """A project or publication (§3.1.1): ``id`` required."""
    item.text("id")
    for key in ("title", "parentId", "lang", "baseLangProjectId"):
        item.opt_text(key)
    return dict(item.raw)


def _file_content(body: Any) -> str | None:
    """A Storage file object (§3.4): its base64 ``content`` (None: no content)."""
    return obj(body).opt_text("content")


def _task_key(body: Any) -> str:
    """A publish answer: ``{"taskKey": …}`` (§3.1.5)."""
    return obj(body).text("taskKey")


def _task(body: Any) -> tuple[bool | None, bool | None, str | None]:
    """A task's state (§3.1.11): ``isWorking``, ``isSucceeded`` (null while running) and
    ``statusText``."""
    task = obj(body)
    return task.opt_flag("isWorking"), task.opt_flag("isSucceeded"), task.opt_text("statusText")


def _origin(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) of a URL, the port made explicit; None when it has no valid one."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        return None
    return (scheme, (parts.hostname or "").lower(), port)


def _with_state(doc: RemoteDoc, state: LiveState) -> RemoteDoc:
    return replace(doc, state=state)


def _with_ancestors(topic_ids: Iterable[str], nodes: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The TOC nodes of these topics and every node above them (clickhelp.md §11 row 23:
    a listed node whose parent is not published is skipped)."""
    by_topic = {str(n.get("topicId")): nid for nid, n in nodes.items() if n.get("topicId")}
    wanted: set[str] = set()
    for tid in topic_ids:
        nid: str | None = by_topic.get(tid)
        while nid and nid not in wanted and nid in nodes:
            wanted.add(nid)
            parent = nodes[nid].get("parentId")
            nid = str(parent) if parent else None
    return sorted(wanted)


def _default_sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


def _default_clock() -> float:
    import time

    return time.time()
