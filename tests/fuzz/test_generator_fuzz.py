"""Property: whatever the spec, each command works or refuses in one line (issue 12).

Every case (tests.fuzz.mutate: a corpus or feature spec changed in keys, types, values, refs,
names and sizes, written as YAML or JSON) runs `validate`, `lint`, `diff` (against the
unchanged spec) and `generate` through `generator.cli.main` in a folder of its own. The only
allowed outcomes are in tests.fuzz.harness; on top, nothing may appear outside `--out`: the
case folder ends up holding the inputs, the output folder (only when `generate` succeeded), and
the cache folder it was told to use, nothing else.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings

from tests.fuzz import harness
from tests.fuzz.mutate import Case, base_specs, cases, serialise

# The schema strategy is large; hypothesis warns when it spells it out. Harmless.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")


@pytest.fixture(scope="module")
def fuzz_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="posthog-codegen-fuzz-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module", autouse=True)
def _isolated_environment(fuzz_root: Path) -> Iterator[None]:
    """The cache goes where each case says; the developer's own settings do not leak in."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POSTHOG_CODEGEN_CACHE_DIR", str(fuzz_root / "cache-unused"))
        patch.delenv("POSTHOG_CODEGEN_MAX_SPEC_MB", raising=False)
        yield


@settings(max_examples=settings().max_examples * 4 // 3)  # ci: 200, deep: 3333
@given(case=cases())
def test_every_command_works_or_refuses_in_one_line(case: Case, fuzz_root: Path) -> None:
    harness.CASES["generator"] += 1
    folder = Path(tempfile.mkdtemp(dir=fuzz_root))
    try:
        run_case(case, folder)
    except harness.Hang as hang:
        # A BaseException (nothing in the CLI swallows it), which hypothesis re-raises at once,
        # unshrunk and without the case: as a failure, the case is shrunk and printed.
        raise AssertionError(f"a hang: {hang}") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert sorted(p.name for p in fuzz_root.iterdir() if p != folder) == [], "a stray write"


def run_case(case: Case, folder: Path) -> None:
    inputs, out, cwd, cache = (folder / name for name in ("spec", "out", "cwd", "cache"))
    inputs.mkdir()
    cwd.mkdir()
    spec = inputs / case.file_name
    spec.write_bytes(case.text)
    base = inputs / "base.yaml"
    base.write_text(serialise(base_specs()[case.base], "yaml"), encoding="utf-8")
    written_inputs = harness.files_under(inputs)

    lenient = ["--lenient"] if case.lenient else []
    cache_flags = [] if case.use_cache else ["--no-cache"]
    commands = [
        ["validate", "--spec", str(spec), *lenient],
        ["lint", "--spec", str(spec), "--format", "json"],
        ["diff", str(base), str(spec), "--format", "json"],
        ["generate", "--spec", str(spec), "--out", str(out), *lenient, *cache_flags],
    ]
    with pytest.MonkeyPatch.context() as patch, harness.working_directory(cwd):
        patch.setenv("POSTHOG_CODEGEN_CACHE_DIR", str(cache))
        outcomes = [harness.run(argv) for argv in commands]
    for outcome in outcomes:
        harness.check(outcome)

    generated = outcomes[-1].code == 0
    if generated:
        harness.check_package(out)
    else:
        assert not out.exists(), "a refused spec left an output folder"
    allowed = {"spec", "cwd"} | ({"out"} if generated else set())
    allowed |= {"cache"} if case.use_cache else set()
    assert {p.name for p in folder.iterdir()} <= allowed, sorted(folder.iterdir())
    assert harness.files_under(inputs) == written_inputs, "something was written beside the spec"
    assert not any(cwd.iterdir()), "something was written to the working directory"


def test_a_failing_case_is_printed_short() -> None:
    """Hypothesis printed a dataclass field by field: all of a megabyte spec's text."""
    from hypothesis.vendor.pretty import pretty

    case = Case("base", "yaml", b"x" * 1_000_000, lenient=False, use_cache=False)
    shown = pretty(case)
    assert "1000000 bytes" in shown and len(shown) < 3200
