"""`posthog-codegen diff` and `posthog-codegen lint` on the command line: arguments, runs, exit.

Both commands build a `Report` (generator.review.report) and write it to stdout or `--output` in
the chosen format. User mistakes raise `SpecError` naming the side ("base"/"head"/"spec"); the
CLI prints it on one line and exits 2. Exit codes otherwise: 0 below the `--fail-on` threshold,
1 at or above it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.errors import SpecError
from generator.ir.parse import parse_api
from generator.review import git
from generator.review.house_rules import RULE_SETS
from generator.review.lint import lint_spec
from generator.review.report import RENDERERS, Finding, Report, Section, Severity, exit_code
from generator.review.sides import Side, load_pair, load_side
from generator.review.spec_diff import diff_specs
from generator.review.surface import diff_surfaces, surface_of
from generator.spec.load import LoadedSpec
from generator.spec.locate import Locator

DIFF_SEVERITIES = (Severity.BREAKING, Severity.WARNING, Severity.INFO)
LINT_SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)
# Above this many bytes (both sides together) the head loads and validates in a second process
# while the base loads here: validation is most of the cost, and pickling a document is cheap.
PARALLEL_THRESHOLD_BYTES = 2_000_000


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
            base_doc, head_doc = load_pair(base, head, parallel_from=PARALLEL_THRESHOLD_BYTES)
    else:
        if args.base is None:
            raise SpecError("diff", "nothing to compare: give BASE HEAD files or --base-ref REF")
        base = Side("base", args.base, str(args.base))
        head = Side("head", head_path, str(head_path))
        base_doc, head_doc = load_pair(base, head, parallel_from=PARALLEL_THRESHOLD_BYTES)
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


def _position(locator: Locator, pointer: str | None) -> str:
    position = locator.position(pointer) if pointer is not None else None
    return f"{position[0]}:{position[1]}" if position else ""


def run_lint(args: argparse.Namespace) -> int:
    """`posthog-codegen lint`: 0 below the --fail-on threshold (default warning), 1 otherwise."""
    path: Path = args.spec
    document = load_side(Side("spec", path, str(path)))
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
