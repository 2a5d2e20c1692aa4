"""The spec's securitySchemes over real HTTP: each credential goes where its scheme says, only on
operations whose `security` asks for it (tests/features/auth_schemes/spec.yaml)."""

from __future__ import annotations

import base64
import importlib
import logging
import os
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from generator.config import GeneratorConfig
from generator.pipeline import generate
from tests.goldens import FEATURES, write_tree

from .server import Received, Reply, ScriptedServer

PACKAGE = "auth_feature_client"
PREFIX = "AUTHF_"
SECRETS = {
    "bearer_auth": "bearer-Secret-0001",
    "header_key": "header-Secret-0002",
    "query_key": "query+Secret/0003=",
    "cookie_key": "cookie-Secret-0004",
    "basic_auth_username": "alice",
    "basic_auth_password": "basic-Secret-0005",
    "oauth": "oauth-Secret-0006",
}
BASIC = "Basic " + base64.b64encode(b"alice:basic-Secret-0005").decode()
PATHS = ("default", "public", "header", "query", "cookie", "basic", "oauth", "either", "digest")


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The auth feature spec, generated with its own names into a temporary folder."""
    root = tmp_path_factory.mktemp("auth")
    config = GeneratorConfig(
        package=PACKAGE,
        client_class="AuthClient",
        async_client_class="AsyncAuthClient",
        env_prefix=PREFIX,
    )
    write_tree(root, generate(FEATURES / "auth_schemes" / "spec.yaml", config).files)
    sys.path.insert(0, str(root))
    return importlib.import_module(PACKAGE)


@pytest.fixture(autouse=True)
def _no_auth_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in [n for n in os.environ if n.startswith(PREFIX)]:
        monkeypatch.delenv(name)
    yield


def _script_all(server: ScriptedServer) -> None:
    for path in PATHS:
        server.script("GET", f"/{path}", Reply(status=204))


def _sent(received: Received) -> dict[str, Any]:
    """What one request carried that could be a credential."""
    headers = {name.lower(): value for name, value in received.headers.items()}
    return {
        "authorization": headers.get("authorization"),
        "x-api-key": headers.get("x-api-key"),
        "cookie": headers.get("cookie"),
        "query": dict(parse_qsl(urlsplit(received.path).query)),
    }


NOTHING: dict[str, Any] = {"authorization": None, "x-api-key": None, "cookie": None, "query": {}}


def _call_each(client: Any, server: ScriptedServer) -> dict[str, dict[str, Any]]:
    things = client.things
    for name in ("uses_default", "public", "header_key", "query_key", "cookie_key", "basic"):
        getattr(things, name)()
    things.oauth()
    things.either()
    things.digest()
    return {r.path.partition("?")[0].strip("/"): _sent(r) for r in server.received}


def test_each_scheme_is_sent_where_the_spec_says_and_only_there(
    package: ModuleType, server: ScriptedServer
) -> None:
    _script_all(server)
    with package.AuthClient(host=server.url, **SECRETS) as client:
        sent = _call_each(client, server)
    assert sent["default"] == {**NOTHING, "authorization": "Bearer bearer-Secret-0001"}
    assert sent["public"] == NOTHING, "security: [] sends nothing"
    assert sent["header"] == {**NOTHING, "x-api-key": "header-Secret-0002"}
    assert sent["query"] == {**NOTHING, "query": {"api_key": "query+Secret/0003="}}
    assert sent["cookie"] == {**NOTHING, "cookie": "session=cookie-Secret-0004"}
    assert sent["basic"] == {**NOTHING, "authorization": BASIC}
    assert sent["oauth"] == {**NOTHING, "authorization": "Bearer oauth-Secret-0006"}
    assert sent["either"] == {
        **NOTHING,
        "x-api-key": "header-Secret-0002",
        "query": {"api_key": "query+Secret/0003="},
    }, "the first alternative whose credentials are all configured"
    assert sent["digest"] == NOTHING, "an unsupported scheme is never guessed at"


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        (
            {"basic_auth_username": "alice", "basic_auth_password": "basic-Secret-0005"},
            {**NOTHING, "authorization": BASIC},
        ),
        ({"header_key": "header-Secret-0002"}, NOTHING),  # half of the first: not enough
        ({}, NOTHING),  # the anonymous alternative `{}`
    ],
)
def test_alternatives_fall_through_in_order(
    package: ModuleType, server: ScriptedServer, configured: dict[str, str], expected: Any
) -> None:
    server.script("GET", "/either", Reply(status=204))
    with package.AuthClient(host=server.url, **configured) as client:
        client.things.either()
    assert _sent(server.received[-1]) == expected


def test_an_operation_missing_its_credential_fails_before_sending(
    package: ModuleType, server: ScriptedServer
) -> None:
    _script_all(server)
    with package.AuthClient(host=server.url, header_key="header-Secret-0002") as client:
        with pytest.raises(package.ConfigurationError) as caught:
            client.things.uses_default()
        client.things.public()
    message = str(caught.value)
    assert "GET /default needs credentials" in message
    assert "bearer_auth=..." in message and f"{PREFIX}BEARER_AUTH" in message
    assert [r.path for r in server.received] == ["/public"]


def test_credentials_come_from_the_environment(
    package: ModuleType, server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"{PREFIX}HOST", server.url)
    monkeypatch.setenv(f"{PREFIX}BEARER_AUTH", "env-bearer-0007")
    monkeypatch.setenv(f"{PREFIX}BASIC_AUTH_USERNAME", "bob")
    monkeypatch.setenv(f"{PREFIX}BASIC_AUTH_PASSWORD", "env-basic-0008")
    _script_all(server)
    with package.AuthClient() as client:
        client.things.uses_default()
        client.things.basic()
    default, basic = (_sent(r) for r in server.received)
    assert default["authorization"] == "Bearer env-bearer-0007"
    assert basic["authorization"] == "Basic " + base64.b64encode(b"bob:env-basic-0008").decode()


def test_half_a_basic_credential_is_refused(package: ModuleType) -> None:
    with pytest.raises(package.ConfigurationError, match="basic_auth_password"):
        package.AuthClient(host="https://api.example.com", basic_auth_username="alice")


def test_a_spec_without_servers_needs_a_host(
    package: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(package.ConfigurationError, match=f"no host.*host=.*{PREFIX}HOST"):
        package.AuthClient(bearer_auth="x")
    monkeypatch.setenv(f"{PREFIX}HOST", "https://api.example.com/")
    assert package.AuthClient(bearer_auth="x").host == "https://api.example.com"


def test_no_credential_shows_in_reprs_errors_or_logs(
    package: ModuleType, server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.script("GET", "/query", Reply(status=403, json={"detail": "no"}))
    server.script("GET", "/header", Reply(status=403, json={"detail": "no"}))
    texts = []
    client = package.AuthClient(host=server.url, max_retries=0, **SECRETS)
    with caplog.at_level(logging.DEBUG, logger=PACKAGE), client:
        texts.append(repr(client))
        for call in (client.things.query_key, client.things.header_key):
            with pytest.raises(package.APIStatusError) as caught:
                call()
            texts += [str(caught.value), repr(caught.value)]
    texts += [record.getMessage() for record in caplog.records]
    assert any("api_key=" in text for text in texts), "the query URL was logged"
    encoded = "query%2BSecret%2F0003%3D"
    for secret in [*SECRETS.values(), encoded, BASIC.split()[1]]:
        if secret != "alice":  # a user name is not a secret
            assert all(secret not in text for text in texts), secret


@pytest.mark.anyio
async def test_the_async_client_sends_the_same(package: ModuleType, server: ScriptedServer) -> None:
    _script_all(server)
    async with package.AsyncAuthClient(host=server.url, **SECRETS) as client:
        await client.things.query_key()
        await client.things.public()
    query, public = (_sent(r) for r in server.received)
    assert query == {**NOTHING, "query": {"api_key": "query+Secret/0003="}}
    assert public == NOTHING


def test_generated_table_lists_only_operations_off_the_default(package: ModuleType) -> None:
    auth = importlib.import_module(f"{PACKAGE}._client")._AUTH
    assert auth.default == ((),)
    assert auth.operations[("GET", "/either")] == (("headerKey", "queryKey"), ("basicAuth",), ())
    assert ("GET", "/public") not in auth.operations
    assert auth.security_for("GET", "/either?page=2") == auth.operations[("GET", "/either")]
