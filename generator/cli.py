"""Command line: `posthog-codegen generate|validate|diff|lint|probe` (also `python -m generator`).

User mistakes print one line per problem, `error: <file>:<line>:<col>: #<pointer>: <message>`
(at most ten), and exit 2; `--debug` (before or after the command) shows the traceback instead.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NoReturn, Protocol

from generator.background import in_background
from generator.config import (
    CONFIG_FILE_NAME,
    ConfigSettings,
    default_cache_dir,
    load_config_file,
)
from generator.emit.format import FORMATTERS
from generator.emit.write import compare_tree, write_tree
from generator.errors import SpecError
from generator.pipeline import Generated, generate, parse_tolerant
from generator.review.arguments import add_diff_arguments, add_lint_arguments, add_probe_arguments
from generator.spec.load import load_spec
from generator.spec.locate import Locator, printable
from generator.spec.validate import Problem, lenient_spec, validate_spec

DEFAULT_SPEC = Path("spec/posthog.yaml")
DEFAULT_OUT = Path("generated")


def _generate(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    result = generate(
        args.spec,
        _config_settings(args),
        # --check writes nothing anywhere, the cache included
        cache_dir=None if args.no_cache or args.check else default_cache_dir(),
        formatter=args.formatter,
        lenient=args.lenient,
        save_later=True,
    )
    try:
        return _report_and_write(args, result, started)
    finally:
        result.save()  # once: if writing failed, or was not asked for (--check: no cache)


def _report_and_write(args: argparse.Namespace, result: Generated, started: float) -> int:
    warnings: tuple[_Located, ...] = (*result.validation_warnings, *result.parser_warnings)
    _print_warnings(args.spec, warnings)
    if args.strict and warnings:
        raise SpecError(str(args.spec), f"{len(warnings)} warning(s) with --strict")
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
    # A large output is written by a child while this process saves the record.
    written = in_background(lambda: write_tree(args.out, result.files), worth_it=result.large)
    result.save()
    written()
    api = result.api
    print(
        f"generated {len(api.operations)} operations, {len(api.models)} models,"
        f" {len(api.enums)} enums into {args.out}/ in {time.perf_counter() - started:.2f}s"
    )
    return 0


def _config_settings(args: argparse.Namespace) -> ConfigSettings:
    """`--config FILE`, else posthog-codegen.toml beside the spec, else nothing (names from
    the spec's title); the name flags win over either."""
    beside = args.spec.parent / CONFIG_FILE_NAME
    config_file = args.config or (beside if beside.is_file() else None)
    settings = load_config_file(config_file) if config_file else ConfigSettings()
    return settings.with_flags(
        package=args.package_name, client_class=args.client_name, env_prefix=args.env_prefix
    )


def _validate(args: argparse.Namespace) -> int:
    spec = load_spec(args.spec)
    tolerated: list[Problem] = []
    if args.lenient:
        spec, tolerated = lenient_spec(spec)
    else:
        validate_spec(spec)
    api, _ = parse_tolerant(spec, None, tolerated)
    _print_warnings(args.spec, (*tolerated, *api.warnings))
    state = f"{len(tolerated)} problem(s) tolerated" if tolerated else "valid"
    print(f"{args.spec}: {state} ({len(api.operations)} operations)")
    return 0


class _Located(Protocol):
    """What a warning needs: a pointer and a message (validation warnings also a `where`)."""

    @property
    def pointer(self) -> str: ...

    @property
    def message(self) -> str: ...


def _print_warnings(spec: Path, warnings: Iterable[_Located]) -> None:
    """`warning: file:line:col: #/pointer: message`, the file read for positions only if needed."""
    locator = Locator(spec)
    for warning in warnings:
        where = getattr(warning, "where", "") or locator.where(warning.pointer)
        print(f"warning: {printable(f'{spec}:{where}: {warning.message}')}", file=sys.stderr)


class _VersionAction(argparse.Action):
    """`--version`, read from the installed package's metadata only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        from importlib import metadata

        try:
            version = metadata.version("posthog-codegen")
        except metadata.PackageNotFoundError:  # run from a checkout that was never installed
            version = "unknown"
        print(f"{parser.prog} {version}")  # on stdout, as argparse's own version action does
        parser.exit()


# Each review command's module is imported only when that command runs.
def _run_diff(args: argparse.Namespace) -> int:
    from generator.review.commands import run_diff

    return run_diff(args)


def _run_lint(args: argparse.Namespace) -> int:
    from generator.review.commands import run_lint

    return run_lint(args)


def _run_probe(args: argparse.Namespace) -> int:
    from generator.review.probe import run_probe

    return run_probe(args)


def _add_global_flags(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """Flags valid before and after the command: `--debug validate` = `validate --debug`."""
    parser.add_argument(
        "--debug",
        action="store_true",
        # On a command, an absent flag must not reset what was given before the command.
        default=False if top else argparse.SUPPRESS,
        help="show a traceback instead of the one-line error",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="posthog-codegen", description="Generate a typed Python client from an OpenAPI spec."
    )
    parser.add_argument("--version", action=_VersionAction)
    _add_global_flags(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    gen = commands.add_parser("generate", help="generate the client package and fixtures")
    gen.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="default: %(default)s")
    gen.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: %(default)s")
    gen.add_argument("--check", action="store_true", help="exit 1 if the output is stale")
    gen.add_argument("--strict", action="store_true", help="treat warnings as errors")
    gen.add_argument("--lenient", action="store_true", help=_LENIENT_HELP)
    gen.add_argument(
        "--no-cache",
        action="store_true",
        help="parse the spec afresh instead of reusing parsed pieces from"
        " $POSTHOG_CODEGEN_CACHE_DIR (default ~/.cache/posthog-codegen)",
    )
    gen.add_argument(
        "--formatter",
        choices=FORMATTERS,
        default="ruff",
        help="ruff format (default, fast) or black itself; both give black's style",
    )
    gen.add_argument(
        "--config",
        type=Path,
        help=f"names of the generated package (default: {CONFIG_FILE_NAME} beside the spec;"
        " without one they come from the spec's info.title)",
    )
    gen.add_argument("--package-name", help="the Python package, e.g. github_api")
    gen.add_argument("--client-name", help="the client class (the async one is Async<name>)")
    gen.add_argument("--env-prefix", help="prefix of the environment variables, e.g. GITHUB_")
    gen.set_defaults(handler=_generate)

    val = commands.add_parser("validate", help="validate the spec only")
    val.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="default: %(default)s")
    val.add_argument("--lenient", action="store_true", help=_LENIENT_HELP)
    val.set_defaults(handler=_validate)

    diff = commands.add_parser(
        "diff", help="report what a spec change breaks, for the API and the Python client"
    )
    add_diff_arguments(diff)
    diff.set_defaults(handler=_run_diff)

    lint = commands.add_parser("lint", help="check a spec against the project's rules")
    add_lint_arguments(lint)
    lint.set_defaults(handler=_run_lint)

    probe = commands.add_parser(
        "probe", help="call a live server's GET operations and check each answer against the spec"
    )
    add_probe_arguments(probe)
    probe.set_defaults(handler=_run_probe)
    for command in commands.choices.values():
        _add_global_flags(command, top=False)
    return parser


_LENIENT_HELP = (
    "report validation problems as warnings and go on (an invalid default or example is"
    " dropped; 3.0 `type: 'null'` is read as nullable)"
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # no command: say what there is
        parser.print_help(sys.stderr)
        return 2
    previous_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous_limit, RECURSION_LIMIT))
    try:
        code: int = args.handler(args)
    except SpecError as exc:
        if args.debug:
            raise
        for line in exc.lines():
            print(f"error: {printable(line)}", file=sys.stderr)  # one line, whatever it quotes
        return 2
    except RecursionError:
        if args.debug:
            raise
        print(f"error: {_spec_argument(args)}: {_TOO_DEEP}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        sys.setrecursionlimit(previous_limit)
    return code


# The validator and the parser recurse about 15 frames per level of schema nesting (at most
# 200 levels, generator.spec.limits) and along `$ref` chains. 10,000 frames fit the default
# 8 MB stack with room to spare; a deeper spec gets one line, not a traceback.
RECURSION_LIMIT = 10_000
_TOO_DEEP = "schemas nest (or $refs chain) too deeply to process: flatten them"


def _spec_argument(args: argparse.Namespace) -> str:
    """The spec a command was reading, for a message that has no better place to name."""
    for name in ("head", "spec"):
        value = getattr(args, name, None)
        if value is not None:
            return str(value)
    return "spec"


def run() -> NoReturn:
    """The console entry point: main() without the cycle collector, then exit without tearing
    the heap down.

    A large spec makes millions of objects that live to the end of the run, and almost none
    form cycles: the collector's full passes over them cost GitHub's spec a sixth of a cold
    run and a third of a run after an edit, for 8% more peak memory without them. Freeing
    them one by one at exit took seconds after the work was done (mypy's `hard_exit` does
    the same).
    """
    gc.disable()
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
