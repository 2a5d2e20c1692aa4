"""Each kind of change, applied alone to the base spec, yields exactly the expected findings.

A failing case prints its id; the mutation next to it is the whole story.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from review_specs import CREATE, LIST, RETRIEVE, at, base_spec, parameter, ref, schema

from generator.review.diff_rules import RULES
from generator.review.spec_diff import diff_specs

Doc = dict[str, Any]
Mutation = Callable[[Doc], None]
BREAKING, WARNING, INFO = "breaking", "warning", "info"


@dataclass(frozen=True)
class Case:
    id: str
    head: Mutation
    expected: set[tuple[str, str]]
    base: Mutation | None = None


def _set(*keys: Any, value: Any) -> Mutation:
    def apply(doc: Doc) -> None:
        at(doc, *keys[:-1])[keys[-1]] = value

    return apply


def _delete(*keys: Any) -> Mutation:
    def apply(doc: Doc) -> None:
        del at(doc, *keys[:-1])[keys[-1]]

    return apply


def _steps(*mutations: Mutation) -> Mutation:
    def apply(doc: Doc) -> None:
        for mutation in mutations:
            mutation(doc)

    return apply


def _move_path(old: str, new: str) -> Mutation:
    def apply(doc: Doc) -> None:
        doc["paths"][new] = doc["paths"].pop(old)

    return apply


def _move_method(path: str, old: str, new: str) -> Mutation:
    def apply(doc: Doc) -> None:
        doc["paths"][path][new] = doc["paths"][path].pop(old)

    return apply


def _add_parameter(op: tuple[str, ...], **fields: Any) -> Mutation:
    def apply(doc: Doc) -> None:
        at(doc, *op, "parameters").append({"schema": {"type": "string"}, **fields})

    return apply


def _param(op: tuple[str, ...], name: str, *keys: str, value: Any) -> Mutation:
    def apply(doc: Doc) -> None:
        target = parameter(doc, op, name)
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return apply


def _remove_parameter(op: tuple[str, ...], name: str) -> Mutation:
    def apply(doc: Doc) -> None:
        params = at(doc, *op, "parameters")
        params.remove(parameter(doc, op, name))

    return apply


def _field(schema_name: str, field: str, **changes: Any) -> Mutation:
    def apply(doc: Doc) -> None:
        schema(doc, schema_name)["properties"][field].update(changes)

    return apply


def _add_field(schema_name: str, field: str, required: bool = False) -> Mutation:
    def apply(doc: Doc) -> None:
        schema(doc, schema_name)["properties"][field] = {"type": "string"}
        if required:
            schema(doc, schema_name)["required"].append(field)

    return apply


def _rename_schema(old: str, new: str) -> Mutation:
    def apply(doc: Doc) -> None:
        schemas = doc["components"]["schemas"]
        schemas[new] = schemas.pop(old)
        stack: list[Any] = [doc]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if node.get("$ref") == f"#/components/schemas/{old}":
                    node["$ref"] = f"#/components/schemas/{new}"
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)

    return apply


ITEM = "/api/projects/{project_id}/insights/{id}/"
COLLECTION = "/api/projects/{project_id}/insights/"
JSON_BODY = {"application/json": {"schema": ref("InsightRequest")}}

CASES = [
    # operations
    Case("operation-removed", _delete(*RETRIEVE), {(BREAKING, "operation-removed")}),
    Case(
        "operation-added",
        _set("paths", ITEM, "delete", value={"operationId": "insights_destroy", "responses": {}}),
        {(INFO, "operation-added")},
    ),
    Case(
        "path-changed",
        _move_path(ITEM, "/api/projects/{project_id}/insight/{id}/"),
        {(BREAKING, "operation-path-changed")},
    ),
    Case(
        "method-changed",
        _move_method(COLLECTION, "post", "put"),
        {(BREAKING, "operation-method-changed")},
    ),
    Case(
        "operation-id-changed",
        _set(*RETRIEVE, "operationId", value="insights_get"),
        {(BREAKING, "operation-id-changed")},
    ),
    Case(
        "operation-deprecated",
        _set(*RETRIEVE, "deprecated", value=True),
        {(WARNING, "operation-deprecated")},
    ),
    Case(
        "description-changed",
        _set(*LIST, "summary", value="List all insights."),
        {(INFO, "description-changed")},
    ),
    # parameters
    Case(
        "new-required-parameter",
        _add_parameter(LIST, name="mode", required=True, **{"in": "query"}),
        {(BREAKING, "parameter-added-required")},
    ),
    Case(
        "optional-parameter-added",
        _add_parameter(LIST, name="search", **{"in": "query"}),
        {(INFO, "parameter-added")},
    ),
    Case("parameter-removed", _remove_parameter(LIST, "kind"), {(BREAKING, "parameter-removed")}),
    Case(
        "parameter-location-changed",
        _param(LIST, "kind", "in", value="header"),
        {(BREAKING, "parameter-location-changed")},
    ),
    Case(
        "parameter-type-changed",
        _param(LIST, "limit", "schema", "type", value="string"),
        {(BREAKING, "parameter-type-changed")},
    ),
    Case(
        "parameter-made-required",
        _param(LIST, "limit", "required", value=True),
        {(BREAKING, "parameter-made-required")},
    ),
    Case(
        "parameter-enum-value-removed",
        _param(LIST, "kind", "schema", "enum", value=["trends"]),
        {(BREAKING, "parameter-enum-value-removed")},
    ),
    Case(
        "parameter-enum-value-added",
        _param(LIST, "kind", "schema", "enum", value=["trends", "funnels", "paths"]),
        {(INFO, "parameter-enum-value-added")},
    ),
    Case(
        "parameter-default-changed",
        _param(LIST, "limit", "schema", "default", value=20),
        {(WARNING, "parameter-default-changed")},
    ),
    Case(
        "parameter-constraint-tightened",
        _param(LIST, "limit", "schema", "maximum", value=50),
        {(BREAKING, "parameter-constraint-tightened")},
    ),
    # request bodies
    Case(
        "request-field-added-required",
        _add_field("InsightRequest", "query", required=True),
        {(BREAKING, "request-field-added-required")},
    ),
    Case(
        "request-field-added",
        _add_field("InsightRequest", "query"),
        {(INFO, "request-field-added")},
    ),
    Case(
        "request-field-removed",
        _delete("components", "schemas", "InsightRequest", "properties", "description"),
        {(BREAKING, "request-field-removed")},
    ),
    Case(
        "request-field-type-changed",
        _field("InsightRequest", "description", type="integer"),
        {(BREAKING, "request-field-type-changed")},
    ),
    Case(
        "request-field-made-required",
        _set("components", "schemas", "InsightRequest", "required", value=["name", "description"]),
        {(BREAKING, "request-field-made-required")},
    ),
    Case(
        "request-field-nullable-removed",
        _field("InsightRequest", "description", nullable=False),
        {(BREAKING, "request-field-nullable-removed")},
        base=_field("InsightRequest", "description", nullable=True),
    ),
    Case(
        "request-enum-value-removed",
        _set("components", "schemas", "ResultKindEnum", "enum", value=["trends"]),
        {(BREAKING, "request-enum-value-removed")},
    ),
    Case(
        "request-default-changed",
        _field("InsightRequest", "description", default="untitled"),
        {(WARNING, "request-default-changed")},
    ),
    Case(
        "request-constraint-tightened",
        _field("InsightRequest", "name", maxLength=200),
        {(BREAKING, "request-constraint-tightened")},
    ),
    Case(
        "request-variant-removed",
        _steps(
            _delete("components", "schemas", "Filters", "oneOf", 1),
        ),
        {(BREAKING, "request-variant-removed")},
    ),
    Case(
        "request-content-type-changed",
        _set(
            *CREATE,
            "requestBody",
            "content",
            value={"multipart/form-data": JSON_BODY["application/json"]},
        ),
        {(BREAKING, "request-content-type-removed"), (INFO, "request-content-type-added")},
    ),
    Case(
        "request-body-added-required",
        _set(*RETRIEVE, "requestBody", value={"required": True, "content": JSON_BODY}),
        {(BREAKING, "request-body-added-required")},
    ),
    Case(
        "request-body-added",
        _set(*RETRIEVE, "requestBody", value={"content": JSON_BODY}),
        {(INFO, "request-body-added")},
    ),
    Case(
        "request-body-removed",
        _delete(*CREATE, "requestBody"),
        {(BREAKING, "request-body-removed")},
    ),
    Case(
        "request-body-made-required",
        _set(*CREATE, "requestBody", "required", value=True),
        {(BREAKING, "request-body-made-required")},
        base=_set(*CREATE, "requestBody", "required", value=False),
    ),
    # responses
    Case(
        "response-field-removed",
        _delete("components", "schemas", "UserBasic", "properties", "first_name"),
        {(BREAKING, "response-field-removed")},
    ),
    Case(
        "response-field-added",
        _add_field("Insight", "tags"),
        {(INFO, "response-field-added")},
    ),
    Case(
        "response-field-type-changed",
        _field("Insight", "name", type="integer", example=1),
        {(BREAKING, "response-field-type-changed")},
    ),
    Case(
        "response-field-made-nullable",
        _field("Insight", "name", nullable=True),
        {(BREAKING, "response-field-made-nullable")},
    ),
    Case(
        "response-field-made-optional",
        _set(
            "components",
            "schemas",
            "Insight",
            "required",
            value=["id", "result_kind", "created_by"],
        ),
        {(BREAKING, "response-field-made-optional")},
    ),
    Case(
        "response-enum-value-added",
        _set(
            "components", "schemas", "ResultKindEnum", "enum", value=["trends", "funnels", "paths"]
        ),
        {(WARNING, "response-enum-value-added"), (INFO, "request-enum-value-added")},
    ),
    Case(
        "response-variant-added",
        lambda doc: schema(doc, "Filters")["oneOf"].append({"type": "object"}),
        {(WARNING, "response-variant-added")},
    ),
    Case(
        "response-default-changed",
        _field("Insight", "description", default="none"),
        {(INFO, "response-default-changed")},
    ),
    Case(
        "success-status-removed",
        _set(*RETRIEVE, "responses", value={"404": {"description": "Not found"}}),
        {(BREAKING, "success-status-removed")},
    ),
    Case(
        "success-status-changed",
        lambda doc: at(doc, *CREATE, "responses").update(
            {"200": at(doc, *CREATE, "responses").pop("201")}
        ),
        {(BREAKING, "success-status-changed")},
    ),
    Case(
        "response-content-type-removed",
        _set(
            *RETRIEVE,
            "responses",
            "200",
            "content",
            value={"text/csv": {"schema": {"type": "string"}}},
        ),
        {(BREAKING, "response-content-type-removed")},
    ),
    # security, servers, components
    Case(
        "security-scope-added",
        _set(*LIST, "security", value=[{"PersonalAPIKeyAuth": ["insight:read", "insight:admin"]}]),
        {(BREAKING, "security-scope-added")},
    ),
    Case(
        "security-scope-changed",
        _set(*LIST, "security", value=[{"PersonalAPIKeyAuth": ["insight:list"]}]),
        {(BREAKING, "security-scope-changed")},
    ),
    Case(
        "security-scope-removed",
        _set(*LIST, "security", value=[{"PersonalAPIKeyAuth": []}]),
        {(INFO, "security-scope-removed")},
    ),
    Case(
        "security-requirement-added",
        _set(*LIST, "security", value=[{"PersonalAPIKeyAuth": ["insight:read"]}]),
        {(BREAKING, "security-requirement-added")},
        base=_set(*LIST, "security", value=[]),
    ),
    Case(
        "security-scheme-replaced",
        _steps(
            _set(
                "components", "securitySchemes", "OAuth", value={"type": "http", "scheme": "basic"}
            ),
            _set(*LIST, "security", value=[{"OAuth": ["insight:read"]}]),
        ),
        {(BREAKING, "security-scheme-removed"), (INFO, "security-scheme-added")},
    ),
    Case(
        "server-url-removed", lambda doc: doc["servers"].pop(), {(BREAKING, "server-url-removed")}
    ),
    Case(
        "server-url-added",
        lambda doc: doc["servers"].append({"url": "https://eu2.posthog.com"}),
        {(INFO, "server-url-added")},
    ),
    Case("schema-renamed", _rename_schema("TeamBasic", "Team"), {(BREAKING, "schema-renamed")}),
    Case(
        "schema-removed",
        _delete("components", "schemas", "Legacy"),
        {(BREAKING, "schema-removed")},
        base=_set("components", "schemas", "Legacy", value={"type": "object"}),
    ),
    Case(
        "schema-added",
        _set("components", "schemas", "Dashboard", value={"type": "object"}),
        {(INFO, "schema-added")},
    ),
]


def _diff(case: Case) -> set[tuple[str, str]]:
    base, head = base_spec(), base_spec()
    if case.base:
        case.base(base)
        case.base(head)
    case.head(head)
    return {(f.severity.value, f.rule) for f in diff_specs(base, head)}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_change_is_classified(case: Case) -> None:
    assert _diff(case) == case.expected


def test_every_rule_has_a_case() -> None:
    covered = {rule for case in CASES for _, rule in case.expected}
    assert covered == set(RULES)


def test_identical_specs_have_no_findings() -> None:
    assert diff_specs(base_spec(), base_spec()) == []


def test_shared_schema_change_is_reported_once_per_operation() -> None:
    """UserBasic is reached twice per Insight and through a cycle; three operations return it."""
    head = base_spec()
    del schema(head, "UserBasic")["properties"]["first_name"]
    findings = diff_specs(base_spec(), head)
    assert [f.operation for f in findings] == [
        "GET /api/projects/{project_id}/insights/ (insights_list)",
        "GET /api/projects/{project_id}/insights/{id}/ (insights_retrieve)",
        "POST /api/projects/{project_id}/insights/ (insights_create)",
    ]
    assert {f.base_pointer for f in findings} == {
        "/components/schemas/UserBasic/properties/first_name"
    }
    assert findings[0].message == "response field `UserBasic.first_name` was removed"


def test_finding_names_operation_and_both_pointers() -> None:
    head = base_spec()
    parameter(head, LIST, "limit")["schema"]["type"] = "string"
    (finding,) = diff_specs(base_spec(), head)
    assert finding.operation == "GET /api/projects/{project_id}/insights/ (insights_list)"
    pointer = "/paths/~1api~1projects~1{project_id}~1insights~1/get/parameters/1/schema"
    assert (finding.base_pointer, finding.head_pointer) == (pointer, pointer)
    assert finding.message == "parameter `limit` type changed from integer to string"


def test_path_change_is_one_finding_with_both_pointers() -> None:
    head = base_spec()
    head["paths"]["/api/projects/{project_id}/insight/{id}/"] = head["paths"].pop(ITEM)
    (finding,) = diff_specs(base_spec(), head)
    assert finding.base_pointer == "/paths/~1api~1projects~1{project_id}~1insights~1{id}~1/get"
    assert finding.head_pointer == "/paths/~1api~1projects~1{project_id}~1insight~1{id}~1/get"


def test_readonly_request_fields_are_ignored() -> None:
    """A readOnly field is never sent, so removing it from a request schema breaks nothing."""
    base, head = base_spec(), base_spec()
    schema(base, "InsightRequest")["properties"]["id"] = {"type": "integer", "readOnly": True}
    assert diff_specs(base, head) == []


def test_nullable_3_1_type_list_is_made_nullable() -> None:
    base, head = base_spec(), base_spec()
    for doc in (base, head):
        doc["openapi"] = "3.1.0"
    schema(head, "Insight")["properties"]["description"]["type"] = ["string", "null"]
    assert {f.rule for f in diff_specs(base, head)} == {"response-field-made-nullable"}
