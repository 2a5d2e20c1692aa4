"""The generic lint rules: what any OpenAPI document needs to make a good Python client.

Each rule is a small function registered in `LINT_RULES` with its id and severity; it reads the
shared indexes of generator.review.lint_context and yields `Problem`s at the node to fix.
generator.review.house_rules adds the conventions of this project's own spec.

Opt-out, by design: an operation that sets `security: []` itself is deliberately public and is
not asked for a scope.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from generator.review.document import (
    Operation,
    as_list,
    as_mapping,
    canonical,
    child,
    component_of,
    media_types,
)
from generator.review.lint_context import ERROR, WARNING, Linted, LintRule, Problem
from generator.spec.examples import example_problems
from generator.spec.refs import collect_refs

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
        if not as_list(op.node.get("tags")):
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
            as_list(scopes)
            for requirement in as_list(requirements)
            for scopes in as_mapping(requirement).values()
        )
        if not scoped:
            message = "operation has no security requirement with a scope"
            yield Problem(op.pointer, message, op.label)


def security_scheme_undefined(linted: Linted) -> Iterator[Problem]:
    schemes = linted.spec.components("securitySchemes")
    owners = [("", linted.spec.doc, "")] + [
        (op.pointer, op.node, op.label) for op in linted.operations
    ]
    for pointer, owner, label in owners:
        for index, requirement in enumerate(as_list(owner.get("security"))):
            for name in as_mapping(requirement):
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
    paths = [path for path in as_mapping(linted.spec.doc.get("paths")) if path != "/"]
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
        counts = Counter(canonical(value) for value in as_list(schema.get("enum")))
        duplicated = sorted(text for text, count in counts.items() if count > 1)
        if duplicated:
            yield Problem(child(pointer, "enum"), f"enum repeats {', '.join(duplicated)}")


def component_unused(linted: Linted) -> Iterator[Problem]:
    """Components unreachable from paths, webhooks or security requirements."""
    outside = {key: value for key, value in linted.spec.doc.items() if key != "components"}
    used: set[tuple[str, str]] = set()
    pending = list(collect_refs(outside))
    while pending:
        key = component_of(pending.pop())
        if key is None or key in used:
            continue
        used.add(key)
        pending.extend(collect_refs(linted.spec.components(key[0]).get(key[1])))
    for kind in COMPONENT_KINDS:
        for name in linted.spec.components(kind):
            if (kind, name) not in used:
                yield Problem(child("/components", kind, name), f"{kind} `{name}` is never used")
    schemes_used = {
        scheme
        for owner in (linted.spec.doc, *(op.node for op in linted.operations))
        for requirement in as_list(owner.get("security"))
        for scheme in as_mapping(requirement)
    }
    for name in linted.spec.components("securitySchemes"):
        if name not in schemes_used:
            pointer = child("/components/securitySchemes", name)
            yield Problem(pointer, f"security scheme `{name}` is never used")


# --- responses and request bodies -----------------------------------------------------------


def response_schema_missing(linted: Linted) -> Iterator[Problem]:
    for op in linted.operations:
        if op.method == "head":
            continue
        for code, raw in as_mapping(op.node.get("responses")).items():
            if not str(code).startswith("2") or str(code) in {"204", "205"}:
                continue
            pointer, response = linted.resolve(child(op.pointer, "responses", code), raw)
            content = as_mapping(as_mapping(response).get("content"))
            if not content or any("schema" not in as_mapping(media) for media in content.values()):
                yield Problem(pointer, f"{code} response has no schema", op.label)


def response_204_content(linted: Linted) -> Iterator[Problem]:
    """A 204 has no body by definition (RFC 9110): content there is never sent."""
    for op in linted.operations:
        raw = as_mapping(op.node.get("responses")).get("204")
        pointer, response = linted.resolve(child(op.pointer, "responses", "204"), raw)
        if as_mapping(response).get("content"):
            yield Problem(child(pointer, "content"), "a 204 response has no body", op.label)


def request_readonly_required(linted: Linted) -> Iterator[Problem]:
    """Required readOnly fields would force clients to send what the server ignores."""
    reported: set[str] = set()
    for op in linted.operations:
        body = linted.resolve(child(op.pointer, "requestBody"), op.node.get("requestBody"))
        stack = [
            linted.views.view((child(pointer, "schema"), media["schema"]))
            for pointer, media in media_types(body).values()
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
