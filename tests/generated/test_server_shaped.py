"""Response bodies shaped the way PostHog's serializers build them parse, strictly.

`tests/spec/server_shaped/<operationId>.json` holds, for every operation, bodies written from
PostHog's source (serializers, `to_representation`, custom actions, nullable model fields),
not from the docs' examples; `source` names the files they were read from. Each body goes
through the generated client with `strict_response_validation=True`: any disagreement between
the spec and the server would raise. The bodies are also checked against the spec itself in
tests/spec/test_server_shaped_bodies.py.

The second half checks the tolerant default: a drifted body (null, missing, wrong type,
unknown enum value) is kept and recorded, and raises only in strict mode.
"""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

import httpx
import posthog_api
import pytest

from tests.generated.operations import (
    API_KEY,
    HOST,
    build_call,
    call_sync,
    operation_params,
    same_json,
)

SHAPED_DIR = Path(__file__).resolve().parents[1] / "spec" / "server_shaped"


def shaped(operation_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SHAPED_DIR / f"{operation_id}.json").read_text())
    return data


def client_answering(status: int, body: Any, **options: Any) -> posthog_api.PostHog:
    def answer(request: httpx.Request) -> httpx.Response:
        if body is None:
            return httpx.Response(status)
        return httpx.Response(status, json=body)

    return posthog_api.PostHog(
        api_key=API_KEY,
        host=HOST,
        project_id="12345",
        organization_id="0190e1a4-7fa1-0000-d5ff-9b9e1c1f7c43",
        transport=httpx.MockTransport(answer),
        max_retries=0,
        **options,
    )


def shaped_operations() -> list[Any]:
    """Operations with a bodies file. A missing or stale file is reported once, by
    tests/spec/test_server_shaped_bodies.py::test_every_operation_has_a_file, with what to do."""
    files = {path.stem for path in SHAPED_DIR.glob("*.json")}
    return [param for param in operation_params() if param.values[0] in files]


def body_params() -> list[Any]:
    params = []
    operations = {param.values[0] for param in operation_params()}
    for path in sorted(SHAPED_DIR.glob("*.json")):
        if path.stem not in operations:
            continue
        data = json.loads(path.read_text())
        for index in range(len(data["bodies"])):
            params.append(pytest.param(data["operation_id"], index, id=f"{path.stem}[{index}]"))
    return params


@pytest.mark.parametrize("operation_id", shaped_operations())
def test_every_operation_has_server_shaped_bodies_with_their_source(operation_id: str) -> None:
    data = shaped(operation_id)
    assert data["operation_id"] == operation_id
    assert data["bodies"], "at least one body"
    assert data["source"] and all(name.endswith(".py") for name in data["source"])


@pytest.mark.parametrize(("operation_id", "index"), body_params())
def test_a_server_shaped_body_parses_in_strict_mode(operation_id: str, index: int) -> None:
    data = shaped(operation_id)
    body = data["bodies"][index]
    call = build_call(operation_id)
    client = client_answering(data["status"], body, strict_response_validation=True)
    outcome = call_sync(call, client)
    if data["status"] >= 400:
        assert isinstance(outcome, posthog_api.APIStatusError), outcome
        assert outcome.status_code == data["status"]
        return
    assert not isinstance(outcome, Exception), outcome
    if body is None:
        assert outcome is None
    elif isinstance(outcome, posthog_api.SyncPage):
        assert len(outcome.results) == len(body["results"])
        for item, raw in zip(outcome.results, body["results"], strict=True):
            assert same_json(item.to_dict(), raw)
    elif isinstance(outcome, posthog_api.Model):
        assert outcome.spec_drift == ()
        assert same_json(outcome.to_dict(), body), "nothing the server sent is lost"
    else:
        assert same_json(outcome, body)


def drifted_role() -> dict[str, Any]:
    """A real role body with four disagreements injected, one of each kind."""
    body = copy.deepcopy(shaped("roles_retrieve")["bodies"][0])
    body["name"] = None  # null where the spec allows no null
    del body["created_at"]  # a required field missing
    body["is_default"] = "yes"  # another JSON type
    body["members"][0]["user"]["role_at_organization"] = 7  # wrong type, one level down
    return body


DRIFTS = {
    ("$.name", "null"),
    ("$.created_at", "missing"),
    ("$.is_default", "type"),
    ("$.members[0].user.role_at_organization", "type"),
}


def test_a_drifted_body_is_kept_and_the_drift_recorded_by_default(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = drifted_role()
    client = client_answering(200, body)
    call = build_call("roles_retrieve")
    posthog_api._drift._logged.clear()  # forget what earlier tests logged (once per process)
    with caplog.at_level(logging.WARNING, logger="posthog_api"):
        role = call_sync(call, client)
    assert {(d.path, d.kind) for d in role.spec_drift} == DRIFTS
    assert role.name is None
    assert role.created_at is posthog_api.UNSET
    assert role.is_default == "yes"
    assert role.members[0].user.role_at_organization == 7
    assert role.members[0].user.spec_drift[0].path == "$.members[0].user.role_at_organization"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "$.is_default" in logged and "'yes'" not in logged and "yes" not in logged


def test_the_raw_response_records_the_drift_of_the_whole_body() -> None:
    client = client_answering(200, drifted_role())
    call = build_call("roles_retrieve")
    response = client.roles.with_raw_response.retrieve(**call.kwargs)
    response.parse()
    assert {(d.path, d.kind) for d in response.drift} == DRIFTS


def test_an_unknown_enum_value_is_kept_as_a_pseudo_member_and_recorded() -> None:
    body = copy.deepcopy(shaped("annotations_retrieve")["bodies"][0])
    body["scope"] = "galaxy"
    call = build_call("annotations_retrieve")
    annotation = call_sync(call, client_answering(200, body))
    assert annotation.scope == "galaxy"
    assert [(d.path, d.kind, d.got) for d in annotation.spec_drift] == [
        ("$.scope", "enum", "string")
    ]
    with pytest.raises(posthog_api.ResponseValidationError) as caught:
        call_sync(call, client_answering(200, body, strict_response_validation=True))
    assert caught.value.path == "$.scope"


def test_one_bad_item_does_not_spoil_a_page() -> None:
    body = copy.deepcopy(shaped("roles_list")["bodies"][0])
    body["results"][1]["is_default"] = 1
    page = call_sync(build_call("roles_list"), client_answering(200, body))
    assert len(page.results) == len(body["results"])
    assert page.results[0].spec_drift == ()
    assert [d.path for d in page.results[1].spec_drift] == ["$.results[1].is_default"]


@pytest.mark.parametrize("where", ["client", "call"])
def test_strict_mode_raises_with_the_json_path(where: str) -> None:
    call = build_call("roles_retrieve")
    strict_client = where == "client"
    client = client_answering(200, drifted_role(), strict_response_validation=strict_client)
    options: posthog_api.RequestOptions = (
        {} if strict_client else {"strict_response_validation": True}
    )
    with pytest.raises(posthog_api.ResponseValidationError) as caught:
        call.method(client)(**call.kwargs, options=options)
    assert caught.value.path == "$.name"


def test_a_body_that_is_not_json_still_raises_by_default() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<html>oops</html>")

    client = posthog_api.PostHog(
        api_key=API_KEY, host=HOST, transport=httpx.MockTransport(answer), max_retries=0
    )
    call = build_call("roles_retrieve")
    with pytest.raises(posthog_api.ResponseValidationError):
        call.method(client)(**call.kwargs, organization_id="o")


def test_each_drift_is_logged_once_per_field_and_kind(caplog: pytest.LogCaptureFixture) -> None:
    body = copy.deepcopy(shaped("roles_list")["bodies"][0])
    for item in body["results"]:
        item["is_default"] = "sometimes"
        item["name"] = 5
    posthog_api._drift._logged.clear()  # forget what earlier tests logged
    with caplog.at_level(logging.WARNING, logger="posthog_api"):
        for _ in range(3):
            page = call_sync(build_call("roles_list"), client_answering(200, body))
    assert len(page.results) * 2 == sum(len(item.spec_drift) for item in page.results)
    messages = [r.getMessage() for r in caplog.records]
    assert len([m for m in messages if "(Role.is_default)" in m]) == 1
    assert len([m for m in messages if "(Role.name)" in m]) == 1
    assert not any("sometimes" in m for m in messages)
