"""Run one CLI command the way a user would and hold it to the only allowed outcomes.

Allowed: exit 0 (or 1 for `lint`/`diff` findings) with a result, or exit 2 with one line per
problem (`error: ...`, at most ten plus a count) and nothing written. Not allowed: an exception
out of `main` (a traceback), more CPU time than `CPU_SECONDS` (a hang), a file outside `--out`,
or a generated package that does not compile or import.
"""

from __future__ import annotations

import compileall
import contextlib
import importlib
import io
import os
import pkgutil
import signal
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from generator.cli import main

CPU_SECONDS = 30  # per command; the slowest honest case (a regex bomb) takes ~1 s

# Examples each property ran (shrinking included), reported at the end of the session.
CASES: Counter[str] = Counter()
# Distinct refusals seen (the message with paths and values blanked): `make fuzz` prints them.
REFUSALS: Counter[str] = Counter()


class Hang(BaseException):
    """A command used more than CPU_SECONDS of CPU time (BaseException: nothing swallows it)."""


@dataclass(frozen=True)
class Outcome:
    command: str
    code: int
    out: str
    err: str


@contextlib.contextmanager
def cpu_limit(seconds: float) -> Iterator[None]:
    """Raise Hang after `seconds` of CPU time. A profiling timer, not SIGALRM: the generator
    keeps the real-time timer for its own regex time limit."""

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise Hang(f"over {seconds} s of CPU")

    previous = signal.signal(signal.SIGPROF, expire)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def run(argv: Sequence[str]) -> Outcome:
    """`posthog-codegen <argv>` in this process, its output captured."""
    out, err = io.StringIO(), io.StringIO()
    with cpu_limit(CPU_SECONDS), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return Outcome(argv[0], code, out.getvalue(), err.getvalue())


ALLOWED_CODES = {"validate": {0, 2}, "generate": {0, 2}, "lint": {0, 1, 2}, "diff": {0, 1, 2}}


def check(outcome: Outcome) -> None:
    """The exit code and stderr of a command that did not raise."""
    command, code, err = outcome.command, outcome.code, outcome.err
    assert code in ALLOWED_CODES[command], f"{command} exited {code}: {err}"
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert all(line.startswith(("error: ", "warning: ")) for line in lines), err
    errors = [line for line in lines if line.startswith("error: ")]
    if code == 2:
        assert errors, f"{command} exited 2 without an error line"
        assert len(errors) <= 11, err
        for line in errors:
            REFUSALS[_shape(line)] += 1
    else:
        assert not errors, err


def _shape(line: str) -> str:
    """An error line with its file, position and quoted values blanked, to count kinds."""
    import re

    message = line.split(": ", 2)[-1]
    message = re.sub(r"#/\S*", "#/...", message)
    message = re.sub(r"'[^']*'|\"[^\"]*\"", "'...'", message)
    return re.sub(r"\d+", "N", message)[:120]


def check_package(out: Path) -> None:
    """The generated package compiles (compileall) and imports, with every module."""
    assert compileall.compile_dir(str(out), quiet=2, force=True), "compileall failed"
    (package_dir,) = [p.parent for p in out.glob("*/_client.py")]
    name = package_dir.name  # posthog_api, or named after the spec's title
    saved = {module: sys.modules.pop(module) for module in list(sys.modules) if _ours(module, name)}
    sys.path.insert(0, str(out))
    importlib.invalidate_caches()
    try:
        package = importlib.import_module(name)
        assert Path(package.__file__ or "").parent == package_dir
        for group in ("models", "resources"):
            module = importlib.import_module(f"{name}.{group}")
            for info in pkgutil.iter_modules(module.__path__):
                importlib.import_module(f"{name}.{group}.{info.name}")
        importlib.import_module(f"{name}.testing").fixture_transport()
    finally:
        sys.path.remove(str(out))
        for loaded in [loaded for loaded in sys.modules if _ours(loaded, name)]:
            del sys.modules[loaded]
        sys.modules.update(saved)


def _ours(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def files_under(folder: Path) -> set[str]:
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() or path.is_symlink()
    }


@contextlib.contextmanager
def working_directory(folder: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)
