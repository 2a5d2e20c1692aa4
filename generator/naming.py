"""Turn names from the spec into safe, stable Python identifiers.

Whatever a spec calls a thing (keywords, dashes, dots, leading digits, non-ASCII), the result is
a valid identifier; the wire name is kept elsewhere for serialisation.
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from collections.abc import Iterable

# Names a generated attribute, argument or module must not take: keywords, and the names the
# generated code itself uses inside methods and models.
_RESERVED = (
    frozenset(keyword.kwlist)
    | frozenset(keyword.softkwlist)
    | {
        "self",
        "cls",
        "additional_properties",
        "from_dict",
        "to_dict",
        "datetime",
        "uuid",
        "Any",
        "UNSET",
        "Unset",
    }
)
# Names the generated method bodies use for their own arguments and locals.
_ARGUMENT_RESERVED = frozenset({"options", "json_body", "with_raw_response", "_models"})
_SHADOWED_BUILTINS = frozenset(dir(builtins))

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_IDENTIFIER = re.compile(r"[^0-9a-zA-Z_]+")


def _ascii_words(name: str) -> list[str]:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    split = _WORD_BOUNDARY.sub("_", ascii_name)
    return [word for word in _NOT_IDENTIFIER.sub("_", split).split("_") if word]


def snake_case(name: str, *, fallback: str = "value") -> str:
    """`dateMarker` -> `date_marker`; `2fa-enabled` -> `n2fa_enabled`; keywords get a `_`."""
    words = _ascii_words(name)
    result = "_".join(word.lower() for word in words) or fallback
    if result[0].isdigit():
        result = f"n{result}"
    if result in _RESERVED:
        result = f"{result}_"
    return result


def argument_name(name: str) -> str:
    """Like snake_case, but also steers clear of builtins a method body may need (`id` stays)."""
    result = snake_case(name)
    if result in _ARGUMENT_RESERVED or (
        result in _SHADOWED_BUILTINS and result not in {"id", "type", "format", "filter", "input"}
    ):
        result = f"{result}_"
    return result


def pascal_case(name: str, *, fallback: str = "Model") -> str:
    """`signal_report` -> `SignalReport`; keeps existing capitals (`UserBasic` stays)."""
    words = _ascii_words(name)
    result = "".join(word[:1].upper() + word[1:] for word in words) or fallback
    if result[0].isdigit():
        result = f"{fallback}{result}"
    if keyword.iskeyword(result) or result in _RESERVED or result in _SHADOWED_BUILTINS:
        result = f"{result}_"
    return result


def enum_member_name(value: object) -> str:
    """`session_replay` -> `SESSION_REPLAY`; `1` -> `VALUE_1`; `""` -> `EMPTY`."""
    if value == "":
        return "EMPTY"
    words = _ascii_words(str(value))
    result = "_".join(word.upper() for word in words)
    if not result:
        return "VALUE"
    if result[0].isdigit():
        result = f"VALUE_{result}"
    if keyword.iskeyword(result):
        result = f"{result}_"
    return result


def unique(names: Iterable[str]) -> list[str]:
    """Make names unique in order: the second `a` becomes `a_2`, the third `a_3`."""
    seen: set[str] = set()
    result: list[str] = []
    for name in names:
        candidate, counter = name, 2
        while candidate in seen:
            candidate = f"{name}_{counter}"
            counter += 1
        seen.add(candidate)
        result.append(candidate)
    return result
