"""Assemble one request/response fixture per operation from the spec's examples."""

from __future__ import annotations

from typing import Any

from generator.model import Api, Operation


def build_fixtures(api: Api) -> dict[str, dict[str, Any]]:
    """operation_id -> fixture; examples the spec lacks were synthesised by the parser."""
    return {operation.operation_id: fixture_for(operation) for operation in api.operations}


def fixture_for(operation: Operation) -> dict[str, Any]:
    success = operation.success
    response_body = success.example if success.content_type else None
    if operation.return_kind == "page" and isinstance(response_body, dict):
        # A fixture is one complete page: a `next` link to the docs' example host would make
        # auto-paging leave the configured host (which the client rightly refuses).
        response_body = {**response_body, "next": None, "previous": None}
    documented = [r.status for r in operation.responses if r.status.isdigit()]
    if success.status not in documented and documented:
        # No success documented (e.g. a DELETE the API answers with 405): serve what is.
        status = int(documented[0])
    else:
        status = int(success.status) if success.status.isdigit() else 200
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
        "status": status,
        "response_body": response_body,
    }
