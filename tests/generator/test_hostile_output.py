"""What the generator writes for hostile specs (issue 12): it compiles, imports and type-checks.

Docstrings that end in quotes, a compile check before anything is written, valid TOML whatever
the title, strict-JSON fixtures, capped file names, names that would shadow imported modules,
and integers mypy cannot take in a `Literal`.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import pipeline
from generator.emit import render
from generator.emit.format import FORMATTERS, Formatter, format_files
from generator.emit.render import TEMPLATES_DIR, docstring, toml_string
from generator.errors import SpecError
from generator.ir import naming
from generator.ir.literals import fits_literal
from tests.generator.hostile import (
    COMMANDS,
    Run,
    assert_one_line_error,
    command_line,
    import_package,
    operation,
    run,
    spec,
    thing,
)

__all__ = ["run"]  # the fixture, imported for the tests below


# --- docstrings and compile checks ---------------------------------------------------------


def test_a_tag_description_ending_in_a_quote_gives_a_package_that_imports(
    run: Run, tmp_path: Path
) -> None:
    def hostile_tags(document: dict[str, Any]) -> None:
        document["tags"][0]["description"] = 'Ends in a quote "'
        document["tags"].append({"name": "other", "description": 'Ends in three """'})
        document["paths"]["/other/"] = {
            "get": {"tags": ["other"], "responses": {"204": {"description": "none"}}}
        }

    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec(hostile_tags)), encoding="utf-8")
    code, _, err = run("generate", "--spec", str(path), "--out", str(tmp_path / "out"))
    assert code == 0, err
    import_package(tmp_path / "out")


TRICKY_TEXTS = ['"', 'a "', 'a ""', 'a """', 'a """"""', 'a \\"', "a \\", 'a\\\\"', '"""x"""']


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_docstrings_keep_their_text_and_never_close_early(text: str) -> None:
    before_close = docstring(text, closing=True)
    namespace: dict[str, Any] = {}
    exec(f'def f():\n    """{before_close}"""\n', namespace)
    assert namespace["f"].__doc__.rstrip() == text.rstrip()
    exec(f'def g():\n    """{docstring(text)}\n\n    More.\n    """\n', namespace)
    assert namespace["g"].__doc__.startswith(text.rstrip())


def test_every_docstring_right_before_its_closing_quotes_is_marked_closing() -> None:
    """A template writing `{{ x | docstring }}\"\"\"` must ask for `closing=true`."""
    unmarked = [
        f"{path.name}: {line.strip()}"
        for path in TEMPLATES_DIR.rglob("*.jinja")
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r"\|\s*docstring[^}]*\}\}\"\"\"", line) and "closing=true" not in line
    ]
    assert unmarked == []


def test_a_module_that_does_not_compile_fails_generate_with_one_line(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A template bug must fail loudly, not ship a package that does not import."""
    monkeypatch.setattr(render, "docstring", lambda *args, **kwargs: '"""; (')
    out = tmp_path / "out"
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec()), encoding="utf-8")
    code, _, err = run("generate", "--spec", str(path), "--out", str(out))
    assert_one_line_error(code, err, "generated code does not compile")
    assert re.search(r"\w+/\S+\.py:\d+: generated code does not compile", err), err
    assert not out.exists()


@pytest.mark.parametrize("formatter", FORMATTERS)
def test_code_the_formatter_accepts_but_python_refuses_is_refused(formatter: Formatter) -> None:
    with pytest.raises(SpecError, match=r"m\.py:1: generated code does not compile"):
        format_files({"m.py": "def f(a, a):\n    pass\n"}, formatter=formatter)


def test_a_module_python_refuses_fails_generate_and_writes_nothing(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_render = pipeline.render_files

    def render_with_a_bad_module(*args: Any, **kwargs: Any) -> dict[str, str]:
        return {**real_render(*args, **kwargs), "posthog_api/bad.py": "def f(a, a):\n    pass\n"}

    monkeypatch.setattr(pipeline, "render_files", render_with_a_bad_module)
    out = tmp_path / "out"
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec()), encoding="utf-8")
    code, _, err = run("generate", "--spec", str(path), "--out", str(out))
    assert_one_line_error(code, err, "posthog_api/bad.py:1: generated code does not compile")
    assert not out.exists()


def test_check_writes_nothing_not_even_the_cache(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("POSTHOG_CODEGEN_CACHE_DIR", str(cache))
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec()), encoding="utf-8")
    out = tmp_path / "out"
    assert run("generate", "--spec", str(path), "--out", str(out), "--no-cache")[0] == 0
    assert run("generate", "--check", "--spec", str(path), "--out", str(out))[0] == 0
    assert not cache.exists()
    assert run("generate", "--spec", str(path), "--out", str(out))[0] == 0
    assert cache.exists()  # the control: without --check the cache is written


def test_an_output_folder_that_cannot_be_made_is_one_line(run: Run, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec()), encoding="utf-8")
    code, _, err = run("generate", "--spec", str(path), "--out", str(blocker / "out"))
    assert_one_line_error(code, err, "cannot write the output")


def _long_names(document: dict[str, Any]) -> None:
    document["tags"][0]["name"] = "t" * 300
    operation(document)["tags"] = ["t" * 300]
    operation(document)["operationId"] = "o" * 300
    schemas = document["components"]["schemas"]
    schemas["S" * 300] = schemas.pop("Thing")
    ref = {"$ref": "#/components/schemas/" + "S" * 300}
    operation(document)["responses"]["200"]["content"]["application/json"]["schema"] = ref


def _deep_nesting(document: dict[str, Any]) -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(90):
        schema = {"type": "object", "properties": {"a": schema}}
    thing(document)["properties"]["deep"] = schema


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "mutate", [_long_names, _deep_nesting], ids=["300-character-names", "90-level-nesting"]
)
def test_long_names_and_deep_nesting_work_in_every_command(
    run: Run, tmp_path: Path, command: str, mutate: Callable[[dict[str, Any]], None]
) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec(mutate)), encoding="utf-8")
    code, _, err = run(*command_line(command, path, tmp_path))
    assert code in (0, 1) and "Traceback" not in err, err  # lint and diff exit 1 on findings
    if command == "generate":
        names = [p.name for p in (tmp_path / "out").rglob("*")]
        assert max(len(name) for name in names) <= naming.MAX_NAME_LENGTH + len(".json")
        import_package(tmp_path / "out")


def test_long_names_are_cut_with_a_hash_of_the_whole() -> None:
    first, second = naming.snake_case("a" * 300), naming.snake_case("a" * 299 + "b")
    assert len(first) == naming.MAX_NAME_LENGTH and first != second
    assert first.startswith("a" * 60) and re.fullmatch(r"a+_[0-9a-f]{8}", first)
    assert naming.snake_case("a" * naming.MAX_NAME_LENGTH) == "a" * naming.MAX_NAME_LENGTH


# --- fixtures are strict JSON ------------------------------------------------------------------


def test_an_example_json_cannot_hold_stops_the_run_before_writing(run: Run, tmp_path: Path) -> None:
    """A YAML date where any value goes fits the schema, but not a JSON fixture."""
    text = yaml.safe_dump(spec()).replace(
        "              schema:\n",
        "              example: {when: 2024-01-01}\n              schema:\n",
    )
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = run("generate", "--spec", str(path), "--out", str(out))
    assert_one_line_error(code, err, "#/paths/~1things~1/get: an example of this operation is not")
    assert "datetime.date(2024, 1, 1)" in err
    assert not out.exists()


# --- pyproject.toml ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    ["Emoji \U0001f389", 'a "quoted" title', "back\\slash", "tab\tand\x07bell", "\u00fc\u2028"],
)
def test_pyproject_is_valid_toml_whatever_the_title(run: Run, tmp_path: Path, title: str) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec(lambda d: d["info"].update(title=title))), encoding="utf-8")
    assert run("generate", "--spec", str(path), "--out", str(tmp_path / "out"))[0] == 0
    project = tomllib.loads((tmp_path / "out/pyproject.toml").read_text(encoding="utf-8"))
    description = project["project"]["description"]
    assert description.startswith("Typed Python client for the ")
    assert "\n" not in description and "\x07" not in description


@pytest.mark.parametrize("text", ["", 'q"', "\\", "\x00\x1f\x7f", "\U0001f389", "\ud800", "é"])
def test_toml_string_round_trips(text: str) -> None:
    parsed = tomllib.loads(f"value = {toml_string(text)}\n")["value"]
    assert parsed == (text if text != "\ud800" else "\ufffd")


# --- names that break mypy -----------------------------------------------------------------


def test_a_tag_named_after_a_module_the_client_imports_gets_another_attribute() -> None:
    imported = {
        match.group(1).split(".")[0]
        for path in TEMPLATES_DIR.rglob("*.jinja")
        for match in re.finditer(
            r"^\s*(?:import|from) ([a-z_][a-z_.]*)", path.read_text(encoding="utf-8"), re.M
        )
        if not match.group(1).startswith(("_", "."))
    }
    assert imported - {"typing_extensions"} <= naming.IMPORTED_MODULES
    assert {naming.resource_attribute(name) for name in ("httpx", "typing", "json")} == {
        "httpx_",
        "typing_",
        "json_",
    }


def test_only_64_bit_integers_are_literals() -> None:
    assert fits_literal(2**63 - 1) and fits_literal(-(2**63)) and fits_literal("x")
    assert fits_literal(True)
    assert not fits_literal(2**63) and not fits_literal(-(2**63) - 1)
