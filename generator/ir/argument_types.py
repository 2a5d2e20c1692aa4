"""How a method argument is typed for the caller, where that differs from the spec's schema type.

A model field's annotation is what the decoder produces, so it stays exact. An argument's
annotation is what a caller may pass, which can be wider: an id the runtime writes as text
also takes an int, and an enum also takes its values as string (or int) literals. That is
what openai-python users expect: `client.things.list(project_id=1, scope="project")`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from generator.ir import naming
from generator.ir.literals import fits_literal
from generator.ir.model import Argument, Enum, TypeRef
from generator.spec import bounded_regex

INT_OR_STR = TypeRef("union", variants=(TypeRef("int"), TypeRef("str")))
_ID_WORDS = frozenset({"id", "pk"})
# Digit strings, one of which a `pattern` must admit for an id to be typed `int | str`.
_DIGITS = ("1", "12345", "1234567890")


def takes_int_id(
    param: dict[str, Any],
    schema: dict[str, Any],
    type_ref: TypeRef,
    resolve: Callable[[Any], Any],
) -> bool:
    """Whether a path parameter typed `str` also takes an int: `project_id: int | str`.

    The runtime writes an int path value as its decimal text, and APIs often declare integer
    keys as strings so that aliases (`@current`), slugs or UUIDs fit as well. So a path
    parameter named as an id (`id`, `pk`, `project_id`, `projectId`) whose schema is a plain
    string accepts `int | str`, unless the spec shows its values are not numbers: a `format`,
    a `pattern` no digit string matches, or examples (with the default) none of which is a
    number. Other names stay `str`: an int `owner` or `slug` is a mistake, not an id.
    """
    if type_ref != TypeRef("str") or "format" in schema:
        return False
    if naming.snake_case(str(param["name"])).rpartition("_")[2] not in _ID_WORDS:
        return False
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and not _matches_digits(pattern):
        return False
    samples = _examples(param, resolve) + _examples(schema, resolve)
    if "default" in schema:
        samples.append(schema["default"])
    return not samples or any(_is_number(sample) for sample in samples)


def _matches_digits(pattern: str) -> bool:
    try:
        return any(bounded_regex.search(pattern, digits) for digits in _DIGITS)
    except (re.error, bounded_regex.PatternTimeout):
        return False  # a pattern that cannot be checked gives no evidence that numbers fit


def _examples(node: dict[str, Any], resolve: Callable[[Any], Any]) -> list[Any]:
    """`example` and the `examples` values: a schema's are a list, a parameter's a mapping of
    Example objects (each maybe a `$ref`) holding a `value`."""
    found = [node["example"]] if "example" in node else []
    examples = node.get("examples")
    if isinstance(examples, list):
        found += examples
    elif isinstance(examples, dict):
        for example in examples.values():
            example = resolve(example)
            if isinstance(example, dict) and "value" in example:
                found.append(example["value"])
    return found


def _is_number(value: Any) -> bool:
    if isinstance(value, str):
        return value.isascii() and value.isdigit()
    return isinstance(value, int) and not isinstance(value, bool)


def accepting_enum_values(
    arguments: tuple[Argument, ...], enums: Mapping[str, Enum]
) -> tuple[Argument, ...]:
    """Enum arguments that also take the enum's values: `Scope | Literal["a", "b"]`.

    Model fields keep the enum alone: the decoder reads their annotations, and a value read
    from a response is always the enum. An enum with an integer mypy cannot take in a
    `Literal` stays the enum alone too.
    """
    result = []
    for argument in arguments:
        type_ref = _with_enum_values(argument.type, enums)
        result.append(argument if type_ref == argument.type else replace(argument, type=type_ref))
    return tuple(result)


def _literal_values(enum: Enum | None) -> tuple[str | int, ...]:
    """The enum's values if every one can be a `Literal` member; () if not."""
    if enum is None or not all(fits_literal(member.value) for member in enum.members):
        return ()
    return tuple(member.value for member in enum.members)


def _with_enum_values(type_ref: TypeRef, enums: Mapping[str, Enum]) -> TypeRef:
    if type_ref.kind == "enum":
        found = _literal_values(enums.get(type_ref.name or ""))
        return replace(type_ref, literals=found) if found else type_ref
    if type_ref.item is None and not type_ref.variants:
        return type_ref
    return replace(
        type_ref,
        item=_with_enum_values(type_ref.item, enums) if type_ref.item is not None else None,
        variants=tuple(_with_enum_values(variant, enums) for variant in type_ref.variants),
    )
