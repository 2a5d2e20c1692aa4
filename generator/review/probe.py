"""`posthog-codegen probe`: call a live server's GET operations and check each answer strictly.

A hand-written spec drifts from the server it describes. Before a release the spec maintainer
points the probe at a real project: it calls the spec's GET operations (lists first, then
retrieves with ids taken from the lists' first items; probe_run.py), validates every body
against the schema the spec gives for the received status (probe_check.py), and reports each
disagreement (probe_report.py). This module is the command line: arguments, the host and key
checked before anything is sent, and the report written.
Exit codes: 0 all agree, 1 any differ, 2 bad input, a refused key or an unreachable host.

Safety, because it runs with a real key against a real server: only GET requests, a bounded
number of them (`--max-requests`), a timeout on each, redirects not followed (they would carry
the key elsewhere), 429 answered by waiting, the first 401/403 ends the run (probe_http.py),
and the key is never printed: reports hold paths, keywords and JSON type names, never a
received value.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Mapping
from pathlib import Path

from generator.errors import SpecError
from generator.review.arguments import HOST_ENV, USER_PARAMETERS
from generator.review.probe_http import ProbeSettings
from generator.review.probe_report import RENDERERS
from generator.review.probe_run import probe
from generator.spec.load import load_spec
from generator.spec.validate import validate_spec

KEY_ENV = "POSTHOG_PERSONAL_API_KEY"


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
