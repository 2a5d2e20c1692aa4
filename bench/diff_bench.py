"""Time `posthog-codegen diff` end to end on two ~10 MB specs (budget: 10 s).

Makes a base spec and a mutated head with `make_large_spec.py` (fixed seed), then runs the diff
exactly as the CLI does: YAML loading, validation, classification and rendering. Prints one line
per mode: `parallel` (the default path: head loads in a second process) and `serial` (one process,
what a single-core CI runner gets), with wall time and CPU time; on a busy machine the CPU figure
is the comparable one.

    python bench/diff_bench.py [--operations 1000] [--workdir bench/out] [--budget 10]
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import make_large_spec  # found via the path set above

import generator.review.commands as review
from generator.review.arguments import add_diff_arguments


def _specs(operations: int, workdir: Path) -> tuple[Path, Path]:
    base, head = workdir / f"base-{operations}.yaml", workdir / f"head-{operations}.yaml"
    if not base.exists():
        make_large_spec.write_spec(make_large_spec.make_spec(operations), base)
    if not head.exists():
        doc = make_large_spec.mutate(make_large_spec.make_spec(operations))
        make_large_spec.write_spec(doc, head)
    return base, head


def _cpu_seconds() -> float:
    """User+system CPU of this process and its finished children: immune to other load."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _run_once(base: Path, head: Path, serial: bool) -> tuple[float, float, str]:
    parser = argparse.ArgumentParser()
    add_diff_arguments(parser)
    args = parser.parse_args([str(base), str(head), "--format", "markdown"])
    saved = review.PARALLEL_THRESHOLD_BYTES
    review.PARALLEL_THRESHOLD_BYTES = 10**15 if serial else saved
    output = io.StringIO()
    try:
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        with redirect_stdout(output):
            review.run_diff(args)
        elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    finally:
        review.PARALLEL_THRESHOLD_BYTES = saved
    summary = next(
        (line for line in output.getvalue().splitlines() if line.startswith("**Summary:**")), ""
    )
    return elapsed, cpu, summary.removeprefix("**Summary:** ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--operations", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=Path("bench/out"))
    parser.add_argument("--budget", type=float, default=10.0, help="seconds; exit 1 above it")
    parser.add_argument("--repeat", type=int, default=1, help="report the best of N runs")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    base, head = _specs(args.operations, args.workdir)
    size = (base.stat().st_size + head.stat().st_size) / 2e6
    print(f"specs: {args.operations} operations, ~{size:.1f} MB each ({base}, {head})")
    worst = 0.0
    for mode in ("parallel", "serial"):
        runs = [_run_once(base, head, serial=mode == "serial") for _ in range(args.repeat)]
        best, cpu, summary = min(runs)
        worst = max(worst, best)
        print(
            f"diff {mode:<8} {best:6.2f} s wall, {cpu:5.2f} s CPU  (budget {args.budget:.0f} s)"
            f"  findings: {summary}"
        )
    return int(worst > args.budget)


if __name__ == "__main__":
    raise SystemExit(main())
