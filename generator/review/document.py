"""One OpenAPI document as the review commands read it: pointers, `$ref`s and operations.

diff, lint, the house rules and probe all walk a spec the same way: follow local `$ref`s to
their target (keeping the pointer of where the value really sits, so a finding names the node
to edit), list the operations, and read possibly-invalid shapes defensively. JSON-pointer
syntax itself comes from the spec front end (generator.spec.locate, generator.spec.load).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from generator.spec.load import HTTP_METHODS
from generator.spec.locate import (
    follow_refs,
    pointer_tokens,
    ref_pointer,
    resolve_pointer,
    to_pointer,
)

Document = Mapping[str, Any]
Node = tuple[str, Any]  # (JSON pointer, value at that pointer)

MISSING: Any = object()  # what a lookup of an absent pointer (or an absent default) gives


def child(pointer: str, *tokens: str | int) -> str:
    """`pointer` extended by `tokens`, each escaped: child("/paths", "/a") == "/paths/~1a"."""
    return pointer + to_pointer(tokens)


def component_of(ref: str) -> tuple[str, str] | None:
    """(kind, name) of the component a local `$ref` points into, e.g. ("schemas", "User")."""
    if not ref.startswith("#/components/"):
        return None
    tokens = pointer_tokens(ref_pointer(ref))
    return (tokens[1], tokens[2]) if len(tokens) >= 3 else None


def as_mapping(value: Any) -> Mapping[str, Any]:
    """Lint reads invalid documents too: a wrongly shaped value reads as empty."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def canonical(value: Any) -> str:
    """Order-independent text for equality and hashing of JSON-like values."""
    return json.dumps(value, sort_keys=True, default=str)


class Spec:
    """One document plus cached pointer lookups and local `$ref` resolution."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._lookups: dict[str, Any] = {}

    def get(self, pointer: str) -> Any:
        """Value at a JSON pointer, or `MISSING`."""
        value = self._lookups.get(pointer, MISSING)
        if value is MISSING:
            try:
                value = resolve_pointer(self.doc, pointer)
            except (LookupError, TypeError, ValueError):
                value = MISSING
            self._lookups[pointer] = value
        return value

    def components(self, kind: str) -> Mapping[str, Any]:
        """`components/<kind>` (e.g. "schemas") by name; empty when absent or wrongly shaped."""
        return as_mapping(as_mapping(self.doc.get("components")).get(kind))

    def resolve(self, node: Node) -> Node:
        """Follow local `$ref`s to the target; unresolvable or cyclic refs stay as they are."""
        return follow_refs(self.doc, *node)

    def resolve_mapping(self, pointer: str, value: Any) -> Node | None:
        """The mapping `value` (found at `pointer`) is after `$ref`s; None when absent or no
        mapping."""
        if value is None or value is MISSING:
            return None
        node = self.resolve((pointer, value))
        return node if isinstance(node[1], Mapping) else None


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


def parameter_nodes(spec: Spec, op: Operation) -> Iterator[Node]:
    """Path-item then operation parameters, `$ref`s followed; only those that are mappings."""
    for owner_pointer, owner in ((op.path_item_pointer, op.path_item), (op.pointer, op.node)):
        for index, raw in enumerate(as_list(owner.get("parameters"))):
            node = spec.resolve_mapping(child(owner_pointer, "parameters", index), raw)
            if node is not None:
                yield node


def media_types(body: Node | None) -> dict[str, Node]:
    """The media type objects under `content` of a request body or response, by media type."""
    if body is None:
        return {}
    pointer, value = body
    return {
        media: (child(pointer, "content", media), media_value)
        for media, media_value in as_mapping(as_mapping(value).get("content")).items()
        if isinstance(media_value, Mapping)
    }
