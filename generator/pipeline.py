"""The whole pipeline in one place: load -> validate -> parse -> render -> format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from generator.background import in_background
from generator.config import ConfigSettings, GeneratorConfig, resolve_config
from generator.emit.fixtures import build_fixtures
from generator.emit.format import Formatter, format_files, formatter_id
from generator.emit.manifest import MANIFEST, render_manifest
from generator.emit.render import render_files
from generator.errors import SpecError
from generator.ir.model import Api
from generator.ir.parse import parse_api
from generator.spec.load import LoadedSpec, load_spec
from generator.spec.partial_validation import check_operation_ids, validation_target
from generator.spec.validate import (
    KEPT_AS_WRITTEN,
    Problem,
    document_example_problems,
    fatal_problems,
    located,
    needs_repair,
    openapi_problems,
    problems_error,
    repaired,
    validate_spec,
)


@dataclass(frozen=True)
class Generated:
    api: Api
    files: dict[str, str]
    validation_warnings: tuple[Problem, ...] = ()  # with `lenient`: the problems let through


def load_and_parse(spec_path: Path, config: GeneratorConfig | ConfigSettings | None = None) -> Api:
    spec = load_spec(spec_path)
    validate_spec(spec)
    return parse_api(spec, resolve_config(config, spec_path, spec.data))


# Below this many paths and schemas, forking a validator costs more than it saves (the PostHog
# spec, about 110, already saves a third of its time: validation and the build overlap).
_BACKGROUND_VALIDATION_THRESHOLD = 60

T = TypeVar("T")


def _in_background(spec: LoadedSpec, work: Callable[[], T]) -> Callable[[], T]:
    """generator.background.in_background for specs large enough to gain from it."""
    components = spec.data.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    size = sum(len(part) for part in (spec.data.get("paths"), schemas) if isinstance(part, dict))
    return in_background(work, worth_it=size >= _BACKGROUND_VALIDATION_THRESHOLD)


Verdict = SpecError | None  # the problems found (it pickles), or None for a valid spec


def _start_validation(spec: LoadedSpec) -> Callable[[], None]:
    """Validate in the background (after a small change, only the affected part:
    generator.spec.partial_validation); the result raises the verdict, if any."""
    verdict = _in_background(spec, lambda: _verdict(spec))

    def wait() -> None:
        _remember_verdict(spec, verdict())

    return wait


def _verdict(spec: LoadedSpec) -> Verdict:
    try:
        target = validation_target(spec)
        if target is spec.data:
            validate_spec(spec)
        else:
            validate_spec(replace(spec, data=target))
            check_operation_ids(spec)
    except SpecError as error:
        return error
    return None


def _remember_verdict(spec: LoadedSpec, verdict: Verdict) -> None:
    """Keep the parsed pieces for next time (and, if valid, that they passed); raise if not."""
    if spec.pieces is not None:
        if verdict is None:
            spec.pieces.mark_validated()
        spec.pieces.save()
    if verdict is not None:
        raise verdict


def parse_tolerant(
    spec: LoadedSpec, config: GeneratorConfig | None, tolerated: list[Problem]
) -> Api:
    """parse_api; with problems tolerated (--lenient), one that breaks the parser is refused
    after all, one line per problem as without --lenient, instead of a traceback."""
    try:
        return parse_api(spec, config)
    except (TypeError, AttributeError, KeyError, ValueError, IndexError) as exc:
        if not tolerated:
            raise  # a valid spec: the parser must handle it
        kept = [p for p in tolerated if p.message.endswith(KEPT_AS_WRITTEN)] or tolerated
        problems = [
            replace(p, message=p.message.removesuffix(KEPT_AS_WRITTEN) + _UNREADABLE) for p in kept
        ]
        raise problems_error(spec.display_name, problems) from exc


_UNREADABLE = " (--lenient cannot generate past this)"


def generate(
    spec_path: Path,
    config: GeneratorConfig | ConfigSettings | None = None,
    *,
    cache_dir: Path | None = None,
    formatter: Formatter = "ruff",
    lenient: bool = False,
) -> Generated:
    """Everything up to (not including) writing: the caller decides whether to write or check.

    Every file is rendered and formatted afresh from the spec: nothing is taken from the output
    folder. `cache_dir` only keeps parsed spec pieces between runs (None: no cache).
    """
    spec = load_spec(spec_path, cache_dir=cache_dir)
    # The config file beside the spec when none is given; names and host the config leaves
    # open come from the spec (generator.config).
    resolved = resolve_config(config, spec_path, spec.data)

    def build(spec: LoadedSpec, tolerated: list[Problem]) -> tuple[Api, dict[str, str]]:
        api = parse_tolerant(spec, resolved, tolerated)
        sources = render_files(api, resolved, build_fixtures(api))
        return api, format_files(sources, formatter=formatter, line_length=resolved.line_length)

    if lenient:
        api, files, tolerated = _build_lenient(spec, build)
    else:
        tolerated = []
        validated = _start_validation(spec)
        try:
            api, files = build(spec, tolerated)
        except Exception:
            validated()  # an invalid spec may break the parser: report why it is invalid
            raise
        validated()
    files[MANIFEST] = render_manifest(files, formatter_id(formatter, resolved.line_length))
    return Generated(api=api, files=files, validation_warnings=tuple(tolerated))


Build = Callable[[LoadedSpec, list[Problem]], tuple[Api, dict[str, str]]]


def _build_lenient(spec: LoadedSpec, build: Build) -> tuple[Api, dict[str, str], list[Problem]]:
    """`build` the spec with its problems repaired (`lenient_spec`), validating in parallel.

    Bad examples, found here first, are the usual repairs. The OpenAPI checks run in the
    background meanwhile; only if they find something more to repair (an invalid `default`)
    is the repaired spec built again.
    """
    fatal = fatal_problems(spec)
    if fatal:
        raise problems_error(spec.display_name, located(spec, fatal))
    openapi_found = _in_background(spec, lambda: list(openapi_problems(spec.data)))
    example_found = document_example_problems(spec.data)
    first, first_warnings = repaired(spec, located(spec, example_found))
    try:
        built: tuple[Api, dict[str, str]] | None = build(first, first_warnings)
    except Exception:
        built = None  # the parser tripped over a problem validation will name: see below
    final, warnings = repaired(spec, located(spec, [*openapi_found(), *example_found]))
    if built is None or sum(map(needs_repair, warnings)) != sum(map(needs_repair, first_warnings)):
        # With every problem known, parse_tolerant refuses what it cannot read in one line
        # per problem.
        built = build(final, warnings)
    return *built, warnings
