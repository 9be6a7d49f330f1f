"""Image uploads (helpcenter.md §10): multipart parsing and format detection."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

MAX_IMAGE_BYTES = 10 * 1024 * 1024
"""Largest accepted file: 10 MB (§10)."""

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/svg+xml": "svg",
}
"""The five accepted formats and the extension used when a part has no file name."""

_BY_EXTENSION = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "svg": "image/svg+xml",
}


@dataclass(slots=True)
class Part:
    """One part of a multipart body."""

    name: str | None
    filename: str | None
    content_type: str | None
    data: bytes


class MultipartError(ValueError):
    """The body is not a readable multipart/form-data message."""


def parse_multipart(body: bytes, content_type: str) -> list[Part]:
    """Split a ``multipart/form-data`` body into its parts (headers parsed, data in memory)."""
    media, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if media != b"multipart/form-data" or not boundary:
        raise MultipartError("not multipart/form-data with a boundary")
    parts: list[Part] = []
    headers: dict[str, str] = {}
    field: list[bytes] = []
    value: list[bytes] = []
    data: list[bytes] = []

    def on_part_begin() -> None:
        headers.clear()
        data.clear()

    def on_header_field(buf: bytes, start: int, end: int) -> None:
        field.append(buf[start:end])

    def on_header_value(buf: bytes, start: int, end: int) -> None:
        value.append(buf[start:end])

    def on_header_end() -> None:
        name = b"".join(field).decode("latin-1").lower()
        headers[name] = b"".join(value).decode("utf-8", "replace")
        field.clear()
        value.clear()

    def on_part_data(buf: bytes, start: int, end: int) -> None:
        data.append(buf[start:end])

    def on_part_end() -> None:
        _, disp = parse_options_header(headers.get("content-disposition", ""))
        name = disp.get(b"name")
        filename = disp.get(b"filename")
        parts.append(
            Part(
                name=name.decode("utf-8", "replace") if name is not None else None,
                filename=filename.decode("utf-8", "replace") if filename is not None else None,
                content_type=headers.get("content-type"),
                data=b"".join(data),
            )
        )

    callbacks: Any = {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_part_data": on_part_data,
        "on_part_end": on_part_end,
    }
    parser = MultipartParser(boundary, callbacks)
    try:
        parser.write(body)
        parser.finalize()
    except MultipartParseError as exc:
        raise MultipartError(str(exc)) from None
    return parts


def detect_type(data: bytes, filename: str | None) -> str | None:
    """The image's media type from its magic bytes, else from the file extension (§10).

    SVG is recognised by a leading ``<svg`` or ``<?xml`` after whitespace (and a BOM). The
    part's own Content-Type is never trusted: Python ``requests`` does not send one.
    """
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:512].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")):
        return "image/svg+xml"
    if filename and "." in filename:
        return _BY_EXTENSION.get(filename.rsplit(".", 1)[1].lower())
    return None


def clean_filename(filename: str | None, content_type: str) -> str:
    """The uploaded name without any directory part; ``image.<ext>`` when there is none."""
    name = posixpath.basename((filename or "").replace("\\", "/")).strip()
    return name or f"image.{EXTENSIONS[content_type]}"
