"""The generated package as a deliverable: public API, typing marker, dependencies, vendoring,
installation and import time."""

from __future__ import annotations

import ast
import importlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import GENERATED

PACKAGE = GENERATED / "posthog_api"
MODULES = sorted(PACKAGE.rglob("*.py"))
SITE_PACKAGES = sysconfig.get_paths()["purelib"]  # where httpx is installed
ALLOWED_THIRD_PARTY = {"httpx"}
PIP_INSTALL = (sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check")


# One call through the fixture transport, run by a fresh interpreter that sees only the copy.
ONE_CALL = """
import importlib, importlib.util, pathlib, sys
package_name, expected_dir = sys.argv[1], pathlib.Path(sys.argv[2]).resolve()
api = importlib.import_module(package_name)
testing = importlib.import_module(package_name + ".testing")
assert pathlib.Path(api.__file__).resolve().parent == expected_dir, api.__file__
assert importlib.util.find_spec("generator") is None, "the generator leaked onto sys.path"
client = api.PostHog(api_key="phx_test", project_id=1, transport=testing.fixture_transport())
page = client.annotations.list()
print(type(page).__name__, type(page.results[0]).__name__, page.count == len(list(page)))
"""
ONE_CALL_OUTPUT = "SyncPage Annotation True"  # the list fixture's pages walked, item by item


def run_python(*args: str, pythonpath: list[Path | str], cwd: Path) -> str:
    """A fresh interpreter without site (so no editable installs) and only `pythonpath`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "POSTHOG_"))}
    env["PYTHONPATH"] = os.pathsep.join(map(str, pythonpath))
    done = subprocess.run(
        [sys.executable, "-S", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


# ---------------------------------------------------------------------------- public names


def public_names(module_path: Path) -> set[str]:
    """Names a module binds at top level that do not start with "_": its public surface.

    An `__init__` re-exports what it imports; another module's imports are its own business.
    """
    tree = ast.parse(module_path.read_text(encoding="utf-8"))
    reexports = module_path.name == "__init__.py"
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif reexports and isinstance(node, ast.ImportFrom) and node.module != "__future__":
            names |= {alias.asname or alias.name for alias in node.names}
    return {name for name in names if not name.startswith("_")}


def isort_style_key(name: str) -> tuple[int, list[int | str]]:
    """RUF022's order: SCREAMING_CASE, then CamelCase, then the rest; natural within each."""
    group = 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2
    return group, [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


PUBLIC_MODULES = [
    "posthog_api",
    "posthog_api.models",
    "posthog_api.resources",
    "posthog_api.testing",
]


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_dunder_all_is_complete_and_private_names_stay_out(module_name: str) -> None:
    module = importlib.import_module(module_name)
    exported = list(module.__all__)
    assert exported, "__all__ is empty"
    assert len(exported) == len(set(exported)), "__all__ lists a name twice"
    assert [name for name in exported if name.startswith("_")] == []
    assert set(exported) == public_names(Path(str(module.__file__)))
    for name in exported:
        assert getattr(module, name) is not None
    # At runtime too: every public non-module attribute is exported.
    attributes = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and type(value).__name__ != "module"
    }
    if module_name != "posthog_api.testing":  # testing imports httpx, json... for itself
        assert attributes <= set(exported)


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_dunder_all_is_sorted_as_ruff_wants(module_name: str) -> None:
    exported = list(importlib.import_module(module_name).__all__)
    assert exported == sorted(exported, key=isort_style_key)


def test_the_sort_key_is_ruffs() -> None:
    names = ["b", "Page10", "A", "UNSET", "Page9", "C_D", "x"]
    assert sorted(names, key=isort_style_key) == ["C_D", "UNSET", "A", "Page9", "Page10", "b", "x"]


def ruff_rule(rule: str, paths: list[Path]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ruff", "check", "--isolated", "--select", rule]
    return subprocess.run(
        [*command, *map(str, paths)], capture_output=True, text=True, timeout=30, check=False
    )


def test_ruff_agrees_that_every_dunder_all_is_sorted(tmp_path: Path) -> None:
    checked = ruff_rule("RUF022", MODULES)
    assert checked.returncode == 0, checked.stdout
    unsorted = tmp_path / "unsorted.py"
    unsorted.write_text('__all__ = ["b", "A", "C_D"]\n', encoding="utf-8")
    assert "RUF022" in ruff_rule("RUF022", [unsorted]).stdout, "ruff missed an unsorted __all__"


# ---------------------------------------------------------------------------- files


def test_py_typed_ships_with_the_package() -> None:
    assert (PACKAGE / "py.typed").is_file()
    pyproject = tomllib.loads((GENERATED / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["posthog_api"]
    assert "_fixtures.json" in pyproject["tool"]["setuptools"]["package-data"]["posthog_api"]


def test_the_declared_dependencies_are_httpx_only() -> None:
    pyproject = tomllib.loads((GENERATED / "pyproject.toml").read_text(encoding="utf-8"))
    names = [re.split(r"[<>=!~ \[;]", dep)[0] for dep in pyproject["project"]["dependencies"]]
    assert names == ["httpx"]


def imported_roots(module_path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import, at any depth of the module."""
    tree = ast.parse(module_path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.partition(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.partition(".")[0]))
    return found


@pytest.mark.parametrize(
    "module_path",
    [pytest.param(path, id=str(path.relative_to(PACKAGE))) for path in MODULES],
)
def test_imports_only_the_standard_library_and_httpx(module_path: Path) -> None:
    """Relative imports only within the package, so a vendored copy works under any name."""
    foreign = [
        f"line {line}: {root}"
        for line, root in imported_roots(module_path)
        if root not in sys.stdlib_module_names and root not in ALLOWED_THIRD_PARTY
    ]
    assert foreign == []


def test_the_import_check_can_fail(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import json\nif True:\n    from yaml import safe_load\n", encoding="utf-8")
    assert imported_roots(sample) == [(1, "json"), (3, "yaml")]


def test_every_module_is_in_a_declared_package() -> None:
    pyproject = tomllib.loads((GENERATED / "pyproject.toml").read_text(encoding="utf-8"))
    packages = set(pyproject["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(GENERATED).parts) for p in MODULES}
    assert found == packages


# ---------------------------------------------------------------------------- delivery


def test_a_vendored_copy_works_alone(tmp_path: Path) -> None:
    shutil.copytree(PACKAGE, tmp_path / "posthog_api")
    output = run_python(
        "-c",
        ONE_CALL,
        "posthog_api",
        str(tmp_path / "posthog_api"),
        pythonpath=[tmp_path, SITE_PACKAGES],
        cwd=tmp_path,
    )
    assert output.strip() == ONE_CALL_OUTPUT


def test_a_vendored_copy_works_inside_another_package(tmp_path: Path) -> None:
    vendor = tmp_path / "myapp" / "_vendor"
    vendor.mkdir(parents=True)
    (tmp_path / "myapp" / "__init__.py").write_text("", encoding="utf-8")
    (vendor / "__init__.py").write_text("", encoding="utf-8")
    shutil.copytree(PACKAGE, vendor / "posthog_api")
    output = run_python(
        "-c",
        ONE_CALL,
        "myapp._vendor.posthog_api",
        str(vendor / "posthog_api"),
        pythonpath=[tmp_path, SITE_PACKAGES],
        cwd=tmp_path,
    )
    assert output.strip() == ONE_CALL_OUTPUT


def test_pip_installs_the_distribution(tmp_path: Path) -> None:
    """From a copy, so setuptools' build/ and *.egg-info never land in generated/."""
    source = tmp_path / "source"
    shutil.copytree(GENERATED, source, ignore=shutil.ignore_patterns("fixtures", "__pycache__"))
    target = tmp_path / "target"
    installed = subprocess.run(
        [*PIP_INSTALL, "--timeout", "10", "--no-deps", "--target", str(target), str(source)],
        capture_output=True,
        text=True,
        timeout=50,  # under the 60 s watchdog of conftest.py
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    assert (target / "posthog_api" / "py.typed").is_file()
    assert (target / "posthog_api" / "_fixtures.json").is_file()
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    output = run_python(
        "-c",
        ONE_CALL,
        "posthog_api",
        str(target / "posthog_api"),
        pythonpath=[target, SITE_PACKAGES],
        cwd=run_dir,
    )
    assert output.strip() == ONE_CALL_OUTPUT


def test_import_time_is_measured(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    """Recorded (`--junitxml` shows it), not printed or asserted: timings vary by machine, and
    a line in the middle of pytest's progress is noise. bench/client_bench.py reports it."""
    output = run_python(
        "-X",
        "importtime",
        "-c",
        "import posthog_api",
        pythonpath=[GENERATED, SITE_PACKAGES],
        cwd=tmp_path,
    )
    rows = [line.split("|") for line in output.splitlines() if line.startswith("import time:")]
    cumulative = {row[2].strip(): int(row[1]) for row in rows if row[1].strip().isdigit()}
    assert "posthog_api" in cumulative
    record_property("import_posthog_api_ms", cumulative["posthog_api"] / 1000)
