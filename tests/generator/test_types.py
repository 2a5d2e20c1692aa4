"""TypeRef (generator.ir.types): equal types are one object, and equal means equal in JSON."""

from __future__ import annotations

import dataclasses
import gc
import pickle
from pathlib import Path
from typing import Any

from generator.ir.types import TypeRef
from generator.pipeline import generate

ROOT = Path(__file__).resolve().parents[2]


def test_equal_types_are_one_object() -> None:
    first = TypeRef("list", item=TypeRef("model", name="Thing"), nullable=True)
    again = TypeRef("list", item=TypeRef("model", name="Thing")).with_nullable()
    assert again is first
    assert dataclasses.replace(first, nullable=False) is TypeRef("list", item=first.item)


def test_literals_of_other_json_types_are_other_types() -> None:
    """`True == 1 == 1.0` in Python; `Literal[True]` and `Literal[1]` are not the same type."""
    on, one = TypeRef("literal", literals=(True,)), TypeRef("literal", literals=(1,))
    assert on != one
    assert on is not one
    assert on.annotation == "Literal[True]"
    assert one.annotation == "Literal[1]"
    assert TypeRef("union", variants=(on,)) != TypeRef("union", variants=(one,))


def test_a_type_nothing_uses_is_freed() -> None:
    made = TypeRef("model", name="OnlyInThisTest")
    assert made in list(TypeRef._instances)
    del made
    gc.collect()
    assert all(known.name != "OnlyInThisTest" for known in list(TypeRef._instances))


def test_a_parsed_spec_holds_each_type_once() -> None:
    """What makes the record a run keeps for the next small: PostHog's spec uses each of its
    types in many places."""
    api = generate(ROOT / "spec" / "posthog.yaml").api
    found: dict[int, TypeRef] = {}
    stack: list[Any] = [api]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen or isinstance(node, str | int | float | bool | None):
            continue
        seen.add(id(node))
        if isinstance(node, TypeRef):
            found[id(node)] = node
        if isinstance(node, tuple | list):
            stack.extend(node)
        elif dataclasses.is_dataclass(node):
            stack.extend(getattr(node, field.name) for field in dataclasses.fields(node))
    distinct = set(found.values())
    assert len(distinct) > 50
    assert len(found) == len(distinct)


def test_a_kept_hash_is_not_pickled() -> None:
    """A TypeRef keeps its hash once computed (shapes of inline objects hash nested types over
    and over), but a string's hash differs from process to process: the record of a run must
    not carry it into the next."""
    nested = TypeRef("list", item=TypeRef("model", name="KeptHash"))
    hash(nested)
    assert "_hash" in nested.__dict__
    copy = pickle.loads(pickle.dumps(nested))
    assert "_hash" not in copy.__dict__
    assert copy == nested and hash(copy) == hash(nested)
    assert hash(nested) == hash((nested.kind, nested.name, nested.item, False, (), None, (), ()))
