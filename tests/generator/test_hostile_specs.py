"""Hostile and careless specs through every command (issue 12): refused in one line, exit 2.

Values no output can hold, limits (size, nesting, strings, numbers), `$ref`s inside data, and
regex bombs, each through `generate`, `validate`, `lint` and `diff`.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.spec.limits import DEFAULT_MAX_SPEC_MB, MAX_SPEC_MB_VARIABLE, max_spec_bytes
from generator.spec.refs import collect_refs
from tests.generator.hostile import (
    COMMANDS,
    ROOT,
    Run,
    assert_one_line_error,
    command_line,
    operation,
    run,
    spec,
    thing,
)

__all__ = ["run"]  # the fixture, imported for the tests below


# --- one line, never a traceback, in every command -------------------------------------------


def _big_int_in_extension(tmp_path: Path) -> Path:
    text = json.dumps(spec())[:-1] + ', "x-big": ' + "9" * 5000 + "}"
    path = tmp_path / "spec.json"
    path.write_text(text, encoding="utf-8")
    return path


def _big_int_in_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec()) + "x-big: " + "9" * 5000 + "\n", encoding="utf-8")
    return path


def _huge_minimum(tmp_path: Path) -> Path:
    document = spec(lambda d: thing(d)["properties"]["id"].update(minimum="@"))
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document).replace('"@"', "1e400"), encoding="utf-8")
    return path


def _huge_minimum_yaml(tmp_path: Path) -> Path:
    text = yaml.safe_dump(spec(lambda d: thing(d)["properties"]["id"].update(minimum="@")))
    path = tmp_path / "spec.yaml"
    path.write_text(text.replace("'@'", "1.0e+400"), encoding="utf-8")
    return path


def _infinite_example(tmp_path: Path) -> Path:
    document = spec(lambda d: thing(d)["properties"].update(f={"type": "number", "example": "@"}))
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document).replace('"@"', "1e999"), encoding="utf-8")
    return path


def _non_string_key(tmp_path: Path) -> Path:
    text = yaml.safe_dump(spec()).replace("properties:\n", "properties:\n        1: {}\n", 1)
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _version_as_number(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec()).replace("openapi: 3.1.0", "openapi: 3.1"), "utf-8")
    return path


def _self_reference(tmp_path: Path) -> Path:
    def loop(document: dict[str, Any]) -> None:
        document["components"]["schemas"]["Loop"] = {"$ref": "#/components/schemas/Loop"}
        thing(document)["properties"]["loop"] = {"$ref": "#/components/schemas/Loop"}

    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec(loop)), encoding="utf-8")
    return path


def _lone_surrogate(tmp_path: Path) -> Path:
    document = spec(lambda d: d["info"].update(title="@"))
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document).replace('"@"', '"\\ud800"'), encoding="utf-8")
    return path


def _huge_string(tmp_path: Path) -> Path:
    document = spec(lambda d: d["info"].update(description="x" * 1_000_001))
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _file_name_not_utf8(tmp_path: Path) -> Path:
    raw = os.fsencode(tmp_path) + b"/spec\xff.json"
    Path(os.fsdecode(raw)).write_text(json.dumps(spec()), encoding="utf-8")
    return Path(os.fsdecode(raw))


def _impossible_date(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec()) + "x-when: 2024-13-45\n", encoding="utf-8")
    return path


def _ref_to_a_long_file_name(tmp_path: Path) -> Path:
    document = spec(lambda d: thing(d)["properties"].update(x={"$ref": "x" * 300 + ".yaml"}))
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _ref_with_a_nul_byte(tmp_path: Path) -> Path:
    document = spec(lambda d: thing(d)["properties"].update(x={"$ref": "a\x00b.yaml#/X"}))
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _ref_to_a_string(tmp_path: Path) -> Path:
    """Found by the fuzzer: a response `$ref` to `#/openapi` reached the parser as a string."""
    response = {"$ref": "#/openapi", "description": "ok"}
    document = spec(lambda d: operation(d)["responses"].update({"201": response}))
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


REFUSED = {
    "integer-of-5000-digits-in-x-data": (_big_int_in_extension, "more than 4300 digits"),
    "integer-of-5000-digits-in-yaml": (_big_int_in_yaml, "more than 4300 digits"),
    "minimum-1e400": (_huge_minimum, "#/components/schemas/Thing/properties/id/minimum: a num"),
    "minimum-1e400-yaml": (_huge_minimum_yaml, "overflows to infinity"),
    "example-1e999": (_infinite_example, "properties/f/example: a number too large for JSON"),
    "non-string-key": (_non_string_key, "the key 1 is a number, not a string: quote it"),
    "openapi-as-number": (_version_as_number, "'openapi' version must be a string"),
    "self-reference": (_self_reference, "$ref loop with nothing in between"),
    "lone-surrogate": (_lone_surrogate, "#/info/title: a string with a lone surrogate"),
    "string-over-1m": (_huge_string, "#/info/description: a string of 1,000,001 characters"),
    "file-name-not-utf8": (_file_name_not_utf8, "spec\\xff.json: the file name is not valid"),
    "unquoted-impossible-date": (_impossible_date, "invalid YAML: month must be in 1..12"),
    "ref-to-a-string": (_ref_to_a_string, "$ref '#/openapi' leads to a string value, not an"),
    # found by the fuzzer: the bundler's file check raised OSError / ValueError
    "ref-to-a-300-character-file-name": (_ref_to_a_long_file_name, "(File name too long)"),
    "ref-with-a-nul-byte": (_ref_with_a_nul_byte, "cannot read the file (embedded null byte)"),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_with_one_line_by_every_command(
    run: Run, tmp_path: Path, case: str, command: str
) -> None:
    make, message = REFUSED[case]
    code, out, err = run(*command_line(command, make(tmp_path), tmp_path))
    if command == "lint" and case in LINT_FINDINGS:  # a loadable document: lint reports it
        assert (code, err) == (1, "") and message in out and "spec-invalid" in out
        return
    assert_one_line_error(code, err, message)
    assert not (tmp_path / "out").exists()


# What the loader accepts but OpenAPI does not, lint lists as a finding (exit 1) like any other.
LINT_FINDINGS = {"openapi-as-number"}


# --- size limits -------------------------------------------------------------------------------


def test_the_default_size_limit_is_100_mb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MAX_SPEC_MB_VARIABLE, raising=False)
    assert DEFAULT_MAX_SPEC_MB == 100 and max_spec_bytes() == 100_000_000


@pytest.mark.parametrize("command", COMMANDS)
def test_a_spec_over_the_size_limit_is_refused_by_every_command(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.setenv(MAX_SPEC_MB_VARIABLE, "0.01")  # 10 kB
    document = spec(lambda d: d["info"].update(description="x" * 20_000))
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, _, err = run(*command_line(command, path, tmp_path))
    assert_one_line_error(code, err, f"larger than the 0.01 MB limit (set {MAX_SPEC_MB_VARIABLE}")


def test_files_a_spec_references_count_towards_the_limit(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MAX_SPEC_MB_VARIABLE, "0.01")
    (tmp_path / "big.yaml").write_text(
        yaml.safe_dump({"Big": {"type": "string", "description": "x" * 9_000}}), encoding="utf-8"
    )
    document = spec(lambda d: thing(d)["properties"].update(big={"$ref": "big.yaml#/Big"}))
    document["info"]["description"] = "y" * 5_000
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, _, err = run("validate", "--spec", str(path))
    assert_one_line_error(code, err, "big.yaml: the spec is larger than the 0.01 MB limit")


def test_a_200_mb_spec_is_refused_with_bounded_memory_and_time(tmp_path: Path) -> None:
    """It took 3.9 GB: now at most the limit is ever read."""
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as stream:  # sparse: no disk space used
        stream.truncate(200_000_000)
    script = (
        "import resource, sys; from generator.cli import main;"
        f"code = main(['validate', '--spec', {str(huge)!r}]);"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(code)"
    )
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 2, result.stderr
    assert "larger than the 100 MB limit" in result.stderr
    assert int(result.stdout.split()[-1]) < 350_000, "peak RSS over 350 MB"
    assert time.perf_counter() - started < 20


# --- $ref inside data --------------------------------------------------------------------------


def _refs_in_data(document: dict[str, Any]) -> None:
    document["x-meta"] = {"$ref": "#/nowhere", "file": {"$ref": "../../etc/passwd#/x"}}
    thing(document)["x-extension"] = {"$ref": "missing.yaml#/X"}
    thing(document)["properties"]["free"] = {"default": {"$ref": "#/also/nowhere"}}
    media = operation(document)["responses"]["200"]["content"]["application/json"]
    media["example"] = {"id": 1, "data": {"$ref": "#/not/a/ref"}}
    media["examples"] = {"named": {"value": {"$ref": "other.yaml#/Not"}}}


@pytest.mark.parametrize("command", COMMANDS)
def test_refs_inside_examples_defaults_and_extensions_are_data(
    run: Run, tmp_path: Path, command: str
) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec(_refs_in_data)), encoding="utf-8")
    code, out, err = run(*command_line(command, path, tmp_path))
    assert code in (0, 1) and not err.strip(), err
    assert "nowhere" not in out and "unresolved" not in out
    if command == "generate":
        fixture = json.loads((tmp_path / "out/fixtures/things_list.json").read_text())
        assert fixture["response_body"] == {"id": 1, "data": {"$ref": "#/not/a/ref"}}


def test_no_command_follows_a_ref_inside_data_to_a_url(run: Run, tmp_path: Path) -> None:
    """openapi-spec-validator read a default's `{"$ref": "http://..."}` (and file:// ones):
    refs inside data must reach no tool as references."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"type": "string"}')

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/x.json"
    try:

        def remote_refs_in_data(document: dict[str, Any]) -> None:
            thing(document)["properties"]["free"] = {"default": {"$ref": url}}
            thing(document)["x-remote"] = {"$ref": url}
            thing(document)["example"] = {"id": 1, "data": {"$ref": url}}

        path = tmp_path / "spec.json"
        path.write_text(json.dumps(spec(remote_refs_in_data)), encoding="utf-8")
        for command in COMMANDS:
            code, _, err = run(*command_line(command, path, tmp_path))
            assert code in (0, 1) and not err.strip(), (command, err)
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []


def test_a_property_named_like_a_data_keyword_is_still_a_schema(run: Run, tmp_path: Path) -> None:
    def misnamed(document: dict[str, Any]) -> None:
        thing(document)["properties"]["example"] = {"$ref": "#/components/schemas/Missing"}

    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec(misnamed)), encoding="utf-8")
    code, _, err = run("validate", "--spec", str(path))
    assert_one_line_error(code, err, "properties/example/$ref: unresolved $ref")


def test_collect_refs_reads_names_as_names_and_data_as_data() -> None:
    document = {
        "paths": {"x-ext": {"$ref": "#/data"}, "/a": {"$ref": "#/path"}},
        "components": {
            "schemas": {
                "x-named": {"$ref": "#/named"},
                "S": {"properties": {"enum": {"$ref": "#/prop"}}, "enum": [{"$ref": "#/e"}]},
            },
            "examples": {"E": {"$ref": "#/example-ref", "value": {"$ref": "#/value"}}},
        },
        "x-top": {"$ref": "#/x"},
        "parameters": [{"$ref": "#/param"}],
    }
    assert collect_refs(document) == {"#/path", "#/named", "#/prop", "#/example-ref", "#/param"}


def test_a_ref_where_a_name_belongs_is_still_checked(run: Run, tmp_path: Path) -> None:
    """Found by the fuzzer: openapi-spec-validator follows `properties: {$ref: ...}`."""
    document = spec(lambda d: thing(d).update(properties={"$ref": "http://127.0.0.1:9/x"}))
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, _, err = run("validate", "--spec", str(path))
    assert_one_line_error(code, err, "remote $ref 'http://127.0.0.1:9/x' is not supported")


def test_a_ref_to_the_member_named_empty_is_not_the_root(run: Run, tmp_path: Path) -> None:
    """Found by the fuzzer: `#/` was read as the whole document (RFC 6901: the key "")."""
    document = spec(lambda d: thing(d)["properties"].update(x={"$ref": "#/"}))
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, _, err = run("validate", "--spec", str(path))
    assert_one_line_error(code, err, "unresolved $ref '#/'")


# --- regex bombs in every command ----------------------------------------------------------

BOMB = "a" * 40 + "!"


def _bomb_in(place: str) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        field = {"type": "string", "pattern": "^(a+)+$"}
        if place in ("default", "example"):
            field[place] = BOMB
        thing(document)["properties"]["name"] = field
        media = operation(document)["responses"]["200"]["content"]["application/json"]
        if place == "media-example":
            media["example"] = {"name": BOMB}
        if place == "media-examples":
            media["examples"] = {"one": {"value": {"name": BOMB}}}

    return mutate


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("place", ["default", "example", "media-example", "media-examples"])
def test_a_regex_bomb_does_not_hang_any_command(
    run: Run, tmp_path: Path, command: str, place: str
) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec(_bomb_in(place))), encoding="utf-8")
    started = time.perf_counter()
    code, out, err = run(*command_line(command, path, tmp_path))
    assert time.perf_counter() - started < 10
    assert "Traceback" not in err
    if command == "diff" and place != "default":
        assert code == 0, err  # diff validates the OpenAPI rules only, examples are lint's
        return
    assert "did not finish within 0.5 s" in out + err, (code, out, err)
    assert code == (1 if command == "lint" else 2)
