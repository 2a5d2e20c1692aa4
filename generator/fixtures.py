"""Assemble one request/response fixture per operation from the spec's examples."""

from __future__ import annotations

from typing import Any

from generator.model import Api, Operation


def build_fixtures(api: Api) -> dict[str, dict[str, Any]]:
    """operation_id -> fixture; examples the spec lacks were synthesised by the parser."""
    return {operation.operation_id: fixture_for(operation) for operation in api.operations}


def fixture_for(operation: Operation) -> dict[str, Any]:
    success = operation.success
    return {
        "operation_id": operation.operation_id,
        "method": operation.http_method,
        "path": operation.path,
        "path_params": {p.wire_name: p.example for p in operation.path_parameters},
        "query": {
            p.wire_name: p.example
            for p in operation.query_parameters
            if p.has_example or p.required
        },
        "request_body": operation.body.example if operation.body is not None else None,
        "status": int(success.status) if success.status.isdigit() else 200,
        "response_body": success.example if success.content_type else None,
    }
