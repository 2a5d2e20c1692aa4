"""The base of the generated models, and what parses a response body into them.

A generated model is a plain dataclass declaration: its annotations are the field table the
one decoder (`_decoder`) reads. `Model.from_dict` and `Parser` are its entry points. By
default a value that disagrees with the spec is kept as sent and recorded (`spec_drift`, see
`_drift`); strict decoding raises ResponseValidationError with the JSON path instead.

Generated code imports only this module: it re-exports the request-side helpers of
`_encoding` (`to_json`, `drop_unset`, ...) and the Discriminator annotation.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Generic, Protocol, Self, TypeVar

from . import _decoder
from ._decoder import Discriminator
from ._drift import Drift, json_type
from ._encoding import (
    cookie_header,
    deep_object,
    delimited,
    drop_unset,
    exploded_object,
    json_param,
    to_json,
    with_headers,
)
from ._exceptions import ResponseValidationError
from ._types import Unset

__all__ = [
    "TOO_DEEP",
    "Discriminator",
    "Drift",
    "Model",
    "OpenIntEnum",
    "OpenStrEnum",
    "Parse",
    "Parser",
    "cookie_header",
    "deep_object",
    "delimited",
    "drop_unset",
    "exploded_object",
    "json_param",
    "parse_each",
    "parse_none",
    "to_json",
    "with_headers",
]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

TOO_DEEP = "nested too deeply to decode"


class Model:
    """Base of every generated model: decoding from and encoding to JSON, drift bookkeeping."""

    __slots__ = ("_spec_drift",)
    if TYPE_CHECKING:  # declared for mypy only: the decoder reads the subclasses' annotations
        _spec_drift: tuple[Drift, ...]
        additional_properties: Any

    @property
    def spec_drift(self) -> tuple[Drift, ...]:
        """Where the response this came from disagreed with the spec (here and below)."""
        try:
            return self._spec_drift
        except AttributeError:
            return ()

    @classmethod
    def from_dict(cls, data: Any, path: str = "$", *, strict: bool = False) -> Self:
        """Build from decoded JSON; with strict=True a disagreement raises instead of drifting."""
        try:
            value = _decoder.decode_model(cls, data, path, None if strict else [])
        except RecursionError:
            raise ResponseValidationError(TOO_DEEP, path=path) from None
        if not isinstance(value, cls):
            raise ResponseValidationError(f"expected an object, got {json_type(data)}", path=path)
        return value

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: unknown fields first, then every field that is set."""
        data: dict[str, Any] = {
            key: to_json(value) for key, value in self.additional_properties.items()
        }
        for name, wire in _decoder.wire_names(type(self)):
            value = getattr(self, name)
            if not isinstance(value, Unset):
                data[wire] = to_json(value)
        return data


class Parse(Protocol[T_co]):
    """What decodes a response body: a Parser, `parse_none`, or a page builder."""

    def __call__(
        self, data: Any, *, strict: bool = ..., path: str = ..., drift: list[Drift] | None = ...
    ) -> T_co: ...


class Parser(Generic[T]):
    """Decodes a response body as `T`: `Parser[list[Role]](list[Role])`; compiled once per type."""

    # `Parser[T](...)` stores the alias in __orig_class__: without a slot for it, typing
    # raises and swallows an AttributeError on every call.
    __slots__ = ("__orig_class__", "_type")

    def __init__(self, type_: Any) -> None:
        self._type = type_

    def __call__(
        self, data: Any, *, strict: bool = False, path: str = "$", drift: list[Drift] | None = None
    ) -> T:
        sink = None if strict else ([] if drift is None else drift)
        try:
            return _decoder.decoder(self._type)(data, path, None, sink)  # type: ignore[no-any-return]
        except RecursionError:
            raise ResponseValidationError(TOO_DEEP, path=path) from None


def parse_each(
    item: Parse[T], values: list[Any], *, strict: bool, path: str, drift: list[Drift] | None
) -> list[T]:
    """Each of `values` (a page's results at `path`) parsed with `item`, as `item` would one
    by one at `path[index]`; a Parser's decoder is looked up once for all of them."""
    if not isinstance(item, Parser):
        return [
            item(value, strict=strict, path=f"{path}[{index}]", drift=drift)
            for index, value in enumerate(values)
        ]
    decode = _decoder.decoder(item._type)
    sink = None if strict else ([] if drift is None else drift)
    parsed: list[T] = []
    index = 0
    try:
        for index, value in enumerate(values):
            parsed.append(decode(value, path, index, sink))
    except RecursionError:
        raise ResponseValidationError(TOO_DEEP, path=f"{path}[{index}]") from None
    return parsed


def parse_none(
    data: Any, *, strict: bool = False, path: str = "$", drift: list[Drift] | None = None
) -> None:
    """For operations that document no response body: whatever came back is ignored."""
    return None


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
