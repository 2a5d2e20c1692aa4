"""How much the generated client costs on top of plain httpx and json.loads.

Goals (issue 13): 2,000 GETs at most 1.15x raw httpx; decoding a 1,000-item page at most 3x
`json.loads`. Three measurements, all in one run:

1. 2,000 sequential GETs of one annotation against a local keep-alive HTTP server on 127.0.0.1,
   through `client.annotations.retrieve(id=1)` vs `httpx.Client.get` + `json.loads`. The two
   alternate in rounds (and alternate who goes first) so drift and noise hit both alike.
2. Parsing a 1,000-item `results` page into models (`PaginatedAnnotationList.from_dict` and the
   client's page parser) vs `json.loads` alone, the three alternating in rounds.
3. `import posthog_api` in a fresh interpreter, median of 5 (and `import httpx` for reference).

Decoding runs in this process alone, so its ratio is best round against best round (other
processes only ever add time). A GET also waits for the server process, so its ratio is the
median of the rounds' ratios: each round pairs the two contenders under the same conditions.

    python bench/client_bench.py [--requests 2000] [--rounds 40] [--items 1000]
                                 [--parse-rounds 30] [--profile]

`--profile` adds a cProfile of the generated client's GETs and of the page parse.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
GENERATED = REPO / "generated"
sys.path.insert(0, str(GENERATED))

from posthog_api import PostHog  # noqa: E402  (found via the path set above)
from posthog_api._models import Parser  # noqa: E402
from posthog_api._pagination import SyncPage  # noqa: E402
from posthog_api.models import Annotation, PaginatedAnnotationList  # noqa: E402

API_KEY = "phx_bench"
PATH = "/api/projects/1/annotations/1/"
GET_GOAL = 1.15
"""2,000 GETs through the client, at most this many times raw httpx + json.loads."""
PARSE_GOAL = 3.0
"""Decoding a 1,000-item page into models, at most this many times json.loads alone."""


def annotation_json() -> dict[str, Any]:
    fixture = json.loads((GENERATED / "fixtures" / "annotations_retrieve.json").read_text())
    body: dict[str, Any] = fixture["response_body"]
    return body


# ---------------------------------------------------------------------------- the server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection for every request
    disable_nagle_algorithm = True  # else headers and body in two writes wait ~40 ms for an ACK
    payload = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()
        self.wfile.write(self.payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


def serve(payload: bytes) -> None:
    """The server process: print the port, answer until stdin closes (the parent exited)."""
    handler = type("Handler", (_Handler,), {"payload": payload})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    print(httpd.server_address[1], flush=True)
    sys.stdin.read()


class FixedJSONServer:
    """A fast threaded http.server in its own process, so it never competes for our GIL."""

    def __enter__(self) -> FixedJSONServer:
        self._process = subprocess.Popen(
            [sys.executable, __file__, "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        self.url = f"http://127.0.0.1:{int(self._process.stdout.readline())}"
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)


# ---------------------------------------------------------------------------- measurements


def time_loop(function: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        function()
    return time.perf_counter() - start


@dataclass(frozen=True)
class Timings:
    measured: list[float]  # seconds per round
    baseline: list[float]

    @property
    def ratio(self) -> float:
        """Best round against best round: noise (other processes) only ever adds time."""
        return min(self.measured) / min(self.baseline)

    @property
    def median_ratio(self) -> float:
        pairs = zip(self.measured, self.baseline, strict=True)
        return statistics.median(m / b for m, b in pairs)


def alternate(
    cases: dict[str, Callable[[], object]], rounds: int, count: int
) -> dict[str, list[float]]:
    """Seconds per round of `count` calls of each case, the cases taking turns (and turns at
    going first), so that drift and noise hit each alike."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    order = list(cases.items())
    for round_number in range(rounds):
        shift = round_number % len(order)
        for name, function in order[shift:] + order[:shift]:
            samples[name].append(time_loop(function, count))
    return samples


def bench_gets(url: str, requests: int, rounds: int, profile: bool) -> Timings:
    """`requests` GETs through each contender, alternating in `rounds`."""
    per_round = requests // rounds
    with (
        PostHog(api_key=API_KEY, host=url, project_id=1, max_retries=0, timeout=10) as client,
        httpx.Client(base_url=url, timeout=10) as raw,
    ):
        headers = {"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"}

        def generated_get() -> object:
            return client.annotations.retrieve(id=1)

        def raw_get() -> object:
            return json.loads(raw.get(PATH, headers=headers).content)

        assert isinstance(generated_get(), Annotation)  # and warms both connections up
        assert raw_get() == annotation_json()
        samples = alternate({"generated": generated_get, "raw": raw_get}, rounds, per_round)
        timings = Timings(measured=samples["generated"], baseline=samples["raw"])
        if profile:
            profiler = cProfile.Profile()
            profiler.runcall(time_loop, generated_get, per_round * 2)
            print(f"\ncProfile of {per_round * 2} generated-client GETs (top 25 by own time):")
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return timings


def bench_page_parse(items: int, rounds: int, profile: bool) -> dict[str, Timings]:
    """Seconds to decode (and parse) a page of `items` annotations, against json.loads, the
    three taking turns in `rounds`."""
    results = []
    for index in range(items):
        item = copy.deepcopy(annotation_json())
        item["id"] = index
        results.append(item)
    payload = json.dumps({"count": items, "next": None, "previous": None, "results": results})
    with PostHog(api_key=API_KEY, project_id=1) as client:
        cases: dict[str, Callable[[], object]] = {
            "json.loads": lambda: json.loads(payload),
            "PaginatedAnnotationList.from_dict": lambda: PaginatedAnnotationList.from_dict(
                json.loads(payload)
            ),
            "page parser (SyncPage)": lambda: SyncPage(
                json.loads(payload),
                client=client,
                item=Parser[Annotation](Annotation),
                options=None,
            ),
        }
        page = cases["page parser (SyncPage)"]()
        assert isinstance(page, SyncPage) and len(page.results) == items
        if profile:
            profiler = cProfile.Profile()
            profiler.runcall(cases["PaginatedAnnotationList.from_dict"])
            print(f"\ncProfile of parsing a {items}-item page (top 15 by own time):")
            pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
        samples = alternate(cases, rounds, 1)
    return {name: Timings(times, samples["json.loads"]) for name, times in samples.items()}


def import_seconds(module: str, runs: int = 5) -> float:
    """Median wall time of `import <module>` in a fresh interpreter."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    env = {**os.environ, "PYTHONPATH": str(GENERATED)}
    samples = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        samples.append(float(done.stdout))
    return statistics.median(samples)


# ---------------------------------------------------------------------------- report


def verdict(ratio: float, goal: float) -> str:
    return f"goal <= {goal}x: {'ok' if ratio <= goal else 'ABOVE GOAL'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=40, help="GET rounds")
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--parse-rounds", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="cProfile GETs and page parsing")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(json.dumps(annotation_json()).encode())
        return 0
    started = time.perf_counter()

    with FixedJSONServer() as server:
        gets = bench_gets(server.url, args.requests, args.rounds, args.profile)
    generated, raw = sum(gets.measured), sum(gets.baseline)
    parse = bench_page_parse(args.items, args.parse_rounds, args.profile)
    import_client, import_httpx = import_seconds("posthog_api"), import_seconds("httpx")

    get_ratio = gets.median_ratio
    decode = parse["PaginatedAnnotationList.from_dict"]
    page = parse["page parser (SyncPage)"]
    per_get = 1e6 / args.requests
    rows = [
        (
            f"GET x{args.requests}, raw httpx + json.loads",
            f"{raw:.3f} s",
            f"{raw * per_get:.0f} µs",
        ),
        (
            f"GET x{args.requests}, client.annotations.retrieve",
            f"{generated:.3f} s",
            f"{generated * per_get:.0f} µs",
        ),
        *(
            (f"{args.items}-item page: {name}", f"{min(timings.measured) * 1e3:.2f} ms", "")
            for name, timings in parse.items()
        ),
        ("import httpx (fresh process, median of 5)", f"{import_httpx * 1e3:.1f} ms", ""),
        ("import posthog_api (fresh process, median of 5)", f"{import_client * 1e3:.1f} ms", ""),
    ]
    width = max(len(row[0]) for row in rows)
    print(f"\n{'measurement':<{width}}  {'total':>10}  {'per call':>9}")
    print("-" * (width + 23))
    for name, total, each in rows:
        print(f"{name:<{width}}  {total:>10}  {each:>9}")
    print("-" * (width + 23))
    print(
        f"GET ratio   generated / raw httpx   {get_ratio:.2f}x   ({verdict(get_ratio, GET_GOAL)}; "
        f"median of {args.rounds} paired rounds; best vs best {gets.ratio:.2f}x, "
        f"totals {generated / raw:.2f}x)"
    )
    print(
        f"parse ratio from_dict / json.loads  {decode.ratio:.2f}x   "
        f"({verdict(decode.ratio, PARSE_GOAL)}; best of {args.parse_rounds} rounds each; "
        f"median round {decode.median_ratio:.2f}x; SyncPage {page.ratio:.2f}x)"
    )
    print(f"import posthog_api beyond httpx     {(import_client - import_httpx) * 1e3:.1f} ms")
    print(f"(whole benchmark: {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
