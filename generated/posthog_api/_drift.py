"""Where a response disagreed with the spec: the Drift record, JSON paths, the warning log.

Be liberal in what you accept: by default a value that disagrees with the spec (a null where
null is not allowed, a missing required field, another JSON type, an unknown enum value, a
malformed date) is kept as the server sent it (a missing field becomes UNSET), recorded as a
`Drift` in the decoder's sink (then on the model's `spec_drift` and the APIResponse's `drift`),
and logged once per process per (model, field, kind) at WARNING, without the value. A sink of
None means strict: the disagreement raises ResponseValidationError with the JSON path instead.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, Literal, TypeAlias

from ._constants import PACKAGE
from ._exceptions import ResponseValidationError
from ._types import UNSET

__all__ = ["Drift", "DriftKind", "DriftSink", "Key", "Where", "at", "json_type", "mismatch"]

log = logging.getLogger(PACKAGE)

DriftKind: TypeAlias = Literal["null", "missing", "type", "enum", "format"]
Key: TypeAlias = str | int | None
Where: TypeAlias = "str | tuple[Where, Key]"
"""A JSON path: a string, or (the parent's path, the key in the parent). Decoders pass the
pairs down and spell the path out only for a disagreement, which is rare."""
DriftSink: TypeAlias = "list[Drift] | None"
"""Where a decoder records disagreements; None means strict: raise instead."""


@dataclasses.dataclass(frozen=True, slots=True)
class Drift:
    """One place where a response disagreed with the spec; the value is kept, never shown."""

    path: str
    """The JSON path of the value, e.g. `$.results[3].created_by`."""
    expected: str
    """What the spec says, e.g. `a string`, `a UserBasic object`."""
    got: str
    """The JSON type that came (`null`, `integer`, ...), or `missing`."""
    kind: DriftKind


def at(path: Where, key: Key) -> str:
    """The JSON path of a child: `$.a` + `b` -> `$.a.b`, + `3` -> `$.a[3]`."""
    keys = [key]
    while isinstance(path, tuple):  # a loop, not recursion: paths can be as deep as the JSON
        path, parent_key = path
        keys.append(parent_key)
    for one in reversed(keys):
        if isinstance(one, int):
            path = f"{path}[{one}]"
        elif one is not None:
            path = f"{path}.{one}"
    return path


_JSON_TYPES = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


def json_type(value: object) -> str:
    """The JSON type name of a decoded value (what a drift report may show of it)."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


_logged: set[tuple[str, str, str]] = set()


def mismatch(
    value: object,
    path: Where,
    key: Key,
    sink: DriftSink,
    expected: str,
    owner: str,
    kind: DriftKind | None = None,
) -> Any:
    """Raise (strict) or record the drift and keep `value` as it came (UNSET if missing).

    `owner` names the model the value belongs to, for the log line.
    """
    if kind is None:
        kind = "null" if value is None else "type"
    where = at(path, key)
    got = "missing" if kind == "missing" else json_type(value)
    if sink is None:
        raise ResponseValidationError(f"expected {expected}, got {got}", path=where)
    sink.append(Drift(where, expected, got, kind))
    field_name = key if isinstance(key, str) else "[]"
    if (owner, field_name, kind) not in _logged:
        _logged.add((owner, field_name, kind))
        log.warning(
            "response disagrees with the spec at %s (%s.%s): expected %s, got %s;"
            " the value is kept as sent (further cases of this field are not logged)",
            where,
            owner,
            field_name,
            expected,
            got,
        )
    return UNSET if kind == "missing" else value
