"""Assemble one request/response fixture per operation from the spec's examples."""

from __future__ import annotations

from typing import Any

from generator.ir.model import Api, Operation, Response


def build_fixtures(api: Api) -> dict[str, dict[str, Any]]:
    """operation_id -> fixture; examples the spec lacks were synthesised by the parser."""
    return {operation.operation_id: fixture_for(operation) for operation in api.operations}


# Responses nearly every operation documents; they say little about this one.
_GENERIC_STATUSES = frozenset({"400", "401", "403", "404", "429"})


def fixture_for(operation: Operation) -> dict[str, Any]:
    served = _served_response(operation)
    response_body = served.example if served.content_type else None
    if operation.return_kind == "page" and isinstance(response_body, dict):
        # A fixture is one complete page: a `next` link to the docs' example host would make
        # auto-paging leave the configured host (which the client rightly refuses).
        response_body = {**response_body, "next": None, "previous": None}
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
        "status": int(served.status) if served.status.isdigit() else 200,
        "response_body": response_body,
    }


def _served_response(operation: Operation) -> Response:
    """The success response; with none documented (a DELETE the API answers with 405), the
    response most particular to this operation."""
    documented = [r for r in operation.responses if r.status.isdigit()]
    if any(r.status == operation.success.status for r in documented) or not documented:
        return operation.success
    particular = [r for r in documented if r.status not in _GENERIC_STATUSES]
    return min(particular or documented, key=lambda r: r.status)
