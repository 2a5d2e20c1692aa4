"""The OpenAPI rules of a document: openapi-spec-validator, with every problem at its node.

The stock validator reports schema problems relative to the schema it was checking and
`default` problems relative to the default value, so its keyword checks are wrapped here to
remember which node each was looking at; a path it took through a `$ref` is turned into the
pointer of the referenced node. JSON Schema checks ask jsonschema-rs first (`RustFirst`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import jsonschema_rs
from jsonschema.exceptions import SchemaError, UnknownType  # type: ignore[import-untyped]
from jsonschema.validators import validator_for  # type: ignore[import-untyped]
from jsonschema_path import SchemaPath
from openapi_schema_validator._specifications import REGISTRY as OPENAPI_SPECIFICATIONS
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from referencing.exceptions import Unresolvable

from generator.spec.bounded_regex import bounded
from generator.spec.examples import short_message
from generator.spec.locate import real_pointer
from generator.spec.refs import collect_refs, data_refs_hidden
from generator.spec.validate import Problem
from generator.spec.validator_crash import crash_site

_PARTS = "_posthog_codegen_parts"  # set on a validator error: the node its check looked at


class _IdSet(set[int]):
    """A set that answers the list API openapi-spec-validator uses for its visited-schema ids."""

    def append(self, item: int) -> None:
        self.add(item)


# Where in the walk a problem was found (Problem.origin): the whole-document check, the tags,
# the component schemas, or a path item (PATH_ITEM, its path).
DOCUMENT, TAGS, COMPONENTS = (0, ""), (1, ""), (2, "")
PATH_ITEM = 3


class _Walk:
    """What the walk is checking now: the root validator moves it on; openapi_problems reads it
    as each error arrives (the walk is lazy, so the two stay in step)."""

    def __init__(self, known_schemas: frozenset[int]) -> None:
        self.origin: tuple[int, str] = DOCUMENT
        self.known_schemas = known_schemas


def _root(stock: Any, walk: _Walk) -> Any:
    """The stock root walk with the component schemas first: a schema is checked once, when
    first met, and whether its `required` must be among its properties depends on whether it
    was met at the top (a component) or nested (a property, an `allOf` part). Met first as
    components, every component schema gets the same verdict whatever the paths refer to, so
    the problems of a path item depend on that path item alone (generator.last_run)."""

    class Root(stock):  # type: ignore[misc]
        def __call__(self, spec: SchemaPath) -> Iterator[Any]:
            if "tags" in spec and "tags" in self.registry.keyword_validators:
                walk.origin = TAGS
                yield from self.registry["tags"](spec / "tags")
            if "components" in spec and not walk.known_schemas:
                walk.origin = COMPONENTS
                yield from self.components_validator(spec / "components")
            if "paths" in spec:
                for url, item in (spec / "paths").items():
                    walk.origin = (PATH_ITEM, str(url))
                    yield from self.paths_validator.path_validator(url, item)

    return Root


def _locating(
    keyword: str, stock: Any, *, schemas_already_checked: bool = False, walk: _Walk | None = None
) -> Any:
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
            # Schemas checked in an earlier run count as visited (see openapi_problems).
            known = walk.known_schemas if walk is not None else frozenset()
            for name in ("visited_schema_ids", "meta_checked_schema_ids"):
                if isinstance(getattr(self, name, None), list):
                    setattr(self, name, _IdSet(known))

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

        def _collect_properties(self, schema: SchemaPath) -> set[str]:
            # The stock walk remembers nothing: `allOf` diamonds through `$ref`s (S0 = allOf
            # [S1, S1], S1 = allOf [S2, S2]...) cost one walk per path, 2**depth. Once per schema.
            known: dict[int, set[str]] = self.__dict__.setdefault("_properties_of", {})
            key = id(schema.read_value())
            if key not in known:
                known[key] = set()  # a cycle back to this schema adds nothing
                known[key] = super()._collect_properties(schema)
            return known[key]

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
    return _validator_class(document, _Walk(frozenset()))


def _validator_class(document: dict[str, Any], walk: _Walk) -> Any:
    from openapi_spec_validator.shortcuts import get_validator_cls

    stock: Any = get_validator_cls(document)
    openapi_30 = str(document.get("openapi", "")).startswith("3.0")
    keywords = {
        name: _locating(
            name, cls, schemas_already_checked=openapi_30 and name == "schema", walk=walk
        )
        if name in _REPORTING_KEYWORDS
        else cls
        for name, cls in stock.keyword_validators.items()
    }
    keywords["__root__"] = _root(stock.keyword_validators["__root__"], walk)
    attributes = {"keyword_validators": keywords, "schema_validator": _document_check(stock)}
    return type(f"Locating{stock.__name__}", (stock,), attributes)


def openapi_problems(
    document: dict[str, Any], *, schemas_known_valid: bool = False
) -> Iterator[Problem]:
    """What openapi-spec-validator finds, each at the pointer of the offending node and with
    its origin (DOCUMENT, TAGS, COMPONENTS or a path item's path).

    `schemas_known_valid`: every component schema passed these checks before (the document
    is a part of one whose other path items did not change): they are neither walked nor
    checked again where the path items use them.
    """
    # openapi-spec-validator follows a `$ref` wherever it reads, data included (a default's
    # `{"$ref": "file:///etc/passwd"}` was opened): it sees such keys renamed.
    if schemas_known_valid:
        checked, known = _known_schemas(document)
    else:
        checked, known = data_refs_hidden(document), frozenset()
    walk = _Walk(known)
    reported = False
    try:
        for error in _validator_class(checked, walk)(checked).iter_errors():
            base = getattr(error, _PARTS, ())
            for detail in specific_errors(error):
                tokens = (*base, *detail.absolute_path)
                pointer = real_pointer(document, tokens)
                reported = True
                kind = type(error).__name__
                yield Problem(pointer, short_message(detail), kind=kind, origin=walk.origin)
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
        # The validator walks on after its JSON Schema check has failed, and trips over the
        # values that check reported; a value it did not see is located from the traceback.
        if not reported:
            yield replace(Problem(*crash_site(document, exc)), origin=DOCUMENT)


def _known_schemas(document: dict[str, Any]) -> tuple[dict[str, Any], frozenset[int]]:
    """For `schemas_known_valid`: (the document with its data refs hidden, the ids of the
    schemas the walk counts as visited).

    The quick way: the data refs are hidden everywhere but in the component schemas, and the
    ids are those of the component schemas. The walk then stops at a component schema
    wherever a `$ref` leads to one, and reads no value inside it, so neither its nested
    schemas nor its data need looking at. A `$ref` to a node inside a component schema would
    start a walk there: then every node is hidden and counted.
    """
    components = document.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    if not isinstance(components, dict) or not isinstance(schemas, dict):
        return data_refs_hidden(document), frozenset()
    rest = {**document, "components": {k: v for k, v in components.items() if k != "schemas"}}
    if any(_inside_a_schema(ref) for ref in collect_refs(rest)):
        checked = data_refs_hidden(document)
        return checked, _component_schema_ids(checked)
    hidden = data_refs_hidden(rest)
    checked = {**hidden, "components": {**hidden["components"], "schemas": schemas}}
    return checked, frozenset(map(id, schemas.values()))


def _inside_a_schema(ref: str) -> bool:
    return ref.startswith("#/components/schemas/") and ref.count("/") > 3


def _component_schema_ids(document: dict[str, Any]) -> frozenset[int]:
    """The ids of every mapping inside the component schemas (each schema the walk could
    visit there)."""
    components = document.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    found: set[int] = set()
    stack: list[Any] = list(schemas.values()) if isinstance(schemas, dict) else []
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.add(id(node))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return frozenset(found)


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
