"""The whole pipeline in one place: load -> validate -> parse -> render -> format."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from generator.background import background_available, in_background
from generator.config import ConfigSettings, GeneratorConfig, resolve_config
from generator.emit.fixtures import build_fixtures
from generator.emit.format import (
    Formatter,
    SignatureLayouts,
    format_files,
    formatter_id,
)
from generator.emit.manifest import MANIFEST, render_manifest
from generator.emit.render import (
    PreviousOutput,
    render_files,
    reusable_files,
    unchanged_fixtures,
)
from generator.errors import SpecError
from generator.ir.model import Api
from generator.ir.parse import ParseRecord, Reuse, parse_api, parse_recorded
from generator.last_run import (
    LastRun,
    Work,
    fingerprint,
    load_last_run,
    save_last_run,
    still_serves,
)
from generator.spec.edit_problems import (
    FoundProblems,
    checkable_part,
    edited_problems,
    in_paths,
    located_after_edit,
    problems_after_edit,
)
from generator.spec.json_splice import json_base
from generator.spec.json_text import json_scan_state, resume_json_scan
from generator.spec.load import LoadedSpec, load_json_unchecked, load_spec
from generator.spec.partial_validation import (
    check_operation_ids,
    validation_target,
)
from generator.spec.validate import (
    KEPT_AS_WRITTEN,
    Problem,
    document_example_problems,
    fatal_problems,
    locate_each,
    located,
    needs_repair,
    once_per_node,
    openapi_problems,
    problems_error,
    repaired,
    validate_spec,
)


def _nothing_to_save() -> None:
    return None


@dataclass(frozen=True)
class Generated:
    api: Api
    files: dict[str, str]
    validation_warnings: tuple[Problem, ...] = ()  # with `lenient`: the problems let through
    # api.warnings with their positions (the last run's, moved, after an edit)
    parser_warnings: tuple[Problem, ...] = ()
    # Saves this run's record in the cache (generate's `save_later`); call it once.
    save: Callable[[], None] = _nothing_to_save
    # The record is large enough to gain from saving it while another process writes.
    large: bool = False


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


def _start_validation(
    spec: LoadedSpec, edited: frozenset[str] | None, early: EarlyCheck | None
) -> Callable[[], None]:
    """Validate in the background (after a small change, only the affected part:
    generator.spec.partial_validation); the result raises the verdict, if any. `edited`:
    the path items edited since the last run, which found the spec valid; `early`: a child
    checking them already (_check_edit_early)."""
    if edited is not None and early is not None:
        checked = _edited_items_checked(spec, FoundProblems((), ()), edited, early)
        return lambda: _remember_verdict(spec, _verdict(spec, edited, checked))
    verdict = _in_background(spec, lambda: _verdict(spec, edited, None))

    def wait() -> None:
        _remember_verdict(spec, verdict())

    return wait


def _verdict(spec: LoadedSpec, edited: frozenset[str] | None, checked: Checked | None) -> Verdict:
    try:
        if edited is not None and _edited_part_valid(spec, edited, checked):
            return None
        target = validation_target(spec)
        if target is spec.data:
            validate_spec(spec)
        else:
            validate_spec(replace(spec, data=target))
            check_operation_ids(spec)
    except SpecError as error:
        return error
    return None


def _edited_part_valid(spec: LoadedSpec, edited: frozenset[str], checked: Checked | None) -> bool:
    """After an edit of a valid spec: True if the edited path items are valid, False if that
    cannot be told that way (generator.spec.edit_problems); raises their problems."""
    if fatal_problems(spec):
        return False
    nothing = FoundProblems((), ())
    fresh = checked() if checked else _edited_items_problems(spec, nothing, edited)
    if fresh is None:
        return False
    found = problems_after_edit(spec, nothing, spec.raw, edited, fresh)
    if found.all:
        raise problems_error(spec.display_name, once_per_node(found.all))
    return True


# The problems of the edited path items (edit_problems.edited_problems), when they are known.
Checked = Callable[[], FoundProblems | None]


@dataclass(frozen=True)
class _EditCheck:
    """What a child that loaded the spec itself found (_check_edit_early)."""

    sha256: str
    edited: frozenset[str]
    fresh: FoundProblems | None


EarlyCheck = Callable[[], _EditCheck | None]
# A spec file this large gains from checking its edited path items early, and from saving
# the record while a child writes the output (GitHub's: 13 MB).
_LARGE_SPEC_BYTES = 1 << 20


def _check_edit_early(spec_path: Path, last: LastRun) -> EarlyCheck | None:
    """After an edit of a large JSON spec, checking the edited path items is the longest path
    of a run, and most of it is importing the validators. A child starts on it before this
    process loads the spec, parsing the spec itself (unchecked: faster), so that the import
    overlaps the load; its answer counts if it read the same bytes and found the same path
    items edited."""
    try:
        large = spec_path.stat().st_size >= _LARGE_SPEC_BYTES
    except OSError:
        return None
    if not large or spec_path.suffix.lower() != ".json" or not background_available():
        return None
    # Cached: the answer is asked for where it is needed, and generate joins the child anyway.
    return functools.cache(in_background(lambda: _check_edit(spec_path, last)))


def _check_edit(spec_path: Path, last: LastRun) -> _EditCheck | None:
    # this process checks the bytes
    spec = load_json_unchecked(spec_path, last.summary, last.json_base)
    if spec is None or spec.edited is None:
        return None
    fresh = _edited_items_problems(spec, last.problems, spec.edited)
    return _EditCheck(spec.sha256, spec.edited, fresh)


def _edited_items_problems(
    spec: LoadedSpec, before: FoundProblems, edited: frozenset[str]
) -> FoundProblems | None:
    part = checkable_part(spec, before, edited)
    return edited_problems(spec, part, edited) if part is not None else None


def _edited_items_checked(
    spec: LoadedSpec, before: FoundProblems, edited: frozenset[str], early: EarlyCheck | None
) -> Checked:
    """The problems of the `edited` path items: the `early` child's answer if it counts, else
    checked here (in the background when there is no early child)."""

    def here() -> FoundProblems | None:
        return _edited_items_problems(spec, before, edited)

    if early is None:
        return _in_background(spec, here)

    def answer() -> FoundProblems | None:
        check = early()
        if check is not None and check.sha256 == spec.sha256 and check.edited == edited:
            return check.fresh
        return here()

    return answer


def _remember_verdict(spec: LoadedSpec, verdict: Verdict) -> None:
    """Keep the parsed pieces for next time (and, if valid, that they passed); raise if not."""
    if spec.pieces is not None:
        if verdict is None:
            spec.pieces.mark_validated()
        spec.pieces.save()
    if verdict is not None:
        raise verdict


def parse_tolerant(
    spec: LoadedSpec,
    config: GeneratorConfig | None,
    tolerated: list[Problem],
    reuse: Reuse | None = None,
) -> tuple[Api, ParseRecord]:
    """parse_recorded; with problems tolerated (--lenient), one that breaks the parser is
    refused after all, one line per problem as without --lenient, instead of a traceback."""
    try:
        return parse_recorded(spec, config, reuse)
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
    save_later: bool = False,
) -> Generated:
    """Everything up to (not including) writing: the caller decides whether to write or check.

    Nothing is taken from the output folder. With a `cache_dir`, the parsed spec pieces and
    the last run's work are kept there, and a run after an edit of some path items redoes
    only what the edit can change (generator.last_run); None: everything afresh.
    `save_later`: the record is written when the caller calls `Generated.save`, e.g. while a
    child writes the output (the record is pickled when the client is built, in `build`).
    """
    wanted = fingerprint(formatter, lenient)
    last = load_last_run(cache_dir, spec_path, wanted) if cache_dir else None
    early = _check_edit_early(spec_path, last) if last else None
    if last is not None and last.json_scan is not None:
        # Positions outside what changed are where the last run found them, or shifted.
        resume_json_scan(spec_path, last.raw, last.json_scan)
    spec = load_spec(
        spec_path,
        cache_dir=cache_dir,
        before=last.summary if last else None,
        base=last.json_base if last else None,
    )
    # The config file beside the spec when none is given; names and host the config leaves
    # open come from the spec (generator.config).
    resolved = resolve_config(config, spec_path, spec.data)
    same_config = last is not None and spec.edited is not None and last.output.config == resolved
    edited = spec.edited if same_config else None

    # Black's layouts of parameters: the last run's, and this run's (emit.format)
    layouts = SignatureLayouts(last.output.layouts if last is not None else None)

    def build(spec: LoadedSpec, tolerated: list[Problem], reuse_last: bool) -> Built:
        reuse = None
        if reuse_last and last is not None and edited is not None:
            reuse = Reuse(last.parse, frozenset(last.parse.path_items) - edited)
        api, record = parse_tolerant(spec, resolved, tolerated, reuse)
        before = last.output if reuse_last and last is not None else None
        reused = reusable_files(api, resolved, before) if before else {}
        fixtures = build_fixtures(api, unchanged_fixtures(reused, before) if before else None)
        compiled = cache_dir / "templates" if cache_dir else None
        sources = render_files(api, resolved, fixtures, reused, compiled)
        formatted = format_files(
            sources, formatter=formatter, line_length=resolved.line_length, layouts=layouts
        )
        files = dict(sorted({**formatted, **reused}.items()))
        # What was taken over keeps its hash in the manifest and black's layouts in it.
        previous_files = before.files if before else None
        formatter_name = formatter_id(formatter, resolved.line_length)
        files[MANIFEST] = render_manifest(files, formatter_name, reused, previous_files)
        # Nothing to save without a cache, or while the last run's record still serves
        keep_last = reuse is not None and edited is not None and still_serves(record, edited)
        if cache_dir is None or keep_last:
            return api, files, None
        kept = before.layouts if before else {}
        layouts_held = {name: kept[name] for name in reused if name in kept} | layouts.used
        output = PreviousOutput(api, resolved, files, layouts_held)
        # Pickled now, while a child still checks the spec, and before a child that writes
        # the output is forked (pickling then would copy each page of the heap it touches).
        return api, files, Work(record, output).pickled_now()

    repairs: frozenset[str] = frozenset()
    found = FoundProblems((), ())
    if lenient:
        api, files, work, found, repairs, tolerated = _build_lenient(
            spec, build, last, edited, early
        )
    else:
        tolerated = []
        validated = _start_validation(spec, edited, early)
        try:
            api, files, work = build(spec, tolerated, edited is not None)
        except Exception:
            validated()  # an invalid spec may break the parser: report why it is invalid
            raise
        validated()
    if early is not None:
        early()  # no child is left behind, used or not (it is done by now, or nearly)
    parser_warnings = [Problem(warning.pointer, warning.message) for warning in api.warnings]
    if last is not None and edited is not None:
        parser_warnings = located_after_edit(
            spec, last.parser_warnings, last.raw, edited, parser_warnings
        )
    else:
        parser_warnings = locate_each(spec, parser_warnings)
    if cache_dir is not None and work is not None:
        run = spec.summary and LastRun(
            wanted,
            spec.summary,
            spec.raw,
            found,
            repairs,
            tuple(parser_warnings),
            work,
            json_scan_state(spec_path, spec.raw),
        )
        kept: LastRun | None = run or None

        @functools.cache
        def save() -> None:
            # The JSON base is made here, when a record is saved (while a child writes the
            # output of a large spec), from the text as read
            is_json = spec_path.suffix.lower() == ".json"
            base = json_base(spec.raw) if kept is not None and is_json else None
            save_last_run(cache_dir, spec_path, kept and replace(kept, json_base=base))

        if save_later:
            large = len(spec.raw) >= _LARGE_SPEC_BYTES
            return Generated(
                api, files, tuple(tolerated), tuple(parser_warnings), save, large=large
            )
        save()
    return Generated(api, files, tuple(tolerated), tuple(parser_warnings))


# The client's files (the manifest last), and with a cache, the work to keep for next time.
Built = tuple[Api, dict[str, str], Work | None]
# Builds the spec, tolerating some problems; reusing the last run's work if told it may.
Build = Callable[[LoadedSpec, list[Problem], bool], Built]
Lenient = tuple[Api, dict[str, str], Work | None, FoundProblems, frozenset[str], list[Problem]]


def _build_lenient(
    spec: LoadedSpec,
    build: Build,
    last: LastRun | None,
    edited: frozenset[str] | None,
    early: EarlyCheck | None,
) -> Lenient:
    """`build` the spec with its problems repaired (`lenient_spec`).

    After an edit of some path items (`last`, `edited`), only those are checked
    (generator.spec.edit_problems), in the background, while the spec is built with the last
    run's problems repaired; the last run's work is reused if the repairs outside the edited
    path items are the ones it made (the parser then sees the same document there).
    Otherwise every check runs: the slow OpenAPI checks in the background, while the spec is
    built with the other problems repaired (bad examples, the usual repairs). Either way the
    spec is built again only if the repairs turn out different (an invalid `default`, a new
    bad example). Returns what was built, the problems found, the pointers repaired and the
    warnings.
    """
    fatal = fatal_problems(spec)
    if fatal:
        raise problems_error(spec.display_name, located(spec, fatal))
    repairs_before = _repairs_outside(last.repairs, edited) if last and edited else None
    found: FoundProblems | None = None
    built: Built | None = None
    first_warnings: list[Problem] = []
    part = checkable_part(spec, last.problems, edited) if last and edited else None
    if last is not None and edited is not None and part is not None:
        before = last.problems
        pending = _edited_items_checked(spec, before, edited, early)
        first, first_warnings = repaired(spec, once_per_node(before.all))
        reuse = _same_repairs(first_warnings, repairs_before, edited)
        built = _built_if_it_can(build, first, first_warnings, reuse)
        fresh = pending()
        if fresh is None:  # the last run's problems do not tell: check everything
            built, first_warnings = None, []
        else:
            found = problems_after_edit(spec, before, last.raw, edited, fresh)
    if found is None:
        openapi_found = _in_background(spec, lambda: list(openapi_problems(spec.data)))
        example_found = locate_each(spec, document_example_problems(spec.data))
        if repairs_before is None:  # nothing to reuse: build while the OpenAPI checks run
            first, first_warnings = repaired(spec, once_per_node(example_found))
            built = _built_if_it_can(build, first, first_warnings, False)
        found = FoundProblems(tuple(locate_each(spec, openapi_found())), tuple(example_found))
    final, warnings = repaired(spec, once_per_node(found.all))
    if built is None or _repaired_pointers(warnings) != _repaired_pointers(first_warnings):
        # With every problem known, parse_tolerant refuses what it cannot read in one line
        # per problem.
        built = build(final, warnings, _same_repairs(warnings, repairs_before, edited))
    return *built, found, _repaired_pointers(warnings), warnings


def _built_if_it_can(
    build: Build, spec: LoadedSpec, tolerated: list[Problem], reuse: bool
) -> Built | None:
    """A build before every problem is known; None if the parser trips over one (with every
    problem known, the final build names it)."""
    try:
        return build(spec, tolerated, reuse)
    except Exception:
        return None


def _repaired_pointers(warnings: list[Problem]) -> frozenset[str]:
    return frozenset(warning.pointer for warning in warnings if needs_repair(warning))


def _same_repairs(
    warnings: list[Problem], before: frozenset[str] | None, edited: frozenset[str] | None
) -> bool:
    if before is None or edited is None:
        return False
    return _repairs_outside(_repaired_pointers(warnings), edited) == before


def _repairs_outside(repairs: frozenset[str], edited: frozenset[str]) -> frozenset[str]:
    return frozenset(pointer for pointer in repairs if not in_paths(pointer, edited))
