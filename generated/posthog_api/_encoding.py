"""How a request is written: query parameters and bodies (JSON, form, multipart, raw bytes)
in the forms PostHog's API reads."""

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ._types import Unset

__all__ = ["BodyArguments", "encode_body", "encode_query"]


def encode_query(query: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    """Query pairs as PostHog expects them: None/UNSET dropped, lists repeated, bools lowercase."""
    pairs: list[tuple[str, str]] = []
    for key, value in query.items():
        for one in value if isinstance(value, list | tuple) else (value,):
            if one is not None and not isinstance(one, Unset):
                pairs.append((key, _query_value(one)))
    return tuple(pairs)


def _query_value(value: object) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"


@dataclass(frozen=True)
class BodyArguments:
    """What httpx.build_request needs to send one body; None where not used."""

    content: bytes | None = None
    data: dict[str, list[str]] | None = None
    files: list[tuple[str, Any]] | None = None
    content_type: str | None = None  # None: httpx sets it (form, multipart boundary)


def encode_body(body: object, content_type: str) -> BodyArguments:
    """`body` as the operation's media type: JSON, a form, multipart parts, or raw bytes/text."""
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        text = json.dumps(body, separators=(",", ":"), allow_nan=False)
        return BodyArguments(content=text.encode(), content_type=content_type)
    if media_type == _FORM:
        return BodyArguments(data=_form_fields(body))
    if media_type == _MULTIPART:
        return BodyArguments(files=_multipart_parts(body))
    return BodyArguments(content=_raw_content(body), content_type=content_type)


def _field_items(body: object) -> list[tuple[str, object]]:
    """(name, value) pairs of a form-like body, a list value repeating its name."""
    if not isinstance(body, Mapping):
        raise TypeError(f"a form body must be a mapping, got {type(body).__name__}")
    return [
        (str(name), one)
        for name, value in body.items()
        for one in (value if isinstance(value, list | tuple) and not _is_file(value) else [value])
        if one is not None and not isinstance(one, Unset)
    ]


def _form_fields(body: object) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for name, value in _field_items(body):
        fields.setdefault(name, []).append(_form_text(value))
    return fields


def _multipart_parts(body: object) -> list[tuple[str, Any]]:
    """Uploads (bytes, files, (filename, content) tuples) as file parts, the rest as text parts."""
    return [
        (name, value if _is_file(value) else (None, _form_text(value).encode()))
        for name, value in _field_items(body)
    ]


def _is_file(value: object) -> bool:
    return isinstance(value, bytes | bytearray | tuple) or hasattr(value, "read")


def _form_text(value: object) -> str:
    """A form field's text: scalars as in a query, objects and lists of objects as JSON."""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    return _query_value(value)


def _raw_content(body: object) -> bytes:
    """A non-JSON, non-form body: bytes as they are, text as UTF-8, a file read whole."""
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    if isinstance(body, str):
        return body.encode()
    read = getattr(body, "read", None)
    if callable(read):
        data = read()
        return data.encode() if isinstance(data, str) else bytes(data)
    raise TypeError(f"expected bytes, str or a binary file, got {type(body).__name__}")
