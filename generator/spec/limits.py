"""Bounds on the work a spec can cause: file size, nodes, nesting, and the size of each value.

A spec is untrusted input. Each limit is far above what a real API description needs and
fails with one line naming the node, before any later stage (validation, parsing, lint, diff)
walks the data: a 200 MB file must not take gigabytes, a YAML alias bomb must not expand, and
a value Python or JSON cannot represent must not reach the output.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.errors import SpecError
from generator.spec.locate import Locator, escape_pointer_token

MAX_SPEC_MB_VARIABLE = "POSTHOG_CODEGEN_MAX_SPEC_MB"
DEFAULT_MAX_SPEC_MB = 100  # PostHog's spec is ~1 MB; the largest public specs ~30 MB
MAX_DEPTH = 200  # deeper than any real spec; bounds recursion in every later stage
MAX_NODES = 5_000_000  # bounds the work a YAML alias bomb can cause
MAX_STRING_LENGTH = 1_000_000  # characters in one key or string value
MAX_INTEGER_DIGITS = 4300  # Python's own limit for turning an integer into text
_MAX_INTEGER_BITS = 14_000  # a little under 10**4300: cheaper to test than the digit count
_LONG_INTEGER = re.compile(rf"\d{{{MAX_INTEGER_DIGITS + 1},}}")


def max_spec_bytes() -> int:
    """The size limit of one spec file (and of all files one spec bundles together)."""
    raw = os.environ.get(MAX_SPEC_MB_VARIABLE, "")
    try:
        megabytes = float(raw) if raw else DEFAULT_MAX_SPEC_MB
    except ValueError:
        megabytes = DEFAULT_MAX_SPEC_MB
    if not 0 < megabytes <= _MAX_SPEC_MB_SETTING:  # NaN, negative, infinite: the default
        megabytes = DEFAULT_MAX_SPEC_MB
    return int(megabytes * 1_000_000)


_MAX_SPEC_MB_SETTING = 1_000_000  # a terabyte: more would not fit in memory anyway


def read_limited(path: Path, name: str, budget: int | None = None) -> bytes:
    """The file's bytes, refusing more than `budget` (default: the spec size limit).

    Reads at most one byte past the limit, so `/dev/zero` or a FIFO cannot exhaust memory.
    """
    limit = max_spec_bytes() if budget is None else budget
    try:
        with path.open("rb") as stream:
            # The size says how much to read (no 100 MB buffer for a 1 kB file); 0 for a pipe
            # or a device, and a file can grow meanwhile: then read on, up to the limit.
            size = os.fstat(stream.fileno()).st_size
            data = stream.read(min(size, limit) + 1)
            if len(data) > size:
                data += stream.read(limit + 1 - len(data))
    except FileNotFoundError:
        raise SpecError(name, "no such file") from None
    except IsADirectoryError:
        raise SpecError(name, "is a directory, not a spec file") from None
    except OSError as exc:
        raise SpecError(name, f"cannot read: {exc.strerror}") from None
    if len(data) > limit:
        shown = max_spec_bytes() / 1_000_000
        raise SpecError(
            name,
            f"the spec is larger than the {shown:g} MB limit (set {MAX_SPEC_MB_VARIABLE}"
            " to raise it)",
        )
    return data


def unreadable_value(text: str, name: str, error: ValueError) -> SpecError:
    """The error for a value the parser could not build: an integer literal Python refuses to
    read (over 4300 digits), or (YAML) a date like 2024-13-45."""
    found = _LONG_INTEGER.search(text)
    if found is None:
        reason = " ".join(str(error).split())
        return SpecError(name, f"invalid YAML: {reason} (an unquoted date must be a real date)")
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - text.rfind("\n", 0, found.start())
    return SpecError(name, _INTEGER_MESSAGE, f"{line}:{column}")


_INTEGER_MESSAGE = (
    f"an integer of more than {MAX_INTEGER_DIGITS} digits (Python's limit): write it as a string"
)


def check_bounds(data: Any, name: str, locator: Locator | None = None) -> int:
    """Refuse alias bombs, recursive aliases, absurd nesting and values no output can hold;
    return the node count.

    YAML aliases share one object, so a billion-laughs file loads small; but every later stage
    walks it expanded. The expanded size and depth of each shared node are computed once
    (memoised by identity), so even a 10^9-node bomb is refused after a few hundred steps.
    Each value is checked once on the way (see `_value_problem`).
    """
    measured: dict[int, tuple[int, int]] = {}  # id -> (expanded node count, depth below)
    open_nodes: set[int] = set()  # ancestors of the node being walked
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            measured[key] = _measure(node, measured, name, data, locator)
            open_nodes.discard(key)
            continue
        if key in measured:
            continue
        if key in open_nodes:
            raise SpecError(name, "a YAML alias contains itself (a recursive document)")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend(
            (child, False)
            for child in _children(node)
            if isinstance(child, dict | list) and id(child) not in measured
        )
    return measured[id(data)][0] if isinstance(data, dict | list) else 1


def _children(node: dict[Any, Any] | list[Any]) -> Any:
    return node.values() if isinstance(node, dict) else node


def _measure(
    node: dict[Any, Any] | list[Any],
    measured: dict[int, tuple[int, int]],
    name: str,
    document: Any,
    locator: Locator | None,
) -> tuple[int, int]:
    """(expanded node count, depth) of a container whose children are measured already."""
    total, depth = 1, 0
    if isinstance(node, dict):
        for key in node:
            if type(key) is not str or len(key) > MAX_STRING_LENGTH:
                _refuse(document, name, locator, node, key, _key_problem(key))
    for child in _children(node):
        if isinstance(child, dict | list):
            size, below = measured[id(child)]
            total += size
            depth = max(depth, below + 1)
            continue
        total += 1
        problem = _value_problem(child)
        if problem is not None:
            _refuse(document, name, locator, node, child, problem)
    if total > MAX_NODES:
        raise SpecError(name, f"more than {MAX_NODES:,} nodes (a YAML alias bomb?)")
    if depth > MAX_DEPTH:
        raise SpecError(name, f"nested deeper than {MAX_DEPTH} levels")
    return total, depth


def _value_problem(value: Any) -> str | None:
    """Why a scalar cannot be used, or None (the common case, so the cheap tests come first)."""
    kind = type(value)
    if kind is str:
        if len(value) > MAX_STRING_LENGTH:
            return f"a string of {len(value):,} characters (the limit is {MAX_STRING_LENGTH:,})"
        return None
    if kind is float:
        if math.isnan(value):
            return "NaN is not a JSON number"
        if math.isinf(value):
            return "a number too large for JSON (it overflows to infinity)"
        return None
    if kind is int and value.bit_length() > _MAX_INTEGER_BITS:
        return _INTEGER_MESSAGE
    return None


def _key_problem(key: Any) -> str:
    if isinstance(key, str):
        return f"a key of {len(key):,} characters (the limit is {MAX_STRING_LENGTH:,})"
    spelled = _spelled(key)
    kind = {bool: "a boolean", type(None): "null", int: "a number", float: "a number"}.get(
        type(key), f"a {type(key).__name__}"
    )
    return f"the key {spelled} is {kind}, not a string: quote it"


def _spelled(key: Any) -> str:
    """A key as YAML spells it (`null`, not Python's `None`)."""
    if key is None or isinstance(key, bool):
        return {None: "null", True: "true", False: "false"}[key]
    return str(key)


def check_text(data: Any, name: str, locator: Locator | None = None) -> None:
    """Refuse strings that are not valid Unicode: a lone surrogate (`"\\ud800"`) cannot be
    written as UTF-8. Only escapes make one, so the caller runs this only when the text has
    `\\u` escapes."""
    stack: list[Any] = [data]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for key, child in node.items() if isinstance(node, dict) else enumerate(node):
            for value in (key, child) if isinstance(node, dict) else (child,):
                if isinstance(value, str) and not _encodable(value):
                    problem = "a string with a lone surrogate (not valid Unicode)"
                    _refuse(data, name, locator, node, value, problem)
            if isinstance(child, dict | list):
                stack.append(child)


def _encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refuse(
    document: Any, name: str, locator: Locator | None, parent: Any, item: Any, problem: str
) -> None:
    """Raise `problem` at the node: `item` is a child value or key of `parent`."""
    pointer = _pointer_of(document, parent)
    if isinstance(parent, dict):
        token = next((key for key in parent if key is item), None)
        if token is None:
            token = next((key for key, value in parent.items() if value is item), "")
        pointer += f"/{escape_pointer_token(_spelled(token))}"
    elif isinstance(parent, list):
        index = next((i for i, v in enumerate(parent) if v is item), None)
        if index is not None:
            pointer += f"/{index}"
    where = locator.where(pointer) if locator is not None else f"#{pointer}"
    raise SpecError(name, problem, where)


def _pointer_of(document: Any, wanted: Any) -> str:
    """The pointer of a container found by identity (only on the error path)."""
    found = _search(document, lambda node: node is wanted)
    return found if found is not None else ""


def _search(document: Any, matches: Callable[[Any], bool]) -> str | None:
    stack: list[tuple[Any, str]] = [(document, "")]
    seen: set[int] = set()
    while stack:
        node, pointer = stack.pop()
        if matches(node):
            return pointer
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            stack.extend(
                (value, f"{pointer}/{escape_pointer_token(str(key))}")
                for key, value in reversed(node.items())
                if isinstance(value, dict | list)
            )
        elif isinstance(node, list):
            stack.extend(
                (value, f"{pointer}/{index}")
                for index, value in reversed(list(enumerate(node)))
                if isinstance(value, dict | list)
            )
    return None
