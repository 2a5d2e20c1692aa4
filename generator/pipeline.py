"""The whole pipeline in one place: load -> validate -> parse -> render -> format."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.config import GeneratorConfig
from generator.fixtures import build_fixtures
from generator.format import format_files, formatter_id
from generator.load import load_spec
from generator.manifest import MANIFEST, render_manifest, reusable_results
from generator.model import Api
from generator.parse import parse_api
from generator.render import render_files
from generator.validate import validate_spec


@dataclass(frozen=True)
class Generated:
    api: Api
    files: dict[str, str]


def load_and_parse(spec_path: Path, config: GeneratorConfig | None = None) -> Api:
    spec = load_spec(spec_path)
    validate_spec(spec)
    return parse_api(spec, config)


def generate(
    spec_path: Path,
    config: GeneratorConfig | None = None,
    *,
    cache_dir: Path | None = None,
    previous_output: Path | None = None,
) -> Generated:
    """Everything up to (not including) writing: the caller decides whether to write or check.

    Black's results are reused from `previous_output` (files unchanged since the last run, per
    its manifest) and from `cache_dir` (shared between runs); either may be None.
    """
    config = config or GeneratorConfig()
    api = load_and_parse(spec_path, config)
    sources = render_files(api, config, build_fixtures(api))
    formatter = formatter_id(config.line_length)
    known = reusable_results(previous_output, formatter) if previous_output else {}
    files = format_files(sources, line_length=config.line_length, cache_dir=cache_dir, known=known)
    python_sources = {name: text for name, text in sources.items() if name.endswith(".py")}
    files[MANIFEST] = render_manifest(files, python_sources, formatter)
    return Generated(api=api, files=files)
