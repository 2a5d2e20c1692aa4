"""Validation with jsonschema-rs first finds exactly what jsonschema alone finds.

The whole-document check and the per-schema meta-schema check trust jsonschema-rs when it calls
a node valid and ask jsonschema for the errors otherwise, so a node Rust passes and jsonschema
fails would lose its problems. Every spec in the repository, and copies of each broken at a
random node, must get the same problems either way.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.errors import SpecError
from generator.spec import openapi_check
from generator.spec.load import load_spec
from generator.spec.validate import openapi_problems, version_problem

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted(
    path
    for folder in (ROOT / "spec", ROOT / "tests" / "corpus", ROOT / "tests" / "features")
    for path in folder.rglob("*")
    if path.suffix in (".yaml", ".json") and "expected" not in path.parts
)


def documents() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in SPECS:
        try:
            data = load_spec(path).data
        except SpecError:
            continue  # specs that are meant not to load (tests/corpus/errors)
        if isinstance(data.get("openapi"), str) and data["openapi"][:3] in ("3.0", "3.1"):
            yield str(path.relative_to(ROOT)), data


def broken(document: dict[str, Any], seed: int) -> dict[str, Any]:
    """A copy with one node replaced by a value of another type, or one key removed."""
    rng = random.Random(seed)
    copied = copy.deepcopy(document)
    nodes: list[tuple[Any, Any]] = []
    stack: list[Any] = [copied]
    while stack:
        node = stack.pop()
        keys = node.keys() if isinstance(node, dict) else range(len(node))
        for key in keys:
            nodes.append((node, key))
            if isinstance(node[key], (dict, list)):
                stack.append(node[key])
    container, key = rng.choice(nodes)
    if isinstance(container, dict) and rng.random() < 0.3:
        del container[key]
    else:
        container[key] = rng.choice([5, "text", None, [], {}, True, -1.5, {"$ref": 3}])
    return copied


CASES = [
    pytest.param(document, id=name)
    for name, original in documents()
    for document in (original, *(broken(original, seed) for seed in range(3)))
    if version_problem(document) is None  # a broken version picks no validator at all
]


@pytest.mark.parametrize("document", CASES)
def test_rust_first_finds_what_jsonschema_alone_finds(
    document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    with_rust = list(openapi_problems(document))
    monkeypatch.setattr(openapi_check, "RUST_FIRST", False)
    assert with_rust == list(openapi_problems(document))


def test_the_spec_set_is_not_empty() -> None:
    assert len(CASES) > 80
