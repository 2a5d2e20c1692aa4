"""Bounded work in the client: a deadline for each whole attempt, a response size limit, and
JSON nested too deeply for the parser, each against a real server on 127.0.0.1.

No test measures time: a trickling body only raises APITimeoutError at all because of the
deadline (every byte comes well within the read timeout), and each test is over in about a
second where, without the limits, it would wait for the whole trickle or the whole stream.
"""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from posthog_api import (
    APITimeoutError,
    BadRequestError,
    PostHogError,
    ResponseTooLargeError,
    ResponseValidationError,
)
from posthog_api._base_client import AsyncAPIClient, SyncAPIClient
from posthog_api._constants import MAX_RESPONSE_SIZE

from .helpers import API_KEY, PROJECT_PATH, identity
from .server import Reply, ScriptedServer

TRICKLE = Reply(json={"padding": "x" * 200}, trickle=0.02)
"""A 216-byte body at one byte per 20 ms: more than 4 s in all, each byte far within a read
timeout of 0.5 s."""


def test_a_trickling_body_cannot_outlast_the_timeout(server: ScriptedServer) -> None:
    server.script("GET", PROJECT_PATH, TRICKLE)
    with (
        SyncAPIClient(api_key=API_KEY, host=server.url, timeout=0.5, max_retries=0) as api,
        pytest.raises(APITimeoutError, match="did not arrive in full within the timeout"),
    ):
        api.request(method="GET", path=PROJECT_PATH, parse=identity)


def test_the_deadline_is_per_attempt_and_retried_like_a_timeout(
    server: ScriptedServer, sleeps: list[float]
) -> None:
    server.script("GET", PROJECT_PATH, TRICKLE, Reply(json={"ok": True}))
    with SyncAPIClient(api_key=API_KEY, host=server.url, timeout=0.5) as api:
        api._sleep = sleeps.append
        response = api.request(method="GET", path=PROJECT_PATH, parse=identity)
    assert (response.parse(), response.retries_taken, len(sleeps)) == ({"ok": True}, 1, 1)


def test_a_per_call_timeout_sets_the_deadline(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    server.script("GET", PROJECT_PATH, TRICKLE)
    with pytest.raises(APITimeoutError):
        client.request(
            method="GET",
            path=PROJECT_PATH,
            options={"timeout": 0.5, "max_retries": 0},
            parse=identity,
        )


@pytest.mark.anyio
async def test_an_async_trickling_body_cannot_outlast_the_timeout(server: ScriptedServer) -> None:
    server.script("GET", PROJECT_PATH, TRICKLE)
    async with AsyncAPIClient(api_key=API_KEY, host=server.url, timeout=0.5, max_retries=0) as api:
        with pytest.raises(APITimeoutError):
            await api.request(method="GET", path=PROJECT_PATH, parse=identity)


def test_the_default_size_limit_is_50_mb(client: SyncAPIClient) -> None:
    assert client.max_response_size == MAX_RESPONSE_SIZE == 50 * 1024 * 1024
    assert client.with_options(max_response_size=10).max_response_size == 10
    assert issubclass(ResponseTooLargeError, PostHogError)


def test_a_declared_length_over_the_limit_is_refused_before_reading(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    server.script("GET", PROJECT_PATH, Reply(body=b"[" + b"0," * 2000 + b"0]"))
    small = client.with_options(max_response_size=1000, max_retries=0)
    with pytest.raises(ResponseTooLargeError) as caught:
        small.request(method="GET", path=PROJECT_PATH, parse=identity)
    assert caught.value.limit == 1000
    assert caught.value.request.url.path == PROJECT_PATH
    assert "max_response_size (1000 bytes)" in str(caught.value)
    assert len(server.received) == 1, "a body too large is not retried"


def test_an_endless_body_stops_at_the_limit(client: SyncAPIClient, server: ScriptedServer) -> None:
    server.script("GET", PROJECT_PATH, Reply(body=b"0" * 65536, endless=True))
    with pytest.raises(ResponseTooLargeError):
        client.request(
            method="GET", path=PROJECT_PATH, options={"max_response_size": 2**20}, parse=identity
        )


@pytest.mark.anyio
async def test_an_async_endless_body_stops_at_the_limit(
    async_client: AsyncAPIClient, server: ScriptedServer
) -> None:
    server.script("GET", PROJECT_PATH, Reply(body=b"0" * 65536, endless=True))
    with pytest.raises(ResponseTooLargeError):
        await async_client.with_options(max_response_size=2**20).request(
            method="GET", path=PROJECT_PATH, parse=identity
        )


def test_the_limit_counts_decompressed_bytes(client: SyncAPIClient, server: ScriptedServer) -> None:
    bomb = gzip.compress(b" " * 8 * 2**20)  # 8 MB of spaces in about 8 KB
    server.script("GET", PROJECT_PATH, Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(ResponseTooLargeError):
        client.request(
            method="GET", path=PROJECT_PATH, options={"max_response_size": 2**20}, parse=identity
        )


def test_a_compressed_body_within_the_limit_is_decoded_once(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    body = gzip.compress(b'{"name": "\xc3\xa9"}')
    server.script("GET", PROJECT_PATH, Reply(body=body, headers={"Content-Encoding": "gzip"}))
    response = client.request(method="GET", path=PROJECT_PATH, parse=identity)
    assert response.parse() == {"name": "é"}
    assert response.elapsed.total_seconds() > 0


@pytest.mark.anyio
async def test_an_async_client_counts_and_decodes_a_compressed_body_too(
    async_client: AsyncAPIClient, server: ScriptedServer
) -> None:
    """The async reader has its own branch for compressed bodies: the limit, and one decoding."""
    bomb = gzip.compress(b" " * 8 * 2**20)
    small = gzip.compress(b'{"name": "\xc3\xa9"}')
    server.script(
        "GET",
        PROJECT_PATH,
        Reply(body=bomb, headers={"Content-Encoding": "gzip"}),
        Reply(body=small, headers={"Content-Encoding": "gzip"}),
    )
    limited = async_client.with_options(max_response_size=2**20, max_retries=0)
    with pytest.raises(ResponseTooLargeError):
        await limited.request(method="GET", path=PROJECT_PATH, parse=identity)
    response = await limited.request(method="GET", path=PROJECT_PATH, parse=identity)
    assert response.parse() == {"name": "é"}


def test_json_nested_deeper_than_the_parser_goes_is_a_validation_error(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    server.script("GET", PROJECT_PATH, Reply(body=b"[" * 100_000 + b"]" * 100_000))
    response = client.request(method="GET", path=PROJECT_PATH, parse=identity)
    with pytest.raises(ResponseValidationError) as caught:
        response.parse()
    assert (caught.value.path, caught.value.message) == (
        "$",
        "response body is nested too deeply to decode",
    )


def test_a_decoder_recursing_too_deep_is_a_validation_error(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    def depth(raw: Any, **_: Any) -> int:  # two frames a level, as a model decoder takes
        return 1 + depth_of_first(raw) if isinstance(raw, list) and raw else 0

    def depth_of_first(raw: list[Any]) -> int:
        return depth(raw[0])

    server.script("GET", PROJECT_PATH, Reply(body=b"[" * 800 + b"]" * 800))
    response = client.request(method="GET", path=PROJECT_PATH, parse=depth)
    with pytest.raises(ResponseValidationError, match="nested too deeply"):
        response.parse()


def test_an_error_body_nested_too_deep_still_gives_the_status_error(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    server.script("GET", PROJECT_PATH, Reply(400, body=b"[" * 100_000 + b"]" * 100_000))
    with pytest.raises(BadRequestError) as caught:
        client.request(method="GET", path=PROJECT_PATH, parse=identity)
    assert caught.value.detail is None
