"""`posthog-codegen lint`'s engine: run the rules over one document and collect the findings.

openapi-spec-validator's errors become `spec-invalid` findings (minus those a dedicated rule
reports better); then each rule runs. On an invalid document a rule that trips over an
unexpected shape is reported as "not checked" instead of crashing the run. Findings carry the
JSON pointer of the offending node in `head_pointer` (lint has a single document). The rules
themselves: generator.review.lint_rules (any spec) and generator.review.house_rules (this
project's).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.review.document import Spec
from generator.review.lint_context import Linted, LintRule, Problem
from generator.review.lint_rules import LINT_RULES
from generator.review.report import Finding
from generator.spec.validate import openapi_problems, version_problem

__all__ = ["LINT_RULES", "LintRule", "lint_spec"]

# Validator errors that a dedicated rule reports better (with a pointer and an operation).
_COVERED_ERRORS = ("DuplicateOperationIDError", "UnresolvableParameterError")


def _covered(kind: str, pointer: str, message: str) -> bool:
    """Validator errors a dedicated rule reports better (with a pointer and an operation)."""
    if kind in _COVERED_ERRORS:
        return True
    return pointer.endswith("/enum") and message.endswith("has non-unique elements")


def _validation_errors(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(pointer, message) of every validator error no lint rule already covers."""
    from openapi_spec_validator.validation.exceptions import ValidatorDetectError

    version = version_problem(dict(document))
    if version is not None:
        return [("/openapi", version)]
    try:
        problems = list(openapi_problems(dict(document)))
    except ValidatorDetectError:
        return [("/openapi", "no supported 'openapi' version field")]
    return [
        (problem.pointer, problem.message)
        for problem in problems
        if not _covered(problem.kind, problem.pointer, problem.message)
    ]


def lint_spec(
    document: Mapping[str, Any],
    *,
    validate: bool = True,
    rules: tuple[LintRule, ...] = LINT_RULES,
) -> list[Finding]:
    """The findings of `rules` (the generic ones by default; the project's spec also gets
    generator.review.house_rules), sorted; `validate=False` skips openapi-spec-validator."""
    linted = Linted(Spec(document), _validation_errors(document) if validate else [])
    findings: set[Finding] = set()
    for rule in rules:
        try:
            problems = list(rule.check(linted))
        except _SHAPE_ERRORS:
            # The rules read what they check defensively, but an invalid document can still
            # surprise one: it reports that, next to the `spec-invalid` findings that say why.
            # On a valid document the error propagates: a rule must handle every valid shape.
            if not linted.validation_errors:
                raise
            problems = [Problem("", _NOT_CHECKED)]
        findings.update(
            Finding(rule.severity, rule.id, p.operation, None, p.pointer, p.message)
            for p in problems
        )
    return sorted(findings, key=Finding.sort_key)


_SHAPE_ERRORS = (TypeError, AttributeError, KeyError, ValueError, IndexError)
_NOT_CHECKED = "not checked: the document is malformed where this rule reads (see spec-invalid)"
