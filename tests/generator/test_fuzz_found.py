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
    """A multipart body: in 3.1 the validator does not hold its schema to the meta-schema."""

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


@pytest.mark.parametrize("command", ["validate", "generate"])
@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"public": {"type": {"type": "object"}}}},
        {"type": "object", "required": ["a", {"x": 1}], "properties": {"a": {"type": "string"}}},
    ],
    ids=["type-is-an-object", "required-holds-an-object"],
)
def test_a_schema_the_validator_lets_through_is_parsed(
    run: Run, tmp_path: Path, command: str, schema: dict[str, Any]
) -> None:
    """schemas.py and examples.py hashed `type` and `required` entries (TypeError)."""
    path = write(tmp_path, spec(_form_body(schema)))
    code, _, err = run(*command_line(command, path, tmp_path))
    assert code == 0, err


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
