"""The error a ClickHelp endpoint answers with (clickhelp.md §1, §6).

Every error body is the documented JSON object ``{Message, ExceptionType, ExceptionDetail,
StackTrace}``; the last two are "reserved for future use" and always ``null`` here. The real
``ExceptionType`` strings are not documented: the emulator uses one .NET-like name per status
(see :data:`EXCEPTION_TYPES`), so clients must read ``Message`` and the status, never the type.
"""

from __future__ import annotations

from typing import Any, Final

EXCEPTION_TYPES: Final = {
    400: "ArgumentException",
    401: "AuthenticationException",
    403: "AccessDeniedException",
    404: "NotFoundException",
    409: "ConflictException",
    429: "TooManyRequestsException",
    500: "InternalServerErrorException",
    501: "NotImplementedException",
    502: "BadGatewayException",
    503: "ServiceUnavailableException",
    504: "GatewayTimeoutException",
}
"""``ExceptionType`` per status (our names; the documentation gives none)."""


class ApiError(Exception):
    """A documented API failure: HTTP status and ``Message``."""

    def __init__(self, status: int, message: str, exception_type: str | None = None) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.exception_type = exception_type or EXCEPTION_TYPES.get(status, "Exception")

    def body(self) -> dict[str, Any]:
        """The documented error body."""
        return {
            "Message": self.message,
            "ExceptionType": self.exception_type,
            "ExceptionDetail": None,
            "StackTrace": None,
        }


def bad_request(message: str) -> ApiError:
    """400: the data in the request is invalid."""
    return ApiError(400, message)


def not_found(message: str) -> ApiError:
    """404: the resource does not exist (or the URL is wrong)."""
    return ApiError(404, message)


def conflict(message: str) -> ApiError:
    """409: usually a duplicate identifier."""
    return ApiError(409, message)
