"""The schema half of the diff: compare two schema graphs and list what changed, context-free.

One small check per kind of change (`SCHEMA_CHECKS`) looks at a pair of `SchemaView`s; the
differ walks properties, items and variants pairwise, following `$ref`s. What a change means
(breaking in a request, harmless in a response...) is decided by generator.review.diff_rules.
A change inside a shared component is found once and re-attached to every operation reaching it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from generator.review.document import MISSING, Node, Spec, canonical, component_of
from generator.review.schema_view import LOWER_BOUNDS, UPPER_BOUNDS, SchemaView, Views
from generator.spec.locate import escape_pointer_token, pointer_tokens
from generator.spec.refs import collect_refs

# Formats that change the Python type the client uses; others (uri, email) stay `str`.
TYPED_FORMATS = frozenset({"date-time", "date", "time", "uuid", "binary", "byte", "decimal"})


@dataclass(frozen=True)
class SchemaChange:
    """A change found at one schema pair; `kind` is context-free (diff_rules maps it)."""

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
    return f"{text}({fmt})" if fmt in TYPED_FORMATS else text


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
    if key in UPPER_BOUNDS:
        return bool(after < before)
    if key in LOWER_BOUNDS:
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
    return "none" if value is None or value is MISSING else json.dumps(value, default=str)


def check_default(pair: SchemaPair) -> Iterator[SchemaChange]:
    old, new = pair.base.default, pair.head.default
    if old is MISSING and new is MISSING:
        return
    if old is MISSING or new is MISSING or canonical(old) != canonical(new):
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


def subject(pointer: str) -> str:
    """Readable name of a schema location: `User.tags[].name`, or "" at a root schema."""
    tokens = pointer_tokens(pointer)
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
    schemas = [
        {str(name): schema for name, schema in spec.components("schemas").items()}
        for spec in (base, head)
    ]
    names = schemas[0].keys() | schemas[1].keys()
    dirty = {
        name for name in names if schemas[0].get(name, MISSING) != schemas[1].get(name, MISSING)
    }
    referrers: dict[str, set[str]] = {}
    for side in schemas:
        for name, schema in side.items():
            for ref in collect_refs(schema):
                target = component_of(ref)
                if target is not None and target[0] == "schemas":
                    referrers.setdefault(target[1], set()).add(name)
    pending = list(dirty)
    while pending:
        for referrer in referrers.get(pending.pop(), ()):
            if referrer not in dirty:
                dirty.add(referrer)
                pending.append(referrer)
    return {escape_pointer_token(name) for name in dirty}


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
