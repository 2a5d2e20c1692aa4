"""How a request is written: the JSON form of what the caller passes (models, enums, dates,
UUIDs), parameters in the styles OpenAPI defines, and bodies (JSON, form, multipart, raw bytes)
in the forms PostHog's API reads."""

import enum
import json
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from ._types import UNSET, RequestOptions, Unset

__all__ = [
    "BodyArguments",
    "cookie_header",
    "deep_object",
    "delimited",
    "drop_unset",
    "encode_body",
    "encode_query",
    "exploded_object",
    "json_param",
    "to_json",
    "with_headers",
]


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


def to_json(value: object) -> Any:
    """JSON data for a value of a union type: models, enums, dates and UUIDs converted.

    Lists and objects are walked without recursion: a value kept as sent can nest as deeply
    as the JSON parser allowed.
    """
    if not isinstance(value, list | tuple | dict):
        return _json_leaf(value)
    root: list[Any] = [None]
    pending: list[tuple[Any, Any, Any]] = [(value, root, 0)]  # (value, container, key)
    while pending:
        item, container, key = pending.pop()
        if isinstance(item, list | tuple):
            items: list[Any] = [None] * len(item)
            container[key] = items
            pending.extend((child, items, index) for index, child in enumerate(item))
        elif isinstance(item, dict):
            fields = dict.fromkeys(item)
            container[key] = fields
            pending.extend((child, fields, name) for name, child in item.items())
        else:
            container[key] = _json_leaf(item)
    return root[0]


def _json_leaf(value: object) -> Any:
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def delimited(value: object, separator: str) -> Any:
    """A list (or an object, as key,value pairs) as one string: OpenAPI's non-exploded styles."""
    if isinstance(value, Unset) or value is None:
        return value
    value = to_json(value)
    if isinstance(value, dict):
        value = [part for pair in value.items() for part in pair]
    if isinstance(value, list):
        return separator.join(_scalar_text(item) for item in value)
    return value


def deep_object(name: str, value: object) -> dict[str, object]:
    """`name[key]=value` query pairs for an object (OpenAPI's deepObject style)."""
    if isinstance(value, Unset) or value is None:
        return {}
    data = to_json(value)
    if not isinstance(data, dict):
        return {name: data}
    return {f"{name}[{key}]": _nested_text(item) for key, item in data.items()}


def exploded_object(value: object) -> dict[str, object]:
    """An object's properties as query pairs of their own (OpenAPI's exploded form style)."""
    if isinstance(value, Unset) or value is None:
        return {}
    data = to_json(value)
    if not isinstance(data, dict):
        raise TypeError(f"expected an object, got {type(value).__name__}")
    return {str(key): _nested_text(item) for key, item in data.items()}


def json_param(value: object) -> Any:
    """A parameter whose spec gives `content: application/json`: its JSON text."""
    if isinstance(value, Unset):
        return value
    return json.dumps(to_json(value), separators=(",", ":"))


def cookie_header(cookies: Mapping[str, object]) -> str | Unset:
    """A Cookie header from cookie parameters; UNSET when the caller set none of them."""
    pairs = [
        f"{name}={urllib.parse.quote(_scalar_text(delimited(value, ',')), safe='')}"
        for name, value in cookies.items()
        if not isinstance(value, Unset) and value is not None
    ]
    return "; ".join(pairs) if pairs else UNSET


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _nested_text(value: object) -> object:
    """Scalars and lists stay (lists repeat the key); deeper objects travel as JSON text."""
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        return json.dumps(value, separators=(",", ":"))
    return value


def drop_unset(data: Mapping[str, object]) -> dict[str, object]:
    """A request body without the optional fields the caller left out."""
    return {key: value for key, value in data.items() if not isinstance(value, Unset)}


def with_headers(options: RequestOptions | None, headers: Mapping[str, object]) -> RequestOptions:
    """Merge header parameters into the per-call options (unset ones are left out).

    Lists become comma-separated values and booleans `true`/`false`, as OpenAPI's simple style
    spells them.
    """
    merged: RequestOptions = dict(options or {})  # type: ignore[assignment]
    extra = {
        k: _scalar_text(delimited(v, ","))
        for k, v in headers.items()
        if not isinstance(v, Unset) and v is not None
    }
    merged["extra_headers"] = {**extra, **(options or {}).get("extra_headers", {})}
    return merged
