"""Lay out generated statements the way black would, so most files need no black run at all.

Black is the slowest stage by far (about 100 s for a 1,000-operation spec on two cores). The
templates therefore emit black's own layout, and generator.emit.format runs black only on files
that still have a line longer than the limit. These helpers cover the layouts templates meet
often: a statement that fits stays on one line; a call or a conditional expression that does
not is split exactly where black splits it. Anything else is left on one long line, and
black formats that file. Tests compare the result with black's on every spec they generate.
"""

from __future__ import annotations

from collections.abc import Iterator

LINE_LENGTH = 100


def fits(indent: int, text: str, line_length: int = LINE_LENGTH) -> bool:
    return indent + len(text) <= line_length


def statement(head: str, expr: str, indent: int, line_length: int = LINE_LENGTH) -> str:
    """`head + expr` (e.g. `raw_x = ` + a call) laid out at `indent`, as black would.

    A call that does not fit is split after its opening parenthesis, its arguments on one line
    when they fit there. Other long statements are returned whole, for black to format.
    """
    line = head + expr
    if fits(indent, line, line_length):
        return line
    callee, arguments = _split_call(expr)
    if arguments is None or not fits(indent, f"{head}{callee}(", line_length):
        return line
    inner = " " * (indent + 4)
    closing = f"\n{' ' * indent})"
    if fits(indent + 4, arguments, line_length):
        return f"{head}{callee}(\n{inner}{arguments}{closing}"
    # One argument per line, with the trailing comma black adds.
    parts = _top_level_parts(arguments)
    return (
        f"{head}{callee}(\n" + "".join(f"{inner}{part},\n" for part in parts) + f"{' ' * indent})"
    )


def conditional(
    head: str, value: str, condition: str, other: str, indent: int, line_length: int = LINE_LENGTH
) -> str:
    """`head + value if condition else other`, parenthesised and split as black does when long."""
    expr = f"{value} if {condition} else {other}"
    line = head + expr
    if fits(indent, line, line_length):
        return line
    inner = " " * (indent + 4)
    closing = f"\n{' ' * indent})"
    if fits(indent + 4, expr, line_length):
        return f"{head}(\n{inner}{expr}{closing}"
    return f"{head}(\n{inner}{value}\n{inner}if {condition}\n{inner}else {other}{closing}"


def _code_chars(text: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, char, bracket depth after it) for each char outside string literals."""
    depth, quote, index = 0, "", start
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        else:
            if char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
            yield index, char, depth
        index += 1


def _top_level_parts(arguments: str) -> list[str]:
    """`a, f(b, c), "d,e"` -> [`a`, `f(b, c)`, `"d,e"`]: split at commas outside brackets."""
    parts: list[str] = []
    start = 0
    for index, char, depth in _code_chars(arguments):
        if char == "," and depth == 0:
            parts.append(arguments[start:index].strip())
            start = index + 1
    parts.append(arguments[start:].strip())
    return parts


def _split_call(expr: str) -> tuple[str, str | None]:
    """(`f`, `a, b`) for `f(a, b)` when the first `(` closes at the very end; else (expr, None).

    String literals are skipped, so a `(` inside one does not count.
    """
    start = expr.find("(")
    if start <= 0 or not expr.endswith(")") or any(c in expr[:start] for c in "\"' [{"):
        return expr, None
    for index, char, depth in _code_chars(expr, start):
        if char in ")]}" and depth == 0 and index != len(expr) - 1:
            return expr, None
    arguments = expr[start + 1 : -1]
    if not arguments or arguments.rstrip().endswith(","):
        return expr, None  # black explodes a magic trailing comma one item per line
    return expr[:start], arguments
