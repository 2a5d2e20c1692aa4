"""Conversions between JSON and the generated models.

A generated model is a plain dataclass declaration: its annotations are the field table.
`Model.from_dict` and `Parser` compile a type into a decoding function once (per class, per
type), then every response is decoded by those functions.

Be liberal in what you accept: by default a value that disagrees with the spec (a null where
null is not allowed, a missing required field, another JSON type, an unknown enum value, a
malformed date) is kept as the server sent it (a missing field becomes UNSET), recorded as a
`Drift` on the model instance (`spec_drift`) and on the APIResponse (`drift`), and logged once
per process per (model, field, kind) at WARNING, without the value. Strict decoding
(`strict_response_validation=True`) raises ResponseValidationError with the JSON path instead.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import logging
import sys
import types
import typing
import urllib.parse
import uuid
from collections.abc import Callable, Mapping
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    Generic,
    Literal,
    Protocol,
    Self,
    TypeAlias,
    TypeVar,
)

from ._constants import PACKAGE
from ._exceptions import ResponseValidationError
from ._types import UNSET, RequestOptions, Unset

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
log = logging.getLogger(PACKAGE)

DriftKind: TypeAlias = Literal["null", "missing", "type", "enum", "format"]
Key: TypeAlias = str | int | None
DriftSink: TypeAlias = "list[Drift] | None"
"""Where a decoder records disagreements; None means strict: raise instead."""
Decode: TypeAlias = Callable[[Any, str, Key, DriftSink], Any]
"""(JSON value, parent path, key in the parent, sink) -> Python value."""


@dataclasses.dataclass(frozen=True, slots=True)
class Drift:
    """One place where a response disagreed with the spec; the value is kept, never shown."""

    path: str
    """The JSON path of the value, e.g. `$.results[3].created_by`."""
    expected: str
    """What the spec says, e.g. `a string`, `a UserBasic object`."""
    got: str
    """The JSON type that came (`null`, `integer`, ...), or `missing`."""
    kind: DriftKind


class Discriminator:
    """Annotated metadata of a union whose variant is named by one property's value."""

    __slots__ = ("mapping", "property")

    def __init__(self, property: str, mapping: Mapping[str, Any]) -> None:
        self.property = property
        self.mapping = mapping


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
            value = _decode_model(cls, data, path, None, None if strict else [], cls.__name__)
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
        for name, wire in _plan(type(self)).wire_names:
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

    __slots__ = ("_type",)

    def __init__(self, type_: Any) -> None:
        self._type = type_

    def __call__(
        self, data: Any, *, strict: bool = False, path: str = "$", drift: list[Drift] | None = None
    ) -> T:
        sink = None if strict else ([] if drift is None else drift)
        try:
            return _decoder(self._type)(data, path, None, sink)  # type: ignore[no-any-return]
        except RecursionError:
            raise ResponseValidationError(TOO_DEEP, path=path) from None


def parse_none(
    data: Any, *, strict: bool = False, path: str = "$", drift: list[Drift] | None = None
) -> None:
    """For operations that document no response body: whatever came back is ignored."""
    return None


def at(path: str, key: Key) -> str:
    """The JSON path of a child: `$.a` + `b` -> `$.a.b`, + `3` -> `$.a[3]`."""
    if key is None:
        return path
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}"


_JSON_TYPES = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


def json_type(value: object) -> str:
    """The JSON type name of a decoded value (what a drift report may show of it)."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


_logged: set[tuple[str, str, str]] = set()


def _mismatch(
    value: object,
    path: str,
    key: Key,
    sink: DriftSink,
    expected: str,
    owner: str,
    kind: DriftKind | None = None,
) -> Any:
    """Raise (strict) or record the drift and keep `value` as it came."""
    if kind is None:
        kind = "null" if value is None else "type"
    where = at(path, key)
    got = "missing" if kind == "missing" else json_type(value)
    if sink is None:
        raise ResponseValidationError(f"expected {expected}, got {got}", path=where)
    sink.append(Drift(where, expected, got, kind))
    field_name = key if isinstance(key, str) else "[]"
    if (owner, field_name, kind) not in _logged:
        _logged.add((owner, field_name, kind))
        log.warning(
            "response disagrees with the spec at %s (%s.%s): expected %s, got %s;"
            " the value is kept as sent (further cases of this field are not logged)",
            where,
            owner,
            field_name,
            expected,
            got,
        )
    return UNSET if kind == "missing" else value


# --- compiling types into decoders -------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class _Plan:
    # name, wire name, the JSON types kept as they are (None: any), decoder, required
    fields: tuple[tuple[str, str, frozenset[type] | None, Decode, bool], ...]
    known: frozenset[str]
    extra: Decode | None
    wire_names: tuple[tuple[str, str], ...]


_plans: dict[type, _Plan] = {}
_decoders: dict[Any, Decode] = {}


def _decoder(type_: Any) -> Decode:
    try:
        return _decoders[type_]
    except KeyError:
        decode = _decoders[type_] = _compile(type_, "response")
        return decode


def _plan(cls: type) -> _Plan:
    try:
        return _plans[cls]
    except KeyError:
        pass
    # Annotations name classes the module imports only for type checkers: look them up among
    # the package's models (its submodules' names must not shadow the module's own imports).
    package = vars(sys.modules[cls.__module__.rpartition(".")[0]])
    namespace = {name: value for name, value in package.items() if isinstance(value, type)}
    namespace.update(vars(sys.modules[cls.__module__]))
    hints = typing.get_type_hints(cls, globalns=namespace, localns=namespace, include_extras=True)
    entries = []
    wire_names = []
    extra: Decode | None = None
    owner = cls.__name__
    for field in dataclasses.fields(cls):
        hint = hints[field.name]
        if field.name == "additional_properties":
            value_type = typing.get_args(hint)[1] if typing.get_args(hint) else Any
            extra = None if value_type is Any else _compile(value_type, owner)
            continue
        wire = field.metadata.get("wire", field.name)
        required = (
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        )
        entries.append((field.name, wire, _as_is(hint), _compile(hint, owner), required))
        wire_names.append((field.name, wire))
    plan = _plans[cls] = _Plan(
        fields=tuple(entries),
        known=frozenset(wire for _, wire in wire_names),
        extra=extra,
        wire_names=tuple(wire_names),
    )
    return plan


_PLAIN = frozenset({str, int, bool})


def _as_is(hint: Any) -> frozenset[type] | None:
    """The JSON value types a field keeps without decoding (None: every type, for `Any`).

    Most fields are plain strings, integers and booleans, or null: checking the type here saves
    a decoder call per field, most of the decoding time.
    """
    if hint is Any:
        return None
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(hint) if arg is not Unset]
    else:
        args = [hint]
    if Any in args:
        return None
    return frozenset(arg for arg in args if arg in _PLAIN or arg is type(None))


def _decode_model(
    cls: type[Model], value: Any, path: str, key: Key, sink: DriftSink, owner: str
) -> Any:
    if type(value) is not dict:
        return _mismatch(value, path, key, sink, f"a {cls.__name__} object", owner)
    plan = _plans.get(cls) or _plan(cls)
    here = at(path, key)
    first_drift = 0 if sink is None else len(sink)  # this object's drift is what follows
    kwargs: dict[str, Any] = {}
    found = 0
    get = value.get
    for name, wire, as_is, decode, required in plan.fields:
        raw = get(wire, UNSET)
        if raw is UNSET:
            if required:
                kwargs[name] = _mismatch(
                    None, here, wire, sink, "a value (required)", cls.__name__, "missing"
                )
            continue
        found += 1
        if as_is is None or type(raw) in as_is:
            kwargs[name] = raw
        else:
            kwargs[name] = decode(raw, here, wire, sink)
    if found < len(value):
        extra = plan.extra
        kwargs["additional_properties"] = {
            name: raw if extra is None else extra(raw, here, name, sink)
            for name, raw in value.items()
            if name not in plan.known
        }
    obj = cls(**kwargs)
    if sink is not None and len(sink) > first_drift:
        obj._spec_drift = tuple(sink[first_drift:])
    return obj


def _compile(hint: Any, owner: str) -> Decode:
    """A decoder for one annotation; `owner` names the model for the drift log."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is Annotated:
        return _compile_annotated(args[0], args[1:], owner)
    if origin in (typing.Union, types.UnionType):
        nullable = type(None) in args
        variants = [arg for arg in args if arg is not type(None) and arg is not Unset]
        inner = _compile(variants[0], owner) if len(variants) == 1 else _union(variants, owner)
        if not nullable:
            return inner
        return lambda value, path, key, sink: (
            None if value is None else inner(value, path, key, sink)
        )
    if origin is list:
        return _list(_compile(args[0], owner) if args else _identity, owner)
    if origin is dict:
        return _dict(_compile(args[1], owner) if len(args) == 2 else _identity, owner)
    if origin is Literal:
        return _literal(args, owner)
    if hint is Any or hint is object:
        return _identity
    if isinstance(hint, type):
        if issubclass(hint, Model):
            cls = hint
            return lambda value, path, key, sink: _decode_model(cls, value, path, key, sink, owner)
        if issubclass(hint, enum.Enum):
            return _enum(hint, owner)
        scalar = _SCALARS.get(hint)
        if scalar is not None:
            return scalar(owner)
    return _identity


def _identity(value: Any, path: str, key: Key, sink: DriftSink) -> Any:
    return value


def _exact(kind: type, expected: str) -> Callable[[str], Decode]:
    def compile_for(owner: str) -> Decode:
        def decode(value: Any, path: str, key: Key, sink: DriftSink) -> Any:
            if type(value) is kind:
                return value
            return _mismatch(value, path, key, sink, expected, owner)

        return decode

    return compile_for


def _float(owner: str) -> Decode:
    def decode(value: Any, path: str, key: Key, sink: DriftSink) -> Any:
        if type(value) is float:
            return value
        if type(value) is int:
            return float(value)
        return _mismatch(value, path, key, sink, "a number", owner)

    return decode


def _parsed(parse: Callable[[str], Any], expected: str) -> Callable[[str], Decode]:
    """A string in a format (date-time, date, uuid): parsed, or kept as the string."""

    def compile_for(owner: str) -> Decode:
        def decode(value: Any, path: str, key: Key, sink: DriftSink) -> Any:
            if type(value) is not str:
                return _mismatch(value, path, key, sink, expected, owner)
            try:
                return parse(value)
            except ValueError:
                return _mismatch(value, path, key, sink, expected, owner, "format")

        return decode

    return compile_for


_SCALARS: dict[type, Callable[[str], Decode]] = {
    str: _exact(str, "a string"),
    int: _exact(int, "an integer"),
    bool: _exact(bool, "a boolean"),
    float: _float,
    bytes: _exact(bytes, "bytes"),
    datetime.datetime: _parsed(datetime.datetime.fromisoformat, "an ISO 8601 date-time"),
    datetime.date: _parsed(datetime.date.fromisoformat, "an ISO 8601 date"),
    uuid.UUID: _parsed(uuid.UUID, "a UUID"),
}


def _list(item: Decode, owner: str) -> Decode:
    def decode(value: Any, path: str, key: Key, sink: DriftSink) -> Any:
        if type(value) is not list:
            return _mismatch(value, path, key, sink, "an array", owner)
        if item is _identity:
            return value
        here = at(path, key)
        return [item(one, here, index, sink) for index, one in enumerate(value)]

    return decode


def _dict(item: Decode, owner: str) -> Decode:
    def decode(value: Any, path: str, key: Key, sink: DriftSink) -> Any:
        if type(value) is not dict:
            return _mismatch(value, path, key, sink, "an object", owner)
        if item is _identity:
            return value
        here = at(path, key)
        return {name: item(one, here, name, sink) for name, one in value.items()}

    return decode


def _literal(allowed: tuple[Any, ...], owner: str) -> Decode:
    """One of the spec's constants exactly (True is not 1 here, unlike in Python)."""
    expected = " or ".join(json.dumps(option) for option in allowed)

    def decode(value: Any, path: str, key: Key, sink: DriftSink) -> Any:
        if any(type(value) is type(option) and value == option for option in allowed):
            return value
        kind: DriftKind = "enum" if type(value) in {type(option) for option in allowed} else "type"
        return _mismatch(value, path, key, sink, expected, owner, kind)

    return decode


def _enum(cls: type[enum.Enum], owner: str) -> Decode:
    """A listed value becomes its member; another value of the right type drifts (kind enum)
    and becomes a pseudo-member (see OpenStrEnum), so the value is never lost."""
    known = cls._value2member_map_
    value_type = str if issubclass(cls, str) else int
    expected = f"a {cls.__name__} value"

    def decode(value: Any, path: str, key: Key, sink: DriftSink) -> Any:
        try:
            return known[value]
        except (KeyError, TypeError):
            pass
        if type(value) is not value_type:
            return _mismatch(value, path, key, sink, expected, owner)
        _mismatch(value, path, key, sink, expected, owner, "enum")
        return cls(value)

    return decode


def _union(variants: list[Any], owner: str) -> Decode:
    """The first variant that decodes the value strictly (a oneOf/anyOf without discriminator)."""
    decoders = [_compile(variant, owner) for variant in variants]
    expected = "one of " + ", ".join(_describe(variant) for variant in variants)

    def decode(value: Any, path: str, key: Key, sink: DriftSink) -> Any:
        for variant in decoders:
            try:
                return variant(value, path, key, None)
            except ResponseValidationError:
                continue
        return _mismatch(value, path, key, sink, expected, owner)

    return decode


def _compile_annotated(base: Any, metadata: tuple[Any, ...], owner: str) -> Decode:
    tags = [item for item in metadata if isinstance(item, Discriminator)]
    if not tags:
        return _compile(base, owner)
    tag = tags[0]
    nullable = type(None) in typing.get_args(base)
    cases = {name: _compile(variant, owner) for name, variant in tag.mapping.items()}
    expected = f"{tag.property!r} naming one of " + ", ".join(repr(name) for name in cases)

    def decode(value: Any, path: str, key: Key, sink: DriftSink) -> Any:
        if value is None and nullable:
            return None
        if type(value) is not dict:
            return _mismatch(value, path, key, sink, "an object", owner)
        name = value.get(tag.property)
        case = cases.get(name) if isinstance(name, str) else None
        if case is None:
            return _mismatch(name, at(path, key), tag.property, sink, expected, owner, "enum")
        return case(value, path, key, sink)

    return decode


def _describe(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


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
