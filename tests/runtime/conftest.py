"""Fixtures for the runtime tests: the package under test, scripted HTTP servers, a clean env."""

from __future__ import annotations

import faulthandler
import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from generator.emit.render import RUNTIME_MODULES

from .helpers import API_KEY
from .server import ScriptedServer

if TYPE_CHECKING:
    from posthog_api._base_client import AsyncAPIClient, SyncAPIClient

REPO = Path(__file__).resolve().parents[2]
RUNTIME_TEMPLATES = RUNTIME_MODULES
RUNTIME_CONTEXT = {
    "package": "posthog_api",
    "client_class": "PostHog",
    "async_client_class": "AsyncPostHog",
    "error_class": "PostHogError",
    "client_version": "0.1.0",
    "default_host": "https://us.posthog.com",
    "env_prefix": "POSTHOG_",
}
# The package under test is the committed, generated one (`make generate` refreshes it).
RUNTIME_ROOT = REPO / "generated"
sys.path.insert(0, str(RUNTIME_ROOT))


@pytest.fixture(scope="session")
def runtime_root() -> Path:
    """The directory holding the posthog_api package under test."""
    return RUNTIME_ROOT


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _watchdog() -> Iterator[None]:
    """No test may hang the suite: after 30 s, dump every thread's stack and exit."""
    faulthandler.dump_traceback_later(30, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own POSTHOG_* settings must not leak into tests."""
    for name in list(os.environ):
        if name.startswith(RUNTIME_CONTEXT["env_prefix"]):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def _servers() -> Iterator[tuple[ScriptedServer, ScriptedServer]]:
    main, other = ScriptedServer().start(), ScriptedServer().start()
    yield main, other
    main.stop()
    other.stop()


@pytest.fixture
def server(_servers: tuple[ScriptedServer, ScriptedServer]) -> ScriptedServer:
    """The API server the clients under test talk to, with an empty script."""
    _servers[0].reset()
    return _servers[0]


@pytest.fixture
def other_server(_servers: tuple[ScriptedServer, ScriptedServer]) -> ScriptedServer:
    """A second origin, for checking that nothing leaks to it."""
    _servers[1].reset()
    return _servers[1]


@pytest.fixture
def sleeps() -> list[float]:
    """Delays the client asked to sleep; tests install `sleeps.append` as the client's sleep."""
    return []


@pytest.fixture
def client(server: ScriptedServer, sleeps: list[float]) -> Iterator[SyncAPIClient]:
    """A sync client for `server`, project 1, recording sleeps instead of sleeping."""
    from posthog_api._base_client import SyncAPIClient

    with SyncAPIClient(
        api_key=API_KEY, host=server.url, default_path_params={"project_id": 1}, timeout=5
    ) as api:
        api._sleep = sleeps.append
        yield api


@pytest.fixture
async def async_client(
    server: ScriptedServer, sleeps: list[float]
) -> AsyncIterator[AsyncAPIClient]:
    """The async twin of `client`."""
    from posthog_api._base_client import AsyncAPIClient

    async def record(delay: float) -> None:
        sleeps.append(delay)

    async with AsyncAPIClient(
        api_key=API_KEY, host=server.url, default_path_params={"project_id": 1}, timeout=5
    ) as api:
        api._sleep = record
        yield api
