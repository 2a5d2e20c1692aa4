"""`posthog-codegen probe` against a local server serving the spec's own examples, with drift.

The server answers every GET operation of spec/posthog.yaml with the example the spec gives
(they validate), so a clean run agrees everywhere; each test then injects drift at known paths
and checks the probe reports exactly that, sends nothing but GETs, and never shows the key.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.cli import main
from generator.errors import SpecError
from generator.review.probe_http import ProbeSettings, retry_delay
from generator.review.probe_report import ProbeReport, render_json, render_markdown
from generator.review.probe_run import get_operations, probe
from generator.spec.load import load_spec

SPEC = Path(__file__).resolve().parents[2] / "spec" / "posthog.yaml"
KEY = "phx_CANARY_" + "s3cr3t" * 6
IDS = {"project_id": "1", "organization_id": "org-1"}
# Operations the spec gives no way to find an id for: skipped with a reason, never called.
SKIPPED = {
    "projects_is_generating_demo_data",
    "app_metrics_retrieve",
    "app_metrics_error_details_retrieve",
    "app_metrics_historical_exports_list",
    "app_metrics_historical_exports_retrieve",
}


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


class FakePostHog:
    """Serves each GET operation's example; `replies` queues one-off answers per operation."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.bodies: dict[str, Any] = {}
        self.routes: list[tuple[re.Pattern[str], str]] = []
        for op in get_operations(document):
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(op.path))
            self.routes.append((re.compile(pattern + r"\Z"), op.name))
            media = op.node["responses"]["200"]["content"]["application/json"]
            if "example" in media:
                self.bodies[op.name] = copy.deepcopy(media["example"])
        self.bodies["signal_reports_artefacts_retrieve"] = {"count": 0, "results": []}
        self.replies: dict[str, list[Reply]] = {}
        self.seen: list[tuple[str, str, str | None]] = []  # method, path, Authorization
        self.lock = threading.Lock()

    def answer(self, method: str, path: str, authorization: str | None) -> Reply:
        with self.lock:
            self.seen.append((method, path, authorization))
            if method != "GET":
                return Reply(405)
            name = next((name for pattern, name in self.routes if pattern.match(path)), None)
            if name is None:
                return Reply(404, b'{"detail": "no route"}')
            queued = self.replies.get(name)
            if queued:
                return queued.pop(0)
            return Reply(200, json.dumps(self.bodies[name]).encode())

    @property
    def methods(self) -> set[str]:
        return {method for method, _, _ in self.seen}


class _Served:
    """The module's one server answers for the current test's FakePostHog (a fresh one each)."""

    fake: FakePostHog | None = None


def _handler(served: type[_Served]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            assert served.fake is not None
            reply = served.fake.answer(self.command, self.path, self.headers.get("Authorization"))
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return load_spec(SPEC).data


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(_Served))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server(
    document: dict[str, Any], base_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[FakePostHog, str]]:
    for name in ("POSTHOG_HOST", "POSTHOG_PROJECT_ID", "POSTHOG_ORGANIZATION_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    _Served.fake = FakePostHog(document)
    yield _Served.fake, base_url
    _Served.fake = None


def run_probe(
    document: dict[str, Any], url: str, sleeps: list[float] | None = None, **settings: Any
) -> ProbeReport:
    options = {"path_values": IDS, **settings}
    waits = sleeps if sleeps is not None else []
    return probe(
        document, ProbeSettings(url, KEY, **options), spec_label="posthog.yaml", sleep=waits.append
    )


def found(report: ProbeReport) -> set[tuple[str, str, str]]:
    return {(r.operation, d.path, d.got) for r in report.results for d in r.disagreements}


def assert_only_gets_with_key(fake: FakePostHog) -> None:
    assert fake.methods == {"GET"}
    assert {authorization for _, _, authorization in fake.seen} == {f"Bearer {KEY}"}


def test_the_spec_examples_agree_and_retrieves_use_ids_from_lists(
    document: dict[str, Any], server: tuple[FakePostHog, str]
) -> None:
    fake, url = server
    report = run_probe(document, url)
    assert found(report) == set()
    assert report.exit_code() == 0
    skipped = {r.operation: r.skipped_because for r in report.results if r.status is None}
    assert set(skipped) == SKIPPED
    assert skipped["app_metrics_retrieve"] == (
        "no list operation at /api/environments/{project_id}/app_metrics/ to take id from"
    )
    callable_gets = len(get_operations(document)) - len(SKIPPED)  # counted from the spec
    assert report.probed == callable_gets and report.requests == callable_gets
    assert_only_gets_with_key(fake)
    paths = [path for _, path, _ in fake.seen]
    assert "/api/projects/1/annotations/0/" in paths  # id 0: the list example's first item
    role_id = fake.bodies["roles_list"]["results"][0]["id"]
    assert f"/api/organizations/org-1/roles/{role_id}/" in paths
    lists_first = paths.index("/api/projects/1/annotations/")
    assert lists_first < paths.index("/api/projects/1/annotations/0/")


def test_every_injected_drift_is_reported_at_its_path_with_the_type_that_came(
    document: dict[str, Any], server: tuple[FakePostHog, str]
) -> None:
    fake, url = server
    bodies = fake.bodies
    bodies["roles_list"]["results"][0]["name"] = None  # null where not nullable
    del bodies["annotations_retrieve"]["updated_at"]  # a required field missing
    bodies["alerts_list"]["results"][0]["enabled"] = "yes"  # wrong JSON type
    bodies["annotations_retrieve"]["scope"] = "not_a_scope"  # unknown enum value
    bodies["alerts_retrieve"]["condition"]["type"] = 5  # inside `oneOf: [AlertCondition, null]`
    report = run_probe(document, url)
    assert found(report) == {
        ("roles_list", "$.results[0].name", "null"),
        ("annotations_retrieve", "$.updated_at", "missing"),
        ("alerts_list", "$.results[0].enabled", "string"),
        ("annotations_retrieve", "$.scope", "string"),
        ("alerts_retrieve", "$.condition.type", "integer"),
    }
    expected = {(r.operation, d.expected) for r in report.results for d in r.disagreements}
    assert ("roles_list", "type string") in expected
    assert ("annotations_retrieve", "required property 'updated_at'") in expected
    assert ("alerts_list", "type boolean") in expected
    assert any(op == "annotations_retrieve" and e.startswith("one of enum [") for op, e in expected)
    assert report.exit_code() == 1 and report.count("differs") == 4
    assert_only_gets_with_key(fake)
    markdown = render_markdown(report)
    assert "| `roles_list` | 200 | `$.results[0].name` | type string | null |" in markdown
    assert "not_a_scope" not in markdown + render_json(report)  # types, never values


def test_undocumented_status_non_json_body_and_wrong_media_type_are_disagreements(
    document: dict[str, Any], server: tuple[FakePostHog, str]
) -> None:
    fake, url = server
    fake.replies["cohorts_list"] = [Reply(500, b"oops")]
    fake.replies["signals_processing_list"] = [Reply(200, b"<html>hi</html>")]
    fake.replies["alerts_list"] = [
        Reply(200, json.dumps(fake.bodies["alerts_list"]).encode(), {"Content-Type": "text/html"})
    ]
    report = run_probe(document, url)
    by_operation = {r.operation: r.disagreements for r in report.results if r.disagreements}
    assert set(by_operation) == {"cohorts_list", "signals_processing_list", "alerts_list"}
    (status,) = by_operation["cohorts_list"]
    assert (status.got, status.expected) == (
        "status 500",
        "a documented status (200, 401, 403, 429)",
    )
    assert [d.got for d in by_operation["signals_processing_list"]] == ["a body that is not JSON"]
    assert [d.got for d in by_operation["alerts_list"]] == ["text/html"]


def test_a_redirect_is_reported_not_followed(
    document: dict[str, Any], server: tuple[FakePostHog, str]
) -> None:
    fake, url = server
    moved = {"Location": "http://127.0.0.2:9/steal", "Content-Type": "text/plain"}
    fake.replies["roles_list"] = [Reply(302, b"", moved)]
    report = run_probe(document, url)
    assert ("roles_list", "$", "status 302") in found(report)
    assert not any("steal" in path for _, path, _ in fake.seen)


def test_401_stops_the_run_at_once_naming_the_operation(
    document: dict[str, Any], server: tuple[FakePostHog, str]
) -> None:
    fake, url = server
    fake.replies["roles_list"] = [Reply(401, b'{"detail": "bad key"}')]
    with pytest.raises(SpecError) as raised:
        run_probe(document, url)
    message = str(raised.value)
    assert "the key was refused (401) on roles_list: check the key and its scopes" in message
    assert KEY not in message
    assert len(fake.seen) == 1  # nothing after the refusal


def test_429_waits_for_retry_after_then_retries(
    document: dict[str, Any], server: tuple[FakePostHog, str]
) -> None:
    fake, url = server
    limited = {"Content-Type": "application/json", "Retry-After": "7"}
    fake.replies["cohorts_list"] = [Reply(429, b'{"detail": "slow down"}', limited)]
    fake.replies["alerts_list"] = [Reply(429, b"{}", {**limited, "Retry-After": "3600"})] * 4
    sleeps: list[float] = []
    report = run_probe(document, url, sleeps)
    results = {r.operation: r for r in report.results}
    assert results["cohorts_list"].status == 200 and not results["cohorts_list"].disagreements
    assert results["alerts_list"].skipped_because == "still rate limited (429) after 4 attempts"
    assert (
        results["alerts_retrieve"].skipped_because == "needs id from alerts_list, which was skipped"
    )
    assert sleeps == [7.0, 30.0, 30.0, 30.0]  # Retry-After honoured, capped at 30 s
    callable_gets = len(get_operations(document)) - len(SKIPPED)
    # One retry for cohorts_list, three for alerts_list; alerts_retrieve is never called.
    assert report.requests == callable_gets + 1 + 3 - 1


def test_retry_delay_reads_seconds_and_http_dates_and_falls_back_to_backoff() -> None:
    assert retry_delay("2", 0) == 2.0
    assert retry_delay(None, 0) == 1.0 and retry_delay("", 2) == 4.0
    assert retry_delay("not a date", 1) == 2.0
    in_ten_seconds = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    assert 8 <= retry_delay(in_ten_seconds, 0) <= 10
    assert retry_delay("86400", 0) == 30.0 and retry_delay("-5", 0) == 0.0


def test_the_request_budget_bounds_the_run(
    document: dict[str, Any], server: tuple[FakePostHog, str]
) -> None:
    fake, url = server
    report = run_probe(document, url, max_requests=3)
    assert len(fake.seen) == report.requests == 3
    reasons = {r.skipped_because for r in report.results if r.status is None}
    assert "request budget spent (--max-requests 3)" in reasons


def test_a_retrieve_whose_list_is_empty_is_skipped_with_the_reason(
    document: dict[str, Any], server: tuple[FakePostHog, str]
) -> None:
    fake, url = server
    fake.bodies["annotations_list"]["results"] = []
    report = run_probe(document, url)
    (retrieve,) = [r for r in report.results if r.operation == "annotations_retrieve"]
    assert retrieve.skipped_because == "annotations_list returned no items to take id from"
    assert found(report) == set()


def test_an_unreachable_host_is_bad_input(document: dict[str, Any]) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # closed again before the probe connects
    with pytest.raises(SpecError) as raised:
        run_probe(document, f"http://127.0.0.1:{port}")
    assert "no answer on roles_list: " in str(raised.value)


# --- through the CLI ---------------------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["probe", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        pytest.param(
            ["--host", "URL"], {}, "error: POSTHOG_PERSONAL_API_KEY: not set", id="no-key"
        ),
        pytest.param(["--host", "ftp://x"], {"K": KEY}, "ftp://x: not an http(s) URL", id="ftp"),
        pytest.param(
            ["--host", "us.posthog.com"], {"K": KEY}, "not an http(s) URL", id="no-scheme"
        ),
        pytest.param(
            ["--host", "https://me:pw@h"],
            {"K": KEY},
            "error: --host: give the host without",
            id="creds",
        ),
        pytest.param([], {"K": KEY}, "error: --host: give the server to probe", id="no-host"),
        pytest.param(
            ["--host", "URL"],
            {"K": KEY + " x"},
            "error: POSTHOG_PERSONAL_API_KEY: holds spaces",
            id="key-with-space",
        ),
        pytest.param(
            ["--host", "URL", "--spec", "missing.yaml"],
            {"K": KEY},
            "missing.yaml: no such file",
            id="no-spec",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str],
    env: dict[str, str],
    message: str,
    server: tuple[FakePostHog, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake, url = server
    monkeypatch.delenv("POSTHOG_PERSONAL_API_KEY", raising=False)
    if "K" in env:
        monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", env["K"])
    code, out, err = cli(capsys, *[url if arg == "URL" else arg for arg in argv])
    assert (code, out) == (2, "")
    assert message in err and err.count("\n") == 1
    assert "pw" not in err and KEY not in err
    assert fake.seen == []


def test_nothing_to_call_without_ids_is_bad_input(
    server: tuple[FakePostHog, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    fake, url = server
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n"
        "  /api/projects/{project_id}/things/:\n    get:\n      parameters:\n"
        "        - {name: project_id, in: path, required: true, schema: {type: string}}\n"
        "      responses: {'200': {description: ok}}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", KEY)
    code, _, err = cli(capsys, "--host", url, "--spec", str(spec))
    assert code == 2
    assert "no GET operation could be called: needs project_id: give --project-id" in err
    assert fake.seen == []


def test_cli_reports_drift_with_exit_1_and_never_shows_the_key(
    server: tuple[FakePostHog, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    fake, url = server
    fake.bodies["roles_list"]["results"][0]["name"] = None
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", KEY)
    monkeypatch.setenv("POSTHOG_PROJECT_ID", "1")  # the env var, as the client reads it
    caplog.set_level(logging.DEBUG)
    output = tmp_path / "probe.json"
    argv = ["--host", url, "--organization-id", "org-1", "--spec", str(SPEC)]
    code, out, err = cli(capsys, *argv, "--format", "json", "--output", str(output))
    assert (code, out) == (1, "")
    assert "probe: 17 operations probed, 16 agree, 1 differ, 5 skipped (17 requests)" in err
    assert not list(tmp_path.glob(".probe.json.*"))  # the temporary file was renamed
    written = output.read_text(encoding="utf-8")
    report = json.loads(written)
    assert report["summary"]["differing"] == 1
    assert report["disagreements"] == [
        {
            "operation": "roles_list",
            "status": 200,
            "path": "$.results[0].name",
            "expected": "type string",
            "got": "null",
        }
    ]
    fake.bodies["roles_list"]["results"][0]["name"] = "fixed"
    code, markdown, clean_err = cli(capsys, *argv)
    assert (code, clean_err) == (0, "")
    assert "17 operations probed, 17 agree, 0 differ, 5 skipped (17 requests)" in markdown
    for text in (out, err, markdown, written, caplog.text):
        assert KEY not in text and "CANARY" not in text
    assert "GET roles_list" in caplog.text  # the log exists, and holds no key
    assert_only_gets_with_key(fake)


def test_cli_stops_at_403_with_exit_2(
    server: tuple[FakePostHog, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake, url = server
    fake.replies["roles_list"] = [Reply(403, b'{"detail": "missing scope role:read"}')]
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", KEY)
    caplog.set_level(logging.DEBUG)
    code, out, err = cli(
        capsys, "--host", url, *["--organization-id", "org-1", "--spec", str(SPEC)]
    )
    assert (code, out) == (2, "")
    assert err == (
        f"error: {url}: the key was refused (403) on roles_list: check the key and its scopes\n"
    )
    assert KEY not in caplog.text
    assert len(fake.seen) == 1


SPEC_30 = """
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /api/things/:
    get:
      operationId: things_list
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  results: {type: array, items: {$ref: "#/components/schemas/Thing"}}
              example: {results: [{id: 7, name: null, kind: a, seen: "2024-05-01T10:00:00Z"}]}
components:
  schemas:
    Thing:
      type: object
      additionalProperties: false
      required: [id, kind]
      properties:
        id: {type: integer}
        name: {type: string, nullable: true}
        kind: {type: string, enum: [a, b]}
        seen: {type: string, format: date-time}
"""


def test_an_openapi_30_spec_is_checked_in_its_own_dialect(
    base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = yaml.safe_load(SPEC_30)
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    _Served.fake = fake = FakePostHog(document)
    try:
        assert found(run_probe(document, base_url)) == set()  # `nullable: true` is understood
        thing = fake.bodies["things_list"]["results"][0]
        thing.update(kind=None, seen="yesterday", extra=1)
        report = run_probe(document, base_url)
    finally:
        _Served.fake = None
    assert {(d.path, d.expected, d.got) for r in report.results for d in r.disagreements} == {
        ("$.results[0].kind", 'type string; one of enum ["a", "b"]', "null"),
        ("$.results[0].seen", "format date-time", "string (not date-time)"),
        ("$.results[0].extra", "no such property (additionalProperties: false)", "integer"),
    }
