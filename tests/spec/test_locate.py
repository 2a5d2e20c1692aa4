"""Positions in JSON files come from the JSON scanner and agree with the YAML composer's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.spec.json_text import JsonText
from generator.spec.locate import Locator, escape_pointer_token

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


# --- a new version of a text: JsonText.resume --------------------------------------------------


def _resumed_positions_agree(old: str, new: str, asked_before: list[str], sample: int = 1) -> int:
    """Positions in `new` from a JsonText that took over what reading `old` for
    `asked_before` found are those of a fresh one, for every `sample`th node of `new` and for
    the pointers asked before (which `new` may lack); the count of pointers compared."""
    from generator.spec.locate import pointer_tokens
    from generator.spec.text_edit import _common_prefix, _common_suffix

    earlier = JsonText(old)
    for pointer in asked_before:
        earlier.position(pointer_tokens(pointer))
    state = earlier.scan_state()
    old_bytes, new_bytes = old.encode(), new.encode()
    prefix = _common_prefix(old_bytes, new_bytes)
    suffix = _common_suffix(old_bytes, new_bytes, min(len(old_bytes), len(new_bytes)) - prefix)
    start = len(new_bytes[:prefix].decode("utf-8", "ignore"))
    end = len(new_bytes[len(new_bytes) - suffix :].decode("utf-8", "ignore"))
    resumed, fresh = JsonText(new), JsonText(new)
    resumed.resume(state, start, end)
    every = [*list(pointers(json.loads(new)))[::sample], *asked_before]
    assert [resumed.position(pointer_tokens(p)) for p in every] == [
        fresh.position(pointer_tokens(p)) for p in every
    ]
    return len(every)


REAL_JSON = ROOT / "tests" / "corpus" / "real" / "dialogporten" / "swagger.verified.json"


def _edits(text: str) -> list[tuple[str, str]]:
    """Edits of a real spec's text, as users make them: (name, new text)."""
    middle = text.index('"summary": "', len(text) // 2) + len('"summary": "')
    member = text.index('"paths": {') + len('"paths": {')
    late = text.index('"description": "', len(text) * 9 // 10) + len('"description": "')
    return [
        ("a longer summary", text[:middle] + "Edited, with a ü. " + text[middle:]),
        ("a new path item first", text[:member] + '"/new": {"get": {}}, ' + text[member:]),
        ("a shorter description", text[:late] + text[late + 3 :]),
        ("two edits", text[:middle] + "A" + text[middle:late] + "B" + text[late:]),
        ("whitespace", text.replace('"paths": {', '"paths":   {', 1)),
        ("the last character", text.rstrip() + "\n"),
    ]


@pytest.mark.parametrize(
    "edit", range(6), ids=lambda i: ["long", "new", "short", "two", "ws", "end"][i]
)
def test_positions_after_an_edit_are_those_of_a_fresh_read(edit: int) -> None:
    old = REAL_JSON.read_text(encoding="utf-8-sig")
    name, new = _edits(old)[edit]
    assert json.loads(new) is not None, name
    everything = list(pointers(json.loads(old)))
    # Read as an edit run finds it: much read (the last run's warnings), or little.
    for asked in (everything[::7], everything[-50:], everything[:10]):
        assert _resumed_positions_agree(old, new, asked, sample=5) > 1000


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # a member of one object becomes a member of another: the same text after the change
        ('{"x": {"a": 1, "b": 2}, "z": 3}', '{"x": {"a": 1}, "y": {"b": 2}, "z": 3}'),
        ('{"x": {"a": 1}, "y": {"b": 2}, "z": 3}', '{"x": {"a": 1, "b": 2}, "z": 3}'),
        # an array grows before elements read: their indices shift
        ('{"l": [1, [2], {"k": 3}], "m": {"n": 4}}', '{"l": [0, 1, [2], {"k": 3}], "m": {"n": 4}}'),
        ('{"l": [[1], [2]], "m": 1}', '{"l": [[1, 5], [2]], "m": 1}'),
        ('{"a": "\u00fc", "b": {"c": 1}}', '{"a": "\u00fc\u00fc", "b": {"c": 1}}'),
    ],
)
def test_positions_after_a_structural_edit_are_those_of_a_fresh_read(old: str, new: str) -> None:
    everything = list(pointers(json.loads(old))) + list(pointers(json.loads(new)))
    assert _resumed_positions_agree(old, new, everything) > 0
    assert _resumed_positions_agree(old, new, everything[:3]) > 0


def test_a_text_decoded_while_loading_is_used_only_while_the_file_holds_it(
    tmp_path: Path,
) -> None:
    from generator.spec.json_text import file_stamp, known_json_text

    path = tmp_path / "spec.json"
    old, new = '{"a": 1, "b": 2}', '{"b": 2, "a": 1}'
    path.write_text(old, encoding="utf-8")
    known_json_text(path, old.encode(), "{}", file_stamp(path))  # the text given is used
    assert Locator(path).where("/b") == "1:1: #/b"
    read_at = file_stamp(path)
    path.write_text(new, encoding="utf-8")
    known_json_text(path, old.encode(), old, read_at)  # read before the file changed
    assert Locator(path).where("/b") == "1:2: #/b"
