"""Golden tests: regenerating gives exactly the committed output, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.emit.manifest import MANIFEST
from generator.emit.write import compare_tree
from generator.emit.write import write_tree as write_output
from generator.pipeline import generate
from tests.goldens import (
    DIFF_LINES_PER_FILE,
    FILES_SHOWN,
    GENERATED,
    REFRESH_COMMAND,
    REGENERATE_COMMAND,
    SPEC,
    describe_difference,
    feature_files,
    feature_specs,
    read_tree,
    write_tree,
)


def test_generated_matches_the_spec() -> None:
    expected = read_tree(GENERATED)
    actual = generate(SPEC).files
    if actual != expected:  # not `assert`: pytest's own dict diff would bury the summary
        pytest.fail(describe_difference(expected, actual, REGENERATE_COMMAND), pytrace=False)


def test_manifest_lists_every_generated_file() -> None:
    lines = (GENERATED / MANIFEST).read_text().splitlines()
    listed = [line.split("\t")[0] for line in lines if not line.startswith("#")]
    on_disk = sorted(n for n in read_tree(GENERATED) if n != MANIFEST)
    assert listed == on_disk


@pytest.mark.parametrize("spec", feature_specs(), ids=lambda p: p.parent.name)
def test_feature_golden(spec: Path) -> None:
    expected = read_tree(spec.parent / "expected")
    actual = feature_files(spec)
    if actual != expected:
        pytest.fail(describe_difference(expected, actual), pytrace=False)


def test_generating_twice_gives_identical_bytes() -> None:
    assert generate(SPEC).files == generate(SPEC).files


def test_a_golden_failure_is_short_with_the_manifest_last_and_one_refresh_command() -> None:
    long_file = "".join(f"line {i}\n" for i in range(200))
    expected = {f"posthog_api/models/m{i}.py": long_file for i in range(30)}
    expected[MANIFEST] = "".join(f"m{i}.py\t{'0' * 64}\n" for i in range(30))
    actual = {name: text.replace("line", "LINE") for name, text in expected.items()}
    actual["posthog_api/new.py"] = "x = 1\n"
    actual[MANIFEST] = expected[MANIFEST].replace("0", "1")
    message = describe_difference(expected, actual)
    lines = message.splitlines()
    assert len(lines) <= FILES_SHOWN * (DIFF_LINES_PER_FILE + 1) + 3
    assert "... and 21 more files differ" in message
    assert lines[-2] == f"{MANIFEST} differs too (it lists the files' hashes)"
    assert message.count(REFRESH_COMMAND) == 1 and lines[-1].endswith(REFRESH_COMMAND)
    assert "0" * 64 not in message  # no manifest hashes


def test_tool_caches_in_the_output_are_not_part_of_the_tree(tmp_path: Path) -> None:
    """`mypy generated/` leaves a binary cache there: goldens, --check and write pass over it."""
    write_tree(tmp_path, {"posthog_api/__init__.py": "", MANIFEST: "# m\n"})
    for cache in (".mypy_cache/3.11", "posthog_api/__pycache__", ".ruff_cache", ".pytest_cache"):
        (tmp_path / cache).mkdir(parents=True)
        (tmp_path / cache / "blob.data").write_bytes(b"\xff\xfe\x00binary")
    assert read_tree(tmp_path) == {"posthog_api/__init__.py": "", MANIFEST: "# m\n"}
    assert compare_tree(tmp_path, read_tree(tmp_path)).clean
    write_output(tmp_path, read_tree(tmp_path))
    assert (tmp_path / ".mypy_cache/3.11/blob.data").is_file()  # kept, not reported


def test_the_regenerate_command_is_named_for_generated() -> None:
    assert describe_difference({"a": "1"}, {"a": "2"}, REGENERATE_COMMAND).endswith(
        f"refresh with: {REGENERATE_COMMAND}"
    )
