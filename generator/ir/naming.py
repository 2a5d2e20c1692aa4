"""Turn names from the spec into safe, stable Python identifiers.

Whatever a spec calls a thing (keywords, dashes, dots, leading digits, non-ASCII), the result is
a valid identifier; the wire name is kept elsewhere for serialisation. Each kind of name has its
own function because each lands in a different namespace with different names to avoid: a model
field must not shadow the `field()` its class body calls, a method must not shadow `str` in the
annotations of the methods after it, a resource must not overwrite the client's `request`.
"""

from __future__ import annotations

import builtins
import functools
import hashlib
import keyword
import re
import sys
import unicodedata
from collections.abc import Iterable

# Names a generated attribute, argument or module must not take: keywords, and the names the
# generated code itself uses inside methods and models. A name is renamed only for a real
# clash: `uuid`, `datetime` and `date` are free, since generated modules import those types
# under names no field can take (`_dt.datetime`, `UUID`; see model._SCALAR_ANNOTATIONS).
_RESERVED = (
    frozenset(keyword.kwlist)
    | frozenset(keyword.softkwlist)
    | {
        "self",
        "cls",
        "additional_properties",
        "from_dict",
        "spec_drift",
        "to_dict",
        "Any",
        "UNSET",
        "Unset",
    }
)
# Names the generated method bodies use for their own arguments and locals.
_ARGUMENT_RESERVED = frozenset(
    {"options", "json_body", "response", "with_raw_response", "_models", "typing", "builtins"}
)
_SHADOWED_BUILTINS = frozenset(dir(builtins))
# Builtins so common as argument names that shadowing them is worth it; no generated method
# body calls them.
_ARGUMENT_BUILTINS_ALLOWED = frozenset({"id", "type", "format", "filter", "input"})

# A dataclass body evaluates `field(default_factory=dict)` and its annotations name these types:
# a field called `dict` or `str` would shadow them for mypy and at class creation.
_FIELD_RESERVED = frozenset(
    {"field", "dataclass", "str", "int", "float", "bool", "bytes", "list", "dict", "object"}
    | {"typing", "builtins"}
)
# Inside a resource class, a method called `str` would shadow the type in the annotations of the
# methods below it (`list` and `dict` are written `builtins.list` there instead).
_METHOD_RESERVED = frozenset(
    {"with_raw_response", "builtins", "typing", "str", "int", "float", "bool", "bytes", "object"}
)
# Modules the generated code imports by name. A client attribute `httpx` (a tag called httpx)
# would shadow the module in the annotations of the client class (`httpx.Timeout`).
IMPORTED_MODULES = frozenset(
    {
        "asyncio",
        "binascii",
        "builtins",
        "collections",
        "contextvars",
        "copy",
        "dataclasses",
        "datetime",
        "email",
        "enum",
        "functools",
        "httpx",
        "json",
        "logging",
        "math",
        "os",
        "pathlib",
        "random",
        "re",
        "sys",
        "threading",
        "time",
        "types",
        "typing",
        "urllib",
        "uuid",
    }
)
# Attributes and methods of the generated client that a resource attribute must not replace.
CLIENT_ATTRIBUTES = frozenset(
    {
        "host",
        "timeout",
        "max_retries",
        "default_path_params",
        "path_param",
        "request",
        "request_page",
        "close",
        "aclose",
    }
)
# Names every generated module imports or defines at module level; a class must not take them.
CLASS_RESERVED = frozenset(
    {
        "Any",
        "Final",
        "Literal",
        "Self",
        "TYPE_CHECKING",
        "UUID",
        "UNSET",
        "Unset",
        "FileContent",
        "RequestOptions",
        "APIResponse",
        "SyncPage",
        "AsyncPage",
        "SyncAPIClient",
        "AsyncAPIClient",
    }
)

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_IDENTIFIER = re.compile(r"[^0-9a-zA-Z_]+")


@functools.lru_cache(maxsize=1 << 16)  # a spec repeats the same names many times over
def _ascii_words(name: str) -> tuple[str, ...]:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    split = _WORD_BOUNDARY.sub("_", ascii_name)
    return tuple(word for word in _NOT_IDENTIFIER.sub("_", split).split("_") if word)


# Module and fixture file names are snake_case names: a 300-character operationId must not
# exceed the 255 bytes a file name may have. Longer names keep a prefix and a hash of the whole.
MAX_NAME_LENGTH = 80


def _capped(result: str, name: str) -> str:
    if len(result) <= MAX_NAME_LENGTH:
        return result
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{result[: MAX_NAME_LENGTH - len(digest) - 1].rstrip('_')}_{digest}"


def snake_case(name: str, *, fallback: str = "value") -> str:
    """`dateMarker` -> `date_marker`; `2fa-enabled` -> `n2fa_enabled`; keywords get a `_`.

    At most MAX_NAME_LENGTH characters (a longer name is cut and given a hash of the whole).
    """
    words = _ascii_words(name)
    result = _capped("_".join(word.lower() for word in words) or fallback, name)
    if result[0].isdigit():
        result = f"n{result}"
    if result in _RESERVED:
        result = f"{result}_"
    # One string object per name: GitHub's 16,000 fields have 1,800 names between them, and
    # the record of a run (generator.last_run) pickles each object.
    return sys.intern(result)


def argument_name(name: str) -> str:
    """Like snake_case, but also steers clear of builtins a method body may need (`id` stays)."""
    result = snake_case(name)
    if result in _ARGUMENT_RESERVED or (
        result in _SHADOWED_BUILTINS and result not in _ARGUMENT_BUILTINS_ALLOWED
    ):
        result = f"{result}_"
    return result


def field_name(name: str) -> str:
    """A dataclass attribute: snake_case, never shadowing what the class body itself uses."""
    result = snake_case(name)
    return f"{result}_" if result in _FIELD_RESERVED else result


def method_name(name: str) -> str:
    """A resource method: snake_case, never shadowing a type the other methods annotate with."""
    result = snake_case(name, fallback="call")
    return f"{result}_" if result in _METHOD_RESERVED else result


def resource_attribute(tag: str) -> str:
    """The client attribute (and module) of an API group: `Feature Flags` -> `feature_flags`."""
    result = snake_case(tag, fallback="default")
    taken = CLIENT_ATTRIBUTES | _METHOD_RESERVED | IMPORTED_MODULES
    return f"{result}_" if result in taken else result


def pascal_case(name: str, *, fallback: str = "Model") -> str:
    """`signal_report` -> `SignalReport`; keeps existing capitals (`UserBasic` stays)."""
    words = _ascii_words(name)
    result = "".join(word[:1].upper() + word[1:] for word in words) or fallback
    if result[0].isdigit():
        result = f"{fallback}{result}"
    if (
        keyword.iskeyword(result)
        or result in _RESERVED
        or result in _SHADOWED_BUILTINS
        or result in CLASS_RESERVED
    ):
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


def operation_name(method: str, path: str) -> str:
    """A stable name for an operation without an operationId, read off its method and path.

    `GET /api/things/{id}/` -> `get_api_things_by_id`; `GET /` -> `get_root`.
    """
    words = [method.lower()]
    for segment in path.split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            words += ["by", segment[1:-1]]
        elif segment:
            words.append(segment)
    if len(words) == 1:
        words.append("root")
    return snake_case("_".join(words), fallback=method.lower())


def unique(names: Iterable[str], *, taken: Iterable[str] = ()) -> list[str]:
    """Make names unique in order: the second `a` becomes `a_2`, the third `a_3`.

    A name nobody else wants keeps its spelling even when a duplicate's suffix would have
    produced it (`a`, `a`, `a_2` -> `a`, `a_3`, `a_2`), so adding a property never renames an
    unrelated one. Names in `taken` are avoided. Linear time: one counter per base name.
    """
    wanted = list(names)
    seen = set(taken)
    firsts: set[int] = set()
    for index, name in enumerate(wanted):
        if name not in seen:
            seen.add(name)
            firsts.add(index)
    counters: dict[str, int] = {}
    result: list[str] = []
    for index, name in enumerate(wanted):
        if index in firsts:
            result.append(name)
            continue
        counter = counters.get(name, 2)
        candidate = f"{name}_{counter}"
        while candidate in seen:
            counter += 1
            candidate = f"{name}_{counter}"
        counters[name] = counter + 1
        seen.add(candidate)
        result.append(candidate)
    return result


def unique_class_name(wanted: str, taken: set[str], counters: dict[str, int]) -> str:
    """`wanted`, or `wanted2`, `wanted3`... : the first not in `taken` (which it joins).

    `counters` remembers where each base name's search stopped, so claiming the same name a
    thousand times stays linear.
    """
    if wanted not in taken:
        taken.add(wanted)
        return wanted
    counter = counters.get(wanted, 2)
    while f"{wanted}{counter}" in taken:
        counter += 1
    counters[wanted] = counter + 1
    name = f"{wanted}{counter}"
    taken.add(name)
    return name


# --- the order ruff wants generated imports and `__all__` in ---------------------------------

_DIGIT_RUNS = re.compile(r"([0-9]+)")
NaturalKey = tuple[tuple[int, tuple[int, int | str] | str], ...]


def _natural(name: str) -> NaturalKey:
    """Digit runs as ruff's natural order (the `natord` algorithm) compares them: by value
    (`Variant2` before `Variant10`), but a run with a leading zero digit by digit, and so
    before every run without one (`0099`, `034`, `3`: a shortened name's hash suffix often
    starts with a digit); the rest as text."""
    return tuple(
        (0, (0, part) if part[0] == "0" else (1, int(part))) if index % 2 else (1, part)
        for index, part in enumerate(_DIGIT_RUNS.split(name))
        if part
    )


def import_order(name: str) -> NaturalKey:
    """Sort key of modules as ruff's isort orders them (rule I001): natural, ignoring case."""
    return _natural(name.lower())


def member_order(name: str) -> tuple[int, NaturalKey]:
    """Sort key of the names one `from ... import` takes, as ruff's isort orders them (its
    `order-by-type`): CONSTANTS, Classes, then the rest; natural within each, ignoring case.
    The client and error classes are named after the spec: `Ably` comes before `AsyncAbly`."""
    group = 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2
    return group, _natural(name.lower())


def export_order(name: str) -> tuple[int, NaturalKey]:
    """Sort key of `__all__` entries as ruff's RUF022 orders them: CONSTANTS, Classes, then
    the rest; natural within each group, case counting."""
    group = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return group, _natural(name)
