"""A small emulator of GitHub's issue-comment REST endpoints, over real HTTP (Starlette).

Written from GitHub's REST docs, sharing no types with ``hcsync.github``:

- ``GET    /repos/{owner}/{repo}/issues/{number}/comments`` (``per_page`` ≤ 100, default 30;
  ``page``; a ``Link`` header with ``next``/``last``/``first``/``prev``),
- ``POST   /repos/{owner}/{repo}/issues/{number}/comments`` → 201,
- ``GET | PATCH | DELETE /repos/{owner}/{repo}/issues/comments/{id}`` → 200 / 200 / 204,
- ``GET    /repos/{owner}/{repo}/commits/{sha}/pulls``: the pull requests a commit belongs to
  (merged ones, whose merge commit it is, and open ones whose head it is), 200 with ``[]``
  for a commit no pull request has.

Errors have GitHub's shape ``{"message": ..., "documentation_url": ...}`` (plus ``errors`` on a
422): 401 without or with a bad token, 403 for a read-only token (a fork's), 404 for an unknown
repository, issue or comment, 422 for a body over 65,536 characters or a missing body.
Test controls are Python methods: open pull requests, seed comments, inject failures, read the
request log.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

MAX_BODY = 65_536
DOCS = "https://docs.github.com/rest/issues/comments"


@dataclass
class Logged:
    method: str
    path: str
    status: int
    body_length: int | None = None


@dataclass
class GitHubEmulator:
    """The state and the ASGI app. ``tokens``: token → ``"write"`` or ``"read"``."""

    tokens: dict[str, str] = field(default_factory=dict)
    issues: set[tuple[str, int]] = field(default_factory=set)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    pulls_of: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    """(repo, commit sha) → the pull requests ``commits/{sha}/pulls`` lists."""
    log: list[Logged] = field(default_factory=list)
    faults: list[tuple[str, int]] = field(default_factory=list)
    """(method, status) answered once each, in order, before the endpoint runs."""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1001))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ---- test controls --------------------------------------------------------------

    def open_pull_request(self, repo: str, number: int) -> None:
        self.issues.add((repo, number))

    def merge_pull_request(self, repo: str, number: int, merge_sha: str) -> None:
        """Pull request ``number`` (opened if needed) was merged as commit ``merge_sha``."""
        self.open_pull_request(repo, number)
        self.pulls_of.setdefault((repo, merge_sha), []).append(
            self._pull(repo, number, merge_sha, merged=True)
        )

    def add_open_pull_request_head(self, repo: str, number: int, head_sha: str) -> None:
        """Pull request ``number`` is open with ``head_sha`` as its head (not merged)."""
        self.open_pull_request(repo, number)
        self.pulls_of.setdefault((repo, head_sha), []).append(
            self._pull(repo, number, head_sha, merged=False)
        )

    @staticmethod
    def _pull(repo: str, number: int, sha: str, *, merged: bool) -> dict[str, Any]:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "number": number,
            "state": "closed" if merged else "open",
            "html_url": f"https://github.test/{repo}/pull/{number}",
            "merged_at": now if merged else None,
            "merge_commit_sha": sha if merged else None,
            "head": {"sha": sha if not merged else "0" * 40, "ref": f"feature-{number}"},
            "base": {"ref": "main", "repo": {"full_name": repo}},
        }

    def seed_comment(self, repo: str, number: int, body: str, user: str = "octocat") -> int:
        return self._add(repo, number, body, user)["id"]

    def bodies(self, repo: str, number: int) -> list[str]:
        """Bodies of the comments on the issue, oldest first."""
        return [c["body"] for c in self._on(repo, number)]

    def fail_next(self, method: str, status: int) -> None:
        self.faults.append((method, status))

    def writes(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.log if r.method != "GET"]

    # ---- the app --------------------------------------------------------------------

    def app(self) -> Starlette:
        base = "/repos/{owner}/{repo}/issues"
        return Starlette(
            routes=[
                Route(base + "/{number:int}/comments", self._list, methods=["GET"]),
                Route(base + "/{number:int}/comments", self._create, methods=["POST"]),
                Route(base + "/comments/{id:int}", self._one, methods=["GET", "PATCH", "DELETE"]),
                Route("/repos/{owner}/{repo}/commits/{sha}/pulls", self._pulls, methods=["GET"]),
                Route("/repos/{owner}/{repo}/pulls/{number:int}", self._pull_one, methods=["GET"]),
            ]
        )

    def _on(self, repo: str, number: int) -> list[dict[str, Any]]:
        return sorted(
            (c for c in self.comments.values() if c["_issue"] == (repo, number)),
            key=lambda c: c["id"],
        )

    def _add(self, repo: str, number: int, body: str, user: str) -> dict[str, Any]:
        with self._lock:
            cid = next(self._ids)
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            comment = {
                "id": cid,
                "node_id": f"IC_{cid}",
                "url": f"https://api.github.test/repos/{repo}/issues/comments/{cid}",
                "html_url": f"https://github.test/{repo}/pull/{number}#issuecomment-{cid}",
                "issue_url": f"https://api.github.test/repos/{repo}/issues/{number}",
                "body": body,
                "user": {
                    "login": user,
                    "id": 41898282,
                    "type": "Bot" if "[bot]" in user else "User",
                },
                "created_at": now,
                "updated_at": now,
                "author_association": "NONE",
                "_issue": (repo, number),
            }
            self.comments[cid] = comment
            return comment

    @staticmethod
    def _public(comment: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in comment.items() if not k.startswith("_")}

    @staticmethod
    def _error(status: int, message: str, doc: str, **extra: Any) -> JSONResponse:
        return JSONResponse(
            {"message": message, **extra, "documentation_url": doc}, status_code=status
        )

    def _answer(self, request: Request, response: Response, size: int | None = None) -> Response:
        self.log.append(Logged(request.method, request.url.path, response.status_code, size))
        return response

    def _auth(self, request: Request, write: bool, doc: str) -> JSONResponse | None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            return self._error(401, "Requires authentication", doc)
        if scheme.lower() not in ("bearer", "token") or token not in self.tokens:
            return self._error(401, "Bad credentials", doc)
        if write and self.tokens[token] != "write":
            return self._error(403, "Resource not accessible by integration", doc)
        return None

    def _fault(self, request: Request) -> JSONResponse | None:
        for i, (method, status) in enumerate(self.faults):
            if method == request.method:
                del self.faults[i]
                return self._error(status, "Server Error" if status >= 500 else "Error", DOCS)
        return None

    async def _body(self, request: Request, doc: str) -> str | JSONResponse:
        try:
            data = json.loads(await request.body() or b"null")
        except ValueError:
            return self._error(400, "Problems parsing JSON", doc)
        body = data.get("body") if isinstance(data, dict) else None
        if not isinstance(body, str):
            return self._error(422, 'Invalid request.\n\n"body" wasn\'t supplied.', doc)
        if len(body) > MAX_BODY:
            return self._error(
                422,
                "Validation Failed",
                doc,
                errors=[
                    {
                        "resource": "IssueComment",
                        "code": "custom",
                        "field": "body",
                        "message": f"body is too long (maximum is {MAX_BODY} characters)",
                    }
                ],
            )
        return body

    async def _list(self, request: Request) -> Response:
        doc = DOCS + "#list-issue-comments"
        repo = f"{request.path_params['owner']}/{request.path_params['repo']}"
        number = request.path_params["number"]
        problem = self._fault(request) or self._auth(request, False, doc)
        if problem is None and (repo, number) not in self.issues:
            problem = self._error(404, "Not Found", doc)
        if problem is not None:
            return self._answer(request, problem)
        per_page = max(1, min(100, int(request.query_params.get("per_page", 30))))
        page = max(1, int(request.query_params.get("page", 1)))
        items = self._on(repo, number)
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []
        base = str(request.url.replace(query=""))

        def link(p: int, rel: str) -> str:
            return f'<{base}?{urlencode({"per_page": per_page, "page": p})}>; rel="{rel}"'

        if page > 1:
            links += [link(page - 1, "prev"), link(1, "first")]
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        headers = {"Link": ", ".join(links)} if links else {}
        return self._answer(
            request, JSONResponse([self._public(c) for c in chunk], headers=headers)
        )

    async def _create(self, request: Request) -> Response:
        doc = DOCS + "#create-an-issue-comment"
        repo = f"{request.path_params['owner']}/{request.path_params['repo']}"
        number = request.path_params["number"]
        problem = self._fault(request) or self._auth(request, True, doc)
        if problem is None and (repo, number) not in self.issues:
            problem = self._error(404, "Not Found", doc)
        if problem is not None:
            return self._answer(request, problem)
        body = await self._body(request, doc)
        if isinstance(body, Response):
            return self._answer(request, body)
        comment = self._add(repo, number, body, "github-actions[bot]")
        return self._answer(
            request, JSONResponse(self._public(comment), status_code=201), len(body)
        )

    async def _one(self, request: Request) -> Response:
        doc = (
            DOCS
            + {
                "GET": "#get-an-issue-comment",
                "PATCH": "#update-an-issue-comment",
                "DELETE": "#delete-an-issue-comment",
            }[request.method]
        )
        repo = f"{request.path_params['owner']}/{request.path_params['repo']}"
        comment = self.comments.get(request.path_params["id"])
        problem = self._fault(request) or self._auth(request, request.method != "GET", doc)
        if problem is None and (comment is None or comment["_issue"][0] != repo):
            problem = self._error(404, "Not Found", doc)
        if problem is not None or comment is None:
            return self._answer(request, problem or self._error(404, "Not Found", doc))
        if request.method == "DELETE":
            del self.comments[comment["id"]]
            return self._answer(request, Response(status_code=204))
        if request.method == "GET":
            return self._answer(request, JSONResponse(self._public(comment)))
        body = await self._body(request, doc)
        if isinstance(body, Response):
            return self._answer(request, body)
        comment["body"] = body
        comment["updated_at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self._answer(request, JSONResponse(self._public(comment)), len(body))

    async def _pull_one(self, request: Request) -> Response:
        doc = "https://docs.github.com/rest/pulls/pulls#get-a-pull-request"
        repo = f"{request.path_params['owner']}/{request.path_params['repo']}"
        problem = self._fault(request) or self._auth(request, False, doc)
        if problem is not None:
            return self._answer(request, problem)
        number = request.path_params["number"]
        for (where, _), pulls in reversed(list(self.pulls_of.items())):
            for pull in pulls:
                if where == repo and pull["number"] == number and pull["state"] == "open":
                    return self._answer(request, JSONResponse(pull))
        return self._answer(request, self._error(404, "Not Found", doc))

    async def _pulls(self, request: Request) -> Response:
        doc = "https://docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit"
        repo = f"{request.path_params['owner']}/{request.path_params['repo']}"
        problem = self._fault(request) or self._auth(request, False, doc)
        if problem is not None:
            return self._answer(request, problem)
        pulls = self.pulls_of.get((repo, request.path_params["sha"]), [])
        return self._answer(request, JSONResponse(pulls))
