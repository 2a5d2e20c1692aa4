"""Every operation called through the generated clients, driven by its fixture.

A recording MockTransport answers with the fixture's response; each call must send exactly the
fixture's request (method, URL with its trailing slash, query, JSON body, bearer key) and return
the operation's type. Then the same through `posthog_api.testing.fixture_transport()`.
"""

from __future__ import annotations

from typing import Any

import httpx
import posthog_api
import pytest
from posthog_api import AsyncPage, AsyncPostHog, PostHog, SyncPage
from posthog_api.testing import fixture_transport

from .operations import (
    API_KEY,
    HOST,
    Call,
    build_call,
    call_async,
    call_sync,
    check_httpx_request,
    check_outcome,
    check_result,
    fixture_response,
    operation_params,
    spec_operation_ids,
)


class Recorder:
    """A MockTransport handler: records each request, answers with the fixture."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return fixture_response(self.call.fixture)


def test_every_operation_is_covered() -> None:
    calls = [build_call(op_id) for op_id in spec_operation_ids()]
    assert calls
    # One method per operation, none shadowing another.
    assert len({(c.resource, c.operation.method_name) for c in calls}) == len(calls)
    with PostHog(api_key=API_KEY, transport=fixture_transport()) as client:
        assert all(callable(call.method(client)) for call in calls)


@pytest.mark.parametrize("operation_id", operation_params())
def test_sync(operation_id: str) -> None:
    call = build_call(operation_id)
    recorder = Recorder(call)
    transport = httpx.MockTransport(recorder)
    with PostHog(api_key=API_KEY, max_retries=0, transport=transport, **call.defaults) as client:
        outcome = call_sync(call, client)
    [request] = recorder.requests
    check_httpx_request(call, request)
    check_outcome(call, outcome, SyncPage)


@pytest.mark.anyio
@pytest.mark.parametrize("operation_id", operation_params())
async def test_async_with_per_call_path_params(operation_id: str) -> None:
    """Path params given per call win over other client-level defaults."""
    call = build_call(operation_id)
    recorder = Recorder(call)
    others: dict[str, Any] = {name: "not-this-one" for name in call.defaults}
    async with AsyncPostHog(
        api_key=API_KEY, max_retries=0, transport=httpx.MockTransport(recorder), **others
    ) as client:
        outcome = await call_async(call, client, **call.defaults)
    [request] = recorder.requests
    check_httpx_request(call, request)
    check_outcome(call, outcome, AsyncPage)


@pytest.mark.parametrize("operation_id", operation_params())
def test_sync_raw_response(operation_id: str) -> None:
    call = build_call(operation_id)
    transport = httpx.MockTransport(Recorder(call))
    with PostHog(api_key=API_KEY, max_retries=0, transport=transport, **call.defaults) as client:
        raw_method = getattr(
            getattr(client, call.resource).with_raw_response, call.operation.method_name
        )
        try:
            response = raw_method(**call.kwargs)
        except posthog_api.APIStatusError as exc:
            check_outcome(call, exc, SyncPage)
            return
    assert isinstance(response, posthog_api.APIResponse)
    assert response.status_code == call.fixture["status"]
    assert response.method == call.operation.http_method
    assert response.url.partition("?")[0] == HOST + call.path
    check_outcome(call, response.parse(), SyncPage)


@pytest.mark.parametrize("operation_id", operation_params())
def test_sync_from_the_fixture_transport(operation_id: str) -> None:
    call = build_call(operation_id)
    with PostHog(api_key=API_KEY, transport=fixture_transport(), **call.defaults) as client:
        outcome = call_sync(call, client)
    check_outcome(call, outcome, SyncPage)


@pytest.mark.anyio
@pytest.mark.parametrize("operation_id", operation_params())
async def test_async_from_the_fixture_transport(operation_id: str) -> None:
    call = build_call(operation_id)
    async with AsyncPostHog(
        api_key=API_KEY, transport=fixture_transport(), **call.defaults
    ) as client:
        outcome = await call_async(call, client)
    check_outcome(call, outcome, AsyncPage)


def test_the_destroy_that_is_not_allowed_raises_method_not_allowed() -> None:
    """What annotations_destroy does against the real API (a 405), whatever its fixture says."""
    call = build_call("annotations_destroy")
    transport = fixture_transport({"annotations_destroy": {"status": 405, "response_body": None}})
    with (
        PostHog(api_key=API_KEY, transport=transport, **call.defaults) as client,
        pytest.raises(posthog_api.MethodNotAllowedError) as caught,
    ):
        call.method(client)(**call.kwargs)
    assert caught.value.status_code == 405


def test_a_wrong_request_fails_the_checks() -> None:
    """check_httpx_request is not a no-op: a request for another id or body is refused."""
    call = build_call("annotations_partial_update")
    good = httpx.Request(
        call.operation.http_method,
        HOST + call.path,
        json=call.body,
        headers={"Authorization": f"Bearer {API_KEY}"},
    )
    check_httpx_request(call, good)
    wrong_body = httpx.Request(
        good.method, good.url, json={"content": "other"}, headers=good.headers
    )
    no_slash = httpx.Request(
        good.method, HOST + call.path.rstrip("/"), json=call.body, headers=good.headers
    )
    for wrong in (wrong_body, no_slash):
        with pytest.raises(AssertionError):
            check_httpx_request(call, wrong)


def test_a_wrong_result_fails_the_checks() -> None:
    """check_result is not a no-op: another model, or a page missing items, is refused."""
    retrieve, page = build_call("annotations_retrieve"), build_call("annotations_list")
    role = posthog_api.models.Role.from_dict(build_call("roles_retrieve").fixture["response_body"])
    with pytest.raises(AssertionError):
        check_result(retrieve, role, SyncPage)
    with PostHog(api_key=API_KEY, transport=fixture_transport(), **page.defaults) as client:
        listed = client.annotations.list()
        check_result(page, listed, SyncPage)
        listed.results.pop()
        with pytest.raises(AssertionError):
            check_result(page, listed, SyncPage)
