"""AsyncAPIClient against a real HTTP server: the same decisions as the sync client, awaited."""

from __future__ import annotations

import json

import anyio
import pytest
from posthog_api._base_client import AsyncAPIClient
from posthog_api._exceptions import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    ResponseValidationError,
)

from .helpers import API_KEY, PROJECT_PATH, identity
from .server import Reply, ScriptedServer

pytestmark = pytest.mark.anyio


async def test_a_get_returns_the_parsed_body(
    async_client: AsyncAPIClient, server: ScriptedServer
) -> None:
    server.script("GET", PROJECT_PATH, Reply(json={"ok": True}))
    response = await async_client.request(
        method="GET", path=PROJECT_PATH, query={"limit": 1}, parse=identity
    )
    assert response.parse() == {"ok": True}
    [received] = server.received
    assert received.path == f"{PROJECT_PATH}?limit=1"
    assert received.headers["Authorization"] == f"Bearer {API_KEY}"


async def test_503_twice_then_200_is_retried(
    async_client: AsyncAPIClient, server: ScriptedServer, sleeps: list[float]
) -> None:
    server.script("GET", PROJECT_PATH, Reply(503), Reply(503), Reply(json=[1]))
    response = await async_client.request(method="GET", path=PROJECT_PATH, parse=identity)
    assert response.parse() == [1]
    assert response.retries_taken == 2
    assert len(sleeps) == 2


async def test_429_retry_after_with_the_real_async_sleep(server: ScriptedServer) -> None:
    server.script("GET", PROJECT_PATH, Reply(429, headers={"Retry-After": "0"}), Reply(json={}))
    async with AsyncAPIClient(api_key=API_KEY, host=server.url, timeout=5) as api:
        response = await api.request(method="GET", path=PROJECT_PATH, parse=identity)
    assert response.retries_taken == 1


async def test_503_forever_gives_up(async_client: AsyncAPIClient, server: ScriptedServer) -> None:
    server.script("GET", PROJECT_PATH, Reply(503))
    with pytest.raises(InternalServerError):
        await async_client.request(method="GET", path=PROJECT_PATH, parse=identity)
    assert len(server.received) == 3


async def test_a_post_is_not_retried_unless_the_caller_opts_in(
    async_client: AsyncAPIClient, server: ScriptedServer
) -> None:
    server.script("POST", PROJECT_PATH, Reply(503), Reply(201, json={"id": 1}))
    with pytest.raises(InternalServerError):
        await async_client.request(method="POST", path=PROJECT_PATH, body={"a": 1}, parse=identity)
    assert len(server.received) == 1

    server.script("POST", PROJECT_PATH, Reply(503), Reply(201, json={"id": 1}))
    response = await async_client.request(
        method="POST",
        path=PROJECT_PATH,
        body={"a": 1},
        options={"retry_non_idempotent": True},
        parse=identity,
    )
    assert response.parse() == {"id": 1}
    assert [json.loads(r.body) for r in server.received] == [{"a": 1}] * 3


async def test_a_connection_reset_is_retried_for_get_only(
    async_client: AsyncAPIClient, server: ScriptedServer
) -> None:
    server.script("GET", PROJECT_PATH, Reply(reset=True), Reply(json={}))
    response = await async_client.request(method="GET", path=PROJECT_PATH, parse=identity)
    assert response.retries_taken == 1

    server.script("POST", PROJECT_PATH, Reply(reset=True), Reply(json={}))
    with pytest.raises(APIConnectionError):
        await async_client.request(method="POST", path=PROJECT_PATH, body={}, parse=identity)
    assert [r.method for r in server.received] == ["GET", "GET", "POST"]


async def test_a_slow_response_times_out(
    async_client: AsyncAPIClient, server: ScriptedServer
) -> None:
    server.script("GET", PROJECT_PATH, Reply(delay=3, json={}))
    with anyio.fail_after(2), pytest.raises(APITimeoutError):
        await async_client.request(
            method="GET",
            path=PROJECT_PATH,
            options={"timeout": 0.2, "max_retries": 0},
            parse=identity,
        )


async def test_truncated_json_is_a_validation_error(
    async_client: AsyncAPIClient, server: ScriptedServer
) -> None:
    server.script("GET", PROJECT_PATH, Reply(body=b'{"id": 1'))
    response = await async_client.request(method="GET", path=PROJECT_PATH, parse=identity)
    with pytest.raises(ResponseValidationError):
        response.parse()


async def test_the_context_manager_closes_its_pool() -> None:
    async with AsyncAPIClient(api_key=API_KEY) as api:
        pass
    assert api._http.is_closed
