"""Spec review for pull requests: `diff` says what a spec change breaks, `lint` checks one spec.

`generator/cli.py` wires the four entry points below into `posthog-codegen diff` and
`posthog-codegen lint`. User mistakes raise `SpecError` naming the side ("base"/"head"); the CLI
prints it on one line and exits 2. Exit codes otherwise: 0 below the `--fail-on` threshold, 1 at
or above it.

    diff  BASE HEAD                      two spec files
    diff  --base-ref origin/main         base from git, head = --spec in the working tree
    lint  [--spec spec/posthog.yaml]     --fail-on defaults to warning: the project's spec must
                                         lint clean, so any error or warning fails the build;
                                         --rules posthog (default: generic + house rules) or
                                         openapi (generic only, for other specs)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from generator.errors import SpecError
from generator.ir.parse import parse_api
from generator.review import git
from generator.review.house_rules import RULE_SETS
from generator.review.lint import lint_spec
from generator.review.report import RENDERERS, Finding, Report, Section, Severity, exit_code
from generator.review.spec_diff import Spec, child, diff_specs, operations
from generator.review.surface import diff_surfaces, surface_of
from generator.spec.load import LoadedSpec, collect_refs
from generator.spec.load import load_spec as bundle_spec
from generator.spec.locate import Locator
from generator.spec.validate import openapi_problems, validator_class_for, version_problem

__all__ = [
    "add_diff_arguments",
    "add_lint_arguments",
    "build_diff_report",
    "load_spec",
    "run_diff",
    "run_lint",
]

DEFAULT_SPEC = "spec/posthog.yaml"
DIFF_SEVERITIES = (Severity.BREAKING, Severity.WARNING, Severity.INFO)
LINT_SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)
# Above this many bytes (both sides together) the head loads and validates in a second process
# while the base loads here: validation is most of the cost, and pickling a document is cheap.
PARALLEL_THRESHOLD_BYTES = 2_000_000


def load_spec(path: Path) -> dict[str, Any]:
    """The project's loader (YAML or JSON, relative-file `$ref`s bundled, one-line SpecErrors)."""
    return bundle_spec(path).data


# --- loading and validating both sides ----------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One document to load: `name` is "base"/"head", `label` is how messages name the file."""

    name: str
    path: Path
    label: str


def _with_side(side: Side, exc: SpecError) -> SpecError:
    prefix = f"{side.name}: "
    message = exc.message if exc.message.startswith(prefix) else prefix + exc.message
    file = side.label if exc.file == str(side.path) else exc.file
    return SpecError(file, message, exc.where)


def _load(side: Side) -> dict[str, Any]:
    try:
        return load_spec(side.path)
    except SpecError as exc:
        raise _with_side(side, exc) from exc


def validate(document: dict[str, Any], label: str, side: str) -> None:
    """Raise SpecError at the first problem openapi-spec-validator finds."""
    from openapi_spec_validator.validation.exceptions import ValidatorDetectError

    version = version_problem(document) if "openapi" in document else None
    if version is not None:
        file = Path(label)
        where = Locator(file).where("/openapi") if file.is_file() else "#/openapi"
        raise SpecError(label, f"{side}: {version}", where)
    try:
        validator_class_for(document)
    except ValidatorDetectError as exc:
        message = f"{side}: not an OpenAPI document (no supported 'openapi' version)"
        raise SpecError(label, message) from exc
    problem = next(openapi_problems(document), None)
    if problem is None:
        return
    file = Path(label)
    where = Locator(file).where(problem.pointer) if file.is_file() else f"#{problem.pointer}"
    raise SpecError(label, f"{side}: invalid OpenAPI: {problem.message}", where)


def _not_in(other: Any) -> Callable[[str, Any], bool]:
    entries = other if isinstance(other, dict) else {}
    return lambda name, value: entries.get(name, _ABSENT) != value


_ABSENT = object()


def unshared_part(base: dict[str, Any], head: dict[str, Any]) -> dict[str, Any]:
    """`base` without the path items and components that `head` has verbatim.

    An unchanged path item or component validates the same in both documents, so once `head`
    passed, only this remainder can make `base` fail. Unchanged components that the remainder
    references are put back, so every `$ref` in it still resolves; security schemes stay whole
    (security requirements name them instead of referencing them).
    """
    part = {key: value for key, value in base.items() if key not in ("paths", "components")}
    if "paths" in base:
        paths = base["paths"]
        changed = _not_in(head.get("paths"))
        part["paths"] = (
            {path: item for path, item in paths.items() if changed(path, item)}
            if isinstance(paths, dict)
            else paths
        )
    components = base.get("components")
    if not isinstance(components, dict):
        if "components" in base:
            part["components"] = components
        return part
    head_components = head.get("components") if isinstance(head.get("components"), dict) else {}
    kept: dict[str, Any] = {}
    for kind, entries in components.items():
        if isinstance(entries, dict) and kind != "securitySchemes":
            changed = _not_in((head_components or {}).get(kind))
            kept[kind] = {name: value for name, value in entries.items() if changed(name, value)}
        else:
            kept[kind] = entries
    pending = list(collect_refs(part) | collect_refs(kept))
    while pending:
        tokens = pending.pop().split("/")
        if len(tokens) < 4 or tokens[:2] != ["#", "components"]:
            continue
        kind, name = tokens[2], tokens[3].replace("~1", "/").replace("~0", "~")
        entries = components.get(kind)
        if isinstance(entries, dict) and name in entries and name not in kept[kind]:
            kept[kind][name] = entries[name]
            pending.extend(collect_refs(entries[name]))
    part["components"] = kept
    return part


def _check_unique_operation_ids(document: dict[str, Any], label: str, side: str) -> None:
    """The one whole-document check `unshared_part` would hide: operationIds across all paths."""
    seen: dict[str, str] = {}
    for op in operations(Spec(document)).values():
        if not op.operation_id:
            continue
        if op.operation_id in seen:
            message = f"{side}: invalid OpenAPI: operationId '{op.operation_id}' is not unique"
            raise SpecError(label, message, child(op.pointer, "operationId"))
        seen[op.operation_id] = op.pointer


def _load_and_validate(side: Side) -> tuple[dict[str, Any] | None, tuple[str, str, str] | None]:
    """Worker body; returns the error as plain fields so it crosses process boundaries."""
    try:
        document = _load(side)
        validate(document, side.label, side.name)
    except SpecError as exc:
        return None, (exc.file, exc.message, exc.where)
    return document, None


def _unwrap(result: tuple[dict[str, Any] | None, tuple[str, str, str] | None]) -> dict[str, Any]:
    document, error = result
    if error is not None:
        raise SpecError(*error)
    assert document is not None
    return document


def load_pair(base: Side, head: Side) -> tuple[dict[str, Any], dict[str, Any]]:
    """Load both sides; validate head in full and base where it differs from head.

    Large head specs load and validate in a second process while this one loads the base.
    """
    size = sum(side.path.stat().st_size for side in (base, head) if side.path.is_file())
    if size >= PARALLEL_THRESHOLD_BYTES and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("fork")) as pool:
            head_result = pool.submit(_load_and_validate, head)
            base_doc = _load(base)
            head_doc = _unwrap(head_result.result())
    else:
        base_doc = _load(base)
        head_doc = _unwrap(_load_and_validate(head))
    _check_unique_operation_ids(base_doc, base.label, base.name)
    validate(unshared_part(base_doc, head_doc), base.label, base.name)
    return base_doc, head_doc


# --- diff ---------------------------------------------------------------------------------------


def _add_output_arguments(
    parser: argparse.ArgumentParser, fail_on: Sequence[str], default: str
) -> None:
    parser.add_argument(
        "--format", choices=sorted(RENDERERS), default="markdown", help="report format"
    )
    parser.add_argument(
        "--fail-on",
        choices=list(fail_on),
        default=default,
        help=f"exit 1 when a finding at or above this severity exists (default: {default})",
    )
    parser.add_argument("--output", type=Path, help="write the report here instead of stdout")


def add_diff_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `posthog-codegen diff`."""
    parser.add_argument("base", nargs="?", type=Path, help="base spec file")
    parser.add_argument("head", nargs="?", type=Path, help="head spec file (default: --spec)")
    parser.add_argument(
        "--base-ref", help="read the base spec from this git ref (e.g. origin/main)"
    )
    parser.add_argument(
        "--spec", type=Path, default=Path(DEFAULT_SPEC), help=f"head spec (default: {DEFAULT_SPEC})"
    )
    _add_output_arguments(parser, ("breaking", "warning", "never"), "breaking")


def build_diff_report(
    base: dict[str, Any],
    head: dict[str, Any],
    *,
    sources: tuple[str, ...] = (),
    client_findings: Sequence[Finding] | None = None,
) -> Report:
    """The diff report; `client_findings=None` leaves the "Python client API" section pending."""
    spec_section = Section("OpenAPI spec", tuple(diff_specs(base, head)))
    client_section = Section(
        "Python client API",
        tuple(client_findings or ()),
        computed=client_findings is not None,
    )
    return Report("diff", "Spec review", (spec_section, client_section), DIFF_SEVERITIES, sources)


def _emit(report: Report, args: argparse.Namespace) -> int:
    text = RENDERERS[args.format](report)
    output: Path | None = args.output
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise SpecError(str(output), f"cannot write the report: {exc.strerror}") from exc
        counts = ", ".join(f"{n} {name}" for name, n in report.counts().items())
        print(f"{report.command}: {counts}; report written to {output}", file=sys.stderr)
    return exit_code(report, args.fail_on)


def run_diff(args: argparse.Namespace) -> int:
    """`posthog-codegen diff`: 0 below the --fail-on threshold, 1 at or above it."""
    head_path: Path = args.head or args.spec
    if args.base_ref:
        if args.base is not None:
            message = "give either BASE [HEAD] files or --base-ref, not both"
            raise SpecError(str(args.base), message)
        with tempfile.TemporaryDirectory(prefix="spec-review-") as scratch:
            base_path, base_label = git.export_at_ref(args.base_ref, args.spec, Path(scratch))
            base = Side("base", base_path, base_label)
            head = Side("head", Path(args.spec), str(args.spec))
            base_doc, head_doc = load_pair(base, head)
    else:
        if args.base is None:
            raise SpecError("diff", "nothing to compare: give BASE HEAD files or --base-ref REF")
        base = Side("base", args.base, str(args.base))
        head = Side("head", head_path, str(head_path))
        base_doc, head_doc = load_pair(base, head)
    report = build_diff_report(
        base_doc,
        head_doc,
        sources=(base.label, head.label),
        client_findings=client_api_findings(base_doc, head_doc),
    )
    return _emit(report, args)


def client_api_findings(base: dict[str, Any], head: dict[str, Any]) -> list[Finding]:
    """What changes for code calling the generated client (see generator.review.surface)."""
    surfaces = [
        surface_of(parse_api(LoadedSpec(Path(side), side, document, sha256="")))
        for side, document in (("base", base), ("head", head))
    ]
    return [
        Finding(
            severity=Severity(change.severity),
            rule=change.rule,
            operation=change.subject,
            base_pointer=None,
            head_pointer=None,
            message=change.message,
        )
        for change in diff_surfaces(*surfaces)
    ]


# --- lint ---------------------------------------------------------------------------------------


def add_lint_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `posthog-codegen lint`."""
    parser.add_argument(
        "--spec", type=Path, default=Path(DEFAULT_SPEC), help=f"spec (default: {DEFAULT_SPEC})"
    )
    parser.add_argument(
        "--rules",
        choices=sorted(RULE_SETS),
        default="posthog",
        help="posthog (default): the generic rules plus this project's house rules;"
        " openapi: the generic rules only, for any other spec",
    )
    _add_output_arguments(parser, ("error", "warning", "never"), "warning")


def _position(locator: Locator, pointer: str | None) -> str:
    position = locator.position(pointer) if pointer is not None else None
    return f"{position[0]}:{position[1]}" if position else ""


def run_lint(args: argparse.Namespace) -> int:
    """`posthog-codegen lint`: 0 below the --fail-on threshold (default warning), 1 otherwise."""
    path: Path = args.spec
    try:
        document = load_spec(path)
    except SpecError as exc:
        raise _with_side(Side("spec", path, str(path)), exc) from exc
    findings = tuple(lint_spec(document, rules=RULE_SETS[args.rules]))
    locator = Locator(path)
    positions = {f.head_pointer: _position(locator, f.head_pointer) for f in findings}
    report = Report(
        "lint",
        "Spec lint",
        (Section("OpenAPI spec", findings),),
        LINT_SEVERITIES,
        (str(path),),
        positions={pointer: where for pointer, where in positions.items() if pointer and where},
    )
    return _emit(report, args)
