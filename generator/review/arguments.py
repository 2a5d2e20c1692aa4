"""The command-line arguments of `diff`, `lint` and `probe`, in a module that imports nothing
heavy: `posthog-codegen generate` builds every subcommand's parser, and must not pay for loading
the review machinery it does not run (generator.cli imports a command's module when it runs)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

DEFAULT_SPEC = "spec/posthog.yaml"
# The keys of generator.review.report.RENDERERS, of probe_report.RENDERERS and of
# house_rules.RULE_SETS (tests/review/test_review_cli.py holds them equal).
REPORT_FORMATS = ("json", "markdown", "text")
PROBE_FORMATS = ("json", "markdown")
RULE_SET_NAMES = ("openapi", "posthog")

HOST_ENV = "POSTHOG_HOST"
# Path parameters the user supplies (flag, environment variable), as the generated client does.
USER_PARAMETERS = {
    "project_id": ("--project-id", "POSTHOG_PROJECT_ID"),
    "organization_id": ("--organization-id", "POSTHOG_ORGANIZATION_ID"),
}
DEFAULT_MAX_REQUESTS = 200
DEFAULT_TIMEOUT = 10.0


def _add_output_arguments(
    parser: argparse.ArgumentParser, fail_on: Sequence[str], default: str
) -> None:
    parser.add_argument(
        "--format", choices=REPORT_FORMATS, default="markdown", help="report format"
    )
    parser.add_argument(
        "--fail-on",
        choices=list(fail_on),
        default=default,
        help=f"exit 1 when a finding at or above this severity exists (default: {default})",
    )
    parser.add_argument("--output", type=Path, help="write the report here instead of stdout")


def add_diff_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `posthog-codegen diff`."""
    parser.add_argument("base", nargs="?", type=Path, help="base spec file")
    parser.add_argument("head", nargs="?", type=Path, help="head spec file (default: --spec)")
    parser.add_argument(
        "--base-ref", help="read the base spec from this git ref (e.g. origin/main)"
    )
    parser.add_argument(
        "--spec", type=Path, default=Path(DEFAULT_SPEC), help=f"head spec (default: {DEFAULT_SPEC})"
    )
    _add_output_arguments(parser, ("breaking", "warning", "never"), "breaking")


def add_lint_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `posthog-codegen lint`."""
    parser.add_argument(
        "--spec", type=Path, default=Path(DEFAULT_SPEC), help=f"spec (default: {DEFAULT_SPEC})"
    )
    parser.add_argument(
        "--rules",
        choices=RULE_SET_NAMES,
        default="posthog",
        help="posthog (default): the generic rules plus this project's house rules;"
        " openapi: the generic rules only, for any other spec",
    )
    _add_output_arguments(parser, ("error", "warning", "never"), "warning")


def add_probe_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `posthog-codegen probe`."""
    parser.add_argument(
        "--host", help=f"server to probe, e.g. https://us.posthog.com (default: ${HOST_ENV})"
    )
    for name, (flag, env) in USER_PARAMETERS.items():
        parser.add_argument(flag, dest=name, help=f"{name} path parameter (default: ${env})")
    parser.add_argument(
        "--spec", type=Path, default=Path(DEFAULT_SPEC), help="default: %(default)s"
    )
    parser.add_argument("--format", choices=PROBE_FORMATS, default="markdown", help="report format")
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
