"""Each house rule (the project's own conventions): one minimal breach and where it is reported.

The base is review_specs.base_spec() brought up to the house style (3.1, declared tags,
descriptions, documented error responses, DRF pages, parameter examples); each case breaks one
convention, and lint with the project's rule set must report exactly that, at that node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from review_specs import CREATE, LIST, RETRIEVE, at, base_spec, parameter, schema

from generator.review.house_rules import HOUSE_RULES, RULE_SETS
from generator.review.lint import LINT_RULES, lint_spec

Doc = dict[str, Any]
LIST_POINTER = "/paths/~1api~1projects~1{project_id}~1insights~1/get"
CREATE_POINTER = "/paths/~1api~1projects~1{project_id}~1insights~1/post"
RETRIEVE_POINTER = "/paths/~1api~1projects~1{project_id}~1insights~1{id}~1/get"
ERROR_CODES = {
    "400": "BadRequest",
    "401": "Unauthorized",
    "403": "Forbidden",
    "404": "NotFound",
    "429": "TooManyRequests",
}


def house_spec() -> Doc:
    """base_spec() written the way spec/posthog.yaml is."""
    doc = base_spec()
    doc["openapi"] = "3.1.0"
    doc["tags"] = [{"name": "insights", "description": "Saved insights."}]
    doc["components"]["responses"] = {
        name: {
            "description": name,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for name in ERROR_CODES.values()
    }
    doc["components"]["schemas"]["Error"] = {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
    }
    for op, codes in (
        (LIST, "401 403 429"),
        (CREATE, "400 401 403 429"),
        (RETRIEVE, "401 403 404 429"),
    ):
        operation = at(doc, *op)
        operation["description"] = f"{operation['summary']} In detail."
        for code in codes.split():
            ref = f"#/components/responses/{ERROR_CODES[code]}"
            operation["responses"][code] = {"$ref": ref}
        for param in operation.get("parameters", []):
            param["example"] = {"integer": 1, "string": "trends"}[param["schema"]["type"]]
    list_params = at(doc, *LIST, "parameters")
    list_params.append(
        {"name": "offset", "in": "query", "schema": {"type": "integer"}, "example": 0}
    )
    parameter(doc, LIST, "project_id")["example"] = "12345"
    link = {"type": ["string", "null"], "format": "uri"}
    page = schema(doc, "PaginatedInsightList")
    page["required"] = ["count", "results"]
    page["properties"].update(next=dict(link), previous=dict(link))
    return doc


def house_findings(doc: Doc) -> list[tuple[str, str | None]]:
    return [(f.rule, f.head_pointer) for f in lint_spec(doc, rules=RULE_SETS["posthog"])]


@dataclass(frozen=True)
class Case:
    rule: str
    mutate: Callable[[Doc], None]
    pointer: str
    also: tuple[str, ...] = ()  # rules the same breach unavoidably trips too


def _set(*keys: Any, value: Any) -> Callable[[Doc], None]:
    def apply(doc: Doc) -> None:
        at(doc, *keys[:-1])[keys[-1]] = value

    return apply


def _delete(*keys: Any) -> Callable[[Doc], None]:
    def apply(doc: Doc) -> None:
        del at(doc, *keys[:-1])[keys[-1]]

    return apply


def _second_tag(doc: Doc) -> None:
    doc["tags"].append({"name": "dashboards", "description": "Dashboards."})
    at(doc, *LIST)["tags"].append("dashboards")


def _camel_tag(doc: Doc) -> None:
    doc["tags"][0]["name"] = "savedInsights"
    for op in (LIST, CREATE, RETRIEVE):
        at(doc, *op)["tags"] = ["savedInsights"]
        operation_id = at(doc, *op)["operationId"]
        at(doc, *op)["operationId"] = operation_id.replace("insights", "savedInsights")


def _undeclared_tag(doc: Doc) -> None:
    at(doc, *LIST).update(tags=["charts"], operationId="charts_list")


def _undocumented_with_scopes(doc: Doc) -> None:
    at(doc, *LIST)["x-scopes-undocumented"] = True


def _inline_request(doc: Doc) -> None:
    media = at(doc, *CREATE, "requestBody", "content", "application/json")
    media["schema"] = {"type": "object", "properties": {"name": {"type": "string"}}}


def _readonly_in_request(doc: Doc) -> None:
    schema(doc, "InsightRequest")["properties"]["id"] = {"type": "integer", "readOnly": True}


def _list_without_offset(doc: Doc) -> None:
    params = at(doc, *LIST, "parameters")
    params.remove(parameter(doc, LIST, "offset"))


def _page_without_next(doc: Doc) -> None:
    del schema(doc, "PaginatedInsightList")["properties"]["next"]


def _plural_examples(doc: Doc) -> None:
    media = at(doc, *RETRIEVE, "responses", "200", "content", "application/json")
    media["examples"] = {}


CASES = [
    Case("openapi-version", _set("openapi", value="3.0.3"), "/openapi", also=("spec-invalid",)),
    Case("operation-tags-not-one", _second_tag, f"{LIST_POINTER}/tags"),
    Case("operation-tag-undeclared", _undeclared_tag, f"{LIST_POINTER}/tags/0"),
    Case("tag-not-snake-case", _camel_tag, "/tags/0/name", also=("operation-id-not-snake-case",)),
    Case(
        "tag-unused",
        lambda doc: doc["tags"].append({"name": "old", "description": "Gone."}),
        "/tags/1",
    ),
    Case("tag-description-missing", _delete("tags", 0, "description"), "/tags/0"),
    Case(
        "operation-id-tag-prefix",
        _set(*LIST, "operationId", value="list_insights"),
        f"{LIST_POINTER}/operationId",
    ),
    Case("operation-description-missing", _delete(*LIST, "description"), LIST_POINTER),
    Case(
        "operation-security-missing",
        _set(*LIST, "security", value=[{}]),
        f"{LIST_POINTER}/security/0",
        also=("operation-scope-missing",),
    ),
    Case(
        "operation-scope-format",
        _set(*LIST, "security", value=[{"PersonalAPIKeyAuth": ["insight.read"]}]),
        f"{LIST_POINTER}/security/0/PersonalAPIKeyAuth/0",
    ),
    Case(
        "operation-scopes-undocumented",
        _undocumented_with_scopes,
        f"{LIST_POINTER}/security/0/PersonalAPIKeyAuth",
    ),
    Case(
        "operation-success-missing",
        _delete(*RETRIEVE, "responses", "200"),
        f"{RETRIEVE_POINTER}/responses",
    ),
    Case(
        "operation-error-response-missing",
        _delete(*RETRIEVE, "responses", "403"),
        f"{RETRIEVE_POINTER}/responses",
    ),
    Case(
        "response-json-missing",
        _set(*RETRIEVE, "responses", "200", "content", value={"text/csv": {"schema": {}}}),
        f"{RETRIEVE_POINTER}/responses/200",
    ),
    Case("path-prefix", lambda doc: doc["paths"].update({"/v1/x/": {}}), "/paths/~1v1~1x~1"),
    Case(
        "request-body-not-ref",
        _inline_request,
        f"{CREATE_POINTER}/requestBody/content/application~1json/schema",
        also=("component-unused",),
    ),
    Case(
        "request-body-not-required",
        _delete(*CREATE, "requestBody", "required"),
        f"{CREATE_POINTER}/requestBody",
    ),
    Case(
        "request-readonly-field",
        _readonly_in_request,
        "/components/schemas/InsightRequest/properties/id",
    ),
    Case("paginated-schema-shape", _page_without_next, "/components/schemas/PaginatedInsightList"),
    Case("pagination-parameters", _list_without_offset, LIST_POINTER),
    Case(
        "enum-type-missing",
        _delete("components", "schemas", "ResultKindEnum", "type"),
        "/components/schemas/ResultKindEnum",
    ),
    Case(
        "parameter-example-missing",
        lambda doc: parameter(doc, RETRIEVE, "id").pop("example"),
        f"{RETRIEVE_POINTER}/parameters/1",
    ),
    Case(
        "media-type-examples-plural",
        _plural_examples,
        f"{RETRIEVE_POINTER}/responses/200/content/application~1json/examples",
    ),
]


def test_the_house_style_spec_is_clean() -> None:
    assert house_findings(house_spec()) == []


@pytest.mark.parametrize("case", CASES, ids=[case.rule for case in CASES])
def test_house_rule_reports_exactly_its_problem(case: Case) -> None:
    doc = house_spec()
    case.mutate(doc)
    findings = house_findings(doc)
    assert findings.count((case.rule, case.pointer)) == 1, findings
    others = [(rule, pointer) for rule, pointer in findings if rule != case.rule]
    assert all(rule in case.also for rule, _ in others), others
    assert len(findings) - len(others) == 1, findings


def test_every_house_rule_has_a_case() -> None:
    assert {case.rule for case in CASES} == {rule.id for rule in HOUSE_RULES}


def test_rule_ids_are_unique_across_both_sets() -> None:
    ids = [rule.id for rule in RULE_SETS["posthog"]]
    assert len(ids) == len(set(ids))
    assert set(RULE_SETS["openapi"]) == set(LINT_RULES)


def test_the_generic_set_leaves_house_rules_out() -> None:
    doc = house_spec()
    del at(doc, *RETRIEVE, "responses")["403"]
    assert [f for f in lint_spec(doc, rules=RULE_SETS["openapi"])] == []
