"""Each lint rule: one minimal failing spec (the clean spec plus one mutation) and its pointer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from review_specs import CREATE, LIST, RETRIEVE, at, base_spec, parameter, schema

from generator.review.lint import LINT_RULES, lint_spec

Doc = dict[str, Any]
ITEM = "/api/projects/{project_id}/insights/{id}/"
LIST_POINTER = "/paths/~1api~1projects~1{project_id}~1insights~1/get"
RETRIEVE_POINTER = "/paths/~1api~1projects~1{project_id}~1insights~1{id}~1/get"
JSON_BODY = {"application/json": {"schema": {"type": "object"}}}


@dataclass(frozen=True)
class Case:
    rule: str
    mutate: Callable[[Doc], None]
    pointer: str


def _set(*keys: Any, value: Any) -> Callable[[Doc], None]:
    def apply(doc: Doc) -> None:
        at(doc, *keys[:-1])[keys[-1]] = value

    return apply


def _delete(*keys: Any) -> Callable[[Doc], None]:
    def apply(doc: Doc) -> None:
        del at(doc, *keys[:-1])[keys[-1]]

    return apply


def _unslash_item(doc: Doc) -> None:
    doc["paths"][ITEM.rstrip("/")] = doc["paths"].pop(ITEM)


def _add_path_parameter(doc: Doc) -> None:
    at(doc, *LIST, "parameters").append(
        {"name": "org_id", "in": "path", "required": True, "schema": {"type": "string"}}
    )


def _drop_id_parameter(doc: Doc) -> None:
    params = at(doc, *RETRIEVE, "parameters")
    params.remove(parameter(doc, RETRIEVE, "id"))


def _readonly_required(doc: Doc) -> None:
    request = schema(doc, "InsightRequest")
    request["properties"]["id"] = {"type": "integer", "readOnly": True}
    request["required"].append("id")


def _nullable_in_31(doc: Doc) -> None:
    doc["openapi"] = "3.1.0"
    schema(doc, "Insight")["nullable"] = True


def _media_example(doc: Doc) -> None:
    """Valid shape except a nested Insight misses `name`: only resolving `$ref`s catches it."""
    media = at(doc, *LIST, "responses", "200", "content", "application/json")
    insight = {"id": 1, "result_kind": "trends", "created_by": {"id": 1, "email": "a@b.c"}}
    media["examples"] = {"one": {"value": {"results": [insight]}}}


CASES = [
    Case("spec-invalid", _delete("info", "version"), "/info"),
    Case("operation-id-missing", _delete(*LIST, "operationId"), LIST_POINTER),
    Case(
        "operation-id-duplicate",
        _set(*RETRIEVE, "operationId", value="insights_list"),
        f"{RETRIEVE_POINTER}/operationId",
    ),
    Case(
        "operation-id-not-snake-case",
        _set(*LIST, "operationId", value="insightsList"),
        f"{LIST_POINTER}/operationId",
    ),
    Case("operation-tag-missing", _delete(*LIST, "tags"), LIST_POINTER),
    Case("operation-summary-missing", _set(*LIST, "summary", value=" "), LIST_POINTER),
    Case(
        "operation-scope-missing",
        _set(*LIST, "security", value=[{"PersonalAPIKeyAuth": []}]),
        LIST_POINTER,
    ),
    Case("path-parameter-undeclared", _drop_id_parameter, RETRIEVE_POINTER),
    Case("path-parameter-unused", _add_path_parameter, f"{LIST_POINTER}/parameters/3"),
    Case(
        "path-trailing-slash-inconsistent",
        _unslash_item,
        "/paths/~1api~1projects~1{project_id}~1insights~1{id}",
    ),
    Case(
        "example-invalid",
        _set("components", "schemas", "Insight", "properties", "name", "example", value=7),
        "/components/schemas/Insight/properties/name/example",
    ),
    Case(
        "component-unused",
        _set("components", "schemas", "Legacy", value={"type": "object"}),
        "/components/schemas/Legacy",
    ),
    Case(
        "enum-duplicate-value",
        _set("components", "schemas", "ResultKindEnum", "enum", value=["trends", "trends"]),
        "/components/schemas/ResultKindEnum/enum",
    ),
    Case(
        "response-schema-missing",
        _delete(*RETRIEVE, "responses", "200", "content"),
        f"{RETRIEVE_POINTER}/responses/200",
    ),
    Case(
        "request-readonly-required",
        _readonly_required,
        "/components/schemas/InsightRequest/properties/id",
    ),
    Case("schema-nullable-keyword", _nullable_in_31, "/components/schemas/Insight/nullable"),
    Case(
        "security-scheme-undefined",
        _set(*LIST, "security", value=[{"ApiKey": ["insight:read"]}]),
        f"{LIST_POINTER}/security/0/ApiKey",
    ),
    Case(
        "response-204-content",
        _set(*RETRIEVE, "responses", "204", value={"description": "gone", "content": JSON_BODY}),
        f"{RETRIEVE_POINTER}/responses/204/content",
    ),
]


def test_clean_spec_has_no_findings() -> None:
    assert lint_spec(base_spec()) == []


@pytest.mark.parametrize("case", CASES, ids=[case.rule for case in CASES])
def test_rule_reports_exactly_its_problem(case: Case) -> None:
    doc = base_spec()
    case.mutate(doc)
    findings = lint_spec(doc)
    assert [(f.rule, f.head_pointer) for f in findings] == [(case.rule, case.pointer)]


def test_every_rule_has_a_case() -> None:
    assert {case.rule for case in CASES} == {rule.id for rule in LINT_RULES}


def test_example_in_media_type_is_checked_through_refs() -> None:
    doc = base_spec()
    _media_example(doc)
    (finding,) = lint_spec(doc)
    assert finding.rule == "example-invalid"
    assert "'name' is a required property" in finding.message
    assert finding.head_pointer.endswith("/content/application~1json/examples/one/value")


def test_example_3_1_uses_draft_2020_12() -> None:
    doc = base_spec()
    doc["openapi"] = "3.1.0"
    name = schema(doc, "Insight")["properties"]["name"]
    name.update(type=["string", "null"], examples=[None, "ok", 5])
    del name["example"]
    findings = lint_spec(doc)
    assert [(f.rule, f.head_pointer) for f in findings] == [
        ("example-invalid", "/components/schemas/Insight/properties/name/examples/2")
    ]


def test_explicitly_public_operation_needs_no_scope() -> None:
    doc = base_spec()
    at(doc, *LIST)["security"] = []
    assert lint_spec(doc) == []


def test_unused_component_found_transitively() -> None:
    """A schema used only by an unused schema is unused too."""
    doc = base_spec()
    doc["components"]["schemas"]["Old"] = {
        "type": "object",
        "properties": {"x": {"$ref": "#/components/schemas/Older"}},
    }
    doc["components"]["schemas"]["Older"] = {"type": "object"}
    rules = {(f.rule, f.head_pointer) for f in lint_spec(doc)}
    assert rules == {
        ("component-unused", "/components/schemas/Old"),
        ("component-unused", "/components/schemas/Older"),
    }


def test_readonly_required_is_ignored_in_responses() -> None:
    doc = base_spec()
    assert "id" in schema(doc, "Insight")["required"]  # readOnly + required, response only
    assert [f for f in lint_spec(doc) if f.rule == "request-readonly-required"] == []
    at(doc, *CREATE, "requestBody", "content", "application/json")["schema"] = {
        "$ref": "#/components/schemas/Insight"
    }
    assert "request-readonly-required" in {f.rule for f in lint_spec(doc)}


@pytest.mark.parametrize(
    "doc",
    [
        {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": []},
        {"openapi": "3.0.3", "paths": {"/x/": {"get": {"parameters": "bad", "responses": []}}}},
        {"openapi": "3.1.0", "paths": {}, "components": {"schemas": {"A": "not a schema"}}},
        {
            "openapi": "3.0.3",
            "paths": {"/x/": {"post": {"requestBody": {"content": {"a/b": {"schema": []}}}}}},
            "components": {"schemas": {"B": {"properties": [], "required": "x", "allOf": {}}}},
        },
    ],
    ids=["paths-list", "parameters-string", "schema-string", "odd-schema-shapes"],
)
def test_malformed_documents_are_reported_not_crashed_on(doc: Doc) -> None:
    assert "spec-invalid" in {f.rule for f in lint_spec(doc)}
