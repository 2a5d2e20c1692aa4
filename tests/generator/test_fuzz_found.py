"""Failures the fuzzer (tests/fuzz) found, each kept as a plain test that reproduces it.

Each input crashed a command with a traceback (or printed an error over several lines) before
its fix; now each works or is refused in one line. More of the same kind are in
test_hostile_specs.py (marked "found by the fuzzer").
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.review import lint
from generator.review.house_rules import RULE_SETS
from generator.review.lint import LintRule, lint_spec
from generator.review.report import Severity
from generator.spec.validator_crash import crash_site
from tests.fuzz.harness import Hang, cpu_limit
from tests.generator.hostile import (
    BASE,
    COMMANDS,
    Run,
    assert_one_line_error,
    command_line,
    operation,
    run,
    spec,
    thing,
)

__all__ = ["run"]  # the fixture, imported for the tests below


def write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _form_body(schema: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """An operation with a multipart request body of this schema."""

    def add(document: dict[str, Any]) -> None:
        body = {"content": {"multipart/form-data": {"schema": schema}}}
        document["paths"]["/files/"] = {
            "post": {
                "operationId": "files_create",
                "tags": ["things"],
                "requestBody": body,
                "responses": {"204": {"description": "ok"}},
            }
        }

    return add


REQUEST_BODY_SCHEMAS: dict[str, tuple[dict[str, Any], str]] = {
    "type-is-an-object": (
        {"type": "object", "properties": {"public": {"type": {"type": "object"}}}},
        "/properties/public/type: ",
    ),
    "required-holds-an-object": (
        {"type": "object", "required": ["a", {"x": 1}], "properties": {"a": {"type": "string"}}},
        "/required/1: ",
    ),
    "properties-is-a-list": ({"type": "object", "properties": ["a", 1]}, "/properties: "),
}
BODY_SCHEMA = "#/paths/~1files~1/post/requestBody/content/multipart~1form-data/schema"


@pytest.mark.parametrize("command", ["validate", "generate"])
@pytest.mark.parametrize("shape", sorted(REQUEST_BODY_SCHEMAS))
def test_a_request_body_schema_is_held_to_the_meta_schema(
    run: Run, tmp_path: Path, command: str, shape: str
) -> None:
    """openapi-spec-validator walks no request body, so in 3.1 nothing checked their schemas:
    schemas.py hashed `type` and `required` entries (TypeError) and iterated a `properties`
    list (AttributeError)."""
    schema, where = REQUEST_BODY_SCHEMAS[shape]
    path = write(tmp_path, spec(_form_body(schema)))
    code, _, err = run(*command_line(command, path, tmp_path))
    assert_one_line_error(code, err, BODY_SCHEMA + where)


@pytest.mark.parametrize("shape", sorted(REQUEST_BODY_SCHEMAS))
def test_lenient_generation_reads_a_malformed_request_body_schema(
    run: Run, tmp_path: Path, shape: str
) -> None:
    """--lenient hands the parser what the validator refused: it copes, or refuses in one line."""
    path = write(tmp_path, spec(_form_body(REQUEST_BODY_SCHEMAS[shape][0])))
    code, _, err = run(*command_line("generate", path, tmp_path), "--lenient")
    assert code in (0, 2), err
    assert all(line.startswith(("error: ", "warning: ")) for line in err.splitlines()), err


def test_an_unknown_type_beside_a_default_is_one_line_per_problem(run: Run, tmp_path: Path) -> None:
    """jsonschema's UnknownType (a many-line message) escaped the default check."""
    document = spec(lambda d: thing(d)["properties"].update(n={"type": "nope", "default": 1}))
    code, _, err = run("validate", "--spec", str(write(tmp_path, document)))
    assert code == 2 and err.count("\n") == 2, err
    assert err.splitlines()[1].endswith(
        "#/components/schemas/Thing/properties/n/default: unknown type 'nope'"
    )


BROKEN_SHAPES: dict[str, Callable[[dict[str, Any]], None]] = {
    "responses-as-a-list": lambda d: operation(d).update(responses=[{"x": 1}]),
    "paths-as-a-number": lambda d: d.update(paths=5),
    "info-as-a-string": lambda d: d.update(info="x"),
    "properties-as-a-list": lambda d: thing(d).update(properties=[1, 2]),
    "security-as-a-string": lambda d: d.update(security="x"),
}


@pytest.mark.parametrize("lenient", [False, True], ids=["strict", "lenient"])
@pytest.mark.parametrize("command", ["validate", "generate"])
@pytest.mark.parametrize("shape", sorted(BROKEN_SHAPES))
def test_a_malformed_document_is_refused_in_one_line_per_problem(
    run: Run, tmp_path: Path, shape: str, command: str, lenient: bool
) -> None:
    """openapi-spec-validator asserted (responses), pipeline took len() of an int (paths),
    config read `info.title` of a string, and --lenient handed the parser what it kept."""
    path = write(tmp_path, spec(BROKEN_SHAPES[shape]))
    argv = command_line(command, path, tmp_path) + (["--lenient"] if lenient else [])
    code, _, err = run(*argv)
    assert code == 2, err
    assert err and all(line.startswith(("error: ", "warning: ")) for line in err.splitlines())
    if lenient:
        assert "(--lenient cannot generate past this)" in err, err


def test_lint_reads_malformed_values_without_crashing() -> None:
    """house_rules put a parameter name, a `required` entry and a tag (all objects) in sets."""
    document = copy.deepcopy(BASE)
    document["tags"].append({"name": {"not": "a string"}})
    operation(document)["tags"] = [{"a": 1}]
    operation(document)["parameters"] = [{"name": {"a": 1}, "in": "query", "schema": {}}]
    schemas = document["components"]["schemas"]
    schemas["PaginatedThingList"] = {"type": "object", "required": [{"a": 1}, ["b"]]}
    findings = lint_spec(document, validate=False, rules=RULE_SETS["posthog"])
    assert findings and all("not checked" not in f.message for f in findings)


def test_a_rule_an_invalid_document_trips_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fragile(_linted: Any) -> Any:
        raise TypeError("unhashable type: 'dict'")

    rule = LintRule("fragile", Severity.WARNING, "trips on anything", fragile)
    invalid = spec(lambda d: d.update(paths=5))
    findings = lint_spec(invalid, rules=(*lint.LINT_RULES, rule))
    assert [f.message for f in findings if f.rule == "fragile"] == [lint._NOT_CHECKED]
    with pytest.raises(TypeError):  # a valid document: the rule has a bug, and it shows
        lint_spec(spec(), rules=(rule,))


@pytest.mark.parametrize("command", COMMANDS)
def test_a_nul_character_in_yaml_is_one_line_with_its_position(
    run: Run, tmp_path: Path, command: str
) -> None:
    """PyYAML's ReaderError has no mark: the message ran over two lines."""
    path = tmp_path / "spec.yaml"
    path.write_text('openapi: 3.1.0\ninfo: {title: t, version: "1"}\npaths: {}\nx: "a\x00b"\n')
    code, _, err = run(*command_line(command, path, tmp_path))
    assert_one_line_error(code, err, "spec.yaml:4:6: invalid YAML: the character U+0000 is not")


@pytest.mark.parametrize("components", ["3.1.0", {"schemas": [1]}], ids=["string", "list"])
def test_file_refs_into_a_document_whose_components_are_no_mapping(
    run: Run, tmp_path: Path, components: Any
) -> None:
    """The bundler called .get() on `components: '3.1.0'` (AttributeError)."""
    (tmp_path / "other.yaml").write_text("Named: {type: object}\n", encoding="utf-8")

    def refer(document: dict[str, Any]) -> None:
        operation(document)["responses"]["200"]["content"]["application/json"]["schema"] = {
            "$ref": "other.yaml#/Named"
        }
        document["components"] = components

    code, _, err = run("validate", "--spec", str(write(tmp_path, spec(refer))))
    assert_one_line_error(code, err, "not a mapping (other files' schemas go here)")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_an_extension_among_the_responses_is_not_a_response(
    run: Run, tmp_path: Path, command: str, version: str
) -> None:
    """`responses: {x-ext: '3.1.0'}` is an extension the validator allows; the parser read it
    as a response (AttributeError: 'str' object has no attribute 'get')."""

    def extend(document: dict[str, Any]) -> None:
        document["openapi"] = version
        operation(document)["responses"]["x-ext"] = "3.1.0"

    path = write(tmp_path, spec(extend))
    code, _, err = run(*command_line(command, path, tmp_path))
    assert code in (0, 1), err
    assert "Traceback" not in err and not err.strip(), err


def _items_ref_to_a_schema_with_properties_0(document: dict[str, Any]) -> None:
    schema = {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}
    operation(document)["responses"]["200"]["content"]["application/json"]["schema"] = schema
    thing(document)["properties"] = 0


def _parameter_ref_to_a_schema(document: dict[str, Any]) -> None:
    operation(document)["parameters"] = [{"$ref": "#/components/schemas/Thing"}]


VALIDATOR_CRASHES = {
    # 3.1 holds a schema reached only through `items: {$ref}` to no meta-schema (since the
    # component schemas are walked first, the validator's own check finds it, no crash)
    "schema-behind-an-items-ref": (
        _items_ref_to_a_schema_with_properties_0,
        "#/components/schemas/Thing/properties: 0 is not of type 'object'",
    ),
    "parameter-ref-to-a-schema": (
        _parameter_ref_to_a_schema,
        "#/paths/~1things~1/get/parameters/0: $ref '#/components/schemas/Thing' leads to an"
        " object without 'name'",
    ),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("shape", sorted(VALIDATOR_CRASHES))
def test_a_value_the_openapi_validator_trips_over_is_located(
    run: Run, tmp_path: Path, shape: str, command: str
) -> None:
    """openapi-spec-validator raised KeyError ('properties', 'name') on these, reported as
    "#: the OpenAPI validator stopped on a malformed value (KeyError: 'name')"."""
    change, message = VALIDATOR_CRASHES[shape]
    code, out, err = run(*command_line(command, write(tmp_path, spec(change)), tmp_path))
    if command in ("validate", "generate"):
        assert_one_line_error(code, err, message)
    else:  # lint lists it as a finding, diff refuses the side it is on
        pointer, _, text = message.partition(": ")
        assert text in out + err and pointer in out + err, out + err
        assert "validator stopped" not in out + err and "Traceback" not in err


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_a_crash_after_the_problems_it_follows_from_is_not_reported(
    run: Run, tmp_path: Path, command: str
) -> None:
    """The validator walks on after its JSON Schema check failed and trips over the value that
    check reported (`responses: integer`): one line for the problem, none for the crash."""
    path = write(tmp_path, spec(lambda d: operation(d).update(responses="integer")))
    code, _, err = run(*command_line(command, path, tmp_path))
    assert_one_line_error(code, err, "#/paths/~1things~1/get/responses: ")
    assert "is not of type" in err and "validator" not in err, err


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_an_example_of_a_malformed_schema_names_no_python_error(
    run: Run, tmp_path: Path, command: str
) -> None:
    """jsonschema trips over `properties: 'x'` when checking the example: the refusal read
    "example could not be checked: 'str' object has no attribute 'items'"."""
    document = spec(lambda d: thing(d).update(properties="x", example={"a": 1}))
    code, _, err = run(*command_line(command, write(tmp_path, document), tmp_path))
    assert code == 2 and err.count("\n") == 2, err
    first, second = err.splitlines()
    assert first.endswith("#/components/schemas/Thing/properties: 'x' is not of type 'object'")
    assert second.endswith(
        "#/components/schemas/Thing/example: example could not be checked: its schema is malformed"
    ), err


def _all_of_diamonds(levels: int) -> Callable[[dict[str, Any]], None]:
    """S0 = allOf [S1, S1], S1 = allOf [S2, S2], ...: 2**levels paths through `levels` schemas."""

    def add(document: dict[str, Any]) -> None:
        schemas = document["components"]["schemas"]
        for level in range(levels):
            ref = {"$ref": f"#/components/schemas/S{level + 1}"}
            schemas[f"S{level}"] = {"allOf": [ref, dict(ref)]}
        schemas[f"S{levels}"] = {"type": "object", "properties": {"a": {"type": "string"}}}

    return add


def _all_of_including_itself(document: dict[str, Any]) -> None:
    thing(document)["allOf"] = [{"$ref": "#/components/schemas/Thing"}, {"type": "object"}]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "change",
    [_all_of_diamonds(24), _all_of_including_itself],  # 2**24 paths; an endless one
    ids=["diamonds", "including-itself"],
)
def test_all_of_graphs_take_linear_time(
    run: Run, tmp_path: Path, command: str, change: Callable[[dict[str, Any]], None]
) -> None:
    """openapi-spec-validator collected an allOf's properties, and the parser flattened its
    parts, once per path instead of once per schema: 18 levels of diamonds took 124 s to
    validate, and an allOf that includes itself was walked until RecursionError, slower at
    every level (a fuzzer case hit its 30 s CPU limit)."""
    path = write(tmp_path, spec(change))
    try:
        with cpu_limit(20):
            code, _, err = run(*command_line(command, path, tmp_path))
    except Hang:  # raised thousands of frames deep: no traceback to render
        pytest.fail(f"{command} used over 20 s of CPU", pytrace=False)
    assert code in (0, 1), err


def test_a_validator_crash_never_shows_a_python_error() -> None:
    """What the validator's walk can raise besides KeyError, located at the document's root
    when the traceback holds no document node."""
    document = spec()
    too_deep = crash_site(document, RecursionError("maximum recursion depth exceeded"))
    assert too_deep == ("", "nested, or referring to itself, too deeply for the OpenAPI validator")
    assert crash_site(document, AssertionError()) == (
        "",
        "a value the OpenAPI validator cannot read",
    )
