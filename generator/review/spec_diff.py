"""Classify every change between two OpenAPI documents as breaking, warning or info.

Reading order: the rule catalogue (`RULES`), document helpers, the schema comparison (one small
check per kind in `SCHEMA_CHECKS`, mapped to a rule per context by `SCHEMA_RULES`), operation
checks (`OPERATION_CHECKS`) and spec-level checks (`SPEC_CHECKS`), then `diff_specs`.

"Breaking" means a caller of the generated Python client may break: a request it used to send is
now rejected, or a response no longer matches the types it was promised. `$ref`s are followed, so a
change inside a shared schema is reported at every operation that reaches it, once per operation
(findings are keyed by rule and the pointers of the changed node, not by the path taken to it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.review.report import Finding, Severity
from generator.spec.load import HTTP_METHODS, collect_refs

Document = Mapping[str, Any]
Node = tuple[str, Any]  # (JSON pointer, value at that pointer)

BREAKING, WARNING, INFO = Severity.BREAKING, Severity.WARNING, Severity.INFO


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    summary: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("operation-removed", BREAKING, "an operation no longer exists"),
        Rule("operation-added", INFO, "a new operation"),
        Rule("operation-path-changed", BREAKING, "same operationId, different path"),
        Rule("operation-method-changed", BREAKING, "same operationId, different HTTP method"),
        Rule("operation-id-changed", BREAKING, "operationId changed: the client method is renamed"),
        Rule("operation-deprecated", WARNING, "operation marked deprecated"),
        Rule("parameter-added-required", BREAKING, "new required parameter"),
        Rule("parameter-added", INFO, "new optional parameter"),
        Rule("parameter-removed", BREAKING, "parameter removed: the client keyword disappears"),
        Rule("parameter-location-changed", BREAKING, "parameter moved (e.g. query → header)"),
        Rule("parameter-made-required", BREAKING, "optional parameter made required"),
        Rule("parameter-type-changed", BREAKING, "parameter type changed"),
        Rule("parameter-enum-value-removed", BREAKING, "parameter no longer accepts an enum value"),
        Rule("parameter-enum-value-added", INFO, "parameter accepts a new enum value"),
        Rule(
            "parameter-constraint-tightened", BREAKING, "parameter min/max/length/pattern tightened"
        ),
        Rule("parameter-default-changed", WARNING, "parameter default changed"),
        Rule("request-body-added-required", BREAKING, "operation now requires a request body"),
        Rule("request-body-added", INFO, "operation accepts an optional request body"),
        Rule("request-body-removed", BREAKING, "request body removed"),
        Rule("request-body-made-required", BREAKING, "optional request body made required"),
        Rule("request-content-type-removed", BREAKING, "request content type no longer accepted"),
        Rule("request-content-type-added", INFO, "request content type added"),
        Rule("request-field-added-required", BREAKING, "new required request field"),
        Rule("request-field-added", INFO, "new optional request field"),
        Rule("request-field-removed", BREAKING, "request field removed"),
        Rule("request-field-type-changed", BREAKING, "request field type changed"),
        Rule("request-field-made-required", BREAKING, "optional request field made required"),
        Rule("request-field-nullable-removed", BREAKING, "request field no longer accepts null"),
        Rule("request-enum-value-removed", BREAKING, "request enum value removed"),
        Rule("request-enum-value-added", INFO, "request enum value added"),
        Rule("request-constraint-tightened", BREAKING, "request min/max/length/pattern tightened"),
        Rule("request-default-changed", WARNING, "request field default changed"),
        Rule("request-variant-removed", BREAKING, "oneOf/anyOf alternative no longer accepted"),
        Rule("success-status-removed", BREAKING, "a 2xx response status removed"),
        Rule("success-status-changed", BREAKING, "the 2xx response status changed"),
        Rule("response-content-type-removed", BREAKING, "response content type removed"),
        Rule("response-field-removed", BREAKING, "response field removed"),
        Rule("response-field-added", INFO, "response field added"),
        Rule("response-field-type-changed", BREAKING, "response field type changed"),
        Rule("response-field-made-nullable", BREAKING, "response field may now be null"),
        Rule("response-field-made-optional", BREAKING, "required response field made optional"),
        Rule(
            "response-enum-value-added", WARNING, "response enum value added: strict clients break"
        ),
        Rule("response-variant-added", WARNING, "response oneOf/anyOf gained an alternative"),
        Rule("response-default-changed", INFO, "response field default changed"),
        Rule("security-scope-added", BREAKING, "operation requires an additional scope"),
        Rule("security-scope-changed", BREAKING, "operation requires different scopes"),
        Rule("security-scope-removed", INFO, "operation requires fewer scopes"),
        Rule("security-requirement-added", BREAKING, "operation now requires authentication"),
        Rule("security-scheme-removed", BREAKING, "an accepted authentication scheme was dropped"),
        Rule("security-scheme-added", INFO, "an additional authentication scheme is accepted"),
        Rule(
            "server-url-removed", BREAKING, "server URL removed: the client's base URL may be gone"
        ),
        Rule("server-url-added", INFO, "server URL added"),
        Rule(
            "schema-renamed",
            BREAKING,
            "component schema renamed: the client model class is renamed",
        ),
        Rule(
            "schema-removed", BREAKING, "component schema removed: the client model class is gone"
        ),
        Rule("schema-added", INFO, "component schema added"),
        Rule("description-changed", INFO, "summary or description text changed"),
    )
}

_MISSING: Any = object()


def finding(rule: str, operation: str, base: str | None, head: str | None, message: str) -> Finding:
    """Build a finding with the severity the catalogue gives `rule`."""
    return Finding(RULES[rule].severity, rule, operation, base, head, message)


# --- document helpers ---------------------------------------------------------------------------


def escape(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def child(pointer: str, *tokens: str | int) -> str:
    return pointer + "".join("/" + escape(token) for token in tokens)


class Spec:
    """One document plus cached pointer lookups and local `$ref` resolution."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._lookups: dict[str, Any] = {}

    def get(self, pointer: str) -> Any:
        """Value at a JSON pointer, or `_MISSING`."""
        cached = self._lookups.get(pointer, _MISSING)
        if cached is not _MISSING:
            return cached
        value: Any = self.doc
        for token in pointer.split("/")[1:] if pointer else []:
            key = unescape(token)
            if isinstance(value, Mapping):
                value = value.get(key, _MISSING)
            elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
                value = value[int(key)]
            else:
                value = _MISSING
            if value is _MISSING:
                break
        self._lookups[pointer] = value
        return value

    def resolve(self, node: Node) -> Node:
        """Follow local `$ref`s to the target; unresolvable or cyclic refs stay as they are."""
        pointer, value = node
        seen: set[str] = set()
        while isinstance(value, Mapping) and isinstance(value.get("$ref"), str):
            ref: str = value["$ref"]
            if not ref.startswith("#") or ref in seen:
                break
            seen.add(ref)
            target = self.get(ref[1:])
            if target is _MISSING:
                break
            pointer, value = ref[1:], target
        return pointer, value


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    pointer: str
    node: Mapping[str, Any]
    path_item: Mapping[str, Any]
    path_item_pointer: str

    @property
    def operation_id(self) -> str:
        return str(self.node.get("operationId", ""))

    @property
    def label(self) -> str:
        suffix = f" ({self.operation_id})" if self.operation_id else ""
        return f"{self.method.upper()} {self.path}{suffix}"


def operations(spec: Spec) -> dict[tuple[str, str], Operation]:
    """Every operation keyed by (method, path), path-item `$ref`s followed."""
    found: dict[tuple[str, str], Operation] = {}
    paths = spec.doc.get("paths")
    for path, raw_item in (paths if isinstance(paths, Mapping) else {}).items():
        item_pointer, item = spec.resolve((child("/paths", path), raw_item))
        if not isinstance(item, Mapping):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, Mapping):
                pointer = child(item_pointer, method)
                found[(method, path)] = Operation(method, path, pointer, op, item, item_pointer)
    return found


def canonical(value: Any) -> str:
    """Order-independent text for equality and hashing of JSON-like values."""
    return json.dumps(value, sort_keys=True, default=str)


# --- schemas: a flattened view, then one small check per kind of change ------------------------

# Formats that change the Python type the client uses; others (uri, email) stay `str`.
_TYPED_FORMATS = frozenset({"date-time", "date", "time", "uuid", "binary", "byte", "decimal"})
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_EXACT_CONSTRAINTS = ("pattern", "multipleOf")


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


def _as_mapping(value: Any) -> Mapping[str, Any]:
    """Lint reads invalid documents too: a wrongly shaped value reads as empty."""
    return value if isinstance(value, Mapping) else {}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


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
            for name, value in _as_mapping(schema.get("properties")).items()
        }
        required = {name for name in _as_list(schema.get("required")) if isinstance(name, str)}
        enum = tuple(schema["enum"]) if isinstance(schema.get("enum"), list) else None
        fmt = schema.get("format")
        items = (child(pointer, "items"), schema["items"]) if "items" in schema else None
        extra = schema.get("additionalProperties")
        additional = (child(pointer, "additionalProperties"), extra) if extra else None
        constraints = {
            key: schema[key]
            for key in (*_UPPER_BOUNDS, *_LOWER_BOUNDS, *_EXACT_CONSTRAINTS, "uniqueItems")
            if key in schema
        }
        variants: list[Node] = []
        for keyword in ("oneOf", "anyOf"):
            for index, variant in enumerate(_as_list(schema.get(keyword))):
                variant_node = (child(pointer, keyword, index), variant)
                if _is_null_schema(self.spec, variant_node):
                    nullable = True
                else:
                    variants.append(variant_node)
        for index, member in enumerate(_as_list(schema.get("allOf"))):
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
            default=schema.get("default", _MISSING),
            description=schema.get("description"),
            read_only=schema.get("readOnly") is True,
            write_only=schema.get("writeOnly") is True,
        )


@dataclass(frozen=True)
class SchemaChange:
    """A change found at one schema pair; `kind` is context-free, `SCHEMA_RULES` maps it."""

    kind: str
    base_pointer: str | None
    head_pointer: str | None
    detail: str


@dataclass(frozen=True)
class SchemaPair:
    """Two views under comparison in one direction ("request", "response" or "parameter")."""

    context: str
    base: SchemaView
    head: SchemaView
    base_views: Views = field(compare=False, repr=False)
    head_views: Views = field(compare=False, repr=False)

    def change(self, kind: str, detail: str) -> SchemaChange:
        return SchemaChange(kind, self.base.pointer, self.head.pointer, detail)

    def skips(self, view: SchemaView) -> bool:
        """Fields the client never sends (readOnly) or never receives (writeOnly) don't count."""
        return view.write_only if self.context == "response" else view.read_only


SchemaCheck = Callable[[SchemaPair], Iterator[SchemaChange]]


def _type_text(types: frozenset[str], fmt: str | None) -> str:
    text = "|".join(sorted(types)) or "any"
    return f"{text}({fmt})" if fmt in _TYPED_FORMATS else text


def check_type(pair: SchemaPair) -> Iterator[SchemaChange]:
    base, head = pair.base, pair.head
    if not base.types or not head.types:
        return
    before, after = _type_text(base.types, base.format), _type_text(head.types, head.format)
    if before != after:
        yield pair.change("type-changed", f"type changed from {before} to {after}")


def check_nullable(pair: SchemaPair) -> Iterator[SchemaChange]:
    if pair.head.nullable and not pair.base.nullable:
        yield pair.change("made-nullable", "may now be null")
    elif pair.base.nullable and not pair.head.nullable:
        yield pair.change("nullable-removed", "no longer accepts null")


def check_enum(pair: SchemaPair) -> Iterator[SchemaChange]:
    base, head = pair.base.enum, pair.head.enum
    if base is None and head is None:
        return
    if base is None:
        yield pair.change("enum-value-removed", f"is now restricted to {_values(head or ())}")
        return
    if head is None:
        yield pair.change("enum-value-added", "is no longer restricted to an enum")
        return
    before, after = {canonical(v): v for v in base}, {canonical(v): v for v in head}
    removed = [before[key] for key in before if key not in after]
    added = [after[key] for key in after if key not in before]
    if removed:
        yield pair.change("enum-value-removed", f"enum lost {_values(removed)}")
    if added:
        yield pair.change("enum-value-added", f"enum gained {_values(added)}")


def _values(values: tuple[Any, ...] | list[Any]) -> str:
    return ", ".join(json.dumps(v, default=str) for v in values)


def _tightened(key: str, before: Any, after: Any) -> bool:
    if after is None:
        return False
    if before is None:
        return True
    if isinstance(before, bool) or isinstance(after, bool):
        return bool(after) and not before  # 3.0 boolean exclusiveMaximum/Minimum, uniqueItems
    if key in _UPPER_BOUNDS:
        return bool(after < before)
    if key in _LOWER_BOUNDS:
        return bool(after > before)
    return bool(before != after)


def check_constraints(pair: SchemaPair) -> Iterator[SchemaChange]:
    before, after = pair.base.constraints, pair.head.constraints
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        kind = "constraint-tightened" if _tightened(key, old, new) else "constraint-loosened"
        yield pair.change(kind, f"{key} changed from {_show(old)} to {_show(new)}")


def _show(value: Any) -> str:
    return "none" if value is None or value is _MISSING else json.dumps(value, default=str)


def check_default(pair: SchemaPair) -> Iterator[SchemaChange]:
    old, new = pair.base.default, pair.head.default
    if old is _MISSING and new is _MISSING:
        return
    if old is _MISSING or new is _MISSING or canonical(old) != canonical(new):
        yield pair.change("default-changed", f"default changed from {_show(old)} to {_show(new)}")


def check_description(pair: SchemaPair) -> Iterator[SchemaChange]:
    if (pair.base.description or "") != (pair.head.description or ""):
        yield pair.change("description-changed", "description changed")


def check_properties(pair: SchemaPair) -> Iterator[SchemaChange]:
    """Added, removed and re-required fields; the field's own pointer marks the change."""
    base, head = pair.base, pair.head
    for name, node in base.properties.items():
        if name not in head.properties and not pair.skips(pair.base_views.view(node)):
            yield SchemaChange("field-removed", node[0], None, "was removed")
    for name, node in head.properties.items():
        if name in base.properties or pair.skips(pair.head_views.view(node)):
            continue
        if name in head.required:
            yield SchemaChange("field-added-required", None, node[0], "was added as required")
        else:
            yield SchemaChange("field-added", None, node[0], "was added")
    for name, (pointer, _) in head.properties.items():
        if name not in base.properties:
            continue
        base_pointer = base.properties[name][0]
        if name in head.required and name not in base.required:
            yield SchemaChange("field-made-required", base_pointer, pointer, "is now required")
        elif name in base.required and name not in head.required:
            yield SchemaChange("field-made-optional", base_pointer, pointer, "is now optional")


def check_variants(pair: SchemaPair) -> Iterator[SchemaChange]:
    extra = len(pair.head.variants) - len(pair.base.variants)
    if extra > 0:
        yield pair.change("variant-added", f"gained {extra} oneOf/anyOf alternative(s)")
    elif extra < 0:
        yield pair.change("variant-removed", f"lost {-extra} oneOf/anyOf alternative(s)")


SCHEMA_CHECKS: tuple[SchemaCheck, ...] = (
    check_type,
    check_nullable,
    check_enum,
    check_constraints,
    check_default,
    check_description,
    check_properties,
    check_variants,
)

# (context, kind) -> rule id; a missing entry means "not worth reporting in that direction".
SCHEMA_RULES: dict[tuple[str, str], str] = {
    ("request", "field-removed"): "request-field-removed",
    ("request", "field-added"): "request-field-added",
    ("request", "field-added-required"): "request-field-added-required",
    ("request", "field-made-required"): "request-field-made-required",
    ("request", "type-changed"): "request-field-type-changed",
    ("request", "nullable-removed"): "request-field-nullable-removed",
    ("request", "enum-value-removed"): "request-enum-value-removed",
    ("request", "enum-value-added"): "request-enum-value-added",
    ("request", "constraint-tightened"): "request-constraint-tightened",
    ("request", "default-changed"): "request-default-changed",
    ("request", "variant-removed"): "request-variant-removed",
    ("request", "description-changed"): "description-changed",
    ("response", "field-removed"): "response-field-removed",
    ("response", "field-added"): "response-field-added",
    ("response", "field-added-required"): "response-field-added",
    ("response", "field-made-optional"): "response-field-made-optional",
    ("response", "type-changed"): "response-field-type-changed",
    ("response", "made-nullable"): "response-field-made-nullable",
    ("response", "enum-value-added"): "response-enum-value-added",
    ("response", "variant-added"): "response-variant-added",
    ("response", "default-changed"): "response-default-changed",
    ("response", "description-changed"): "description-changed",
    ("parameter", "type-changed"): "parameter-type-changed",
    ("parameter", "nullable-removed"): "parameter-type-changed",
    ("parameter", "enum-value-removed"): "parameter-enum-value-removed",
    ("parameter", "enum-value-added"): "parameter-enum-value-added",
    ("parameter", "constraint-tightened"): "parameter-constraint-tightened",
    ("parameter", "default-changed"): "parameter-default-changed",
    ("parameter", "description-changed"): "description-changed",
}
# Object-valued parameters (deepObject) have fields: they follow the request rules.
for (_context, _kind), _rule in list(SCHEMA_RULES.items()):
    if _context == "request":
        SCHEMA_RULES.setdefault(("parameter", _kind), _rule)

_CONTEXT_NOUNS = {"request": "request field", "response": "response field", "parameter": "field"}


def subject(pointer: str) -> str:
    """Readable name of a schema location: `User.tags[].name`, or "" at a root schema."""
    tokens = [unescape(token) for token in pointer.split("/")[1:]]
    start, prefix = len(tokens), ""
    if tokens[:2] == ["components", "schemas"] and len(tokens) >= 3:
        start, prefix = 3, tokens[2]
    else:
        for index in range(len(tokens) - 1, -1, -1):
            if tokens[index] == "schema":
                start = index + 1
                break
    text = prefix
    index = start
    while index < len(tokens):
        token = tokens[index]
        if token == "properties" and index + 1 < len(tokens):
            text += f".{tokens[index + 1]}" if text else tokens[index + 1]
            index += 2
            continue
        text += {"items": "[]", "additionalProperties": "{}"}.get(token, "")
        index += 1 if token not in ("allOf", "oneOf", "anyOf") else 2
    return text


_SCHEMAS_PREFIX = "/components/schemas/"


def dirty_schemas(base: Spec, head: Spec) -> set[str]:
    """Escaped names of component schemas that differ or reach one that differs via `$ref`.

    Everything else is identical on both sides, so the traversal can skip it: on a large spec
    with a small change this removes most of the work.
    """
    schemas = [(spec.doc.get("components") or {}).get("schemas") or {} for spec in (base, head)]
    names = {escape(name) for side in schemas for name in side}
    dirty = {
        name
        for name in names
        if schemas[0].get(unescape(name), _MISSING) != schemas[1].get(unescape(name), _MISSING)
    }
    referrers: dict[str, set[str]] = {}
    for side in schemas:
        for name, schema in side.items():
            for ref in collect_refs(schema):
                if ref.startswith("#" + _SCHEMAS_PREFIX):
                    target = ref[len(_SCHEMAS_PREFIX) + 1 :].split("/", 1)[0]
                    referrers.setdefault(target, set()).add(escape(name))
    pending = list(dirty)
    while pending:
        for referrer in referrers.get(pending.pop(), ()):
            if referrer not in dirty:
                dirty.add(referrer)
                pending.append(referrer)
    return dirty


class SchemaDiffer:
    """Compares schema graphs of two documents, following `$ref`s with a visited set.

    Local comparisons are cached per (context, base pointer, head pointer), so a schema shared by
    a thousand operations is compared once and its changes are re-attached to each operation.
    """

    def __init__(self, base: Spec, head: Spec) -> None:
        self.base_views, self.head_views = Views(base), Views(head)
        self._local: dict[tuple[str, str, str], tuple[tuple[SchemaChange, ...], list[Any]]] = {}
        self._dirty = dirty_schemas(base, head)

    def _unchanged(self, base: SchemaView, head: SchemaView) -> bool:
        """Same component on both sides, equal, and referencing only unchanged components."""
        if base.pointer != head.pointer or not base.pointer.startswith(_SCHEMAS_PREFIX):
            return False
        name = base.pointer[len(_SCHEMAS_PREFIX) :].split("/", 1)[0]
        return name not in self._dirty

    def changes(self, context: str, base: Node, head: Node) -> list[SchemaChange]:
        """Every change reachable from the two roots, each once."""
        found: dict[SchemaChange, None] = {}
        visited: set[tuple[str, str]] = set()
        stack = [(self.base_views.view(base), self.head_views.view(head))]
        while stack:
            base_view, head_view = stack.pop()
            key = (base_view.pointer, head_view.pointer)
            if key in visited or self._unchanged(base_view, head_view):
                continue
            visited.add(key)
            local, children = self._compare(context, base_view, head_view)
            found.update(dict.fromkeys(local))
            stack.extend(children)
        return list(found)

    def _compare(
        self, context: str, base: SchemaView, head: SchemaView
    ) -> tuple[tuple[SchemaChange, ...], list[tuple[SchemaView, SchemaView]]]:
        key = (context, base.pointer, head.pointer)
        cached = self._local.get(key)
        if cached is None:
            pair = SchemaPair(context, base, head, self.base_views, self.head_views)
            local = tuple(change for check in SCHEMA_CHECKS for change in check(pair))
            cached = (local, self._children(pair))
            self._local[key] = cached
        return cached

    def _children(self, pair: SchemaPair) -> list[tuple[SchemaView, SchemaView]]:
        base, head = pair.base, pair.head
        nodes: list[tuple[Node, Node]] = [
            (base.properties[name], head.properties[name])
            for name in base.properties.keys() & head.properties.keys()
        ]
        if base.items and head.items:
            nodes.append((base.items, head.items))
        if base.additional and head.additional:
            nodes.append((base.additional, head.additional))
        nodes.extend(zip(base.variants, head.variants, strict=False))
        views = [(self.base_views.view(b), self.head_views.view(h)) for b, h in nodes]
        return [(b, h) for b, h in views if not (pair.skips(b) and pair.skips(h))]


# --- operations: one small check per concern, all registered in OPERATION_CHECKS ---------------


def _resolved(spec: Spec, pointer: str, value: Any) -> Node | None:
    """The mapping at `pointer` after `$ref`s, or None when absent or not a mapping."""
    if value is None or value is _MISSING:
        return None
    node = spec.resolve((pointer, value))
    return node if isinstance(node[1], Mapping) else None


def _parameters(spec: Spec, op: Operation) -> dict[tuple[str, str], Node]:
    """Effective parameters keyed by (in, name): operation-level ones override the path item's."""
    merged: dict[tuple[str, str], Node] = {}
    for owner_pointer, owner in ((op.path_item_pointer, op.path_item), (op.pointer, op.node)):
        for index, raw in enumerate(owner.get("parameters") or []):
            node = _resolved(spec, child(owner_pointer, "parameters", index), raw)
            if node and "name" in node[1] and "in" in node[1]:
                merged[(str(node[1]["in"]), str(node[1]["name"]))] = node
    return merged


def _responses(spec: Spec, op: Operation) -> dict[str, Node]:
    responses = op.node.get("responses") or {}
    found = {}
    for code, raw in responses.items():
        node = _resolved(spec, child(op.pointer, "responses", code), raw)
        if node:
            found[str(code)] = node
    return found


def _content(node: Node | None) -> dict[str, Node]:
    if node is None:
        return {}
    pointer, value = node
    return {
        media: (child(pointer, "content", media), media_value)
        for media, media_value in (value.get("content") or {}).items()
        if isinstance(media_value, Mapping)
    }


def _is_success(code: str) -> bool:
    return code.startswith("2")


@dataclass
class OperationDiff:
    """One matched operation pair; collects findings keyed by (rule, base ptr, head ptr)."""

    base_spec: Spec
    head_spec: Spec
    base: Operation
    head: Operation
    differ: SchemaDiffer
    found: dict[tuple[str, str | None, str | None], Finding] = field(default_factory=dict)

    def report(self, rule: str, base: str | None, head: str | None, message: str) -> None:
        key = (rule, base, head)
        if key not in self.found:
            self.found[key] = finding(rule, self.head.label, base, head, message)

    def compare_schemas(self, context: str, label: str, base: Node, head: Node) -> None:
        """Report every schema change reachable from two root schemas in one direction."""
        roots = {self.base_spec.resolve(base)[0], self.head_spec.resolve(head)[0]}
        for change in self.differ.changes(context, base, head):
            rule = SCHEMA_RULES.get((context, change.kind))
            if rule is None:
                continue
            message = _schema_message(context, label, change, roots)
            self.report(rule, change.base_pointer, change.head_pointer, message)

    def compare_media(self, context: str, base: Node | None, head: Node | None) -> None:
        """Content types dropped from one side, then the schemas of those both sides share."""
        base_content, head_content = _content(base), _content(head)
        side = "request" if context == "request" else "response"
        for media, (pointer, _) in base_content.items():
            if media not in head_content:
                message = f"{side} content type `{media}` was removed"
                self.report(f"{side}-content-type-removed", pointer, head and head[0], message)
        for media, (pointer, _) in head_content.items():
            if media not in base_content and side == "request":
                message = f"request content type `{media}` was added"
                self.report("request-content-type-added", base and base[0], pointer, message)
        for media in base_content.keys() & head_content.keys():
            (base_pointer, base_media), (head_pointer, head_media) = (
                base_content[media],
                head_content[media],
            )
            if "schema" in base_media and "schema" in head_media:
                self.compare_schemas(
                    context,
                    f"{side} body",
                    (child(base_pointer, "schema"), base_media["schema"]),
                    (child(head_pointer, "schema"), head_media["schema"]),
                )


def _schema_message(context: str, label: str, change: SchemaChange, roots: set[str]) -> str:
    if change.base_pointer in roots or change.head_pointer in roots:
        return f"{label} {change.detail}"
    name = subject(change.head_pointer or change.base_pointer or "")
    if context == "parameter":
        return f"{label}: `{name}` {change.detail}"
    noun = "field" if "." in name or "[" in name else "schema"
    return f"{context} {noun} `{name}` {change.detail}"


OperationCheck = Callable[[OperationDiff], None]


def check_operation_id(diff: OperationDiff) -> None:
    before, after = diff.base.operation_id, diff.head.operation_id
    if before != after:
        message = f"operationId changed from `{before}` to `{after}`: the client method is renamed"
        pointers = child(diff.base.pointer, "operationId"), child(diff.head.pointer, "operationId")
        diff.report("operation-id-changed", *pointers, message)


def check_deprecated(diff: OperationDiff) -> None:
    if diff.head.node.get("deprecated") is True and diff.base.node.get("deprecated") is not True:
        pointers = diff.base.pointer, child(diff.head.pointer, "deprecated")
        diff.report("operation-deprecated", *pointers, "operation is now deprecated")


def check_operation_text(diff: OperationDiff) -> None:
    for key in ("summary", "description"):
        if diff.base.node.get(key, "") != diff.head.node.get(key, ""):
            pointers = child(diff.base.pointer, key), child(diff.head.pointer, key)
            diff.report("description-changed", *pointers, f"operation {key} changed")


def _parameter_pair(diff: OperationDiff) -> tuple[dict[Any, Node], dict[Any, Node]]:
    return _parameters(diff.base_spec, diff.base), _parameters(diff.head_spec, diff.head)


def check_parameters_removed(diff: OperationDiff) -> None:
    base, head = _parameter_pair(diff)
    head_by_name = {name: node for (_, name), node in head.items()}
    for (where, name), (pointer, _) in base.items():
        if (where, name) in head:
            continue
        moved = head_by_name.get(name)
        if moved is not None:
            message = f"parameter `{name}` moved from {where} to {moved[1]['in']}"
            diff.report("parameter-location-changed", pointer, moved[0], message)
        else:
            message = f"{where} parameter `{name}` was removed"
            diff.report("parameter-removed", pointer, None, message)


def check_parameters_added(diff: OperationDiff) -> None:
    base, head = _parameter_pair(diff)
    base_names = {name for _, name in base}
    for (where, name), (pointer, parameter) in head.items():
        if (where, name) in base or name in base_names:
            continue
        if parameter.get("required") is True or where == "path":
            message = f"new required {where} parameter `{name}`"
            diff.report("parameter-added-required", None, pointer, message)
        else:
            diff.report(
                "parameter-added", None, pointer, f"new optional {where} parameter `{name}`"
            )


def check_parameter_changes(diff: OperationDiff) -> None:
    base, head = _parameter_pair(diff)
    for key in base.keys() & head.keys():
        (base_pointer, before), (head_pointer, after) = base[key], head[key]
        name = key[1]
        if after.get("required") is True and before.get("required") is not True:
            message = f"{key[0]} parameter `{name}` is now required"
            diff.report("parameter-made-required", base_pointer, head_pointer, message)
        if before.get("description", "") != after.get("description", ""):
            pointers = child(base_pointer, "description"), child(head_pointer, "description")
            diff.report("description-changed", *pointers, f"parameter `{name}` description changed")
        if "schema" in before and "schema" in after:
            diff.compare_schemas(
                "parameter",
                f"parameter `{name}`",
                (child(base_pointer, "schema"), before["schema"]),
                (child(head_pointer, "schema"), after["schema"]),
            )


def check_request_body(diff: OperationDiff) -> None:
    base = _resolved(
        diff.base_spec, child(diff.base.pointer, "requestBody"), diff.base.node.get("requestBody")
    )
    head = _resolved(
        diff.head_spec, child(diff.head.pointer, "requestBody"), diff.head.node.get("requestBody")
    )
    if base is None and head is None:
        return
    if base is None and head is not None:
        required = head[1].get("required") is True
        rule = "request-body-added-required" if required else "request-body-added"
        message = (
            "operation now requires a request body" if required else "optional request body added"
        )
        diff.report(rule, None, head[0], message)
        return
    if head is None and base is not None:
        diff.report("request-body-removed", base[0], None, "request body was removed")
        return
    assert base is not None and head is not None
    if head[1].get("required") is True and base[1].get("required") is not True:
        diff.report("request-body-made-required", base[0], head[0], "request body is now required")
    diff.compare_media("request", base, head)


def check_success_status(diff: OperationDiff) -> None:
    base, head = _responses(diff.base_spec, diff.base), _responses(diff.head_spec, diff.head)
    removed = sorted(code for code in base if _is_success(code) and code not in head)
    added = sorted(code for code in head if _is_success(code) and code not in base)
    if removed and added:
        message = f"success status changed from {removed[0]} to {added[0]}"
        diff.report("success-status-changed", base[removed[0]][0], head[added[0]][0], message)
        removed = removed[1:]
    for code in removed:
        diff.report("success-status-removed", base[code][0], None, f"{code} response was removed")


def check_response_bodies(diff: OperationDiff) -> None:
    base, head = _responses(diff.base_spec, diff.base), _responses(diff.head_spec, diff.head)
    pairs = [(code, code) for code in base if _is_success(code) and code in head]
    removed = sorted(code for code in base if _is_success(code) and code not in head)
    added = sorted(code for code in head if _is_success(code) and code not in base)
    if removed and added:
        pairs.append((removed[0], added[0]))
    for base_code, head_code in pairs:
        diff.compare_media("response", base[base_code], head[head_code])


def _security(spec: Spec, op: Operation) -> tuple[str, bool, dict[str, set[str]]]:
    """(pointer, anonymous allowed, scopes per scheme) of the operation's effective security."""
    if "security" in op.node:
        pointer, requirements = child(op.pointer, "security"), op.node["security"]
    else:
        pointer, requirements = "/security", spec.doc.get("security")
    requirements = [r for r in requirements or [] if isinstance(r, Mapping)]
    anonymous = not requirements or any(not r for r in requirements)
    schemes: dict[str, set[str]] = {}
    for requirement in requirements:
        for scheme, scopes in requirement.items():
            schemes.setdefault(scheme, set()).update(scopes or [])
    return pointer, anonymous, schemes


def check_security(diff: OperationDiff) -> None:
    base_pointer, base_anonymous, base = _security(diff.base_spec, diff.base)
    head_pointer, head_anonymous, head = _security(diff.head_spec, diff.head)
    pointers = base_pointer, head_pointer
    if base_anonymous and not head_anonymous:
        diff.report(
            "security-requirement-added", *pointers, "operation now requires authentication"
        )
    for scheme in sorted(base.keys() & head.keys()):
        gained, lost = sorted(head[scheme] - base[scheme]), sorted(base[scheme] - head[scheme])
        if gained and lost:
            message = f"{scheme} scopes changed from {_scopes(lost)} to {_scopes(gained)}"
            diff.report("security-scope-changed", *pointers, message)
        elif gained:
            diff.report(
                "security-scope-added", *pointers, f"{scheme} now also requires {_scopes(gained)}"
            )
        elif lost:
            diff.report(
                "security-scope-removed", *pointers, f"{scheme} no longer requires {_scopes(lost)}"
            )
    for scheme in sorted(base.keys() - head.keys()):
        if not head_anonymous:
            diff.report("security-scheme-removed", *pointers, f"{scheme} is no longer accepted")
    for scheme in sorted(head.keys() - base.keys()):
        if not base_anonymous:
            diff.report("security-scheme-added", *pointers, f"{scheme} is now accepted")


def _scopes(scopes: list[str]) -> str:
    return ", ".join(f"`{scope}`" for scope in scopes)


OPERATION_CHECKS: tuple[OperationCheck, ...] = (
    check_operation_id,
    check_deprecated,
    check_operation_text,
    check_parameters_removed,
    check_parameters_added,
    check_parameter_changes,
    check_request_body,
    check_success_status,
    check_response_bodies,
    check_security,
)


# --- the whole document ------------------------------------------------------------------------


@dataclass
class SpecDiff:
    base: Spec
    head: Spec
    differ: SchemaDiffer


SpecCheck = Callable[[SpecDiff], Iterator[Finding]]


def _match_operations(diff: SpecDiff) -> tuple[list[tuple[Operation, Operation]], list[Finding]]:
    """Pair operations by (method, path), then unmatched ones by operationId (a move)."""
    base_ops, head_ops = operations(diff.base), operations(diff.head)
    pairs = [(op, head_ops[key]) for key, op in base_ops.items() if key in head_ops]
    unmatched_head = {key: op for key, op in head_ops.items() if key not in base_ops}
    by_id = {op.operation_id: key for key, op in unmatched_head.items() if op.operation_id}
    findings = []
    for key, op in base_ops.items():
        if key in head_ops:
            continue
        moved_key = by_id.pop(op.operation_id, None) if op.operation_id else None
        if moved_key is None:
            message = "operation was removed"
            findings.append(finding("operation-removed", op.label, op.pointer, None, message))
            continue
        moved = unmatched_head.pop(moved_key)
        pairs.append((op, moved))
        if op.path != moved.path:
            rule = "operation-path-changed"
            message = f"path changed from `{op.path}` to `{moved.path}`"
            if op.method != moved.method:
                message += f" and method from {op.method.upper()} to {moved.method.upper()}"
        else:
            rule = "operation-method-changed"
            message = f"method changed from {op.method.upper()} to {moved.method.upper()}"
        findings.append(finding(rule, moved.label, op.pointer, moved.pointer, message))
    for op in unmatched_head.values():
        findings.append(finding("operation-added", op.label, None, op.pointer, "new operation"))
    return pairs, findings


def check_operations(diff: SpecDiff) -> Iterator[Finding]:
    pairs, findings = _match_operations(diff)
    yield from findings
    for base_op, head_op in pairs:
        op_diff = OperationDiff(diff.base, diff.head, base_op, head_op, diff.differ)
        for check in OPERATION_CHECKS:
            check(op_diff)
        yield from op_diff.found.values()


def check_servers(diff: SpecDiff) -> Iterator[Finding]:
    def urls(spec: Spec) -> dict[str, str]:
        servers = spec.doc.get("servers") or []
        return {
            str(server.get("url")): child("/servers", index)
            for index, server in enumerate(servers)
            if isinstance(server, Mapping)
        }

    base, head = urls(diff.base), urls(diff.head)
    for url, pointer in base.items():
        if url not in head:
            yield finding("server-url-removed", "", pointer, None, f"server `{url}` was removed")
    for url, pointer in head.items():
        if url not in base:
            yield finding("server-url-added", "", None, pointer, f"server `{url}` was added")


def check_component_schemas(diff: SpecDiff) -> Iterator[Finding]:
    """Removed + added with identical content is a rename; otherwise a removal or addition."""

    def schemas(spec: Spec) -> Mapping[str, Any]:
        return (spec.doc.get("components") or {}).get("schemas") or {}

    base, head = schemas(diff.base), schemas(diff.head)
    added = [name for name in head if name not in base]
    by_content: dict[str, str] = {}
    for name in added:
        by_content.setdefault(canonical(head[name]), name)
    renamed_to: set[str] = set()
    for name in base:
        if name in head:
            continue
        base_pointer = child("/components/schemas", name)
        new_name = by_content.pop(canonical(base[name]), None)
        if new_name is None:
            message = f"schema `{name}` was removed: the client model class is gone"
            yield finding("schema-removed", "", base_pointer, None, message)
            continue
        renamed_to.add(new_name)
        message = f"schema `{name}` was renamed to `{new_name}`: the client model class is renamed"
        head_pointer = child("/components/schemas", new_name)
        yield finding("schema-renamed", "", base_pointer, head_pointer, message)
    for name in added:
        if name not in renamed_to:
            pointer = child("/components/schemas", name)
            yield finding("schema-added", "", None, pointer, f"schema `{name}` was added")


SPEC_CHECKS: tuple[SpecCheck, ...] = (check_operations, check_servers, check_component_schemas)


def diff_specs(base: Document, head: Document) -> list[Finding]:
    """Every classified change from `base` to `head`, sorted deterministically."""
    base_spec, head_spec = Spec(base), Spec(head)
    diff = SpecDiff(base_spec, head_spec, SchemaDiffer(base_spec, head_spec))
    findings = [f for check in SPEC_CHECKS for f in check(diff)]
    return sorted(findings, key=Finding.sort_key)
