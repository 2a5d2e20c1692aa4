"""Lint one OpenAPI document: each rule is a small function registered in `LINT_RULES`.

The linter reads possibly-invalid documents (it reports validator errors as `spec-invalid`), so
every rule checks the shape of what it reads instead of trusting it. Findings carry the JSON
pointer of the offending node in `head_pointer` (lint has a single document).

Opt-out, by design: an operation that sets `security: []` itself is deliberately public and is
not asked for a scope.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from generator.review.report import Finding, Severity
from generator.review.spec_diff import (
    Node,
    Operation,
    Spec,
    Views,
    canonical,
    child,
    operations,
)
from generator.spec.examples import example_problems, walk_schema
from generator.spec.load import HTTP_METHODS, collect_refs
from generator.spec.validate import openapi_problems, version_problem

ERROR, WARNING = Severity.ERROR, Severity.WARNING

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
PATH_TEMPLATE = re.compile(r"{([^{}]+)}")
COMPONENT_KINDS = (
    "schemas",
    "parameters",
    "responses",
    "requestBodies",
    "headers",
    "examples",
    "links",
    "callbacks",
    "pathItems",
)
REF_TO_COMPONENT = re.compile(r"^#/components/([^/]+)/([^/]+)")


@dataclass(frozen=True)
class Problem:
    """What a rule found: where, for which operation (may be ""), and why."""

    pointer: str
    message: str
    operation: str = ""


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


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
        found = []
        for owner_pointer, owner in ((op.path_item_pointer, op.path_item), (op.pointer, op.node)):
            for index, raw in enumerate(_list(owner.get("parameters"))):
                node = self.resolve(child(owner_pointer, "parameters", index), raw)
                if isinstance(node[1], Mapping):
                    found.append(node)
        return found

    @cached_property
    def parameter_objects(self) -> list[Node]:
        """Every parameter object written in the document (not following refs)."""
        found = [
            (child("/components/parameters", name), value)
            for name, value in _mapping(self.components.get("parameters")).items()
        ]
        for path, item in _mapping(self.spec.doc.get("paths")).items():
            item_pointer = child("/paths", path)
            owners = [(item_pointer, _mapping(item))]
            owners += [
                (child(item_pointer, method), _mapping(_mapping(item).get(method)))
                for method in HTTP_METHODS
            ]
            for owner_pointer, owner in owners:
                for index, value in enumerate(_list(owner.get("parameters"))):
                    found.append((child(owner_pointer, "parameters", index), value))
        return [(p, v) for p, v in found if isinstance(v, Mapping) and "$ref" not in v]

    @cached_property
    def components(self) -> Mapping[str, Any]:
        return _mapping(self.spec.doc.get("components"))

    def _bodies(self) -> Iterator[Node]:
        """Request bodies and responses written in the document (objects with `content`)."""
        for kind in ("requestBodies", "responses"):
            for name, value in _mapping(self.components.get(kind)).items():
                yield child("/components", kind, name), value
        for op in self.operations:
            yield child(op.pointer, "requestBody"), op.node.get("requestBody")
            for code, response in _mapping(op.node.get("responses")).items():
                yield child(op.pointer, "responses", code), response

    @cached_property
    def media_objects(self) -> list[Node]:
        found = []
        for pointer, body in self._bodies():
            if isinstance(body, Mapping) and "$ref" not in body:
                for media, value in _mapping(body.get("content")).items():
                    if isinstance(value, Mapping):
                        found.append((child(pointer, "content", media), value))
        return found

    @cached_property
    def header_objects(self) -> list[Node]:
        found = [
            (child("/components/headers", name), value)
            for name, value in _mapping(self.components.get("headers")).items()
        ]
        for pointer, body in self._bodies():
            if isinstance(body, Mapping) and "$ref" not in body:
                for name, value in _mapping(body.get("headers")).items():
                    found.append((child(pointer, "headers", name), value))
        return [(p, v) for p, v in found if isinstance(v, Mapping) and "$ref" not in v]

    @cached_property
    def schemas(self) -> list[Node]:
        """Every schema object written in the document, nested ones included, refs not followed."""
        roots = [
            (child("/components/schemas", name), value)
            for name, value in _mapping(self.components.get("schemas")).items()
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


# --- operations -----------------------------------------------------------------------------


def operation_id_missing(linted: Linted) -> Iterator[Problem]:
    for op in linted.operations:
        if not op.operation_id:
            yield Problem(op.pointer, "operation has no operationId", op.label)


def operation_id_duplicate(linted: Linted) -> Iterator[Problem]:
    first: dict[str, Operation] = {}
    for op in linted.operations:
        if not op.operation_id:
            continue
        if op.operation_id in first:
            other = first[op.operation_id]
            used_by = f"{other.method.upper()} {other.path}"
            message = f"operationId `{op.operation_id}` is also used by {used_by}"
            yield Problem(child(op.pointer, "operationId"), message, op.label)
        else:
            first[op.operation_id] = op


def operation_id_not_snake_case(linted: Linted) -> Iterator[Problem]:
    for op in linted.operations:
        if op.operation_id and not SNAKE_CASE.match(op.operation_id):
            message = f"operationId `{op.operation_id}` is not snake_case"
            yield Problem(child(op.pointer, "operationId"), message, op.label)


def operation_tag_missing(linted: Linted) -> Iterator[Problem]:
    for op in linted.operations:
        if not _list(op.node.get("tags")):
            yield Problem(op.pointer, "operation has no tag", op.label)


def operation_summary_missing(linted: Linted) -> Iterator[Problem]:
    for op in linted.operations:
        summary = op.node.get("summary")
        if not isinstance(summary, str) or not summary.strip():
            yield Problem(op.pointer, "operation has no summary", op.label)


def operation_scope_missing(linted: Linted) -> Iterator[Problem]:
    for op in linted.operations:
        if op.node.get("security") == []:
            continue  # explicitly public
        if op.node.get("x-scopes-undocumented") is True:
            continue  # the API documents no scope for it; the spec says so on purpose
        requirements = op.node.get("security", linted.spec.doc.get("security"))
        scoped = any(
            _list(scopes)
            for requirement in _list(requirements)
            for scopes in _mapping(requirement).values()
        )
        if not scoped:
            message = "operation has no security requirement with a scope"
            yield Problem(op.pointer, message, op.label)


def security_scheme_undefined(linted: Linted) -> Iterator[Problem]:
    schemes = _mapping(linted.components.get("securitySchemes"))
    owners = [("", linted.spec.doc, "")] + [
        (op.pointer, op.node, op.label) for op in linted.operations
    ]
    for pointer, owner, label in owners:
        for index, requirement in enumerate(_list(owner.get("security"))):
            for name in _mapping(requirement):
                if name not in schemes:
                    message = (
                        f"security scheme `{name}` is not defined in components.securitySchemes"
                    )
                    yield Problem(child(pointer, "security", index, name), message, label)


# --- paths ----------------------------------------------------------------------------------


def _path_parameters(linted: Linted, op: Operation) -> dict[str, str]:
    """Declared path parameter name -> pointer of its declaration."""
    return {
        str(value["name"]): pointer
        for pointer, value in linted.parameters(op)
        if value.get("in") == "path" and "name" in value
    }


def path_parameter_undeclared(linted: Linted) -> Iterator[Problem]:
    for op in linted.operations:
        declared = _path_parameters(linted, op)
        for name in PATH_TEMPLATE.findall(op.path):
            if name not in declared:
                message = f"path parameter `{{{name}}}` is not declared as an `in: path` parameter"
                yield Problem(op.pointer, message, op.label)


def path_parameter_unused(linted: Linted) -> Iterator[Problem]:
    for op in linted.operations:
        in_template = set(PATH_TEMPLATE.findall(op.path))
        for name, pointer in _path_parameters(linted, op).items():
            if name not in in_template:
                message = f"path parameter `{name}` is declared but not in the path template"
                yield Problem(pointer, message, op.label)


def path_trailing_slash_inconsistent(linted: Linted) -> Iterator[Problem]:
    paths = [path for path in _mapping(linted.spec.doc.get("paths")) if path != "/"]
    with_slash = [path for path in paths if path.endswith("/")]
    without = [path for path in paths if not path.endswith("/")]
    if not with_slash or not without:
        return
    minority, style = (with_slash, "has") if len(with_slash) < len(without) else (without, "lacks")
    majority = len(paths) - len(minority)
    for path in minority:
        message = f"path {style} a trailing slash, unlike {majority} of {len(paths)} paths"
        yield Problem(child("/paths", path), message)


# --- schemas and examples -------------------------------------------------------------------


def example_invalid(linted: Linted) -> Iterator[Problem]:
    """The check `generate` refuses on (generator.spec.examples), as a finding per example."""
    for problem in example_problems(linted.spec.doc):
        where = problem.pointer[len(problem.example_pointer) :]
        at = f" at `{where}`" if where else ""
        reason = problem.message.removeprefix("example does not fit its schema: ")
        if reason == problem.message:  # the example could not be checked at all
            yield Problem(problem.example_pointer, reason)
        else:
            yield Problem(
                problem.example_pointer, f"example does not match its schema{at}: {reason}"
            )


def schema_nullable_keyword(linted: Linted) -> Iterator[Problem]:
    """3.1 dropped `nullable` (a type list with "null" says it): a 3.1 tool ignores it."""
    if not str(linted.spec.doc.get("openapi", "")).startswith("3.1"):
        return
    for pointer, schema in linted.schemas:
        if "nullable" in schema:
            message = '`nullable` is not an OpenAPI 3.1 keyword: use `type: [..., "null"]`'
            yield Problem(child(pointer, "nullable"), message)


def enum_duplicate_value(linted: Linted) -> Iterator[Problem]:
    for pointer, schema in linted.schemas:
        counts = Counter(canonical(value) for value in _list(schema.get("enum")))
        duplicated = sorted(text for text, count in counts.items() if count > 1)
        if duplicated:
            yield Problem(child(pointer, "enum"), f"enum repeats {', '.join(duplicated)}")


def component_unused(linted: Linted) -> Iterator[Problem]:
    """Components unreachable from paths, webhooks or security requirements."""
    outside = {key: value for key, value in linted.spec.doc.items() if key != "components"}
    used: set[tuple[str, str]] = set()
    pending = list(collect_refs(outside))
    while pending:
        match = REF_TO_COMPONENT.match(pending.pop())
        if not match:
            continue
        key = (match.group(1), match.group(2).replace("~1", "/").replace("~0", "~"))
        if key in used:
            continue
        used.add(key)
        pending.extend(collect_refs(_mapping(linted.components.get(key[0])).get(key[1])))
    for kind in COMPONENT_KINDS:
        for name in _mapping(linted.components.get(kind)):
            if (kind, name) not in used:
                yield Problem(child("/components", kind, name), f"{kind} `{name}` is never used")
    schemes_used = {
        scheme
        for owner in (linted.spec.doc, *(op.node for op in linted.operations))
        for requirement in _list(owner.get("security"))
        for scheme in _mapping(requirement)
    }
    for name in _mapping(linted.components.get("securitySchemes")):
        if name not in schemes_used:
            pointer = child("/components/securitySchemes", name)
            yield Problem(pointer, f"security scheme `{name}` is never used")


# --- responses and request bodies -----------------------------------------------------------


def response_schema_missing(linted: Linted) -> Iterator[Problem]:
    for op in linted.operations:
        if op.method == "head":
            continue
        for code, raw in _mapping(op.node.get("responses")).items():
            if not str(code).startswith("2") or str(code) in {"204", "205"}:
                continue
            pointer, response = linted.resolve(child(op.pointer, "responses", code), raw)
            content = _mapping(_mapping(response).get("content"))
            if not content or any("schema" not in _mapping(media) for media in content.values()):
                yield Problem(pointer, f"{code} response has no schema", op.label)


def response_204_content(linted: Linted) -> Iterator[Problem]:
    """A 204 has no body by definition (RFC 9110): content there is never sent."""
    for op in linted.operations:
        raw = _mapping(op.node.get("responses")).get("204")
        pointer, response = linted.resolve(child(op.pointer, "responses", "204"), raw)
        if _mapping(response).get("content"):
            yield Problem(child(pointer, "content"), "a 204 response has no body", op.label)


def request_readonly_required(linted: Linted) -> Iterator[Problem]:
    """Required readOnly fields would force clients to send what the server ignores."""
    reported: set[str] = set()
    for op in linted.operations:
        body = linted.resolve(child(op.pointer, "requestBody"), op.node.get("requestBody"))
        stack = [
            linted.views.view((child(pointer, "schema"), media["schema"]))
            for pointer, media in _content(body)
            if "schema" in media
        ]
        visited: set[str] = set()
        while stack:
            view = stack.pop()
            if view.pointer in visited:
                continue
            visited.add(view.pointer)
            for name, node in view.properties.items():
                prop = linted.views.view(node)
                if prop.read_only and name in view.required and node[0] not in reported:
                    reported.add(node[0])
                    message = f"readOnly field `{name}` is required in a request body schema"
                    yield Problem(node[0], message, op.label)
                stack.append(prop)
            children = [view.items, view.additional, *view.variants]
            stack.extend(linted.views.view(node) for node in children if node is not None)


def _content(body: Node) -> list[Node]:
    pointer, value = body
    return [
        (child(pointer, "content", media), media_value)
        for media, media_value in _mapping(_mapping(value).get("content")).items()
        if isinstance(media_value, Mapping)
    ]


# --- validity -------------------------------------------------------------------------------

# Validator errors that a dedicated rule above reports better (with a pointer and an operation).
_COVERED_ERRORS = ("DuplicateOperationIDError", "UnresolvableParameterError")


def spec_invalid(linted: Linted) -> Iterator[Problem]:
    for pointer, message in linted.validation_errors:
        yield Problem(pointer, f"invalid OpenAPI: {message}")


LINT_RULES: tuple[LintRule, ...] = (
    LintRule("spec-invalid", ERROR, "openapi-spec-validator rejects the document", spec_invalid),
    LintRule("operation-id-missing", ERROR, "operation without operationId", operation_id_missing),
    LintRule("operation-id-duplicate", ERROR, "operationId used twice", operation_id_duplicate),
    LintRule(
        "operation-id-not-snake-case",
        WARNING,
        "operationId is not snake_case (it becomes a Python method name)",
        operation_id_not_snake_case,
    ),
    LintRule("operation-tag-missing", WARNING, "operation without a tag", operation_tag_missing),
    LintRule(
        "operation-summary-missing", WARNING, "operation without summary", operation_summary_missing
    ),
    LintRule(
        "operation-scope-missing",
        WARNING,
        "no security requirement with at least one scope"
        " (`security: []` or `x-scopes-undocumented: true` opts out)",
        operation_scope_missing,
    ),
    LintRule(
        "path-parameter-undeclared",
        ERROR,
        "`{name}` in a path template without an `in: path` parameter",
        path_parameter_undeclared,
    ),
    LintRule(
        "path-parameter-unused",
        ERROR,
        "`in: path` parameter not in the path template",
        path_parameter_unused,
    ),
    LintRule(
        "path-trailing-slash-inconsistent",
        WARNING,
        "some paths end with a slash and some do not (the minority is reported)",
        path_trailing_slash_inconsistent,
    ),
    LintRule(
        "example-invalid",
        ERROR,
        "example does not validate against its schema (`generate` refuses it too)",
        example_invalid,
    ),
    LintRule(
        "schema-nullable-keyword",
        WARNING,
        "`nullable` in an OpenAPI 3.1 document (ignored there)",
        schema_nullable_keyword,
    ),
    LintRule(
        "security-scheme-undefined",
        ERROR,
        "security requirement names a scheme components.securitySchemes lacks",
        security_scheme_undefined,
    ),
    LintRule("response-204-content", WARNING, "204 response with content", response_204_content),
    LintRule("component-unused", WARNING, "component never referenced", component_unused),
    LintRule("enum-duplicate-value", ERROR, "enum lists a value twice", enum_duplicate_value),
    LintRule(
        "response-schema-missing",
        WARNING,
        "2xx response (other than 204/205) without a schema",
        response_schema_missing,
    ),
    LintRule(
        "request-readonly-required",
        ERROR,
        "readOnly field listed as required in a request-body schema",
        request_readonly_required,
    ),
)


def _covered(kind: str, pointer: str, message: str) -> bool:
    """Validator errors a dedicated rule reports better (with a pointer and an operation)."""
    if kind in _COVERED_ERRORS:
        return True
    return pointer.endswith("/enum") and message.endswith("has non-unique elements")


def _validation_errors(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(pointer, message) of every validator error no lint rule already covers."""
    from openapi_spec_validator.validation.exceptions import ValidatorDetectError

    version = version_problem(dict(document))
    if version is not None:
        return [("/openapi", version)]
    try:
        problems = list(openapi_problems(dict(document)))
    except ValidatorDetectError:
        return [("/openapi", "no supported 'openapi' version field")]
    return [
        (problem.pointer, problem.message)
        for problem in problems
        if not _covered(problem.kind, problem.pointer, problem.message)
    ]


def lint_spec(
    document: Mapping[str, Any],
    *,
    validate: bool = True,
    rules: tuple[LintRule, ...] = LINT_RULES,
) -> list[Finding]:
    """The findings of `rules` (the generic ones by default; the project's spec also gets
    generator.review.house_rules), sorted; `validate=False` skips openapi-spec-validator."""
    linted = Linted(Spec(document), _validation_errors(document) if validate else [])
    findings: set[Finding] = set()
    for rule in rules:
        try:
            problems = list(rule.check(linted))
        except _SHAPE_ERRORS:
            # The rules read what they check defensively, but an invalid document can still
            # surprise one: it reports that, next to the `spec-invalid` findings that say why.
            # On a valid document the error propagates: a rule must handle every valid shape.
            if not linted.validation_errors:
                raise
            problems = [Problem("", _NOT_CHECKED)]
        findings.update(
            Finding(rule.severity, rule.id, p.operation, None, p.pointer, p.message)
            for p in problems
        )
    return sorted(findings, key=Finding.sort_key)


_SHAPE_ERRORS = (TypeError, AttributeError, KeyError, ValueError, IndexError)
_NOT_CHECKED = "not checked: the document is malformed where this rule reads (see spec-invalid)"
