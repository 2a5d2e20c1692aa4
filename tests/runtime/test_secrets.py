"""Secrets as a rule: a key is checked when the client is built, and a canary key sent through
every error path never shows in a message, a traceback, a log line or a repr, whatever the
server or the transport echoes back."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from posthog_api import (
    APIConnectionError,
    AuthenticationError,
    ConfigurationError,
    PostHog,
    PostHogError,
    ResponseValidationError,
    UnsafeNextPageError,
)
from posthog_api._base_client import SyncAPIClient
from posthog_api._models import Parser

from .helpers import PROJECT_PATH, identity
from .server import Reply, ScriptedServer

CANARY = "phx_CANARY_7f3c9a1e5b2d4c6a8e0f1a3b5c7d9e1f"


def shown(error: BaseException) -> str:
    """Everything a user or a log handler may print of an exception, chained causes included."""
    return "\n".join([str(error), repr(error), *traceback.format_exception(error)])


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    """Every line the package logged at DEBUG and above, formatted as a handler would."""
    caplog.set_level(logging.DEBUG, logger="posthog_api")
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    return lambda: [formatter.format(record) for record in caplog.records]


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (f"{CANARY}\n", "ends with a line break"),
        (f"{CANARY}\r\n", "ends with a line break"),
        (f"{CANARY}\r\nX-Injected: 1", "contains a line break"),
        (f"{CANARY}\x00", "contains a NUL character"),
        (f" {CANARY}", "contains whitespace"),
        (f"{CANARY[:10]} {CANARY[10:]}", "contains whitespace"),
        (f"{CANARY}\x1b", "contains a control character"),
        (f"{CANARY}é", "contains a non-ASCII character"),
    ],
)
def test_a_key_that_is_not_a_header_value_is_refused_at_construction(
    key: str, problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        PostHog(api_key=key)
    assert f"the API key from api_key=... {problem}" in str(caught.value)
    assert CANARY[:10] not in shown(caught.value)
    if "\x00" in key:
        return  # an environment variable cannot hold a NUL
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", key)
    with pytest.raises(ConfigurationError) as from_env:
        PostHog()
    assert f"the API key from POSTHOG_PERSONAL_API_KEY {problem}" in str(from_env.value)
    assert CANARY[:10] not in shown(from_env.value)


@pytest.mark.parametrize(
    "host",
    [
        "https://user:hunter2-password@us.posthog.com",
        "https://hunter2-password@us.posthog.com",
        "http://user:hunter2-password@127.0.0.1:8000/posthog",
        "ftp://user:hunter2-password@us.posthog.com",
    ],
)
def test_a_host_with_credentials_is_refused_without_showing_them(
    host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigurationError, match="user name or password") as caught:
        PostHog(api_key=CANARY, host=host)
    assert "hunter2" not in shown(caught.value)
    monkeypatch.setenv("POSTHOG_HOST", host)
    with pytest.raises(ConfigurationError, match="POSTHOG_HOST") as from_env:
        PostHog(api_key=CANARY)
    assert "hunter2" not in shown(from_env.value)


def echoing_transport(error_class: type[httpx.TransportError]) -> httpx.MockTransport:
    """A transport whose errors quote the request headers, as some proxies' errors do."""

    def fail(request: httpx.Request) -> httpx.Response:
        try:
            raise OSError(f"low level: {request.headers['Authorization']}")
        except OSError as low_level:
            raise error_class(
                f"failed sending {dict(request.headers)}", request=request
            ) from low_level

    return httpx.MockTransport(fail)


@pytest.mark.parametrize(
    ("error_class", "method"),
    [(httpx.ConnectError, "GET"), (httpx.ReadError, "POST"), (httpx.ReadTimeout, "GET")],
)
def test_a_transport_error_that_echoes_the_key(
    error_class: type[httpx.TransportError], method: str, logged: Callable[[], list[str]]
) -> None:
    client = PostHog(api_key=CANARY, transport=echoing_transport(error_class), max_retries=1)
    client._sleep = lambda delay: None
    with pytest.raises(APIConnectionError) as caught:
        client.request(method=method, path=PROJECT_PATH, body={}, parse=identity)
    assert "<redacted>" in str(caught.value)
    assert CANARY not in shown(caught.value)
    assert caught.value.request.method == method
    cause = caught.value.__cause__
    assert isinstance(cause, error_class)
    assert cause.__context__ is None or CANARY not in shown(cause)
    assert caught.value.__context__ is None or CANARY not in shown(caught.value.__context__)
    assert any("failed" in line for line in logged())
    assert all(CANARY not in line for line in logged())


def test_a_status_error_whose_body_echoes_the_key(
    server: ScriptedServer, logged: Callable[[], list[str]]
) -> None:
    body = {"type": "authentication_error", "detail": f"Bad key {CANARY}.", "attr": CANARY}
    server.script("GET", PROJECT_PATH, Reply(503, json=body), Reply(401, json=body))
    client = PostHog(api_key=CANARY, host=server.url)
    client._sleep = lambda delay: None
    with pytest.raises(AuthenticationError) as caught:
        client.request(method="GET", path=PROJECT_PATH, parse=identity)
    assert str(caught.value).endswith(": Bad key <redacted>. (attr: <redacted>)")
    assert CANARY not in shown(caught.value)
    assert CANARY in caught.value.body, "the raw body stays available"
    assert any("-> 503" in line for line in logged())
    assert any("retrying GET" in line for line in logged())
    assert all(CANARY not in line for line in logged())


def test_next_links_and_decoder_paths_that_carry_the_key(
    server: ScriptedServer, logged: Callable[[], list[str]]
) -> None:
    next_url = f"{server.url}{PROJECT_PATH}?offset=1&token={CANARY}"
    page = {"count": 2, "next": next_url, "previous": None, "results": [{}]}
    server.script("GET", PROJECT_PATH, Reply(json=page))
    client = PostHog(api_key=CANARY, host=server.url)
    first = client.request_page(method="GET", path=PROJECT_PATH, item=identity).parse()
    with pytest.raises(ResponseValidationError) as repeated:
        list(first)  # the second page names itself as next again
    elsewhere = {**page, "next": f"https://evil.example/?k={CANARY}"}
    server.script("GET", PROJECT_PATH, Reply(json=elsewhere))
    leaving = client.request_page(method="GET", path=PROJECT_PATH, item=identity).parse()
    with pytest.raises(UnsafeNextPageError) as refused:
        leaving.next_page()

    decode: Parser[Any] = Parser(dict[str, int])
    with pytest.raises(ResponseValidationError) as strict:
        decode({CANARY: "not an int"}, strict=True)
    decode({CANARY: "not an int"})  # tolerant: logged once as drift

    texts = [str(repeated.value), str(refused.value), str(strict.value), repr(first)]
    texts += [line for line in logged() if "disagrees" in line or "token=" in line]
    assert len(texts) >= 6
    assert all("<redacted>" in text for text in texts), "the canary reached each of them"
    texts += [shown(repeated.value), shown(refused.value), shown(strict.value), repr(leaving)]
    assert all(CANARY not in text for text in texts + logged())


def test_reprs_never_show_the_key(server: ScriptedServer) -> None:
    server.script("GET", PROJECT_PATH, Reply(json={}))
    client = PostHog(api_key=CANARY, host=server.url)
    response = client.request(method="GET", path=PROJECT_PATH, parse=identity)
    texts = [repr(client), str(client), repr(response), repr(response.request)]
    texts += [repr(response.http_response), repr(response.request.headers)]
    texts += [repr(client.with_options(timeout=3))]
    assert all(CANARY not in text for text in texts)
    assert response.request.headers["Authorization"] == f"Bearer {CANARY}"


def test_every_package_error_redacts_a_registered_key() -> None:
    SyncAPIClient(api_key=CANARY)
    error = PostHogError(f"something quoted {CANARY} back")
    assert str(error) == "something quoted <redacted> back"
