"""What the hostile-spec tests share: a small valid spec to change, and running the CLI.

The tests (test_hostile_specs.py, test_hostile_output.py) hold each input to issue 12's rule:
it either works (a package that compiles and imports) or is refused with one line per problem
and exit 2, never a traceback, by `generate`, `validate`, `lint` and `diff` alike.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ("generate", "validate", "lint", "diff")

BASE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "T", "version": "1"},
    "tags": [{"name": "things", "description": "Things."}],
    "paths": {
        "/things/": {
            "get": {
                "operationId": "things_list",
                "tags": ["things"],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                        },
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {"Thing": {"type": "object", "properties": {"id": {"type": "integer"}}}}
    },
}


def spec(mutate: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    if mutate is not None:
        mutate(document)
    return document


def thing(document: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"]["Thing"]
    return schema


def operation(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = document["paths"]["/things/"]["get"]
    return found


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def _run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def command_line(command: str, spec_path: Path, tmp_path: Path) -> list[str]:
    """The argv running `command` on `spec_path` (diff: against a valid base)."""
    if command == "generate":
        return ["generate", "--spec", str(spec_path), "--out", str(tmp_path / "out"), "--no-cache"]
    if command == "diff":
        base = tmp_path / "base.json"
        base.write_text(json.dumps(BASE), encoding="utf-8")
        return ["diff", str(base), str(spec_path), "--format", "text"]
    return [command, "--spec", str(spec_path)] + (["--format", "text"] if command == "lint" else [])


def assert_one_line_error(code: int, err: str, message: str) -> None:
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    # lint and diff name the side the problem is on: `#/info: head: message`
    assert message in re.sub(r": (spec|base|head): ", ": ", err), err
    assert "Traceback" not in err


def import_package(out: Path) -> None:
    """Import the generated package and each of its modules, in a fresh interpreter."""
    (package,) = [path.parent.name for path in out.glob("*/_client.py")]  # named after the title
    script = (
        "import importlib, pkgutil, sys\n"
        "name = sys.argv[1]\n"
        "for module in ('', '.models', '.resources', '.testing'):\n"
        "    importlib.import_module(name + module)\n"
        "for group in ('models', 'resources'):\n"
        "    package = importlib.import_module(f'{name}.{group}')\n"
        "    for info in pkgutil.iter_modules(package.__path__):\n"
        "        importlib.import_module(f'{name}.{group}.{info.name}')\n"
        "importlib.import_module(name + '.testing').fixture_transport()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, package],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
