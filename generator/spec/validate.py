"""Validate a loaded spec: the OpenAPI rules (generator.spec.openapi_check) and its examples.

Every problem is located at the node to edit: `file:line:col: #/pointer: message`. Up to
`MAX_LISTED` problems are reported together.

`lenient_spec` turns the problems into warnings instead, repairing what a generator can safely
repair (an invalid `default` or example is dropped; 3.0 `type: 'null'` is read as nullable).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from generator.errors import SpecError
from generator.spec.examples import example_problems
from generator.spec.load import LoadedSpec
from generator.spec.locate import Locator, escape_pointer_token, pointer_tokens, to_pointer

MAX_LISTED = 10
_SUPPORTED = ("3.0", "3.1")


@dataclass(frozen=True)
class Problem:
    """One validation problem: where (`pointer`, and `where` = `line:col: #pointer`) and why."""

    pointer: str
    message: str
    where: str = ""
    kind: str = ""  # the validator's error class, for callers that filter (lint)
    # Which part of the walk found it, (group, path) as generator.spec.openapi_check and
    # generator.spec.examples number them (path "": not a path item); a run after an edit
    # keeps the problems of the path items it did not edit.
    origin: tuple[int, str] = field(default=(0, ""), compare=False)

    def error(self, file: str) -> SpecError:
        return SpecError(file, self.message, self.where or f"#{self.pointer}")


def openapi_problems(
    document: dict[str, Any], *, schemas_known_valid: bool = False
) -> Iterator[Problem]:
    """What openapi-spec-validator finds, each at the pointer of the offending node."""
    # Imported here: openapi-spec-validator takes a third of a second to import, which a
    # background validation (generator.pipeline) spends on the other core.
    from generator.spec.openapi_check import openapi_problems as check

    return check(document, schemas_known_valid=schemas_known_valid)


def validator_class_for(document: dict[str, Any]) -> Any:
    """The stock validator class for the document's version, with locating keyword checks."""
    from generator.spec.openapi_check import validator_class_for as for_document

    return for_document(document)


def find_problems(spec: LoadedSpec) -> list[Problem]:
    """Every problem, located (line and column in the spec file), each reported once."""
    fatal = fatal_problems(spec)
    if fatal:
        return located(spec, fatal)
    return located(spec, [*openapi_problems(spec.data), *document_example_problems(spec.data)])


def fatal_problems(spec: LoadedSpec) -> list[Problem]:
    """Problems that stop everything: no validator fits the version (raised), or a broken path
    template (returned), which trips the validator itself and no client could call."""
    _check_version(spec)
    return list(_path_template_problems(spec.data))


def document_example_problems(
    document: dict[str, Any], paths: frozenset[str] | None = None
) -> list[Problem]:
    return [
        Problem(p.pointer, p.message, origin=p.origin) for p in example_problems(document, paths)
    ]


def located(spec: LoadedSpec, found: list[Problem]) -> list[Problem]:
    """The problems with their line and column, each node reported once."""
    return once_per_node(locate_each(spec, found))


def locate_each(spec: LoadedSpec, found: list[Problem]) -> list[Problem]:
    """The problems with their line and column (`where`)."""
    locator = Locator(spec.path)
    return [replace(problem, where=locator.where(problem.pointer)) for problem in found]


def once_per_node(found: list[Problem]) -> list[Problem]:
    """One node reached several ways (a YAML alias, a shared example) is reported once, with
    its first message (fixing it shows the next)."""
    unique: dict[str, Problem] = {}
    for problem in found:
        where = problem.where
        position = where.partition(": #")[0] if where[:1].isdigit() else ""
        unique.setdefault(position or problem.pointer, problem)
    return list(unique.values())


def validate_spec(spec: LoadedSpec) -> None:
    """Raise SpecError listing the first `MAX_LISTED` problems (the first is `str(error)`)."""
    problems = find_problems(spec)
    if problems:
        raise problems_error(spec.display_name, problems)


def problems_error(file: str, problems: list[Problem]) -> SpecError:
    first, *rest = (problem.error(file) for problem in problems[:MAX_LISTED])
    return replace(first, more=tuple(rest), unlisted=max(0, len(problems) - MAX_LISTED))


def _check_version(spec: LoadedSpec) -> None:
    """A document the validator cannot even pick a version for: always an error."""
    problem = version_problem(spec.data)
    if problem is not None:
        raise SpecError(spec.display_name, problem, Locator(spec.path).where("/openapi"))


def version_problem(document: dict[str, Any]) -> str | None:
    """Why no validator fits the document's `openapi` field (None: one does)."""
    version = document.get("openapi")
    if version is None:
        return "missing 'openapi' version field"
    if not isinstance(version, str):
        return f"the 'openapi' version must be a string: quote it ('{version}')"
    if version[:3] not in _SUPPORTED:
        return f"OpenAPI {version} is not supported (use 3.0.x or 3.1.x)"
    return None


def _path_template_problems(document: dict[str, Any]) -> Iterator[Problem]:
    """Every `{` in a path opens a parameter name that a `}` closes."""
    paths = document.get("paths")
    for path in paths if isinstance(paths, dict) else {}:
        depth = 0
        for char in str(path):
            depth += {"{": 1, "}": -1}.get(char, 0)
            if depth not in (0, 1):
                break
        if depth != 0:
            pointer = f"/paths/{escape_pointer_token(str(path))}"
            yield Problem(pointer, f"unbalanced braces in path {path!r}")


# --- lenient ------------------------------------------------------------------------------------


def lenient_spec(spec: LoadedSpec) -> tuple[LoadedSpec, list[Problem]]:
    """The spec with what can be repaired repaired, and every problem as a warning.

    Unbalanced path braces stay an error: no client can call such a path.
    """
    fatal = fatal_problems(spec)
    if fatal:
        raise problems_error(spec.display_name, located(spec, fatal))
    return repaired(spec, find_problems(spec))


def repaired(spec: LoadedSpec, problems: list[Problem]) -> tuple[LoadedSpec, list[Problem]]:
    """The spec with each problem repaired where it can be, and the problems as warnings."""
    data = spec.data
    warnings = []
    for problem in problems:
        data, repair = _repair(data, problem.pointer)
        suffix = f"; {repair}" if repair else KEPT_AS_WRITTEN
        warnings.append(replace(problem, message=problem.message + suffix))
    return replace(spec, data=data), warnings


KEPT_AS_WRITTEN = "; kept as written"


def needs_repair(problem: Problem) -> bool:
    """Whether `repaired` changes the document for this problem (a warning it was)."""
    return not problem.message.endswith(KEPT_AS_WRITTEN)


def _repair(data: dict[str, Any], pointer: str) -> tuple[dict[str, Any], str]:
    """(document, what was done) for one problem; the input document is never changed."""
    tokens = pointer_tokens(pointer)
    if tokens[:2] == ["components", "examples"] and len(tokens) > 2:
        # Media types `$ref` the component: it stays, without the value that does not fit.
        return _without(data, [*tokens[:3], "value"]), "example value dropped"
    for index, token in enumerate(tokens):
        if token in ("default", "example", "examples") and not _is_a_name(tokens, index):
            cut = index + (2 if token == "examples" else 1)
            return _without(data, tokens[:cut]), f"{token} dropped"
    if tokens and tokens[-1] == "type" and _names_null(_at(data, tokens)):
        # The parser reads 3.1's null type in a 3.0 document the 3.1 way: a nullable type.
        return data, "read as nullable"
    return data, ""


# Keys under these are names (a property called `default`, the `default` response), not keywords.
_NAMED_CHILDREN = frozenset(
    {
        "properties",
        "patternProperties",
        "$defs",
        "definitions",
        "dependentSchemas",
        "responses",
        "examples",
        "schemas",
        "parameters",
        "headers",
        "content",
        "requestBodies",
        "securitySchemes",
        "links",
        "callbacks",
        "paths",
    }
)


def _is_a_name(tokens: list[str], index: int) -> bool:
    return index > 0 and tokens[index - 1] in _NAMED_CHILDREN


def _names_null(value: Any) -> bool:
    return value == "null" or (isinstance(value, list) and "null" in value)


def _at(data: Any, tokens: list[str]) -> Any:
    node = data
    for token in tokens:
        if isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def _replaced(data: dict[str, Any], tokens: list[str], value: Any) -> dict[str, Any]:
    """`data` with the node at `tokens` replaced; only the containers on the way are copied
    (the rest stays shared with the YAML piece cache, which must never change)."""
    if not tokens:
        return value if isinstance(value, dict) else data
    head, rest = tokens[0], tokens[1:]
    current = _at(data, [head])
    if current is None:
        return data
    new_child = _replaced(current, rest, value) if rest else value
    replaced: dict[str, Any] = _set_child(data, head, new_child)
    return replaced


def _without(data: dict[str, Any], tokens: list[str]) -> dict[str, Any]:
    """`data` without the node at `tokens` (a mapping entry or a list item)."""
    parent = _at(data, tokens[:-1]) if tokens else None
    last = tokens[-1] if tokens else ""
    trimmed: Any
    if isinstance(parent, dict) and last in parent:
        trimmed = {key: value for key, value in parent.items() if key != last}
    elif isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        trimmed = [value for index, value in enumerate(parent) if index != int(last)]
    else:
        return data
    return _replaced(data, tokens[:-1], trimmed) if tokens[:-1] else trimmed


def _set_child(container: Any, token: str, value: Any) -> Any:  # a dict or a list
    copied = copy.copy(container)
    if isinstance(copied, list):
        copied[int(token)] = value
    else:
        copied[token] = value
    return copied


__all__ = [
    "MAX_LISTED",
    "Problem",
    "find_problems",
    "lenient_spec",
    "needs_repair",
    "openapi_problems",
    "problems_error",
    "repaired",
    "to_pointer",
    "validate_spec",
    "validator_class_for",
]
