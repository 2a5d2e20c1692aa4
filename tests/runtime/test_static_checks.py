"""The rendered runtime must pass what users' CI runs on it: mypy --strict, ruff and black."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jinja2
import jinja2.meta
import pytest

from generator.emit.render import make_environment

from .conftest import REPO, RUNTIME_CONTEXT, RUNTIME_TEMPLATES

RUFF_RULES = "E,F,W,I,B,UP,SIM,RUF"


def run(*args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout}{result.stderr}"


@pytest.fixture(scope="module")
def package(runtime_root: Path) -> str:
    return str(runtime_root / RUNTIME_CONTEXT["package"])


def test_mypy_strict(package: str) -> None:
    run("mypy", "--strict", "--python-version", "3.11", "--no-error-summary", package)


def test_ruff(package: str) -> None:
    run(
        "ruff", "check", "--isolated", "--quiet", f"--select={RUFF_RULES}",
        "--target-version=py311", "--line-length=100", package,
    )  # fmt: skip


def test_black_leaves_it_unchanged(package: str) -> None:
    run("black", "--check", "--quiet", "--line-length=100", "--target-version=py311", package)


def test_templates_use_only_the_runtime_variables() -> None:
    environment = make_environment()
    for module in RUNTIME_TEMPLATES:
        source = (REPO / "templates" / "package" / f"{module}.jinja").read_text(encoding="utf-8")
        used = jinja2.meta.find_undeclared_variables(environment.parse(source))
        assert used <= RUNTIME_CONTEXT.keys(), module
