"""Client configuration: arguments, environment variables, path parameters, and secrecy."""

from __future__ import annotations

import logging

import httpx
import pytest
from posthog_api._base_client import AsyncAPIClient, SyncAPIClient
from posthog_api._exceptions import AuthenticationError, ConfigurationError

from .helpers import API_KEY, PROJECT_PATH, identity
from .server import Reply, ScriptedServer


def test_defaults() -> None:
    with SyncAPIClient(api_key=API_KEY) as api:
        assert api.host == "https://us.posthog.com"
        assert api.max_retries == 2
        assert api.timeout == httpx.Timeout(60.0)


def test_a_missing_api_key_names_the_argument_and_the_variable() -> None:
    with pytest.raises(ConfigurationError, match=r"api_key=.*POSTHOG_PERSONAL_API_KEY"):
        SyncAPIClient()
    with pytest.raises(ConfigurationError, match=r"api_key=.*POSTHOG_PERSONAL_API_KEY"):
        AsyncAPIClient(api_key="")


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", API_KEY)
    monkeypatch.setenv("POSTHOG_HOST", "https://eu.posthog.com/")
    monkeypatch.setenv("POSTHOG_PROJECT_ID", "42")
    with SyncAPIClient(default_path_params={"project_id": None, "organization_id": None}) as api:
        assert api.host == "https://eu.posthog.com"
        assert api.path_param("project_id", None) == "42"
        assert api._headers["Authorization"] == f"Bearer {API_KEY}"


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTHOG_HOST", "https://eu.posthog.com")
    monkeypatch.setenv("POSTHOG_PROJECT_ID", "42")
    with SyncAPIClient(
        api_key=API_KEY, host="http://localhost:8000/", default_path_params={"project_id": 7}
    ) as api:
        assert api.host == "http://localhost:8000"
        assert api.path_param("project_id", None) == "7"
        assert api.path_param("project_id", 9) == "9"


@pytest.mark.parametrize(
    "host", ["us.posthog.com", "ftp://posthog.com", "https://h/?x=1", "http://[::1"]
)
def test_a_bad_host_is_a_configuration_error(host: str) -> None:
    with pytest.raises(ConfigurationError, match="POSTHOG_HOST"):
        SyncAPIClient(api_key=API_KEY, host=host)


def test_a_missing_path_parameter_names_the_argument_and_the_variable() -> None:
    with SyncAPIClient(api_key=API_KEY, default_path_params={"project_id": None}) as api:
        with pytest.raises(ConfigurationError) as caught:
            api.path_param("project_id", None)
        assert str(caught.value) == (
            "no project_id: pass project_id=... to SyncAPIClient() or the method,"
            " or set POSTHOG_PROJECT_ID"
        )
        with pytest.raises(ConfigurationError, match=r"^no id: pass id=\.\.\. to the method$"):
            api.path_param("id", None)


def test_a_path_parameter_is_quoted_into_one_segment() -> None:
    with SyncAPIClient(api_key=API_KEY) as api:
        assert api.path_param("id", "a b?c#d%") == "a%20b%3Fc%23d%25"
        assert api.path_param("id", "...") == "..."
        assert api.path_param("id", 12) == "12"


def test_http_client_and_transport_are_exclusive() -> None:
    with httpx.Client() as http, pytest.raises(ConfigurationError, match="http_client"):
        SyncAPIClient(api_key=API_KEY, http_client=http, transport=httpx.HTTPTransport())


def test_negative_max_retries_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="max_retries"):
        SyncAPIClient(api_key=API_KEY, max_retries=-1)


def test_default_headers_are_sent_but_cannot_replace_the_key(server: ScriptedServer) -> None:
    server.script("GET", PROJECT_PATH, Reply(json={}))
    headers = {"X-Team": "growth", "Authorization": "Bearer other"}
    with SyncAPIClient(api_key=API_KEY, host=server.url, default_headers=headers) as api:
        api.request(method="GET", path=PROJECT_PATH, parse=identity)
    [received] = server.received
    assert received.headers["X-Team"] == "growth"
    assert received.headers["Authorization"] == f"Bearer {API_KEY}"


def test_the_key_never_shows_in_repr_errors_or_logs(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="posthog_api")
    server.script("GET", PROJECT_PATH, Reply(503), Reply(json={}))
    server.script("GET", "/api/users/@me/", Reply(401, json={"detail": "Bad key."}))
    with SyncAPIClient(api_key=API_KEY, host=server.url) as api:
        api._sleep = lambda delay: None
        api.request(method="GET", path=PROJECT_PATH, parse=identity)
        with pytest.raises(AuthenticationError) as caught:
            api.request(method="GET", path="/api/users/@me/", parse=identity)
        shown = [repr(api), str(api), str(caught.value), repr(caught.value)]
    logged = [record.getMessage() for record in caplog.records]
    assert repr(api) == f"SyncAPIClient(host='{server.url}', api_key='<redacted>')"
    assert any(f"GET {server.url}{PROJECT_PATH} -> 503" in line for line in logged)
    assert any("retrying GET" in line for line in logged)
    assert any("'authorization': '<redacted>'" in line.lower() for line in logged)
    for text in shown + logged:
        assert API_KEY not in text
