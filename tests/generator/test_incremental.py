"""Regenerating after a one-operation change runs black only on files whose text changed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import generator.emit.format as format_module
import generator.pipeline as pipeline
from generator.emit.render import render_files
from generator.pipeline import generate
from tests.goldens import SPEC


def _edit_one_operation(source: Path, target: Path) -> None:
    spec = yaml.safe_load(source.read_text(encoding="utf-8"))
    operation = spec["paths"]["/api/projects/{project_id}/annotations/"]["get"]
    operation["summary"] = "List annotations (edited)"
    target.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")


def _sources(spec: Path) -> dict[str, str]:
    api = pipeline.load_and_parse(spec)
    config = pipeline.GeneratorConfig()
    return render_files(api, config, pipeline.build_fixtures(api))


@pytest.mark.parametrize("black_layout_shortcut", [True, False], ids=["shortcut", "black-all"])
def test_one_operation_change_formats_only_the_changed_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, black_layout_shortcut: bool
) -> None:
    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()
    # The same file name: the generated headers name it.
    before, after = tmp_path / "before" / "spec.yaml", tmp_path / "after" / "spec.yaml"
    before.write_text(SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    _edit_one_operation(before, after)
    cache = tmp_path / "cache"
    if not black_layout_shortcut:
        monkeypatch.setattr(pipeline, "black_layout_outputs", lambda api, config: frozenset())
    generate(before, cache_dir=cache)  # fills the cache

    formatted: list[str] = []
    real_format_one = format_module._format_one

    def counting_format_one(item: tuple[str, str, int]) -> tuple[str, str]:
        formatted.append(item[0])
        return real_format_one(item)

    monkeypatch.setattr(format_module, "_format_one", counting_format_one)
    monkeypatch.setattr(format_module, "_PARALLEL_THRESHOLD", 10**9)  # count in this process
    result = generate(after, cache_dir=cache)

    old, new = _sources(before), _sources(after)
    changed = {name for name in new if name.endswith(".py") and old.get(name) != new[name]}
    # The edited method's module, and the package's __init__ recording the spec's hash.
    assert changed == {"posthog_api/resources/annotations.py", "posthog_api/__init__.py"}
    if black_layout_shortcut:
        # The resource template lays code out as black does: only __init__ needs black.
        assert formatted == ["posthog_api/__init__.py"]
    else:
        assert sorted(formatted) == sorted(changed)
    assert "List annotations (edited)" in result.files["posthog_api/resources/annotations.py"]
