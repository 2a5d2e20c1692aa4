"""Identifiers from spec names: valid, unique, stable, whatever the spec calls things.

Tables first (one function each), then properties every result must have, then collisions at
every level of a parsed API: model fields, arguments, classes, modules, resources, methods.
"""

from __future__ import annotations

import keyword
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.cli import main
from generator.ir import naming
from generator.ir.model import Api
from generator.ir.parse import parse_api
from generator.spec.load import LoadedSpec

HOSTILE_NAMES = [
    "class", "def", "None", "True", "self", "cls", "match", "_", "type", "id", "list", "str",
    "dict", "field", "dataclass", "from_dict", "to_dict", "additional_properties", "datetime",
    "uuid", "Any", "UNSET", "Unset", "options", "json_body", "response", "builtins",
    "dashed-name", "dotted.name", "with space", "1st", "2fa-enabled", "naïve", "日本語", "",
    "   ", "__init__", "__class__", "a/b", "../../etc/passwd", "C:\\x", "\x00", "'\"", "ÄÖÜ",
    "camelCaseName", "HTTPServer", "getHTTPResponseCode", "x" * 300, "-", "$ref", "@type",
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("dateMarker", "date_marker"),
        ("HTTPServer", "http_server"),
        ("getHTTPResponseCode", "get_http_response_code"),
        ("dashed-name", "dashed_name"),
        ("dotted.name", "dotted_name"),
        ("with space", "with_space"),
        ("2fa-enabled", "n2fa_enabled"),
        ("naïve", "naive"),
        ("日本語", "value"),
        ("", "value"),
        ("class", "class_"),
        ("match", "match_"),
        ("self", "self_"),
        ("from_dict", "from_dict_"),
        ("__init__", "init"),
        # Names of types are no clash: modules import them as `_dt.datetime` and `UUID`.
        ("uuid", "uuid"),
        ("datetime", "datetime"),
        ("date", "date"),
    ],
)
def test_snake_case(name: str, expected: str) -> None:
    assert naming.snake_case(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("id", "id"),  # common enough to shadow
        ("type", "type"),
        ("list", "list_"),
        ("str", "str_"),
        ("options", "options_"),
        ("json_body", "json_body_"),
        ("response", "response_"),
        ("builtins", "builtins_"),
        ("X-Request-Id", "x_request_id"),
        ("uuid", "uuid"),
        ("datetime", "datetime"),
    ],
)
def test_argument_name(name: str, expected: str) -> None:
    assert naming.argument_name(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("field", "field_"),  # the dataclass body calls field()
        ("dict", "dict_"),  # ... with default_factory=dict
        ("str", "str_"),  # annotations name these types
        ("list", "list_"),
        ("next", "next"),  # a builtin nothing in a model body uses
        ("id", "id"),
        ("additional_properties", "additional_properties_"),
        ("uuid", "uuid"),  # the wire name: annotations say `UUID`, not `uuid.UUID`
        ("datetime", "datetime"),  # ... and `_dt.datetime`
        ("date", "date"),
        ("spec_drift", "spec_drift_"),  # the Model attribute the decoder sets
    ],
)
def test_field_name(name: str, expected: str) -> None:
    assert naming.field_name(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("list", "list"),  # annotations write builtins.list, so `list` is fine
        ("str", "str_"),
        ("with_raw_response", "with_raw_response_"),
        ("builtins", "builtins_"),
        ("partialUpdate", "partial_update"),
        ("", "call"),
        ("uuid", "uuid"),
        ("date", "date"),
    ],
)
def test_method_name(name: str, expected: str) -> None:
    assert naming.method_name(name) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("Feature Flags", "feature_flags"),
        ("request", "request_"),  # the client's own method
        ("host", "host_"),
        ("close", "close_"),
        ("str", "str_"),
        ("class", "class_"),
        ("", "default"),
        ("../../etc/passwd", "etc_passwd"),
    ],
)
def test_resource_attribute(tag: str, expected: str) -> None:
    assert naming.resource_attribute(tag) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("signal_report", "SignalReport"),
        ("UserBasic", "UserBasic"),
        ("1st", "Model1st"),
        ("", "Model"),
        ("str", "Str"),
        ("None", "None_"),
        ("Exception", "Exception_"),
        ("Any", "Any_"),
        ("Literal", "Literal_"),
        ("RequestOptions", "RequestOptions_"),
        ("UUID", "UUID_"),  # modules import `from uuid import UUID`
        ("Datetime", "Datetime"),
        ("/etc/passwd", "EtcPasswd"),
    ],
)
def test_pascal_case(name: str, expected: str) -> None:
    assert naming.pascal_case(name) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("session_replay", "SESSION_REPLAY"),
        ("Not firing", "NOT_FIRING"),
        (1, "VALUE_1"),
        ("", "EMPTY"),
        ("日本", "VALUE"),
        ("a-b", "A_B"),
    ],
)
def test_enum_member_name(value: object, expected: str) -> None:
    assert naming.enum_member_name(value) == expected


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/api/things/{id}/", "get_api_things_by_id"),
        ("GET", "/api/things/", "get_api_things"),
        ("delete", "/a/{x}/b/{part-id}", "delete_a_by_x_b_by_part_id"),
        ("get", "/", "get_root"),
        ("post", "/v1/users.json", "post_v1_users_json"),
    ],
)
def test_operation_name(method: str, path: str, expected: str) -> None:
    assert naming.operation_name(method, path) == expected


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["a", "b"], ["a", "b"]),
        (["a", "a", "a"], ["a", "a_2", "a_3"]),
        # A name nobody else wants keeps its spelling: `a_2` is not renamed by the second `a`.
        (["a", "a", "a_2"], ["a", "a_3", "a_2"]),
        (["a_2", "a", "a"], ["a_2", "a", "a_3"]),
    ],
)
def test_unique(names: list[str], expected: list[str]) -> None:
    assert naming.unique(names) == expected


def test_unique_avoids_taken_names() -> None:
    assert naming.unique(["host", "x"], taken={"host"}) == ["host_2", "x"]


def test_unique_and_class_names_stay_linear() -> None:
    """10,000 identical names: a quadratic search would take minutes."""
    started = time.perf_counter()
    result = naming.unique(["same"] * 10_000)
    taken: set[str] = set()
    counters: dict[str, int] = {}
    classes = [naming.unique_class_name("Same", taken, counters) for _ in range(10_000)]
    assert time.perf_counter() - started < 1
    assert len(set(result)) == len(set(classes)) == 10_000
    assert classes[:3] == ["Same", "Same2", "Same3"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
@pytest.mark.parametrize(
    "function",
    [
        naming.snake_case,
        naming.argument_name,
        naming.field_name,
        naming.method_name,
        naming.resource_attribute,
        naming.pascal_case,
        naming.enum_member_name,
    ],
)
def test_every_result_is_a_safe_identifier(function: Any, name: str) -> None:
    result = function(name)
    assert result.isidentifier() and result.isascii()
    assert not keyword.iskeyword(result) and not keyword.issoftkeyword(result)
    assert not result.startswith("_")  # never private, never a dunder
    assert function(name) == result  # stable


# -- collisions at every level of a parsed API ------------------------------------------------

COLLISIONS = """
openapi: 3.1.0
info: {title: Collisions, version: "1"}
paths:
  /a/{dashed-id}/:
    post:
      operationId: things_get
      tags: [things]
      parameters:
        - {name: dashed-id, in: path, required: true, schema: {type: string}}
        - {name: dashed_id, in: query, schema: {type: string}}
        - {name: Dashed.Id, in: header, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                dashed_id: {type: string}
                options: {type: string}
      responses: {"204": {description: ok}}
  /b/:
    get: {operationId: thingsGet, tags: [Things], responses: {"204": {description: ok}}}
    put: {operationId: things-get, tags: [things], responses: {"204": {description: ok}}}
  /c/:
    get: {operationId: x, tags: [request], responses: {"204": {description: ok}}}
    put: {operationId: y, tags: [Request], responses: {"204": {description: ok}}}
components:
  schemas:
    Pair:
      type: object
      properties:
        Name: {type: string}
        name: {type: string}
        NAME: {type: string}
        name_2: {type: string}
    AbTest: {type: object, properties: {x: {type: string}}}
    ABTest: {type: object, properties: {x: {type: string}}}
    ab_test: {type: object, properties: {x: {type: string}}}
    ThingsResource: {type: object, properties: {x: {type: string}}}
    PostHog: {type: object, properties: {x: {type: string}}}
"""


@pytest.fixture(scope="module")
def api() -> Api:
    data = yaml.safe_load(COLLISIONS)
    return parse_api(LoadedSpec(Path("c.yaml"), "c.yaml", data, "0" * 64))


def test_model_fields_collide_apart(api: Api) -> None:
    pair = next(m for m in api.models if m.name == "Pair")
    assert [(f.wire_name, f.py_name) for f in pair.fields] == [
        ("Name", "name"),
        ("name", "name_3"),  # name_2 is a real property: it keeps its name
        ("NAME", "name_4"),
        ("name_2", "name_2"),
    ]


def test_arguments_collide_apart_and_keep_wire_names(api: Api) -> None:
    operation = next(op for op in api.operations if op.operation_id == "things_get")
    assert [(a.source, a.wire_name, a.py_name) for a in operation.arguments] == [
        ("path", "dashed-id", "dashed_id"),
        ("query", "dashed_id", "dashed_id_2"),
        ("header", "Dashed.Id", "dashed_id_3"),
        ("body_field", "dashed_id", "dashed_id_4"),
        ("body_field", "options", "options_"),
    ]


def test_class_and_module_names_collide_apart(api: Api) -> None:
    names = {m.name: m.module for m in api.models}
    assert names["AbTest"] != names["ABTest"]
    assert len({names["AbTest"], names["ABTest"], names["AbTest2"]}) == 3
    assert "PostHog" not in names and "PostHog2" in names  # the client class keeps its name
    resource = next(r for r in api.resources if r.attribute == "things")
    assert resource.class_name == "ThingsResource2"  # a model took ThingsResource


def test_resources_and_methods_collide_apart(api: Api) -> None:
    by_attribute = {r.attribute: [op.method_name for op in r.operations] for r in api.resources}
    assert by_attribute["things"] == ["get", "get_2", "get_3"]  # three spellings of one name
    assert by_attribute["request_"] == ["x", "y"]  # not the client's request()
    ids = [op.operation_id for op in api.operations]
    assert len(ids) == len(set(ids))


def test_import_order_is_rufs_isort_order() -> None:
    """Natural (Rule2 before Rule10) and ignoring case, as ruff's I001 wants (checked against
    ruff: tests/corpus/numbered_names.yaml is generated and ruff-checked by test_corpus)."""
    names = ["rule10", "Rule2", "rule_x", "RuleABD", "ruleb", "RuleAbc", "rule1"]
    assert sorted(names, key=naming.import_order) == [
        "rule1",
        "Rule2",
        "rule10",
        "rule_x",
        "RuleAbc",
        "RuleABD",
        "ruleb",
    ]


def test_export_order_is_rufs_all_order() -> None:
    """RUF022: CONSTANTS, then Classes, then the rest; natural, and case counts."""
    names = ["Variant10", "helper", "UNSET", "AbcModel", "Variant2", "APIResponse"]
    assert sorted(names, key=naming.export_order) == [
        "UNSET",
        "APIResponse",
        "AbcModel",
        "Variant2",
        "Variant10",
        "helper",
    ]


@pytest.mark.parametrize(
    "names",
    [
        ["AsyncAbly", "Ably"],
        ["AWS", "AsyncAWS"],
        ["ZetaError", "ResponseValidationError", "one_line"],
        ["TYPE_CHECKING", "Any", "cast", "Literal", "X"],
        ["Item3", "Item034", "Item0099", "Item10", "Item2", "Item00"],
    ],
)
def test_member_order_is_rufs_isort_order(names: list[str], tmp_path: Path) -> None:
    """CONSTANTS, Classes, the rest (isort's order-by-type), as ruff itself checks it."""
    module = tmp_path / "m.py"
    ordered = ", ".join(sorted(names, key=naming.member_order))
    module.write_text(f"from x import {ordered}\n\nprint({ordered})\n", encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff", "check", "--isolated", "--select=I", str(module)]
    result = subprocess.run(ruff, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("client", ["Ably", "Zeta", "AWS"])
def test_imports_of_classes_named_after_the_spec_stay_sorted(client: str, tmp_path: Path) -> None:
    """The client and its error class sort among the runtime's names wherever their names
    fall (`Ably` before `AsyncAbly`, `ZetaError` after `ResponseValidationError`)."""
    spec = Path(__file__).resolve().parents[1] / "corpus" / "responses.yaml"
    out = tmp_path / "out"
    assert main(["generate", "--spec", str(spec), "--out", str(out), "--client-name", client]) == 0
    ruff = [sys.executable, "-m", "ruff", "check", "--isolated", "--select=I", str(out)]
    result = subprocess.run(ruff, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_module_order_is_rufs_isort_order(tmp_path: Path) -> None:
    """Modules of shortened names end in a hash that may start with zeros: ruff compares such
    digit runs digit by digit (`_0099`, `_034`, `_3fa4`), others by value (`v2`, `v10`)."""
    modules = ["m_3fa418c7", "m_034c5088", "m_0099bfe5", "v10", "v2", "v0", "v00", "v01", "v1"]
    ordered = sorted(modules, key=naming.import_order)
    module = tmp_path / "m.py"
    lines = [f"from .{name} import X{index}\n" for index, name in enumerate(ordered)]
    names = ", ".join(f"X{index}" for index in range(len(ordered)))
    module.write_text("".join(lines) + f"\nprint({names})\n", encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff", "check", "--isolated", "--select=I", str(module)]
    result = subprocess.run(ruff, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_export_order_with_zero_led_digits_is_rufs_all_order(tmp_path: Path) -> None:
    names = ["Item3", "Item034", "Item0099", "Item10", "Item2", "Item00", "UNSET", "helper"]
    ordered = ", ".join(f'"{name}"' for name in sorted(names, key=naming.export_order))
    module = tmp_path / "m.py"
    module.write_text(f"__all__ = [{ordered}]\n", encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff", "check", "--isolated", "--select=RUF022", str(module)]
    result = subprocess.run(ruff, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
