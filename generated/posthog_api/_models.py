"""Conversions between JSON and the generated models.

Generated `from_dict` methods call these so a response of the wrong shape fails with a
ResponseValidationError naming the field (`$.results[3].created_at`), never a KeyError.
"""

from __future__ import annotations

import datetime
import enum
import uuid
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from ._exceptions import ResponseValidationError
from ._types import RequestOptions, Unset

Key = str | int | None
E = TypeVar("E", bound=enum.Enum)


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


def drop_unset(data: Mapping[str, object]) -> dict[str, object]:
    """A request body without the optional fields the caller left out."""
    return {key: value for key, value in data.items() if not isinstance(value, Unset)}


def with_headers(options: RequestOptions | None, headers: Mapping[str, object]) -> RequestOptions:
    """Merge header parameters into the per-call options (unset ones are left out)."""
    merged: RequestOptions = dict(options or {})  # type: ignore[assignment]
    extra = {k: str(v) for k, v in headers.items() if not isinstance(v, Unset) and v is not None}
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
