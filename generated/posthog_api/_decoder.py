"""The one decoder: JSON data into the generated models (tolerant by default, see _drift).

A generated model is a plain dataclass declaration: its annotations are the field table. Each
type is compiled once into a closure of (value, parent path, key, sink), a model into a table
of its fields. An object whose keys come in the declared order takes a fast loop over its
values; any other (unknown keys, a required field absent) is decoded field by field, with the
same result and the same drift in the same order.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import sys
import types
import typing
import uuid
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, NamedTuple, TypeAlias

from ._drift import DriftKind, DriftSink, Key, Where, mismatch
from ._exceptions import ResponseValidationError
from ._types import UNSET, Unset

__all__ = ["Discriminator", "decode_model", "decoder", "wire_names"]

Decode: TypeAlias = Callable[[Any, Where, Key, DriftSink], Any]
"""(JSON value, parent path, key in the parent, sink) -> Python value."""
Parse: TypeAlias = Callable[[str], Any]
"""What a decoder does with a string it accepts (a date, a UUID, an enum value); raises
ValueError or KeyError where the decoder would report drift."""
Field: TypeAlias = tuple[str, str, frozenset[type], Parse | None, Decode]
"""A field as the decoding loops see it: its name, its JSON name, the JSON types kept exactly
as they came, the parser of a string, and the decoder of any other value."""


class Discriminator:
    """Annotated metadata of a union whose variant is named by one property's value."""

    __slots__ = ("mapping", "property")

    def __init__(self, property: str, mapping: Mapping[str, Any]) -> None:
        self.property = property
        self.mapping = mapping


_decoders: dict[Any, Decode] = {}


def decoder(type_: Any) -> Decode:
    """The decoder of a response type (`Role`, `list[Role]`, ...), compiled on first use."""
    try:
        return _decoders[type_]
    except KeyError:
        decode = _decoders[type_] = _compile(type_, "response")
        return decode


def decode_model(cls: type[Any], data: Any, path: str, sink: DriftSink) -> Any:
    """`data` as a `cls` object; tolerant, a value that is no JSON object comes back as it is."""
    return _model(cls, cls.__name__)(data, path, None, sink)


def wire_names(cls: type[Any]) -> tuple[tuple[str, str], ...]:
    """(attribute, JSON name) of each field of a model, in the declared order."""
    return _table(cls).wire_names


# --- models --------------------------------------------------------------------------------

_NEW: Any = object()
_MAX_SHAPES = 64
"""Key orders remembered per model: a hostile server must not fill the memory with them."""


class _Shape(NamedTuple):
    """Objects with one key order: the field of each value, and the defaults of the others."""

    fields: tuple[Field, ...]
    absent: tuple[tuple[str, Any], ...]


@dataclasses.dataclass(slots=True)
class _Table:
    """A model's fields compiled, and the key orders met."""

    fields: tuple[Field, ...]
    required: frozenset[str]
    defaults: dict[str, Any]
    """Each optional field's default; a field with a default_factory is not here."""
    extra: Decode | None
    """The decoder of `additional_properties` values; None: kept as they came."""
    wire_names: tuple[tuple[str, str], ...]
    shapes: dict[tuple[Any, ...], _Shape | None] | None
    """None: every object is decoded field by field (the class has a __post_init__...)."""
    last: tuple[tuple[Any, ...], _Shape | None] = ((), None)
    """The key order met last: one response's objects share their key strings (cheap to compare)."""


_tables: dict[type, _Table] = {}
_models: dict[tuple[type, str], Decode] = {}


def _table(cls: type) -> _Table:
    try:
        return _tables[cls]
    except KeyError:
        pass
    # Annotations name classes the module imports only for type checkers: look them up among
    # the package's models (its submodules' names must not shadow the module's own imports).
    package = vars(sys.modules[cls.__module__.rpartition(".")[0]])
    namespace = {name: value for name, value in package.items() if isinstance(value, type)}
    namespace.update(vars(sys.modules[cls.__module__]))
    hints = typing.get_type_hints(cls, globalns=namespace, localns=namespace, include_extras=True)
    fields: list[Field] = []
    required: set[str] = set()
    defaults: dict[str, Any] = {}
    extra: Decode | None = None
    fast = False  # what the fast loop sets by hand must be all that __init__ would do
    for field in dataclasses.fields(cls):
        hint = hints[field.name]
        if field.name == "additional_properties":
            value_type = typing.get_args(hint)[1] if typing.get_args(hint) else Any
            extra = None if value_type is Any else _compile(value_type, cls.__name__)
            fast = (
                field.default_factory is dict
                and not hasattr(cls, "__post_init__")
                and not any("__setattr__" in vars(base) for base in cls.__mro__[:-1])  # frozen
            )
            continue
        wire = field.metadata.get("wire", field.name)
        fields.append((field.name, wire, *_field(hint, cls.__name__)))
        if field.default is not dataclasses.MISSING:
            defaults[field.name] = field.default
        elif field.default_factory is dataclasses.MISSING:
            required.add(field.name)
    table = _tables[cls] = _Table(
        fields=tuple(fields),
        required=frozenset(required),
        defaults=defaults,
        extra=extra,
        wire_names=tuple((field[0], field[1]) for field in fields),
        shapes={} if fast else None,
    )
    return table


def _model(cls: type[Any], owner: str) -> Decode:
    """The decoder of a model class as a field of `owner`. Its table is compiled on the first
    object decoded, so a model may contain itself."""
    try:
        return _models[cls, owner]
    except KeyError:
        pass
    expected = f"a {cls.__name__} object"
    new = object.__new__
    table: _Table | None = None

    def decode(value: Any, path: Where, key: Key, sink: DriftSink) -> Any:
        nonlocal table
        if type(value) is not dict:
            return mismatch(value, path, key, sink, expected, owner)
        if table is None:
            table = _table(cls)
        here = (path, key)
        first_drift = 0 if sink is None else len(sink)  # this object's drift is what follows
        keys = tuple(value)
        last_keys, shape = table.last
        if keys != last_keys:
            shape = _shape(table, keys)
        if shape is None:
            obj = cls(**_arguments(table, cls.__name__, value, here, sink))
        else:
            obj = new(cls)
            for (name, wire, keep, parse, decode_field), raw in zip(
                shape.fields, value.values(), strict=True
            ):
                if type(raw) in keep:
                    setattr(obj, name, raw)
                    continue
                if parse is not None and type(raw) is str:
                    try:
                        setattr(obj, name, parse(raw))
                        continue
                    except (ValueError, KeyError):
                        pass  # the decoder says how it disagrees, and records it
                setattr(obj, name, decode_field(raw, here, wire, sink))
            for name, default in shape.absent:
                setattr(obj, name, default)
            obj.additional_properties = {}
        if sink is not None and len(sink) > first_drift:
            obj._spec_drift = tuple(sink[first_drift:])
        return obj

    _models[cls, owner] = decode
    return decode


def _shape(table: _Table, keys: tuple[Any, ...]) -> _Shape | None:
    """The fast loop of objects with these keys, if they may take it: every key a field's, in
    the declared order (so drift is found in the same order), every absent field optional."""
    shapes = table.shapes
    if shapes is None:
        return None
    shape: _Shape | None = shapes.get(keys, _NEW)
    if shape is _NEW:
        shape = None
        position = {field[1]: index for index, field in enumerate(table.fields)}
        indexes = [position.get(key, -1) for key in keys]
        absent = [field[0] for field in table.fields if field[1] not in keys]
        if (
            -1 not in indexes
            and indexes == sorted(indexes)
            and all(name in table.defaults for name in absent)
        ):
            shape = _Shape(
                fields=tuple(table.fields[index] for index in indexes),
                absent=tuple((name, table.defaults[name]) for name in absent),
            )
        if len(shapes) < _MAX_SHAPES:
            shapes[keys] = shape
    table.last = (keys, shape)
    return shape


def _arguments(
    table: _Table, owner: str, value: dict[str, Any], here: Where, sink: DriftSink
) -> dict[str, Any]:
    """The constructor arguments, field by field in the declared order, then unknown keys."""
    kwargs: dict[str, Any] = {}
    missing = 0
    get = value.get
    for name, wire, keep, _, decode_field in table.fields:
        raw = get(wire, UNSET)
        if type(raw) in keep:
            kwargs[name] = raw
        elif raw is not UNSET:
            kwargs[name] = decode_field(raw, here, wire, sink)
        else:
            missing += 1
            if name in table.required:
                kwargs[name] = mismatch(
                    None, here, wire, sink, "a value (required)", owner, "missing"
                )
    if len(value) > len(table.fields) - missing:
        known = {field[1] for field in table.fields}
        extra = table.extra
        kwargs["additional_properties"] = {
            wire: raw if extra is None else extra(raw, here, wire, sink)
            for wire, raw in value.items()
            if wire not in known
        }
    return kwargs


_PLAIN = frozenset({str, int, bool})


def _field(hint: Any, owner: str) -> tuple[frozenset[type], Parse | None, Decode]:
    """The JSON types a field keeps as they are, its parser of strings, and its decoder.

    Most fields are plain strings, integers and booleans, or null, and most others strings in
    a format: checking the type and parsing in the model's loop saves a call per field.
    """
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(hint) if arg is not Unset]
    else:
        args = [hint]
    if Any in args:
        return frozenset(), None, _identity
    keep = {arg for arg in args if arg in _PLAIN or arg is type(None)}
    variants = [arg for arg in args if arg is not type(None)]
    if len(variants) != 1:
        return frozenset(keep), None, _compile(hint, owner)
    hint = variants[0]  # its decoder needs no null check: null is kept, or not allowed
    origin = typing.get_origin(hint)
    if hint is float or (origin in (list, dict) and typing.get_args(hint)[-1] is Any):
        keep.add(origin or hint)  # float, `list[Any]`, `dict[str, Any]`: returned as they are
    return frozenset(keep), _parser(hint), _compile(hint, owner)


def _parser(hint: Any) -> Parse | None:
    """What the decoder of `hint` does with a string it accepts, when that is all it does."""
    if isinstance(hint, type) and issubclass(hint, enum.Enum) and issubclass(hint, str):
        return hint._value2member_map_.__getitem__
    return _PARSERS.get(hint)


# --- other types ---------------------------------------------------------------------------


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
        if dataclasses.is_dataclass(hint):
            return _model(hint, owner)
        if issubclass(hint, enum.Enum):
            return _enum(hint, owner)
        scalar = _SCALARS.get(hint)
        if scalar is not None:
            return scalar(owner)
    return _identity


def _identity(value: Any, path: Where, key: Key, sink: DriftSink) -> Any:
    return value


def _exact(kind: type, expected: str) -> Callable[[str], Decode]:
    def compile_for(owner: str) -> Decode:
        def decode(value: Any, path: Where, key: Key, sink: DriftSink) -> Any:
            if type(value) is kind:
                return value
            return mismatch(value, path, key, sink, expected, owner)

        return decode

    return compile_for


def _float(owner: str) -> Decode:
    def decode(value: Any, path: Where, key: Key, sink: DriftSink) -> Any:
        if type(value) is float:
            return value
        if type(value) is int:
            return float(value)
        return mismatch(value, path, key, sink, "a number", owner)

    return decode


def _parsed(parse: Parse, expected: str) -> Callable[[str], Decode]:
    """A string in a format (date-time, date, uuid): parsed, or kept as the string."""

    def compile_for(owner: str) -> Decode:
        def decode(value: Any, path: Where, key: Key, sink: DriftSink) -> Any:
            if type(value) is not str:
                return mismatch(value, path, key, sink, expected, owner)
            try:
                return parse(value)
            except ValueError:
                return mismatch(value, path, key, sink, expected, owner, "format")

        return decode

    return compile_for


_UNKNOWN = uuid.SafeUUID.unknown  # an enum member: slow to look up for each UUID


def _uuid(text: str) -> uuid.UUID:
    """`uuid.UUID(text)`, faster: uuid.UUID drops "urn:", "uuid:", braces and dashes, then reads
    32 hex digits with int(); with 32 characters left after the dashes, any of the first three
    makes both fail alike."""
    digits = text.replace("-", "")
    if len(digits) != 32:
        return uuid.UUID(text)
    value = object.__new__(uuid.UUID)
    object.__setattr__(value, "int", int(digits, 16))  # as uuid.UUID.__init__ sets them
    object.__setattr__(value, "is_safe", _UNKNOWN)
    return value


_PARSERS: dict[Any, Parse] = {
    datetime.datetime: datetime.datetime.fromisoformat,
    datetime.date: datetime.date.fromisoformat,
    uuid.UUID: _uuid,
}
_SCALARS: dict[type, Callable[[str], Decode]] = {
    str: _exact(str, "a string"),
    int: _exact(int, "an integer"),
    bool: _exact(bool, "a boolean"),
    float: _float,
    bytes: _exact(bytes, "bytes"),
    datetime.datetime: _parsed(datetime.datetime.fromisoformat, "an ISO 8601 date-time"),
    datetime.date: _parsed(datetime.date.fromisoformat, "an ISO 8601 date"),
    uuid.UUID: _parsed(_uuid, "a UUID"),
}


def _list(item: Decode, owner: str) -> Decode:
    def decode(value: Any, path: Where, key: Key, sink: DriftSink) -> Any:
        if type(value) is not list:
            return mismatch(value, path, key, sink, "an array", owner)
        if item is _identity:
            return value
        here = (path, key)
        return [item(one, here, index, sink) for index, one in enumerate(value)]

    return decode


def _dict(item: Decode, owner: str) -> Decode:
    def decode(value: Any, path: Where, key: Key, sink: DriftSink) -> Any:
        if type(value) is not dict:
            return mismatch(value, path, key, sink, "an object", owner)
        if item is _identity:
            return value
        here = (path, key)
        return {name: item(one, here, name, sink) for name, one in value.items()}

    return decode


def _literal(allowed: tuple[Any, ...], owner: str) -> Decode:
    """One of the spec's constants exactly (True is not 1 here, unlike in Python)."""
    expected = " or ".join(json.dumps(option) for option in allowed)

    def decode(value: Any, path: Where, key: Key, sink: DriftSink) -> Any:
        if any(type(value) is type(option) and value == option for option in allowed):
            return value
        kind: DriftKind = "enum" if type(value) in {type(option) for option in allowed} else "type"
        return mismatch(value, path, key, sink, expected, owner, kind)

    return decode


def _enum(cls: type[enum.Enum], owner: str) -> Decode:
    """A listed value becomes its member; another value of the right type drifts (kind enum)
    and becomes a pseudo-member (see OpenStrEnum), so the value is never lost."""
    known = cls._value2member_map_
    value_type = str if issubclass(cls, str) else int
    expected = f"a {cls.__name__} value"

    def decode(value: Any, path: Where, key: Key, sink: DriftSink) -> Any:
        try:
            return known[value]
        except (KeyError, TypeError):
            pass
        if type(value) is not value_type:
            return mismatch(value, path, key, sink, expected, owner)
        mismatch(value, path, key, sink, expected, owner, "enum")
        return cls(value)

    return decode


def _union(variants: list[Any], owner: str) -> Decode:
    """The first variant that decodes the value strictly (a oneOf/anyOf without discriminator)."""
    decoders = [_compile(variant, owner) for variant in variants]
    expected = "one of " + ", ".join(_describe(variant) for variant in variants)

    def decode(value: Any, path: Where, key: Key, sink: DriftSink) -> Any:
        for variant in decoders:
            try:
                return variant(value, path, key, None)
            except ResponseValidationError:
                continue
        return mismatch(value, path, key, sink, expected, owner)

    return decode


def _compile_annotated(base: Any, metadata: tuple[Any, ...], owner: str) -> Decode:
    tags = [item for item in metadata if isinstance(item, Discriminator)]
    if not tags:
        return _compile(base, owner)
    tag = tags[0]
    nullable = type(None) in typing.get_args(base)
    cases = {name: _compile(variant, owner) for name, variant in tag.mapping.items()}
    expected = f"{tag.property!r} naming one of " + ", ".join(repr(name) for name in cases)

    def decode(value: Any, path: Where, key: Key, sink: DriftSink) -> Any:
        if value is None and nullable:
            return None
        if type(value) is not dict:
            return mismatch(value, path, key, sink, "an object", owner)
        name = value.get(tag.property)
        case = cases.get(name) if isinstance(name, str) else None
        if case is None:
            return mismatch(name, (path, key), tag.property, sink, expected, owner, "enum")
        return case(value, path, key, sink)

    return decode


def _describe(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")
