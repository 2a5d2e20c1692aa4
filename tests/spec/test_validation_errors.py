"""Validation problems point at the node to fix: `file:line:col: #/pointer: message`.

Each case is a small spec with one mistake, as a spec author makes it; the message must name
the line and column of the offending node (not the file's first line, not the enclosing
schema), its JSON pointer, and say what is wrong without dumping the schema. `--lenient`
turns the problems into warnings and generation goes on.
"""

from __future__ import annotations

import pickle
import threading
import time
from pathlib import Path

import pytest
import yaml

from generator.cli import main
from generator.errors import SpecError
from generator.review.lint import lint_spec
from generator.spec import bounded_regex
from generator.spec.load import load_spec
from generator.spec.validate import lenient_spec, validate_spec

SPEC_PATH = Path(__file__).resolve().parents[2] / "spec" / "posthog.yaml"

HEAD = """openapi: {version}
info: {{title: T, version: "1"}}
paths:
  /things/:
    get:
      operationId: things_list
      parameters:
        - name: kind
          in: query
          schema: {{type: string, enum: [a, b], default: a}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Thing'}}
components:
  schemas:
    Thing:
      type: object
      required: [name]
      properties:
        name: {{type: string}}
        size: {{type: integer}}
"""


def spec_file(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    """Every line of the error, as the CLI prints them (without the `error: ` prefix)."""
    with pytest.raises(SpecError) as caught:
        validate_spec(load_spec(path, display_name="spec.yaml"))
    return caught.value.lines()


def line_of(text: str, fragment: str) -> tuple[int, int]:
    """1-based (line, column) where `fragment` first appears."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number, line.index(fragment) + 1
    raise AssertionError(fragment)


def test_a_type_typo_deep_in_a_schema_names_its_line(tmp_path: Path) -> None:
    text = HEAD.format(version="3.1.0").replace("size: {type: integer}", "size: {type: strng}")
    (first,) = problems(spec_file(tmp_path, text))
    line, column = line_of(text, "type: strng")
    assert first.startswith(f"spec.yaml:{line}:{column}: #/components/schemas/Thing/properties")
    assert first.endswith(
        "/size/type: 'strng' is not one of ['array', 'boolean', 'integer',"
        " 'null', 'number', 'object', 'string']"
    )


def test_a_default_outside_its_enum_is_located_at_the_default(tmp_path: Path) -> None:
    text = HEAD.format(version="3.1.0").replace("default: a}", "default: c}")
    (first,) = problems(spec_file(tmp_path, text))
    line, column = line_of(text, "default: c")
    pointer = "#/paths/~1things~1/get/parameters/0/schema/default"
    assert first == f"spec.yaml:{line}:{column}: {pointer}: 'c' is not one of ['a', 'b']"


def test_an_error_reached_through_a_ref_is_reported_where_the_node_is(tmp_path: Path) -> None:
    """The validator walks /paths/... into Thing; the user must edit /components/schemas/Thing."""
    text = HEAD.format(version="3.1.0").replace(
        "size: {type: integer}", "size: {type: integer, default: big}"
    )
    (first,) = problems(spec_file(tmp_path, text))
    line, column = line_of(text, "default: big")
    assert first.startswith(f"spec.yaml:{line}:{column}: #/components/schemas/Thing/properties")


def test_openapi_30_null_type_is_located_and_not_dumped(tmp_path: Path) -> None:
    text = HEAD.format(version="3.0.3").replace(
        "size: {type: integer}", "size: {type: integer}\n        gone: {type: 'null'}"
    )
    (first,) = problems(spec_file(tmp_path, text))
    line, column = line_of(text, "type: 'null'")
    assert first.startswith(f"spec.yaml:{line}:{column}: #/components/schemas/Thing/properties")
    assert "/gone/type: 'null' is not one of" in first
    assert "{'" not in first  # no schema dump


def test_a_missing_ref_target_has_its_line(tmp_path: Path) -> None:
    text = HEAD.format(version="3.1.0").replace("schemas/Thing'}", "schemas/Thingy'}")
    (first,) = problems(spec_file(tmp_path, text))
    line, column = line_of(text, "$ref: '#/components/schemas/Thingy'")
    assert first.startswith(f"spec.yaml:{line}:{column}: #/paths/~1things~1/get/responses/200/")
    assert first.endswith("/schema/$ref: unresolved $ref '#/components/schemas/Thingy'")


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_duplicate_key_is_an_error_naming_both_lines(tmp_path: Path, suffix: str) -> None:
    if suffix == ".yaml":
        text = HEAD.format(version="3.1.0").replace(
            "      operationId: things_list\n",
            "      operationId: things_list\n      summary: a\n      operationId: things_all\n",
        )
    else:
        text = (
            '{"openapi": "3.1.0",\n "info": {"title": "T", "version": "1"},\n'
            ' "paths": {},\n "info": {}}\n'
        )
    path = spec_file(tmp_path, text, "spec" + suffix)
    with pytest.raises(SpecError) as caught:
        load_spec(path, display_name="spec")
    message = str(caught.value)
    if suffix == ".yaml":
        first = line_of(text, "operationId: things_list")[0]
        assert message == (
            f"spec:{first + 2}:7: #/paths/~1things~1/get/operationId: duplicate key"
            f" 'operationId' (first at line {first}, again at line {first + 2})"
        )
    else:
        assert message == (
            "spec:4:2: #/info: duplicate key 'info' (first at line 2, again at line 4)"
        )


def test_an_example_that_no_longer_fits_is_refused_where_it_is(tmp_path: Path) -> None:
    """A renamed field the examples did not follow: fixtures would break at the user's tests."""
    text = HEAD.format(version="3.1.0").replace(
        "              schema: {$ref: '#/components/schemas/Thing'}",
        "              schema: {$ref: '#/components/schemas/Thing'}\n"
        "              example: {title: lamp, size: 3}",
    )
    (first,) = problems(spec_file(tmp_path, text))
    line, column = line_of(text, "example: {title")
    assert first == (
        f"spec.yaml:{line}:{column}: #/paths/~1things~1/get/responses/200/content/application~1json"
        "/example: example does not fit its schema: 'name' is a required property"
    )


def test_the_posthog_spec_with_a_wrong_example_value_names_the_example_line(
    tmp_path: Path,
) -> None:
    """The audit's case: `scope: 5` in an annotation example used to point at `openapi:`."""
    original = SPEC_PATH.read_text(encoding="utf-8")
    text = original.replace("scope: dashboard_item\n", "scope: 5\n", 1)
    lines = problems(spec_file(tmp_path, text))
    line, column = line_of(text, "scope: 5")
    assert lines[0].startswith(f"spec.yaml:{line}:{column}: #/paths/")
    assert lines[0].endswith("/scope: example does not fit its schema: 5 is not of type 'string'")
    assert len(lines) == 1  # the node is shared by YAML aliases: reported once


def test_lenient_drops_what_it_must_and_generation_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        HEAD.format(version="3.0.3")
        .replace("default: a}", "default: c}")
        .replace("size: {type: integer}", "size: {type: integer}\n        gone: {type: 'null'}")
    )
    spec = spec_file(tmp_path, text)
    out = tmp_path / "out"
    assert main(["generate", "--spec", str(spec), "--out", str(out)]) == 2
    assert not out.exists()
    capsys.readouterr()
    assert main(["generate", "--spec", str(spec), "--out", str(out), "--lenient"]) == 0
    err = capsys.readouterr().err
    assert f"warning: {spec}:{line_of(text, 'default: c')[0]}:" in err
    assert "'c' is not one of ['a', 'b']; default dropped" in err
    assert "/gone/type: 'null' is not one of" in err and "; read as nullable" in err
    resource = (out / "t/resources/default.py").read_text()
    assert '"c"' not in resource  # the invalid default is gone
    model = (out / "t/models/thing.py").read_text()
    assert "    gone: " in model  # typed loosely enough to take the null the server sends


def test_lenient_keeps_an_example_component_that_operations_refer_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        HEAD.format(version="3.1.0").replace(
            "              schema: {$ref: '#/components/schemas/Thing'}",
            "              schema: {$ref: '#/components/schemas/Thing'}\n"
            "              examples: {one: {$ref: '#/components/examples/Lamp'}}",
        )
        + "  examples:\n    Lamp: {summary: a lamp, value: {title: lamp}}\n"
    )
    spec = spec_file(tmp_path, text)
    out = tmp_path / "out"
    assert main(["generate", "--spec", str(spec), "--out", str(out), "--lenient"]) == 0
    err = capsys.readouterr().err
    line, _ = line_of(text, "Lamp: {summary")
    assert f"warning: {spec}:{line}:" in err
    assert "#/components/examples/Lamp/value: example does not fit its schema" in err
    assert err.rstrip().endswith("; example value dropped")


def test_lenient_never_changes_the_loaded_document(tmp_path: Path) -> None:
    text = HEAD.format(version="3.1.0").replace("default: a}", "default: c}")
    spec = load_spec(spec_file(tmp_path, text))
    repaired, warnings = lenient_spec(spec)
    schema = spec.data["paths"]["/things/"]["get"]["parameters"][0]["schema"]
    assert schema["default"] == "c"
    assert "default" not in repaired.data["paths"]["/things/"]["get"]["parameters"][0]["schema"]
    assert [w.message.split("; ")[-1] for w in warnings] == ["default dropped"]


# --- regex patterns (issue 12: a catastrophic pattern hung validation) -----------------------

BOMB = "a" * 40 + "!"


def test_a_regex_bomb_in_a_default_does_not_hang_validation(tmp_path: Path) -> None:
    text = HEAD.format(version="3.1.0").replace(
        "size: {type: integer}", f"size: {{type: string, pattern: '^(a+)+$', default: '{BOMB}'}}"
    )
    started = time.perf_counter()
    (first,) = problems(spec_file(tmp_path, text))
    assert time.perf_counter() - started < 10
    assert "/size/default: pattern '^(a+)+$' did not finish within 0.5 s" in first


def test_a_regex_bomb_in_an_example_does_not_hang_lint() -> None:
    text = HEAD.format(version="3.1.0").replace(
        "size: {type: integer}", f"size: {{type: string, pattern: '^(a+)+$', example: '{BOMB}'}}"
    )
    started = time.perf_counter()
    findings = [f for f in lint_spec(yaml.safe_load(text)) if f.rule == "example-invalid"]
    assert time.perf_counter() - started < 10
    assert len(findings) == 1
    assert "did not finish" in findings[0].message


def test_without_a_timer_only_short_strings_are_matched() -> None:
    """Off the main thread there is no SIGALRM: a long string is not matched at all."""
    outcome: list[object] = []

    def check() -> None:
        try:
            outcome.append(bounded_regex.search("^(a+)+$", BOMB))
        except bounded_regex.PatternTimeout:
            outcome.append("timeout")
        outcome.append(bounded_regex.search("^a+$", "aaa"))

    thread = threading.Thread(target=check)
    thread.start()
    thread.join(timeout=10)
    assert outcome == ["timeout", True]


def test_problems_survive_the_trip_from_a_validating_child_process() -> None:
    """Large specs validate in a forked child; all the listed problems must come back."""
    error = SpecError("s.yaml", "one", "1:1: #/a", more=(SpecError("s.yaml", "two"),), unlisted=3)
    copy = pickle.loads(pickle.dumps(error))
    assert (
        copy.lines()
        == error.lines()
        == [
            "s.yaml:1:1: #/a: one",
            "s.yaml: two",
            "s.yaml: 3 more problems not listed",
        ]
    )
