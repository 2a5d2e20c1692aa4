"""Validate a loaded spec: the OpenAPI rules (openapi-spec-validator) and its examples.

Every problem is located at the node to edit: `file:line:col: #/pointer: message`. The stock
validator reports schema problems relative to the schema it was checking and `default`
problems relative to the default value, so its keyword checks are wrapped here to remember
which node each was looking at; a path it took through a `$ref` is turned into the pointer of
the referenced node. Up to `MAX_LISTED` problems are reported together.

`lenient_spec` turns the problems into warnings instead, repairing what a generator can safely
repair (an invalid `default` or example is dropped; 3.0 `type: 'null'` is read as nullable).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import jsonschema_rs
from jsonschema.exceptions import SchemaError, UnknownType  # type: ignore[import-untyped]
from jsonschema.validators import validator_for  # type: ignore[import-untyped]
from jsonschema_path import SchemaPath
from openapi_schema_validator._specifications import REGISTRY as OPENAPI_SPECIFICATIONS
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from referencing.exceptions import Unresolvable

from generator.errors import SpecError
from generator.spec.bounded_regex import bounded
from generator.spec.examples import example_problems, short_message
from generator.spec.load import LoadedSpec
from generator.spec.locate import (
    Locator,
    escape_pointer_token,
    pointer_tokens,
    real_pointer,
    to_pointer,
)
from generator.spec.refs import data_refs_hidden

MAX_LISTED = 10
_SUPPORTED = ("3.0", "3.1")
_PARTS = "_posthog_codegen_parts"  # set on a validator error: the node its check looked at


@dataclass(frozen=True)
class Problem:
    """One validation problem: where (`pointer`, and `where` = `line:col: #pointer`) and why."""

    pointer: str
    message: str
    where: str = ""
    kind: str = ""  # the validator's error class, for callers that filter (lint)

    def error(self, file: str) -> SpecError:
        return SpecError(file, self.message, self.where or f"#{self.pointer}")


class _IdSet(set[int]):
    """A set that answers the list API openapi-spec-validator uses for its visited-schema ids."""

    def append(self, item: int) -> None:
        self.add(item)


def _locating(keyword: str, stock: Any, *, schemas_already_checked: bool = False) -> Any:
    """A keyword validator class that records on each error the node it was checking.

    `schemas_already_checked`: OpenAPI 3.0's own JSON Schema describes Schema Objects in full,
    so the whole-document check has validated every schema; the per-schema check against
    OAS30Validator's meta-schema repeats it (half the validation time of GitHub's 3.0 spec).
    3.1's document schema leaves schemas to their dialect, so there the per-schema check stays.
    """
    suffix = ("default",) if keyword == "default" else ()

    class Locating(stock):  # type: ignore[misc]
        def __init__(self, registry: Any) -> None:
            super().__init__(registry)
            # 0.9 keeps visited schema ids in lists: quadratic on large specs (1.8 s of 5 s on
            # the 10 MB benchmark). Same checks with sets.
            for name in ("visited_schema_ids", "meta_checked_schema_ids"):
                if isinstance(getattr(self, name, None), list):
                    setattr(self, name, _IdSet())

        def __call__(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
            node = next((arg for arg in args if isinstance(arg, SchemaPath)), None)
            try:
                for error in super().__call__(*args, **kwargs):
                    if not isinstance(error, OpenAPIValidationError):
                        # The validator re-wraps other errors on the way out, losing attributes.
                        error = OpenAPIValidationError.create_from(error)
                    if node is not None and not hasattr(error, _PARTS):
                        setattr(error, _PARTS, (*node.parts, *suffix, *_own_suffix(error)))
                    yield error
                if keyword == "operation" and node is not None:
                    yield from self._request_body(node)
            except UnknownType as exc:  # checking a default against `type: nope` raises
                error = OpenAPIValidationError(f"unknown type {exc.type!r}")
                if node is not None:
                    setattr(error, _PARTS, (*node.parts, *suffix))
                yield error

        def _request_body(self, operation: SchemaPath) -> Iterator[Any]:
            # The stock walk leaves request bodies out: in 3.1 nothing checked their schemas.
            body = operation / "requestBody"
            if "requestBody" in operation and "content" in body:
                yield from self.registry["content"](body / "content")

        def _validate_schema_meta(self, schema: Any, schema_value: Any) -> Any:
            if schemas_already_checked:
                return None
            return super()._validate_schema_meta(schema, schema_value)

        def _get_schema_checker(self, schema: Any, schema_value: Any) -> Any:
            # The stock checker is `check_schema`, which builds a validator (and crawls the
            # meta-schema's registry) for every schema: a third of a 3.1 spec's validation.
            stock_checker = super()._get_schema_checker(schema, schema_value)
            return _reused_meta_checker(stock_checker)

    if keyword == "default":
        Locating.value_validator_cls = bounded(stock.value_validator_cls)
    Locating.__name__ = f"Locating{stock.__name__}"
    return Locating


# The keyword checks that yield errors of their own (the others only walk down to these).
_REPORTING_KEYWORDS = frozenset({"schema", "default", "operation", "parameters", "tags"})


def _own_suffix(error: Any) -> tuple[str, ...]:
    """The keyword an error without a path of its own is about."""
    return {
        "DuplicateOperationIDError": ("operationId",),
        "ExtraParametersError": ("required",),
    }.get(type(error).__name__, ())


def _reused_meta_checker(stock_checker: Any) -> Any:
    """`check_schema(schema)` of the stock checker, from validators built once.

    Same result as the stock classmethod (the first error, as a SchemaError).
    """
    check_schema = getattr(stock_checker, "func", stock_checker)  # a partial or the method
    validator_cls = getattr(check_schema, "__self__", None)
    if validator_cls is None:
        return stock_checker
    format_checker = getattr(stock_checker, "keywords", {}).get("format_checker")
    meta_validator = _meta_validator(validator_cls, format_checker)

    def check(schema_value: Any) -> None:
        for error in meta_validator.iter_errors(schema_value):
            raise SchemaError.create_from(error)

    return check


# jsonschema-rs first: tests turn it off to compare every verdict with jsonschema alone.
RUST_FIRST = True


class RustFirst:
    """A JSON Schema check that asks jsonschema-rs (openapi-spec-validator's optional Rust
    backend) "valid?" first, about ten times faster than jsonschema. Only what Rust rejects,
    or cannot read, is checked again by jsonschema, whose errors (paths, the sub-errors of a
    `oneOf`) the locating code reads: the messages are jsonschema's either way."""

    def __init__(self, detailed: Any, fast: Any) -> None:
        self.schema = detailed.schema
        self.detailed = detailed
        self.fast = fast

    def iter_errors(self, instance: Any) -> Iterator[Any]:
        try:
            if RUST_FIRST and self.fast.is_valid(instance):
                return
        except (ValueError, TypeError, OverflowError):  # a value Rust cannot take (huge ints)
            pass
        yield from self.detailed.iter_errors(instance)


@functools.cache
def _meta_validator(validator_cls: Any, format_checker: Any) -> RustFirst:
    meta_schema = validator_cls.META_SCHEMA
    meta_cls = validator_for(meta_schema, default=validator_cls)
    if format_checker is None:
        format_checker = meta_cls.FORMAT_CHECKER
    # The registry openapi-schema-validator's own check uses: JSON Schema's and OpenAPI's
    # meta-schemas, nothing fetched from the network. Formats are checked (`pattern` must be
    # a regex), by Rust too.
    detailed = meta_cls(meta_schema, format_checker=format_checker, registry=OPENAPI_SPECIFICATIONS)
    registry = jsonschema_rs.Registry(
        [(uri, OPENAPI_SPECIFICATIONS.contents(uri)) for uri in OPENAPI_SPECIFICATIONS]
    )
    fast = jsonschema_rs.validator_for(meta_schema, registry=registry, validate_formats=True)
    return RustFirst(detailed, fast)


@functools.cache
def _document_check(stock: Any) -> RustFirst:
    """The whole-document check against the OpenAPI version's JSON Schema."""
    schema = dict(stock.schema_validator.schema)
    return RustFirst(validator_for(schema)(schema), jsonschema_rs.validator_for(schema))


def validator_class_for(document: dict[str, Any]) -> Any:
    """The stock validator class for the document's version, with locating keyword checks."""
    from openapi_spec_validator.shortcuts import get_validator_cls

    stock: Any = get_validator_cls(document)
    openapi_30 = str(document.get("openapi", "")).startswith("3.0")
    keywords = {
        name: _locating(name, cls, schemas_already_checked=openapi_30 and name == "schema")
        if name in _REPORTING_KEYWORDS
        else cls
        for name, cls in stock.keyword_validators.items()
    }
    attributes = {"keyword_validators": keywords, "schema_validator": _document_check(stock)}
    return type(f"Locating{stock.__name__}", (stock,), attributes)


def openapi_problems(document: dict[str, Any]) -> Iterator[Problem]:
    """What openapi-spec-validator finds, each at the pointer of the offending node."""
    # openapi-spec-validator follows a `$ref` wherever it reads, data included (a default's
    # `{"$ref": "file:///etc/passwd"}` was opened): it sees such keys renamed.
    checked = data_refs_hidden(document)
    try:
        for error in validator_class_for(checked)(checked).iter_errors():
            base = getattr(error, _PARTS, ())
            for detail in specific_errors(error):
                tokens = (*base, *detail.absolute_path)
                pointer = real_pointer(document, tokens)
                yield Problem(pointer, short_message(detail), kind=type(error).__name__)
    except (
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        IndexError,
        AssertionError,  # 0.9 asserts that response codes are strings
        RecursionError,
        Unresolvable,
    ) as exc:
        # The validator itself trips over some malformed documents; still one clear line.
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        yield Problem("", f"the OpenAPI validator stopped on a malformed value ({detail})")


def specific_errors(error: Any) -> Iterator[Any]:
    """The sub-errors of a `oneOf`/`anyOf` failure that say what to fix.

    "X is not valid under any of the given schemas" names no cause. Its sub-errors come in
    branches (one per alternative): branches asking for a `$ref` the node does not have are
    set aside (the meta-schema's `oneOf: [Schema, Reference]` would blame every bad schema on
    a missing `$ref`), then the branch that got furthest into the node, preferring one whose
    type matched, and each of its errors, level by level.
    """
    if not getattr(error, "context", None):
        yield error
        return
    branches: dict[Any, list[Any]] = {}
    for sub in error.context:
        branches.setdefault(next(iter(sub.relative_schema_path), 0), []).append(sub)
    candidates = [b for b in branches.values() if not any(_asks_for_ref(e) for e in b)]
    best = max(
        candidates or list(branches.values()),
        key=lambda b: (
            max(len(e.absolute_path) for e in b),
            not all(e.validator == "type" for e in b),
        ),
    )
    for sub in best:
        yield from specific_errors(sub)


def _asks_for_ref(error: Any) -> bool:
    return error.validator == "required" and "$ref" in (error.validator_value or ())


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


def document_example_problems(document: dict[str, Any]) -> list[Problem]:
    return [Problem(p.pointer, p.message) for p in example_problems(document)]


def located(spec: LoadedSpec, found: list[Problem]) -> list[Problem]:
    """The problems with their line and column, each node reported once."""
    locator = Locator(spec.path)
    # One node reached several ways (a YAML alias, a shared example) is reported once, with
    # its first message (fixing it shows the next).
    unique: dict[str, Problem] = {}
    for problem in found:
        where = locator.where(problem.pointer)
        position = where.partition(": #")[0] if where[:1].isdigit() else ""
        unique.setdefault(position or problem.pointer, replace(problem, where=where))
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
