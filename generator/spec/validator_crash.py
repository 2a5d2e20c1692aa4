"""Where openapi-spec-validator tripped over a malformed value, and what is wrong with it.

After its check against the OpenAPI JSON Schema the validator walks the document, and a value
that check did not see can trip the walk with a KeyError or TypeError: a schema reached only
through a `$ref` in `items` (3.1 does not hold it to the meta-schema), or a `$ref` leading to
the wrong kind of object (a parameter `$ref` to a schema). The last document node in the
traceback is the node it was reading: that, not the exception, is what the user is shown.
"""

from __future__ import annotations

from typing import Any

from jsonschema_path import SchemaPath

from generator.spec.locate import escape_pointer_token, real_pointer, ref_pointer, resolve_pointer

# Keywords whose value is a list; the validator iterates or indexes the others as objects.
_LISTS = frozenset(
    {"allOf", "anyOf", "oneOf", "prefixItems", "required", "enum", "parameters", "tags"}
    | {"security", "servers"}
)


def crash_site(document: dict[str, Any], exc: BaseException) -> tuple[str, str]:
    """(pointer, message) for an exception out of the validator's walk of `document`."""
    parts = _last_node(exc)
    pointer = real_pointer(document, parts)
    node = _value_at(document, pointer)
    key = exc.args[0] if isinstance(exc, KeyError) and len(exc.args) == 1 else None
    if isinstance(key, str | int):
        if isinstance(node, dict) and key not in node:
            ref = _value_at(document, pointer, follow=False)
            if isinstance(ref, dict) and isinstance(ref.get("$ref"), str):
                return pointer, f"$ref {ref['$ref']!r} leads to an object without {key!r}"
            return pointer, f"{key!r} is a required property"
        if isinstance(node, dict):  # it read this node's `key`
            pointer, node = f"{pointer}/{escape_pointer_token(str(key))}", node[key]
        wants_list = key in _LISTS
        if not isinstance(node, dict | list) or isinstance(node, list) != wants_list:
            expected = "a list" if wants_list else "an object"
            return pointer, f"{_kind(node)} where OpenAPI expects {expected}"
    if isinstance(exc, TypeError) and str(exc).startswith("Expected a string value"):
        return pointer, f"{_kind(node)} where OpenAPI expects a string"  # jsonschema-path's
    if isinstance(exc, RecursionError):
        return pointer, "nested, or referring to itself, too deeply for the OpenAPI validator"
    return pointer, "a value the OpenAPI validator cannot read"


def _last_node(exc: BaseException) -> tuple[Any, ...]:
    """The parts of the last document node (a SchemaPath) the traceback was working on."""
    parts: tuple[Any, ...] = ()
    trace = exc.__traceback__
    while trace is not None:
        node = trace.tb_frame.f_locals.get("self")
        if isinstance(node, SchemaPath):
            parts = tuple(node.parts)
        trace = trace.tb_next
    return parts


def _value_at(document: Any, pointer: str, *, follow: bool = True) -> Any:
    """The node at `pointer` (None if there is none), local `$ref`s followed if `follow`."""
    try:
        node = resolve_pointer(document, pointer)
        for _ in range(50 if follow else 0):  # a loop of refs is reported elsewhere
            ref = node.get("$ref") if isinstance(node, dict) else None
            if not (isinstance(ref, str) and ref.startswith("#")):
                break
            node = resolve_pointer(document, ref_pointer(ref))
    except (KeyError, IndexError, ValueError, TypeError):
        return None
    return node


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    return names.get(type(value), "a list" if isinstance(value, list) else "an object")
