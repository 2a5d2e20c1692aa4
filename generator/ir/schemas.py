"""JSON Schemas -> Python types (`TypeRef`), registering the models and enums they define.

Every typing decision the parser makes about a schema lives here and in `generator.ir.compose`
(allOf, oneOf, anyOf): which schemas become classes, how "or null" is spelled in 3.0 and 3.1
(and that a `$ref` to a component allowing null is nullable wherever it is used). What cannot
be represented precisely becomes a wider type plus a warning naming the JSON pointer; nothing
is dropped silently.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from typing import Any, Literal

from generator.ir import compose, naming
from generator.ir.compose import SCHEMA_PREFIX, Composer
from generator.ir.literals import fits_literal
from generator.ir.model import Enum, EnumMember, Field, Model, TypeRef, Warning
from generator.spec.load import escape_pointer_token
from generator.spec.locate import follow_refs, ref_pointer

_ANY = TypeRef("any")
_STRING_FORMATS: dict[str, Any] = {"date-time": "datetime", "date": "date", "uuid": "uuid"}
_SCALAR_KINDS: dict[str, Any] = {"integer": "int", "number": "float", "boolean": "bool"}

Warn = Callable[[str, str], None]


# One change to the registry, as `Registry.journal` records it (see `Registry.replay`).
JournalEntry = tuple[Any, ...]


@dataclass
class Registry:
    """Models and enums found so far, by class name, plus the names already claimed.

    Every change is also appended to `journal`: replaying a run's entries rebuilds its state
    without typing a schema, which is how a rerun after an edit reuses the parse of every
    unchanged path item (generator.ir.parse).
    """

    models: dict[str, Model] = field(default_factory=dict)
    enums: dict[str, Enum] = field(default_factory=dict)
    names_by_pointer: dict[str, str] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)
    in_progress: set[str] = field(default_factory=set)
    counters: dict[str, int] = field(default_factory=dict)
    # Enum class by (value kind, values): an inline enum with the same values as an inline
    # enum seen before shares its class (GitHub's spec repeats `[asc, desc]` hundreds of times).
    enums_by_values: dict[tuple[str, tuple[Any, ...]], str] = field(default_factory=dict)
    # Likewise an inline object schema whose fields (names, types, docs) match one seen before:
    # shape -> (that shape, its class). The journal records the first equal shape object, so a
    # saved parse (generator.last_run) holds each shape once.
    models_by_shape: dict[Any, tuple[Any, str]] = field(default_factory=dict)
    warnings: list[Warning] = field(default_factory=list)
    warned: set[Warning] = field(default_factory=set)  # the warnings, for a quick lookup
    journal: list[JournalEntry] = field(default_factory=list)

    def claim(self, pointer: str, wanted: str) -> str:
        """The class name for the schema at `pointer`: the same on every call, unique overall."""
        if pointer in self.names_by_pointer:
            return self.names_by_pointer[pointer]
        name = naming.unique_class_name(wanted, self.taken, self.counters)
        self.names_by_pointer[pointer] = name
        self.journal.append(("claim", pointer, wanted))
        return name

    def share_enum(self, key: tuple[str, tuple[Any, ...]], name: str) -> None:
        if key not in self.enums_by_values:
            self.enums_by_values[key] = name
            self.journal.append(("share_enum", key, name))

    def add_enum(self, enum: Enum) -> None:
        self.enums[enum.name] = enum
        self.journal.append(("add_enum", enum))

    def share_model(self, pointer: str, shape: Any, name: str) -> str:
        """The class of the first inline object with this shape (`name` if it is the first)."""
        first = self.models_by_shape.get(shape)
        if first is None:
            self.models_by_shape[shape] = (shape, name)
            self.journal.append(("share_model", pointer, shape, name))
            return name
        first_shape, same = first
        self.names_by_pointer[pointer] = same
        self.journal.append(("share_model", pointer, first_shape, same))
        return same

    def add_model(self, model: Model) -> None:
        self.models[model.name] = model
        self.journal.append(("add_model", model))

    def warn(self, warning: Warning) -> None:
        if warning not in self.warned:  # a shared schema is typed once per use
            self.warned.add(warning)
            self.warnings.append(warning)
            self.journal.append(("warn", warning))

    def replay(self, entries: list[JournalEntry]) -> None:
        """Apply entries another registry journaled, as if their schemas were typed again."""
        for entry in entries:
            kind = entry[0]
            if kind == "claim":
                self.claim(entry[1], entry[2])
            elif kind == "share_enum":
                self.share_enum(entry[1], entry[2])
            elif kind == "add_enum":
                self.add_enum(entry[1])
            elif kind == "share_model":
                self.share_model(entry[1], entry[2], entry[3])
            elif kind == "add_model":
                self.add_model(entry[1])
            else:
                self.warn(entry[1])


class SchemaTyper(Composer):
    """Types schemas of one document; the registry and warnings are shared with the parser."""

    def __init__(self, document: dict[str, Any], registry: Registry, warn: Warn) -> None:
        self.doc = document
        self.registry = registry
        self.warn = warn
        # $ref targets being expanded inline right now: meeting one again means a cycle that no
        # class breaks (an array of itself), which Python cannot spell without a class.
        self._expanding: set[str] = set()
        # Classes named while their schema was still being typed (a model that contains itself)
        self._named_unfinished: set[str] = set()

    # -- references -------------------------------------------------------------------------

    def resolve(self, node: Any) -> Any:
        """Follow `$ref` chains to the node they name (refs were checked at load time).

        A chain that loops (`A: {$ref: B}`, `B: {$ref: A}`) ends as an empty schema.
        """
        _, target = follow_refs(self.doc, "", node)
        return {} if isinstance(target, dict) and "$ref" in target else target

    def resolve_schema(self, schema: Any) -> dict[str, Any]:
        resolved = self.resolve(schema)
        return resolved if isinstance(resolved, dict) else {}

    # -- the entry point --------------------------------------------------------------------

    def type_of(self, schema: Any, pointer: str, name_hint: str) -> TypeRef:
        """The Python type for a schema; registers models and enums it defines on the way."""
        if not isinstance(schema, dict):
            return _ANY  # `true` (anything) and `false` (nothing) in 3.1
        if isinstance(schema.get("$ref"), str):
            return self._ref_type(schema, pointer, name_hint)
        nullable, rest = self._split_nullable(schema, pointer)
        if rest is None:
            return _ANY
        if nullable:
            return self.type_of(rest, pointer, name_hint).with_nullable()
        return self._non_null_type(rest, pointer, name_hint)

    def _non_null_type(self, schema: dict[str, Any], pointer: str, name_hint: str) -> TypeRef:
        if "enum" in schema:
            return self._enum_type(schema, pointer, name_hint)
        if "const" in schema:
            return self._const_type(schema["const"], f"{pointer}/const")
        if "allOf" in schema:
            return self._all_of_type(schema, pointer, name_hint)
        key = compose.choice_key(schema)
        if key is not None:
            return self._union_type(schema, key, pointer, name_hint)
        kind = schema.get("type")
        if kind == "object" or (kind is None and "properties" in schema):
            return self._object_type(schema, pointer, name_hint)
        if kind == "array":
            items = schema.get("items")
            return TypeRef("list", item=self.type_of(items, f"{pointer}/items", f"{name_hint}Item"))
        if kind == "string":
            return TypeRef(_STRING_FORMATS.get(str(schema.get("format")), "str"))
        # The validator lets some nested `type`s through unchecked: it can be any JSON.
        if isinstance(kind, str) and kind in _SCALAR_KINDS:
            return TypeRef(_SCALAR_KINDS[kind])
        if kind is not None:
            self.warn(f"{pointer}/type", f"type {kind!r} is typed as Any")
        return _ANY

    def _ref_type(self, schema: dict[str, Any], pointer: str, name_hint: str) -> TypeRef:
        ref: str = schema["$ref"]
        target_pointer = ref_pointer(ref)
        target = self.resolve(schema)
        # 3.0 documents often write `{$ref: X, nullable: true}`; honour it rather than drop it.
        # A component that allows null itself (3.0 `nullable`, a 3.1 type list, a null
        # variant) does so wherever it is used.
        nullable = schema.get("nullable") is True or self.allows_null(target)
        if ref.startswith(SCHEMA_PREFIX) and _defines_class(target):
            wanted = naming.pascal_case(target_pointer.rsplit("/", 1)[-1])
            name = self.registry.claim(target_pointer, wanted)
            known = self._known_class(name)
            if known is not None:  # built already, or being built (a model that contains itself)
                return known.with_nullable() if nullable else known
            name_hint = name
        if target_pointer in self._expanding:
            recursive = self._union_of_classes(target, target_pointer)
            if recursive is None:
                self.warn(pointer, f"recursive schema {ref!r} is typed as Any")
                return _ANY
            return recursive.with_nullable() if nullable else recursive
        self._expanding.add(target_pointer)
        try:
            target_type = self.type_of(target, target_pointer, name_hint)
        finally:
            self._expanding.discard(target_pointer)
        return target_type.with_nullable() if nullable else target_type

    def _known_class(self, name: str) -> TypeRef | None:
        if name in self.registry.in_progress:
            return self._unfinished(name)
        if name in self.registry.models:
            return TypeRef("model", name=name)
        if name in self.registry.enums:
            return TypeRef("enum", name=name)
        return None

    def _unfinished(self, name: str) -> TypeRef:
        self._named_unfinished.add(name)
        return TypeRef("model", name=name)

    # -- "or null" --------------------------------------------------------------------------

    def allows_null(self, schema: Any) -> bool:
        """Does the schema itself let a value be null (in any of the spellings below)?"""
        return isinstance(schema, dict) and self._split_nullable(schema, "")[0]

    def _split_nullable(self, schema: dict[str, Any], pointer: str) -> tuple[bool, Any]:
        """Separate "or null" (3.1 type list, 3.0 nullable, a null variant, a null enum value)
        from the rest; the rest is None when the schema allows null only."""
        kind = schema.get("type")
        if isinstance(kind, list):
            return _split_type_list(schema, kind)
        if schema.get("nullable") is True:
            return True, {k: v for k, v in schema.items() if k != "nullable"}
        if kind == "null":
            return True, None
        for key in ("oneOf", "anyOf"):
            variants = schema.get(key)
            if isinstance(variants, list):
                non_null = [v for v in variants if not _is_null_schema(self.resolve(v))]
                if len(non_null) < len(variants):
                    return True, self._without_null_variants(schema, key, non_null)
        if isinstance(schema.get("enum"), list) and None in schema["enum"]:
            values = [v for v in schema["enum"] if v is not None]
            return True, ({**schema, "enum": values} if values else None)
        if "const" in schema and schema["const"] is None:
            return True, None
        return False, schema

    def _without_null_variants(
        self, schema: dict[str, Any], key: str, non_null: list[Any]
    ) -> dict[str, Any] | None:
        rest = {k: v for k, v in schema.items() if k != key}
        if not non_null:
            return rest or None
        if len(non_null) == 1:
            return {**rest, **non_null[0]} if rest else non_null[0]
        return {**rest, key: non_null}

    # -- enums and constants ----------------------------------------------------------------

    def _enum_type(self, schema: dict[str, Any], pointer: str, name_hint: str) -> TypeRef:
        values = schema["enum"]
        if not isinstance(values, list) or not values:
            self.warn(f"{pointer}/enum", "an empty enum is typed as Any")
            return _ANY
        if not all(_hashable(v) for v in values):
            self.warn(f"{pointer}/enum", "an enum of objects or lists is typed as Any")
            return _ANY
        # Keyed by type too: 1 and True are equal in Python but distinct enum values.
        plain = [value for _, value in dict.fromkeys((type(v), v) for v in values)]
        value_kind: Literal["str", "int"]
        if all(isinstance(v, str) for v in plain):
            value_kind = "str"
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in plain):
            value_kind = "int"
        elif all(isinstance(v, str | int) for v in plain):  # bools are ints too
            return self._literal_type(plain, f"{pointer}/enum")
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in plain):
            self.warn(f"{pointer}/enum", "an enum of fractional numbers is typed as float")
            return TypeRef("float")
        else:
            self.warn(f"{pointer}/enum", "an enum of mixed value types is typed as Any")
            return _ANY
        return self._register_enum(schema, pointer, name_hint, value_kind, plain)

    def _register_enum(
        self,
        schema: dict[str, Any],
        pointer: str,
        name_hint: str,
        value_kind: Literal["str", "int"],
        values: list[Any],
    ) -> TypeRef:
        key = (value_kind, tuple(values))
        inline = not _is_component_root(pointer)
        if inline and key in self.registry.enums_by_values:
            return TypeRef("enum", name=self.registry.enums_by_values[key])
        name = self.registry.claim(pointer, name_hint)
        if inline:  # a component keeps its own class: its name is part of the spec's API
            self.registry.share_enum(key, name)
        if name not in self.registry.enums:
            members = naming.unique(naming.enum_member_name(v) for v in values)
            self.registry.add_enum(
                Enum(
                    name=name,
                    module=naming.snake_case(name),
                    pointer=pointer,
                    description=str(schema.get("description") or ""),
                    value_kind=value_kind,
                    members=tuple(
                        EnumMember(py_name=member, value=value)
                        for member, value in zip(members, values, strict=True)
                    ),
                )
            )
        return TypeRef("enum", name=name)

    def _const_type(self, value: Any, pointer: str) -> TypeRef:
        if isinstance(value, str | int):  # bools included
            return self._literal_type([value], pointer)
        if isinstance(value, float):
            return TypeRef("float")
        self.warn(pointer, "a const object or list is typed as Any")
        return _ANY

    def _literal_type(self, values: list[str | int], pointer: str) -> TypeRef:
        """`Literal[...]` of the values; integers beyond 64 bits (mypy cannot) widen to int."""
        exact = tuple(value for value in values if fits_literal(value))
        if len(exact) == len(values):
            return TypeRef("literal", literals=exact)
        self.warn(pointer, "an integer beyond 64 bits cannot be a Literal: typed as int")
        if not exact:
            return TypeRef("int")
        return TypeRef("union", variants=(TypeRef("literal", literals=exact), TypeRef("int")))

    # -- objects ----------------------------------------------------------------------------

    def _object_type(self, schema: dict[str, Any], pointer: str, name_hint: str) -> TypeRef:
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        if not properties:
            if isinstance(extra, dict) and extra:
                value = self.type_of(extra, f"{pointer}/additionalProperties", f"{name_hint}Value")
                return TypeRef("dict", item=value)
            return TypeRef("dict", item=_ANY)
        name = self.registry.claim(pointer, name_hint)
        if name in self.registry.in_progress:
            return self._unfinished(name)
        if name in self.registry.models:
            return TypeRef("model", name=name)
        if isinstance(schema.get("discriminator"), dict):
            self.warn(
                f"{pointer}/discriminator",
                "a discriminator without oneOf/anyOf is not used: the base class is decoded",
            )
        self.registry.in_progress.add(name)
        fields = self.fields_of(schema, pointer, name)
        extra_type = None
        if isinstance(extra, dict) and extra:
            extra_type = self.type_of(extra, f"{pointer}/additionalProperties", f"{name}Value")
            if extra_type.kind == "any" and not extra_type.nullable:
                extra_type = None
        self.registry.in_progress.discard(name)
        # An inline object that contains itself keeps its class: its fields already name it.
        if not _is_component_root(pointer) and name not in self._named_unfinished:
            shape = (tuple(_field_shape(f) for f in fields), extra_type)
            same = self.registry.share_model(pointer, shape, name)
            if same != name:  # an inline object exactly like one seen before: share its class
                return TypeRef("model", name=same)
        self.registry.add_model(
            Model(
                name=name,
                module=naming.snake_case(name),
                pointer=pointer,
                description=str(schema.get("description") or schema.get("title") or ""),
                fields=fields,
                extra_type=extra_type,
            )
        )
        return TypeRef("model", name=name)

    def fields_of(self, schema: dict[str, Any], pointer: str, owner: str) -> tuple[Field, ...]:
        properties: dict[str, Any] = schema.get("properties") or {}
        # Not every 3.1 schema is meta-checked by the validator: `required` can hold anything.
        required = {name for name in _as_list(schema.get("required")) if isinstance(name, str)}
        py_names = naming.unique(naming.field_name(str(name)) for name in properties)
        fields = []
        for (wire_name, prop), py_name in zip(properties.items(), py_names, strict=True):
            prop_pointer = f"{pointer}/properties/{escape_pointer_token(str(wire_name))}"
            own = prop if isinstance(prop, dict) else {}
            resolved = self.resolve_schema(prop)
            hint = f"{owner}{naming.pascal_case(str(wire_name))}"
            fields.append(
                Field(
                    wire_name=str(wire_name),
                    py_name=py_name,
                    type=self.type_of(prop, prop_pointer, hint),
                    required=wire_name in required,
                    read_only=bool(own.get("readOnly") or resolved.get("readOnly")),
                    description=describe(own) or describe(resolved),
                    pointer=prop_pointer,
                )
            )
        return tuple(fields)


# -- helpers --------------------------------------------------------------------------------


def _field_shape(prop: Field) -> tuple[Any, ...]:
    """What two inline objects' fields must share for the objects to share a class: all of a
    field but where it is. A tuple of the field's own values, which a saved parse
    (generator.last_run) pickles cheaply."""
    return tuple(getattr(prop, name) for name in _SHAPE_ATTRIBUTES)


_SHAPE_ATTRIBUTES = tuple(attr.name for attr in dataclass_fields(Field) if attr.name != "pointer")


def describe(schema: Any) -> str:
    """A schema's description, plus its default when it has one (shown in docstrings only)."""
    if not isinstance(schema, dict):
        return ""
    text = str(schema.get("description") or "")
    if "default" in schema and _is_short_scalar(schema["default"]):
        text = f"{text} Defaults to `{_json_scalar(schema['default'])}`.".strip()
    return text


def _is_short_scalar(value: Any) -> bool:
    return (
        value is None
        or isinstance(value, bool | int | float)
        or (isinstance(value, str) and len(value) <= 60 and "`" not in value)
    )


def _json_scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _split_type_list(schema: dict[str, Any], kinds: list[Any]) -> tuple[bool, Any]:
    """A 3.1 type list: "null" becomes nullability; several other types become an anyOf."""
    nullable = "null" in kinds
    non_null = [k for k in dict.fromkeys(kinds) if k != "null"]
    rest = {k: v for k, v in schema.items() if k != "type"}
    if isinstance(rest.get("enum"), list):
        rest["enum"] = [v for v in rest["enum"] if v is not None]
    if not non_null:
        return nullable, (rest if rest.get("enum") else None)
    if len(non_null) == 1:
        return nullable, {**rest, "type": non_null[0]}
    if "enum" in rest or "const" in rest:
        return nullable, rest  # the values decide the type
    return nullable, {"anyOf": [{**rest, "type": kind} for kind in non_null]}


def _defines_class(schema: Any) -> bool:
    """Does a component get its own class (object with properties, enum, allOf merge)?"""
    if not isinstance(schema, dict):
        return False
    return bool(schema.get("properties")) or "enum" in schema or "allOf" in schema


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and (
        schema.get("type") == "null"
        or schema.get("enum") == [None]
        or ("const" in schema and schema["const"] is None)
    )


def _hashable(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float)


def _is_component_root(pointer: str) -> bool:
    """`/components/schemas/Name` itself, as opposed to a schema inline inside one."""
    parts = pointer.split("/")
    return len(parts) == 4 and parts[1:3] == ["components", "schemas"]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
