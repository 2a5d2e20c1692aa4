"""Conversions between JSON and the generated models.

Generated `from_dict` methods call these so a response of the wrong shape fails with a
ResponseValidationError naming the field (`$.results[3].created_at`), never a KeyError.
"""

from __future__ import annotations

import datetime
import enum
import json
import urllib.parse
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Self, TypeVar

from ._exceptions import ResponseValidationError
from ._types import UNSET, RequestOptions, Unset

Key = str | int | None
E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")
Decoder = Callable[[Any, str], Any]
"""Decodes one union variant: (JSON value, its path) -> Python value, or raises."""


def at(path: str, key: Key) -> str:
    """The JSON path of a child: `$.a` + `b` -> `$.a.b`, + `3` -> `$.a[3]`."""
    if key is None:
        return path
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}"


def _fail(expected: str, value: object, path: str, key: Key) -> ResponseValidationError:
    return ResponseValidationError(
        f"expected {expected}, got {type(value).__name__}", path=at(path, key)
    )


def require(data: Mapping[str, Any], key: str, path: str) -> Any:
    try:
        return data[key]
    except KeyError:
        raise ResponseValidationError("required field is missing", path=at(path, key)) from None


def expect_object(value: object, path: str, key: Key) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail("an object", value, path, key)
    return value


def expect_list(value: object, path: str, key: Key) -> list[Any]:
    if not isinstance(value, list):
        raise _fail("a list", value, path, key)
    return value


def expect_str(value: object, path: str, key: Key) -> str:
    if not isinstance(value, str):
        raise _fail("a string", value, path, key)
    return value


def expect_int(value: object, path: str, key: Key) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _fail("an integer", value, path, key)
    return value


def expect_float(value: object, path: str, key: Key) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _fail("a number", value, path, key)
    return float(value)


def expect_bool(value: object, path: str, key: Key) -> bool:
    if not isinstance(value, bool):
        raise _fail("a boolean", value, path, key)
    return value


def expect_bytes(value: object, path: str, key: Key) -> bytes:
    if not isinstance(value, bytes):
        raise _fail("bytes", value, path, key)
    return value


def expect_literal(value: object, allowed: tuple[object, ...], path: str, key: Key) -> Any:
    """One of the spec's constants exactly (True is not 1 here, unlike in Python)."""
    if not any(type(value) is type(option) and value == option for option in allowed):
        expected = " or ".join(json.dumps(option) for option in allowed)
        raise ResponseValidationError(
            f"expected {expected}, got {json.dumps(value, default=repr)[:80]}", path=at(path, key)
        )
    return value


def list_of(value: object, path: str, key: Key, item: Callable[[object, str, Key], T]) -> list[T]:
    """A JSON array whose every item `item` decodes (e.g. `expect_str`)."""
    where = at(path, key)
    return [item(one, where, index) for index, one in enumerate(expect_list(value, path, key))]


def dict_of(
    value: object, path: str, key: Key, item: Callable[[object, str, Key], T]
) -> dict[str, T]:
    """A JSON object whose every value `item` decodes (e.g. `expect_int`)."""
    where = at(path, key)
    return {name: item(one, where, name) for name, one in expect_object(value, path, key).items()}


def list_of_models(
    value: object, path: str, key: Key, from_dict: Callable[[Any, str], T]
) -> list[T]:
    """A JSON array of objects, each decoded by a model's `from_dict`."""
    where = at(path, key)
    items = expect_list(value, path, key)
    return [from_dict(one, at(where, index)) for index, one in enumerate(items)]


def dict_of_models(
    value: object, path: str, key: Key, from_dict: Callable[[Any, str], T]
) -> dict[str, T]:
    """A JSON object whose values are objects, each decoded by a model's `from_dict`."""
    where = at(path, key)
    items = expect_object(value, path, key)
    return {name: from_dict(one, at(where, name)) for name, one in items.items()}


def decode_union(value: object, path: str, key: Key, variants: Sequence[Decoder]) -> Any:
    """The first variant that decodes `value` (a oneOf/anyOf without a discriminator)."""
    where = at(path, key)
    failures = []
    for variant in variants:
        try:
            return variant(value, where)
        except ResponseValidationError as exc:
            failures.append(exc.message if exc.path == where else str(exc))
    raise ResponseValidationError(
        f"matches none of the {len(variants)} allowed shapes ({'; '.join(failures)})", path=where
    )


def decode_tagged(
    value: object, path: str, key: Key, tag: str, variants: Mapping[str, Decoder]
) -> Any:
    """The variant named by the `tag` property's value (a oneOf with a discriminator)."""
    obj = expect_object(value, path, key)
    where = at(path, key)
    name = obj.get(tag)
    decoder = variants.get(name) if isinstance(name, str) else None
    if decoder is None:
        expected = ", ".join(repr(known) for known in variants)
        raise ResponseValidationError(
            f"expected one of {expected}, got {name!r}", path=at(where, tag)
        )
    return decoder(obj, where)


def parse_datetime(value: object, path: str, key: Key) -> datetime.datetime:
    try:
        return datetime.datetime.fromisoformat(expect_str(value, path, key))
    except ValueError:
        raise _fail("an ISO 8601 date-time", value, path, key) from None


def parse_date(value: object, path: str, key: Key) -> datetime.date:
    try:
        return datetime.date.fromisoformat(expect_str(value, path, key))
    except ValueError:
        raise _fail("an ISO 8601 date", value, path, key) from None


def parse_uuid(value: object, path: str, key: Key) -> uuid.UUID:
    try:
        return uuid.UUID(expect_str(value, path, key))
    except ValueError:
        raise _fail("a UUID", value, path, key) from None


def parse_enum(cls: type[E], value: object, path: str, key: Key) -> E:
    try:
        return cls(value)
    except ValueError:
        raise _fail(f"a {cls.__name__} value", value, path, key) from None


def parse_none(data: object, path: str = "$") -> None:
    """For operations that document no response body: whatever came back is ignored."""
    return None


def to_json(value: object) -> Any:
    """JSON data for a value of a union type: models, enums, dates and UUIDs converted."""
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, uuid.UUID):
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


class OpenStrEnum(enum.StrEnum):
    """A str enum that accepts values it does not list.

    A server may add an enum value before the client is regenerated; such a value becomes a
    pseudo-member (equal to its string, `.name` "UNKNOWN") instead of crashing the parse.
    """

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member


class OpenIntEnum(enum.IntEnum):
    """An int enum that accepts values it does not list (see OpenStrEnum)."""

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        member = int.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member
