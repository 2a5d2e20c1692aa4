"""Route safety as a rule: no path parameter value can change which operation is called.

Servers decode `%2F` to `/` before routing and proxies resolve `.`/`..` (some after decoding
again), so such values are refused before anything is sent, with the parameter named and the
value never shown.
"""

from __future__ import annotations

import itertools
import urllib.parse
import uuid

import pytest
from posthog_api import InvalidPathParameterError, PostHog, PostHogError
from posthog_api._base_client import SyncAPIClient
from posthog_api._routes import fully_unquoted

from .helpers import API_KEY
from .server import Reply, ScriptedServer

ROUTE_CHANGING = [
    "",
    ".",
    "..",
    "%2e",
    "%2E%2e",
    ".%2E",
    "%252e%252E",
    "%25252e.",
    "/",
    "a/b",
    "../..",
    "..%2F",
    "%2F",
    "%2f..",
    "a\\b",
    "%5C",
    "x\n",
    "%0d%0a",
    "\x00",
    "%00",
    "\x7f",
]
ORG = "0188e0c4-0000-0000-0000-000000000001"


@pytest.fixture
def posthog(server: ScriptedServer) -> PostHog:
    return PostHog(api_key=API_KEY, host=server.url, project_id=1, organization_id=ORG)


@pytest.mark.parametrize("value", ROUTE_CHANGING)
def test_a_route_changing_id_is_refused_before_anything_is_sent(
    posthog: PostHog, server: ScriptedServer, value: str
) -> None:
    server.script("DELETE", f"/api/organizations/{ORG}/", Reply(204))
    with pytest.raises(InvalidPathParameterError) as caught:
        posthog.roles.destroy(id=value)  # type: ignore[arg-type]
    assert str(caught.value).startswith("id ")
    assert server.received == []


@pytest.mark.parametrize("value", ["..", "%2E%2E", "", "1/..", "1%2F.."])
def test_a_route_changing_project_id_is_refused(
    posthog: PostHog, server: ScriptedServer, value: str
) -> None:
    with pytest.raises(InvalidPathParameterError, match=r"^project_id "):
        posthog.annotations.destroy(id=5, project_id=value)  # type: ignore[arg-type]
    assert server.received == []


def test_a_route_changing_default_from_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch, server: ScriptedServer
) -> None:
    monkeypatch.setenv("POSTHOG_ORGANIZATION_ID", "..")
    client = PostHog(api_key=API_KEY, host=server.url)
    with pytest.raises(InvalidPathParameterError, match=r"^organization_id "):
        client.roles.destroy(id=uuid.UUID(int=1))
    assert server.received == []


def test_the_error_names_the_parameter_never_the_value(posthog: PostHog) -> None:
    with pytest.raises(InvalidPathParameterError) as caught:
        posthog.roles.destroy(id="../SECRET-ID")  # type: ignore[arg-type]
    assert "SECRET" not in str(caught.value)
    assert "would change which operation is called" in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, PostHogError)


def test_an_ordinary_id_still_reaches_its_own_route(
    posthog: PostHog, server: ScriptedServer
) -> None:
    role = uuid.UUID(int=7)
    server.script("DELETE", f"/api/organizations/{ORG}/roles/{role}/", Reply(204))
    posthog.roles.destroy(id=role)
    assert [r.path for r in server.received] == [f"/api/organizations/{ORG}/roles/{role}/"]


def test_no_short_value_survives_as_a_route_changing_segment() -> None:
    """Every string of up to 4 characters from an alphabet of dots, escapes and separators:
    refused, or sent as a segment that no number of decodings turns into a route change."""
    alphabet = ".%25eEfF/\\a"
    with SyncAPIClient(api_key=API_KEY) as api:
        for size in range(5):
            for letters in itertools.product(alphabet, repeat=size):
                value = "".join(letters)
                try:
                    segment = api.path_param("id", value)
                except InvalidPathParameterError:
                    continue
                for _ in range(size + 1):
                    segment = urllib.parse.unquote(segment)
                    assert segment not in ("", ".", ".."), value
                    assert "/" not in segment and "\\" not in segment, value
                assert fully_unquoted(value) == segment, value
