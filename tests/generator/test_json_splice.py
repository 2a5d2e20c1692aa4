"""generator.spec.json_splice: a JSON spec after an edit of some path items is parsed by
parsing only those; whatever it returns is what json.loads makes of the whole text."""

from __future__ import annotations

import codecs
import dataclasses
import json
import random
from pathlib import Path
from typing import Any

import pytest

from generator.errors import SpecError
from generator.spec.json_splice import JsonBase, json_base, spliced
from generator.spec.load import load_spec

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "corpus" / "real" / "dialogporten" / "swagger.verified.json"
TEXT = REAL.read_bytes()


def _base(raw: bytes = TEXT) -> JsonBase:
    base = json_base(raw)
    assert base is not None
    return base


def _spliced(new: bytes, base: JsonBase) -> tuple[dict[str, Any], frozenset[str]] | None:
    """spliced, checked against json.loads of the whole text whenever it answers."""
    found = spliced(new, base)
    if found is not None:
        assert found[0] == json.loads(new.decode("utf-8-sig"))
        assert json.dumps(found[0]) == json.dumps(json.loads(new.decode("utf-8-sig")))
    return found


def _nth_path(n: int) -> str:
    return list(json.loads(TEXT)["paths"])[n]


def _replace_in_item(text: bytes, path: str, old: bytes, new: bytes) -> bytes:
    """`old` replaced by `new` for the first time after the path item's key."""
    at = text.index(json.dumps(path).encode())
    return text[:at] + text[at:].replace(old, new, 1)


def test_the_spans_are_the_path_items_in_order() -> None:
    base = _base()
    assert [key for key, _, _ in base.spans] == list(json.loads(TEXT)["paths"])
    for key, start, end in base.spans:
        assert TEXT[start:end].startswith(json.dumps(key).encode())
        assert TEXT[end - 1 : end] == b"}"  # where the item's object ends


def test_an_unchanged_text_parses_nothing_again() -> None:
    found = _spliced(TEXT, _base())
    assert found is not None and found[1] == frozenset()


@pytest.mark.parametrize(
    "new",
    ["Edited", "é and 😀", 'quote \\" and \\u00e9 and \\ud83d\\ude00'],
    ids=["ascii", "non_ascii", "escapes"],
)
def test_an_edit_inside_one_path_item_parses_that_item(new: str) -> None:
    path = _nth_path(3)
    edited = _replace_in_item(TEXT, path, b'"summary": "', f'"summary": "{new}'.encode())
    found = _spliced(edited, _base())
    assert found is not None and found[1] == {path}


def test_edits_far_apart_read_the_stretch_between_them() -> None:
    """...and parse only those two again: the items between them are the same text."""
    first, last = _nth_path(1), _nth_path(20)
    edited = _replace_in_item(TEXT, first, b'"summary": "', b'"summary": "A')
    edited = _replace_in_item(edited, last, b'"summary": "', b'"summary": "B')
    found = _spliced(edited, _base())
    assert found is not None and found[1] == {first, last}


def test_the_base_may_be_edited_anywhere_its_path_items_are() -> None:
    """Whitespace between two items belongs to neither: the document is the same."""
    base = _base()
    _, _, end = base.spans[5]
    edited = TEXT[:end] + b"  \n" + TEXT[end:]
    found = _spliced(edited, base)
    assert found is not None and found[1] == frozenset()  # no item's text changed


@pytest.mark.parametrize(
    "edit",
    [
        lambda text: text.replace(b'"title": "', b'"title": "Edited ', 1),  # info
        lambda text: text.replace(b'"schemas": {', b'"schemas": {"Added": {},', 1),
        lambda text: text.replace(json.dumps(_nth_path(4)).encode(), b'"/renamed"', 1),
        lambda text: text.replace(
            json.dumps(_nth_path(4)).encode(), b'"/added": {}, ' + json.dumps(_nth_path(4)).encode()
        ),
        lambda text: _replace_in_item(text, _nth_path(4), b'"summary": "', b'"summary": {"'),
        lambda text: _replace_in_item(text, _nth_path(4), b'"summary": "', b'"summary": "\xff'),
        lambda text: _replace_in_item(text, _nth_path(4), b'"summary": "', b'"summary": 9' * 5000),
        lambda text: text[: len(text) // 2],
        lambda text: text.rstrip()[:-1],  # the closing brace gone
    ],
    ids=[
        "info",
        "a_component",
        "a_path_renamed",
        "a_path_added",
        "invalid_json",
        "invalid_utf8",
        "an_integer_too_long",
        "cut_in_half",
        "cut_at_the_end",
    ],
)
def test_anything_but_an_edit_of_path_items_is_parsed_whole(edit: Any) -> None:
    assert spliced(edit(TEXT), _base()) is None


def test_a_byte_order_mark_and_escaped_path_keys_are_read_as_json_reads_them() -> None:
    document = {
        "openapi": "3.0.3",
        "paths": {"/caf\u00e9": {"get": {}}, "/a\\b": {"get": {"summary": "x"}}, "/\u20ac": {}},
    }
    raw = codecs.BOM_UTF8 + json.dumps(document, indent=1).encode()  # `\u00e9` escapes
    base = _base(raw)
    assert [key for key, _, _ in base.spans] == ["/caf\u00e9", "/a\\b", "/\u20ac"]
    found = _spliced(raw.replace(b'"summary": "x"', b'"summary": "y"'), base)
    assert found is not None and found[1] == {"/a\\b"}


def test_a_document_without_a_paths_object_has_no_base() -> None:
    assert json_base(b'{"openapi": "3.0.3"}') is None
    assert json_base(b'{"paths": []}') is None
    assert json_base(b'{"paths": {"/a": {}}, "paths": {"/b": {}}}') is None  # not its text
    assert json_base(b"[1]") is None


def test_a_damaged_base_is_not_used() -> None:
    base = _base()
    damaged = bytearray(base.document)
    damaged[len(damaged) // 2] ^= 1
    assert spliced(TEXT, dataclasses.replace(base, document=bytes(damaged))) is None


def test_random_edits_never_give_another_document_than_json_loads() -> None:
    """Bytes inserted, deleted or replaced anywhere: spliced answers only with what
    json.loads makes of the text (checked in _spliced), and answers for most edits inside a
    path item's value."""
    base = _base()
    generator = random.Random(1729)
    answered = 0
    for _ in range(300):
        start = generator.randrange(len(TEXT))
        end = start + generator.randrange(4)
        insert = bytes(generator.choice(b' {}[]",:ab1\\') for _ in range(generator.randrange(4)))
        answered += _spliced(TEXT[:start] + insert + TEXT[end:], base) is not None
    assert answered > 0


def test_load_spec_refuses_a_duplicate_key_an_edit_adds_as_from_scratch(tmp_path: Path) -> None:
    """The splice keeps the last of two equal keys, as json.loads does: load_spec's count of
    members finds the duplicate all the same, with the same one line."""
    spec = tmp_path / "spec.json"
    spec.write_bytes(TEXT)
    before = load_spec(spec)
    assert before.summary is not None
    base = _base()
    spec.write_bytes(
        _replace_in_item(TEXT, _nth_path(2), b'"summary": "', b'"summary": "", "summary": "')
    )
    with pytest.raises(SpecError) as from_scratch:
        load_spec(spec)
    with pytest.raises(SpecError) as spliced_in:
        load_spec(spec, before=before.summary, base=base)
    assert "duplicate key 'summary'" in str(from_scratch.value)
    assert spliced_in.value.lines() == from_scratch.value.lines()


def test_load_spec_after_an_edit_loads_what_it_loads_from_scratch(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_bytes(TEXT)
    before = load_spec(spec)
    assert before.summary is not None
    path = _nth_path(7)
    spec.write_bytes(_replace_in_item(TEXT, path, b'"summary": "', b'"summary": "Edited '))
    after = load_spec(spec, before=before.summary, base=_base())
    scratch = load_spec(spec)
    assert after.data == scratch.data and after.edited == {path}
    assert after.summary is not None and scratch.summary is not None
    assert after.summary.colons == scratch.summary.colons
    # the edited item's digest may be another (json_splice parses it alone), no other's
    del after.summary.digests[path], scratch.summary.digests[path]
    assert after.summary.digests == scratch.summary.digests
