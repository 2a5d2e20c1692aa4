"""Positions in JSON files come from the JSON scanner and agree with the YAML composer's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.spec.locate import JsonText, Locator, escape_pointer_token

ROOT = Path(__file__).resolve().parents[2]


def readable(path: Path) -> bool:
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError):  # fixtures meant to be unreadable
        return False
    return True


JSON_SPECS = sorted(
    p for p in (ROOT / "tests").rglob("*.json") if "expected" not in p.parts and readable(p)
)


def pointers(node: Any, prefix: str = "") -> Iterator[str]:
    yield prefix
    if isinstance(node, (dict, list)):
        for key, value in node.items() if isinstance(node, dict) else enumerate(node):
            yield from pointers(value, f"{prefix}/{escape_pointer_token(str(key))}")


def yaml_only(path: Path | None = None, text: str | None = None) -> Locator:
    locator = Locator(path, text=text)
    locator._json = None  # what the YAML composer says, for comparison
    return locator


@pytest.mark.parametrize("path", JSON_SPECS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_node_of_a_json_file_is_where_yaml_places_it(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    every = list(pointers(document))[:3000]
    fast, slow = Locator(path), yaml_only(path)
    assert [fast.where(p) for p in every] == [slow.where(p) for p in every]
    assert isinstance(fast._json, JsonText)  # the scanner answered, not the composer


def test_compact_json_missing_nodes_and_duplicate_keys() -> None:
    text = '{"a": {"b": [1, {"c": "x\\"}"}], "b": 2},\n  "a": 3, "d": {}}'
    fast, slow = Locator(text=text), yaml_only(text=text)
    for pointer in ("/a/b/1/c", "/a/b/5", "/a/b", "/d/missing", "/a", ""):
        assert fast.where(pointer) == slow.where(pointer)
    assert fast.where("/a/b/1/c") == "1:18: #/a/b/1/c"


def test_yaml_in_flow_style_falls_back_to_the_composer() -> None:
    text = "{openapi: 3.1.0,\n info: {title: t}}"
    assert Locator(text=text).where("/info/title") == "2:9: #/info/title"
    assert yaml_only(text=text).where("/info/title") == "2:9: #/info/title"
