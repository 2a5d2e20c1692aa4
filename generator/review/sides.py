"""Loading the spec a review command reads, as one "side": errors name it, both sides in step.

A diff reads two documents, "base" and "head"; lint reads one ("spec"). Every SpecError is
re-labelled with the side's name and the label the user knows (`origin/main:spec/posthog.yaml`
rather than a temporary path), so the CLI prints one line that says which file is wrong.

`load_pair` validates the head in full and the base only where it differs from the head
(`unshared_part`), and on large specs loads the head in a second process meanwhile.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from generator.errors import SpecError
from generator.review.document import Spec, child, component_of, operations
from generator.spec.load import load_spec as bundle_spec
from generator.spec.locate import Locator
from generator.spec.refs import collect_refs
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
        target = component_of(pending.pop())
        if target is None:
            continue
        kind, name = target
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
    if size >= parallel_from and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("fork")) as pool:
            head_result = pool.submit(_load_and_validate, head)
            base_doc = load_side(base)
            head_doc = _unwrap(head_result.result())
    else:
        base_doc = load_side(base)
        head_doc = _unwrap(_load_and_validate(head))
    _check_unique_operation_ids(base_doc, base.label, base.name)
    validate(unshared_part(base_doc, head_doc), base.label, base.name)
    return base_doc, head_doc
