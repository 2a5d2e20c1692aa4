"""Generating specs into importable packages and checking them, for tests of real-world input.

Shared by test_real_constructs.py (small feature specs) and test_real_specs.py (the real-spec
corpus): each spec becomes its own package in a temporary folder, all are checked by one
`mypy --strict` and one `ruff check`, and a client is built whatever credential its
constructor asks for.
"""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

from generator.config import GeneratorConfig
from generator.emit.write import write_tree
from generator.ir.model import Api, Model, Operation, TypeRef
from generator.ir.responses import is_json
from generator.pipeline import Generated, generate
from generator.spec.locate import resolve_pointer

RUFF_RULES = "E,F,W,I,B,UP,SIM,RUF"
HOST = "https://api.example.test"


@dataclass
class Package:
    name: str  # the import name
    out: Path
    api: Api
    config: GeneratorConfig
    result: Generated

    def module(self, name: str = "") -> ModuleType:
        return importlib.import_module(f"{self.name}.{name}" if name else self.name)

    @property
    def warnings(self) -> list[str]:
        return [f"#{w.pointer}: {w.message}" for w in self.api.warnings]

    def client(self, respond: Callable[[httpx.Request], httpx.Response]) -> Any:
        """The sync client over a mock transport, strict: a body that disagrees raises."""
        cls = getattr(self.module(), self.config.client_class)
        accepted = inspect.signature(cls).parameters
        kwargs: dict[str, Any] = {
            "transport": httpx.MockTransport(respond),
            "strict_response_validation": True,
        }
        if "host" in accepted:
            kwargs["host"] = HOST
        for name, parameter in accepted.items():  # credentials, whatever the spec calls them
            if name not in kwargs and parameter.default is None and _is_credential(name):
                kwargs[name] = "test-credential"
        return cls(**kwargs)


def _is_credential(name: str) -> bool:
    return any(word in name for word in ("key", "token", "password", "username", "secret"))


def build(spec: Path, package: str, root: Path, *, lenient: bool = False) -> Package:
    """Generate `spec` as package `package` under `root` and make it importable."""
    config = GeneratorConfig(package=package)
    result = generate(spec, config, lenient=lenient)
    out = root / package
    write_tree(out, result.files)
    if str(out) not in sys.path:
        sys.path.insert(0, str(out))
    return Package(package, out, result.api, config, result)


def check(packages: list[Package], cache: Path) -> dict[str, str]:
    """One `mypy --strict` and one `ruff check` over every package, side by side."""
    folders = [str(p.out / p.name) for p in packages]
    python = sys.executable
    commands = {
        "mypy": [
            python, "-m", "mypy", "--strict", "--python-version", "3.11",
            "--cache-dir", str(cache), *folders,
        ],
        "ruff": [
            python, "-m", "ruff", "check", "--isolated", "--quiet", f"--select={RUFF_RULES}",
            "--target-version=py311", "--line-length=100", "--output-format=concise", *folders,
        ],
    }  # fmt: skip
    running = {
        tool: subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for tool, command in commands.items()
    }
    return {tool: process.communicate(timeout=600)[0] for tool, process in running.items()}


def problems(report: str, package: Package) -> list[str]:
    """The lines of a mypy or ruff report about one package (notes left out)."""
    marker = f"{package.name}/"
    return [line for line in report.splitlines() if marker in line and ": note:" not in line]


def respond_json(status: int, body: Any) -> Callable[[httpx.Request], httpx.Response]:
    """A responder answering every request with one status and JSON body (None: empty)."""

    def respond(request: httpx.Request) -> httpx.Response:
        if body is None:
            return httpx.Response(status)
        return httpx.Response(status, json=body)

    return respond


# -- decoding documented examples ----------------------------------------------------------


def parser_for(package: Package, operation: Operation) -> Callable[[Any], Any]:
    """What the operation's method decodes its body with, strictly (pages: their items)."""
    assert operation.return_type is not None
    resource = next(r for r in package.api.resources if operation in r.operations)
    namespace = dict(vars(package.module(f"resources.{resource.module}")))
    # The annotation is the generator's own text (never spec content), as the method spells it.
    hint = eval(operation.return_type.field_annotation, namespace)
    models = package.module("_models")
    if operation.return_kind == "page":
        items = models.Parser(list[hint])  # type: ignore[valid-type]
        return lambda body: items(body["results"], strict=True)
    parser = models.Parser(hint)
    return lambda body: parser(body, strict=True)


def response_examples(operation: Operation, document: Any) -> list[tuple[str, Any, bool]]:
    """(status, example, declared) for each 2xx JSON response: the example its spec gives (on
    the media type, or on the response schema itself), else one built from the schema."""
    found = []
    for response in operation.responses:
        if not (
            response.status.startswith("2")
            and response.type is not None
            and response.content_type is not None
            and is_json(response.content_type)
        ):
            continue
        node = resolve_pointer(document, operation.pointer)
        for key in ("responses", response.status, "content", response.content_type, "schema"):
            node = _resolved(document, node.get(key) if isinstance(node, dict) else None)
        schema = node
        on_schema = isinstance(schema, dict) and ("example" in schema or "examples" in schema)
        found.append((response.status, response.example, response.has_example or on_schema))
    return found


def _resolved(document: Any, node: Any) -> Any:
    for _ in range(20):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            break
        node = resolve_pointer(document, node["$ref"][1:])
    return node


def with_nulls(value: Any, type_ref: TypeRef, models: dict[str, Model]) -> Any:
    """`value` with every field the schema lets be null set to null (recursively)."""
    if value is None:
        return None
    if type_ref.kind == "model" and isinstance(value, dict):
        model = models.get(type_ref.name or "")
        if model is None:
            return value
        fields = {f.wire_name: f for f in model.fields}
        return {
            key: (
                None
                if key in fields and fields[key].type.nullable
                else with_nulls(item, fields[key].type, models)
                if key in fields
                else item
            )
            for key, item in value.items()
        }
    if type_ref.kind == "list" and type_ref.item is not None and isinstance(value, list):
        return [with_nulls(item, type_ref.item, models) for item in value]
    if type_ref.kind == "dict" and type_ref.item is not None and isinstance(value, dict):
        return {key: with_nulls(item, type_ref.item, models) for key, item in value.items()}
    return value
