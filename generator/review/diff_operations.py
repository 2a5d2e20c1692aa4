"""The operation half of the diff: compare one matched pair of operations, concern by concern.

Each check in `OPERATION_CHECKS` looks at one thing a caller depends on (the operationId, the
parameters, the request body, the success responses, the security requirement) and reports
through `OperationDiff.report`; schemas under them are handed to generator.review.diff_schemas.
Parameters, bodies and responses are compared after `$ref`s, where they really sit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.review.diff_rules import SCHEMA_RULES, finding
from generator.review.diff_schemas import SchemaChange, SchemaDiffer, subject
from generator.review.document import Node, Operation, Spec, child, media_types, parameter_nodes
from generator.review.report import Finding


def _parameters(spec: Spec, op: Operation) -> dict[tuple[str, str], Node]:
    """Effective parameters keyed by (in, name): operation-level ones override the path item's."""
    return {
        (str(value["in"]), str(value["name"])): (pointer, value)
        for pointer, value in parameter_nodes(spec, op)
        if "name" in value and "in" in value
    }


def _responses(spec: Spec, op: Operation) -> dict[str, Node]:
    responses = op.node.get("responses") or {}
    found = {}
    for code, raw in responses.items():
        node = spec.resolve_mapping(child(op.pointer, "responses", code), raw)
        if node:
            found[str(code)] = node
    return found


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
        base_content, head_content = media_types(base), media_types(head)
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
    base, head = (
        spec.resolve_mapping(child(op.pointer, "requestBody"), op.node.get("requestBody"))
        for spec, op in ((diff.base_spec, diff.base), (diff.head_spec, diff.head))
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
