"""Where a document holds references: `$ref` keys OpenAPI reads, never ones inside data.

`{"$ref": ...}` inside an `example`, a `default`, an `enum` or `const` value or an `x-`
extension is data that happens to use that key. Following it would refuse a valid spec (an
unresolved ref), or read a file the spec never referenced into the client. Maps whose keys are
names (`properties`, `paths`, `components/schemas`, ...) are walked as names, so a property
called `example` or `x-id` is still a schema whose refs count.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Any

from generator.spec.locate import escape_pointer_token


class Mode(enum.Enum):
    """How the keys of a mapping are read."""

    KEYWORDS = "keywords"  # an OpenAPI object or a schema: keys are keywords
    NAMES = "names"  # keys are names the spec chose; each value is an object
    NAMES_OR_EXTENSIONS = "names-or-extensions"  # as NAMES, but `x-` keys are extensions
    EXAMPLES = "examples"  # an `examples` map: each value is an Example Object
    EXAMPLE = "example"  # an Example Object: its `value` is data


# Keywords whose value is data (an instance of a schema, or anything at all).
DATA_KEYWORDS = frozenset({"example", "default", "enum", "const"})
# Keywords whose value is a map from names to objects.
NAME_MAPS = frozenset(
    {
        "properties",
        "patternProperties",
        "definitions",
        "$defs",
        "dependentSchemas",
        "webhooks",
        "schemas",
        "parameters",
        "requestBodies",
        "headers",
        "securitySchemes",
        "links",
        "pathItems",
        "content",
        "encoding",
        "variables",
    }
)
# Name maps that may also carry `x-` extensions (the Paths, Responses and Callback objects).
EXTENSIBLE_NAME_MAPS = frozenset({"paths", "responses", "callbacks"})


def is_extension(key: object) -> bool:
    return isinstance(key, str) and key.startswith("x-")


def child_mode(mode: Mode, key: object, value: object) -> Mode | None:
    """How to walk `value`, found under `key` in a mapping read as `mode`; None: it is data."""
    if mode is Mode.NAMES:
        return Mode.KEYWORDS
    if mode is Mode.NAMES_OR_EXTENSIONS:
        return None if is_extension(key) else Mode.KEYWORDS
    if mode is Mode.EXAMPLES:
        return Mode.EXAMPLE
    if not isinstance(key, str):
        return Mode.KEYWORDS
    if is_extension(key) or key in DATA_KEYWORDS or (mode is Mode.EXAMPLE and key == "value"):
        return None
    if key == "examples":  # OpenAPI's map of Example Objects, or JSON Schema's list of data
        return Mode.EXAMPLES if isinstance(value, dict) else None
    if isinstance(value, dict) and key in EXTENSIBLE_NAME_MAPS:
        return Mode.NAMES_OR_EXTENSIONS
    if isinstance(value, dict) and key in NAME_MAPS:
        return Mode.NAMES
    return Mode.KEYWORDS  # a list (of parameters, of schemas...) holds objects


def own_ref(node: dict[Any, Any], mode: Mode) -> str | None:
    """The reference this mapping itself is, if any.

    In a map of names (`properties: {$ref: ...}`) `$ref` would be a name, but a name whose
    value is a string is no valid entry there, and openapi-spec-validator follows it: it is a
    reference, checked (and refused if remote) like any other.
    """
    ref = node.get("$ref")
    return ref if isinstance(ref, str) else None


def root_mode(kind: str | None = None) -> Mode:
    """The mode of a whole document (None), or of one entry of `components/<kind>`."""
    return Mode.EXAMPLE if kind == "examples" else Mode.KEYWORDS


def iter_refs(data: Any, mode: Mode = Mode.KEYWORDS) -> Iterator[tuple[str, str]]:
    """(pointer of the referring mapping, ref) for every reference, in document order."""
    stack: list[tuple[Any, str, Mode]] = [(data, "", mode)]
    while stack:
        node, pointer, node_mode = stack.pop()
        if isinstance(node, dict):
            ref = own_ref(node, node_mode)
            if ref is not None:
                yield pointer, ref
            children = []
            for key, value in node.items():
                if isinstance(value, dict | list):
                    value_mode = child_mode(node_mode, key, value)
                    if value_mode is not None:
                        token = escape_pointer_token(str(key))
                        children.append((value, f"{pointer}/{token}", value_mode))
            stack.extend(reversed(children))
        elif isinstance(node, list):
            stack.extend(
                (item, f"{pointer}/{index}", Mode.KEYWORDS)
                for index, item in reversed(list(enumerate(node)))
                if isinstance(item, dict | list)
            )


def collect_refs(data: Any, *, kind: str | None = None) -> set[str]:
    """Every distinct reference under `data` (a document, or an entry of `components/<kind>`)."""
    refs: set[str] = set()
    stack: list[tuple[Any, Mode]] = [(data, root_mode(kind))]
    while stack:  # iter_refs without the pointers: this runs on every load
        node, mode = stack.pop()
        if isinstance(node, dict):
            ref = own_ref(node, mode)
            if ref is not None:
                refs.add(ref)
            for key, value in node.items():
                if isinstance(value, dict | list):
                    value_mode = child_mode(mode, key, value)
                    if value_mode is not None:
                        stack.append((value, value_mode))
        elif isinstance(node, list):
            stack.extend((item, Mode.KEYWORDS) for item in node if isinstance(item, dict | list))
    return refs


# What a `$ref` key inside data is renamed to for openapi-spec-validator, which would otherwise
# follow it: it reads `default` values through a resolving accessor, so a `$ref` there made it
# open local files and URLs.
HIDDEN_REF_KEY = "$ref (data)"


def data_refs_hidden(document: Any) -> Any:
    """`document`, with every `$ref` key inside data renamed to HIDDEN_REF_KEY.

    Copies only the mappings on the way to such a key: a document without one comes back as
    the very same object.
    """
    return _hide(document, Mode.KEYWORDS)


def _hide(node: Any, mode: Mode | None) -> Any:
    if mode is None:  # data: every `$ref` key below is renamed
        if isinstance(node, dict):
            renamed = {
                (HIDDEN_REF_KEY if key == "$ref" else key): _hide(value, None)
                for key, value in node.items()
            }
            changed = "$ref" in node or any(
                renamed[k] is not v for k, v in node.items() if k != "$ref"
            )
            return renamed if changed else node
        if isinstance(node, list):
            items = [_hide(item, None) for item in node]
            return items if any(a is not b for a, b in zip(items, node, strict=True)) else node
        return node
    if isinstance(node, dict):
        hidden = {
            key: _hide(value, child_mode(mode, key, value))
            if isinstance(value, dict | list)
            else value
            for key, value in node.items()
        }
        return hidden if any(hidden[key] is not value for key, value in node.items()) else node
    if isinstance(node, list):
        items = [_hide(item, Mode.KEYWORDS) for item in node]
        return items if any(a is not b for a, b in zip(items, node, strict=True)) else node
    return node
