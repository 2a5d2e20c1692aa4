"""Python literals for values from the spec, spelled exactly the way black spells them.

Every string from the spec reaches generated code as one of these literals (or a docstring), so
no spec text can end a string and start code. They are written in black's style (double quotes
unless that needs more escapes) because most generated files skip black altogether: see
generator.emit.format.
"""

from __future__ import annotations

import math


def python_string(value: object) -> str:
    """A string literal holding `value` exactly: repr's escapes, black's choice of quotes."""
    text = str(value)
    single = repr(text)  # escapes every non-printable character; picks ' unless text has '
    if single.startswith('"'):
        return single  # text has a ' and no ": black keeps the double quotes
    # black turns '...' into "..." unless that needs more escaped quotes than it saves.
    if text.count('"') > text.count("'"):
        return single
    return f'"{_swap_quote_escapes(single[1:-1])}"'


def _swap_quote_escapes(body: str) -> str:
    """The body of a '...' literal as the body of a "..." literal: unescape ', escape "."""
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            escaped = body[index + 1]
            out.append("'" if escaped == "'" else "\\" + escaped)
            index += 2
            continue
        out.append('\\"' if char == '"' else char)
        index += 1
    return "".join(out)


def python_literal(value: object) -> str:
    """A Python literal for a JSON scalar; anything else becomes a string literal."""
    if value is None or isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return f"float({python_string(value)})"
        return repr(value).replace("e+", "e")  # black writes 1e16, not 1e+16
    return python_string(value)


# mypy accepts an integer in `Literal[...]` only if it fits in 64 bits ("Literal[...] cannot
# contain arbitrary expressions" otherwise); a wider const or enum value is typed `int`.
_LITERAL_INT_RANGE = range(-(2**63), 2**63)


def fits_literal(value: object) -> bool:
    """`value` can appear in a `Literal[...]` annotation that mypy accepts."""
    return not isinstance(value, int) or isinstance(value, bool) or value in _LITERAL_INT_RANGE
