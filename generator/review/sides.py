"""Loading the spec a review command reads, as one "side": errors name it, both sides in step.

A diff reads two documents, "base" and "head"; lint reads one ("spec"). Every SpecError is
re-labelled with the side's name and the label the user knows (`origin/main:spec/posthog.yaml`
rather than a temporary path), so the CLI prints one line that says which file is wrong.

`load_pair` validates the head in full and the base only where it differs from the head
(generator.spec.partial_validation), and on large specs loads the head in a second process
meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.background import in_background
from generator.errors import SpecError
from generator.spec.load import load_spec as bundle_spec
from generator.spec.locate import Locator
from generator.spec.partial_validation import (
    duplicate_operation_id,
    identical_entries,
    partial_document,
)
from generator.spec.validate import openapi_problems, validator_class_for, version_problem


def load_spec(path: Path) -> dict[str, Any]:
    """The project's loader (YAML or JSON, relative-file `$ref`s bundled, one-line SpecErrors)."""
    return bundle_spec(path).data


@dataclass(frozen=True)
class Side:
    """One document to load: `name` is "base"/"head"/"spec", `label` how messages name the file."""

    name: str
    path: Path
    label: str


def _with_side(side: Side, exc: SpecError) -> SpecError:
    prefix = f"{side.name}: "
    message = exc.message if exc.message.startswith(prefix) else prefix + exc.message
    file = side.label if exc.file == str(side.path) else exc.file
    return SpecError(file, message, exc.where)


def load_side(side: Side) -> dict[str, Any]:
    """The document of `side`; a SpecError names the side and its label."""
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
    raise SpecError(
        label, f"{side}: invalid OpenAPI: {problem.message}", _where(label, problem.pointer)
    )


def _where(label: str, pointer: str) -> str:
    """line:column in the file `label` names, or the pointer when it names no file (a git ref)."""
    file = Path(label)
    return Locator(file).where(pointer) if file.is_file() else f"#{pointer}"


def _load_and_validate(side: Side) -> tuple[dict[str, Any] | None, tuple[str, str, str] | None]:
    """Worker body; returns the error as plain fields so it crosses process boundaries."""
    try:
        document = load_side(side)
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


def load_pair(
    base: Side, head: Side, *, parallel_from: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Load both sides; validate head in full and base where it differs from head.

    From `parallel_from` bytes (both files together) the head loads and validates in a second
    process while this one loads the base.
    """
    size = sum(side.path.stat().st_size for side in (base, head) if side.path.is_file())
    head_result = in_background(lambda: _load_and_validate(head), worth_it=size >= parallel_from)
    base_doc = load_side(base)
    head_doc = _unwrap(head_result())
    duplicate = duplicate_operation_id(base_doc)
    if duplicate is not None:
        pointer, message = duplicate
        raise SpecError(
            base.label, f"{base.name}: invalid OpenAPI: {message}", _where(base.label, pointer)
        )
    known_valid = identical_entries(base_doc, head_doc)  # head passed validation
    # The base is held to openapi-spec-validator alone (no example checks): see `validate`.
    part = partial_document(base_doc, known_valid, examples_checked=False)
    validate(part or base_doc, base.label, base.name)
    return base_doc, head_doc
