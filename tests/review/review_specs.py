"""A small, valid, lint-clean PostHog-shaped spec that the review tests mutate one change at a time.

Shapes worth knowing: `UserBasic` is reached twice from `Insight` (created_by, last_modified_by)
and forms a cycle with `TeamBasic`; `ResultKindEnum` and `Filters` are shared by request and
response schemas; three operations return `Insight`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

LIST = ("paths", "/api/projects/{project_id}/insights/", "get")
CREATE = ("paths", "/api/projects/{project_id}/insights/", "post")
RETRIEVE = ("paths", "/api/projects/{project_id}/insights/{id}/", "get")


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": ref(schema)}}


PROJECT_ID = {"name": "project_id", "in": "path", "required": True, "schema": {"type": "string"}}

_BASE: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "PostHog API", "version": "1.0.0"},
    "servers": [{"url": "https://us.posthog.com"}, {"url": "https://eu.posthog.com"}],
    "paths": {
        "/api/projects/{project_id}/insights/": {
            "get": {
                "operationId": "insights_list",
                "summary": "List insights.",
                "tags": ["insights"],
                "security": [{"PersonalAPIKeyAuth": ["insight:read"]}],
                "parameters": [
                    PROJECT_ID,
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "maximum": 100, "default": 10},
                    },
                    {
                        "name": "kind",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["trends", "funnels"]},
                    },
                ],
                "responses": {
                    "200": {"description": "OK", "content": _json("PaginatedInsightList")}
                },
            },
            "post": {
                "operationId": "insights_create",
                "summary": "Create an insight.",
                "tags": ["insights"],
                "security": [{"PersonalAPIKeyAuth": ["insight:write"]}],
                "parameters": [PROJECT_ID],
                "requestBody": {"required": True, "content": _json("InsightRequest")},
                "responses": {"201": {"description": "Created", "content": _json("Insight")}},
            },
        },
        "/api/projects/{project_id}/insights/{id}/": {
            "get": {
                "operationId": "insights_retrieve",
                "summary": "Retrieve an insight.",
                "tags": ["insights"],
                "security": [{"PersonalAPIKeyAuth": ["insight:read"]}],
                "parameters": [
                    PROJECT_ID,
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                ],
                "responses": {"200": {"description": "OK", "content": _json("Insight")}},
            },
        },
    },
    "components": {
        "schemas": {
            "Insight": {
                "type": "object",
                "required": ["id", "name", "result_kind", "created_by"],
                "properties": {
                    "id": {"type": "integer", "readOnly": True},
                    "name": {"type": "string", "maxLength": 400, "example": "Weekly signups"},
                    "description": {"type": "string"},
                    "result_kind": ref("ResultKindEnum"),
                    "filters": ref("Filters"),
                    "created_by": ref("UserBasic"),
                    "last_modified_by": ref("UserBasic"),
                },
            },
            "InsightRequest": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "maxLength": 400},
                    "description": {"type": "string"},
                    "result_kind": ref("ResultKindEnum"),
                    "filters": ref("Filters"),
                },
            },
            "PaginatedInsightList": {
                "type": "object",
                "required": ["results"],
                "properties": {
                    "count": {"type": "integer"},
                    "results": {"type": "array", "items": ref("Insight")},
                },
            },
            "ResultKindEnum": {"type": "string", "enum": ["trends", "funnels"]},
            "Filters": {
                "oneOf": [
                    {"type": "object", "properties": {"events": {"type": "array", "items": {}}}},
                    {"type": "object", "properties": {"funnel_window": {"type": "integer"}}},
                ]
            },
            "UserBasic": {
                "type": "object",
                "required": ["id", "email"],
                "properties": {
                    "id": {"type": "integer"},
                    "email": {"type": "string"},
                    "first_name": {"type": "string"},
                    "team": ref("TeamBasic"),
                },
            },
            "TeamBasic": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "members": {"type": "array", "items": ref("UserBasic")},
                },
            },
        },
        "securitySchemes": {"PersonalAPIKeyAuth": {"type": "http", "scheme": "bearer"}},
    },
}


def base_spec() -> dict[str, Any]:
    """A fresh copy with no shared sub-objects: tests mutate it freely."""
    result: dict[str, Any] = json.loads(json.dumps(_BASE))
    return result


def at(doc: dict[str, Any], *keys: str | int) -> Any:
    """The value under `keys`, e.g. `at(doc, *LIST, "parameters", 1)`."""
    value: Any = doc
    for key in keys:
        value = value[key]
    return value


def schema(doc: dict[str, Any], name: str) -> dict[str, Any]:
    result: dict[str, Any] = doc["components"]["schemas"][name]
    return result


def parameter(doc: dict[str, Any], op: tuple[str, ...], name: str) -> dict[str, Any]:
    return next(p for p in at(doc, *op, "parameters") if p.get("name") == name)


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path
