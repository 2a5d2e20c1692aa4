"""Generation speed, memory and output size on real specs, side by side with the peer.

One run measures, each command in its own child process (wall time; peak RSS of the child):

- GitHub's REST spec (`@octokit/openapi` 23.0.2 from the npm registry: 13 MB of JSON, 1,223
  operations; fetched once with `npm pack` into the work folder):
  1. openapi-python-client 0.29.1 with its default post-hooks (`ruff check --fix`, `ruff format`)
  2. openapi-python-client 0.29.1 with black as its post-hook
  3. ours, cold: empty cache, fresh output folder
  4. ours again after a one-operation edit of the spec, same cache and output folder: five
     edits in turn (one operation's summary each), the median shown
- spec/posthog.yaml: ours, cold.

The peer lives in its own venv ($TMPDIR/opc-venv, created on first use; nothing is added to
requirements.lock). Ratios, not absolute times, are the result: machines are noisy. Goals (issue
13): ratio >= 1.0 against the ruff-hooked peer, >= 10 against the black-hooked one, peak RSS
< 1 GB, output no larger than the peer's (bytes and files), one-operation edit <= 1 s, PostHog
cold <= 1 s. `--verify` then checks our GitHub output with black --check and mypy --strict (slow,
not timed).

    python bench/generate_bench.py [--workdir bench/out] [--skip-opc] [--verify]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
from dataclasses import dataclass, replace
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GITHUB_PACKAGE = "@octokit/openapi@23.0.2"
GITHUB_SPEC_IN_PACKAGE = "package/generated/api.github.com.json"
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
    files: int = 0
    megabytes: float = 0.0

    def row(self) -> str:
        status = "" if self.code == 0 else f" (exit {self.code})"
        size = f"{self.megabytes:6.1f} MB, {self.files:5d} files" if self.files else " " * 22
        timing = f"{self.seconds:7.2f} s | {self.peak_mib:5.0f} MiB"
        return f"| {self.label:<52} | {timing} | {size} |{status}"


def measure(
    label: str, command: list[str], *, env: dict[str, str] | None = None, out: Path | None = None
) -> Measurement:
    wrapper = [sys.executable, "-c", _MEASURE, *command]
    result = subprocess.run(
        wrapper, capture_output=True, text=True, env=env, cwd=ROOT, check=False, timeout=3600
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    files, megabytes = output_size(out) if out is not None else (0, 0.0)
    return Measurement(
        label,
        report["seconds"],
        report["peak_kib"] / 1024,
        report["code"],
        report["output"],
        files,
        megabytes,
    )


def output_size(folder: Path) -> tuple[int, float]:
    """Files and megabytes written (the cache folders the peer's hooks leave behind excluded,
    not files that merely have "cache" in their names, like GitHub's actions_cache models)."""
    paths = [
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.endswith("_cache") for part in p.relative_to(folder).parts)
    ]
    return len(paths), sum(p.stat().st_size for p in paths) / 1e6


def github_spec(workdir: Path) -> Path:
    """GitHub's spec from the npm registry, fetched once."""
    spec = workdir / "github" / GITHUB_SPEC_IN_PACKAGE
    if spec.exists():
        return spec
    target = workdir / "github"
    print(f"fetching {GITHUB_PACKAGE} with npm pack (one-off)...")
    with tarfile.open(npm_pack(GITHUB_PACKAGE, target)) as archive:
        archive.extract(archive.getmember(GITHUB_SPEC_IN_PACKAGE), target, filter="data")
    return spec


def npm_pack(package: str, folder: Path) -> Path:
    """The tarball of an npm package (`name@version`), fetched into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    packed = subprocess.run(
        ["npm", "pack", "--silent", package],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[-1]
    return folder / packed


def edit_one_operation(spec: Path, where: float) -> None:
    """One operation's summary changed in place (text-level, so nothing else moves): the first
    summary at or after `where` (0 to 1) of the file."""
    text = spec.read_text(encoding="utf-8")
    marker = '"summary": "'
    start = text.find(marker, int(len(text) * where))
    start = (start if start >= 0 else text.index(marker)) + len(marker)
    spec.write_text(text[:start] + "Edited. " + text[start:], encoding="utf-8")


# Where the edits land, one run each: the first operation, then spread over the paths (the
# paths fill the first fifth of GitHub's spec). One run is noisy on a shared machine.
EDIT_POSITIONS = (0.0, 0.04, 0.08, 0.12, 0.16)


def median_run(runs: list[Measurement], label: str) -> Measurement:
    """The median run, labelled with the spread."""
    ordered = sorted(runs, key=lambda run: run.seconds)
    middle = ordered[len(ordered) // 2]
    spread = f"{ordered[0].seconds:.2f}-{ordered[-1].seconds:.2f} s"
    return replace(middle, label=f"{label} (median of {len(runs)}: {spread})")


def opc_venv() -> Path:
    """openapi-python-client (its ruff comes with it) and black, in their own venv."""
    if (OPC_VENV / "bin" / "openapi-python-client").exists():
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


def run_opc(label: str, spec: Path, scratch: Path, hooks: list[str] | None) -> Measurement:
    venv = opc_venv()
    out = scratch / f"opc-out-{len(hooks or [])}"
    shutil.rmtree(out, ignore_errors=True)
    command = [
        str(venv / "bin" / "openapi-python-client"), "generate", "--path", str(spec),
        "--meta", "none", "--output-path", str(out),
    ]  # fmt: skip
    if hooks is not None:
        config = scratch / "opc-config.yaml"
        config.write_text(json.dumps({"post_hooks": hooks}), encoding="utf-8")
        command += ["--config", str(config)]
    # black keeps a per-user cache of the files it formatted: a fresh one per run, or a rerun
    # skips every file whose bytes it has seen (cold means cold for the peer too).
    black_cache = scratch / f"black-cache-{len(hooks or [])}"
    shutil.rmtree(black_cache, ignore_errors=True)
    env = {
        **os.environ,
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "BLACK_CACHE_DIR": str(black_cache),
    }
    return measure(label, command, env=env, out=out)


def run_ours(label: str, spec: Path, out: Path, cache: Path, *extra: str) -> Measurement:
    env = {**os.environ, "POSTHOG_CODEGEN_CACHE_DIR": str(cache)}
    command = [
        sys.executable, "-m", "generator", "generate", "--spec", str(spec), "--out", str(out),
        *extra,
    ]  # fmt: skip
    return measure(label, command, env=env, out=out)


def verify(out: Path) -> None:
    (client,) = out.glob("*/_client.py")  # the package is named after the spec's title
    package = str(client.parent)
    for command in (
        [sys.executable, "-m", "black", "--check", "-q", "-l", "100", "-t", "py311", package],
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", package],
    ):
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        output = (result.stdout + result.stderr)[-3000:]
        verdict = "clean" if result.returncode == 0 else f"FAILED\n{output}"
        print(f"verify: {command[2]}: {verdict} ({time.perf_counter() - started:.0f} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--skip-opc", action="store_true", help="measure our generator only")
    parser.add_argument("--verify", action="store_true", help="black --check and mypy the output")
    args = parser.parse_args(argv)
    workdir: Path = args.workdir.resolve()
    spec = github_spec(workdir)
    # Outside the repository: black and ruff, run by the peer's hooks, would otherwise find our
    # pyproject.toml and .gitignore (which lists bench/out/) and skip every file.
    scratch = Path(tempfile.mkdtemp(prefix="posthog-codegen-bench-"))
    ours_out, cache = scratch / "ours-out", scratch / "cache"
    # pip compiled the peer's bytecode when it installed it; our editable checkout gets the same
    # (a machine with PYTHONDONTWRITEBYTECODE set would otherwise compile every module each run).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "generator")], check=True)
    # GitHub's spec carries examples that do not fit their schemas: --lenient warns instead.
    results = []
    if not args.skip_opc:
        results.append(run_opc("openapi-python-client, default ruff hooks", spec, scratch, None))
        results.append(run_opc("openapi-python-client, black hook", spec, scratch, ["black ."]))
    # Ours reads a copy that is then edited in place, as a user edits their spec.
    ours_spec = scratch / spec.name
    shutil.copyfile(spec, ours_spec)
    cold = run_ours("ours, cold", ours_spec, ours_out, cache, "--lenient")
    edits = []
    for where in EDIT_POSITIONS:
        edit_one_operation(ours_spec, where)
        edits.append(run_ours("edit", ours_spec, ours_out, cache, "--lenient"))
    warm = median_run(edits, "ours, one-operation edit")
    posthog = run_ours(
        "ours, spec/posthog.yaml cold", ROOT / "spec" / "posthog.yaml", scratch / "ph", cache
    )
    results += [cold, warm, posthog]
    print(f"\nGitHub REST spec ({GITHUB_PACKAGE}), {os.cpu_count()} cores\n")
    print(f"| {'run':<52} | {'wall':>9} | {'peak RSS':>9} | {'output':<22} |")
    print(f"|{'-' * 54}|{'-' * 11}|{'-' * 11}|{'-' * 24}|")
    for result in results:
        print(result.row())
    failed = [r for r in [*results, *edits] if r.code != 0]
    for result in failed:
        print(f"\n{result.label} failed (exit {result.code}):\n{result.output}")
    if not args.skip_opc:
        ruff_peer, black_peer = results[0], results[1]
        print(f"\nspeed ratio vs peer + ruff hooks:  {ruff_peer.seconds / cold.seconds:.2f}x")
        print(f"speed ratio vs peer + black hook:  {black_peer.seconds / cold.seconds:.2f}x")
        print(f"one-operation edit vs peer + ruff hooks: {warm.seconds / ruff_peer.seconds:.3f}x")
        print(
            f"output vs peer: {cold.megabytes / ruff_peer.megabytes:.2f}x bytes, "
            f"{cold.files / ruff_peer.files:.2f}x files"
        )
    if args.verify and cold.code == 0:
        verify(ours_out)
    shutil.rmtree(scratch, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
