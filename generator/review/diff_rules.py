"""Which spec changes break callers: the diff's rule catalogue and how schema changes map to it.

"Breaking" means a caller of the generated Python client may break: a request it used to send is
now rejected, or a response no longer matches the types it was promised. Every rule id the diff
reports is in `RULES` with its severity; a schema change is context-free (`field-removed`) until
`SCHEMA_RULES` says what it means in a request, a response or a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.review.report import Finding, Severity

BREAKING, WARNING, INFO = Severity.BREAKING, Severity.WARNING, Severity.INFO


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    summary: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("operation-removed", BREAKING, "an operation no longer exists"),
        Rule("operation-added", INFO, "a new operation"),
        Rule("operation-path-changed", BREAKING, "same operationId, different path"),
        Rule("operation-method-changed", BREAKING, "same operationId, different HTTP method"),
        Rule("operation-id-changed", BREAKING, "operationId changed: the client method is renamed"),
        Rule("operation-deprecated", WARNING, "operation marked deprecated"),
        Rule("parameter-added-required", BREAKING, "new required parameter"),
        Rule("parameter-added", INFO, "new optional parameter"),
        Rule("parameter-removed", BREAKING, "parameter removed: the client keyword disappears"),
        Rule("parameter-location-changed", BREAKING, "parameter moved (e.g. query → header)"),
        Rule("parameter-made-required", BREAKING, "optional parameter made required"),
        Rule("parameter-type-changed", BREAKING, "parameter type changed"),
        Rule("parameter-enum-value-removed", BREAKING, "parameter no longer accepts an enum value"),
        Rule("parameter-enum-value-added", INFO, "parameter accepts a new enum value"),
        Rule(
            "parameter-constraint-tightened", BREAKING, "parameter min/max/length/pattern tightened"
        ),
        Rule("parameter-default-changed", WARNING, "parameter default changed"),
        Rule("request-body-added-required", BREAKING, "operation now requires a request body"),
        Rule("request-body-added", INFO, "operation accepts an optional request body"),
        Rule("request-body-removed", BREAKING, "request body removed"),
        Rule("request-body-made-required", BREAKING, "optional request body made required"),
        Rule("request-content-type-removed", BREAKING, "request content type no longer accepted"),
        Rule("request-content-type-added", INFO, "request content type added"),
        Rule("request-field-added-required", BREAKING, "new required request field"),
        Rule("request-field-added", INFO, "new optional request field"),
        Rule("request-field-removed", BREAKING, "request field removed"),
        Rule("request-field-type-changed", BREAKING, "request field type changed"),
        Rule("request-field-made-required", BREAKING, "optional request field made required"),
        Rule("request-field-nullable-removed", BREAKING, "request field no longer accepts null"),
        Rule("request-enum-value-removed", BREAKING, "request enum value removed"),
        Rule("request-enum-value-added", INFO, "request enum value added"),
        Rule("request-constraint-tightened", BREAKING, "request min/max/length/pattern tightened"),
        Rule("request-default-changed", WARNING, "request field default changed"),
        Rule("request-variant-removed", BREAKING, "oneOf/anyOf alternative no longer accepted"),
        Rule("success-status-removed", BREAKING, "a 2xx response status removed"),
        Rule("success-status-changed", BREAKING, "the 2xx response status changed"),
        Rule("response-content-type-removed", BREAKING, "response content type removed"),
        Rule("response-field-removed", BREAKING, "response field removed"),
        Rule("response-field-added", INFO, "response field added"),
        Rule("response-field-type-changed", BREAKING, "response field type changed"),
        Rule("response-field-made-nullable", BREAKING, "response field may now be null"),
        Rule("response-field-made-optional", BREAKING, "required response field made optional"),
        Rule(
            "response-enum-value-added", WARNING, "response enum value added: strict clients break"
        ),
        Rule("response-variant-added", WARNING, "response oneOf/anyOf gained an alternative"),
        Rule("response-default-changed", INFO, "response field default changed"),
        Rule("security-scope-added", BREAKING, "operation requires an additional scope"),
        Rule("security-scope-changed", BREAKING, "operation requires different scopes"),
        Rule("security-scope-removed", INFO, "operation requires fewer scopes"),
        Rule("security-requirement-added", BREAKING, "operation now requires authentication"),
        Rule("security-scheme-removed", BREAKING, "an accepted authentication scheme was dropped"),
        Rule("security-scheme-added", INFO, "an additional authentication scheme is accepted"),
        Rule(
            "server-url-removed", BREAKING, "server URL removed: the client's base URL may be gone"
        ),
        Rule("server-url-added", INFO, "server URL added"),
        Rule(
            "schema-renamed",
            BREAKING,
            "component schema renamed: the client model class is renamed",
        ),
        Rule(
            "schema-removed", BREAKING, "component schema removed: the client model class is gone"
        ),
        Rule("schema-added", INFO, "component schema added"),
        Rule("description-changed", INFO, "summary or description text changed"),
    )
}

# (context, kind) -> rule id; a missing entry means "not worth reporting in that direction".
SCHEMA_RULES: dict[tuple[str, str], str] = {
    ("request", "field-removed"): "request-field-removed",
    ("request", "field-added"): "request-field-added",
    ("request", "field-added-required"): "request-field-added-required",
    ("request", "field-made-required"): "request-field-made-required",
    ("request", "type-changed"): "request-field-type-changed",
    ("request", "nullable-removed"): "request-field-nullable-removed",
    ("request", "enum-value-removed"): "request-enum-value-removed",
    ("request", "enum-value-added"): "request-enum-value-added",
    ("request", "constraint-tightened"): "request-constraint-tightened",
    ("request", "default-changed"): "request-default-changed",
    ("request", "variant-removed"): "request-variant-removed",
    ("request", "description-changed"): "description-changed",
    ("response", "field-removed"): "response-field-removed",
    ("response", "field-added"): "response-field-added",
    ("response", "field-added-required"): "response-field-added",
    ("response", "field-made-optional"): "response-field-made-optional",
    ("response", "type-changed"): "response-field-type-changed",
    ("response", "made-nullable"): "response-field-made-nullable",
    ("response", "enum-value-added"): "response-enum-value-added",
    ("response", "variant-added"): "response-variant-added",
    ("response", "default-changed"): "response-default-changed",
    ("response", "description-changed"): "description-changed",
    ("parameter", "type-changed"): "parameter-type-changed",
    ("parameter", "nullable-removed"): "parameter-type-changed",
    ("parameter", "enum-value-removed"): "parameter-enum-value-removed",
    ("parameter", "enum-value-added"): "parameter-enum-value-added",
    ("parameter", "constraint-tightened"): "parameter-constraint-tightened",
    ("parameter", "default-changed"): "parameter-default-changed",
    ("parameter", "description-changed"): "description-changed",
}
# Object-valued parameters (deepObject) have fields: they follow the request rules.
for (_context, _kind), _rule in list(SCHEMA_RULES.items()):
    if _context == "request":
        SCHEMA_RULES.setdefault(("parameter", _kind), _rule)


def finding(rule: str, operation: str, base: str | None, head: str | None, message: str) -> Finding:
    """Build a finding with the severity the catalogue gives `rule`."""
    return Finding(RULES[rule].severity, rule, operation, base, head, message)
