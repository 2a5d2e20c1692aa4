"""One probe run: which GET operations to call, in what order, and with which path values.

Lists are called first; a retrieve (`/things/{id}/`) takes its id from the first item its list
returned, so a run needs nothing but the project (`--project-id`, `--organization-id`). An
operation that cannot be called (a required query parameter, no list to take an id from, the
request budget spent) is skipped with the reason, never guessed at.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.review.arguments import USER_PARAMETERS
from generator.review.document import Spec, as_list, as_mapping, child
from generator.review.probe_check import ResponseChecker, parse_json
from generator.review.probe_http import (
    MAX_ATTEMPTS,
    MAX_BODY_BYTES,
    BudgetSpent,
    Http,
    ProbeSettings,
)
from generator.review.probe_report import OperationResult, ProbeReport

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_PATH_SAFE = "/%:@!$&'()*+,;="  # RFC 3986 path characters; values are %-encoded already


@dataclass(frozen=True)
class _Operation:
    name: str
    path: str
    pointer: str  # JSON pointer of the operation object
    node: dict[str, Any]
    path_item: dict[str, Any]


def get_operations(document: dict[str, Any]) -> list[_Operation]:
    """The spec's GET operations, in document order; nothing else is ever called."""
    found = []
    for path, item in (document.get("paths") or {}).items():
        node = item.get("get") if isinstance(item, dict) else None
        if isinstance(node, dict):
            name = str(node.get("operationId") or f"GET {path}")
            found.append(_Operation(name, path, child("/paths", path, "get"), node, item))
    return found


def probe(
    document: dict[str, Any],
    settings: ProbeSettings,
    *,
    spec_label: str,
    sleep: Callable[[float], None] = time.sleep,
) -> ProbeReport:
    """Probe every GET operation of a validated spec; SpecError on a refused key or no answer."""
    run = _Run(document, settings, sleep)
    pending = get_operations(document)
    while pending:  # each round answers at least the shortest waiting path: lists are shorter
        waiting = [op for op in pending if not run.attempt(op)]
        assert len(waiting) < len(pending), "an operation waits for a list that never comes"
        pending = waiting
    return ProbeReport(settings.host, spec_label, tuple(run.results), run.http.sent)


class _Run:
    """State of one probe: results so far and the first item of each list answered."""

    def __init__(
        self, document: dict[str, Any], settings: ProbeSettings, sleep: Callable[[float], None]
    ) -> None:
        self.spec = Spec(document)
        self.settings = settings
        self.http = Http(settings, sleep)
        self.results: list[OperationResult] = []
        self.first_items: dict[str, dict[str, Any] | None] = {}  # list path -> first item
        self.done: set[str] = set()  # paths probed or skipped
        self.get_paths = {op.path: op.name for op in get_operations(document)}
        self.checker = ResponseChecker(document)
        self.budget_spent = False

    def attempt(self, op: _Operation) -> bool:
        """Probe or skip `op`; False when it waits for a list not probed yet."""
        if self.budget_spent:
            return self.skip(
                op, f"request budget spent (--max-requests {self.settings.max_requests})"
            )
        values = self.path_values(op)
        if values is None:
            return False
        if isinstance(values, str):
            return self.skip(op, values)
        url_path = _PLACEHOLDER.sub(lambda m: urllib.parse.quote(values[m[1]], safe=""), op.path)
        url_path = urllib.parse.quote(url_path, safe=_PATH_SAFE)  # a space in a spec path too
        try:
            answer = self.http.get(url_path, op.name)
        except BudgetSpent:
            self.budget_spent = True
            return self.attempt(op)
        if answer.status == 429:
            return self.skip(op, f"still rate limited (429) after {MAX_ATTEMPTS} attempts")
        if len(answer.body) > MAX_BODY_BYTES:
            return self.skip(op, f"body larger than {MAX_BODY_BYTES:,} bytes")
        body = parse_json(answer.body)
        disagreements = self.checker.check(op.node, op.pointer, answer, body)
        self.first_items[op.path] = _first_item(body) if 200 <= answer.status < 300 else None
        self.done.add(op.path)
        self.results.append(OperationResult(op.name, op.path, answer.status, disagreements))
        return True

    def skip(self, op: _Operation, reason: str) -> bool:
        self.done.add(op.path)
        self.results.append(OperationResult(op.name, op.path, skipped_because=reason))
        return True

    def path_values(self, op: _Operation) -> dict[str, str] | str | None:
        """Values for the path's placeholders, a reason to skip (str), or None: wait for a list."""
        problem = _unsupported_parameter(self.spec, op)
        if problem:
            return problem
        values: dict[str, str] = {}
        for name in _PLACEHOLDER.findall(op.path):
            if name in self.settings.path_values:
                values[name] = self.settings.path_values[name]
                continue
            if name in USER_PARAMETERS:
                flag, env = USER_PARAMETERS[name]
                return f"needs {name}: give {flag} or set {env}"
            list_path = op.path[: op.path.index(f"{{{name}}}")]
            lister = self.get_paths.get(list_path)
            if lister is None:
                return f"no list operation at {list_path} to take {name} from"
            if list_path not in self.done:
                return None
            if list_path not in self.first_items:
                return f"needs {name} from {lister}, which was skipped"
            item = self.first_items[list_path]
            if item is None:
                return f"{lister} returned no items to take {name} from"
            value = item.get(name)
            if not isinstance(value, str | int) or isinstance(value, bool) or value == "":
                return f"the first item of {lister} has no usable {name}"
            values[name] = str(value)
        return values


def _unsupported_parameter(spec: Spec, op: _Operation) -> str:
    """A required query/header/cookie parameter the probe has no value for: skip, saying so."""
    for raw in [*as_list(op.path_item.get("parameters")), *as_list(op.node.get("parameters"))]:
        parameter = as_mapping(spec.resolve(("", raw))[1])
        if parameter.get("in") != "path" and parameter.get("required"):
            return f"needs {parameter.get('in')} parameter {parameter.get('name')}"
    return ""


def _first_item(body: Any) -> dict[str, Any] | None:
    rows = body.get("results") if isinstance(body, dict) else body
    if isinstance(rows, list) and rows and isinstance(rows[0], dict):
        return rows[0]
    return None
