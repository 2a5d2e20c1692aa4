"""A spec without a config file gets its own names, env prefix and default host (through the
CLI, as a new user runs it); PostHog's spec keeps today's names through its config file."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

from generator.cli import main
from tests.goldens import FEATURES

from .server import Reply, ScriptedServer

SPEC = FEATURES / "servers_variables" / "spec.yaml"  # title "GitHub v3 REST API"
PREFIX = "GITHUB_V3_REST_API_"


@pytest.fixture(scope="module")
def github(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    out = tmp_path_factory.mktemp("github")
    assert main(["generate", "--spec", str(SPEC), "--out", str(out), "--no-cache"]) == 0
    sys.path.insert(0, str(out))
    return importlib.import_module("github_v3_rest_api")


@pytest.fixture(autouse=True)
def _no_github_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HOST", "API_KEY"):
        monkeypatch.delenv(PREFIX + name, raising=False)


def test_names_come_from_the_title(github: ModuleType) -> None:
    assert github.GitHubV3RestApi.__name__ == "GitHubV3RestApi"
    assert github.AsyncGitHubV3RestApi.__name__ == "AsyncGitHubV3RestApi"
    constants = importlib.import_module("github_v3_rest_api._constants")
    assert constants.ENV_PREFIX == PREFIX
    assert constants.PACKAGE == "github_v3_rest_api"


def test_the_default_host_is_the_first_server_with_its_variables(github: ModuleType) -> None:
    with github.GitHubV3RestApi(api_key="gh-token-0001") as client:
        assert client.host == "https://api.example.com/v3"


def test_host_and_token_come_from_its_own_variables(
    github: ModuleType, server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTHOG_HOST", "http://127.0.0.1:9")  # another client's: not read
    monkeypatch.setenv(f"{PREFIX}HOST", server.url)
    monkeypatch.setenv(f"{PREFIX}API_KEY", "gh-token-0002")
    server.script("GET", "/repos/octo/hello", Reply(json={"full_name": "octo/hello"}))
    with github.GitHubV3RestApi() as client:
        repo = client.repos.get(owner="octo", repo="hello")
    assert repo.full_name == "octo/hello"
    (received,) = server.received
    assert received.headers.get("Authorization") == "Bearer gh-token-0002"


def test_without_a_token_the_anonymous_alternative_sends_nothing(
    github: ModuleType, server: ScriptedServer
) -> None:
    server.script("GET", "/repos/octo/hello", Reply(json={"full_name": "octo/hello"}))
    with github.GitHubV3RestApi(host=server.url) as client:
        client.repos.get(owner="octo", repo="hello")
    assert "Authorization" not in server.received[0].headers


def test_the_readme_shows_the_real_names(github: ModuleType) -> None:
    readme = (Path(github.__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "from github_v3_rest_api import GitHubV3RestApi" in readme
    assert "`github-v3-rest-api`" in readme and f"`{PREFIX}API_KEY`" in readme
    assert "https://api.example.com/v3" in readme
    assert "PostHog" not in readme.replace("posthog-codegen", "")


def test_posthog_keeps_its_names_and_variable(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from posthog_api import PostHog

    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", "phx_env_key_0003")
    server.script("GET", "/api/projects/7/annotations/", Reply(json={"results": [], "count": 0}))
    with PostHog(host=server.url, project_id=7) as client:
        client.annotations.list()
    assert server.received[0].headers.get("Authorization") == "Bearer phx_env_key_0003"
