"""Every operation, sync and async, over real HTTP to a server that validates against the spec.

The server (tests/runtime/server.py SpecServer) matches each request to an operation of
spec/posthog.yaml, validates its path params, query, JSON body and bearer credentials with
jsonschema, and answers with the operation's fixture. A request the spec does not allow is
answered 400 and recorded, and every test checks that nothing was recorded.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from posthog_api import AsyncPage, AsyncPostHog, BadRequestError, PostHog, SyncPage
from posthog_api.models import AnnotationScopeEnum

from tests.generated.operations import (
    API_KEY,
    Call,
    build_call,
    call_async,
    call_sync,
    check_outcome,
    check_request,
    fixtures,
    operation_params,
)

from .server import SpecServer


@pytest.fixture(scope="module")
def _spec_server() -> Iterator[SpecServer]:
    server = SpecServer(fixtures())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def spec_server(_spec_server: SpecServer) -> SpecServer:
    _spec_server.reset()
    return _spec_server


def check_exchange(call: Call, server: SpecServer) -> None:
    assert server.rejections == []
    [received] = server.received
    check_request(
        call,
        method=received.method,
        target=received.path,
        headers=received.headers,
        content=received.body,
    )


@pytest.mark.parametrize("operation_id", operation_params())
def test_sync(operation_id: str, spec_server: SpecServer) -> None:
    call = build_call(operation_id)
    with PostHog(
        api_key=API_KEY, host=spec_server.url, max_retries=0, timeout=5, **call.defaults
    ) as client:
        outcome = call_sync(call, client)
    check_exchange(call, spec_server)
    check_outcome(call, outcome, SyncPage)


@pytest.mark.anyio
@pytest.mark.parametrize("operation_id", operation_params())
async def test_async(operation_id: str, spec_server: SpecServer) -> None:
    call = build_call(operation_id)
    async with AsyncPostHog(
        api_key=API_KEY, host=spec_server.url, max_retries=0, timeout=5, **call.defaults
    ) as client:
        outcome = await call_async(call, client)
    check_exchange(call, spec_server)
    check_outcome(call, outcome, AsyncPage)


AUTH = {"Authorization": f"Bearer {API_KEY}"}
ANNOTATIONS = "/api/projects/12345/annotations/"


@pytest.mark.parametrize(
    ("method", "target", "headers", "body", "reason"),
    [
        pytest.param(
            "POST",
            ANNOTATIONS,
            AUTH,
            {"content": "x", "scope": "galaxy"},
            "body.scope: 'galaxy' is not one of",
            id="bad-enum-in-body",
        ),
        pytest.param(
            "POST",
            "/api/projects/12345/signal_source_configs/",
            AUTH,
            {"source_product": "session_replay"},
            "body: 'source_type' is a required property",
            id="missing-required-body-field",
        ),
        pytest.param(
            "GET", ANNOTATIONS, {}, None, "header Authorization: no `Bearer", id="no-credentials"
        ),
        pytest.param(
            "GET",
            ANNOTATIONS + "?limit=ten",
            AUTH,
            None,
            "query limit: 'ten' is not of type 'integer'",
            id="bad-query-type",
        ),
        pytest.param(
            "GET",
            ANNOTATIONS + "?page_size=10",
            AUTH,
            None,
            "query page_size: not a parameter of annotations_list",
            id="unknown-query",
        ),
        pytest.param(
            "GET",
            "/api/organizations/o/roles/not-a-uuid/",
            AUTH,
            None,
            "path id: 'not-a-uuid' is not a 'uuid'",
            id="bad-path-param",
        ),
        pytest.param(
            "GET",
            ANNOTATIONS.rstrip("/"),
            AUTH,
            None,
            "no operation has this path",
            id="no-trailing-slash",
        ),
        pytest.param(
            "PUT", ANNOTATIONS + "1/", AUTH, {}, "method not allowed", id="undocumented-method"
        ),
        pytest.param(
            "GET",
            ANNOTATIONS + "1/",
            AUTH,
            {"content": "x"},
            "annotations_retrieve takes no body",
            id="body-on-a-get",
        ),
    ],
)
def test_the_server_rejects_requests_the_spec_does_not_allow(
    spec_server: SpecServer,
    method: str,
    target: str,
    headers: dict[str, str],
    body: object,
    reason: str,
) -> None:
    with httpx.Client(base_url=spec_server.url, timeout=5) as raw:
        response = raw.request(method, target, headers=headers, json=body)
    assert response.status_code == 400
    assert reason in response.json()["detail"]
    [rejection] = spec_server.rejections
    assert reason in rejection


def test_the_server_accepts_a_valid_raw_request(spec_server: SpecServer) -> None:
    """The positive control of the test above: the same route, done right, is served."""
    body = {"content": "x", "scope": "project", "date_marker": "2024-01-02T03:04:05Z"}
    with httpx.Client(base_url=spec_server.url, timeout=5) as raw:
        response = raw.post(ANNOTATIONS, headers=AUTH, json=body)
    assert spec_server.rejections == []
    assert response.status_code == fixtures()["annotations_create"]["status"]
    assert response.json() == fixtures()["annotations_create"]["response_body"]


def test_a_bad_value_sent_by_the_client_fails_with_the_reason(spec_server: SpecServer) -> None:
    """Open enums accept unknown values, so the client can send one; the server refuses it."""
    with (
        PostHog(api_key=API_KEY, host=spec_server.url, project_id="12345", timeout=5) as client,
        pytest.raises(BadRequestError, match=r"body\.scope: 'galaxy' is not one of"),
    ):
        client.annotations.create(content="x", scope=AnnotationScopeEnum("galaxy"))
    [rejection] = spec_server.rejections
    assert "body.scope: 'galaxy' is not one of" in rejection
