"""Typed reading of the JSON the platforms answer: every field a backend uses is checked for
the type it must have, and a wrong one stops the run with where it was and what it was.

A backend reads an answer inside :func:`reading`, through :class:`Obj`; a field of the wrong
type, a required field that is missing, or a value outside a known set raises
:class:`ShapeError`, which :func:`reading` turns into one :class:`BackendError` line::

    GET /v0/centers/abc/articles/drafts: data[3].id: expected a string, got 17

An optional field (one the API notes mark optional or unknown) is None when absent or null,
and an error when present with another type: a field is never silently dropped.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from hcsync.diagnostics import BackendError

_SHOWN = 40
"""Longest rendering of an unexpected value in a message."""


class ShapeError(Exception):
    """An answer is not of the shape expected; the text says where and what."""


def show(value: Any) -> str:
    """How a message names an unexpected value: its JSON (cut short) or its kind."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _expected(where: str, what: str, value: Any) -> ShapeError:
    return ShapeError(f"{where}: expected {what}, got {show(value)}")


@contextmanager
def reading(method: str, path: str) -> Iterator[None]:
    """Turn a :class:`ShapeError` raised inside into a :class:`BackendError` naming the
    request (``path`` without its query string)."""
    shown = path.split("?", 1)[0]
    try:
        yield
    except ShapeError as exc:
        raise BackendError(f"{method} {shown}: {exc}", method=method, path=shown) from None


def obj(value: Any, at: str = "") -> Obj:
    """``value`` as an object; ``at`` is where it sits in the answer ("" for the body)."""
    if not isinstance(value, dict):
        raise _expected(at or "the body", "an object", value)
    return Obj(value, at)


def objs(value: Any, at: str = "") -> list[Obj]:
    """``value`` as a list of objects (``at`` as for :func:`obj`)."""
    if not isinstance(value, list):
        raise _expected(at or "the body", "a list", value)
    return [obj(item, f"{at}[{i}]") for i, item in enumerate(value)]


@dataclass(frozen=True, slots=True)
class Obj:
    """A JSON object of an answer and where it sits, read one typed field at a time."""

    raw: Mapping[str, Any]
    at: str = ""

    def where(self, key: str) -> str:
        return f"{self.at}.{key}" if self.at else key

    def has(self, key: str) -> bool:
        """Whether ``key`` is present and not null."""
        return self.raw.get(key) is not None

    def _required(self, key: str) -> Any:
        if key not in self.raw:
            raise ShapeError(f"{self.where(key)}: missing")
        return self.raw[key]

    def _typed(self, key: str, value: Any, kind: type | tuple[type, ...], what: str) -> Any:
        if isinstance(value, bool) and kind is not bool:
            raise _expected(self.where(key), what, value)
        if not isinstance(value, kind):
            raise _expected(self.where(key), what, value)
        return value

    def text(self, key: str) -> str:
        """A required string."""
        value: str = self._typed(key, self._required(key), str, "a string")
        return value

    def opt_text(self, key: str) -> str | None:
        """A string, or None when absent or null."""
        value = self.raw.get(key)
        return None if value is None else str(self._typed(key, value, str, "a string"))

    def integer(self, key: str) -> int:
        value: int = self._typed(key, self._required(key), int, "an integer")
        return value

    def opt_integer(self, key: str) -> int | None:
        value = self.raw.get(key)
        return None if value is None else int(self._typed(key, value, int, "an integer"))

    def flag(self, key: str) -> bool:
        value: bool = self._typed(key, self._required(key), bool, "true or false")
        return value

    def opt_flag(self, key: str) -> bool | None:
        value = self.raw.get(key)
        return None if value is None else bool(self._typed(key, value, bool, "true or false"))

    def one_of(self, key: str, allowed: Collection[str]) -> str:
        """A required string that is one of ``allowed``."""
        value = self.text(key)
        if value not in allowed:
            raise ShapeError(
                f"{self.where(key)}: expected one of {', '.join(sorted(allowed))}, "
                f"got {show(value)}"
            )
        return value

    def child(self, key: str) -> Obj:
        """A required object."""
        return obj(self._required(key), self.where(key))

    def opt_child(self, key: str) -> Obj | None:
        value = self.raw.get(key)
        return None if value is None else obj(value, self.where(key))

    def items(self, key: str) -> list[Obj]:
        """A required list of objects."""
        return objs(self._required(key), self.where(key))

    def opt_items(self, key: str) -> list[Obj]:
        """A list of objects; empty when absent or null."""
        value = self.raw.get(key)
        return [] if value is None else objs(value, self.where(key))

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of strings; empty when absent or null."""
        value = self.raw.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise _expected(self.where(key), "a list of strings", value)
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise _expected(f"{self.where(key)}[{i}]", "a string", item)
        return tuple(value)

    def entries(self, key: str) -> list[tuple[str, Obj | None]]:
        """An object whose values are objects or null (e.g. per language); empty when absent."""
        value = self.raw.get(key)
        if value is None:
            return []
        mapping = obj(value, self.where(key))
        return [(k, mapping.opt_child(k)) for k in sorted(mapping.raw)]
