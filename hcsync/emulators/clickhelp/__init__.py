"""Emulator of the ClickHelp REST API v1 (shared/api/clickhelp.md).

``create_app(Store(":memory:"))`` gives an ASGI app; drive it in-process with
``httpx.Client(transport=SyncASGITransport(app), auth=(login, api_key))`` or serve it with
uvicorn. Nothing here imports ``hcsync.backends``.
"""

from hcsync.emulators.common.asgi import LoggedRequest

from .app import ClickHelpEmulator, create_app, parse_fault_spec
from .errors import ApiError
from .serve import Bootstrap, bootstrap
from .store import Node, Project, PublishRequest, Store, StoredFile, Task, Topic, User

__all__ = [
    "ApiError",
    "Bootstrap",
    "ClickHelpEmulator",
    "LoggedRequest",
    "Node",
    "Project",
    "PublishRequest",
    "Store",
    "StoredFile",
    "Task",
    "Topic",
    "User",
    "bootstrap",
    "create_app",
    "parse_fault_spec",
]
