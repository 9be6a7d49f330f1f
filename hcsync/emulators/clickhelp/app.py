"""The ClickHelp REST API v1 emulator as an ASGI app (clickhelp.md, DESIGN §7).

``create_app(store)`` returns a :class:`ClickHelpEmulator`, an ASGI callable that serves:

- the API of §3 that hcsync needs under ``/api/v1/`` (any host, plain HTTP);
- Storage files at ``/resources/Storage/{path}`` (what topic HTML refers to, §2.4);
- test controls under ``/_emulator/`` (also available as Python methods on the app and store);
- the readers' view of Public publications at every other GET path (``/``, ``/articles/…``).

Every API request goes through these checks in order: route (404), credentials (401), role
(403), the opt-in rate limit (429), injected faults, then the endpoint: body (500 for malformed
JSON, 400 for a wrong shape), resources (404), references and values (400), duplicates and
locks (409).

Decisions where clickhelp.md is silent (with those in ``store.py`` and ``api.py``):

- credentials are HTTP Basic ``login:api-key``; only the login's latest key works; a missing,
  garbled or wrong header, an unknown login, a wrong key or a disabled account is 401 with the
  error body and ``WWW-Authenticate: Basic realm="ClickHelp API"``;
- Power Readers get 403 on every call (they cannot use the API); Reviewers may call GET and
  HEAD, and get 403 on every write; Contributors may do everything (no per-project rights);
- the only anonymous call is ``GET projects/{pub}/articles/{id}`` of a Public publication
  (search is not emulated); with an Authorization header the credentials must be valid;
- an unknown path or a method a route does not have is 404 with the error body; a trailing
  slash is ignored; ``/api/v2/`` is not served;
- no rate limit unless one is set (``set_rate_limit`` or ``POST /_emulator/rate-limit``): then a
  token bucket per login answers 429 with ``Retry-After``, which ClickHelp does not document;
- faults may answer 429, 500, 501, 502, 503 or 504 with the error body, or drop the connection;
  they fire after authentication; ``after_write`` ones only after a 2xx;
- tasks whose time has come are finished before each API request is handled;
- ``/resources/Storage/{folder}/…`` is served to anyone when ``folder`` is a Public publication,
  otherwise only with valid credentials (401);
- the request log records API requests only, with the caller's login and never the key.
"""

from __future__ import annotations

import base64
import binascii
import json
import mimetypes
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from hcsync.emulators.common.asgi import (
    Dropped,
    EmulatorApp,
    LoggedRequest,
    RequestLog,
    fault_name,
    json_response,
)
from hcsync.emulators.common.faults import (
    HTML_FAULT_PAGE,
    FaultInjector,
    FaultRule,
    SettingError,
)
from hcsync.emulators.common.faults import parse_fault_spec as _parse_fault_spec
from hcsync.emulators.common.ratelimit import RateLimit, RateLimiter

from . import api, site
from .errors import ApiError, bad_request
from .store import PublishRequest, Store, User, gmt, storage_path

FAULT_STATUSES: Final = frozenset({429, 500, 501, 502, 503, 504})
"""Statuses an injected fault may answer."""

MAX_BODY_BYTES: Final = 16 * 1024 * 1024
"""Largest body read: a 10 MB file in base64 plus the JSON around it."""

API_PREFIX: Final = "/api/v1"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One method on one route: its name (used by fault rules and the log) and handler."""

    name: str
    handler: api.Handler
    write: bool = False
    anonymous: bool = False


def _routes() -> list[tuple[re.Pattern[str], dict[str, Endpoint]]]:
    project = r"projects/(?P<project>[^/]+)"
    table: list[tuple[str, dict[str, Endpoint]]] = [
        (
            "projects",
            {
                "GET": Endpoint("projects.list", api.list_projects),
                "POST": Endpoint("projects.import", api.import_project, write=True),
            },
        ),
        (
            project,
            {
                "GET": Endpoint("projects.get", api.get_project),
                "PATCH": Endpoint("projects.update", api.update_project, write=True),
                "POST": Endpoint("projects.publish", api.project_action, write=True),
            },
        ),
        (
            f"{project}/articles",
            {
                "GET": Endpoint("topics.list", api.list_topics),
                "POST": Endpoint("topics.create", api.create_topic, write=True),
                "DELETE": Endpoint("topics.bulk_delete", api.delete_topics, write=True),
            },
        ),
        (
            f"{project}/articles/(?P<topic>[^/]+)",
            {
                "GET": Endpoint("topics.get", api.get_topic, anonymous=True),
                "PATCH": Endpoint("topics.update", api.update_topic, write=True),
                "DELETE": Endpoint("topics.delete", api.delete_topic, write=True),
            },
        ),
        (
            f"{project}/toc/nodes",
            {
                "GET": Endpoint("nodes.list", api.list_nodes),
                "POST": Endpoint("nodes.create", api.create_node, write=True),
                "DELETE": Endpoint("nodes.bulk_delete", api.delete_nodes, write=True),
            },
        ),
        (
            f"{project}/toc/nodes/(?P<node>[^/]+)",
            {
                "GET": Endpoint("nodes.get", api.get_node),
                "PATCH": Endpoint("nodes.update", api.update_node, write=True),
                "DELETE": Endpoint("nodes.delete", api.delete_node, write=True),
            },
        ),
        (
            f"{project}/toc/nodes/(?P<node>[^/]+)/children",
            {"GET": Endpoint("nodes.children", api.node_children)},
        ),
        ("tasks/(?P<task>[^/]+)", {"GET": Endpoint("tasks.get", api.get_task)}),
        ("storage", {"DELETE": Endpoint("storage.bulk_delete", api.delete_files, write=True)}),
        (
            "storage/(?P<path>.+)",
            {
                "GET": Endpoint("storage.get", api.get_file),
                "HEAD": Endpoint("storage.head", api.head_file),
                "POST": Endpoint("storage.upload", api.upload_file, write=True),
                "PATCH": Endpoint("storage.update", api.patch_file, write=True),
                "DELETE": Endpoint("storage.delete", api.delete_file, write=True),
            },
        ),
        ("users", {"GET": Endpoint("users.list", api.list_users)}),
        ("users/(?P<login>[^/]+)", {"GET": Endpoint("users.get", api.get_user)}),
    ]
    return [(re.compile(f"{API_PREFIX}/{rest}"), methods) for rest, methods in table]


ROUTES: Final = _routes()


def resolve(method: str, path: str) -> tuple[Endpoint, dict[str, str]] | None:
    """The endpoint for ``method`` and an API ``path``, or None (a trailing slash is ignored)."""
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/")
    for pattern, methods in ROUTES:
        match = pattern.fullmatch(path)
        if match:
            endpoint = methods.get(method)
            return (endpoint, match.groupdict()) if endpoint else None
    return None


def error_response(err: ApiError, headers: Mapping[str, str] | None = None) -> Response:
    """The documented error body with the error's status."""
    return json_response(err.status, err.body(), headers)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(raw: bytes) -> Any:
    """The body as JSON (None when empty); 500 when malformed, as ClickHelp documents."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(
            500, f"Error parsing the request body as JSON: {exc}", "JsonReaderException"
        ) from None
    except RecursionError:
        raise ApiError(
            500, "Error parsing the request body as JSON: nested too deeply", "JsonReaderException"
        ) from None


_BASIC_REALM: Final = {"WWW-Authenticate": 'Basic realm="ClickHelp API"'}


def parse_basic(header: str) -> tuple[str, str] | None:
    """``(login, key)`` from an ``Authorization: Basic …`` value, or None when garbled."""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    login, sep, key = decoded.partition(":")
    if not sep or not login or not key:
        return None
    return login, key


def parse_fault_spec(spec: str) -> list[FaultRule]:
    """Parse ``500:0.05,501:0.01,reset:0.01`` with ClickHelp's fault statuses (400 when bad)."""
    try:
        return _parse_fault_spec(spec, FAULT_STATUSES)
    except SettingError as exc:
        raise bad_request(str(exc)) from None


class ClickHelpEmulator(EmulatorApp):
    """The emulator's ASGI app with its runtime controls.

    ``store`` holds the data; ``faults``, the optional ``rate_limiter`` and the request log
    live here.
    """

    def __init__(
        self,
        store: Store,
        *,
        faults: FaultInjector | None = None,
        rate_limit: RateLimit | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock or store.clock
        self.faults = faults or FaultInjector()
        self._initial_rate_limit = rate_limit
        self.rate_limiter: RateLimiter | None = (
            RateLimiter(rate_limit, self.clock) if rate_limit else None
        )
        self._log: RequestLog[LoggedRequest] = RequestLog()

    # -- Python test controls ---------------------------------------------------------------

    def set_faults(self, rules: list[FaultRule | Mapping[str, Any]], seed: int = 0) -> None:
        """Replace the fault rules (objects or JSON-style dicts) and reseed (400 when bad)."""
        try:
            parsed = [
                r if isinstance(r, FaultRule) else FaultRule.from_json(r, FAULT_STATUSES)
                for r in rules
            ]
        except SettingError as exc:
            raise bad_request(str(exc)) from None
        self.faults.configure(parsed, seed)

    def set_rate_limit(self, settings: RateLimit | None) -> None:
        """Turn the opt-in rate limit on (buckets start full) or off (None)."""
        self.rate_limiter = RateLimiter(settings, self.clock) if settings else None

    def reset(self) -> None:
        """Delete all data, faults and log entries; restore the initial rate limit."""
        self.store.reset()
        self.faults.clear()
        self.set_rate_limit(self._initial_rate_limit)
        self.clear_requests()

    # -- ASGI -------------------------------------------------------------------------------

    max_body = MAX_BODY_BYTES

    def _is_api(self, path: str) -> bool:
        return path == "/api" or path.startswith("/api/")

    async def _serve_api(self, request: Request, raw: bytes, size: int) -> Response:
        return self._api(request, raw, size)

    def _serve_other(self, request: Request, path: str) -> Response:
        if path.startswith("/resources/Storage/") and request.method in ("GET", "HEAD"):
            return self._resource(request)
        if request.method == "GET":
            return site.render(self.store, request)
        return error_response(_no_endpoint(request.method, path))

    def _record(
        self,
        request: Request,
        status: int | None,
        endpoint: Endpoint | None,
        user: User | None,
        fault: FaultRule | None,
    ) -> None:
        self._log.append(
            lambda seq: LoggedRequest(
                seq=seq,
                time=gmt(int(self.clock())),
                method=request.method,
                path=request.url.path,
                query=request.url.query,
                status=status,
                endpoint=endpoint.name if endpoint else None,
                caller={"login": user.login if user else None},
                fault=fault_name(fault),
            )
        )

    def _api(self, request: Request, raw: bytes, size: int) -> Response:
        method, path = request.method, request.url.path
        found = resolve(method, path)
        if found is None:
            self._record(request, 404, None, None, None)
            return error_response(_no_endpoint(method, path))
        endpoint, params = found
        self.store.finish_due_tasks()
        try:
            user = self._authorize(request, endpoint, params)
        except ApiError as err:
            self._record(request, err.status, endpoint, None, None)
            headers = _BASIC_REALM if err.status == 401 else None
            return error_response(err, headers)
        if self.rate_limiter is not None:
            decision = self.rate_limiter.charge(user.login if user else "")
            if not decision.allowed:
                self._record(request, 429, endpoint, user, None)
                message = (
                    "Too many requests (emulator pacing mode; ClickHelp documents no rate "
                    f"limit). Retry after {decision.retry_after} s."
                )
                return error_response(
                    ApiError(429, message), {"Retry-After": str(decision.retry_after)}
                )
        rule = self.faults.pick(method, path, endpoint.name, after_write=False)
        if rule is not None:
            return self._fault(request, endpoint, user, rule)
        try:
            if size > MAX_BODY_BYTES:
                raise bad_request("The request body is larger than 16 MB.")
            ctx = api.Ctx(
                store=self.store,
                params=params,
                query=request.query_params,
                body=parse_json(raw),
                user=user,
                base_url=str(request.base_url).rstrip("/"),
                method=method,
            )
            result = endpoint.handler(ctx)
        except ApiError as err:
            self._record(request, err.status, endpoint, user, None)
            return error_response(err)
        if 200 <= result.status < 300:
            rule = self.faults.pick(method, path, endpoint.name, after_write=True)
            if rule is not None:
                return self._fault(request, endpoint, user, rule)
        self._record(request, result.status, endpoint, user, None)
        if method == "HEAD" or result.body is None:
            return Response(status_code=result.status, headers=result.headers)
        return json_response(result.status, result.body, result.headers)

    def _fault(
        self, request: Request, endpoint: Endpoint, user: User | None, rule: FaultRule
    ) -> Response:
        self._record(request, rule.answered, endpoint, user, rule)
        if rule.kind == "html":
            return HTMLResponse(HTML_FAULT_PAGE)
        if rule.kind != "status":
            raise Dropped(rule)
        status = rule.status or 500
        if status == 429:
            err = ApiError(429, "Too many requests (emulated fault). Retry after 1 s.")
            return error_response(err, {"Retry-After": "1"})
        message = {
            500: "An error has occurred.",
            501: "The method is not implemented.",
        }.get(status, "The service is temporarily unavailable.")
        return error_response(ApiError(status, message))

    def _authorize(
        self, request: Request, endpoint: Endpoint, params: Mapping[str, str]
    ) -> User | None:
        """The caller, None for an allowed anonymous call; 401 or 403 otherwise."""
        header = request.headers.get("authorization")
        if header is None:
            if endpoint.anonymous and self._public(params.get("project", "")):
                return None
            raise ApiError(
                401,
                "Authorization is required: use HTTP Basic authentication with your login "
                "and API key.",
            )
        user = self._user(header)
        if request.method in ("GET", "HEAD"):
            needs_write = False
        else:
            needs_write = endpoint.write
        if user.role == "PowerReader":
            raise ApiError(403, f"User '{user.login}' is a Power Reader and cannot use the API.")
        if needs_write and not user.can_write:
            raise ApiError(403, f"User '{user.login}' has no permission to change content.")
        return user

    def _user(self, header: str) -> User:
        credentials = parse_basic(header)
        if credentials is None:
            raise ApiError(401, "The Authorization header is corrupted.")
        user = self.store.authenticate(*credentials)
        if user is None:
            raise ApiError(
                401, "The login or API key is invalid. Use an API key, not your password."
            )
        if not user.enabled:
            raise ApiError(401, f"The user account '{user.login}' is disabled.")
        return user

    def _public(self, project_id: str) -> bool:
        try:
            project = self.store.project(project_id)
        except ApiError:
            return False
        return project.is_publication and project.visibility == "Public"

    def _resource(self, request: Request) -> Response:
        try:
            key = storage_path(request.url.path[len("/resources/Storage/") :])
        except ApiError:  # a path that leaves the Storage root: there is no such file
            return Response("Not found", status_code=404, media_type="text/plain")
        folder = key.split("/", 1)[0]
        if not self._public(folder):
            header = request.headers.get("authorization")
            try:
                if header is None:
                    raise ApiError(401, "Authorization is required for this file.")
                self._user(header)
            except ApiError as err:
                return error_response(err, _BASIC_REALM)
        item = self.store.file(key)
        if item is None or item.is_folder:
            return Response("Not found", status_code=404, media_type="text/plain")
        media = mimetypes.guess_type(item.name)[0] or "application/octet-stream"
        headers = {}
        if media == "image/svg+xml":
            headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
        body = b"" if request.method == "HEAD" else item.data
        return Response(body, media_type=media, headers=headers)

    # -- /_emulator/ ------------------------------------------------------------------------

    def _control(self, request: Request, raw: bytes) -> Response:
        try:
            body = parse_json(raw)
            if body is None:
                body = {}
            if not isinstance(body, dict):
                raise bad_request("The request body must be a JSON object.")
            return self._control_route(request, body)
        except ApiError as err:
            return error_response(err)
        except SettingError as exc:
            return error_response(bad_request(str(exc)))

    def _control_route(self, request: Request, body: dict[str, Any]) -> Response:
        method = request.method
        parts = [p for p in request.url.path.split("/") if p][1:]
        base = str(request.base_url).rstrip("/")
        store = self.store
        match (method, parts):
            case ("POST", ["users"]):
                user = store.create_user(
                    _req_str(body, "login"),
                    _opt_str(body, "role") or "Contributor",
                    email=_opt_str(body, "email") or "",
                )
                return json_response(201, _user_control(user))
            case ("GET", ["users"]):
                return json_response(200, [_user_control(u) for u in store.users()])
            case ("PATCH", ["users", login]):
                if not isinstance(body.get("enabled"), bool):
                    raise bad_request("enabled must be true or false")
                return json_response(
                    200, _user_control(store.set_user_enabled(login, body["enabled"]))
                )
            case ("POST", ["users", login, "keys"]):
                return json_response(200, _user_control(store.new_key(login)))
            case ("POST", ["projects"]):
                project = store.create_project(
                    _req_str(body, "id"),
                    _opt_str(body, "title") or _req_str(body, "id"),
                    lang=_opt_str(body, "lang") or "en-US",
                    base_project_id=_opt_str(body, "base_project_id"),
                )
                return json_response(201, api.project_json(project, base))
            case ("GET", ["projects"]):
                return json_response(200, [api.project_json(p, base) for p in store.projects()])
            case ("POST", ["projects", project_id, "publish"]):
                request_ = api.parse_publish(body)
                warnings = store.publish_now(project_id, request_)
                out = api.project_json(store.project(request_.pub_id), base)
                return json_response(200, {**out, "warnings": warnings})
            case ("PATCH", ["projects", project_id, "articles", topic_id]):
                topic = store.web_edit(
                    project_id,
                    topic_id,
                    title=_opt_str(body, "title"),
                    body=_opt_str(body, "body"),
                )
                project = store.project(project_id)
                return json_response(200, api.topic_json(topic, project, base, content=True))
            case ("POST" | "DELETE", ["projects", project_id, "articles", topic_id, "lock"]):
                locker = (_opt_str(body, "login") or "editor") if method == "POST" else None
                topic = store.lock_topic(project_id, topic_id, locker)
                return json_response(200, {"id": topic.id, "lockedBy": topic.locked_by})
            case ("POST", ["faults"]):
                rules = body.get("rules", [])
                seed = body.get("seed", 0)
                if not isinstance(rules, list):
                    raise bad_request("rules must be a list")
                if isinstance(seed, bool) or not isinstance(seed, int):
                    raise bad_request("seed must be an integer")
                self.set_faults(rules, seed)
                return json_response(200, self.faults.to_json())
            case ("GET", ["faults"]):
                return json_response(200, self.faults.to_json())
            case ("DELETE", ["faults"]):
                self.clear_faults()
                return json_response(200, self.faults.to_json())
            case ("POST", ["rate-limit"]):
                current = self.rate_limiter.settings if self.rate_limiter else RateLimit()
                settings = RateLimit(
                    per_minute=_opt_int(body, "per_minute", current.per_minute),
                    burst=_opt_int(body, "burst", current.burst),
                    window_seconds=_opt_float(body, "window_seconds", current.window_seconds),
                )
                self.set_rate_limit(settings)
                return json_response(200, settings.to_json())
            case ("GET", ["rate-limit"]):
                limiter = self.rate_limiter
                return json_response(200, limiter.settings.to_json() if limiter else None)
            case ("DELETE", ["rate-limit"]):
                self.set_rate_limit(None)
                return json_response(200, None)
            case ("POST", ["tasks"]):
                store.task_polls = _opt_int(body, "polls", store.task_polls)
                store.task_seconds = _opt_float(body, "seconds", store.task_seconds)
                fail = _opt_int(body, "fail", 0)
                if fail:
                    store.fail_next_tasks(fail)
                return json_response(200, _task_settings(store))
            case ("GET", ["tasks"]):
                tasks = [{"taskKey": t.key, **t.to_json()} for t in store.tasks()]
                return json_response(200, {**_task_settings(store), "tasks": tasks})
            case ("POST", ["tasks", "finish"]):
                store.finish_tasks()
                return json_response(200, _task_settings(store))
            case ("GET", ["requests"]):
                return json_response(200, {"requests": [r.to_json() for r in self.requests()]})
            case ("DELETE", ["requests"]):
                self.clear_requests()
                return json_response(200, {"requests": []})
            case ("POST", ["reset"]):
                self.reset()
                return json_response(200, {"reset": True})
        raise _no_endpoint(method, request.url.path)


def _no_endpoint(method: str, path: str) -> ApiError:
    return ApiError(404, f"No API endpoint {method} {path}.")


def _user_control(user: User) -> dict[str, Any]:
    return {
        "login": user.login,
        "api_key": user.api_key,
        "role": user.role,
        "enabled": user.enabled,
    }


def _task_settings(store: Store) -> dict[str, Any]:
    return {"polls": store.task_polls, "seconds": store.task_seconds}


def _req_str(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"{key} is required")
    return value


def _opt_str(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise bad_request(f"{key} must be a string")
    return value


def _opt_int(body: Mapping[str, Any], key: str, default: int) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise bad_request(f"{key} must be a whole number ≥ 0")
    return value


def _opt_float(body: Mapping[str, Any], key: str, default: float) -> float:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise bad_request(f"{key} must be a number ≥ 0")
    return float(value)


def create_app(
    store: Store,
    *,
    faults: FaultInjector | None = None,
    rate_limit: RateLimit | None = None,
    clock: Callable[[], float] | None = None,
) -> ClickHelpEmulator:
    """The emulator app over ``store``.

    ``faults``: initial fault rules (default none). ``rate_limit``: opt-in pacing (default
    none: ClickHelp documents no rate limit). ``clock``: seconds since the epoch for rate
    limiting and the log (default the store's clock).
    """
    return ClickHelpEmulator(store, faults=faults, rate_limit=rate_limit, clock=clock)


__all__ = [
    "FAULT_STATUSES",
    "ClickHelpEmulator",
    "LoggedRequest",
    "PublishRequest",
    "create_app",
    "parse_fault_spec",
]
