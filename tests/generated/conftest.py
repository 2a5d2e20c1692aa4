"""Fixtures for the tests of the generated package: import path, clean env, a watchdog."""

from __future__ import annotations

import faulthandler
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

GENERATED = Path(__file__).resolve().parents[2] / "generated"
# The package under test is the committed, generated one (`make generate` refreshes it).
sys.path.insert(0, str(GENERATED))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _watchdog() -> Iterator[None]:
    """No test may hang the suite: after 60 s, dump every thread's stack and exit."""
    faulthandler.dump_traceback_later(60, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own POSTHOG_* settings must not leak into tests."""
    for name in list(os.environ):
        if name.startswith("POSTHOG_"):
            monkeypatch.delenv(name)
