"""Assemble one request/response fixture per operation from the spec's examples."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.errors import SpecError
from generator.ir.model import Api, Operation, Response


@dataclass(frozen=True)
class Fixture:
    value: dict[str, Any] | None  # None: taken over from the last run (`build_fixtures`)
    line: str  # compact JSON on one line, for the bundle that fixture_transport() reads


def build_fixtures(api: Api, unchanged: Mapping[str, str] | None = None) -> dict[str, Fixture]:
    """operation_id -> fixture; examples the spec lacks were synthesised by the parser.

    Fixtures are strict JSON (no NaN or Infinity, no YAML dates or bytes): a value that is not
    stops the run with one line naming the operation, before anything is written.
    `unchanged`: the last run's lines of the operations that are as they were (their fixture
    files are kept as well: generator.emit.render.reusable_files).
    """
    unchanged = unchanged or {}
    fixtures: dict[str, Fixture] = {}
    for operation in api.operations:
        if operation.operation_id in unchanged:
            fixtures[operation.operation_id] = Fixture(None, unchanged[operation.operation_id])
            continue
        value = fixture_for(operation)
        try:
            line = json.dumps(value, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
        except (ValueError, TypeError, RecursionError) as exc:
            raise SpecError(
                api.spec_name,
                f"an example of this operation is not JSON: {_not_json(value, exc)}"
                " (quote it in the spec)",
                f"#{operation.pointer}",
            ) from None
        fixtures[operation.operation_id] = Fixture(value, line)
    return fixtures


def _not_json(value: Any, error: Exception) -> str:
    """What in `value` strict JSON cannot hold (json.dumps raised `error`)."""
    if isinstance(error, ValueError):
        return "a number that is NaN or infinite"
    return _unserialisable(value) or str(error)


def _unserialisable(value: Any) -> str | None:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
            bad = [key for key in node if not isinstance(key, str | int | float | bool | None)]
            if bad:
                return f"the key {bad[0]!r}"
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, float) and not math.isfinite(node):
            return "a number that is NaN or infinite"
        elif not isinstance(node, str | int | float | bool | None):
            return f"{node!r} (a {type(node).__name__})"
    return None


# Responses nearly every operation documents; they say little about this one.
_GENERIC_STATUSES = frozenset({"400", "401", "403", "404", "429"})


def fixture_for(operation: Operation) -> dict[str, Any]:
    """Request and response of one operation; a list's response spans `PAGES` pages."""
    served = _served_response(operation)
    response_body = served.example if served.content_type else None
    paged = operation.return_kind == "page" and _has_items(response_body)
    if operation.return_kind == "page" and isinstance(response_body, dict):
        response_body = _page(response_body, PAGES if paged else 1)
    fixture: dict[str, Any] = {
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
    if paged:
        fixture["pages"] = PAGES
    return fixture


# A list fixture is this many pages of the example page, so `for item in client.x.list()` on
# `fixture_transport()` walks several: the transport serves the page at each `offset`.
PAGES = 3


def _has_items(body: Any) -> bool:
    return (
        isinstance(body, dict) and isinstance(body.get("results"), list) and bool(body["results"])
    )


def _page(body: dict[str, Any], pages: int) -> dict[str, Any]:
    """The example page with `count` the total over `pages`; `next`/`previous` stay null: the
    transport writes them from the request's own URL, so auto-paging never leaves the host
    the client was given (a link to the docs' example host would be refused)."""
    page = {**body, "next": None, "previous": None}
    if pages > 1:
        page["count"] = pages * len(body["results"])
    return page


def _served_response(operation: Operation) -> Response:
    """The success response; with none documented (a DELETE the API answers with 405), the
    response most particular to this operation."""
    documented = [r for r in operation.responses if r.status.isdigit()]
    if any(r.status == operation.success.status for r in documented) or not documented:
        return operation.success
    particular = [r for r in documented if r.status not in _GENERIC_STATUSES]
    return min(particular or documented, key=lambda r: r.status)
