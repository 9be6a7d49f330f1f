"""Emulator of the Help.Center REST API v0 (shared/api/helpcenter.md).

``create_app(Store(":memory:"))`` gives an ASGI app; drive it in-process with
``httpx.Client(transport=SyncASGITransport(app))`` or serve it with uvicorn. Nothing here
imports ``hcsync.backends``.
"""

from hcsync.emulators.common.asgi import LoggedRequest

from .app import HelpCenterEmulator, create_app
from .errors import ApiError
from .limits import FaultInjector, FaultRule, RateLimit, parse_fault_spec
from .serve import Bootstrap, bootstrap
from .store import ALL_SCOPES, ApiKey, Article, Category, Center, Store, Translation

__all__ = [
    "ALL_SCOPES",
    "ApiError",
    "ApiKey",
    "Article",
    "Bootstrap",
    "Category",
    "Center",
    "FaultInjector",
    "FaultRule",
    "HelpCenterEmulator",
    "LoggedRequest",
    "RateLimit",
    "Store",
    "Translation",
    "bootstrap",
    "create_app",
    "parse_fault_spec",
]
