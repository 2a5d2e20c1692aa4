"""What a lint rule is given and gives back: the indexed document (`Linted`) and `Problem`s.

The linter reads possibly-invalid documents (it reports validator errors as `spec-invalid`), so
the indexes here check the shape of what they read instead of trusting it. They are computed
once, on demand, and shared by the generic rules (generator.review.lint_rules) and the
project's house rules (generator.review.house_rules).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from generator.review.document import (
    Node,
    Operation,
    Spec,
    as_list,
    as_mapping,
    child,
    media_types,
    operations,
    parameter_nodes,
)
from generator.review.report import Severity
from generator.review.schema_view import Views
from generator.spec.examples import walk_schema
from generator.spec.load import HTTP_METHODS

ERROR, WARNING = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class Problem:
    """What a rule found: where, for which operation (may be ""), and why."""

    pointer: str
    message: str
    operation: str = ""


@dataclass
class Linted:
    """The document under lint plus indexes the rules share (computed once, on demand)."""

    spec: Spec
    validation_errors: list[tuple[str, str]] = field(default_factory=list)

    @cached_property
    def operations(self) -> list[Operation]:
        return list(operations(self.spec).values())

    @cached_property
    def views(self) -> Views:
        return Views(self.spec)

    def resolve(self, pointer: str, value: Any) -> Node:
        return self.spec.resolve((pointer, value))

    def parameters(self, op: Operation) -> list[Node]:
        """Path-item then operation parameters, `$ref`s followed, shape-checked."""
        return list(parameter_nodes(self.spec, op))

    @cached_property
    def parameter_objects(self) -> list[Node]:
        """Every parameter object written in the document (not following refs)."""
        found = [
            (child("/components/parameters", name), value)
            for name, value in self.spec.components("parameters").items()
        ]
        for path, item in as_mapping(self.spec.doc.get("paths")).items():
            item_pointer = child("/paths", path)
            owners = [(item_pointer, as_mapping(item))]
            owners += [
                (child(item_pointer, method), as_mapping(as_mapping(item).get(method)))
                for method in HTTP_METHODS
            ]
            for owner_pointer, owner in owners:
                for index, value in enumerate(as_list(owner.get("parameters"))):
                    found.append((child(owner_pointer, "parameters", index), value))
        return [(p, v) for p, v in found if isinstance(v, Mapping) and "$ref" not in v]

    def _bodies(self) -> Iterator[Node]:
        """Request bodies and responses written in the document (objects with `content`)."""
        for kind in ("requestBodies", "responses"):
            for name, value in self.spec.components(kind).items():
                yield child("/components", kind, name), value
        for op in self.operations:
            yield child(op.pointer, "requestBody"), op.node.get("requestBody")
            for code, response in as_mapping(op.node.get("responses")).items():
                yield child(op.pointer, "responses", code), response

    @cached_property
    def media_objects(self) -> list[Node]:
        found: list[Node] = []
        for pointer, body in self._bodies():
            if isinstance(body, Mapping) and "$ref" not in body:
                found.extend(media_types((pointer, body)).values())
        return found

    @cached_property
    def header_objects(self) -> list[Node]:
        found = [
            (child("/components/headers", name), value)
            for name, value in self.spec.components("headers").items()
        ]
        for pointer, body in self._bodies():
            if isinstance(body, Mapping) and "$ref" not in body:
                for name, value in as_mapping(body.get("headers")).items():
                    found.append((child(pointer, "headers", name), value))
        return [(p, v) for p, v in found if isinstance(v, Mapping) and "$ref" not in v]

    @cached_property
    def schemas(self) -> list[Node]:
        """Every schema object written in the document, nested ones included, refs not followed."""
        roots = [
            (child("/components/schemas", name), value)
            for name, value in self.spec.components("schemas").items()
        ]
        for pointer, owner in (*self.parameter_objects, *self.media_objects, *self.header_objects):
            if "schema" in owner:
                roots.append((child(pointer, "schema"), owner["schema"]))
        found: list[Node] = []
        for root in roots:
            walk_schema(root, found)
        return found


Check = Callable[[Linted], Iterator[Problem]]


@dataclass(frozen=True)
class LintRule:
    id: str
    severity: Severity
    summary: str
    check: Check
