"""The error an emulated endpoint answers with (helpcenter.md §13)."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A documented API failure: HTTP status, ``error.code`` and ``error.message``.

    ``error.type`` follows from the status: ``invalid_request_error`` for every 4xx and
    ``api_error`` for 5xx (§13). ``extra`` adds keys inside the ``error`` object (for example
    ``article_ids`` on ``category_has_articles``).
    """

    def __init__(
        self, status: int, code: str, message: str, *, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.extra = dict(extra or {})

    @property
    def type(self) -> str:
        """``error.type`` as the emulator writes it."""
        return "api_error" if self.status >= 500 else "invalid_request_error"

    def body(self) -> dict[str, Any]:
        """The JSON error envelope."""
        return {
            "error": {"type": self.type, "message": self.message, "code": self.code, **self.extra}
        }


def not_found(what: str) -> ApiError:
    """404 ``not_found`` for a missing (or foreign) resource."""
    return ApiError(404, "not_found", f"{what} not found")


def missing_field(message: str) -> ApiError:
    """400 ``missing_required_field``."""
    return ApiError(400, "missing_required_field", message)


def invalid_parameter(message: str) -> ApiError:
    """400 ``invalid_parameter``."""
    return ApiError(400, "invalid_parameter", message)


def invalid_language(lang: str) -> ApiError:
    """400 ``invalid_language`` for a language not in ``additional_languages``."""
    return ApiError(
        400,
        "invalid_language",
        f"Language '{lang}' is not one of this center's additional languages",
    )
