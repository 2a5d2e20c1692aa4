"""What `posthog-codegen probe` makes of an answer, and how it is shown (markdown or JSON).

`ResponseChecker` finds the spec's response for the received status and validates the body
strictly against its schema (Draft 2020-12 for OpenAPI 3.1, the OpenAPI 3.0 dialect for 3.0,
formats checked). A disagreement names the operation, the JSON path into the body, what the
spec expects (worded from the schema) and what came (a JSON type name, "missing", a status or
a media type). Nothing here holds a value the server sent: a report may be pasted anywhere.

JSON schema (stable; `schema_version` bumps on any incompatible change)::

    {"schema_version": 1, "command": "probe", "host": str, "spec": str,
     "summary": {"probed", "agreeing", "differing", "skipped", "requests"},
     "operations": [{"operation", "method", "path", "status", "outcome", "reason",
                     "disagreements": [{"path", "expected", "got"}]}],
     "disagreements": [{"operation", "status", "path", "expected", "got"}]}

`outcome` is "agrees", "differs" or "skipped"; `status` is null for a skipped operation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from generator.spec.examples import schema_validators
from generator.spec.load import escape_pointer_token, resolve_pointer

AGREES, DIFFERS, SKIPPED = "agrees", "differs", "skipped"
_JSON_MEDIA = re.compile(r"application/(?:[\w.-]+\+)?json")
NOT_JSON = object()  # what parse_json returns for a body that is not JSON


@dataclass(frozen=True)
class Answer:
    """What one GET received: status, media type, Retry-After and the (bounded) body."""

    status: int
    media_type: str
    retry_after: str | None
    body: bytes


@dataclass(frozen=True)
class Disagreement:
    """One place where a response breaks its schema; `got` is a type name, never a value."""

    path: str
    expected: str
    got: str


@dataclass(frozen=True)
class OperationResult:
    """One GET operation: probed (with a status) or skipped (with the reason)."""

    operation: str
    path: str
    status: int | None = None
    disagreements: tuple[Disagreement, ...] = ()
    skipped_because: str = ""

    @property
    def outcome(self) -> str:
        if self.status is None:
            return SKIPPED
        return DIFFERS if self.disagreements else AGREES


@dataclass(frozen=True)
class ProbeReport:
    """Every GET operation of the spec, in the order probed, then the skipped ones."""

    host: str
    spec: str
    results: tuple[OperationResult, ...]
    requests: int

    def count(self, outcome: str) -> int:
        return sum(result.outcome == outcome for result in self.results)

    @property
    def probed(self) -> int:
        return len(self.results) - self.count(SKIPPED)

    def exit_code(self) -> int:
        """0 when every probed operation agrees with the spec, 1 when any differs."""
        return int(self.count(DIFFERS) > 0)

    def summary(self) -> str:
        return (
            f"{self.probed} operations probed, {self.count(AGREES)} agree,"
            f" {self.count(DIFFERS)} differ, {self.count(SKIPPED)} skipped"
            f" ({self.requests} requests)"
        )


# --- checking an answer against the spec ---------------------------------------------------------


class ResponseChecker:
    """Checks answers against one spec: documented status, JSON media type, strict schema."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
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
        pointer = f"{pointer}/responses/{escape_pointer_token(key)}"
        response, pointer = follow_refs(self.document, responses[key], pointer)
        content = response.get("content") or {}
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
            schema_pointer = f"{pointer}/content/{escape_pointer_token(media)}/schema"
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


def follow_refs(document: dict[str, Any], node: Any, pointer: str) -> tuple[dict[str, Any], str]:
    """Follow local `$ref`s (a response may be `$ref: '#/components/responses/NotFound'`)."""
    for _ in range(50):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#"):
            break
        pointer = ref[1:]
        node = resolve_pointer(document, pointer)
    return (node if isinstance(node, dict) else {}), pointer


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


# --- rendering ------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    """Table-safe: spec strings (enum members, names) may hold pipes, backticks or newlines."""
    return " ".join(text.split()).replace("|", "\\|").replace("`", "'")


def render_markdown(report: ProbeReport) -> str:
    """A summary line, the disagreements as a table, then skipped and agreeing operations."""
    lines = [
        "## Live server probe",
        "",
        f"`{_cell(report.host)}` against `{_cell(report.spec)}`: {report.summary()}.",
        "",
    ]
    differing = [r for r in report.results if r.outcome == DIFFERS]
    if differing:
        lines += [
            "### Disagreements",
            "",
            "| operation | status | JSON path | expected | got |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| `{r.operation}` | {r.status} | `{_cell(d.path)}` | {_cell(d.expected)}"
            f" | {_cell(d.got)} |"
            for r in differing
            for d in r.disagreements
        ]
        lines.append("")
    else:
        lines += ["Every probed response agrees with the spec.", ""]
    skipped = [r for r in report.results if r.outcome == SKIPPED]
    if skipped:
        lines += ["### Skipped", "", "| operation | reason |", "| --- | --- |"]
        lines += [f"| `{r.operation}` | {_cell(r.skipped_because)} |" for r in skipped]
        lines.append("")
    agreeing = [r for r in report.results if r.outcome == AGREES]
    if agreeing:
        listed = ", ".join(f"`{r.operation}` ({r.status})" for r in agreeing)
        lines += [f"<details><summary>Agreeing ({len(agreeing)})</summary>", "", listed]
        lines += ["", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"


def _json_result(result: OperationResult) -> dict[str, Any]:
    return {
        "operation": result.operation,
        "method": "GET",
        "path": result.path,
        "status": result.status,
        "outcome": result.outcome,
        "reason": result.skipped_because or None,
        "disagreements": [_json_disagreement(d) for d in result.disagreements],
    }


def _json_disagreement(disagreement: Disagreement) -> dict[str, str]:
    return {"path": disagreement.path, "expected": disagreement.expected, "got": disagreement.got}


def render_json(report: ProbeReport) -> str:
    """The machine format documented at the top of this module."""
    document = {
        "schema_version": 1,
        "command": "probe",
        "host": report.host,
        "spec": report.spec,
        "summary": {
            "probed": report.probed,
            "agreeing": report.count(AGREES),
            "differing": report.count(DIFFERS),
            "skipped": report.count(SKIPPED),
            "requests": report.requests,
        },
        "operations": [_json_result(result) for result in report.results],
        "disagreements": [
            {"operation": r.operation, "status": r.status, **_json_disagreement(d)}
            for r in report.results
            for d in r.disagreements
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[[ProbeReport], str]] = {
    "markdown": render_markdown,
    "json": render_json,
}
