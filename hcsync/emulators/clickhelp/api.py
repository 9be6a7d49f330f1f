"""The ClickHelp REST API v1 endpoints (clickhelp.md §3): body checks, then the store.

Each handler takes a :class:`Ctx` and returns a :class:`Result`. Handlers check the body's
shape and types (400) and leave resources, references and conflicts to the store. JSON shapes
of the objects (§2) are built here.

Decisions where clickhelp.md is silent (§11 row numbers in brackets):

- create topic/node/file and publish answer 201 with ``Location`` and the object (a task:
  ``{"taskKey"}``); overwriting a file answers 200; deletes answer 204 with no body [1];
- the create response carries ``body: null``; GET and PATCH fill ``body`` and ``html`` (a whole
  document around the body) [2]; lists always carry ``body: null`` and ``html: null``;
- PATCH needs ``updatedFields`` (400 without it); names are matched case-insensitively; an
  unknown or non-updatable name is 400; a listed field missing from the body is cleared
  (``title``/``body``/``caption`` to "", ``indexKeywords`` to [], ``isShowInToc`` to false,
  ``parentId`` to the root, ``ordinalNo`` to "last"), except the workflow fields
  ``statusName``/``assigneeUserName``/``ownerUserName``, which cannot be empty (400) [8];
- unknown body fields are ignored; a body of the wrong JSON type (not an object) is 400; a
  field of the wrong type is 400; malformed JSON (including ``True``, ``NaN``) is 500 (documented);
- query booleans accept ``true``/``false`` in any case; anything else is 400 [20]; list
  endpoints ignore every other query parameter [22];
- a publish body with both or neither of ``pubId``/``updatedPubId`` is 400; ``updateMode`` is
  required with ``updatedPubId`` and must be ``FullReplace`` or ``Partial`` (case-sensitive);
  ``pubName`` is required for a new publication; an unknown ``updatedPubId`` or TOC node is 400
  (they are body references, not the URL's resource); ``action=export|download|import`` is 501
  (not emulated); another or no action is 400;
- Storage: ``format=base64`` is the only upload format (``resumable`` is 501, not emulated;
  anything else 400); ``GET`` of a folder lists it; ``PATCH`` replaces ``content`` only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote

from starlette.datastructures import QueryParams

from .errors import ApiError, bad_request, not_found
from .store import (
    Project,
    PublishRequest,
    Store,
    StoredFile,
    Topic,
    User,
    decode_base64,
    gmt,
    storage_path,
)

TOPIC_FIELDS: Final = (
    "title",
    "body",
    "statusName",
    "assigneeUserName",
    "ownerUserName",
    "indexKeywords",
)
"""Fields a topic PATCH may list (§3.2.4)."""

NODE_FIELDS: Final = ("caption", "isShowInToc", "ordinalNo", "parentId")
"""Fields a TOC node PATCH may list (§3.3.5)."""

_WORKFLOW: Final = ("statusName", "assigneeUserName", "ownerUserName")


@dataclass(slots=True)
class Ctx:
    """One API call: the store, path parameters, query, parsed body, caller and base URL."""

    store: Store
    params: dict[str, str]
    query: QueryParams
    body: Any
    user: User | None
    base_url: str
    method: str = "GET"

    @property
    def login(self) -> str:
        """The caller's login ("" when anonymous)."""
        return self.user.login if self.user else ""

    def api_url(self, path: str) -> str:
        """An absolute ``/api/v1/`` URL for ``Location``."""
        return f"{self.base_url}/api/v1/{path}"


@dataclass(slots=True)
class Result:
    """What a handler answers: status, JSON body (None: empty) and extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Ctx], Result]


# -- JSON shapes --------------------------------------------------------------------------


def project_json(project: Project, base_url: str) -> dict[str, Any]:
    """A project or publication object (§3.1.1); projects always report ``Private``."""
    return {
        "id": project.id,
        "url": project.id,
        "title": project.title,
        "parentId": project.parent_id,
        "parentUrl": project.parent_id,
        "visibility": project.visibility if project.is_publication else "Private",
        "createdOn": gmt(project.created_on),
        "fullUrl": f"{base_url}/articles/{project.id}",
        "lang": project.lang,
        "baseLangProjectId": project.base_lang_project_id,
    }


def topic_document(topic: Topic) -> str:
    """The ``html`` field: a whole document around the body."""
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>'
        f"{_escape(topic.title)}</title></head><body>{topic.body}</body></html>"
    )


def topic_json(topic: Topic, project: Project, base_url: str, *, content: bool) -> dict[str, Any]:
    """A topic object (§2.2); ``content`` fills ``body`` and ``html`` (Get Topic, PATCH)."""
    return {
        "id": topic.id,
        "url": topic.id,
        "title": topic.title,
        "body": topic.body if content else None,
        "html": topic_document(topic) if content else None,
        "statusName": topic.status,
        "assigneeUserName": topic.assignee,
        "ownerUserName": topic.owner,
        "indexKeywords": list(topic.keywords),
        "createdOn": gmt(topic.created_on),
        "modifiedOn": gmt(topic.modified_on),
        "projectId": project.id,
        "projectUrl": project.id,
        "projectTitle": project.title,
        "tocNodeId": topic.toc_node_id,
        "fullUrl": f"{base_url}/articles/{project.id}/{topic.id}",
        "smartLink": f"{base_url}/smart/{project.id}/{topic.id}",
        "ftsTitleHtml": None,
        "ftsSnippetHtml": None,
    }


def node_json(node: Any) -> dict[str, Any]:
    """A TOC node object (§2.3)."""
    return {
        "id": node.id,
        "parentId": node.parent_id,
        "ordinalNo": node.ordinal_no,
        "topicId": node.topic_id,
        "caption": node.caption,
        "isShowInToc": node.is_show_in_toc,
        "isAutoDocsMountPoint": False,
    }


def file_json(item: StoredFile, *, content: bool = False) -> dict[str, Any]:
    """A Storage file object (§3.4); ``content`` is base64 when asked for, else null."""
    import base64

    return {
        "fileName": item.name,
        "fileFullName": item.full_name,
        "content": base64.b64encode(item.data).decode("ascii")
        if content and not item.is_folder
        else None,
        "modifiedBy": item.modified_by,
        "modifiedOn": gmt(item.modified_on),
        "size": 0 if item.is_folder else len(item.data),
        "isFolder": item.is_folder,
    }


def user_json(user: User) -> dict[str, Any]:
    """A user profile (§3.6, M-USER)."""
    return {
        "userName": user.login,
        "userType": "PowerReader" if user.role == "PowerReader" else "Contributor",
        "userRole": {"Contributor": "Author", "Reviewer": "Reviewer"}.get(user.role),
        "isEnabled": user.enabled,
        "userInfo": {
            "about": "",
            "authorUiFourLetterCode": "en-US",
            "avatarImageUrl": None,
            "cultureInfoId": "en-US",
            "email": user.email,
            "firstName": user.login,
            "middleName": "",
            "lastName": "",
            "isAutoDetectCultureInfo": True,
            "isAutoDetectTimeZone": True,
            "lastActivityDate": gmt(user.created_on),
            "timeZoneId": "UTC",
        },
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- body and query checks ----------------------------------------------------------------


def body_object(ctx: Ctx, *, required: bool = True) -> dict[str, Any]:
    """The body as an object; 400 when it is missing (and required) or not an object."""
    if ctx.body is None:
        if required:
            raise bad_request("The request body is required.")
        return {}
    if not isinstance(ctx.body, dict):
        raise bad_request("The request body must be a JSON object.")
    return ctx.body


def get_str(body: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    """A string field (None when absent or null); 400 when required and missing or empty."""
    value = body.get(key)
    if value is None:
        if required:
            raise bad_request(f"'{key}' is required.")
        return None
    if not isinstance(value, str):
        raise bad_request(f"'{key}' must be a string.")
    if required and not value.strip():
        raise bad_request(f"'{key}' is required.")
    return value


def get_bool(body: Mapping[str, Any], key: str, default: bool) -> bool:
    """A boolean field (``default`` when absent or null); 400 for any other type."""
    value = body.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise bad_request(f"'{key}' must be true or false.")
    return value


def get_int(body: Mapping[str, Any], key: str) -> int | None:
    """An integer field (None when absent or null); 400 for any other type."""
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"'{key}' must be an integer.")
    return value


def get_str_list(body: Mapping[str, Any], key: str) -> list[str] | None:
    """A list of strings (None when absent or null); 400 otherwise."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request(f"'{key}' must be an array of strings.")
    return value


def query_bool(query: QueryParams, key: str, default: bool) -> bool:
    """``true``/``false`` in any case (C-DT sends ``True``); 400 for anything else."""
    value = query.get(key)
    if value is None or value == "":
        return default
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise bad_request(f"Query parameter '{key}' must be true or false.")


def updated_fields(body: Mapping[str, Any], allowed: tuple[str, ...]) -> list[str]:
    """The canonical names listed in ``updatedFields``; 400 when missing, empty or unknown."""
    raw = body.get("updatedFields")
    if not isinstance(raw, str) or not raw.strip():
        raise bad_request(
            "'updatedFields' is required: list the fields to change, comma-separated."
        )
    by_lower = {name.lower(): name for name in allowed}
    names: list[str] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        name = by_lower.get(part.lower())
        if name is None:
            raise bad_request(
                f"Field '{part}' cannot be updated. Updatable fields: {', '.join(allowed)}."
            )
        if name not in names:
            names.append(name)
    if not names:
        raise bad_request(
            "'updatedFields' is required: list the fields to change, comma-separated."
        )
    return names


# -- projects and publications ------------------------------------------------------------


def list_projects(ctx: Ctx) -> Result:
    """``GET projects`` (§3.1.1): optional ``types`` and ``parentId`` filters."""
    projects = ctx.store.projects()
    types = {t.strip().lower() for t in ctx.query.get("types", "").split(",") if t.strip()}
    if types:
        unknown = types - {"project", "publication"}
        if unknown:
            raise bad_request(f"Unknown type '{sorted(unknown)[0]}': use Project or Publication.")
        projects = [
            p for p in projects if ("publication" if p.is_publication else "project") in types
        ]
    parent = ctx.query.get("parentId")
    if parent:
        projects = [p for p in projects if p.parent_id == parent]
    return Result(200, [project_json(p, ctx.base_url) for p in projects])


def get_project(ctx: Ctx) -> Result:
    """``GET projects/{id}`` (§3.1.2)."""
    return Result(200, project_json(ctx.store.project(ctx.params["project"]), ctx.base_url))


def update_project(ctx: Ctx) -> Result:
    """``PATCH projects/{publicationId}``: visibility only (§3.1.4)."""
    body = body_object(ctx)
    ctx.store.project(ctx.params["project"])
    names = updated_fields(body, ("visibility",))
    visibility = get_str(body, "visibility") if "visibility" in names else None
    project = ctx.store.set_visibility(ctx.params["project"], visibility or "")
    return Result(200, project_json(project, ctx.base_url))


def project_action(ctx: Ctx) -> Result:
    """``POST projects/{id}?action=…``: publish is emulated, the other actions are 501."""
    action = ctx.query.get("action", "")
    if action.lower() in ("export", "download", "import"):
        raise ApiError(501, f"The emulator does not support action '{action}'.")
    if action.lower() != "publish":
        raise bad_request(f"Unknown action '{action}': use action=publish.")
    project_id = ctx.params["project"]
    ctx.store.project(project_id)
    request = parse_publish(body_object(ctx))
    task = ctx.store.start_publish(project_id, request)
    return Result(201, {"taskKey": task.key}, {"Location": ctx.api_url(f"tasks/{task.key}")})


def import_project(ctx: Ctx) -> Result:
    """``POST projects?action=import``: not emulated (501)."""
    raise ApiError(501, "The emulator does not support importing projects.")


def parse_publish(body: Mapping[str, Any]) -> PublishRequest:
    """A publish body (§3.1.5 new, §3.1.6 update) as a :class:`PublishRequest`."""
    pub_id = get_str(body, "pubId")
    updated = get_str(body, "updatedPubId")
    if (pub_id is None) == (updated is None):
        raise bad_request("Give either 'pubId' (a new publication) or 'updatedPubId'.")
    name = get_str(body, "pubName", required=pub_id is not None)
    visibility = get_str(body, "pubVisibility")
    ready_only = get_bool(body, "isPublishOnlyReadyTopics", False)
    get_str_list(body, "outputTags")
    get_bool(body, "isReplacePubScripts", False)
    get_bool(body, "isReplacePubStyles", False)
    node_ids = get_str_list(body, "publishedTocNodeIds")
    if updated is not None:
        mode = get_str(body, "updateMode", required=True)
        if mode not in ("FullReplace", "Partial"):
            raise bad_request(f"updateMode '{mode}' is not FullReplace or Partial.")
    else:
        mode = "New"
    assert mode is not None
    return PublishRequest(
        mode=mode,
        pub_id=pub_id or updated or "",
        pub_name=name,
        visibility=visibility,
        ready_only=ready_only,
        node_ids=tuple(node_ids) if node_ids is not None else None,
    )


def get_task(ctx: Ctx) -> Result:
    """``GET tasks/{taskKey}`` (§3.1.11): read-once after completion."""
    return Result(200, ctx.store.poll_task(ctx.params["task"]).to_json())


# -- topics -------------------------------------------------------------------------------


def list_topics(ctx: Ctx) -> Result:
    """``GET projects/{id}/articles`` (§3.2.1): every topic, ``body: null``."""
    project = ctx.store.project(ctx.params["project"])
    topics = ctx.store.topics(project.id)
    return Result(200, [topic_json(t, project, ctx.base_url, content=False) for t in topics])


def get_topic(ctx: Ctx) -> Result:
    """``GET projects/{id}/articles/{topicId}`` (§3.2.2): ``body`` filled."""
    project = ctx.store.project(ctx.params["project"])
    topic = ctx.store.topic(project.id, ctx.params["topic"])
    return Result(200, topic_json(topic, project, ctx.base_url, content=True))


def create_topic(ctx: Ctx) -> Result:
    """``POST projects/{projectId}/articles`` (§3.2.3)."""
    project = ctx.store.project(ctx.params["project"])
    body = body_object(ctx)
    topic_id = get_str(body, "id", required=True)
    status = get_str(body, "statusName", required=True)
    assignee = get_str(body, "assigneeUserName", required=True)
    owner = get_str(body, "ownerUserName", required=True)
    assert topic_id is not None and status is not None
    assert assignee is not None and owner is not None
    topic = ctx.store.create_topic(
        project.id,
        topic_id,
        status=status,
        assignee=assignee,
        owner=owner,
        title=get_str(body, "title"),
        body=get_str(body, "body") or "",
        parent_node_id=get_str(body, "parentTocNodeId"),
        ordinal_no=get_int(body, "tocNodeOrdinalNo"),
        caption=get_str(body, "tocNodeCaption") or "",
        is_show_in_toc=get_bool(body, "isShowInToc", False),
        keywords=get_str_list(body, "indexKeywords") or [],
    )
    location = ctx.api_url(f"projects/{quote(project.id)}/articles/{quote(topic.id)}")
    return Result(
        201, topic_json(topic, project, ctx.base_url, content=False), {"Location": location}
    )


def update_topic(ctx: Ctx) -> Result:
    """``PATCH projects/{projectId}/articles/{topicId}`` (§3.2.4): the full topic back."""
    project = ctx.store.project(ctx.params["project"])
    ctx.store.topic(project.id, ctx.params["topic"])
    body = body_object(ctx)
    changes: dict[str, Any] = {}
    for name in updated_fields(body, TOPIC_FIELDS):
        if name == "indexKeywords":
            changes[name] = get_str_list(body, name) or []
        elif name in _WORKFLOW:
            changes[name] = get_str(body, name, required=True)
        else:
            changes[name] = get_str(body, name) or ""
    topic = ctx.store.update_topic(project.id, ctx.params["topic"], changes)
    return Result(200, topic_json(topic, project, ctx.base_url, content=True))


def delete_topic(ctx: Ctx) -> Result:
    """``DELETE projects/{projectId}/articles/{topicId}`` (§3.2.5): 204."""
    ctx.store.delete_topics(ctx.params["project"], [ctx.params["topic"]])
    return Result(204)


def delete_topics(ctx: Ctx) -> Result:
    """``DELETE projects/{id}/articles`` with ``{"ids": [...]}`` (§3.2.6): 204."""
    ctx.store.project(ctx.params["project"])
    ids = get_str_list(body_object(ctx), "ids")
    if not ids:
        raise bad_request("'ids' is required: the topic IDs to delete.")
    ctx.store.delete_topics(ctx.params["project"], ids)
    return Result(204)


# -- TOC nodes ----------------------------------------------------------------------------


def list_nodes(ctx: Ctx) -> Result:
    """``GET projects/{id}/toc/nodes`` (§3.3.1): flat, depth-first in TOC order."""
    return Result(200, [node_json(n) for n in ctx.store.nodes(ctx.params["project"])])


def get_node(ctx: Ctx) -> Result:
    """``GET projects/{id}/toc/nodes/{nodeId}`` (§3.3.2)."""
    return Result(200, node_json(ctx.store.node(ctx.params["project"], ctx.params["node"])))


def node_children(ctx: Ctx) -> Result:
    """``GET projects/{id}/toc/nodes/{nodeId}/children?isRecursive=`` (§3.3.3)."""
    recursive = query_bool(ctx.query, "isRecursive", False)
    nodes = ctx.store.children(ctx.params["project"], ctx.params["node"], recursive=recursive)
    return Result(200, [node_json(n) for n in nodes])


def create_node(ctx: Ctx) -> Result:
    """``POST projects/{projectId}/toc/nodes``: a folder node (§3.3.4)."""
    project = ctx.store.project(ctx.params["project"])
    body = body_object(ctx)
    caption = get_str(body, "caption", required=True)
    assert caption is not None
    node = ctx.store.create_folder(
        project.id,
        caption,
        parent_id=get_str(body, "parentId"),
        ordinal_no=get_int(body, "ordinalNo"),
        is_show_in_toc=get_bool(body, "isShowInToc", False),
    )
    location = ctx.api_url(f"projects/{quote(project.id)}/toc/nodes/{node.id}")
    return Result(201, node_json(node), {"Location": location})


def update_node(ctx: Ctx) -> Result:
    """``PATCH projects/{projectId}/toc/nodes/{nodeId}`` (§3.3.5): the node back."""
    ctx.store.node(ctx.params["project"], ctx.params["node"])
    body = body_object(ctx)
    changes: dict[str, Any] = {}
    for name in updated_fields(body, NODE_FIELDS):
        if name == "caption":
            changes[name] = get_str(body, name) or ""
        elif name == "isShowInToc":
            changes[name] = get_bool(body, name, False)
        elif name == "ordinalNo":
            changes[name] = get_int(body, name)
        else:
            changes[name] = get_str(body, name)
    node = ctx.store.update_node(ctx.params["project"], ctx.params["node"], changes)
    return Result(200, node_json(node))


def delete_node(ctx: Ctx) -> Result:
    """``DELETE projects/{projectId}/toc/nodes/{nodeId}`` (§3.3.6): 204."""
    ctx.store.delete_nodes(ctx.params["project"], [ctx.params["node"]])
    return Result(204)


def delete_nodes(ctx: Ctx) -> Result:
    """``DELETE projects/{projectId}/toc/nodes`` with ``{"tocNodeIds": [...]}`` (§3.3.7)."""
    ctx.store.project(ctx.params["project"])
    ids = get_str_list(body_object(ctx), "tocNodeIds")
    if not ids:
        raise bad_request("'tocNodeIds' is required: the TOC node IDs to delete.")
    ctx.store.delete_nodes(ctx.params["project"], ids)
    return Result(204)


# -- Storage ------------------------------------------------------------------------------


def _storage_format(ctx: Ctx, *, upload: bool) -> bool:
    fmt = ctx.query.get("format")
    if fmt is None or fmt == "":
        if upload:
            raise bad_request("Query parameter 'format' is required: use format=base64.")
        return False
    if fmt.lower() == "base64":
        return True
    if upload and fmt.lower() == "resumable":
        raise ApiError(501, "The emulator does not support resumable uploads; use format=base64.")
    raise bad_request(f"Format '{fmt}' is not supported: use format=base64.")


def get_file(ctx: Ctx) -> Result:
    """``GET storage/{path}``: a file (``content`` with ``format=base64``) or a folder list."""
    content = _storage_format(ctx, upload=False)
    item = ctx.store.file(ctx.params["path"])
    if item is None:
        raise not_found(f"File or folder '{ctx.params['path']}' was not found in Storage.")
    if item.is_folder:
        items = ctx.store.list_folder(
            item.path,
            pattern=ctx.query.get("filter") or "*",
            recursive=query_bool(ctx.query, "isRecursive", False),
        )
        return Result(200, [file_json(i) for i in items])
    return Result(200, file_json(item, content=content))


def head_file(ctx: Ctx) -> Result:
    """``HEAD storage/{path}``: 200 if it exists, else 404."""
    if ctx.store.file(ctx.params["path"]) is None:
        raise not_found(f"File or folder '{ctx.params['path']}' was not found in Storage.")
    return Result(200)


def upload_file(ctx: Ctx) -> Result:
    """``POST storage/{path}?format=base64&isOverwrite=`` with ``{content, isFolder}``."""
    _storage_format(ctx, upload=True)
    overwrite = query_bool(ctx.query, "isOverwrite", False)
    body = body_object(ctx, required=False)
    is_folder = get_bool(body, "isFolder", False)
    text = get_str(body, "content")
    data = b"" if is_folder or not text else decode_base64(text)
    item, created = ctx.store.put_file(
        ctx.params["path"], data, by=ctx.login, is_folder=is_folder, overwrite=overwrite
    )
    location = ctx.api_url("storage/" + quote(item.path))
    return Result(201 if created else 200, file_json(item), {"Location": location})


def patch_file(ctx: Ctx) -> Result:
    """``PATCH storage/{path}`` with ``{"updatedFields": "content", "content": …}``."""
    item = ctx.store.file(ctx.params["path"])
    if item is None or item.is_folder:
        raise not_found(f"File '{ctx.params['path']}' was not found in Storage.")
    body = body_object(ctx)
    updated_fields(body, ("content",))
    data = decode_base64(get_str(body, "content") or "")
    item, _ = ctx.store.put_file(item.path, data, by=ctx.login, overwrite=True)
    return Result(200, file_json(item))


def delete_file(ctx: Ctx) -> Result:
    """``DELETE storage/{path}``: 204."""
    ctx.store.delete_files([ctx.params["path"]])
    return Result(204)


def delete_files(ctx: Ctx) -> Result:
    """``DELETE storage`` with ``{"fileFullNames": [...]}`` (``Storage\\…`` or relative)."""
    names = get_str_list(body_object(ctx), "fileFullNames")
    if not names:
        raise bad_request("'fileFullNames' is required: the files to delete.")
    if any(not storage_path(n) for n in names):
        raise bad_request("Cannot delete the Storage root.")
    ctx.store.delete_files(names)
    return Result(204)


# -- users --------------------------------------------------------------------------------


def list_users(ctx: Ctx) -> Result:
    """``GET users``."""
    return Result(200, [user_json(u) for u in ctx.store.users()])


def get_user(ctx: Ctx) -> Result:
    """``GET users/{login}``: the cheapest authenticated call (a connectivity check)."""
    return Result(200, user_json(ctx.store.user(ctx.params["login"])))
