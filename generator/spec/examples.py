"""Every example in a spec, checked against its schema: fixtures are built from them.

An example that no longer fits its schema (a field renamed, an enum value dropped) would
become a fixture that breaks `fixture_transport()` in the user's tests, so `generate` refuses
it and `lint` reports it (rule `example-invalid`). Only what the document writes is walked:
schemas (nested ones included, `$ref`s not followed), parameters, headers and media types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from generator.spec.bounded_regex import bounded
from generator.spec.locate import escape_pointer_token, follow_refs

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONES = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
)
_SPEC_URI = "urn:posthog-codegen:spec"

Node = tuple[str, Any]  # (JSON pointer, value)


# Where an example check sits in the walk: (group, path). The walk goes group by group (see
# _owners_and_schemas), and inside a group path item by path item; path is "" for components.
# A check reads only its own schema and value and the components they refer to, so after an
# edit of some path items only the checks with those paths change (generator.last_run).
Origin = tuple[int, str]


@dataclass(frozen=True)
class Example:
    schema_pointer: str
    pointer: str
    value: Any
    origin: Origin = (0, "")


@dataclass(frozen=True)
class ExampleProblem:
    """`pointer` is where in the example the mismatch is (the example's own pointer + path)."""

    pointer: str
    message: str
    example_pointer: str
    origin: Origin = (0, "")


def child(pointer: str, *tokens: Any) -> str:
    return pointer + "".join(f"/{escape_pointer_token(str(token))}" for token in tokens)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def iter_examples(
    document: Mapping[str, Any], paths: frozenset[str] | None = None
) -> Iterator[Example]:
    """Every example the document writes, with the pointer of the schema it must fit; with
    `paths`, only those written in these path items."""
    owners, roots = _owners_and_schemas(document, paths)
    for origin, root in roots:
        schemas: list[Node] = []
        walk_schema(root, schemas)
        for pointer, schema in schemas:
            if "example" in schema:
                yield Example(pointer, child(pointer, "example"), schema["example"], origin)
            if isinstance(schema.get("examples"), list):  # 3.1: JSON Schema `examples`
                for index, value in enumerate(schema["examples"]):
                    yield Example(pointer, child(pointer, "examples", index), value, origin)
    for (group, path), (pointer, owner) in owners:
        origin = (group + _GROUPS, path)
        if "schema" not in owner:
            continue
        schema_pointer = child(pointer, "schema")
        if "example" in owner:
            yield Example(schema_pointer, child(pointer, "example"), owner["example"], origin)
        for name, raw in _mapping(owner.get("examples")).items():
            example_pointer, example = follow_refs(document, child(pointer, "examples", name), raw)
            if isinstance(example, Mapping) and "value" in example:
                value = example["value"]
                yield Example(schema_pointer, child(example_pointer, "value"), value, origin)


_GROUPS = 5  # component schemas, then the schemas of the owners' four groups (below)


def _owners_and_schemas(
    document: Mapping[str, Any], paths: frozenset[str] | None
) -> tuple[list[tuple[Origin, Node]], list[tuple[Origin, Node]]]:
    """(parameters, headers and media types) and the schemas to walk, each with its origin.

    Owners come in four groups: the components' parameters and headers, the path items'
    parameters, the components' request bodies and responses, the path items' ones.
    """
    components = _mapping(document.get("components")) if paths is None else {}
    owners: list[tuple[Origin, Node]] = []
    bodies: list[tuple[Origin, Node]] = []
    for kind in ("parameters", "headers"):
        owners += [
            ((0, ""), (child("/components", kind, n), v))
            for n, v in _mapping(components.get(kind)).items()
        ]
    for kind in ("requestBodies", "responses"):
        bodies += [
            ((2, ""), (child("/components", kind, n), v))
            for n, v in _mapping(components.get(kind)).items()
        ]
    for path, item in _mapping(document.get("paths")).items():
        if paths is not None and path not in paths:
            continue
        item_pointer = child("/paths", path)
        item = _mapping(item)
        holders = [(item_pointer, item)] + [
            (child(item_pointer, method), _mapping(item.get(method))) for method in HTTP_METHODS
        ]
        for pointer, holder in holders:
            for index, value in enumerate(_list(holder.get("parameters"))):
                owners.append(((1, str(path)), (child(pointer, "parameters", index), value)))
            if pointer != item_pointer:
                body_origin = (3, str(path))
                bodies.append(
                    (body_origin, (child(pointer, "requestBody"), holder.get("requestBody")))
                )
                for code, response in _mapping(holder.get("responses")).items():
                    bodies.append((body_origin, (child(pointer, "responses", code), response)))
    for origin, (pointer, body) in bodies:
        body = _mapping(body)
        if "$ref" in body:
            continue
        for media, value in _mapping(body.get("content")).items():
            owners.append((origin, (child(pointer, "content", media), value)))
        for name, value in _mapping(body.get("headers")).items():
            owners.append((origin, (child(pointer, "headers", name), value)))
    owners = [(o, (p, v)) for o, (p, v) in owners if isinstance(v, Mapping) and "$ref" not in v]
    roots: list[tuple[Origin, Node]] = [
        ((0, ""), (child("/components/schemas", n), v))
        for n, v in _mapping(components.get("schemas")).items()
    ]
    roots += [
        ((1 + g, path), (child(p, "schema"), v["schema"]))
        for (g, path), (p, v) in owners
        if "schema" in v
    ]
    return owners, roots


def walk_schema(node: Node, found: list[Node], path_ids: frozenset[int] = frozenset()) -> None:
    """Append `node` and every schema nested in it (refs not followed) to `found`."""
    pointer, schema = node
    if not isinstance(schema, Mapping) or id(schema) in path_ids:  # YAML aliases can loop
        return
    found.append(node)
    path_ids = path_ids | {id(schema)}
    for keyword in _SCHEMA_MAPS:
        for name, value in _mapping(schema.get(keyword)).items():
            walk_schema((child(pointer, keyword, name), value), found, path_ids)
    for keyword in _SCHEMA_LISTS:
        for index, value in enumerate(_list(schema.get(keyword))):
            walk_schema((child(pointer, keyword, index), value), found, path_ids)
    for keyword in _SCHEMA_ONES:
        if keyword in schema:
            walk_schema((child(pointer, keyword), schema[keyword]), found, path_ids)


def schema_validators(
    document: Mapping[str, Any], *, reading: bool = False
) -> Callable[[str], Any]:
    """Validators for the schema at a pointer, `$ref`s resolved against the whole document,
    formats checked, `pattern` time-limited; one per pointer. The one front end for checking
    values against the spec's schemas: examples here, server responses in `probe`
    (`reading`: a 3.0 response may carry readOnly fields and must not carry writeOnly ones)."""
    from openapi_schema_validator import (
        OAS30ReadValidator,
        OAS30Validator,
        OAS31Validator,
        oas30_format_checker,
        oas31_format_checker,
    )
    from referencing import Registry
    from referencing.jsonschema import DRAFT4, DRAFT202012

    is_30 = str(document.get("openapi", "")).startswith("3.0")
    cls: Any = bounded(
        (OAS30ReadValidator if reading else OAS30Validator) if is_30 else OAS31Validator
    )
    formats = oas30_format_checker if is_30 else oas31_format_checker
    resource = (DRAFT4 if is_30 else DRAFT202012).create_resource(dict(document))
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
    cache: dict[str, Any] = {}

    def validator_for(pointer: str) -> Any:
        if pointer not in cache:
            schema = {"$ref": f"{_SPEC_URI}#{quote(pointer, safe='/~')}"}
            cache[pointer] = cls(schema, registry=registry, format_checker=formats)
        return cache[pointer]

    return validator_for


def example_problems(
    document: Mapping[str, Any], paths: frozenset[str] | None = None
) -> Iterator[ExampleProblem]:
    """The first mismatch of every example that does not fit its schema (with `paths`: of the
    examples written in these path items)."""
    from jsonschema.exceptions import best_match  # type: ignore[import-untyped]  # 0.1 s

    examples = list(iter_examples(document, paths))
    if not examples:
        return
    validator_for = schema_validators(document)
    for example in examples:
        try:
            error = best_match(validator_for(example.schema_pointer).iter_errors(example.value))
        except Exception as exc:  # e.g. an unknown type or unresolvable $ref: reported, not raised
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(": ")
            reason = reason.removesuffix(" for validator with schema").partition(" within ")[0]
            if isinstance(exc, TypeError | AttributeError | KeyError | IndexError):
                # jsonschema read a keyword of the wrong type (`properties: 'x'`), which the
                # OpenAPI check reports at the keyword; its Python error would say nothing.
                reason = "its schema is malformed"
            message = f"example could not be checked: {reason}"
            yield ExampleProblem(example.pointer, message[:300], example.pointer, example.origin)
            continue
        if error is not None:
            pointer = child(example.pointer, *error.absolute_path)
            message = f"example does not fit its schema: {short_message(error)}"
            yield ExampleProblem(pointer, message, example.pointer, example.origin)


def short_message(error: Any, limit: int = 200) -> str:
    """A validator message on one line, the offending value shown briefly, never a dump."""
    message = " ".join(str(error.message).split())
    instance = getattr(error, "instance", None)
    if isinstance(instance, dict | list):
        shown = repr(instance)
        if message.startswith(shown) and len(shown) > 40:
            kind = "the object" if isinstance(instance, dict) else "the list"
            message = kind + message[len(shown) :]
    elif isinstance(instance, str) and len(instance) > 60:
        message = message.replace(repr(instance), repr(instance[:40] + "..."))
    return message if len(message) <= limit else message[: limit - 3] + "..."
