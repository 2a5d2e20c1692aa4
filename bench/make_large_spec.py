"""Write a large, PostHog-shaped OpenAPI 3.0 document for benchmarks.

The output is deterministic (fixed seed): five CRUD operations and five schemas per resource, a
shared `UserBasic` schema reached from every operation, and a small reference cycle, so diff and
lint benchmarks exercise `$ref` fan-out and cycle handling. `--mutate` applies a fixed mix of
breaking, warning and info changes so a diff against the unmutated document has work to report.

    python bench/make_large_spec.py --operations 1000 --out /tmp/large.yaml [--mutate]
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]


class _Dumper(_BaseDumper):
    """Writes shared sub-dicts out in full: real specs have no YAML anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


SEED = 20240611
OPERATIONS_PER_RESOURCE = 5
FIELDS_PER_SCHEMA = 23

ADJECTIVES = ["batch", "cohort", "event", "feature", "insight", "person", "session", "survey"]
NOUNS = ["action", "alert", "export", "flag", "group", "hook", "note", "query", "task", "view"]
WORDS = [
    *("the", "of", "project", "team", "event", "person", "insight", "cohort", "dashboard"),
    *("filter", "property", "value", "time", "window", "query", "result", "breakdown"),
    *("series", "interval", "count", "unique", "users", "sessions", "funnel", "step"),
]
FIELD_TYPES: list[dict[str, Any]] = [
    {"type": "string", "maxLength": 400},
    {"type": "integer", "minimum": 0, "maximum": 2147483647},
    {"type": "boolean", "default": False},
    {"type": "string", "format": "date-time"},
    {"type": "number", "format": "double"},
    {"type": "array", "items": {"type": "string", "maxLength": 200}},
    {"type": "object", "additionalProperties": True},
]
Document = dict[str, Any]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _resource_names(count: int) -> Iterator[str]:
    for index in range(count):
        adjective = ADJECTIVES[index % len(ADJECTIVES)]
        noun = NOUNS[(index // len(ADJECTIVES)) % len(NOUNS)]
        yield f"{adjective}_{noun}_{index:04d}"


def _class_name(resource: str) -> str:
    return "".join(part.capitalize() for part in resource.split("_"))


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _field(rng: random.Random, index: int) -> tuple[str, dict[str, Any]]:
    schema = dict(FIELD_TYPES[index % len(FIELD_TYPES)])
    schema["description"] = _sentence(rng, rng.randint(40, 80))
    if schema["type"] == "string" and "format" not in schema:
        schema["example"] = _sentence(rng, 3)
    return f"{rng.choice(WORDS)}_{rng.choice(WORDS)}_{index}", schema


def _schemas(rng: random.Random, resource: str) -> dict[str, Any]:
    cls = _class_name(resource)
    fields = dict(_field(rng, index) for index in range(FIELDS_PER_SCHEMA))
    field_names = list(fields)
    read = {
        "id": {"type": "integer", "readOnly": True},
        "status": _ref(f"{cls}StatusEnum"),
        "created_by": _ref("UserBasic"),
        "created_at": {"type": "string", "format": "date-time", "readOnly": True},
        **fields,
    }
    write = {"status": _ref(f"{cls}StatusEnum"), **copy.deepcopy(fields)}
    return {
        cls: {
            "type": "object",
            "description": _sentence(rng, 30),
            "properties": read,
            "required": ["id", "created_by", "created_at", *field_names[:6]],
        },
        f"{cls}Request": {
            "type": "object",
            "properties": write,
            "required": field_names[:6],
        },
        f"Patched{cls}Request": {"type": "object", "properties": copy.deepcopy(write)},
        f"Paginated{cls}List": {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": {"type": "array", "items": _ref(cls)},
            },
        },
        f"{cls}StatusEnum": {
            "type": "string",
            "enum": ["draft", "active", "archived"],
            "description": "* `draft` - Draft\n* `active` - Active\n* `archived` - Archived",
        },
    }


def _shared_schemas() -> dict[str, Any]:
    return {
        "UserBasic": {
            "type": "object",
            "properties": {
                "id": {"type": "integer", "readOnly": True},
                "uuid": {"type": "string", "format": "uuid", "readOnly": True},
                "first_name": {"type": "string", "maxLength": 150},
                "last_name": {"type": "string", "maxLength": 150},
                "email": {"type": "string", "format": "email", "maxLength": 254},
                "organization": _ref("OrganizationBasic"),
            },
            "required": ["id", "uuid", "email"],
        },
        "OrganizationBasic": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "format": "uuid", "readOnly": True},
                "name": {"type": "string", "maxLength": 64},
                "owner": {"allOf": [_ref("UserBasic")], "nullable": True},
            },
            "required": ["id", "name"],
        },
    }


def _parameter(name: str, where: str, schema: dict[str, Any], required: bool) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": required,
        "description": f"The {name.replace('_', ' ')}.",
        "schema": schema,
    }


def _operations(rng: random.Random, resource: str) -> dict[str, Any]:
    cls = _class_name(resource)
    tag = resource.rsplit("_", 1)[0]
    project = _parameter("project_id", "path", {"type": "string"}, required=True)
    item_id = _parameter("id", "path", {"type": "integer"}, required=True)

    def operation(suffix: str, scope: str, **extra: Any) -> dict[str, Any]:
        return {
            "operationId": f"{resource}_{suffix}",
            "summary": _sentence(rng, 6),
            "description": _sentence(rng, 150),
            "tags": [tag],
            "security": [{"PersonalAPIKeyAuth": [f"{tag}:{scope}"]}],
            **extra,
        }

    def body(name: str) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}

    def ok(name: str, status: str = "200") -> dict[str, Any]:
        content = {"application/json": {"schema": _ref(name)}}
        return {status: {"description": "", "content": content}}

    query = [
        _parameter("limit", "query", {"type": "integer", "maximum": 1000}, required=False),
        _parameter("offset", "query", {"type": "integer"}, required=False),
        _parameter("search", "query", {"type": "string"}, required=False),
    ]
    base = f"/api/projects/{{project_id}}/{resource}/"
    return {
        base: {
            "get": operation(
                "list", "read", parameters=[project, *query], responses=ok(f"Paginated{cls}List")
            ),
            "post": operation(
                "create",
                "write",
                parameters=[project],
                requestBody=body(f"{cls}Request"),
                responses=ok(cls, "201"),
            ),
        },
        base + "{id}/": {
            "get": operation("retrieve", "read", parameters=[project, item_id], responses=ok(cls)),
            "patch": operation(
                "partial_update",
                "write",
                parameters=[project, item_id],
                requestBody=body(f"Patched{cls}Request"),
                responses=ok(cls),
            ),
            "delete": operation(
                "destroy",
                "write",
                parameters=[project, item_id],
                responses={"204": {"description": "No response body"}},
            ),
        },
    }


def make_spec(operations: int, seed: int = SEED) -> Document:
    """Build the document in memory; same arguments, same document."""
    rng = random.Random(seed)
    resources = list(_resource_names(max(1, operations // OPERATIONS_PER_RESOURCE)))
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = _shared_schemas()
    for resource in resources:
        paths.update(_operations(rng, resource))
        schemas.update(_schemas(rng, resource))
    return {
        "openapi": "3.0.3",
        "info": {"title": "PostHog API (synthetic)", "version": "1.0.0"},
        "servers": [{"url": "https://us.posthog.com"}, {"url": "https://eu.posthog.com"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "PersonalAPIKeyAuth": {"type": "http", "scheme": "bearer"},
            },
        },
    }


# --- mutations: each one a small function, applied in order with a fixed seed -----------------


def _operation_items(doc: Document) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "patch", "delete", "put"}
    ]


def _remove_operations(doc: Document, rng: random.Random) -> None:
    for path, method, _ in rng.sample(_operation_items(doc), 3):
        del doc["paths"][path][method]


def _add_operations(doc: Document, rng: random.Random) -> None:
    for index in range(5):
        doc["paths"][f"/api/projects/{{project_id}}/new_endpoint_{index}/"] = {
            "get": {
                "operationId": f"new_endpoint_{index}_list",
                "tags": ["new"],
                "summary": "New endpoint.",
                "security": [{"PersonalAPIKeyAuth": ["new:read"]}],
                "parameters": [_parameter("project_id", "path", {"type": "string"}, True)],
                "responses": {"200": {"description": "", "content": {}}},
            }
        }


def _rename_operation_ids(doc: Document, rng: random.Random) -> None:
    for _, _, op in rng.sample(_operation_items(doc), 2):
        op["operationId"] += "_renamed"


def _add_required_query_parameter(doc: Document, rng: random.Random) -> None:
    for _, _, op in rng.sample(_operation_items(doc), 2):
        op.setdefault("parameters", []).append(
            _parameter("mode", "query", {"type": "string"}, required=True)
        )


def _make_limit_required(doc: Document, rng: random.Random) -> None:
    lists = [op for _, method, op in _operation_items(doc) if op["operationId"].endswith("_list")]
    for op in rng.sample(lists, 2):
        for parameter in op["parameters"]:
            if parameter["name"] == "limit":
                parameter["required"] = True


def _remove_shared_field(doc: Document, rng: random.Random) -> None:
    del doc["components"]["schemas"]["UserBasic"]["properties"]["last_name"]


def _change_field_types(doc: Document, rng: random.Random) -> None:
    schemas = doc["components"]["schemas"]
    for name in rng.sample(sorted(n for n in schemas if n.endswith("Request")), 5):
        for field in schemas[name]["properties"].values():
            if field.get("type") == "integer":
                field["type"] = "string"
                break


def _add_enum_values(doc: Document, rng: random.Random) -> None:
    schemas = doc["components"]["schemas"]
    for name in rng.sample(sorted(n for n in schemas if n.endswith("StatusEnum")), 3):
        schemas[name]["enum"].append("deleted")


def _tighten_max_length(doc: Document, rng: random.Random) -> None:
    schemas = doc["components"]["schemas"]
    for name in rng.sample(sorted(n for n in schemas if n.endswith("Request")), 3):
        for field in schemas[name]["properties"].values():
            if "maxLength" in field:
                field["maxLength"] = 100
                break


def _edit_descriptions(doc: Document, rng: random.Random) -> None:
    for _, _, op in rng.sample(_operation_items(doc), 20):
        op["description"] = "Rewritten. " + op.get("description", "")


def _remove_server(doc: Document, rng: random.Random) -> None:
    doc["servers"].pop()


def _add_scope(doc: Document, rng: random.Random) -> None:
    for _, _, op in rng.sample(_operation_items(doc), 2):
        op["security"][0]["PersonalAPIKeyAuth"].append("organization:admin")


def _rename_schema(doc: Document, rng: random.Random) -> None:
    """Rename one enum component and every `$ref` to it: same content, new class name."""
    schemas = doc["components"]["schemas"]
    old = rng.choice(sorted(name for name in schemas if name.endswith("StatusEnum")))
    new = old.replace("StatusEnum", "State")
    schemas[new] = schemas.pop(old)
    old_ref, new_ref = f"#/components/schemas/{old}", f"#/components/schemas/{new}"
    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("$ref") == old_ref:
                node["$ref"] = new_ref
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _change_create_status(doc: Document, rng: random.Random) -> None:
    creates = [op for _, method, op in _operation_items(doc) if method == "post"]
    responses = rng.choice(creates)["responses"]
    responses["200"] = responses.pop("201")


MUTATIONS: list[Callable[[Document, random.Random], None]] = [
    _remove_operations,
    _add_operations,
    _rename_operation_ids,
    _add_required_query_parameter,
    _make_limit_required,
    _remove_shared_field,
    _change_field_types,
    _add_enum_values,
    _tighten_max_length,
    _edit_descriptions,
    _remove_server,
    _add_scope,
    _rename_schema,
    _change_create_status,
]


def mutate(doc: Document, seed: int = SEED) -> Document:
    """Apply every mutation in order; deterministic for a given seed."""
    rng = random.Random(seed + 1)
    for mutation in MUTATIONS:
        mutation(doc, rng)
    return doc


def write_spec(doc: Document, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as stream:
        yaml.dump(doc, stream, Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--operations", type=int, default=1000, help="about this many operations")
    parser.add_argument("--out", type=Path, required=True, help="YAML file to write")
    parser.add_argument("--mutate", action="store_true", help="apply the fixed set of changes")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    doc = make_spec(args.operations, args.seed)
    if args.mutate:
        mutate(doc, args.seed)
    write_spec(doc, args.out)
    size_mb = args.out.stat().st_size / 1e6
    print(f"wrote {args.out} ({size_mb:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
