"""A schema as the review reads it: `allOf` merged in, nullability normalised, `$ref`s followed.

The diff compares two of these per schema pair, and lint walks them to find readOnly fields a
request requires; both need the same answer to "what does this schema accept", whichever of
OpenAPI 3.0 (`nullable`) or 3.1 (`type: [.., "null"]`, a `{type: "null"}` variant) says it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.review.document import MISSING, Node, Spec, as_list, as_mapping, child

UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
EXACT_CONSTRAINTS = ("pattern", "multipleOf")


@dataclass(frozen=True)
class SchemaView:
    """A schema with `allOf` merged in and nullability normalised across OpenAPI 3.0 and 3.1."""

    pointer: str
    types: frozenset[str]
    format: str | None
    nullable: bool
    enum: tuple[Any, ...] | None
    properties: Mapping[str, Node]
    required: frozenset[str]
    items: Node | None
    additional: Node | None
    variants: tuple[Node, ...]
    constraints: Mapping[str, Any]
    default: Any
    description: str | None
    read_only: bool
    write_only: bool


def _own_types(schema: Mapping[str, Any]) -> tuple[frozenset[str], bool]:
    raw = schema.get("type")
    listed = raw if isinstance(raw, list) else [raw]
    types = frozenset(item for item in listed if isinstance(item, str))
    nullable = schema.get("nullable") is True or "null" in types
    return types - {"null"}, nullable


def _is_null_schema(spec: Spec, node: Node) -> bool:
    value = spec.resolve(node)[1]
    return isinstance(value, Mapping) and value.get("type") == "null"


class Views:
    """Cached `SchemaView`s of one document; `allOf` cycles are cut with a visiting set."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self._cache: dict[str, SchemaView] = {}
        self._visiting: set[str] = set()

    def view(self, node: Node) -> SchemaView:
        pointer, schema = self.spec.resolve(node)
        cached = self._cache.get(pointer)
        if cached is None:
            self._visiting.add(pointer)
            cached = self._build(pointer, schema if isinstance(schema, Mapping) else {})
            self._visiting.discard(pointer)
            self._cache[pointer] = cached
        return cached

    def _build(self, pointer: str, schema: Mapping[str, Any]) -> SchemaView:
        types, nullable = _own_types(schema)
        properties = {
            name: (child(pointer, "properties", name), value)
            for name, value in as_mapping(schema.get("properties")).items()
        }
        required = {name for name in as_list(schema.get("required")) if isinstance(name, str)}
        enum = tuple(schema["enum"]) if isinstance(schema.get("enum"), list) else None
        fmt = schema.get("format")
        items = (child(pointer, "items"), schema["items"]) if "items" in schema else None
        extra = schema.get("additionalProperties")
        additional = (child(pointer, "additionalProperties"), extra) if extra else None
        constraints = {
            key: schema[key]
            for key in (*UPPER_BOUNDS, *LOWER_BOUNDS, *EXACT_CONSTRAINTS, "uniqueItems")
            if key in schema
        }
        variants: list[Node] = []
        for keyword in ("oneOf", "anyOf"):
            for index, variant in enumerate(as_list(schema.get(keyword))):
                variant_node = (child(pointer, keyword, index), variant)
                if _is_null_schema(self.spec, variant_node):
                    nullable = True
                else:
                    variants.append(variant_node)
        for index, member in enumerate(as_list(schema.get("allOf"))):
            member_pointer = self.spec.resolve((child(pointer, "allOf", index), member))[0]
            if member_pointer in self._visiting:
                continue
            part = self.view((child(pointer, "allOf", index), member))
            properties = {**part.properties, **properties}
            required |= part.required
            types = types or part.types
            fmt = fmt or part.format
            enum = enum if enum is not None else part.enum
            items = items or part.items
            additional = additional or part.additional
            constraints = {**part.constraints, **constraints}
            nullable = nullable or part.nullable
        if enum is not None and None in enum:
            nullable, enum = True, tuple(value for value in enum if value is not None)
        return SchemaView(
            pointer=pointer,
            types=types,
            format=fmt if isinstance(fmt, str) else None,
            nullable=nullable,
            enum=enum,
            properties=properties,
            required=frozenset(required),
            items=items,
            additional=additional if additional and isinstance(additional[1], Mapping) else None,
            variants=tuple(variants),
            constraints=constraints,
            default=schema.get("default", MISSING),
            description=schema.get("description"),
            read_only=schema.get("readOnly") is True,
            write_only=schema.get("writeOnly") is True,
        )
