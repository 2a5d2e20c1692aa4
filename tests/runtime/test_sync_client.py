"""SyncAPIClient against a real HTTP server: requests, errors, retries and timeouts."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import httpx
import pytest
from posthog_api._base_client import SyncAPIClient
from posthog_api._exceptions import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    ResponseValidationError,
)
from posthog_api._types import UNSET

from .helpers import API_KEY, PROJECT_PATH, identity
from .server import Reply, ScriptedServer


def test_a_get_carries_auth_headers_and_encoded_query(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    server.script("GET", PROJECT_PATH, Reply(json={"ok": True}))
    query = {"limit": 2, "search": None, "tags": ["a", "b"], "pinned": True, "gone": UNSET}

    response = client.request(method="GET", path=PROJECT_PATH, query=query, parse=identity)

    assert response.parse() == {"ok": True}
    assert (response.status_code, response.method, response.retries_taken) == (200, "GET", 0)
    assert response.url == f"{server.url}{PROJECT_PATH}?limit=2&tags=a&tags=b&pinned=true"
    assert response.elapsed.total_seconds() >= 0
    [received] = server.received
    assert received.path == f"{PROJECT_PATH}?limit=2&tags=a&tags=b&pinned=true"
    assert received.headers["Authorization"] == f"Bearer {API_KEY}"
    assert received.headers["Accept"] == "application/json"
    assert received.headers["User-Agent"].startswith("posthog_api/0.1.0 python-httpx/")
    assert received.body == b""


@pytest.mark.parametrize(
    ("body", "sent"), [({"name": "é"}, {"name": "é"}), ([1, 2], [1, 2]), (None, None)]
)
def test_a_body_is_sent_as_json(
    client: SyncAPIClient, server: ScriptedServer, body: object, sent: object
) -> None:
    server.script("POST", PROJECT_PATH, Reply(201, json={"id": 1}))

    client.request(method="POST", path=PROJECT_PATH, body=body, parse=identity)

    [received] = server.received
    assert received.headers["Content-Type"] == "application/json"
    assert json.loads(received.body) == sent


def test_parse_runs_once_and_only_when_asked(client: SyncAPIClient, server: ScriptedServer) -> None:
    server.script("GET", PROJECT_PATH, Reply(json={"id": 7}))
    calls: list[Any] = []

    def parse(raw: Any, **_: Any) -> int:
        calls.append(raw)
        return int(raw["id"])

    response = client.request(method="GET", path=PROJECT_PATH, parse=parse)
    assert calls == []
    assert response.parse() == 7
    assert response.parse() == 7
    assert calls == [{"id": 7}]


def test_an_empty_204_parses_as_none(client: SyncAPIClient, server: ScriptedServer) -> None:
    server.script("DELETE", PROJECT_PATH, Reply(204))
    response = client.request(method="DELETE", path=PROJECT_PATH, parse=identity)
    assert response.status_code == 204
    assert response.parse() is None


def test_truncated_json_on_a_2xx_is_a_validation_error(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    server.script("GET", PROJECT_PATH, Reply(body=b'{"results": [{"id": 1}, {"id"'))
    response = client.request(method="GET", path=PROJECT_PATH, parse=identity)
    with pytest.raises(ResponseValidationError) as caught:
        response.parse()
    assert caught.value.path == "$"
    assert not isinstance(caught.value, ValueError)


def test_a_posthog_404_raises_not_found_with_its_detail(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.request(method="GET", path="/api/projects/1/nothing/", parse=identity)
    assert caught.value.detail == "Not found."
    assert caught.value.code == "not_found"
    assert caught.value.url == f"{server.url}/api/projects/1/nothing/"
    assert len(server.received) == 1


def test_an_html_502_page_is_an_internal_server_error_without_fields(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    page = b"<html><body>502 Bad Gateway</body></html>"
    server.script("GET", PROJECT_PATH, Reply(502, body=page, headers={"Content-Type": "text/html"}))
    with pytest.raises(InternalServerError) as caught:
        client.request(method="GET", path=PROJECT_PATH, options={"max_retries": 0}, parse=identity)
    assert caught.value.status_code == 502
    assert caught.value.detail is None
    assert caught.value.body == page.decode()


def test_429_waits_for_retry_after_with_a_real_sleep(server: ScriptedServer) -> None:
    server.script(
        "GET", PROJECT_PATH, Reply(429, headers={"Retry-After": "1"}), Reply(json={"ok": 1})
    )
    with SyncAPIClient(api_key=API_KEY, host=server.url, timeout=5) as api:
        started = time.monotonic()
        response = api.request(method="GET", path=PROJECT_PATH, parse=identity)
        waited = time.monotonic() - started
    assert response.parse() == {"ok": 1}
    assert response.retries_taken == 1
    assert 0.9 <= waited < 5
    assert len(server.received) == 2


def test_503_twice_then_200_backs_off_exponentially(
    client: SyncAPIClient, server: ScriptedServer, sleeps: list[float]
) -> None:
    server.script("GET", PROJECT_PATH, Reply(503), Reply(503), Reply(json=[]))
    response = client.request(method="GET", path=PROJECT_PATH, parse=identity)
    assert response.retries_taken == 2
    assert len(sleeps) == 2
    assert 0.375 <= sleeps[0] <= 0.5
    assert 0.75 <= sleeps[1] <= 1.0


def test_503_forever_gives_up_after_max_retries(
    client: SyncAPIClient, server: ScriptedServer, sleeps: list[float]
) -> None:
    server.script("GET", PROJECT_PATH, Reply(503))
    with pytest.raises(InternalServerError) as caught:
        client.request(method="GET", path=PROJECT_PATH, parse=identity)
    assert caught.value.status_code == 503
    assert len(server.received) == 3
    assert len(sleeps) == 2


def test_per_call_max_retries_overrides_the_client(
    client: SyncAPIClient, server: ScriptedServer, sleeps: list[float]
) -> None:
    server.script("GET", PROJECT_PATH, Reply(429, headers={"Retry-After": "0"}))
    with pytest.raises(RateLimitError):
        client.request(method="GET", path=PROJECT_PATH, options={"max_retries": 4}, parse=identity)
    assert len(server.received) == 5
    assert sleeps == [0.0] * 4


def test_a_post_that_gets_503_is_not_retried_by_default(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    server.script("POST", PROJECT_PATH, Reply(503), Reply(201, json={"id": 1}))
    with pytest.raises(InternalServerError):
        client.request(method="POST", path=PROJECT_PATH, body={"a": 1}, parse=identity)
    assert len(server.received) == 1


def test_a_post_is_retried_when_the_caller_opts_in(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    server.script("POST", PROJECT_PATH, Reply(503), Reply(201, json={"id": 1}))
    response = client.request(
        method="POST",
        path=PROJECT_PATH,
        body={"a": 1},
        options={"retry_non_idempotent": True},
        parse=identity,
    )
    assert response.parse() == {"id": 1}
    assert [json.loads(r.body) for r in server.received] == [{"a": 1}, {"a": 1}]


def test_a_get_is_retried_after_a_connection_reset(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    server.script("GET", PROJECT_PATH, Reply(reset=True), Reply(json={"ok": True}))
    response = client.request(method="GET", path=PROJECT_PATH, parse=identity)
    assert response.parse() == {"ok": True}
    assert response.retries_taken == 1


def test_a_post_is_not_retried_after_a_connection_reset(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    server.script("POST", PROJECT_PATH, Reply(reset=True), Reply(201, json={"id": 1}))
    with pytest.raises(APIConnectionError) as caught:
        client.request(method="POST", path=PROJECT_PATH, body={}, parse=identity)
    assert not isinstance(caught.value, APITimeoutError)
    assert caught.value.method == "POST"
    assert len(server.received) == 1


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_a_post_is_retried_when_it_could_not_connect(sleeps: list[float]) -> None:
    with SyncAPIClient(api_key=API_KEY, host=closed_port_url(), timeout=5) as api:
        api._sleep = sleeps.append
        with pytest.raises(APIConnectionError) as caught:
            api.request(method="POST", path=PROJECT_PATH, body={}, parse=identity)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert len(sleeps) == 2


def test_a_slow_response_times_out_with_the_per_call_timeout(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    server.script("GET", PROJECT_PATH, Reply(delay=3, json={}))
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        client.request(
            method="GET",
            path=PROJECT_PATH,
            options={"timeout": 0.2, "max_retries": 0},
            parse=identity,
        )
    assert time.monotonic() - started < 2


def test_a_timed_out_get_is_retried(client: SyncAPIClient, server: ScriptedServer) -> None:
    server.script("GET", PROJECT_PATH, Reply(delay=3, json={"slow": 1}), Reply(json={"fast": 1}))
    response = client.request(
        method="GET", path=PROJECT_PATH, options={"timeout": 0.2}, parse=identity
    )
    assert response.parse() == {"fast": 1}
    assert response.retries_taken == 1


def test_the_client_timeout_applies_when_no_option_is_given(server: ScriptedServer) -> None:
    server.script("GET", PROJECT_PATH, Reply(delay=3, json={}))
    with (
        SyncAPIClient(api_key=API_KEY, host=server.url, timeout=0.2, max_retries=0) as api,
        pytest.raises(APITimeoutError),
    ):
        api.request(method="GET", path=PROJECT_PATH, parse=identity)


def test_extra_query_and_headers_override_per_call(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    server.script("GET", PROJECT_PATH, Reply(json={}))
    client.request(
        method="GET",
        path=PROJECT_PATH,
        query={"limit": 2, "offset": 4},
        options={"extra_query": {"limit": 5}, "extra_headers": {"X-Trace": "abc"}},
        parse=identity,
    )
    [received] = server.received
    assert received.path == f"{PROJECT_PATH}?limit=5&offset=4"
    assert received.headers["X-Trace"] == "abc"


def test_a_custom_transport_is_used(server: ScriptedServer) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"mock": True}))
    with SyncAPIClient(api_key=API_KEY, host=server.url, transport=transport) as api:
        response = api.request(method="GET", path="/api/x/", parse=identity)
    assert response.parse() == {"mock": True}
    assert server.received == []


def test_the_context_manager_closes_its_own_pool_but_not_a_borrowed_one() -> None:
    with SyncAPIClient(api_key=API_KEY) as owned:
        pass
    assert owned._http.is_closed

    borrowed = httpx.Client()
    with SyncAPIClient(api_key=API_KEY, http_client=borrowed):
        pass
    assert not borrowed.is_closed
    borrowed.close()


def test_a_quoted_path_parameter_reaches_the_server_as_one_segment(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    path = f"/api/projects/1/things/{client.path_param('id', 'a?b c#')}/"
    with pytest.raises(NotFoundError):
        client.request(method="GET", path=path, parse=identity)
    assert server.received[0].path == "/api/projects/1/things/a%3Fb%20c%23/"
