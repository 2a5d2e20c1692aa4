"""The house rules of spec/posthog.yaml: how this project writes its OpenAPI document.

The generic rules (generator.review.lint_rules) hold for any spec; these encode the conventions
the header of spec/posthog.yaml states (DRF pages, one tag per operation, `<tag>_<action>` ids,
scoped personal API keys, documented error responses), so a new or changed operation that
breaks one is reported by `posthog-codegen lint` (which `make test` runs) at the node to fix.
`lint --rules openapi` leaves them out, for other specs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from generator.review.document import Operation, as_list, as_mapping, child
from generator.review.lint_context import ERROR, WARNING, Linted, LintRule, Problem
from generator.review.lint_rules import LINT_RULES, SNAKE_CASE

SCOPE = re.compile(r"^[a-z_]+:(read|write)$")
PAGINATION_KEYS = frozenset({"count", "next", "previous", "results"})
PAGINATED_NAME = re.compile(r"^Paginated\w+List$")
# Every operation documents these; plus 404 on a path with `{id}`, 400 when it takes a body.
ALWAYS_DOCUMENTED = ("401", "403", "429")


def _tags(linted: Linted) -> dict[str, tuple[str, Mapping[str, Any]]]:
    """Declared tag name -> (pointer, tag object)."""
    found = {}
    for index, tag in enumerate(as_list(linted.spec.doc.get("tags"))):
        tag = as_mapping(tag)
        if isinstance(tag.get("name"), str):
            found[tag["name"]] = (child("/tags", index), tag)
    return found


def openapi_version(linted: Linted) -> Iterator[Problem]:
    version = str(linted.spec.doc.get("openapi", ""))
    if not version.startswith("3.1."):
        yield Problem("/openapi", f"the project's spec is OpenAPI 3.1, not {version or '?'}")


def operation_tags_not_one(linted: Linted) -> Iterator[Problem]:
    for op in linted.operations:
        tags = as_list(op.node.get("tags"))
        if len(tags) > 1:  # none at all: operation-tag-missing
            message = f"operation has {len(tags)} tags; one tag = one client resource group"
            yield Problem(child(op.pointer, "tags"), message, op.label)


def operation_tag_undeclared(linted: Linted) -> Iterator[Problem]:
    declared = _tags(linted)
    for op in linted.operations:
        for index, tag in enumerate(as_list(op.node.get("tags"))):
            if not isinstance(tag, str) or tag not in declared:
                message = f"tag `{tag}` is not declared in the top-level `tags` list"
                yield Problem(child(op.pointer, "tags", index), message, op.label)


def tag_not_snake_case(linted: Linted) -> Iterator[Problem]:
    for name, (pointer, _tag) in _tags(linted).items():
        if not SNAKE_CASE.match(name):
            yield Problem(child(pointer, "name"), f"tag `{name}` is not snake_case")


def tag_unused(linted: Linted) -> Iterator[Problem]:
    used = {
        tag
        for op in linted.operations
        for tag in as_list(op.node.get("tags"))
        if isinstance(tag, str)
    }
    for name, (pointer, _tag) in _tags(linted).items():
        if name not in used:
            yield Problem(pointer, f"tag `{name}` is declared but no operation uses it")


def tag_description_missing(linted: Linted) -> Iterator[Problem]:
    for name, (pointer, tag) in _tags(linted).items():
        if not str(tag.get("description") or "").strip():
            yield Problem(pointer, f"tag `{name}` has no description (it becomes the docstring)")


def operation_id_tag_prefix(linted: Linted) -> Iterator[Problem]:
    for op in linted.operations:
        tags = as_list(op.node.get("tags"))
        if not op.operation_id or not tags:
            continue
        prefix = f"{tags[0]}_"
        if not op.operation_id.startswith(prefix) or op.operation_id == prefix:
            message = f"operationId `{op.operation_id}` is not `{prefix}<action>`"
            yield Problem(child(op.pointer, "operationId"), message, op.label)


def operation_description_missing(linted: Linted) -> Iterator[Problem]:
    for op in linted.operations:
        if not str(op.node.get("description") or "").strip():
            yield Problem(op.pointer, "operation has no description", op.label)


def operation_security_missing(linted: Linted) -> Iterator[Problem]:
    """Each operation states its own requirement; `{}` or `[]` would make it anonymous."""
    for op in linted.operations:
        requirements = as_list(op.node.get("security"))
        if not requirements:
            yield Problem(op.pointer, "operation has no `security` requirement", op.label)
        for index, requirement in enumerate(requirements):
            if not as_mapping(requirement):
                message = "an empty security requirement makes the operation anonymous"
                yield Problem(child(op.pointer, "security", index), message, op.label)


def _scopes(op: Operation) -> Iterator[tuple[str, Any]]:
    for index, requirement in enumerate(as_list(op.node.get("security"))):
        for name, scopes in as_mapping(requirement).items():
            yield child(op.pointer, "security", index, name), scopes


def operation_scope_format(linted: Linted) -> Iterator[Problem]:
    for op in linted.operations:
        for pointer, scopes in _scopes(op):
            for index, scope in enumerate(as_list(scopes)):
                if not isinstance(scope, str) or not SCOPE.match(scope):
                    message = f"scope {scope!r} is not `<object>:read` or `<object>:write`"
                    yield Problem(child(pointer, index), message, op.label)


def operation_scopes_undocumented(linted: Linted) -> Iterator[Problem]:
    for op in linted.operations:
        if op.node.get("x-scopes-undocumented") is not True:
            continue
        for pointer, scopes in _scopes(op):
            if as_list(scopes):
                message = "`x-scopes-undocumented: true` but the requirement lists scopes"
                yield Problem(pointer, message, op.label)


def _responses(op: Operation) -> Mapping[str, Any]:
    return {str(code): value for code, value in as_mapping(op.node.get("responses")).items()}


def operation_success_missing(linted: Linted) -> Iterator[Problem]:
    """A 2xx, or (an action the API refuses, like deleting an annotation) a 405."""
    for op in linted.operations:
        codes = _responses(op)
        if not any(code.startswith("2") for code in codes) and "405" not in codes:
            message = "operation documents no 2xx response (nor the 405 of a refused action)"
            yield Problem(child(op.pointer, "responses"), message, op.label)


def operation_error_response_missing(linted: Linted) -> Iterator[Problem]:
    for op in linted.operations:
        codes = _responses(op)
        wanted = list(ALWAYS_DOCUMENTED)
        if "{id}" in op.path:
            wanted.append("404")
        if "requestBody" in op.node:
            wanted.append("400")
        for code in wanted:
            if code not in codes:
                message = f"missing {code} response (use `$ref: '#/components/responses/...'`)"
                yield Problem(child(op.pointer, "responses"), message, op.label)


def response_json_missing(linted: Linted) -> Iterator[Problem]:
    for op in linted.operations:
        for code, raw in _responses(op).items():
            if not code.startswith("2") or code in ("204", "205"):
                continue
            pointer, response = linted.resolve(child(op.pointer, "responses", code), raw)
            if "application/json" not in as_mapping(as_mapping(response).get("content")):
                message = f"{code} response has no `application/json` content"
                yield Problem(pointer, message, op.label)


def path_prefix(linted: Linted) -> Iterator[Problem]:
    for path in as_mapping(linted.spec.doc.get("paths")):
        if not str(path).startswith("/api/"):
            yield Problem(child("/paths", path), "path does not start with `/api/`")


def _json_body(linted: Linted, op: Operation) -> tuple[str, Mapping[str, Any], Any] | None:
    """(body pointer, body, JSON media node) of an operation's request body."""
    if "requestBody" not in op.node:
        return None
    pointer, body = linted.resolve(child(op.pointer, "requestBody"), op.node["requestBody"])
    media = as_mapping(as_mapping(body).get("content")).get("application/json")
    return pointer, as_mapping(body), media


def request_body_not_ref(linted: Linted) -> Iterator[Problem]:
    for op in linted.operations:
        found = _json_body(linted, op)
        if found is None:
            continue
        pointer, _body, media = found
        if not isinstance(as_mapping(media).get("schema"), Mapping):
            message = "request body has no `application/json` schema"
            yield Problem(pointer, message, op.label)
        elif "$ref" not in media["schema"]:
            message = "request body schema is inline: refer to a `*Request` component"
            yield Problem(
                child(pointer, "content", "application/json", "schema"), message, op.label
            )


def request_body_not_required(linted: Linted) -> Iterator[Problem]:
    """A POST whose schema has required fields cannot be sent without a body."""
    for op in linted.operations:
        found = _json_body(linted, op)
        if found is None or op.method != "post":
            continue
        pointer, body, media = found
        schema = linted.resolve("", as_mapping(media).get("schema"))[1]
        if as_list(as_mapping(schema).get("required")) and body.get("required") is not True:
            message = "request body has required fields but is not `required: true`"
            yield Problem(pointer, message, op.label)


def request_readonly_field(linted: Linted) -> Iterator[Problem]:
    """Request schemas (`*Request`) carry only what a client may send."""
    reported: set[str] = set()
    for op in linted.operations:
        found = _json_body(linted, op)
        if found is None:
            continue
        pending = [linted.resolve("", as_mapping(found[2]).get("schema"))]
        seen: set[str] = set()
        while pending:
            pointer, schema = pending.pop()
            if pointer in seen or not isinstance(schema, Mapping):
                continue
            seen.add(pointer)
            for name, prop in as_mapping(schema.get("properties")).items():
                prop_pointer = child(pointer, "properties", name)
                if as_mapping(prop).get("readOnly") and prop_pointer not in reported:
                    reported.add(prop_pointer)
                    message = f"readOnly field `{name}` in a request body schema"
                    yield Problem(prop_pointer, message, op.label)
                pending.append(linted.resolve(prop_pointer, prop))
            for keyword in ("oneOf", "anyOf", "allOf"):
                for index, sub in enumerate(as_list(schema.get(keyword))):
                    pending.append(linted.resolve(child(pointer, keyword, index), sub))
            if isinstance(schema.get("items"), Mapping):
                pending.append(linted.resolve(child(pointer, "items"), schema["items"]))


def paginated_schema_shape(linted: Linted) -> Iterator[Problem]:
    """`Paginated<Model>List` is DRF's limit/offset page: the client's pager relies on it."""
    for name, schema in linted.spec.components("schemas").items():
        if not str(name).startswith("Paginated"):
            continue
        problems = list(_page_problems(str(name), as_mapping(schema)))
        if problems:
            message = f"`{name}` is not a DRF page: {'; '.join(problems)}"
            yield Problem(child("/components/schemas", name), message)


def _page_problems(name: str, schema: Mapping[str, Any]) -> Iterator[str]:
    properties = as_mapping(schema.get("properties"))
    if not PAGINATED_NAME.match(name):
        yield "the name is not `Paginated<Model>List`"
    if set(properties) != PAGINATION_KEYS:
        yield f"properties are {sorted(properties)}, not count/next/previous/results"
    required = {name for name in as_list(schema.get("required")) if isinstance(name, str)}
    if not {"count", "results"} <= required:
        yield "`count` and `results` are not required"
    if as_mapping(properties.get("count")).get("type") != "integer":
        yield "`count` is not an integer"
    for key in ("next", "previous"):
        link = as_mapping(properties.get(key))
        if link.get("type") != ["string", "null"] or link.get("format") != "uri":
            yield f'`{key}` is not `type: [string, "null"], format: uri`'
    results = as_mapping(properties.get("results"))
    if results.get("type") != "array" or "$ref" not in as_mapping(results.get("items")):
        yield "`results` is not an array of a `$ref`"


def pagination_parameters(linted: Linted) -> Iterator[Problem]:
    """A page takes limit and offset; a list that takes them returns a page."""
    for op in linted.operations:
        names = {str(as_mapping(node[1]).get("name")) for node in linted.parameters(op)}
        takes_page = "limit" in names
        if takes_page != ("offset" in names):
            message = "takes one of `limit`/`offset` without the other"
            yield Problem(op.pointer, message, op.label)
            continue
        media = as_mapping(
            as_mapping(as_mapping(_responses(op).get("200")).get("content")).get("application/json")
        )
        ref = str(as_mapping(media.get("schema")).get("$ref", ""))
        returns_page = ref.startswith("#/components/schemas/Paginated")
        if takes_page != returns_page and "x-docs-differ" not in op.node:
            message = (
                "takes limit/offset but does not return a `Paginated...List`"
                if takes_page
                else "returns a page but takes no limit/offset"
            )
            yield Problem(
                op.pointer, message + " (an `x-docs-differ` note explains exceptions)", op.label
            )


def enum_type_missing(linted: Linted) -> Iterator[Problem]:
    """An enum says what type its values are, and they are of it (it becomes a Python Enum)."""
    checks = {"string": str, "integer": int}
    for pointer, schema in linted.schemas:
        values = as_list(schema.get("enum"))
        if not values:
            continue
        types = schema.get("type")
        types = [types] if isinstance(types, str) else as_list(types)
        main = [t for t in types if t != "null"]
        if len(main) != 1 or main[0] not in checks:
            yield Problem(pointer, "an enum declares no `type: string` or `type: integer`")
            continue
        wanted = checks[main[0]]
        for index, value in enumerate(values):
            if value is None and "null" in types:
                continue
            if not isinstance(value, wanted) or isinstance(value, bool):
                message = f"enum value {value!r} is not of type {main[0]}"
                yield Problem(child(pointer, "enum", index), message)


def parameter_example_missing(linted: Linted) -> Iterator[Problem]:
    """Fixtures and docs take each parameter's example; none would be synthesised."""
    for pointer, parameter in linted.parameter_objects:
        if "example" not in parameter and "examples" not in parameter:
            name = parameter.get("name", "?")
            yield Problem(pointer, f"parameter `{name}` has no example")


def media_type_examples_plural(linted: Linted) -> Iterator[Problem]:
    """The project writes one `example` per media type: it is the fixture, as-is."""
    for pointer, media in linted.media_objects:
        if "examples" in media:
            message = "media type uses `examples`; write the one fixture body as `example`"
            yield Problem(child(pointer, "examples"), message)


HOUSE_RULES: tuple[LintRule, ...] = (
    LintRule("openapi-version", WARNING, "the document is not OpenAPI 3.1", openapi_version),
    LintRule(
        "operation-tags-not-one", ERROR, "operation with several tags", operation_tags_not_one
    ),
    LintRule(
        "operation-tag-undeclared",
        WARNING,
        "operation tag missing from the top-level `tags`",
        operation_tag_undeclared,
    ),
    LintRule("tag-not-snake-case", WARNING, "tag name is not snake_case", tag_not_snake_case),
    LintRule("tag-unused", WARNING, "declared tag no operation uses", tag_unused),
    LintRule(
        "tag-description-missing", WARNING, "tag without description", tag_description_missing
    ),
    LintRule(
        "operation-id-tag-prefix",
        WARNING,
        "operationId is not `<tag>_<action>`",
        operation_id_tag_prefix,
    ),
    LintRule(
        "operation-description-missing",
        WARNING,
        "operation without description",
        operation_description_missing,
    ),
    LintRule(
        "operation-security-missing",
        ERROR,
        "operation without its own non-empty `security` requirement",
        operation_security_missing,
    ),
    LintRule(
        "operation-scope-format",
        WARNING,
        "scope not written `<object>:read|write`",
        operation_scope_format,
    ),
    LintRule(
        "operation-scopes-undocumented",
        WARNING,
        "`x-scopes-undocumented` operation that lists scopes",
        operation_scopes_undocumented,
    ),
    LintRule(
        "operation-success-missing",
        ERROR,
        "operation without a 2xx (or 405) response",
        operation_success_missing,
    ),
    LintRule(
        "operation-error-response-missing",
        WARNING,
        "operation missing 401/403/429 (404 with `{id}`, 400 with a body)",
        operation_error_response_missing,
    ),
    LintRule(
        "response-json-missing",
        WARNING,
        "2xx response (other than 204/205) without `application/json`",
        response_json_missing,
    ),
    LintRule("path-prefix", WARNING, "path outside `/api/`", path_prefix),
    LintRule(
        "request-body-not-ref",
        WARNING,
        "JSON request body schema is not a `$ref`",
        request_body_not_ref,
    ),
    LintRule(
        "request-body-not-required",
        WARNING,
        "POST body with required fields is not `required: true`",
        request_body_not_required,
    ),
    LintRule(
        "request-readonly-field",
        WARNING,
        "readOnly field in a request-body schema",
        request_readonly_field,
    ),
    LintRule(
        "paginated-schema-shape",
        ERROR,
        "`Paginated*` schema is not DRF's count/next/previous/results page",
        paginated_schema_shape,
    ),
    LintRule(
        "pagination-parameters",
        WARNING,
        "limit/offset without a page, or a page without limit/offset",
        pagination_parameters,
    ),
    LintRule(
        "enum-type-missing",
        WARNING,
        "enum without `type: string|integer`, or a value of another type",
        enum_type_missing,
    ),
    LintRule(
        "parameter-example-missing",
        WARNING,
        "parameter without an example",
        parameter_example_missing,
    ),
    LintRule(
        "media-type-examples-plural",
        WARNING,
        "media type with `examples` instead of one `example`",
        media_type_examples_plural,
    ),
)

# `lint --rules`: the project's spec gets both; any other spec the generic ones.
RULE_SETS: dict[str, tuple[LintRule, ...]] = {
    "posthog": LINT_RULES + HOUSE_RULES,
    "openapi": LINT_RULES,
}
