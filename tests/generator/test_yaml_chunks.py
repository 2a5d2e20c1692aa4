"""Piecewise YAML parsing gives exactly the whole-document result, or steps aside."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import generator.spec.yaml_chunks as chunks
from generator.spec.yaml_chunks import ChunkCache, split

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import make_large_spec  # noqa: E402  (found via the path set above)

_WHOLE: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _same(a: Any, b: Any) -> bool:
    """Equal, key order included (json.dumps keeps it; dates become strings)."""
    return json.dumps(a, default=str) == json.dumps(b, default=str)


def _specs() -> list[Path]:
    return [
        ROOT / "spec" / "posthog.yaml",
        *sorted((ROOT / "tests" / "corpus").glob("*.yaml")),
        *sorted((ROOT / "tests" / "features").glob("*/spec.yaml")),
    ]


@pytest.mark.parametrize("spec", _specs(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_pieces_parse_to_the_whole_document(spec: Path, tmp_path: Path) -> None:
    text = spec.read_text(encoding="utf-8")
    pieces = ChunkCache(tmp_path, spec)
    data = pieces.load(text)
    if data is not None:  # None: it steps aside (posthog.yaml has anchors across pieces)
        assert _same(data, yaml.load(text, Loader=_WHOLE))


def test_a_large_spec_is_split_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "large.yaml"
    make_large_spec.write_spec(make_large_spec.make_spec(50), spec)
    text = spec.read_text(encoding="utf-8")
    first = ChunkCache(tmp_path / "cache", spec)
    assert _same(first.load(text), yaml.load(text, Loader=_WHOLE))
    first.save()

    edited = text.replace("    summary: ", "    summary: Edited. ", 1)
    parsed: list[str] = []
    real_load = yaml.load

    def counting_load(stream: str, Loader: Any) -> Any:  # yaml spells it Loader
        parsed.append(stream)
        return real_load(stream, Loader=Loader)

    monkeypatch.setattr(chunks.yaml, "load", counting_load)
    second = ChunkCache(tmp_path / "cache", spec)
    data = second.load(edited)
    assert _same(data, real_load(edited, Loader=_WHOLE))
    assert len(parsed) == 1 and "Edited." in parsed[0]  # only the edited path item


@pytest.mark.parametrize(
    "text",
    [
        # A quoted string running past a piece boundary.
        'openapi: 3.1.0\npaths:\n  /a:\n    description: "x\n  y"\n',
        # A flow mapping running past a piece boundary.
        "paths:\n  /a: {get: {x: 1,\n  y: 2}}\n",
        # An alias to an anchor in another piece.
        "paths:\n  /a: &item {get: {}}\n  /b: *item\n",
        # A merge key across pieces.
        "components:\n  schemas:\n    A: &a {type: object}\n    B: {<<: *a}\n",
    ],
)
def test_pieces_that_do_not_stand_alone_step_aside(text: str, tmp_path: Path) -> None:
    assert ChunkCache(tmp_path, tmp_path / "s.yaml").load(text) is None
    yaml.load(text, Loader=_WHOLE)  # the whole-document parse handles (or reports) it


@pytest.mark.parametrize(
    "text",
    [
        "%YAML 1.1\n---\nopenapi: 3.1.0\n",
        "openapi: 3.1.0\n...\n",
        "---\nopenapi: 3.1.0\n",
    ],
)
def test_directives_and_document_markers_are_not_split(text: str) -> None:
    assert split(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "servers:\n- url: a\n- url: b\npaths:\n  /a: {}\n",  # a sequence at the key's column
        "# leading comment\npaths:\n# comment at column 0\n  /a:\n    get: {}\n  /b: {}\n",
        "paths:\ninfo: {title: t}\n",  # an empty mapping
        "components:\n  securitySchemes: {A: {type: http}}\n  schemas:\n    S: {type: string}\n",
        "paths:\n  /a:\n    description: |\n      block\n\n      text\n  /b: {}\n",
    ],
)
def test_tricky_layouts_parse_the_same(text: str, tmp_path: Path) -> None:
    data = ChunkCache(tmp_path, tmp_path / "s.yaml").load(text)
    assert data is not None
    assert _same(data, yaml.load(text, Loader=_WHOLE))


@pytest.mark.parametrize(
    "text",
    [
        "paths:\n  /a: {x: 1}\n  /a: {x: 2}\n",  # in two pieces of one section
        "paths:\n  /a: {x: 1, x: 2}\n",  # inside one piece
        "paths:\n  /a: {}\ninfo: {}\npaths:\n  /b: {}\n",  # a section written twice
        "info: {}\ninfo: {}\n",
    ],
)
def test_a_duplicate_key_leaves_the_whole_parse_to_report_it(text: str, tmp_path: Path) -> None:
    assert ChunkCache(tmp_path, tmp_path / "s.yaml").load(text) is None


def test_a_damaged_cache_is_ignored(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    text = "openapi: 3.1.0\npaths:\n  /a: {get: {}}\n"
    cache = ChunkCache(tmp_path / "cache", spec)
    cache.load(text)
    cache.save()
    assert cache.path is not None
    cache.path.write_bytes(b"\x00garbage")
    assert _same(ChunkCache(tmp_path / "cache", spec).load(text), yaml.safe_load(text))
