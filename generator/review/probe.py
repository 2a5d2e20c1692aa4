"""`posthog-codegen probe`: call a live server's GET operations and check each answer strictly.

A hand-written spec drifts from the server it describes. Before a release the spec maintainer
points the probe at a real project: it calls the spec's GET operations (lists first, then
retrieves with ids taken from the lists' first items), validates every body against the schema
the spec gives for the received status, and reports each disagreement (see probe_report.py).
Exit codes: 0 all agree, 1 any differ, 2 bad input, a refused key or an unreachable host.

Safety, because it runs with a real key against a real server: only GET requests, a bounded
number of them (`--max-requests`), a timeout on each, redirects not followed (they would carry
the key elsewhere), 429 answered by waiting, the first 401/403 ends the run, and the key is
never printed: reports hold paths, keywords and JSON type names, never a received value.
"""

from __future__ import annotations

import argparse
import email.utils
import http.client
import logging
import os
import re
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from generator.errors import SpecError
from generator.review.probe_report import (
    RENDERERS,
    Answer,
    OperationResult,
    ProbeReport,
    ResponseChecker,
    follow_refs,
    parse_json,
)
from generator.spec.load import escape_pointer_token, load_spec
from generator.spec.validate import validate_spec

KEY_ENV = "POSTHOG_PERSONAL_API_KEY"
HOST_ENV = "POSTHOG_HOST"
# Path parameters the user supplies (flag, environment variable), as the generated client does.
USER_PARAMETERS = {
    "project_id": ("--project-id", "POSTHOG_PROJECT_ID"),
    "organization_id": ("--organization-id", "POSTHOG_ORGANIZATION_ID"),
}
DEFAULT_SPEC = Path("spec/posthog.yaml")
DEFAULT_MAX_REQUESTS = 200
DEFAULT_TIMEOUT = 10.0
MAX_ATTEMPTS = 4  # a request and three retries after 429
MAX_RETRY_AFTER = 30.0  # seconds; a longer Retry-After is cut to this
MAX_BODY_BYTES = 20_000_000
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_PATH_SAFE = "/%:@!$&'()*+,;="  # RFC 3986 path characters; values are %-encoded already
_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProbeSettings:
    """Where and how to probe; `path_values` holds project_id/organization_id when given."""

    host: str
    key: str = field(repr=False)  # a repr must never show the key
    path_values: Mapping[str, str] = field(default_factory=dict)
    max_requests: int = DEFAULT_MAX_REQUESTS
    timeout: float = DEFAULT_TIMEOUT


# --- command line --------------------------------------------------------------------------------


def add_probe_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `posthog-codegen probe`."""
    parser.add_argument(
        "--host", help=f"server to probe, e.g. https://us.posthog.com (default: ${HOST_ENV})"
    )
    for name, (flag, env) in USER_PARAMETERS.items():
        parser.add_argument(flag, dest=name, help=f"{name} path parameter (default: ${env})")
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="default: %(default)s")
    parser.add_argument(
        "--format", choices=sorted(RENDERERS), default="markdown", help="report format"
    )
    parser.add_argument("--output", type=Path, help="write the report here instead of stdout")
    parser.add_argument(
        "--max-requests",
        type=int,
        default=DEFAULT_MAX_REQUESTS,
        help="stop sending after this many requests, retries included (default: %(default)s)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help="seconds per request (default: %(default)s)",
    )


def run_probe(args: argparse.Namespace, sleep: Callable[[float], None] = time.sleep) -> int:
    """`posthog-codegen probe`: 0 when every answer agrees with the spec, 1 when any differs."""
    settings = settings_from(args, os.environ)
    spec = load_spec(args.spec)
    validate_spec(spec)
    if urllib.parse.urlsplit(settings.host).scheme == "http" and not _is_loopback(settings.host):
        print("warning: --host uses plain http: the key travels unencrypted", file=sys.stderr)
    report = probe(spec.data, settings, spec_label=str(args.spec), sleep=sleep)
    if report.probed == 0:
        reasons = sorted({result.skipped_because for result in report.results})
        raise SpecError(str(args.spec), f"no GET operation could be called: {'; '.join(reasons)}")
    text = RENDERERS[args.format](report)
    if len(settings.key) >= 8:  # defence in depth: no code path puts it there
        text = text.replace(settings.key, "[redacted]")
    if args.output is None:
        sys.stdout.write(text)
    else:
        _write_atomically(args.output, text)
        print(f"probe: {report.summary()}; report written to {args.output}", file=sys.stderr)
    return report.exit_code()


def settings_from(args: argparse.Namespace, environ: Mapping[str, str]) -> ProbeSettings:
    """Check the host and key before anything is loaded or sent; SpecError (exit 2) if unusable."""
    host = (args.host or environ.get(HOST_ENV, "")).strip()
    if not host:
        raise SpecError(
            "--host", f"give the server to probe (https://us.posthog.com) or {HOST_ENV}"
        )
    shown = "--host" if "@" in host else host  # user:password@ must not reach a message
    try:
        parts = urllib.parse.urlsplit(host)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        raise SpecError(shown, "not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SpecError(shown, "not an http(s) URL: give e.g. https://us.posthog.com")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise SpecError(shown, "give the host without credentials, query or fragment")
    key = environ.get(KEY_ENV, "").strip()
    if not key:
        raise SpecError(KEY_ENV, "not set: export a personal API key with read scopes")
    if not all(33 <= ord(char) <= 126 for char in key):
        raise SpecError(KEY_ENV, "holds spaces or non-ASCII characters: not a personal API key")
    path_values = {}
    for name, (_, env) in USER_PARAMETERS.items():
        value = str(getattr(args, name, None) or environ.get(env, "")).strip()
        if value:
            path_values[name] = value
    if args.max_requests < 1 or not args.timeout > 0:
        raise SpecError("probe", "--max-requests and --timeout must be positive")
    return ProbeSettings(
        host=f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}",
        key=key,
        path_values=path_values,
        max_requests=args.max_requests,
        timeout=args.timeout,
    )


def _is_loopback(host: str) -> bool:
    return urllib.parse.urlsplit(host).hostname in ("localhost", "127.0.0.1", "::1")


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the target, then rename: a reader never sees half a report."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise SpecError(str(path), f"cannot write the report: {exc.strerror}") from None


# --- HTTP ----------------------------------------------------------------------------------------


class _BudgetSpent(Exception):
    """`--max-requests` requests were sent; the rest of the run skips its operations."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A followed redirect would carry the key to wherever it points: report the 3xx instead."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def retry_delay(retry_after: str | None, attempt: int) -> float:
    """Seconds to wait after a 429: Retry-After (seconds or an HTTP date), else 1, 2, 4; capped."""
    delay = 2.0**attempt
    text = (retry_after or "").strip()
    if text:
        try:
            delay = float(text)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError):
                pass
            else:
                when = when if when.tzinfo else when.replace(tzinfo=UTC)
                delay = (when - datetime.now(UTC)).total_seconds()
    return min(max(delay, 0.0), MAX_RETRY_AFTER)


class _Http:
    """Sends the probe's GETs: counts them, waits out 429s, stops at 401/403."""

    def __init__(self, settings: ProbeSettings, sleep: Callable[[float], None]) -> None:
        self.settings = settings
        self.sleep = sleep
        self.sent = 0
        self.opener = urllib.request.build_opener(_NoRedirects)

    def get(self, url_path: str, operation: str) -> Answer:
        for attempt in range(MAX_ATTEMPTS):
            answer = self._send(url_path, operation)
            _LOG.debug("GET %s (%s) -> %s", operation, attempt + 1, answer.status)
            if answer.status in (401, 403):
                message = f"the key was refused ({answer.status}) on {operation}"
                raise SpecError(self.settings.host, f"{message}: check the key and its scopes")
            if answer.status != 429 or attempt == MAX_ATTEMPTS - 1:
                return answer
            self.sleep(retry_delay(answer.retry_after, attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, url_path: str, operation: str) -> Answer:
        if self.sent >= self.settings.max_requests:
            raise _BudgetSpent
        self.sent += 1
        request = urllib.request.Request(
            self.settings.host + url_path,
            method="GET",
            headers={"Accept": "application/json", "User-Agent": "posthog-codegen-probe"},
        )
        request.add_unredirected_header("Authorization", f"Bearer {self.settings.key}")
        try:
            with self.opener.open(request, timeout=self.settings.timeout) as response:
                return _answer(response.status, response.headers, response)
        except urllib.error.HTTPError as exc:
            with exc:
                return _answer(exc.code, exc.headers, exc)
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", None) or exc or exc.__class__.__name__
            message = f"no answer on {operation}: {reason}"
            raise SpecError(self.settings.host, message) from None


def _answer(status: int, headers: Any, stream: Any) -> Answer:
    media_type = str(headers.get("Content-Type") or "").split(";")[0].strip().lower()
    return Answer(status, media_type, headers.get("Retry-After"), stream.read(MAX_BODY_BYTES + 1))


# --- the run -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Operation:
    name: str
    path: str
    pointer: str  # JSON pointer of the operation object
    node: dict[str, Any]


def get_operations(document: dict[str, Any]) -> list[_Operation]:
    """The spec's GET operations, in document order; nothing else is ever called."""
    found = []
    for path, item in (document.get("paths") or {}).items():
        node = item.get("get") if isinstance(item, dict) else None
        if isinstance(node, dict):
            name = str(node.get("operationId") or f"GET {path}")
            pointer = f"/paths/{escape_pointer_token(path)}/get"
            found.append(_Operation(name, path, pointer, node))
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
        self.document = document
        self.settings = settings
        self.http = _Http(settings, sleep)
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
        except _BudgetSpent:
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
        problem = _unsupported_parameter(self.document, op)
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


def _unsupported_parameter(document: dict[str, Any], op: _Operation) -> str:
    """A required query/header/cookie parameter the probe has no value for: skip, saying so."""
    item = document["paths"][op.path]
    for raw in [*(item.get("parameters") or []), *(op.node.get("parameters") or [])]:
        parameter, _ = follow_refs(document, raw, "")
        if parameter.get("in") != "path" and parameter.get("required"):
            return f"needs {parameter.get('in')} parameter {parameter.get('name')}"
    return ""


def _first_item(body: Any) -> dict[str, Any] | None:
    rows = body.get("results") if isinstance(body, dict) else body
    if isinstance(rows, list) and rows and isinstance(rows[0], dict):
        return rows[0]
    return None
