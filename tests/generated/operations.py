"""Every operation of the spec as a concrete client call built from its fixture.

The fixture gives wire values (path params, query, JSON body); the intermediate model maps each
wire name to the method's keyword argument and its Python type. From the two we get the call's
keyword arguments, the request the client must send, and the result it must return. Shared by
tests/generated (mock transports) and tests/runtime (a real HTTP server validating the spec).
"""

from __future__ import annotations

import datetime
import functools
import json
import re
import urllib.parse
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import posthog_api
import pytest
from posthog_api import models

from generator.ir.model import Api, Operation, TypeRef
from generator.pipeline import load_and_parse

REPO = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO / "spec" / "posthog.yaml"
FIXTURES_DIR = REPO / "generated" / "fixtures"
HOST = "https://us.posthog.com"
API_KEY = "phx_test"

# What the API answers instead of a success, where the spec documents no success at all.
EXPECTED_ERRORS = {"annotations_destroy": "MethodNotAllowedError"}

# Generator bugs the lead must fix; the affected cases are strict xfails until then.


@functools.cache
def api() -> Api:
    return load_and_parse(SPEC_PATH)


@functools.cache
def fixtures() -> dict[str, dict[str, Any]]:
    """operation_id -> fixture, from generated/fixtures/*.json."""
    loaded = (json.loads(p.read_text(encoding="utf-8")) for p in FIXTURES_DIR.glob("*.json"))
    return {fixture["operation_id"]: fixture for fixture in loaded}


@functools.cache
def spec_operation_ids() -> tuple[str, ...]:
    """Every operationId in the spec, read from the YAML (not from the generator)."""
    from tests.runtime.spec_validator import SpecValidator

    return tuple(sorted(SpecValidator().operations))


def operation_params() -> list[Any]:
    """pytest parameters, one per operation."""
    return [pytest.param(op_id, id=op_id) for op_id in spec_operation_ids()]


@dataclass(frozen=True)
class Call:
    operation: Operation
    fixture: dict[str, Any]
    resource: str  # the client attribute of the operation's group
    kwargs: dict[str, Any]  # keyword arguments, without those the client fills in
    defaults: dict[str, Any]  # path params with a client default: {"project_id": "12345"}
    path: str  # the raw path the client must request
    query: list[tuple[str, str]]  # the decoded query pairs, in order
    body: Any  # the JSON body the client must send; None for no body

    @property
    def operation_id(self) -> str:
        return self.operation.operation_id

    @property
    def expected_error(self) -> str | None:
        return EXPECTED_ERRORS.get(self.operation_id)

    def method(self, client: Any) -> Any:
        return getattr(getattr(client, self.resource), self.operation.method_name)


def build_call(operation_id: str) -> Call:
    operation, resource = _find(operation_id)
    fixture = fixtures()[operation_id]
    by_wire = {(a.source, a.wire_name): a for a in operation.arguments}
    kwargs: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    for name, value in fixture["path_params"].items():
        argument = by_wire[("path", name)]
        target = defaults if argument.client_default else kwargs
        target[argument.py_name] = to_python(value, argument.type)
    for name, value in fixture["query"].items():
        argument = by_wire[("query", name)]
        kwargs[argument.py_name] = to_python(value, argument.type)
    body = fixture["request_body"]
    whole = operation.arguments_from("body")
    if whole and body is not None:
        kwargs[whole[0].py_name] = to_python(body, whole[0].type)
    elif body is not None:
        for name, value in body.items():
            field = by_wire.get(("body_field", name))
            assert field is not None, f"{operation_id}: body field {name!r} has no argument"
            kwargs[field.py_name] = to_python(value, field.type)
    assert not operation.arguments_from("header"), "header parameters are not covered yet"
    path = re.sub(
        r"\{([^/{}]+)\}",
        lambda m: urllib.parse.quote(str(fixture["path_params"][m[1]]), safe=""),
        fixture["path"],
    )
    query = [(name, text) for name, v in fixture["query"].items() for text in _query_texts(v)]
    return Call(operation, fixture, resource, kwargs, defaults, path, query, body)


def _find(operation_id: str) -> tuple[Operation, str]:
    for resource in api().resources:
        for operation in resource.operations:
            if operation.operation_id == operation_id:
                return operation, resource.attribute
    raise KeyError(operation_id)


def to_python(value: Any, type_ref: TypeRef) -> Any:
    """A JSON value as the Python value a keyword argument of this type takes."""
    if value is None:
        return None
    kind = type_ref.kind
    if kind == "datetime":
        return datetime.datetime.fromisoformat(value)
    if kind == "date":
        return datetime.date.fromisoformat(value)
    if kind == "uuid":
        return uuid.UUID(value)
    if kind == "enum":
        return getattr(models, str(type_ref.name))(value)
    if kind == "model":
        return getattr(models, str(type_ref.name)).from_dict(value)
    if kind == "list" and type_ref.item is not None:
        return [to_python(item, type_ref.item) for item in value]
    if kind == "dict" and type_ref.item is not None:
        return {key: to_python(item, type_ref.item) for key, item in value.items()}
    return value


def _query_texts(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return ["true" if v is True else "false" if v is False else str(v) for v in values]


def fixture_response(fixture: Mapping[str, Any]) -> httpx.Response:
    """The fixture's answer as an httpx response (no body when the fixture has none)."""
    body = fixture["response_body"]
    if body is None:
        return httpx.Response(fixture["status"])
    return httpx.Response(fixture["status"], json=body)


def check_request(
    call: Call, *, method: str, target: str, headers: Mapping[str, str], content: bytes
) -> None:
    """`target` is the raw path and query string as sent."""
    path, _, query = target.partition("?")
    assert method == call.operation.http_method
    assert path == call.path
    assert path.endswith("/")
    sent = urllib.parse.parse_qsl(query, keep_blank_values=True)
    assert same_json([list(p) for p in sent], [list(p) for p in call.query]), (sent, call.query)
    lowered = {name.lower(): value for name, value in headers.items()}
    assert lowered["authorization"] == f"Bearer {API_KEY}"
    if call.body is None:
        assert content == b""
        assert "content-type" not in lowered
    else:
        assert lowered["content-type"] == "application/json"
        assert json.loads(content) == call.body


def check_httpx_request(call: Call, request: httpx.Request) -> None:
    assert (request.url.scheme, request.url.host, request.url.port) == ("https", HOST[8:], None)
    assert str(request.url).partition("?")[0] == HOST + call.path
    check_request(
        call,
        method=request.method,
        target=request.url.raw_path.decode("ascii"),
        headers=request.headers,
        content=request.content,
    )


def check_result(call: Call, result: Any, page_class: type[Any]) -> None:
    """The parsed result has the operation's type and carries the whole fixture response."""
    operation, expected = call.operation, call.fixture["response_body"]
    if operation.return_kind == "none":
        assert result is None
        return
    assert operation.return_type is not None
    if operation.return_kind == "page":
        assert isinstance(result, page_class)
        assert result.count == expected.get("count")
        assert len(result.results) == len(expected["results"])
        for item, raw in zip(result.results, expected["results"], strict=True):
            _check_value(item, raw, operation.return_type)
        return
    _check_value(result, expected, operation.return_type)


def _check_value(value: Any, raw: Any, type_ref: TypeRef) -> None:
    if type_ref.kind == "model":
        cls = getattr(models, str(type_ref.name))
        assert type(value) is cls, f"{type(value).__name__} is not {cls.__name__}"
        assert same_json(value.to_dict(), raw)
    elif type_ref.kind == "dict":
        assert isinstance(value, dict)
        assert value == raw
    else:
        assert value == to_python(raw, type_ref)


_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?")


def same_json(left: Any, right: Any) -> bool:
    """JSON equality where date-times compare as instants ("...Z" == "...+00:00")."""
    return bool(_canonical(left) == _canonical(right))


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    if isinstance(value, str) and _DATETIME.fullmatch(value):
        return datetime.datetime.fromisoformat(value)
    return value


def check_outcome(call: Call, outcome: Any, page_class: type[Any]) -> None:
    """`outcome` is the method's result, or the exception it raised."""
    if call.expected_error is not None:
        expected = getattr(posthog_api, call.expected_error)
        assert isinstance(outcome, expected), f"{outcome!r} is not a {call.expected_error}"
        return
    if isinstance(outcome, Exception):
        raise outcome
    check_result(call, outcome, page_class)


def call_sync(call: Call, client: posthog_api.PostHog, **extra: Any) -> Any:
    try:
        return call.method(client)(**call.kwargs, **extra)
    except posthog_api.APIStatusError as exc:
        return exc


async def call_async(call: Call, client: posthog_api.AsyncPostHog, **extra: Any) -> Any:
    try:
        return await call.method(client)(**call.kwargs, **extra)
    except posthog_api.APIStatusError as exc:
        return exc
