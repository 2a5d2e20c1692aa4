"""Golden tests: regenerating gives exactly the committed output, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.emit.manifest import MANIFEST
from generator.pipeline import generate
from tests.goldens import (
    GENERATED,
    SPEC,
    describe_difference,
    feature_files,
    feature_specs,
    read_tree,
)


def test_generated_matches_the_spec() -> None:
    expected = read_tree(GENERATED)
    actual = generate(SPEC).files
    assert actual == expected, describe_difference(expected, actual)


def test_manifest_lists_every_generated_file() -> None:
    lines = (GENERATED / MANIFEST).read_text().splitlines()
    listed = [line.split("\t")[0] for line in lines if not line.startswith("#")]
    on_disk = sorted(n for n in read_tree(GENERATED) if n != MANIFEST)
    assert listed == on_disk


@pytest.mark.parametrize("spec", feature_specs(), ids=lambda p: p.parent.name)
def test_feature_golden(spec: Path) -> None:
    expected = read_tree(spec.parent / "expected")
    actual = feature_files(spec)
    assert actual == expected, describe_difference(expected, actual)


def test_generating_twice_gives_identical_bytes() -> None:
    assert generate(SPEC).files == generate(SPEC).files
