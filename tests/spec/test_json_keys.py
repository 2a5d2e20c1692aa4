"""Duplicate keys in JSON specs, found by counting `:` (generator.spec.json_keys) instead of a
Python hook per object: the count holds on real specs, a duplicate is refused with its lines
wherever it is, also when an edit adds one that leaves the parsed document as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from generator.errors import SpecError
from generator.pipeline import generate
from generator.spec.edits import DocumentSummary, colons_by_part, digests_of
from generator.spec.json_keys import colons_in, may_have_duplicate_keys
from generator.spec.load import load_spec

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "corpus" / "real"


def _real_json_texts() -> list[tuple[str, bytes]]:
    """The real JSON spec as published, and the real YAML specs (and ours) written as JSON."""
    texts = [("dialogporten", (REAL / "dialogporten" / "swagger.verified.json").read_bytes())]
    for path in [*sorted(REAL.glob("*/*.yaml")), ROOT / "spec" / "posthog.yaml"]:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for ascii_only in (False, True):
            text = json.dumps(document, indent=2, ensure_ascii=ascii_only, default=str)
            texts.append((f"{path.parent.name}-ascii={ascii_only}", text.encode()))
    return texts


@pytest.mark.parametrize(("name", "raw"), _real_json_texts(), ids=lambda value: str(value)[:30])
def test_the_count_of_colons_holds_on_real_specs(name: str, raw: bytes) -> None:
    document = json.loads(raw)
    assert colons_in(document) == raw.count(b":") > 0
    assert not may_have_duplicate_keys(raw, colons_in(document))


@pytest.mark.parametrize(
    ("text", "duplicate"),
    [
        ('{"a": 1, "b": {"c": 2, "c": 2}}', None),  # the same value twice: the document is alike
        ('{"a": "x:y", "a": 1}', None),  # the dropped value held a colon
        ('{"a:b": "c:d", "e": [{"f": 1}, {"f": 1, "f": 1}]}', None),
        ('{"a": "\\u003a", "a": 1, "b": ":"}', None),  # an escaped colon hides nothing
        ('{"a:": ":b", "c": {"d": "e::f"}, "g": ["h:", {"i": "j"}]}', "none"),
        ('{"a": "\\u003a\\u003A:"}', "none"),  # escaped colons, no duplicate
    ],
)
def test_duplicates_are_refused_and_only_they(tmp_path: Path, text: str, duplicate: str) -> None:
    path = tmp_path / "spec.json"
    path.write_text(text, encoding="utf-8")
    if duplicate == "none":
        assert load_spec(path).data == json.loads(text)
        return
    with pytest.raises(SpecError, match=r"duplicate key '[abcf]' \(first at line 1, again at"):
        load_spec(path)


@pytest.mark.parametrize(
    ("member", "pointer"),
    [('"summary": ', "#/paths/"), ('"title": ', "#/info/title: ")],  # a path item; the rest
)
def test_an_edit_that_adds_a_duplicate_key_is_refused(
    tmp_path: Path, member: str, pointer: str
) -> None:
    """After a run that recorded the counts, an edit repeats a member with its value: the
    parsed document is the same, the count of `:` is not."""
    document = yaml.safe_load((REAL / "shipengine" / "spec.yaml").read_text(encoding="utf-8"))
    path, cache = tmp_path / "spec.json", tmp_path / "cache"
    text = json.dumps(document, indent=2)
    path.write_text(text, encoding="utf-8")
    generate(path, cache_dir=cache, lenient=True)
    found = text.index(member)
    begin, end = text.rfind("\n", 0, found) + 1, text.index("\n", found)
    repeated = text[begin:end].rstrip(",") + ",\n"
    edited = text[:begin] + repeated + text[begin:]
    assert json.loads(edited) == document
    path.write_text(edited, encoding="utf-8")
    key = member.split(":")[0].strip('"')
    with pytest.raises(SpecError, match=f"{pointer}.*duplicate key '{key}' \\(first at line"):
        generate(path, cache_dir=cache, lenient=True)


def test_the_counts_of_unchanged_parts_are_the_last_runs() -> None:
    before_document = json.loads(json.dumps({"info": {"t": "a:b"}, "paths": {"/a": {"x": 1}}}))
    before_digests = digests_of(before_document)
    assert before_digests is not None
    before = DocumentSummary(before_digests, 0, {"": 1000, "/a": 2000})  # marked, to be seen
    after = json.loads(
        json.dumps({"info": {"t": "a:b"}, "paths": {"/a": {"x": 1}, "/b:c": {"y": "z:"}}})
    )
    counts = colons_by_part(after, digests_of(after), before)
    assert counts == {"": 1000, "/a": 2000, "/b:c": 1 + 1 + 1 + 1}
    edited = json.loads(json.dumps({"info": {"t": "a:b"}, "paths": {"/a": {"x": "y:"}}}))
    assert colons_by_part(edited, digests_of(edited), before) == {"": 1000, "/a": 3}
    assert colons_by_part(after, digests_of(after), None) == {"": 4, "/a": 2, "/b:c": 4}
    assert sum(colons_by_part(after, digests_of(after), None).values()) == json.dumps(after).count(
        ":"
    )
