"""Checking one probe answer against the spec, and saying where it departs without its values.

`ResponseChecker` finds the spec's response for the received status and validates the body
strictly against its schema (Draft 2020-12 for OpenAPI 3.1, the OpenAPI 3.0 dialect for 3.0,
formats checked), with the validators generate uses for examples (generator.spec.examples).
jsonschema's own messages quote the offending value, so each error is reworded here from the
schema keyword and the JSON type that came: a report may be pasted anywhere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from generator.review.document import Spec, as_mapping, child
from generator.review.probe_report import Disagreement
from generator.spec.examples import schema_validators

_JSON_MEDIA = re.compile(r"application/(?:[\w.-]+\+)?json")
NOT_JSON = object()  # what parse_json returns for a body that is not JSON


@dataclass(frozen=True)
class Answer:
    """What one GET received: status, media type, Retry-After and the (bounded) body."""

    status: int
    media_type: str
    retry_after: str | None
    body: bytes


class ResponseChecker:
    """Checks answers against one spec: documented status, JSON media type, strict schema."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.spec = Spec(document)
        self.validator_for = schema_validators(document, reading=True)

    def check(
        self, operation: dict[str, Any], pointer: str, answer: Answer, body: Any
    ) -> tuple[Disagreement, ...]:
        """Where `answer` (status, media type, decoded `body`) departs from `operation`'s spec."""
        responses = operation.get("responses") or {}
        status = str(answer.status)
        keys = (status, f"{status[0]}XX", f"{status[0]}xx", "default")
        key = next((k for k in keys if k in responses), None)
        if key is None:
            documented = ", ".join(sorted(map(str, responses)))
            return (Disagreement("$", f"a documented status ({documented})", f"status {status}"),)
        pointer, response = self.spec.resolve((child(pointer, "responses", key), responses[key]))
        content = as_mapping(response).get("content") or {}
        if not content:
            return (Disagreement("$", "no body", "a body"),) if answer.body.strip() else ()
        media = next((m for m in content if _JSON_MEDIA.fullmatch(m.split(";")[0].strip())), None)
        if media is None:
            return ()  # the spec promises no JSON here: nothing the probe can check
        problems = []
        if not _JSON_MEDIA.fullmatch(answer.media_type):
            shown = re.sub(r"[^\w.+/-]", "", answer.media_type)[:60] or "no content type"
            problems.append(Disagreement("$", f"content type {media}", shown))
        if body is NOT_JSON:
            got = "a body that is not JSON" if answer.body.strip() else "an empty body"
            return (*problems, Disagreement("$", "a JSON body", got))
        if "schema" in content[media]:
            schema_pointer = child(pointer, "content", media, "schema")
            try:
                errors = self.validator_for(schema_pointer).iter_errors(body)
                problems.extend(describe_errors(errors))
            except RecursionError:
                problems.append(Disagreement("$", "a body the validator can walk", "too deep"))
        return tuple(problems)


def parse_json(raw: bytes) -> Any:
    """The decoded body, or NOT_JSON (NaN and Infinity included: Python takes them, JSON not)."""
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return NOT_JSON


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN / Infinity: Python accepts them, JSON does not


# --- schema errors, worded without the values that caused them ----------------------------------

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ROOT_MISMATCH = frozenset({"type", "enum", "const", None})  # None: a `false` schema
MAX_SHOWN_CHARS = 80
MAX_SHOWN_MEMBERS = 12


def json_type(value: object) -> str:
    """The JSON type name of a decoded value: what a report may say about it."""
    if value is None:
        return "null"
    for python_type, name in (
        (bool, "boolean"),  # before int: a bool is an int in Python
        (int, "integer"),
        (float, "number"),
        (str, "string"),
        (list, "array"),
        (dict, "object"),
    ):
        if isinstance(value, python_type):
            return name
    return type(value).__name__


def json_path(tokens: Iterable[object]) -> str:
    """`$.results[0].created_by`; keys that are not identifiers are quoted (`$["a b"]`)."""
    parts = ["$"]
    for token in tokens:
        if isinstance(token, int):
            parts.append(f"[{token}]")
        elif isinstance(token, str) and _IDENTIFIER.fullmatch(token):
            parts.append(f".{token}")
        else:
            parts.append(f"[{json.dumps(str(token))}]")
    return "".join(parts)


def _shown(value: object) -> str:
    """A spec value (never a response value) shortened for a table cell."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 3] + "..."


def _expectation(error: Any) -> str:
    keyword, value = error.validator, error.validator_value
    if keyword is None:
        return "nothing (the schema is false)"
    if keyword == "type":
        return "type " + (" or ".join(value) if isinstance(value, list) else str(value))
    if keyword == "enum" and isinstance(value, list):
        members = ", ".join(_shown(member) for member in value[:MAX_SHOWN_MEMBERS])
        more = ", ..." if len(value) > MAX_SHOWN_MEMBERS else ""
        return f"one of enum [{members}{more}]"
    if keyword == "format":
        return f"format {value}"
    if keyword == "oneOf":  # reached only when several branches match
        return "exactly one oneOf branch"
    return f"{keyword} {_shown(value)}"


def describe_errors(errors: Iterable[Any]) -> tuple[Disagreement, ...]:
    """jsonschema errors as disagreements, in schema order, one per path and type that came.

    jsonschema's own messages quote the offending value, so they are never used: each
    disagreement is rebuilt from the schema keyword and the instance's JSON type. Two keywords
    failing at one place (`type` and `enum` for a null) become one row: "type string; one of..".
    """
    expectations: dict[tuple[str, str], list[str]] = {}
    for error in errors:
        for found in _describe(error):
            wanted = expectations.setdefault((found.path, found.got), [])
            if found.expected not in wanted:
                wanted.append(found.expected)
    return tuple(
        Disagreement(path, "; ".join(wanted), got) for (path, got), wanted in expectations.items()
    )


def _describe(error: Any) -> list[Disagreement]:
    tokens = list(error.absolute_path)
    instance = error.instance
    keyword = error.validator
    if keyword in ("oneOf", "anyOf") and error.context:
        branch = _likely_branch(error.context)
        if branch is not None:
            return [d for sub_error in branch for d in _describe(sub_error)]
        wanted = " | ".join(
            _expectation(sub_error)
            for sub_error in error.context
            if not sub_error.relative_path and sub_error.validator in _ROOT_MISMATCH
        )
        return [Disagreement(json_path(tokens), f"{keyword}: {wanted}", json_type(instance))]
    if keyword == "required" and isinstance(instance, dict):
        return [
            Disagreement(json_path([*tokens, name]), f"required property {name!r}", "missing")
            for name in error.validator_value
            if isinstance(name, str) and name not in instance
        ]
    if keyword == "additionalProperties" and isinstance(instance, dict):
        return [
            Disagreement(
                json_path([*tokens, name]),
                "no such property (additionalProperties: false)",
                json_type(instance[name]),
            )
            for name in _extra_properties(instance, error.schema)
        ]
    got = json_type(instance)
    if keyword == "format":
        got = f"{got} (not {error.validator_value})"
    return [Disagreement(json_path(tokens), _expectation(error), got)]


def _likely_branch(errors: Sequence[Any]) -> list[Any] | None:
    """The oneOf/anyOf branch the instance was meant for: its type fits, fewest errors.

    `oneOf: [{$ref: Role}, {type: "null"}]` with a Role missing a field should report that
    field, not "matches neither branch"; None when no branch even has the instance's type.
    """
    branches: dict[object, list[Any]] = {}
    for error in errors:
        branches.setdefault(error.relative_schema_path[0], []).append(error)
    fitting = [
        branch
        for branch in branches.values()
        if not any(not e.relative_path and e.validator in _ROOT_MISMATCH for e in branch)
    ]
    return min(fitting, key=len) if fitting else None


def _extra_properties(instance: dict[str, Any], schema: Any) -> list[str]:
    properties = (schema.get("properties") or {}) if isinstance(schema, dict) else {}
    patterns = (schema.get("patternProperties") or {}) if isinstance(schema, dict) else {}
    return [
        name
        for name in instance
        if name not in properties and not any(re.search(p, name) for p in patterns)
    ]
