"""Command line: `posthog-codegen generate|validate|diff|lint|probe` (also `python -m generator`).

User mistakes print one line, `error: <file>:<where>: <message>`, and exit 2; `--debug` shows
the traceback instead.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from generator import review
from generator.emit.format import default_cache_dir
from generator.emit.write import compare_tree, write_tree
from generator.errors import SpecError
from generator.pipeline import generate, load_and_parse
from generator.review.probe import add_probe_arguments, run_probe

DEFAULT_SPEC = Path("spec/posthog.yaml")
DEFAULT_OUT = Path("generated")


def _generate(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    result = generate(
        args.spec,
        cache_dir=None if args.no_cache else default_cache_dir(),
        previous_output=None if args.no_cache else args.out,
    )
    for warning in result.api.warnings:
        print(f"warning: {args.spec}:#{warning.pointer}: {warning.message}", file=sys.stderr)
    if args.strict and result.api.warnings:
        raise SpecError(str(args.spec), f"{len(result.api.warnings)} warning(s) with --strict")
    if args.check:
        diff = compare_tree(args.out, result.files)
        for label, names in (
            ("stale", diff.stale),
            ("missing", diff.missing),
            ("extra", diff.extra),
        ):
            for name in names:
                print(f"{label}: {args.out / name}")
        if not diff.clean:
            print(f"{args.out} is out of date: run `posthog-codegen generate`", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date ({len(result.files)} files)")
        return 0
    write_tree(args.out, result.files)
    api = result.api
    print(
        f"generated {len(api.operations)} operations, {len(api.models)} models,"
        f" {len(api.enums)} enums into {args.out}/ in {time.perf_counter() - started:.2f}s"
    )
    return 0


def _validate(args: argparse.Namespace) -> int:
    api = load_and_parse(args.spec)
    print(f"{args.spec}: valid ({len(api.operations)} operations)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="posthog-codegen", description="Generate a typed Python client from an OpenAPI spec."
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="generate the client package and fixtures")
    gen.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="default: %(default)s")
    gen.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: %(default)s")
    gen.add_argument("--check", action="store_true", help="exit 1 if the output is stale")
    gen.add_argument("--strict", action="store_true", help="treat warnings as errors")
    gen.add_argument(
        "--no-cache",
        action="store_true",
        help="format every file again instead of reusing black results from the output"
        " folder or $POSTHOG_CODEGEN_CACHE_DIR (default ~/.cache/posthog-codegen)",
    )
    gen.set_defaults(handler=_generate)

    val = commands.add_parser("validate", help="validate the spec only")
    val.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="default: %(default)s")
    val.set_defaults(handler=_validate)

    diff = commands.add_parser(
        "diff", help="report what a spec change breaks, for the API and the Python client"
    )
    review.add_diff_arguments(diff)
    diff.set_defaults(handler=review.run_diff)

    lint = commands.add_parser("lint", help="check a spec against the project's rules")
    review.add_lint_arguments(lint)
    lint.set_defaults(handler=review.run_lint)

    probe = commands.add_parser(
        "probe", help="call a live server's GET operations and check each answer against the spec"
    )
    add_probe_arguments(probe)
    probe.set_defaults(handler=run_probe)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except SpecError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
