"""with_options() copies, close() on both clients, and `.request` on errors, through the
generated PostHog and AsyncPostHog classes."""

from __future__ import annotations

import httpx
import pytest
from posthog_api import (
    APIConnectionError,
    AsyncPostHog,
    ConfigurationError,
    InternalServerError,
    NotFoundError,
    PostHog,
)

from .helpers import API_KEY
from .server import Reply, ScriptedServer

ANNOTATIONS = "/api/projects/1/annotations/"
PAGE = {"count": 0, "next": None, "previous": None, "results": []}


def test_with_options_returns_a_configured_copy_sharing_the_pool(server: ScriptedServer) -> None:
    client = PostHog(api_key=API_KEY, host=server.url, project_id=1)
    copy = client.with_options(timeout=3.0, max_retries=0, strict_response_validation=True)

    assert type(copy) is PostHog
    assert (copy.timeout, copy.max_retries, copy.strict_response_validation) == (
        httpx.Timeout(3.0),
        0,
        True,
    )
    assert (client.timeout, client.max_retries, client.strict_response_validation) == (
        httpx.Timeout(60.0),
        2,
        False,
    )
    assert copy._http is client._http
    assert copy.annotations._client is copy, "the copy's API groups use the copy"
    assert client.annotations._client is client
    assert copy.with_options(max_retries=1).timeout == httpx.Timeout(3.0)


def test_a_copy_sends_with_its_own_settings(server: ScriptedServer) -> None:
    server.script("GET", ANNOTATIONS, Reply(503), Reply(503), Reply(json=PAGE))
    client = PostHog(api_key=API_KEY, host=server.url, project_id=1)
    client._sleep = lambda delay: None
    with pytest.raises(InternalServerError):
        client.with_options(max_retries=0).annotations.list()
    assert len(server.received) == 1
    assert client.annotations.list().results == []
    assert len(server.received) == 3
    assert all(r.headers["Authorization"] == f"Bearer {API_KEY}" for r in server.received)


def test_closing_a_copy_leaves_the_shared_pool_open(server: ScriptedServer) -> None:
    server.script("GET", ANNOTATIONS, Reply(json=PAGE))
    client = PostHog(api_key=API_KEY, host=server.url, project_id=1)
    with client.with_options(timeout=5) as copy:
        copy.annotations.list()
    assert not client._http.is_closed
    client.annotations.list()
    client.close()
    assert client._http.is_closed


def test_with_options_checks_its_values() -> None:
    client = PostHog(api_key=API_KEY)
    with pytest.raises(ConfigurationError, match="max_retries"):
        client.with_options(max_retries=-1)
    with pytest.raises(ConfigurationError, match="max_response_size"):
        client.with_options(max_response_size=0)


@pytest.mark.anyio
async def test_async_close_is_an_awaitable_alias_of_aclose(server: ScriptedServer) -> None:
    server.script("GET", ANNOTATIONS, Reply(json=PAGE))
    client = AsyncPostHog(api_key=API_KEY, host=server.url, project_id=1)
    copy = client.with_options(max_retries=0)
    assert (await copy.annotations.list()).results == []
    await copy.close()
    assert not client._http.is_closed
    await client.close()
    assert client._http.is_closed


def test_errors_carry_the_request_that_failed(server: ScriptedServer) -> None:
    client = PostHog(api_key=API_KEY, host=server.url, project_id=1, max_retries=0)
    with pytest.raises(NotFoundError) as not_found:
        client.annotations.retrieve(id=404)
    assert isinstance(not_found.value.request, httpx.Request)
    assert not_found.value.request.url.path == f"{ANNOTATIONS}404/"

    unreachable = PostHog(api_key=API_KEY, host="http://127.0.0.1:9", project_id=1, max_retries=0)
    with pytest.raises(APIConnectionError) as refused:
        unreachable.annotations.list()
    assert refused.value.request.url.path == ANNOTATIONS
