"""Validate HTTP requests and responses against spec/posthog.yaml with jsonschema.

A small stand-in for openapi-core: match method + path to an operation, then check path and query
parameters, the Authorization header and the JSON body against the spec's own schemas. Schemas
are validated in place (`{"$ref": "<spec>#/paths/..."}`) with a registry holding the whole spec,
so `#/components/...` references resolve exactly as the spec means them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml
from openapi_schema_validator import OAS31Validator, oas31_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parents[2] / "spec" / "posthog.yaml"
SPEC_URI = "urn:posthog-spec"
JSON = "application/json"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_BEARER = re.compile(r"Bearer \S+")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    pointer: str
    parameters: tuple[tuple[str, dict[str, Any]], ...]  # (pointer, resolved parameter object)
    body_pointer: str | None  # the JSON body's schema, when the operation takes one
    body_required: bool
    responses: Mapping[str, str | None]  # status -> pointer of its JSON schema (None: no body)

    def parameters_in(self, location: str) -> dict[str, tuple[str, dict[str, Any]]]:
        return {p["name"]: (ptr, p) for ptr, p in self.parameters if p["in"] == location}


class SpecValidator:
    def __init__(self, spec_path: Path = SPEC_PATH) -> None:
        self.spec: dict[str, Any] = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(self.spec, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        self._validators: dict[str, OAS31Validator] = {}

    def resolve(self, pointer: str) -> tuple[str, Any]:
        """The node at a JSON pointer, following OpenAPI `$ref`s (parameters, bodies...)."""
        node: Any = self.spec
        for token in pointer.lstrip("/").split("/") if pointer else ():
            key = token.replace("~1", "/").replace("~0", "~")
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            return self.resolve(node["$ref"].removeprefix("#"))
        return pointer, node

    @cached_property
    def operations(self) -> dict[str, Operation]:
        return {op.operation_id: op for op in self._operations()}

    def _operations(self) -> Iterator[Operation]:
        for path, item in self.spec["paths"].items():
            item_ptr = f"/paths/{_escape(path)}"
            for method in HTTP_METHODS:
                if method in item:
                    yield self._operation(path, method, item, f"{item_ptr}/{method}")

    def _operation(self, path: str, method: str, item: Any, pointer: str) -> Operation:
        raw = item[method]
        parameters: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        for base, entries in ((f"/paths/{_escape(path)}", item), (pointer, raw)):
            for index, _ in enumerate(entries.get("parameters", ())):
                ptr, param = self.resolve(f"{base}/parameters/{index}")
                parameters[(param["name"], param["in"])] = (ptr, param)  # operation wins
        body_pointer, body_required = None, False
        if "requestBody" in raw:
            ptr, body = self.resolve(f"{pointer}/requestBody")
            body_pointer = f"{ptr}/content/{_escape(JSON)}/schema"
            body_required = bool(body.get("required", False))
        responses: dict[str, str | None] = {}
        for status in raw["responses"]:
            ptr, response = self.resolve(f"{pointer}/responses/{status}")
            has_json = JSON in response.get("content", {})
            responses[str(status)] = f"{ptr}/content/{_escape(JSON)}/schema" if has_json else None
        return Operation(
            operation_id=raw["operationId"],
            method=method.upper(),
            path=path,
            pointer=pointer,
            parameters=tuple(parameters.values()),
            body_pointer=body_pointer,
            body_required=body_required,
            responses=responses,
        )

    def errors(self, schema_pointer: str, instance: object) -> list[str]:
        """Every way `instance` breaks the schema at `schema_pointer` ([] when it is valid)."""
        validator = self._validators.get(schema_pointer)
        if validator is None:
            schema = {"$ref": f"{SPEC_URI}#{schema_pointer}"}
            validator = OAS31Validator(
                schema, registry=self._registry, format_checker=oas31_format_checker
            )
            self._validators[schema_pointer] = validator
        found = sorted(
            validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path]
        )
        return [f"{_where(e.absolute_path)}: {e.message}" for e in found]

    def parameter_errors(
        self, op: Operation, location: str, values: Mapping[str, object]
    ) -> list[str]:
        """Parameters given as JSON values (as in a fixture), checked against their schemas."""
        params = op.parameters_in(location)
        problems = [f"{location} {n}: not a parameter" for n in sorted(set(values) - set(params))]
        for name, (ptr, param) in params.items():
            if name not in values:
                problems += [f"{location} {name}: required but missing"] * bool(param["required"])
                continue
            for error in self.errors(f"{ptr}/schema", values[name]):
                problems.append(f"{location} {name}{error.removeprefix('$')}")
        return problems

    def response_errors(self, op: Operation, status: int, body: object) -> list[str]:
        """A response (status, decoded JSON body or None) checked against the documented one."""
        if str(status) not in op.responses:
            return [f"status {status} is not documented (only {sorted(op.responses)})"]
        schema_pointer = op.responses[str(status)]
        if schema_pointer is None:
            return [] if body is None else [f"response: {status} has no body, got {body!r:.80}"]
        if body is None:
            return [f"response: {status} is documented with a JSON body, got none"]
        return [f"response{e.removeprefix('$')}" for e in self.errors(schema_pointer, body)]

    def match(self, method: str, raw_path: str) -> tuple[Operation, dict[str, str]]:
        """The operation for a request path (literal routes win); ValueError if none matches."""
        candidates = sorted(self.operations.values(), key=lambda op: op.path.count("{"))
        allowed = []
        for op in candidates:
            found = _template(op.path).fullmatch(raw_path)
            if found:
                if op.method == method:
                    return op, {k: unquote(v) for k, v in found.groupdict().items()}
                allowed.append(op.method)
        if allowed:
            raise ValueError(f"{method} {raw_path}: method not allowed (only {sorted(allowed)})")
        raise ValueError(f"{method} {raw_path}: no operation has this path")

    def validate_request(
        self,
        method: str,
        raw_path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> tuple[str | None, list[str]]:
        """(operation_id or None, problems); no problems means the spec allows the request."""
        try:
            op, path_values = self.match(method, raw_path)
        except ValueError as exc:
            return None, [str(exc)]
        lowered = {name.lower(): value for name, value in headers.items()}
        problems = []
        if not _BEARER.fullmatch(lowered.get("authorization", "")):
            problems.append("header Authorization: no `Bearer <key>` credentials")
        for name, (ptr, _param) in op.parameters_in("path").items():
            problems += self._value_errors(f"path {name}", ptr, [path_values[name]])
        query_params = op.parameters_in("query")
        for name in sorted({key for key, _ in query} - set(query_params)):
            problems.append(f"query {name}: not a parameter of {op.operation_id}")
        for name, (ptr, param) in query_params.items():
            values = [value for key, value in query if key == name]
            if values:
                problems += self._value_errors(f"query {name}", ptr, values)
            elif param.get("required"):
                problems.append(f"query {name}: required but missing")
        problems += self._body_errors(op, lowered.get("content-type", ""), body)
        return op.operation_id, problems

    def _value_errors(self, label: str, param_pointer: str, values: list[str]) -> list[str]:
        schema_ptr, schema = self.resolve(f"{param_pointer}/schema")
        if schema.get("type") == "array":
            instance: object = [_coerce(v, schema.get("items", {})) for v in values]
        elif len(values) > 1:
            return [f"{label}: sent {len(values)} times but is not an array"]
        else:
            instance = _coerce(values[0], schema)
        return [f"{label}{error.removeprefix('$')}" for error in self.errors(schema_ptr, instance)]

    def _body_errors(self, op: Operation, content_type: str, body: bytes) -> list[str]:
        if op.body_pointer is None:
            return [f"body: {op.operation_id} takes no body, got {len(body)} bytes"] if body else []
        if not body:
            return [f"body: {op.operation_id} requires a JSON body"] if op.body_required else []
        if content_type.split(";")[0].strip() != JSON:
            return [f"body: Content-Type is {content_type!r}, not {JSON}"]
        try:
            document = json.loads(body)
        except ValueError as exc:
            return [f"body: not JSON ({exc})"]
        return [
            f"body{error.removeprefix('$')}" for error in self.errors(op.body_pointer, document)
        ]


def _template(path: str) -> re.Pattern[str]:
    parts = re.split(r"\{([^/{}]+)\}", path)
    pattern = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts)
    )
    return re.compile(pattern)


def _coerce(text: str, schema: Mapping[str, Any]) -> object:
    """A path/query string as the JSON value its schema describes ("12" -> 12); else unchanged."""
    types = schema.get("type")
    kinds = set(types) if isinstance(types, list) else {types}
    if "integer" in kinds and re.fullmatch(r"-?\d+", text):
        return int(text)
    if "number" in kinds and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", text):
        return float(text)
    if "boolean" in kinds and text in ("true", "false"):
        return text == "true"
    return text


def _where(path: Sequence[str | int]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
