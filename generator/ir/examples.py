"""Build an example value from a schema, for operations whose docs give none.

Fixtures need a request and a response for every operation; where the spec has no example we
make the smallest value that still validates against the schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Resolve = Callable[[dict[str, Any]], dict[str, Any]]

_FORMAT_SAMPLES: dict[str, str] = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "uri": "https://example.com/",
    "email": "user@example.com",
}


def example_for(schema: Any, resolve: Resolve, *, depth: int = 0) -> Any:
    """A value valid against `schema`: its example, default, first enum value, or a minimal one."""
    if not isinstance(schema, dict) or depth > 8:
        return None
    schema = resolve(schema)
    for key in ("example", "default", "const"):
        if key in schema:
            return schema[key]
    if "examples" in schema and isinstance(schema["examples"], list) and schema["examples"]:
        return schema["examples"][0]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("allOf", "oneOf", "anyOf"):
        variants = schema.get(key)
        if isinstance(variants, list) and variants:
            if key == "allOf":
                merged: dict[str, Any] = {}
                for variant in variants:
                    value = example_for(variant, resolve, depth=depth + 1)
                    if isinstance(value, dict):
                        merged.update(value)
                return merged
            non_null = [v for v in variants if resolve(v).get("type") != "null"] or variants
            return example_for(non_null[0], resolve, depth=depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        non_null_kinds = [k for k in kind if k != "null"]
        if not non_null_kinds:
            return None
        kind = non_null_kinds[0]
    if kind == "object" or (kind is None and "properties" in schema):
        # Shapes checked: the validator does not reach every schema (3.1 media types).
        properties = schema.get("properties")
        required = schema.get("required")
        if not isinstance(properties, dict) or not isinstance(required, list):
            return {}
        return {
            name: example_for(properties[name], resolve, depth=depth + 1)
            for name in required
            if isinstance(name, str) and name in properties
        }
    if kind == "array":
        item = example_for(schema.get("items", {}), resolve, depth=depth + 1)
        return [] if item is None and not schema.get("minItems") else [item]
    if kind == "string":
        return _FORMAT_SAMPLES.get(str(schema.get("format")), "string")
    if kind == "integer":
        return int(schema.get("minimum", 0))
    if kind == "number":
        return float(schema.get("minimum", 0))
    if kind == "boolean":
        return True
    return None
