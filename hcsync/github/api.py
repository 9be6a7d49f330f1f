"""The few GitHub REST calls hcsync makes: an issue's comments (list, create, update, delete).

Handed an ``httpx.Client`` (the test seam); the token travels in a header and never appears in
an error. Lists follow the ``Link: <…>; rel="next"`` header.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from hcsync import __version__
from hcsync.diagnostics import HcsyncError
from hcsync.redact import inert

API_VERSION = "2022-11-28"
PER_PAGE = 100
MAX_PAGES = 50
"""5,000 comments: a pull request with more is not worth reading to the end."""


class GitHubError(HcsyncError):
    """GitHub refused or failed a request. Keeps method, path, status and GitHub's message."""

    def __init__(self, message: str, *, method: str, path: str, status: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status

    def format(self) -> str:
        status = f" ({self.status})" if self.status is not None else ""
        return f"GitHub: {self.method} {self.path}: {self.message}{status}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Comment:
    """An issue comment as hcsync needs it."""

    id: int
    body: str
    url: str | None = None
    """``html_url``: where a person sees it."""


class GitHubApi:
    """Issue comments of one repository. ``client`` has ``base_url`` = ``GITHUB_API_URL``."""

    def __init__(self, client: httpx.Client, *, token: str, repository: str) -> None:
        self._client = client
        self._headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": f"hcsync/{__version__}",
        }
        self._repo = repository

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.request(method, path, headers=self._headers, **kwargs)
        except httpx.HTTPError as exc:
            raise GitHubError(
                f"{type(exc).__name__}: {exc}", method=method, path=_path(path), status=None
            ) from None
        if response.status_code >= 400:
            raise GitHubError(
                _message(response), method=method, path=_path(path), status=response.status_code
            )
        return response

    def pull_head_sha(self, number: int) -> str:
        """The commit pull request ``number`` is at now (its head)."""
        path = f"/repos/{self._repo}/pulls/{number}"
        response = self._request("GET", path)
        try:
            head = response.json()["head"]["sha"]
        except (ValueError, KeyError, TypeError):
            head = None
        if not isinstance(head, str):
            raise GitHubError(
                "the answer names no head commit", method="GET", path=path, status=None
            )
        return head

    def list_comments(self, number: int) -> Iterator[Comment]:
        """Every comment of issue / pull request ``number``, oldest first."""
        url: str | None = f"/repos/{self._repo}/issues/{number}/comments"
        params: dict[str, Any] | None = {"per_page": PER_PAGE}
        for _ in range(MAX_PAGES):
            if url is None:
                return
            response = self._request("GET", url, params=params)
            data = _json(response, "GET", url)
            if not isinstance(data, list):
                raise GitHubError(
                    "expected a list of comments",
                    method="GET",
                    path=_path(url),
                    status=response.status_code,
                )
            for item in data:
                yield _comment(item)
            url = self._same_origin(response.links.get("next", {}).get("url"), url)
            params = None  # the next link carries them

    def _same_origin(self, link: str | None, current: str) -> str | None:
        """``link`` if it is on the API's origin (scheme, host and port): the token goes
        nowhere else. A relative link is resolved against the API."""
        if link is None:
            return None
        try:
            target = self._client.base_url.join(link)
        except (httpx.InvalidURL, ValueError):
            target = None
        if target is None or _origin(target) != _origin(self._client.base_url):
            raise GitHubError(
                "the next page is on another origin "
                f"({inert(_origin_text(link), 100)}); the token is sent only to "
                f"{_origin_text(str(self._client.base_url))}",
                method="GET",
                path=_path(current),
                status=None,
            )
        return str(target)

    def create_comment(self, number: int, body: str) -> Comment:
        path = f"/repos/{self._repo}/issues/{number}/comments"
        response = self._request("POST", path, json={"body": body})
        return _comment(_json(response, "POST", path))

    def update_comment(self, comment_id: int, body: str) -> Comment:
        path = f"/repos/{self._repo}/issues/comments/{comment_id}"
        response = self._request("PATCH", path, json={"body": body})
        return _comment(_json(response, "PATCH", path))

    def delete_comment(self, comment_id: int) -> None:
        self._request("DELETE", f"/repos/{self._repo}/issues/comments/{comment_id}")


def _path(url: str) -> str:
    """The path of ``url`` without host or query (what errors show), made inert."""
    try:
        return inert(httpx.URL(url).path, 200)
    except (httpx.InvalidURL, ValueError):
        return "(not a URL)"


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or _DEFAULT_PORTS.get(url.scheme)


def _origin_text(url: str) -> str:
    """``scheme://host:port`` of ``url`` (no path, query or user info)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        return "(not a URL)"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.host}{port}"


def _json(response: httpx.Response, method: str, path: str) -> Any:
    """The body as JSON; a body that is not (or too deep to parse) is a :class:`GitHubError`."""
    try:
        return response.json()
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise GitHubError(
            "the answer is not JSON (is GITHUB_API_URL the GitHub API?)",
            method=method,
            path=_path(path),
            status=response.status_code,
        ) from None


def _comment(item: Any) -> Comment:
    if not isinstance(item, dict) or not isinstance(item.get("id"), int):
        raise GitHubError("unexpected comment shape", method="", path="", status=None)
    body = item.get("body")
    url = item.get("html_url")
    return Comment(
        id=item["id"],
        body=body if isinstance(body, str) else "",
        url=url if isinstance(url, str) else None,
    )


def _message(response: httpx.Response) -> str:
    """GitHub's ``message``, plus the first validation error's message when there is one."""
    try:
        data = response.json()
    except (ValueError, RecursionError):
        return inert(response.reason_phrase or "request failed")
    if not isinstance(data, dict):
        return inert(response.reason_phrase or "request failed")
    message = str(data.get("message") or response.reason_phrase or "request failed")
    errors = data.get("errors")
    if isinstance(errors, list) and errors:
        first = errors[0]
        detail = first.get("message") or first.get("code") if isinstance(first, dict) else first
        if detail:
            message += f": {detail}"
    return inert(message)
