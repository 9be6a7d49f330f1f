"""The Help.Center API v0 emulator as an ASGI app (helpcenter.md, DESIGN §7).

``create_app(store)`` returns a :class:`HelpCenterEmulator`, an ASGI callable that serves:

- the API, E1-E28 of §2, under ``/v0/centers/{centerId}`` and the alias ``/api/v0/...``;
- uploaded images at ``/cdn/images/<sha256>/<filename>``;
- test controls under ``/_emulator/`` (also available as Python methods on the app and store);
- the emulated public help center at every other path (``/``, ``/article/...``, ``/{lang}/...``).

Every request to the API goes through the checks of §2 in this order: route (404
``endpoint_not_found``, also for a wrong method), credentials (401), rate limit (429), key's center
(404), blocked center (403), scope (403), body and parameters (400/413), resources (404), business
rules (400).

Decisions where helpcenter.md is silent (with the store's, listed in the closing note):

- a trailing slash is ignored (Express' default); HEAD and OPTIONS are wrong methods;
- ``count``, ``drafts``, ``categories`` and ``images`` are never article ids, so
  ``DELETE /articles/count`` is 404 ``endpoint_not_found``;
- the body is parsed for every method: a GET with a malformed JSON body gets 400 ``invalid_json``;
  a JSON body that is not an object is ``invalid_json`` too; ``NaN``/``Infinity`` are refused;
  JSON content types are ``application/json`` and ``application/*+json``;
- a multipart body over 11 MB is refused as 413 ``file_too_large`` without being parsed; an
  empty file is 400 ``invalid_file_type``; a part without a file name is named ``image.<ext>``;
- the ``category`` filter also matches a slug (the seed's list examples pass one); an unknown
  category simply matches nothing; empty query values count as absent;
- the ``url`` in list and count bodies is always ``/api/v0/...`` whichever prefix was called;
- faults fire after authentication and rate limiting (so they cost a token and carry the
  ``X-RateLimit-*`` headers); ``after_write`` faults fire only after a 2xx;
- paths under ``/api/`` or ``/v<digits>/`` are API paths (JSON 404 ``endpoint_not_found`` when
  unknown); other non-GET requests are ``endpoint_not_found`` too; other GETs are the public site;
- the request log records API requests only (not ``/_emulator/``, ``/cdn/`` or the public site).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

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
from hcsync.emulators.common.faults import HTML_FAULT_PAGE

from . import api, site, views
from .errors import ApiError, invalid_parameter, missing_field
from .images import MAX_IMAGE_BYTES, MultipartError, parse_multipart
from .limits import (
    FaultInjector,
    FaultRule,
    RateDecision,
    RateLimit,
    RateLimiter,
    SettingError,
    parse_fault_rule,
)
from .store import ApiKey, Store, iso

MAX_JSON_BYTES = 1024 * 1024
"""Largest JSON body: 1 MB, then 413 ``payload_too_large`` (§1)."""

MAX_MULTIPART_BYTES = MAX_IMAGE_BYTES + 1024 * 1024
"""Largest multipart body read; a file that needs more is ``file_too_large`` anyway."""

_ARTICLE = r"(?P<article>(?!(?:count|drafts|categories|images)(?:/|$))[^/]+)"
_LANG = r"(?P<lang>[^/]+)"
_API_PATH = re.compile(r"^/(?:api|v\d+)(?:/|$)")
_READ, _WRITE, _PUBLISH, _DELETE = (
    "content.read",
    "content.write",
    "content.publish",
    "content.delete",
)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One method on one route: its number in §2, the scope it needs and its handler."""

    name: str
    scope: str
    handler: api.Handler
    multipart: bool = False


def _routes() -> list[tuple[re.Pattern[str], dict[str, Endpoint]]]:
    table: list[tuple[str, dict[str, Endpoint]]] = [
        ("", {"GET": Endpoint("E1", _READ, api.get_center)}),
        (
            "/articles/categories",
            {
                "GET": Endpoint("E2", _READ, api.list_categories),
                "POST": Endpoint("E3", _WRITE, api.create_category),
            },
        ),
        (
            "/articles/categories/(?P<category>[^/]+)",
            {
                "PATCH": Endpoint("E4", _WRITE, api.update_category),
                "DELETE": Endpoint("E5", _DELETE, api.delete_category),
            },
        ),
        (
            "/articles",
            {
                "GET": Endpoint("E6", _READ, api.list_articles),
                "POST": Endpoint("E9", _WRITE, api.create_article),
            },
        ),
        ("/articles/count", {"GET": Endpoint("E8", _READ, api.count_articles)}),
        ("/articles/drafts", {"GET": Endpoint("E15", _READ, api.list_drafts)}),
        ("/articles/drafts/count", {"GET": Endpoint("E16", _READ, api.count_drafts)}),
        ("/articles/images", {"POST": Endpoint("E27", _WRITE, api.upload_image, True)}),
        (
            f"/articles/{_ARTICLE}",
            {
                "GET": Endpoint("E7", _READ, api.get_article),
                "DELETE": Endpoint("E11", _DELETE, api.delete_article),
            },
        ),
        (f"/articles/{_ARTICLE}/metadata", {"PATCH": Endpoint("E10", _WRITE, api.update_metadata)}),
        (f"/articles/{_ARTICLE}/publish", {"POST": Endpoint("E12", _PUBLISH, api.publish_article)}),
        (
            f"/articles/{_ARTICLE}/unpublish",
            {"POST": Endpoint("E13", _PUBLISH, api.unpublish_article)},
        ),
        (
            f"/articles/{_ARTICLE}/duplicate",
            {"POST": Endpoint("E14", _WRITE, api.duplicate_article)},
        ),
        (
            f"/articles/{_ARTICLE}/draft",
            {
                "GET": Endpoint("E17", _READ, api.get_draft),
                "PATCH": Endpoint("E18", _WRITE, api.update_draft),
            },
        ),
        (
            f"/articles/{_ARTICLE}/draft/discard",
            {"POST": Endpoint("E19", _WRITE, api.discard_draft)},
        ),
        (
            f"/articles/{_ARTICLE}/translations/{_LANG}",
            {
                "GET": Endpoint("E20", _READ, api.get_translation),
                "DELETE": Endpoint("E24", _DELETE, api.delete_translation),
            },
        ),
        (
            f"/articles/{_ARTICLE}/translations/{_LANG}/draft",
            {
                "GET": Endpoint("E21", _READ, api.get_translation_draft),
                "PATCH": Endpoint("E22", _WRITE, api.update_translation_draft),
            },
        ),
        (
            f"/articles/{_ARTICLE}/translations/{_LANG}/metadata",
            {"PATCH": Endpoint("E23", _WRITE, api.update_translation_metadata)},
        ),
        (
            f"/articles/{_ARTICLE}/translations/{_LANG}/publish",
            {"POST": Endpoint("E25", _PUBLISH, api.publish_translation)},
        ),
        (
            f"/articles/{_ARTICLE}/translations/{_LANG}/unpublish",
            {"POST": Endpoint("E26", _PUBLISH, api.unpublish_translation)},
        ),
        (
            f"/articles/{_ARTICLE}/images",
            {"POST": Endpoint("E28", _WRITE, api.upload_image, True)},
        ),
    ]
    return [
        (re.compile(r"/v0/centers/(?P<center>[^/]+)" + rest), methods) for rest, methods in table
    ]


ROUTES = _routes()


def resolve(method: str, path: str) -> tuple[Endpoint, dict[str, str]] | None:
    """The endpoint for ``method`` and an API ``path`` (with or without ``/api``), or None."""
    if path.startswith("/api/"):
        path = path[4:]
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    for pattern, methods in ROUTES:
        match = pattern.fullmatch(path)
        if match:
            endpoint = methods.get(method)
            return (endpoint, match.groupdict()) if endpoint else None
    return None


def error_response(err: ApiError, headers: Mapping[str, str] | None = None) -> Response:
    """The error envelope of §13."""
    return json_response(err.status, err.body(), headers)


def _endpoint_not_found(method: str, path: str) -> ApiError:
    return ApiError(404, "endpoint_not_found", f"No endpoint {method} {path}")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """The body as body-parser would give it: ``{}`` when empty or not JSON-typed (§1).

    Only a body of zero bytes counts as empty: whitespace alone is not JSON (400).
    """
    media = content_type.split(";", 1)[0].strip().lower()
    is_json = media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )
    if not raw or not is_json:
        return {}
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, "invalid_json", f"The request body is not valid JSON: {exc}") from None
    except RecursionError:
        raise ApiError(400, "invalid_json", "The request body is nested too deeply") from None
    if not isinstance(value, dict):
        raise ApiError(400, "invalid_json", "The request body must be a JSON object")
    return value


class HelpCenterEmulator(EmulatorApp):
    """The emulator's ASGI app with its runtime controls.

    ``store`` holds the data; ``faults``, ``rate_limiter`` and the request log live here.
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
        self._initial_rate_limit = rate_limit or RateLimit()
        self.rate_limiter = RateLimiter(self._initial_rate_limit, self.clock)
        self._log: RequestLog[LoggedRequest] = RequestLog()

    # -- Python test controls ---------------------------------------------------------------

    def set_faults(self, rules: list[FaultRule | Mapping[str, Any]], seed: int = 0) -> None:
        """Replace the fault rules (objects or JSON-style dicts) and reseed."""
        self.faults.configure([parse_fault_rule(r) for r in rules], seed)

    def set_rate_limit(self, settings: RateLimit) -> None:
        """Change the rate limit; every key's bucket starts full again."""
        self.rate_limiter.configure(settings)

    def reset(self) -> None:
        """Delete all data, faults and log entries; restore the initial rate limit."""
        self.store.reset()
        self.faults.clear()
        self.rate_limiter.configure(self._initial_rate_limit)
        self.clear_requests()

    # -- ASGI -------------------------------------------------------------------------------

    max_body = MAX_MULTIPART_BYTES

    def _is_api(self, path: str) -> bool:
        return bool(_API_PATH.match(path))

    async def _serve_api(self, request: Request, raw: bytes, size: int) -> Response:
        return await self._api(request, raw, size)

    def _serve_other(self, request: Request, path: str) -> Response:
        if path.startswith("/cdn/images/"):
            return self._image(request)
        if request.method == "GET":
            return site.render(self.store, request)
        return error_response(_endpoint_not_found(request.method, path))

    def _record(
        self,
        request: Request,
        status: int | None,
        endpoint: Endpoint | None,
        key: ApiKey | None,
        fault: FaultRule | None,
    ) -> None:
        self._log.append(
            lambda seq: LoggedRequest(
                seq=seq,
                time=iso(int(self.clock() * 1000)),
                method=request.method,
                path=request.url.path,
                query=request.url.query,
                status=status,
                endpoint=endpoint.name if endpoint else None,
                caller={
                    "key_id": key.id if key else None,
                    "key_prefix": key.prefix if key else None,
                },
                fault=fault_name(fault),
            )
        )

    def _fault_response(self, rule: FaultRule, decision: RateDecision) -> Response:
        if rule.kind == "html":
            return HTMLResponse(HTML_FAULT_PAGE)
        if rule.kind != "status":
            raise Dropped(rule)
        status = rule.status or 500
        headers = decision.headers()
        if status == 429:
            headers.update(
                {
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": str(math.ceil(self.clock()) + 1),
                    "Retry-After": "1",
                }
            )
            err = ApiError(429, "rate_limited", "Too many requests. Retry after 1 s.")
        else:
            err = ApiError(status, "internal_error", "Internal server error")
        return error_response(err, headers)

    async def _api(self, request: Request, raw: bytes, size: int) -> Response:
        method, path = request.method, request.url.path
        found = resolve(method, path)
        if found is None:
            self._record(request, 404, None, None, None)
            return error_response(_endpoint_not_found(method, path))
        endpoint, params = found
        key = self._authenticate(request)
        if key is None:
            self._record(request, 401, endpoint, None, None)
            return error_response(ApiError(401, "invalid_api_key", "Invalid or missing API key"))
        decision = self.rate_limiter.charge(key.id)
        headers = decision.headers()
        if not decision.allowed:
            self._record(request, 429, endpoint, key, None)
            message = f"Too many requests. Retry after {decision.retry_after} s."
            return error_response(ApiError(429, "rate_limited", message), headers)
        rule = self.faults.pick(method, path, endpoint.name, after_write=False)
        if rule is not None:
            try:
                response = self._fault_response(rule, decision)
            finally:
                self._record(request, rule.answered, endpoint, key, rule)
            return response
        try:
            result = self._run(request, endpoint, params, key, raw, size)
        except ApiError as err:
            self._record(request, err.status, endpoint, key, None)
            return error_response(err, headers)
        if 200 <= result.status < 300:
            rule = self.faults.pick(method, path, endpoint.name, after_write=True)
            if rule is not None:
                try:
                    response = self._fault_response(rule, decision)
                finally:
                    self._record(request, rule.answered, endpoint, key, rule)
                return response
        self._record(request, result.status, endpoint, key, None)
        return json_response(result.status, result.body, headers)

    def _authenticate(self, request: Request) -> ApiKey | None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        key = self.store.find_key(token.strip())
        return None if key is None or key.revoked else key

    def _run(
        self,
        request: Request,
        endpoint: Endpoint,
        params: dict[str, str],
        key: ApiKey,
        raw: bytes,
        size: int,
    ) -> api.Result:
        center_id = params.pop("center")
        if key.center_id != center_id:
            raise ApiError(404, "not_found", "Center not found")
        center = self.store.center(center_id)
        if center.blocked:
            raise ApiError(403, "center_blocked", "This center is blocked")
        if endpoint.scope not in key.scopes:
            raise ApiError(
                403, "insufficient_scope", f"You do not have the '{endpoint.scope}' scope"
            )
        content_type = request.headers.get("content-type", "")
        base_url = str(request.base_url).rstrip("/")
        upload: tuple[bytes, str | None] | None = None
        body: dict[str, Any] = {}
        if endpoint.multipart:
            if size > MAX_MULTIPART_BYTES:
                raise ApiError(413, "file_too_large", "Images can be at most 10 MB")
            upload = self._image_part(raw, content_type)
        else:
            if size > MAX_JSON_BYTES:
                raise ApiError(413, "payload_too_large", "The request body is larger than 1 MB")
            body = parse_json_body(raw, content_type)
        ctx = api.Ctx(
            store=self.store,
            center=center,
            key=key,
            params=params,
            query=request.query_params,
            body=body,
            urls=views.Urls.for_center(center, base_url),
            upload=upload,
            base_url=base_url,
        )
        return endpoint.handler(ctx)

    @staticmethod
    def _image_part(raw: bytes, content_type: str) -> tuple[bytes, str | None] | None:
        if not content_type.lower().startswith("multipart/form-data"):
            return None
        try:
            parts = parse_multipart(raw, content_type)
        except MultipartError:
            raise missing_field("The body is not valid multipart/form-data") from None
        for part in parts:
            if part.name == "image":
                return part.data, part.filename
        return None

    def _image(self, request: Request) -> Response:
        parts = request.url.path.split("/")
        image = self.store.image(parts[3]) if len(parts) >= 5 else None
        if image is None:
            return Response("Not found", status_code=404, media_type="text/plain")
        headers = {"Cache-Control": "public, max-age=31536000, immutable"}
        if image.content_type == "image/svg+xml":
            headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
        return Response(image.data, media_type=image.content_type, headers=headers)

    # -- /_emulator/ ------------------------------------------------------------------------

    def _control(self, request: Request, raw: bytes) -> Response:
        try:
            body = parse_json_body(raw, "application/json")
            return self._control_route(request, body)
        except ApiError as err:
            return error_response(err)
        except SettingError as exc:
            return error_response(invalid_parameter(str(exc)))

    def _control_route(self, request: Request, body: dict[str, Any]) -> Response:
        method = request.method
        parts = [p for p in request.url.path.split("/") if p][1:]
        base_url = str(request.base_url).rstrip("/")
        match (method, parts):
            case ("POST", ["centers"]):
                center = self.store.create_center(
                    _req_str(body, "name"),
                    default_language=_opt_str(body, "default_language") or "en",
                    additional_languages=_str_list(body, "additional_languages"),
                    domain=_opt_str(body, "domain") or None,
                )
                return json_response(201, views.center_json(center, _urls(center, base_url)))
            case ("GET", ["centers"]):
                data = [views.center_json(c, _urls(c, base_url)) for c in self.store.centers()]
                return json_response(200, {"object": "list", "data": data})
            case ("PATCH", ["centers", center_id]):
                if not isinstance(body.get("blocked"), bool):
                    raise invalid_parameter("blocked must be true or false")
                self.store.block_center(center_id, body["blocked"])
                center = self.store.center(center_id)
                out = views.center_json(center, _urls(center, base_url))
                return json_response(200, {**out, "blocked": center.blocked})
            case ("POST", ["centers", center_id, "keys"]):
                scopes = body.get("scopes", list(api_scopes()))
                if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
                    raise invalid_parameter("scopes must be a list of strings")
                key = self.store.create_key(center_id, scopes)
                return json_response(
                    201,
                    {
                        "key": key.key,
                        "id": key.id,
                        "center_id": key.center_id,
                        "scopes": list(key.scopes),
                    },
                )
            case ("POST", ["keys", "revoke"]):
                self.store.revoke_key(_req_str(body, "key"))
                return json_response(200, {"revoked": True})
            case ("PATCH", ["centers", center_id, "articles", article_id]):
                title = _opt_str(body, "title")
                html = _opt_str(body, "html")
                article = self.store.edit_article(center_id, article_id, title=title, html=html)
                center = self.store.center(center_id)
                return json_response(
                    200,
                    views.draft_json(self.store, article, _urls(center, base_url), content=True),
                )
            case ("POST", ["faults"]):
                rules = body.get("rules", [])
                seed = body.get("seed", 0)
                if not isinstance(rules, list):
                    raise invalid_parameter("rules must be a list")
                if isinstance(seed, bool) or not isinstance(seed, int):
                    raise invalid_parameter("seed must be an integer")
                self.set_faults(rules, seed)
                return json_response(200, self.faults.to_json())
            case ("GET", ["faults"]):
                return json_response(200, self.faults.to_json())
            case ("DELETE", ["faults"]):
                self.clear_faults()
                return json_response(200, self.faults.to_json())
            case ("POST", ["rate-limit"]):
                current = self.rate_limiter.settings
                settings = RateLimit(
                    per_minute=_opt_int(body, "per_minute", current.per_minute),
                    burst=_opt_int(body, "burst", current.burst),
                    window_seconds=_opt_float(body, "window_seconds", current.window_seconds),
                )
                self.set_rate_limit(settings)
                return json_response(200, settings.to_json())
            case ("GET", ["rate-limit"]):
                return json_response(200, self.rate_limiter.settings.to_json())
            case ("GET", ["requests"]):
                return json_response(200, {"requests": [r.to_json() for r in self.requests()]})
            case ("DELETE", ["requests"]):
                self.clear_requests()
                return json_response(200, {"requests": []})
            case ("POST", ["reset"]):
                self.reset()
                return json_response(200, {"reset": True})
        raise _endpoint_not_found(method, request.url.path)


def api_scopes() -> tuple[str, ...]:
    """The four content scopes: what an all-scopes key carries."""
    return (_READ, _WRITE, _PUBLISH, _DELETE)


def _urls(center: Any, base_url: str) -> views.Urls:
    return views.Urls.for_center(center, base_url)


def _req_str(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise missing_field(f"{key} is required")
    return value


def _opt_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise invalid_parameter(f"{key} must be a string")
    return value


def _str_list(body: dict[str, Any], key: str) -> list[str]:
    value = body.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid_parameter(f"{key} must be a list of strings")
    return value


def _opt_int(body: dict[str, Any], key: str, default: int) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid_parameter(f"{key} must be an integer")
    return value


def _opt_float(body: dict[str, Any], key: str, default: float) -> float:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid_parameter(f"{key} must be a number")
    return float(value)


def create_app(
    store: Store,
    *,
    faults: FaultInjector | None = None,
    rate_limit: RateLimit | None = None,
    clock: Callable[[], float] | None = None,
) -> HelpCenterEmulator:
    """The emulator app over ``store``.

    ``faults``: initial fault rules (default none). ``rate_limit``: bucket settings (default
    100/min, burst 200, §12). ``clock``: seconds since the epoch for rate limiting (default the
    store's clock, itself ``time.time`` by default).
    """
    return HelpCenterEmulator(store, faults=faults, rate_limit=rate_limit, clock=clock)
