"""The whole pipeline in one place: load -> validate -> parse -> render -> format."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.config import GeneratorConfig
from generator.fixtures import build_fixtures
from generator.format import format_files
from generator.load import load_spec
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
    spec_path: Path, config: GeneratorConfig | None = None, *, cache_dir: Path | None = None
) -> Generated:
    """Everything up to (not including) writing: the caller decides whether to write or check.

    `cache_dir` holds black's results between runs (see generator.format); None disables it.
    """
    config = config or GeneratorConfig()
    api = load_and_parse(spec_path, config)
    files = render_files(api, config, build_fixtures(api))
    formatted = format_files(files, line_length=config.line_length, cache_dir=cache_dir)
    return Generated(api=api, files=formatted)
