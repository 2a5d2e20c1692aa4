"""Real public specs (tests/corpus/real/, see its README for sources and licences).

Each spec is generated into its own package, as a new user would: every operation must become
a method, every module must import, the output must be clean under `mypy --strict` and ruff,
and the responses' examples (the spec's own, else one built from the schema) must decode
strictly, once as written and once with every field the schema lets be null set to null.
Specs whose examples disagree with their own schemas need `--lenient`: without it they are
refused, with it the disagreeing examples are dropped with a warning.

GitHub's spec (13 MB) is too large to commit: bench/generate_bench.py generates it.
"""

from __future__ import annotations

import pkgutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.errors import SpecError
from generator.pipeline import generate
from generator.spec.load import HTTP_METHODS, load_spec
from tests.generator.real_packages import (
    Package,
    build,
    check,
    parser_for,
    problems,
    response_examples,
    with_nulls,
)

REAL = Path(__file__).resolve().parents[1] / "corpus" / "real"


@dataclass(frozen=True)
class RealSpec:
    name: str
    file: str
    lenient: bool  # its examples disagree with its schemas (README says where)
    warnings: int  # the generator's own warnings (validation's come on top with --lenient)
    declares_examples: bool = True  # Figma's spec has none: its built examples are decoded
    # Operations whose example was built from the schema by the generator and does not decode:
    # the builder does not know which variant a discriminator wants (a generator limitation,
    # not the spec's).
    undecodable_built_examples: frozenset[str] = frozenset()
    # Ruff rules the output still breaks, for reasons outside the typing (see the README):
    # E501, lines no formatter can wrap (import paths and docstrings naming classes of 90
    # characters, from the spec's own names); RUF002, curly quotes in docstrings from the spec.
    known_lint: frozenset[str] = frozenset()

    @property
    def path(self) -> Path:
        return REAL / self.name / self.file


SPECS = [
    RealSpec(
        "figma",
        "openapi.yaml",
        lenient=False,
        warnings=0,
        declares_examples=False,
        undecodable_built_examples=frozenset({"get_file"}),
        known_lint=frozenset({"RUF002"}),
    ),
    RealSpec(
        "dialogporten",
        "swagger.verified.json",
        lenient=False,
        warnings=0,
        known_lint=frozenset({"E501"}),
    ),
    RealSpec("blockfrost", "openapi.yaml", lenient=True, warnings=2),
    RealSpec("shipengine", "spec.yaml", lenient=True, warnings=0),
    RealSpec("catalyst", "api.yaml", lenient=True, warnings=0),
]
BY_NAME = {spec.name: spec for spec in SPECS}
# catalyst needs `--lenient` to keep an example component that operations `$ref` (its value
# is dropped, the component stays): tests/spec/test_validation_errors.py covers the repair.
NAMES = [spec.name for spec in SPECS]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Package | Exception]:
    """Every spec's package, or what stopped its generation (one failure fails its own tests)."""
    root = tmp_path_factory.mktemp("real")
    result: dict[str, Package | Exception] = {}
    for spec in SPECS:
        try:
            result[spec.name] = build(spec.path, f"real_{spec.name}", root, lenient=spec.lenient)
        except Exception as error:
            result[spec.name] = error
    return result


@pytest.fixture(scope="module")
def packages(built: dict[str, Package | Exception]) -> _Packages:
    return _Packages(built)


class _Packages:
    def __init__(self, built: dict[str, Package | Exception]) -> None:
        self._built = built

    def __getitem__(self, name: str) -> Package:
        package = self._built[name]
        if isinstance(package, Exception):
            raise package
        return package

    def generated(self) -> list[Package]:
        return [p for p in self._built.values() if isinstance(p, Package)]


@pytest.fixture(scope="module")
def reports(packages: _Packages, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return check(packages.generated(), tmp_path_factory.mktemp("mypy-cache"))


def test_every_real_spec_is_listed_and_documented() -> None:
    on_disk = {path.name for path in REAL.iterdir() if path.is_dir()}
    assert on_disk == set(BY_NAME)
    readme = (REAL / "README.md").read_text(encoding="utf-8")
    for spec in SPECS:
        assert spec.path.is_file() and (REAL / spec.name / "LICENSE").is_file()
        assert f"`{spec.name}/" in readme, f"{spec.name} is not described in the README"


@pytest.mark.parametrize("name", NAMES)
def test_every_operation_becomes_a_method(packages: _Packages, name: str) -> None:
    package = packages[name]
    document = load_spec(BY_NAME[name].path).data
    in_spec = sum(
        1
        for item in document["paths"].values()
        for method in HTTP_METHODS
        if isinstance(item.get(method), dict)
    )
    assert len(package.api.operations) == in_spec
    for resource in package.api.resources:
        module = package.module(f"resources.{resource.module}")
        for flavor in ("", "Async"):
            cls = getattr(module, f"{flavor}{resource.class_name}")
            for operation in resource.operations:
                assert callable(getattr(cls, operation.method_name)), operation.operation_id


@pytest.mark.parametrize("name", NAMES)
def test_every_module_imports(packages: _Packages, name: str) -> None:
    package = packages[name]
    root = package.module()
    names = [info.name for info in pkgutil.walk_packages(root.__path__, f"{package.name}.")]
    assert len(names) > len(package.api.models)
    for module in names:
        package.module(module.removeprefix(f"{package.name}."))


@pytest.mark.parametrize("name", NAMES)
def test_output_is_mypy_strict_and_ruff_clean(
    packages: _Packages, reports: dict[str, str], name: str
) -> None:
    assert "Success: no issues found" in reports["mypy"], reports["mypy"][-3000:]
    assert problems(reports["mypy"], packages[name]) == []
    known = BY_NAME[name].known_lint
    lint = problems(reports["ruff"], packages[name])
    assert [line for line in lint if line.split(": ", 1)[-1].split(" ", 1)[0] not in known] == []


@pytest.mark.parametrize("name", NAMES)
def test_response_examples_decode_strictly_with_and_without_nulls(
    packages: _Packages, name: str
) -> None:
    package = packages[name]
    spec = BY_NAME[name]
    models = {model.name: model for model in package.api.models}
    document = load_spec(spec.path).data
    decoded = declared = 0
    failures = []
    for operation in package.api.operations:
        examples = response_examples(operation, document)
        if operation.return_type is None or not examples:
            continue
        parse = parser_for(package, operation)
        for status, example, is_declared in examples:
            if not is_declared and operation.operation_id in spec.undecodable_built_examples:
                continue
            nulled = with_nulls(example, operation.return_type, models)
            for body in (example, nulled):
                try:
                    parse(body)
                except Exception as error:  # collected: one report for the whole spec
                    failures.append(f"{operation.operation_id} {status}: {error}")
                else:
                    decoded += 1
                    declared += is_declared
    assert failures == []
    if spec.declares_examples:  # at least one of the spec's own, with and without nulls
        assert declared >= 2
    assert decoded >= len(package.api.operations)


@pytest.mark.parametrize("name", NAMES)
def test_warnings_and_leniency_are_as_documented(packages: _Packages, name: str) -> None:
    package = packages[name]
    spec = BY_NAME[name]
    assert len(package.api.warnings) == spec.warnings, package.warnings
    assert bool(package.result.validation_warnings) == spec.lenient
    if spec.lenient:  # without --lenient the spec is refused, naming where
        with pytest.raises(SpecError):
            generate(spec.path)
