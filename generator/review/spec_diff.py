"""Classify every change between two OpenAPI documents as breaking, warning or info.

The entry point of the diff: operations are matched across the two documents (by method and
path, then by operationId, which makes a move), each matched pair goes through
generator.review.diff_operations, and the document-level checks (`SPEC_CHECKS`: servers,
component schemas) run here. Rules and their severities: generator.review.diff_rules.

`$ref`s are followed, so a change inside a shared schema is reported at every operation that
reaches it, once per operation (findings are keyed by rule and the pointers of the changed node,
not by the path taken to it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from generator.review.diff_operations import OPERATION_CHECKS, OperationDiff
from generator.review.diff_rules import finding
from generator.review.diff_schemas import SchemaDiffer
from generator.review.document import Document, Operation, Spec, canonical, child, operations
from generator.review.report import Finding


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
    base, head = diff.base.components("schemas"), diff.head.components("schemas")
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
