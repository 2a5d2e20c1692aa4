"""Generation speed and memory: our generator vs openapi-python-client, black on both sides.

One run measures, on the same synthetic spec (`make_large_spec.py`, fixed seed, 1,000
operations and ~1,000 schemas, ~10 MB of YAML):

1. openapi-python-client + black (its `post_hooks: ["black ."]`; no ruff), from a separate venv
   that this script creates if it is missing (it says so; nothing is added to requirements.lock).
2. Ours, cold: a fresh cache (POSTHOG_CODEGEN_CACHE_DIR: black results, parsed YAML pieces)
   and a fresh output folder.
3. Ours, incremental: one operation's summary edited in the spec file, same cache and output.
4. `make generate` on spec/posthog.yaml, cold and warm.

Each command runs in a child process; wall time is measured around it and peak memory is the
child's `ru_maxrss` (`resource.getrusage(RUSAGE_CHILDREN)` in a small wrapper process, so one
measurement cannot mask the next). Goals: ≥ 6x faster than openapi-python-client + black,
≤ 15 s cold, < 1 GB peak, ≤ 2 s incremental. `--verify` also checks the large output with
black --check and mypy --strict (minutes; not timed).

    python bench/generate_bench.py [--operations 1000] [--workdir bench/out] [--skip-opc]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_large_spec  # found via the path set above

ROOT = Path(__file__).resolve().parent.parent

OPC_VERSION = "0.29.1"
OPC_VENV = Path(tempfile.gettempdir()) / "opc-venv"
# Runs a command and reports its wall time and the peak RSS of it and its children.
_MEASURE = textwrap.dedent(
    """
    import json, resource, subprocess, sys, time
    started = time.perf_counter()
    result = subprocess.run(
        sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"code": result.returncode, "seconds": elapsed, "peak_kib": peak,
                      "output": result.stdout[-2000:]}))
    """
)


@dataclass(frozen=True)
class Measurement:
    label: str
    seconds: float
    peak_mib: float
    code: int
    output: str

    def line(self) -> str:
        status = "" if self.code == 0 else f"  (exit {self.code})"
        return f"{self.label:<58} {self.seconds:7.2f} s  {self.peak_mib:7.0f} MiB{status}"


def measure(
    label: str, command: list[str], *, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> Measurement:
    wrapper = [sys.executable, "-c", _MEASURE, *command]
    result = subprocess.run(
        wrapper, capture_output=True, text=True, env=env, cwd=cwd, check=False, timeout=3600
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return Measurement(
        label, report["seconds"], report["peak_kib"] / 1024, report["code"], report["output"]
    )


def large_spec(operations: int, workdir: Path) -> Path:
    spec = workdir / f"generate-{operations}" / "spec.yaml"
    if not spec.exists():
        make_large_spec.write_spec(make_large_spec.make_spec(operations), spec)
    return spec


def edit_one_operation(spec: Path, target: Path) -> None:
    """The same spec with one operation's summary changed (text-level: no YAML round trip)."""
    text = spec.read_text(encoding="utf-8")
    marker = "    summary: "
    start = text.index(marker) + len(marker)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text[:start] + "Edited. " + text[start:], encoding="utf-8")


def opc_venv() -> Path:
    """openapi-python-client and black in their own venv, created on first use."""
    binary = OPC_VENV / "bin" / "openapi-python-client"
    if binary.exists():
        return OPC_VENV
    print(f"creating {OPC_VENV} with openapi-python-client=={OPC_VERSION} (one-off)...")
    subprocess.run([sys.executable, "-m", "venv", str(OPC_VENV)], check=True)
    subprocess.run(
        [
            str(OPC_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
            f"openapi-python-client=={OPC_VERSION}", f"black=={version('black')}",
        ],
        check=True,
    )  # fmt: skip
    return OPC_VENV


def run_opc(spec: Path, scratch: Path) -> Measurement:
    venv = opc_venv()
    config = scratch / "opc-config.yaml"
    # black alone, as on our side (the default hooks would also run ruff).
    config.write_text('post_hooks:\n  - "black ."\n', encoding="utf-8")
    out = scratch / "opc-out"
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    command = [
        str(venv / "bin" / "openapi-python-client"), "generate", "--path", str(spec),
        "--config", str(config), "--meta", "none", "--output-path", str(out),
    ]  # fmt: skip
    result = measure("openapi-python-client + black", command, env=env, cwd=scratch)
    files = sum(1 for _ in out.rglob("*.py")) if out.exists() else 0
    return Measurement(
        f"{result.label} ({files} .py files)",
        result.seconds,
        result.peak_mib,
        result.code,
        result.output,
    )


def run_ours(label: str, spec: Path, out: Path, cache: Path) -> Measurement:
    env = {**os.environ, "POSTHOG_CODEGEN_CACHE_DIR": str(cache)}
    command = [
        sys.executable, "-m", "generator", "generate", "--spec", str(spec), "--out", str(out),
    ]  # fmt: skip
    return measure(label, command, env=env)


def verify(out: Path) -> None:
    package = str(out / "posthog_api")
    for command in (
        [sys.executable, "-m", "black", "--check", "-q", "-l", "100", "-t", "py311", package],
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", package],
    ):
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        verdict = "clean" if result.returncode == 0 else f"FAILED\n{result.stdout[-3000:]}"
        print(f"verify: {command[2]}: {verdict} ({time.perf_counter() - started:.0f} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--operations", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--skip-opc", action="store_true", help="measure our generator only")
    parser.add_argument("--verify", action="store_true", help="black and mypy the large output")
    args = parser.parse_args(argv)
    spec = large_spec(args.operations, args.workdir.resolve())
    print(f"spec: {spec} ({spec.stat().st_size / 1e6:.1f} MB, {args.operations} operations)")
    print(f"cores: {os.cpu_count()}; black {version('black')} on both sides\n")

    results: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="generate-bench-") as scratch_name:
        scratch = Path(scratch_name)
        opc = None if args.skip_opc else run_opc(spec, scratch)
        cache, out = scratch / "cache", scratch / "ours-out"
        working = scratch / "work" / "spec.yaml"  # edited in place, as a user would
        working.parent.mkdir()
        shutil.copy(spec, working)
        cold = run_ours("ours, cold (fresh cache, fresh output)", working, out, cache)
        edit_one_operation(working, working)
        warm = run_ours("ours, incremental (one operation changed)", working, out, cache)
        small_cache, small_out = scratch / "small-cache", scratch / "small-out"
        posthog = ROOT / "spec" / "posthog.yaml"
        results += [m for m in (opc, cold, warm) if m is not None]
        results.append(
            run_ours("make generate (spec/posthog.yaml), cold", posthog, small_out, small_cache)
        )
        results.append(
            run_ours("make generate (spec/posthog.yaml), warm", posthog, small_out, small_cache)
        )
        for measurement in results:
            print(measurement.line())
        print()
        if opc is not None:
            if opc.code != 0:
                print(f"openapi-python-client failed (exit {opc.code}):\n{opc.output}")
            print(f"speed-up over openapi-python-client + black: {opc.seconds / cold.seconds:.1f}x")
        print(
            f"goals: cold {cold.seconds:.1f} s (<= 15), peak {cold.peak_mib:.0f} MiB (< 1024),"
            f" incremental {warm.seconds:.1f} s (<= 2)"
        )
        failed = [m for m in (cold, warm) if m.code != 0]
        for measurement in failed:
            print(f"{measurement.label} failed:\n{measurement.output}")
        if args.verify and not failed:
            verify(out)
        shutil.rmtree(scratch, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
