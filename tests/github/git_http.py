"""A git remote over smart HTTP that wants a token, as github.com does (Starlette + git's own
``git http-backend`` as CGI).

Serves the bare repositories under ``root`` at ``/<name>.git``. Every request must carry
``Authorization: basic base64(x-access-token:<token>)`` for one of ``tokens``, or gets a 401
with a ``WWW-Authenticate`` challenge (git then fails instead of prompting, with
``GIT_TERMINAL_PROMPT=0``). ``log`` records (method, path, authorized) per request, never the
header itself.
"""

from __future__ import annotations

import base64
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def basic(token: str) -> str:
    return base64.b64encode(f"x-access-token:{token}".encode()).decode("ascii")


@dataclass
class GitHttpServer:
    root: Path
    tokens: set[str]
    log: list[tuple[str, str, bool]] = field(default_factory=list)

    def authorized(self, header: str | None) -> bool:
        if not header or " " not in header:
            return False
        scheme, value = header.split(" ", 1)
        return scheme.lower() == "basic" and value.strip() in {basic(t) for t in self.tokens}

    async def handle(self, request: Request) -> Response:
        ok = self.authorized(request.headers.get("authorization"))
        self.log.append((request.method, request.url.path, ok))
        if not ok:
            return Response(
                "Authentication required\n",
                status_code=401,
                headers={"WWW-Authenticate": 'Basic realm="git"'},
            )
        body = await request.body()
        env = {
            "GIT_PROJECT_ROOT": str(self.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": request.url.path,
            "QUERY_STRING": request.url.query,
            "REQUEST_METHOD": request.method,
            "CONTENT_TYPE": request.headers.get("content-type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": "x-access-token",
            "REMOTE_ADDR": "127.0.0.1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(self.root),
            "PATH": "/usr/bin:/bin",
        }
        if request.headers.get("content-encoding"):
            env["HTTP_CONTENT_ENCODING"] = request.headers["content-encoding"]
        if request.headers.get("git-protocol"):
            env["GIT_PROTOCOL"] = request.headers["git-protocol"]

        def run() -> bytes:
            proc = subprocess.run(
                ["git", "http-backend"], input=body, env=env, capture_output=True, check=False
            )
            return proc.stdout

        out = await anyio.to_thread.run_sync(run)
        head, _, payload = out.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = out.partition(b"\n\n")
        status = 200
        headers: dict[str, str] = {}
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers[name] = value.strip()
        return Response(payload, status_code=status, headers=headers)

    def app(self) -> Starlette:
        return Starlette(
            routes=[Route("/{path:path}", self.handle, methods=["GET", "POST"])],
        )
